#include "core/compat.h"
#include <setjmp.h>
#include <cmocka.h>
#include "core/strbuf.h"

static void test_empty_is_valid_string(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	strbuf_release(&sb);
	assert_string_equal(sb.buf, "");
}

static void test_add_and_grow(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	for (int i = 0; i < 1000; i++)
		strbuf_addstr(&sb, "0123456789");
	assert_int_equal(sb.len, 10000);
	assert_int_equal(sb.buf[sb.len], '\0');
	assert_memory_equal(sb.buf + 9990, "0123456789", 10);
	strbuf_setlen(&sb, 3);
	assert_string_equal(sb.buf, "012");
	strbuf_release(&sb);
}

static void test_addf_long(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char big[500];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	strbuf_addf(&sb, "[%s|%d]", big, 42);
	assert_int_equal(sb.len, 499 + 5);
	assert_memory_equal(sb.buf + 500, "|42]", 4);
	strbuf_release(&sb);
}

static void test_addint(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addint(&sb, 0);
	strbuf_addch(&sb, ' ');
	strbuf_addint(&sb, -9223372036854775807LL - 1);
	strbuf_addch(&sb, ' ');
	strbuf_addint(&sb, 1234567);
	assert_string_equal(sb.buf, "0 -9223372036854775808 1234567");
	strbuf_release(&sb);
}

static void test_html_escape(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	const char *in = "<a href=\"x\">Tom & 'Jerry'</a>";

	strbuf_add_html(&sb, in, strlen(in));
	assert_string_equal(sb.buf,
		"&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
	strbuf_release(&sb);
}

static void test_json_escape(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	const char in[] = "a\"b\\c\n</script>\x01";

	strbuf_add_json(&sb, in, sizeof(in) - 1);
	assert_string_equal(sb.buf, "a\\\"b\\\\c\\n\\u003c/script\\u003e\\u0001");
	strbuf_release(&sb);
}

static void test_urlencode(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	const char *in = "café a/b?c";

	strbuf_add_urlencoded(&sb, in, strlen(in));
	assert_string_equal(sb.buf, "caf%C3%A9%20a%2Fb%3Fc");
	strbuf_release(&sb);
}

static void test_detach(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n;
	char *p;

	p = strbuf_detach(&sb, &n);
	assert_int_equal(n, 0);
	assert_string_equal(p, "");
	free(p);
	strbuf_addstr(&sb, "hello");
	p = strbuf_detach(&sb, &n);
	assert_int_equal(n, 5);
	assert_string_equal(p, "hello");
	assert_int_equal(sb.len, 0);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_is_valid_string),
		cmocka_unit_test(test_add_and_grow),
		cmocka_unit_test(test_addf_long),
		cmocka_unit_test(test_addint),
		cmocka_unit_test(test_html_escape),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_urlencode),
		cmocka_unit_test(test_detach),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
