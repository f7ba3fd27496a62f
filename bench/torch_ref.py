#!/usr/bin/python3
"""PyTorch fp32 reference timing for `make bench`: a plain BertModel forward
(the eager math of transformers' modeling_bert: fused nothing, exact GELU)
with bge-base-zh shapes and random weights, on batches of same-length inputs.
Prints one line per length: "LEN TOKENS SECONDS".

usage: torch_ref.py THREADS LEN:COUNT [LEN:COUNT ...]
"""
import sys
import time

import torch
import torch.nn.functional as F

H, L, NH, I, V, P = 768, 12, 12, 3072, 21128, 512
BATCH = 32  # ceval's default batch size


class Layer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k, self.v = (torch.nn.Linear(H, H) for _ in range(3))
        self.o = torch.nn.Linear(H, H)
        self.ln1 = torch.nn.LayerNorm(H, eps=1e-12)
        self.f1 = torch.nn.Linear(H, I)
        self.f2 = torch.nn.Linear(I, H)
        self.ln2 = torch.nn.LayerNorm(H, eps=1e-12)

    def forward(self, x):
        b, t, _ = x.shape
        d = H // NH
        heads = lambda y: y.view(b, t, NH, d).transpose(1, 2)
        q, k, v = heads(self.q(x)), heads(self.k(x)), heads(self.v(x))
        p = torch.softmax(q @ k.transpose(-1, -2) * d ** -0.5, dim=-1)
        ctx = (p @ v).transpose(1, 2).reshape(b, t, H)
        a = self.ln1(self.o(ctx) + x)
        return self.ln2(self.f2(F.gelu(self.f1(a))) + a)


class Bert(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.word = torch.nn.Embedding(V, H)
        self.pos = torch.nn.Embedding(P, H)
        self.tok_type = torch.nn.Embedding(2, H)
        self.ln = torch.nn.LayerNorm(H, eps=1e-12)
        self.layers = torch.nn.ModuleList(Layer() for _ in range(L))

    def forward(self, ids):
        t = ids.shape[1]
        x = self.ln(self.word(ids) + self.tok_type(torch.zeros_like(ids)) + self.pos(torch.arange(t)[None]))
        for layer in self.layers:
            x = layer(x)
        return F.normalize(x[:, 0], dim=-1)


def main():
    torch.set_num_threads(int(sys.argv[1]))
    torch.manual_seed(0)
    model = Bert().eval()
    with torch.no_grad():
        model(torch.randint(1000, 8000, (1, 16)))  # warm-up
        for spec in sys.argv[2:]:
            n, count = (int(v) for v in spec.split(":"))
            ids = torch.randint(1000, 8000, (count, n))
            t0 = time.perf_counter()
            for b0 in range(0, count, BATCH):
                model(ids[b0:b0 + BATCH])
            print(n, n * count, f"{time.perf_counter() - t0:.4f}", flush=True)


if __name__ == "__main__":
    main()
