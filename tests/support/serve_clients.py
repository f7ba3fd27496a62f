#!/usr/bin/env python3
"""Concurrent clients of `ceval serve` (a test and bench fixture, not product).

Check mode (--lists, --refs): each of --clients threads sends --requests
requests, each one of the request lists (JSON files of texts, %d = 0..7) at
random, float or base64; an answer is good when its vectors are the bytes
of that list's reference .npy.  Prints the counts and GET /health.

Load mode (--texts FILE --per N): the JSON-lines texts are cut into
requests of N texts (--format, base64 by default, as OpenAI's Python
client asks); the clients send them until every request has been
sent once (--rounds times) or for --seconds.  Prints "texts T seconds S
failed F requests R".
"""
import argparse
import base64
import json
import random
import struct
import sys
import threading
import time
import http.client


def npy_bytes(path):
    b = open(path, "rb").read()
    return b[10 + struct.unpack("<H", b[8:10])[0]:]


def post(conn, body):
    conn.request("POST", "/v1/embeddings", body=body, headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    return r.status, r.read()


def health(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", "/health")
    return json.loads(c.getresponse().read())


def check(a):
    lists, refs = [], []
    k = 0
    while True:
        try:
            lists.append(json.load(open(a.lists % k, encoding="utf-8")))
        except FileNotFoundError:
            break
        refs.append(npy_bytes(a.refs % k))
        k += 1
    res = {"ok": 0, "bad": 0}
    lock = threading.Lock()
    start = threading.Barrier(a.clients)

    def client(seed):
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=120)
        start.wait()
        for _ in range(a.requests):
            k, fmt = rng.randrange(len(lists)), rng.choice(["float", "base64"])
            body = json.dumps({"model": a.model, "input": lists[k], "encoding_format": fmt}).encode()
            try:
                status, raw = post(conn, body)
                d = json.loads(raw)["data"]
                if fmt == "base64":
                    got = b"".join(base64.b64decode(e["embedding"]) for e in d)
                else:
                    got = b"".join(struct.pack("<%df" % len(e["embedding"]), *e["embedding"]) for e in d)
                good = status == 200 and got == refs[k] and [e["index"] for e in d] == list(range(len(lists[k])))
            except Exception as e:  # counted as a bad answer
                print("error", e)
                good = False
                conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=120)
            with lock:
                res["ok" if good else "bad"] += 1

    th = [threading.Thread(target=client, args=(i,)) for i in range(a.clients)]
    for x in th:
        x.start()
    for x in th:
        x.join()
    h = health(a.port)
    print("answers ok %d bad %d" % (res["ok"], res["bad"]))
    print("merging %s" % str(h["merging"]).lower())
    print("requests %d" % h["requests"])
    print("merged %s" % ("yes" if h["max_merged"] > 1 else "no"))
    print("calls %s" % ("fewer" if h["batches"] < h["requests"] else "equal"))
    print(json.dumps(h))


def load(a):
    texts = [json.loads(l)["text"] for l in open(a.texts, encoding="utf-8")]
    bodies = [json.dumps({"model": a.model, "input": texts[i:i + a.per], "encoding_format": a.format}).encode()
              for i in range(0, len(texts), a.per)]
    counts = [len(texts[i:i + a.per]) for i in range(0, len(texts), a.per)]
    work = list(range(len(bodies))) * a.rounds
    lock = threading.Lock()
    st = {"next": 0, "texts": 0, "failed": 0, "requests": 0}
    t0 = time.time()
    stop_at = t0 + a.seconds if a.seconds else None

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=120)
        while True:
            with lock:
                if stop_at is None:
                    if st["next"] >= len(work):
                        return
                    j = work[st["next"]]
                else:
                    if time.time() >= stop_at:
                        return
                    j = st["next"] % len(bodies)
                st["next"] += 1
            try:
                status, raw = post(conn, bodies[j])
                good = status == 200 and len(json.loads(raw)["data"]) == counts[j]
            except Exception:
                good = False
                conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=120)
            with lock:
                st["requests"] += 1
                if good:
                    st["texts"] += counts[j]
                else:
                    st["failed"] += 1

    th = [threading.Thread(target=client) for _ in range(a.clients)]
    for x in th:
        x.start()
    for x in th:
        x.join()
    print("texts %d seconds %.3f failed %d requests %d" % (st["texts"], time.time() - t0, st["failed"],
                                                            st["requests"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--model", default="ceval-tiny-zh")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--lists")
    ap.add_argument("--refs")
    ap.add_argument("--requests", type=int, default=12)
    ap.add_argument("--texts")
    ap.add_argument("--per", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=0)
    ap.add_argument("--format", default="base64", choices=["float", "base64"])
    a = ap.parse_args()
    if a.lists:
        check(a)
    elif a.texts:
        load(a)
    else:
        sys.exit("serve_clients.py: give --lists/--refs or --texts")


if __name__ == "__main__":
    main()
