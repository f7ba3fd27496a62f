#!/usr/bin/env python3
"""Deterministic mixed Chinese/English texts for the serving bench and soak
(JSON lines {"text": ...}); usage: serve_texts.py N OUT (a bench fixture)."""
import json
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(18)
han = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
words = ["model", "search", "embedding", "query", "weather", "price", "2024", "GPU", "API", "text"]
with open(out, "w", encoding="utf-8") as f:
    for _ in range(n):
        k = rng.randint(8, 64)
        s = "".join(rng.choice(han) if rng.random() < 0.85 else " " + rng.choice(words) + " " for _ in range(k))
        f.write(json.dumps({"text": s}, ensure_ascii=False) + "\n")
