"""The reader's pages: every part of DESIGN.md section 1, in order, from real data."""
import datetime
import re
import zoneinfo

from pages import article_links, links, section, text


def first_article_with_image(site):
    rows = site.sql(
        "SELECT c.slug, a.slug, a.title FROM articles a JOIN categories c ON c.id = a.category_id"
        " WHERE a.featured_media_id IS NOT NULL AND a.status = 'published'"
        " AND length(a.body_html) > 2000 ORDER BY a.published_at DESC LIMIT 1")
    cat, slug, title = rows[0]
    return f"/{cat}/{slug}/", title


def test_home_has_lead_sections_latest_must_read(site):
    r = site.get("/")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    page = r.text
    newest = site.sql("SELECT title FROM articles WHERE status = 'published'"
                      " ORDER BY published_at DESC, id DESC LIMIT 1")[0][0]
    lead = re.search(r'<h2 class="lead-title"><a href="[^"]+">(.*?)</a>', page).group(1)
    assert text(lead) == newest
    for heading in ("Top stories", "Latest", "Must Read"):
        assert section(page, heading), heading
    # one section per category that has published articles
    cats = site.sql("SELECT DISTINCT c.name FROM categories c JOIN articles a ON a.category_id = c.id"
                    " WHERE a.status = 'published'")
    for (name,) in cats:
        assert f'aria-label="{name}"' in page, name
    assert len(article_links(page)) >= 20


def test_article_page_has_every_part_in_order(site):
    path, title = first_article_with_image(site)
    r = site.get(path)
    assert r.status_code == 200
    page = r.text
    markers = [
        ('class="datebar"', "date bar"),
        ('class="breadcrumbs"', "breadcrumbs"),
        ('<h1 class="headline">', "headline"),
        ('class="dek"', "dek"),
        ('class="byline"', "byline"),
        ('<time datetime=', "published time"),
        ('<figure class="featured">', "featured image"),
        ('- Advertisement -', "ad above the story"),
        ('class="story-body"', "story body"),
        ('id="latest-h"', "Latest"),
        ('id="must-h"', "Must Read"),
        ('id="related-h"', "Related News"),
    ]
    positions = []
    for marker, name in markers:
        i = page.find(marker, positions[-1][0] + 1 if positions else 0)
        assert i >= 0, f"{name} missing or out of order"
        positions.append((i, name))
    # the in-story ad sits inside the body, after the third paragraph
    body = page[page.find('class="story-body"'):page.find('id="latest-h"')]
    inline = body.find("ad-article-inline")
    assert inline > 0
    assert body[:inline].count("</p>") >= 3
    # an ad below the story and one in the rail, each labelled
    assert page.count("- Advertisement -") >= 3
    assert text(re.search(r'<h1 class="headline">(.*?)</h1>', page).group(1)) == title


def test_breadcrumbs_home_category_headline(site):
    path, _ = first_article_with_image(site)
    page = site.get(path).text
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', page, re.S).group(0)
    items = [text(li) for li in re.findall(r"<li>(.*?)</li>", crumbs)]
    cat_name = site.sql("SELECT c.name FROM articles a JOIN categories c ON c.id = a.category_id"
                        " WHERE a.slug = ?", (path.split("/")[2],))[0][0]
    h1 = text(re.search(r'<h1 class="headline">(.*?)</h1>', page).group(1))
    assert items == ["Home", cat_name, h1]
    assert links(crumbs)[:2] == ["/", "/category/" + path.split("/")[1] + "/"]


def test_uncategorized_article_is_in_default_category(site):
    rows = site.sql("SELECT a.slug FROM articles a WHERE a.category_id = 1 AND a.status = 'published'")
    assert rows, "the demo has articles without a section"
    r = site.get(f"/uncategorized/{rows[0][0]}/")
    assert r.status_code == 200
    assert ">Uncategorized</a>" in r.text


def test_latest_is_the_newest_other_articles(site):
    path, _ = first_article_with_image(site)
    page = site.get(path).text
    shown = [text(t) for t in re.findall(r'<a href="[^"]+">(.*?)</a> <time',
                                         section(page, "Latest"))]
    slug = path.split("/")[2]
    newest = [t for (t,) in site.sql(
        "SELECT title FROM articles WHERE status = 'published' AND slug != ?"
        " ORDER BY published_at DESC, id DESC LIMIT 6", (slug,))]
    assert shown == newest


def test_must_read_starts_with_pins(site):
    page = site.get("/").text
    shown = [text(t) for t in re.findall(r'<a href="[^"]+">(.*?)</a> <time',
                                         section(page, "Must Read"))]
    pinned = [t for (t,) in site.sql(
        "SELECT title FROM articles WHERE pinned_at IS NOT NULL AND status = 'published'"
        " ORDER BY pinned_at DESC, id DESC")]
    assert len(pinned) >= 1
    assert shown[:len(pinned)] == pinned[:len(shown)]


def test_related_news_is_computed_and_similar(site):
    # The port cyberattack storyline spans technology, business and local.
    rows = site.sql("SELECT a.id, c.slug, a.slug FROM articles a JOIN categories c ON"
                    " c.id = a.category_id WHERE a.slug LIKE 'ransomware%'")
    aid, cat, slug = rows[0]
    stored = site.sql("SELECT related_id FROM article_related WHERE article_id = ? ORDER BY position",
                      (aid,))
    assert len(stored) >= 3
    page = site.get(f"/{cat}/{slug}/").text
    related = article_links(section(page, "Related News"))
    assert len(related) >= 3
    titles = " ".join(t for (t,) in site.sql(
        "SELECT title || ' ' || body_source FROM articles WHERE id IN (%s)" %
        ",".join(str(r[0]) for r in stored[:3])))
    assert re.search(r"port|cyber|ransomware|crane|attack", titles, re.I)
    for link in related:
        assert site.get(link).status_code == 200


def test_date_bar_is_today_in_site_time_zone(site):
    tz = site.sql("SELECT value FROM settings WHERE name = 'timezone'")[0][0]
    page = site.get("/").text
    shown = text(re.search(r'<div class="datebar">(.*?)</div>', page, re.S).group(1))
    now = datetime.datetime.now(zoneinfo.ZoneInfo(tz))
    expected = {f"{d:%A}, {d:%B} {d.day}, {d.year}"
                for d in (now, now - datetime.timedelta(minutes=1))}
    assert shown in expected


def test_category_archive_paginates(site):
    n = site.sql("SELECT COUNT(*) FROM articles a JOIN categories c ON c.id = a.category_id"
                 " WHERE c.slug = 'politics' AND a.status = 'published'")[0][0]
    pages = (n + 1) // 2
    assert pages >= 3
    seen = []
    for p in range(1, pages + 1):
        r = site.get("/category/politics/" + (f"?page={p}" if p > 1 else ""))
        assert r.status_code == 200
        items = article_links(re.search(r'class="archive-list"(.*?)</section>', r.text, re.S).group(1))
        seen += items
        if p < pages:
            assert f'rel="next" href="/category/politics/?page={p + 1}"' in r.text
        if p > 1:
            assert 'rel="prev"' in r.text
    assert len(set(seen)) == n
    assert site.get(f"/category/politics/?page={pages + 1}").status_code == 404


def test_tag_and_author_archives(site):
    tag = site.sql("SELECT t.slug, COUNT(*) FROM tags t JOIN article_tags x ON x.tag_id = t.id"
                   " GROUP BY t.id ORDER BY 2 DESC LIMIT 1")[0]
    r = site.get(f"/tag/{tag[0]}/")
    assert r.status_code == 200 and "Topic" in r.text
    assert len(article_links(r.text)) >= 2
    author = site.sql("SELECT slug, name FROM users LIMIT 1")[0]
    r = site.get(f"/author/{author[0]}/")
    assert r.status_code == 200
    assert author[1] in r.text


def test_teaser_images_link_to_their_article_and_never_borrow_one(site):
    for page in (site.get("/").text, site.get(first_article_with_image(site)[0]).text):
        for href, src in re.findall(r'<a class="teaser-image" href="([^"]+)"[^>]*><img src="([^"]+)"', page):
            assert not href.startswith("/media/"), href
            slug = href.strip("/").split("/")[1]
            media = site.sql("SELECT m.filename, m.id FROM articles a JOIN media m"
                             " ON m.id = a.featured_media_id WHERE a.slug = ?", (slug,))
            assert media and src == f"/media/{media[0][1]}/{media[0][0]}", (href, src)


def test_404_looks_like_the_site(site):
    r = site.get("/local/no-such-story/")
    assert r.status_code == 404
    title = site.sql("SELECT value FROM settings WHERE name = 'title'")[0][0]
    assert title in r.text and 'class="datebar"' in r.text
    assert "Latest" in r.text
    for path in ("/category/nope/", "/tag/nope/", "/author/nope/", "/nope/", "/static/nope.css",
                 "/media/999999/x.svg", "/ad/999999/click"):
        assert site.get(path).status_code == 404, path


def test_dated_permalink_redirects(site):
    cat, slug = site.sql("SELECT c.slug, a.slug FROM articles a JOIN categories c"
                         " ON c.id = a.category_id WHERE a.status = 'published' LIMIT 1")[0]
    r = site.get(f"/2024/03/28/{slug}/")
    assert r.status_code == 301
    assert r.headers["Location"] == f"/{cat}/{slug}/"
    r = site.get(f"/wrongsection/{slug}/")
    assert r.status_code == 301 and r.headers["Location"] == f"/{cat}/{slug}/"
    r = site.get(f"/{cat}/")
    assert r.status_code == 301 and r.headers["Location"] == f"/category/{cat}/"
    r = site.get(f"/{cat}/{slug}")
    assert r.status_code == 301 and r.headers["Location"] == f"/{cat}/{slug}/"
