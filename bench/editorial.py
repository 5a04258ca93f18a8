#!/usr/bin/python3
"""The newsroom's write path, measured on a real server over loopback.

Usage: bench/editorial.py [BINARY]   (default build/dateline)

Starts `dateline serve` on a fresh demo database with an editor account,
then reports medians of: a login (argon2id), saving a draft and publishing
an article through /api/v1 (Markdown, sanitiser, revision, audit, Related
News), uploading a 1800x1200 JPEG (libvips: decode, 4 widths x 2 formats),
and how late the scheduler publishes 20 articles due in the same second.
"""
import datetime
import io
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

import requests
from PIL import Image

BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build", "dateline")
PW = "correct horse battery"


def ms(samples):
    return f"{statistics.median(samples) * 1000:.1f} ms (median of {len(samples)})"


def main():
    tmp = tempfile.mkdtemp()
    db = os.path.join(tmp, "bench.db")
    subprocess.run([BIN, "demo", "--db", db], check=True, capture_output=True)
    subprocess.run([BIN, "user", "add", "--db", db, "--role", "editor", "--password-stdin",
                    "ed@example.org"], input=PW + "\n", text=True, check=True, capture_output=True)
    err = open(os.path.join(tmp, "stderr"), "w")
    proc = subprocess.Popen([BIN, "serve", "--db", db, "--listen", "127.0.0.1:0",
                             "--admin-listen", "127.0.0.1:0", "--access-log", "off"],
                            stderr=err, stdout=subprocess.DEVNULL)
    try:
        admin = None
        for _ in range(200):
            m = re.search(r"newsroom \(admin\) is at (http://[^/]+)/", open(err.name).read())
            if m:
                admin = m.group(1)
                break
            time.sleep(0.05)
        logins = []
        for _ in range(10):
            s = requests.Session()
            t = re.search(r'login_csrf" value="(\w+)', s.get(admin + "/login").text).group(1)
            start = time.perf_counter()
            r = s.post(admin + "/login", data={"login_csrf": t, "email": "ed@example.org",
                                               "password": PW}, allow_redirects=False)
            logins.append(time.perf_counter() - start)
            assert r.status_code == 303
        csrf = re.search(r'name="csrf" value="(\w+)', s.get(admin + "/account").text).group(1)
        tok = re.search(r'new-token">(\w+)', s.post(admin + "/account/tokens",
                        data={"csrf": csrf, "name": "bench"}).text).group(1)
        api = requests.Session()
        api.headers["Authorization"] = "Bearer " + tok
        body = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "README.md")).read()
        drafts, published = [], []
        for i in range(50):
            for status, out in (("draft", drafts), ("published", published)):
                start = time.perf_counter()
                r = api.post(admin + "/api/v1/articles", json={
                    "title": f"Benchmark {status} {i}", "body": body, "status": status,
                    "tags": ["bench", f"t{i % 7}"], "category_id": 2 + i % 6})
                out.append(time.perf_counter() - start)
                assert r.status_code == 201, r.text
        img = Image.new("RGB", (1800, 1200), (30, 90, 160))
        for x in range(0, 1800, 9):
            for y in range(0, 1200, 5):
                img.putpixel((x, y), (x % 256, y % 256, 80))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=90)
        uploads = []
        for i in range(10):
            start = time.perf_counter()
            r = api.post(admin + "/api/v1/media", files={
                "file": (f"photo{i}.jpg", buf.getvalue(), "image/jpeg"), "alt": (None, "x")})
            uploads.append(time.perf_counter() - start)
            assert r.status_code == 201, r.text
        due = int(time.time()) + 3
        stamp = datetime.datetime.fromtimestamp(due, datetime.timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
        ids = [api.post(admin + "/api/v1/articles", json={
            "title": f"Scheduled {i}", "body": "Due.", "status": "scheduled",
            "publish_at": stamp}).json()["id"] for i in range(20)]
        con = sqlite3.connect(db)
        seen = {}
        while len(seen) < len(ids) and time.time() < due + 10:
            now = time.time()
            for (aid,) in con.execute("SELECT id FROM articles WHERE status = 'published' AND id IN (%s)"
                                      % ",".join("?" * len(ids)), ids):
                seen.setdefault(aid, now - due)
            time.sleep(0.02)
        print(f"machine: {os.cpu_count()} cores; binary {BIN}")
        print(f"login (argon2id, interactive limits): {ms(logins)}")
        print(f"save a draft through /api/v1 (README.md as body, {len(body)} bytes): {ms(drafts)}")
        print(f"publish through /api/v1 (+ full-text index and Related News): {ms(published)}")
        print(f"upload a 1800x1200 JPEG ({len(buf.getvalue())} bytes; 9 encodings): {ms(uploads)}")
        lags = sorted(seen.values())
        print(f"scheduler: {len(seen)}/{len(ids)} published; seen live after their time: "
              f"median {statistics.median(lags) * 1000:.0f} ms, max {max(lags) * 1000:.0f} ms "
              "(polled every 20 ms)")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
