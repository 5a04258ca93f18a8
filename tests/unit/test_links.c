#include "core/compat.h"
#include <setjmp.h>
#include <cmocka.h>
#include "render/links.h"

static void check(const char *in, const char *want)
{
	struct strbuf out = STRBUF_INIT;

	html_absolute_links(in, strlen(in), SLICE_LIT("https://news.example.org"), &out);
	assert_string_equal(out.buf, want);
	strbuf_release(&out);
}

static void test_src_and_href(void **state)
{
	check("<p><a href=\"/local/x/\">x</a> <img src=\"/media/1/a.svg\" alt=\"\"></p>",
	      "<p><a href=\"https://news.example.org/local/x/\">x</a> "
	      "<img src=\"https://news.example.org/media/1/a.svg\" alt=\"\"></p>");
}

static void test_left_alone(void **state)
{
	/* absolute, protocol-relative, fragments, mailto and look-alike attributes */
	const char *same = "<a href=\"https://x.org/\">a</a><a href=\"//cdn.x.org/a\">b</a>"
			   "<a href=\"#top\">c</a><a href=\"mailto:a@x.org\">d</a>"
			   "<img data-src=\"/x.png\" src=\"https://x.org/y.png\"><p>src=\"/not\"</p>";
	check(same, same);
}

static void test_every_srcset_candidate(void **state)
{
	check("<img srcset=\"/a-320.webp 320w, /a-640.webp 640w,https://x.org/b.webp 2x\">",
	      "<img srcset=\"https://news.example.org/a-320.webp 320w, "
	      "https://news.example.org/a-640.webp 640w,https://x.org/b.webp 2x\">");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_src_and_href),
		cmocka_unit_test(test_left_alone),
		cmocka_unit_test(test_every_srcset_candidate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
