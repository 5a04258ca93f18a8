#include "core/compat.h"
#include <setjmp.h>
#include <cmocka.h>
#include "core/utf8.h"

#define VALID(s) utf8_valid((s), sizeof(s) - 1)

static void test_valid(void **state)
{
	assert_true(VALID(""));
	assert_true(VALID("plain ascii"));
	assert_true(VALID("caf\xc3\xa9"));
	assert_true(VALID("\xe2\x80\x9cquoted\xe2\x80\x9d"));
	assert_true(VALID("\xf0\x9f\x93\xb0"));  /* newspaper emoji */
	assert_true(VALID("\xf4\x8f\xbf\xbf"));  /* U+10FFFF */
}

static void test_invalid(void **state)
{
	assert_false(VALID("\xc3"));             /* truncated */
	assert_false(VALID("\xc0\xaf"));         /* overlong slash */
	assert_false(VALID("\xe0\x80\xaf"));     /* overlong */
	assert_false(VALID("\xed\xa0\x80"));     /* surrogate */
	assert_false(VALID("\xf4\x90\x80\x80")); /* past U+10FFFF */
	assert_false(VALID("\xff"));
	assert_false(VALID("\x80"));
	assert_false(VALID("a\0b"));             /* NUL */
}

static void test_encode_decode_roundtrip(void **state)
{
	const uint32_t cps[] = { 0x41, 0xE9, 0x20AC, 0x1F4F0, 0x10FFFF };

	for (size_t i = 0; i < ARRAY_SIZE(cps); i++) {
		char buf[4];
		uint32_t back;
		size_t n = utf8_encode(cps[i], buf);

		assert_true(n > 0);
		assert_int_equal(utf8_decode(buf, n, &back), n);
		assert_int_equal(back, cps[i]);
	}
	assert_int_equal(utf8_encode(0xD800, (char[4]){ 0 }), 0);
}

static void test_truncate(void **state)
{
	const char *s = "ab\xc3\xa9" "cd";  /* a b é c d */

	assert_int_equal(utf8_truncate(s, 6, 10), 6);
	assert_int_equal(utf8_truncate(s, 6, 3), 2);  /* never split é */
	assert_int_equal(utf8_truncate(s, 6, 4), 4);
	assert_int_equal(utf8_length(s, 6), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_encode_decode_roundtrip),
		cmocka_unit_test(test_truncate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
