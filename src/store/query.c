/*
 * query.c - filtered, ordered post listings for the WordPress-compatible API.
 *
 * One statement per ordering, each with every filter guarded by a flag, so
 * the SQL is always one of six literals and every value is bound: lists of
 * ids or slugs fill STORE_FILTER_MAX slots (unused ones bound to values
 * nothing has), and search is a case-insensitive substring match on the
 * title, excerpt and body, as WordPress's own is.
 */
#include "core/compat.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "store/internal.h"

#define TEN(x) x ", " x ", " x ", " x ", " x ", " x ", " x ", " x ", " x ", " x
#define POSTS_WHERE \
	" WHERE a.status = 'published'" \
	" AND (? = 0 OR a.category_id IN (" TEN("?") "))" \
	" AND (? = 0 OR EXISTS (SELECT 1 FROM article_tags x WHERE x.article_id = a.id" \
	"  AND x.tag_id IN (" TEN("?") ")))" \
	" AND (? = 0 OR a.author_id IN (" TEN("?") "))" \
	" AND (? = 0 OR a.slug IN (" TEN("?") "))" \
	" AND (? = 0 OR a.id = ?)" \
	" AND a.published_at > ? AND a.published_at < ?" \
	" AND (? = 0 OR lower(a.title) LIKE ? ESCAPE '\\' OR lower(a.excerpt) LIKE ? ESCAPE '\\'" \
	"  OR lower(a.body_html) LIKE ? ESCAPE '\\')"
#define POSTS_FROM \
	" FROM articles a JOIN categories c ON c.id = a.category_id" \
	" JOIN users u ON u.id = a.author_id LEFT JOIN media m ON m.id = a.featured_media_id"
#define POSTS_SQL(order) \
	"SELECT " STORE_TEASER_COLS ", a.body_html" POSTS_FROM POSTS_WHERE \
	" ORDER BY " order " LIMIT ? OFFSET ?"

static const char *const sql_posts[3][2] = {
	[STORE_ORDER_DATE] = { POSTS_SQL("a.published_at DESC, a.id DESC"),
			       POSTS_SQL("a.published_at ASC, a.id ASC") },
	[STORE_ORDER_ID] = { POSTS_SQL("a.id DESC"), POSTS_SQL("a.id ASC") },
	[STORE_ORDER_TITLE] = { POSTS_SQL("lower(a.title) DESC, a.id DESC"),
				POSTS_SQL("lower(a.title) ASC, a.id ASC") },
};
static const char SQL_POSTS_COUNT[] = "SELECT COUNT(*) FROM articles a" POSTS_WHERE;

static int bind_ids(struct db_stmt *st, int idx, const int64_t *ids, size_t n)
{
	db_bind_int(st, idx++, n > 0);
	for (size_t i = 0; i < STORE_FILTER_MAX; i++)
		db_bind_int(st, idx++, i < n ? ids[i] : -1);
	return idx;
}

/* Bind every filter from parameter 1; returns the next parameter index. */
static int bind_filter(struct db_stmt *st, const struct store_post_filter *f, struct strbuf *like)
{
	int idx = 1;

	idx = bind_ids(st, idx, f->categories, f->ncategories);
	idx = bind_ids(st, idx, f->tags, f->ntags);
	idx = bind_ids(st, idx, f->authors, f->nauthors);
	db_bind_int(st, idx++, f->nslugs > 0);
	for (size_t i = 0; i < STORE_FILTER_MAX; i++) {
		if (i < f->nslugs)
			db_bind_text(st, idx++, f->slugs[i].p, f->slugs[i].len);
		else
			db_bind_null(st, idx++);
	}
	db_bind_int(st, idx++, f->id != 0);
	db_bind_int(st, idx++, f->id);
	db_bind_int(st, idx++, f->after ? f->after : INT64_MIN);
	db_bind_int(st, idx++, f->before ? f->before : INT64_MAX);
	/* %term% with LIKE's own wildcards escaped; lower-cased like the columns. */
	strbuf_reset(like);
	strbuf_addch(like, '%');
	for (size_t i = 0; i < f->search.len; i++) {
		char c = f->search.p[i];
		if (c == '%' || c == '_' || c == '\\')
			strbuf_addch(like, '\\');
		strbuf_addch(like, c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	strbuf_addch(like, '%');
	db_bind_int(st, idx++, f->search.len > 0);
	for (int i = 0; i < 3; i++)
		db_bind_text(st, idx++, like->buf, like->len);
	return idx;
}

int store_posts(struct db *db, struct arena *a, const struct store_post_filter *f,
		struct store_list *out)
{
	struct strbuf like = STRBUF_INIT;
	struct db_stmt *st = db_prepare(db, SQL_POSTS_COUNT);
	int rc, idx;

	if (!st)
		return DL_ERR;
	bind_filter(st, f, &like);
	rc = db_one_int(st, &out->total);
	if (rc) {
		strbuf_release(&like);
		return rc;
	}
	st = db_prepare(db, sql_posts[f->orderby][f->ascending]);
	if (!st) {
		strbuf_release(&like);
		return DL_ERR;
	}
	idx = bind_filter(st, f, &like);
	db_bind_int(st, idx++, f->limit);
	db_bind_int(st, idx, f->offset);
	out->items = ARENA_NEW_ARRAY(a, struct store_article, (size_t)f->limit);
	out->nr = 0;
	while ((rc = db_step(st)) == DB_ROW && (int64_t)out->nr < f->limit) {
		struct store_article *art = &out->items[out->nr++];
		store_read_teaser(st, a, art);
		art->body_html = col(st, a, STORE_TEASER_NCOLS);
	}
	db_done(st);
	strbuf_release(&like);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < out->nr && !rc; i++)
		rc = store_load_tags(db, a, &out->items[i]);
	return rc;
}
