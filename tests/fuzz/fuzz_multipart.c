/*
 * fuzz_multipart.c - libFuzzer driver for multipart/form-data upload bodies.
 *
 * The first line of the input is the Content-Type header, the rest the body.
 * Checked beyond memory safety: every part's data lies inside the body, names
 * are non-empty valid UTF-8 without controls, and there are never more parts
 * than the ceiling.
 */
#include "core/compat.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/utf8.h"
#include "http/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_multipart: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *nl = memchr(p, '\n', size);
	struct arena *a = arena_new(0);
	struct multipart m;
	struct slice body;
	char *type;

	if (!nl) {
		arena_free(a);
		return 0;
	}
	type = arena_strndup(a, p, (size_t)(nl - p));
	body = (struct slice){ nl + 1, size - (size_t)(nl + 1 - p) };
	if (multipart_parse(a, type, body, &m) == DL_OK) {
		check(m.nr >= 1 && m.nr <= MULTIPART_MAX_PARTS, "part count");
		for (size_t i = 0; i < m.nr; i++) {
			const struct multipart_part *part = &m.parts[i];
			check(part->data.p >= body.p && part->data.p + part->data.len <= body.p + body.len,
			      "part data outside the body");
			check(part->name.len && utf8_valid(part->name.p, part->name.len), "bad name");
			for (size_t j = 0; j < part->name.len; j++)
				check((unsigned char)part->name.p[j] >= 0x20, "control in name");
			check(utf8_valid(part->filename.p, part->filename.len), "bad file name");
		}
	}
	arena_free(a);
	return 0;
}
