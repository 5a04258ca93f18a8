/*
 * tpl.c - Mustache template sets and rendering. Templates are compiled once
 * (tpl_compile.c) into a flat op array; rendering never writes to the set,
 * so one set is shared read-only by every worker thread.
 */
#include "core/compat.h"
#include "core/alloc.h"
#include "core/err.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "render/tpl.h"
#include "render/tpl_internal.h"

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
	rc = tpl_compile(t, len, err);
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
	const struct slice *part;
	const struct view *v = NULL;

	if (!op->nparts)
		return r->ctx[r->nctx - 1];
	part = t->parts + op->part0;  /* parts is NULL in a template whose names are all "." */
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
