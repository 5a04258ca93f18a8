/*
 * slice.h - a length-carrying view into bytes owned by someone else.
 *
 * Parsed input is handled as slices: no copies, no trust in NUL terminators.
 */
#ifndef DL_SLICE_H
#define DL_SLICE_H

#include "core/compat.h"

struct slice {
	const char *p;
	size_t len;
};

#define SLICE_LIT(s) ((struct slice){ (s), sizeof(s) - 1 })
#define SLICE_NULL ((struct slice){ NULL, 0 })

static inline struct slice slice_from(const char *p, size_t len)
{
	return (struct slice){ p, len };
}

static inline struct slice slice_cstr(const char *s)
{
	return (struct slice){ s, s ? strlen(s) : 0 };
}

static inline bool slice_eq(struct slice a, struct slice b)
{
	return a.len == b.len && (a.len == 0 || !memcmp(a.p, b.p, a.len));
}

static inline bool slice_eq_str(struct slice a, const char *s)
{
	size_t n = strlen(s);

	return a.len == n && (n == 0 || !memcmp(a.p, s, n));
}

static inline bool slice_starts_with(struct slice a, const char *prefix)
{
	size_t n = strlen(prefix);

	return a.len >= n && !memcmp(a.p, prefix, n);
}

/*
 * Parse a decimal integer in [min, max] that fills the whole slice (no sign
 * other than a leading '-', no spaces). Returns 0 and sets *out, or
 * DL_INVALID when the text is not such a number.
 */
int slice_to_int64(struct slice s, int64_t min, int64_t max, int64_t *out);

#endif
