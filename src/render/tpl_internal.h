/*
 * tpl_internal.h - the compiled form of a Mustache template, shared by the
 * compiler (tpl_compile.c) and the renderer (tpl.c). Private to src/render/.
 */
#ifndef DL_RENDER_TPL_INTERNAL_H
#define DL_RENDER_TPL_INTERNAL_H

#include "core/compat.h"
#include "core/slice.h"
#include "core/strbuf.h"

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

static inline uint32_t hash_name(const char *p, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

/* True if the line starting at p is empty (p is at a newline). */
static inline bool empty_line(const char *p, const char *end)
{
	return *p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n');
}

/*
 * Compile t->src (len bytes; t->name set) into t's ops. Returns DL_OK, or
 * DL_INVALID / DL_TOOBIG after appending a one-line message to `err`.
 */
int tpl_compile(struct tpl *t, size_t len, struct strbuf *err);
/* Free a template and everything it owns. NULL is ok. */
void tpl_free(struct tpl *t);

#endif
