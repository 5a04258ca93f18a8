/*
 * form.h - a JSON object read as a form: the editorial API sends JSON to the
 * same handlers the HTML forms reach, and they read both the same way.
 */
#ifndef DL_HTTP_FORM_H
#define DL_HTTP_FORM_H

#include "core/compat.h"
#include "core/arena.h"
#include "core/slice.h"
#include "http/query.h"

/*
 * Read `body` (a JSON object) into `out`: strings as they are, integers in
 * decimal, true as "1" (false and null leave the key out), a list of
 * strings joined by commas. Returns DL_OK; DL_INVALID with *why (and *key
 * for a bad value, else NULL) for malformed JSON, a non-object, a nested
 * object or a list item that is not a string or holds a comma.
 */
int form_from_json(struct arena *a, struct slice body, struct query *out, const char **key,
		   const char **why);

#endif
