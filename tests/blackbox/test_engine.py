"""What the engine computes: page views into Must Read, ad rotation, impressions, clicks."""
import collections
import re
import time

from pages import article_links, section, text


def must_read_titles(site):
    page = site.get("/").text
    return [text(t) for t in re.findall(r'<a href="[^"]+">(.*?)</a> <time', section(page, "Must Read"))]


def test_views_are_counted_in_memory_and_flushed_into_must_read(fresh_site):
    site = fresh_site
    cat, slug, title = site.sql(
        "SELECT c.slug, a.slug, a.title FROM articles a JOIN categories c ON c.id = a.category_id"
        " WHERE a.pinned_at IS NULL AND a.status = 'published' ORDER BY a.published_at LIMIT 1")[0]
    assert title not in must_read_titles(site)
    for _ in range(30):
        assert site.get(f"/{cat}/{slug}/").status_code == 200
    # HEAD and other pages do not count
    site.session.head(site.url + f"/{cat}/{slug}/")
    deadline = time.time() + 10
    while time.time() < deadline:
        rows = site.sql("SELECT SUM(v.views) FROM article_views v JOIN articles a ON a.id = v.article_id"
                        " WHERE a.slug = ?", (slug,))
        if rows[0][0]:
            break
        time.sleep(0.2)
    assert rows[0][0] == 30
    pinned = site.sql("SELECT COUNT(*) FROM articles WHERE pinned_at IS NOT NULL")[0][0]
    shown = must_read_titles(site)
    assert shown.index(title) == pinned  # right after the editor's pins


def test_views_survive_shutdown(fresh_site):
    site = fresh_site
    cat, slug = site.sql("SELECT c.slug, a.slug FROM articles a JOIN categories c"
                         " ON c.id = a.category_id ORDER BY a.id DESC LIMIT 1")[0]
    site.get(f"/{cat}/{slug}/")
    site.stop()
    site.stop = lambda: None
    assert site.sql("SELECT SUM(views) FROM article_views v JOIN articles a ON a.id = v.article_id"
                    " WHERE a.slug = ?", (slug,))[0][0] == 1


def ad_ids(page):
    return re.findall(r'href="/ad/(\d+)/click"', page) + re.findall(r'class="ad ad-([a-z-]+)"', page)


def test_weighted_rotation_and_impressions(fresh_site):
    site = fresh_site
    slot = site.sql("SELECT s.name FROM ad_creatives c JOIN ad_slots s ON s.id = c.slot_id"
                    " WHERE c.category_id IS NULL GROUP BY s.id HAVING COUNT(*) >= 2 LIMIT 1")
    assert slot, "the demo has a slot with two creatives"
    slot = slot[0][0]
    creatives = site.sql("SELECT c.id, c.weight, c.kind, c.html FROM ad_creatives c JOIN ad_slots s"
                         " ON s.id = c.slot_id WHERE s.name = ? AND c.category_id IS NULL", (slot,))
    total = sum(w for _, w, _, _ in creatives)
    link = article_links(site.get("/").text)[0]
    seen = collections.Counter()
    for _ in range(total * 4):
        page = site.get(link).text
        block = re.search(r'<aside class="ad ad-' + re.escape(slot) + r'".*?</aside>', page, re.S)
        assert block, slot
        for cid, _, kind, html in creatives:
            inner = re.sub(r"\s+", " ", block.group(0))
            if (kind == "image" and f"/ad/{cid}/click" in inner) or \
               (kind == "html" and re.sub(r"\s+", " ", html)[:60] in inner):
                seen[cid] += 1
    for cid, weight, _, _ in creatives:
        assert seen[cid] == weight * 4, (seen, creatives)
    time.sleep(2.5)
    imps = dict(site.sql("SELECT creative_id, SUM(impressions) FROM ad_stats GROUP BY creative_id"))
    for cid, weight, _, _ in creatives:
        assert imps.get(cid, 0) >= weight * 4


def test_head_requests_count_nothing(fresh_site):
    site = fresh_site
    link = article_links(site.get("/").text)[0]
    time.sleep(2.5)
    before = site.sql("SELECT COALESCE(SUM(impressions), 0) FROM ad_stats")[0][0]
    for _ in range(20):
        assert site.session.head(site.url + link).status_code == 200
    time.sleep(2.5)
    assert site.sql("SELECT COALESCE(SUM(impressions), 0) FROM ad_stats")[0][0] == before


def test_click_redirects_and_counts(fresh_site):
    site = fresh_site
    cid, url = site.sql("SELECT id, link_url FROM ad_creatives WHERE link_url != '' LIMIT 1")[0]
    r = site.get(f"/ad/{cid}/click")
    assert r.status_code == 302 and r.headers["Location"] == url
    assert r.headers["Cache-Control"] == "no-store"
    time.sleep(2.5)
    assert site.sql("SELECT SUM(clicks) FROM ad_stats WHERE creative_id = ?", (cid,))[0][0] == 1


def test_empty_slots_render_nothing_and_changes_show_at_once(fresh_site):
    site = fresh_site
    link = article_links(site.get("/").text)[0]
    assert "- Advertisement -" in site.get(link).text
    # An editor switches every ad off (through the store's own counter, as the admin will).
    site.sql("UPDATE ad_creatives SET active = 0")
    site.content_changed()
    page = site.get(link).text
    assert "- Advertisement -" not in page
    assert 'class="ad ' not in page


def test_category_targeted_ad_only_in_its_section(fresh_site):
    site = fresh_site
    rows = site.sql("SELECT c.id, c.html, s.name, cat.slug FROM ad_creatives c JOIN ad_slots s"
                    " ON s.id = c.slot_id JOIN categories cat ON cat.id = c.category_id")
    assert rows, "the demo has a category-targeted creative"
    cid, html, slot, cat = rows[0]
    marker = re.sub(r"\s+", " ", html)[:50]
    other = site.sql("SELECT c.slug, a.slug FROM articles a JOIN categories c ON c.id = a.category_id"
                     " WHERE c.slug != ? AND a.status = 'published' LIMIT 1", (cat,))[0]
    for _ in range(12):
        assert marker not in re.sub(r"\s+", " ", site.get(f"/{other[0]}/{other[1]}/").text)
    mine = site.sql("SELECT a.slug FROM articles a JOIN categories c ON c.id = a.category_id"
                    " WHERE c.slug = ? LIMIT 1", (cat,))[0][0]
    hits = sum(marker in re.sub(r"\s+", " ", site.get(f"/{cat}/{mine}/").text) for _ in range(12))
    assert hits > 0


def test_settings_change_is_visible_on_the_next_request(fresh_site):
    from conftest import run_cli
    site = fresh_site
    assert "The Morning Gazette" not in site.get("/").text
    run_cli("init", "--db", site.db, "--title", "The Morning Gazette", "--locale", "fr",
            "--timezone", "Europe/Paris")
    page = site.get("/").text
    assert "<title>The Morning Gazette" in page
    assert 'lang="fr-FR"' in page
    # the date bar is now French, in Paris time
    bar = re.search(r'<div class="datebar"><time[^>]*>(.*?)</time>', page).group(1)
    assert re.fullmatch(r"(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) \d{1,2}(er)? \w+ \d{4}", bar), bar
