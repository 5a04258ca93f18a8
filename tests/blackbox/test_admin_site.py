"""Settings, sections and ads managed from the editorial plane, visible on the
public site at once; bad input refused by field."""
import re
import tempfile
import time

import pytest

from conftest import Server, make_demo_db
from test_admin import Editor, add_user


@pytest.fixture(scope="module")
def newsroom():
    with tempfile.TemporaryDirectory() as tmp:
        db = make_demo_db(tmp)
        add_user(db, "admin@example.org", "admin")
        add_user(db, "editor@example.org", "editor")
        add_user(db, "author@example.org", "author")
        srv = Server(db)
        try:
            yield srv
        finally:
            srv.stop()


def settings_form(srv, **changes):
    form = {"title": "The Calloway Ledger", "tagline": "News", "timezone": "America/New_York",
            "locale": "en-US", "base_url": "", "posts_per_page": "10"}
    form.update(changes)
    return form


def test_settings(newsroom):
    admin = Editor(newsroom, "admin@example.org")
    r = admin.post("/settings", settings_form(newsroom, title="The Harbour Herald"))
    assert r.status_code == 303
    assert "The Harbour Herald" in newsroom.get("/").text
    before = newsroom.sql("SELECT name, value FROM settings ORDER BY name")
    for bad in ({"timezone": "Mars/Olympus"}, {"posts_per_page": "0"}, {"title": ""},
                {"base_url": "javascript:alert(1)"}, {"base_url": "https://x.org/;script-src *"},
                {"locale": "tlh"}):
        r = admin.post("/settings", settings_form(newsroom, **bad))
        assert r.status_code == 422, bad
        assert newsroom.sql("SELECT name, value FROM settings ORDER BY name") == before
    assert Editor(newsroom, "editor@example.org").get("/settings").status_code == 403


def test_sections(newsroom):
    ed = Editor(newsroom, "editor@example.org")
    r = ed.post("/categories", {"name": "Science & Health", "slug": "", "description": "Labs",
                                "parent": "0"})
    assert r.status_code == 303
    cid, slug = newsroom.sql("SELECT id, slug FROM categories WHERE name = 'Science & Health'")[0]
    assert slug == "science-health"
    child = ed.post("/categories", {"name": "Oceans", "slug": "oceans", "parent": str(cid)})
    assert child.status_code == 303
    oid = newsroom.sql("SELECT id FROM categories WHERE slug = 'oceans'")[0][0]
    for bad, status in (({"name": "Feed", "slug": "feed"}, 422), ({"name": "2024", "slug": "2024"}, 422),
                        ({"name": "", "slug": "x"}, 422),
                        ({"name": "Dup", "slug": "science-health"}, 409)):
        bad.setdefault("parent", "0")
        assert ed.post("/categories", bad).status_code == status, bad
    # A loop: the parent made a child of its own child.
    r = ed.post(f"/categories/{cid}", {"name": "Science & Health", "slug": "science-health",
                                       "parent": str(oid)})
    assert r.status_code == 422 and "parent" in r.text
    # A story in the section, then the section goes: the story moves to the default one.
    aid = int(re.search(r"/articles/(\d+)$", ed.save({
        "title": "Reef survey finds recovery", "status": "published", "category": str(oid),
        "body": "Coral."}).headers["Location"]).group(1))
    assert newsroom.get("/oceans/reef-survey-finds-recovery/").status_code == 200
    assert ed.post(f"/categories/{oid}/delete").status_code == 303
    assert newsroom.sql("SELECT category_id FROM articles WHERE id = ?", (aid,))[0][0] == 1
    assert newsroom.get("/uncategorized/reef-survey-finds-recovery/").status_code == 200
    assert ed.post("/categories/1/delete").status_code == 409
    assert Editor(newsroom, "author@example.org").get("/categories").status_code == 403


def test_ads(newsroom):
    ed = Editor(newsroom, "editor@example.org")
    slot = newsroom.sql("SELECT id FROM ad_slots WHERE name = 'sidebar'")[0][0]
    newsroom.sql("UPDATE ad_creatives SET active = 0")
    base = {"slot": str(slot), "kind": "html", "weight": "5", "link": "", "alt": "",
            "media_id": "", "starts_at": "", "ends_at": "", "category": "0", "active": "1"}
    bad_cases = [
        ({"name": "Bad", "html": "<script>alert(1)</script>"}, "html"),
        ({"name": "Bad", "html": '<a href="x" onclick="steal()">x</a>'}, "html"),
        ({"name": "", "html": "<p>x</p>"}, "name"),
        ({"name": "Img", "kind": "image", "html": ""}, "media"),
        ({"name": "Link", "html": "<p>x</p>", "link": "javascript:alert(1)"}, "link"),
        ({"name": "W", "html": "<p>x</p>", "weight": "0"}, "weight"),
        ({"name": "D", "html": "<p>x</p>", "starts_at": "2026-12-02T00:00",
          "ends_at": "2026-12-01T00:00"}, "ends_at"),
    ]
    count = newsroom.sql("SELECT COUNT(*) FROM ad_creatives")[0][0]
    for data, field in bad_cases:
        r = ed.post("/ads", {**base, **data})
        assert r.status_code == 422 and field in r.text, (data, r.text[-500:])
    assert newsroom.sql("SELECT COUNT(*) FROM ad_creatives")[0][0] == count
    r = ed.post("/ads", {**base, "name": "Harbour Fest", "html": "<p><b>Harbour Fest</b> this weekend</p>"})
    assert r.status_code == 303
    ad_id = int(r.headers["Location"].rsplit("/", 1)[1])
    page = newsroom.get("/")
    assert "Harbour Fest</b> this weekend" in page.text
    for _ in range(3):
        newsroom.get("/")
    time.sleep(2.5)  # counters flush every second in tests
    listing = ed.get("/ads").text
    row = re.search(r'/ads/%d">Harbour Fest</a></td><td>sidebar</td><td>html</td><td>5</td>'
                    r'<td>(\d+)</td>' % ad_id, listing)
    assert row and int(row.group(1)) >= 4
    detail = ed.get(f"/ads/{ad_id}").text
    assert detail.count("<tr><td>20") == 30
    # Switched off: gone from the public site on the next request.
    r = ed.post(f"/ads/{ad_id}", {**base, "name": "Harbour Fest",
                                  "html": "<p><b>Harbour Fest</b> this weekend</p>", "active": None})
    assert r.status_code == 303
    assert "Harbour Fest" not in newsroom.get("/").text
    assert Editor(newsroom, "author@example.org").get("/ads").status_code == 403


def test_the_api_does_what_the_ui_does(newsroom):
    """Settings, sections, ads, people and revisions through /api/v1 with a token."""
    import requests
    admin = Editor(newsroom, "admin@example.org")
    page = admin.post("/account/tokens", {"name": "ops"})
    token = re.search(r'id="new-token">([0-9a-f]{64})<', page.text).group(1)
    api = requests.Session()
    api.headers["Authorization"] = "Bearer " + token
    base = newsroom.admin_url + "/api/v1"
    settings = {s["key"]: s["value"] for s in api.get(base + "/settings").json()["settings"]}
    assert settings["timezone"]
    r = api.post(base + "/settings", json={"tagline": "From the API"})
    assert r.status_code == 200 and r.json()["ok"] is True
    assert "From the API" in newsroom.get("/").text
    r = api.post(base + "/settings", json={"posts_per_page": 500})
    assert r.status_code == 422 and r.json()["error"]["field"] == "posts_per_page"
    r = api.post(base + "/categories", json={"name": "Weather desk", "parent": 0})
    assert r.status_code == 200
    cid = newsroom.sql("SELECT id FROM categories WHERE slug = 'weather-desk'")[0][0]
    assert api.delete(base + f"/categories/{cid}").status_code == 200
    r = api.post(base + "/ads", json={"name": "x", "kind": "html", "slot": 1, "weight": 1,
                                      "html": "<img src=x onerror=alert(1)>"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "html"
    people = api.get(base + "/people").json()["people"]
    assert any(p["email"] == "admin@example.org" for p in people)
    r = api.post(base + "/people", json={"name": "Api Person", "email": "api@example.org",
                                         "role": "author"})
    assert r.status_code == 201 and len(r.json()["created_password"]) == 20
    art = api.post(base + "/articles", json={"title": "Versioned", "body": "one"}).json()
    api.patch(base + f"/articles/{art['id']}", json={"body": "two"})
    revs = api.get(base + f"/articles/{art['id']}/revisions").json()["revisions"]
    assert [r["title"] for r in revs] == ["Versioned", "Versioned"]
    r = api.post(base + f"/revisions/{revs[-1]['id']}/restore")
    assert r.status_code == 200
    assert api.get(base + f"/articles/{art['id']}").json()["body"] == "one"
    # A role without the right gets the same refusal over the API.
    author = Editor(newsroom, "author@example.org")
    page = author.post("/account/tokens", {"name": "mine"})
    atoken = re.search(r'id="new-token">([0-9a-f]{64})<', page.text).group(1)
    r = requests.post(base + "/settings", json={"title": "Hijacked"},
                      headers={"Authorization": "Bearer " + atoken})
    assert r.status_code == 403 and r.json()["error"]["status"] == 403


def test_tags(newsroom):
    ed = Editor(newsroom, "editor@example.org")
    assert ed.save({"title": "Tagged piece", "status": "published", "tags": "Harbor, Tides",
                    "body": "x"}).status_code == 303
    tid = newsroom.sql("SELECT id FROM tags WHERE name = 'Harbor'")[0][0]
    assert newsroom.get("/tag/harbor/").status_code == 200
    r = ed.post(f"/tags/{tid}", {"name": "Harbour", "slug": ""})
    assert r.status_code == 303
    assert newsroom.get("/tag/harbour/").status_code == 200
    assert "Harbour" in newsroom.get("/tag/harbour/").text
    other = newsroom.sql("SELECT id FROM tags WHERE name = 'Tides'")[0][0]
    assert ed.post(f"/tags/{other}", {"name": "Dup", "slug": "harbour"}).status_code == 409
    assert ed.post(f"/tags/{other}", {"name": "a,b", "slug": ""}).status_code == 422
    assert ed.post(f"/tags/{tid}/delete").status_code == 303
    assert newsroom.get("/tag/harbour/", allow_redirects=True).status_code == 404
    assert newsroom.sql("SELECT COUNT(*) FROM article_tags WHERE tag_id = ?", (tid,))[0][0] == 0
    assert Editor(newsroom, "author@example.org").get("/tags").status_code == 403


def test_healthz_and_metrics(newsroom):
    assert newsroom.get("/healthz").text == "ok\n"
    assert requests_get(newsroom.admin_url + "/healthz").text == "ok\n"
    assert newsroom.get("/metrics", allow_redirects=True).status_code == 404
    newsroom.get("/")
    time.sleep(1.2)  # at least one scheduler pass
    m = requests_get(newsroom.admin_url + "/metrics")
    assert m.status_code == 200 and m.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert re.search(r'^dateline_http_requests_total\{route="home",status="200"\} \d+$', m.text, re.M)
    assert re.search(r"^dateline_scheduler_runs_total \d+$", m.text, re.M)
    assert "dateline_http_request_duration_seconds_bucket" in m.text


def requests_get(url):
    import requests
    return requests.get(url, timeout=10)
