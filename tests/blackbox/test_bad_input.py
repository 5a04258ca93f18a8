"""Bad input gets the right 4xx with a short page, changes nothing, and the server keeps serving."""
import pytest


def counts(site):
    return site.sql("SELECT (SELECT value FROM counters WHERE name = 'content'),"
                    " (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM settings)")[0]


@pytest.mark.parametrize("path,status", [
    ("/category/politics/?page=-1", 400),
    ("/category/politics/?page=abc", 400),
    ("/category/politics/?page=99999999999", 400),
    ("/category/politics/?page=0", 400),
    ("/category/politics/?page=", 400),
    ("/category/politics/?sort=newest", 400),
    ("/?page=2", 400),
    ("/?p=", 404),
    ("/?q=%ZZ", 400),
    ("/?q=%FF%FE", 400),
    ("/%FF/", 400),
    ("/%C0%AF/", 400),
    ("/a%00b/", 400),
    ("/local/x%0D%0ASet-Cookie:%20a=b/", 400),
    ("/static/..%2F..%2Fetc%2Fpasswd", 400),
    ("/static/%2e%2e/%2e%2e/etc/passwd", 400),
    ("/no-such-section/no-such-story/", 404),
])
def test_bad_request_targets(site, path, status):
    before = counts(site)
    r = site.get(path)
    assert r.status_code == status, (path, r.status_code)
    assert len(r.text) < 20000
    assert counts(site) == before
    assert site.get("/").status_code == 200


def test_tracking_parameters_are_ignored(site):
    assert site.get("/?utm_source=newsletter&utm_medium=email&fbclid=abc").status_code == 200


def test_dot_segments_sent_raw(site):
    for target in (b"/static/../../etc/passwd", b"/local/../politics/", b"/./"):
        answer = site.raw(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 400"), answer[:80]


def test_overlong_url(site):
    r = site.get("/" + "a" * 5000 + "/")
    assert r.status_code == 414
    r = site.get("/?" + "&".join(f"k{i}=v" for i in range(100)))
    assert r.status_code == 414
    assert site.get("/").status_code == 200


def test_overlong_headers(site):
    r = site.get("/", headers={"X-Big": "x" * 100000})
    assert r.status_code in (400, 413, 431)
    assert site.get("/").status_code == 200


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW"])
def test_methods_the_public_plane_does_not_serve(site, method):
    before = counts(site)
    r = site.session.request(method, site.url + "/", data=b"x=1", timeout=10)
    assert r.status_code == 405
    assert "GET" in r.headers.get("Allow", "")
    assert counts(site) == before
    assert site.get("/").status_code == 200


def test_garbage_request_line(site):
    for junk in (b"\x00\x01\x02garbage\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n"):
        answer = site.raw(junk)
        assert (answer == b"" or answer.startswith(b"HTTP/1.1 4")
                or (answer.startswith(b"HTTP/1.1 5") and b"505" in answer[:20])), answer[:60]
    assert site.get("/").status_code == 200
