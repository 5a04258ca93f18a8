/*
 * driver.h - what a database driver provides to db.c. Private to src/db/.
 */
#ifndef DL_DB_DRIVER_H
#define DL_DB_DRIVER_H

#include "core/strbuf.h"
#include "db/db.h"

struct db_driver {
	const char *name;
	int (*open)(const char *url, struct db **out);
	void (*close)(struct db *db);
	/* Compile `sql` (neutral dialect) into a new statement. */
	struct db_stmt *(*prepare)(struct db *db, const char *sql);
	void (*finalize)(struct db_stmt *st);
	void (*bind_int)(struct db_stmt *st, int idx, int64_t v);
	void (*bind_double)(struct db_stmt *st, int idx, double v);
	void (*bind_text)(struct db_stmt *st, int idx, const char *p, size_t len);
	void (*bind_blob)(struct db_stmt *st, int idx, const void *p, size_t len);
	void (*bind_null)(struct db_stmt *st, int idx);
	int (*step)(struct db_stmt *st);
	void (*reset)(struct db_stmt *st);
	int64_t (*col_int)(struct db_stmt *st, int col);
	double (*col_double)(struct db_stmt *st, int col);
	struct slice (*col_text)(struct db_stmt *st, int col);
	bool (*col_null)(struct db_stmt *st, int col);
	int64_t (*changes)(struct db *db);
	int (*exec)(struct db *db, const char *sql);
	int (*begin)(struct db *db);
	int (*set_bulk)(struct db *db, bool on);
	int (*set_scan)(struct db *db);   /* NULL: nothing to change */
	/* A consistent copy of the whole database into a new file (NULL: not this engine's job). */
	int (*backup)(struct db *db, const char *dest, void (*progress)(int done, int total));
	/* The engine's own consistency check: DL_OK, or DL_INVALID with the first problem in out. */
	int (*check)(struct db *db, struct strbuf *out);
	/* Rewrite neutral DDL for this engine (appending to out). */
	void (*ddl)(const char *sql, struct strbuf *out);
	int (*fts_create)(struct db *db);
	int (*fts_put)(struct db *db, int64_t id, struct slice title, struct slice dek,
		       struct slice body);
	int (*fts_delete)(struct db *db, int64_t id);
	int (*fts_count)(struct db *db, int64_t *n);
	/* SELECT title, dek, body of the document whose id is bound as parameter 1. */
	const char *fts_text_sql;
	int (*fts_search)(struct db *db, const char *const *terms, size_t nterms, int64_t limit,
			  int64_t offset, void (*fn)(void *, int64_t, struct slice), void *ctx);
	int (*fts_search_count)(struct db *db, const char *const *terms, size_t nterms, int64_t *n);
	/* Several nodes on one database (NULL: one machine, nothing to tell). */
	int (*notify)(struct db *db, const char *channel);
	int (*listen)(struct db *db, const char *channel);
	int (*notify_on_write)(struct db *db, const char *table, const char *channel);
	int (*wait_notify)(struct db *db, int timeout_ms);
	int (*try_lock)(struct db *db, int64_t key, bool *held);
	/* After explicit ids went into `table` (NULL: generated keys need nothing). */
	int (*sync_ids)(struct db *db, const char *table);
};

/* Statement cache entry, embedded first in every driver's statement. */
struct db_stmt {
	struct db *db;
	const char *sql;   /* cache key: the literal's address */
	bool in_use;
};

/* Common connection state, embedded first in every driver's connection. */
struct db {
	const struct db_driver *drv;
	char *url;                /* as given to db_open() (may hold a password: never log it) */
	struct db_stmt **cache;   /* open-addressed by sql pointer */
	size_t cache_size, cache_nr;
	bool in_tx;
	bool tx_notified;         /* the open transaction called db_notify() */
	int tx_failed;            /* the first error a statement had in it (0: none) */
};

extern const struct db_driver db_sqlite_driver;
extern const struct db_driver db_pg_driver;

#endif
