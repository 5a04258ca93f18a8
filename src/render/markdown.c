#include "core/compat.h"
#include <md4c-html.h>

#include "core/err.h"
#include "core/log.h"
#include "core/utf8.h"
#include "render/html.h"
#include "render/markdown.h"

/* GitHub's dialect without task lists (their checkboxes are <input>s). */
#define MD_PARSER_FLAGS \
	(MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_PERMISSIVEAUTOLINKS)
/* Entities are left for gumbo, the one decoder every body goes through. */
#define MD_RENDER_FLAGS \
	(MD_HTML_FLAG_VERBATIM_ENTITIES | MD_HTML_FLAG_SKIP_UTF8_BOM)

/*
 * Smart typography. What the previous character says about a quote that
 * follows: after a space or an opening bracket it opens, after a letter it
 * closes, after a dash it opens only if a word follows straight away.
 */
enum quote_ctx { AFTER_WORD, AFTER_SPACE, AFTER_DASH };

struct smarten {
	struct html_text_filter filter;  /* first, so a filter is a smarten */
	enum quote_ctx ctx;
};

static bool is_ws(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == 0xA0;
}

static enum quote_ctx ctx_after(uint32_t c)
{
	switch (c) {
	case '(': case '[': case '{': case 0x201C: case 0x2018:
		return AFTER_SPACE;
	case 0x2013: case 0x2014:
		return AFTER_DASH;
	default:
		return is_ws(c) ? AFTER_SPACE : AFTER_WORD;
	}
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* '90s, '99: an apostrophe standing for the century. */
static bool is_decade(const char *p, size_t len)
{
	return len >= 2 && is_digit(p[0]) && is_digit(p[1]) &&
	       (len == 2 || !is_digit(p[2]));
}

static const char *quote(struct smarten *sm, const char *p, size_t len,
			 const char *open, const char *close)
{
	bool next_ws = len > 1 && is_ws((unsigned char)p[1]);
	bool opening = (sm->ctx == AFTER_SPACE && !next_ws) ||
		       (sm->ctx == AFTER_DASH && len > 1 && !next_ws);

	sm->ctx = opening ? AFTER_SPACE : AFTER_WORD;
	return opening ? open : close;
}

/* The replacement for the punctuation at p, or NULL; *used: bytes replaced. */
static const char *typo_at(struct smarten *sm, const char *p, size_t len,
			   size_t *used)
{
	*used = 1;
	switch (p[0]) {
	case '.':
		if (len < 3 || p[1] != '.' || p[2] != '.')
			return NULL;
		*used = 3;
		sm->ctx = AFTER_WORD;
		return "\u2026";
	case '-':
		if (len < 2 || p[1] != '-')
			return NULL;
		sm->ctx = AFTER_DASH;
		*used = len >= 3 && p[2] == '-' ? 3 : 2;
		return *used == 3 ? "\u2014" : "\u2013";
	case '"':
		return quote(sm, p, len, "\u201C", "\u201D");
	case '\'':
		if (sm->ctx != AFTER_WORD && is_decade(p + 1, len - 1)) {
			sm->ctx = AFTER_WORD;
			return "\u2019";
		}
		return quote(sm, p, len, "\u2018", "\u2019");
	default:
		return NULL;
	}
}

static void smarten_run(struct smarten *sm, const char *p, size_t len,
			struct strbuf *out)
{
	size_t i = 0;

	strbuf_grow(out, len);
	while (i < len) {
		size_t used, run = i;
		const char *rep = typo_at(sm, p + i, len - i, &used);
		uint32_t cp = 0;

		if (rep) {
			strbuf_addstr(out, rep);
			i += used;
			continue;
		}
		/* Copy up to the next candidate, noting its last character. */
		do {
			size_t n = utf8_decode(p + run, len - run, &cp);

			run += n ? n : 1;
		} while (run < len && !memchr(".-\"'", p[run], 4));
		strbuf_add(out, p + i, run - i);
		sm->ctx = ctx_after(cp);
		i = run;
	}
}

static void smarten_text(struct html_text_filter *f, const char *p, size_t len,
			 struct strbuf *out)
{
	smarten_run((struct smarten *)f, p, len, out);
}

static void smarten_context(struct html_text_filter *f, int c)
{
	/* A byte, not a character: the tail of a multibyte one is a letter. */
	((struct smarten *)f)->ctx = c < 0x80 ? ctx_after((uint32_t)c) : AFTER_WORD;
}

#define SMARTEN_INIT { { smarten_text, smarten_context }, AFTER_SPACE }

void md_smarten(const char *text, size_t len, struct strbuf *out)
{
	struct smarten sm = SMARTEN_INIT;

	smarten_run(&sm, text, len, out);
}

static void md_output(const MD_CHAR *p, MD_SIZE n, void *data)
{
	strbuf_add(data, p, n);
}

/* md4c's own HTML for md, before any sanitising (into *html). */
static int md_raw(const char *md, size_t len, struct strbuf *html)
{
	struct strbuf src = STRBUF_INIT;
	int rc = DL_OK;

	if (!utf8_valid(md, len))
		return DL_INVALID;
	if (len >= UINT_MAX)
		return DL_TOOBIG;
	/* md4c 0.4.8 reads past the end of "[](" unless a newline ends it. */
	strbuf_add(&src, md, len);
	if (!len || md[len - 1] != '\n')
		strbuf_addch(&src, '\n');
	strbuf_grow(html, len + len / 4);
	if (md_html(src.buf, (MD_SIZE)src.len, md_output, html, MD_PARSER_FLAGS, MD_RENDER_FLAGS))
		rc = error("markdown: md4c failed to render %zu bytes", len);
	strbuf_release(&src);
	return rc;
}

/* Typography in the sanitiser's walk: it sees whole decoded text, never attributes or code. */
int md_render(const char *md, size_t len, struct strbuf *out)
{
	struct strbuf html = STRBUF_INIT;
	struct smarten sm = SMARTEN_INIT;
	int rc = md_raw(md, len, &html);

	if (!rc)
		rc = html_sanitize_filtered(html.buf, html.len, &sm.filter, out);
	strbuf_release(&html);
	return rc;
}

int md_find_active(const char *md, size_t len, const char **what)
{
	struct strbuf html = STRBUF_INIT;
	int rc = md_raw(md, len, &html);

	*what = NULL;
	if (!rc)
		rc = html_find_active(html.buf, html.len, what);
	strbuf_release(&html);
	return rc;
}
