#include "core/compat.h"
#include "core/utf8.h"
#include "render/excerpt.h"

void excerpt_from_text(const char *text, size_t len, size_t max, struct strbuf *out)
{
	const char *nl;
	size_t n, cut;

	while (len && (*text == '\n' || *text == ' ')) {
		text++;
		len--;
	}
	nl = memchr(text, '\n', len);
	n = nl ? (size_t)(nl - text) : len;
	if (n <= max) {
		strbuf_add(out, text, n);
		return;
	}
	cut = utf8_truncate(text, n, max);
	while (cut > 0 && text[cut] != ' ')
		cut--;
	if (!cut)
		cut = utf8_truncate(text, n, max);
	while (cut > 0 && (text[cut - 1] == ' ' || text[cut - 1] == ',' || text[cut - 1] == ';' ||
			   text[cut - 1] == ':'))
		cut--;
	strbuf_add(out, text, cut);
	strbuf_addstr(out, "\xE2\x80\xA6");
}
