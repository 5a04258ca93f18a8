#include "core/compat.h"
#include "core/timefmt.h"
#include "core/tz.h"
#include "render/feed.h"
#include "render/links.h"

static void xml(struct strbuf *out, struct slice s)
{
	strbuf_add_xml(out, s.p, s.len);
}

static void json_str(struct strbuf *out, struct slice s)
{
	strbuf_addch(out, '"');
	strbuf_add_json(out, s.p, s.len);
	strbuf_addch(out, '"');
}

static void rfc3339_utc(struct strbuf *out, int64_t t)
{
	struct tm tm;

	tz_localtime(tz_utc(), t, &tm);
	timefmt_rfc3339(out, &tm);
}

static void rss_item(struct strbuf *out, const struct feed *f, const struct feed_item *it)
{
	struct strbuf body = STRBUF_INIT;

	strbuf_addstr(out, "<item>\n<title>");
	xml(out, it->title);
	strbuf_addstr(out, "</title>\n<link>");
	xml(out, it->url);
	/* Not the URL: a story that changes section keeps its identity. */
	strbuf_addstr(out, "</link>\n<guid isPermaLink=\"false\">");
	xml(out, it->id);
	strbuf_addstr(out, "</guid>\n<pubDate>");
	timefmt_http(out, it->published);
	strbuf_addstr(out, "</pubDate>\n<dc:creator>");
	xml(out, it->author_name);
	strbuf_addstr(out, "</dc:creator>\n");
	if (it->category.len) {
		strbuf_addstr(out, "<category>");
		xml(out, it->category);
		strbuf_addstr(out, "</category>\n");
	}
	strbuf_addstr(out, "<description>");
	xml(out, it->summary);
	strbuf_addstr(out, "</description>\n");
	if (f->full_content) {
		html_absolute_links(it->content_html.p, it->content_html.len, f->base_url, &body);
		strbuf_addstr(out, "<content:encoded>");
		xml(out, (struct slice){ body.buf, body.len });
		strbuf_addstr(out, "</content:encoded>\n");
	}
	if (it->image_url.len) {
		strbuf_addstr(out, "<enclosure url=\"");
		xml(out, it->image_url);
		strbuf_addf(out, "\" length=\"%" PRId64 "\" type=\"", it->image_length);
		xml(out, it->image_type);
		strbuf_addstr(out, "\"/>\n");
	}
	strbuf_addstr(out, "</item>\n");
	strbuf_release(&body);
}

static void render_rss(const struct feed *f, struct strbuf *out)
{
	strbuf_addstr(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\""
		      " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\""
		      " xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n<title>");
	xml(out, f->title);
	strbuf_addstr(out, "</title>\n<link>");
	xml(out, f->home_url);
	strbuf_addstr(out, "</link>\n<description>");
	xml(out, f->description);
	strbuf_addstr(out, "</description>\n<language>");
	xml(out, f->language);
	strbuf_addstr(out, "</language>\n<lastBuildDate>");
	timefmt_http(out, f->updated);
	strbuf_addstr(out, "</lastBuildDate>\n<atom:link rel=\"self\" type=\"application/rss+xml\" href=\"");
	xml(out, f->self_url);
	strbuf_addstr(out, "\"/>\n<generator>Dateline " DATELINE_VERSION "</generator>\n");
	for (size_t i = 0; i < f->nitems; i++)
		rss_item(out, f, &f->items[i]);
	strbuf_addstr(out, "</channel>\n</rss>\n");
}

static void atom_entry(struct strbuf *out, const struct feed *f, const struct feed_item *it)
{
	struct strbuf body = STRBUF_INIT;

	strbuf_addstr(out, "<entry>\n<title type=\"text\">");
	xml(out, it->title);
	strbuf_addstr(out, "</title>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
	xml(out, it->url);
	strbuf_addstr(out, "\"/>\n<id>");
	xml(out, it->id);
	strbuf_addstr(out, "</id>\n<published>");
	rfc3339_utc(out, it->published);
	strbuf_addstr(out, "</published>\n<updated>");
	rfc3339_utc(out, it->updated);
	strbuf_addstr(out, "</updated>\n<author><name>");
	xml(out, it->author_name);
	strbuf_addstr(out, "</name><uri>");
	xml(out, it->author_url);
	strbuf_addstr(out, "</uri></author>\n");
	if (it->category.len) {
		strbuf_addstr(out, "<category term=\"");
		xml(out, it->category);
		strbuf_addstr(out, "\"/>\n");
	}
	strbuf_addstr(out, "<summary type=\"text\">");
	xml(out, it->summary);
	strbuf_addstr(out, "</summary>\n");
	if (f->full_content) {
		html_absolute_links(it->content_html.p, it->content_html.len, f->base_url, &body);
		strbuf_addstr(out, "<content type=\"html\">");
		xml(out, (struct slice){ body.buf, body.len });
		strbuf_addstr(out, "</content>\n");
	}
	if (it->image_url.len) {
		strbuf_addstr(out, "<link rel=\"enclosure\" href=\"");
		xml(out, it->image_url);
		strbuf_addf(out, "\" length=\"%" PRId64 "\" type=\"", it->image_length);
		xml(out, it->image_type);
		strbuf_addstr(out, "\"/>\n");
	}
	strbuf_addstr(out, "</entry>\n");
	strbuf_release(&body);
}

static void render_atom(const struct feed *f, struct strbuf *out)
{
	strbuf_addstr(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
	xml(out, f->language);
	strbuf_addstr(out, "\">\n<title type=\"text\">");
	xml(out, f->title);
	strbuf_addstr(out, "</title>\n<subtitle type=\"text\">");
	xml(out, f->description);
	strbuf_addstr(out, "</subtitle>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
	xml(out, f->home_url);
	strbuf_addstr(out, "\"/>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"");
	xml(out, f->self_url);
	strbuf_addstr(out, "\"/>\n<id>");
	xml(out, f->self_url);
	strbuf_addstr(out, "</id>\n<updated>");
	rfc3339_utc(out, f->updated);
	strbuf_addstr(out, "</updated>\n<generator version=\"" DATELINE_VERSION "\">Dateline</generator>\n");
	for (size_t i = 0; i < f->nitems; i++)
		atom_entry(out, f, &f->items[i]);
	strbuf_addstr(out, "</feed>\n");
}

static void json_item(struct strbuf *out, const struct feed *f, const struct feed_item *it)
{
	struct strbuf body = STRBUF_INIT;

	strbuf_addstr(out, "{\"id\":");
	json_str(out, it->id);
	strbuf_addstr(out, ",\"url\":");
	json_str(out, it->url);
	strbuf_addstr(out, ",\"title\":");
	json_str(out, it->title);
	if (f->full_content) {
		html_absolute_links(it->content_html.p, it->content_html.len, f->base_url, &body);
		strbuf_addstr(out, ",\"content_html\":");
		json_str(out, (struct slice){ body.buf, body.len });
		strbuf_addstr(out, ",\"summary\":");
	} else {
		strbuf_addstr(out, ",\"content_text\":");
	}
	json_str(out, it->summary);
	if (it->image_url.len) {
		strbuf_addstr(out, ",\"image\":");
		json_str(out, it->image_url);
	}
	strbuf_addstr(out, ",\"date_published\":\"");
	rfc3339_utc(out, it->published);
	strbuf_addstr(out, "\",\"date_modified\":\"");
	rfc3339_utc(out, it->updated);
	strbuf_addstr(out, "\",\"authors\":[{\"name\":");
	json_str(out, it->author_name);
	strbuf_addstr(out, ",\"url\":");
	json_str(out, it->author_url);
	strbuf_addstr(out, "}]");
	if (it->category.len) {
		strbuf_addstr(out, ",\"tags\":[");
		json_str(out, it->category);
		strbuf_addch(out, ']');
	}
	strbuf_addch(out, '}');
	strbuf_release(&body);
}

static void render_json(const struct feed *f, struct strbuf *out)
{
	strbuf_addstr(out, "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":");
	json_str(out, f->title);
	strbuf_addstr(out, ",\"home_page_url\":");
	json_str(out, f->home_url);
	strbuf_addstr(out, ",\"feed_url\":");
	json_str(out, f->self_url);
	strbuf_addstr(out, ",\"description\":");
	json_str(out, f->description);
	strbuf_addstr(out, ",\"language\":");
	json_str(out, f->language);
	strbuf_addstr(out, ",\"items\":[");
	for (size_t i = 0; i < f->nitems; i++) {
		if (i)
			strbuf_addch(out, ',');
		json_item(out, f, &f->items[i]);
	}
	strbuf_addstr(out, "]}\n");
}

void feed_render(const struct feed *f, enum feed_format format, struct strbuf *out)
{
	switch (format) {
	case FEED_RSS:
		render_rss(f, out);
		break;
	case FEED_ATOM:
		render_atom(f, out);
		break;
	case FEED_JSON:
		render_json(f, out);
		break;
	}
}

const char *feed_content_type(enum feed_format format)
{
	switch (format) {
	case FEED_ATOM:
		return "application/atom+xml; charset=utf-8";
	case FEED_JSON:
		return "application/feed+json; charset=utf-8";
	default:
		return "application/rss+xml; charset=utf-8";
	}
}
