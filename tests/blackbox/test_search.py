"""Reader search: ranked results, highlighted snippets, pagination, and no query errors."""
import os
import re
import urllib.parse

import pytest

from conftest import ROOT, Server, run_cli
from pages import article_links, text

CORPUS = os.path.join(ROOT, "..", "shared", "corpora", "bbc-news")


def search(site, q, page=None):
    url = "/search/?q=" + urllib.parse.quote(q)
    if page:
        url += f"&page={page}"
    return site.get(url)


def results(page):
    return re.findall(r'<h2 class="teaser-title"><a href="([^"]+)">(.*?)</a>', page)


def test_ranked_results_with_highlights(site):
    r = search(site, "ransomware")
    assert r.status_code == 200
    found = results(r.text)
    assert len(found) >= 3
    # the story with the word in its headline ranks first
    assert "ransomware" in text(found[0][1]).lower()
    assert "<mark>ransomware</mark>" in r.text.lower() or "<mark>Ransomware</mark>" in r.text
    for link, _ in found:
        assert site.get(link).status_code == 200
    assert '<meta name="robots" content="noindex, follow">' in r.text


def test_phrases_and_stemming(site):
    phrase = results(search(site, '"harbor bridge"').text)
    loose = results(search(site, "bridge harbor").text)
    assert phrase and len(phrase) <= len(loose)
    # Snowball stemming: "floods" finds "flooding" and "flooded"
    assert results(search(site, "floods").text)


def test_pagination(site):
    r = search(site, "city")
    m = re.search(r"(\d+) articles found", r.text)
    total = int(m.group(1))
    assert total > 10
    first = results(r.text)
    second = results(search(site, "city", 2).text)
    assert len(first) == 10 and second
    assert not {a for a, _ in first} & {a for a, _ in second}
    assert 'rel="next" href="/search/?q=city&amp;page=2"' in r.text
    last = (total + 9) // 10
    assert search(site, "city", last + 1).status_code == 404


def test_no_results_page(site):
    r = search(site, "xylophonequartz")
    assert r.status_code == 200
    assert "No articles match" in r.text and "xylophonequartz" in r.text


@pytest.mark.parametrize("q", [
    '"', '""', '"unclosed phrase', 'AND', 'OR OR', 'NOT', 'a AND (b OR', '*', 'bridge*',
    '^harbor', 'title:bridge', 'NEAR(harbor bridge)', '-bridge', '+bridge', ':', '\\',
    "'; DROP TABLE articles; --", '<script>alert(1)</script>', '%00', 'ü' * 300,
    '🌊 flood 🌊', '\u202e\u202d', 'a' * 500, 'the of and',
])
def test_junk_queries_never_error(site, q):
    r = search(site, q)
    assert r.status_code == 200, q
    assert "<script>alert(1)" not in r.text
    assert site.sql("SELECT COUNT(*) FROM articles")[0][0] >= 40


def test_bad_parameters(site):
    assert site.get("/search/?q=bridge&page=0").status_code == 400
    assert site.get("/search/?q=bridge&sort=new").status_code == 400
    assert site.get("/search/?q=%FF").status_code == 400
    assert site.get("/search/").status_code == 200
    assert "Search" in site.get("/").text and 'href="/search/"' in site.get("/").text


def test_a_common_word_shows_the_newest_window_and_more_than(tmp_path):
    """Past STORE_SEARCH_WINDOW (1000) matches the count says "more than" and only the
    1000 newest matches are ranked and paged."""
    db = str(tmp_path / "big.db")
    run_cli("bench-data", "--db", db, "--articles", "2000", "--corpus", CORPUS)
    srv = Server(db)
    try:
        r = search(srv, "year")
        assert r.status_code == 200
        assert "More than 1000 articles found: the 1000 newest, best match first" in r.text
        assert "Page 1 of 100" in r.text and len(results(r.text)) == 10
        assert len(results(search(srv, "year", 100).text)) == 10
        assert search(srv, "year", 101).status_code == 404
        # under the window the count is exact
        few = search(srv, "government")
        m = re.search(r"(\d+) articles? found", few.text)
        assert m and int(m.group(1)) <= 1000 and "More than" not in few.text
    finally:
        srv.stop()
