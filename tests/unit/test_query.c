#include "core/compat.h"
#include <setjmp.h>
#include <cmocka.h>
#include "core/err.h"
#include "core/strbuf.h"
#include "http/query.h"

static struct arena *a;

static int setup(void **state)
{
	a = arena_new(0);
	return 0;
}

static int teardown(void **state)
{
	arena_free(a);
	return 0;
}

static int path(const char *target, struct slice *p, struct slice *q)
{
	return path_parse(a, slice_cstr(target), p, q);
}

static void test_path_decoding(void **state)
{
	struct slice p, q;

	assert_int_equal(path("/caf%C3%A9/x/?page=2#frag", &p, &q), DL_OK);
	assert_true(slice_eq_str(p, "/café/x/"));
	assert_true(slice_eq_str(q, "page=2"));
	assert_int_equal(path("/", &p, &q), DL_OK);
	assert_int_equal(q.len, 0);
}

static void test_path_rejects(void **state)
{
	struct slice p, q;
	static const char *const bad[] = {
		"", "x", "*", "http://example.org/", "/a/../b", "/a/%2e%2e/b", "/..", "/a/.",
		"/%2E/", "/bad%", "/bad%4", "/bad%zz", "/%C3", "/%FF", "/%00", "/a%0Ab", "/a\\b",
		"/a%5Cb", "/a b", "/\x7f",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int rc = path(bad[i], &p, &q);
		if (rc == DL_OK)
			fail_msg("accepted bad path '%s'", bad[i]);
	}
	/* dots inside names are fine */
	assert_int_equal(path("/static/style.css", &p, &q), DL_OK);
	assert_int_equal(path("/a/...b/", &p, &q), DL_OK);
}

static void test_path_too_long(void **state)
{
	char big[PATH_MAX_BYTES + 10];
	struct slice p, q;

	big[0] = '/';
	memset(big + 1, 'a', sizeof(big) - 2);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(path(big, &p, &q), DL_TOOBIG);
}

static void test_query_parse(void **state)
{
	struct query q;

	assert_int_equal(query_parse(a, slice_cstr("page=2&q=hello+world&x=%C3%A9&&flag"), &q), DL_OK);
	assert_int_equal(q.nr, 4);
	assert_true(slice_eq_str(*query_get(&q, "page"), "2"));
	assert_true(slice_eq_str(*query_get(&q, "q"), "hello world"));
	assert_true(slice_eq_str(*query_get(&q, "x"), "é"));
	assert_int_equal(query_get(&q, "flag")->len, 0);
	assert_null(query_get(&q, "missing"));
	assert_int_equal(query_parse(a, slice_cstr("a=%ZZ"), &q), DL_INVALID);
	assert_int_equal(query_parse(a, slice_cstr("a=%FF"), &q), DL_INVALID);
	assert_int_equal(query_parse(a, slice_cstr("a=%00"), &q), DL_INVALID);
}

static void test_query_limits(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct query q;

	for (int i = 0; i <= QUERY_MAX_PARAMS; i++)
		strbuf_addf(&sb, "k%d=v&", i);
	assert_int_equal(query_parse(a, slice_from(sb.buf, sb.len), &q), DL_TOOBIG);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "k=");
	for (int i = 0; i <= QUERY_MAX_VALUE; i++)
		strbuf_addch(&sb, 'v');
	assert_int_equal(query_parse(a, slice_from(sb.buf, sb.len), &q), DL_TOOBIG);
	strbuf_release(&sb);
}

static void test_page(void **state)
{
	static const char *const bad[] = { "page=-1", "page=0", "page=abc", "page=99999999999",
					   "page=", "page=1.5", "page=%2B1", "page=1e3" };
	struct query q;
	int64_t page;

	assert_int_equal(query_parse(a, slice_cstr(""), &q), DL_OK);
	assert_int_equal(query_page(&q, 1000, &page), DL_OK);
	assert_int_equal(page, 1);
	assert_int_equal(query_parse(a, slice_cstr("page=7"), &q), DL_OK);
	assert_int_equal(query_page(&q, 1000, &page), DL_OK);
	assert_int_equal(page, 7);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(query_parse(a, slice_cstr(bad[i]), &q), DL_OK);
		if (query_page(&q, 100000, &page) == DL_OK)
			fail_msg("accepted '%s'", bad[i]);
	}
}

static void test_unknown_params(void **state)
{
	static const char *const allowed[] = { "page", NULL };
	struct query q;

	assert_int_equal(query_parse(a, slice_cstr("page=2&utm_source=x&fbclid=y"), &q), DL_OK);
	assert_null(query_unknown(a, &q, allowed));
	assert_int_equal(query_parse(a, slice_cstr("page=2&sort=new"), &q), DL_OK);
	assert_string_equal(query_unknown(a, &q, allowed), "sort");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_decoding),
		cmocka_unit_test(test_path_rejects),
		cmocka_unit_test(test_path_too_long),
		cmocka_unit_test(test_query_parse),
		cmocka_unit_test(test_query_limits),
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_unknown_params),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
