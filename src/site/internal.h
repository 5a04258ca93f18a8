/*
 * internal.h - shared between the public-plane handlers. Private to src/site/.
 */
#ifndef DL_SITE_INTERNAL_H
#define DL_SITE_INTERNAL_H

#include "core/compat.h"
#include "http/router.h"
#include "engine/pagecache.h"
#include "render/view.h"
#include "site/site.h"

struct site {
	struct engine *engine;
	const struct theme *theme;
	struct router *router;
	int64_t started;        /* a new process may bring a new theme */
	char *default_base_url; /* http://<listener>, when base_url is not set */
};

/* Route flags: how a page may be revalidated or cached without running its handler. */
enum {
	ROUTE_SHOWS_MUST_READ = 1 << 0,  /* its validator includes the Must Read version */
	ROUTE_NO_SHORTCUT = 1 << 1,      /* always run the handler (clicks, redirects, files) */
};

/* Everything one request's handler works with. */
struct page {
	struct site *site;
	struct http_request *req;
	struct arena *a;
	const struct engine_snapshot *snap;
	struct db *db;
	struct route_match match;
	struct view *root;      /* the view model handed to the template */
	int64_t now;
	int64_t category_id;    /* for ad targeting; 0 on pages without one */
	const char *canonical;  /* this page's one URL (site-relative), or NULL */
	const char *og_type;    /* "article" or NULL for "website" */
	const char *og_image;   /* site-relative share image, or NULL for the logo */
	const char *feed_path;  /* an archive's own feed ("/tag/x/feed/"), or NULL */
	struct slice feed_name;
	/* The ad calls the handler made, recorded for the page cache, or (replay)
	 * the creatives it must show, in call order. */
	struct pagecache_ad_call ad_calls[PAGECACHE_MAX_ADS];
	int64_t ad_ids[PAGECACHE_MAX_ADS];
	size_t nad_calls, nreplay;
	bool replay_ads;
	bool uncacheable;       /* the response must not be cached */
	int64_t view_id;        /* the article this page counted a view of */
	/* The page cache's view of this request (site/cache.c). */
	const char *cache_key;
	struct pagecache_stamp stamp;
	struct pagecache_page *cached;
};

/* Handlers (route table in site.c). */
void page_home(struct http_request *req, void *page);
void page_article(struct http_request *req, void *page);
void page_dated_article(struct http_request *req, void *page);
void page_category_redirect(struct http_request *req, void *page);
void page_category(struct http_request *req, void *page);
void page_tag(struct http_request *req, void *page);
void page_author(struct http_request *req, void *page);
void page_static(struct http_request *req, void *page);
void page_favicon(struct http_request *req, void *page);
void page_media(struct http_request *req, void *page);
void page_media_variant(struct http_request *req, void *page);
void page_ad_click(struct http_request *req, void *page);
void page_feed(struct http_request *req, void *page);
void page_robots(struct http_request *req, void *page);
void page_healthz(struct http_request *req, void *page);
void page_search(struct http_request *req, void *page);
/* The WordPress REST API v2, read subset (src/api/wp.c). */
void api_wp_index(struct http_request *req, void *page);
void api_wp_posts(struct http_request *req, void *page);
void api_wp_post(struct http_request *req, void *page);
void api_wp_pages(struct http_request *req, void *page);
void api_wp_categories(struct http_request *req, void *page);
void api_wp_tags(struct http_request *req, void *page);
void api_wp_users(struct http_request *req, void *page);
void api_wp_no_route(struct http_request *req, void *page);
void page_sitemap_index(struct http_request *req, void *page);
void page_sitemap(struct http_request *req, void *page);
void page_category_feed(struct http_request *req, void *page);
void page_tag_feed(struct http_request *req, void *page);
void page_author_feed(struct http_request *req, void *page);
/* The old WordPress site's links (src/site/legacy.c). */
void page_month_article(struct http_request *req, void *page);
void page_nested_category(struct http_request *req, void *page);
void page_legacy(struct http_request *req, void *page);
/* Answer with a 301 if the request's path is an imported site's old path
 * (legacy_paths); returns whether it did. */
bool site_legacy_redirect(struct page *p);

/*
 * Refuse query parameters not in `allowed` (NULL-terminated; tracking
 * parameters always pass) with a 400. Returns false when it answered.
 */
bool page_check_query(struct page *p, const char *const *allowed);
/* Render `template` with p->root as a cacheable HTML page. */
void page_render(struct page *p, const char *template, int status);
/* Answer with the themed error page. */
void page_error(struct page *p, int status, const char *message);
/* Answer a store failure: 503 for an unreachable database, else 500. */
void page_store_error(struct page *p, int rc);
/*
 * Answer a failed lookup (DL_NOTFOUND: 404 with `not_found`; other errors:
 * page_store_error) and return true, or return false for DL_OK.
 */
bool page_failed(struct page *p, int rc, const char *not_found);

/*
 * The site's absolute base URL without a trailing slash: the base_url
 * setting, else http://<Host> when the Host header is a plain host[:port],
 * else http://localhost. Production sites should set base_url.
 */
const char *page_base_url(struct page *p);

/* An absolute URL for a site-relative path. */
struct slice page_absolute(struct page *p, const char *path);

/* For page_check_query(): no parameters besides tracking ones. */
extern const char *const page_no_params[];

/* URLs, arena-allocated. */
const char *url_article(struct arena *a, const struct store_article *art);
const char *url_category(struct arena *a, struct slice slug);
const char *url_tag(struct arena *a, struct slice slug);
const char *url_author(struct arena *a, struct slice slug);
const char *url_media(struct arena *a, int64_t id, struct slice filename);

/* View-model builders. */
struct view *view_teaser(struct page *p, const struct store_article *art);
struct view *view_teasers(struct page *p, const struct store_list *l, int64_t skip_id,
			  int64_t max);
/* Count a page view of article `id` (GET only) and remember it for the cache. */
void page_count_view(struct page *p, int64_t id);

/*
 * The page cache around a handler (site/cache.c): site_cache_serve answers
 * from the cache and returns true, or prepares the request for a render
 * and returns false; site_cache_store keeps what the handler rendered and
 * sends it from the cache's copy.
 */
bool site_cache_serve(struct page *p);
void site_cache_store(struct page *p);

/* The ad for `slot` as a view, or NULL (nothing eligible: render nothing). */
struct view *view_ad(struct page *p, const char *slot);
/* Set a "human" and an RFC 3339 time under key_human / key_iso. */
void view_set_time(struct page *p, struct view *obj, const char *key, int64_t t);

#endif
