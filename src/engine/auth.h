/*
 * auth.h - who is asking: passwords, sessions, CSRF tokens, API tokens,
 * roles and the login throttle, over the store's accounts.
 *
 * Tokens are 32 random bytes shown to the client once (hex); the store only
 * ever sees their SHA-256. Comparisons of secrets are constant-time.
 */
#ifndef DL_ENGINE_AUTH_H
#define DL_ENGINE_AUTH_H

#include "core/compat.h"
#include "store/accounts.h"

/* Sessions end after this long idle, and this long after login whatever. */
#define AUTH_IDLE_SECONDS (12 * 3600)
#define AUTH_ABSOLUTE_SECONDS (7 * 86400)
/* Failed logins allowed per account and per address in AUTH_THROTTLE_WINDOW. */
#define AUTH_MAX_FAILURES_ACCOUNT 5
#define AUTH_MAX_FAILURES_ADDRESS 20
#define AUTH_THROTTLE_WINDOW (15 * 60)
/* Hex of 32 random bytes, NUL-terminated. */
#define AUTH_TOKEN_LEN 64
#define AUTH_PASSWORD_MIN 10
#define AUTH_PASSWORD_MAX 256

/* What a role may do. */
enum auth_perm {
	PERM_EDIT_OWN = 1 << 0,       /* write one's own drafts */
	PERM_PUBLISH_OWN = 1 << 1,    /* publish/schedule one's own articles */
	PERM_EDIT_ANY = 1 << 2,       /* every article */
	PERM_PUBLISH_ANY = 1 << 3,
	PERM_PIN = 1 << 4,            /* Must Read */
	PERM_TAXONOMY = 1 << 5,       /* categories, tags */
	PERM_ADS = 1 << 6,
	PERM_MEDIA = 1 << 7,          /* upload */
	PERM_USERS = 1 << 8,          /* people, roles */
	PERM_SETTINGS = 1 << 9,
	PERM_AUDIT = 1 << 10,
};

/* The permissions of a role name ("admin", "editor", "author", "contributor"); 0 if unknown. */
unsigned auth_role_perms(struct slice role);
bool auth_role_valid(const char *role);

/* The logged-in person for one request. */
struct auth_user {
	int64_t id;
	const char *email, *name, *role;
	unsigned perms;
	const char *session_hash;   /* the session's key, or NULL for an API token */
	const char *csrf;           /* the session's CSRF token */
};

/* An argon2id string for `password` into out (crypto_pwhash_STRBYTES). */
int auth_hash_password(const char *password, char *out, size_t outlen);
/* True if `password` matches `hash`. */
bool auth_check_password(const char *hash, const char *password);
/* A fresh random token (AUTH_TOKEN_LEN hex digits) and the hex SHA-256 of one. */
void auth_new_token(char out[AUTH_TOKEN_LEN + 1]);
void auth_token_hash(const char *token, size_t len, char out[AUTH_TOKEN_LEN + 1]);
/* Constant-time comparison of two NUL-terminated secrets. */
bool auth_secret_eq(const char *a, size_t alen, const char *b, size_t blen);

enum auth_login_result {
	AUTH_LOGIN_OK,
	AUTH_LOGIN_BAD,        /* wrong email or password: the same answer for both */
	AUTH_LOGIN_THROTTLED,  /* too many failures; try later */
	AUTH_LOGIN_ERROR,      /* the store failed */
};

/*
 * Check an email and password (with the throttle) and on success start a
 * session: `token` receives the cookie value. The work done is the same
 * whether or not the account exists, so timing tells nothing.
 */
enum auth_login_result auth_login(struct db *db, struct arena *a, struct slice email,
				  struct slice password, const char *address,
				  char token[AUTH_TOKEN_LEN + 1], struct auth_user *out);
/* The user of a session cookie value, refreshing its idle timer. DL_NOTFOUND: none or expired. */
int auth_session(struct db *db, struct arena *a, struct slice token, struct auth_user *out);
/* The user of an API token ("Authorization: Bearer <token>"). */
int auth_api_token(struct db *db, struct arena *a, struct slice token, struct auth_user *out);

/*
 * Create a user (slug from the name, made unique) with an argon2id hash of
 * `password`. DL_INVALID with *why naming the field for a bad email, name,
 * role or password; DL_CONFLICT when the email is taken.
 */
int auth_user_add(struct db *db, const char *email, const char *name, const char *role,
		  const char *password, int64_t *id, const char **why);
/* Check a new password's shape; NULL if fine, else why not. */
const char *auth_password_problem(const char *password);
/* Set a user's password, ending their other sessions (all when keep is NULL). */
int auth_set_password(struct db *db, int64_t user_id, const char *password, const char *keep);

#endif
