#include "core/compat.h"
#include "core/timefmt.h"
#include "core/tz.h"
#include "render/jsonld.h"

static void str(struct strbuf *out, const char *key, struct slice v)
{
	strbuf_addf(out, "\"%s\":\"", key);
	strbuf_add_json(out, v.p, v.len);
	strbuf_addch(out, '"');
}

static void date(struct strbuf *out, const char *key, int64_t t)
{
	struct tm tm;

	tz_localtime(tz_utc(), t, &tm);
	strbuf_addf(out, "\"%s\":\"", key);
	timefmt_rfc3339(out, &tm);
	strbuf_addch(out, '"');
}

void jsonld_article(struct strbuf *out, const struct jsonld_article *a)
{
	strbuf_addstr(out, "[{\"@context\":\"https://schema.org\",\"@type\":\"NewsArticle\",");
	str(out, "headline", a->headline);
	strbuf_addch(out, ',');
	if (a->description.len) {
		str(out, "description", a->description);
		strbuf_addch(out, ',');
	}
	if (a->image_url.len) {
		strbuf_addstr(out, "\"image\":[\"");
		strbuf_add_json(out, a->image_url.p, a->image_url.len);
		strbuf_addstr(out, "\"],");
	}
	date(out, "datePublished", a->published);
	strbuf_addch(out, ',');
	date(out, "dateModified", a->modified);
	strbuf_addstr(out, ",\"author\":[{\"@type\":\"Person\",");
	str(out, "name", a->author_name);
	strbuf_addch(out, ',');
	str(out, "url", a->author_url);
	strbuf_addstr(out, "}],\"publisher\":{\"@type\":\"NewsMediaOrganization\",");
	str(out, "name", a->publisher_name);
	strbuf_addch(out, ',');
	str(out, "url", a->publisher_url);
	strbuf_addstr(out, ",\"logo\":{\"@type\":\"ImageObject\",");
	str(out, "url", a->logo_url);
	strbuf_addstr(out, "}},");
	str(out, "mainEntityOfPage", a->url);
	if (a->section.len) {
		strbuf_addch(out, ',');
		str(out, "articleSection", a->section);
	}
	strbuf_addstr(out, "},{\"@context\":\"https://schema.org\",\"@type\":\"BreadcrumbList\","
			   "\"itemListElement\":[");
	for (size_t i = 0; i < a->ncrumbs; i++) {
		strbuf_addf(out, "%s{\"@type\":\"ListItem\",\"position\":%zu,", i ? "," : "", i + 1);
		str(out, "name", a->crumb_names[i]);
		if (a->crumb_urls[i].len) {
			strbuf_addch(out, ',');
			str(out, "item", a->crumb_urls[i]);
		}
		strbuf_addch(out, '}');
	}
	strbuf_addstr(out, "]}]");
}
