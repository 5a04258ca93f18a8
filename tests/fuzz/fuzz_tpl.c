/*
 * fuzz_tpl.c - libFuzzer driver for the Mustache compiler and renderer.
 *
 * The input is one or two templates separated by the first NUL byte: the
 * first is compiled as "main", the second (or the input again when there is
 * no NUL) as "p", so {{>p}} and {{<p}} reach a second template and, through
 * it, recursion. Whatever compiles is rendered against a small fixed view
 * with nested objects, lists and every scalar type.
 *
 * Checked beyond memory safety: compile errors are one line, and a failed
 * render leaves the output as it was.
 */
#include "core/compat.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "render/tpl.h"
#include "render/view.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct view *fuzz_view;

static struct view *make_item(struct arena *a, int i)
{
	struct view *o = view_obj(a);
	struct view *tags = view_set_list(o, "tags");

	view_set_int(o, "id", i);
	view_set_cstr(o, "title", i % 2 ? "<b>odd</b> & \"quoted\"" : "even 'one'");
	view_set_bool(o, "featured", i == 1);
	view_set(o, "score", view_double(a, i * 0.1));
	view_push(tags, view_cstr(a, "news"));
	if (i)
		view_push(tags, view_cstr(a, "world"));
	view_set_obj(o, "author");
	view_set_cstr(view_get(o, "author", 6), "name", "A. Writer");
	return o;
}

static struct view *make_view(struct arena *a)
{
	struct view *root = view_obj(a);
	struct view *items = view_set_list(root, "items");
	struct view *nested = view_set_list(root, "matrix");

	view_set_cstr(root, "site", "Dateline");
	view_set_cstr(root, "empty", "");
	view_set(root, "nothing", view_null(a));
	view_set_bool(root, "yes", true);
	view_set_bool(root, "no", false);
	view_set_int(root, "n", -42);
	view_set(root, "pi", view_double(a, 3.14159));
	view_set_list(root, "none");
	for (int i = 0; i < 3; i++)
		view_push(items, make_item(a, i));
	for (int i = 0; i < 2; i++) {
		struct view *row = view_list(a);

		view_push(row, view_int(a, i));
		view_push(row, view_cstr(a, "x"));
		view_push(nested, row);
	}
	view_set(root, "article", make_item(a, 7));
	return root;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *devnull = fopen("/dev/null", "w");

	if (devnull)
		log_set_file(devnull);	/* recursion errors are expected */
	fuzz_view = make_view(arena_new(0));
	return 0;
}

static void add(struct tpl_set *set, const char *name, const char *src, size_t len)
{
	struct strbuf err = STRBUF_INIT;
	int rc = tpl_set_add(set, name, src, len, &err);

	if (rc && (!err.len || memchr(err.buf, '\n', err.len)))
		abort();	/* errors must be exactly one line */
	strbuf_release(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *)data;
	const char *nul = memchr(src, '\0', size);
	size_t main_len = nul ? (size_t)(nul - src) : size;
	struct tpl_set *set = tpl_set_new();
	struct strbuf out = STRBUF_INIT;

	if (!fuzz_view)
		LLVMFuzzerInitialize(NULL, NULL);
	add(set, "main", src, main_len);
	if (nul)
		add(set, "p", nul + 1, size - main_len - 1);
	else
		add(set, "p", src, size);
	strbuf_addstr(&out, "prefix");
	if (tpl_render(set, "main", fuzz_view, &out) && strcmp(out.buf, "prefix"))
		abort();	/* a failed render must not leave partial output */
	strbuf_release(&out);
	tpl_set_free(set);
	return 0;
}
