#!/usr/bin/python3
"""Write a random BERT checkpoint with bge-base-zh shapes (H=768, 12 layers,
12 heads, I=3072, vocab 21128, 512 positions) in the Hugging Face /
sentence-transformers layout, plus benchmark texts of exactly 32, 128 and 512
tokens.  Only for `make bench`: the weights are random (N(0, 0.02) as BERT's
initializer_range), so only the speed of the forward pass means anything.

usage: make_model.py OUT_DIR VOCAB_TXT
"""
import json
import os
import struct
import sys

import numpy as np

H, L, NH, I, V, P = 768, 12, 12, 3072, 21128, 512


def tensors():
    rng = np.random.default_rng(20240601)
    w = lambda *s: (rng.standard_normal(s, dtype=np.float32) * 0.02).astype(np.float32)
    ones = lambda n: np.ones(n, np.float32)
    zeros = lambda n: np.zeros(n, np.float32)
    yield "embeddings.word_embeddings.weight", w(V, H)
    yield "embeddings.position_embeddings.weight", w(P, H)
    yield "embeddings.token_type_embeddings.weight", w(2, H)
    yield "embeddings.LayerNorm.weight", ones(H)
    yield "embeddings.LayerNorm.bias", zeros(H)
    for i in range(L):
        p = f"encoder.layer.{i}."
        for n in ("query", "key", "value"):
            yield p + f"attention.self.{n}.weight", w(H, H)
            yield p + f"attention.self.{n}.bias", w(H)
        yield p + "attention.output.dense.weight", w(H, H)
        yield p + "attention.output.dense.bias", w(H)
        yield p + "attention.output.LayerNorm.weight", ones(H)
        yield p + "attention.output.LayerNorm.bias", zeros(H)
        yield p + "intermediate.dense.weight", w(I, H)
        yield p + "intermediate.dense.bias", w(I)
        yield p + "output.dense.weight", w(H, I)
        yield p + "output.dense.bias", w(H)
        yield p + "output.LayerNorm.weight", ones(H)
        yield p + "output.LayerNorm.bias", zeros(H)


def write_safetensors(path, items):
    # safetensors layout: u64 little-endian header size, JSON header
    # {name: {dtype, shape, data_offsets}}, then the raw little-endian data.
    header, off = {}, 0
    for name, a in items:
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + a.nbytes]}
        off += a.nbytes
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * (-len(hb) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for _, a in items:
            f.write(a.astype("<f4").tobytes())
    os.replace(path + ".tmp", path)


def main():
    out, vocab = sys.argv[1], sys.argv[2]
    os.makedirs(os.path.join(out, "1_Pooling"), exist_ok=True)
    cfg = {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": H, "num_hidden_layers": L,
           "num_attention_heads": NH, "intermediate_size": I, "vocab_size": V, "max_position_embeddings": P,
           "type_vocab_size": 2, "hidden_act": "gelu", "layer_norm_eps": 1e-12, "pad_token_id": 0,
           "position_embedding_type": "absolute", "torch_dtype": "float32"}
    files = {
        "config.json": cfg,
        "tokenizer_config.json": {"do_lower_case": True, "tokenize_chinese_chars": True, "model_max_length": 512,
                                  "tokenizer_class": "BertTokenizer", "cls_token": "[CLS]", "sep_token": "[SEP]",
                                  "pad_token": "[PAD]", "unk_token": "[UNK]", "mask_token": "[MASK]"},
        "sentence_bert_config.json": {"max_seq_length": 512, "do_lower_case": False},
        "modules.json": [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                         {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                         {"idx": 2, "name": "2", "path": "2_Normalize",
                          "type": "sentence_transformers.models.Normalize"}],
        "1_Pooling/config.json": {"word_embedding_dimension": H, "pooling_mode_cls_token": True,
                                  "pooling_mode_mean_tokens": False, "pooling_mode_max_tokens": False,
                                  "pooling_mode_mean_sqrt_len_tokens": False},
    }
    for name, obj in files.items():
        with open(os.path.join(out, name), "w") as f:
            json.dump(obj, f, indent=1)
    with open(vocab, encoding="utf-8") as f:
        words = f.read().split("\n")
    with open(os.path.join(out, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(words))
    # texts: single CJK characters of the vocabulary, one token each, so a text
    # of n-2 characters is exactly n tokens with [CLS] and [SEP]
    cjk = [w for w in words if len(w) == 1 and "\u4e00" <= w <= "\u9fff"]
    rng = np.random.default_rng(7)
    for n, count in ((32, 192), (128, 64), (512, 16)):  # 6,144-8,192 tokens per length
        with open(os.path.join(out, f"texts-{n}.jsonl"), "w", encoding="utf-8") as f:
            for _ in range(count):
                t = "".join(cjk[k] for k in rng.integers(0, len(cjk), n - 2))
                f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
    write_safetensors(os.path.join(out, "model.safetensors"), list(tensors()))


if __name__ == "__main__":
    main()
