/*
 * fuzz_markdown.c - libFuzzer driver for Markdown rendering and typography.
 *
 * The input is rendered as Markdown and smartened as plain text. Checked
 * beyond memory safety: invalid UTF-8 is refused with the output untouched;
 * rendered HTML is valid UTF-8 and already sanitised: html_sanitize() accepts
 * it and is stable on it by the second pass (the first may still move
 * misplaced raw HTML, as it does for any sanitised HTML); smartened text is
 * valid UTF-8 when the input is.
 */
#include "core/compat.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "core/utf8.h"
#include "render/html.h"
#include "render/markdown.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_markdown: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	bool valid = utf8_valid(in, size);
	struct strbuf out = STRBUF_INIT, again = STRBUF_INIT, third = STRBUF_INIT;
	int rc = md_render(in, size, &out);

	if (!valid) {
		check(rc == DL_INVALID && out.len == 0, "invalid UTF-8 accepted");
	} else if (rc == DL_OK) {
		check(utf8_valid(out.buf, out.len), "HTML is not UTF-8");
		check(html_sanitize(out.buf, out.len, &again) == DL_OK,
		      "HTML rejected by the sanitiser");
		check(html_sanitize(again.buf, again.len, &third) == DL_OK,
		      "HTML rejected by the sanitiser");
		check(again.len == third.len && !memcmp(again.buf, third.buf, third.len),
		      "sanitising the HTML is not stable");
	} else {
		check(rc == DL_TOOBIG && out.len == 0, "unexpected failure");
	}
	strbuf_reset(&out);
	md_smarten(in, size, &out);
	check(!valid || utf8_valid(out.buf, out.len), "smartened text is not UTF-8");
	strbuf_release(&out);
	strbuf_release(&again);
	strbuf_release(&third);
	return 0;
}
