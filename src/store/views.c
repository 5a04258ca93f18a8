/*
 * views.c - page views per article per day, written in batches from the
 * engine's in-memory tallies, and the most-read ranking Must Read uses.
 */
#include "core/compat.h"
#include "core/err.h"
#include "store/internal.h"

/* Views of an article deleted since it was read are dropped, not an error. */
static const char SQL_VIEWS_ADD[] =
	"INSERT INTO article_views (article_id, day, views)"
	" SELECT id, ?, ? FROM articles WHERE id = ?"
	" ON CONFLICT (article_id, day) DO UPDATE SET views = article_views.views + excluded.views";
static const char SQL_MOST_READ[] =
	"SELECT v.article_id, SUM(v.views) AS total FROM article_views v"
	/* From the week's views, not from every published article (150 ms at 1M): the upper
	 * bound is never reached but shows SQLite, which keeps no statistics, a small range. */
	" WHERE v.day >= ? AND v.day <= ? + 1000000 AND EXISTS (SELECT 1 FROM articles a"
	" WHERE a.id = v.article_id AND a.status = 'published')"
	" GROUP BY v.article_id ORDER BY total DESC, v.article_id DESC LIMIT ?";

int store_views_add(struct db *db, int64_t day, const int64_t *ids, const int64_t *counts,
		    size_t n)
{
	int rc = db_begin(db);

	if (rc)
		return rc;
	for (size_t i = 0; i < n && !rc; i++) {
		struct db_stmt *st = db_prepare(db, SQL_VIEWS_ADD);

		if (!st) {
			rc = DL_ERR;
			break;
		}
		db_bind(st, "iii", day, counts[i], ids[i]);
		rc = db_run(st);
	}
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

int store_most_read(struct db *db, int64_t since_day, int64_t limit, int64_t *ids, size_t *n)
{
	struct db_stmt *st = db_prepare(db, SQL_MOST_READ);
	int rc;

	*n = 0;
	if (!st)
		return DL_ERR;
	db_bind(st, "iii", since_day, since_day, limit);
	while ((rc = db_step(st)) == DB_ROW && (int64_t)*n < limit)
		ids[(*n)++] = db_int(st, 0);
	db_done(st);
	return rc < 0 ? rc : DL_OK;
}
