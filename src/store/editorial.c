/*
 * editorial.c - articles in every status, revisions, old slugs, the
 * scheduled queue and the audit log.
 */
#include "core/compat.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "store/editorial.h"
#include "store/internal.h"

const char *const store_statuses[STORE_NSTATUS] = {
	"draft", "review", "scheduled", "published", "unpublished",
};

static const char SQL_AUDIT[] =
	"INSERT INTO audit_log (at, user_id, actor, address, action, object, detail)"
	" VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char SQL_AUDIT_LIST[] =
	"SELECT id, at, COALESCE(user_id, 0), actor, address, action, object, detail"
	" FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?";
static const char SQL_AUDIT_COUNT[] = "SELECT COUNT(*) FROM audit_log";

#define EDIT_COLS \
	"a.id, a.slug, a.title, a.dek, a.status, a.author_id, u.name, a.category_id, c.name," \
	" c.slug, COALESCE(a.featured_media_id, 0), COALESCE(a.published_at, 0)," \
	" COALESCE(a.pinned_at, 0), a.created_at, a.updated_at"
#define EDIT_FROM \
	" FROM articles a JOIN users u ON u.id = a.author_id JOIN categories c ON c.id = a.category_id"
static const char SQL_EDIT_GET[] =
	"SELECT " EDIT_COLS ", a.body_source, a.body_format, a.seo_title, a.seo_description,"
	" a.note, a.note_at" EDIT_FROM " WHERE a.id = ?";
/* Filters are bound, never spliced: '' / 0 means "any". */
#define EDIT_FILTER \
	" WHERE (? = '' OR a.status = ?) AND (? = 0 OR a.category_id = ?)" \
	" AND (? = 0 OR a.author_id = ?) AND (? = '' OR a.title LIKE ? ESCAPE '\\')"
static const char SQL_EDIT_LIST[] =
	"SELECT " EDIT_COLS EDIT_FROM EDIT_FILTER
	" ORDER BY a.updated_at DESC, a.id DESC LIMIT ? OFFSET ?";
static const char SQL_EDIT_LIST_SCHEDULED[] =
	"SELECT " EDIT_COLS EDIT_FROM EDIT_FILTER
	" ORDER BY a.published_at, a.id LIMIT ? OFFSET ?";
static const char SQL_EDIT_COUNT[] = "SELECT COUNT(*)" EDIT_FROM EDIT_FILTER;

static const char SQL_UPDATE_ARTICLE[] =
	"UPDATE articles SET (" STORE_ARTICLE_WRITE_COLS ", updated_at, edited_by)"
	" = (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE id = ?";
static const char SQL_OLD_SLUG[] = "SELECT slug FROM articles WHERE id = ?";
static const char SQL_SLUG_REDIRECT_TAKEN[] =
	"SELECT COUNT(*) FROM slug_redirects WHERE slug = ? AND article_id <> ?";
static const char SQL_SLUG_REDIRECT_PUT[] =
	"INSERT INTO slug_redirects (slug, article_id) VALUES (?, ?)"
	" ON CONFLICT (slug) DO UPDATE SET article_id = excluded.article_id";
/* An article taking back one of its old slugs no longer redirects from it. */
static const char SQL_SLUG_REDIRECT_DROP[] = "DELETE FROM slug_redirects WHERE slug = ?";
static const char SQL_SLUG_REDIRECT_GET[] = "SELECT article_id FROM slug_redirects WHERE slug = ?";
static const char SQL_DELETE_TAGS[] = "DELETE FROM article_tags WHERE article_id = ?";
static const char SQL_DELETE_ARTICLE[] = "DELETE FROM articles WHERE id = ?";
static const char SQL_EDITED_BY[] = "UPDATE articles SET edited_by = ? WHERE id = ?";
static const char SQL_REVISION_PUT[] =
	"INSERT INTO revisions (article_id, user_id, created_at, slug, title, dek, body_source,"
	" status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
#define REVISION_COLS \
	"r.id, r.article_id, COALESCE(r.user_id, 0), r.created_at, COALESCE(u.email, 'system')," \
	" r.slug, r.title, r.dek, r.status"
static const char SQL_REVISIONS[] =
	"SELECT " REVISION_COLS " FROM revisions r LEFT JOIN users u ON u.id = r.user_id"
	" WHERE r.article_id = ? ORDER BY r.id DESC LIMIT 200";
static const char SQL_REVISION_GET[] =
	"SELECT " REVISION_COLS ", r.body_source FROM revisions r"
	" LEFT JOIN users u ON u.id = r.user_id WHERE r.id = ?";
static const char SQL_STATUS_COUNTS[] =
	"SELECT status, COUNT(*) FROM articles GROUP BY status";
static const char SQL_DUE[] =
	"SELECT id FROM articles WHERE status = 'scheduled' AND published_at <= ?"
	" ORDER BY published_at, id LIMIT ?";
static const char SQL_NEXT_DUE[] =
	"SELECT COALESCE(MIN(published_at), 0) FROM articles WHERE status = 'scheduled'";
static const char SQL_ADDRESS[] =
	"SELECT c.slug, a.slug FROM articles a JOIN categories c ON c.id = a.category_id"
	" WHERE a.id = ? AND a.status = 'published'";
static const char SQL_VIEWS_BY_DAY[] =
	"SELECT day, SUM(views) FROM article_views WHERE day >= ? AND day <= ? GROUP BY day";

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static int audit_in_tx(struct db *db, const struct store_change *c, int64_t now)
{
	struct db_stmt *st = db_prepare(db, SQL_AUDIT);

	if (!st)
		return DL_ERR;
	db_bind(st, "i", now);
	store_bind_opt(st, 2, c->user_id);
	db_bind_text(st, 3, or_empty(c->actor), strlen(or_empty(c->actor)));
	db_bind_text(st, 4, or_empty(c->address), strlen(or_empty(c->address)));
	db_bind_text(st, 5, c->action, strlen(c->action));
	db_bind_text(st, 6, or_empty(c->object), strlen(or_empty(c->object)));
	db_bind_text(st, 7, or_empty(c->detail), strlen(or_empty(c->detail)));
	return db_run(st);
}

int store_audit_in_tx(struct db *db, const struct store_change *c)
{
	return audit_in_tx(db, c, (int64_t)time(NULL));
}

int store_audit(struct db *db, const struct store_change *c)
{
	int rc = db_begin(db);

	if (rc)
		return rc;
	rc = audit_in_tx(db, c, (int64_t)time(NULL));
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

static void read_audit(struct db_stmt *st, struct arena *a, void *out)
{
	struct store_audit_entry *e = out;

	e->id = db_int(st, 0);
	e->at = db_int(st, 1);
	e->user_id = db_int(st, 2);
	e->actor = col(st, a, 3);
	e->address = col(st, a, 4);
	e->action = col(st, a, 5);
	e->object = col(st, a, 6);
	e->detail = col(st, a, 7);
}

int store_audit_list(struct db *db, struct arena *a, int64_t limit, int64_t offset,
		     struct store_audit_entry **out, size_t *n, int64_t *total)
{
	struct db_stmt *st = db_prepare(db, SQL_AUDIT_COUNT);
	int rc = db_one_int(st, total);

	if (rc)
		return rc;
	st = db_prepare(db, SQL_AUDIT_LIST);
	if (st)
		db_bind(st, "ii", limit, offset);
	return store_all_rows(st, read_audit, a, sizeof(**out), (void **)out, n);
}

static void read_edit(struct db_stmt *st, struct arena *a, void *out)
{
	struct store_edit *e = out;

	memset(e, 0, sizeof(*e));
	e->id = db_int(st, 0);
	e->slug = col(st, a, 1);
	e->title = col(st, a, 2);
	e->dek = col(st, a, 3);
	e->status = col(st, a, 4);
	e->author_id = db_int(st, 5);
	e->author_name = col(st, a, 6);
	e->category_id = db_int(st, 7);
	e->category_name = col(st, a, 8);
	e->category_slug = col(st, a, 9);
	e->featured_media_id = db_int(st, 10);
	e->published_at = db_int(st, 11);
	e->pinned_at = db_int(st, 12);
	e->created_at = db_int(st, 13);
	e->updated_at = db_int(st, 14);
}

static void read_edit_full(struct db_stmt *st, struct arena *a, void *out)
{
	struct store_edit *e = out;

	read_edit(st, a, out);
	e->body_source = col(st, a, 15);
	e->body_format = col(st, a, 16);
	e->seo_title = col(st, a, 17);
	e->seo_description = col(st, a, 18);
	e->note = col(st, a, 19);
	e->note_at = db_int(st, 20);
}

int store_edit_get(struct db *db, struct arena *a, int64_t id, struct store_edit *out)
{
	struct db_stmt *st = db_prepare(db, SQL_EDIT_GET);
	struct store_article art = { .id = id };
	int rc;

	if (!st)
		return DL_ERR;
	db_bind(st, "i", id);
	rc = store_one_row(st, read_edit_full, a, out);
	if (rc)
		return rc;
	rc = store_load_tags(db, a, &art);
	out->tags = art.tags;
	out->ntags = art.ntags;
	return rc;
}

static void bind_filter(struct db_stmt *st, struct arena *a, const struct store_edit_filter *f)
{
	const char *status = or_empty(f->status);
	struct strbuf like = STRBUF_INIT;

	/* The title filter is a substring: LIKE's own wildcards are escaped. */
	if (f->text.len) {
		strbuf_addch(&like, '%');
		for (size_t i = 0; i < f->text.len; i++) {
			if (f->text.p[i] == '%' || f->text.p[i] == '_' || f->text.p[i] == '\\')
				strbuf_addch(&like, '\\');
			strbuf_addch(&like, f->text.p[i]);
		}
		strbuf_addch(&like, '%');
	}
	db_bind(st, "ssiiiiSs", status, status, f->category_id, f->category_id, f->author_id,
		f->author_id, f->text, like.len ? arena_strndup(a, like.buf, like.len) : "");
	strbuf_release(&like);
}

int store_edit_list(struct db *db, struct arena *a, const struct store_edit_filter *f,
		    struct store_edit **out, size_t *n, int64_t *total)
{
	bool scheduled = f->status && !strcmp(f->status, "scheduled");
	struct db_stmt *st = db_prepare(db, SQL_EDIT_COUNT);
	int rc;

	if (!st)
		return DL_ERR;
	bind_filter(st, a, f);
	rc = db_one_int(st, total);
	if (rc)
		return rc;
	st = db_prepare(db, scheduled ? SQL_EDIT_LIST_SCHEDULED : SQL_EDIT_LIST);
	if (st) {
		bind_filter(st, a, f);
		db_bind_int(st, 9, f->limit);
		db_bind_int(st, 10, f->offset);
	}
	return store_all_rows(st, read_edit, a, sizeof(**out), (void **)out, n);
}

/* A slug another article uses, or used and still redirects from, is taken. */
static int slug_available(struct db *db, const char *slug, int64_t id)
{
	struct db_stmt *st = db_prepare(db, SQL_SLUG_REDIRECT_TAKEN);
	int64_t n;
	int rc;

	if (!st)
		return DL_ERR;
	db_bind(st, "si", slug, id);
	rc = db_one_int(st, &n);
	if (rc)
		return rc;
	return n ? DL_CONFLICT : DL_OK;
}

static int update_article(struct db *db, const struct store_article_input *in, int64_t now,
			  int64_t editor)
{
	struct db_stmt *st = db_prepare(db, SQL_UPDATE_ARTICLE);
	int rc;

	if (!st)
		return DL_ERR;
	rc = store_section_count_track(db, in->id, -1);
	if (rc) {
		db_done(st);
		return rc;
	}
	store_bind_article(st, in);
	db_bind_int(st, 18, now);
	store_bind_opt(st, 19, editor);
	db_bind_int(st, 20, in->id);
	rc = db_run(st);
	if (!rc && db_changes(db) == 0)
		rc = DL_NOTFOUND;
	if (!rc)
		rc = store_section_count_track(db, in->id, 1);
	return rc;
}

static int bind_run(struct db *db, const char *sql, const char *fmt, ...)
{
	struct db_stmt *st = db_prepare(db, sql);
	va_list ap;

	if (!st)
		return DL_ERR;
	va_start(ap, fmt);
	/* Only integer and string parameters are used here. */
	for (int i = 0; fmt[i]; i++) {
		if (fmt[i] == 'i') {
			db_bind_int(st, i + 1, va_arg(ap, int64_t));
		} else {
			const char *s = va_arg(ap, const char *);
			db_bind_text(st, i + 1, s, strlen(s));
		}
	}
	va_end(ap);
	return db_run(st);
}

/* Keep the old slug answering (a 301 to the new address) when it changes. */
static int track_slug(struct db *db, int64_t id, const char *new_slug)
{
	struct db_stmt *st = db_prepare(db, SQL_OLD_SLUG);
	struct strbuf old = STRBUF_INIT;
	int rc;

	if (!st)
		return DL_ERR;
	db_bind(st, "i", id);
	rc = db_step(st);
	if (rc == DB_ROW)
		strbuf_addslice(&old, db_text(st, 0));
	db_done(st);
	if (rc != DB_ROW)
		rc = rc < 0 ? rc : DL_NOTFOUND;
	else if (!strcmp(old.buf, new_slug))
		rc = DL_OK;
	else if (!(rc = bind_run(db, SQL_SLUG_REDIRECT_PUT, "si", old.buf, id)))
		rc = bind_run(db, SQL_SLUG_REDIRECT_DROP, "s", new_slug);
	strbuf_release(&old);
	return rc;
}

static int revision_put(struct db *db, int64_t id, const struct store_article_input *in,
			const struct store_change *c, int64_t now)
{
	struct db_stmt *st = db_prepare(db, SQL_REVISION_PUT);

	if (!st)
		return DL_ERR;
	db_bind(st, "i", id);
	store_bind_opt(st, 2, c->user_id);
	db_bind_int(st, 3, now);
	db_bind_text(st, 4, in->slug, strlen(in->slug));
	db_bind_text(st, 5, in->title, strlen(in->title));
	db_bind_text(st, 6, or_empty(in->dek), strlen(or_empty(in->dek)));
	db_bind_text(st, 7, or_empty(in->body_source), strlen(or_empty(in->body_source)));
	db_bind_text(st, 8, in->status, strlen(in->status));
	return db_run(st);
}

static const char SQL_STATUS_OF[] = "SELECT status FROM articles WHERE id = ?";

struct status_check {
	const char *want;
	bool same;
};

static void check_status(struct db_stmt *st, struct arena *a, void *out)
{
	struct status_check *c = out;

	c->same = slice_eq_str(db_text(st, 0), c->want);
}

/* DL_OK while article `id`'s status is `want`; DL_NOTFOUND once it moved on (or is gone). */
static int status_still(struct db *db, int64_t id, const char *want)
{
	struct db_stmt *st = db_prepare(db, SQL_STATUS_OF);
	struct status_check c = { want, false };
	int rc;

	if (!st)
		return DL_ERR;
	db_bind(st, "i", id);
	rc = store_one_row(st, check_status, NULL, &c);
	return rc ? rc : c.same ? DL_OK : DL_NOTFOUND;
}

int store_edit_save(struct db *db, const struct store_article_input *in,
		    const struct store_change *c, int64_t *id)
{
	int64_t now = (int64_t)time(NULL);
	struct store_change audit = *c;
	char object[32];
	int rc = db_begin(db);

	if (rc)
		return rc;
	*id = in->id;
	rc = in->id && in->expect_status ? status_still(db, in->id, in->expect_status) : DL_OK;
	if (!rc)
		rc = slug_available(db, in->slug, in->id);
	if (!rc && in->id) {
		rc = track_slug(db, in->id, in->slug);
		if (!rc)
			rc = update_article(db, in, now, c->user_id);
		if (!rc)
			rc = bind_run(db, SQL_DELETE_TAGS, "i", in->id);
	} else if (!rc) {
		rc = store_article_insert_in_tx(db, in, now, id);
		if (!rc && c->user_id)
			rc = bind_run(db, SQL_EDITED_BY, "ii", c->user_id, *id);
	}
	if (!rc)
		rc = store_article_tags_in_tx(db, *id, in->tags, in->ntags);
	/* The full-text index holds published articles only: search and Related News read it. */
	if (!rc && !strcmp(in->status, "published"))
		rc = db_fts_put(db, *id, slice_cstr(in->title), slice_cstr(or_empty(in->dek)),
				slice_cstr(or_empty(in->index_text)));
	else if (!rc)
		rc = db_fts_delete(db, *id);
	if (!rc)
		rc = revision_put(db, *id, in, c, now);
	if (!rc) {
		snprintf(object, sizeof(object), "article:%" PRId64, *id);
		audit.object = object;
		rc = audit_in_tx(db, &audit, now);
	}
	return store_write_end(db, rc);
}

int store_edit_delete(struct db *db, int64_t id, const struct store_change *c)
{
	int64_t now = (int64_t)time(NULL);
	int rc = db_begin(db);

	if (rc)
		return rc;
	rc = db_fts_delete(db, id);
	if (!rc)
		rc = store_section_count_track(db, id, -1);
	if (!rc)
		rc = bind_run(db, SQL_DELETE_ARTICLE, "i", id);
	if (!rc && db_changes(db) == 0)
		rc = DL_NOTFOUND;
	if (!rc)
		rc = audit_in_tx(db, c, now);
	return store_write_end(db, rc);
}

int store_status_counts(struct db *db, int64_t counts[STORE_NSTATUS])
{
	struct db_stmt *st = db_prepare(db, SQL_STATUS_COUNTS);
	int rc;

	memset(counts, 0, sizeof(int64_t) * STORE_NSTATUS);
	if (!st)
		return DL_ERR;
	while ((rc = db_step(st)) == DB_ROW) {
		struct slice status = db_text(st, 0);
		for (size_t i = 0; i < STORE_NSTATUS; i++)
			if (slice_eq_str(status, store_statuses[i]))
				counts[i] = db_int(st, 1);
	}
	db_done(st);
	return rc < 0 ? rc : DL_OK;
}

int store_due(struct db *db, int64_t now, int64_t *ids, size_t max, size_t *n)
{
	struct db_stmt *st = db_prepare(db, SQL_DUE);
	int rc;

	*n = 0;
	if (!st)
		return DL_ERR;
	db_bind(st, "ii", now, (int64_t)max);
	while ((rc = db_step(st)) == DB_ROW && *n < max)
		ids[(*n)++] = db_int(st, 0);
	db_done(st);
	return rc < 0 ? rc : DL_OK;
}

int store_next_due(struct db *db, int64_t *when)
{
	return db_one_int(db_prepare(db, SQL_NEXT_DUE), when);
}

int store_slug_redirect(struct db *db, struct slice slug, int64_t *article_id)
{
	struct db_stmt *st = db_prepare(db, SQL_SLUG_REDIRECT_GET);

	if (!st)
		return DL_ERR;
	db_bind(st, "S", slug);
	return db_one_int(st, article_id);
}

struct address {
	struct slice category_slug, slug;
};

static void read_address(struct db_stmt *st, struct arena *a, void *out)
{
	struct address *ad = out;

	ad->category_slug = col(st, a, 0);
	ad->slug = col(st, a, 1);
}

int store_article_address(struct db *db, struct arena *a, int64_t id, struct slice *category_slug,
			  struct slice *slug)
{
	struct db_stmt *st = db_prepare(db, SQL_ADDRESS);
	struct address ad;
	int rc;

	if (!st)
		return DL_ERR;
	db_bind(st, "i", id);
	rc = store_one_row(st, read_address, a, &ad);
	if (!rc) {
		*category_slug = ad.category_slug;
		*slug = ad.slug;
	}
	return rc;
}

static void read_revision(struct db_stmt *st, struct arena *a, void *out)
{
	struct store_revision *r = out;

	memset(r, 0, sizeof(*r));
	r->id = db_int(st, 0);
	r->article_id = db_int(st, 1);
	r->user_id = db_int(st, 2);
	r->created_at = db_int(st, 3);
	r->actor = col(st, a, 4);
	r->slug = col(st, a, 5);
	r->title = col(st, a, 6);
	r->dek = col(st, a, 7);
	r->status = col(st, a, 8);
}

static void read_revision_full(struct db_stmt *st, struct arena *a, void *out)
{
	struct store_revision *r = out;

	read_revision(st, a, out);
	r->body_source = col(st, a, 9);
}

int store_revisions(struct db *db, struct arena *a, int64_t article_id,
		    struct store_revision **out, size_t *n)
{
	struct db_stmt *st = db_prepare(db, SQL_REVISIONS);

	if (st)
		db_bind(st, "i", article_id);
	return store_all_rows(st, read_revision, a, sizeof(**out), (void **)out, n);
}

int store_revision_get(struct db *db, struct arena *a, int64_t id, struct store_revision *out)
{
	struct db_stmt *st = db_prepare(db, SQL_REVISION_GET);

	if (!st)
		return DL_ERR;
	db_bind(st, "i", id);
	return store_one_row(st, read_revision_full, a, out);
}

int store_views_by_day(struct db *db, int64_t from_day, int64_t to_day, int64_t *views)
{
	struct db_stmt *st = db_prepare(db, SQL_VIEWS_BY_DAY);
	int rc;

	for (int64_t d = from_day; d <= to_day; d++)
		views[d - from_day] = 0;
	if (!st)
		return DL_ERR;
	db_bind(st, "ii", from_day, to_day);
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t day = db_int(st, 0);
		if (day >= from_day && day <= to_day)
			views[day - from_day] = db_int(st, 1);
	}
	db_done(st);
	return rc < 0 ? rc : DL_OK;
}
