/*
 * html.h - the allowlist HTML sanitiser and HTML helpers, built on gumbo.
 *
 * Every HTML body Dateline stores has passed html_sanitize(): the output is
 * well-formed HTML5 containing only allowlisted elements and attributes, no
 * script/style/iframe-except-allowlisted-embeds, no event handlers, and only
 * http(s)/mailto/tel/relative URLs. Text and attribute values have every
 * '<' and '>' escaped and nothing switches the tokenizer out of data state,
 * so a browser sees exactly these tags. It is safe to emit raw ({{{ }}}) in a
 * page. Sanitising the output again changes nothing, except where the parser
 * had to move misplaced content (e.g. into or out of a table); the result of
 * that second pass is then stable.
 */
#ifndef DL_RENDER_HTML_H
#define DL_RENDER_HTML_H

#include "core/compat.h"
#include "core/strbuf.h"

/*
 * Parse `html` as an HTML5 fragment (a <div>'s children) and append its
 * sanitised serialisation to `out`. Returns DL_OK; DL_INVALID when the
 * input is not valid UTF-8 (or holds a NUL byte); DL_TOOBIG when the markup
 * is pathological enough to exceed the parser's memory budget (tens of
 * thousands of reopened formatting elements). Nothing is appended on failure.
 */
int html_sanitize(const char *html, size_t len, struct strbuf *out);

/*
 * A text rewriter for html_sanitize_filtered(). It sees the fragment's text
 * after entity decoding and before escaping, never attribute values and never
 * the text of code, pre or kbd. Markdown's smart typography is one.
 */
struct html_text_filter {
	/* Append the rewritten form of plain text p[0..len) to out. */
	void (*text)(struct html_text_filter *f, const char *p, size_t len,
		     struct strbuf *out);
	/*
	 * The next text follows byte `c` that text() did not see: the last
	 * byte of unfiltered text (code, pre, kbd), or '\n' at the start or end
	 * of a block element or a <br>.
	 */
	void (*context)(struct html_text_filter *f, int c);
};

/* html_sanitize(), passing text outside code/pre/kbd through `filter`. */
int html_sanitize_filtered(const char *html, size_t len,
			   struct html_text_filter *filter, struct strbuf *out);

/*
 * Append the text content of an HTML fragment to `out`: tags dropped,
 * entities decoded, script/style and other dropped elements' content left
 * out, block elements separated by one newline, whitespace runs collapsed to
 * one space, no leading or trailing whitespace. For search indexing, excerpts
 * and meta descriptions. Returns as html_sanitize() does.
 */
int html_to_text(const char *html, size_t len, struct strbuf *out);

/*
 * html_sanitize() into `out` and html_to_text() into `text` from one parse
 * of `html` (for bulk work such as imports). Returns as html_sanitize().
 */
int html_sanitize_text(const char *html, size_t len, struct strbuf *out, struct strbuf *text);

/*
 * Look for active content in html: script-like elements, on* event
 * handlers, javascript:/vbscript:/data: URLs. *what is a short description
 * of the first found, or NULL. Returns as html_sanitize() does.
 */
int html_find_active(const char *html, size_t len, const char **what);

/*
 * Byte offset just past the end of the n-th (1-based) top-level </p> in a
 * sanitised fragment, or 0 if it has fewer than n top-level paragraphs.
 * Paragraphs inside other elements (blockquote, li, figure, table, div...)
 * do not count. Scans tags without parsing; use only on html_sanitize()
 * output. Used to place the in-story ad slot after paragraph n.
 */
size_t html_paragraph_end(const char *html, size_t len, int n);

#endif
