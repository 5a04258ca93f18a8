"""The page cache: hits, invalidation on every write, codings, validators, ads and views, budget."""
import collections
import gzip
import os
import re
import tempfile
import time

import brotli
import pytest

from conftest import ROOT, Server, make_demo_db, run_cli
from pages import article_links

CORPUS = os.path.join(ROOT, "..", "shared", "corpora", "bbc-news")


def an_article(site):
    return article_links(site.get("/").text)[0]


def warm(site, path, n=12):
    """Request a page until every combination of its rotating ads is cached."""
    for _ in range(n):
        site.get(path)


def test_second_request_is_a_hit_and_tracking_parameters_share_it(fresh_site):
    site = fresh_site
    link = an_article(site)
    assert site.get(link).headers["X-Cache"] == "miss"
    warm(site, link)  # one body per combination of rotating ads
    for _ in range(5):
        assert site.get(link).headers["X-Cache"] == "hit"
        assert site.get(link + "?utm_source=x&fbclid=abc").headers["X-Cache"] == "hit"
    # A page's own parameters make another page
    assert site.get("/search/?q=harbor").headers["X-Cache"] == "miss"
    assert site.get("/search/?q=bridge").headers["X-Cache"] == "miss"


def test_cached_bytes_are_served_until_the_store_says_it_changed(fresh_site):
    site = fresh_site
    slug, title = site.sql("SELECT slug, title FROM articles WHERE status = 'published'"
                           " ORDER BY published_at DESC LIMIT 1")[0]
    link = next(l for l in article_links(site.get("/").text) if l.endswith(f"/{slug}/"))
    assert title in site.get(link).text
    warm(site, link)
    # Changed behind the store's back (no generation bump): the cache still serves its copy,
    # which shows the page really comes from memory.
    site.sql("UPDATE articles SET title = 'Cache Probe Headline' WHERE slug = ?", (slug,))
    r = site.get(link)
    assert r.headers["X-Cache"] == "hit" and "Cache Probe Headline" not in r.text
    # Every write through the store bumps the generation: the next request renders afresh.
    site.content_changed()
    r = site.get(link)
    assert r.headers["X-Cache"] == "miss" and "Cache Probe Headline" in r.text
    assert "Cache Probe Headline" in site.get("/").text


def test_a_publish_is_visible_on_the_next_request(fresh_site):
    site = fresh_site
    home = site.get("/").text
    warm(site, "/")
    assert site.get("/").headers["X-Cache"] == "hit"
    run_cli("bench-data", "--db", site.db, "--articles", "3", "--corpus", CORPUS)
    newest = site.sql("SELECT title FROM articles ORDER BY id DESC LIMIT 3")
    r = site.get("/")
    assert r.headers["X-Cache"] == "miss"
    for (title,) in newest:
        assert title.split()[0] in r.text and title not in home


def test_every_coding_has_its_own_strong_etag_and_304(site):
    link = an_article(site)
    bodies, tags = {}, {}
    for coding in ("identity", "gzip", "br"):
        r = site.get(link, headers={"Accept-Encoding": coding}, stream=True)
        raw = r.raw.read(decode_content=False)
        assert r.headers.get("Content-Encoding", "identity") == coding
        assert "Accept-Encoding" in r.headers["Vary"]
        tags[coding] = r.headers["ETag"]
        assert not tags[coding].startswith("W/")
        bodies[coding] = {"identity": lambda b: b, "gzip": gzip.decompress,
                          "br": brotli.decompress}[coding](raw)
        assert bodies[coding].rstrip().endswith(b"</html>")
        again = site.get(link, headers={"Accept-Encoding": coding, "If-None-Match": tags[coding]})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["ETag"] == tags[coding]
        assert "max-age" in again.headers["Cache-Control"]
    assert len(set(tags.values())) == 3
    # A tag of another coding is another representation: no 304
    r = site.get(link, headers={"Accept-Encoding": "gzip", "If-None-Match": tags["br"]})
    assert r.status_code == 200


def test_cache_and_surrogate_headers(site):
    link = an_article(site)
    r = site.get(link)
    cc = r.headers["Cache-Control"]
    assert "public" in cc and "max-age=60" in cc and "stale-if-error" in cc
    keys = r.headers["Surrogate-Key"].split()
    assert any(k.startswith("article-") for k in keys)
    assert any(k.startswith("category-") for k in keys)
    assert any(k.startswith("author-") for k in keys)
    assert site.get("/").headers["Surrogate-Key"] == "home"
    cat_key = site.get("/category/politics/").headers["Surrogate-Key"]
    assert cat_key.startswith("category-")
    assert site.get("/feed/").headers["Surrogate-Key"] == "home feed"
    assert site.get("/category/politics/feed/").headers["Surrogate-Key"] == cat_key + " feed"


def wait_for(fn, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.2)
    return fn()


def test_rotation_impressions_and_views_count_on_hits(fresh_site):
    site = fresh_site
    link = an_article(site)
    slug = link.rstrip("/").split("/")[-1]
    shown = collections.Counter()
    n = 60
    for _ in range(n):
        r = site.get(link)
        for cid in re.findall(r'href="/ad/(\d+)/click"', r.text):
            shown[int(cid)] += 1
    # 304s count too: the reader sees the page (and its ads) again
    tag = site.get(link).headers["ETag"]
    n += 1
    assert site.get(link, headers={"If-None-Match": tag}).status_code == 304
    n += 1
    views = wait_for(lambda: site.sql(
        "SELECT SUM(v.views) FROM article_views v JOIN articles a ON a.id = v.article_id"
        " WHERE a.slug = ?", (slug,))[0][0] == n and n)
    assert views == n
    imps = dict(wait_for(lambda: site.sql(
        "SELECT creative_id, SUM(impressions) FROM ad_stats GROUP BY creative_id")))
    for cid, count in shown.items():
        assert imps.get(cid, 0) >= count
    # the weighted image slot showed its creatives in proportion to their weights
    weights = dict(site.sql("SELECT id, weight FROM ad_creatives"))
    rotated = [cid for cid in shown if weights[cid] > 0]
    if len(rotated) >= 2:
        total_w = sum(weights[c] for c in rotated)
        total_s = sum(shown[c] for c in rotated)
        for c in rotated:
            assert abs(shown[c] / total_s - weights[c] / total_w) < 0.1, (shown, weights)


def test_head_counts_nothing_even_from_cache(fresh_site):
    site = fresh_site
    link = an_article(site)
    warm(site, link)
    time.sleep(1.5)
    before = site.sql("SELECT COALESCE(SUM(views), 0) FROM article_views")[0][0]
    imps = site.sql("SELECT COALESCE(SUM(impressions), 0) FROM ad_stats")[0][0]
    # (the flushed views may have changed Must Read: the first HEAD may render)
    assert site.session.head(site.url + link).status_code == 200
    for _ in range(5):
        r = site.session.head(site.url + link)
        assert r.status_code == 200 and r.headers["X-Cache"] == "hit"
    time.sleep(2.5)
    assert site.sql("SELECT COALESCE(SUM(views), 0) FROM article_views")[0][0] == before
    assert site.sql("SELECT COALESCE(SUM(impressions), 0) FROM ad_stats")[0][0] == imps


def test_budget_evicts_least_recently_used():
    with tempfile.TemporaryDirectory() as tmp:
        srv = Server(make_demo_db(tmp), extra=("--cache-size", "1"))
        try:
            assert srv.get("/search/?q=harbor").headers["X-Cache"] == "miss"
            warm(srv, "/search/?q=harbor")
            assert srv.get("/search/?q=harbor").headers["X-Cache"] == "hit"
            # Each page is tens of KB in three codings: 1 MiB holds a few dozen.
            for i in range(300):
                assert srv.get(f"/search/?q=harbor+{i}").status_code == 200
            assert srv.get("/search/?q=harbor").headers["X-Cache"] == "miss"
            warm(srv, "/search/?q=harbor+299")
            assert srv.get("/search/?q=harbor+299").headers["X-Cache"] == "hit"
        finally:
            srv.stop()


def test_cache_size_zero_turns_it_off():
    with tempfile.TemporaryDirectory() as tmp:
        srv = Server(make_demo_db(tmp), extra=("--cache-size", "0"))
        try:
            r = srv.get("/", headers={"Accept-Encoding": "gzip"})
            assert "X-Cache" not in r.headers
            assert r.headers["ETag"].startswith('W/"')  # weak validators without the cache
            assert srv.get("/", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
            assert r.headers["Content-Encoding"] == "gzip"
        finally:
            srv.stop()


@pytest.mark.parametrize("size", ["-1", "abc", "2000000"])
def test_bad_cache_size_is_refused(size):
    proc = run_cli("serve", "--cache-size", size, "--db", "/nonexistent/x.db", check=False)
    assert proc.returncode == 2 and "--cache-size" in proc.stderr
