/*
 * auth.c - passwords (argon2id), sessions, API tokens, roles, throttling.
 */
#include "core/compat.h"
#include <pthread.h>
#include <sodium.h>
#include "core/err.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/utf8.h"
#include "engine/auth.h"

static const struct {
	const char *name;
	unsigned perms;
} roles[] = {
	{ "admin", ~0u },
	{ "editor", PERM_EDIT_OWN | PERM_PUBLISH_OWN | PERM_EDIT_ANY | PERM_PUBLISH_ANY | PERM_PIN |
		    PERM_TAXONOMY | PERM_ADS | PERM_MEDIA },
	{ "author", PERM_EDIT_OWN | PERM_PUBLISH_OWN | PERM_MEDIA },
	{ "contributor", PERM_EDIT_OWN },
};

unsigned auth_role_perms(struct slice role)
{
	for (size_t i = 0; i < ARRAY_SIZE(roles); i++)
		if (slice_eq_str(role, roles[i].name))
			return roles[i].perms;
	return 0;
}

bool auth_role_valid(const char *role)
{
	return auth_role_perms(slice_cstr(role)) != 0;
}

int auth_hash_password(const char *password, char *out, size_t outlen)
{
	if (outlen < crypto_pwhash_STRBYTES)
		return DL_INVALID;
	if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		return error("cannot hash a password: out of memory");
	return DL_OK;
}

bool auth_check_password(const char *hash, const char *password)
{
	return hash && *hash &&
	       !crypto_pwhash_str_verify(hash, password, strlen(password));
}

static void to_hex(const unsigned char *p, size_t n, char *out)
{
	sodium_bin2hex(out, n * 2 + 1, p, n);
}

void auth_new_token(char out[AUTH_TOKEN_LEN + 1])
{
	unsigned char raw[AUTH_TOKEN_LEN / 2];

	randombytes_buf(raw, sizeof(raw));
	to_hex(raw, sizeof(raw), out);
	sodium_memzero(raw, sizeof(raw));
}

void auth_token_hash(const char *token, size_t len, char out[AUTH_TOKEN_LEN + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, len);
	to_hex(h, sizeof(h), out);
}

bool auth_secret_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && alen && !sodium_memcmp(a, b, alen);
}

/* Checked against when the account does not exist, so both cases cost the same. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
	char pw[AUTH_TOKEN_LEN + 1];

	auth_new_token(pw);
	if (auth_hash_password(pw, dummy_hash, sizeof(dummy_hash)))
		dummy_hash[0] = '\0';
}

static void fill_user(const struct store_user *u, struct arena *a, struct auth_user *out)
{
	out->id = u->id;
	out->email = arena_strndup(a, u->email.p, u->email.len);
	out->name = arena_strndup(a, u->name.p, u->name.len);
	out->role = arena_strndup(a, u->role.p, u->role.len);
	out->perms = auth_role_perms(u->role);
}

static bool throttled(struct db *db, const char *key, int64_t max, int64_t now)
{
	int64_t n = 0;

	return !store_login_failures(db, key, now - AUTH_THROTTLE_WINDOW, &n) && n >= max;
}

enum auth_login_result auth_login(struct db *db, struct arena *a, struct slice email,
				  struct slice password, const char *address,
				  char token[AUTH_TOKEN_LEN + 1], struct auth_user *out)
{
	int64_t now = (int64_t)time(NULL);
	char *user_key = arena_printf(a, "user:%.*s", (int)email.len, email.p);
	char *addr_key = arena_printf(a, "addr:%s", address);
	char *pw = arena_strndup(a, password.p, password.len);
	struct store_user u = { 0 };
	char hash[AUTH_TOKEN_LEN + 1], csrf[AUTH_TOKEN_LEN + 1];
	bool found, ok;
	int rc;

	pthread_once(&dummy_once, make_dummy);
	if (throttled(db, user_key, AUTH_MAX_FAILURES_ACCOUNT, now) ||
	    throttled(db, addr_key, AUTH_MAX_FAILURES_ADDRESS, now))
		return AUTH_LOGIN_THROTTLED;
	rc = store_user_by_email(db, a, email, &u);
	if (rc && rc != DL_NOTFOUND)
		return AUTH_LOGIN_ERROR;
	found = !rc && u.password_hash.len;
	ok = auth_check_password(found ? u.password_hash.p : dummy_hash, pw) && found;
	sodium_memzero(pw, password.len);
	if (!ok) {
		/* Both keys count: one account from many places, many accounts from one place. */
		if (store_login_failed(db, user_key, now) || store_login_failed(db, addr_key, now))
			return AUTH_LOGIN_ERROR;
		return AUTH_LOGIN_BAD;
	}
	store_login_failures_clear(db, user_key);
	/* A new random session id at every login: a planted cookie is never promoted. */
	auth_new_token(token);
	auth_new_token(csrf);
	auth_token_hash(token, AUTH_TOKEN_LEN, hash);
	if (store_session_create(db, hash, u.id, csrf, now, address))
		return AUTH_LOGIN_ERROR;
	fill_user(&u, a, out);
	out->session_hash = arena_strdup(a, hash);
	out->csrf = arena_strdup(a, csrf);
	return AUTH_LOGIN_OK;
}

static bool token_shaped(struct slice t)
{
	if (t.len != AUTH_TOKEN_LEN)
		return false;
	for (size_t i = 0; i < t.len; i++)
		if (!((t.p[i] >= '0' && t.p[i] <= '9') || (t.p[i] >= 'a' && t.p[i] <= 'f')))
			return false;
	return true;
}

int auth_session(struct db *db, struct arena *a, struct slice token, struct auth_user *out)
{
	int64_t now = (int64_t)time(NULL);
	struct store_session s;
	struct store_user u;
	char hash[AUTH_TOKEN_LEN + 1];
	int rc;

	if (!token_shaped(token))
		return DL_NOTFOUND;
	auth_token_hash(token.p, token.len, hash);
	rc = store_session_get(db, a, hash, &s);
	if (rc)
		return rc;
	if (s.seen_at < now - AUTH_IDLE_SECONDS || s.created_at < now - AUTH_ABSOLUTE_SECONDS) {
		store_session_delete(db, hash);
		return DL_NOTFOUND;
	}
	rc = store_user_by_id(db, a, s.user_id, &u);
	if (rc)
		return rc;
	/* The idle timer moves at most once a minute: most requests stay reads. */
	if (s.seen_at < now - 60)
		store_session_touch(db, hash, now);
	fill_user(&u, a, out);
	out->session_hash = arena_strdup(a, hash);
	out->csrf = arena_strndup(a, s.csrf.p, s.csrf.len);
	return DL_OK;
}

int auth_api_token(struct db *db, struct arena *a, struct slice token, struct auth_user *out)
{
	char hash[AUTH_TOKEN_LEN + 1];
	struct store_user u;
	int64_t user_id;
	int rc;

	if (!token_shaped(token))
		return DL_NOTFOUND;
	auth_token_hash(token.p, token.len, hash);
	rc = store_token_user(db, hash, (int64_t)time(NULL), &user_id);
	if (rc)
		return rc;
	rc = store_user_by_id(db, a, user_id, &u);
	if (rc)
		return rc;
	fill_user(&u, a, out);
	out->session_hash = NULL;
	out->csrf = NULL;
	return DL_OK;
}

static bool email_ok(const char *e)
{
	const char *at = strchr(e, '@');
	size_t n = strlen(e);

	if (n < 3 || n > 254 || !at || at == e || !at[1] || strchr(at + 1, '@') ||
	    !strchr(at + 1, '.'))
		return false;
	for (; *e; e++)
		if ((unsigned char)*e <= ' ' || *e == '<' || *e == '>' || *e == '"' || *e == 0x7f)
			return false;
	return true;
}

const char *auth_password_problem(const char *password)
{
	size_t n = strlen(password);

	if (n < AUTH_PASSWORD_MIN)
		return "password: at least 10 characters, please";
	if (n > AUTH_PASSWORD_MAX || !utf8_valid(password, n))
		return "password: at most 256 bytes of UTF-8 text";
	return NULL;
}

int auth_set_password(struct db *db, int64_t user_id, const char *password, const char *keep)
{
	char hash[crypto_pwhash_STRBYTES];
	int rc = auth_hash_password(password, hash, sizeof(hash));

	if (!rc)
		rc = store_user_set_password(db, user_id, hash, keep);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

int auth_user_add(struct db *db, const char *email, const char *name, const char *role,
		  const char *password, int64_t *id, const char **why)
{
	struct strbuf slug = STRBUF_INIT;
	size_t base;
	int rc = DL_CONFLICT;

	*why = NULL;
	if (!email_ok(email))
		*why = "email: not an email address";
	else if (!*name || strlen(name) > 100 || !utf8_valid(name, strlen(name)) ||
		 strchr(name, '\n'))
		*why = "name: 1 to 100 characters on one line";
	else if (!auth_role_valid(role))
		*why = "role: admin, editor, author or contributor";
	else
		*why = auth_password_problem(password);
	if (*why)
		return DL_INVALID;
	store_slugify(name, strlen(name), &slug);
	if (!slug.len)
		strbuf_addstr(&slug, "author");
	base = slug.len;
	/* Two people may share a name; their archive addresses may not. */
	for (int n = 2; rc == DL_CONFLICT && n < 100; n++) {
		rc = store_user_create(db, email, slug.buf, name, "", role, id);
		if (rc == DL_CONFLICT) {
			struct store_user u;
			struct arena *a = arena_new(1024);
			bool taken = !store_user_by_email(db, a, slice_cstr(email), &u);
			arena_free(a);
			if (taken) {
				*why = "email: an account with this address exists";
				break;
			}
			strbuf_setlen(&slug, base);
			strbuf_addf(&slug, "-%d", n);
		}
	}
	strbuf_release(&slug);
	if (!rc)
		rc = auth_set_password(db, *id, password, NULL);
	return rc;
}
