/*
 * markdown.h - Markdown (CommonMark + GitHub tables/strikethrough/autolinks,
 * via md4c) to sanitised HTML, with smart typography.
 */
#ifndef DL_RENDER_MARKDOWN_H
#define DL_RENDER_MARKDOWN_H

#include "core/compat.h"
#include "core/strbuf.h"

/*
 * Render Markdown `md` to HTML, apply smart typography to text outside
 * code (straight quotes to curly, -- to en dash, --- to em dash, ... to an
 * ellipsis), sanitise with html_sanitize(), and append to `out`.
 * Raw HTML in the Markdown is allowed but sanitised like any other.
 * Returns DL_OK, or DL_INVALID for invalid UTF-8 (nothing appended), or
 * DL_TOOBIG as html_sanitize() does (nothing appended).
 */
int md_render(const char *md, size_t len, struct strbuf *out);

/*
 * What md_render() would have to remove as active content (a script, an
 * event handler, a javascript: link), as html_find_active() reports it.
 */
int md_find_active(const char *md, size_t len, const char **what);

/*
 * Apply smart typography to plain text (titles, deks), appending plain text
 * (not HTML-escaped) to out. Bytes that are not valid UTF-8 pass through.
 */
void md_smarten(const char *text, size_t len, struct strbuf *out);

#endif
