/*
 * html_check.c - find active content (scripts, event handlers, script URLs)
 * in HTML an editor submitted, so the editor can be told rather than have
 * it silently removed. The sanitiser removes it anyway; this is the message.
 */
#include "core/compat.h"
#include <strings.h>
#include "core/err.h"
#include "render/html.h"
#include "render/html_parse.h"

struct checker {
	const char *found;  /* a static description, or NULL */
};

static bool is_script_url(const char *v)
{
	char scheme[16];
	size_t n = 0;

	/* Browsers skip leading spaces and controls and ignore tabs/newlines inside. */
	for (; *v && n < sizeof(scheme) - 1; v++) {
		unsigned char c = (unsigned char)*v;
		if (c <= 0x20)
			continue;
		if (c == ':')
			break;
		scheme[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	scheme[n] = '\0';
	return *v == ':' && (!strcmp(scheme, "javascript") || !strcmp(scheme, "vbscript") ||
			     !strcmp(scheme, "data"));
}

static bool check_enter(GumboNode *n, void *ctx)
{
	static const char *const active[] = { "script", "object", "embed", "applet", "base",
					      "meta", "link", "frame", "frameset" };
	struct checker *c = ctx;
	const GumboElement *el;
	const char *name;

	if (c->found || n->type != GUMBO_NODE_ELEMENT)
		return !c->found;
	el = &n->v.element;
	name = el->tag == GUMBO_TAG_UNKNOWN ? "" : gumbo_normalized_tagname(el->tag);
	for (size_t i = 0; i < ARRAY_SIZE(active); i++) {
		if (!strcmp(name, active[i])) {
			c->found = "a <script> or other active element";
			return false;
		}
	}
	for (unsigned i = 0; i < el->attributes.length; i++) {
		const GumboAttribute *at = el->attributes.data[i];

		if (!strncasecmp(at->name, "on", 2)) {
			c->found = "an event handler attribute (on...)";
			return false;
		}
		if ((!strcasecmp(at->name, "href") || !strcasecmp(at->name, "src") ||
		     !strcasecmp(at->name, "action") || !strcasecmp(at->name, "formaction") ||
		     !strcasecmp(at->name, "xlink:href")) && is_script_url(at->value)) {
			c->found = "a javascript:, vbscript: or data: URL";
			return false;
		}
	}
	return true;
}

static void check_leave(GumboNode *n, void *ctx)
{
	(void)n;
	(void)ctx;
}

int html_find_active(const char *html, size_t len, const char **what)
{
	static const struct html_tree_ops ops = { check_enter, check_leave };
	struct html_parse ps;
	struct checker c = { NULL };
	int rc = html_parse_fragment(&ps, html, len);

	*what = NULL;
	if (rc)
		return rc;
	html_tree_walk(ps.output->root, &ops, &c);
	html_parse_release(&ps);
	*what = c.found;
	return DL_OK;
}
