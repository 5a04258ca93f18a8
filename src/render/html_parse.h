/*
 * html_parse.h - gumbo, wrapped for untrusted input: HTML5 fragments parsed
 * under a memory ceiling and a nesting ceiling. Private to src/render/; the
 * sanitiser and text extraction (html.c) walk the tree it builds.
 *
 * Gumbo's allocations are tracked in a list, so the tree is freed in one
 * pass over that list rather than by a recursive walk, and their total is
 * capped at a budget proportional to the input; start tags that would nest
 * deeper than HTML_PARSE_DEPTH_MAX are removed before gumbo sees them. The
 * tree is walked iteratively too: no input can overflow the stack.
 */
#ifndef DL_RENDER_HTML_PARSE_H
#define DL_RENDER_HTML_PARSE_H

#include "core/compat.h"
#include <gumbo.h>
#include <setjmp.h>

#include "core/strbuf.h"

/* Parser nesting ceiling: gumbo's scope checks are O(depth) per tag. */
#define HTML_PARSE_DEPTH_MAX 256

struct html_parse_block;

/*
 * One parsed fragment. Lives wherever the caller likes (usually the stack);
 * only `output` is for the caller, the rest belongs to html_parse.c.
 */
struct html_parse {
	struct html_parse_block *blocks; /* every live gumbo allocation */
	size_t live;                     /* their total size */
	size_t budget;                   /* ceiling on `live` */
	jmp_buf over_budget;
	struct strbuf trimmed;  /* the input less tags past HTML_PARSE_DEPTH_MAX */
	GumboOutput *output;    /* the tree; output->root is the fragment's parent */
};

/*
 * Parse html[0..len) as an HTML5 fragment (a <div>'s children) into
 * ps->output. The tree, and the memory behind it, belongs to `ps` until
 * html_parse_release(). Returns DL_OK; DL_INVALID when the input is not valid
 * UTF-8 (or holds a NUL byte); DL_TOOBIG when gumbo would exceed the memory
 * budget. On failure nothing is held and `ps` must not be released.
 */
int html_parse_fragment(struct html_parse *ps, const char *html, size_t len);

/*
 * Free everything a successful html_parse_fragment() left in `ps`, tree
 * included, without walking the tree. ps->output is dangling afterwards.
 */
void html_parse_release(struct html_parse *ps);

/* Callbacks for html_tree_walk(). */
struct html_tree_ops {
	/* Visit node n; returns whether to visit its children. */
	bool (*enter)(GumboNode *n, void *ctx);
	/* Runs for every node whose children were visited, after them. */
	void (*leave)(GumboNode *n, void *ctx);
};

/*
 * Visit root's descendants (not root itself) in document order, passing ctx
 * to ops. Iterative, using gumbo's parent links; takes nothing over and
 * cannot fail. The callbacks must not change the tree's shape.
 */
void html_tree_walk(GumboNode *root, const struct html_tree_ops *ops, void *ctx);

#endif
