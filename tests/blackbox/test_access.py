"""Every editorial route, as every role and as nobody: who is refused is exactly who
should be (a table over the whole route list), and a refusal changes nothing."""
import re
import tempfile

import pytest
import requests

from conftest import Server, make_demo_db
from test_admin import Editor, add_user

ROLES = ("contributor", "author", "editor", "admin")
# The least role allowed; None: any logged-in person.
ROUTES = [
    ("GET", "/", None), ("GET", "/articles", None), ("GET", "/articles/new", None),
    ("GET", "/account", None), ("POST", "/preview", None), ("GET", "/media", None),
    ("POST", "/media", "author"),
    ("GET", "/categories", "editor"), ("POST", "/categories", "editor"),
    ("POST", "/categories/2", "editor"), ("POST", "/categories/99/delete", "editor"),
    ("GET", "/tags", "editor"), ("POST", "/tags/1", "editor"), ("POST", "/tags/999/delete", "editor"),
    ("GET", "/ads", "editor"), ("GET", "/ads/new", "editor"), ("GET", "/ads/1", "editor"),
    ("POST", "/ads", "editor"), ("POST", "/ads/1", "editor"),
    ("POST", "/media/1", "author"),
    ("GET", "/settings", "admin"), ("POST", "/settings", "admin"),
    ("GET", "/people", "admin"), ("POST", "/people", "admin"), ("POST", "/people/1", "admin"),
    ("GET", "/audit", "admin"),
    ("GET", "/api/v1/me", None), ("GET", "/api/v1/articles", None), ("GET", "/api/v1/tags", None),
    ("GET", "/api/v1/categories", None), ("GET", "/api/v1/media", None),
    ("POST", "/api/v1/media", "author"),
    ("GET", "/api/v1/settings", "admin"), ("POST", "/api/v1/settings", "admin"),
    ("GET", "/api/v1/ads", "editor"), ("POST", "/api/v1/categories", "editor"),
    ("DELETE", "/api/v1/categories/99", "editor"), ("DELETE", "/api/v1/tags/999", "editor"),
    ("GET", "/api/v1/people", "admin"), ("POST", "/api/v1/people", "admin"),
    ("GET", "/api/v1/audit", "admin"), ("GET", "/api/v1/dashboard", None),
]


def allowed(role, least):
    return least is None or ROLES.index(role) >= ROLES.index(least)


@pytest.fixture(scope="module")
def newsroom():
    with tempfile.TemporaryDirectory() as tmp:
        db = make_demo_db(tmp)
        for role in ROLES:
            add_user(db, f"{role}@example.org", role)
        srv = Server(db)
        srv.editors = {role: Editor(srv, f"{role}@example.org") for role in ROLES}
        try:
            yield srv
        finally:
            srv.stop()


def snapshot(srv):
    """Everything a refused request could have touched."""
    return [srv.sql(q) for q in (
        "SELECT * FROM settings ORDER BY name", "SELECT * FROM categories ORDER BY id",
        "SELECT * FROM tags ORDER BY id", "SELECT id, name, html, weight, active FROM ad_creatives",
        "SELECT id, email, role, name FROM users ORDER BY id", "SELECT id, alt FROM media",
        "SELECT COUNT(*) FROM articles")]


def call(ed, method, path, as_api):
    # An empty body: an allowed caller gets a validation answer, never a change.
    if path.startswith("/api/"):
        return ed.s.request(method, ed.url(path), json={}, allow_redirects=False,
                            headers={"X-CSRF-Token": ed.csrf})
    data = {"csrf": ed.csrf} if method == "POST" else None
    if path == "/media" and method == "POST":
        return ed.s.post(ed.url(path), files={"csrf": (None, ed.csrf)}, allow_redirects=False)
    return ed.s.request(method, ed.url(path), data=data, allow_redirects=False)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_as_every_role(newsroom, role):
    ed = newsroom.editors[role]
    for method, path, least in ROUTES:
        before = snapshot(newsroom)
        r = call(ed, method, path, path.startswith("/api/"))
        if allowed(role, least):
            assert r.status_code not in (401, 403), (role, method, path, r.status_code, r.text[:300])
        else:
            assert r.status_code == 403, (role, method, path, r.status_code)
            assert snapshot(newsroom) == before, (role, method, path)


def test_every_route_without_a_login(newsroom):
    before = snapshot(newsroom)
    for method, path, _ in ROUTES:
        r = requests.request(method, newsroom.admin_url + path, allow_redirects=False,
                             data={"title": "x"})
        if method == "GET" and not path.startswith("/api/"):
            assert r.status_code == 303 and r.headers["Location"] == "/login", path
        else:
            assert r.status_code == 401, (method, path, r.status_code)
    assert snapshot(newsroom) == before


def test_editing_someone_elses_article(newsroom):
    """Object-level checks: a role that may edit its own may not edit another's."""
    owner = newsroom.editors["author"]
    r = owner.save({"title": "Author's own draft"})
    aid = int(re.search(r"/articles/(\d+)$", r.headers["Location"]).group(1))
    intruder = newsroom.editors["contributor"]
    before = snapshot(newsroom)
    for method, path in (("GET", f"/articles/{aid}"), ("POST", f"/articles/{aid}"),
                         ("POST", f"/articles/{aid}/delete"), ("GET", f"/articles/{aid}/revisions"),
                         ("GET", f"/api/v1/articles/{aid}"), ("PATCH", f"/api/v1/articles/{aid}"),
                         ("DELETE", f"/api/v1/articles/{aid}")):
        if path.startswith("/api/"):
            r = intruder.s.request(method, intruder.url(path), json={"title": "Taken"},
                                   headers={"X-CSRF-Token": intruder.csrf})
        else:
            r = intruder.s.request(method, intruder.url(path), allow_redirects=False,
                                   data={"csrf": intruder.csrf, "title": "Taken"})
        assert r.status_code == 403, (method, path, r.status_code)
    assert snapshot(newsroom) == before
    assert newsroom.sql("SELECT title FROM articles WHERE id = ?", (aid,))[0][0] == "Author's own draft"
