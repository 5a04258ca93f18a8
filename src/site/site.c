#include "core/compat.h"
#include "core/alloc.h"
#include "core/err.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/timefmt.h"
#include "engine/media.h"
#include "render/tpl.h"
#include "site/internal.h"

#define GET (HTTP_GET | HTTP_HEAD)

/*
 * URL scheme: articles live at /<category>/<slug>/ (the breadcrumb trail in
 * the address bar); WordPress-style /YYYY/MM/DD/<slug>/ 301-redirects there.
 * Archives keep WordPress's /category/, /tag/ and /author/ prefixes, so
 * category slugs may not take those names (nor static, media, ad).
 */
#define MR ROUTE_SHOWS_MUST_READ

static const struct route routes[] = {
	{ GET, "/", page_home, "home", MR },  /* also /?p=<id> redirects */
	{ GET, "/wp-json/", api_wp_index, "wp_index", 0 },
	{ GET, "/wp-json/wp/v2/posts", api_wp_posts, "wp_posts", 0 },
	{ GET, "/wp-json/wp/v2/posts/:id", api_wp_post, "wp_post", 0 },
	{ GET, "/wp-json/wp/v2/pages", api_wp_pages, "wp_pages", 0 },
	{ GET, "/wp-json/wp/v2/categories", api_wp_categories, "wp_categories", 0 },
	{ GET, "/wp-json/wp/v2/categories/:id", api_wp_categories, "wp_category", 0 },
	{ GET, "/wp-json/wp/v2/tags", api_wp_tags, "wp_tags", 0 },
	{ GET, "/wp-json/wp/v2/tags/:id", api_wp_tags, "wp_tag", 0 },
	{ GET, "/wp-json/wp/v2/users", api_wp_users, "wp_users", 0 },
	{ GET, "/wp-json/wp/v2/users/:id", api_wp_users, "wp_user", 0 },
	{ GET, "/wp-json/*", api_wp_no_route, "wp_no_route", 0 },
	{ GET, "/robots.txt", page_robots, "robots", 0 },
	{ GET, "/healthz", page_healthz, "healthz", ROUTE_NO_SHORTCUT },
	{ GET, "/search/", page_search, "search", 0 },
	{ GET, "/sitemap.xml", page_sitemap_index, "sitemap_index", 0 },
	{ GET, "/sitemap/:file", page_sitemap, "sitemap", 0 },
	{ GET, "/feed/*", page_feed, "feed", 0 },
	{ GET, "/category/:slug/feed/*", page_category_feed, "category_feed", 0 },
	{ GET, "/tag/:slug/feed/*", page_tag_feed, "tag_feed", 0 },
	{ GET, "/author/:slug/feed/*", page_author_feed, "author_feed", 0 },
	{ GET, "/category/:slug/", page_category, "category", MR },
	{ GET, "/tag/:slug/", page_tag, "tag", MR },
	{ GET, "/author/:slug/", page_author, "author", MR },
	/* An imported WordPress site's old links (legacy.c). */
	{ GET, "/category/*", page_nested_category, "nested_category", ROUTE_NO_SHORTCUT },
	{ GET, "/wp-content/*", page_legacy, "wp_content", ROUTE_NO_SHORTCUT },
	/* Static files and media carry their own long-lived validators. */
	{ GET, "/static/*", page_static, "static", ROUTE_NO_SHORTCUT },
	{ GET, "/favicon.ico", page_favicon, "favicon", ROUTE_NO_SHORTCUT },
	{ GET, "/media/:id/:name", page_media, "media", ROUTE_NO_SHORTCUT },
	{ GET, "/media/:id/:size/:name", page_media_variant, "media_variant", ROUTE_NO_SHORTCUT },
	{ GET, "/ad/:id/click", page_ad_click, "ad_click", ROUTE_NO_SHORTCUT },
	{ GET, "/:year/:month/:day/:slug/", page_dated_article, "dated_article", ROUTE_NO_SHORTCUT },
	{ GET, "/:year/:month/:slug/", page_month_article, "month_article", ROUTE_NO_SHORTCUT },
	{ GET, "/:category/:slug/", page_article, "article", MR },
	{ GET, "/:category/", page_category_redirect, "category_short", ROUTE_NO_SHORTCUT },
};

struct site *site_new(struct engine *engine, const struct theme *theme,
		      const char *default_base_url)
{
	struct site *s = xcalloc(1, sizeof(*s));

	s->engine = engine;
	s->theme = theme;
	s->started = (int64_t)time(NULL);
	s->default_base_url = xstrdup(default_base_url);
	s->router = router_new(routes, ARRAY_SIZE(routes));
	return s;
}

void site_free(struct site *s)
{
	if (!s)
		return;
	router_free(s->router);
	free(s->default_base_url);
	free(s);
}

void site_set_default_base_url(struct site *s, const char *url)
{
	free(s->default_base_url);
	s->default_base_url = xstrdup(url);
}

/* ---- URLs ---- */

static const char *url_join(struct arena *a, const char *prefix, struct slice slug)
{
	struct strbuf sb = STRBUF_INIT;
	const char *r;

	strbuf_addstr(&sb, prefix);
	strbuf_add_urlencoded(&sb, slug.p, slug.len);
	strbuf_addch(&sb, '/');
	r = arena_strndup(a, sb.buf, sb.len);
	strbuf_release(&sb);
	return r;
}

const char *url_article(struct arena *a, const struct store_article *art)
{
	struct strbuf sb = STRBUF_INIT;
	const char *r;

	strbuf_addch(&sb, '/');
	strbuf_add_urlencoded(&sb, art->category.slug.p, art->category.slug.len);
	strbuf_addch(&sb, '/');
	strbuf_add_urlencoded(&sb, art->slug.p, art->slug.len);
	strbuf_addch(&sb, '/');
	r = arena_strndup(a, sb.buf, sb.len);
	strbuf_release(&sb);
	return r;
}

const char *url_category(struct arena *a, struct slice slug)
{
	return url_join(a, "/category/", slug);
}

const char *url_tag(struct arena *a, struct slice slug)
{
	return url_join(a, "/tag/", slug);
}

const char *url_author(struct arena *a, struct slice slug)
{
	return url_join(a, "/author/", slug);
}

const char *url_media(struct arena *a, int64_t id, struct slice filename)
{
	struct strbuf sb = STRBUF_INIT;
	const char *r;

	strbuf_addf(&sb, "/media/%" PRId64 "/", id);
	strbuf_add_urlencoded(&sb, filename.p, filename.len);
	r = arena_strndup(a, sb.buf, sb.len);
	strbuf_release(&sb);
	return r;
}

const char *page_base_url(struct page *p)
{
	const char *base = p->snap->settings.base_url;
	size_t n;

	/* Never the Host header: absolute URLs land in shared caches and feeds. */
	if (!base || !*base)
		base = p->site->default_base_url;
	n = strlen(base);
	while (n && base[n - 1] == '/')
		n--;
	return arena_strndup(p->a, base, n);
}

struct slice page_absolute(struct page *p, const char *path)
{
	return slice_cstr(arena_printf(p->a, "%s%s", page_base_url(p), path));
}

const char *const page_no_params[] = { NULL };

/* ---- view helpers ---- */

void view_set_time(struct page *p, struct view *obj, const char *key, int64_t t)
{
	struct strbuf sb = STRBUF_INIT;
	struct tm tm;
	char *k;

	tz_localtime(p->snap->tz, t, &tm);
	timefmt_date_time(&sb, p->snap->locale, &tm);
	k = arena_printf(p->a, "%s_human", key);
	view_set_str(obj, k, sb.buf, sb.len);
	strbuf_reset(&sb);
	timefmt_rfc3339(&sb, &tm);
	k = arena_printf(p->a, "%s_iso", key);
	view_set_str(obj, k, sb.buf, sb.len);
	strbuf_release(&sb);
}

/* "/media/12/640w/harbour.webp 640w, ..." for the widths an upload was given. */
static void add_srcset(struct page *p, struct strbuf *sb, const struct store_media *m,
		       const char *format)
{
	struct slice base = m->filename;
	const char *dot = memrchr(base.p, '.', base.len);
	bool main_is_format = slice_eq_str(m->mime, media_mime(format));

	if (dot)
		base.len = (size_t)(dot - base.p);
	for (size_t i = 0; i < MEDIA_NWIDTHS && media_widths[i] < m->width; i++) {
		strbuf_addf(sb, "/media/%" PRId64 "/%" PRId64 "w/", m->id, media_widths[i]);
		strbuf_add_urlencoded(sb, base.p, base.len);
		strbuf_addf(sb, ".%s %" PRId64 "w, ", media_ext(format), media_widths[i]);
	}
	/* The full width: the main file itself, or its WebP twin. */
	if (main_is_format) {
		strbuf_addstr(sb, url_media(p->a, m->id, m->filename));
	} else {
		strbuf_addf(sb, "/media/%" PRId64 "/%" PRId64 "w/", m->id, m->width);
		strbuf_add_urlencoded(sb, base.p, base.len);
		strbuf_addf(sb, ".%s", media_ext(format));
	}
	strbuf_addf(sb, " %" PRId64 "w", m->width);
}

static void view_srcsets(struct page *p, struct view *v, const struct store_media *m)
{
	struct strbuf sb = STRBUF_INIT;

	if (!slice_eq_str(m->mime, "image/webp")) {
		add_srcset(p, &sb, m, slice_eq_str(m->mime, "image/png") ? "png" : "jpeg");
		view_set_str(v, "srcset", sb.buf, sb.len);
		strbuf_reset(&sb);
	}
	add_srcset(p, &sb, m, "webp");
	view_set_str(v, slice_eq_str(m->mime, "image/webp") ? "srcset" : "webp_srcset", sb.buf, sb.len);
	strbuf_release(&sb);
}

static struct view *view_image(struct page *p, const struct store_media *m)
{
	struct view *v = view_obj(p->a);

	/* "src", not "url": inside {{#image}} a "url" would hide the article's. */
	view_set_cstr(v, "src", url_media(p->a, m->id, m->filename));
	view_set_str(v, "alt", m->alt.p, m->alt.len);
	view_set_str(v, "caption", m->caption.p, m->caption.len);
	view_set_str(v, "credit", m->credit.p, m->credit.len);
	if (m->width > 0 && m->height > 0) {
		view_set_int(v, "width", m->width);
		view_set_int(v, "height", m->height);
	}
	if (m->variants)
		view_srcsets(p, v, m);
	return v;
}

struct view *view_teaser(struct page *p, const struct store_article *art)
{
	struct view *v = view_obj(p->a), *c, *au;

	view_set_int(v, "id", art->id);
	view_set_str(v, "title", art->title.p, art->title.len);
	view_set_str(v, "dek", art->dek.p, art->dek.len);
	view_set_str(v, "excerpt", art->excerpt.p, art->excerpt.len);
	view_set_cstr(v, "url", url_article(p->a, art));
	view_set_time(p, v, "published", art->published_at);
	c = view_set_obj(v, "category");
	view_set_str(c, "name", art->category.name.p, art->category.name.len);
	view_set_cstr(c, "url", url_category(p->a, art->category.slug));
	au = view_set_obj(v, "author");
	view_set_str(au, "name", art->author.name.p, art->author.name.len);
	view_set_cstr(au, "url", url_author(p->a, art->author.slug));
	/* Always set: a teaser without an image must not show its parent's. */
	view_set(v, "image", art->image.id ? view_image(p, &art->image) : view_bool(p->a, false));
	return v;
}

struct view *view_teasers(struct page *p, const struct store_list *l, int64_t skip_id,
			  int64_t max)
{
	struct view *list = view_list(p->a);
	int64_t n = 0;

	for (size_t i = 0; i < l->nr && n < max; i++) {
		if (l->items[i].id == skip_id)
			continue;
		view_push(list, view_teaser(p, &l->items[i]));
		n++;
	}
	return list;
}

void page_count_view(struct page *p, int64_t id)
{
	p->view_id = id;
	if (p->req->method == HTTP_GET)
		engine_count_view(p->site->engine, id);
}

/* This ad call's creative: the rotation's pick, recorded for the page cache,
 * or the one a cached page's request already picked (replay). */
static const struct engine_ad *pick_ad(struct page *p, const char *slot_name,
				       const struct engine_ad_slot **slot)
{
	const struct engine_ad *ad;
	size_t i = p->nad_calls++;

	if (p->replay_ads) {
		if (i < p->nreplay && !strcmp(p->ad_calls[i].slot, slot_name))
			return engine_ad_by_id(p->snap, slot_name, p->ad_ids[i], slot);
		p->uncacheable = true;  /* the page asked for other slots this time */
		return NULL;
	}
	ad = engine_pick_ad(p->site->engine, p->snap, slot_name, p->category_id, p->now,
			    p->req->method == HTTP_GET, slot);
	if (i < PAGECACHE_MAX_ADS) {
		p->ad_calls[i].slot = (char *)(uintptr_t)slot_name;
		p->ad_calls[i].category_id = p->category_id;
		p->ad_ids[i] = ad ? ad->id : 0;
	} else {
		p->uncacheable = true;
	}
	return ad;
}

struct view *view_ad(struct page *p, const char *slot_name)
{
	const struct engine_ad_slot *slot;
	const struct engine_ad *ad = pick_ad(p, slot_name, &slot);
	struct view *v;

	if (!ad)
		return NULL;
	v = view_obj(p->a);
	view_set_cstr(v, "slot", slot_name);
	view_set_int(v, "width", slot->width);
	view_set_int(v, "height", slot->height);
	view_set_cstr(v, "label", "- Advertisement -");
	if (slice_eq_str(ad->kind, "image") && ad->media_id) {
		view_set_bool(v, "is_image", true);
		view_set_cstr(v, "image_url",
			      url_media(p->a, ad->media_id, SLICE_LIT("creative")));
		view_set_cstr(v, "link", arena_printf(p->a, "/ad/%" PRId64 "/click", ad->id));
		view_set_str(v, "alt", ad->alt.p, ad->alt.len);
	} else {
		/* Sanitised when stored, like article bodies. */
		view_set_bool(v, "is_html", true);
		view_set_str(v, "html", ad->html.p, ad->html.len);
	}
	return v;
}

static void add_feed(struct page *p, struct view *list, const char *type, const char *title,
		     const char *url)
{
	struct view *f = view_obj(p->a);

	view_set_cstr(f, "type", type);
	view_set_cstr(f, "title", title);
	view_set_cstr(f, "url", url);
	view_push(list, f);
}

/* <link rel="alternate"> for the site's feeds and, on an archive, its own. */
static void view_feeds(struct page *p)
{
	const char *title = p->snap->settings.title;
	struct view *list = view_set_list(p->root, "feeds");

	add_feed(p, list, "application/rss+xml", title, "/feed/");
	add_feed(p, list, "application/atom+xml", title, "/feed/atom/");
	add_feed(p, list, "application/feed+json", title, "/feed/json/");
	if (p->feed_path)
		add_feed(p, list, "application/rss+xml",
			 arena_printf(p->a, "%s \xC2\xBB %.*s", title, (int)p->feed_name.len,
				      p->feed_name.p),
			 p->feed_path);
}

/* Canonical link, OpenGraph and Twitter card data for the <head>. */
static void view_meta(struct page *p)
{
	struct view *page = view_get(p->root, "page", 4);
	const char *base = page_base_url(p), *tag = locale_tag(p->snap->locale);
	const struct theme_asset *logo = theme_asset(p->site->theme, "logo.png", 8);

	if (!page)
		page = view_set_obj(p->root, "page");
	if (p->canonical)
		view_set_cstr(page, "canonical", arena_printf(p->a, "%s%s", base, p->canonical));
	view_set_cstr(page, "og_type", p->og_type ? p->og_type : "website");
	/* OpenGraph writes locales with an underscore: en_US. */
	view_set_cstr(page, "og_locale", tag[strcspn(tag, "-")]
			? arena_printf(p->a, "%.*s_%s", (int)strcspn(tag, "-"), tag,
				       tag + strcspn(tag, "-") + 1)
			: tag);
	if (p->og_image)
		view_set_cstr(page, "image", arena_printf(p->a, "%s%s", base, p->og_image));
	else if (logo)
		view_set_cstr(page, "image", arena_printf(p->a, "%s/static/logo.png", base));
	view_set_bool(page, "large_image", p->og_image != NULL);
}

/* The parts every page shares: masthead, date bar, navigation, assets. */
static void view_common(struct page *p)
{
	const struct site_settings *st = &p->snap->settings;
	const struct theme_asset *css = theme_asset(p->site->theme, "style.css", 9);
	struct view *site = view_set_obj(p->root, "site");
	struct view *nav = view_set_list(p->root, "nav");
	struct strbuf sb = STRBUF_INIT;
	struct tm tm;

	view_set_cstr(site, "title", st->title);
	view_set_cstr(site, "tagline", st->tagline);
	view_set_cstr(site, "lang", locale_tag(p->snap->locale));
	tz_localtime(p->snap->tz, p->now, &tm);
	timefmt_long_date(&sb, p->snap->locale, &tm);
	view_set_str(site, "date_bar", sb.buf, sb.len);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	view_set_str(site, "date_iso", sb.buf, sb.len);
	view_set_int(site, "year", tm.tm_year + 1900);
	strbuf_release(&sb);
	if (css)
		view_set_cstr(site, "css", arena_printf(p->a, "/static/style.css?v=%s", css->version));
	view_feeds(p);
	view_meta(p);
	for (size_t i = 0; i < p->snap->ncategories; i++) {
		const struct store_category *c = &p->snap->categories[i];
		struct view *item;

		if (c->count <= 0)
			continue;  /* empty sections (often Uncategorized) stay out of the menu */
		item = view_obj(p->a);
		view_set_str(item, "name", c->name.p, c->name.len);
		view_set_cstr(item, "url", url_category(p->a, c->slug));
		view_set_bool(item, "current", c->id == p->category_id);
		view_push(nav, item);
	}
}

/* ---- responses ---- */

static double mono_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void page_render(struct page *p, const char *template, int status)
{
	struct http_request *req = p->req;
	double t0;
	int rc;

	view_common(p);
	req->res.status = status;
	req->res.content_type = "text/html; charset=utf-8";
	strbuf_reset(&req->res.body);
	t0 = mono_seconds();
	rc = tpl_render(theme_templates(p->site->theme), template, p->root, &req->res.body);
	metrics_observe(metrics_global(), "dateline_render_seconds",
			"Time to render a page's templates.", NULL, mono_seconds() - t0);
	if (rc) {
		error("rendering template '%s' failed (%s)", template, dl_rc_name(rc));
		strbuf_reset(&req->res.body);
		req->res.status = 500;
		req->res.content_type = "text/plain; charset=utf-8";
		strbuf_addstr(&req->res.body, "500 Internal Server Error: the page could not be rendered.\n");
		return;
	}
	req->res.compressible = true;
	req->res.etag = status == 200;
	http_set_header(req, "Cache-Control",
			status == 200 ? "public, max-age=60, stale-while-revalidate=30, stale-if-error=86400" :
			status == 404 ? "public, max-age=30" : "no-store");
	http_set_header(req, "Content-Security-Policy",
			"default-src 'self'; img-src 'self' https: data:; style-src 'self';"
			" script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self';"
			" frame-src https://www.youtube-nocookie.com https://www.youtube.com"
			" https://player.vimeo.com https://w.soundcloud.com https://www.google.com;"
			" frame-ancestors 'self'");
	http_set_header(req, "Referrer-Policy", "strict-origin-when-cross-origin");
	http_set_header(req, "X-Frame-Options", "SAMEORIGIN");
}

void page_error(struct page *p, int status, const char *message)
{
	struct view *err;

	/* A path of the WordPress site this one replaced: send readers on. */
	if (status == 404 && site_legacy_redirect(p))
		return;

	p->root = view_obj(p->a);
	err = view_set_obj(p->root, "error");
	view_set_int(err, "status", status);
	view_set_cstr(err, "title", status == 404 ? "Page not found" : http_status_text(status));
	view_set_cstr(err, "message", message);
	view_set_bool(err, "not_found", status == 404);
	view_set_cstr(view_set_obj(p->root, "page"), "title",
		      status == 404 ? "Page not found" : http_status_text(status));
	if (status == 404 && p->snap->latest.nr) {
		view_set_bool(p->root, "has_latest", true);
		view_set(p->root, "latest", view_teasers(p, &p->snap->latest, 0,
							 p->snap->settings.latest_count));
	}
	page_render(p, "error", status);
}

void page_store_error(struct page *p, int rc)
{
	if (rc == DL_UNAVAILABLE) {
		http_set_header(p->req, "Retry-After", "5");
		page_error(p, 503, "The newsroom's database is busy. Please try again in a moment.");
	} else {
		page_error(p, 500, "Something went wrong on our side.");
	}
}

bool page_failed(struct page *p, int rc, const char *not_found)
{
	if (rc == DL_NOTFOUND)
		page_error(p, 404, not_found);
	else if (rc)
		page_store_error(p, rc);
	return rc != DL_OK;
}

bool page_check_query(struct page *p, const char *const *allowed)
{
	const char *bad = query_unknown(p->a, &p->req->query, allowed);

	if (!bad)
		return true;
	page_error(p, 400, arena_printf(p->a, "Unknown query parameter '%s'.", bad));
	return false;
}

/* Errors raised below the site (bad paths, methods) get the themed page when possible. */
void site_error_page(struct http_request *req, const char *message, void *ctx)
{
	struct site *s = ctx;
	struct page p = { .site = s, .req = req, .a = req->arena, .now = (int64_t)time(NULL) };
	int status = req->res.status;

	p.snap = engine_snapshot(s->engine, req->arena);
	if (!p.snap) {
		req->res.content_type = "text/plain; charset=utf-8";
		strbuf_addf(&req->res.body, "%d %s: %s\n", status, http_status_text(status), message);
		return;
	}
	page_error(&p, status, message);
}

/*
 * A weak validator for what a response is made of: the store's content
 * generation, the page-view epoch (Must Read), the site's day (date bar),
 * this process (theme) and the request target. Two requests with the same
 * validator differ at most in the ads they rotate, so a client holding one
 * may keep it, and the page need not even be rendered.
 */
static const char *page_validator(struct page *p)
{
	struct slice t = p->req->target;
	bool must_read = p->match.route->flags & ROUTE_SHOWS_MUST_READ;

	/* Page views move only Must Read: feeds, sitemaps and the API ignore them. */
	return arena_printf(p->a, "W/\"%" PRIx64 "-%" PRIx64 "-%" PRIx64 "-%" PRIx64 "-%016" PRIx64 "\"",
			    (uint64_t)p->snap->generation, must_read ? p->snap->must_read_version : 0,
			    (uint64_t)timefmt_day_number(p->snap->tz, p->now),
			    (uint64_t)p->site->started, hash64(t.p, t.len));
}

void site_handle(struct http_request *req, void *ctx)
{
	struct site *s = ctx;
	struct page p = { .site = s, .req = req, .a = req->arena, .now = (int64_t)time(NULL) };
	enum route_result r;
	unsigned allowed;

	p.snap = engine_snapshot(s->engine, req->arena);
	if (!p.snap) {
		req->res.status = 503;
		req->res.content_type = "text/plain; charset=utf-8";
		http_set_header(req, "Retry-After", "5");
		strbuf_addstr(&req->res.body, "503 Service Unavailable: the database cannot be reached.\n");
		return;
	}
	p.db = engine_read_db(s->engine);  /* the public plane only reads */
	p.root = view_obj(p.a);
	/* A site whose public address is https:// is only ever visited over HTTPS. */
	if (!strncmp(p.snap->settings.base_url, "https://", 8))
		http_set_header(req, "Strict-Transport-Security", "max-age=31536000");
	r = router_match(s->router, req->method, req->path, &p.match, &allowed);
	switch (r) {
	case ROUTE_FOUND:
		req->route = p.match.route->name;  /* for the request metrics */
		if (p.match.route->flags & ROUTE_NO_SHORTCUT) {
			p.match.route->handler(req, &p);
			break;
		}
		if (engine_page_cache(s->engine)) {
			if (site_cache_serve(&p))
				break;
			p.match.route->handler(req, &p);
			site_cache_store(&p);
			break;
		}
		/* Without the cache, a page is a function of its validator: a client
		 * holding it gets a 304 without the page being rendered (and keeps
		 * its own Cache-Control). */
		if (http_not_modified(req, page_validator(&p))) {
			http_set_header(req, "Vary", "Accept-Encoding");
			break;
		}
		p.match.route->handler(req, &p);
		break;
	case ROUTE_ADD_SLASH: {
		struct strbuf sb = STRBUF_INIT;
		/* Re-encode the decoded path so the Location header is plain ASCII. */
		for (size_t i = 0; i < req->path.len; i++) {
			char c = req->path.p[i];
			if (c == '/')
				strbuf_addch(&sb, '/');
			else
				strbuf_add_urlencoded(&sb, &c, 1);
		}
		strbuf_addch(&sb, '/');
		if (req->raw_query.len) {
			strbuf_addch(&sb, '?');
			strbuf_addslice(&sb, req->raw_query);
		}
		http_redirect(req, 301, arena_strndup(p.a, sb.buf, sb.len));
		strbuf_release(&sb);
		break;
	}
	case ROUTE_BAD_METHOD:
		http_set_header(req, "Allow", "GET, HEAD");
		page_error(&p, 405, "This method is not served here.");
		break;
	case ROUTE_NOT_FOUND:
		page_error(&p, 404, "We could not find that page. It may have moved or been taken down.");
		break;
	}
}
