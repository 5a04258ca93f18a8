/*
 * form.c - JSON bodies as forms (jansson).
 */
#include "core/compat.h"
#include <jansson.h>
#include "core/err.h"
#include "core/strbuf.h"
#include "http/form.h"

/* A list of strings, joined by commas, or NULL if it cannot be one. */
static const char *join(struct arena *a, json_t *list)
{
	struct strbuf sb = STRBUF_INIT;
	const char *r = NULL;
	size_t i;
	json_t *item;

	json_array_foreach(list, i, item) {
		if (!json_is_string(item) || strchr(json_string_value(item), ','))
			goto out;
		strbuf_addf(&sb, "%s%s", i ? "," : "", json_string_value(item));
	}
	r = arena_strndup(a, sb.buf, sb.len);
out:
	strbuf_release(&sb);
	return r;
}

int form_from_json(struct arena *a, struct slice body, struct query *out, const char **key,
		   const char **why)
{
	json_error_t jerr;
	json_t *root = json_loadb(body.p, body.len, JSON_REJECT_DUPLICATES, &jerr);
	const char *k;
	json_t *v;
	size_t n = 0;
	int rc = DL_OK;

	*key = NULL;
	*why = NULL;
	out->nr = 0;
	if (!root) {
		*why = arena_printf(a, "The body is not valid JSON: %s (line %d).", jerr.text, jerr.line);
		return DL_INVALID;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		*why = "The body must be a JSON object.";
		return DL_INVALID;
	}
	out->items = ARENA_NEW_ARRAY(a, struct query_param, json_object_size(root) + 1);
	json_object_foreach(root, k, v) {
		const char *text;

		if (json_is_string(v))
			text = arena_strndup(a, json_string_value(v), json_string_length(v));
		else if (json_is_integer(v))
			text = arena_printf(a, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		else if (json_is_true(v))
			text = "1";
		else if (json_is_false(v) || json_is_null(v))
			continue;
		else if (!json_is_array(v) || !(text = join(a, v)))
			text = NULL;
		if (!text) {
			*key = arena_strndup(a, k, strnlen(k, 64));
			*why = json_is_array(v) ? "Lists hold strings without commas."
				: "Values are strings, integers, booleans or lists of strings.";
			rc = DL_INVALID;
			break;
		}
		out->items[n].key = slice_cstr(arena_strdup(a, k));
		out->items[n].value = slice_cstr(text);
		n++;
	}
	out->nr = rc ? 0 : n;
	json_decref(root);
	return rc;
}
