"""The editorial plane over real HTTP: login, CSRF, roles, the editor's rules,
the scheduler, revisions and the JSON API."""
import datetime
import os
import re
import socket
import subprocess
import tempfile
import time

import pytest
import requests

from conftest import BIN, Server, make_demo_db

PASSWORD = "correct horse battery"


def add_user(db, email, role, password=PASSWORD, name=None):
    args = [BIN, "user", "add", "--db", db, "--role", role, "--password-stdin", email]
    if name:
        args[3:3] = ["--name", name]
    proc = subprocess.run(args, input=password + "\n", capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return int(re.search(r"user (\d+)", proc.stdout).group(1))


class Editor:
    """A browser-like client of the editorial plane."""

    def __init__(self, srv, email, password=PASSWORD):
        self.srv = srv
        self.s = requests.Session()
        self.email = email
        self.csrf = None
        r = self.login(password)
        assert r.status_code == 303, r.text
        self.refresh_csrf()

    def url(self, path):
        return self.srv.admin_url + path

    def login(self, password):
        form = self.s.get(self.url("/login"))
        token = re.search(r'name="login_csrf" value="([0-9a-f]+)"', form.text).group(1)
        return self.s.post(self.url("/login"), data={
            "login_csrf": token, "email": self.email, "password": password},
            allow_redirects=False)

    def refresh_csrf(self):
        page = self.s.get(self.url("/account"))
        assert page.status_code == 200, page.text
        self.csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)

    def get(self, path, **kw):
        kw.setdefault("allow_redirects", False)
        return self.s.get(self.url(path), **kw)

    def post(self, path, data=None, csrf=True, **kw):
        data = dict(data or {})
        if csrf:
            data["csrf"] = self.csrf
        kw.setdefault("allow_redirects", False)
        return self.s.post(self.url(path), data=data, **kw)

    def save(self, data, id=None):
        fields = {"title": "", "dek": "", "slug": "", "body": "", "tags": "", "status": "draft",
                  "category": "1", "publish_at": "", "seo_title": "", "seo_description": "",
                  "note": ""}
        fields.update(data)
        return self.post(f"/articles/{id}" if id else "/articles", fields)


def too_large_answer(srv, ed, path, length=40_000_000):
    """Announce a body over the limit and send none of it: the answer comes at once."""
    host, port = srv.admin_url[len("http://"):].split(":")
    cookie = "; ".join(f"{c.name}={c.value}" for c in ed.s.cookies)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n"
                     "Content-Type: application/x-www-form-urlencoded\r\n"
                     f"Content-Length: {length}\r\n\r\n".encode())
        return sock.recv(65536)


def created_id(r):
    assert r.status_code == 303, r.text
    return int(re.search(r"/articles/(\d+)$", r.headers["Location"]).group(1))


@pytest.fixture(scope="module")
def newsroom():
    """The demo site with one account per role, served for the module."""
    with tempfile.TemporaryDirectory() as tmp:
        db = make_demo_db(tmp)
        ids = {role: add_user(db, f"{role}@example.org", role, name=f"Test {role.title()}")
               for role in ("admin", "editor", "author", "contributor")}
        srv = Server(db)
        srv.ids = ids
        try:
            yield srv
        finally:
            srv.stop()


def count_articles(srv):
    return srv.sql("SELECT COUNT(*) FROM articles")[0][0]


def test_editorial_plane_is_not_on_the_public_listener(newsroom):
    for path in ("/login", "/api/v1/me", "/articles", "/account"):
        assert newsroom.get(path, allow_redirects=True).status_code == 404
    assert newsroom.admin_url != newsroom.url


def test_login_page_and_cookie_flags(newsroom):
    r = requests.get(newsroom.admin_url + "/", allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/login"
    ed = Editor(newsroom, "admin@example.org")
    cookie = [c for c in ed.s.cookies if c.name == "dl_session"][0]
    assert len(cookie.value) == 64
    login = requests.Session()
    form = login.get(newsroom.admin_url + "/login")
    token = re.search(r'name="login_csrf" value="([0-9a-f]+)"', form.text).group(1)
    r = login.post(newsroom.admin_url + "/login", data={
        "login_csrf": token, "email": "admin@example.org", "password": PASSWORD},
        allow_redirects=False)
    header = r.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Strict" in header
    assert r.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert r.headers["X-Frame-Options"] == "DENY"
    # Only the hash of the token is stored.
    stored = [row[0] for row in newsroom.sql("SELECT token_hash FROM sessions")]
    assert cookie.value not in stored


def test_bad_logins_get_one_message_and_are_throttled(newsroom):
    s = requests.Session()

    def attempt(email, password):
        form = s.get(newsroom.admin_url + "/login")
        token = re.search(r'name="login_csrf" value="([0-9a-f]+)"', form.text).group(1)
        return s.post(newsroom.admin_url + "/login", data={
            "login_csrf": token, "email": email, "password": password}, allow_redirects=False)

    unknown = attempt("nobody@example.org", "whatever-password")
    wrong = attempt("author@example.org", "wrong-password")
    assert unknown.status_code == wrong.status_code == 401
    msg = re.compile(r'<p class="error" role="alert">([^<]*)</p>')
    assert msg.search(unknown.text).group(1) == msg.search(wrong.text).group(1)
    for _ in range(4):
        assert attempt("author@example.org", "wrong-password").status_code == 401
    # Five failures: even the right password waits now.
    r = attempt("author@example.org", PASSWORD)
    assert r.status_code == 429 and "Retry-After" in r.headers
    newsroom.sql("DELETE FROM login_failures")
    assert attempt("author@example.org", PASSWORD).status_code == 303


def test_login_form_needs_its_token(newsroom):
    r = requests.post(newsroom.admin_url + "/login", data={
        "email": "admin@example.org", "password": PASSWORD}, allow_redirects=False)
    assert r.status_code == 403
    assert "dl_session" not in r.headers.get("Set-Cookie", "")


def test_session_is_new_at_login(newsroom):
    planted = "a" * 64
    s = requests.Session()
    s.cookies.set("dl_session", planted)
    form = s.get(newsroom.admin_url + "/login")
    token = re.search(r'name="login_csrf" value="([0-9a-f]+)"', form.text).group(1)
    r = s.post(newsroom.admin_url + "/login", data={
        "login_csrf": token, "email": "editor@example.org", "password": PASSWORD},
        allow_redirects=False)
    assert r.status_code == 303
    issued = re.search(r"dl_session=([0-9a-f]{64})", r.headers["Set-Cookie"]).group(1)
    assert issued != planted


def test_forms_without_csrf_change_nothing(newsroom):
    ed = Editor(newsroom, "admin@example.org")
    before = count_articles(newsroom)
    for data in ({"title": "Forged"}, {"title": "Forged", "csrf": "0" * 64}):
        r = ed.s.post(ed.url("/articles"), data=data, allow_redirects=False)
        assert r.status_code == 403 and "csrf" in r.text
    r = requests.post(ed.url("/articles"), data={"title": "No session"}, allow_redirects=False)
    assert r.status_code == 401
    assert count_articles(newsroom) == before


def test_write_publish_and_see_it_on_the_public_site(newsroom):
    ed = Editor(newsroom, "editor@example.org")
    r = ed.save({"title": "Harbour board approves new ferry terminal",
                 "dek": "A vote of 7 to 2", "body": "The board *voted* on Tuesday.\n\nMore text.",
                 "tags": "Ferries, Harbour board", "status": "published", "category": "2"})
    aid = created_id(r)
    slug, cat = newsroom.sql("SELECT a.slug, c.slug FROM articles a JOIN categories c "
                             "ON c.id = a.category_id WHERE a.id = ?", (aid,))[0]
    assert slug == "harbour-board-approves-new-ferry-terminal"
    page = newsroom.get(f"/{cat}/{slug}/")
    assert page.status_code == 200
    assert "<em>voted</em>" in page.text and "Harbour board" in page.text
    home = newsroom.get("/")
    assert "Harbour board approves new ferry terminal" in home.text
    # The audit log names who, what and from where.
    row = newsroom.sql("SELECT actor, action, object, address FROM audit_log "
                       "WHERE object = ?", (f"article:{aid}",))[0]
    assert row == ("editor@example.org", "article.create", f"article:{aid}", "127.0.0.1")


@pytest.mark.parametrize("data,field,status", [
    ({"title": ""}, "title", 422),
    ({"title": "x" * 301}, "title", 422),
    ({"title": "Line\tbreak"}, "title", 422),
    ({"title": "Bad slug", "slug": "Not A Slug"}, "slug", 422),
    ({"title": "Script", "body": "<script>alert(1)</script>"}, "body", 422),
    ({"title": "Handler", "body": '<img src="x" onerror="alert(1)">'}, "body", 422),
    ({"title": "JS URL", "body": '[x](javascript:alert(1))'}, "body", 422),
    ({"title": "Past", "status": "scheduled", "publish_at": "2001-01-01T10:00"}, "publish_at", 422),
    ({"title": "No time", "status": "scheduled"}, "publish_at", 422),
    ({"title": "Bad time", "status": "published", "publish_at": "tomorrow"}, "publish_at", 422),
    ({"title": "Bad status", "status": "live"}, "status", 422),
    ({"title": "Bad section", "category": "99999"}, "category", 422),
    ({"title": "Too many tags", "tags": ",".join(f"t{i}" for i in range(21))}, "tags", 422),
])
def test_bad_articles_are_refused_by_field(newsroom, data, field, status):
    ed = Editor(newsroom, "admin@example.org")
    before = count_articles(newsroom)
    r = ed.save(data)
    assert r.status_code == status, r.text
    assert f"<strong>{field}</strong>" in r.text
    # The form comes back with what was typed.
    if data.get("title"):
        assert re.search(r'name="title" value="([^"]*)"', r.text)
    assert count_articles(newsroom) == before


def test_duplicate_slug_is_a_conflict(newsroom):
    ed = Editor(newsroom, "admin@example.org")
    created_id(ed.save({"title": "Unique story", "slug": "unique-story-slug"}))
    before = count_articles(newsroom)
    r = ed.save({"title": "Another", "slug": "unique-story-slug"})
    assert r.status_code == 409 and "<strong>slug</strong>" in r.text
    assert count_articles(newsroom) == before


def test_roles(newsroom):
    contributor = Editor(newsroom, "contributor@example.org")
    author = Editor(newsroom, "author@example.org")
    editor = Editor(newsroom, "editor@example.org")
    before = count_articles(newsroom)
    # A contributor writes drafts and submits them, never publishes.
    r = contributor.save({"title": "Contributor piece", "status": "published"})
    assert r.status_code == 403
    assert count_articles(newsroom) == before
    cid = created_id(contributor.save({"title": "Contributor piece", "status": "review"}))
    assert "published" not in re.findall(r'<option value="(\w+)"', contributor.get(
        f"/articles/{cid}").text)
    # An author cannot touch someone else's article; an editor can publish it.
    assert author.get(f"/articles/{cid}").status_code == 403
    assert author.save({"title": "Hijack"}, id=cid).status_code == 403
    r = editor.save({"title": "Contributor piece", "status": "published"}, id=cid)
    assert r.status_code == 303
    # Once published it is out of the contributor's hands.
    assert contributor.save({"title": "Changed"}, id=cid).status_code == 403
    assert newsroom.sql("SELECT title, status FROM articles WHERE id = ?", (cid,))[0] == (
        "Contributor piece", "published")
    # An author publishes their own.
    aid = created_id(author.save({"title": "Author piece", "status": "published"}))
    assert newsroom.sql("SELECT status FROM articles WHERE id = ?", (aid,))[0][0] == "published"
    # Pins are for editors: an author's attempt is refused.
    r = author.save({"title": "Author piece", "status": "published", "pinned": "1"}, id=aid)
    assert newsroom.sql("SELECT pinned_at FROM articles WHERE id = ?", (aid,))[0][0] is None
    # Admin pages are for admins.
    for page in ("/people", "/audit"):
        assert editor.get(page).status_code == 403
        assert contributor.get(page).status_code == 403
    admin = Editor(newsroom, "admin@example.org")
    assert admin.get("/people").status_code == 200 and admin.get("/audit").status_code == 200


def test_revisions_diff_and_restore(newsroom):
    ed = Editor(newsroom, "editor@example.org")
    aid = created_id(ed.save({"title": "Revised story", "body": "First version.\nSame line."}))
    ed.save({"title": "Revised story", "body": "Second version.\nSame line."}, id=aid)
    revs = newsroom.sql("SELECT id FROM revisions WHERE article_id = ? ORDER BY id", (aid,))
    assert len(revs) == 2
    listing = ed.get(f"/articles/{aid}/revisions")
    assert listing.status_code == 200 and listing.text.count("/restore") == 1
    diff = ed.get(f"/revisions/{revs[0][0]}")
    assert '<span class="d-added">First version.</span>' in diff.text
    assert '<span class="d-removed">Second version.</span>' in diff.text
    r = ed.post(f"/revisions/{revs[0][0]}/restore")
    assert r.status_code == 303
    assert newsroom.sql("SELECT body_source FROM articles WHERE id = ?", (aid,))[0][0] == \
        "First version.\nSame line."
    assert len(newsroom.sql("SELECT id FROM revisions WHERE article_id = ?", (aid,))) == 3


def test_changed_slug_redirects_and_note_shows(newsroom):
    ed = Editor(newsroom, "editor@example.org")
    aid = created_id(ed.save({"title": "Old headline here", "status": "published",
                              "category": "2", "body": "Body."}))
    cat = newsroom.sql("SELECT c.slug FROM articles a JOIN categories c ON c.id = a.category_id "
                       "WHERE a.id = ?", (aid,))[0][0]
    assert newsroom.get(f"/{cat}/old-headline-here/").status_code == 200
    r = ed.save({"title": "New headline", "slug": "new-headline-here", "status": "published",
                 "category": "2", "body": "Body.", "note": "Correction: an earlier version "
                 "misspelled the harbour master's name.", "seo_title": "SEO headline"}, id=aid)
    assert r.status_code == 303
    old = newsroom.get(f"/{cat}/old-headline-here/")
    assert old.status_code == 301 and old.headers["Location"] == f"/{cat}/new-headline-here/"
    page = newsroom.get(f"/{cat}/new-headline-here/")
    assert "misspelled the harbour master" in page.text and 'class="story-note"' in page.text
    assert "<title>SEO headline" in page.text
    # The old slug stays reserved for the redirect.
    assert ed.save({"title": "Squatter", "slug": "old-headline-here"}).status_code == 409


def test_scheduled_article_appears_on_time_with_no_traffic(newsroom):
    ed = Editor(newsroom, "editor@example.org")
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=3)
    r = ed.s.post(ed.url("/api/v1/articles"), json={
        "title": "Scheduled for three seconds", "body": "On time.", "status": "scheduled",
        "category_id": 2, "publish_at": when.strftime("%Y-%m-%dT%H:%M:%SZ")},
        headers={"X-CSRF-Token": ed.csrf})
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    due = int(when.timestamp())
    # Nothing reads the site meanwhile: the timer alone must publish it.
    while time.time() < due + 1.5:
        time.sleep(0.1)
    status, published_at = newsroom.sql(
        "SELECT status, published_at FROM articles WHERE id = ?", (aid,))[0]
    assert status == "published" and published_at == due
    cat = newsroom.sql("SELECT c.slug FROM categories c WHERE c.id = 2")[0][0]
    assert "Scheduled for three seconds" in newsroom.get("/").text
    assert "Scheduled for three seconds" in newsroom.get(f"/category/{cat}/").text


def test_overdue_articles_publish_at_start():
    with tempfile.TemporaryDirectory() as tmp:
        db = make_demo_db(tmp)
        add_user(db, "ed@example.org", "editor")
        srv = Server(db, ["--no-scheduler"])
        try:
            ed = Editor(srv, "ed@example.org")
            when = int(time.time()) + 2
            r = ed.s.post(ed.url("/api/v1/articles"), json={
                "title": "Overdue while down", "status": "scheduled",
                "publish_at": datetime.datetime.fromtimestamp(
                    when, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")},
                headers={"X-CSRF-Token": ed.csrf})
            assert r.status_code == 201, r.text
            aid = r.json()["id"]
        finally:
            srv.stop()
        time.sleep(max(0, when + 1 - time.time()))
        assert srv.sql("SELECT status FROM articles WHERE id = ?", (aid,))[0][0] == "scheduled"
        srv = Server(db)
        try:
            deadline = time.time() + 3
            while time.time() < deadline and srv.sql(
                    "SELECT status FROM articles WHERE id = ?", (aid,))[0][0] != "published":
                time.sleep(0.1)
            assert srv.sql("SELECT status, published_at FROM articles WHERE id = ?",
                           (aid,))[0] == ("published", when)
        finally:
            srv.stop()


def test_api_tokens_and_json_errors(newsroom):
    ed = Editor(newsroom, "author@example.org")
    page = ed.post("/account/tokens", {"name": "wire importer"})
    assert page.status_code == 201
    token = re.search(r'id="new-token">([0-9a-f]{64})<', page.text).group(1)
    assert token not in [r[0] for r in newsroom.sql("SELECT token_hash FROM api_tokens")]
    api = requests.Session()
    api.headers["Authorization"] = "Bearer " + token
    base = newsroom.admin_url + "/api/v1"
    me = api.get(base + "/me").json()
    assert me["email"] == "author@example.org" and me["role"] == "author"
    r = api.post(base + "/articles", json={"title": "From the API", "tags": ["wire", "api"],
                                           "status": "published", "body": "Hello."})
    assert r.status_code == 201 and r.headers["Location"].startswith("/api/v1/articles/")
    art = r.json()
    assert art["tags"] == ["wire", "api"] and art["url"].endswith("/from-the-api/")
    assert requests.get(art["url"]).status_code == 200
    r = api.patch(base + f"/articles/{art['id']}", json={"dek": "Now with a dek"})
    assert r.status_code == 200 and r.json()["dek"] == "Now with a dek"
    assert r.json()["title"] == "From the API"
    errors = [
        (api.post(base + "/articles", json={"title": "x", "colour": "red"}), 422, "colour"),
        (api.post(base + "/articles", json={"title": 5}), 422, "title"),
        (api.post(base + "/articles", json=["not", "an", "object"]), 400, None),
        (api.post(base + "/articles", data="{broken", headers={
            "Content-Type": "application/json"}), 400, None),
        (api.post(base + "/articles", data="title=x"), 415, None),
        (api.post(base + "/articles", json={"title": "x", "status": "published",
                                            "author_id": newsroom.ids["editor"]}), 403, "author"),
        (api.get(base + "/articles?colour=red"), 400, "colour"),
        (api.get(base + "/articles/999999"), 404, None),
        (api.get(base + "/nothing-here"), 404, None),
    ]
    for r, status, field in errors:
        assert r.status_code == status, r.text
        body = r.json()["error"]
        assert body["status"] == status and body["field"] == field and body["message"]
    bad = requests.get(base + "/me", headers={"Authorization": "Bearer " + "0" * 64})
    assert bad.status_code == 401 and bad.json()["error"]["message"]
    tid = newsroom.sql("SELECT id FROM api_tokens WHERE name = 'wire importer'")[0][0]
    assert ed.post(f"/account/tokens/{tid}/delete").status_code == 303
    assert api.get(base + "/me").status_code == 401
    r = api.delete(base + f"/articles/{art['id']}")
    assert r.status_code == 401


def test_password_change_and_logout_everywhere_end_other_sessions(newsroom):
    add_user(newsroom.db, "mover@example.org", "author")
    first = Editor(newsroom, "mover@example.org")
    second = Editor(newsroom, "mover@example.org")
    r = first.post("/logout-everywhere")
    assert r.status_code == 303
    assert second.get("/").status_code == 303  # back to the login page
    assert first.get("/").status_code == 200
    third = Editor(newsroom, "mover@example.org")
    r = first.post("/account/password", {"current": PASSWORD, "password": "a brand new secret"})
    assert r.status_code == 303
    assert third.get("/").status_code == 303
    assert first.get("/").status_code == 200
    assert Editor(newsroom, "mover@example.org", "a brand new secret").get("/").status_code == 200
    r = first.post("/account/password", {"current": "wrong one", "password": "another secret"})
    assert r.status_code == 403
    r = first.post("/logout")
    assert r.status_code == 303 and first.get("/").status_code == 303


def test_people_admin_creates_accounts(newsroom):
    admin = Editor(newsroom, "admin@example.org")
    r = admin.post("/people", {"name": "New Reporter", "email": "new@example.org",
                               "role": "author"})
    assert r.status_code == 201
    pw = re.search(r'<code class="secret">([0-9a-f]{20})</code>', r.text).group(1)
    assert Editor(newsroom, "new@example.org", pw).get("/").status_code == 200
    r = admin.post("/people", {"name": "Dup", "email": "new@example.org", "role": "author"})
    assert r.status_code == 409
    r = admin.post("/people", {"name": "Bad", "email": "not-an-email", "role": "author"})
    assert r.status_code == 422
    r = admin.post("/people", {"name": "Bad", "email": "x@example.org", "role": "overlord"})
    assert r.status_code == 422


def test_dashboard_and_preview(newsroom):
    ed = Editor(newsroom, "editor@example.org")
    dash = ed.get("/")
    assert dash.status_code == 200
    assert '<svg class="chart"' in dash.text and dash.text.count("<rect ") == 30
    r = ed.post("/preview", {"body": "Hello <b onclick=\"x()\">world</b> \"quoted\""})
    assert r.status_code == 200
    assert "onclick" not in r.text and "<b>world</b>" in r.text and "\u201cquoted\u201d" in r.text
    assert ed.post("/preview", {"body": "x"}, csrf=False).status_code == 403


def test_form_bodies_are_checked(newsroom):
    ed = Editor(newsroom, "admin@example.org")
    for body in (b"title=%ZZ", b"title=%C3%28", b"title=a%00b"):
        r = ed.s.post(ed.url("/articles"), data=body, allow_redirects=False,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 400, body
    assert too_large_answer(newsroom, ed, "/articles").startswith(b"HTTP/1.1 413 ")
    # Still serving.
    assert ed.get("/").status_code == 200


def test_article_list_filters(newsroom):
    ed = Editor(newsroom, "editor@example.org")
    author_id = newsroom.ids["author"]
    page = ed.get("/articles")
    assert '<select name="author">' in page.text
    mine = ed.get(f"/articles?author={author_id}&status=published").text
    expected = newsroom.sql("SELECT COUNT(*) FROM articles WHERE author_id = ? AND status = "
                            "'published'", (author_id,))[0][0]
    assert f"<p>{expected} articles</p>" in mine
    assert ed.get("/articles?status=bogus").status_code == 400
    assert ed.get("/articles?colour=red").status_code == 400
    # Without the right to edit others', the list is one's own and has no author filter.
    contributor = Editor(newsroom, "contributor@example.org")
    own = contributor.get("/articles")
    assert '<select name="author">' not in own.text
    count = newsroom.sql("SELECT COUNT(*) FROM articles WHERE author_id = ?",
                         (newsroom.ids["contributor"],))[0][0]
    assert f"<p>{count} articles</p>" in own.text


def test_editor_offers_the_library(newsroom):
    ed = Editor(newsroom, "editor@example.org")
    page = ed.get("/articles/new").text
    assert '<select name="featured_media_id">' in page
    first = newsroom.sql("SELECT id FROM media ORDER BY id DESC LIMIT 1")[0][0]
    assert f'<option value="{first}">#{first} ' in page


def test_related_news_follows_publishes_and_unpublishes_at_once(newsroom):
    """Related News' in-memory index takes each write as it happens: a story
    published a moment ago is related at once, an unpublished one never again."""
    ed = Editor(newsroom, "editor@example.org")

    def publish(title, body):
        r = ed.s.post(ed.url("/api/v1/articles"), json={
            "title": title, "body": body, "status": "published", "category_id": 2},
            headers={"X-CSRF-Token": ed.csrf})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def related(aid):
        return [r[0] for r in newsroom.sql(
            "SELECT related_id FROM article_related WHERE article_id = ? ORDER BY position",
            (aid,))]

    first = publish("Lighthouse keeper retires after the foghorn falls silent",
                    "The lighthouse keeper climbed the tower and wound the foghorn lens mechanism "
                    "for the last time; the lighthouse foghorn now runs unattended.")
    second = publish("Foghorn returns to the lighthouse on the headland",
                     "Engineers restored the lighthouse foghorn and the lens mechanism the keeper "
                     "had wound for forty years.")
    assert related(second)[:1] == [first]
    # The older story's stored list is refreshed in the background to include the new one.
    deadline = time.time() + 10
    while second not in related(first) and time.time() < deadline:
        time.sleep(0.1)
    assert related(first)[:1] == [second]
    assert ed.s.patch(ed.url(f"/api/v1/articles/{first}"), json={"status": "unpublished"},
                      headers={"X-CSRF-Token": ed.csrf}).status_code == 200
    third = publish("Lighthouse foghorn keeper lens mechanism",
                    "The lighthouse keeper, the foghorn and the lens mechanism, once more.")
    assert first not in related(third)
    assert related(third)[:1] == [second]
    log = open(newsroom.stderr_path).read()
    assert re.search(r"Related News index: \d+ articles, \d+ KiB, filled in", log), log
    # Operators see the index and the keeper's remaining work; it finishes the lists.
    def gauge(name):
        text = ed.s.get(newsroom.admin_url + "/metrics").text
        m = re.search(rf"^{name} (\S+)$", text, re.M)
        return float(m.group(1)) if m else None
    deadline = time.time() + 10
    while gauge("dateline_related_lists_missing") != 0 and time.time() < deadline:
        time.sleep(0.2)
    assert gauge("dateline_related_lists_missing") == 0
    assert gauge("dateline_related_index_articles") >= 2
