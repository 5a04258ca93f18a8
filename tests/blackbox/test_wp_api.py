"""The read subset of the WordPress REST API v2: shapes, filters, headers and errors."""
import json

import pytest


def get(site, path, status=200):
    r = site.get(path)
    assert r.status_code == status, (path, r.status_code, r.text[:200])
    assert r.headers["Content-Type"] == "application/json; charset=UTF-8"
    return r, json.loads(r.content)


def published(site, where="1 = 1", params=()):
    return site.sql(f"SELECT a.id FROM articles a WHERE a.status = 'published' AND {where}"
                    " ORDER BY a.published_at DESC, a.id DESC", params)


def test_index(site):
    _, data = get(site, "/wp-json/")
    assert "wp/v2" in data["namespaces"]
    assert "/wp/v2/posts" in data["routes"]
    assert data["url"] == site.url


def test_posts_have_wordpress_fields(site):
    r, posts = get(site, "/wp-json/wp/v2/posts")
    total = len(published(site))
    assert r.headers["X-WP-Total"] == str(total)
    assert r.headers["X-WP-TotalPages"] == str((total + 9) // 10)
    assert [p["id"] for p in posts] == [i for (i,) in published(site)[:10]]
    p = posts[0]
    for field in ("id", "date", "date_gmt", "modified", "modified_gmt", "slug", "status", "type",
                  "link", "title", "content", "excerpt", "author", "featured_media",
                  "categories", "tags", "sticky", "format", "guid", "_links"):
        assert field in p, field
    assert p["status"] == "publish" and p["type"] == "post"
    assert p["title"]["rendered"] and p["content"]["rendered"].startswith("<")
    assert p["excerpt"]["rendered"].startswith("<p>")
    assert p["content"]["protected"] is False
    assert len(p["date"]) == 19 and "T" in p["date"]
    slug, cat, author, title = site.sql(
        "SELECT a.slug, a.category_id, a.author_id, a.title FROM articles a WHERE a.id = ?",
        (p["id"],))[0]
    assert p["slug"] == slug and p["categories"] == [cat] and p["author"] == author
    assert p["link"] == site.url + "/" + site.sql("SELECT slug FROM categories WHERE id = ?",
                                                  (cat,))[0][0] + f"/{slug}/"
    assert site.get(p["link"][len(site.url):]).status_code == 200
    tags = [t for (t,) in site.sql("SELECT tag_id FROM article_tags WHERE article_id = ?"
                                   " ORDER BY position", (p["id"],))]
    assert sorted(p["tags"]) == sorted(tags)


def test_paging_and_per_page(site):
    total = len(published(site))
    seen = []
    page = 1
    while True:
        r, posts = get(site, f"/wp-json/wp/v2/posts?per_page=7&page={page}")
        seen += [p["id"] for p in posts]
        if page >= int(r.headers["X-WP-TotalPages"]):
            break
        page += 1
    assert seen == [i for (i,) in published(site)] and len(seen) == total
    _, err = get(site, f"/wp-json/wp/v2/posts?per_page=7&page={page + 1}", 400)
    assert err["code"] == "rest_post_invalid_page_number"


@pytest.mark.parametrize("query,param", [
    ("per_page=0", "per_page"), ("per_page=101", "per_page"), ("per_page=abc", "per_page"),
    ("page=0", "page"), ("page=-3", "page"), ("orderby=views", "orderby"),
    ("order=sideways", "order"), ("categories=abc", "categories"), ("tags=1,x", "tags"),
    ("author=-1", "author"), ("after=yesterday", "after"), ("before=2024-13-01T00:00:00", "before"),
])
def test_bad_parameters_get_wordpress_errors(site, query, param):
    _, err = get(site, f"/wp-json/wp/v2/posts?{query}", 400)
    assert err["code"] == "rest_invalid_param"
    assert err["data"]["status"] == 400
    assert param in err["data"]["params"]


def test_filters(site):
    cat = site.sql("SELECT id FROM categories WHERE slug = 'politics'")[0][0]
    _, posts = get(site, f"/wp-json/wp/v2/posts?categories={cat}&per_page=100")
    assert [p["id"] for p in posts] == [i for (i,) in published(site, "a.category_id = ?", (cat,))]
    tag = site.sql("SELECT tag_id FROM article_tags GROUP BY tag_id ORDER BY COUNT(*) DESC")[0][0]
    _, posts = get(site, f"/wp-json/wp/v2/posts?tags={tag}&per_page=100")
    assert posts and all(tag in p["tags"] for p in posts)
    author = site.sql("SELECT id FROM users LIMIT 1")[0][0]
    _, posts = get(site, f"/wp-json/wp/v2/posts?author={author}&per_page=100")
    assert posts and all(p["author"] == author for p in posts)
    slug = site.sql("SELECT slug FROM articles WHERE status = 'published' LIMIT 1")[0][0]
    _, posts = get(site, f"/wp-json/wp/v2/posts?slug={slug}")
    assert [p["slug"] for p in posts] == [slug]
    _, posts = get(site, "/wp-json/wp/v2/posts?search=ransomware&per_page=100")
    assert posts and all("ransomware" in (p["title"]["rendered"] + p["content"]["rendered"]).lower()
                         for p in posts)
    _, posts = get(site, "/wp-json/wp/v2/posts?orderby=title&order=asc&per_page=100")
    titles = [p["title"]["rendered"].lower() for p in posts]
    assert titles == sorted(titles)
    _, posts = get(site, "/wp-json/wp/v2/posts?orderby=id&order=asc&per_page=100")
    assert [p["id"] for p in posts] == sorted(p["id"] for p in posts)
    newest = posts and max(p["date_gmt"] for p in posts)
    _, after = get(site, f"/wp-json/wp/v2/posts?after={newest[:10]}T00:00:00Z&per_page=100")
    assert after and all(p["date_gmt"] > newest[:10] for p in after)


def test_single_post_and_missing_ones(site):
    (pid,) = published(site)[0]
    _, post = get(site, f"/wp-json/wp/v2/posts/{pid}")
    assert post["id"] == pid
    draft = site.sql("SELECT id FROM articles WHERE status != 'published' LIMIT 1")
    for bad in ["999999", "abc"] + [str(d[0]) for d in draft]:
        _, err = get(site, f"/wp-json/wp/v2/posts/{bad}", 404)
        assert err == {"code": "rest_post_invalid_id", "message": "Invalid post ID.",
                       "data": {"status": 404}}
    _, err = get(site, "/wp-json/wp/v2/comments", 404)
    assert err["code"] == "rest_no_route"


def test_terms_users_and_pages(site):
    r, cats = get(site, "/wp-json/wp/v2/categories?per_page=100")
    assert {c["slug"] for c in cats} >= {"politics", "uncategorized"}
    assert all(c["taxonomy"] == "category" and "parent" in c for c in cats)
    pol = next(c for c in cats if c["slug"] == "politics")
    assert pol["count"] == len(published(site, "a.category_id = ?", (pol["id"],)))
    _, one = get(site, f"/wp-json/wp/v2/categories/{pol['id']}")
    assert one["slug"] == "politics"
    r, tags = get(site, "/wp-json/wp/v2/tags?per_page=5")
    assert len(tags) == 5 and int(r.headers["X-WP-Total"]) == site.sql("SELECT COUNT(*) FROM tags")[0][0]
    _, users = get(site, "/wp-json/wp/v2/users")
    assert users and all("email" not in u and "@" not in json.dumps(u) for u in users)
    r, pages = get(site, "/wp-json/wp/v2/pages")
    assert pages == [] and r.headers["X-WP-Total"] == "0"


def test_content_links_are_absolute(site):
    _, posts = get(site, "/wp-json/wp/v2/posts?per_page=100")
    bodies = " ".join(p["content"]["rendered"] for p in posts)
    assert 'src="/' not in bodies and 'href="/' not in bodies
    import feedparser
    d = feedparser.parse(site.get("/feed/").content)
    html = " ".join(e.content[0].value for e in d.entries)
    assert 'src="/' not in html and 'href="/' not in html
