/*
 * tpl_compile.c - Mustache source to a flat op array.
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
#include "render/tpl_internal.h"

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

void tpl_free(struct tpl *t)
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

int tpl_compile(struct tpl *t, size_t len, struct strbuf *err)
{
	struct compiler c = { .t = t, .err = err, .last_text = NONE };
	int rc;

	if (len > TPL_MAX_SOURCE) {
		syntax_error(&c, 1, "template larger than %u bytes", TPL_MAX_SOURCE);
		return DL_TOOBIG;
	}
	/* Never a NULL op array, even for an empty template: renderers index past it. */
	ALLOC_GROW(t->ops, 1, t->alloc_ops);
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

