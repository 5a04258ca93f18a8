/*
 * sitemap.h - sitemaps.org sitemaps and index files, and Google News
 * sitemaps. URLs must be absolute; times are Unix seconds (written UTC).
 */
#ifndef DL_RENDER_SITEMAP_H
#define DL_RENDER_SITEMAP_H

#include "core/compat.h"
#include "core/slice.h"
#include "core/strbuf.h"

/* Most URLs one sitemap file may list (sitemaps.org). */
#define SITEMAP_MAX_URLS 50000
/* Most URLs a news sitemap may list, and how far back it reaches (Google News). */
#define SITEMAP_NEWS_MAX 1000
#define SITEMAP_NEWS_SECONDS (2 * 86400)

void sitemap_index_begin(struct strbuf *out);
void sitemap_index_entry(struct strbuf *out, struct slice loc, int64_t lastmod);
void sitemap_index_end(struct strbuf *out);

/* A <urlset>; with news=true it declares the news namespace. */
void sitemap_begin(struct strbuf *out, bool news);
/* One <url>; lastmod 0 leaves it out. */
void sitemap_url(struct strbuf *out, struct slice loc, int64_t lastmod);
/* One news <url>: publication name and language (ISO 639, e.g. "en"). */
void sitemap_news_url(struct strbuf *out, struct slice loc, struct slice publication,
		      struct slice language, int64_t published, struct slice title);
void sitemap_end(struct strbuf *out);

#endif
