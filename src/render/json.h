/*
 * json.h - a view model written out as JSON: objects keep their key order,
 * strings are escaped (with <, > and & as \u escapes, so the output is also
 * safe inside HTML).
 */
#ifndef DL_RENDER_JSON_H
#define DL_RENDER_JSON_H

#include "core/strbuf.h"
#include "render/view.h"

/* Append `v` as JSON. A NULL view is written as null. */
void json_write(struct strbuf *out, const struct view *v);

#endif
