/*
 * fuzz_json_form.c - libFuzzer driver for the editorial API's JSON bodies:
 * the JSON-as-form reading every /api/v1 handler but the article ones uses,
 * then the rules those handlers apply to what comes out (settings, publish
 * times, sections, ads).
 *
 * Checked beyond memory safety: every key and value is valid UTF-8; a refusal
 * leaves no fields; the rules never accept a value that breaks their own
 * promises (a base_url without a scheme, a time before 1970).
 */
#include "core/compat.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/utf8.h"
#include "engine/editorial.h"
#include "engine/settings.h"
#include "http/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_json_form: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new(0);
	struct query q;
	const char *key, *why;
	struct store_category cats[] = { { .id = 1 }, { .id = 2, .parent_id = 1 } };

	if (form_from_json(a, (struct slice){ (const char *)data, size }, &q, &key, &why)) {
		check(why && q.nr == 0, "a refusal without a reason, or with fields");
		arena_free(a);
		return 0;
	}
	for (size_t i = 0; i < q.nr; i++) {
		const char *k = arena_strndup(a, q.items[i].key.p, q.items[i].key.len);
		const char *v = arena_strndup(a, q.items[i].value.p, q.items[i].value.len);
		const char *stored, *slug;
		int64_t t;

		check(utf8_valid(q.items[i].key.p, q.items[i].key.len), "key not UTF-8");
		check(utf8_valid(q.items[i].value.p, q.items[i].value.len), "value not UTF-8");
		if (!settings_check(a, k, v, &stored) && !strcmp(k, "base_url") && *stored)
			check(!strncmp(stored, "http://", 7) || !strncmp(stored, "https://", 8),
			      "base_url without a scheme");
		if (!editorial_parse_local(tz_utc(), q.items[i].value, &t))
			check(t >= -86400, "a time before 1970");
		(void)editorial_category_check(a, 0, v, k, 2, cats, 2, &slug);
		{
			struct store_ad ad = { .name = q.items[i].key, .kind = slice_cstr("html"),
					       .html = q.items[i].value, .weight = 1 };
			(void)editorial_ad_check(a, &ad, cats, 2);
		}
	}
	arena_free(a);
	return 0;
}
