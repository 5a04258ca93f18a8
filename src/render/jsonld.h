/*
 * jsonld.h - schema.org structured data for search engines: NewsArticle
 * and BreadcrumbList as one JSON-LD array. The output is safe inside a
 * <script type="application/ld+json"> element: <, > and & are escaped.
 */
#ifndef DL_RENDER_JSONLD_H
#define DL_RENDER_JSONLD_H

#include "core/compat.h"
#include "core/slice.h"
#include "core/strbuf.h"

#define JSONLD_MAX_CRUMBS 4

struct jsonld_article {
	struct slice url, headline, description, image_url, section;
	int64_t published, modified;
	struct slice author_name, author_url;
	struct slice publisher_name, publisher_url, logo_url;
	struct slice crumb_names[JSONLD_MAX_CRUMBS], crumb_urls[JSONLD_MAX_CRUMBS];
	size_t ncrumbs;
};

/* Append [NewsArticle, BreadcrumbList] for `a` (absolute URLs). */
void jsonld_article(struct strbuf *out, const struct jsonld_article *a);

#endif
