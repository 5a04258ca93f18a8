/*
 * query.h - URL paths and query strings from untrusted request targets.
 *
 * Both parsers are strict: a malformed percent escape, invalid UTF-8, a
 * control character, a NUL, or a `.`/`..` path segment is an error, so no
 * later layer ever sees such bytes. Decoded bytes are copied into the
 * request arena.
 */
#ifndef DL_HTTP_QUERY_H
#define DL_HTTP_QUERY_H

#include "core/compat.h"
#include "core/arena.h"
#include "core/slice.h"

/* Ceilings for what one request may carry. */
#define QUERY_MAX_PARAMS 32
#define QUERY_MAX_KEY 64
#define QUERY_MAX_VALUE 2048
#define PATH_MAX_BYTES 2048

struct query_param {
	struct slice key, value;
};

struct query {
	struct query_param *items;
	size_t nr;
};

/*
 * Split a request-target into its path and raw query (after the first '?';
 * a '#' fragment is dropped) and percent-decode the path. Returns DL_OK,
 * DL_INVALID (not origin-form, bad escape, bad UTF-8, control bytes, dot
 * segments) or DL_TOOBIG (path over PATH_MAX_BYTES).
 */
int path_parse(struct arena *a, struct slice target, struct slice *path, struct slice *raw_query);

/*
 * Parse `raw` (a=b&c=d; '+' is a space) into decoded pairs. Empty pieces
 * ("a=1&&b=2") are skipped. Returns DL_OK, DL_INVALID (bad escape or
 * UTF-8) or DL_TOOBIG (over the ceilings above).
 */
int query_parse(struct arena *a, struct slice raw, struct query *out);

struct query_limits {
	size_t max_params, max_key, max_value;
	bool multiline;  /* values may hold tabs and line breaks (CR LF read as LF) */
};

/* query_parse() with other ceilings (form bodies carry whole articles). */
int query_parse_limited(struct arena *a, struct slice raw, const struct query_limits *lim,
			struct query *out);

/* The value of the first parameter named `key`, or NULL. */
const struct slice *query_get(const struct query *q, const char *key);

/*
 * Check every parameter is named in `allowed` (NULL-terminated) or is a
 * well-known tracking parameter (utm_*, fbclid, gclid...), which is
 * ignored. Returns NULL, or the first unknown key (arena copy).
 */
const char *query_unknown(struct arena *a, const struct query *q, const char *const *allowed);

/* True for a well-known tracking parameter (utm_*, fbclid, gclid...). */
bool query_is_tracking(struct slice key);

/*
 * The page number from ?page=: DL_OK with *page = 1 when absent; DL_INVALID
 * unless it is a decimal integer in [1, max].
 */
int query_page(const struct query *q, int64_t max, int64_t *page);

#endif
