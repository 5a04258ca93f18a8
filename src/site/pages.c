/*
 * pages.c - the home page and the category, tag and author archives.
 */
#include "core/compat.h"
#include "core/err.h"
#include "site/internal.h"

/* Pages past this are refused as malformed rather than looked up. */
#define MAX_PAGE 100000

static const char *const page_params[] = { "page", NULL };

static void set_page_meta(struct page *p, const char *title, const char *description)
{
	struct view *page = view_set_obj(p->root, "page");

	view_set_cstr(page, "title", title);
	if (description && *description)
		view_set_cstr(page, "description", description);
}

static void home_sections(struct page *p, struct view *sections)
{
	for (size_t i = 0; i < p->snap->nsections; i++) {
		const struct engine_section *es = &p->snap->sections[i];
		struct view *sec = view_obj(p->a);

		view_set_str(sec, "name", es->category->name.p, es->category->name.len);
		view_set_cstr(sec, "url", url_category(p->a, es->category->slug));
		view_set(sec, "articles", view_teasers(p, &es->articles, 0, ENGINE_SECTION_STORIES));
		view_push(sections, sec);
	}
}

/* WordPress's /?p=<id>: the id permalink feeds and the API hand out. */
static void permalink(struct page *p, struct slice idtext)
{
	struct store_list l;
	int64_t id, imported;
	int rc;

	if (slice_to_int64(idtext, 1, INT64_MAX, &id)) {
		page_error(p, 404, "We could not find that story.");
		return;
	}
	/* After a WordPress import, its post ids are the ones in old links. */
	rc = store_wp_article(p->db, id, &imported);
	if (!rc)
		id = imported;
	else if (rc != DL_NOTFOUND && page_failed(p, rc, ""))
		return;
	rc = store_by_ids(p->db, p->a, &id, 1, &l);
	if (page_failed(p, rc, "We could not find that story."))
		return;
	if (!l.nr) {
		page_error(p, 404, "We could not find that story.");
		return;
	}
	http_redirect(p->req, 301, url_article(p->a, &l.items[0]));
}

void page_home(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	const struct site_settings *st = &p->snap->settings;
	const struct store_list *latest = &p->snap->latest;
	size_t top = latest->nr < ENGINE_TOP_STORIES ? latest->nr : ENGINE_TOP_STORIES;
	struct view *ad;

	static const char *const home_params[] = { "p", "page_id", NULL };
	const struct slice *id = query_get(&req->query, "p");

	if (!id)
		id = query_get(&req->query, "page_id");  /* WordPress's page links */

	if (!page_check_query(p, home_params))
		return;
	if (id) {
		permalink(p, *id);
		return;
	}
	set_page_meta(p, st->title, st->tagline);
	p->canonical = "/";
	view_set_bool(p->root, "is_home", true);
	/* Lead story, then four top stories, then Latest below them: all from the snapshot. */
	if (top) {
		struct store_list rest = { latest->items + 1, top - 1, -1 };
		struct store_list more = { latest->items + top, latest->nr - top, -1 };

		view_set(p->root, "lead", view_teaser(p, &latest->items[0]));
		view_set(p->root, "top_stories", view_teasers(p, &rest, 0, ENGINE_TOP_STORIES - 1));
		view_set(p->root, "latest", view_teasers(p, &more, 0, st->latest_count));
	}
	view_set(p->root, "must_read", view_teasers(p, &p->snap->must_read, 0, st->must_read_count));
	home_sections(p, view_set_list(p->root, "sections"));
	if ((ad = view_ad(p, "home-top")) || (ad = view_ad(p, "article-top")))
		view_set(p->root, "ad_top", ad);
	if ((ad = view_ad(p, "sidebar")))
		view_set(p->root, "ad_sidebar", ad);
	http_set_header(req, "Surrogate-Key", "home");
	page_render(p, "home", 200);
}

static const char *page_url(struct page *p, const char *base, int64_t page)
{
	return page == 1 ? base : arena_printf(p->a, "%s?page=%" PRId64, base, page);
}

/* Pagination links for an archive at `base` ("/tag/x/"), in the body and
 * as rel=prev/next in the head. */
static void set_pagination(struct page *p, const char *base, int64_t page, int64_t pages)
{
	struct view *v = view_set_obj(p->root, "pagination");
	struct view *meta = view_get(p->root, "page", 4);
	const char *abs = page_base_url(p);

	p->canonical = page_url(p, base, page);
	if (page > 1)
		view_set_cstr(meta, "prev", arena_printf(p->a, "%s%s", abs, page_url(p, base, page - 1)));
	if (page < pages)
		view_set_cstr(meta, "next", arena_printf(p->a, "%s%s", abs, page_url(p, base, page + 1)));

	view_set_int(v, "page", page);
	view_set_int(v, "pages", pages);
	view_set_bool(v, "several", pages > 1);
	if (page > 1)
		view_set_cstr(v, "prev_url",
			      page == 2 ? base : arena_printf(p->a, "%s?page=%" PRId64, base, page - 1));
	if (page < pages)
		view_set_cstr(v, "next_url", arena_printf(p->a, "%s?page=%" PRId64, base, page + 1));
}

typedef int (*archive_query_fn)(struct db *db, struct arena *a, int64_t id, int64_t limit,
				int64_t offset, struct store_list *out);

/* The shared body of every archive: page parameter, listing, pagination. */
static void archive(struct page *p, const char *kind, const char *key, struct slice name,
		    struct slice description, const char *base, int64_t id, archive_query_fn query)
{
	int64_t per = p->snap->settings.posts_per_page, page, pages;
	struct store_list l;
	struct view *arch;
	int rc;

	if (!page_check_query(p, page_params))
		return;
	if (query_page(&p->req->query, MAX_PAGE, &page)) {
		page_error(p, 400, "The page number must be a whole number from 1 to 100000.");
		return;
	}
	rc = query(p->db, p->a, id, per, (page - 1) * per, &l);
	if (rc) {
		page_store_error(p, rc);
		return;
	}
	pages = l.total ? (l.total + per - 1) / per : 1;
	if (page > pages) {
		page_error(p, 404, "That page of the archive does not exist.");
		return;
	}
	p->feed_path = arena_printf(p->a, "%sfeed/", base);
	p->feed_name = name;
	arch = view_set_obj(p->root, "archive");
	view_set_cstr(arch, "kind", kind);
	view_set_str(arch, "name", name.p, name.len);
	view_set_str(arch, "description", description.p, description.len);
	view_set_cstr(arch, "url", base);
	view_set_int(arch, "total", l.total);
	view_set(p->root, "articles", view_teasers(p, &l, 0, per));
	set_page_meta(p, page > 1 ? arena_printf(p->a, "%.*s (page %" PRId64 ")", (int)name.len,
						 name.p, page)
				  : arena_strndup(p->a, name.p, name.len),
		      arena_strndup(p->a, description.p, description.len));
	set_pagination(p, base, page, pages);
	view_set(p->root, "must_read",
		 view_teasers(p, &p->snap->must_read, 0, p->snap->settings.must_read_count));
	struct view *ad = view_ad(p, "sidebar");
	if (ad)
		view_set(p->root, "ad_sidebar", ad);
	/* Purging "<key>-<id>" at a CDN refreshes every page of this archive. */
	http_set_header(p->req, "Surrogate-Key", arena_printf(p->a, "%s-%" PRId64, key, id));
	page_render(p, "archive", 200);
}

void page_category(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	struct store_category c;
	int rc = store_category_by_slug(p->db, p->a, p->match.params[0], &c);

	if (page_failed(p, rc, "There is no such section."))
		return;
	p->category_id = c.id;
	archive(p, "Section", "category", c.name, c.description, url_category(p->a, c.slug), c.id,
		store_by_category);
}

void page_tag(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	struct store_tag t;
	int rc = store_tag_by_slug(p->db, p->a, p->match.params[0], &t);

	if (page_failed(p, rc, "There is no such topic."))
		return;
	archive(p, "Topic", "tag", t.name, SLICE_LIT(""), url_tag(p->a, t.slug), t.id, store_by_tag);
}

void page_author(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	struct store_author u;
	int rc = store_author_by_slug(p->db, p->a, p->match.params[0], &u);

	if (page_failed(p, rc, "There is no such author."))
		return;
	if (u.photo_id) {
		struct view *photo = view_set_obj(p->root, "author_photo");
		view_set_cstr(photo, "src", url_media(p->a, u.photo_id, u.photo_filename));
		view_set_str(photo, "alt", u.name.p, u.name.len);
	}
	archive(p, "Author", "author", u.name, u.bio, url_author(p->a, u.slug), u.id, store_by_author);
}

void page_category_redirect(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	struct store_category c;
	int rc = store_category_by_slug(p->db, p->a, p->match.params[0], &c);

	if (page_failed(p, rc, "We could not find that page. It may have moved or been taken down."))
		return;
	http_redirect(req, 301, url_category(p->a, c.slug));
}
