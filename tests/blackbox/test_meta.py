"""What search engines and social sites read: canonical links, OpenGraph/Twitter meta,
rel=prev/next, and schema.org NewsArticle + BreadcrumbList JSON-LD."""
import json
import re

from pages import article_links


def meta(page, attr, name):
    m = re.search(r'<meta %s="%s" content="([^"]*)">' % (attr, re.escape(name)), page)
    return m.group(1) if m else None


def canonical(page):
    m = re.search(r'<link rel="canonical" href="([^"]+)">', page)
    return m.group(1) if m else None


def test_every_page_has_canonical_and_social_meta(site):
    for path in ("/", "/category/politics/", "/tag/harbor-bridge/", "/author/caleb-mercer/",
                 article_links(site.get("/").text)[0]):
        page = site.get(path).text
        assert canonical(page) == site.url + path, path
        assert meta(page, "property", "og:url") == site.url + path
        assert meta(page, "property", "og:title")
        assert meta(page, "property", "og:site_name")
        assert meta(page, "name", "twitter:card") in ("summary", "summary_large_image")
        assert meta(page, "property", "og:image").startswith(site.url + "/")
    logo = site.get("/static/logo.png")
    assert logo.status_code == 200 and logo.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_archive_pages_link_prev_and_next(site):
    page = site.get("/category/politics/?page=2").text
    assert canonical(page) == site.url + "/category/politics/?page=2"
    assert f'<link rel="prev" href="{site.url}/category/politics/">' in page
    assert f'<link rel="next" href="{site.url}/category/politics/?page=3">' in page
    first = site.get("/category/politics/").text
    assert 'rel="prev"' not in first.split("</head>")[0]


def test_article_json_ld(site):
    cat, slug, title, aid = site.sql(
        "SELECT c.slug, a.slug, a.title, a.id FROM articles a JOIN categories c"
        " ON c.id = a.category_id WHERE a.featured_media_id IS NOT NULL LIMIT 1")[0]
    page = site.get(f"/{cat}/{slug}/").text
    assert meta(page, "property", "og:type") == "article"
    assert meta(page, "name", "twitter:card") == "summary_large_image"
    assert meta(page, "property", "article:published_time").endswith("Z")
    blob = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    article, crumbs = json.loads(blob)
    assert article["@type"] == "NewsArticle"
    assert article["headline"] == title
    assert article["image"][0].startswith(site.url + "/media/")
    assert article["datePublished"] <= article["dateModified"]
    assert article["author"][0]["url"].startswith(site.url + "/author/")
    assert article["publisher"]["logo"]["url"] == site.url + "/static/logo.png"
    assert article["mainEntityOfPage"] == site.url + f"/{cat}/{slug}/"
    assert crumbs["@type"] == "BreadcrumbList"
    assert [i["name"] for i in crumbs["itemListElement"]][0] == "Home"
    assert crumbs["itemListElement"][2]["name"] == title


def test_json_ld_cannot_break_out_of_its_script(fresh_site):
    site = fresh_site
    site.sql("UPDATE articles SET title = '</script><script>alert(1)</script>' WHERE id = 1")
    site.content_changed()
    cat, slug = site.sql("SELECT c.slug, a.slug FROM articles a JOIN categories c"
                         " ON c.id = a.category_id WHERE a.id = 1")[0]
    page = site.get(f"/{cat}/{slug}/").text
    assert "<script>alert(1)" not in page
    blob = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert json.loads(blob)[0]["headline"] == "</script><script>alert(1)</script>"
