/*
 * feed.h - RSS 2.0, Atom 1.0 and JSON Feed 1.1 from one description.
 *
 * Handlers fill a `struct feed` (absolute URLs, Unix times) and pick a
 * format; the writer escapes everything for its format. Relative links in
 * item HTML ("/media/..") are made absolute against `base_url`, since feed
 * readers show the content away from the site.
 */
#ifndef DL_RENDER_FEED_H
#define DL_RENDER_FEED_H

#include "core/compat.h"
#include "core/slice.h"
#include "core/strbuf.h"

enum feed_format { FEED_RSS, FEED_ATOM, FEED_JSON };

struct feed_item {
	struct slice id;   /* stable across URL changes: "https://site/?p=42" */
	struct slice title, url, summary, content_html;
	struct slice author_name, author_url, category;
	int64_t published, updated;
	struct slice image_url, image_type;  /* empty: no image */
	int64_t image_length;
};

struct feed {
	struct slice title, description, language;
	struct slice base_url;   /* "https://news.example.org", no trailing slash */
	struct slice home_url;   /* the page this feed follows */
	struct slice self_url;   /* the feed's own URL */
	int64_t updated;         /* the newest item's update time */
	bool full_content;       /* whole bodies, or summaries only */
	const struct feed_item *items;
	size_t nitems;
};

/* Append the feed in `format` to out. */
void feed_render(const struct feed *f, enum feed_format format, struct strbuf *out);
/* The Content-Type of a format. */
const char *feed_content_type(enum feed_format format);

#endif
