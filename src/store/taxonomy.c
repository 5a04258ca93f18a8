#include "core/compat.h"
#include "core/err.h"
#include "store/editorial.h"
#include "store/internal.h"

static const char SQL_CATEGORY_BY_SLUG[] =
	"SELECT id, slug, name, description, COALESCE(parent_id, 0) FROM categories WHERE slug = ?";
static const char SQL_CATEGORY_BY_ID[] =
	"SELECT id, slug, name, description, COALESCE(parent_id, 0) FROM categories WHERE id = ?";
/* Published counts come from section_counts, kept by every article write: counting
 * them here made each snapshot rebuild take 200+ ms at a million articles. */
static const char SQL_CATEGORIES[] =
	"SELECT c.id, c.slug, c.name, c.description, COALESCE(c.parent_id, 0),"
	" COALESCE(n.published, 0)"
	" FROM categories c LEFT JOIN section_counts n ON n.category_id = c.id"
	" ORDER BY c.position, c.name";
static const char SQL_TAGS[] =
	"SELECT t.id, t.slug, t.name, (SELECT COUNT(*) FROM article_tags x JOIN articles a"
	" ON a.id = x.article_id WHERE x.tag_id = t.id AND a.status = 'published')"
	" FROM tags t ORDER BY t.name, t.id";
static const char SQL_AUTHORS[] =
	"SELECT u.id, u.slug, u.name, u.bio FROM users u WHERE EXISTS (SELECT 1 FROM articles a"
	" WHERE a.author_id = u.id AND a.status = 'published') ORDER BY u.name, u.id";
static const char SQL_TAG_BY_SLUG[] = "SELECT id, slug, name FROM tags WHERE slug = ?";
static const char SQL_AUTHOR_BY_SLUG[] =
	"SELECT u.id, u.slug, u.name, u.bio, COALESCE(m.id, 0), COALESCE(m.filename, '')"
	" FROM users u LEFT JOIN media m ON m.id = u.photo_media_id WHERE u.slug = ?";
static const char SQL_CATEGORY_INSERT[] =
	"INSERT INTO categories (slug, name, description, parent_id, position)"
	" VALUES (?, ?, ?, ?, 100) RETURNING id";
static const char SQL_CATEGORY_UPDATE[] =
	"UPDATE categories SET slug = ?, name = ?, description = ?, parent_id = ? WHERE id = ?";
/* A deleted section's stories move to the default one; its children move up. */
static const char SQL_CATEGORY_MOVE_ARTICLES[] =
	"UPDATE articles SET category_id = 1 WHERE category_id = ?";
/* ...and their count with them (the deleted section's row goes with its category). */
static const char SQL_CATEGORY_MOVE_COUNT[] =
	"INSERT INTO section_counts (category_id, published)"
	" SELECT 1, published FROM section_counts WHERE category_id = ?"
	" ON CONFLICT (category_id) DO UPDATE"
	" SET published = section_counts.published + excluded.published";
static const char SQL_CATEGORY_DROP_COUNT[] = "DELETE FROM section_counts WHERE category_id = ?";
static const char SQL_CATEGORY_MOVE_CHILDREN[] =
	"UPDATE categories SET parent_id = (SELECT parent_id FROM categories WHERE id = ?)"
	" WHERE parent_id = ?";
static const char SQL_CATEGORY_UNTARGET_ADS[] =
	"UPDATE ad_creatives SET category_id = NULL WHERE category_id = ?";
static const char SQL_TAG_RENAME[] = "UPDATE tags SET name = ?, slug = ? WHERE id = ?";
static const char SQL_TAG_DELETE[] = "DELETE FROM tags WHERE id = ?";
static const char SQL_CATEGORY_DELETE[] = "DELETE FROM categories WHERE id = ? AND id <> 1";
static const char SQL_CATEGORY_CREATE[] =
	"INSERT INTO categories (slug, name, description, position) VALUES (?, ?, ?, ?)"
	" RETURNING id";
/* The no-op update makes RETURNING give the id of an existing tag too. */
static const char SQL_TAG_ENSURE[] =
	"INSERT INTO tags (slug, name) VALUES (?, ?)"
	" ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug RETURNING id";
static const char SQL_USER_CREATE[] =
	"INSERT INTO users (email, slug, name, bio, role, created_at) VALUES (?, ?, ?, ?, ?, ?)"
	" RETURNING id";

static void read_category(struct db_stmt *st, struct arena *a, struct store_category *c)
{
	c->id = db_int(st, 0);
	c->slug = col(st, a, 1);
	c->name = col(st, a, 2);
	c->description = col(st, a, 3);
	c->parent_id = db_int(st, 4);
	c->count = -1;
}

static void category_row(struct db_stmt *st, struct arena *a, void *out)
{
	read_category(st, a, out);
}

static void tag_row(struct db_stmt *st, struct arena *a, void *out)
{
	struct store_tag *t = out;

	t->id = db_int(st, 0);
	t->slug = col(st, a, 1);
	t->name = col(st, a, 2);
}

static void author_row(struct db_stmt *st, struct arena *a, void *out)
{
	struct store_author *u = out;

	u->id = db_int(st, 0);
	u->slug = col(st, a, 1);
	u->name = col(st, a, 2);
	u->bio = col(st, a, 3);
}

static void author_photo_row(struct db_stmt *st, struct arena *a, void *out)
{
	struct store_author *u = out;

	author_row(st, a, out);
	u->photo_id = db_int(st, 4);
	u->photo_filename = col(st, a, 5);
}

int store_category_by_slug(struct db *db, struct arena *a, struct slice slug,
			   struct store_category *out)
{
	struct db_stmt *st = db_prepare(db, SQL_CATEGORY_BY_SLUG);

	if (!st)
		return DL_ERR;
	db_bind(st, "S", slug);
	return store_one_row(st, category_row, a, out);
}

int store_category_by_id(struct db *db, struct arena *a, int64_t id, struct store_category *out)
{
	struct db_stmt *st = db_prepare(db, SQL_CATEGORY_BY_ID);

	if (!st)
		return DL_ERR;
	db_bind(st, "i", id);
	return store_one_row(st, category_row, a, out);
}

static void category_count_row(struct db_stmt *st, struct arena *a, void *out)
{
	read_category(st, a, out);
	((struct store_category *)out)->count = db_int(st, 5);
}

int store_categories(struct db *db, struct arena *a, struct store_category **out, size_t *n)
{
	return store_all_rows(db_prepare(db, SQL_CATEGORIES), category_count_row, a,
			      sizeof(**out), (void **)out, n);
}

int store_tag_by_slug(struct db *db, struct arena *a, struct slice slug, struct store_tag *out)
{
	struct db_stmt *st = db_prepare(db, SQL_TAG_BY_SLUG);

	if (!st)
		return DL_ERR;
	db_bind(st, "S", slug);
	return store_one_row(st, tag_row, a, out);
}

int store_author_by_slug(struct db *db, struct arena *a, struct slice slug,
			 struct store_author *out)
{
	struct db_stmt *st = db_prepare(db, SQL_AUTHOR_BY_SLUG);

	if (!st)
		return DL_ERR;
	db_bind(st, "S", slug);
	return store_one_row(st, author_photo_row, a, out);
}

int store_category_create(struct db *db, const char *slug, const char *name,
			  const char *description, int64_t position, int64_t *id)
{
	struct db_stmt *st = db_prepare(db, SQL_CATEGORY_CREATE);

	if (st)
		db_bind(st, "sssi", slug, name, description ? description : "", position);
	return store_insert_id(db, st, id);
}

int store_tag_ensure_in_tx(struct db *db, const char *slug, const char *name, int64_t *id)
{
	struct db_stmt *st = db_prepare(db, SQL_TAG_ENSURE);

	if (!st)
		return DL_ERR;
	db_bind(st, "ss", slug, name);
	return db_one_int(st, id);
}

int store_tag_ensure(struct db *db, const char *slug, const char *name, int64_t *id)
{
	struct db_stmt *st = db_prepare(db, SQL_TAG_ENSURE);

	if (st)
		db_bind(st, "ss", slug, name);
	return store_insert_id(db, st, id);
}

int store_user_create(struct db *db, const char *email, const char *slug, const char *name,
		      const char *bio, const char *role, int64_t *id)
{
	struct db_stmt *st = db_prepare(db, SQL_USER_CREATE);

	if (st)
		db_bind(st, "sssssi", email, slug, name, bio ? bio : "", role, (int64_t)time(NULL));
	return store_insert_id(db, st, id);
}

static void tag_count_row(struct db_stmt *st, struct arena *a, void *out)
{
	tag_row(st, a, out);
	((struct store_tag *)out)->count = db_int(st, 3);
}

int store_tags(struct db *db, struct arena *a, struct store_tag **out, size_t *n)
{
	return store_all_rows(db_prepare(db, SQL_TAGS), tag_count_row, a, sizeof(**out),
			      (void **)out, n);
}

int store_authors(struct db *db, struct arena *a, struct store_author **out, size_t *n)
{
	return store_all_rows(db_prepare(db, SQL_AUTHORS), author_row, a, sizeof(**out),
			      (void **)out, n);
}

int store_category_save(struct db *db, int64_t id, const char *slug, const char *name,
			const char *description, int64_t parent_id, const struct store_change *c,
			int64_t *out_id)
{
	struct db_stmt *st;
	struct store_change audit = *c;
	char object[32];
	int rc = db_begin(db);

	if (rc)
		return rc;
	st = db_prepare(db, id ? SQL_CATEGORY_UPDATE : SQL_CATEGORY_INSERT);
	if (!st) {
		db_rollback(db);
		return DL_ERR;
	}
	db_bind(st, "sss", slug, name, description);
	store_bind_opt(st, 4, parent_id);
	if (id) {
		db_bind_int(st, 5, id);
		rc = db_run(st);
		if (!rc && db_changes(db) == 0)
			rc = DL_NOTFOUND;
		*out_id = id;
	} else {
		rc = db_one_int(st, out_id);
	}
	if (!rc) {
		snprintf(object, sizeof(object), "category:%" PRId64, *out_id);
		audit.object = object;
		rc = store_audit_in_tx(db, &audit);
	}
	return store_write_end(db, rc);
}

static int run_id(struct db *db, const char *sql, int64_t id, int nbind)
{
	struct db_stmt *st = db_prepare(db, sql);

	if (!st)
		return DL_ERR;
	for (int i = 1; i <= nbind; i++)
		db_bind_int(st, i, id);
	return db_run(st);
}

int store_category_delete(struct db *db, int64_t id, const struct store_change *c)
{
	int rc;

	if (id == STORE_DEFAULT_CATEGORY)
		return DL_CONFLICT;
	rc = db_begin(db);
	if (rc)
		return rc;
	rc = run_id(db, SQL_CATEGORY_MOVE_ARTICLES, id, 1);
	if (!rc)
		rc = run_id(db, SQL_CATEGORY_MOVE_COUNT, id, 1);
	if (!rc)
		rc = run_id(db, SQL_CATEGORY_DROP_COUNT, id, 1);
	if (!rc)
		rc = run_id(db, SQL_CATEGORY_MOVE_CHILDREN, id, 2);
	if (!rc)
		rc = run_id(db, SQL_CATEGORY_UNTARGET_ADS, id, 1);
	if (!rc)
		rc = run_id(db, SQL_CATEGORY_DELETE, id, 1);
	if (!rc && db_changes(db) == 0)
		rc = DL_NOTFOUND;
	if (!rc)
		rc = store_audit_in_tx(db, c);
	return store_write_end(db, rc);
}

int store_tag_save(struct db *db, int64_t id, const char *name, const char *slug,
		   const struct store_change *c)
{
	struct db_stmt *st;
	int rc = db_begin(db);

	if (rc)
		return rc;
	st = db_prepare(db, SQL_TAG_RENAME);
	if (!st) {
		db_rollback(db);
		return DL_ERR;
	}
	db_bind(st, "ssi", name, slug, id);
	rc = db_run(st);
	if (!rc && db_changes(db) == 0)
		rc = DL_NOTFOUND;
	if (!rc)
		rc = store_audit_in_tx(db, c);
	return store_write_end(db, rc);
}

int store_tag_delete(struct db *db, int64_t id, const struct store_change *c)
{
	int rc = db_begin(db);

	if (rc)
		return rc;
	/* Its links to articles go with it (ON DELETE CASCADE). */
	rc = run_id(db, SQL_TAG_DELETE, id, 1);
	if (!rc && db_changes(db) == 0)
		rc = DL_NOTFOUND;
	if (!rc)
		rc = store_audit_in_tx(db, c);
	return store_write_end(db, rc);
}
