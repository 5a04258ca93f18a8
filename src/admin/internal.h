/*
 * internal.h - shared by the editorial plane's handlers (src/admin/ and the
 * JSON API in src/api/v1.c). Private to them.
 */
#ifndef DL_ADMIN_INTERNAL_H
#define DL_ADMIN_INTERNAL_H

#include "core/compat.h"
#include "admin/admin.h"
#include "engine/auth.h"
#include "engine/editorial.h"
#include "http/router.h"
#include "render/view.h"

struct admin {
	struct engine *engine;
	struct theme *theme;
	struct router *router;
	bool secure_cookies;     /* add Secure: the plane is behind HTTPS */
	char *public_url;        /* the public listener, for "view" links */
	size_t max_upload;       /* bytes */
};

/* One request on the editorial plane. */
struct adm {
	struct admin *admin;
	struct http_request *req;
	struct arena *a;
	struct db *db;
	const struct engine_snapshot *snap;
	struct route_match match;
	struct auth_user user;
	bool authed;
	bool api;                /* a JSON API request: errors are JSON */
	struct query form;       /* the POSTed form (urlencoded) */
	bool csrf_checked;       /* by header or form field, before the handler */
	struct view *root;
};

/* Route flags. */
enum {
	ADM_PUBLIC = 1 << 0,     /* served without a login (login page, assets) */
	ADM_API = 1 << 1,        /* JSON API: Bearer token or session + X-CSRF-Token */
	ADM_MULTIPART = 1 << 2,  /* an upload: the handler checks a form's CSRF part */
	ADM_OWN_BODY = 1 << 3,   /* the handler parses its JSON body itself */
};

/* Handlers: src/admin/session.c */
void adm_login_form(struct http_request *req, void *ctx);
void adm_login(struct http_request *req, void *ctx);
void adm_logout(struct http_request *req, void *ctx);
void adm_logout_everywhere(struct http_request *req, void *ctx);
void adm_static(struct http_request *req, void *ctx);
/* src/admin/ops.c */
void adm_healthz(struct http_request *req, void *ctx);
void adm_metrics(struct http_request *req, void *ctx);
/* src/admin/dashboard.c */
void adm_dashboard(struct http_request *req, void *ctx);
void adm_audit(struct http_request *req, void *ctx);
/* src/admin/articles.c */
void adm_articles(struct http_request *req, void *ctx);
void adm_article_new(struct http_request *req, void *ctx);
void adm_article_edit(struct http_request *req, void *ctx);
void adm_article_save(struct http_request *req, void *ctx);
void adm_article_delete(struct http_request *req, void *ctx);
void adm_revisions(struct http_request *req, void *ctx);
void adm_revision(struct http_request *req, void *ctx);
void adm_revision_restore(struct http_request *req, void *ctx);
void adm_preview(struct http_request *req, void *ctx);
/* src/admin/people.c */
void adm_people(struct http_request *req, void *ctx);
void adm_person_create(struct http_request *req, void *ctx);
void adm_person_save(struct http_request *req, void *ctx);
void adm_account(struct http_request *req, void *ctx);
void adm_password(struct http_request *req, void *ctx);
void adm_token_create(struct http_request *req, void *ctx);
void adm_token_delete(struct http_request *req, void *ctx);
/* src/admin/site.c */
void adm_settings(struct http_request *req, void *ctx);
void adm_settings_save(struct http_request *req, void *ctx);
void adm_categories(struct http_request *req, void *ctx);
void adm_category_save(struct http_request *req, void *ctx);
void adm_category_delete(struct http_request *req, void *ctx);
void adm_tags(struct http_request *req, void *ctx);
void adm_tag_save(struct http_request *req, void *ctx);
void adm_tag_delete(struct http_request *req, void *ctx);
/* src/admin/ads.c */
void adm_ads(struct http_request *req, void *ctx);
void adm_ad_new(struct http_request *req, void *ctx);
void adm_ad_edit(struct http_request *req, void *ctx);
void adm_ad_save(struct http_request *req, void *ctx);
/* src/admin/media.c */
void adm_media(struct http_request *req, void *ctx);
void adm_media_upload(struct http_request *req, void *ctx);
void adm_media_save(struct http_request *req, void *ctx);
/* Read and store a multipart upload; the new id, or 0 after answering. */
int64_t adm_upload(struct adm *x);
/* src/api/v1.c */
void api_v1_media(struct http_request *req, void *ctx);
void api_v1_media_upload(struct http_request *req, void *ctx);
void api_v1_me(struct http_request *req, void *ctx);
void api_v1_articles(struct http_request *req, void *ctx);
void api_v1_article_create(struct http_request *req, void *ctx);
void api_v1_article(struct http_request *req, void *ctx);
void api_v1_article_update(struct http_request *req, void *ctx);
void api_v1_article_delete(struct http_request *req, void *ctx);
void api_v1_categories(struct http_request *req, void *ctx);
void api_v1_tags(struct http_request *req, void *ctx);
void api_v1_users(struct http_request *req, void *ctx);
void api_v1_not_found(struct http_request *req, void *ctx);

/* Render `template` inside the admin layout (no-store, strict CSP). */
void adm_render(struct adm *x, const char *template, int status);
/* An error page (or a JSON error on the API) naming the field if any. */
void adm_error(struct adm *x, int status, const char *field, const char *message);
/* Answer an editorial_error. */
void adm_editorial_error(struct adm *x, const struct editorial_error *err);
/* 403 unless the user has every permission in `perms`; false when it answered. */
bool adm_require(struct adm *x, unsigned perms);
/* After a successful POST: 303 to `location`, with a one-time notice. */
void adm_see_other(struct adm *x, const char *location, const char *notice);

/* A form field, or NULL; and one as an int (0 when absent or malformed). */
const struct slice *adm_field(struct adm *x, const char *name);
int64_t adm_field_int(struct adm *x, const char *name);
/* Route parameter i as a positive id; false after answering 404. */
bool adm_param_id(struct adm *x, size_t i, int64_t *id);

/* The who-did-it for editorial calls. */
struct editorial_actor adm_actor(struct adm *x);
/* The request's client address. */
const char *adm_address(struct adm *x);
/* "25 Nov 2026, 14:30" in the site's zone, and the editor's input form "2026-11-25T14:30". */
const char *adm_time(struct adm *x, int64_t t);
const char *adm_time_input(struct adm *x, int64_t t);
/* The public site's origin: the base_url setting, else the public listener. */
const char *adm_public_base(struct adm *x);
/* The public address of a published article. */
const char *adm_public_url(struct adm *x, struct slice category_slug, struct slice slug);

#endif
