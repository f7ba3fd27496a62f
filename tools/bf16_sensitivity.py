#!/usr/bin/python3
"""How sensitive is a checkpoint to bf16 rounding?  An emulation in PyTorch
(Debian's python3-torch), independent of ceval's kernels.

For every text it runs the BertModel forward (post-LN, exact GELU, the
checkpoint's pooling, L2 normalisation) in fp32, then again with chosen
operands rounded to bfloat16, and prints the cosine between the two
embeddings (min, median, count below 0.9995).  Variants:
  bf16        inputs and weights of the four linear layers rounded (what
              `ceval embed --precision bf16` does; attention stays fp32)
  weights     only the weights rounded, activations exact (a lower bound
              on the drift of any kernel that stores bf16 weights)
  autocast    the linear layers and both attention products in bf16 (what
              torch.autocast(dtype=torch.bfloat16) rounds)
It also prints the spread of the first layer's attention logits: when it
is large (≈ 10 or more), attention is close to an argmax and a bf16 model
of the checkpoint is a different model, whatever the kernel.

usage: bf16_sensitivity.py MODEL_DIR IDS.jsonl
  IDS.jsonl: `ceval tokenize -m MODEL_DIR -i texts.jsonl` output.
"""
import json
import struct
import sys

import numpy as np
import torch

DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": None}


def load_safetensors(path):
    with open(path, "rb") as f:
        buf = f.read()
    n = struct.unpack("<Q", buf[:8])[0]
    header = json.loads(buf[8:8 + n])
    out = {}
    for name, v in header.items():
        if name == "__metadata__":
            continue
        s, e = v["data_offsets"]
        raw = buf[8 + n + s:8 + n + e]
        if v["dtype"] == "BF16":
            u = np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16
            a = u.view(np.float32)
        else:
            a = np.frombuffer(raw, dtype=DTYPES[v["dtype"]]).astype(np.float32)
        out[name.removeprefix("bert.")] = torch.from_numpy(a.reshape(v["shape"]).copy())
    return out


def rb(t):
    return t.to(torch.bfloat16).to(torch.float32)


class Model:
    def __init__(self, mdir):
        self.w = load_safetensors(mdir + "/model.safetensors")
        cfg = json.load(open(mdir + "/config.json"))
        self.h, self.nh = cfg["hidden_size"], cfg["num_attention_heads"]
        self.layers, self.eps = cfg["num_hidden_layers"], cfg["layer_norm_eps"]
        try:
            pool = json.load(open(mdir + "/1_Pooling/config.json"))
        except FileNotFoundError:
            pool = {}
        self.cls = bool(pool.get("pooling_mode_cls_token", False))
        self.logit_std = []

    def ln(self, x, p):
        m = x.mean(-1, keepdim=True)
        v = ((x - m) ** 2).mean(-1, keepdim=True)
        return (x - m) / torch.sqrt(v + self.eps) * self.w[p + ".weight"] + self.w[p + ".bias"]

    def lin(self, x, p, mode):
        w, b = self.w[p + ".weight"], self.w[p + ".bias"]
        if mode == "bf16" or mode == "autocast":
            return rb(x) @ rb(w).T + b
        if mode == "weights":
            return x @ rb(w).T + b
        return x @ w.T + b

    def embed(self, ids, mode):
        w, n, d = self.w, len(ids), self.h // self.nh
        t = torch.tensor(ids)
        x = w["embeddings.word_embeddings.weight"][t] + w["embeddings.token_type_embeddings.weight"][0]
        x = self.ln(x + w["embeddings.position_embeddings.weight"][:n], "embeddings.LayerNorm")
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q, k, v = (self.lin(x, p + f"attention.self.{s}", mode).view(n, self.nh, d).transpose(0, 1)
                       for s in ("query", "key", "value"))
            if mode == "autocast":
                q, k, v = rb(q), rb(k), rb(v)
            s = q @ k.transpose(1, 2) / np.sqrt(d)
            if i == 0 and mode == "fp32":
                self.logit_std.append(float(s.std())) if n > 1 else None
            a = torch.softmax(s, -1)
            if mode == "autocast":
                a = rb(a)
            c = (a @ v).transpose(0, 1).reshape(n, self.h)
            a1 = self.ln(self.lin(c, p + "attention.output.dense", mode) + x, p + "attention.output.LayerNorm")
            f = torch.nn.functional.gelu(self.lin(a1, p + "intermediate.dense", mode))
            x = self.ln(self.lin(f, p + "output.dense", mode) + a1, p + "output.LayerNorm")
        e = x[0] if self.cls else x.mean(0)
        return e / e.norm()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    torch.set_num_threads(1)
    model = Model(sys.argv[1])
    ids = [json.loads(line)["input_ids"] for line in open(sys.argv[2])]
    with torch.no_grad():
        ref = [model.embed(s, "fp32") for s in ids]
        print(f"{sys.argv[1]}: {len(ids)} texts; layer-0 attention logit std, median over texts: "
              f"{np.median(model.logit_std):.2f}")
        for mode in ("bf16", "weights", "autocast"):
            cos = np.array([float(model.embed(s, mode) @ r) for s, r in zip(ids, ref)])
            print(f"  {mode:<9} cosine to fp32: min {cos.min():.6f}  median {np.median(cos):.7f}  "
                  f"below 0.9995: {(cos < 0.9995).sum()}")


if __name__ == "__main__":
    main()
