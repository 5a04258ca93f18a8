/*
 * seo.c - robots.txt and sitemaps: an index at /sitemap.xml pointing to
 * /sitemap/articles-N.xml (50,000 articles each, in id order so pages stay
 * stable), /sitemap/sections.xml and the Google News /sitemap/news.xml.
 */
#include "core/compat.h"
#include "core/err.h"
#include "render/sitemap.h"
#include "site/internal.h"


static void send_xml(struct page *p, const char *type, const char *cache)
{
	struct http_response *res = &p->req->res;

	res->status = 200;
	res->content_type = type;
	res->compressible = true;
	res->etag = true;
	http_set_header(p->req, "Cache-Control", cache);
}

void page_robots(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	const char *base = page_base_url(p);

	if (!page_check_query(p, page_no_params))
		return;
	/* Search results and ad click-throughs are endless or meaningless to crawlers. */
	strbuf_addf(&req->res.body,
		    "User-agent: *\nAllow: /\nDisallow: /search/\nDisallow: /ad/\n\n"
		    "Sitemap: %s/sitemap.xml\nSitemap: %s/sitemap/news.xml\n", base, base);
	send_xml(p, "text/plain; charset=utf-8", "public, max-age=3600");
}

void page_sitemap_index(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	struct strbuf *out = &req->res.body;
	int64_t n, pages, lastmod;
	int rc;

	if (!page_check_query(p, page_no_params))
		return;
	rc = store_published_count(p->db, &n);
	if (page_failed(p, rc, "No sitemap."))
		return;
	pages = (n + SITEMAP_MAX_URLS - 1) / SITEMAP_MAX_URLS;
	sitemap_index_begin(out);
	sitemap_index_entry(out, page_absolute(p, "/sitemap/sections.xml"), 0);
	sitemap_index_entry(out, page_absolute(p, "/sitemap/news.xml"), 0);
	for (int64_t i = 0; i < pages; i++) {
		rc = store_page_lastmod(p->db, i * SITEMAP_MAX_URLS, SITEMAP_MAX_URLS, &lastmod);
		if (page_failed(p, rc, "No sitemap."))
			return;
		sitemap_index_entry(out, page_absolute(p, arena_printf(p->a, "/sitemap/articles-%" PRId64
								   ".xml", i + 1)), lastmod);
	}
	sitemap_index_end(out);
	send_xml(p, "application/xml; charset=utf-8", "public, max-age=900");
}

struct url_ctx {
	struct page *p;
	const char *base;
	struct strbuf loc;
	bool news;
};

static void add_url(void *ctx, const struct store_url *u)
{
	struct url_ctx *c = ctx;
	struct page *p = c->p;

	strbuf_reset(&c->loc);
	strbuf_addstr(&c->loc, c->base);
	strbuf_addch(&c->loc, '/');
	strbuf_add_urlencoded(&c->loc, u->category_slug.p, u->category_slug.len);
	strbuf_addch(&c->loc, '/');
	strbuf_add_urlencoded(&c->loc, u->slug.p, u->slug.len);
	strbuf_addch(&c->loc, '/');
	if (c->news) {
		/* Google wants the language as an ISO 639 code: "en" of "en-US". */
		const char *tag = locale_tag(p->snap->locale);
		sitemap_news_url(&p->req->res.body, (struct slice){ c->loc.buf, c->loc.len },
				 slice_cstr(p->snap->settings.title),
				 (struct slice){ tag, strcspn(tag, "-") }, u->published_at, u->title);
	} else {
		sitemap_url(&p->req->res.body, (struct slice){ c->loc.buf, c->loc.len },
			    u->updated_at > u->published_at ? u->updated_at : u->published_at);
	}
}

static void sitemap_articles(struct page *p, int64_t since, int64_t offset, int64_t limit)
{
	struct url_ctx c = { p, page_base_url(p), STRBUF_INIT, since != 0 };
	int rc;

	sitemap_begin(&p->req->res.body, c.news);
	rc = store_each_url(p->db, since, offset, limit, add_url, &c);
	strbuf_release(&c.loc);
	if (page_failed(p, rc, "No sitemap."))
		return;
	sitemap_end(&p->req->res.body);
	send_xml(p, "application/xml; charset=utf-8", "public, max-age=300");
}

static void sitemap_sections(struct page *p)
{
	struct strbuf *out = &p->req->res.body;
	const struct engine_snapshot *s = p->snap;

	sitemap_begin(out, false);
	sitemap_url(out, page_absolute(p, "/"), s->latest.nr ? s->latest.items[0].published_at : 0);
	for (size_t i = 0; i < s->nsections; i++)
		sitemap_url(out, page_absolute(p, url_category(p->a, s->sections[i].category->slug)),
			    s->sections[i].articles.nr ? s->sections[i].articles.items[0].published_at : 0);
	sitemap_end(out);
	send_xml(p, "application/xml; charset=utf-8", "public, max-age=900");
}

void page_sitemap(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	struct slice file = p->match.params[0];
	int64_t n;

	if (!page_check_query(p, page_no_params))
		return;
	if (slice_eq_str(file, "news.xml")) {
		sitemap_articles(p, p->now - SITEMAP_NEWS_SECONDS, 0, SITEMAP_NEWS_MAX);
	} else if (slice_eq_str(file, "sections.xml")) {
		sitemap_sections(p);
	} else if (slice_starts_with(file, "articles-") && file.len > 13 &&
		   !memcmp(file.p + file.len - 4, ".xml", 4) &&
		   !slice_to_int64((struct slice){ file.p + 9, file.len - 13 }, 1, 100000, &n)) {
		int64_t count;
		int rc = store_published_count(p->db, &count);

		if (page_failed(p, rc, "No such sitemap."))
			return;
		if ((n - 1) * SITEMAP_MAX_URLS >= count && n > 1)
			page_error(p, 404, "No such sitemap.");
		else
			sitemap_articles(p, 0, (n - 1) * SITEMAP_MAX_URLS, SITEMAP_MAX_URLS);
	} else {
		page_error(p, 404, "No such sitemap.");
	}
}
