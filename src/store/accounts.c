/*
 * accounts.c - users, sessions, failed logins and API tokens.
 *
 * None of these writes changes what readers see, so none bumps the content
 * generation: a login must not empty the page cache.
 */
#include "core/compat.h"
#include "core/err.h"
#include "store/accounts.h"
#include "store/internal.h"

#define USER_COLS \
	"id, created_at, email, slug, name, bio, role, COALESCE(password_hash, '')," \
	" COALESCE(photo_media_id, 0)"
static const char SQL_USER_BY_EMAIL[] =
	"SELECT " USER_COLS " FROM users WHERE email = ?";
static const char SQL_USER_BY_ID[] = "SELECT " USER_COLS " FROM users WHERE id = ?";
static const char SQL_USERS[] =
	"SELECT " USER_COLS ", (SELECT COUNT(*) FROM articles a WHERE a.author_id = users.id)"
	" FROM users ORDER BY name, id";
static const char SQL_USER_COUNT[] =
	"SELECT COUNT(*) FROM users WHERE password_hash IS NOT NULL";
static const char SQL_SET_PASSWORD[] = "UPDATE users SET password_hash = ? WHERE id = ?";
static const char SQL_USER_UPDATE[] =
	"UPDATE users SET name = ?, slug = ?, bio = ?, role = ?, photo_media_id = ? WHERE id = ?";
static const char SQL_SESSION_CREATE[] =
	"INSERT INTO sessions (token_hash, user_id, csrf, created_at, seen_at, address)"
	" VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_SESSION_GET[] =
	"SELECT user_id, created_at, seen_at, csrf FROM sessions WHERE token_hash = ?";
static const char SQL_SESSION_TOUCH[] = "UPDATE sessions SET seen_at = ? WHERE token_hash = ?";
static const char SQL_SESSION_DELETE[] = "DELETE FROM sessions WHERE token_hash = ?";
static const char SQL_SESSIONS_END[] =
	"DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?";
static const char SQL_SESSIONS_EXPIRE[] =
	"DELETE FROM sessions WHERE seen_at < ? OR created_at < ?";
static const char SQL_LOGIN_FAILED[] = "INSERT INTO login_failures (key, at) VALUES (?, ?)";
static const char SQL_LOGIN_FAILURES[] =
	"SELECT COUNT(*) FROM login_failures WHERE key = ? AND at >= ?";
static const char SQL_LOGIN_CLEAR[] = "DELETE FROM login_failures WHERE key = ?";
/* Old failures are dropped as new ones arrive: the table stays small. */
static const char SQL_LOGIN_PRUNE[] = "DELETE FROM login_failures WHERE at < ?";
static const char SQL_TOKEN_CREATE[] =
	"INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)"
	" RETURNING id";
static const char SQL_TOKEN_USER[] = "SELECT user_id FROM api_tokens WHERE token_hash = ?";
static const char SQL_TOKEN_TOUCH[] =
	"UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ? AND last_used_at < ?";
static const char SQL_TOKENS[] =
	"SELECT id, user_id, created_at, last_used_at, name FROM api_tokens WHERE user_id = ?"
	" ORDER BY id DESC";
static const char SQL_TOKEN_DELETE[] = "DELETE FROM api_tokens WHERE id = ? AND user_id = ?";

static void read_user(struct db_stmt *st, struct arena *a, void *out)
{
	struct store_user *u = out;

	memset(u, 0, sizeof(*u));
	u->id = db_int(st, 0);
	u->created_at = db_int(st, 1);
	u->email = col(st, a, 2);
	u->slug = col(st, a, 3);
	u->name = col(st, a, 4);
	u->bio = col(st, a, 5);
	u->role = col(st, a, 6);
	u->password_hash = col(st, a, 7);
	u->photo_media_id = db_int(st, 8);
}

static void read_user_count(struct db_stmt *st, struct arena *a, void *out)
{
	read_user(st, a, out);
	((struct store_user *)out)->articles = db_int(st, 9);
}

int store_user_by_email(struct db *db, struct arena *a, struct slice email,
			struct store_user *out)
{
	struct db_stmt *st = db_prepare(db, SQL_USER_BY_EMAIL);

	if (!st)
		return DL_ERR;
	db_bind(st, "S", email);
	return store_one_row(st, read_user, a, out);
}

int store_user_by_id(struct db *db, struct arena *a, int64_t id, struct store_user *out)
{
	struct db_stmt *st = db_prepare(db, SQL_USER_BY_ID);

	if (!st)
		return DL_ERR;
	db_bind(st, "i", id);
	return store_one_row(st, read_user, a, out);
}

int store_users(struct db *db, struct arena *a, struct store_user **out, size_t *n)
{
	return store_all_rows(db_prepare(db, SQL_USERS), read_user_count, a, sizeof(**out),
			      (void **)out, n);
}

int store_user_count(struct db *db, int64_t *n)
{
	return db_one_int(db_prepare(db, SQL_USER_COUNT), n);
}

int store_user_set_password(struct db *db, int64_t id, const char *hash, const char *keep)
{
	struct db_stmt *st;
	int rc = db_begin(db);

	if (rc)
		return rc;
	st = db_prepare(db, SQL_SET_PASSWORD);
	if (!st) {
		db_rollback(db);
		return DL_ERR;
	}
	db_bind(st, "si", hash, id);
	rc = db_run(st);
	if (!rc && db_changes(db) == 0)
		rc = DL_NOTFOUND;
	if (!rc && (st = db_prepare(db, SQL_SESSIONS_END))) {
		db_bind(st, "is", id, keep ? keep : "");
		rc = db_run(st);
	} else if (!rc) {
		rc = DL_ERR;
	}
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

int store_user_update(struct db *db, int64_t id, const char *name, const char *slug,
		      const char *bio, const char *role, int64_t photo_media_id)
{
	struct db_stmt *st;
	int rc = db_begin(db);

	if (rc)
		return rc;
	st = db_prepare(db, SQL_USER_UPDATE);
	if (!st) {
		db_rollback(db);
		return DL_ERR;
	}
	db_bind(st, "ssss", name, slug, bio, role);
	store_bind_opt(st, 5, photo_media_id);
	db_bind_int(st, 6, id);
	rc = db_run(st);
	if (!rc && db_changes(db) == 0)
		rc = DL_NOTFOUND;
	/* A byline is public: the pages showing it must change. */
	return store_write_end(db, rc);
}

int store_session_create(struct db *db, const char *token_hash, int64_t user_id,
			 const char *csrf, int64_t now, const char *address)
{
	struct db_stmt *st = db_prepare(db, SQL_SESSION_CREATE);

	if (!st)
		return DL_ERR;
	db_bind(st, "sisiis", token_hash, user_id, csrf, now, now, address);
	return db_run(st);
}

static void read_session(struct db_stmt *st, struct arena *a, void *out)
{
	struct store_session *s = out;

	s->user_id = db_int(st, 0);
	s->created_at = db_int(st, 1);
	s->seen_at = db_int(st, 2);
	s->csrf = col(st, a, 3);
}

int store_session_get(struct db *db, struct arena *a, const char *token_hash,
		      struct store_session *out)
{
	struct db_stmt *st = db_prepare(db, SQL_SESSION_GET);

	if (!st)
		return DL_ERR;
	db_bind(st, "s", token_hash);
	return store_one_row(st, read_session, a, out);
}

int store_session_touch(struct db *db, const char *token_hash, int64_t now)
{
	struct db_stmt *st = db_prepare(db, SQL_SESSION_TOUCH);

	if (!st)
		return DL_ERR;
	db_bind(st, "is", now, token_hash);
	return db_run(st);
}

int store_session_delete(struct db *db, const char *token_hash)
{
	struct db_stmt *st = db_prepare(db, SQL_SESSION_DELETE);

	if (!st)
		return DL_ERR;
	db_bind(st, "s", token_hash);
	return db_run(st);
}

int store_sessions_end(struct db *db, int64_t user_id, const char *keep)
{
	struct db_stmt *st = db_prepare(db, SQL_SESSIONS_END);

	if (!st)
		return DL_ERR;
	db_bind(st, "is", user_id, keep ? keep : "");
	return db_run(st);
}

int store_sessions_expire(struct db *db, int64_t idle_before, int64_t created_before)
{
	struct db_stmt *st = db_prepare(db, SQL_SESSIONS_EXPIRE);

	if (!st)
		return DL_ERR;
	db_bind(st, "ii", idle_before, created_before);
	return db_run(st);
}

int store_login_failed(struct db *db, const char *key, int64_t now)
{
	struct db_stmt *st = db_prepare(db, SQL_LOGIN_PRUNE);
	int rc;

	if (!st)
		return DL_ERR;
	db_bind(st, "i", now - 86400);
	rc = db_run(st);
	if (rc || !(st = db_prepare(db, SQL_LOGIN_FAILED)))
		return rc ? rc : DL_ERR;
	db_bind(st, "si", key, now);
	return db_run(st);
}

int store_login_failures(struct db *db, const char *key, int64_t since, int64_t *n)
{
	struct db_stmt *st = db_prepare(db, SQL_LOGIN_FAILURES);

	if (!st)
		return DL_ERR;
	db_bind(st, "si", key, since);
	return db_one_int(st, n);
}

int store_login_failures_clear(struct db *db, const char *key)
{
	struct db_stmt *st = db_prepare(db, SQL_LOGIN_CLEAR);

	if (!st)
		return DL_ERR;
	db_bind(st, "s", key);
	return db_run(st);
}

int store_token_create(struct db *db, int64_t user_id, const char *name, const char *hash,
		       int64_t now, int64_t *id)
{
	struct db_stmt *st = db_prepare(db, SQL_TOKEN_CREATE);

	if (!st)
		return DL_ERR;
	db_bind(st, "issi", user_id, name, hash, now);
	return db_one_int(st, id);
}

int store_token_user(struct db *db, const char *hash, int64_t now, int64_t *user_id)
{
	struct db_stmt *st = db_prepare(db, SQL_TOKEN_USER);
	int rc;

	if (!st)
		return DL_ERR;
	db_bind(st, "s", hash);
	rc = db_one_int(st, user_id);
	if (rc)
		return rc;
	/* At most one write a minute per token: API calls stay reads. */
	st = db_prepare(db, SQL_TOKEN_TOUCH);
	if (!st)
		return DL_ERR;
	db_bind(st, "isi", now, hash, now - 60);
	return db_run(st);
}

static void read_token(struct db_stmt *st, struct arena *a, void *out)
{
	struct store_token *t = out;

	t->id = db_int(st, 0);
	t->user_id = db_int(st, 1);
	t->created_at = db_int(st, 2);
	t->last_used_at = db_int(st, 3);
	t->name = col(st, a, 4);
}

int store_tokens(struct db *db, struct arena *a, int64_t user_id, struct store_token **out,
		 size_t *n)
{
	struct db_stmt *st = db_prepare(db, SQL_TOKENS);

	if (st)
		db_bind(st, "i", user_id);
	return store_all_rows(st, read_token, a, sizeof(**out), (void **)out, n);
}

int store_token_delete(struct db *db, int64_t user_id, int64_t id)
{
	struct db_stmt *st = db_prepare(db, SQL_TOKEN_DELETE);
	int rc;

	if (!st)
		return DL_ERR;
	db_bind(st, "ii", id, user_id);
	rc = db_run(st);
	if (!rc && db_changes(db) == 0)
		rc = DL_NOTFOUND;
	return rc;
}
