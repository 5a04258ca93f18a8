/*
 * feeds.c - RSS at WordPress's paths (/feed/, /category/<slug>/feed/...),
 * with Atom (feed/atom/) and JSON Feed (feed/json/) beside each.
 */
#include "core/compat.h"
#include "core/err.h"
#include "render/feed.h"
#include "site/internal.h"


/* The scope a feed covers and what to call it. */
struct feed_scope {
	enum store_scope scope;
	int64_t id;
	struct slice name;   /* empty for the whole site */
	const char *home;    /* site-relative page the feed follows */
};

/* "" and "rss2/" are RSS (WordPress answers both), "atom/", "json/". */
static int parse_format(struct slice tail, enum feed_format *f)
{
	if (!tail.len || slice_eq_str(tail, "rss2/"))
		*f = FEED_RSS;
	else if (slice_eq_str(tail, "atom/"))
		*f = FEED_ATOM;
	else if (slice_eq_str(tail, "json/"))
		*f = FEED_JSON;
	else
		return DL_NOTFOUND;
	return DL_OK;
}

static void fill_item(struct page *p, const struct store_article *art, struct feed_item *it)
{
	it->id = page_absolute(p, arena_printf(p->a, "/?p=%" PRId64, art->id));
	it->title = art->title;
	it->url = page_absolute(p, url_article(p->a, art));
	it->summary = art->excerpt.len ? art->excerpt : art->dek;
	it->content_html = art->body_html;
	it->author_name = art->author.name;
	it->author_url = page_absolute(p, url_author(p->a, art->author.slug));
	it->category = art->category.name;
	it->published = art->published_at;
	it->updated = art->updated_at > art->published_at ? art->updated_at : art->published_at;
	if (art->image.id) {
		it->image_url = page_absolute(p, url_media(p->a, art->image.id, art->image.filename));
		it->image_type = art->image.mime;
		it->image_length = art->image.size;
	}
}

static void serve_feed(struct page *p, const struct feed_scope *sc)
{
	const struct site_settings *st = &p->snap->settings;
	struct http_request *req = p->req;
	struct feed f = { 0 };
	struct feed_item *items;
	enum feed_format format;
	struct store_list l;
	int rc;

	if (!page_check_query(p, page_no_params))
		return;
	if (parse_format(p->match.params[p->match.nparams - 1], &format)) {
		page_error(p, 404, "There is no such feed.");
		return;
	}
	if (req->path.p[req->path.len - 1] != '/') {
		http_redirect(req, 301, arena_printf(p->a, "%.*s/", (int)req->path.len, req->path.p));
		return;
	}
	rc = store_feed(p->db, p->a, sc->scope, sc->id, st->feed_items, &l);
	if (page_failed(p, rc, "There is no such feed."))
		return;
	items = ARENA_NEW_ARRAY(p->a, struct feed_item, l.nr ? l.nr : 1);
	for (size_t i = 0; i < l.nr; i++) {
		fill_item(p, &l.items[i], &items[i]);
		if (items[i].updated > f.updated)
			f.updated = items[i].updated;
	}
	req->res.last_modified = f.updated;  /* none for an empty feed */
	if (!f.updated)
		f.updated = p->now;  /* an empty feed is current, not from 1970 */
	f.title = sc->name.len ? slice_cstr(arena_printf(p->a, "%s \xC2\xBB %.*s", st->title,
							 (int)sc->name.len, sc->name.p))
			       : slice_cstr(st->title);
	f.description = slice_cstr(st->tagline);
	f.language = slice_cstr(locale_tag(p->snap->locale));
	f.base_url = slice_cstr(page_base_url(p));
	f.home_url = page_absolute(p, sc->home);
	f.self_url = page_absolute(p, arena_strndup(p->a, req->path.p, req->path.len));
	f.full_content = st->feed_full_content;
	f.items = items;
	f.nitems = l.nr;
	req->res.status = 200;
	req->res.content_type = feed_content_type(format);
	feed_render(&f, format, &req->res.body);
	req->res.compressible = true;
	req->res.etag = true;
	http_set_header(req, "Cache-Control", "public, max-age=300");
	http_set_header(req, "X-Content-Type-Options", "nosniff");
	/* The keys of the pages listing the same articles: one purge refreshes both. */
	http_set_header(req, "Surrogate-Key",
			sc->scope == STORE_ALL ? "home feed"
			: arena_printf(p->a, "%s-%" PRId64 " feed",
				       sc->scope == STORE_CATEGORY ? "category"
				       : sc->scope == STORE_TAG ? "tag" : "author", sc->id));
}

void page_feed(struct http_request *req, void *ctx)
{
	struct feed_scope sc = { STORE_ALL, 0, { "", 0 }, "/" };

	serve_feed(ctx, &sc);
}

void page_category_feed(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	struct store_category c;
	int rc = store_category_by_slug(p->db, p->a, p->match.params[0], &c);

	if (page_failed(p, rc, "There is no such section."))
		return;
	serve_feed(p, &(struct feed_scope){ STORE_CATEGORY, c.id, c.name,
					    url_category(p->a, c.slug) });
}

void page_tag_feed(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	struct store_tag t;
	int rc = store_tag_by_slug(p->db, p->a, p->match.params[0], &t);

	if (page_failed(p, rc, "There is no such topic."))
		return;
	serve_feed(p, &(struct feed_scope){ STORE_TAG, t.id, t.name, url_tag(p->a, t.slug) });
}

void page_author_feed(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	struct store_author u;
	int rc = store_author_by_slug(p->db, p->a, p->match.params[0], &u);

	if (page_failed(p, rc, "There is no such author."))
		return;
	serve_feed(p, &(struct feed_scope){ STORE_AUTHOR, u.id, u.name,
					    url_author(p->a, u.slug) });
}
