/*
 * settings.c - validation of the site's settings.
 */
#include "core/compat.h"
#include "core/timefmt.h"
#include "core/tz.h"
#include "core/utf8.h"
#include "engine/settings.h"

const struct setting_info settings_info[] = {
	{ "title", "Site name", "shown in the masthead and feeds", 1, 0 },
	{ "tagline", "Tagline", "a line under the name", 1, 0 },
	{ "timezone", "Time zone", "IANA name, e.g. Europe/London", 1, 0 },
	{ "locale", "Language of dates", "en-US, en-GB, fr, de, es, it, pt, pt-BR or nl", 1, 0 },
	{ "base_url", "Public address", "e.g. https://news.example.org (empty: the listener)", 1, 0 },
	{ "posts_per_page", "Articles per archive page", "1 to 100", 1, 100 },
	{ "latest_count", "Latest list length", "0 to 20", 0, 20 },
	{ "must_read_count", "Must Read list length", "0 to 20", 0, 20 },
	{ "related_count", "Related News shown", "0 to 12", 0, 12 },
	{ "inline_ad_after", "In-story ad after paragraph", "0 (none) to 50", 0, 50 },
	{ "feed_items", "Items per feed", "1 to 100", 1, 100 },
	{ "feed_full_content", "Whole articles in feeds", "1 (full) or 0 (excerpts)", 0, 1 },
};
const size_t settings_count = ARRAY_SIZE(settings_info);

static const struct setting_info *find(const char *key)
{
	for (size_t i = 0; i < settings_count; i++)
		if (!strcmp(settings_info[i].key, key))
			return &settings_info[i];
	return NULL;
}

const char *settings_check(struct arena *a, const char *key, const char *value,
			   const char **stored)
{
	const struct setting_info *s = find(key);
	size_t n = strlen(value);
	int64_t v;

	*stored = value;
	if (!s)
		return arena_printf(a, "%s: not a setting", key);
	if (!strcmp(key, "feed_full_content") && (!strcmp(value, "full") || !strcmp(value, "excerpt"))) {
		*stored = !strcmp(value, "full") ? "1" : "0";
		return NULL;
	}
	if (s->min <= s->max) {
		if (slice_to_int64(slice_cstr(value), s->min, s->max, &v))
			return arena_printf(a, "%s: a whole number from %" PRId64 " to %" PRId64, key,
					    s->min, s->max);
		return NULL;
	}
	if (!strcmp(key, "timezone")) {
		struct tz *tz = tz_load(value);
		if (!tz)
			return arena_printf(a, "timezone: '%s' is not a known time zone", value);
		tz_free(tz);
		return NULL;
	}
	if (!strcmp(key, "locale"))
		return locale_find(value) ? NULL
		       : "locale: supported are en-US, en-GB, fr, de, es, it, pt, pt-BR, nl";
	if (!strcmp(key, "base_url")) {
		/* Lands in feeds, headers and a CSP: nothing that could break out of them. */
		if (!n)
			return NULL;
		if ((strncmp(value, "https://", 8) && strncmp(value, "http://", 7)) || n > 200 ||
		    value[strcspn(value, " \"<>\\^`{|};,'")] || !utf8_valid(value, n))
			return "base_url: expected http(s)://host[:port][/path]";
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)value[i] < 0x21 || (unsigned char)value[i] >= 0x7f)
				return "base_url: expected http(s)://host[:port][/path]";
		return NULL;
	}
	if (!n || n > 200 || !utf8_valid(value, n))
		return arena_printf(a, "%s: must be 1 to 200 characters", key);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f)
			return arena_printf(a, "%s: must be one line of text", key);
	return NULL;
}
