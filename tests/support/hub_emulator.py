#!/usr/bin/env python3
"""A local Hugging Face hub for the download tests (tests/cli/test_download.sh).

Serves fixture folders as hub repos on 127.0.0.1 with the paths, redirects and
headers of the hub's download protocol (spec hub-datasets.md section 2):

  GET  /api/{models|datasets}/{org}/{name}/revision/{rev}   {"sha", "siblings": [{"rfilename", "size"}]}
  HEAD|GET /{org}/{name}/resolve/{rev}/{path}               (datasets: /datasets/{org}/{name}/resolve/...)
       plain file: 200, ETag = git blob sha1, X-Repo-Commit
       LFS file:   302 to /_storage/{sha256}, X-Linked-Etag = sha256, X-Linked-Size, X-Repo-Commit
  GET  /_storage/{sha256}                                   the LFS content; Range -> 206 (host name
                                                            localhost: another host than the endpoint)

Test control (never part of the protocol):
  GET /_emu/fault?kind=K&match=S&count=N   the next N requests whose path contains S get fault K:
        cut     send the headers and half the body, then drop the connection
        429     answer 429 with Retry-After: 1
        500     answer 500
        badsha  send the body with its first byte changed (same length)
        slow    send the body in 64 kB pieces, 50 ms apart
  GET /_emu/log     one line per request: METHOD PATH range=R auth=yes|no
  GET /_emu/clear   forget the log

Usage: hub_emulator.py --port-file F --repo model:ORG/NAME[@COMMIT]=DIR [--repo dataset:ORG/NAME[@COMMIT]=DIR]...
                       [--cache-tree DIR] [--gated ORG/NAME --token TOKEN]
A repo's commit is COMMIT when given, else a hash of its content.  --cache-tree serves
every snapshot of a hub cache folder (models--ORG--NAME/snapshots/<commit>/,
datasets--ORG--NAME/...) as that repo at that commit (one snapshot per repo).
Binds 127.0.0.1 on a free port, writes the port to F.  Stops on SIGTERM.
"""
import argparse
import hashlib
import json
import os
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LFS_EXT = (".safetensors", ".bin", ".parquet", ".npy", ".h5", ".onnx", ".pt")


def git_blob_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class Repo:
    def __init__(self, kind, repo_id, folder, commit=None):
        self.kind, self.repo_id = kind, repo_id
        self.files = {}  # path -> (content, is_lfs)
        for root, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for n in sorted(names):
                full = os.path.join(root, n)
                rel = os.path.relpath(full, folder).replace(os.sep, "/")
                with open(full, "rb") as f:
                    data = f.read()
                self.files[rel] = (data, rel.endswith(LFS_EXT) or len(data) > 10 * 1024 * 1024)
        h = hashlib.sha1(repo_id.encode())
        for p in sorted(self.files):
            h.update(p.encode() + b"\0" + hashlib.sha256(self.files[p][0]).digest())
        self.commit = commit or h.hexdigest()

    def resolve(self, rev):
        return self.commit if rev in ("main", self.commit) else None


class State:
    repos = {}      # (kind, repo_id) -> Repo
    storage = {}    # sha256 -> bytes
    gated = set()
    token = None
    faults = []     # [kind, match, count]
    log = []
    lock = threading.Lock()


def take_fault(path):
    with State.lock:
        for f in State.faults:
            if f[2] > 0 and f[1] in path:
                f[2] -= 1
                return f[0]
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hub-emulator/1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def send(self, code, headers=(), body=b"", head=False, fault=None):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if head or not body:
            return
        if fault == "cut":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if fault == "badsha":
            body = bytes([body[0] ^ 0xFF]) + body[1:]
        if fault == "slow":
            for i in range(0, len(body), 65536):
                self.wfile.write(body[i:i + 65536])
                self.wfile.flush()
                time.sleep(0.05)
            return
        self.wfile.write(body)

    def error(self, code, error_code, msg, head):
        body = json.dumps({"error": msg}).encode()
        self.send(code, [("Content-Type", "application/json"), ("X-Error-Code", error_code)], body, head)

    def body_range(self, data):
        """(status, extra headers, body) for a GET with an optional Range: bytes=N-."""
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[6:-1])
            if start >= len(data):
                return 416, [("Content-Range", "bytes */%d" % len(data))], b""
            return 206, [("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))], data[start:]
        return 200, [], data

    def authorized(self, repo):
        if repo.repo_id not in State.gated:
            return True
        return self.headers.get("Authorization") == "Bearer %s" % State.token

    def handle_any(self, head):
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        with State.lock:
            State.log.append("%s %s range=%s auth=%s" % (self.command, path, self.headers.get("Range", "-"),
                                                          "yes" if self.headers.get("Authorization") else "no"))
        if path.startswith("/_emu/"):
            q = urllib.parse.parse_qs(url.query)
            if path == "/_emu/fault":
                with State.lock:
                    State.faults.append([q["kind"][0], q.get("match", [""])[0], int(q.get("count", ["1"])[0])])
                return self.send(200, body=b"ok\n", head=head)
            if path == "/_emu/log":
                with State.lock:
                    text = "".join(l + "\n" for l in State.log if not l.split(" ")[1].startswith("/_emu/"))
                return self.send(200, [("Content-Type", "text/plain")], text.encode(), head)
            if path == "/_emu/clear":
                with State.lock:
                    State.log.clear()
                    State.faults.clear()
                return self.send(200, body=b"ok\n", head=head)
            return self.error(404, "EntryNotFound", "no such control", head)
        fault = take_fault(path)
        if fault == "429":
            return self.send(429, [("Retry-After", "1")], b"slow down", head)
        if fault == "500":
            return self.send(500, [], b"internal error", head)
        if path.startswith("/_storage/"):
            data = State.storage.get(path[len("/_storage/"):])
            if data is None:
                return self.error(404, "EntryNotFound", "no such object", head)
            code, hdrs, body = self.body_range(data)
            return self.send(code, hdrs + [("Content-Type", "application/octet-stream")], body, head, fault)
        parts = path.strip("/").split("/")
        if parts[0] == "api" and len(parts) >= 6 and parts[4] == "revision":
            kind = {"models": "model", "datasets": "dataset"}.get(parts[1])
            repo = State.repos.get((kind, parts[2] + "/" + parts[3]))
            if repo is None:
                return self.error(404, "RepoNotFound", "Repository not found", head)
            if not self.authorized(repo):
                return self.error(401, "GatedRepo", "Access to this repo is restricted", head)
            commit = repo.resolve("/".join(parts[5:]))
            if commit is None:
                return self.error(404, "RevisionNotFound", "Revision not found", head)
            sib = [{"rfilename": p, "size": len(d)} for p, (d, _) in sorted(repo.files.items())]
            body = json.dumps({"id": repo.repo_id, "sha": commit, "siblings": sib}).encode()
            return self.send(200, [("Content-Type", "application/json")], body, head)
        kind = "model"
        if parts[0] == "datasets":
            kind, parts = "dataset", parts[1:]
        if len(parts) < 5 or parts[2] != "resolve":
            return self.error(404, "EntryNotFound", "not a hub path", head)
        repo = State.repos.get((kind, parts[0] + "/" + parts[1]))
        if repo is None:
            return self.error(404, "RepoNotFound", "Repository not found", head)
        if not self.authorized(repo):
            return self.error(401, "GatedRepo", "Access to this repo is restricted", head)
        commit = repo.resolve(parts[3])
        if commit is None:
            return self.error(404, "RevisionNotFound", "Revision not found", head)
        fpath = "/".join(parts[4:])
        if fpath not in repo.files:
            return self.error(404, "EntryNotFound", "Entry not found", head)
        data, lfs = repo.files[fpath]
        if lfs:
            sha = hashlib.sha256(data).hexdigest()
            # storage lives on another host name, as the hub's CDN does (the token must not go there)
            host = "localhost:%d" % self.server.server_address[1]
            pointer = b"version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n" % (sha.encode(), len(data))
            return self.send(302, [("Location", "http://%s/_storage/%s" % (host, sha)), ("X-Repo-Commit", commit),
                                   ("X-Linked-Etag", '"%s"' % sha), ("X-Linked-Size", str(len(data))),
                                   ("ETag", '"%s"' % git_blob_sha1(pointer))], b"", head)
        code, hdrs, body = self.body_range(data)
        return self.send(code, hdrs + [("X-Repo-Commit", commit), ("ETag", '"%s"' % git_blob_sha1(data)),
                                       ("Content-Type", "application/octet-stream")], body, head, fault)

    def do_GET(self):
        self.handle_any(False)

    def do_HEAD(self):
        self.handle_any(True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--repo", action="append", default=[])
    ap.add_argument("--cache-tree", action="append", default=[])
    ap.add_argument("--gated", action="append", default=[])
    ap.add_argument("--token")
    a = ap.parse_args()
    specs = []
    for spec in a.repo:
        kind, rest = spec.split(":", 1)
        repo_id, folder = rest.split("=", 1)
        repo_id, _, commit = repo_id.partition("@")
        specs.append((kind, repo_id, folder, commit or None))
    for tree in a.cache_tree:
        for top in sorted(os.listdir(tree)):
            kind, _, name = top.partition("s--")
            snaps = os.path.join(tree, top, "snapshots")
            if kind not in ("model", "dataset") or not os.path.isdir(snaps):
                continue
            for commit in sorted(os.listdir(snaps)):
                specs.append((kind, name.replace("--", "/", 1), os.path.join(snaps, commit), commit))
    for kind, repo_id, folder, commit in specs:
        r = Repo(kind, repo_id, folder, commit)
        State.repos[(kind, repo_id)] = r
        for data, lfs in r.files.values():
            if lfs:
                State.storage[hashlib.sha256(data).hexdigest()] = data
    State.gated = set(a.gated)
    State.token = a.token
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    print(srv.server_address[1], flush=True)
    import signal
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    srv.serve_forever()


if __name__ == "__main__":
    main()
