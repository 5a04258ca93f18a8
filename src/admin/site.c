/*
 * site.c - the site's settings and its sections (categories).
 */
#include "core/compat.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "admin/internal.h"
#include "engine/settings.h"

static const char *field_str(struct adm *x, const char *name)
{
	const struct slice *v = adm_field(x, name);

	return v ? arena_strndup(x->a, v->p, v->len) : NULL;
}

static void audit_change(struct adm *x, struct store_change *c, const char *action,
			 const char *detail)
{
	*c = (struct store_change){ x->user.id, x->user.email, adm_address(x), action, "", detail };
}

static void settings_page(struct adm *x, int status, const char *why)
{
	const struct site_settings *st = &x->snap->settings;
	struct view *list = view_set_list(x->root, "settings");
	char *values[32];

	/* The stored values, in settings_info order. */
	values[0] = st->title;
	values[1] = st->tagline;
	values[2] = st->timezone;
	values[3] = st->locale;
	values[4] = st->base_url;
	values[5] = arena_printf(x->a, "%" PRId64, st->posts_per_page);
	values[6] = arena_printf(x->a, "%" PRId64, st->latest_count);
	values[7] = arena_printf(x->a, "%" PRId64, st->must_read_count);
	values[8] = arena_printf(x->a, "%" PRId64, st->related_count);
	values[9] = arena_printf(x->a, "%" PRId64, st->inline_ad_after);
	values[10] = arena_printf(x->a, "%" PRId64, st->feed_items);
	values[11] = arena_printf(x->a, "%" PRId64, st->feed_full_content);
	for (size_t i = 0; i < settings_count && i < ARRAY_SIZE(values); i++) {
		struct view *v = view_obj(x->a);
		const char *posted = field_str(x, settings_info[i].key);

		view_set_cstr(v, "key", settings_info[i].key);
		view_set_cstr(v, "label", settings_info[i].label);
		view_set_cstr(v, "help", settings_info[i].help);
		view_set_cstr(v, "value", posted ? posted : values[i]);
		view_push(list, v);
	}
	if (why)
		view_set_cstr(x->root, "form_error", why);
	adm_render(x, "settings", status);
}

void adm_settings(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;

	(void)req;
	if (adm_require(x, PERM_SETTINGS))
		settings_page(x, 200, NULL);
}

void adm_settings_save(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	const char *names[32], *values[32];
	struct store_change c;
	size_t n = 0;

	(void)req;
	if (!adm_require(x, PERM_SETTINGS))
		return;
	/* All or nothing: one bad field saves none of them. */
	for (size_t i = 0; i < settings_count && n < ARRAY_SIZE(names); i++) {
		const char *v = field_str(x, settings_info[i].key), *stored, *why;

		if (!v)
			continue;
		why = settings_check(x->a, settings_info[i].key, v, &stored);
		if (why) {
			settings_page(x, 422, why);
			return;
		}
		names[n] = settings_info[i].key;
		values[n++] = stored;
	}
	audit_change(x, &c, "settings.update", "");
	if (store_settings_save(x->db, names, values, n, &c)) {
		adm_error(x, 503, NULL, "The database cannot be reached; please try again.");
		return;
	}
	adm_see_other(x, "/settings", "saved");
}

static void categories_page(struct adm *x, int status, const char *why)
{
	struct view *list = view_set_list(x->root, "categories");

	for (size_t i = 0; i < x->snap->ncategories; i++) {
		const struct store_category *c = &x->snap->categories[i];
		struct view *v = view_obj(x->a), *parents = view_set_list(v, "parents");

		view_set_int(v, "id", c->id);
		view_set_str(v, "slug", c->slug.p, c->slug.len);
		view_set_str(v, "name", c->name.p, c->name.len);
		view_set_str(v, "description", c->description.p, c->description.len);
		view_set_int(v, "count", c->count);
		view_set_bool(v, "is_default", c->id == STORE_DEFAULT_CATEGORY);
		for (size_t j = 0; j < x->snap->ncategories; j++) {
			const struct store_category *p = &x->snap->categories[j];
			struct view *o;

			if (p->id == c->id)
				continue;
			o = view_obj(x->a);
			view_set_int(o, "id", p->id);
			view_set_str(o, "name", p->name.p, p->name.len);
			view_set_bool(o, "selected", p->id == c->parent_id);
			view_push(parents, o);
		}
		view_push(list, v);
	}
	if (why)
		view_set_cstr(x->root, "form_error", why);
	adm_render(x, "categories", status);
}

void adm_categories(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;

	(void)req;
	if (adm_require(x, PERM_TAXONOMY))
		categories_page(x, 200, NULL);
}

void adm_category_save(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	const char *name = field_str(x, "name"), *slug = field_str(x, "slug");
	const char *description = field_str(x, "description"), *why;
	int64_t id = 0, parent = adm_field_int(x, "parent"), saved;
	struct store_change c;
	int rc;

	(void)req;
	if (!adm_require(x, PERM_TAXONOMY) || (x->match.nparams && !adm_param_id(x, 0, &id)))
		return;
	if (!description)
		description = "";
	why = editorial_category_check(x->a, id, name ? name : "", slug ? slug : "", parent,
				       x->snap->categories, x->snap->ncategories, &slug);
	if (!why && strlen(description) > 1000)
		why = "description: at most 1,000 bytes";
	if (why) {
		categories_page(x, 422, why);
		return;
	}
	audit_change(x, &c, id ? "category.update" : "category.create", name);
	rc = store_category_save(x->db, id, slug, name, description, parent, &c, &saved);
	if (rc == DL_CONFLICT) {
		categories_page(x, 409, "slug: another section uses it");
		return;
	}
	if (rc) {
		adm_error(x, rc == DL_NOTFOUND ? 404 : 503, NULL,
			  rc == DL_NOTFOUND ? "There is no such section." : "The database cannot be reached.");
		return;
	}
	adm_see_other(x, "/categories", "saved");
}

void adm_category_delete(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct store_change c;
	int64_t id;
	int rc;

	(void)req;
	if (!adm_require(x, PERM_TAXONOMY) || !adm_param_id(x, 0, &id))
		return;
	audit_change(x, &c, "category.delete", "");
	c.object = arena_printf(x->a, "category:%" PRId64, id);
	rc = store_category_delete(x->db, id, &c);
	if (rc == DL_CONFLICT) {
		categories_page(x, 409, "The default section cannot be deleted (rename it instead).");
		return;
	}
	if (rc) {
		adm_error(x, rc == DL_NOTFOUND ? 404 : 503, NULL,
			  rc == DL_NOTFOUND ? "There is no such section." : "The database cannot be reached.");
		return;
	}
	adm_see_other(x, "/categories", "deleted");
}

static void tags_page(struct adm *x, int status, const char *why)
{
	struct store_tag *tags;
	struct view *list;
	size_t n;

	if (store_tags(x->db, x->a, &tags, &n)) {
		adm_error(x, 503, NULL, "The database cannot be reached; please try again.");
		return;
	}
	list = view_set_list(x->root, "tags");
	for (size_t i = 0; i < n; i++) {
		struct view *v = view_obj(x->a);
		view_set_int(v, "id", tags[i].id);
		view_set_str(v, "name", tags[i].name.p, tags[i].name.len);
		view_set_str(v, "slug", tags[i].slug.p, tags[i].slug.len);
		view_set_int(v, "count", tags[i].count);
		view_push(list, v);
	}
	if (why)
		view_set_cstr(x->root, "form_error", why);
	adm_render(x, "tags", status);
}

void adm_tags(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;

	(void)req;
	if (adm_require(x, PERM_TAXONOMY))
		tags_page(x, 200, NULL);
}

void adm_tag_save(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	const char *name = field_str(x, "name"), *slug = field_str(x, "slug");
	struct store_change c;
	struct strbuf sb = STRBUF_INIT;
	int64_t id;
	int rc;

	(void)req;
	if (!adm_require(x, PERM_TAXONOMY) || !adm_param_id(x, 0, &id))
		return;
	if (!name || !*name || strlen(name) > 60 || strchr(name, '\n') || strchr(name, ',')) {
		tags_page(x, 422, "name: 1 to 60 characters on one line, without commas");
		return;
	}
	if (!slug || !*slug) {
		store_slugify(name, strlen(name), &sb);
		slug = arena_strndup(x->a, sb.buf, sb.len);
		strbuf_release(&sb);
	}
	if (!store_slug_valid(slice_cstr(slug))) {
		tags_page(x, 422, "slug: lower-case letters, digits and dashes");
		return;
	}
	audit_change(x, &c, "tag.update", name);
	c.object = arena_printf(x->a, "tag:%" PRId64, id);
	rc = store_tag_save(x->db, id, name, slug, &c);
	if (rc == DL_CONFLICT) {
		tags_page(x, 409, "slug: another tag uses it");
		return;
	}
	if (rc) {
		adm_error(x, rc == DL_NOTFOUND ? 404 : 503, NULL,
			  rc == DL_NOTFOUND ? "There is no such tag." : "The database cannot be reached.");
		return;
	}
	adm_see_other(x, "/tags", "saved");
}

void adm_tag_delete(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct store_change c;
	int64_t id;
	int rc;

	(void)req;
	if (!adm_require(x, PERM_TAXONOMY) || !adm_param_id(x, 0, &id))
		return;
	audit_change(x, &c, "tag.delete", "");
	c.object = arena_printf(x->a, "tag:%" PRId64, id);
	rc = store_tag_delete(x->db, id, &c);
	if (rc) {
		adm_error(x, rc == DL_NOTFOUND ? 404 : 503, NULL,
			  rc == DL_NOTFOUND ? "There is no such tag." : "The database cannot be reached.");
		return;
	}
	adm_see_other(x, "/tags", "deleted");
}
