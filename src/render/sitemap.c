#include "core/compat.h"
#include "core/timefmt.h"
#include "core/tz.h"
#include "render/sitemap.h"

static void w3c_date(struct strbuf *out, int64_t t)
{
	struct tm tm;

	tz_localtime(tz_utc(), t, &tm);
	timefmt_rfc3339(out, &tm);
}

static void element(struct strbuf *out, const char *name, struct slice text)
{
	strbuf_addf(out, "<%s>", name);
	strbuf_add_xml(out, text.p, text.len);
	strbuf_addf(out, "</%s>", name);
}

/* <sitemap> or <url> with its location and, when known, last change. */
static void entry(struct strbuf *out, const char *tag, struct slice loc, int64_t lastmod)
{
	strbuf_addf(out, "<%s>", tag);
	element(out, "loc", loc);
	if (lastmod) {
		strbuf_addstr(out, "<lastmod>");
		w3c_date(out, lastmod);
		strbuf_addstr(out, "</lastmod>");
	}
	strbuf_addf(out, "</%s>\n", tag);
}

void sitemap_index_begin(struct strbuf *out)
{
	strbuf_addstr(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
}

void sitemap_index_entry(struct strbuf *out, struct slice loc, int64_t lastmod)
{
	entry(out, "sitemap", loc, lastmod);
}

void sitemap_index_end(struct strbuf *out)
{
	strbuf_addstr(out, "</sitemapindex>\n");
}

void sitemap_begin(struct strbuf *out, bool news)
{
	strbuf_addstr(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"");
	if (news)
		strbuf_addstr(out, " xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\"");
	strbuf_addstr(out, ">\n");
}

void sitemap_url(struct strbuf *out, struct slice loc, int64_t lastmod)
{
	entry(out, "url", loc, lastmod);
}

void sitemap_news_url(struct strbuf *out, struct slice loc, struct slice publication,
		      struct slice language, int64_t published, struct slice title)
{
	strbuf_addstr(out, "<url>");
	element(out, "loc", loc);
	strbuf_addstr(out, "<news:news><news:publication>");
	element(out, "news:name", publication);
	element(out, "news:language", language);
	strbuf_addstr(out, "</news:publication><news:publication_date>");
	w3c_date(out, published);
	strbuf_addstr(out, "</news:publication_date>");
	element(out, "news:title", title);
	strbuf_addstr(out, "</news:news></url>\n");
}

void sitemap_end(struct strbuf *out)
{
	strbuf_addstr(out, "</urlset>\n");
}
