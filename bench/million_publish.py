#!/usr/bin/env python3
"""Publish through /api/v1 on a running server; time the request and publish-to-visible.

    bench/million_publish.py ADMIN_URL PUBLIC_URL EMAIL PASSWORD [N]

Logs in, makes a personal access token, then N times (default 5): publishes a BBC-corpus
story (the request runs the full-text index and Related News, related_refresh), then polls the
home page until its headline shows. Prints each request's time and the medians.
"""
import os
import re
import statistics
import sys
import time

import requests

admin, public, email, pw = sys.argv[1:5]
n = int(sys.argv[5]) if len(sys.argv) > 5 else 5
corpus = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared",
                      "corpora", "bbc-news", "business")
s = requests.Session()
t = re.search(r'login_csrf" value="(\w+)', s.get(admin + "/login").text).group(1)
r = s.post(admin + "/login", data={"login_csrf": t, "email": email, "password": pw},
           allow_redirects=False)
assert r.status_code == 303, r.text
csrf = re.search(r'name="csrf" value="(\w+)', s.get(admin + "/account").text).group(1)
tok = re.search(r'new-token">(\w+)', s.post(admin + "/account/tokens",
                data={"csrf": csrf, "name": "bench"}).text).group(1)
api = requests.Session()
api.headers["Authorization"] = "Bearer " + tok
files = sorted(os.listdir(corpus))
posts, visible = [], []
for i in range(n):
    lines = open(os.path.join(corpus, files[i * 7]), encoding="utf-8").read().split("\n")
    title = f"{lines[0].strip()} {time.time_ns()}"
    body = "\n".join(lines[1:])
    t0 = time.perf_counter()
    r = api.post(admin + "/api/v1/articles", json={"title": title, "body": body,
                                                   "status": "published", "category_id": 2})
    t1 = time.perf_counter()
    assert r.status_code == 201, r.text
    stamp = title.rsplit(" ", 1)[1]  # the headline itself may be HTML-escaped on the page
    while stamp not in requests.get(public + "/").text:
        pass
    t2 = time.perf_counter()
    posts.append((t1 - t0) * 1000)
    visible.append((t2 - t1) * 1000)
    print(f"publish {r.json()['id']}: request {posts[-1]:.1f} ms, home showed it "
          f"{visible[-1]:.1f} ms after the response")
    time.sleep(1)
print(f"publish through /api/v1: median {statistics.median(posts):.1f} ms; "
      f"publish-to-visible after it: median {statistics.median(visible):.1f} ms")
