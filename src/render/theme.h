/*
 * theme.h - a theme: Mustache templates plus static assets (CSS, icons).
 *
 * The default theme is compiled into the binary (themes/default/); an
 * operator can point --theme at a folder with the same layout to override
 * it. Templates are compiled once, at load; a syntax error fails the load
 * with a message naming the file and line.
 */
#ifndef DL_RENDER_THEME_H
#define DL_RENDER_THEME_H

#include "core/compat.h"
#include "core/strbuf.h"
#include "render/tpl.h"

struct theme_asset {
	char *path;              /* relative to static/, e.g. "style.css" */
	unsigned char *data;
	size_t len;
	const char *content_type;
	char version[17];        /* content hash, for cache-busting URLs */
};

struct theme;

/* Load from `dir`, or the embedded default theme when dir is NULL.
 * Returns NULL and appends a one-line reason to `err`. */
struct theme *theme_load(const char *dir, struct strbuf *err);
/* The editorial plane's built-in templates and assets (themes/admin/). */
struct theme *theme_load_admin(struct strbuf *err);
void theme_free(struct theme *t);

const struct tpl_set *theme_templates(const struct theme *t);
/* A static asset by its path under static/, or NULL. */
const struct theme_asset *theme_asset(const struct theme *t, const char *path, size_t len);

/* The Content-Type for a file name, by extension. */
const char *theme_content_type(const char *name);

#endif
