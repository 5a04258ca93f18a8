#include "core/compat.h"
#include "core/err.h"
#include "core/utf8.h"
#include "http/query.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode `in` into the arena. Rejects bad escapes, invalid UTF-8 and
 * control characters (which have no business in a URL once decoded).
 */
/* `multiline`: tabs and line breaks pass (CR LF becomes LF), as in a textarea. */
static int decode(struct arena *a, struct slice in, bool plus_is_space, bool multiline,
		  struct slice *out)
{
	char *buf = arena_alloc(a, in.len + 1);
	size_t n = 0;

	for (size_t i = 0; i < in.len; i++) {
		char c = in.p[i];

		if (c == '%') {
			int hi, lo;
			if (i + 2 >= in.len)
				return DL_INVALID;
			hi = hexval(in.p[i + 1]);
			lo = hexval(in.p[i + 2]);
			if (hi < 0 || lo < 0)
				return DL_INVALID;
			c = (char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		buf[n++] = c;
	}
	buf[n] = '\0';
	if (!utf8_valid(buf, n))
		return DL_INVALID;
	if (multiline) {
		size_t j = 0;
		for (size_t i = 0; i < n; i++) {
			if (buf[i] == '\r' && i + 1 < n && buf[i + 1] == '\n')
				continue;
			buf[j++] = buf[i] == '\r' ? '\n' : buf[i];
		}
		buf[n = j] = '\0';
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];
		if ((c < 0x20 || c == 0x7f) && !(multiline && (c == '\n' || c == '\t')))
			return DL_INVALID;
	}
	*out = (struct slice){ buf, n };
	return DL_OK;
}

int path_parse(struct arena *a, struct slice target, struct slice *path, struct slice *raw_query)
{
	size_t end = 0, qend;
	struct slice raw;
	int rc;

	if (!target.len || target.p[0] != '/')
		return DL_INVALID;
	while (end < target.len && target.p[end] != '?' && target.p[end] != '#')
		end++;
	qend = end;
	if (end < target.len && target.p[end] == '?') {
		qend = end + 1;
		while (qend < target.len && target.p[qend] != '#')
			qend++;
		*raw_query = (struct slice){ target.p + end + 1, qend - end - 1 };
	} else {
		*raw_query = (struct slice){ "", 0 };
	}
	raw = (struct slice){ target.p, end };
	/* A raw target is printable ASCII (RFC 3986), query included: nothing
	 * else may ever be copied into a Location header or a log line. */
	for (size_t i = 0; i < target.len; i++) {
		unsigned char c = (unsigned char)target.p[i];
		if (c <= 0x20 || c >= 0x7f)
			return DL_INVALID;
	}
	rc = decode(a, raw, false, false, path);
	if (rc)
		return rc;
	if (path->len > PATH_MAX_BYTES)
		return DL_TOOBIG;
	/* No "." or ".." segments, decoded or not: nothing may climb out of a route. */
	for (size_t i = 0; i < path->len; i++) {
		size_t j;

		if (path->p[i] != '/')
			continue;
		for (j = i + 1; j < path->len && path->p[j] == '.'; j++)
			;
		if ((j == i + 2 || j == i + 3) && (j == path->len || path->p[j] == '/'))
			return DL_INVALID;
	}
	/* Backslashes are path separators to some servers and CDNs: refuse them. */
	if (memchr(path->p, '\\', path->len))
		return DL_INVALID;
	return DL_OK;
}

static const struct query_limits query_limits = {
	QUERY_MAX_PARAMS, QUERY_MAX_KEY, QUERY_MAX_VALUE, false,
};

int query_parse(struct arena *a, struct slice raw, struct query *out)
{
	return query_parse_limited(a, raw, &query_limits, out);
}

int query_parse_limited(struct arena *a, struct slice raw, const struct query_limits *lim,
			struct query *out)
{
	size_t i = 0;
	int rc;

	out->items = NULL;
	out->nr = 0;
	if (!raw.len)
		return DL_OK;
	out->items = ARENA_NEW_ARRAY(a, struct query_param, lim->max_params);
	while (i < raw.len) {
		size_t start = i, eq = SIZE_MAX;
		struct query_param *p;

		while (i < raw.len && raw.p[i] != '&') {
			if (raw.p[i] == '=' && eq == SIZE_MAX)
				eq = i;
			i++;
		}
		if (i > start) {
			struct slice key, value;

			if (out->nr == lim->max_params)
				return DL_TOOBIG;
			if (eq == SIZE_MAX) {
				key = (struct slice){ raw.p + start, i - start };
				value = (struct slice){ "", 0 };
			} else {
				key = (struct slice){ raw.p + start, eq - start };
				value = (struct slice){ raw.p + eq + 1, i - eq - 1 };
			}
			if (key.len > lim->max_key * 3 || value.len > lim->max_value * 3)
				return DL_TOOBIG;
			p = &out->items[out->nr];
			rc = decode(a, key, true, false, &p->key);
			if (!rc)
				rc = decode(a, value, true, lim->multiline, &p->value);
			if (rc)
				return rc;
			if (p->key.len > lim->max_key || p->value.len > lim->max_value)
				return DL_TOOBIG;
			if (p->key.len)
				out->nr++;
		}
		i++;  /* skip '&' */
	}
	return DL_OK;
}

const struct slice *query_get(const struct query *q, const char *key)
{
	for (size_t i = 0; i < q->nr; i++)
		if (slice_eq_str(q->items[i].key, key))
			return &q->items[i].value;
	return NULL;
}

/* Parameters added by campaign links and social sites: never part of a page's identity. */
bool query_is_tracking(struct slice key)
{
	static const char *const names[] = {
		"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref", "_ga",
	};

	if (slice_starts_with(key, "utm_"))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (slice_eq_str(key, names[i]))
			return true;
	return false;
}

const char *query_unknown(struct arena *a, const struct query *q, const char *const *allowed)
{
	for (size_t i = 0; i < q->nr; i++) {
		bool ok = query_is_tracking(q->items[i].key);

		for (size_t j = 0; allowed && allowed[j] && !ok; j++)
			ok = slice_eq_str(q->items[i].key, allowed[j]);
		if (!ok)
			return arena_strndup(a, q->items[i].key.p, q->items[i].key.len);
	}
	return NULL;
}

int query_page(const struct query *q, int64_t max, int64_t *page)
{
	const struct slice *v = query_get(q, "page");

	*page = 1;
	if (!v)
		return DL_OK;
	return slice_to_int64(*v, 1, max, page);
}
