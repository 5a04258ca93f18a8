/*
 * v1.c - the editorial JSON API (/api/v1/ on the editorial listener): what
 * the admin UI does, for scripts and apps, with personal access tokens
 * ("Authorization: Bearer ...") or the UI's session plus X-CSRF-Token.
 *
 * Request bodies are JSON objects parsed with jansson; an unknown field, a
 * field of the wrong type or a failed rule is a 4xx naming the field.
 */
#include "core/compat.h"
#include <jansson.h>
#include "core/err.h"
#include "admin/internal.h"
#include "engine/media.h"
#include "render/json.h"

#define API_PAGE_MAX 100

static void send(struct adm *x, int status, const struct view *v)
{
	struct http_request *req = x->req;

	req->res.status = status;
	req->res.content_type = "application/json; charset=utf-8";
	strbuf_reset(&req->res.body);
	json_write(&req->res.body, v);
	strbuf_addch(&req->res.body, '\n');
	req->res.compressible = true;
	http_set_header(req, "Cache-Control", "no-store");
	http_set_header(req, "X-Frame-Options", "DENY");
}

static void store_down(struct adm *x)
{
	http_set_header(x->req, "Retry-After", "5");
	adm_error(x, 503, NULL, "The database cannot be reached; please try again.");
}

static struct view *view_article(struct adm *x, const struct store_edit *e, bool full)
{
	struct view *v = view_obj(x->a);

	view_set_int(v, "id", e->id);
	view_set_str(v, "slug", e->slug.p, e->slug.len);
	view_set_str(v, "title", e->title.p, e->title.len);
	view_set_str(v, "dek", e->dek.p, e->dek.len);
	view_set_str(v, "status", e->status.p, e->status.len);
	view_set_int(v, "author_id", e->author_id);
	view_set_str(v, "author", e->author_name.p, e->author_name.len);
	view_set_int(v, "category_id", e->category_id);
	view_set_str(v, "category", e->category_name.p, e->category_name.len);
	if (e->featured_media_id)
		view_set_int(v, "featured_media_id", e->featured_media_id);
	else
		view_set(v, "featured_media_id", view_null(x->a));
	view_set_bool(v, "pinned", e->pinned_at != 0);
	if (e->published_at)
		view_set_int(v, "published_at", e->published_at);
	else
		view_set(v, "published_at", view_null(x->a));
	view_set_int(v, "created_at", e->created_at);
	view_set_int(v, "updated_at", e->updated_at);
	if (slice_eq_str(e->status, "published"))
		view_set_cstr(v, "url", adm_public_url(x, e->category_slug, e->slug));
	if (full) {
		struct view *tags = view_set_list(v, "tags");
		view_set_str(v, "body", e->body_source.p, e->body_source.len);
		view_set_str(v, "seo_title", e->seo_title.p, e->seo_title.len);
		view_set_str(v, "seo_description", e->seo_description.p, e->seo_description.len);
		view_set_str(v, "note", e->note.p, e->note.len);
		if (e->note_at)
			view_set_int(v, "note_at", e->note_at);
		for (size_t i = 0; i < e->ntags; i++)
			view_push(tags, view_str(x->a, e->tags[i].name.p, e->tags[i].name.len));
	}
	return v;
}

void api_v1_me(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct view *v = view_obj(x->a);

	(void)req;
	view_set_int(v, "id", x->user.id);
	view_set_cstr(v, "email", x->user.email);
	view_set_cstr(v, "name", x->user.name);
	view_set_cstr(v, "role", x->user.role);
	send(x, 200, v);
}

static const char *const list_params[] = { "status", "category", "author", "q", "page",
					   "per_page", NULL };

void api_v1_articles(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct store_edit_filter f = { 0 };
	const struct slice *v;
	const char *unknown = query_unknown(x->a, &req->query, list_params);
	struct store_edit *items;
	struct view *out, *list;
	int64_t page, per_page = 20, total;
	size_t n;

	if (unknown) {
		adm_error(x, 400, unknown, "Unknown query parameter.");
		return;
	}
	if (query_page(&req->query, 1000000, &page)) {
		adm_error(x, 400, "page", "page must be a positive integer.");
		return;
	}
	if ((v = query_get(&req->query, "per_page")) && slice_to_int64(*v, 1, API_PAGE_MAX, &per_page)) {
		adm_error(x, 400, "per_page", "per_page must be 1 to 100.");
		return;
	}
	if ((v = query_get(&req->query, "status"))) {
		bool ok = false;
		for (size_t i = 0; i < STORE_NSTATUS; i++)
			ok |= slice_eq_str(*v, store_statuses[i]);
		if (!ok) {
			adm_error(x, 400, "status", "Unknown status.");
			return;
		}
		f.status = arena_strndup(x->a, v->p, v->len);
	}
	if ((v = query_get(&req->query, "category")) && slice_to_int64(*v, 1, INT64_MAX, &f.category_id)) {
		adm_error(x, 400, "category", "category must be an id.");
		return;
	}
	if ((v = query_get(&req->query, "author")) && slice_to_int64(*v, 1, INT64_MAX, &f.author_id)) {
		adm_error(x, 400, "author", "author must be an id.");
		return;
	}
	if (!(x->user.perms & PERM_EDIT_ANY))
		f.author_id = x->user.id;
	if ((v = query_get(&req->query, "q")))
		f.text = *v;
	f.limit = per_page;
	f.offset = (page - 1) * per_page;
	if (store_edit_list(x->db, x->a, &f, &items, &n, &total)) {
		store_down(x);
		return;
	}
	out = view_obj(x->a);
	view_set_int(out, "total", total);
	view_set_int(out, "page", page);
	view_set_int(out, "per_page", per_page);
	list = view_set_list(out, "items");
	for (size_t i = 0; i < n; i++)
		view_push(list, view_article(x, &items[i], false));
	send(x, 200, out);
}

/* ---- request bodies ---- */

enum field_type { F_STRING, F_INT, F_BOOL, F_TAGS };

static const struct {
	const char *name;
	enum field_type type;
} fields[] = {
	{ "title", F_STRING }, { "dek", F_STRING }, { "slug", F_STRING }, { "body", F_STRING },
	{ "status", F_STRING }, { "tags", F_TAGS }, { "seo_title", F_STRING },
	{ "seo_description", F_STRING }, { "note", F_STRING }, { "publish_at", F_STRING },
	{ "category_id", F_INT }, { "author_id", F_INT }, { "featured_media_id", F_INT },
	{ "pinned", F_BOOL },
};

static struct slice *jstr(struct adm *x, json_t *v)
{
	struct slice *s = ARENA_NEW(x->a, struct slice);

	*s = (struct slice){ arena_strndup(x->a, json_string_value(v), json_string_length(v)),
			     json_string_length(v) };
	return s;
}

/* Tags as a JSON list of strings, joined for the editorial layer. */
static struct slice *jtags(struct adm *x, json_t *v)
{
	struct strbuf sb = STRBUF_INIT;
	struct slice *s = ARENA_NEW(x->a, struct slice);
	size_t i;
	json_t *t;

	json_array_foreach(v, i, t) {
		const char *name = json_string_value(t);
		if (i)
			strbuf_addch(&sb, ',');
		/* A comma inside a name would split it: refuse it here by name. */
		if (strchr(name, ','))
			strbuf_addstr(&sb, "\n");
		strbuf_addstr(&sb, name);
	}
	*s = (struct slice){ arena_strndup(x->a, sb.buf, sb.len), sb.len };
	strbuf_release(&sb);
	return s;
}

static bool type_ok(json_t *v, enum field_type t)
{
	size_t i;
	json_t *item;

	switch (t) {
	case F_STRING:
		return json_is_string(v);
	case F_INT:
		return json_is_integer(v) || json_is_null(v);
	case F_BOOL:
		return json_is_boolean(v);
	case F_TAGS:
		if (!json_is_array(v))
			return false;
		json_array_foreach(v, i, item)
			if (!json_is_string(item))
				return false;
		return true;
	}
	return false;
}

/* Read a JSON article body into `in`; false after answering. */
static bool read_article(struct adm *x, struct editorial_input *in)
{
	const char *type = http_header(x->req, "Content-Type");
	json_error_t jerr;
	const char *key;
	json_t *root, *v;

	if (!type || strncasecmp(type, "application/json", 16)) {
		adm_error(x, 415, NULL, "Send the article as application/json.");
		return false;
	}
	root = json_loadb(x->req->body.p, x->req->body.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		adm_error(x, 400, NULL, arena_printf(x->a, "The body is not valid JSON: %s (line %d).",
						     jerr.text, jerr.line));
		return false;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		adm_error(x, 400, NULL, "The body must be a JSON object.");
		return false;
	}
	json_object_foreach(root, key, v) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(fields) && strcmp(key, fields[i].name); i++)
			;
		if (i == ARRAY_SIZE(fields)) {
			const char *field = arena_strndup(x->a, key, strnlen(key, 64));
			json_decref(root);
			adm_error(x, 422, field, "Unknown field.");
			return false;
		}
		if (!type_ok(v, fields[i].type)) {
			static const char *const want[] = { "a string", "an integer or null",
							    "true or false", "a list of strings" };
			json_decref(root);
			adm_error(x, 422, fields[i].name,
				  arena_printf(x->a, "This field must be %s.", want[fields[i].type]));
			return false;
		}
		if (!strcmp(key, "title")) in->title = jstr(x, v);
		else if (!strcmp(key, "dek")) in->dek = jstr(x, v);
		else if (!strcmp(key, "slug")) in->slug = jstr(x, v);
		else if (!strcmp(key, "body")) in->body = jstr(x, v);
		else if (!strcmp(key, "status")) in->status = jstr(x, v);
		else if (!strcmp(key, "tags")) in->tags = jtags(x, v);
		else if (!strcmp(key, "seo_title")) in->seo_title = jstr(x, v);
		else if (!strcmp(key, "seo_description")) in->seo_description = jstr(x, v);
		else if (!strcmp(key, "note")) in->note = jstr(x, v);
		else if (!strcmp(key, "publish_at")) in->publish_at = jstr(x, v);
		else if (!strcmp(key, "pinned")) in->pinned = json_is_true(v);
		else if (!strcmp(key, "category_id")) in->category_id = json_integer_value(v);
		else if (!strcmp(key, "author_id")) in->author_id = json_integer_value(v);
		else if (!strcmp(key, "featured_media_id"))
			in->featured_media_id = json_is_null(v) ? -1 : json_integer_value(v);
	}
	json_decref(root);
	if (in->category_id < 0 || in->author_id < 0 || in->featured_media_id < -1) {
		adm_error(x, 422, in->category_id < 0 ? "category_id" : in->author_id < 0 ? "author_id"
									  : "featured_media_id",
			  "Ids are positive integers.");
		return false;
	}
	return true;
}

static void send_article(struct adm *x, int status, int64_t id)
{
	struct store_edit e;
	int rc = store_edit_get(x->db, x->a, id, &e);

	if (rc == DL_NOTFOUND) {
		adm_error(x, 404, NULL, "There is no such article.");
		return;
	}
	if (rc) {
		store_down(x);
		return;
	}
	if (!editorial_may_edit(&x->user, &e)) {
		adm_error(x, 403, NULL, "Your role may not see this article.");
		return;
	}
	if (status == 201)
		http_set_header(x->req, "Location", arena_printf(x->a, "/api/v1/articles/%" PRId64, id));
	send(x, status, view_article(x, &e, true));
}

static void save(struct adm *x, int64_t id)
{
	struct editorial_input in = { .id = id, .pinned = -1 };
	struct editorial_actor who = adm_actor(x);
	struct editorial_error err;
	int64_t saved;

	if (!read_article(x, &in))
		return;
	if (!id && !in.title) {
		adm_error(x, 422, "title", "A new article needs a title.");
		return;
	}
	if (editorial_save(x->db, x->a, &who, x->snap->tz, &in, &saved, &err)) {
		adm_editorial_error(x, &err);
		return;
	}
	send_article(x, id ? 200 : 201, saved);
}

void api_v1_article_create(struct http_request *req, void *ctx)
{
	(void)req;
	save(ctx, 0);
}

void api_v1_article_update(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	int64_t id;

	(void)req;
	if (adm_param_id(x, 0, &id))
		save(x, id);
}

void api_v1_article(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	int64_t id;

	(void)req;
	if (adm_param_id(x, 0, &id))
		send_article(x, 200, id);
}

void api_v1_article_delete(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct editorial_actor who = adm_actor(x);
	struct editorial_error err;
	int64_t id;

	if (!adm_param_id(x, 0, &id))
		return;
	if (editorial_delete(x->db, x->a, &who, id, &err)) {
		adm_editorial_error(x, &err);
		return;
	}
	req->res.status = 204;
	http_set_header(req, "Cache-Control", "no-store");
}

void api_v1_categories(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct view *list = view_list(x->a);

	(void)req;
	for (size_t i = 0; i < x->snap->ncategories; i++) {
		const struct store_category *c = &x->snap->categories[i];
		struct view *v = view_obj(x->a);
		view_set_int(v, "id", c->id);
		view_set_str(v, "slug", c->slug.p, c->slug.len);
		view_set_str(v, "name", c->name.p, c->name.len);
		if (c->parent_id)
			view_set_int(v, "parent_id", c->parent_id);
		else
			view_set(v, "parent_id", view_null(x->a));
		view_push(list, v);
	}
	send(x, 200, list);
}

void api_v1_tags(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct store_tag *tags;
	struct view *list = view_list(x->a);
	size_t n;

	(void)req;
	if (store_tags(x->db, x->a, &tags, &n)) {
		store_down(x);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct view *v = view_obj(x->a);
		view_set_int(v, "id", tags[i].id);
		view_set_str(v, "slug", tags[i].slug.p, tags[i].slug.len);
		view_set_str(v, "name", tags[i].name.p, tags[i].name.len);
		view_set_int(v, "count", tags[i].count);
		view_push(list, v);
	}
	send(x, 200, list);
}

void api_v1_users(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct store_user *users;
	struct view *list = view_list(x->a);
	size_t n;

	(void)req;
	if (store_users(x->db, x->a, &users, &n)) {
		store_down(x);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct view *v = view_obj(x->a);
		view_set_int(v, "id", users[i].id);
		view_set_str(v, "slug", users[i].slug.p, users[i].slug.len);
		view_set_str(v, "name", users[i].name.p, users[i].name.len);
		view_set_str(v, "role", users[i].role.p, users[i].role.len);
		/* Addresses are for admins only. */
		if (x->user.perms & PERM_USERS)
			view_set_str(v, "email", users[i].email.p, users[i].email.len);
		view_push(list, v);
	}
	send(x, 200, list);
}

void api_v1_not_found(struct http_request *req, void *ctx)
{
	(void)req;
	adm_error(ctx, 404, NULL, "There is no such API endpoint.");
}

static struct view *view_media(struct adm *x, const struct store_media *m)
{
	struct view *v = view_obj(x->a);

	view_set_int(v, "id", m->id);
	view_set_str(v, "filename", m->filename.p, m->filename.len);
	view_set_str(v, "mime", m->mime.p, m->mime.len);
	view_set_int(v, "width", m->width);
	view_set_int(v, "height", m->height);
	view_set_int(v, "bytes", m->size);
	view_set_str(v, "alt", m->alt.p, m->alt.len);
	view_set_str(v, "caption", m->caption.p, m->caption.len);
	view_set_str(v, "credit", m->credit.p, m->credit.len);
	view_set_cstr(v, "url", arena_printf(x->a, "%s/media/%" PRId64 "/%.*s", adm_public_base(x),
					     m->id, (int)m->filename.len, m->filename.p));
	if (m->variants) {
		struct view *widths = view_set_list(v, "widths");
		for (size_t i = 0; i < MEDIA_NWIDTHS && media_widths[i] < m->width; i++)
			view_push(widths, view_int(x->a, media_widths[i]));
	}
	return v;
}

void api_v1_media(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct store_media *items;
	struct view *out, *list;
	int64_t page, total;
	size_t n;

	if (query_page(&req->query, 1000000, &page)) {
		adm_error(x, 400, "page", "page must be a positive integer.");
		return;
	}
	if (store_media_list(x->db, x->a, 50, (page - 1) * 50, &items, &n, &total)) {
		store_down(x);
		return;
	}
	out = view_obj(x->a);
	view_set_int(out, "total", total);
	list = view_set_list(out, "items");
	for (size_t i = 0; i < n; i++)
		view_push(list, view_media(x, &items[i]));
	send(x, 200, out);
}

void api_v1_media_upload(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct store_media m;
	int64_t id = adm_upload(x);

	if (!id)
		return;
	if (store_media_info(x->db, x->a, id, &m)) {
		store_down(x);
		return;
	}
	http_set_header(req, "Location", arena_printf(x->a, "/api/v1/media/%" PRId64, id));
	send(x, 201, view_media(x, &m));
}
