"""dateline migrate: a whole site copied to another database (SQLite, and
PostgreSQL when DATELINE_TEST_PG names a cluster whose user can CREATE
DATABASE), serving the same pages there; a target that holds a site is
refused unless --force; bad input changes nothing."""
import os
import re
import sqlite3
import tempfile
import time
import urllib.parse
import uuid

import pytest
import requests

from conftest import Server, dbq, run_cli
from test_admin import PASSWORD, Editor, add_user
from test_media import image_bytes, upload

PG = os.environ.get("DATELINE_TEST_PG")

# Every table a site is made of (the full-text index is rebuilt, not copied).
TABLES = ["settings", "counters", "users", "media", "media_variants", "categories", "tags",
          "articles", "article_tags", "article_related", "article_views", "ad_slots",
          "ad_creatives", "ad_stats", "sessions", "login_failures", "api_tokens", "revisions",
          "slug_redirects", "audit_log", "wp_objects", "legacy_paths", "section_counts"]


def rows(url, table):
    """Every row of `table` as comparable tuples, in a stable order."""
    if url.startswith("postgresql://"):
        import psycopg2
        con = psycopg2.connect(url)
        try:
            cur = con.cursor()
            cur.execute(f"SELECT * FROM {table}")
            got = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)
                   for r in cur.fetchall()]
        finally:
            con.close()
    else:
        con = sqlite3.connect(url[len("sqlite:"):] if url.startswith("sqlite:") else url)
        try:
            got = con.execute(f"SELECT * FROM {table}").fetchall()
        finally:
            con.close()
    return sorted(got, key=repr)


def snapshot(url):
    return {t: rows(url, t) for t in TABLES}


def same_site(a, b):
    """Table by table, the copy equals the source (counters: one generation on)."""
    for t in TABLES:
        if t == "counters":
            assert [(n, v + 1) for n, v in a[t]] == b[t]
        else:
            assert a[t] == b[t], t


@pytest.fixture(scope="module")
def source():
    """A demo site that has a row in every table, served once to gather views,
    sessions, revisions and an upload; stopped before it is copied."""
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "A.db")
        run_cli("demo", "--db", db)
        add_user(db, "chief@example.org", "admin", name="Chief Editor")
        srv = Server(db)
        try:
            bad = requests.Session()
            form = bad.get(srv.admin_url + "/login").text
            token = re.search(r'name="login_csrf" value="([0-9a-f]+)"', form).group(1)
            bad.post(srv.admin_url + "/login", data={"login_csrf": token,
                     "email": "chief@example.org", "password": "wrong password"})
            ed = Editor(srv, "chief@example.org")
            assert upload(ed, image_bytes("JPEG", size=(900, 600)), alt="Portrait").status_code == 303
            mid = srv.sql("SELECT MAX(id) FROM media")[0][0]
            uid = srv.sql("SELECT id FROM users WHERE email = 'chief@example.org'")[0][0]
            assert ed.post(f"/people/{uid}", {"name": "Chief Editor", "slug": "chief-editor",
                                              "bio": "Runs the desk.",
                                              "photo_media_id": str(mid)}).status_code == 303
            r = ed.save({"title": "Harbour reopens after storm", "status": "published",
                         "body": "The **harbour** reopened on Tuesday.", "tags": "port, storms"})
            assert r.status_code == 303, r.text
            aid = int(r.headers["Location"].rsplit("/", 1)[1])
            r = ed.save({"title": "Harbour reopens after the storm", "slug": "harbour-reopens",
                         "status": "published", "body": "The **harbour** reopened on Tuesday.",
                         "tags": "port, storms", "note": "Updated with the time."}, id=aid)
            assert r.status_code == 303, r.text
            page = ed.post("/account/tokens", {"name": "desk"})
            assert re.search(r'id="new-token">([0-9a-f]{64})<', page.text)
            posts = srv.get("/wp-json/wp/v2/posts").json()
            for p in posts[:3]:
                srv.get(urllib.parse.urlparse(p["link"]).path)
            cookies = ed.s.cookies.get_dict()
            time.sleep(1.5)  # page views and ad impressions are flushed
        finally:
            srv.stop()
        # Rows no request above makes: a section whose parent has a larger id
        # (parents are not simply first), and WordPress import records.
        top = dbq(db, "SELECT MAX(id) FROM categories")[0][0]
        dbq(db, "INSERT INTO categories (slug, name, position) VALUES ('ports', 'Ports', 7)")
        dbq(db, "UPDATE categories SET parent_id = (SELECT id FROM categories WHERE slug = 'ports')"
                " WHERE id = ?", (top,))
        dbq(db, "INSERT INTO wp_objects (kind, wp_key, guid, target_id, fingerprint)"
                " VALUES ('post', '4242', 'https://old.example/?p=4242', ?, 'abc')", (aid,))
        dbq(db, "INSERT INTO legacy_paths (path, kind, target_id)"
                " VALUES ('/2019/05/old-harbour-story/', 'article', ?)", (aid,))
        dbq(db, "INSERT INTO media_variants (media_id, width, format, data)"
                " SELECT id, 1, 'test', x'00ff00' FROM media WHERE id = ?", (mid,))
        empty = [t for t in TABLES if not dbq(db, f"SELECT COUNT(*) FROM {t}")[0][0]]
        assert not empty, empty
        yield {"db": db, "tmp": tmp, "cookies": cookies, "article": aid}


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request, source):
    """A URL for a database that does not exist yet (SQLite) or is new and empty (PostgreSQL)."""
    if request.param == "sqlite":
        path = os.path.join(source["tmp"], f"B-{uuid.uuid4().hex[:8]}.db")
        yield "sqlite:" + path
        for side in ("", "-wal", "-shm"):
            if os.path.exists(path + side):
                os.unlink(path + side)
        return
    if not PG:
        pytest.skip("DATELINE_TEST_PG is not set")
    import psycopg2
    name = "dateline_migrate_" + uuid.uuid4().hex[:12]
    admin = psycopg2.connect(PG)
    admin.autocommit = True
    admin.cursor().execute(f"CREATE DATABASE {name}")
    parts = urllib.parse.urlsplit(PG)
    try:
        yield urllib.parse.urlunsplit(parts._replace(path="/" + name))
    finally:
        admin.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def page(srv, path):
    """A page as a reader gets it, with what may differ between two servers
    of one site taken out: their addresses, and which creative of a slot
    fills an ad (drawn per request)."""
    r = srv.get(path)
    text = r.text.replace(srv.url, "http://site")
    return r.status_code, re.sub(r'<aside class="ad .*?</aside>', "", text, flags=re.S)


def test_migrate_copies_the_whole_site(source, target):
    src = "sqlite:" + source["db"]
    before = snapshot(src)
    t0 = time.time()
    out = run_cli("migrate", "--from", src, "--to", target)
    took = time.time() - t0
    line = out.stdout.strip()
    m = re.match(r"dateline migrate: (\S+) -> (\S+): (\d+) rows in (\d+) tables \((.*)\), (\d+)"
                 r" search entries rebuilt in [0-9.]+ s; every table's count matches", line)
    assert m, out.stdout + out.stderr
    assert int(m.group(3)) == sum(len(v) for v in before.values())
    assert int(m.group(4)) == len(TABLES)
    published = sum(1 for r in dbq(source["db"], "SELECT status FROM articles") if r[0] == "published")
    assert int(m.group(6)) == published
    print(f"\n{target.split(':')[0]}: {line} ({took:.2f} s wall)")
    after = snapshot(target)
    same_site(before, after)
    assert snapshot(src) == before  # the source is only read

    a = Server(source["db"])
    b = Server(target, logdir=source["tmp"])
    try:
        posts = a.get("/wp-json/wp/v2/posts").json()
        assert len(posts) > 3
        for path in ["/", "/search/?q=harbour", "/search/?q=%22the+harbour%22",
                     "/wp-json/wp/v2/posts", "/wp-json/wp/v2/posts?per_page=50&page=1",
                     "/wp-json/wp/v2/categories", "/feed/", "/author/chief-editor/",
                     "/sitemap.xml"] + [urllib.parse.urlparse(p["link"]).path for p in posts[:4]]:
            got = page(b, path)
            assert got[0] == 200, path
            assert got == page(a, path), path
        assert "Harbour reopens after the storm" in b.get("/search/?q=harbour").text
        # Old addresses: a changed slug, an imported site's path, /?p= of WordPress.
        for path in ("/2019/05/old-harbour-story/", "/?p=4242"):
            ra, rb = a.get(path), b.get(path)
            assert ra.status_code == rb.status_code == 301, path
            assert ra.headers["Location"] == rb.headers["Location"]
        # Media bytes and the responsive widths.
        chief = [u for u in before["users"] if u[1] == "chief@example.org"][0]
        photo = [m for m in before["media"] if m[0] == chief[-1]][0]
        ra, rb = a.get(f"/media/{photo[0]}/{photo[1]}"), b.get(f"/media/{photo[0]}/{photo[1]}")
        assert ra.status_code == rb.status_code == 200 and ra.content == rb.content
        assert f'src="/media/{photo[0]}/' in b.get("/author/chief-editor/").text
        # The account logs in on the copy, and the session made on the source is still good.
        ed = Editor(b, "chief@example.org", PASSWORD)
        old = requests.Session()
        old.cookies.update(source["cookies"])
        assert old.get(b.admin_url + "/account", allow_redirects=False).status_code == 200
        # New rows get new ids past the copied ones (the generators moved).
        r = ed.save({"title": "First story on the new database", "status": "published",
                     "body": "Fresh."})
        assert r.status_code == 303, r.text
        new_id = int(r.headers["Location"].rsplit("/", 1)[1])
        assert new_id > max(r[0] for r in before["articles"])
        r = ed.post("/categories", {"name": "New desk", "slug": "new-desk", "description": ""})
        assert r.status_code == 303, r.text
        assert "First story on the new database" in b.get("/search/?q=fresh").text
    finally:
        a.stop()
        b.stop()

    # A second copy into a site is refused, and changes nothing.
    mid_state = snapshot(target)
    p = run_cli("migrate", "--from", src, "--to", target, check=False)
    assert p.returncode == 1
    lines = [ln for ln in p.stderr.splitlines() if "dateline migrate" in ln]
    assert len(lines) == 1 and "already holds a site" in lines[0] and "--force" in lines[0], p.stderr
    password = urllib.parse.urlsplit(target).password if "://" in target else None
    assert not password or password not in p.stderr
    assert snapshot(target) == mid_state

    # --force replaces it with the source as it is now.
    add_user(source["db"], f"late-{uuid.uuid4().hex[:6]}@example.org", "author", name="Late Arrival")
    now = snapshot(src)
    p = run_cli("migrate", "--from", src, "--to", target, "--force")
    assert "every table's count matches" in p.stdout
    copied = snapshot(target)
    same_site(now, copied)

    # And back again: the copy read through its own driver into a new SQLite file.
    back = os.path.join(source["tmp"], f"C-{uuid.uuid4().hex[:8]}.db")
    run_cli("migrate", "--from", target, "--to", back)
    same_site(copied, snapshot(back))

    # One database under two names is refused, not waited for.
    alias = (target[len("sqlite:"):] if target.startswith("sqlite:")
             else target + "?application_name=dateline-alias")
    p = run_cli("migrate", "--from", target, "--to", alias, "--force", check=False)
    assert p.returncode == 1 and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert "same database" in p.stderr or "one database" in p.stderr, p.stderr
    assert snapshot(target) == copied


def test_bad_input_changes_nothing(source, target):
    src = "sqlite:" + source["db"]
    missing = os.path.join(source["tmp"], "no-such-site.db")
    cases = [
        (["--from", "sqlite:" + missing, "--to", target], "no-such-site.db"),
        (["--from", src], "--to"),
        (["--to", target], "--from"),
        (["--from", src, "--to", target, "--frobnicate"], "--frobnicate"),
        (["--from", src, "--to", target, "extra"], "extra"),
        (["--from", src, "--to", src], "same database"),
        (["--from", "postgresql://someone:s3cret-pw@127.0.0.1:1/nothing", "--to", target],
         "127.0.0.1:1/nothing"),
    ]
    junk = os.path.join(source["tmp"], "junk.db")
    with open(junk, "w") as f:
        f.write("this is not a database at all, just text" * 50)
    cases.append((["--from", junk, "--to", target], "junk.db"))
    if target.startswith("postgresql://"):
        cases.append((["--from", src, "--to", target.rsplit("/", 1)[0] + "/no_such_db_here"],
                       "no_such_db_here"))
    before = snapshot(src)
    for args, named in cases:
        p = run_cli("migrate", *args, check=False)
        assert p.returncode == 1, (args, p.stdout, p.stderr)
        assert named in p.stderr, (args, p.stderr)
        assert "s3cret-pw" not in p.stderr + p.stdout
        assert len(p.stderr.strip().splitlines()) == 1, (args, p.stderr)
        assert not p.stdout
    assert not os.path.exists(missing)
    assert snapshot(src) == before
    if target.startswith("sqlite:"):
        assert not os.path.exists(target[len("sqlite:"):])
    else:
        import psycopg2
        con = psycopg2.connect(target)
        try:
            cur = con.cursor()
            cur.execute("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'")
            assert cur.fetchone()[0] == 0
        finally:
            con.close()
    help_ = run_cli("migrate", "--help")
    assert "--from" in help_.stdout and "--force" in help_.stdout


def test_a_row_the_target_refuses_changes_nothing(source, target):
    """A source whose last table has a dangling reference (SQLite let it in with
    foreign keys off): the target refuses that row, and the copy rolls back whole."""
    bad = os.path.join(source["tmp"], f"dangling-{uuid.uuid4().hex[:8]}.db")
    src = sqlite3.connect(source["db"])
    dst = sqlite3.connect(bad)
    src.backup(dst)
    src.close()
    dst.execute("PRAGMA foreign_keys = OFF")
    dst.execute("INSERT INTO slug_redirects (slug, article_id) VALUES ('gone-story', 999999)")
    dst.commit()
    dst.close()
    p = run_cli("migrate", "--from", bad, "--to", target, check=False)
    assert p.returncode == 1, p.stdout
    assert "slug_redirects" in p.stderr and "nothing was changed" in p.stderr, p.stderr
    assert not p.stdout
    if target.startswith("sqlite:"):
        assert not os.path.exists(target[len("sqlite:"):])
    else:
        # Migrated (as serve would), but not one row of the site went in.
        assert rows(target, "users") == [] and rows(target, "articles") == []
        assert [r[0] for r in rows(target, "categories")] == [1]
        # and a copy after it works.
        run_cli("migrate", "--from", "sqlite:" + source["db"], "--to", target)
        assert len(rows(target, "articles")) == len(rows("sqlite:" + source["db"], "articles"))
