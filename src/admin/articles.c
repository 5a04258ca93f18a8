/*
 * articles.c - the article list, the editor, revisions and preview.
 */
#include "core/compat.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "admin/internal.h"
#include "store/accounts.h"
#include "render/markdown.h"

#define LIST_PAGE 30

static const char *const list_params[] = { "status", "category", "author", "q", "page", NULL };

static struct view *view_edit_row(struct adm *x, const struct store_edit *e)
{
	struct view *v = view_obj(x->a);

	view_set_int(v, "id", e->id);
	view_set_str(v, "title", e->title.p, e->title.len);
	view_set_str(v, "slug", e->slug.p, e->slug.len);
	view_set_str(v, "status", e->status.p, e->status.len);
	view_set_str(v, "author", e->author_name.p, e->author_name.len);
	view_set_str(v, "category", e->category_name.p, e->category_name.len);
	view_set_cstr(v, "updated", adm_time(x, e->updated_at));
	view_set_cstr(v, "published", adm_time(x, e->published_at));
	view_set_bool(v, "pinned", e->pinned_at != 0);
	view_set_bool(v, "may_edit", editorial_may_edit(&x->user, e));
	if (slice_eq_str(e->status, "published"))
		view_set_cstr(v, "public_url", adm_public_url(x, e->category_slug, e->slug));
	return v;
}

/* The status options the user may choose, `current` selected. */
static void view_statuses(struct adm *x, struct view *obj, struct slice current, bool own)
{
	struct view *list = view_set_list(obj, "statuses");

	for (size_t i = 0; i < STORE_NSTATUS; i++) {
		const char *s = store_statuses[i];
		bool publishing = i >= 2;
		struct view *o;

		if (publishing && !(x->user.perms & PERM_PUBLISH_ANY) &&
		    !((x->user.perms & PERM_PUBLISH_OWN) && own) && !slice_eq_str(current, s))
			continue;
		o = view_obj(x->a);
		view_set_cstr(o, "value", s);
		view_set_bool(o, "selected", slice_eq_str(current, s));
		view_push(list, o);
	}
}

static void view_categories(struct adm *x, struct view *obj, int64_t selected)
{
	struct view *list = view_set_list(obj, "categories");

	for (size_t i = 0; i < x->snap->ncategories; i++) {
		const struct store_category *c = &x->snap->categories[i];
		struct view *o = view_obj(x->a);

		view_set_int(o, "id", c->id);
		view_set_str(o, "name", c->name.p, c->name.len);
		view_set_bool(o, "selected", c->id == selected);
		view_push(list, o);
	}
}

static void view_authors(struct adm *x, struct view *obj, int64_t selected)
{
	struct view *list = view_set_list(obj, "authors");
	struct store_user *users;
	size_t n;

	if (store_users(x->db, x->a, &users, &n))
		return;
	view_set_bool(obj, "has_authors", n > 0);
	for (size_t i = 0; i < n; i++) {
		struct view *o = view_obj(x->a);

		view_set_int(o, "id", users[i].id);
		view_set_str(o, "name", users[i].name.p, users[i].name.len);
		view_set_bool(o, "selected", users[i].id == selected);
		view_push(list, o);
	}
}

/* The newest images of the library for the editor's picker, the chosen one included. */
static void view_images(struct adm *x, struct view *obj, int64_t selected)
{
	struct view *list = view_set_list(obj, "images");
	struct store_media *items;
	bool seen = !selected;
	size_t n;
	int64_t total;

	if (store_media_list(x->db, x->a, 100, 0, &items, &n, &total))
		return;
	for (size_t i = 0; i < n; i++) {
		struct view *o = view_obj(x->a);

		view_set_int(o, "id", items[i].id);
		view_set_cstr(o, "label", arena_printf(x->a, "#%" PRId64 " %.*s — %.*s", items[i].id,
						       (int)items[i].filename.len, items[i].filename.p,
						       (int)(items[i].alt.len > 60 ? 60 : items[i].alt.len),
						       items[i].alt.p));
		view_set_bool(o, "selected", items[i].id == selected);
		seen |= items[i].id == selected;
		view_push(list, o);
	}
	if (!seen) {
		struct view *o = view_obj(x->a);
		view_set_int(o, "id", selected);
		view_set_cstr(o, "label", arena_printf(x->a, "#%" PRId64, selected));
		view_set_bool(o, "selected", true);
		view_push(list, o);
	}
}

void adm_articles(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct store_edit_filter f = { .limit = LIST_PAGE };
	const struct slice *status = query_get(&req->query, "status");
	const struct slice *q = query_get(&req->query, "q");
	struct store_edit *items;
	struct view *list, *filter;
	size_t n;
	int64_t total, page;
	int rc;

	if (query_unknown(x->a, &req->query, list_params) || query_page(&req->query, 100000, &page)) {
		adm_error(x, 400, NULL, "Unknown or malformed filter.");
		return;
	}
	if (status && status->len) {
		f.status = arena_strndup(x->a, status->p, status->len);
		if (!strstr("draft review scheduled published unpublished", f.status) ||
		    strchr(f.status, ' ')) {
			adm_error(x, 400, "status", "Unknown status.");
			return;
		}
	}
	if (query_get(&req->query, "category"))
		slice_to_int64(*query_get(&req->query, "category"), 0, INT64_MAX, &f.category_id);
	if (query_get(&req->query, "author"))
		slice_to_int64(*query_get(&req->query, "author"), 0, INT64_MAX, &f.author_id);
	/* Those who may only edit their own articles only list their own. */
	if (!(x->user.perms & PERM_EDIT_ANY))
		f.author_id = x->user.id;
	if (q)
		f.text = *q;
	f.offset = (page - 1) * LIST_PAGE;
	rc = store_edit_list(x->db, x->a, &f, &items, &n, &total);
	if (rc) {
		adm_error(x, 503, NULL, "The database cannot be reached; please try again.");
		return;
	}
	list = view_set_list(x->root, "articles");
	for (size_t i = 0; i < n; i++)
		view_push(list, view_edit_row(x, &items[i]));
	filter = view_set_obj(x->root, "filter");
	view_set_cstr(filter, "q", q ? arena_strndup(x->a, q->p, q->len) : "");
	view_statuses(x, filter, slice_cstr(f.status ? f.status : ""), true);
	view_categories(x, filter, f.category_id);
	if (x->user.perms & PERM_EDIT_ANY)
		view_authors(x, filter, f.author_id);
	view_set_int(x->root, "total", total);
	if (page > 1)
		view_set_cstr(x->root, "prev", arena_printf(x->a, "?page=%" PRId64, page - 1));
	if (page * LIST_PAGE < total)
		view_set_cstr(x->root, "next", arena_printf(x->a, "?page=%" PRId64, page + 1));
	adm_render(x, "articles", 200);
}

/* The editor, filled from `e` (stored or as submitted). */
static void editor(struct adm *x, const struct store_edit *e, const char *tags,
		   const struct editorial_error *err)
{
	struct view *v = view_set_obj(x->root, "article");
	bool own = !e->id || e->author_id == x->user.id;

	if (e->id)
		view_set_int(v, "id", e->id);
	view_set_str(v, "title", e->title.p, e->title.len);
	view_set_str(v, "dek", e->dek.p, e->dek.len);
	view_set_str(v, "slug", e->slug.p, e->slug.len);
	view_set_str(v, "body", e->body_source.p, e->body_source.len);
	view_set_str(v, "seo_title", e->seo_title.p, e->seo_title.len);
	view_set_str(v, "seo_description", e->seo_description.p, e->seo_description.len);
	view_set_str(v, "note", e->note.p, e->note.len);
	view_set_cstr(v, "tags", tags);
	view_set_cstr(v, "publish_at", adm_time_input(x, e->published_at));
	view_set_bool(v, "pinned", e->pinned_at != 0);
	if (e->featured_media_id)
		view_set_int(v, "featured_media_id", e->featured_media_id);
	view_set_cstr(v, "action", e->id ? arena_printf(x->a, "/articles/%" PRId64, e->id)
					 : "/articles");
	view_set_str(v, "status", e->status.p, e->status.len);
	if (e->updated_at)
		view_set_cstr(v, "updated", adm_time(x, e->updated_at));
	if (slice_eq_str(e->status, "published") && e->category_slug.len)
		view_set_cstr(v, "public_url", adm_public_url(x, e->category_slug, e->slug));
	view_statuses(x, v, e->status.len ? e->status : slice_cstr("draft"), own);
	view_categories(x, v, e->category_id ? e->category_id : STORE_DEFAULT_CATEGORY);
	view_images(x, v, e->featured_media_id);
	view_set_bool(v, "may_delete", e->id && ((x->user.perms & PERM_PUBLISH_ANY) ||
						 !slice_eq_str(e->status, "published")));
	if (err) {
		struct view *ev = view_set_obj(x->root, "form_error");
		view_set_cstr(ev, "message", err->message);
		if (err->field)
			view_set_cstr(ev, "field", err->field);
	}
	adm_render(x, "editor", err ? err->status : 200);
}

void adm_article_new(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct store_edit e = { 0 };

	(void)req;
	if (!adm_require(x, PERM_EDIT_OWN))
		return;
	e.status = slice_cstr("draft");
	editor(x, &e, "", NULL);
}

static const char *tag_list(struct adm *x, const struct store_edit *e)
{
	struct strbuf sb = STRBUF_INIT;
	const char *r;

	for (size_t i = 0; i < e->ntags; i++) {
		if (i)
			strbuf_addstr(&sb, ", ");
		strbuf_addslice(&sb, e->tags[i].name);
	}
	r = arena_strndup(x->a, sb.buf, sb.len);
	strbuf_release(&sb);
	return r;
}

/* The article `id` if the user may edit it; false after answering. */
static bool load_editable(struct adm *x, int64_t id, struct store_edit *e)
{
	int rc = store_edit_get(x->db, x->a, id, e);

	if (rc == DL_NOTFOUND) {
		adm_error(x, 404, NULL, "There is no such article.");
		return false;
	}
	if (rc) {
		adm_error(x, 503, NULL, "The database cannot be reached; please try again.");
		return false;
	}
	if (!editorial_may_edit(&x->user, e)) {
		adm_error(x, 403, NULL, "Your role may not edit this article.");
		return false;
	}
	return true;
}

void adm_article_edit(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct store_edit e;
	int64_t id;

	(void)req;
	if (!adm_param_id(x, 0, &id) || !load_editable(x, id, &e))
		return;
	editor(x, &e, tag_list(x, &e), NULL);
}

static struct slice field_or_empty(struct adm *x, const char *name)
{
	const struct slice *v = adm_field(x, name);

	return v ? *v : (struct slice){ "", 0 };
}

void adm_article_save(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct editorial_input in = { .pinned = -1 };
	struct editorial_actor who = adm_actor(x);
	struct editorial_error err;
	int64_t id = 0;

	(void)req;
	if (x->match.nparams && !adm_param_id(x, 0, &in.id))
		return;
	/* A form sends every field: absent ones are cleared, not kept. */
	in.title = adm_field(x, "title");
	in.dek = adm_field(x, "dek");
	in.slug = adm_field(x, "slug");
	in.body = adm_field(x, "body");
	in.status = adm_field(x, "status");
	in.tags = adm_field(x, "tags");
	in.seo_title = adm_field(x, "seo_title");
	in.seo_description = adm_field(x, "seo_description");
	in.note = adm_field(x, "note");
	in.publish_at = adm_field(x, "publish_at");
	in.category_id = adm_field_int(x, "category");
	in.featured_media_id = adm_field(x, "featured_media_id") ?
			       (adm_field_int(x, "featured_media_id") ?: -1) : 0;
	if (x->user.perms & PERM_PIN)
		in.pinned = adm_field(x, "pinned") ? 1 : 0;
	if (!in.title) {
		adm_error(x, 400, "title", "The form is missing its title field.");
		return;
	}
	if (!editorial_save(x->db, x->a, &who, x->snap->tz, &in, &id, &err)) {
		adm_see_other(x, arena_printf(x->a, "/articles/%" PRId64, id), "saved");
		return;
	}
	if (err.status == 422 || err.status == 409) {
		/* Show the form again with what was typed: nothing is lost. */
		struct store_edit e = { 0 };
		e.id = in.id;
		e.title = *in.title;
		e.dek = field_or_empty(x, "dek");
		e.slug = field_or_empty(x, "slug");
		e.body_source = field_or_empty(x, "body");
		e.seo_title = field_or_empty(x, "seo_title");
		e.seo_description = field_or_empty(x, "seo_description");
		e.note = field_or_empty(x, "note");
		e.status = field_or_empty(x, "status");
		e.category_id = in.category_id;
		e.featured_media_id = in.featured_media_id > 0 ? in.featured_media_id : 0;
		e.pinned_at = in.pinned > 0;
		editor(x, &e, arena_strndup(x->a, field_or_empty(x, "tags").p,
					    field_or_empty(x, "tags").len), &err);
		return;
	}
	adm_editorial_error(x, &err);
}

void adm_article_delete(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct editorial_actor who = adm_actor(x);
	struct editorial_error err;
	int64_t id;

	(void)req;
	if (!adm_param_id(x, 0, &id))
		return;
	if (editorial_delete(x->db, x->a, &who, id, &err)) {
		adm_editorial_error(x, &err);
		return;
	}
	adm_see_other(x, "/articles", "deleted");
}

void adm_revisions(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct store_revision *revs;
	struct store_edit e;
	struct view *list;
	size_t n;
	int64_t id;

	(void)req;
	if (!adm_param_id(x, 0, &id) || !load_editable(x, id, &e))
		return;
	if (store_revisions(x->db, x->a, id, &revs, &n)) {
		adm_error(x, 503, NULL, "The database cannot be reached; please try again.");
		return;
	}
	view_set_int(x->root, "article_id", id);
	view_set_str(x->root, "title", e.title.p, e.title.len);
	list = view_set_list(x->root, "revisions");
	for (size_t i = 0; i < n; i++) {
		struct view *v = view_obj(x->a);
		view_set_int(v, "id", revs[i].id);
		view_set_cstr(v, "when", adm_time(x, revs[i].created_at));
		view_set_str(v, "who", revs[i].actor.p, revs[i].actor.len);
		view_set_str(v, "title", revs[i].title.p, revs[i].title.len);
		view_set_str(v, "status", revs[i].status.p, revs[i].status.len);
		view_set_bool(v, "current", i == 0);
		view_push(list, v);
	}
	adm_render(x, "revisions", 200);
}

enum { DIFF_MAX_LINES = 1000 };

/* Split s into at most DIFF_MAX_LINES lines. */
static size_t split_lines(struct slice s, struct slice *out)
{
	size_t n = 0;

	for (size_t p = 0; p < s.len && n < DIFF_MAX_LINES;) {
		const char *nl = memchr(s.p + p, '\n', s.len - p);
		size_t len = nl ? (size_t)(nl - (s.p + p)) : s.len - p;

		out[n++] = (struct slice){ s.p + p, len };
		p += len + 1;
	}
	return n;
}

/* A line diff of `old` against `new`: a longest common subsequence over
 * lines (bodies are capped at DIFF_MAX_LINES lines, plenty for a story). */
static void view_diff(struct adm *x, struct view *list, struct slice old, struct slice new)
{
	struct slice *a = ARENA_NEW_ARRAY(x->a, struct slice, DIFF_MAX_LINES);
	struct slice *b = ARENA_NEW_ARRAY(x->a, struct slice, DIFF_MAX_LINES);
	size_t na = split_lines(old, a), nb = split_lines(new, b), w = nb + 1, i, j;
	uint16_t *lcs = arena_alloc(x->a, (na + 1) * w * sizeof(*lcs));

#define LCS(i, j) lcs[(i) * w + (j)]
	for (i = na + 1; i-- > 0;) {
		for (j = nb + 1; j-- > 0;) {
			if (i == na || j == nb)
				LCS(i, j) = 0;
			else if (slice_eq(a[i], b[j]))
				LCS(i, j) = (uint16_t)(LCS(i + 1, j + 1) + 1);
			else
				LCS(i, j) = LCS(i + 1, j) > LCS(i, j + 1) ? LCS(i + 1, j) : LCS(i, j + 1);
		}
	}
	for (i = 0, j = 0; i < na || j < nb;) {
		struct view *v = view_obj(x->a);

		if (i < na && j < nb && slice_eq(a[i], b[j])) {
			view_set_cstr(v, "kind", "same");
			view_set_str(v, "text", a[i].p, a[i].len);
			i++, j++;
		} else if (j < nb && (i == na || LCS(i, j + 1) >= LCS(i + 1, j))) {
			view_set_cstr(v, "kind", "added");
			view_set_str(v, "text", b[j].p, b[j].len);
			j++;
		} else {
			view_set_cstr(v, "kind", "removed");
			view_set_str(v, "text", a[i].p, a[i].len);
			i++;
		}
		view_push(list, v);
	}
#undef LCS
}

void adm_revision(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct store_revision r;
	struct store_edit e;
	int64_t id;
	int rc;

	(void)req;
	if (!adm_param_id(x, 0, &id))
		return;
	rc = store_revision_get(x->db, x->a, id, &r);
	if (rc) {
		adm_store_error(x, rc, "There is no such revision.");
		return;
	}
	if (!load_editable(x, r.article_id, &e))
		return;
	view_set_int(x->root, "id", r.id);
	view_set_int(x->root, "article_id", r.article_id);
	view_set_cstr(x->root, "when", adm_time(x, r.created_at));
	view_set_str(x->root, "who", r.actor.p, r.actor.len);
	view_set_str(x->root, "title", r.title.p, r.title.len);
	view_set_str(x->root, "current_title", e.title.p, e.title.len);
	view_set_bool(x->root, "title_changed", !slice_eq(r.title, e.title));
	/* What restoring this revision would change in today's text. */
	view_diff(x, view_set_list(x->root, "diff"), e.body_source, r.body_source);
	adm_render(x, "revision", 200);
}

void adm_revision_restore(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct editorial_actor who = adm_actor(x);
	struct editorial_error err;
	int64_t rev, id;

	(void)req;
	if (!adm_param_id(x, 0, &rev))
		return;
	if (editorial_restore(x->db, x->a, &who, x->snap->tz, rev, &id, &err)) {
		adm_editorial_error(x, &err);
		return;
	}
	adm_see_other(x, arena_printf(x->a, "/articles/%" PRId64, id), "restored");
}

/* The editor's live preview: Markdown in, sanitised HTML out (never stored). */
void adm_preview(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	const struct slice *body = adm_field(x, "body");
	int rc;

	if (!body) {
		adm_error(x, 400, "body", "Nothing to preview.");
		return;
	}
	rc = md_render(body->p, body->len, &req->res.body);
	if (rc) {
		adm_error(x, 422, "body", "The body cannot be rendered.");
		return;
	}
	req->res.status = 200;
	req->res.content_type = "text/html; charset=utf-8";
	http_set_header(req, "Cache-Control", "no-store");
	http_set_header(req, "Content-Security-Policy", "default-src 'none'; img-src 'self'");
}
