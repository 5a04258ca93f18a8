#include "core/compat.h"
#include <setjmp.h>
#include <cmocka.h>
#include "core/err.h"
#include "core/strbuf.h"
#include "http/multipart.h"

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

#define CT "multipart/form-data; boundary=XyZ"

static int parse(const char *type, const char *body, size_t len, struct multipart *m)
{
	return multipart_parse(a, type, (struct slice){ body, len }, m);
}

static void test_fields_and_file(void **state)
{
	static const char body[] =
		"--XyZ\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\nA boat\r\n"
		"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a b.jpg\"\r\n"
		"Content-Type: image/jpeg\r\n\r\n\xff\xd8\xff\x00\r\n--XyA\r\x00\r\n"
		"--XyZ--\r\n";
	struct multipart m;
	const struct multipart_part *f;

	assert_int_equal(parse(CT, body, sizeof(body) - 1, &m), DL_OK);
	assert_int_equal(m.nr, 2);
	assert_true(slice_eq_str(multipart_get(&m, "alt")->data, "A boat"));
	f = multipart_get(&m, "file");
	assert_non_null(f);
	assert_true(slice_eq_str(f->filename, "a b.jpg"));
	assert_true(slice_eq_str(f->content_type, "image/jpeg"));
	/* Binary data, with NULs and a near-miss of the boundary, is kept exactly. */
	assert_int_equal(f->data.len, 13);
	assert_memory_equal(f->data.p, "\xff\xd8\xff\x00\r\n--XyA\r\x00", 13);
	assert_null(multipart_get(&m, "csrf"));
}

static void test_quoted_boundary(void **state)
{
	static const char body[] = "--a;b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--a;b--";
	struct multipart m;

	assert_int_equal(parse("multipart/form-data; boundary=\"a;b\"", body, sizeof(body) - 1, &m),
			 DL_OK);
	assert_true(slice_eq_str(multipart_get(&m, "x")->data, "1"));
}

static void test_rejects(void **state)
{
	struct multipart m;
	static const char *const bodies[] = {
		/* truncated: no closing boundary */
		"--XyZ\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nabc",
		/* no name */
		"--XyZ\r\nContent-Disposition: form-data\r\n\r\nabc\r\n--XyZ--",
		/* not starting with the boundary */
		"junk--XyZ\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nabc\r\n--XyZ--",
		/* headers never end */
		"--XyZ\r\nContent-Disposition: form-data; name=\"x\"\r\nabc\r\n--XyZ--",
		/* a control character in the name */
		"--XyZ\r\nContent-Disposition: form-data; name=\"a\x01\"\r\n\r\nabc\r\n--XyZ--",
		/* invalid UTF-8 in the file name */
		"--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\xc3\x28\"\r\n\r\nx\r\n--XyZ--",
		/* nothing but the end */
		"--XyZ--",
		"",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bodies); i++)
		assert_int_equal(parse(CT, bodies[i], strlen(bodies[i]), &m), DL_INVALID);
	assert_int_equal(parse("application/x-www-form-urlencoded", "a=b", 3, &m), DL_INVALID);
	assert_int_equal(parse("multipart/form-data", "--x--", 5, &m), DL_INVALID);
	assert_int_equal(parse(NULL, "--x--", 5, &m), DL_INVALID);
}

static void test_too_many_parts(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct multipart m;

	for (int i = 0; i < MULTIPART_MAX_PARTS + 1; i++)
		strbuf_addf(&sb, "--XyZ\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\nv\r\n", i);
	strbuf_addstr(&sb, "--XyZ--");
	assert_int_equal(parse(CT, sb.buf, sb.len, &m), DL_TOOBIG);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_and_file),
		cmocka_unit_test(test_quoted_boundary),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_too_many_parts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
