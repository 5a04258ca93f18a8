/*
 * accounts.h - people who log in: users, sessions, failed logins and API
 * tokens. Secrets are never stored: sessions and tokens by a hash of the
 * token, passwords as argon2id strings made by the caller.
 */
#ifndef DL_STORE_ACCOUNTS_H
#define DL_STORE_ACCOUNTS_H

#include "store/store.h"

struct store_user {
	int64_t id, created_at;
	struct slice email, slug, name, bio, role, password_hash;
	int64_t articles;  /* in any status, where a listing computed it */
	int64_t photo_media_id;
};

int store_user_by_email(struct db *db, struct arena *a, struct slice email,
			struct store_user *out);
int store_user_by_id(struct db *db, struct arena *a, int64_t id, struct store_user *out);
/* Every user by name. */
int store_users(struct db *db, struct arena *a, struct store_user **out, size_t *n);
/* How many users can log in (have a password). */
int store_user_count(struct db *db, int64_t *n);
/* Set a user's argon2id string, ending every other session when `keep` is
 * the hash of the one to keep (NULL: end them all). */
int store_user_set_password(struct db *db, int64_t id, const char *hash, const char *keep);
/* Name, slug, bio, role and photo (0: none). DL_CONFLICT: slug taken. */
int store_user_update(struct db *db, int64_t id, const char *name, const char *slug,
		      const char *bio, const char *role, int64_t photo_media_id);

struct store_session {
	int64_t user_id, created_at, seen_at;
	struct slice csrf;
};

int store_session_create(struct db *db, const char *token_hash, int64_t user_id,
			 const char *csrf, int64_t now, const char *address);
int store_session_get(struct db *db, struct arena *a, const char *token_hash,
		      struct store_session *out);
int store_session_touch(struct db *db, const char *token_hash, int64_t now);
int store_session_delete(struct db *db, const char *token_hash);
/* End every session of `user_id` except `keep` (NULL: all). */
int store_sessions_end(struct db *db, int64_t user_id, const char *keep);
/* Drop sessions idle since before `idle_before` or created before `created_before`. */
int store_sessions_expire(struct db *db, int64_t idle_before, int64_t created_before);

/* Failed logins, keyed "user:<email>" or "addr:<address>". */
int store_login_failed(struct db *db, const char *key, int64_t now);
int store_login_failures(struct db *db, const char *key, int64_t since, int64_t *n);
int store_login_failures_clear(struct db *db, const char *key);

struct store_token {
	int64_t id, user_id, created_at, last_used_at;
	struct slice name;
};

int store_token_create(struct db *db, int64_t user_id, const char *name, const char *hash,
		       int64_t now, int64_t *id);
/* The owner of the token with this hash (and note its use). */
int store_token_user(struct db *db, const char *hash, int64_t now, int64_t *user_id);
int store_tokens(struct db *db, struct arena *a, int64_t user_id, struct store_token **out,
		 size_t *n);
int store_token_delete(struct db *db, int64_t user_id, int64_t id);

#endif
