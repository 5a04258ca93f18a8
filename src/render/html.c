#include "core/compat.h"

#include "core/alloc.h"
#include "core/err.h"
#include "render/html.h"
#include "render/html_parse.h"

/* Output nesting ceiling: deeper elements are flattened to their text. */
#define HTML_DEPTH_MAX 100

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/*
 * The allowlist. Elements not listed are unwrapped (tag dropped, children
 * kept); EL_DROP elements go with everything inside them.
 */
enum attr_kind {
	AK_TEXT,
	AK_URL,
	AK_SRCSET,
	AK_INT,         /* 1-6 digits */
	AK_SIGNED,      /* the same, perhaps after a '-' */
	AK_BOOL,
	AK_ENUM,        /* one of `values`, "|a|b|", any case; written lower */
};

struct attr_rule {
	const char *name;
	enum attr_kind kind;
	const char *values;
};

enum el_action { EL_UNWRAP, EL_KEEP, EL_DROP };

enum {
	EF_BLOCK = 1 << 0,    /* a line break in html_to_text() */
	EF_VOID = 1 << 1,     /* no end tag */
	EF_VERBATIM = 1 << 2, /* text left alone by the text filter */
	EF_CELL = 1 << 3,     /* a space in html_to_text() */
};

struct el_rule {
	unsigned char action;
	unsigned char flags;
	const char *rename;
	const struct attr_rule *attrs;
};

#define ATTR_END { NULL, AK_TEXT, NULL }
static const struct attr_rule attrs_none[] = { ATTR_END };
static const struct attr_rule attrs_title[] = { { "title", AK_TEXT, NULL }, ATTR_END };
static const struct attr_rule attrs_cite[] = { { "cite", AK_URL, NULL }, ATTR_END };
static const struct attr_rule attrs_edit[] = {
	{ "cite", AK_URL, NULL }, { "datetime", AK_TEXT, NULL }, ATTR_END
};
static const struct attr_rule attrs_ol[] = {
	{ "start", AK_SIGNED, NULL }, { "reversed", AK_BOOL, NULL }, ATTR_END
};
static const struct attr_rule attrs_a[] = {
	{ "href", AK_URL, NULL }, { "title", AK_TEXT, NULL }, ATTR_END
};
static const struct attr_rule attrs_img[] = {
	{ "src", AK_URL, NULL }, { "srcset", AK_SRCSET, NULL },
	{ "sizes", AK_TEXT, NULL }, { "alt", AK_TEXT, NULL },
	{ "width", AK_INT, NULL }, { "height", AK_INT, NULL },
	{ "loading", AK_ENUM, "|lazy|eager|" }, { "title", AK_TEXT, NULL },
	ATTR_END
};
static const struct attr_rule attrs_source[] = {
	{ "srcset", AK_SRCSET, NULL }, { "type", AK_TEXT, NULL },
	{ "media", AK_TEXT, NULL }, { "sizes", AK_TEXT, NULL }, ATTR_END
};
static const struct attr_rule attrs_cell[] = {
	{ "colspan", AK_INT, NULL }, { "rowspan", AK_INT, NULL },
	{ "scope", AK_ENUM, "|row|col|rowgroup|colgroup|" }, ATTR_END
};
static const struct attr_rule attrs_time[] = { { "datetime", AK_TEXT, NULL }, ATTR_END };
static const struct attr_rule attrs_iframe[] = {
	{ "src", AK_URL, NULL }, { "width", AK_INT, NULL },
	{ "height", AK_INT, NULL }, { "title", AK_TEXT, NULL },
	{ "allowfullscreen", AK_BOOL, NULL }, ATTR_END
};

#define KEEP(tag, fl, at) [GUMBO_TAG_##tag] = { EL_KEEP, (fl), NULL, (at) }
#define DROP(tag) [GUMBO_TAG_##tag] = { EL_DROP, 0, NULL, NULL }
#define UNWRAP(tag, fl) [GUMBO_TAG_##tag] = { EL_UNWRAP, (fl), NULL, NULL }

static const struct el_rule el_rules[GUMBO_TAG_LAST] = {
	KEEP(P, EF_BLOCK, attrs_none),
	KEEP(BR, EF_BLOCK | EF_VOID, attrs_none),
	KEEP(HR, EF_BLOCK | EF_VOID, attrs_none),
	[GUMBO_TAG_H1] = { EL_KEEP, EF_BLOCK, "h2", attrs_none },
	KEEP(H2, EF_BLOCK, attrs_none),
	KEEP(H3, EF_BLOCK, attrs_none),
	KEEP(H4, EF_BLOCK, attrs_none),
	KEEP(H5, EF_BLOCK, attrs_none),
	KEEP(H6, EF_BLOCK, attrs_none),
	KEEP(BLOCKQUOTE, EF_BLOCK, attrs_cite),
	KEEP(Q, 0, attrs_cite),
	KEEP(CITE, 0, attrs_none),
	KEEP(UL, EF_BLOCK, attrs_none),
	KEEP(OL, EF_BLOCK, attrs_ol),
	KEEP(LI, EF_BLOCK, attrs_none),
	KEEP(DL, EF_BLOCK, attrs_none),
	KEEP(DT, EF_BLOCK, attrs_none),
	KEEP(DD, EF_BLOCK, attrs_none),
	KEEP(STRONG, 0, attrs_none),
	KEEP(B, 0, attrs_none),
	KEEP(EM, 0, attrs_none),
	KEEP(I, 0, attrs_none),
	KEEP(U, 0, attrs_none),
	KEEP(S, 0, attrs_none),
	KEEP(DEL, 0, attrs_edit),
	KEEP(INS, 0, attrs_edit),
	KEEP(MARK, 0, attrs_none),
	KEEP(SMALL, 0, attrs_none),
	KEEP(SUB, 0, attrs_none),
	KEEP(SUP, 0, attrs_none),
	KEEP(CODE, EF_VERBATIM, attrs_none),
	KEEP(PRE, EF_BLOCK | EF_VERBATIM, attrs_none),
	KEEP(KBD, EF_VERBATIM, attrs_none),
	KEEP(ABBR, 0, attrs_title),
	KEEP(SPAN, 0, attrs_none),
	KEEP(DIV, EF_BLOCK, attrs_none),
	KEEP(A, 0, attrs_a),
	KEEP(IMG, EF_VOID, attrs_img),
	KEEP(FIGURE, EF_BLOCK, attrs_none),
	KEEP(FIGCAPTION, EF_BLOCK, attrs_none),
	KEEP(SOURCE, EF_VOID, attrs_source),
	KEEP(TABLE, EF_BLOCK, attrs_none),
	KEEP(THEAD, EF_BLOCK, attrs_none),
	KEEP(TBODY, EF_BLOCK, attrs_none),
	KEEP(TFOOT, EF_BLOCK, attrs_none),
	KEEP(TR, EF_BLOCK, attrs_none),
	KEEP(TH, EF_CELL, attrs_cell),
	KEEP(TD, EF_CELL, attrs_cell),
	KEEP(CAPTION, EF_BLOCK, attrs_none),
	KEEP(TIME, 0, attrs_time),
	KEEP(IFRAME, EF_BLOCK, attrs_iframe),
	DROP(SCRIPT), DROP(STYLE), DROP(TEMPLATE), DROP(NOSCRIPT),
	DROP(OBJECT), DROP(EMBED), DROP(APPLET), DROP(FRAME), DROP(FRAMESET),
	DROP(NOFRAMES), DROP(NOEMBED), DROP(PARAM), DROP(FORM), DROP(INPUT),
	DROP(BUTTON), DROP(TEXTAREA), DROP(SELECT), DROP(OPTION),
	DROP(OPTGROUP), DROP(DATALIST), DROP(KEYGEN), DROP(SVG), DROP(MATH),
	DROP(LINK), DROP(META), DROP(BASE), DROP(TITLE), DROP(HEAD),
	/* A scope boundary: unwrapped, what it held would re-parse differently. */
	DROP(MARQUEE),
	UNWRAP(ARTICLE, EF_BLOCK), UNWRAP(SECTION, EF_BLOCK),
	UNWRAP(NAV, EF_BLOCK), UNWRAP(ASIDE, EF_BLOCK),
	UNWRAP(HGROUP, EF_BLOCK), UNWRAP(HEADER, EF_BLOCK),
	UNWRAP(FOOTER, EF_BLOCK), UNWRAP(ADDRESS, EF_BLOCK),
	UNWRAP(MAIN, EF_BLOCK), UNWRAP(CENTER, EF_BLOCK),
	UNWRAP(DETAILS, EF_BLOCK), UNWRAP(SUMMARY, EF_BLOCK),
	UNWRAP(FIELDSET, EF_BLOCK), UNWRAP(LEGEND, EF_BLOCK),
	UNWRAP(MENU, EF_BLOCK), UNWRAP(DIR, EF_BLOCK),
	UNWRAP(LISTING, EF_BLOCK), UNWRAP(XMP, EF_BLOCK),
	UNWRAP(PLAINTEXT, EF_BLOCK), UNWRAP(COLGROUP, EF_BLOCK),
	UNWRAP(VIDEO, EF_BLOCK), UNWRAP(AUDIO, EF_BLOCK),
	UNWRAP(SAMP, EF_VERBATIM), UNWRAP(VAR, 0), UNWRAP(TT, EF_VERBATIM),
};

/* Not in gumbo 0.10's tag table, so it comes through as GUMBO_TAG_UNKNOWN. */
static const struct el_rule el_picture = { EL_KEEP, 0, "picture", attrs_none };
static const struct el_rule el_drop = { EL_DROP, 0, NULL, NULL };

static bool unknown_tag_is(const GumboElement *el, const char *name)
{
	GumboStringPiece s = el->original_tag;

	if (!s.length)
		return false;
	gumbo_tag_from_original_text(&s);
	return s.length == strlen(name) && !strncasecmp(s.data, name, s.length);
}

static const struct el_rule *rule_for(const GumboElement *el)
{
	/* SVG and MathML are where parser differentials live: none of it. */
	if (el->tag_namespace != GUMBO_NAMESPACE_HTML)
		return &el_drop;
	if (el->tag == GUMBO_TAG_UNKNOWN && unknown_tag_is(el, "picture"))
		return &el_picture;
	if ((unsigned)el->tag >= GUMBO_TAG_LAST)
		return &el_rules[GUMBO_TAG_UNKNOWN];
	return &el_rules[el->tag];
}

static const char *el_name(const GumboElement *el, const struct el_rule *r)
{
	return r->rename ? r->rename : gumbo_normalized_tagname(el->tag);
}

static void add_attr(struct strbuf *out, const char *name, const char *v, size_t len)
{
	strbuf_addch(out, ' ');
	strbuf_addstr(out, name);
	strbuf_addstr(out, "=\"");
	strbuf_add_html_attr(out, v, len);
	strbuf_addch(out, '"');
}

static bool is_c0_or_space(unsigned char c)
{
	return c <= 0x20;
}

/*
 * Clean a URL as a browser does before parsing it (strip leading and trailing
 * C0 controls and spaces, remove tabs and newlines) into out, then accept it
 * only with an allowed scheme or none. Other control characters: rejected.
 */
static bool url_clean(const char *v, size_t len, struct strbuf *out)
{
	static const char *const schemes[] = { "http", "https", "mailto", "tel" };

	while (len && is_c0_or_space((unsigned char)v[0]))
		v++, len--;
	while (len && is_c0_or_space((unsigned char)v[len - 1]))
		len--;
	strbuf_reset(out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c < 0x20 || c == 0x7f)
			return false;
		strbuf_addch(out, c);
	}
	for (size_t i = 0; i < out->len; i++) {
		char c = out->buf[i];

		if (c == '/' || c == '?' || c == '#')
			break;
		if (c != ':')
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(schemes); k++)
			if (strlen(schemes[k]) == i && !strncasecmp(out->buf, schemes[k], i))
				return true;
		return false;
	}
	return out->len > 0;
}

/* A srcset is a comma-separated list of "url [descriptor]"; check each url. */
static bool srcset_ok(const char *v, struct strbuf *tmp)
{
	const char *p = v;

	for (;;) {
		size_t n;

		while (is_space(*p) || *p == ',')
			p++;
		if (!*p)
			return true;
		n = strcspn(p, " \t\n\r\f");
		/* A URL ending in a comma has no descriptors. */
		if (!url_clean(p, n, tmp))
			return false;
		if (p[n - 1] == ',') {
			p += n;
			continue;
		}
		p += n;
		p += strcspn(p, ",");
	}
}

static bool int_ok(const char *v, bool sign)
{
	size_t n = 0;

	if (sign && *v == '-')
		v++;
	while (v[n] >= '0' && v[n] <= '9')
		n++;
	return n > 0 && n <= 6 && !v[n];
}

/* Whether v is one of `values` ("|a|b|"), in any case; tmp gets its form there. */
static bool enum_ok(const char *v, const char *values, struct strbuf *tmp)
{
	size_t n = strlen(v);

	if (!n || strchr(v, '|'))
		return false;
	for (const char *p = strcasestr(values, v); p; p = strcasestr(p + 1, v)) {
		if (p[-1] == '|' && p[n] == '|') {
			strbuf_reset(tmp);
			strbuf_add(tmp, p, n);
			return true;
		}
	}
	return false;
}

static bool class_ok(const char *v)
{
	bool any = false;

	for (; *v; v++) {
		char c = *v;

		if (c == ' ' || c == '-' || c == '_' || (c >= '0' && c <= '9'))
			any |= c != ' ';
		else if (is_alpha(c))
			any = true;
		else
			return false;
	}
	return any;
}

/* Append attribute `r` of el to out if it is present and acceptable. */
static void add_rule_attr(struct strbuf *out, const GumboElement *el,
			  const struct attr_rule *r, struct strbuf *tmp)
{
	const GumboAttribute *a = gumbo_get_attribute(&el->attributes, r->name);
	const char *v;

	if (!a || a->attr_namespace != GUMBO_ATTR_NAMESPACE_NONE)
		return;
	v = a->value;
	switch (r->kind) {
	case AK_TEXT:
		add_attr(out, r->name, v, strlen(v));
		break;
	case AK_URL:
		if (url_clean(v, strlen(v), tmp))
			add_attr(out, r->name, tmp->buf, tmp->len);
		break;
	case AK_SRCSET:
		if (srcset_ok(v, tmp))
			add_attr(out, r->name, v, strlen(v));
		break;
	case AK_INT:
	case AK_SIGNED:
		if (int_ok(v, r->kind == AK_SIGNED))
			add_attr(out, r->name, v, strlen(v));
		break;
	case AK_BOOL:
		strbuf_addch(out, ' ');
		strbuf_addstr(out, r->name);
		break;
	case AK_ENUM:
		if (enum_ok(v, r->values, tmp))
			add_attr(out, r->name, tmp->buf, tmp->len);
		break;
	}
}

/*
 * Embeds: https only, exact host, and a path prefix that is the provider's
 * player, so the host's other pages cannot be framed.
 */
static const struct embed {
	const char *host;
	const char *path;
} embeds[] = {
	{ "www.youtube.com", "/embed/" },
	{ "www.youtube-nocookie.com", "/embed/" },
	{ "player.vimeo.com", "/video/" },
	{ "w.soundcloud.com", "/player" },
	{ "www.google.com", "/maps/embed" },
};

static bool embed_ok(const GumboElement *el, struct strbuf *tmp)
{
	const GumboAttribute *src = gumbo_get_attribute(&el->attributes, "src");
	const char *host, *path;

	if (!src || !url_clean(src->value, strlen(src->value), tmp) ||
	    strncasecmp(tmp->buf, "https://", 8))
		return false;
	host = tmp->buf + 8;
	path = strchr(host, '/');
	if (!path)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(embeds); i++) {
		const struct embed *e = &embeds[i];

		if ((size_t)(path - host) == strlen(e->host) &&
		    !strncasecmp(host, e->host, strlen(e->host)) &&
		    !strncmp(path, e->path, strlen(e->path)))
			return true;
	}
	return false;
}

static bool has_token(const char *list, const char *tok)
{
	size_t n = strlen(tok);

	for (const char *p = list; *p; ) {
		size_t len;

		p += strspn(p, " \t\n\r\f");
		len = strcspn(p, " \t\n\r\f");
		if (len == n && !strncasecmp(p, tok, n))
			return true;
		p += len;
	}
	return false;
}

/* rel and target: only target="_blank", which always brings rel="noopener". */
static void add_link_attrs(struct strbuf *out, const GumboElement *el,
			   struct strbuf *tmp)
{
	const GumboAttribute *rel = gumbo_get_attribute(&el->attributes, "rel");
	const GumboAttribute *target = gumbo_get_attribute(&el->attributes, "target");
	bool blank = target && !strcasecmp(target->value, "_blank");

	strbuf_reset(tmp);
	if (rel)
		strbuf_addstr(tmp, rel->value);
	if (blank && !has_token(tmp->buf, "noopener"))
		strbuf_addstr(tmp, tmp->len ? " noopener" : "noopener");
	if (tmp->len)
		add_attr(out, "rel", tmp->buf, tmp->len);
	if (blank)
		add_attr(out, "target", "_blank", 6);
}

/*
 * Sanitising serialiser.
 */
struct sanitizer {
	struct strbuf *out;
	struct html_text_filter *filter;
	struct strbuf tmp;
	struct strbuf text;
	int depth;
	int verbatim;   /* open code/pre/kbd */
	int links;      /* open <a>: a nested <a> is unwrapped */
	int headings;   /* open h2-h6: a nested one is unwrapped */
	bool pre_start; /* nothing written since a <pre> start tag */
	struct {
		const char *end_tag;
		GumboTag tag;
		unsigned char flags;
	} open[HTML_DEPTH_MAX];
};

static void san_context(struct sanitizer *s, int c)
{
	if (s->filter)
		s->filter->context(s->filter, c);
}

/* The text of <a href="https://x.org/a--b">https://x.org/a--b</a>: a URL. */
static bool is_link_url(const GumboNode *n, const char *text)
{
	const GumboNode *a = n->parent;
	const GumboAttribute *href;

	if (a->type != GUMBO_NODE_ELEMENT || a->v.element.tag != GUMBO_TAG_A ||
	    a->v.element.children.length != 1)
		return false;
	href = gumbo_get_attribute(&a->v.element.attributes, "href");
	return href && *text && strstr(href->value, text);
}

static void san_text(struct sanitizer *s, const GumboNode *n)
{
	const char *p = n->v.text.text;
	size_t len = strlen(p);

	/* The parser eats a newline straight after <pre>: give it one. */
	if (s->pre_start && len && p[0] == '\n')
		strbuf_addch(s->out, '\n');
	s->pre_start &= !len;
	if (!s->filter || s->verbatim || is_link_url(n, p)) {
		strbuf_add_html_text(s->out, p, len);
		if (len)
			san_context(s, (unsigned char)p[len - 1]);
		return;
	}
	strbuf_reset(&s->text);
	s->filter->text(s->filter, p, len, &s->text);
	strbuf_add_html_text(s->out, s->text.buf, s->text.len);
}

/* Whether el may be written at all (img needs a src, iframe an embed src). */
static bool el_allowed(struct sanitizer *s, const GumboElement *el)
{
	const GumboAttribute *src;

	switch (el->tag) {
	case GUMBO_TAG_IMG:
		src = gumbo_get_attribute(&el->attributes, "src");
		return src && url_clean(src->value, strlen(src->value), &s->tmp);
	case GUMBO_TAG_IFRAME:
		return embed_ok(el, &s->tmp);
	default:
		return true;
	}
}

static bool is_heading(GumboTag t)
{
	return t >= GUMBO_TAG_H1 && t <= GUMBO_TAG_H6;
}

/*
 * Kept elements written without their tags, as <a> in <a> and a heading in
 * a heading: the parser never nests them, so re-parsing would reshape them.
 */
static bool el_nests_badly(const struct sanitizer *s, const GumboElement *el)
{
	switch (el->tag) {
	case GUMBO_TAG_A:
		return s->links;
	default:
		return is_heading(el->tag) && s->headings;
	}
}

static void open_tag(struct sanitizer *s, const GumboElement *el, const struct el_rule *r)
{
	const GumboAttribute *cls = gumbo_get_attribute(&el->attributes, "class");
	struct strbuf *out = s->out;

	strbuf_addch(out, '<');
	strbuf_addstr(out, el_name(el, r));
	if (cls && class_ok(cls->value))
		add_attr(out, "class", cls->value, strlen(cls->value));
	for (const struct attr_rule *a = r->attrs; a->name; a++)
		add_rule_attr(out, el, a, &s->tmp);
	if (el->tag == GUMBO_TAG_A)
		add_link_attrs(out, el, &s->tmp);
	if (el->tag == GUMBO_TAG_IFRAME)
		strbuf_addstr(out, " sandbox=\"allow-scripts allow-same-origin"
			      " allow-presentation\" loading=\"lazy\"");
	strbuf_addch(out, '>');
}

/* A table keeps room for its tbody, tr and td: text loose in a table would
 * re-parse to somewhere else. */
static int depth_needed(const GumboElement *el)
{
	return el->tag == GUMBO_TAG_TABLE ? 4 : 1;
}

static bool san_enter_element(struct sanitizer *s, GumboNode *n)
{
	const GumboElement *el = &n->v.element;
	const struct el_rule *r = rule_for(el);
	bool keep = r->action == EL_KEEP &&
		    s->depth + depth_needed(el) <= HTML_DEPTH_MAX;

	if (r->action == EL_DROP)
		return false;
	if (keep && !el_allowed(s, el))
		return false;
	if (keep && el_nests_badly(s, el))
		keep = false;
	if (r->flags & EF_BLOCK)
		san_context(s, '\n');
	if (keep) {
		open_tag(s, el, r);
		s->pre_start = el->tag == GUMBO_TAG_PRE;
	}
	if (el->tag == GUMBO_TAG_IFRAME || (r->flags & EF_VOID)) {
		if (keep && el->tag == GUMBO_TAG_IFRAME)
			strbuf_addstr(s->out, "</iframe>");
		return false;
	}
	if (s->depth < HTML_DEPTH_MAX) {
		s->open[s->depth].end_tag = keep ? el_name(el, r) : NULL;
		s->open[s->depth].flags = r->flags;
		s->verbatim += !!(r->flags & EF_VERBATIM);
		s->open[s->depth].tag = keep ? el->tag : GUMBO_TAG_UNKNOWN;
		s->links += keep && el->tag == GUMBO_TAG_A;
		s->headings += keep && is_heading(el->tag);
	}
	s->depth++;
	return true;
}

static bool san_enter(GumboNode *n, void *ctx)
{
	struct sanitizer *s = ctx;

	switch (n->type) {
	case GUMBO_NODE_TEXT:
	case GUMBO_NODE_WHITESPACE:
	case GUMBO_NODE_CDATA:
		san_text(s, n);
		return false;
	case GUMBO_NODE_ELEMENT:
		return san_enter_element(s, n);
	default:
		/* Comments, including WordPress's block markers; templates. */
		return false;
	}
}

static void san_leave(GumboNode *n, void *ctx)
{
	struct sanitizer *s = ctx;

	if (--s->depth >= HTML_DEPTH_MAX)
		return;
	if (s->open[s->depth].end_tag) {
		s->pre_start = false;
		strbuf_addstr(s->out, "</");
		strbuf_addstr(s->out, s->open[s->depth].end_tag);
		strbuf_addch(s->out, '>');
		s->links -= s->open[s->depth].tag == GUMBO_TAG_A;
		s->headings -= is_heading(s->open[s->depth].tag);
	}
	s->verbatim -= !!(s->open[s->depth].flags & EF_VERBATIM);
	if (s->open[s->depth].flags & EF_BLOCK)
		san_context(s, '\n');
}

/* Write the sanitised serialisation of a parsed fragment to out. */
static void sanitize_tree(struct html_parse *ps, size_t len, struct html_text_filter *filter,
			  struct strbuf *out)
{
	static const struct html_tree_ops ops = { san_enter, san_leave };
	struct sanitizer *s = xcalloc(1, sizeof(*s));

	s->out = out;
	s->filter = filter;
	strbuf_init(&s->tmp, 0);
	strbuf_init(&s->text, 0);
	strbuf_grow(out, len);
	san_context(s, '\n');
	html_tree_walk(ps->output->root, &ops, s);
	strbuf_release(&s->tmp);
	strbuf_release(&s->text);
	free(s);
}

int html_sanitize_filtered(const char *html, size_t len,
			   struct html_text_filter *filter, struct strbuf *out)
{
	struct html_parse ps;
	int rc = html_parse_fragment(&ps, html, len);

	if (rc)
		return rc;
	sanitize_tree(&ps, len, filter, out);
	html_parse_release(&ps);
	return DL_OK;
}

int html_sanitize(const char *html, size_t len, struct strbuf *out)
{
	return html_sanitize_filtered(html, len, NULL, out);
}

/*
 * Text extraction.
 */
struct text_walker {
	struct strbuf *out;
	size_t start;
	bool space;     /* whitespace seen since the last character */
	bool newline;   /* block boundary seen since the last character */
};

static void text_add(struct text_walker *t, const char *p)
{
	for (; *p; p++) {
		if (is_space(*p)) {
			t->space = true;
			continue;
		}
		if (t->out->len > t->start && (t->newline || t->space))
			strbuf_addch(t->out, t->newline ? '\n' : ' ');
		t->newline = t->space = false;
		strbuf_addch(t->out, *p);
	}
}

static bool text_enter(GumboNode *n, void *ctx)
{
	struct text_walker *t = ctx;
	const struct el_rule *r;

	switch (n->type) {
	case GUMBO_NODE_TEXT:
	case GUMBO_NODE_WHITESPACE:
	case GUMBO_NODE_CDATA:
		text_add(t, n->v.text.text);
		return false;
	case GUMBO_NODE_ELEMENT:
		break;
	default:
		return false;
	}
	r = rule_for(&n->v.element);
	if (r->action == EL_DROP || n->v.element.tag == GUMBO_TAG_IFRAME)
		return false;
	t->newline |= !!(r->flags & EF_BLOCK);
	t->space |= !!(r->flags & EF_CELL);
	return true;
}

static void text_leave(GumboNode *n, void *ctx)
{
	struct text_walker *t = ctx;
	const struct el_rule *r = rule_for(&n->v.element);

	t->newline |= !!(r->flags & EF_BLOCK);
	t->space |= !!(r->flags & EF_CELL);
}

int html_to_text(const char *html, size_t len, struct strbuf *out)
{
	static const struct html_tree_ops ops = { text_enter, text_leave };
	struct text_walker t = { .out = out, .start = out->len };
	struct html_parse ps;
	int rc = html_parse_fragment(&ps, html, len);

	if (rc)
		return rc;
	html_tree_walk(ps.output->root, &ops, &t);
	html_parse_release(&ps);
	return DL_OK;
}

int html_sanitize_text(const char *html, size_t len, struct strbuf *out, struct strbuf *text)
{
	static const struct html_tree_ops text_ops = { text_enter, text_leave };
	struct text_walker t = { .out = text, .start = text->len };
	struct html_parse ps;
	int rc = html_parse_fragment(&ps, html, len);

	if (rc)
		return rc;
	/* One parse, two walks: the importer's hot path pays for gumbo once. */
	sanitize_tree(&ps, len, NULL, out);
	html_tree_walk(ps.output->root, &text_ops, &t);
	html_parse_release(&ps);
	return DL_OK;
}

/*
 * Paragraph offsets: sanitised output escapes every '<' and '>' outside tags,
 * so each '<' starts a tag and the next '>' ends it.
 */
static bool void_name(const char *p, size_t n)
{
	static const char *const names[] = { "br", "hr", "img", "source", "wbr" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strlen(names[i]) == n && !memcmp(p, names[i], n))
			return true;
	return false;
}

size_t html_paragraph_end(const char *html, size_t len, int n)
{
	size_t i = 0, depth = 0;
	int seen = 0;

	while (n > 0 && i < len) {
		const char *lt = memchr(html + i, '<', len - i);
		const char *gt;
		bool closing;
		size_t name, end;

		if (!lt)
			break;
		i = (size_t)(lt - html);
		gt = memchr(html + i, '>', len - i);
		if (!gt)
			break;
		closing = i + 1 < len && html[i + 1] == '/';
		name = i + 1 + closing;
		end = name;
		while (end < len && (is_alpha(html[end]) || (html[end] >= '0' && html[end] <= '9')))
			end++;
		i = (size_t)(gt - html) + 1;
		if (end == name || void_name(html + name, end - name))
			continue;
		if (!closing) {
			depth++;
		} else if (depth && --depth == 0 && end - name == 1 && html[name] == 'p' &&
			   ++seen == n) {
			return i;
		}
	}
	return 0;
}
