#!/usr/bin/env python3
"""A fault-injecting OpenAI-compatible embeddings server for tests/cli/test_api.sh.

Usage: api_faults.py MODE [COUNT]
Prints "PORT <n>" on stdout once listening on 127.0.0.1 (a free port).

Vectors are a pure function of the text (8 floats from its SHA-256), so a
client can be checked against a fault-free run.  The probe request that
`ceval run` sends when it opens the backend (input ["ceval"]) is always
answered correctly; the faults apply to the other requests:

  ok          every request answered correctly
  429         the first COUNT requests: 429 with Retry-After: 1, then ok
  429forever  429 (Retry-After: 1) for every request
  500         the first COUNT requests: 500, then ok
  drop        the first COUNT requests: connection closed without an answer, then ok
  truncated   every answer cut in half (Content-Length of the cut body)
  reorder     items in reverse order with their true "index" (valid: must succeed)
  dupindex    two items with the same "index"
  wrongdim    the last item has 7 numbers instead of 8
  fewer       one item missing
  nonfinite   a value of 1e39 (a double, but infinite as a float32)
  failafter   the first COUNT requests ok, then 400 for every request
  auth        401 unless "Authorization: Bearer sekret"
"""
import hashlib
import http.server
import json
import re
import socketserver
import struct
import sys
import threading

MODE = sys.argv[1]
COUNT = int(sys.argv[2]) if len(sys.argv) > 2 else 1
DIM = 8
lock = threading.Lock()
seen = {"n": 0}


def vec(text):
    h = hashlib.sha256(text.encode("utf-8")).digest()
    return [struct.unpack("<h", h[2 * i:2 * i + 2])[0] / 32768.0 for i in range(DIM)]


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body, extra=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def err(self, code, msg, extra=None):
        self.send(code, json.dumps({"error": {"message": msg, "type": "test", "param": None, "code": None}}), extra)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        req = json.loads(self.rfile.read(n))
        texts = req["input"] if isinstance(req["input"], list) else [req["input"]]
        items = [{"object": "embedding", "index": i, "embedding": vec(t)} for i, t in enumerate(texts)]
        probe = texts == ["ceval"]
        with lock:
            k = seen["n"]
            if not probe:
                seen["n"] += 1
        m = "ok" if probe and MODE != "auth" else MODE
        if m == "auth" and self.headers.get("Authorization") != "Bearer sekret":
            return self.err(401, "Incorrect API key provided")
        if m == "429forever" or (m == "429" and k < COUNT):
            return self.err(429, "Rate limit reached", {"Retry-After": "1"})
        if m == "500" and k < COUNT:
            return self.err(500, "The server had an error")
        if m == "drop" and k < COUNT:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if m == "failafter" and k >= COUNT:
            return self.err(400, "quota exhausted")
        if m == "reorder":
            items.reverse()
        if m == "dupindex" and len(items) > 1:
            items[1]["index"] = items[0]["index"]
        if m == "wrongdim":
            items[-1]["embedding"] = items[-1]["embedding"][:7]
        if m == "fewer":
            items = items[:-1]
        body = json.dumps({"object": "list", "model": req.get("model"), "data": items})
        if m == "nonfinite":
            body = re.sub(r'("embedding": \[)[^,\]]+', r"\g<1>1e39", body, count=1)
        if m == "truncated":
            body = body[: len(body) // 2]
        self.send(200, body)


class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


srv = S(("127.0.0.1", 0), H)
print("PORT", srv.server_address[1], flush=True)
srv.serve_forever()
