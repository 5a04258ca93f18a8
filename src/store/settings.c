#include "core/compat.h"
#include "core/err.h"
#include "store/editorial.h"

static const char SQL_SETTINGS[] = "SELECT name, value FROM settings";
static const char SQL_SETTING_SET[] =
	"INSERT INTO settings (name, value) VALUES (?, ?)"
	" ON CONFLICT (name) DO UPDATE SET value = excluded.value";

struct setting_def {
	const char *name;
	const char *fallback;
	size_t str_off;  /* offset of a char * field, or SIZE_MAX */
	size_t int_off;  /* offset of an int64_t field, or SIZE_MAX */
	int64_t min, max;
};

#define STR(f, name, def) { name, def, offsetof(struct site_settings, f), SIZE_MAX, 0, 0 }
#define INT(f, name, def, lo, hi) { name, def, SIZE_MAX, offsetof(struct site_settings, f), lo, hi }

static const struct setting_def defs[] = {
	STR(title, "title", "Dateline"),
	STR(tagline, "tagline", "News from the newsroom"),
	STR(timezone, "timezone", "UTC"),
	STR(locale, "locale", "en-US"),
	STR(base_url, "base_url", ""),
	INT(posts_per_page, "posts_per_page", "10", 1, 100),
	INT(must_read_count, "must_read_count", "5", 0, 20),
	INT(latest_count, "latest_count", "6", 0, 20),
	INT(related_count, "related_count", "4", 0, 12),
	INT(inline_ad_after, "inline_ad_after", "3", 0, 50),
	INT(feed_items, "feed_items", "20", 1, 100),
	INT(feed_full_content, "feed_full_content", "1", 0, 1),
};

static void apply(struct arena *a, struct site_settings *s, const struct setting_def *d,
		  struct slice value)
{
	if (d->str_off != SIZE_MAX) {
		*(char **)((char *)s + d->str_off) = arena_strndup(a, value.p, value.len);
	} else {
		int64_t v;
		/* A stored value out of range is ignored rather than trusted. */
		if (!slice_to_int64(value, d->min, d->max, &v))
			*(int64_t *)((char *)s + d->int_off) = v;
	}
}

int store_settings_load(struct db *db, struct arena *a, struct site_settings *s)
{
	struct db_stmt *st;
	int rc;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < ARRAY_SIZE(defs); i++)
		apply(a, s, &defs[i], slice_cstr(defs[i].fallback));
	st = db_prepare(db, SQL_SETTINGS);
	if (!st)
		return DL_ERR;
	while ((rc = db_step(st)) == DB_ROW) {
		struct slice name = db_text(st, 0);
		for (size_t i = 0; i < ARRAY_SIZE(defs); i++)
			if (slice_eq_str(name, defs[i].name))
				apply(a, s, &defs[i], db_text(st, 1));
	}
	db_done(st);
	return rc < 0 ? rc : DL_OK;
}

int store_setting_set(struct db *db, const char *name, const char *value)
{
	struct db_stmt *st;
	int rc = db_begin(db);

	if (rc)
		return rc;
	st = db_prepare(db, SQL_SETTING_SET);
	if (!st) {
		db_rollback(db);
		return DL_ERR;
	}
	db_bind(st, "ss", name, value);
	return store_write_end(db, db_run(st));
}

int store_settings_save(struct db *db, const char *const *names, const char *const *values,
			size_t n, const struct store_change *c)
{
	int rc = db_begin(db);

	if (rc)
		return rc;
	for (size_t i = 0; i < n && !rc; i++) {
		struct db_stmt *st = db_prepare(db, SQL_SETTING_SET);
		if (!st) {
			rc = DL_ERR;
			break;
		}
		db_bind(st, "ss", names[i], values[i]);
		rc = db_run(st);
	}
	if (!rc)
		rc = store_audit_in_tx(db, c);
	return store_write_end(db, rc);
}
