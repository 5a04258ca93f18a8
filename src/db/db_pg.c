/*
 * db_pg.c - the PostgreSQL driver (libpq): the scale-out store that several
 * stateless nodes share.
 *
 * The neutral dialect maps almost one to one: `?` becomes `$n`, BLOB becomes
 * BYTEA, and SQLite's LIKE (which folds ASCII case) becomes ILIKE. Values
 * travel as text (bytea in binary); statements are prepared on the server
 * once per connection, at their first run, with the types then bound (an
 * integer is int8, text is left for the server to infer from its column).
 *
 * Writers serialise as they do on SQLite: db_begin() takes one
 * transaction-level advisory lock, because the store's read-then-write
 * steps were written for SQLite's single writer and a newsroom writes a few
 * times a second, not thousands.
 *
 * A lost server is DL_UNAVAILABLE; the next use reconnects (at most every
 * 250 ms) and re-prepares, so a restart of PostgreSQL costs the requests in
 * flight and nothing else.
 */
#include "core/compat.h"
#include <ctype.h>
#include <poll.h>
#include "core/alloc.h"
#include "core/err.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/text.h"
#include "db/pg_internal.h"

/* OIDs of the types the driver names (pg_type.h is server-side only). */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_FLOAT8 701

/* db_begin()'s advisory lock: "DL" "WR" (any constant other locks don't use). */
#define WRITE_LOCK_KEY 0x444c5752

struct pg_param {
	struct strbuf value;
	Oid type;
	bool null, binary;
};

struct pg_stmt {
	struct db_stmt base;
	char *text;                /* the SQL with $n placeholders */
	char name[16];
	unsigned incarnation;      /* prepared in this session; 0: never */
	int nparams;
	struct pg_param *params;
	/* libpq's parallel arrays, filled from params at each run */
	const char **values;
	int *lengths, *formats;
	Oid *types;
	PGresult *res;             /* the whole result of the current run */
	int row, nrows;
	bool ran;
	/* bytea columns decoded for the current row, freed at the next step */
	unsigned char **decoded;
	size_t ndecoded, alloc_decoded;
};

#define PST(st) ((struct pg_stmt *)(st))

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- errors ---- */

static int rc_of_state(const char *state)
{
	if (!state)
		return DL_UNAVAILABLE;
	if (!strncmp(state, "23", 2))          /* integrity constraint violation */
		return DL_CONFLICT;
	if (!strncmp(state, "08", 2) ||        /* connection exception */
	    !strncmp(state, "57P", 3) ||       /* operator intervention: shutdown */
	    !strncmp(state, "53", 2) ||        /* insufficient resources: too many connections */
	    !strcmp(state, "40001") || !strcmp(state, "40P01") ||  /* retry later */
	    !strcmp(state, "55P03") ||         /* lock not available */
	    !strcmp(state, "57014") ||         /* cancelled: a statement or lock timeout */
	    !strcmp(state, "25006"))           /* read-only: a standby, or mid-failover */
		return DL_UNAVAILABLE;
	if (!strcmp(state, "54000"))           /* e.g. a string too long for tsvector */
		return DL_TOOBIG;
	if (!strcmp(state, "22021") || !strcmp(state, "22P02"))  /* bad bytes, bad number */
		return DL_INVALID;
	return DL_ERR;
}

/* The first line of libpq's message, without its trailing newline. */
static int msg_len(const char *msg)
{
	const char *nl = strchr(msg, '\n');

	return nl ? (int)(nl - msg) : (int)strlen(msg);
}

int pg_fail(struct pg_db *p, PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : "";
	int rc;

	if (PQstatus(p->conn) != CONNECTION_OK) {
		rc = DL_UNAVAILABLE;
		msg = PQerrorMessage(p->conn);
	} else {
		rc = rc_of_state(state);
	}
	if (!*msg)
		msg = PQerrorMessage(p->conn);
	if (rc == DL_CONFLICT) {
		log_debug("postgresql: %s: %.*s", what, msg_len(msg), msg);
	} else if (rc == DL_UNAVAILABLE) {
		/* Once every few seconds per connection: an outage is not a log flood. */
		int64_t t = now_ms();
		if (t - p->last_warned_ms >= 5000) {
			p->last_warned_ms = t;
			warning("postgresql %s: %s: %.*s", p->where, what, msg_len(msg), msg);
		}
	} else
		error("postgresql %s: %s: %.*s", p->where, what, msg_len(msg), msg);
	if (p->base.in_tx && !p->tx_failed) {
		p->tx_failed = true;
		p->tx_rc = rc;
	}
	return rc;
}

/* ---- connection ---- */

/* "host:port/dbname" for messages: the URL minus any user and password. */
static char *describe(PGconn *conn, const char *url)
{
	struct strbuf sb = STRBUF_INIT;

	if (conn && PQstatus(conn) == CONNECTION_OK) {
		const char *host = PQhost(conn), *port = PQport(conn), *db = PQdb(conn);
		strbuf_addf(&sb, "%s:%s/%s", host ? host : "", port ? port : "", db ? db : "");
	} else {
		/* The authority's last '@' ends any user:password; nothing after '?'. */
		const char *scheme = strstr(url, "://");
		const char *auth = scheme ? scheme + 3 : url;
		size_t alen = strcspn(auth, "/?");
		const char *at = NULL;
		for (const char *c = auth; c < auth + alen; c++)
			if (*c == '@')
				at = c;
		const char *from = at ? at + 1 : auth;
		strbuf_add(&sb, from, strcspn(from, "?"));
	}
	return strbuf_detach(&sb, NULL);
}

static PGconn *connect_to(const char *url)
{
	/* The URL's own settings, then ours: a short connect timeout so a dead
	 * server costs a request 2 s at most, keepalives and a send timeout so a
	 * half-open connection (a NAT's idle timeout, a failover) is noticed in
	 * seconds, not hours, and a name in pg_stat_activity. */
	static const char *const keys[] = { "dbname", "connect_timeout", "keepalives",
					     "keepalives_idle", "keepalives_interval",
					     "keepalives_count", "tcp_user_timeout",
					     "application_name", "client_encoding", NULL };
	const char *values[] = { url, "2", "1", "30", "10", "3", "20000", "dateline", "UTF8", NULL };

	return PQconnectdbParams(keys, values, 1);
}

/* Session settings every connection needs, after each (re)connect. */
static int session_setup(struct pg_db *p)
{
	/* A writer waits for the write lock as long as SQLite's busy timeout,
	 * then gets DL_UNAVAILABLE (a 503, a flush retried) instead of hanging. */
	PGresult *res = PQexec(p->conn, "SET client_min_messages = warning;"
				        " SET standard_conforming_strings = on; SET lock_timeout = '5s'");
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? DL_OK : pg_fail(p, res, "session setup");

	PQclear(res);
	p->ready = !rc;
	return rc;
}

static void pg_close(struct db *db)
{
	struct pg_db *p = PDB(db);

	if (p->conn)
		PQfinish(p->conn);
	text_analyzer_free(p->ta);
	free(p->url);
	free(p->where);
	free(p);
}

static void quiet_notice(void *arg, const char *message)
{
}

static int pg_open(const char *url, struct db **out)
{
	struct pg_db *p = xcalloc(1, sizeof(*p));

	p->base.drv = &db_pg_driver;
	p->url = xstrdup(url);
	{
		/* libpq quotes the bad part of a malformed URL, password and all. */
		char *why = NULL;
		PQconninfoOption *opts = PQconninfoParse(url, &why);
		if (!opts) {
			PQfreemem(why);
			p->where = describe(NULL, url);
			error("database URL postgresql://...%s is malformed (see libpq's connection URIs;"
			      " a password with %% : @ / ? in it must be percent-encoded)", p->where);
			pg_close(&p->base);
			return DL_INVALID;
		}
		PQconninfoFree(opts);
	}
	p->conn = connect_to(url);
	p->where = describe(p->conn, url);
	if (PQstatus(p->conn) != CONNECTION_OK) {
		const char *msg = PQerrorMessage(p->conn);
		error("cannot connect to PostgreSQL at %s: %.*s", p->where, msg_len(msg), msg);
		pg_close(&p->base);
		return DL_UNAVAILABLE;
	}
	PQsetNoticeProcessor(p->conn, quiet_notice, NULL);
	p->incarnation = 1;
	if (session_setup(p)) {
		pg_close(&p->base);
		return DL_UNAVAILABLE;
	}
	*out = &p->base;
	return DL_OK;
}

int pg_ensure(struct pg_db *p)
{
	if (PQstatus(p->conn) == CONNECTION_OK && p->ready)
		return DL_OK;
	/* A new session inside a transaction would run the rest of it outside
	 * one: the transaction is lost, and stays failed until ROLLBACK. */
	if (p->base.in_tx)
		return DL_UNAVAILABLE;
	if (now_ms() - p->last_reset_ms < 250)
		return DL_UNAVAILABLE;
	PQreset(p->conn);  /* blocks up to connect_timeout */
	p->last_reset_ms = now_ms();
	p->ready = false;
	if (PQstatus(p->conn) != CONNECTION_OK)
		return DL_UNAVAILABLE;
	p->incarnation++;
	p->lock_held = false;
	log_info("reconnected to PostgreSQL at %s", p->where);
	return session_setup(p) ? DL_UNAVAILABLE : DL_OK;
}

/* ---- statements ---- */

static bool word_at(const char *s, const char *start, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(s, word, n))
		return false;
	if (s > start && (isalnum((unsigned char)s[-1]) || s[-1] == '_'))
		return false;
	return !isalnum((unsigned char)s[n]) && s[n] != '_';
}

/*
 * The neutral dialect to PostgreSQL's, outside string literals, quoted
 * identifiers and comments: `?` to $n, LIKE to ILIKE (SQLite's LIKE folds
 * ASCII case), BLOB to BYTEA. The store's SQL is upper-case keywords and
 * plain '...' literals (standard_conforming_strings: no E'' escapes).
 */
static char *translate(const char *sql, int *nparams)
{
	struct strbuf out = STRBUF_INIT;
	int n = 0;

	for (const char *s = sql; *s; s++) {
		if (*s == '\'' || *s == '"') {
			/* to the closing quote; a doubled quote toggles twice */
			const char *end = strchr(s + 1, *s);
			assert(end && "an unterminated quote in SQL");
			strbuf_add(&out, s, (size_t)(end + 1 - s));
			s = end;
		} else if (s[0] == '-' && s[1] == '-') {
			size_t len = strcspn(s, "\n");
			strbuf_add(&out, s, len);
			s += len - 1;
		} else if (*s == '?') {
			assert(!isdigit((unsigned char)s[1]) && "numbered placeholders are not neutral");
			strbuf_addf(&out, "$%d", ++n);
		} else if (word_at(s, sql, "LIKE") && !(s >= sql + 1 && s[-1] == 'I')) {
			strbuf_addstr(&out, "ILIKE");
			s += 3;
		} else if (word_at(s, sql, "BLOB")) {
			strbuf_addstr(&out, "BYTEA");
			s += 3;
		} else {
			strbuf_addch(&out, *s);
		}
	}
	*nparams = n;
	return strbuf_detach(&out, NULL);
}

static struct db_stmt *pg_prepare(struct db *db, const char *sql)
{
	struct pg_stmt *st = xcalloc(1, sizeof(*st));
	size_t n;

	st->text = translate(sql, &st->nparams);
	n = (size_t)(st->nparams ? st->nparams : 1);
	st->params = xcalloc(n, sizeof(*st->params));
	st->values = xcalloc(n, sizeof(*st->values));
	st->lengths = xcalloc(n, sizeof(*st->lengths));
	st->formats = xcalloc(n, sizeof(*st->formats));
	st->types = xcalloc(n, sizeof(*st->types));
	for (int i = 0; i < st->nparams; i++) {
		strbuf_init(&st->params[i].value, 0);
		st->params[i].null = true;
	}
	snprintf(st->name, sizeof(st->name), "dl%u", ++PDB(db)->next_name);
	return &st->base;
}

static void free_decoded(struct pg_stmt *st)
{
	for (size_t i = 0; i < st->ndecoded; i++)
		PQfreemem(st->decoded[i]);
	st->ndecoded = 0;
}

static void pg_reset(struct db_stmt *base)
{
	struct pg_stmt *st = PST(base);

	free_decoded(st);
	PQclear(st->res);
	st->res = NULL;
	st->ran = false;
	st->row = st->nrows = 0;
	for (int i = 0; i < st->nparams; i++) {
		strbuf_reset(&st->params[i].value);
		st->params[i].null = true;
		st->params[i].binary = false;
		st->params[i].type = 0;
	}
}

static void pg_finalize(struct db_stmt *base)
{
	struct pg_stmt *st = PST(base);

	pg_reset(base);
	for (int i = 0; i < st->nparams; i++)
		strbuf_release(&st->params[i].value);
	free(st->params);
	free(st->values);
	free(st->lengths);
	free(st->formats);
	free(st->types);
	free(st->decoded);
	free(st->text);
	free(st);
}

static struct pg_param *param(struct db_stmt *base, int idx)
{
	struct pg_stmt *st = PST(base);

	assert(idx >= 1 && idx <= st->nparams && "bind index out of range");
	strbuf_reset(&st->params[idx - 1].value);
	st->params[idx - 1].null = false;
	st->params[idx - 1].binary = false;
	return &st->params[idx - 1];
}

static void pg_bind_int(struct db_stmt *st, int idx, int64_t v)
{
	struct pg_param *pp = param(st, idx);

	strbuf_addint(&pp->value, v);
	pp->type = OID_INT8;
}

static void pg_bind_double(struct db_stmt *st, int idx, double v)
{
	struct pg_param *pp = param(st, idx);

	strbuf_addf(&pp->value, "%.17g", v);
	pp->type = OID_FLOAT8;
}

static void pg_bind_text(struct db_stmt *st, int idx, const char *p, size_t len)
{
	struct pg_param *pp = param(st, idx);

	strbuf_add(&pp->value, p, len);
	pp->type = 0;  /* the server infers it from where the value goes */
}

static void pg_bind_blob(struct db_stmt *st, int idx, const void *p, size_t len)
{
	struct pg_param *pp = param(st, idx);

	strbuf_add(&pp->value, p, len);
	pp->type = OID_BYTEA;
	pp->binary = true;
}

static void pg_bind_null(struct db_stmt *st, int idx)
{
	struct pg_param *pp = param(st, idx);

	pp->null = true;
}

static int prepare_on_server(struct pg_db *p, struct pg_stmt *st)
{
	PGresult *res;
	int rc = DL_OK;

	for (int i = 0; i < st->nparams; i++)
		st->types[i] = st->params[i].type;
	res = PQprepare(p->conn, st->name, st->text, st->nparams, st->types);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = pg_fail(p, res, st->text);
	else
		st->incarnation = p->incarnation;
	PQclear(res);
	return rc;
}

/*
 * A connection found dead on first use after a server restart (idle since):
 * outside a transaction the statement is sent again once on a new session,
 * so only requests that were in flight at the restart see it.
 */
static bool retry_on_new_session(struct pg_db *p, int *tries)
{
	if (p->base.in_tx || PQstatus(p->conn) == CONNECTION_OK || (*tries)++)
		return false;
	p->last_reset_ms = 0;  /* reconnect now, not in 250 ms */
	return true;
}

static int run(struct pg_stmt *st)
{
	struct pg_db *p = PDB(st->base.db);
	ExecStatusType status;
	int rc, tries = 0;

	if (p->base.in_tx && p->tx_failed)
		return p->tx_rc;  /* the server ignores everything until ROLLBACK */
again:
	rc = pg_ensure(p);
	if (rc)
		return pg_fail(p, NULL, "connection lost");
	if (st->incarnation != p->incarnation) {
		rc = prepare_on_server(p, st);
		if (rc && retry_on_new_session(p, &tries))
			goto again;
		if (rc)
			return rc;
	}
	for (int i = 0; i < st->nparams; i++) {
		st->values[i] = st->params[i].null ? NULL : st->params[i].value.buf;
		st->lengths[i] = (int)st->params[i].value.len;
		st->formats[i] = st->params[i].binary;
	}
	st->res = PQexecPrepared(p->conn, st->name, st->nparams, st->values, st->lengths,
				 st->formats, 0);
	status = PQresultStatus(st->res);
	if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
		const char *cmd = PQcmdStatus(st->res);
		st->nrows = PQntuples(st->res);
		/* Rows written, as sqlite3_changes(): a SELECT's row count is not one. */
		if (!strncmp(cmd, "INSERT", 6) || !strncmp(cmd, "UPDATE", 6) ||
		    !strncmp(cmd, "DELETE", 6))
			p->changes = strtoll(PQcmdTuples(st->res), NULL, 10);
		return DL_OK;
	}
	if (retry_on_new_session(p, &tries)) {
		PQclear(st->res);
		st->res = NULL;
		goto again;
	}
	rc = pg_fail(p, st->res, st->text);
	/* A session that lost its prepared statements (a pooler, a restart we
	 * did not see) prepares again on the next run. */
	if (st->res && PQresultErrorField(st->res, PG_DIAG_SQLSTATE) &&
	    !strcmp(PQresultErrorField(st->res, PG_DIAG_SQLSTATE), "26000"))
		st->incarnation = 0;
	PQclear(st->res);
	st->res = NULL;
	return rc;
}

static int pg_step(struct db_stmt *base)
{
	struct pg_stmt *st = PST(base);

	free_decoded(st);
	if (!st->ran) {
		int rc = run(st);
		st->ran = true;
		if (rc)
			return rc;
		st->row = 0;
	} else if (st->row < st->nrows) {
		st->row++;
	}
	return st->res && st->row < st->nrows ? DB_ROW : DB_DONE;
}

static int64_t pg_col_int(struct db_stmt *base, int col)
{
	struct pg_stmt *st = PST(base);
	const char *v;

	if (PQgetisnull(st->res, st->row, col))
		return 0;
	v = PQgetvalue(st->res, st->row, col);
	if (PQftype(st->res, col) == OID_BOOL)
		return *v == 't';
	return strtoll(v, NULL, 10);
}

static double pg_col_double(struct db_stmt *base, int col)
{
	struct pg_stmt *st = PST(base);

	if (PQgetisnull(st->res, st->row, col))
		return 0;
	return strtod(PQgetvalue(st->res, st->row, col), NULL);
}

static struct slice pg_col_text(struct db_stmt *base, int col)
{
	struct pg_stmt *st = PST(base);
	unsigned char *bytes;
	size_t n;

	if (PQgetisnull(st->res, st->row, col))
		return (struct slice){ "", 0 };
	if (PQftype(st->res, col) != OID_BYTEA)
		return (struct slice){ PQgetvalue(st->res, st->row, col),
				       (size_t)PQgetlength(st->res, st->row, col) };
	bytes = PQunescapeBytea((const unsigned char *)PQgetvalue(st->res, st->row, col), &n);
	if (!bytes)
		abort();  /* out of memory: the allocator's policy */
	ALLOC_GROW(st->decoded, st->ndecoded + 1, st->alloc_decoded);
	st->decoded[st->ndecoded++] = bytes;
	return (struct slice){ (const char *)bytes, n };
}

static bool pg_col_null(struct db_stmt *base, int col)
{
	struct pg_stmt *st = PST(base);

	return PQgetisnull(st->res, st->row, col);
}

static int64_t pg_changes(struct db *db)
{
	return PDB(db)->changes;
}

/* ---- plain SQL, transactions ---- */

int pg_exec(struct db *db, const char *sql)
{
	struct pg_db *p = PDB(db);
	bool commit = !strcmp(sql, "COMMIT"), rollback = !strcmp(sql, "ROLLBACK");
	PGresult *res;
	int rc = DL_OK, tries = 0;

	if (rollback) {
		/* Ends the transaction whatever state the session is in (a dead
		 * connection has no transaction left to end). */
		res = PQexec(p->conn, "ROLLBACK");
		PQclear(res);
		p->tx_failed = false;
		return DL_OK;
	}
	if (p->base.in_tx && p->tx_failed) {
		/* The server ignores everything until ROLLBACK; a COMMIT would be
		 * answered with one. Say why, once more. */
		rc = p->tx_rc;
		if (commit) {
			res = PQexec(p->conn, "ROLLBACK");
			PQclear(res);
			p->tx_failed = false;
		}
		return rc;
	}
again:
	if (pg_ensure(p))
		return pg_fail(p, NULL, "connection lost");
	res = PQexec(p->conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK &&
	    retry_on_new_session(p, &tries)) {
		PQclear(res);
		goto again;
	}
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pg_fail(p, res, commit ? "COMMIT" : "exec");
	} else if (commit && !strcmp(PQcmdStatus(res), "ROLLBACK")) {
		/* The server rolled back instead (a statement failed unseen). */
		rc = error("postgresql %s: the transaction was rolled back", p->where);
	}
	PQclear(res);
	if (commit)
		p->tx_failed = false;
	return rc;
}

static int pg_begin(struct db *db)
{
	struct pg_db *p = PDB(db);
	char sql[96];
	int rc;

	p->tx_failed = false;
	snprintf(sql, sizeof(sql), "BEGIN; SELECT pg_advisory_xact_lock(%d)", WRITE_LOCK_KEY);
	rc = pg_exec(db, sql);
	if (rc) {
		PGresult *res = PQexec(p->conn, "ROLLBACK");
		PQclear(res);
	}
	return rc;
}

static int pg_set_bulk(struct db *db, bool on)
{
	/* Commits stop waiting for the WAL flush: a crash may lose the last
	 * load's transactions, never corrupt anything. */
	return pg_exec(db, on ? "SET synchronous_commit = off" : "SET synchronous_commit = on");
}

static void pg_ddl(const char *sql, struct strbuf *out)
{
	int n;
	char *t = translate(sql, &n);

	assert(!n && "placeholders in DDL");
	strbuf_addstr(out, t);
	free(t);
}

static int pg_check(struct db *db, struct strbuf *out)
{
	int rc = pg_exec(db, "SELECT 1");

	strbuf_addstr(out, rc ? "the server does not answer" : "ok");
	return rc ? DL_INVALID : DL_OK;
}

const struct db_driver db_pg_driver = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.bind_int = pg_bind_int,
	.bind_double = pg_bind_double,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.reset = pg_reset,
	.col_int = pg_col_int,
	.col_double = pg_col_double,
	.col_text = pg_col_text,
	.col_null = pg_col_null,
	.changes = pg_changes,
	.exec = pg_exec,
	.begin = pg_begin,
	.set_bulk = pg_set_bulk,
	.backup = NULL,  /* pg_dump is PostgreSQL's consistent copy */
	.check = pg_check,
	.ddl = pg_ddl,
	.fts_create = pg_fts_create,
	.fts_put = pg_fts_put,
	.fts_delete = pg_fts_delete,
	.fts_count = pg_fts_count,
	.fts_text_sql = pg_fts_text_sql,
	.fts_search = pg_fts_search,
	.fts_search_count = pg_fts_search_count,
	.notify = pg_notify,
	.listen = pg_listen,
	.notify_on_write = pg_notify_on_write,
	.wait_notify = pg_wait_notify,
	.try_lock = pg_try_lock,
	.sync_ids = pg_sync_ids,
};
