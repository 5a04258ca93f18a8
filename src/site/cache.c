/*
 * cache.c - the public pages through the engine's page cache.
 *
 * A page is cached as whole bodies, one per combination of ads it showed:
 * the rotation still runs on every request (so weights and impressions hold)
 * and picks which cached body to send. Why not cache the page split around
 * its ad slots and splice the creative in at serve time: a brotli stream
 * cannot be spliced, and gzip only with per-request CRC and stream surgery,
 * while a page has few ad combinations (slots x creatives) and the byte
 * budget bounds them anyway.
 */
#include "core/compat.h"
#include "core/strbuf.h"
#include "core/timefmt.h"
#include "http/compress.h"
#include "site/internal.h"

/* Encoding effort for bodies made once and sent many times. */
#define CACHE_GZIP_LEVEL 6
#define CACHE_BROTLI_QUALITY 5

/* Every cached body has all three codings, so the choice needs no body. */
static const struct http_prebuilt all_codings = { .len = { 1, 1, 1 } };

static void unref_page(void *pg)
{
	pagecache_page_unref(pg);
}

/* Path plus the query parameters a page uses: tracking parameters (a
 * unique fbclid per click of a viral link) must not make every request a miss. */
static const char *cache_key(struct page *p)
{
	const struct query *q = &p->req->query;
	struct strbuf sb = STRBUF_INIT;
	const char *key;
	bool first = true;

	strbuf_add(&sb, p->req->path.p, p->req->path.len);
	for (size_t i = 0; i < q->nr; i++) {
		if (query_is_tracking(q->items[i].key))
			continue;
		strbuf_addch(&sb, first ? '?' : '&');
		strbuf_add_urlencoded(&sb, q->items[i].key.p, q->items[i].key.len);
		strbuf_addch(&sb, '=');
		strbuf_add_urlencoded(&sb, q->items[i].value.p, q->items[i].value.len);
		first = false;
	}
	key = arena_strndup(p->a, sb.buf, sb.len);
	strbuf_release(&sb);
	return key;
}

/* Send `b` (the caller's reference passes to the response) with `pg`'s headers. */
static void send_body(struct page *p, struct pagecache_page *pg, struct pagecache_body *b)
{
	struct http_response *res = &p->req->res;

	res->status = 200;
	res->content_type = pg->content_type;
	res->last_modified = pg->last_modified;
	for (size_t i = 0; i < pg->nheaders; i++) {
		/* Headers every request sets before routing (HSTS) were stored too: once is enough. */
		bool set = false;
		for (size_t j = 0; j < res->nheaders && !set; j++)
			set = !strcasecmp(res->headers[j].name, pg->headers[i].name);
		if (!set)
			http_set_header(p->req, pg->headers[i].name, pg->headers[i].value);
	}
	http_set_header(p->req, "X-Cache", "hit");
	res->prebuilt = &b->pre;
	res->shareable = true;  /* every hit of this body sends these very headers */
}

bool site_cache_serve(struct page *p)
{
	struct pagecache *pc = engine_page_cache(p->site->engine);
	struct engine *e = p->site->engine;
	struct http_request *req = p->req;
	bool get = req->method == HTTP_GET;
	struct pagecache_page *pg;
	struct pagecache_body *b;
	int64_t ads[PAGECACHE_MAX_ADS] = { 0 };

	p->cache_key = cache_key(p);
	p->stamp.generation = p->snap->generation;
	p->stamp.must_read = p->match.route->flags & ROUTE_SHOWS_MUST_READ
			     ? p->snap->must_read_version : 0;
	p->stamp.day = timefmt_day_number(p->snap->tz, p->now);
	pg = pagecache_get(pc, p->cache_key, &p->stamp);
	if (!pg) {
		pagecache_count(pc, false);
		return false;
	}
	arena_cleanup_add(p->a, unref_page, pg);

	/* A client holding any current rendering keeps it: it shows that one's ads. */
	if (http_header(req, "If-None-Match") &&
	    (b = pagecache_find_etag(pc, pg, req, http_pick_coding(req, &all_codings)))) {
		for (size_t i = 0; get && i < pg->nads; i++)
			if (b->ads[i])
				engine_count_impression(e, b->ads[i]);
		if (get && pg->view_id)
			engine_count_view(e, pg->view_id);
		pagecache_count(pc, true);
		send_body(p, pg, b);  /* the server answers 304 from the tag */
		return true;
	}

	/* The rotation moves and counts exactly as a render would. */
	for (size_t i = 0; i < pg->nads; i++) {
		const struct engine_ad_slot *slot;
		const struct engine_ad *ad = engine_pick_ad(e, p->snap, pg->ads[i].slot,
							    pg->ads[i].category_id, p->now, get, &slot);
		ads[i] = ad ? ad->id : 0;
	}
	b = pagecache_find_body(pc, pg, ads, pg->nads);
	if (!b && !get)
		b = pagecache_any_body(pc, pg);  /* HEAD sends no body, so no ads either */
	if (b) {
		if (get && pg->view_id)
			engine_count_view(e, pg->view_id);
		pagecache_count(pc, true);
		send_body(p, pg, b);
		return true;
	}
	/* A new combination of ads: render it with the creatives just picked. */
	pagecache_count(pc, false);
	p->cached = pg;
	p->replay_ads = true;
	p->nreplay = pg->nads;
	for (size_t i = 0; i < pg->nads; i++) {
		p->ad_calls[i] = pg->ads[i];
		p->ad_ids[i] = ads[i];
	}
	return false;
}

void site_cache_store(struct page *p)
{
	struct pagecache *pc = engine_page_cache(p->site->engine);
	struct http_response *res = &p->req->res;
	struct strbuf gz = STRBUF_INIT, br = STRBUF_INIT;
	struct pagecache_page *pg = p->cached;
	struct pagecache_body *b;

	if (res->status != 200 || res->static_body || res->prebuilt || !res->compressible ||
	    p->uncacheable || p->nad_calls > PAGECACHE_MAX_ADS ||
	    (p->replay_ads && p->nad_calls != p->nreplay))
		return;
	if (http_gzip(res->body.buf, res->body.len, CACHE_GZIP_LEVEL, &gz) ||
	    http_brotli(res->body.buf, res->body.len, CACHE_BROTLI_QUALITY, &br))
		goto out;
	if (!pg) {
		pg = pagecache_page_new(p->cache_key, &p->stamp, res->content_type,
					res->last_modified, res->headers, res->nheaders,
					p->ad_calls, p->nad_calls, p->view_id);
		arena_cleanup_add(p->a, unref_page, pg);
	}
	b = pagecache_body_new(p->ad_ids, p->nad_calls, res->body.buf, res->body.len,
			       gz.buf, gz.len, br.buf, br.len);
	pagecache_add(pc, pg, b);
	/* Sent from the cache's copy, so a 304 and every coding work as on a hit. */
	http_set_header(p->req, "X-Cache", "miss");
	res->prebuilt = &b->pre;
out:
	strbuf_release(&gz);
	strbuf_release(&br);
}
