/*
 * people.c - the newsroom's people (admins), one's own account, password
 * and API tokens.
 */
#include "core/compat.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "core/utf8.h"
#include "admin/internal.h"

static const char *str(struct adm *x, const char *name)
{
	const struct slice *v = adm_field(x, name);

	return v ? arena_strndup(x->a, v->p, v->len) : "";
}

static void audit(struct adm *x, const char *action, const char *object, const char *detail)
{
	store_audit(x->db, &(struct store_change){ x->user.id, x->user.email, adm_address(x), action,
						   object, detail });
}

static void people_page(struct adm *x, int status, const char *message, const char *created_pw)
{
	struct store_user *users;
	struct view *list;
	size_t n;

	if (store_users(x->db, x->a, &users, &n)) {
		adm_error(x, 503, NULL, "The database cannot be reached; please try again.");
		return;
	}
	list = view_set_list(x->root, "people");
	for (size_t i = 0; i < n; i++) {
		struct view *v = view_obj(x->a);
		static const char *const roles[] = { "admin", "editor", "author", "contributor" };
		struct view *rl = view_set_list(v, "roles");

		view_set_int(v, "id", users[i].id);
		view_set_str(v, "name", users[i].name.p, users[i].name.len);
		view_set_str(v, "email", users[i].email.p, users[i].email.len);
		view_set_str(v, "role", users[i].role.p, users[i].role.len);
		view_set_int(v, "articles", users[i].articles);
		for (size_t r = 0; r < ARRAY_SIZE(roles); r++) {
			struct view *o = view_obj(x->a);
			view_set_cstr(o, "value", roles[r]);
			view_set_bool(o, "selected", slice_eq_str(users[i].role, roles[r]));
			view_push(rl, o);
		}
		view_push(list, v);
	}
	if (message)
		view_set_cstr(x->root, "form_error", message);
	if (created_pw)
		view_set_cstr(x->root, "created_password", created_pw);
	adm_render(x, "people", status);
}

void adm_people(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;

	(void)req;
	if (adm_require(x, PERM_USERS))
		people_page(x, 200, NULL, NULL);
}

void adm_person_create(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	const char *email = str(x, "email"), *name = str(x, "name"), *role = str(x, "role");
	char password[AUTH_TOKEN_LEN + 1];
	const char *why;
	int64_t id;
	int rc;

	(void)req;
	if (!adm_require(x, PERM_USERS))
		return;
	/* A generated first password, shown once to the admin who hands it over. */
	auth_new_token(password);
	password[20] = '\0';
	rc = auth_user_add(x->db, email, name, role, password, &id, &why);
	if (rc == DL_INVALID || (rc == DL_CONFLICT && why)) {
		people_page(x, rc == DL_CONFLICT ? 409 : 422, why, NULL);
		return;
	}
	if (rc) {
		adm_error(x, 503, NULL, "The database cannot be reached; please try again.");
		return;
	}
	audit(x, "user.create", arena_printf(x->a, "user:%" PRId64, id),
	      arena_printf(x->a, "%s (%s)", email, role));
	people_page(x, 201, NULL, password);
}

void adm_person_save(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	const char *role = str(x, "role");
	struct store_user u;
	int64_t id;
	int rc;

	(void)req;
	if (!adm_param_id(x, 0, &id))
		return;
	/* People manage their own profile; only admins touch others' or roles. */
	if (id != x->user.id && !adm_require(x, PERM_USERS))
		return;
	rc = store_user_by_id(x->db, x->a, id, &u);
	if (rc) {
		adm_error(x, rc == DL_NOTFOUND ? 404 : 503, NULL,
			  rc == DL_NOTFOUND ? "There is no such person." : "The database cannot be reached.");
		return;
	}
	if (!*role || !(x->user.perms & PERM_USERS))
		role = arena_strndup(x->a, u.role.p, u.role.len);
	if (!auth_role_valid(role)) {
		adm_error(x, 422, "role", "The role must be admin, editor, author or contributor.");
		return;
	}
	if (id == x->user.id && strcmp(role, x->user.role)) {
		adm_error(x, 422, "role", "You may not change your own role.");
		return;
	}
	{
		const struct slice *name = adm_field(x, "name"), *bio = adm_field(x, "bio");
		const struct slice *slug = adm_field(x, "slug"), *photo = adm_field(x, "photo_media_id");
		const char *n = name ? arena_strndup(x->a, name->p, name->len)
				: arena_strndup(x->a, u.name.p, u.name.len);
		const char *b = bio ? arena_strndup(x->a, bio->p, bio->len)
				: arena_strndup(x->a, u.bio.p, u.bio.len);
		const char *sl = slug && slug->len ? arena_strndup(x->a, slug->p, slug->len)
				 : arena_strndup(x->a, u.slug.p, u.slug.len);
		int64_t photo_id = photo ? adm_field_int(x, "photo_media_id") : u.photo_media_id;
		struct store_media m;

		if (!*n || strlen(n) > 100 || strchr(n, '\n')) {
			adm_error(x, 422, "name", "The name must be 1 to 100 characters on one line.");
			return;
		}
		if (strlen(b) > 2000) {
			adm_error(x, 422, "bio", "The bio is too long (at most 2,000 bytes).");
			return;
		}
		if (!store_slug_valid(slice_cstr(sl))) {
			adm_error(x, 422, "slug", "A slug is lower-case letters, digits and dashes.");
			return;
		}
		if (photo_id && photo_id != u.photo_media_id &&
		    store_media_info(x->db, x->a, photo_id, &m)) {
			adm_error(x, 422, "photo_media_id", "There is no such image in the library.");
			return;
		}
		rc = store_user_update(x->db, id, n, sl, b, role, photo_id);
		if (rc == DL_CONFLICT) {
			adm_error(x, 409, "slug", "Another person's address already uses this slug.");
			return;
		}
	}
	if (rc) {
		adm_error(x, 503, NULL, "The database cannot be reached; please try again.");
		return;
	}
	audit(x, "user.update", arena_printf(x->a, "user:%" PRId64, id), role);
	adm_see_other(x, id == x->user.id ? "/account" : "/people", "saved");
}

static void account_page(struct adm *x, int status, const char *message, const char *new_token)
{
	struct store_token *tokens;
	struct store_user u;
	struct view *list, *me;
	size_t n;

	if (store_user_by_id(x->db, x->a, x->user.id, &u) ||
	    store_tokens(x->db, x->a, x->user.id, &tokens, &n)) {
		adm_error(x, 503, NULL, "The database cannot be reached; please try again.");
		return;
	}
	me = view_set_obj(x->root, "profile");
	view_set_int(me, "id", u.id);
	view_set_str(me, "name", u.name.p, u.name.len);
	view_set_str(me, "bio", u.bio.p, u.bio.len);
	view_set_str(me, "email", u.email.p, u.email.len);
	view_set_str(me, "slug", u.slug.p, u.slug.len);
	if (u.photo_media_id)
		view_set_int(me, "photo_media_id", u.photo_media_id);
	list = view_set_list(x->root, "tokens");
	for (size_t i = 0; i < n; i++) {
		struct view *v = view_obj(x->a);
		view_set_int(v, "id", tokens[i].id);
		view_set_str(v, "name", tokens[i].name.p, tokens[i].name.len);
		view_set_cstr(v, "created", adm_time(x, tokens[i].created_at));
		view_set_cstr(v, "last_used", tokens[i].last_used_at ? adm_time(x, tokens[i].last_used_at)
								     : "never");
		view_push(list, v);
	}
	if (message)
		view_set_cstr(x->root, "form_error", message);
	if (new_token)
		view_set_cstr(x->root, "new_token", new_token);
	adm_render(x, "account", status);
}

void adm_account(struct http_request *req, void *ctx)
{
	(void)req;
	account_page(ctx, 200, NULL, NULL);
}

void adm_password(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	const char *current = str(x, "current"), *next = str(x, "password");
	const char *problem = auth_password_problem(next);
	struct store_user u;

	(void)req;
	if (store_user_by_id(x->db, x->a, x->user.id, &u)) {
		adm_error(x, 503, NULL, "The database cannot be reached; please try again.");
		return;
	}
	if (!auth_check_password(u.password_hash.p, current)) {
		account_page(x, 403, "current: the current password is not right", NULL);
		return;
	}
	if (problem) {
		account_page(x, 422, problem, NULL);
		return;
	}
	if (auth_set_password(x->db, x->user.id, next, x->user.session_hash)) {
		adm_error(x, 503, NULL, "The database cannot be reached; please try again.");
		return;
	}
	audit(x, "user.password", arena_printf(x->a, "user:%" PRId64, x->user.id), "");
	adm_see_other(x, "/account", "password");
}

void adm_token_create(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	const char *name = str(x, "name");
	char token[AUTH_TOKEN_LEN + 1], hash[AUTH_TOKEN_LEN + 1];
	int64_t id;

	(void)req;
	if (!*name || strlen(name) > 100 || strchr(name, '\n')) {
		account_page(x, 422, "name: give the token a name (at most 100 characters)", NULL);
		return;
	}
	auth_new_token(token);
	auth_token_hash(token, AUTH_TOKEN_LEN, hash);
	if (store_token_create(x->db, x->user.id, name, hash, (int64_t)time(NULL), &id)) {
		adm_error(x, 503, NULL, "The database cannot be reached; please try again.");
		return;
	}
	audit(x, "token.create", arena_printf(x->a, "token:%" PRId64, id), name);
	/* Shown once: only its hash is kept. */
	account_page(x, 201, NULL, arena_strdup(x->a, token));
}

void adm_token_delete(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	int64_t id;
	int rc;

	(void)req;
	if (!adm_param_id(x, 0, &id))
		return;
	rc = store_token_delete(x->db, x->user.id, id);
	if (rc) {
		adm_error(x, rc == DL_NOTFOUND ? 404 : 503, NULL,
			  rc == DL_NOTFOUND ? "There is no such token." : "The database cannot be reached.");
		return;
	}
	audit(x, "token.delete", arena_printf(x->a, "token:%" PRId64, id), "");
	adm_see_other(x, "/account", "revoked");
}
