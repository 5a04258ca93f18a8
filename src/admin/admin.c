/*
 * admin.c - the editorial plane's routes, authentication, CSRF checks and
 * page rendering.
 *
 * Every route but the login page and the assets needs a session cookie (UI)
 * or a Bearer token (API); every state-changing request needs the session's
 * CSRF token (a form field, or the X-CSRF-Token header) or an API token.
 */
#include "core/compat.h"
#include "core/alloc.h"
#include "core/err.h"
#include "core/log.h"
#include "core/timefmt.h"
#include "admin/internal.h"
#include "render/theme.h"
#include "http/form.h"
#include "render/json.h"
#include "render/tpl.h"

#define GET (HTTP_GET | HTTP_HEAD)
#define POST HTTP_POST

static const struct route routes[] = {
	{ GET, "/login", adm_login_form, "login_form", ADM_PUBLIC },
	{ POST, "/login", adm_login, "login", ADM_PUBLIC },
	{ GET, "/static/*", adm_static, "admin_static", ADM_PUBLIC },
	{ GET, "/healthz", adm_healthz, "admin_healthz", ADM_PUBLIC },
	{ GET, "/metrics", adm_metrics, "metrics", ADM_PUBLIC },
	{ POST, "/logout", adm_logout, "logout", 0 },
	{ POST, "/logout-everywhere", adm_logout_everywhere, "logout_everywhere", 0 },
	{ GET, "/", adm_dashboard, "dashboard", 0 },
	{ GET, "/audit", adm_audit, "audit", 0 },
	{ GET, "/articles", adm_articles, "articles", 0 },
	{ POST, "/articles", adm_article_save, "article_create", 0 },
	{ GET, "/articles/new", adm_article_new, "article_new", 0 },
	{ GET, "/articles/:id", adm_article_edit, "article_edit", 0 },
	{ POST, "/articles/:id", adm_article_save, "article_save", 0 },
	{ POST, "/articles/:id/delete", adm_article_delete, "article_delete", 0 },
	{ GET, "/articles/:id/revisions", adm_revisions, "revisions", 0 },
	{ GET, "/revisions/:id", adm_revision, "revision", 0 },
	{ POST, "/revisions/:id/restore", adm_revision_restore, "revision_restore", 0 },
	{ POST, "/preview", adm_preview, "preview", 0 },
	{ GET, "/media", adm_media, "media", 0 },
	{ POST, "/media", adm_media_upload, "media_upload", ADM_MULTIPART },
	{ POST, "/media/:id", adm_media_save, "media_save", 0 },
	{ GET, "/ads", adm_ads, "ads", 0 },
	{ POST, "/ads", adm_ad_save, "ad_create", 0 },
	{ GET, "/ads/new", adm_ad_new, "ad_new", 0 },
	{ GET, "/ads/:id", adm_ad_edit, "ad_edit", 0 },
	{ POST, "/ads/:id", adm_ad_save, "ad_save", 0 },
	{ GET, "/settings", adm_settings, "settings", 0 },
	{ POST, "/settings", adm_settings_save, "settings_save", 0 },
	{ GET, "/categories", adm_categories, "categories", 0 },
	{ POST, "/categories", adm_category_save, "category_create", 0 },
	{ POST, "/categories/:id", adm_category_save, "category_save", 0 },
	{ POST, "/categories/:id/delete", adm_category_delete, "category_delete", 0 },
	{ GET, "/tags", adm_tags, "tags", 0 },
	{ POST, "/tags/:id", adm_tag_save, "tag_save", 0 },
	{ POST, "/tags/:id/delete", adm_tag_delete, "tag_delete", 0 },
	{ GET, "/people", adm_people, "people", 0 },
	{ POST, "/people", adm_person_create, "person_create", 0 },
	{ POST, "/people/:id", adm_person_save, "person_save", 0 },
	{ GET, "/account", adm_account, "account", 0 },
	{ POST, "/account/password", adm_password, "password", 0 },
	{ POST, "/account/tokens", adm_token_create, "token_create", 0 },
	{ POST, "/account/tokens/:id/delete", adm_token_delete, "token_delete", 0 },
	{ GET, "/api/v1/me", api_v1_me, "api_me", ADM_API },
	{ GET, "/api/v1/articles", api_v1_articles, "api_articles", ADM_API },
	{ POST, "/api/v1/articles", api_v1_article_create, "api_article_create", ADM_API | ADM_OWN_BODY },
	{ GET, "/api/v1/articles/:id", api_v1_article, "api_article", ADM_API },
	{ HTTP_PUT | HTTP_PATCH, "/api/v1/articles/:id", api_v1_article_update, "api_article_update",
	  ADM_API | ADM_OWN_BODY },
	{ HTTP_DELETE, "/api/v1/articles/:id", api_v1_article_delete, "api_article_delete", ADM_API },
	{ GET, "/api/v1/articles/:id/revisions", adm_revisions, "api_revisions", ADM_API },
	{ GET, "/api/v1/categories", api_v1_categories, "api_categories", ADM_API },
	{ GET, "/api/v1/tags", api_v1_tags, "api_tags", ADM_API },
	{ GET, "/api/v1/users", api_v1_users, "api_users", ADM_API },
	{ GET, "/api/v1/media", api_v1_media, "api_media", ADM_API },
	/* The rest of the API is the UI's own handlers speaking JSON. */
	{ POST, "/api/v1/media/:id", adm_media_save, "api_media_save", ADM_API },
	{ GET, "/api/v1/dashboard", adm_dashboard, "api_dashboard", ADM_API },
	{ GET, "/api/v1/audit", adm_audit, "api_audit", ADM_API },
	{ GET, "/api/v1/revisions/:id", adm_revision, "api_revision", ADM_API },
	{ POST, "/api/v1/revisions/:id/restore", adm_revision_restore, "api_revision_restore", ADM_API },
	{ POST, "/api/v1/categories", adm_category_save, "api_category_create", ADM_API },
	{ POST, "/api/v1/categories/:id", adm_category_save, "api_category_save", ADM_API },
	{ HTTP_DELETE, "/api/v1/categories/:id", adm_category_delete, "api_category_delete", ADM_API },
	{ POST, "/api/v1/tags/:id", adm_tag_save, "api_tag_save", ADM_API },
	{ HTTP_DELETE, "/api/v1/tags/:id", adm_tag_delete, "api_tag_delete", ADM_API },
	{ GET, "/api/v1/settings", adm_settings, "api_settings", ADM_API },
	{ POST, "/api/v1/settings", adm_settings_save, "api_settings_save", ADM_API },
	{ GET, "/api/v1/ads", adm_ads, "api_ads", ADM_API },
	{ POST, "/api/v1/ads", adm_ad_save, "api_ad_create", ADM_API },
	{ GET, "/api/v1/ads/:id", adm_ad_edit, "api_ad", ADM_API },
	{ POST, "/api/v1/ads/:id", adm_ad_save, "api_ad_save", ADM_API },
	{ GET, "/api/v1/people", adm_people, "api_people", ADM_API },
	{ POST, "/api/v1/people", adm_person_create, "api_person_create", ADM_API },
	{ POST, "/api/v1/people/:id", adm_person_save, "api_person_save", ADM_API },
	{ GET, "/api/v1/tokens", adm_account, "api_tokens", ADM_API },
	{ POST, "/api/v1/tokens", adm_token_create, "api_token_create", ADM_API },
	{ HTTP_DELETE, "/api/v1/tokens/:id", adm_token_delete, "api_token_delete", ADM_API },
	{ POST, "/api/v1/media", api_v1_media_upload, "api_media_upload", ADM_API | ADM_MULTIPART },
	{ ADMIN_METHODS, "/api/*", api_v1_not_found, "api_not_found", ADM_API },
};

struct admin *admin_new(struct engine *engine, const struct admin_config *cfg)
{
	struct admin *a = xcalloc(1, sizeof(*a));
	struct strbuf err = STRBUF_INIT;

	a->engine = engine;
	a->secure_cookies = cfg->secure_cookies;
	a->public_url = xstrdup(cfg->public_url ? cfg->public_url : "");
	a->max_upload = cfg->max_upload ? cfg->max_upload : ADMIN_DEFAULT_MAX_UPLOAD;
	a->theme = theme_load_admin(&err);
	if (!a->theme) {
		error("the admin templates do not load: %s", err.buf);
		strbuf_release(&err);
		free(a->public_url);
		free(a);
		return NULL;
	}
	strbuf_release(&err);
	a->router = router_new(routes, ARRAY_SIZE(routes));
	return a;
}

void admin_free(struct admin *a)
{
	if (!a)
		return;
	router_free(a->router);
	theme_free(a->theme);
	free(a->public_url);
	free(a);
}

/* ---- helpers for handlers ---- */

static void security_headers(struct http_request *req)
{
	/* Nothing inline, nothing from elsewhere, never framed, never cached. */
	http_set_header(req, "Content-Security-Policy",
			"default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self';"
			" connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
	http_set_header(req, "X-Frame-Options", "DENY");
	http_set_header(req, "Referrer-Policy", "same-origin");
	http_set_header(req, "Cache-Control", "no-store");
}

/* Admin pages also show the public site's images (the media library, previews). */
static void page_security_headers(struct adm *x)
{
	http_set_header(x->req, "Content-Security-Policy", arena_printf(x->a,
			"default-src 'none'; img-src 'self' data: %s; style-src 'self'; script-src 'self';"
			" connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
			adm_public_base(x)));
	http_set_header(x->req, "X-Frame-Options", "DENY");
	http_set_header(x->req, "Referrer-Policy", "same-origin");
	http_set_header(x->req, "Cache-Control", "no-store");
}

static void view_layout(struct adm *x)
{
	const struct theme_asset *css = theme_asset(x->admin->theme, "admin.css", 9);
	const struct theme_asset *js = theme_asset(x->admin->theme, "admin.js", 8);
	struct view *site = view_set_obj(x->root, "site");
	struct slice notice = http_cookie(x->req, "dl_notice");

	view_set_cstr(site, "title", x->snap->settings.title);
	view_set_cstr(site, "public_url", x->admin->public_url);
	if (css)
		view_set_cstr(site, "css", arena_printf(x->a, "/static/admin.css?v=%s", css->version));
	if (js)
		view_set_cstr(site, "js", arena_printf(x->a, "/static/admin.js?v=%s", js->version));
	if (x->authed) {
		struct view *me = view_set_obj(x->root, "me");
		view_set_cstr(me, "email", x->user.email);
		view_set_cstr(me, "name", x->user.name);
		view_set_cstr(me, "role", x->user.role);
		view_set_int(me, "id", x->user.id);
		view_set_bool(me, "may_publish", x->user.perms & PERM_PUBLISH_OWN);
		view_set_bool(me, "may_edit_any", x->user.perms & PERM_EDIT_ANY);
		view_set_bool(me, "may_pin", x->user.perms & PERM_PIN);
		view_set_bool(me, "may_users", x->user.perms & PERM_USERS);
		view_set_bool(me, "may_audit", x->user.perms & PERM_AUDIT);
		view_set_bool(me, "may_settings", x->user.perms & PERM_SETTINGS);
		view_set_bool(me, "may_taxonomy", x->user.perms & PERM_TAXONOMY);
		view_set_bool(me, "may_ads", x->user.perms & PERM_ADS);
		if (x->user.csrf)
			view_set_cstr(x->root, "csrf", x->user.csrf);
	}
	/* The notice cookie holds one of a few fixed words, never user text. */
	if (notice.len && notice.len < 40) {
		static const struct { const char *key, *text; } notices[] = {
			{ "saved", "Saved." }, { "deleted", "Deleted." }, { "restored", "Revision restored." },
			{ "created", "Created." }, { "password", "Password changed; other sessions ended." },
			{ "everywhere", "Every other session has been logged out." },
			{ "revoked", "Token revoked." }, { "uploaded", "Image uploaded." },
		};
		for (size_t i = 0; i < ARRAY_SIZE(notices); i++)
			if (slice_eq_str(notice, notices[i].key))
				view_set_cstr(x->root, "notice", notices[i].text);
		http_set_header(x->req, "Set-Cookie",
				"dl_notice=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
	}
}

static void json_error(struct adm *x, int status, const char *field, const char *message);

/*
 * The API answers with the same view model the page would have shown, as
 * JSON: one handler serves both. A failed form's "field: why" becomes the
 * API's error object.
 */
static void render_json(struct adm *x, int status)
{
	struct view *fe = view_get(x->root, "form_error", 10);

	if (status >= 400 && fe) {
		struct view *msg = fe->type == VIEW_OBJ ? view_get(fe, "message", 7) : fe;
		struct view *field = fe->type == VIEW_OBJ ? view_get(fe, "field", 5) : NULL;
		const char *text = msg && msg->type == VIEW_STR ? arena_strndup(x->a, msg->u.s.p, msg->u.s.len)
			: "The request was refused.";
		const char *colon = strstr(text, ": ");
		const char *name = field && field->type == VIEW_STR
			? arena_strndup(x->a, field->u.s.p, field->u.s.len) : NULL;

		/* "slug: lower-case letters..." names its field first. */
		if (!name && colon && (size_t)(colon - text) < 32 && !memchr(text, ' ', (size_t)(colon - text))) {
			name = arena_strndup(x->a, text, (size_t)(colon - text));
			text = colon + 2;
		}
		json_error(x, status, name, text);
		return;
	}
	x->req->res.status = status;
	x->req->res.content_type = "application/json; charset=utf-8";
	strbuf_reset(&x->req->res.body);
	json_write(&x->req->res.body, x->root);
	strbuf_addch(&x->req->res.body, '\n');
	x->req->res.compressible = true;
	security_headers(x->req);
}

void adm_render(struct adm *x, const char *template, int status)
{
	struct http_request *req = x->req;
	int rc;

	if (x->api) {
		render_json(x, status);
		return;
	}

	view_layout(x);
	req->res.status = status;
	req->res.content_type = "text/html; charset=utf-8";
	strbuf_reset(&req->res.body);
	rc = tpl_render(theme_templates(x->admin->theme), template, x->root, &req->res.body);
	if (rc) {
		error("rendering admin template '%s' failed (%s)", template, dl_rc_name(rc));
		strbuf_reset(&req->res.body);
		req->res.status = 500;
		req->res.content_type = "text/plain; charset=utf-8";
		strbuf_addstr(&req->res.body, "500 Internal Server Error: the page could not be rendered.\n");
	}
	req->res.compressible = true;
	page_security_headers(x);
}

static void json_error(struct adm *x, int status, const char *field, const char *message)
{
	struct strbuf *b = &x->req->res.body;

	x->req->res.status = status;
	x->req->res.content_type = "application/json; charset=utf-8";
	strbuf_reset(b);
	strbuf_addstr(b, "{\"error\":{\"status\":");
	strbuf_addint(b, status);
	strbuf_addstr(b, ",\"field\":");
	if (field) {
		strbuf_addch(b, '"');
		strbuf_add_json(b, field, strlen(field));
		strbuf_addch(b, '"');
	} else {
		strbuf_addstr(b, "null");
	}
	strbuf_addstr(b, ",\"message\":\"");
	strbuf_add_json(b, message, strlen(message));
	strbuf_addstr(b, "\"}}\n");
	security_headers(x->req);
}

void adm_error(struct adm *x, int status, const char *field, const char *message)
{
	struct view *err;

	if (x->api) {
		json_error(x, status, field, message);
		return;
	}
	x->root = view_obj(x->a);
	err = view_set_obj(x->root, "error");
	view_set_int(err, "status", status);
	view_set_cstr(err, "title", http_status_text(status));
	view_set_cstr(err, "message", message);
	if (field)
		view_set_cstr(err, "field", field);
	adm_render(x, "error", status);
}

void adm_editorial_error(struct adm *x, const struct editorial_error *err)
{
	if (err->status == 503)
		http_set_header(x->req, "Retry-After", "5");
	adm_error(x, err->status, err->field, err->message);
}

bool adm_require(struct adm *x, unsigned perms)
{
	if ((x->user.perms & perms) == perms)
		return true;
	adm_error(x, 403, NULL, "Your role may not do this.");
	return false;
}

void adm_see_other(struct adm *x, const char *location, const char *notice)
{
	if (x->api) {
		struct view *v = view_obj(x->a);
		view_set_bool(v, "ok", true);
		view_set_cstr(v, "location", location);
		x->root = v;
		render_json(x, 200);
		return;
	}
	http_redirect(x->req, 303, location);
	if (notice)
		http_set_header(x->req, "Set-Cookie",
				arena_printf(x->a, "dl_notice=%s; Path=/; Max-Age=60; HttpOnly;"
						   " SameSite=Strict", notice));
	security_headers(x->req);
}

const struct slice *adm_field(struct adm *x, const char *name)
{
	return query_get(&x->form, name);
}

int64_t adm_field_int(struct adm *x, const char *name)
{
	const struct slice *v = adm_field(x, name);
	int64_t n;

	return v && !slice_to_int64(*v, 0, INT64_MAX, &n) ? n : 0;
}

bool adm_param_id(struct adm *x, size_t i, int64_t *id)
{
	if (i < x->match.nparams && !slice_to_int64(x->match.params[i], 1, INT64_MAX, id))
		return true;
	adm_error(x, 404, NULL, "There is no such item.");
	return false;
}

const char *adm_address(struct adm *x)
{
	return x->req->remote_addr ? x->req->remote_addr : "";
}

struct editorial_actor adm_actor(struct adm *x)
{
	return (struct editorial_actor){ &x->user, adm_address(x) };
}

const char *adm_time(struct adm *x, int64_t t)
{
	struct strbuf sb = STRBUF_INIT;
	struct tm tm;
	const char *r;

	if (!t)
		return "";
	tz_localtime(x->snap->tz, t, &tm);
	timefmt_date_time(&sb, x->snap->locale, &tm);
	r = arena_strndup(x->a, sb.buf, sb.len);
	strbuf_release(&sb);
	return r;
}

const char *adm_time_input(struct adm *x, int64_t t)
{
	struct tm tm;

	if (!t)
		return "";
	tz_localtime(x->snap->tz, t, &tm);
	return arena_printf(x->a, "%04d-%02d-%02dT%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
			    tm.tm_mday, tm.tm_hour, tm.tm_min);
}

const char *adm_public_base(struct adm *x)
{
	const char *base = x->snap->settings.base_url;
	size_t n;

	if (!base || !*base)
		return x->admin->public_url;
	n = strlen(base);
	while (n && base[n - 1] == '/')
		n--;
	return arena_strndup(x->a, base, n);
}

const char *adm_public_url(struct adm *x, struct slice category_slug, struct slice slug)
{
	struct strbuf sb = STRBUF_INIT;
	const char *r;

	strbuf_addstr(&sb, adm_public_base(x));
	strbuf_addch(&sb, '/');
	strbuf_add_urlencoded(&sb, category_slug.p, category_slug.len);
	strbuf_addch(&sb, '/');
	strbuf_add_urlencoded(&sb, slug.p, slug.len);
	strbuf_addch(&sb, '/');
	r = arena_strndup(x->a, sb.buf, sb.len);
	strbuf_release(&sb);
	return r;
}

/* ---- authentication and CSRF ---- */

/* "Bearer <token>" from the Authorization header. */
static bool bearer(struct adm *x, struct slice *token)
{
	const char *h = http_header(x->req, "Authorization");

	if (!h || strncasecmp(h, "Bearer ", 7))
		return false;
	*token = slice_cstr(h + 7);
	return true;
}

static bool state_changing(enum http_method m)
{
	return m & (HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE);
}

/* Who is asking; false after answering 401/303. */
static bool authenticate(struct adm *x, unsigned flags)
{
	struct slice token;
	int rc;

	if ((flags & ADM_API) && bearer(x, &token)) {
		rc = auth_api_token(x->db, x->a, token, &x->user);
		if (rc == DL_NOTFOUND) {
			http_set_header(x->req, "WWW-Authenticate", "Bearer");
			adm_error(x, 401, NULL, "The API token is not valid.");
			return false;
		}
	} else {
		rc = auth_session(x->db, x->a, http_cookie(x->req, "dl_session"), &x->user);
		if (rc == DL_NOTFOUND) {
			if (x->api || x->req->method != HTTP_GET) {
				adm_error(x, 401, NULL, "Please log in.");
			} else {
				http_redirect(x->req, 303, "/login");
				security_headers(x->req);
			}
			return false;
		}
	}
	if (rc) {
		adm_error(x, rc == DL_UNAVAILABLE ? 503 : 500, NULL,
			  "The database cannot be reached; please try again.");
		return false;
	}
	x->authed = true;
	return true;
}

/* A session's state-changing request must carry its CSRF token. */
static bool csrf_ok(struct adm *x)
{
	const char *h;
	const struct slice *f;

	if (!x->user.session_hash || !state_changing(x->req->method))
		return true;  /* API tokens are not sent by browsers on their own */
	h = http_header(x->req, "X-CSRF-Token");
	if (h && auth_secret_eq(h, strlen(h), x->user.csrf, strlen(x->user.csrf)))
		return true;
	f = adm_field(x, "csrf");
	return f && auth_secret_eq(f->p, f->len, x->user.csrf, strlen(x->user.csrf));
}

static const struct query_limits form_limits = { 64, 64, ED_BODY_MAX + 4096, true };

/* An API request's JSON object read as the form (see http/form.h); false after answering. */
static bool read_json_form(struct adm *x)
{
	const char *key, *why;

	if (!form_from_json(x->a, x->req->body, &x->form, &key, &why))
		return true;
	adm_error(x, key ? 422 : 400, key, why);
	return false;
}

/* Parse an urlencoded form body (or an API's JSON object); false after answering. */
static bool read_form(struct adm *x)
{
	const char *type = http_header(x->req, "Content-Type");
	int rc;

	/* /api/v1/articles reads its own typed JSON (api/v1.c); the rest share the UI's handlers. */
	if (x->api && x->req->body.len && type && !strncasecmp(type, "application/json", 16) &&
	    !(x->match.route->flags & ADM_OWN_BODY))
		return read_json_form(x);

	if (!x->req->body.len || !type ||
	    strncasecmp(type, "application/x-www-form-urlencoded", 33))
		return true;
	rc = query_parse_limited(x->a, x->req->body, &form_limits, &x->form);
	if (rc == DL_TOOBIG) {
		adm_error(x, 413, NULL, "The form has too many or too long fields.");
		return false;
	}
	if (rc) {
		adm_error(x, 400, NULL, "The form is malformed (bad encoding, invalid UTF-8 or "
					"control characters).");
		return false;
	}
	return true;
}

void admin_handle(struct http_request *req, void *ctx)
{
	struct admin *ad = ctx;
	struct adm x = { .admin = ad, .req = req, .a = req->arena };
	enum route_result r;
	unsigned allowed;

	x.root = view_obj(x.a);
	x.api = slice_starts_with(req->path, "/api/");
	x.snap = engine_snapshot(ad->engine, req->arena);
	if (!x.snap) {
		http_set_header(req, "Retry-After", "5");
		req->res.status = 503;
		req->res.content_type = "text/plain; charset=utf-8";
		strbuf_addstr(&req->res.body, "503 Service Unavailable: the database cannot be reached.\n");
		return;
	}
	x.db = engine_db(ad->engine);
	r = router_match(ad->router, req->method, req->path, &x.match, &allowed);
	if (r == ROUTE_BAD_METHOD) {
		adm_error(&x, 405, NULL, "This method is not allowed here.");
		return;
	}
	if (r != ROUTE_FOUND) {
		adm_error(&x, 404, NULL, "There is no such page.");
		return;
	}
	req->route = x.match.route->name;  /* for the request metrics */
	if (!read_form(&x))
		return;
	if (!(x.match.route->flags & ADM_PUBLIC)) {
		if (!authenticate(&x, x.match.route->flags))
			return;
		x.csrf_checked = csrf_ok(&x);
		/* An upload's form carries its token inside the multipart body: the handler checks. */
		if (!x.csrf_checked && !(x.match.route->flags & ADM_MULTIPART)) {
			adm_error(&x, 403, "csrf", "The form has expired or did not come from this site. "
						   "Reload the page and try again.");
			return;
		}
	}
	x.match.route->handler(req, &x);
	/* Behind HTTPS (--admin-https), browsers are told never to come back over HTTP. */
	if (ad->secure_cookies)
		http_set_header(req, "Strict-Transport-Security", "max-age=31536000");
}

void admin_error_page(struct http_request *req, const char *message, void *ctx)
{
	struct admin *ad = ctx;

	(void)ad;
	req->res.content_type = "text/plain; charset=utf-8";
	strbuf_addf(&req->res.body, "%d %s: %s\n", req->res.status, http_status_text(req->res.status),
		    message);
	security_headers(req);
}
