/*
 * multipart.h - multipart/form-data request bodies (file uploads), parsed
 * strictly: a part without a name, a header block past 1 KiB, a missing
 * closing boundary or more than MULTIPART_MAX_PARTS parts is an error.
 * Part data points into the body (no copies); names are checked UTF-8.
 */
#ifndef DL_HTTP_MULTIPART_H
#define DL_HTTP_MULTIPART_H

#include "core/compat.h"
#include "core/arena.h"
#include "core/slice.h"

#define MULTIPART_MAX_PARTS 16

struct multipart_part {
	struct slice name;          /* the form field's name */
	struct slice filename;      /* as the client sent it; empty for plain fields */
	struct slice content_type;  /* as declared (never trusted for files) */
	struct slice data;
};

struct multipart {
	struct multipart_part parts[MULTIPART_MAX_PARTS];
	size_t nr;
};

/*
 * Parse `body` given the request's Content-Type header value. Returns
 * DL_OK, DL_INVALID (not multipart/form-data, bad framing or names) or
 * DL_TOOBIG (too many parts).
 */
int multipart_parse(struct arena *a, const char *content_type, struct slice body,
		    struct multipart *out);

/* The first part named `name`, or NULL. */
const struct multipart_part *multipart_get(const struct multipart *m, const char *name);

#endif
