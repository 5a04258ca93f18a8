/*
 * multipart.c - multipart/form-data (RFC 7578) for uploads.
 */
#include "core/compat.h"
#include <strings.h>
#include "core/err.h"
#include "core/utf8.h"
#include "http/multipart.h"

#define HEADER_MAX 1024
#define BOUNDARY_MAX 70

static const char *find(const char *hay, size_t n, const char *needle, size_t m)
{
	return m ? memmem(hay, n, needle, m) : NULL;
}

/* The boundary parameter of a multipart/form-data Content-Type. */
static int boundary_of(struct arena *a, const char *type, struct slice *out)
{
	const char *p;
	size_t n;

	if (!type || strncasecmp(type, "multipart/form-data", 19))
		return DL_INVALID;
	p = strcasestr(type, "boundary=");
	if (!p)
		return DL_INVALID;
	p += 9;
	if (*p == '"') {
		const char *end = strchr(++p, '"');
		if (!end)
			return DL_INVALID;
		n = (size_t)(end - p);
	} else {
		n = strcspn(p, "; \t");
	}
	if (!n || n > BOUNDARY_MAX)
		return DL_INVALID;
	*out = (struct slice){ arena_printf(a, "\r\n--%.*s", (int)n, p), n + 4 };
	return DL_OK;
}

/* A checked parameter value (name="..." or filename="...") from a header line. */
static int param(struct arena *a, struct slice line, const char *key, struct slice *out)
{
	size_t klen = strlen(key);

	*out = (struct slice){ "", 0 };
	for (size_t i = 0; i + klen + 2 <= line.len; i++) {
		const char *end;
		size_t n;

		/* A whole parameter name: after ';' or space, not "filename" for "name". */
		if (strncasecmp(line.p + i, key, klen) || line.p[i + klen] != '=' ||
		    line.p[i + klen + 1] != '"' || (i && line.p[i - 1] != ' ' && line.p[i - 1] != ';'))
			continue;
		end = memchr(line.p + i + klen + 2, '"', line.len - i - klen - 2);
		if (!end)
			return DL_INVALID;
		n = (size_t)(end - (line.p + i + klen + 2));
		if (!utf8_valid(line.p + i + klen + 2, n) || n > 255)
			return DL_INVALID;
		for (size_t j = 0; j < n; j++)
			if ((unsigned char)line.p[i + klen + 2 + j] < 0x20)
				return DL_INVALID;
		*out = arena_slice_dup(a, (struct slice){ line.p + i + klen + 2, n });
		return DL_OK;
	}
	return DL_OK;
}

static int part_headers(struct arena *a, struct slice head, struct multipart_part *part)
{
	size_t i = 0;

	while (i < head.len) {
		const char *eol = find(head.p + i, head.len - i, "\r\n", 2);
		struct slice line = { head.p + i, eol ? (size_t)(eol - (head.p + i)) : head.len - i };

		if (line.len >= 20 && !strncasecmp(line.p, "Content-Disposition:", 20)) {
			if (param(a, line, "name", &part->name) ||
			    param(a, line, "filename", &part->filename))
				return DL_INVALID;
		} else if (line.len >= 13 && !strncasecmp(line.p, "Content-Type:", 13)) {
			struct slice v = { line.p + 13, line.len - 13 };
			while (v.len && *v.p == ' ')
				v.p++, v.len--;
			part->content_type = arena_slice_dup(a, v);
		}
		i += line.len + 2;
	}
	return part->name.len ? DL_OK : DL_INVALID;
}

int multipart_parse(struct arena *a, const char *content_type, struct slice body,
		    struct multipart *out)
{
	struct slice delim;
	size_t pos;
	int rc = boundary_of(a, content_type, &delim);

	out->nr = 0;
	if (rc)
		return rc;
	/* The body starts with the boundary itself (no CR LF before it). */
	if (body.len < delim.len - 2 || memcmp(body.p, delim.p + 2, delim.len - 2))
		return DL_INVALID;
	pos = delim.len - 2;
	for (;;) {
		const char *head_end, *next;
		struct multipart_part *part;
		size_t start;

		if (body.len - pos >= 2 && !memcmp(body.p + pos, "--", 2))
			return out->nr ? DL_OK : DL_INVALID;  /* the closing boundary */
		if (body.len - pos < 2 || memcmp(body.p + pos, "\r\n", 2))
			return DL_INVALID;
		pos += 2;
		head_end = find(body.p + pos, body.len - pos < HEADER_MAX ? body.len - pos : HEADER_MAX,
				"\r\n\r\n", 4);
		if (!head_end)
			return DL_INVALID;
		if (out->nr == MULTIPART_MAX_PARTS)
			return DL_TOOBIG;
		part = &out->parts[out->nr];
		memset(part, 0, sizeof(*part));
		/* The headers end with the blank line; keep the last CR LF for the line split. */
		if (part_headers(a, (struct slice){ body.p + pos, (size_t)(head_end - (body.p + pos)) },
				 part))
			return DL_INVALID;
		start = (size_t)(head_end - body.p) + 4;
		next = find(body.p + start, body.len - start, delim.p, delim.len);
		if (!next)
			return DL_INVALID;  /* truncated: no boundary after the data */
		part->data = (struct slice){ body.p + start, (size_t)(next - (body.p + start)) };
		out->nr++;
		pos = (size_t)(next - body.p) + delim.len;
	}
}

const struct multipart_part *multipart_get(const struct multipart *m, const char *name)
{
	for (size_t i = 0; i < m->nr; i++)
		if (slice_eq_str(m->parts[i].name, name))
			return &m->parts[i];
	return NULL;
}
