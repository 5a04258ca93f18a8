/*
 * tpl.c - Mustache templates: compiled once into a flat op array, rendered
 * many times without writing to the template set.
 *
 * Compiling is a few passes over an array of tokens:
 *   lex        split the source into text (one token per line piece) and tags,
 *              following set-delimiter tags;
 *   pair       match section, parent and block tags with their close tags;
 *   whitespace the spec's standalone and indentation rules (intrinsic block
 *              indentation, standalone lines, standalone parent and block
 *              elements; see the spec's whitespace.md);
 *   bol        mark what starts a template line, where a standalone
 *              partial's indentation goes when it is rendered;
 *   emit       build the ops.
 * A section, block or parent op keeps in `end` the index one past its body,
 * so rendering is a loop over a contiguous array.
 */
#include "core/compat.h"
#include "core/alloc.h"
#include "core/err.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "render/tpl.h"

#define TPL_MAX_DEPTH 64		/* nested sections, partials, parents, blocks */
#define TPL_MAX_SOURCE (16u << 20)	/* bytes of one template */
#define TPL_MAX_OUTPUT (64u << 20)	/* bytes one render may append */
#define TPL_MAX_STEPS (1ul << 22)	/* ops one render may run */
#define TPL_SUFFIX ".mustache"
#define NONE ((size_t)-1)

enum op_type {
	OP_TEXT,	/* literal bytes */
	OP_VAR,		/* {{name}}, HTML-escaped */
	OP_RAW,		/* {{{name}}} or {{&name}} */
	OP_SECTION,	/* {{#name}} body {{/name}} */
	OP_INVERTED,	/* {{^name}} body {{/name}} */
	OP_PARTIAL,	/* {{>name}} */
	OP_PARENT,	/* {{<name}} args {{/name}}; its body holds only OP_ARG */
	OP_BLOCK,	/* {{$name}} default {{/name}} outside a parent */
	OP_ARG,		/* {{$name}} override {{/name}} directly in a parent */
};

#define OPF_BOL 1		/* starts a template line: indent before it */
#define OPF_STANDALONE 2	/* indentation comes from `indent` */

struct op {
	uint8_t type;
	uint8_t flags;
	uint16_t nparts;	/* dotted name parts; 0 for "." */
	uint32_t part0;		/* index of the first part in tpl->parts */
	uint32_t end;		/* index one past the body */
	uint32_t hash;		/* of the name, for partials, parents, blocks */
	struct slice s;		/* text bytes, or the name */
	struct slice indent;	/* standalone indentation */
};

struct tpl {
	char *name;
	uint32_t hash;
	char *src;		/* copy of the source; names point into it */
	char *text;		/* literal text after whitespace rules */
	struct op *ops;
	size_t nr_ops, alloc_ops;
	struct slice *parts;
	size_t nr_parts, alloc_parts;
};

struct tpl_set {
	struct tpl **slots;	/* open addressing, power-of-two size */
	size_t cap, nr;
};

static uint32_t hash_name(const char *p, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

/* ---------------------------------------------------------------- compile */

enum tok_type {
	T_TEXT, T_VAR, T_RAW, T_SECTION, T_INVERTED, T_CLOSE, T_COMMENT,
	T_PARTIAL, T_DELIM, T_PARENT, T_BLOCK,
};

struct tok {
	enum tok_type type;
	struct slice s;		/* the text, or the tag's trimmed name */
	unsigned line;		/* source line it starts on */
	size_t match;		/* opener <-> its close tag */
	size_t owner;		/* innermost enclosing opener, or NONE */
	size_t op;		/* opener: index of its op */
	struct slice indent;	/* indentation when standalone */
	struct slice intrinsic;	/* block: indentation of its first line */
	bool removed;		/* whitespace dropped by a standalone rule */
	bool arg;		/* block directly inside a parent */
	bool alone;		/* the only tag on its line, with blanks */
	bool elem;		/* standalone parent or parameter block element */
	bool at_eol;		/* block opener followed by blanks up to a newline */
	bool bol;		/* first visible thing on a template line */
};

struct delims {
	struct slice open, close;
};

struct compiler {
	struct tpl *t;
	struct strbuf *err;
	struct tok *tok;
	size_t nr, alloc;
	size_t text_len;
	size_t last_text;	/* op index of text that may be extended */
};

DL_PRINTF(3, 4)
static int syntax_error(struct compiler *c, unsigned line, const char *fmt, ...)
{
	const char *name = c->t->name;
	size_t n = strlen(name), sn = strlen(TPL_SUFFIX);
	bool suffixed = n >= sn && !strcmp(name + n - sn, TPL_SUFFIX);
	va_list ap;

	if (!c->err)
		return DL_INVALID;
	strbuf_addf(c->err, "%s%s:%u: ", name, suffixed ? "" : TPL_SUFFIX, line);
	va_start(ap, fmt);
	strbuf_vaddf(c->err, fmt, ap);
	va_end(ap);
	return DL_INVALID;
}

static bool is_ws(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static struct slice trim(const char *p, const char *end)
{
	while (p < end && is_ws(*p))
		p++;
	while (end > p && is_ws(end[-1]))
		end--;
	return slice_from(p, (size_t)(end - p));
}

static bool is_opener(enum tok_type type)
{
	return type == T_SECTION || type == T_INVERTED || type == T_PARENT ||
	       type == T_BLOCK;
}

static const char *kind_name(enum tok_type type)
{
	switch (type) {
	case T_PARENT:
		return "parent";
	case T_BLOCK:
		return "block";
	default:
		return "section";
	}
}

static struct tok *push_tok(struct compiler *c, enum tok_type type, struct slice s,
			    unsigned line)
{
	struct tok *t;

	ALLOC_GROW(c->tok, c->nr + 1, c->alloc);
	t = &c->tok[c->nr++];
	memset(t, 0, sizeof(*t));
	t->type = type;
	t->s = s;
	t->line = line;
	t->match = t->owner = t->op = NONE;
	return t;
}

/* Add [p, end) as text tokens, each ending after a newline or at `end`. */
static unsigned lex_text(struct compiler *c, const char *p, const char *end,
			 unsigned line)
{
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl + 1 : end;

		push_tok(c, T_TEXT, slice_from(p, (size_t)(stop - p)), line);
		if (nl)
			line++;
		p = stop;
	}
	return line;
}

/* The first close delimiter after p, right behind `before` unless that is 0. */
static const char *find_close(const char *p, const char *end, struct slice close,
			      char before)
{
	const char *q = p;

	while (q < end && (q = memmem(q, (size_t)(end - q), close.p, close.len))) {
		if (!before || (q > p && q[-1] == before))
			return q;
		q++;
	}
	return NULL;
}

static bool bad_delim(struct slice s)
{
	if (!s.len)
		return true;
	for (size_t i = 0; i < s.len; i++)
		if (is_ws(s.p[i]) || s.p[i] == '=')
			return true;
	return false;
}

/* {{=<% %>=}}: the body is "<% %>". */
static int set_delims(struct compiler *c, struct slice body, struct delims *d,
		      unsigned line)
{
	const char *p = body.p, *end = body.p + body.len, *sp = p;
	struct slice open, close;

	while (sp < end && !is_ws(*sp))
		sp++;
	open = slice_from(p, (size_t)(sp - p));
	close = trim(sp, end);
	if (bad_delim(open) || bad_delim(close))
		return syntax_error(c, line, "invalid set-delimiter tag");
	d->open = open;
	d->close = close;
	return 0;
}

static int check_name(struct compiler *c, struct slice s, unsigned line)
{
	if (!s.len)
		return syntax_error(c, line, "empty tag");
	for (size_t i = 0; i < s.len; i++)
		if (is_ws(s.p[i]))
			return syntax_error(c, line, "space inside a tag name");
	return 0;
}

static enum tok_type sigil_type(char ch, char *before)
{
	*before = 0;
	switch (ch) {
	case '#': return T_SECTION;
	case '^': return T_INVERTED;
	case '/': return T_CLOSE;
	case '!': return T_COMMENT;
	case '>': return T_PARTIAL;
	case '<': return T_PARENT;
	case '$': return T_BLOCK;
	case '&': return T_RAW;
	case '{': *before = '}'; return T_RAW;
	case '=': *before = '='; return T_DELIM;
	default: return T_VAR;
	}
}

/* Lex the tag starting at `tag`; *next gets the position after it. */
static int lex_tag(struct compiler *c, const char *tag, const char *end,
		   struct delims *d, unsigned *line, const char **next)
{
	const char *p = tag + d->open.len, *q;
	unsigned tag_line = *line;
	enum tok_type type = T_VAR;
	struct slice body;
	char before = 0;
	int rc;

	if (p < end)
		type = sigil_type(*p, &before);
	if (type != T_VAR)
		p++;
	q = find_close(p, end, d->close, before);
	if (!q)
		return syntax_error(c, tag_line, "unclosed tag (no '%.*s')",
				    (int)d->close.len, d->close.p);
	*next = q + d->close.len;
	for (const char *s = tag; s < *next; s++)
		*line += *s == '\n';
	body = trim(p, before ? q - 1 : q);
	if (type == T_DELIM) {
		rc = set_delims(c, body, d, tag_line);
		if (rc)
			return rc;
		body = SLICE_NULL;
	} else if (type != T_COMMENT) {
		rc = check_name(c, body, tag_line);
		if (rc)
			return rc;
	}
	push_tok(c, type, body, tag_line);
	return 0;
}

static int lex(struct compiler *c, size_t len)
{
	const char *p = c->t->src, *end = p + len;
	struct delims d = { SLICE_LIT("{{"), SLICE_LIT("}}") };
	unsigned line = 1;

	while (p < end) {
		const char *q = memmem(p, (size_t)(end - p), d.open.p, d.open.len);
		int rc;

		line = lex_text(c, p, q ? q : end, line);
		if (!q)
			break;
		rc = lex_tag(c, q, end, &d, &line, &p);
		if (rc)
			return rc;
	}
	return 0;
}

static int pair_close(struct compiler *c, size_t i, size_t *stack, size_t *depth)
{
	struct tok *t = &c->tok[i], *o;

	if (!*depth)
		return syntax_error(c, t->line, "close tag '%.*s' without an open section",
				    (int)t->s.len, t->s.p);
	o = &c->tok[stack[--*depth]];
	if (!slice_eq(o->s, t->s))
		return syntax_error(c, t->line,
				    "close tag '%.*s' does not match %s '%.*s' opened on line %u",
				    (int)t->s.len, t->s.p, kind_name(o->type),
				    (int)o->s.len, o->s.p, o->line);
	t->match = stack[*depth];
	o->match = i;
	return 0;
}

/* Match openers with close tags; note owners and which blocks are arguments. */
static int pair(struct compiler *c)
{
	size_t *stack = NULL, depth = 0, alloc = 0;
	int rc = 0;

	for (size_t i = 0; i < c->nr && !rc; i++) {
		struct tok *t = &c->tok[i];

		t->owner = depth ? stack[depth - 1] : NONE;
		if (t->type == T_BLOCK && t->owner != NONE &&
		    c->tok[t->owner].type == T_PARENT)
			t->arg = true;
		if (is_opener(t->type)) {
			ALLOC_GROW(stack, depth + 1, alloc);
			stack[depth++] = i;
		} else if (t->type == T_CLOSE) {
			rc = pair_close(c, i, stack, &depth);
		}
	}
	if (!rc && depth) {
		struct tok *o = &c->tok[stack[depth - 1]];

		rc = syntax_error(c, o->line, "unclosed %s '%.*s'", kind_name(o->type),
				  (int)o->s.len, o->s.p);
	}
	free(stack);
	return rc;
}

static bool ends_nl(const struct tok *t)
{
	return t->type == T_TEXT && t->s.len && t->s.p[t->s.len - 1] == '\n';
}

/* Text of only spaces and tabs, maybe ending a line. */
static bool blank(const struct tok *t)
{
	size_t n = t->s.len;

	if (t->type != T_TEXT)
		return false;
	if (n && t->s.p[n - 1] == '\n' && --n && t->s.p[n - 1] == '\r')
		n--;
	for (size_t i = 0; i < n; i++)
		if (t->s.p[i] != ' ' && t->s.p[i] != '\t')
			return false;
	return true;
}

static bool empty_line(const char *p, const char *end)
{
	return *p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n');
}

static bool empty_line_tok(const struct tok *t)
{
	return t->s.len && t->s.len <= 2 && empty_line(t->s.p, t->s.p + t->s.len) &&
	       t->s.p[t->s.len - 1] == '\n';
}

/* Only blanks between the start of token i's line and token i. */
static bool clear_before(const struct compiler *c, size_t i)
{
	while (i-- > 0 && !ends_nl(&c->tok[i]))
		if (!blank(&c->tok[i]))
			return false;
	return true;
}

/*
 * Only blanks from token i to the end of its line or of the template. *eol
 * gets the token holding the newline, or NONE at the end of the template.
 */
static bool clear_after(const struct compiler *c, size_t i, size_t *eol)
{
	*eol = NONE;
	for (i++; i < c->nr; i++) {
		if (!blank(&c->tok[i]))
			return false;
		if (ends_nl(&c->tok[i])) {
			*eol = i;
			return true;
		}
	}
	return true;
}

/* The blanks before token i on its line (the indentation of a tag). */
static struct slice indent_before(const struct compiler *c, size_t i)
{
	if (i > 0 && c->tok[i - 1].type == T_TEXT && !ends_nl(&c->tok[i - 1]))
		return c->tok[i - 1].s;
	return SLICE_NULL;
}

static struct slice leading_ws(const struct tok *t)
{
	size_t n = 0;

	if (t->type != T_TEXT)
		return SLICE_NULL;
	while (n < t->s.len && (t->s.p[n] == ' ' || t->s.p[n] == '\t'))
		n++;
	return slice_from(t->s.p, n);
}

/* Drop `ind` from the start of each line in tokens [lo, hi); lo starts a line. */
static void strip_indent(struct compiler *c, size_t lo, size_t hi, struct slice ind)
{
	for (size_t k = lo; k < hi; k++) {
		struct tok *t = &c->tok[k];

		if (t->type != T_TEXT || (k > lo && !ends_nl(&c->tok[k - 1])))
			continue;
		if (t->s.len >= ind.len && !memcmp(t->s.p, ind.p, ind.len)) {
			t->s.p += ind.len;
			t->s.len -= ind.len;
		}
	}
}

/*
 * A block whose opening tag ends its line, and which is an argument or a
 * standalone parameter, has the indentation of its first content line as
 * intrinsic indentation, which is removed from all its lines. Outer blocks
 * come first, so nested blocks measure what is left.
 */
static void intrinsic_indent(struct compiler *c)
{
	for (size_t i = 0; i < c->nr; i++) {
		struct tok *t = &c->tok[i];
		size_t eol, unused;

		if (t->type != T_BLOCK)
			continue;
		if (!t->arg)
			t->elem = clear_before(c, i) && clear_after(c, t->match, &unused);
		t->at_eol = clear_after(c, i, &eol) && eol != NONE;
		if (!t->at_eol || !(t->arg || t->elem))
			continue;
		t->intrinsic = leading_ws(&c->tok[eol + 1]);
		if (t->intrinsic.len)
			strip_indent(c, eol + 1, t->match, t->intrinsic);
	}
}

static bool can_stand_alone(enum tok_type type)
{
	return type != T_TEXT && type != T_VAR && type != T_RAW;
}

/* A line holding one non-interpolation tag and blanks loses the blanks. */
static void standalone_lines(struct compiler *c)
{
	size_t s = 0;

	while (s < c->nr) {
		size_t e, tag = NONE, ntags = 0;
		bool ok = true;

		for (e = s; e < c->nr; e++) {
			struct tok *t = &c->tok[e];

			if (t->type != T_TEXT) {
				ntags++;
				tag = e;
			} else if (!blank(t)) {
				ok = false;
			}
			if (ends_nl(t)) {
				e++;
				break;
			}
		}
		if (ok && ntags == 1 && can_stand_alone(c->tok[tag].type)) {
			c->tok[tag].alone = true;
			c->tok[tag].indent = indent_before(c, tag);
			for (size_t k = s; k < e; k++)
				c->tok[k].removed = k != tag;
		}
		s = e;
	}
}

/* Remove the blanks before token i on its line. */
static void remove_before(struct compiler *c, size_t i)
{
	while (i-- > 0 && !ends_nl(&c->tok[i]))
		c->tok[i].removed = true;
}

/* Remove the blanks after token i up to and including the newline. */
static void remove_after(struct compiler *c, size_t i)
{
	for (i++; i < c->nr; i++) {
		c->tok[i].removed = true;
		if (ends_nl(&c->tok[i]))
			break;
	}
}

/*
 * Parent and parameter block elements are standalone when the opening tag
 * starts its line and the close tag ends its line, even with content between
 * them on one line. An argument block that opens at the end of a line starts
 * on the next line, and its close tag's indentation is not content.
 */
static void standalone_elements(struct compiler *c)
{
	for (size_t i = 0; i < c->nr; i++) {
		struct tok *t = &c->tok[i];
		size_t eol;

		if (t->type == T_PARENT) {
			t->elem = clear_before(c, i) && clear_after(c, t->match, &eol);
			if (t->elem) {
				remove_before(c, i);
				remove_after(c, t->match);
			}
			if (t->elem || t->alone)
				t->indent = indent_before(c, i);
		} else if (t->type == T_BLOCK && t->arg) {
			if (t->at_eol)
				remove_after(c, i);
			if (clear_before(c, t->match))
				remove_before(c, t->match);
		} else if (t->type == T_BLOCK && t->elem) {
			remove_before(c, i);
			t->indent = t->at_eol ? t->intrinsic : indent_before(c, i);
		}
	}
}

/* Mark the first visible thing on each non-empty line. */
static void mark_line_starts(struct compiler *c)
{
	bool at_bol = true;

	for (size_t i = 0; i < c->nr; i++) {
		struct tok *t = &c->tok[i];

		if (t->removed) {
			if (ends_nl(t))
				at_bol = true;
			continue;
		}
		switch (t->type) {
		case T_TEXT:
			if (!t->s.len)
				break;
			t->bol = at_bol && !empty_line_tok(t);
			at_bol = ends_nl(t);
			break;
		case T_BLOCK:
			if (t->arg) {
				at_bol = true;	/* each argument starts a line */
				break;
			}
			/* fall through */
		case T_VAR:
		case T_RAW:
		case T_SECTION:
		case T_INVERTED:
		case T_PARTIAL:
		case T_PARENT:
			if (t->alone || t->elem)
				break;
			t->bol = at_bol;
			at_bol = false;
			break;
		default:
			break;	/* close tags, comments, delimiters show nothing */
		}
	}
}

static struct op *new_op(struct compiler *c, enum op_type type, const struct tok *k)
{
	struct tpl *t = c->t;
	struct op *op;

	ALLOC_GROW(t->ops, t->nr_ops + 1, t->alloc_ops);
	op = &t->ops[t->nr_ops++];
	memset(op, 0, sizeof(*op));
	op->type = (uint8_t)type;
	op->flags = k->bol ? OPF_BOL : 0;
	op->end = (uint32_t)t->nr_ops;
	op->s = k->s;
	op->hash = hash_name(k->s.p, k->s.len);
	c->last_text = NONE;
	return op;
}

static void emit_text(struct compiler *c, const struct tok *k)
{
	struct tpl *t = c->t;
	char *dst = t->text + c->text_len;

	if (!k->s.len)
		return;
	memcpy(dst, k->s.p, k->s.len);
	c->text_len += k->s.len;
	if (c->last_text != NONE) {
		struct op *prev = &t->ops[c->last_text];
		bool prev_nl = prev->s.p[prev->s.len - 1] == '\n';

		/* Merge unless the line-start mark would be lost. */
		if (k->bol == (prev_nl && !empty_line_tok(k))) {
			prev->s.len += k->s.len;
			return;
		}
	}
	new_op(c, OP_TEXT, k)->s = slice_from(dst, k->s.len);
	c->last_text = t->nr_ops - 1;
}

static int emit_name(struct compiler *c, enum op_type type, const struct tok *k)
{
	struct tpl *t = c->t;
	struct op *op = new_op(c, type, k);
	const char *p = k->s.p, *end = p + k->s.len;

	if (slice_eq_str(k->s, "."))
		return 0;
	op->part0 = (uint32_t)t->nr_parts;
	for (;;) {
		const char *dot = memchr(p, '.', (size_t)(end - p));
		const char *stop = dot ? dot : end;

		if (op->nparts == UINT16_MAX)
			return syntax_error(c, k->line, "tag name has too many parts");
		ALLOC_GROW(t->parts, t->nr_parts + 1, t->alloc_parts);
		t->parts[t->nr_parts++] = slice_from(p, (size_t)(stop - p));
		op->nparts++;
		if (!dot)
			return 0;
		p = dot + 1;
	}
}

static void emit_site(struct compiler *c, enum op_type type, struct tok *k,
		      bool standalone)
{
	struct op *op = new_op(c, type, k);

	if (standalone) {
		op->flags |= OPF_STANDALONE;
		op->indent = k->indent;
	}
	k->op = c->t->nr_ops - 1;
}

/* Inside a parent only argument blocks matter; the rest is ignored. */
static bool ignored(const struct compiler *c, const struct tok *k)
{
	return k->type != T_CLOSE && k->owner != NONE &&
	       c->tok[k->owner].type == T_PARENT && !k->arg;
}

static int emit(struct compiler *c)
{
	for (size_t i = 0; i < c->nr; i++) {
		struct tok *k = &c->tok[i];
		int rc = 0;

		if (k->removed)
			continue;
		if (ignored(c, k)) {
			if (is_opener(k->type))
				i = k->match;
			continue;
		}
		switch (k->type) {
		case T_TEXT:
			emit_text(c, k);
			break;
		case T_VAR:
		case T_RAW:
			rc = emit_name(c, k->type == T_VAR ? OP_VAR : OP_RAW, k);
			break;
		case T_SECTION:
		case T_INVERTED:
			rc = emit_name(c, k->type == T_SECTION ? OP_SECTION : OP_INVERTED, k);
			k->op = c->t->nr_ops - 1;
			break;
		case T_PARTIAL:
			emit_site(c, OP_PARTIAL, k, k->alone);
			break;
		case T_PARENT:
			emit_site(c, OP_PARENT, k, k->alone || k->elem);
			break;
		case T_BLOCK:
			emit_site(c, k->arg ? OP_ARG : OP_BLOCK, k, k->elem);
			break;
		case T_CLOSE:
			c->t->ops[c->tok[k->match].op].end = (uint32_t)c->t->nr_ops;
			c->last_text = NONE;
			break;
		default:
			break;
		}
		if (rc)
			return rc;
	}
	return 0;
}

static void tpl_free(struct tpl *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->src);
	free(t->text);
	free(t->ops);
	free(t->parts);
	free(t);
}

static int compile(struct tpl *t, size_t len, struct strbuf *err)
{
	struct compiler c = { .t = t, .err = err, .last_text = NONE };
	int rc;

	if (len > TPL_MAX_SOURCE) {
		syntax_error(&c, 1, "template larger than %u bytes", TPL_MAX_SOURCE);
		return DL_TOOBIG;
	}
	rc = lex(&c, len);
	if (!rc)
		rc = pair(&c);
	if (!rc) {
		intrinsic_indent(&c);
		standalone_lines(&c);
		standalone_elements(&c);
		mark_line_starts(&c);
		rc = emit(&c);
	}
	free(c.tok);
	return rc;
}

/* ---------------------------------------------------------------- the set */

struct tpl_set *tpl_set_new(void)
{
	return xcalloc(1, sizeof(struct tpl_set));
}

void tpl_set_free(struct tpl_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->cap; i++)
		tpl_free(set->slots[i]);
	free(set->slots);
	free(set);
}

static struct tpl **set_slot(const struct tpl_set *set, struct slice name, uint32_t hash)
{
	size_t mask = set->cap - 1;

	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		struct tpl *t = set->slots[i];

		if (!t || (t->hash == hash && slice_eq(slice_cstr(t->name), name)))
			return &set->slots[i];
	}
}

static const struct tpl *set_find(const struct tpl_set *set, struct slice name,
				  uint32_t hash)
{
	return set->cap ? *set_slot(set, name, hash) : NULL;
}

static void set_grow(struct tpl_set *set)
{
	struct tpl **old = set->slots;
	size_t old_cap = set->cap;

	set->cap = old_cap ? old_cap * 2 : 16;
	set->slots = xcalloc(set->cap, sizeof(*set->slots));
	for (size_t i = 0; i < old_cap; i++)
		if (old[i])
			*set_slot(set, slice_cstr(old[i]->name), old[i]->hash) = old[i];
	free(old);
}

int tpl_set_add(struct tpl_set *set, const char *name, const char *src, size_t len,
		struct strbuf *err)
{
	struct tpl *t = xcalloc(1, sizeof(*t));
	struct tpl **slot;
	int rc;

	t->name = xstrdup(name);
	t->hash = hash_name(name, strlen(name));
	t->src = xmemdupz(src, len);
	t->text = xmalloc(len + 1);
	rc = compile(t, len, err);
	if (rc) {
		tpl_free(t);
		return rc;
	}
	if ((set->nr + 1) * 2 > set->cap)
		set_grow(set);
	slot = set_slot(set, slice_cstr(name), t->hash);
	if (*slot)
		tpl_free(*slot);
	else
		set->nr++;
	*slot = t;
	return 0;
}

bool tpl_set_has(const struct tpl_set *set, const char *name)
{
	return set_find(set, slice_cstr(name), hash_name(name, strlen(name))) != NULL;
}

/* ----------------------------------------------------------------- render */

/* How an expansion treats the indentation of the lines around it. */
enum indent_mode {
	INDENT_KEEP,	/* same lines as the caller */
	INDENT_PUSH,	/* standalone: add the site's indentation */
	INDENT_RESET,	/* inline: the expansion's lines are not indented */
};

struct override {
	const struct tpl *t;
	const struct op *parent;
};

struct render {
	const struct tpl_set *set;
	struct strbuf *out;
	size_t out_start;
	unsigned long steps;
	int depth;
	int nctx, nover, ilo, ihi;
	const struct view *ctx[TPL_MAX_DEPTH + 1];
	struct override over[TPL_MAX_DEPTH];
	struct slice indent[TPL_MAX_DEPTH];
};

static int render_ops(struct render *r, const struct tpl *t, const struct op *op,
		      const struct op *end);

static int enter(struct render *r, const struct tpl *t)
{
	if (r->depth >= TPL_MAX_DEPTH)
		return error("template '%s': nested deeper than %d (recursive partial?)",
			     t->name, TPL_MAX_DEPTH);
	r->depth++;
	return 0;
}

static void add_indent(struct render *r)
{
	for (int i = r->ilo; i < r->ihi; i++)
		strbuf_addslice(r->out, r->indent[i]);
}

static void add_text(struct render *r, struct slice s)
{
	const char *p = s.p, *end = s.p + s.len, *nl;

	if (r->ilo == r->ihi) {
		strbuf_add(r->out, s.p, s.len);
		return;
	}
	while ((nl = memchr(p, '\n', (size_t)(end - p))) && nl + 1 < end) {
		strbuf_add(r->out, p, (size_t)(nl + 1 - p));
		p = nl + 1;
		if (!empty_line(p, end))
			add_indent(r);
	}
	strbuf_add(r->out, p, (size_t)(end - p));
}

/*
 * Append p escaped for HTML text and quoted attributes: the same bytes as
 * strbuf_add_html(), but copying runs of safe bytes at once into room made
 * for the worst case, a chunk at a time, since escaping is the hottest loop
 * of a render.
 */
#define ESCAPE_CHUNK 1024
#define ENTITY_MAX 6
static const char *const html_entity[256] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;",
	['\''] = "&#39;",
};
static const uint8_t html_entity_len[256] = {
	['&'] = 5, ['<'] = 4, ['>'] = 4, ['"'] = 6, ['\''] = 5,
};

static char *escape_chunk(char *dst, const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t run = i;

		while (run < len && !html_entity_len[s[run]])
			run++;
		memcpy(dst, s + i, run - i);
		dst += run - i;
		if (run == len)
			break;
		memcpy(dst, html_entity[s[run]], html_entity_len[s[run]]);
		dst += html_entity_len[s[run]];
		i = run + 1;
	}
	return dst;
}

static void add_escaped(struct strbuf *sb, const char *p, size_t len)
{
	const unsigned char *s = (const unsigned char *)p;

	while (len) {
		size_t n = len < ESCAPE_CHUNK ? len : ESCAPE_CHUNK;
		char *dst;

		strbuf_grow(sb, n * ENTITY_MAX);
		dst = escape_chunk(sb->buf + sb->len, s, n);
		strbuf_setlen(sb, (size_t)(dst - sb->buf));
		s += n;
		len -= n;
	}
}

/* Shortest text that reads back as the same double. */
static void add_double(struct strbuf *sb, double d)
{
	char buf[40];
	int n = 0;

	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	strbuf_add(sb, buf, (size_t)n);
}

static void add_value(struct strbuf *sb, const struct view *v, bool escape)
{
	if (!v)
		return;
	switch (v->type) {
	case VIEW_STR:
		if (escape)
			add_escaped(sb, v->u.s.p, v->u.s.len);
		else
			strbuf_add(sb, v->u.s.p, v->u.s.len);
		break;
	case VIEW_INT:
		strbuf_addint(sb, v->u.i);
		break;
	case VIEW_DOUBLE:
		add_double(sb, v->u.d);
		break;
	case VIEW_BOOL:
		strbuf_addstr(sb, v->u.b ? "true" : "false");
		break;
	default:
		break;	/* null, lists and objects print nothing */
	}
}

/* First part up the context stack, the rest by descent; "." is the top. */
static const struct view *lookup(const struct render *r, const struct tpl *t,
				 const struct op *op)
{
	const struct slice *part = t->parts + op->part0;
	const struct view *v = NULL;

	if (!op->nparts)
		return r->ctx[r->nctx - 1];
	for (int i = r->nctx; i-- > 0 && !v;)
		v = view_get(r->ctx[i], part[0].p, part[0].len);
	for (unsigned k = 1; v && k < op->nparts; k++)
		v = view_get(v, part[k].p, part[k].len);
	return v;
}

/* Render ops [lo, hi) of t as an expansion at `site`. */
static int expand(struct render *r, const struct tpl *t, const struct op *lo,
		  const struct op *hi, const struct op *site, enum indent_mode mode)
{
	int ilo = r->ilo, ihi = r->ihi, rc;

	rc = enter(r, t);
	if (rc)
		return rc;
	if (mode == INDENT_RESET)
		r->ilo = r->ihi;
	else if (mode == INDENT_PUSH && site->indent.len)
		r->indent[r->ihi++] = site->indent;
	rc = render_ops(r, t, lo, hi);
	r->ilo = ilo;
	r->ihi = ihi;
	r->depth--;
	return rc;
}

static int render_section(struct render *r, const struct tpl *t, const struct op *op)
{
	const struct view *v = lookup(r, t, op);
	const struct op *body = op + 1, *end = t->ops + op->end;
	int rc;

	if (!view_truthy(v))
		return 0;
	rc = enter(r, t);
	if (rc)
		return rc;
	if (v->type == VIEW_LIST) {
		for (size_t i = 0; !rc && i < v->u.list.nr; i++) {
			r->ctx[r->nctx++] = v->u.list.items[i];
			rc = render_ops(r, t, body, end);
			r->nctx--;
		}
	} else {
		r->ctx[r->nctx++] = v;
		rc = render_ops(r, t, body, end);
		r->nctx--;
	}
	r->depth--;
	return rc;
}

static int render_inverted(struct render *r, const struct tpl *t, const struct op *op)
{
	if (view_truthy(lookup(r, t, op)))
		return 0;
	return expand(r, t, op + 1, t->ops + op->end, op, INDENT_KEEP);
}

static enum indent_mode site_mode(const struct op *op)
{
	return (op->flags & OPF_STANDALONE) ? INDENT_PUSH : INDENT_RESET;
}

static int render_partial(struct render *r, const struct op *op)
{
	const struct tpl *p = set_find(r->set, op->s, op->hash);

	if (!p)
		return 0;
	return expand(r, p, p->ops, p->ops + p->nr_ops, op, site_mode(op));
}

static int render_parent(struct render *r, const struct tpl *t, const struct op *op)
{
	const struct tpl *p = set_find(r->set, op->s, op->hash);
	int rc;

	if (!p)
		return 0;
	if (r->nover >= TPL_MAX_DEPTH)	/* nover <= depth: enter() fails too */
		return enter(r, p);
	r->over[r->nover].t = t;
	r->over[r->nover].parent = op;
	r->nover++;
	rc = expand(r, p, p->ops, p->ops + p->nr_ops, op, site_mode(op));
	r->nover--;
	return rc;
}

/* The outermost argument for block `op`: the first parent pushed wins. */
static const struct op *find_arg(const struct render *r, const struct op *op,
				 const struct tpl **at)
{
	for (int k = 0; k < r->nover; k++) {
		const struct tpl *t = r->over[k].t;
		const struct op *a = r->over[k].parent + 1;
		const struct op *end = t->ops + r->over[k].parent->end;

		for (; a < end; a = t->ops + a->end) {
			if (a->hash == op->hash && slice_eq(a->s, op->s)) {
				*at = t;
				return a;
			}
		}
	}
	return NULL;
}

static int render_block(struct render *r, const struct tpl *t, const struct op *op)
{
	bool standalone = op->flags & OPF_STANDALONE;
	const struct tpl *at;
	const struct op *arg = find_arg(r, op, &at);

	if (arg)
		return expand(r, at, arg + 1, at->ops + arg->end, op,
			      standalone ? INDENT_PUSH : INDENT_RESET);
	return expand(r, t, op + 1, t->ops + op->end, op,
		      standalone ? INDENT_PUSH : INDENT_KEEP);
}

static int too_big(const struct tpl *t)
{
	log_msg(LOG_ERROR, "template '%s': output over the render limit", t->name);
	return DL_TOOBIG;
}

static int render_op(struct render *r, const struct tpl *t, const struct op *op)
{
	switch (op->type) {
	case OP_TEXT:
		add_text(r, op->s);
		return 0;
	case OP_VAR:
	case OP_RAW:
		add_value(r->out, lookup(r, t, op), op->type == OP_VAR);
		return 0;
	case OP_SECTION:
		return render_section(r, t, op);
	case OP_INVERTED:
		return render_inverted(r, t, op);
	case OP_PARTIAL:
		return render_partial(r, op);
	case OP_PARENT:
		return render_parent(r, t, op);
	case OP_BLOCK:
		return render_block(r, t, op);
	default:
		assert(!"argument op outside a parent");
		return DL_ERR;
	}
}

static int render_ops(struct render *r, const struct tpl *t, const struct op *op,
		      const struct op *end)
{
	while (op < end) {
		int rc;

		if (++r->steps > TPL_MAX_STEPS ||
		    r->out->len - r->out_start > TPL_MAX_OUTPUT)
			return too_big(t);
		if ((op->flags & OPF_BOL) && r->ilo != r->ihi)
			add_indent(r);
		rc = render_op(r, t, op);
		if (rc)
			return rc;
		op = t->ops + op->end;
	}
	return 0;
}

int tpl_render(const struct tpl_set *set, const char *name, const struct view *ctx,
	       struct strbuf *out)
{
	const struct tpl *t = set_find(set, slice_cstr(name), hash_name(name, strlen(name)));
	struct render r;
	int rc;

	if (!t)
		return DL_NOTFOUND;
	r.set = set;
	r.out = out;
	r.out_start = out->len;
	r.steps = 0;
	r.depth = 0;
	r.nctx = 1;
	r.nover = r.ilo = r.ihi = 0;
	r.ctx[0] = ctx;
	rc = render_ops(&r, t, t->ops, t->ops + t->nr_ops);
	if (rc)
		strbuf_setlen(out, r.out_start);
	return rc;
}
