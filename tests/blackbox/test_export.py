"""`dateline export static DIR`: the whole public site as files, every internal link resolving."""
import html
import json
import os
import re
import tempfile
import xml.etree.ElementTree as ET

from conftest import PG, ON_PG, dbq, make_demo_db, run_cli

DYNAMIC = ("/search/", "/wp-json/", "/ad/")


def resolve(root, link):
    """The file a web server would answer for an internal link, or None."""
    path = link.split("#")[0].split("?")[0]
    full = os.path.join(root, path.lstrip("/"))
    if path.endswith("/"):
        for index in ("index.html", "index.xml", "index.json"):
            if os.path.isfile(os.path.join(full, index)):
                return os.path.join(full, index)
        return None
    return full if os.path.isfile(full) else None


def test_export_writes_every_page_and_links_resolve():
    with tempfile.TemporaryDirectory() as tmp:
        db = make_demo_db(tmp, "--posts-per-page", "2", "--base-url", "https://news.example.org")
        out = os.path.join(tmp, "site")
        proc = run_cli("export", "static", out, "--db", db)
        m = re.search(r"(\d+) files, .* 0 broken links", proc.stdout)
        assert m, proc.stdout
        files = [os.path.join(d, f) for d, _, fs in os.walk(out) for f in fs]
        assert int(m.group(1)) == len(files)

        # every published article, section and feed is there
        for cat, slug in dbq(
                db, "SELECT c.slug, a.slug FROM articles a JOIN categories c ON c.id = a.category_id"
                " WHERE a.status = 'published'"):
            assert os.path.isfile(os.path.join(out, cat, slug, "index.html")), (cat, slug)
        for p in ("index.html", "robots.txt", "sitemap.xml", "feed/index.xml",
                  "feed/atom/index.xml", "feed/json/index.json", "404.html",
                  "category/politics/index.html", "category/politics/page/2/index.html",
                  "sitemap/news.xml"):
            assert os.path.isfile(os.path.join(out, p)), p
        assert any(f.startswith(os.path.join(out, "media")) for f in files)
        assert any(f.startswith(os.path.join(out, "static")) for f in files)

        # archive pages link to page/N/, not ?page=N, and every internal link resolves
        checked = 0
        for f in files:
            if not f.endswith(".html"):
                continue
            page = open(f, encoding="utf-8").read()
            assert "?page=" not in page, f
            for link in re.findall(r'(?:href|src)="([^"]+)"', page):
                link = html.unescape(link)
                if link.startswith("https://news.example.org/"):
                    link = link[len("https://news.example.org"):]
                if not link.startswith("/") or link.startswith("//") or link.startswith(DYNAMIC):
                    continue
                assert resolve(out, link), f"{f}: {link}"
                checked += 1
        assert checked > 500

        # feeds and sitemaps are the real documents, with the public base URL
        ET.parse(os.path.join(out, "sitemap.xml"))
        rss = open(os.path.join(out, "feed", "index.xml"), encoding="utf-8").read()
        assert rss.startswith("<?xml") and "https://news.example.org/" in rss
        json.load(open(os.path.join(out, "feed", "json", "index.json"), encoding="utf-8"))
        assert "Page not found" in open(os.path.join(out, "404.html"), encoding="utf-8").read()

        # exporting counts no page views and no ad impressions
        assert dbq(db, "SELECT COALESCE(SUM(views), 0) FROM article_views")[0][0] == 0
        assert dbq(db, "SELECT COALESCE(SUM(impressions), 0) FROM ad_stats")[0][0] == 0


def test_export_usage_errors():
    proc = run_cli("export", check=False)
    assert proc.returncode == 2 and "export static DIR" in proc.stderr
    with tempfile.TemporaryDirectory() as tmp:
        missing = PG + "missing_db" if ON_PG else os.path.join(tmp, "missing.db")
        proc = run_cli("export", "static", os.path.join(tmp, "out"), "--db", missing, check=False)
        assert proc.returncode == 1 and os.path.basename(missing) in proc.stderr
