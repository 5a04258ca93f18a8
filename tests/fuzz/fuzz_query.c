/*
 * fuzz_query.c - libFuzzer driver for request targets, query strings and
 * urlencoded form bodies.
 *
 * Checked beyond memory safety: a decoded path is valid UTF-8 with no control
 * byte, backslash or dot segment; query keys and values are valid UTF-8
 * within their ceilings and without controls; form values may hold only tab
 * and LF among the controls (CR LF read as LF).
 */
#include "core/compat.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/utf8.h"
#include "http/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_query: %s\n", what);
		abort();
	}
}

static void check_text(struct slice s, bool multiline)
{
	check(utf8_valid(s.p, s.len), "not UTF-8");
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];
		check(c >= 0x20 && c != 0x7f ? true : multiline && (c == '\n' || c == '\t'),
		      "a control byte passed");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct query_limits form = { 64, 64, 1 << 20, true };
	struct slice in = { (const char *)data, size }, path, raw;
	struct arena *a = arena_new(0);
	struct query q;

	if (path_parse(a, in, &path, &raw) == DL_OK) {
		check_text(path, false);
		check(path.len && path.p[0] == '/', "path not absolute");
		check(!memchr(path.p, '\\', path.len), "backslash in path");
		check(!strstr(arena_strndup(a, path.p, path.len), "/../"), "dot segment");
		if (query_parse(a, raw, &q) == DL_OK) {
			check(q.nr <= QUERY_MAX_PARAMS, "too many parameters");
			for (size_t i = 0; i < q.nr; i++) {
				check(q.items[i].key.len && q.items[i].key.len <= QUERY_MAX_KEY, "key size");
				check(q.items[i].value.len <= QUERY_MAX_VALUE, "value size");
				check_text(q.items[i].key, false);
				check_text(q.items[i].value, false);
			}
		}
	}
	if (query_parse_limited(a, in, &form, &q) == DL_OK) {
		for (size_t i = 0; i < q.nr; i++) {
			check_text(q.items[i].key, false);
			check_text(q.items[i].value, true);
			check(!memchr(q.items[i].value.p, '\r', q.items[i].value.len), "CR kept");
		}
	}
	arena_free(a);
	return 0;
}
