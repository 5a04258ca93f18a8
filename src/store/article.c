#include "core/compat.h"
#include "core/alloc.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "store/internal.h"

#define TEASER_COLS STORE_TEASER_COLS
#define TEASER_NCOLS STORE_TEASER_NCOLS
#define TEASER_FROM \
	" FROM articles a JOIN categories c ON c.id = a.category_id" \
	" JOIN users u ON u.id = a.author_id" \
	" LEFT JOIN media m ON m.id = a.featured_media_id"
#define PUBLISHED " a.status = 'published'"
#define NEWEST_FIRST " ORDER BY a.published_at DESC, a.id DESC"

static const char SQL_BY_SLUG[] =
	"SELECT " TEASER_COLS ", a.body_html, u.bio, a.seo_title, a.seo_description, a.note,"
	" a.note_at" TEASER_FROM " WHERE a.slug = ? AND" PUBLISHED;
static const char SQL_TAGS_OF[] =
	"SELECT t.id, t.slug, t.name FROM article_tags x JOIN tags t ON t.id = x.tag_id"
	" WHERE x.article_id = ? ORDER BY x.position, t.name";
static const char SQL_LATEST[] =
	"SELECT " TEASER_COLS TEASER_FROM " WHERE" PUBLISHED NEWEST_FIRST " LIMIT ? OFFSET ?";
static const char SQL_BY_CATEGORY[] =
	"SELECT " TEASER_COLS TEASER_FROM " WHERE a.category_id = ? AND" PUBLISHED
	NEWEST_FIRST " LIMIT ? OFFSET ?";
/* Kept by every write (store_section_count_track): counting 200,000 index entries per
 * request was most of a section page at a million articles. */
static const char SQL_COUNT_CATEGORY[] =
	"SELECT COALESCE(MAX(published), 0) FROM section_counts WHERE category_id = ?";
static const char SQL_BY_TAG[] =
	"SELECT " TEASER_COLS TEASER_FROM " JOIN article_tags x ON x.article_id = a.id"
	" WHERE x.tag_id = ? AND" PUBLISHED NEWEST_FIRST " LIMIT ? OFFSET ?";
static const char SQL_COUNT_TAG[] =
	"SELECT COUNT(*) FROM article_tags x JOIN articles a ON a.id = x.article_id"
	" WHERE x.tag_id = ? AND" PUBLISHED;
static const char SQL_BY_AUTHOR[] =
	"SELECT " TEASER_COLS TEASER_FROM " WHERE a.author_id = ? AND" PUBLISHED
	NEWEST_FIRST " LIMIT ? OFFSET ?";
static const char SQL_COUNT_AUTHOR[] =
	"SELECT COUNT(*) FROM articles a WHERE a.author_id = ? AND" PUBLISHED;
/* The pins come from the small partial index first: given `status = ?` beside
 * `pinned_at IS NOT NULL` (even through an IN subquery), SQLite walks every
 * published article instead (150 ms-2 s at 1M); `|| ''` keeps it off the status index. */
static const char SQL_PINNED[] =
	"SELECT " TEASER_COLS TEASER_FROM " WHERE a.pinned_at IS NOT NULL"
	" AND a.status || '' = 'published' ORDER BY a.pinned_at DESC, a.id DESC LIMIT ?";
static const char SQL_BY_ID[] =
	"SELECT " TEASER_COLS TEASER_FROM " WHERE a.id = ? AND" PUBLISHED;
static const char SQL_RELATED[] =
	"SELECT " TEASER_COLS TEASER_FROM " JOIN article_related r ON r.related_id = a.id"
	" WHERE r.article_id = ? AND" PUBLISHED " ORDER BY r.position LIMIT ?";
/* Feeds: teasers plus the body, newest first, in one of four scopes. */
#define FEED_COLS TEASER_COLS ", a.body_html"
static const char SQL_FEED_ALL[] =
	"SELECT " FEED_COLS TEASER_FROM " WHERE" PUBLISHED NEWEST_FIRST " LIMIT ?";
static const char SQL_FEED_CATEGORY[] =
	"SELECT " FEED_COLS TEASER_FROM " WHERE a.category_id = ? AND" PUBLISHED NEWEST_FIRST " LIMIT ?";
static const char SQL_FEED_TAG[] =
	"SELECT " FEED_COLS TEASER_FROM " JOIN article_tags x ON x.article_id = a.id"
	" WHERE x.tag_id = ? AND" PUBLISHED NEWEST_FIRST " LIMIT ?";
static const char SQL_FEED_AUTHOR[] =
	"SELECT " FEED_COLS TEASER_FROM " WHERE a.author_id = ? AND" PUBLISHED NEWEST_FIRST " LIMIT ?";
#define URL_COLS "c.slug, a.slug, a.title, a.published_at, a.updated_at"
static const char SQL_URLS_BY_ID[] =
	"SELECT " URL_COLS " FROM articles a JOIN categories c ON c.id = a.category_id"
	" WHERE" PUBLISHED " ORDER BY a.id LIMIT ? OFFSET ?";
static const char SQL_URLS_SINCE[] =
	"SELECT " URL_COLS " FROM articles a JOIN categories c ON c.id = a.category_id"
	" WHERE" PUBLISHED " AND a.published_at >= ?" NEWEST_FIRST " LIMIT ?";
static const char SQL_PUBLISHED_COUNT[] = "SELECT COUNT(*) FROM articles a WHERE" PUBLISHED;
static const char SQL_PAGE_LASTMOD[] =
	"SELECT COALESCE(MAX(updated_at), 0) FROM (SELECT a.updated_at FROM articles a WHERE"
	PUBLISHED " ORDER BY a.id LIMIT ? OFFSET ?) AS page";
static const char SQL_INSERT_ARTICLE[] =
	"INSERT INTO articles (" STORE_ARTICLE_WRITE_COLS ", created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_INSERT_ARTICLE_TAG[] =
	"INSERT INTO article_tags (article_id, tag_id, position) VALUES (?, ?, ?)"
	" ON CONFLICT (article_id, tag_id) DO NOTHING";
static const char SQL_DELETE_RELATED[] = "DELETE FROM article_related WHERE article_id = ?";
static const char SQL_INSERT_RELATED[] =
	"INSERT INTO article_related (article_id, position, related_id, score) VALUES (?, ?, ?, ?)";
static const char SQL_PUBLISHED_IDS[] =
	"SELECT a.id FROM articles a WHERE" PUBLISHED " ORDER BY a.id";
static const char SQL_ARTICLE_COUNT[] = "SELECT COUNT(*) FROM articles";
#define RELATED_DOC_COLS "SELECT a.id, a.category_id, a.published_at, a.updated_at FROM articles a"
static const char SQL_RELATED_WINDOW[] =
	RELATED_DOC_COLS " WHERE" PUBLISHED NEWEST_FIRST " LIMIT ?";
static const char SQL_RELATED_DOC[] = RELATED_DOC_COLS " WHERE a.id = ? AND" PUBLISHED;
static const char SQL_SECTION_COUNT_TRACK[] =
	"INSERT INTO section_counts (category_id, published)"
	" SELECT a.category_id, ? FROM articles a WHERE a.id = ? AND" PUBLISHED
	" ON CONFLICT (category_id) DO UPDATE"
	" SET published = section_counts.published + excluded.published";

int store_section_count_track(struct db *db, int64_t id, int64_t delta)
{
	struct db_stmt *st = db_prepare(db, SQL_SECTION_COUNT_TRACK);

	if (!st)
		return DL_ERR;
	db_bind(st, "ii", delta, id);
	return db_run(st);
}

void store_read_teaser(struct db_stmt *st, struct arena *a, struct store_article *out)
{
	memset(out, 0, sizeof(*out));
	out->id = db_int(st, 0);
	out->slug = col(st, a, 1);
	out->title = col(st, a, 2);
	out->dek = col(st, a, 3);
	out->excerpt = col(st, a, 4);
	out->published_at = db_int(st, 5);
	out->updated_at = db_int(st, 6);
	out->pinned_at = db_int(st, 7);
	out->category.id = db_int(st, 8);
	out->category.slug = col(st, a, 9);
	out->category.name = col(st, a, 10);
	out->author.id = db_int(st, 11);
	out->author.slug = col(st, a, 12);
	out->author.name = col(st, a, 13);
	out->image.id = db_int(st, 14);
	out->image.filename = col(st, a, 15);
	out->image.mime = col(st, a, 16);
	out->image.alt = col(st, a, 17);
	out->image.caption = col(st, a, 18);
	out->image.credit = col(st, a, 19);
	out->image.width = db_int(st, 20);
	out->image.height = db_int(st, 21);
	out->image.size = db_int(st, 22);
	out->image.variants = db_int(st, 23) != 0;
}

/* Run a prepared, bound teaser query and collect its rows. */
static int read_list(struct db_stmt *st, struct arena *a, size_t cap, struct store_list *out)
{
	int rc;

	out->items = ARENA_NEW_ARRAY(a, struct store_article, cap ? cap : 1);
	out->nr = 0;
	while ((rc = db_step(st)) == DB_ROW && out->nr < cap)
		store_read_teaser(st, a, &out->items[out->nr++]);
	db_done(st);
	return rc < 0 ? rc : DL_OK;
}

/* A one-value query with one id parameter. */
static int count_rows(struct db *db, const char *sql, int64_t id, int64_t *n)
{
	struct db_stmt *st = db_prepare(db, sql);

	if (!st)
		return DL_ERR;
	db_bind(st, "i", id);
	return db_one_int(st, n);
}

int store_load_tags(struct db *db, struct arena *a, struct store_article *art)
{
	struct db_stmt *st = db_prepare(db, SQL_TAGS_OF);
	size_t alloc = 0;
	int rc;

	if (!st)
		return DL_ERR;
	db_bind(st, "i", art->id);
	art->tags = NULL;
	art->ntags = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		ARENA_GROW(a, art->tags, art->ntags, alloc, art->ntags + 1);
		struct store_tag *t = &art->tags[art->ntags++];
		t->id = db_int(st, 0);
		t->slug = col(st, a, 1);
		t->name = col(st, a, 2);
	}
	db_done(st);
	return rc < 0 ? rc : DL_OK;
}

int store_article_by_slug(struct db *db, struct arena *a, struct slice slug,
			  struct store_article *out)
{
	struct db_stmt *st = db_prepare(db, SQL_BY_SLUG);
	int rc;

	if (!st)
		return DL_ERR;
	db_bind(st, "S", slug);
	rc = db_step(st);
	if (rc == DB_ROW) {
		store_read_teaser(st, a, out);
		out->body_html = col(st, a, TEASER_NCOLS);
		out->author.bio = col(st, a, TEASER_NCOLS + 1);
		out->seo_title = col(st, a, TEASER_NCOLS + 2);
		out->seo_description = col(st, a, TEASER_NCOLS + 3);
		out->note = col(st, a, TEASER_NCOLS + 4);
		out->note_at = db_int(st, TEASER_NCOLS + 5);
	}
	db_done(st);
	if (rc < 0)
		return rc;
	if (rc == DB_DONE)
		return DL_NOTFOUND;
	return store_load_tags(db, a, out);
}

int store_latest(struct db *db, struct arena *a, int64_t limit, int64_t offset,
		 struct store_list *out)
{
	struct db_stmt *st = db_prepare(db, SQL_LATEST);

	if (!st)
		return DL_ERR;
	db_bind(st, "ii", limit, offset);
	out->total = -1;
	return read_list(st, a, (size_t)limit, out);
}

static int archive(struct db *db, struct arena *a, const char *sql, const char *count_sql,
		   int64_t id, int64_t limit, int64_t offset, struct store_list *out)
{
	struct db_stmt *st;
	int rc = count_rows(db, count_sql, id, &out->total);

	if (rc)
		return rc;
	st = db_prepare(db, sql);
	if (!st)
		return DL_ERR;
	db_bind(st, "iii", id, limit, offset);
	return read_list(st, a, (size_t)limit, out);
}

int store_by_category(struct db *db, struct arena *a, int64_t category_id, int64_t limit,
		      int64_t offset, struct store_list *out)
{
	return archive(db, a, SQL_BY_CATEGORY, SQL_COUNT_CATEGORY, category_id, limit, offset, out);
}

int store_by_tag(struct db *db, struct arena *a, int64_t tag_id, int64_t limit, int64_t offset,
		 struct store_list *out)
{
	return archive(db, a, SQL_BY_TAG, SQL_COUNT_TAG, tag_id, limit, offset, out);
}

int store_by_author(struct db *db, struct arena *a, int64_t author_id, int64_t limit,
		    int64_t offset, struct store_list *out)
{
	return archive(db, a, SQL_BY_AUTHOR, SQL_COUNT_AUTHOR, author_id, limit, offset, out);
}

int store_feed(struct db *db, struct arena *a, enum store_scope scope, int64_t id, int64_t limit,
	       struct store_list *out)
{
	static const char *const sql[] = {
		[STORE_ALL] = SQL_FEED_ALL, [STORE_CATEGORY] = SQL_FEED_CATEGORY,
		[STORE_TAG] = SQL_FEED_TAG, [STORE_AUTHOR] = SQL_FEED_AUTHOR,
	};
	struct db_stmt *st = db_prepare(db, sql[scope]);
	int rc;

	if (!st)
		return DL_ERR;
	if (scope == STORE_ALL)
		db_bind(st, "i", limit);
	else
		db_bind(st, "ii", id, limit);
	out->items = ARENA_NEW_ARRAY(a, struct store_article, (size_t)limit);
	out->nr = 0;
	out->total = -1;
	while ((rc = db_step(st)) == DB_ROW && (int64_t)out->nr < limit) {
		struct store_article *art = &out->items[out->nr++];
		store_read_teaser(st, a, art);
		art->body_html = col(st, a, TEASER_NCOLS);
	}
	db_done(st);
	return rc < 0 ? rc : DL_OK;
}

int store_pinned(struct db *db, struct arena *a, int64_t limit, struct store_list *out)
{
	struct db_stmt *st = db_prepare(db, SQL_PINNED);

	if (!st)
		return DL_ERR;
	db_bind(st, "i", limit);
	out->total = -1;
	return read_list(st, a, (size_t)limit, out);
}

int store_by_ids(struct db *db, struct arena *a, const int64_t *ids, size_t n,
		 struct store_list *out)
{
	out->items = ARENA_NEW_ARRAY(a, struct store_article, n ? n : 1);
	out->nr = 0;
	out->total = -1;
	for (size_t i = 0; i < n; i++) {
		struct db_stmt *st = db_prepare(db, SQL_BY_ID);
		int rc;

		if (!st)
			return DL_ERR;
		db_bind(st, "i", ids[i]);
		rc = db_step(st);
		if (rc == DB_ROW)
			store_read_teaser(st, a, &out->items[out->nr++]);
		db_done(st);
		if (rc < 0)
			return rc;
	}
	return DL_OK;
}

int store_related(struct db *db, struct arena *a, int64_t id, int64_t limit,
		  struct store_list *out)
{
	struct db_stmt *st = db_prepare(db, SQL_RELATED);

	if (!st)
		return DL_ERR;
	db_bind(st, "ii", id, limit);
	out->total = -1;
	return read_list(st, a, (size_t)limit, out);
}

int store_article_tags_in_tx(struct db *db, int64_t id, const char *const *tags, size_t n)
{
	struct strbuf slug = STRBUF_INIT;
	int rc = DL_OK;

	for (size_t i = 0; i < n && !rc; i++) {
		int64_t tag_id;
		struct db_stmt *st;

		strbuf_reset(&slug);
		store_slugify(tags[i], strlen(tags[i]), &slug);
		if (!slug.len)
			continue;
		rc = store_tag_ensure_in_tx(db, slug.buf, tags[i], &tag_id);
		if (rc)
			break;
		st = db_prepare(db, SQL_INSERT_ARTICLE_TAG);
		if (!st) {
			rc = DL_ERR;
			break;
		}
		db_bind(st, "iii", id, tag_id, (int64_t)i);
		rc = db_run(st);
	}
	strbuf_release(&slug);
	return rc;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* Bind `v` at `idx`, or NULL when it is 0 (no image, not pinned, unpublished). */
void store_bind_opt(struct db_stmt *st, int idx, int64_t v)
{
	if (v)
		db_bind_int(st, idx, v);
	else
		db_bind_null(st, idx);
}

void store_bind_article(struct db_stmt *st, const struct store_article_input *in)
{
	db_bind(st, "ssssssssii", in->slug, in->title, or_empty(in->dek), or_empty(in->excerpt),
		or_empty(in->body_source), in->body_format ? in->body_format : "markdown",
		or_empty(in->body_html), in->status, in->author_id,
		in->category_id ? in->category_id : (int64_t)STORE_DEFAULT_CATEGORY);
	store_bind_opt(st, 11, in->featured_media_id);
	store_bind_opt(st, 12, in->pinned_at);
	store_bind_opt(st, 13, in->published_at);
	db_bind_text(st, 14, or_empty(in->seo_title), strlen(or_empty(in->seo_title)));
	db_bind_text(st, 15, or_empty(in->seo_description), strlen(or_empty(in->seo_description)));
	db_bind_text(st, 16, or_empty(in->note), strlen(or_empty(in->note)));
	db_bind_int(st, 17, in->note_at);
}

int store_article_insert_in_tx(struct db *db, const struct store_article_input *in, int64_t now,
			       int64_t *id)
{
	struct db_stmt *st = db_prepare(db, SQL_INSERT_ARTICLE);
	int rc;

	if (!st)
		return DL_ERR;
	store_bind_article(st, in);
	db_bind_int(st, 18, now);
	/* A back-dated story (import, demo) was last updated when it was published. */
	db_bind_int(st, 19, in->updated_at ? in->updated_at
			    : in->published_at && in->published_at < now ? in->published_at : now);
	rc = db_step(st);
	if (rc == DB_ROW)
		*id = db_int(st, 0);
	db_done(st);
	if (rc < 0)
		return rc;
	return store_section_count_track(db, *id, 1);
}

static int create_in_tx(struct db *db, const struct store_article_input *in, int64_t now,
			int64_t *id)
{
	int rc = store_article_insert_in_tx(db, in, now, id);

	if (!rc)
		rc = store_article_tags_in_tx(db, *id, in->tags, in->ntags);
	/* The full-text index holds published articles only: search and Related News read it. */
	if (!rc && !strcmp(in->status, "published"))
		rc = db_fts_put(db, *id, slice_cstr(in->title), slice_cstr(in->dek ? in->dek : ""),
				slice_cstr(in->index_text ? in->index_text : ""));
	return rc;
}

int store_article_create(struct db *db, const struct store_article_input *in, int64_t *id)
{
	return store_articles_create(db, in, 1, id);
}

int store_articles_create(struct db *db, const struct store_article_input *in, size_t n,
			  int64_t *ids)
{
	int64_t now = (int64_t)time(NULL);
	int rc = db_begin(db);

	if (rc)
		return rc;
	for (size_t i = 0; i < n && !rc; i++)
		rc = create_in_tx(db, &in[i], now, &ids[i]);
	return store_write_end(db, rc);
}

int store_related_put(struct db *db, int64_t id, const int64_t *related, const double *scores,
		      size_t n)
{
	struct db_stmt *st;
	int rc = db_begin(db);

	if (rc)
		return rc;
	st = db_prepare(db, SQL_DELETE_RELATED);
	if (!st) {
		db_rollback(db);
		return DL_ERR;
	}
	db_bind(st, "i", id);
	rc = db_run(st);
	for (size_t i = 0; i < n && !rc; i++) {
		st = db_prepare(db, SQL_INSERT_RELATED);
		if (!st) {
			rc = DL_ERR;
			break;
		}
		db_bind(st, "iiid", id, (int64_t)i, related[i], scores[i]);
		rc = db_run(st);
	}
	return store_write_end(db, rc);
}

int store_published_ids(struct db *db, int64_t **ids, size_t *n)
{
	return store_all_ids(db_prepare(db, SQL_PUBLISHED_IDS), ids, n);
}

static void related_doc_row(struct db_stmt *st, struct arena *a, void *out)
{
	(void)a;
	*(struct store_related_doc *)out = (struct store_related_doc){
		db_int(st, 0), db_int(st, 1), db_int(st, 2), db_int(st, 3),
	};
}

int store_related_window(struct db *db, struct arena *a, int64_t limit,
			 struct store_related_doc **docs, size_t *n)
{
	struct db_stmt *st = db_prepare(db, SQL_RELATED_WINDOW);

	if (st)
		db_bind(st, "i", limit);
	return store_all_rows(st, related_doc_row, a, sizeof(**docs), (void **)docs, n);
}

int store_related_doc(struct db *db, int64_t id, struct store_related_doc *out)
{
	struct db_stmt *st = db_prepare(db, SQL_RELATED_DOC);

	if (!st)
		return DL_ERR;
	db_bind(st, "i", id);
	return store_one_row(st, related_doc_row, NULL, out);
}

int store_article_count(struct db *db, int64_t *n)
{
	return db_one_int(db_prepare(db, SQL_ARTICLE_COUNT), n);
}

int store_each_url(struct db *db, int64_t since, int64_t offset, int64_t limit,
		   void (*fn)(void *ctx, const struct store_url *u), void *ctx)
{
	struct db_stmt *st = db_prepare(db, since ? SQL_URLS_SINCE : SQL_URLS_BY_ID);
	int rc;

	if (!st)
		return DL_ERR;
	if (since)
		db_bind(st, "ii", since, limit);
	else
		db_bind(st, "ii", limit, offset);
	while ((rc = db_step(st)) == DB_ROW) {
		struct store_url u = {
			.category_slug = db_text(st, 0), .slug = db_text(st, 1), .title = db_text(st, 2),
			.published_at = db_int(st, 3), .updated_at = db_int(st, 4),
		};
		fn(ctx, &u);
	}
	db_done(st);
	return rc < 0 ? rc : DL_OK;
}

int store_published_count(struct db *db, int64_t *n)
{
	return db_one_int(db_prepare(db, SQL_PUBLISHED_COUNT), n);
}

int store_page_lastmod(struct db *db, int64_t offset, int64_t limit, int64_t *lastmod)
{
	struct db_stmt *st = db_prepare(db, SQL_PAGE_LASTMOD);

	if (!st)
		return DL_ERR;
	db_bind(st, "ii", limit, offset);
	return db_one_int(st, lastmod);
}
