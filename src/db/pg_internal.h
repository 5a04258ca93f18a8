/*
 * pg_internal.h - the PostgreSQL driver's connection, shared by db_pg.c
 * (statements, transactions, notifications, locks) and db_pg_fts.c (the
 * full-text index). Private to src/db/.
 */
#ifndef DL_DB_PG_INTERNAL_H
#define DL_DB_PG_INTERNAL_H

#include "core/compat.h"
#include <libpq-fe.h>
#include "db/driver.h"

struct text_analyzer;

struct pg_db {
	struct db base;
	PGconn *conn;
	char *url;              /* as given; never logged (it may hold a password) */
	char *where;            /* host:port/dbname, for messages */
	/* Bumped at every reconnect: server-side prepared statements died with
	 * the old session, so each statement re-prepares when its copy is older. */
	unsigned incarnation;
	unsigned next_name;
	int64_t changes;
	int64_t last_reset_ms;  /* reconnects are tried at most every 250 ms */
	int64_t last_warned_ms; /* an outage is logged every 5 s, not per request */
	bool ready;             /* connected and the session set up */
	bool tx_failed;         /* a statement failed inside the open transaction */
	int tx_rc;              /* ... with this code */
	bool lock_held;         /* the advisory lock taken by db_try_lock() */
	unsigned lock_incarnation;
	struct text_analyzer *ta;  /* the full-text analyzer, made on first use */
};

#define PDB(db) ((struct pg_db *)(db))

/* Map a failed result to a dl_rc, logging it (conflicts at debug level);
 * marks the transaction failed. `res` may be NULL (a lost connection). */
int pg_fail(struct pg_db *p, PGresult *res, const char *what);

/* Make sure the connection is up, reconnecting if it was lost: DL_OK or
 * DL_UNAVAILABLE. */
int pg_ensure(struct pg_db *p);

/* Plain SQL outside the statement cache (BEGIN, DDL, NOTIFY), with the
 * transaction bookkeeping of db_pg.c: the driver's exec op. */
int pg_exec(struct db *db, const char *sql);

extern const struct db_driver db_pg_driver;

/* Several nodes (db_pg_nodes.c). */
int pg_notify(struct db *db, const char *channel);
int pg_listen(struct db *db, const char *channel);
int pg_notify_on_write(struct db *db, const char *table, const char *channel);
int pg_wait_notify(struct db *db, int timeout_ms);
int pg_try_lock(struct db *db, int64_t key, bool *held);
int pg_sync_ids(struct db *db, const char *table);

/* The full-text ops (db_pg_fts.c). */
int pg_fts_create(struct db *db);
int pg_fts_put(struct db *db, int64_t id, struct slice title, struct slice dek,
	       struct slice body);
int pg_fts_delete(struct db *db, int64_t id);
int pg_fts_count(struct db *db, int64_t *n);
extern const char pg_fts_text_sql[];
int pg_fts_search(struct db *db, const char *const *terms, size_t nterms, int64_t limit,
		  int64_t offset, void (*fn)(void *, int64_t, struct slice), void *ctx);
int pg_fts_search_count(struct db *db, const char *const *terms, size_t nterms, int64_t *n);

#endif
