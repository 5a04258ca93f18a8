"""The media library: uploads decided by content, re-encoded by libvips into
responsive widths and WebP; what is not an image is refused."""
import io
import re
import tempfile

import pytest
from PIL import Image

from conftest import Server, make_demo_db
from test_admin import Editor, add_user, too_large_answer


def image_bytes(fmt, size=(1800, 1200), exif_gps=False):
    img = Image.new("RGB", size, (200, 60, 30))
    for x in range(0, size[0], 50):
        for y in range(0, size[1], 7):
            img.putpixel((x, y), (x % 255, y % 255, 90))
    buf = io.BytesIO()
    kw = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "SecretCam"  # Make
        kw["exif"] = exif
    img.save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.fixture(scope="module")
def newsroom():
    with tempfile.TemporaryDirectory() as tmp:
        db = make_demo_db(tmp)
        add_user(db, "editor@example.org", "editor")
        add_user(db, "contrib@example.org", "contributor")
        srv = Server(db, ["--max-upload-mb", "2"])
        try:
            yield srv
        finally:
            srv.stop()


def upload(ed, data, filename="photo.jpg", alt="A harbour at dawn", ctype="image/jpeg",
           csrf=True):
    fields = {"alt": (None, alt), "caption": (None, "The harbour"), "credit": (None, "Staff")}
    if csrf:
        fields["csrf"] = (None, ed.csrf)
    fields["file"] = (filename, data, ctype)
    return ed.s.post(ed.url("/media"), files=fields, allow_redirects=False)


def media_count(srv):
    return srv.sql("SELECT COUNT(*) FROM media")[0][0]


@pytest.mark.parametrize("fmt,mime,ext", [("JPEG", "image/jpeg", "jpg"),
                                          ("PNG", "image/png", "png"),
                                          ("WEBP", "image/webp", "webp"),
                                          ("GIF", "image/png", "png")])
def test_upload_is_reencoded_with_widths(newsroom, fmt, mime, ext):
    ed = Editor(newsroom, "editor@example.org")
    r = upload(ed, image_bytes(fmt, exif_gps=fmt == "JPEG"), filename=f"My Photo.{fmt.lower()}")
    assert r.status_code == 303, r.text
    mid, name, stored_mime, width = newsroom.sql(
        "SELECT id, filename, mime, width FROM media ORDER BY id DESC LIMIT 1")[0]
    assert stored_mime == mime and name == f"my-photo.{ext}" and width == 1800
    main = newsroom.get(f"/media/{mid}/{name}")
    assert main.status_code == 200 and main.headers["Content-Type"] == mime
    assert b"SecretCam" not in main.content  # metadata stripped
    assert "sandbox" in main.headers["Content-Security-Policy"]
    Image.open(io.BytesIO(main.content)).verify()
    for w in (320, 640, 1024, 1600):
        v = newsroom.get(f"/media/{mid}/{w}w/x.webp")
        assert v.status_code == 200 and v.headers["Content-Type"] == "image/webp"
        assert Image.open(io.BytesIO(v.content)).size[0] == w
    assert newsroom.get(f"/media/{mid}/2000w/x.webp").status_code == 404


def test_article_uses_srcset_and_lazy_teasers(newsroom):
    ed = Editor(newsroom, "editor@example.org")
    assert upload(ed, image_bytes("JPEG")).status_code == 303
    mid = newsroom.sql("SELECT MAX(id) FROM media")[0][0]
    r = ed.save({"title": "Pictured story", "status": "published", "category": "2",
                 "body": "Words.", "featured_media_id": str(mid)})
    assert r.status_code == 303, r.text
    cat = newsroom.sql("SELECT slug FROM categories WHERE id = 2")[0][0]
    page = newsroom.get(f"/{cat}/pictured-story/").text
    assert f'srcset="/media/{mid}/320w/photo.jpg 320w, ' in page
    assert '<source type="image/webp"' in page and 'sizes="' in page
    home = newsroom.get("/").text
    assert f"/media/{mid}/320w/photo.webp 320w" in home


@pytest.mark.parametrize("data,filename,ctype,status,field", [
    (b"<?php system($_GET['c']); ?>", "shell.jpg", "image/jpeg", 415, "file"),
    (b"<svg onload=alert(1)></svg>", "x.svg", "image/svg+xml", 415, "file"),
    (b"GIF89a<script>alert(1)</script>", "poly.gif", "image/gif", 422, "file"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "broken.jpg", "image/jpeg", 422, "file"),
    (b"", "empty.jpg", "image/jpeg", 422, "file"),
])
def test_not_images_are_refused(newsroom, data, filename, ctype, status, field):
    ed = Editor(newsroom, "editor@example.org")
    before = media_count(newsroom)
    r = upload(ed, data, filename=filename, ctype=ctype)
    assert r.status_code == status, r.text
    assert f"<strong>{field}</strong>" in r.text
    assert media_count(newsroom) == before


def test_polyglot_keeps_only_our_encoding(newsroom):
    """A real JPEG with HTML appended: accepted as an image, served without the payload."""
    ed = Editor(newsroom, "editor@example.org")
    payload = b"<html><script>alert(document.cookie)</script></html>"
    r = upload(ed, image_bytes("JPEG", size=(400, 300)) + payload)
    assert r.status_code == 303
    mid, name = newsroom.sql("SELECT id, filename FROM media ORDER BY id DESC LIMIT 1")[0]
    body = newsroom.get(f"/media/{mid}/{name}").content
    assert payload not in body and body[:3] == b"\xff\xd8\xff"


def test_upload_rules(newsroom):
    ed = Editor(newsroom, "editor@example.org")
    before = media_count(newsroom)
    r = upload(ed, image_bytes("PNG", size=(50, 50)), alt="")
    assert r.status_code == 422 and "<strong>alt</strong>" in r.text
    r = upload(ed, image_bytes("PNG", size=(50, 50)), csrf=False)
    assert r.status_code == 403
    # A file over the 2 MB limit in a body the server reads: 413 naming the file.
    r = upload(ed, b"\xff\xd8\xff" + b"\x00" * (2_500_000))
    assert r.status_code == 413 and "<strong>file</strong>" in r.text
    # A body past the limit: 413 as soon as the headers arrive, the body unread.
    assert too_large_answer(newsroom, ed, "/media", 4_000_000).startswith(b"HTTP/1.1 413 ")
    contrib = Editor(newsroom, "contrib@example.org")
    assert upload(contrib, image_bytes("PNG", size=(50, 50))).status_code == 403
    assert media_count(newsroom) == before
    assert ed.get("/media").status_code == 200


def test_api_upload(newsroom):
    ed = Editor(newsroom, "editor@example.org")
    page = ed.post("/account/tokens", {"name": "photo desk"})
    token = re.search(r'id="new-token">([0-9a-f]{64})<', page.text).group(1)
    import requests
    h = {"Authorization": "Bearer " + token}
    r = requests.post(newsroom.admin_url + "/api/v1/media", headers=h, files={
        "file": ("desk.png", image_bytes("PNG", size=(700, 400)), "image/png"),
        "alt": (None, "The photo desk")})
    assert r.status_code == 201, r.text
    assert r.json()["widths"] == [320, 640] and r.json()["alt"] == "The photo desk"
    r = requests.post(newsroom.admin_url + "/api/v1/media", headers=h, files={
        "file": ("x.png", b"not an image", "image/png"), "alt": (None, "x")})
    assert r.status_code == 415 and r.json()["error"]["field"] == "file"
    listing = requests.get(newsroom.admin_url + "/api/v1/media", headers=h).json()
    assert listing["total"] >= 1


def test_author_profile_photo_and_slug(newsroom):
    ed = Editor(newsroom, "editor@example.org")
    assert upload(ed, image_bytes("JPEG", size=(400, 400)), alt="Portrait").status_code == 303
    mid = newsroom.sql("SELECT MAX(id) FROM media")[0][0]
    uid = newsroom.sql("SELECT id FROM users WHERE email = 'editor@example.org'")[0][0]
    r = ed.post(f"/people/{uid}", {"name": "Eda Editor", "slug": "eda-editor",
                                   "bio": "Covers the port.", "photo_media_id": str(mid)})
    assert r.status_code == 303
    created_id_ = ed.save({"title": "Bylined", "status": "published", "body": "x"})
    assert created_id_.status_code == 303
    page = newsroom.get("/author/eda-editor/")
    assert page.status_code == 200
    assert f'class="author-photo" src="/media/{mid}/' in page.text and "Covers the port." in page.text
    for bad, field in (({"slug": "Bad Slug"}, "slug"), ({"photo_media_id": "999999"}, "photo_media_id"),
                       ({"slug": "test-admin-not-here", "name": ""}, "name")):
        form = {"name": "Eda Editor", "slug": "eda-editor", "bio": "x", **bad}
        r = ed.post(f"/people/{uid}", form)
        assert r.status_code == 422 and field in r.text
    # Someone else's profile is an admin's business.
    other = newsroom.sql("SELECT id FROM users WHERE email = 'contrib@example.org'")[0][0]
    assert ed.post(f"/people/{other}", {"name": "Hacked"}).status_code == 403
