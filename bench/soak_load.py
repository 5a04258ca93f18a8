#!/usr/bin/env python3
"""The writer, the sampler and the report of bench/soak.sh.

    bench/soak_load.py run ADMIN_URL PUBLIC_URL EMAIL PASSWORD PID SECONDS DIR
    bench/soak_load.py report DIR

`run` logs in to the editorial listener, makes a personal access token, then until SECONDS
have passed makes one write a second through /api/v1/articles: a BBC-corpus story published;
one write a second: an unpublish that is due (every fifth second one of its own stories is
marked for it), else every third second an update of the dek of an article the readers read
(DIR/articles.txt: "id path" lines), else a publish. It keeps DIR/fresh.txt (what the
"fresh" reader requests: "STATUS PATH" lines) up to date: its newest stories (200), the stories
it unpublished (404) and a few paths that never existed (404). A story leaves the 200 list two
seconds before it is unpublished, so the reader (which rereads the file once a second) never
expects a 200 from a page that is gone. Meanwhile a thread samples the server every 10 s
(VmRSS, RssAnon, RssFile, threads, open descriptors, page cache metrics, load average) into
DIR/samples.csv. Writes DIR/writer.json at the end.

`report` reads what soak.sh and `run` left in DIR (the wrk processes' SOAK lines, samples.csv,
writer.json, the server's stderr, soak.sh's before/after figures in DIR/state.json), prints the
results and exits 1 if a criterion failed. Only ever talks to 127.0.0.1.
"""
import csv
import json
import os
import random
import re
import statistics
import sys
import threading
import time

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared",
                      "corpora", "bbc-news")
SAMPLE_EVERY = 10
FRESH_NEW = 20          # newest stories the fresh reader reads
UNPUBLISH_DELAY = 2.0   # seconds between leaving the 200 list and the unpublish


def local_only(url):
    assert re.match(r"^http://127\.0\.0\.1:\d+$", url), f"not a loopback URL: {url}"
    return url


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssFile", "RssShmem", "Threads"):
                out[k] = int(v.split()[0])
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("Pss", "Pss_Anon", "Pss_File"):
                out[k] = int(v.split()[0])
    # SQLite maps the database once per connection (mmap_size): RSS counts a page once per
    # mapping, Pss once.
    with open(f"/proc/{pid}/maps") as f:
        out["db_maps"] = sum(1 for line in f if line.rstrip().endswith("/soak.db"))
    out["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    return out


def metrics(requests, admin):
    text = requests.get(admin + "/metrics", timeout=10).text
    out = {}
    for name in ("hits_total", "misses_total", "evictions_total", "bytes", "pages"):
        m = re.search(rf"^dateline_page_cache_{name} (\S+)$", text, re.M)
        out[name] = int(float(m.group(1))) if m else -1
    # Who holds the heap: SQLite, Related News' index, malloc's kept free memory.
    for name in ("sqlite_memory_bytes", "related_index_bytes", "heap_in_use_bytes",
                 "heap_free_bytes"):
        m = re.search(rf"^dateline_{name} (\S+)$", text, re.M)
        out[name] = int(float(m.group(1))) // 1024 if m else -1
    m = re.search(r"^dateline_related_lists_missing (\S+)$", text, re.M)
    out["related_missing"] = int(float(m.group(1))) if m else -1
    return out, text


def sampler(requests, admin, pid, t0, deadline, path, stop):
    fields = ["t_s", "vmrss_kib", "rssanon_kib", "rssfile_kib", "rssshmem_kib", "pss_kib",
              "pss_anon_kib", "pss_file_kib", "db_maps", "threads", "fds", "cache_hits", "cache_misses", "cache_evictions", "cache_bytes",
              "cache_pages", "sqlite_kib", "related_kib", "heap_used_kib", "heap_free_kib",
              "related_missing", "load1"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(fields)
        n = 0
        while True:
            now = time.monotonic()
            try:
                st = proc_status(pid)
                m, _ = metrics(requests, admin)
            except (OSError, requests.RequestException) as e:
                print(f"soak: sample failed: {e}", file=sys.stderr)
                w.writerow([round(now - t0)] + [""] * (len(fields) - 1))
                f.flush()
                break
            w.writerow([round(now - t0, 1), st["VmRSS"], st["RssAnon"], st["RssFile"],
                        st.get("RssShmem", 0), st["Pss"], st["Pss_Anon"], st["Pss_File"],
                        st["db_maps"], st["Threads"], st["fds"], m["hits_total"],
                        m["misses_total"], m["evictions_total"], m["bytes"], m["pages"],
                        m["sqlite_memory_bytes"], m["related_index_bytes"],
                        m["heap_in_use_bytes"], m["heap_free_bytes"], m["related_missing"],
                        open("/proc/loadavg").read().split()[0]])
            f.flush()
            if now >= deadline or stop.is_set():
                break
            n += 1
            stop.wait(max(0.0, min(t0 + n * SAMPLE_EVERY, deadline) - time.monotonic()))


def stories():
    out = []
    for topic in ("business", "entertainment", "politics", "sport", "tech"):
        d = os.path.join(CORPUS, topic)
        for name in sorted(os.listdir(d)):
            try:
                text = open(os.path.join(d, name), encoding="utf-8").read()
            except UnicodeDecodeError:
                continue
            lines = text.split("\n")
            out.append((topic, lines[0].strip(), "\n".join(lines[1:]).strip()))
    random.Random(5).shuffle(out)
    return out


def write_fresh(path, new, gone, never):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        for p in new[-FRESH_NEW:]:
            f.write(f"200 {p}\n")
        for p in gone[-50:] + never:
            f.write(f"404 {p}\n")
    os.replace(tmp, path)


def run(admin, public, email, pw, pid, seconds, out):
    import requests
    admin, public = local_only(admin), local_only(public)
    s = requests.Session()
    t = re.search(r'login_csrf" value="(\w+)', s.get(admin + "/login").text).group(1)
    r = s.post(admin + "/login", data={"login_csrf": t, "email": email, "password": pw},
               allow_redirects=False)
    assert r.status_code == 303, r.text
    csrf = re.search(r'name="csrf" value="(\w+)', s.get(admin + "/account").text).group(1)
    r = s.post(admin + "/account/tokens", data={"csrf": csrf, "name": "soak"})
    assert r.status_code == 201, r.text
    tok = re.search(r'new-token">(\w+)<', r.text).group(1)
    api = requests.Session()
    api.headers["Authorization"] = "Bearer " + tok
    base = admin + "/api/v1"
    cats = {c["slug"]: c["id"] for c in api.get(base + "/categories").json()}
    readers = [line.split()[0] for line in open(os.path.join(out, "articles.txt"))]
    never = [line.split()[1] for line in open(os.path.join(out, "fresh.txt"))
             if line.startswith("404 ")]
    corpus = stories()
    rng = random.Random(8)

    t0 = time.monotonic()
    deadline = t0 + seconds
    stop = threading.Event()
    th = threading.Thread(target=sampler, args=(requests, admin, pid, t0, deadline,
                                                os.path.join(out, "samples.csv"), stop))
    th.start()
    ops = {"publish": [], "update": [], "unpublish": []}
    failures = []
    new, gone = [], []          # paths
    mine = []                   # (id, path) published, still listed as 200
    pending = []                # (due, id, path): left the list, unpublish when due
    fresh = os.path.join(out, "fresh.txt")

    def call(kind, method, url, **kw):
        t1 = time.monotonic()
        try:
            r = api.request(method, url, timeout=30, **kw)
        except requests.RequestException as e:
            failures.append(f"{kind} {url}: {e}")
            return None
        ops[kind].append((time.monotonic() - t1) * 1000)
        want = 201 if method == "POST" else 200
        if r.status_code != want:
            failures.append(f"{kind} {url}: {r.status_code} {r.text[:200]}")
            return None
        return r

    tick = 0
    try:
        while time.monotonic() < deadline - 1:
            tick += 1       # one write a tick: an unpublish that is due, an update, a publish
            now = time.monotonic()
            due = [p for p in pending if p[0] <= now]
            if due:
                pending.remove(due[0])
                _, aid, path = due[0]
                if call("unpublish", "PATCH", f"{base}/articles/{aid}",
                        json={"status": "unpublished"}) is not None:
                    gone.append(path)
            elif tick % 3 == 0:
                aid = rng.choice(readers)
                call("update", "PATCH", f"{base}/articles/{aid}",
                     json={"dek": f"Updated at tick {tick} of the soak."})
            else:
                topic, title, body = corpus[tick % len(corpus)]
                r = call("publish", "POST", base + "/articles", json={
                    "title": f"{title} (soak {tick})", "body": body, "status": "published",
                    "category_id": cats[topic], "tags": ["soak", topic]})
                if r is not None:
                    art = r.json()
                    path = "/" + art["url"].split("/", 3)[3]
                    new.append(path)
                    mine.append((art["id"], path))
            if tick % 5 == 0 and len(mine) > 10:
                aid, path = mine.pop(0)        # the oldest of its stories still listed
                if path in new:
                    new.remove(path)
                pending.append((now + UNPUBLISH_DELAY, aid, path))
            write_fresh(fresh, new, gone, never)
            time.sleep(max(0.0, t0 + tick - time.monotonic()))
    finally:
        stop.set()
        th.join()
    summary = {"ticks": tick, "failures": failures, "published": len(ops["publish"]),
               "unpublished": len(gone), "updated": len(ops["update"])}
    for k, v in ops.items():
        if v:
            summary[k + "_ms"] = {"n": len(v), "p50": statistics.median(v),
                                  "p99": sorted(v)[min(len(v) - 1, int(len(v) * 0.99))],
                                  "max": max(v)}
    json.dump(summary, open(os.path.join(out, "writer.json"), "w"), indent=1)
    print(f"soak writer: {tick} ticks, {len(ops['publish'])} published, "
          f"{len(ops['update'])} updated, {len(gone)} unpublished, {len(failures)} failures")


def weighted_percentile(points, p):
    """points: (value, weight); the value below which p% of the weight lies."""
    points = sorted(points)
    total = sum(w for _, w in points)
    acc = 0.0
    for v, w in points:
        acc += w
        if acc >= total * p / 100:
            return v
    return points[-1][0]


def report(out):
    state = json.load(open(os.path.join(out, "state.json")))
    ok = True
    lines = []

    def crit(name, passed, detail):
        nonlocal ok
        ok &= passed
        lines.append(f"| {name} | {detail} | {'ok' if passed else '**FAILED**'} |")

    classes, pooled = [], []
    for name in state["classes"]:
        text = open(os.path.join(out, f"wrk-{name}.out")).read()
        m = re.search(r"^SOAK (\{.*\})$", text, re.M)
        if not m:
            classes.append((name, None))
            continue
        r = json.loads(m.group(1))
        classes.append((name, r))
        w = r["requests"] / len(r["q"])
        pooled += [(q, w) for q in r["q"]]
    reads = sum(r["requests"] for _, r in classes if r)
    secs = max(r["duration_us"] for _, r in classes if r) / 1e6 if reads else 0
    sock = sum(r["connect"] + r["read"] + r["write"] + r["timeout"] for _, r in classes if r)
    # wrk counts every status >= 400 as an error; the fresh reader checks each answer
    # against the status it expected (its 404s are intended) and counts the rest as "bad".
    status = sum(r["bad"] if "bad" in r else r["status"] for _, r in classes if r)
    intended = sum(r.get("intended_404", 0) for _, r in classes if r)
    missing = [n for n, r in classes if r is None]
    writer = json.load(open(os.path.join(out, "writer.json")))
    wfail = len(writer["failures"])

    samples = list(csv.DictReader(open(os.path.join(out, "samples.csv"))))
    samples = [s for s in samples if s["vmrss_kib"]]
    # Warm-up: the first minute, and until the server's own start-up work is done: Related
    # News' keeper computes every indexed article's neighbour list in the background
    # (bounded: 100 ids each), which the heap holds from then on.
    warm_t = min(60.0, state["seconds"] / 2)
    warm = next(s for s in samples if float(s["t_s"]) >= warm_t)
    listed = next((s for s in samples if float(s["t_s"]) >= warm_t
                   and int(s.get("related_missing") or -1) == 0), None)
    if listed is not None and float(listed["t_s"]) <= state["seconds"] / 2:
        warm = listed
    first, end = samples[0], samples[-1]

    def mib(s, k):
        return int(s[k]) / 1024

    def growth(k):
        return (int(end[k]) - int(warm[k])) / int(warm[k]) * 100

    hits = int(end["cache_hits"]) - int(first["cache_hits"])
    misses = int(end["cache_misses"]) - int(first["cache_misses"])
    log = open(os.path.join(out, "server.log"), errors="replace").read().splitlines()
    bad_log = [x for x in log if re.search(r" dateline (warning|error): ", x)]

    print(f"soak: {state['minutes']} min, {state['articles']} articles + demo, "
          f"{state['nproc']} cores, load average {state['load_before']} before, "
          f"{state['load_after']} after")
    print()
    print("| class | connections | requests | req/s | p50 ms | p99 ms | max ms | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in classes:
        if r is None:
            print(f"| {name} | | no result (wrk died?) | | | | | |")
            continue
        err = r["connect"] + r["read"] + r["write"] + r["timeout"] + r.get("bad", r["status"])
        extra = f" ({r['intended_404']:,} intended 404s)" if "intended_404" in r else ""
        print(f"| {name} | {state['connections'][name]} | {r['requests']:,}{extra} | "
              f"{r['requests'] / (r['duration_us'] / 1e6):,.0f} | {r['p50'] / 1000:.2f} | "
              f"{r['p99'] / 1000:.2f} | {r['max'] / 1000:.1f} | {err} |")
    print()
    p50 = weighted_percentile(pooled, 50) / 1000 if pooled else 0
    p99 = weighted_percentile(pooled, 99) / 1000 if pooled else 0
    print("| what | result | criterion |")
    print("|---|---|---|")
    lines.append(f"| reads | {reads:,} in {secs:.0f} s: {reads / secs if secs else 0:,.0f} req/s; "
                 f"p50 {p50:.2f} ms, p99 {p99:.2f} ms (all classes pooled) | |")
    crit("read errors (non-2xx/3xx other than intended 404s, socket errors, timeouts)",
         sock + status == 0 and not missing,
         f"{status} bad statuses, {sock} socket errors/timeouts"
         + (f"; no result from {', '.join(missing)}" if missing else ""))
    pm = writer.get("publish_ms", {})
    lines.append(f"| writes through /api/v1 | {writer['published']} published "
                 f"(p50 {pm.get('p50', 0):.0f} ms, p99 {pm.get('p99', 0):.0f} ms), "
                 f"{writer['updated']} updated, {writer['unpublished']} unpublished | |")
    crit("write errors", wfail == 0, f"{wfail}" + (f": {writer['failures'][:3]}" if wfail else ""))
    lines.append(f"| page cache during the run | {hits:,} hits, {misses:,} misses "
                 f"({misses / max(1, hits + misses) * 100:.1f}% misses); "
                 f"{int(end['cache_pages'])} pages, {int(end['cache_bytes']) / 1048576:.1f} MiB at "
                 f"the end | |")
    lines.append(f"| warm-up | the first {float(warm['t_s']):.0f} s"
                 + (" (the first minute, and until Related News' keeper had listed every "
                    "article's neighbours)" if float(warm["t_s"]) > warm_t else "") + " | |")
    crit("RssAnon (heap), warm-up → end", growth("rssanon_kib") <= 10,
         f"{mib(warm, 'rssanon_kib'):.1f} MiB at {float(warm['t_s']):.0f} s → "
         f"{mib(end, 'rssanon_kib'):.1f} MiB at {float(end['t_s']):.0f} s "
         f"({growth('rssanon_kib'):+.1f}%; within 10%?)")
    if int(end.get("heap_used_kib") or -1) >= 0:
        def held(x):
            used = int(x["heap_used_kib"])
            parts = [int(x["sqlite_kib"]), max(0, int(x["related_kib"])),
                     int(x["cache_bytes"]) // 1024]
            return [used] + parts + [used - sum(parts), int(x["heap_free_kib"])]
        a, b = held(warm), held(end)
        names = ["malloc in use", "SQLite (page caches, statements)", "Related News' index",
                 "page cache", "the rest", "freed but kept by malloc"]
        lines.append("| the heap by holder, warm-up → end (MiB) | " + "; ".join(
            f"{n} {x / 1024:.1f} → {y / 1024:.1f}" for n, x, y in zip(names, a, b)) + " | |")
    crit("Pss (each mapped page once), warm-up → end", growth("pss_kib") <= 10,
         f"{mib(warm, 'pss_kib'):.1f} → {mib(end, 'pss_kib'):.1f} MiB "
         f"({growth('pss_kib'):+.1f}%; of it file {mib(warm, 'pss_file_kib'):.1f} → "
         f"{mib(end, 'pss_file_kib'):.1f} MiB)")
    lines.append(f"| VmRSS, warm-up → end | {mib(warm, 'vmrss_kib'):.1f} → "
                 f"{mib(end, 'vmrss_kib'):.1f} MiB ({growth('vmrss_kib'):+.1f}%), of it RssFile "
                 f"{mib(warm, 'rssfile_kib'):.1f} → {mib(end, 'rssfile_kib'):.1f} MiB; the "
                 f"database mapped {warm['db_maps']} → {end['db_maps']} times (once per SQLite "
                 f"connection: RSS counts a page once per mapping); min/max over the run "
                 f"{min(mib(x, 'vmrss_kib') for x in samples):.1f} / "
                 f"{max(mib(x, 'vmrss_kib') for x in samples):.1f} MiB | not a criterion |")
    # Descriptors: under load (the same connections open) at warm-up and at the end; idle
    # before and after, where new ones may only be SQLite connections a thread opened
    # lazily (the database and its WAL, a pair each).
    before = open(os.path.join(out, "fds-before.txt")).read().split()
    after = open(os.path.join(out, "fds-after.txt")).read().split()
    extra = list(after)
    for x in before:
        if x in extra:
            extra.remove(x)
    gone = [x for x in before if x not in after]
    dbext = [x for x in extra if x.endswith("/soak.db") or x.endswith("/soak.db-wal")]
    lazy = (len(dbext) == len(extra) and sum(x.endswith("-wal") for x in dbext) * 2 == len(dbext))
    crit("open descriptors", int(end["fds"]) <= int(warm["fds"]) + 2 and lazy,
         f"idle before {len(before)}; under load {first['fds']} (start) / {warm['fds']} "
         f"(warm-up) / {end['fds']} (end); idle after {len(after)}"
         + (f" (+{len(extra)}: {len(dbext) // 2} more SQLite connections, database + WAL each)"
            if extra and lazy else f" (new: {extra})" if extra else "")
         + (f"; closed: {gone}" if gone else ""))
    crit("server alive at the end", state["alive"], state["alive_detail"])
    crit("server stderr warnings/errors", not bad_log,
         f"{len(bad_log)}" + (f": {bad_log[:3]}" if bad_log else "") +
         f" ({len(log)} lines in all)")
    print("\n".join(lines))
    print()
    print("samples (t s: VmRSS / RssAnon / RssFile / Pss MiB, db mappings, fds): " + " · ".join(
        f"{float(s['t_s']):.0f}: {mib(s, 'vmrss_kib'):.1f} / {mib(s, 'rssanon_kib'):.1f} / "
        f"{mib(s, 'rssfile_kib'):.1f} / {mib(s, 'pss_kib'):.1f}, {s['db_maps']}, {s['fds']}"
        for s in samples))
    print()
    print("soak: " + ("PASSED" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 9 and sys.argv[1] == "run":
        a = sys.argv[2:]
        run(a[0], a[1], a[2], a[3], int(a[4]), float(a[5]), a[6])
    elif len(sys.argv) == 3 and sys.argv[1] == "report":
        sys.exit(report(sys.argv[2]))
    else:
        sys.exit(__doc__)
