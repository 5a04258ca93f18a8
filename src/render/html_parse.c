/*
 * html_parse.c - gumbo under a memory ceiling and a nesting ceiling; see
 * html_parse.h.
 */
#include "core/compat.h"

#include "core/alloc.h"
#include "core/err.h"
#include "core/utf8.h"
#include "render/html_parse.h"

/* Gumbo may hold this plus PARSE_BUDGET_RATIO bytes per input byte; tag soup
 * such as "<p>x" repeated needs 70. */
#define PARSE_BUDGET_BASE ((size_t)16 << 20)
#define PARSE_BUDGET_RATIO 96

/*
 * Parsing. Gumbo's allocations are tracked in a list so the tree is freed
 * without a (recursive) walk, and their total is capped: gumbo clones every
 * reopened formatting element, so 40 KB of markup can ask for 500 MB. Gumbo
 * cannot fail, so the cap longjmps out of it; it holds nothing but this
 * memory, which html_parse_release() then frees.
 */
struct html_parse_block {
	struct html_parse_block *prev, *next;
	size_t size;
	_Alignas(16) unsigned char data[];
};

static void *parse_alloc(void *data, size_t n)
{
	struct html_parse *ps = data;
	struct html_parse_block *b;

	if (n > ps->budget - ps->live)
		longjmp(ps->over_budget, 1);
	/* Zeroed: gumbo 0.10.1 reads some memory before writing it (valgrind,
	 * on nested <table>/<caption> soup); zero keeps output deterministic. */
	b = xcalloc(1, sizeof(*b) + n);
	b->size = n;
	b->prev = NULL;
	b->next = ps->blocks;
	if (b->next)
		b->next->prev = b;
	ps->blocks = b;
	ps->live += n;
	return b->data;
}

static void parse_free(void *data, void *p)
{
	struct html_parse *ps = data;
	struct html_parse_block *b;

	if (!p)
		return;
	b = (struct html_parse_block *)((char *)p -
					  offsetof(struct html_parse_block, data));
	if (b->prev)
		b->prev->next = b->next;
	else
		ps->blocks = b->next;
	if (b->next)
		b->next->prev = b->prev;
	ps->live -= b->size;
	free(b);
}

/*
 * Depth pre-scan. A cheap model of the tree builder's stack of open elements
 * (implied end tags, scopes) run over the raw tags; start tags that would
 * nest past HTML_PARSE_DEPTH_MAX are removed before gumbo sees them. The model
 * leans deeper than the real stack (end tags it cannot place are ignored), so
 * it only touches markup that really nests deep; what it underestimates
 * (reopened formatting elements) the memory budget catches.
 */
struct prescan {
	const char *html;
	size_t len;
	struct strbuf *copy;
	size_t copied;
	bool copying;
	int depth;
	GumboTag stack[HTML_PARSE_DEPTH_MAX];
};

enum scope { SCOPE_DEFAULT, SCOPE_BUTTON, SCOPE_LIST, SCOPE_TABLE };

static bool scope_boundary(GumboTag t, enum scope s)
{
	switch (t) {
	case GUMBO_TAG_HTML:
	case GUMBO_TAG_TABLE:
	case GUMBO_TAG_TEMPLATE:
		return true;
	case GUMBO_TAG_APPLET:
	case GUMBO_TAG_CAPTION:
	case GUMBO_TAG_TD:
	case GUMBO_TAG_TH:
	case GUMBO_TAG_MARQUEE:
	case GUMBO_TAG_OBJECT:
	case GUMBO_TAG_SVG:
	case GUMBO_TAG_MATH:
		return s != SCOPE_TABLE;
	case GUMBO_TAG_BUTTON:
		return s == SCOPE_BUTTON;
	case GUMBO_TAG_OL:
	case GUMBO_TAG_UL:
		return s == SCOPE_LIST;
	default:
		return false;
	}
}

/* Pop the model's innermost `t` in scope `s` and all above it. */
static bool model_close(struct prescan *ps, GumboTag t, enum scope s)
{
	for (int i = ps->depth - 1; i >= 0; i--) {
		if (ps->stack[i] == t) {
			ps->depth = i;
			return true;
		}
		if (scope_boundary(ps->stack[i], s))
			return false;
	}
	return false;
}

static bool is_void(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_AREA: case GUMBO_TAG_BASE: case GUMBO_TAG_BASEFONT:
	case GUMBO_TAG_BGSOUND: case GUMBO_TAG_BR: case GUMBO_TAG_COL:
	case GUMBO_TAG_EMBED: case GUMBO_TAG_FRAME: case GUMBO_TAG_HR:
	case GUMBO_TAG_IMAGE: case GUMBO_TAG_IMG: case GUMBO_TAG_INPUT:
	case GUMBO_TAG_ISINDEX: case GUMBO_TAG_KEYGEN: case GUMBO_TAG_LINK:
	case GUMBO_TAG_META: case GUMBO_TAG_PARAM: case GUMBO_TAG_SOURCE:
	case GUMBO_TAG_TRACK: case GUMBO_TAG_WBR:
		return true;
	default:
		return false;
	}
}

/* Start tags that close an open <p> (the spec's "p in button scope" list). */
static bool closes_p(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_ADDRESS: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_ASIDE:
	case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_CENTER: case GUMBO_TAG_DETAILS:
	case GUMBO_TAG_DIR: case GUMBO_TAG_DIV: case GUMBO_TAG_DL:
	case GUMBO_TAG_FIELDSET: case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_FIGURE:
	case GUMBO_TAG_FOOTER: case GUMBO_TAG_HEADER: case GUMBO_TAG_HGROUP:
	case GUMBO_TAG_MAIN: case GUMBO_TAG_MENU: case GUMBO_TAG_NAV:
	case GUMBO_TAG_OL: case GUMBO_TAG_P: case GUMBO_TAG_SECTION:
	case GUMBO_TAG_SUMMARY: case GUMBO_TAG_UL: case GUMBO_TAG_PRE:
	case GUMBO_TAG_LISTING: case GUMBO_TAG_FORM: case GUMBO_TAG_TABLE:
	case GUMBO_TAG_LI: case GUMBO_TAG_DD: case GUMBO_TAG_DT:
	case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
	case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
	case GUMBO_TAG_XMP: case GUMBO_TAG_PLAINTEXT:
		return true;
	default:
		return false;
	}
}

/* Model a start tag; false when it would nest too deep. */
static bool model_start(struct prescan *ps, GumboTag t)
{
	if (is_void(t))
		return true;
	if (closes_p(t))
		model_close(ps, GUMBO_TAG_P, SCOPE_BUTTON);
	switch (t) {
	case GUMBO_TAG_LI:
		model_close(ps, GUMBO_TAG_LI, SCOPE_LIST);
		break;
	case GUMBO_TAG_DD:
	case GUMBO_TAG_DT:
		if (!model_close(ps, GUMBO_TAG_DD, SCOPE_DEFAULT))
			model_close(ps, GUMBO_TAG_DT, SCOPE_DEFAULT);
		break;
	case GUMBO_TAG_TR:
		model_close(ps, GUMBO_TAG_TR, SCOPE_TABLE);
		break;
	case GUMBO_TAG_TD:
	case GUMBO_TAG_TH:
		if (!model_close(ps, GUMBO_TAG_TD, SCOPE_TABLE))
			model_close(ps, GUMBO_TAG_TH, SCOPE_TABLE);
		break;
	case GUMBO_TAG_A:
	case GUMBO_TAG_OPTION:
		model_close(ps, t, SCOPE_DEFAULT);
		break;
	default:
		break;
	}
	if (ps->depth == HTML_PARSE_DEPTH_MAX)
		return false;
	ps->stack[ps->depth++] = t;
	return true;
}

static void model_end(struct prescan *ps, GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_P:
		model_close(ps, t, SCOPE_BUTTON);
		break;
	case GUMBO_TAG_LI:
		model_close(ps, t, SCOPE_LIST);
		break;
	case GUMBO_TAG_TABLE: case GUMBO_TAG_TBODY: case GUMBO_TAG_THEAD:
	case GUMBO_TAG_TFOOT: case GUMBO_TAG_TR: case GUMBO_TAG_TD:
	case GUMBO_TAG_TH: case GUMBO_TAG_CAPTION:
		model_close(ps, t, SCOPE_TABLE);
		break;
	default:
		model_close(ps, t, SCOPE_DEFAULT);
		break;
	}
}

/* Inside SVG or MathML, where "/>" really closes an element. */
static bool in_foreign(const struct prescan *ps)
{
	for (int i = 0; i < ps->depth; i++)
		if (ps->stack[i] == GUMBO_TAG_SVG || ps->stack[i] == GUMBO_TAG_MATH)
			return true;
	return false;
}

static bool is_raw_text(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_XMP:
	case GUMBO_TAG_IFRAME: case GUMBO_TAG_NOEMBED: case GUMBO_TAG_NOFRAMES:
	case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_TITLE:
		return true;
	default:
		return false;
	}
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static size_t find(const char *p, size_t len, size_t i, const char *needle)
{
	const char *hit = memmem(p + i, len - i, needle, strlen(needle));

	return hit ? (size_t)(hit - p) : len;
}

static size_t name_end(const char *p, size_t len, size_t i)
{
	while (i < len && !is_space(p[i]) && p[i] != '/' && p[i] != '>')
		i++;
	return i;
}

/* Index just past the '>' closing the tag whose attributes start at i. */
static size_t tag_end(const char *p, size_t len, size_t i)
{
	bool after_eq = false;

	for (; i < len; i++) {
		char c = p[i];

		if (c == '>')
			return i + 1;
		if (after_eq && (c == '"' || c == '\'')) {
			const char *q = memchr(p + i + 1, c, len - i - 1);

			if (!q)
				return len;
			i = (size_t)(q - p);
		}
		if (!is_space(c))
			after_eq = c == '=';
	}
	return len;
}

/* Index of the "</name" ending raw text that starts at i. */
static size_t raw_text_end(const char *p, size_t len, size_t i,
			   const char *name, size_t n)
{
	while ((i = find(p, len, i, "</")) < len) {
		if (len - i - 2 >= n && !strncasecmp(p + i + 2, name, n))
			return i;
		i += 2;
	}
	return len;
}

static void prescan_drop(struct prescan *ps, size_t from, size_t to)
{
	if (!ps->copying)
		strbuf_grow(ps->copy, ps->len);
	ps->copying = true;
	strbuf_add(ps->copy, ps->html + ps->copied, from - ps->copied);
	ps->copied = to;
}

/* Handle the tag at p[i] == '<'; returns where scanning resumes. */
static size_t prescan_tag(struct prescan *ps, size_t i)
{
	const char *p = ps->html;
	size_t len = ps->len, name, end;
	bool closing = i + 1 < len && p[i + 1] == '/';
	GumboTag t;

	if (i + 1 < len && (p[i + 1] == '!' || p[i + 1] == '?')) {
		if (len - i >= 4 && !memcmp(p + i, "<!--", 4))
			return find(p, len, i + 2, "-->");
		return tag_end(p, len, i);
	}
	name = i + 1 + closing;
	if (name >= len || !is_alpha(p[name]))
		return i + 1;
	end = name_end(p, len, name);
	t = gumbo_tagn_enum(p + name, (unsigned)(end - name));
	end = tag_end(p, len, end);
	if (!closing && end >= 2 && p[end - 2] == '/' && p[end - 1] == '>' &&
	    in_foreign(ps))
		return end;
	if (closing) {
		model_end(ps, t);
		return end;
	}
	if (!model_start(ps, t)) {
		prescan_drop(ps, i, end);
		return end;
	}
	if (t == GUMBO_TAG_PLAINTEXT)
		return len;
	if (is_raw_text(t))
		return raw_text_end(p, len, end, gumbo_normalized_tagname(t),
				    strlen(gumbo_normalized_tagname(t)));
	return end;
}

/* Input for gumbo: html itself, or a copy in ps->trimmed less deep tags. */
static struct slice prescan(struct html_parse *parse, const char *html, size_t len)
{
	struct prescan ps = { .html = html, .len = len, .copy = &parse->trimmed };
	size_t i = 0;

	while (i < len) {
		const char *lt = memchr(html + i, '<', len - i);

		if (!lt)
			break;
		i = prescan_tag(&ps, (size_t)(lt - html));
	}
	if (!ps.copying)
		return slice_from(html, len);
	strbuf_add(ps.copy, html + ps.copied, len - ps.copied);
	return slice_from(ps.copy->buf, ps.copy->len);
}

void html_parse_release(struct html_parse *ps)
{
	while (ps->blocks) {
		struct html_parse_block *b = ps->blocks;

		ps->blocks = b->next;
		free(b);
	}
	strbuf_release(&ps->trimmed);
}

int html_parse_fragment(struct html_parse *ps, const char *html, size_t len)
{
	GumboOptions opts = kGumboDefaultOptions;
	struct slice in;

	if (!utf8_valid(html, len))
		return DL_INVALID;
	memset(ps, 0, sizeof(*ps));
	strbuf_init(&ps->trimmed, 0);
	ps->budget = PARSE_BUDGET_BASE;
	if (len < (SIZE_MAX - PARSE_BUDGET_BASE) / PARSE_BUDGET_RATIO)
		ps->budget += len * PARSE_BUDGET_RATIO;
	in = prescan(ps, html, len);
	opts.allocator = parse_alloc;
	opts.deallocator = parse_free;
	opts.userdata = ps;
	opts.max_errors = 0;
	opts.fragment_context = GUMBO_TAG_DIV;
	opts.fragment_namespace = GUMBO_NAMESPACE_HTML;
	if (setjmp(ps->over_budget)) {
		html_parse_release(ps);
		return DL_TOOBIG;
	}
	ps->output = gumbo_parse_with_options(&opts, in.p, in.len);
	return DL_OK;
}

/* Tree walking: iterative, using gumbo's parent links. */
static GumboNode *child_at(GumboNode *n, size_t i)
{
	const GumboVector *v;

	if (n->type == GUMBO_NODE_ELEMENT)
		v = &n->v.element.children;
	else if (n->type == GUMBO_NODE_DOCUMENT)
		v = &n->v.document.children;
	else
		return NULL;
	return i < v->length ? v->data[i] : NULL;
}

void html_tree_walk(GumboNode *root, const struct html_tree_ops *ops, void *ctx)
{
	GumboNode *n = child_at(root, 0);

	while (n) {
		if (ops->enter(n, ctx)) {
			GumboNode *c = child_at(n, 0);

			if (c) {
				n = c;
				continue;
			}
			ops->leave(n, ctx);
		}
		for (;;) {
			GumboNode *next = child_at(n->parent, n->index_within_parent + 1);

			if (next) {
				n = next;
				break;
			}
			n = n->parent;
			if (n == root)
				return;
			ops->leave(n, ctx);
		}
	}
}
