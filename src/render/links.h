/*
 * links.h - site-relative links in stored HTML made absolute, for HTML that
 * is read away from the site (feeds, the WordPress API).
 */
#ifndef DL_RENDER_LINKS_H
#define DL_RENDER_LINKS_H

#include "core/compat.h"
#include "core/slice.h"
#include "core/strbuf.h"

/*
 * Append `html` (sanitised: attributes double-quoted) with every src="/…",
 * href="/…" and srcset candidate "/…" prefixed by `base` ("https://site",
 * no trailing slash). Protocol-relative "//host" links are left alone.
 */
void html_absolute_links(const char *html, size_t len, struct slice base, struct strbuf *out);

#endif
