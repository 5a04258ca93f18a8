/*
 * db.h - the one SQL interface Dateline talks to; drivers hide the engine.
 *
 * Drivers: SQLite (embedded default, db_sqlite.c) and PostgreSQL (scale-out,
 * db_pg.c). Callers write one dialect-neutral SQL text per query using `?`
 * placeholders, `INSERT ... ON CONFLICT ... DO UPDATE`, `RETURNING`, and
 * `LIMIT ? OFFSET ?`; the driver rewrites what its engine spells
 * differently (placeholders, DDL types) and owns the full-text index, whose
 * shape is engine-specific (FTS5 here, tsvector there).
 *
 * A `struct db` is one connection, used by one thread at a time. Statements
 * are prepared once per connection and cached by the address of their SQL
 * text, so SQL must be a string literal (never built from input: every value
 * is a bound parameter).
 *
 * Errors: functions return DL_OK or a negative dl_rc; a constraint violation
 * is DL_CONFLICT, a lost server DL_UNAVAILABLE; the driver logs the details.
 */
#ifndef DL_DB_H
#define DL_DB_H

#include "core/compat.h"
#include "core/slice.h"

struct db;
struct db_stmt;

enum db_step_rc { DB_DONE = 0, DB_ROW = 1 };

/*
 * Open a connection. `url` is "sqlite:PATH", a bare PATH (SQLite), or
 * "postgresql://..." / "postgres://...". A new SQLite file is created with
 * its parent folder must exist. Returns DL_OK and *out, or an error
 * (logged, naming the url without any password).
 */
int db_open(const char *url, struct db **out);
/* Append `url` fit for a message or a log: a password in it becomes "***". */
struct strbuf;
void db_url_for_humans(const char *url, struct strbuf *out);
/* True for a database server's URL (postgresql://), false for a SQLite file. */
bool db_url_is_server(const char *url);
/* The url `db` was opened with: what names one database within a process. */
const char *db_url(const struct db *db);
/* Finalize cached statements and close. NULL is ok. */
void db_close(struct db *db);
/* "sqlite" or "postgresql". */
const char *db_driver_name(const struct db *db);

/*
 * The cached prepared statement for `sql` (a string literal), reset and
 * with no bindings. Must be released with db_done() before the same SQL is
 * prepared again on this connection. Returns NULL after logging when the
 * SQL does not compile (a programmer's mistake, or a lost server).
 */
struct db_stmt *db_prepare(struct db *db, const char *sql);

/*
 * Bind parameters 1..n from a format string, one letter each:
 *   i  int64_t          s  const char * (NULL binds NULL)
 *   S  struct slice     n  NULL (no argument)
 *   b  const void *, size_t   (blob)
 *   d  double
 */
void db_bind(struct db_stmt *st, const char *fmt, ...);
void db_bind_int(struct db_stmt *st, int idx, int64_t v);
void db_bind_text(struct db_stmt *st, int idx, const char *p, size_t len);
void db_bind_null(struct db_stmt *st, int idx);
void db_bind_double(struct db_stmt *st, int idx, double v);
void db_bind_blob(struct db_stmt *st, int idx, const void *p, size_t len);

/* Run one step: DB_ROW, DB_DONE, or a negative dl_rc. */
int db_step(struct db_stmt *st);
/* Time spent in db_step() by every connection of this process, and how many steps. */
void db_time_totals(uint64_t *ns, uint64_t *steps);
/* Memory the embedded engine (SQLite: page caches, statements) holds in this process
 * now; 0 when only a server database is used. */
int64_t db_engine_memory(void);
/* Reset and clear bindings; the statement goes back to the cache. */
void db_done(struct db_stmt *st);
/* db_step() until done, then db_done(): for statements with no rows. */
int db_run(struct db_stmt *st);

/*
 * Step a bound statement once and read column 0 as an integer into *out,
 * then db_done() it. Returns DL_OK, DL_NOTFOUND when there was no row
 * (*out = 0), or an error. Accepts NULL (a failed prepare) as DL_ERR.
 */
int db_one_int(struct db_stmt *st, int64_t *out);

/* Column values of the current row (0-based); text is valid until the next
 * db_step()/db_done(). A NULL column reads as 0 / an empty slice. */
int64_t db_int(struct db_stmt *st, int col);
double db_double(struct db_stmt *st, int col);
struct slice db_text(struct db_stmt *st, int col);
bool db_is_null(struct db_stmt *st, int col);

/* Rows changed by the last INSERT/UPDATE/DELETE run on this connection. */
int64_t db_changes(struct db *db);

/* Transactions. db_begin() takes the write lock up front (no upgrade
 * deadlocks); nesting is an assertion failure. A transaction in which a
 * statement failed never commits: db_commit() rolls it back and returns
 * that statement's error, on every engine. */
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);

/*
 * Bulk-load mode for generators and importers: commits stop waiting for
 * the disk (a crash may lose the load, never corrupt the database).
 */
int db_set_bulk(struct db *db, bool on);

/*
 * This connection reads much of the database once and keeps none of it (a
 * background index fill): SQLite reads through a small page cache instead
 * of its memory map, so what it read does not stay resident in the process.
 */
int db_set_scan(struct db *db);

/* Run SQL with no parameters and no rows (pragmas, DDL). */
int db_exec(struct db *db, const char *sql);

/* Copy the whole database, consistently, to the new file `dest` (SQLite),
 * reporting pages done of total; other engines refuse (pg_dump). */
int db_backup(struct db *db, const char *dest, void (*progress)(int done, int total));
/* The engine's integrity check: DL_OK, or DL_INVALID with its first complaint in out. */
struct strbuf;
int db_check(struct db *db, struct strbuf *out);

/* Numbered forward-only schema migrations, applied in order at start-up. */
struct db_migration {
	int version;
	const char *name;
	const char *sql;       /* neutral DDL: BIGSERIAL, BLOB, BIGINT, TEXT */
	bool create_fts;       /* then create the driver's full-text index */
};

/*
 * Apply every migration newer than the database's version, each in its own
 * transaction. A database newer than the binary is refused (DL_CONFLICT).
 */
int db_migrate(struct db *db, const struct db_migration *m, size_t n);
/* The schema version (0 for an empty database). */
int db_schema_version(struct db *db, int *version);

/* ---- Full-text index of articles (driver-specific storage) ---- */

/* Add or replace the indexed text of document `id`. */
int db_fts_put(struct db *db, int64_t id, struct slice title, struct slice dek,
	       struct slice body);
int db_fts_delete(struct db *db, int64_t id);
/* Number of documents in the index. */
int db_fts_count(struct db *db, int64_t *n);
/* The indexed text of document `id` (title, dek, body), arena-free: valid
 * until the statement is done, passed to `fn` once. */
int db_fts_text(struct db *db, int64_t id,
		void (*fn)(void *ctx, struct slice title, struct slice dek, struct slice body),
		void *ctx);

/*
 * Reader search looks at the DB_FTS_SEARCH_WINDOW matching documents with the
 * highest ids (the most recently added) and ranks only those: readers of a
 * news site want recent stories, and ranking every match of a common word
 * costs half a second at a million articles. Older matches are not found.
 */
#define DB_FTS_SEARCH_WINDOW 1000

/*
 * Reader search: documents containing every term (a term is one word or a
 * phrase of words separated by spaces; words are letters and digits only);
 * of those, the DB_FTS_SEARCH_WINDOW with the highest ids, best first by the
 * engine's ranking with every term weighted alike (SQLite: BM25's
 * term-frequency part, title x4, dek x2; no per-term rarity: every result has
 * every term), ties higher id first, `limit` after `offset`. fn gets
 * each hit's id and a snippet of its best column with matches between \x01
 * and \x02 (valid only during the call).
 */
int db_fts_search(struct db *db, const char *const *terms, size_t nterms, int64_t limit,
		  int64_t offset, void (*fn)(void *ctx, int64_t id, struct slice snippet),
		  void *ctx);
/*
 * How many documents contain every term, counted up to DB_FTS_SEARCH_WINDOW
 * + 1 and no further: *n > DB_FTS_SEARCH_WINDOW means "more than the window"
 * (db_fts_search() then finds exactly DB_FTS_SEARCH_WINDOW).
 */
int db_fts_search_count(struct db *db, const char *const *terms, size_t nterms, int64_t *n);

/* ---- Several nodes on one database ---- */

/*
 * True when the engine tells other processes about writes with
 * notifications (PostgreSQL: LISTEN/NOTIFY); false for SQLite, where every
 * process reads the shared file and there is nothing to tell.
 */
bool db_notifies(const struct db *db);
/* Notify `channel` (a literal name): inside a transaction it is sent at
 * commit, and not at all on rollback. DL_OK and nothing where unsupported. */
int db_notify(struct db *db, const char *channel);
/*
 * How many transactions that notified have committed in this process: a
 * cache fed by notifications compares it to know its own writes at once,
 * before their notification comes back.
 */
uint64_t db_notified_commits(void);
/*
 * Make every committed write to `table`, by any client (another node, an
 * operator's psql), notify `channel`: a trigger where notifications exist
 * (idempotent; names are the store's literals). DL_OK and nothing elsewhere.
 */
int db_notify_on_write(struct db *db, const char *table, const char *channel);
/* Listen on `channel` on this connection (it then belongs to one waiter). */
int db_listen(struct db *db, const char *channel);
/*
 * Wait up to `timeout_ms` for a notification on a listening connection:
 * 1 when at least one arrived (all pending are consumed), 0 on time-out,
 * DL_UNAVAILABLE when the connection was lost (listen again after it is back).
 */
int db_wait_notify(struct db *db, int timeout_ms);
/*
 * Try to take the cluster-wide lock `key` for as long as this connection
 * lives (PostgreSQL: a session advisory lock, released by the server when
 * the process dies). *held says whether this connection holds it now; a
 * lost connection loses it. SQLite: always held (one machine).
 */
int db_try_lock(struct db *db, int64_t key, bool *held);
/*
 * After rows with explicit ids went into `table`'s BIGSERIAL `id`, make the
 * next generated id larger than any (table names come from the store's own
 * code, never from input). DL_OK where keys need nothing (SQLite).
 */
int db_sync_ids(struct db *db, const char *table);

/* ---- Per-thread connections ---- */

struct db_pool;

/* A source of one connection per calling thread, opened on first use. */
struct db_pool *db_pool_new(const char *url);
/* This thread's connection, or NULL if it cannot be opened (logged). */
struct db *db_pool_get(struct db_pool *pool);
/* Close every connection; threads using the pool must have stopped. */
void db_pool_free(struct db_pool *pool);

#endif
