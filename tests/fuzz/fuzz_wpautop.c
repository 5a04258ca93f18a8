/*
 * fuzz_wpautop.c - libFuzzer driver for WordPress content conversion
 * (wpautop, shortcodes, block detection) followed by the sanitiser, as the
 * WXR importer runs them on every imported body.
 *
 * Checked beyond memory safety: valid UTF-8 in gives valid UTF-8 out of
 * the conversion (it only inserts ASCII markup and never splits bytes), and
 * the sanitiser accepts it.
 */
#include "core/compat.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "core/utf8.h"
#include "import/wpautop.h"
#include "render/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf html = STRBUF_INIT, clean = STRBUF_INIT;
	size_t galleries = 0;
	bool valid = utf8_valid((const char *)data, size) && !memchr(data, 0, size);

	wp_content_html((const char *)data, size, &html, &galleries);
	if (valid && !utf8_valid(html.buf, html.len)) {
		fprintf(stderr, "fuzz_wpautop: valid UTF-8 in, invalid out\n");
		abort();
	}
	if (valid && !memchr(html.buf, 0, html.len)) {
		int rc = html_sanitize(html.buf, html.len, &clean);
		if (rc && rc != DL_TOOBIG) {
			fprintf(stderr, "fuzz_wpautop: the sanitiser refused converted content\n");
			abort();
		}
	}
	strbuf_release(&html);
	strbuf_release(&clean);
	return 0;
}
