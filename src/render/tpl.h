/*
 * tpl.h - Mustache templates (the official spec v1.4: interpolation,
 * sections, inverted sections, comments, partials, set delimiters, and
 * inheritance with parents and blocks).
 *
 * Templates are compiled once, at start-up, into a tpl_set; partials and
 * parents are looked up by name in the same set when rendering. Rendering
 * never allocates from the template set, so one set is shared read-only by
 * every worker thread; tpl_set_add() and tpl_set_free() must not run while
 * any thread renders. {{name}} is HTML-escaped (& < > " ' become &amp; &lt;
 * &gt; &quot; &#39;); {{{name}}} and {{& name}} are raw and must only be used
 * for already-sanitised HTML.
 *
 * Values print as: strings as they are, integers in decimal, doubles in the
 * shortest form that reads back the same ("1.21"), booleans as "true" or
 * "false"; null, missing names, lists and objects print nothing. Section
 * truthiness is view_truthy()'s.
 */
#ifndef DL_RENDER_TPL_H
#define DL_RENDER_TPL_H

#include "core/compat.h"
#include "core/strbuf.h"
#include "render/view.h"

struct tpl_set;

struct tpl_set *tpl_set_new(void);
void tpl_set_free(struct tpl_set *set);

/*
 * Compile `src` and add it to the set under `name` (replacing any template
 * of that name). The source is copied. On a syntax error (unclosed tag or
 * section, mismatched close tag, bad set-delimiter tag, empty tag name)
 * returns DL_INVALID, leaves the set unchanged and appends one line to `err`
 * (if not NULL) naming the file and line, e.g.
 *     article.mustache:12: unclosed section 'latest'
 * where the file is `name` plus ".mustache" unless it already ends so.
 * Returns DL_TOOBIG for a source over 16 MiB.
 */
int tpl_set_add(struct tpl_set *set, const char *name, const char *src, size_t len,
		struct strbuf *err);

/* True if the set has a template called `name`. */
bool tpl_set_has(const struct tpl_set *set, const char *name);

/*
 * Render template `name` with `ctx` (may be NULL) as the top of the context
 * stack, appending to `out`. Unknown partials and parents render as empty
 * (per the spec). Apart from the growth of `out`, rendering allocates
 * nothing. Returns DL_NOTFOUND if `name` is not in the set; DL_ERR (logged)
 * if sections, partials, parents and blocks nest deeper than 64, as a
 * partial including itself does; DL_TOOBIG (logged) if one render runs more
 * than 4M ops or appends more than 64 MiB. On failure `out` is left as it
 * was.
 */
int tpl_render(const struct tpl_set *set, const char *name, const struct view *ctx,
	       struct strbuf *out);

#endif
