/*
 * session.c - logging in and out, and the editorial plane's own assets.
 */
#include "core/compat.h"
#include "core/err.h"
#include "core/log.h"
#include "admin/internal.h"
#include "render/theme.h"

/* The login form's CSRF token lives in a cookie scoped to /login
 * (double submit): there is no session to hold it yet. */
static void login_page(struct adm *x, int status, const char *message, struct slice email)
{
	char token[AUTH_TOKEN_LEN + 1];

	auth_new_token(token);
	http_set_header(x->req, "Set-Cookie",
			arena_printf(x->a, "dl_login=%s; Path=/login; HttpOnly; SameSite=Strict%s",
				     token, x->admin->secure_cookies ? "; Secure" : ""));
	view_set_cstr(x->root, "login_csrf", token);
	if (message)
		view_set_cstr(x->root, "message", message);
	view_set_str(x->root, "email", email.p, email.len);
	adm_render(x, "login", status);
}

void adm_login_form(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct auth_user u;

	/* Already logged in: straight to the dashboard. */
	if (!auth_session(x->db, x->a, http_cookie(req, "dl_session"), &u)) {
		adm_see_other(x, "/", NULL);
		return;
	}
	login_page(x, 200, NULL, (struct slice){ "", 0 });
}

void adm_login(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	const struct slice *email = adm_field(x, "email"), *password = adm_field(x, "password");
	const struct slice *form_token = adm_field(x, "login_csrf");
	struct slice cookie = http_cookie(req, "dl_login");
	char token[AUTH_TOKEN_LEN + 1];
	struct slice none = { "", 0 };

	if (!form_token || !auth_secret_eq(form_token->p, form_token->len, cookie.p, cookie.len)) {
		login_page(x, 403, "The login form expired. Please try again.", email ? *email : none);
		return;
	}
	if (!email || !password || !email->len || !password->len || email->len > 254 ||
	    password->len > AUTH_PASSWORD_MAX) {
		login_page(x, 422, "Please enter your email address and password.",
			   email && email->len <= 254 ? *email : none);
		return;
	}
	switch (auth_login(x->db, x->a, *email, *password, adm_address(x), token, &x->user)) {
	case AUTH_LOGIN_OK:
		break;
	case AUTH_LOGIN_BAD:
		/* One message for an unknown account and a wrong password. */
		login_page(x, 401, "The email address or password is not right.", *email);
		return;
	case AUTH_LOGIN_THROTTLED:
		http_set_header(req, "Retry-After", "900");
		login_page(x, 429, "Too many failed attempts. Please wait 15 minutes and try again.",
			   *email);
		return;
	case AUTH_LOGIN_ERROR:
		adm_error(x, 503, NULL, "The database cannot be reached; please try again.");
		return;
	}
	x->authed = true;
	store_audit(x->db, &(struct store_change){ x->user.id, x->user.email, adm_address(x),
						   "user.login", "", "" });
	adm_see_other(x, "/", NULL);
	http_set_header(req, "Set-Cookie",
			arena_printf(x->a, "dl_session=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s",
				     token, AUTH_ABSOLUTE_SECONDS, x->admin->secure_cookies ? "; Secure" : ""));
	http_set_header(req, "Set-Cookie", "dl_login=; Path=/login; Max-Age=0; HttpOnly; SameSite=Strict");
}

static void clear_cookie(struct adm *x)
{
	http_set_header(x->req, "Set-Cookie",
			"dl_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
}

void adm_logout(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;

	(void)req;
	if (x->user.session_hash)
		store_session_delete(x->db, x->user.session_hash);
	store_audit(x->db, &(struct store_change){ x->user.id, x->user.email, adm_address(x),
						   "user.logout", "", "" });
	adm_see_other(x, "/login", NULL);
	clear_cookie(x);
}

void adm_logout_everywhere(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	int rc = store_sessions_end(x->db, x->user.id, x->user.session_hash);

	(void)req;
	if (rc) {
		adm_error(x, 503, NULL, "The database cannot be reached; please try again.");
		return;
	}
	store_audit(x->db, &(struct store_change){ x->user.id, x->user.email, adm_address(x),
						   "user.logout_everywhere", "", "" });
	adm_see_other(x, "/account", "everywhere");
}

void adm_static(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct slice path = x->match.params[0];
	const struct theme_asset *a = theme_asset(x->admin->theme, path.p, path.len);

	if (!a) {
		adm_error(x, 404, NULL, "No such file.");
		return;
	}
	req->res.status = 200;
	req->res.static_body = a->data;
	req->res.static_len = a->len;
	req->res.content_type = a->content_type;
	req->res.compressible = true;
	req->res.etag = true;
	http_set_header(req, "Cache-Control", "private, max-age=3600");
}
