/*
 * db_sqlite.c - the embedded SQLite driver: WAL, foreign keys, FTS5 with
 * Dateline's own tokenizer (db/text.h), so the index stems exactly as Related
 * News does.
 */
#include "core/compat.h"
#include <sqlite3.h>
#include "core/alloc.h"
#include "core/err.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "db/driver.h"
#include "db/sqlite_mem.h"
#include "core/text.h"

struct sqlite_db {
	struct db base;
	sqlite3 *h;
	char *path;
};

struct sqlite_stmt {
	struct db_stmt base;
	sqlite3_stmt *h;
};

#define SDB(db) ((struct sqlite_db *)(db))
#define SST(st) (((struct sqlite_stmt *)(st))->h)

static int map_rc(struct db *db, int rc, const char *what)
{
	sqlite3 *h = SDB(db)->h;

	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
		return DL_OK;
	case SQLITE_CONSTRAINT:
		log_debug("sqlite: %s: %s", what, sqlite3_errmsg(h));
		return DL_CONFLICT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		warning("sqlite %s: %s: %s", SDB(db)->path, what, sqlite3_errmsg(h));
		return DL_UNAVAILABLE;
	case SQLITE_TOOBIG:
		return DL_TOOBIG;
	default:
		error("sqlite %s: %s: %s", SDB(db)->path, what, sqlite3_errmsg(h));
		return DL_ERR;
	}
}

/* ---- the FTS5 tokenizer ---- */

struct fts_tok {
	struct text_analyzer *ta;
};

struct fts_tok_call {
	void *ctx;
	int (*token)(void *, int, const char *, int, int, int);
};

static int fts_tok_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
	struct fts_tok *t = xcalloc(1, sizeof(*t));

	t->ta = text_analyzer_new("english");
	if (!t->ta) {
		free(t);
		return SQLITE_ERROR;
	}
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void fts_tok_delete(Fts5Tokenizer *tok)
{
	struct fts_tok *t = (struct fts_tok *)tok;

	text_analyzer_free(t->ta);
	free(t);
}

static int fts_tok_word(void *ctx, const char *stem, size_t n, size_t start, size_t end)
{
	struct fts_tok_call *c = ctx;

	return c->token(c->ctx, 0, stem, (int)n, (int)start, (int)end);
}

static int fts_tok_tokenize(Fts5Tokenizer *tok, void *ctx, int flags, const char *text, int len,
			    int (*token)(void *, int, const char *, int, int, int))
{
	struct fts_tok *t = (struct fts_tok *)tok;
	struct fts_tok_call c = { ctx, token };

	return text_analyze(t->ta, text, (size_t)len, fts_tok_word, &c);
}

/*
 * dl_rank(article_fts, title weight, dek weight, body weight): BM25 (k1 1.2,
 * b 0.75, FTS5's bm25() otherwise) with every phrase weighted alike. bm25()
 * works out each phrase's rarity by walking its whole doclist on every query
 * (20 ms for "economy growth" at a million articles); reader search ranks
 * documents that all contain every phrase, so rarity would only weigh the
 * phrases against each other. Negative: ORDER BY it ascending, best first.
 */
static void fts_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
		     int nval, sqlite3_value **val)
{
	const double k1 = 1.2, b = 0.75;
	double freq[64] = { 0 }, score = 0, avgdl;
	sqlite3_int64 nrow = 0, ntok = 0;
	int nphrase = api->xPhraseCount(fts), ninst = 0, doclen = 0, rc;

	if (nphrase > (int)ARRAY_SIZE(freq))
		nphrase = (int)ARRAY_SIZE(freq);
	rc = api->xRowCount(fts, &nrow);
	if (rc == SQLITE_OK)
		rc = api->xColumnTotalSize(fts, -1, &ntok);
	if (rc == SQLITE_OK)
		rc = api->xInstCount(fts, &ninst);
	for (int i = 0; rc == SQLITE_OK && i < ninst; i++) {
		int phrase, column, offset;

		rc = api->xInst(fts, i, &phrase, &column, &offset);
		if (rc == SQLITE_OK && phrase < nphrase)
			freq[phrase] += column < nval ? sqlite3_value_double(val[column]) : 1.0;
	}
	if (rc == SQLITE_OK)
		rc = api->xColumnSize(fts, -1, &doclen);
	if (rc != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	avgdl = nrow > 0 && ntok > 0 ? (double)ntok / (double)nrow : 1.0;
	for (int i = 0; i < nphrase; i++)
		if (freq[i] > 0)
			score += freq[i] * (k1 + 1) / (freq[i] + k1 * (1 - b + b * doclen / avgdl));
	sqlite3_result_double(ctx, -score);
}

static int register_tokenizer(sqlite3 *h)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st;
	static fts5_tokenizer tok = { fts_tok_create, fts_tok_delete, fts_tok_tokenize };

	if (sqlite3_prepare_v2(h, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return SQLITE_ERROR;
	sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (!api)
		return SQLITE_ERROR;
	if (api->xCreateTokenizer(api, "dateline", NULL, &tok, NULL) != SQLITE_OK)
		return SQLITE_ERROR;
	return api->xCreateFunction(api, "dl_rank", NULL, fts_rank, NULL);
}

/* ---- connection ---- */

static const char SQLITE_PRAGMAS[] =
	/* FULL: an acknowledged publish survives power loss; writes are rare. */
	"PRAGMA synchronous = FULL;"
	"PRAGMA foreign_keys = ON;"
	"PRAGMA temp_store = MEMORY;"
	"PRAGMA cache_size = -16000;"
	"PRAGMA mmap_size = 268435456;";

static void sqlite_close(struct db *db)
{
	sqlite3_close_v2(SDB(db)->h);
	free(SDB(db)->path);
	free(db);
}

static int sqlite_open(const char *path, struct db **out)
{
	struct sqlite_db *s = xcalloc(1, sizeof(*s));
	int rc;

	s->base.drv = &db_sqlite_driver;
	s->path = xstrdup(path);
	sqlite_mem_install();
	rc = sqlite3_open_v2(path, &s->h,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		error("cannot open database '%s': %s", path,
		      s->h ? sqlite3_errmsg(s->h) : sqlite3_errstr(rc));
		sqlite_close(&s->base);
		return DL_ERR;
	}
	sqlite3_extended_result_codes(s->h, 1);
	if (register_tokenizer(s->h) != SQLITE_OK) {
		error("database '%s': cannot register the full-text tokenizer", path);
		sqlite_close(&s->base);
		return DL_ERR;
	}
	/* Wait for other processes' locks before anything else, then switch to
	 * WAL, which needs a moment of exclusive access on a brand-new file. */
	sqlite3_busy_timeout(s->h, 5000);
	for (int tries = 0; tries < 50; tries++) {
		rc = sqlite3_exec(s->h, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			break;
		sqlite3_sleep(100);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->h, SQLITE_PRAGMAS, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		error("database '%s': %s", path, sqlite3_errmsg(s->h));
		sqlite_close(&s->base);
		return DL_ERR;
	}
	*out = &s->base;
	return DL_OK;
}

/* ---- statements ---- */

static struct db_stmt *sqlite_prepare(struct db *db, const char *sql)
{
	struct sqlite_stmt *st = xcalloc(1, sizeof(*st));
	int rc;

	rc = sqlite3_prepare_v3(SDB(db)->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->h, NULL);
	if (rc != SQLITE_OK) {
		error("sqlite: cannot prepare [%s]: %s", sql, sqlite3_errmsg(SDB(db)->h));
		free(st);
		return NULL;
	}
	return &st->base;
}

static void sqlite_finalize(struct db_stmt *st)
{
	sqlite3_finalize(SST(st));
	free(st);
}

static void sqlite_bind_int(struct db_stmt *st, int idx, int64_t v)
{
	sqlite3_bind_int64(SST(st), idx, v);
}

static void sqlite_bind_double(struct db_stmt *st, int idx, double v)
{
	sqlite3_bind_double(SST(st), idx, v);
}

static void sqlite_bind_text(struct db_stmt *st, int idx, const char *p, size_t len)
{
	/* TRANSIENT: callers' buffers may not outlive the step. */
	sqlite3_bind_text64(SST(st), idx, p, len, SQLITE_TRANSIENT, SQLITE_UTF8);
}

static void sqlite_bind_blob(struct db_stmt *st, int idx, const void *p, size_t len)
{
	sqlite3_bind_blob64(SST(st), idx, p, len, SQLITE_TRANSIENT);
}

static void sqlite_bind_null(struct db_stmt *st, int idx)
{
	sqlite3_bind_null(SST(st), idx);
}

static int sqlite_step(struct db_stmt *st)
{
	int rc = sqlite3_step(SST(st));

	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	return map_rc(st->db, rc, st->sql);
}

static void sqlite_reset(struct db_stmt *st)
{
	sqlite3_reset(SST(st));
	sqlite3_clear_bindings(SST(st));
}

static int64_t sqlite_col_int(struct db_stmt *st, int col)
{
	return sqlite3_column_int64(SST(st), col);
}

static double sqlite_col_double(struct db_stmt *st, int col)
{
	return sqlite3_column_double(SST(st), col);
}

static struct slice sqlite_col_text(struct db_stmt *st, int col)
{
	const char *p;
	int n;

	if (sqlite3_column_type(SST(st), col) == SQLITE_BLOB) {
		p = sqlite3_column_blob(SST(st), col);
	} else {
		p = (const char *)sqlite3_column_text(SST(st), col);
	}
	n = sqlite3_column_bytes(SST(st), col);
	return (struct slice){ p ? p : "", p ? (size_t)n : 0 };
}

static bool sqlite_col_null(struct db_stmt *st, int col)
{
	return sqlite3_column_type(SST(st), col) == SQLITE_NULL;
}

static int64_t sqlite_changes(struct db *db)
{
	return sqlite3_changes64(SDB(db)->h);
}

static int sqlite_exec(struct db *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(SDB(db)->h, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		int r = map_rc(db, rc, "exec");
		sqlite3_free(msg);
		return r;
	}
	return DL_OK;
}

static int sqlite_begin(struct db *db)
{
	return sqlite_exec(db, "BEGIN IMMEDIATE");
}

static int sqlite_set_bulk(struct db *db, bool on)
{
	return sqlite_exec(db, on ? "PRAGMA synchronous = OFF" : "PRAGMA synchronous = FULL");
}

int64_t db_engine_memory(void)
{
	return sqlite_mem_used();
}

static int sqlite_set_scan(struct db *db)
{
	return sqlite_exec(db, "PRAGMA mmap_size = 0; PRAGMA cache_size = -2000");
}

/* Neutral DDL to SQLite: BIGSERIAL is an INTEGER PRIMARY KEY (the rowid). */
static void sqlite_ddl(const char *sql, struct strbuf *out)
{
	const char *p = sql, *hit;

	while ((hit = strstr(p, "BIGSERIAL"))) {
		strbuf_add(out, p, (size_t)(hit - p));
		strbuf_addstr(out, "INTEGER");
		p = hit + strlen("BIGSERIAL");
	}
	strbuf_addstr(out, p);
}

/* ---- full-text index ---- */

static int sqlite_fts_create(struct db *db)
{
	return sqlite_exec(db,
		"CREATE VIRTUAL TABLE article_fts USING fts5("
		" title, dek, body, tokenize = 'dateline');");
}

static const char SQL_FTS_DELETE[] = "DELETE FROM article_fts WHERE rowid = ?";
static const char SQL_FTS_INSERT[] =
	"INSERT INTO article_fts (rowid, title, dek, body) VALUES (?, ?, ?, ?)";
static const char SQL_FTS_COUNT[] = "SELECT COUNT(*) FROM article_fts";
static const char SQL_FTS_TEXT[] = "SELECT title, dek, body FROM article_fts WHERE rowid = ?";

static int sqlite_fts_delete(struct db *db, int64_t id)
{
	struct db_stmt *st = db_prepare(db, SQL_FTS_DELETE);

	if (!st)
		return DL_ERR;
	db_bind(st, "i", id);
	return db_run(st);
}

static int sqlite_fts_put(struct db *db, int64_t id, struct slice title, struct slice dek,
			  struct slice body)
{
	struct db_stmt *st;
	int rc = sqlite_fts_delete(db, id);

	if (rc)
		return rc;
	st = db_prepare(db, SQL_FTS_INSERT);
	if (!st)
		return DL_ERR;
	db_bind(st, "iSSS", id, title, dek, body);
	return db_run(st);
}

static int sqlite_fts_count(struct db *db, int64_t *n)
{
	return db_one_int(db_prepare(db, SQL_FTS_COUNT), n);
}

/* Quoted FTS5 strings joined by `op`: a word can never be read as an operator. */
static void fts5_query(struct strbuf *q, const char *const *terms, size_t n, const char *op)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(q, op);
		strbuf_addch(q, '"');
		for (const char *w = terms[i]; *w; w++) {
			if (*w == '"')
				strbuf_addch(q, '"');
			strbuf_addch(q, *w);
		}
		strbuf_addch(q, '"');
	}
}

/*
 * Only the DB_FTS_SEARCH_WINDOW newest matches (highest rowid) are ranked: FTS5
 * walks doclists in rowid order, so finding them stops early, and ranking
 * (dl_rank: no per-query doclist walks) costs the same at a million articles as
 * at a thousand. Snippets are made for the page's hits only, in one pass over the
 * rowid range they span: probing the index once per hit by rowid cost 0.7 ms each.
 */
static const char SQL_FTS_SEARCH[] =
	"WITH hits (id, score) AS ("
	" SELECT rowid, dl_rank(article_fts, 4.0, 2.0, 1.0) FROM article_fts"
	" WHERE article_fts MATCH ?1 AND rowid >= (SELECT COALESCE(MIN(rowid), 0) FROM"
	"  (SELECT rowid FROM article_fts WHERE article_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?4))"
	" ORDER BY 2, 1 DESC LIMIT ?2 OFFSET ?3)"
	" SELECT hits.id, snippet(article_fts, -1, char(1), char(2), '\xE2\x80\xA6', 28)"
	" FROM article_fts JOIN hits ON hits.id = +article_fts.rowid"
	" WHERE article_fts MATCH ?1 AND article_fts.rowid >= (SELECT MIN(id) FROM hits)"
	" AND article_fts.rowid <= (SELECT MAX(id) FROM hits) ORDER BY hits.score, hits.id DESC";
/* Counting stops one past the window: "more than DB_FTS_SEARCH_WINDOW". */
static const char SQL_FTS_SEARCH_COUNT[] =
	"SELECT COUNT(*) FROM (SELECT rowid FROM article_fts WHERE article_fts MATCH ?"
	" ORDER BY rowid DESC LIMIT ?)";

static int sqlite_fts_search(struct db *db, const char *const *terms, size_t nterms,
			     int64_t limit, int64_t offset,
			     void (*fn)(void *, int64_t, struct slice), void *ctx)
{
	struct strbuf q = STRBUF_INIT;
	struct db_stmt *st;
	int rc;

	fts5_query(&q, terms, nterms, " AND ");
	st = db_prepare(db, SQL_FTS_SEARCH);
	if (!st) {
		strbuf_release(&q);
		return DL_ERR;
	}
	db_bind(st, "Siii", slice_from(q.buf, q.len), limit, offset,
		(int64_t)DB_FTS_SEARCH_WINDOW);
	while ((rc = db_step(st)) == DB_ROW)
		fn(ctx, db_int(st, 0), db_text(st, 1));
	db_done(st);
	strbuf_release(&q);
	return rc < 0 ? rc : DL_OK;
}

static int sqlite_fts_search_count(struct db *db, const char *const *terms, size_t nterms,
				   int64_t *n)
{
	struct strbuf q = STRBUF_INIT;
	struct db_stmt *st;
	int rc;

	fts5_query(&q, terms, nterms, " AND ");
	st = db_prepare(db, SQL_FTS_SEARCH_COUNT);
	if (!st) {
		strbuf_release(&q);
		return DL_ERR;
	}
	db_bind(st, "Si", slice_from(q.buf, q.len), (int64_t)DB_FTS_SEARCH_WINDOW + 1);
	rc = db_one_int(st, n);
	strbuf_release(&q);
	return rc;
}

/*
 * SQLite's online backup: pages are copied in steps, and a write to the source
 * between steps restarts the copy, so the result is always one consistent
 * moment of the database even while the site keeps publishing.
 */
static int sqlite_backup(struct db *db, const char *dest, void (*progress)(int done, int total))
{
	sqlite3 *out = NULL;
	sqlite3_backup *b;
	int rc;

	rc = sqlite3_open_v2(dest, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		error("backup: cannot create %s: %s", dest, out ? sqlite3_errmsg(out) : "out of memory");
		sqlite3_close(out);
		return DL_ERR;
	}
	sqlite3_busy_timeout(out, 5000);
	b = sqlite3_backup_init(out, "main", SDB(db)->h, "main");
	if (!b) {
		error("backup: %s", sqlite3_errmsg(out));
		sqlite3_close(out);
		return DL_ERR;
	}
	do {
		rc = sqlite3_backup_step(b, 256);
		if (progress)
			progress(sqlite3_backup_pagecount(b) - sqlite3_backup_remaining(b),
				 sqlite3_backup_pagecount(b));
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		error("backup to %s failed: %s", dest, sqlite3_errmsg(out));
		sqlite3_close(out);
		return DL_ERR;
	}
	/* The copy keeps WAL mode; checkpoint so the file alone is the whole backup. */
	sqlite3_exec(out, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	sqlite3_close(out);
	return DL_OK;
}

static int sqlite_check(struct db *db, struct strbuf *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(SDB(db)->h, "PRAGMA integrity_check", -1, &st, NULL);
	bool ok = false;

	if (rc != SQLITE_OK)
		return map_rc(db, rc, "integrity check");
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *msg = (const char *)sqlite3_column_text(st, 0);
		ok = msg && !strcmp(msg, "ok");
		strbuf_addstr(out, msg ? msg : "no answer");
	}
	sqlite3_finalize(st);
	return ok ? DL_OK : DL_INVALID;
}

const struct db_driver db_sqlite_driver = {
	.name = "sqlite",
	.open = sqlite_open,
	.close = sqlite_close,
	.prepare = sqlite_prepare,
	.finalize = sqlite_finalize,
	.bind_int = sqlite_bind_int,
	.bind_double = sqlite_bind_double,
	.bind_text = sqlite_bind_text,
	.bind_blob = sqlite_bind_blob,
	.bind_null = sqlite_bind_null,
	.step = sqlite_step,
	.reset = sqlite_reset,
	.col_int = sqlite_col_int,
	.col_double = sqlite_col_double,
	.col_text = sqlite_col_text,
	.col_null = sqlite_col_null,
	.changes = sqlite_changes,
	.exec = sqlite_exec,
	.begin = sqlite_begin,
	.set_bulk = sqlite_set_bulk,
	.set_scan = sqlite_set_scan,
	.backup = sqlite_backup,
	.check = sqlite_check,
	.ddl = sqlite_ddl,
	.fts_create = sqlite_fts_create,
	.fts_put = sqlite_fts_put,
	.fts_delete = sqlite_fts_delete,
	.fts_count = sqlite_fts_count,
	.fts_text_sql = SQL_FTS_TEXT,
	.fts_search = sqlite_fts_search,
	.fts_search_count = sqlite_fts_search_count,
};
