/*
 * excerpt.h - short plain-text summaries for teasers, feeds and meta tags.
 */
#ifndef DL_RENDER_EXCERPT_H
#define DL_RENDER_EXCERPT_H

#include "core/compat.h"
#include "core/strbuf.h"

/*
 * Append the first paragraph of plain `text` (as html_to_text() makes it:
 * paragraphs separated by newlines), cut at a word boundary to at most
 * `max` bytes with an ellipsis when cut, to `out`.
 */
void excerpt_from_text(const char *text, size_t len, size_t max, struct strbuf *out);

#endif
