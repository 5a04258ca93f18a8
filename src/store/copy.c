/*
 * copy.c - a whole site copied from one database to another, any driver to
 * any driver: every table of the schema, row by row through the db
 * interface, in one transaction on the target.
 *
 * The table list below is the schema (schema.c) seen as data: a migration
 * that adds a table or a column adds it here too, and COPY_SCHEMA_VERSION
 * with it (store_copy() refuses to run on a schema it was not written for).
 */
#include "core/compat.h"
#include "core/alloc.h"
#include "core/err.h"
#include "core/log.h"
#include "store/internal.h"

#define COPY_SCHEMA_VERSION 4

/* db_try_lock()'s key for a copy's two ends: "DL" "CP". */
#define COPY_LOCK_KEY 0x444c4350

struct copy_table {
	const char *name;
	/* One letter per column of `select` and `insert`: i integer, d double,
	 * s text, b blob. NULLs are copied as NULLs whatever the letter. */
	const char *types;
	const char *select, *insert, *count, *clear;
	/*
	 * A column that may point at a row inserted later (a parent category, a
	 * user's photo in media, which points back at users): bound NULL at
	 * insert and set by `fixup` (its value, then column 0, the row's id)
	 * once every table is in. -1: none.
	 */
	int deferred;
	const char *fixup;
	bool serial;  /* a BIGSERIAL id: the generator moves past the copied ids */
};

/* In foreign-key order: every row's references are in before it is. */
static const struct copy_table tables[] = {
	{ "settings", "ss",
	  "SELECT name, value FROM settings ORDER BY name",
	  "INSERT INTO settings (name, value) VALUES (?, ?)",
	  "SELECT COUNT(*) FROM settings",
	  "DELETE FROM settings", -1, NULL, false },
	{ "counters", "si",
	  "SELECT name, value FROM counters ORDER BY name",
	  "INSERT INTO counters (name, value) VALUES (?, ?)",
	  "SELECT COUNT(*) FROM counters",
	  "DELETE FROM counters", -1, NULL, false },
	{ "users", "issssssii",
	  "SELECT id, email, slug, name, bio, role, password_hash, created_at, photo_media_id"
	  " FROM users ORDER BY id",
	  "INSERT INTO users (id, email, slug, name, bio, role, password_hash, created_at,"
	  " photo_media_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	  "SELECT COUNT(*) FROM users",
	  "DELETE FROM users", 8, "UPDATE users SET photo_media_id = ? WHERE id = ?", true },
	{ "media", "issiisssbiii",
	  "SELECT id, filename, mime, width, height, alt, caption, credit, data, created_at,"
	  " variants, uploaded_by FROM media ORDER BY id",
	  "INSERT INTO media (id, filename, mime, width, height, alt, caption, credit, data,"
	  " created_at, variants, uploaded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	  "SELECT COUNT(*) FROM media",
	  "DELETE FROM media", -1, NULL, true },
	{ "media_variants", "iisb",
	  "SELECT media_id, width, format, data FROM media_variants"
	  " ORDER BY media_id, width, format",
	  "INSERT INTO media_variants (media_id, width, format, data) VALUES (?, ?, ?, ?)",
	  "SELECT COUNT(*) FROM media_variants",
	  "DELETE FROM media_variants", -1, NULL, false },
	{ "categories", "isssii",
	  "SELECT id, slug, name, description, parent_id, position FROM categories ORDER BY id",
	  "INSERT INTO categories (id, slug, name, description, parent_id, position)"
	  " VALUES (?, ?, ?, ?, ?, ?)",
	  "SELECT COUNT(*) FROM categories",
	  "DELETE FROM categories", 4, "UPDATE categories SET parent_id = ? WHERE id = ?", true },
	{ "tags", "iss",
	  "SELECT id, slug, name FROM tags ORDER BY id",
	  "INSERT INTO tags (id, slug, name) VALUES (?, ?, ?)",
	  "SELECT COUNT(*) FROM tags",
	  "DELETE FROM tags", -1, NULL, true },
	{ "articles", "issssssssiiiiiiisssii",
	  "SELECT id, slug, title, dek, body_source, body_format, body_html, excerpt, status,"
	  " author_id, category_id, featured_media_id, pinned_at, published_at, created_at,"
	  " updated_at, seo_title, seo_description, note, note_at, edited_by"
	  " FROM articles ORDER BY id",
	  "INSERT INTO articles (id, slug, title, dek, body_source, body_format, body_html,"
	  " excerpt, status, author_id, category_id, featured_media_id, pinned_at, published_at,"
	  " created_at, updated_at, seo_title, seo_description, note, note_at, edited_by)"
	  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	  "SELECT COUNT(*) FROM articles",
	  "DELETE FROM articles", -1, NULL, true },
	{ "section_counts", "ii",
	  "SELECT category_id, published FROM section_counts ORDER BY category_id",
	  "INSERT INTO section_counts (category_id, published) VALUES (?, ?)",
	  "SELECT COUNT(*) FROM section_counts",
	  "DELETE FROM section_counts", -1, NULL, false },
	{ "article_tags", "iii",
	  "SELECT article_id, tag_id, position FROM article_tags ORDER BY article_id, tag_id",
	  "INSERT INTO article_tags (article_id, tag_id, position) VALUES (?, ?, ?)",
	  "SELECT COUNT(*) FROM article_tags",
	  "DELETE FROM article_tags", -1, NULL, false },
	{ "article_related", "iiid",
	  "SELECT article_id, position, related_id, score FROM article_related"
	  " ORDER BY article_id, position",
	  "INSERT INTO article_related (article_id, position, related_id, score)"
	  " VALUES (?, ?, ?, ?)",
	  "SELECT COUNT(*) FROM article_related",
	  "DELETE FROM article_related", -1, NULL, false },
	{ "article_views", "iii",
	  "SELECT article_id, day, views FROM article_views ORDER BY article_id, day",
	  "INSERT INTO article_views (article_id, day, views) VALUES (?, ?, ?)",
	  "SELECT COUNT(*) FROM article_views",
	  "DELETE FROM article_views", -1, NULL, false },
	{ "ad_slots", "isiis",
	  "SELECT id, name, width, height, description FROM ad_slots ORDER BY id",
	  "INSERT INTO ad_slots (id, name, width, height, description) VALUES (?, ?, ?, ?, ?)",
	  "SELECT COUNT(*) FROM ad_slots",
	  "DELETE FROM ad_slots", -1, NULL, true },
	{ "ad_creatives", "iisssissiiiiii",
	  "SELECT id, slot_id, name, kind, html, media_id, link_url, alt, weight, starts_at,"
	  " ends_at, category_id, active, created_at FROM ad_creatives ORDER BY id",
	  "INSERT INTO ad_creatives (id, slot_id, name, kind, html, media_id, link_url, alt,"
	  " weight, starts_at, ends_at, category_id, active, created_at)"
	  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	  "SELECT COUNT(*) FROM ad_creatives",
	  "DELETE FROM ad_creatives", -1, NULL, true },
	{ "ad_stats", "iiii",
	  "SELECT creative_id, day, impressions, clicks FROM ad_stats ORDER BY creative_id, day",
	  "INSERT INTO ad_stats (creative_id, day, impressions, clicks) VALUES (?, ?, ?, ?)",
	  "SELECT COUNT(*) FROM ad_stats",
	  "DELETE FROM ad_stats", -1, NULL, false },
	{ "sessions", "sisiis",
	  "SELECT token_hash, user_id, csrf, created_at, seen_at, address FROM sessions"
	  " ORDER BY token_hash",
	  "INSERT INTO sessions (token_hash, user_id, csrf, created_at, seen_at, address)"
	  " VALUES (?, ?, ?, ?, ?, ?)",
	  "SELECT COUNT(*) FROM sessions",
	  "DELETE FROM sessions", -1, NULL, false },
	{ "login_failures", "si",
	  "SELECT key, at FROM login_failures ORDER BY key, at",
	  "INSERT INTO login_failures (key, at) VALUES (?, ?)",
	  "SELECT COUNT(*) FROM login_failures",
	  "DELETE FROM login_failures", -1, NULL, false },
	{ "api_tokens", "iissii",
	  "SELECT id, user_id, name, token_hash, created_at, last_used_at FROM api_tokens"
	  " ORDER BY id",
	  "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, last_used_at)"
	  " VALUES (?, ?, ?, ?, ?, ?)",
	  "SELECT COUNT(*) FROM api_tokens",
	  "DELETE FROM api_tokens", -1, NULL, true },
	{ "revisions", "iiiisssss",
	  "SELECT id, article_id, user_id, created_at, slug, title, dek, body_source, status"
	  " FROM revisions ORDER BY id",
	  "INSERT INTO revisions (id, article_id, user_id, created_at, slug, title, dek,"
	  " body_source, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	  "SELECT COUNT(*) FROM revisions",
	  "DELETE FROM revisions", -1, NULL, true },
	{ "slug_redirects", "si",
	  "SELECT slug, article_id FROM slug_redirects ORDER BY slug",
	  "INSERT INTO slug_redirects (slug, article_id) VALUES (?, ?)",
	  "SELECT COUNT(*) FROM slug_redirects",
	  "DELETE FROM slug_redirects", -1, NULL, false },
	{ "audit_log", "iiisssss",
	  "SELECT id, at, user_id, actor, address, action, object, detail FROM audit_log"
	  " ORDER BY id",
	  "INSERT INTO audit_log (id, at, user_id, actor, address, action, object, detail)"
	  " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	  "SELECT COUNT(*) FROM audit_log",
	  "DELETE FROM audit_log", -1, NULL, true },
	{ "wp_objects", "sssis",
	  "SELECT kind, wp_key, guid, target_id, fingerprint FROM wp_objects ORDER BY kind, wp_key",
	  "INSERT INTO wp_objects (kind, wp_key, guid, target_id, fingerprint)"
	  " VALUES (?, ?, ?, ?, ?)",
	  "SELECT COUNT(*) FROM wp_objects",
	  "DELETE FROM wp_objects", -1, NULL, false },
	{ "legacy_paths", "ssi",
	  "SELECT path, kind, target_id FROM legacy_paths ORDER BY path",
	  "INSERT INTO legacy_paths (path, kind, target_id) VALUES (?, ?, ?)",
	  "SELECT COUNT(*) FROM legacy_paths",
	  "DELETE FROM legacy_paths", -1, NULL, false },
};

static_assert(ARRAY_SIZE(tables) <= STORE_COPY_MAX_TABLES, "raise STORE_COPY_MAX_TABLES");

static const char SQL_USERS_COUNT[] = "SELECT COUNT(*) FROM users";
static const char SQL_ARTICLES_COUNT[] = "SELECT COUNT(*) FROM articles";
static const char SQL_ARTICLE_IDS[] = "SELECT id FROM articles ORDER BY id";

int store_site_size(struct db *db, int64_t *users, int64_t *articles)
{
	int rc = db_one_int(db_prepare(db, SQL_USERS_COUNT), users);

	return rc ? rc : db_one_int(db_prepare(db, SQL_ARTICLES_COUNT), articles);
}

struct copy {
	struct db *from, *to;
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *ctx;
	uint64_t done, total;
	struct store_copy_stats *stats;
	/* Deferred references: table index, row id, value. */
	struct fixup { size_t table; int64_t id, value; } *fixups;
	size_t nfixups, fixups_alloc;
	int fts_rc;
};

static void step_done(struct copy *c)
{
	c->done++;
	if (c->progress)
		c->progress(c->ctx, c->done, c->total);
}

/* Bind column `i` of the source row `in` as parameter i + 1 of `out`. */
static void bind_column(struct db_stmt *out, struct db_stmt *in, int i, char type)
{
	struct slice v;

	if (db_is_null(in, i)) {
		db_bind_null(out, i + 1);
		return;
	}
	switch (type) {
	case 'i':
		db_bind_int(out, i + 1, db_int(in, i));
		break;
	case 'd':
		db_bind_double(out, i + 1, db_double(in, i));
		break;
	case 's':
		v = db_text(in, i);
		db_bind_text(out, i + 1, v.p, v.len);
		break;
	case 'b':
		v = db_text(in, i);
		db_bind_blob(out, i + 1, v.p, v.len);
		break;
	default:
		assert(!"copy: unknown column type");
	}
}

#ifndef NDEBUG
/* Placeholders in `insert` and columns before FROM in `select`: both one per type letter. */
static bool table_consistent(const struct copy_table *tb)
{
	size_t marks = 0, commas = 0, n = strlen(tb->types);
	const char *from = strstr(tb->select, " FROM ");

	for (const char *p = tb->insert; *p; p++)
		marks += *p == '?';
	for (const char *p = tb->select; from && p < from; p++)
		commas += *p == ',';
	return from && marks == n && commas + 1 == n && (tb->deferred < 0 || tb->fixup);
}
#endif

static int copy_rows(struct copy *c, size_t t)
{
	const struct copy_table *tb = &tables[t];
	struct db_stmt *in = db_prepare(c->from, tb->select), *out;
	int ncols = (int)strlen(tb->types), rc;
	int64_t rows = 0;

	assert(table_consistent(tb) && "store/copy.c: a table's types, select and insert disagree");
	if (!in)
		return DL_ERR;
	while ((rc = db_step(in)) == DB_ROW) {
		out = db_prepare(c->to, tb->insert);
		if (!out) {
			rc = DL_ERR;
			break;
		}
		for (int i = 0; i < ncols; i++) {
			if (i == tb->deferred && !db_is_null(in, i)) {
				ALLOC_GROW(c->fixups, c->nfixups + 1, c->fixups_alloc);
				c->fixups[c->nfixups++] = (struct fixup){ t, db_int(in, 0), db_int(in, i) };
				db_bind_null(out, i + 1);
				continue;
			}
			bind_column(out, in, i, tb->types[i]);
		}
		rc = db_run(out);
		if (rc) {
			rc = error("copying %s: the target refused row %" PRId64 " in source order (%s)",
				   tb->name, rows + 1, rc == DL_CONFLICT ?
				   "a constraint: a taken key or a dangling reference" : dl_rc_name(rc));
			break;
		}
		rows++;
		step_done(c);
	}
	db_done(in);
	if (rc < 0)
		return rc;
	c->stats->tables[t].table = tb->name;
	c->stats->tables[t].rows = rows;
	c->stats->rows += rows;
	return DL_OK;
}

static int apply_fixups(struct copy *c)
{
	for (size_t i = 0; i < c->nfixups; i++) {
		const struct fixup *f = &c->fixups[i];
		struct db_stmt *st = db_prepare(c->to, tables[f->table].fixup);
		int rc;

		if (!st)
			return DL_ERR;
		db_bind(st, "ii", f->value, f->id);
		rc = db_run(st);
		if (rc)
			return error("copying %s: row %" PRId64 " refused its reference (%s)",
				     tables[f->table].name, f->id, dl_rc_name(rc));
	}
	return DL_OK;
}

static int article_ids(struct db *db, int64_t **ids, size_t *n)
{
	return store_all_ids(db_prepare(db, SQL_ARTICLE_IDS), ids, n);
}

struct fts_put {
	struct copy *c;
	int64_t id;
};

static void put_text(void *ctx, struct slice title, struct slice dek, struct slice body)
{
	struct fts_put *p = ctx;

	p->c->fts_rc = db_fts_put(p->c->to, p->id, title, dek, body);
}

/* The target's index from the source's, entry by entry: each driver keeps its own shape. */
static int copy_index(struct copy *c, const int64_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct fts_put p = { c, ids[i] };
		int rc;

		c->fts_rc = DL_OK;
		rc = db_fts_text(c->from, ids[i], put_text, &p);
		if (rc == DL_NOTFOUND) {
			step_done(c);
			continue;  /* not published: not indexed */
		}
		if (!rc)
			rc = c->fts_rc;
		if (rc)
			return error("copying the search index: article %" PRId64 " (%s)", ids[i],
				     dl_rc_name(rc));
		c->stats->indexed++;
		step_done(c);
	}
	return DL_OK;
}

/* Empty the target: its index entries, then every table, children first. */
static int clear_target(struct db *to)
{
	int64_t *ids;
	size_t n;
	int rc = article_ids(to, &ids, &n);

	for (size_t i = 0; i < n && !rc; i++)
		rc = db_fts_delete(to, ids[i]);
	free(ids);
	for (size_t t = ARRAY_SIZE(tables); t-- > 0 && !rc;) {
		rc = db_run(db_prepare(to, tables[t].clear));
		if (rc)
			rc = error("emptying the target's %s failed (%s)", tables[t].name,
				   dl_rc_name(rc));
	}
	return rc;
}

/* Every table's count and the index's size, target against source. */
static int verify(struct copy *c)
{
	int64_t a, b;
	int rc;

	for (size_t t = 0; t < ARRAY_SIZE(tables); t++) {
		rc = db_one_int(db_prepare(c->from, tables[t].count), &a);
		if (!rc)
			rc = db_one_int(db_prepare(c->to, tables[t].count), &b);
		if (rc)
			return rc;
		if (a != b) {
			error("check failed: %s has %" PRId64 " rows in the source, %" PRId64
			      " in the target", tables[t].name, a, b);
			return DL_INVALID;
		}
	}
	rc = db_fts_count(c->from, &a);
	if (!rc)
		rc = db_fts_count(c->to, &b);
	if (rc)
		return rc;
	if (a != b) {
		error("check failed: the search index has %" PRId64 " entries in the source, %" PRId64
		      " in the target", a, b);
		return DL_INVALID;
	}
	return DL_OK;
}

static int schema_current(struct db *db, const char *what)
{
	int version, rc = db_schema_version(db, &version);

	if (rc)
		return rc;
	if (version != COPY_SCHEMA_VERSION)
		return error("the %s database is at schema %d, not %d: migrate it first", what,
			     version, COPY_SCHEMA_VERSION);
	return DL_OK;
}

static int copy_all(struct copy *c)
{
	int64_t *ids = NULL;
	size_t nids = 0;
	int rc = DL_OK;

	for (size_t t = 0; t < ARRAY_SIZE(tables) && !rc; t++) {
		int64_t n;
		rc = db_one_int(db_prepare(c->from, tables[t].count), &n);
		c->total += (uint64_t)n;
	}
	if (!rc)
		rc = article_ids(c->from, &ids, &nids);
	c->total += nids;
	if (!rc)
		rc = clear_target(c->to);
	for (size_t t = 0; t < ARRAY_SIZE(tables) && !rc; t++)
		rc = copy_rows(c, t);
	if (!rc)
		rc = apply_fixups(c);
	for (size_t t = 0; t < ARRAY_SIZE(tables) && !rc; t++)
		if (tables[t].serial && (rc = db_sync_ids(c->to, tables[t].name)))
			rc = error("copying %s: cannot move its id generator (%s)", tables[t].name,
				   dl_rc_name(rc));
	if (!rc)
		rc = copy_index(c, ids, nids);
	if (!rc)
		rc = verify(c);
	/* Caches of a server already on the target see a new generation. */
	if (!rc)
		rc = store_bump_generation(c->to);
	free(ids);
	return rc;
}

int store_copy(struct db *from, struct db *to,
	       void (*progress)(void *ctx, uint64_t done, uint64_t total), void *ctx,
	       struct store_copy_stats *stats)
{
	struct copy c = { from, to, progress, ctx, 0, 0, stats, NULL, 0, 0, DL_OK };
	bool held;
	int rc;

	assert(store_migrations[store_migrations_nr - 1].version == COPY_SCHEMA_VERSION &&
	       "a new migration: add its tables and columns to store/copy.c");
	memset(stats, 0, sizeof(*stats));
	stats->ntables = ARRAY_SIZE(tables);
	rc = schema_current(from, "source");
	if (!rc)
		rc = schema_current(to, "target");
	if (rc)
		return rc;
	/*
	 * One database under two names would wait for its own write lock below,
	 * forever on PostgreSQL. A lock only one connection of a database can
	 * hold tells (SQLite: always held; the caller compares files).
	 */
	rc = db_try_lock(from, COPY_LOCK_KEY, &held);
	if (!rc && held)
		rc = db_try_lock(to, COPY_LOCK_KEY, &held);
	if (rc)
		return rc;
	if (!held) {
		error("the source and the target are one database (or another copy is using one of"
		      " them); nothing was changed");
		return DL_CONFLICT;
	}
	/* The source is read in a transaction too: one moment of a live site. */
	rc = db_begin(from);
	if (rc)
		return error("cannot lock the source for reading (%s)", dl_rc_name(rc));
	rc = db_begin(to);
	if (rc) {
		db_rollback(from);
		return error("cannot start the target's transaction (%s)", dl_rc_name(rc));
	}
	rc = copy_all(&c);
	if (!rc)
		rc = db_commit(to);
	if (rc == DL_CONFLICT)
		rc = DL_ERR;  /* DL_CONFLICT says the two ends are one database */
	else
		db_rollback(to);
	db_rollback(from);
	free(c.fixups);
	return rc;
}
