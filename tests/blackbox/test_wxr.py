"""WordPress WXR import and export on real exports (../shared/conformance/wxr/).

Each file is also read with lxml, a parser no one here wrote, to know what
WordPress would see: counts of each kind, titles and content bytes.
"""
import lzma
import os
import re
import shutil
import sqlite3
import tempfile

import pytest
from lxml import etree

from conftest import ON_PG, ROOT, Server, dbq, make_demo_db, new_db, run_cli

WXR = os.path.join(os.path.dirname(ROOT), "shared", "conformance", "wxr")
IMPORTED_STATUSES = {"publish", "draft", "future", "private", "pending"}
# Not well-formed XML, or not a WXR file: refused, nothing imported.
REFUSED = {
    "malformed.xml": "<notachanneltag>",
    "malformed-simple.xml": "not well-formed XML",
    "missing-version-tag.xml": "wxr_version",
    "invalid-version-tag.xml": "wxr_version",
    # ']]>' inside CDATA: only WordPress's regex fallback parser reads it.
    "crazy-cdata.xml": "not well-formed XML",
}
ALL_FILES = sorted(f for f in os.listdir(WXR) if f.endswith(".xml"))


def q(db, sql, params=()):
    return dbq(db, sql, params)


def import_file(db, path, *extra, check=True):
    return run_cli("import", "wxr", path, "--db", db, *extra, check=check)


def summary(out):
    m = re.search(r"(\d+) posts, (\d+) pages, (\d+) categories \((\d+) nested\), (\d+) tags,"
                  r" (\d+) authors, (\d+) attachments \((\d+) files not found\); (\d+) new,"
                  r" (\d+) updated, (\d+) unchanged", out)
    assert m, out
    keys = ("posts", "pages", "categories", "nested", "tags", "authors", "attachments",
            "missing", "new", "updated", "unchanged")
    return dict(zip(keys, map(int, m.groups())))


def wp_ns(root):
    return [v for v in root.nsmap.values()
            if v and re.match(r"https?://wordpress\.org/export/[\d.]+/$", v)][0]


def expected(path):
    """What WordPress sees in a WXR file, read with lxml."""
    root = etree.parse(path).getroot()
    wp = wp_ns(root)
    content = "{http://purl.org/rss/1.0/modules/content/}encoded"
    ch = root.find("channel")
    cats, tags, parents = set(), set(), {}
    for c in ch.findall(f"{{{wp}}}category"):
        nice = c.findtext(f"{{{wp}}}category_nicename")
        cats.add(nice)
        parents[nice] = c.findtext(f"{{{wp}}}category_parent") or ""
    for t in ch.findall(f"{{{wp}}}tag"):
        tags.add(t.findtext(f"{{{wp}}}tag_slug"))
    for t in ch.findall(f"{{{wp}}}term"):
        tax = t.findtext(f"{{{wp}}}term_taxonomy")
        if tax == "category":
            cats.add(t.findtext(f"{{{wp}}}term_slug"))
        elif tax == "post_tag":
            tags.add(t.findtext(f"{{{wp}}}term_slug"))
    items, ids = [], set()
    for it in ch.findall("item"):
        kind = it.findtext(f"{{{wp}}}post_type") or "post"
        status = it.findtext(f"{{{wp}}}status") or "publish"
        # WordPress's importer keeps the first item with a given post id.
        if it.findtext(f"{{{wp}}}post_id") in ids:
            continue
        ids.add(it.findtext(f"{{{wp}}}post_id"))
        if kind not in ("post", "page") or status not in IMPORTED_STATUSES:
            continue
        for c in it.findall("category"):
            if c.get("domain") == "category" and kind == "post":
                cats.add(c.get("nicename"))
            elif c.get("domain") == "post_tag":
                tags.add(c.get("nicename"))
        items.append({
            "id": it.findtext(f"{{{wp}}}post_id"), "type": kind, "status": status,
            "title": it.findtext("title") or "", "content": it.findtext(content) or "",
            "link": it.findtext("link") or "",
            "password": (it.findtext(f"{{{wp}}}post_password") or "").strip(),
        })
    return {"cats": cats, "tags": tags, "parents": parents, "items": items,
            "attachments": sum(1 for it in ch.findall("item")
                               if it.findtext(f"{{{wp}}}post_type") == "attachment")}


@pytest.fixture
def tmp():
    with tempfile.TemporaryDirectory() as d:
        yield d


@pytest.mark.parametrize("name", ["wptt-themeunittestdata.wordpress.xml",
                                  "wptt-64-block-test-data.xml", "theme-unit-test-data.xml"])
def test_theme_unit_test_data(tmp, name):
    """Exact counts of each kind, the hierarchy kept, every imported page renders."""
    path = os.path.join(WXR, name)
    want = expected(path)
    db = new_db(tmp, "site.db")
    got = summary(import_file(db, path).stdout)
    posts = [i for i in want["items"] if i["type"] == "post"]
    pages = [i for i in want["items"] if i["type"] == "page"]
    assert got["posts"] == len(posts) and got["pages"] == len(pages)
    assert got["categories"] == len(want["cats"]) and got["tags"] == len(want["tags"])
    assert got["attachments"] + got["missing"] == want["attachments"]
    assert q(db, "SELECT COUNT(*) FROM articles")[0][0] == len(posts) + len(pages)
    assert q(db, "SELECT COUNT(*) FROM tags")[0][0] == len(want["tags"])
    # Hierarchy: each child's parent is the one the export names.
    nested = {k: v for k, v in want["parents"].items() if v}
    assert got["nested"] >= len(nested)
    for child, parent in nested.items():
        rows = q(db, "SELECT p.slug FROM categories c JOIN wp_objects o ON o.target_id = c.id"
                     " AND o.kind = 'category' JOIN categories p ON p.id = c.parent_id"
                     " WHERE o.wp_key = ?", (child,))
        assert rows and rows[0][0] == q(db, "SELECT c.slug FROM categories c JOIN wp_objects o"
                                            " ON o.target_id = c.id AND o.kind = 'category'"
                                            " WHERE o.wp_key = ?", (parent,))[0][0], child
    # Statuses map as documented.
    for status, dl in (("publish", "published"), ("draft", "draft"), ("future", "scheduled")):
        # A password-protected post is imported unpublished.
        n = sum(1 for i in want["items"] if i["status"] == status and
                not (status == "publish" and i["password"]))
        assert q(db, "SELECT COUNT(*) FROM articles WHERE status = ?", (dl,))[0][0] == n
    srv = Server(db)
    try:
        for c, slug in q(db, "SELECT c.slug, a.slug FROM articles a JOIN categories c"
                             " ON c.id = a.category_id WHERE a.status = 'published'"):
            r = srv.get(f"/{c}/{slug}/")
            assert r.status_code == 200, (c, slug)
    finally:
        srv.stop()


@pytest.mark.parametrize("name", ALL_FILES)
def test_importer_test_data(tmp, name):
    """Every file imports with the bytes WordPress would keep, or is refused
    with FILE:LINE and nothing imported."""
    path = os.path.join(WXR, name)
    db = new_db(tmp, "site.db")
    p = import_file(db, path, check=False)
    if name in REFUSED:
        assert p.returncode == 1, p.stdout
        assert re.search(re.escape(path) + r":\d+: ", p.stderr), p.stderr
        assert REFUSED[name] in p.stderr and "nothing was imported" in p.stderr
        assert q(db, "SELECT COUNT(*) FROM articles")[0][0] == 0
        assert q(db, "SELECT COUNT(*) FROM users")[0][0] == 0
        return
    assert p.returncode == 0, p.stderr
    got = summary(p.stdout)
    try:
        want = expected(path)
    except etree.XMLSyntaxError:
        return  # lxml refuses what libxml2's reader only warns about (namespace-edge-cases)
    assert got["posts"] + got["pages"] == len(want["items"])
    rows = {r[0]: r[1:] for r in q(db, "SELECT o.wp_key, a.title, a.body_source FROM articles a"
                                       " JOIN wp_objects o ON o.target_id = a.id"
                                       " AND o.kind IN ('post', 'page')")}
    for item in want["items"]:
        title, source = rows[item["id"]]
        assert title == item["title"] and source == item["content"], item["id"]


def test_content_bytes_kept(tmp):
    """What WordPress's own parser tests expect, checked in the store."""
    def body(name):
        db = new_db(tmp, name + ".db")
        import_file(db, os.path.join(WXR, name))
        return q(db, "SELECT title, body_source, body_html FROM articles")[0]

    assert body("crazy-cdata-escaped.xml")[1] == "Content with nested <![CDATA[ tags ]]> :)"
    assert body("cdata-edge.xml")[1].endswith("]] >")
    assert body("multiple-cdata.xml")[1].strip() == "line oneline twoline three"
    assert "C:\\xampp\\htdocs" in body("backslashes.xml")[1]
    assert body("post-content-blank-lines.xml")[1].count("\n") == 3
    title, source, html = body("wxr-utf-8-challenges.xml")
    assert "\U0001F332" in title and "\u202e" in title  # emoji and RTL override kept
    assert "السلام عليكم وﷲ" in html
    # Classic content gets WordPress's paragraphs.
    _, source, html = body("blank-lines.xml")
    assert "\n\n" in source and html.count("<p>") >= 2


def test_2000_posts_idempotent_and_old_links(tmp):
    """A real WordPress 6.1 export: all 2,004 items, a second run changes
    nothing, and every /YYYY/MM/slug/ link answers 301 to the article."""
    path = os.path.join(tmp, "export.xml")
    with lzma.open(os.path.join(WXR, "wordpress-6.1-export-2000-posts.xml.xz")) as src, \
            open(path, "wb") as dst:
        shutil.copyfileobj(src, dst)
    want = expected(path)
    db = new_db(tmp, "site.db")
    got = summary(import_file(db, path).stdout)
    assert (got["posts"], got["pages"], got["categories"], got["tags"]) == (2000, 4, 10 + 1, 200)
    dump = "SELECT * FROM articles ORDER BY id"
    before = q(db, dump)
    assert len(before) == 2004
    again = summary(import_file(db, path).stdout)
    assert again["unchanged"] == 2004 and again["new"] == again["updated"] == 0
    assert q(db, dump) == before
    srv = Server(db)
    try:
        urls = dict(q(db, "SELECT o.wp_key, '/' || c.slug || '/' || a.slug || '/' FROM articles a"
                          " JOIN categories c ON c.id = a.category_id JOIN wp_objects o"
                          " ON o.target_id = a.id AND o.kind IN ('post', 'page')"))
        for n, item in enumerate(want["items"]):
            old = re.sub(r"^https?://[^/]+", "", item["link"])
            if item["type"] == "post":
                assert re.match(r"^/\d{4}/\d{2}/[^/]+/$", old), old
            r = srv.get(old)
            assert r.status_code == 301 and r.headers["Location"].endswith(urls[item["id"]]), old
            if n % 200 == 0:
                assert srv.get(urls[item["id"]]).status_code == 200
            if n % 500 == 0:
                r = srv.get(f"/?p={item['id']}")
                assert r.status_code == 301 and r.headers["Location"].endswith(urls[item["id"]])
    finally:
        srv.stop()


def test_password_protected_posts_stay_private(tmp):
    item = WXR_ITEM.format(title="Members only", path="members/", id=5,
                           date="2024-01-01 00:00:00", slug="members")
    item = item.replace("<wp:status>", "<wp:post_password>s3cret</wp:post_password><wp:status>")
    db = new_db(tmp, "site.db")
    p = import_file(db, write(tmp, "p.xml", WXR_HEAD + item + WXR_TAIL))
    assert "1 password-protected" in p.stdout
    assert q(db, "SELECT status FROM articles") == [("unpublished",)]


def test_newer_export_updates_what_changed(tmp):
    src = open(os.path.join(WXR, "wxr-simple.xml"), encoding="utf-8").read()
    db = new_db(tmp, "site.db")
    first = os.path.join(tmp, "a.xml")
    open(first, "w", encoding="utf-8").write(src)
    import_file(db, first)
    (aid, title), = q(db, "SELECT id, title FROM articles")
    newer = os.path.join(tmp, "b.xml")
    changed = src.replace(title, "A new headline", 1)
    assert changed != src
    open(newer, "w", encoding="utf-8").write(changed)
    got = summary(import_file(db, newer).stdout)
    assert got["updated"] == 1 and got["new"] == 0
    assert q(db, "SELECT id, title FROM articles") == [(aid, "A new headline")]
    # Each run leaves one audit entry.
    assert [r[0] for r in q(db, "SELECT action FROM audit_log")] == ["import.wxr"] * 2


WXR_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Test</title>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:author><wp:author_login>Jane Doe</wp:author_login><wp:author_email>jane@example.org</wp:author_email>
<wp:author_display_name>Jane</wp:author_display_name></wp:author>
<wp:category><wp:category_nicename>world</wp:category_nicename><wp:cat_name>World</wp:cat_name></wp:category>
<wp:category><wp:category_nicename>europe</wp:category_nicename><wp:category_parent>world</wp:category_parent><wp:cat_name>Europe</wp:cat_name></wp:category>
<wp:tag><wp:tag_slug>brexit</wp:tag_slug><wp:tag_name>Brexit</wp:tag_name></wp:tag>
"""
WXR_ITEM = """<item>
<title>{title}</title>
<link>http://old.example.org/{path}</link>
<dc:creator>Jane Doe</dc:creator>
<content:encoded><![CDATA[First paragraph.

Second line one
line two

<img src="http://old.example.org/wp-content/uploads/2024/01/photo-300x200.png" alt="">

<a href="http://old.example.org/wp-content/uploads/2023/05/gone.pdf">gone</a>

[gallery ids="900,901"]

[gallery ids="901"]]]></content:encoded>
<wp:post_id>{id}</wp:post_id>
<wp:post_date_gmt>{date}</wp:post_date_gmt>
<wp:post_name>{slug}</wp:post_name>
<wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type>
<wp:is_sticky>1</wp:is_sticky>
<category domain="category" nicename="europe">Europe</category>
<category domain="post_tag" nicename="brexit">Brexit</category>
<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>900</wp:meta_value></wp:postmeta>
</item>
"""
WXR_ATTACHMENT = """<item>
<title>photo</title>
<link>http://old.example.org/photo/</link>
<wp:post_id>900</wp:post_id>
<wp:post_type>attachment</wp:post_type>
<wp:status>inherit</wp:status>
<wp:attachment_url>http://old.example.org/wp-content/uploads/2024/01/photo.png</wp:attachment_url>
<wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key><wp:meta_value>2024/01/photo.png</wp:meta_value></wp:postmeta>
</item>
"""
WXR_TAIL = "</channel>\n</rss>\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def write(tmp, name, text):
    path = os.path.join(tmp, name)
    open(path, "w", encoding="utf-8").write(text)
    return path


def test_old_links_uploads_and_featured_images(tmp):
    uploads = os.path.join(tmp, "uploads", "2024", "01")
    os.makedirs(uploads)
    open(os.path.join(uploads, "photo.png"), "wb").write(PNG)
    path = write(tmp, "site.xml", WXR_HEAD + WXR_ATTACHMENT + WXR_ITEM.format(
        title="Talks resume", path="2024/02/talks-resume/", id=42, date="2024-02-03 10:00:00",
        slug="talks-resume") + WXR_TAIL)
    db = new_db(tmp, "site.db")
    got = summary(import_file(db, path, "--uploads", os.path.join(tmp, "uploads")).stdout)
    assert (got["posts"], got["categories"], got["nested"], got["attachments"]) == (1, 2, 1, 1)
    (aid, media, pinned, html), = q(db, "SELECT id, featured_media_id, pinned_at, body_html"
                                        " FROM articles")
    assert aid == 42 and media and pinned  # the WordPress id kept; featured image; sticky
    assert "<p>First paragraph.</p>" in html and "<br>" in html
    # Links to imported uploads (a resized copy too) now point at the media library;
    # a file that was not imported keeps its old URL.
    assert f'src="/media/{media}/photo.png"' in html
    assert 'href="http://old.example.org/wp-content/uploads/2023/05/gone.pdf"' in html
    # A gallery shows the images whose files came; one with none is gone.
    assert html.count("<figure>") == 1 and "wp-attachment" not in html
    assert html.count(f'src="/media/{media}/photo.png"') == 2
    assert q(db, "SELECT length(data) FROM media") == [(len(PNG),)]
    srv = Server(db)
    try:
        art = "/europe/talks-resume/"
        for old, new in (("/2024/02/talks-resume/", art), ("/?p=42", art),
                         ("/2024/02/03/talks-resume/", art),
                         ("/category/world/europe/", "/category/europe/"),
                         ("/author/Jane Doe/", "/author/jane-doe/"),
                         ("/wp-content/uploads/2024/01/photo.png", f"/media/{media}/photo.png"),
                         ("/wp-content/uploads/2024/01/photo-150x150.png",
                          f"/media/{media}/photo.png")):
            r = srv.get(old)
            assert r.status_code == 301 and r.headers["Location"].endswith(new), old
            assert srv.get(new).status_code == 200, new
        assert srv.get("/tag/brexit/").status_code == 200
        assert srv.get("/feed/").status_code == 200
        assert srv.get("/2024/02/no-such-story/").status_code == 404
        assert srv.get("/wp-content/uploads/none.png").status_code == 404
    finally:
        srv.stop()


@pytest.mark.parametrize("case,text,field", [
    ("no title", WXR_HEAD + WXR_ITEM.format(title="x", path="a/", id=1, date="2024-01-01 00:00:00",
                                            slug="a").replace("<title>x</title>", "") + WXR_TAIL,
     "<title>"),
    ("bad date", WXR_HEAD + WXR_ITEM.format(title="x", path="a/", id=1, date="yesterday",
                                            slug="a") + WXR_TAIL, "post_date_gmt"),
    ("truncated", (WXR_HEAD + WXR_ITEM.format(title="x", path="a/", id=1,
                                              date="2024-01-01 00:00:00", slug="a"))[:-40],
     "XML"),
    ("not xml", "This is not XML at all\n", "XML"),
    ("wrong namespace", WXR_HEAD.replace("wordpress.org/export/1.2/\">",
                                         "example.org/not-wordpress/\">") + WXR_TAIL,
     "wxr_version"),
])
def test_broken_file_imports_nothing(tmp, case, text, field):
    """A good item before the bad one is rolled back too: all or nothing."""
    good = WXR_ITEM.format(title="Good", path="good/", id=7, date="2024-01-01 00:00:00",
                           slug="good")
    text = text.replace("</wp:tag>\n", "</wp:tag>\n" + good, 1) if "</wp:tag>" in text else text
    db = new_db(tmp, "site.db")
    path = write(tmp, "bad.xml", text)
    p = import_file(db, path, check=False)
    assert p.returncode == 1, (case, p.stdout)
    assert re.search(re.escape(path) + r":\d+: ", p.stderr) and field in p.stderr, p.stderr
    assert "nothing was imported" in p.stderr
    assert q(db, "SELECT COUNT(*) FROM articles")[0][0] == 0
    assert q(db, "SELECT COUNT(*) FROM users")[0][0] == 0


def test_round_trip(tmp):
    """Dateline -> WXR -> a fresh Dateline: every article the same."""
    src = make_demo_db(tmp)
    # Every status and the editorial fields travel too.
    script = """
        UPDATE articles SET seo_title = 'SEO: title', seo_description = 'For search & shares',
          note = 'Corrected: the date.', note_at = published_at + 60 WHERE id = 2;
        UPDATE articles SET status = 'draft', published_at = NULL WHERE id = 3;
        UPDATE articles SET status = 'scheduled', published_at = 4102444800 WHERE id = 4;
        UPDATE articles SET status = 'review' WHERE id = 5;
        UPDATE articles SET status = 'unpublished' WHERE id = 6;
        UPDATE articles SET dek = 'A dek with <b>markup</b> & ]]> inside' WHERE id = 7;
    """
    if ON_PG:
        dbq(src, script)
    else:
        con = sqlite3.connect(src)
        con.executescript(script)
        con.commit()
        con.close()
    out, uploads = os.path.join(tmp, "export.xml"), os.path.join(tmp, "uploads")
    msg = run_cli("export", "wxr", out, "--db", src, "--uploads", uploads).stdout
    assert "posts" in msg
    etree.parse(out)  # well-formed, for any XML reader
    dst = new_db(tmp, "copy.db")
    got = summary(import_file(dst, out, "--uploads", uploads).stdout)
    assert got["missing"] == 0
    cols = ("SELECT a.id, a.slug, a.title, a.dek, a.excerpt, a.body_html, a.body_source,"
            " a.body_format, a.status, a.published_at, a.updated_at, a.pinned_at, c.slug, c.name,"
            " a.seo_title, a.seo_description, a.note, a.note_at,"
            " u.slug, u.name, u.bio, (SELECT m.filename || '|' || m.mime || '|' || m.alt || '|' ||"
            " m.caption || '|' || m.credit || '|' || m.width || 'x' || m.height || '|' || HEX FROM media m"
            " WHERE m.id = a.featured_media_id), (SELECT GROUP_CONCAT(t.slug || ':' || t.name, '|') FROM"
            " (SELECT t.slug, t.name FROM article_tags x JOIN tags t ON t.id = x.tag_id"
            " WHERE x.article_id = a.id ORDER BY x.position, t.name) t)"
            " FROM articles a JOIN categories c ON c.id = a.category_id"
            " JOIN users u ON u.id = a.author_id ORDER BY a.id")
    # The same question in each engine's words.
    if ON_PG:
        cols = cols.replace("HEX", "encode(m.data, 'hex')").replace("GROUP_CONCAT", "string_agg")
    else:
        cols = cols.replace("HEX", "hex(m.data)").replace("GROUP_CONCAT", "group_concat")
    before, after = q(src, cols), q(dst, cols)
    assert len(before) >= 40 and len(before) == len(after)
    assert sum(1 for b in before if b[21]) >= 5  # featured images came along
    for b, a in zip(before, after):
        assert b == a
    cats = "SELECT c.slug, c.name, c.description, COALESCE(p.slug, '') FROM categories c" \
           " LEFT JOIN categories p ON p.id = c.parent_id ORDER BY c.slug"
    assert q(src, cats) == q(dst, cats)
    # Importing the export again changes nothing.
    again = summary(import_file(dst, out).stdout)
    assert again["new"] == again["updated"] == 0


def test_cli_usage():
    p = run_cli("import", "--help")
    assert "--uploads" in p.stdout
    p = run_cli("import", "csv", "x", check=False)
    assert p.returncode == 2 and "usage" in p.stderr
    p = run_cli("import", "wxr", "/no/such/file.xml", "--db", ":memory:", check=False)
    assert p.returncode == 1 and "/no/such/file.xml" in p.stderr
