"""HTTP behaviour: ETag/304, gzip, HEAD, keep-alive, caching headers, assets, access log."""
import gzip
import re
import time

from pages import article_links


def test_etag_and_304(site):
    r = site.get("/static/style.css")
    assert r.headers["ETag"].startswith('W/"')
    r3 = site.get("/static/style.css", headers={"If-None-Match": r.headers["ETag"]})
    assert r3.status_code == 304
    assert r3.content == b""


def test_html_pages_revalidate_despite_rotating_ads(site):
    link = article_links(site.get("/").text)[0]
    for path in ("/", link, "/category/politics/", "/feed/"):
        r = site.get(path, headers={"Accept-Encoding": "gzip"})
        etag = r.headers["ETag"]
        assert etag.startswith('"')  # strong: the page cache sends these exact bytes
        assert "max-age" in r.headers["Cache-Control"]
        for _ in range(10):  # every time, whatever ad the page would show
            again = site.get(path, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
            assert again.status_code == 304, path
            assert again.headers["ETag"] == etag
            assert "Accept-Encoding" in again.headers["Vary"]
        assert site.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_a_content_change_invalidates_validators(fresh_site):
    site = fresh_site
    etag = site.get("/").headers["ETag"]
    assert site.get("/", headers={"If-None-Match": etag}).status_code == 304
    site.content_changed()
    r = site.get("/", headers={"If-None-Match": etag})
    assert r.status_code == 200 and r.headers["ETag"] != etag


def test_gzip_when_accepted(site):
    r = site.get("/", headers={"Accept-Encoding": "gzip"}, stream=True)
    assert r.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in r.headers["Vary"]
    body = gzip.decompress(r.raw.read())
    assert b"</html>" in body
    r = site.get("/", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in r.headers
    r = site.get("/", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in r.headers


def test_head_has_headers_no_body(site):
    answer = site.raw(b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert b"Content-Type: text/html; charset=utf-8" in head
    assert body == b""


def test_keep_alive_serves_several_requests_on_one_connection(site):
    req = b"GET /static/style.css HTTP/1.1\r\nHost: x\r\n\r\n"
    last = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    answer = site.raw(req + req + last)
    assert answer.count(b"HTTP/1.1 200 OK") == 3
    assert b"Connection: close" not in answer.split(b"HTTP/1.1 200 OK")[1]


def test_security_headers(site):
    r = site.get("/")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors" in r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["Referrer-Policy"]


def test_static_assets_and_favicon(site):
    page = site.get("/").text
    css = re.search(r'href="(/static/style\.css\?v=[0-9a-f]+)"', page).group(1)
    r = site.get(css)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/css; charset=utf-8"
    assert "immutable" in r.headers["Cache-Control"]
    r = site.get("/static/style.css?v=old")
    assert r.status_code == 200 and "immutable" not in r.headers["Cache-Control"]
    r = site.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/x-icon"
    assert r.content[:4] == b"\x00\x00\x01\x00"


def test_media_served_safely(site):
    page = site.get("/").text
    img = re.search(r'src="(/media/\d+/[^"]+)"', page).group(1)
    r = site.get(img)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "image/svg+xml"
    assert "sandbox" in r.headers["Content-Security-Policy"]
    assert b"<svg" in r.content


def test_surrogate_keys_for_cdn_purges(site):
    link = article_links(site.get("/").text)[0]
    r = site.get(link)
    assert re.search(r"article-\d+ category-\d+ author-\d+", r.headers["Surrogate-Key"])
    assert site.get("/").headers["Surrogate-Key"] == "home"
    cid = site.sql("SELECT id FROM categories WHERE slug = 'politics'")[0][0]
    assert site.get("/category/politics/").headers["Surrogate-Key"] == f"category-{cid}"


def test_access_log_combined_format(site):
    site.get("/?utm_source=logcheck", headers={"User-Agent": "probe/1.0", "Referer": "http://ref.example/"})
    time.sleep(0.3)
    lines = open(site.access_log).read().splitlines()
    pat = re.compile(r'^127\.0\.0\.1 - - \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] '
                     r'"GET /\?utm_source=logcheck HTTP/1\.1" 200 \d+ "http://ref\.example/" "probe/1\.0" [\d.]+$')
    assert any(pat.match(line) for line in lines), lines[-3:]


def test_healthz_answers_ok_and_is_never_cached(site):
    r = site.get("/healthz")
    assert r.status_code == 200 and r.text == "ok\n"
    assert r.headers["Cache-Control"] == "no-store"
    assert "X-Cache" not in r.headers
    assert site.get("/healthz?x=1").status_code == 400


def test_healthz_says_when_the_database_is_gone(fresh_site):
    site = fresh_site
    site.sql("DROP TABLE counters")
    r = site.get("/healthz")
    assert r.status_code == 503


def test_large_but_reasonable_headers_are_accepted(site):
    # the per-connection pool is kept small for speed; what nginx takes by default
    # (8 KB header lines) still fits, with 8 KB of cookies besides
    r = site.get("/", headers={"X-Long": "x" * 8000, "Cookie": "a=" + "x" * 8000})
    assert r.status_code == 200
