#include "core/compat.h"
#include "render/links.h"

static bool site_relative(const char *p, const char *end)
{
	return p < end && p[0] == '/' && (p + 1 == end || p[1] != '/');
}

/* Copy a srcset value, prefixing each site-relative candidate URL. */
static const char *srcset(const char *p, const char *end, struct slice base, struct strbuf *out)
{
	bool at_url = true;

	for (; p < end && *p != '"'; p++) {
		if (at_url && *p != ' ' && *p != ',') {
			if (site_relative(p, end))
				strbuf_addslice(out, base);
			at_url = false;
		}
		if (*p == ',')
			at_url = true;
		strbuf_addch(out, *p);
	}
	return p;
}

void html_absolute_links(const char *html, size_t len, struct slice base, struct strbuf *out)
{
	static const char *const attrs[] = { " src=\"", " href=\"", " srcset=\"" };
	const char *p = html, *end = html + len;

	while (p < end) {
		size_t which = ARRAY_SIZE(attrs), n = 0;

		for (size_t k = 0; k < ARRAY_SIZE(attrs) && which == ARRAY_SIZE(attrs); k++) {
			n = strlen(attrs[k]);
			if ((size_t)(end - p) >= n && !memcmp(p, attrs[k], n))
				which = k;
		}
		if (which == ARRAY_SIZE(attrs)) {
			strbuf_addch(out, *p++);
			continue;
		}
		strbuf_add(out, p, n);
		p += n;
		if (which == 2)
			p = srcset(p, end, base, out);
		else if (site_relative(p, end))
			strbuf_addslice(out, base);
	}
}
