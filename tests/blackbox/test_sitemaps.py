"""Sitemaps, the Google News sitemap and robots.txt, checked with lxml."""
import calendar
import time

from lxml import etree

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def xml(site, path):
    r = site.get(path)
    assert r.status_code == 200, path
    assert r.headers["Content-Type"] == "application/xml; charset=utf-8"
    return etree.fromstring(r.content)  # raises on anything not well-formed


def local(url, site):
    assert url.startswith(site.url + "/"), url
    return url[len(site.url):]


def test_robots_names_the_sitemaps(site):
    r = site.get("/robots.txt")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain")
    lines = r.text.splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {site.url}/sitemap.xml" in lines
    assert f"Sitemap: {site.url}/sitemap/news.xml" in lines


def test_index_and_article_sitemaps(site):
    root = xml(site, "/sitemap.xml")
    assert root.tag == SM + "sitemapindex"
    entries = root.findall(SM + "sitemap")
    assert entries and all(e.find(SM + "loc") is not None for e in entries)
    for e in entries:
        assert {c.tag for c in e} <= {SM + "loc", SM + "lastmod"}
    urls = []
    for e in entries:
        child = xml(site, local(e.find(SM + "loc").text, site))
        assert child.tag == SM + "urlset"
        for u in child.findall(SM + "url"):
            assert {c.tag for c in u} <= {SM + "loc", SM + "lastmod", NEWS + "news"}
            urls.append(u.find(SM + "loc").text)
    published = site.sql("SELECT COUNT(*) FROM articles WHERE status = 'published'")[0][0]
    article_urls = {u for u in urls if u.count("/") == 5 and "/category/" not in u}
    assert len(article_urls) == published
    for u in list(article_urls)[:5]:
        assert site.get(local(u, site)).status_code == 200
    last = entries[-1].find(SM + "lastmod").text
    assert time.strptime(last, "%Y-%m-%dT%H:%M:%SZ")
    assert site.get("/sitemap/articles-2.xml").status_code == 404
    assert site.get("/sitemap/articles-x.xml").status_code == 404


def test_news_sitemap_has_the_last_two_days(site):
    root = xml(site, "/sitemap/news.xml")
    since = int(time.time()) - 2 * 86400
    expected = site.sql("SELECT COUNT(*) FROM articles WHERE status = 'published'"
                        " AND published_at >= ?", (since + 5,))[0][0]
    urls = root.findall(SM + "url")
    assert expected <= len(urls) <= 1000
    assert expected >= 1
    title = site.sql("SELECT value FROM settings WHERE name = 'title'")[0][0]
    for u in urls:
        news = u.find(NEWS + "news")
        pub = news.find(NEWS + "publication")
        assert pub.find(NEWS + "name").text == title
        assert pub.find(NEWS + "language").text == "en"
        assert news.find(NEWS + "title").text
        date = news.find(NEWS + "publication_date").text
        assert calendar.timegm(time.strptime(date, "%Y-%m-%dT%H:%M:%SZ")) >= since - 60
