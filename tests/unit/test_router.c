#include "core/compat.h"
#include <setjmp.h>
#include <cmocka.h>
#include "http/router.h"

static void h_home(struct http_request *r, void *c) {}
static void h_cat(struct http_request *r, void *c) {}
static void h_static(struct http_request *r, void *c) {}
static void h_article(struct http_request *r, void *c) {}
static void h_post(struct http_request *r, void *c) {}

static const struct route routes[] = {
	{ HTTP_GET | HTTP_HEAD, "/", h_home, "home", 0 },
	{ HTTP_GET | HTTP_HEAD, "/category/:slug/", h_cat, "category", 0 },
	{ HTTP_GET | HTTP_HEAD, "/static/*", h_static, "static", 0 },
	{ HTTP_POST, "/form/", h_post, "form", 0 },
	{ HTTP_GET | HTTP_HEAD, "/:category/:slug/", h_article, "article", 0 },
};

static struct router *r;

static int setup(void **state)
{
	r = router_new(routes, ARRAY_SIZE(routes));
	return 0;
}

static int teardown(void **state)
{
	router_free(r);
	return 0;
}

static enum route_result match(const char *path, enum http_method m, struct route_match *rm)
{
	unsigned allowed;

	return router_match(r, m, slice_cstr(path), rm, &allowed);
}

static void test_literal_and_params(void **state)
{
	struct route_match m;

	assert_int_equal(match("/", HTTP_GET, &m), ROUTE_FOUND);
	assert_ptr_equal(m.route->handler, h_home);
	assert_int_equal(match("/category/politics/", HTTP_GET, &m), ROUTE_FOUND);
	assert_ptr_equal(m.route->handler, h_cat);
	assert_int_equal(m.nparams, 1);
	assert_true(slice_eq_str(m.params[0], "politics"));
	/* literal routes win over parameters that would also match */
	assert_int_equal(match("/local/bridge-closes/", HTTP_HEAD, &m), ROUTE_FOUND);
	assert_ptr_equal(m.route->handler, h_article);
	assert_true(slice_eq_str(m.params[0], "local"));
	assert_true(slice_eq_str(m.params[1], "bridge-closes"));
}

static void test_tail(void **state)
{
	struct route_match m;

	assert_int_equal(match("/static/css/style.css", HTTP_GET, &m), ROUTE_FOUND);
	assert_ptr_equal(m.route->handler, h_static);
	assert_true(slice_eq_str(m.params[0], "css/style.css"));
	assert_int_equal(match("/static/", HTTP_GET, &m), ROUTE_FOUND);
	assert_int_equal(m.params[0].len, 0);
}

static void test_trailing_slash_redirect(void **state)
{
	struct route_match m;

	assert_int_equal(match("/category/politics", HTTP_GET, &m), ROUTE_ADD_SLASH);
	assert_int_equal(match("/local/bridge", HTTP_GET, &m), ROUTE_ADD_SLASH);
}

static void test_not_found(void **state)
{
	struct route_match m;

	assert_int_equal(match("/a/b/c/d/e/", HTTP_GET, &m), ROUTE_NOT_FOUND);
	assert_int_equal(match("//", HTTP_GET, &m), ROUTE_NOT_FOUND);
	assert_int_equal(match("/category//", HTTP_GET, &m), ROUTE_NOT_FOUND);
	/* more segments than the router keeps */
	assert_int_equal(match("/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18/", HTTP_GET, &m),
			 ROUTE_NOT_FOUND);
}

static void test_method(void **state)
{
	struct route_match m;
	unsigned allowed;

	assert_int_equal(router_match(r, HTTP_POST, slice_cstr("/"), &m, &allowed),
			 ROUTE_BAD_METHOD);
	assert_true(allowed & HTTP_GET);
	assert_int_equal(router_match(r, HTTP_POST, slice_cstr("/form/"), &m, &allowed),
			 ROUTE_FOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_and_params),
		cmocka_unit_test(test_tail),
		cmocka_unit_test(test_trailing_slash_redirect),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_method),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
