/*
 * db_pg_nodes.c - what several nodes on one PostgreSQL need from the driver:
 * LISTEN/NOTIFY (and a trigger so writes behind Dateline's back notify too),
 * a cluster-wide advisory lock for the one scheduler, and moving id
 * sequences past explicitly inserted ids.
 */
#include "core/compat.h"
#include <ctype.h>
#include <poll.h>
#include "core/err.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "db/pg_internal.h"

/* Channel and table names are the store's literals: checked, so nothing else reaches SQL. */
static bool channel_ok(const char *channel)
{
	if (!*channel || strlen(channel) > 63)
		return false;
	for (const char *c = channel; *c; c++)
		if (!islower((unsigned char)*c) && *c != '_')
			return false;
	return true;
}

int pg_notify(struct db *db, const char *channel)
{
	char sql[96];

	if (!channel_ok(channel))
		return error("postgresql: '%s' is not a channel name", channel);
	snprintf(sql, sizeof(sql), "NOTIFY %s", channel);
	return pg_exec(db, sql);
}

int pg_listen(struct db *db, const char *channel)
{
	char sql[96];

	if (!channel_ok(channel))
		return error("postgresql: '%s' is not a channel name", channel);
	snprintf(sql, sizeof(sql), "LISTEN %s", channel);
	return pg_exec(db, sql);
}

static const char SQL_HAS_TRIGGER[] =
	"SELECT COUNT(*) FROM pg_trigger t JOIN pg_proc f ON f.oid = t.tgfoid"
	" WHERE t.tgrelid = CAST(? AS regclass) AND t.tgname = ? AND f.proname = 'dateline_notify'";

int pg_notify_on_write(struct db *db, const char *table, const char *channel)
{
	struct strbuf sql = STRBUF_INIT;
	struct db_stmt *st;
	int64_t have = 0;
	int rc;

	if (!channel_ok(table) || !channel_ok(channel))
		return error("postgresql: '%s'/'%s' is not a table/channel name", table, channel);
	/* Already there (every start after the first): no DDL, so no table lock
	 * that would queue behind a pg_dump and stall every reader. */
	strbuf_addf(&sql, "%s_notify", table);
	st = db_prepare(db, SQL_HAS_TRIGGER);
	if (!st) {
		strbuf_release(&sql);
		return DL_ERR;
	}
	db_bind(st, "ss", table, sql.buf);
	rc = db_one_int(st, &have);
	strbuf_reset(&sql);
	if (rc || have) {
		strbuf_release(&sql);
		return rc;
	}
	strbuf_addf(&sql,
		"CREATE OR REPLACE FUNCTION dateline_notify() RETURNS trigger LANGUAGE plpgsql AS"
		" $$ BEGIN PERFORM pg_notify(TG_ARGV[0], ''); RETURN NULL; END $$;"
		"DROP TRIGGER IF EXISTS %s_notify ON %s;"
		"CREATE TRIGGER %s_notify AFTER INSERT OR UPDATE OR DELETE ON %s"
		" FOR EACH STATEMENT EXECUTE FUNCTION dateline_notify('%s')",
		table, table, table, table, channel);
	rc = pg_exec(db, sql.buf);
	strbuf_release(&sql);
	return rc;
}

static int drain(struct pg_db *p)
{
	PGnotify *n;
	int got = 0;

	while ((n = PQnotifies(p->conn))) {
		got = 1;
		PQfreemem(n);
	}
	return got;
}

int pg_wait_notify(struct db *db, int timeout_ms)
{
	struct pg_db *p = PDB(db);
	struct pollfd pfd;
	int got;

	if (pg_ensure(p))
		return DL_UNAVAILABLE;
	if (!PQconsumeInput(p->conn))
		return pg_fail(p, NULL, "waiting for notifications");
	got = drain(p);
	if (got)
		return got;
	pfd.fd = PQsocket(p->conn);
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (pfd.fd < 0)
		return DL_UNAVAILABLE;
	if (poll(&pfd, 1, timeout_ms) <= 0)
		return 0;
	if (!PQconsumeInput(p->conn) || PQstatus(p->conn) != CONNECTION_OK)
		return pg_fail(p, NULL, "waiting for notifications");
	return drain(p);
}

static const char SQL_TRY_LOCK[] = "SELECT pg_try_advisory_lock(?)";

int pg_try_lock(struct db *db, int64_t key, bool *held)
{
	struct pg_db *p = PDB(db);
	struct db_stmt *st;
	int64_t got = 0;
	int rc;

	*held = false;
	if (p->lock_held && p->lock_incarnation == p->incarnation &&
	    PQstatus(p->conn) == CONNECTION_OK) {
		*held = true;
		return DL_OK;
	}
	st = db_prepare(db, SQL_TRY_LOCK);
	if (!st)
		return DL_ERR;
	db_bind(st, "i", key);
	rc = db_one_int(st, &got);
	if (rc)
		return rc;
	p->lock_held = got != 0;
	p->lock_incarnation = p->incarnation;
	*held = p->lock_held;
	return DL_OK;
}

int pg_sync_ids(struct db *db, const char *table)
{
	struct strbuf sql = STRBUF_INIT;
	int rc;

	if (!channel_ok(table))  /* the store's own names: never input */
		return error("postgresql: '%s' is not a table name", table);
	/* setval(..., false) when empty: the next id is then 1. */
	strbuf_addf(&sql, "SELECT setval(pg_get_serial_sequence('%s', 'id'),"
			  " COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false)", table, table);
	rc = pg_exec(db, sql.buf);
	strbuf_release(&sql);
	return rc;
}
