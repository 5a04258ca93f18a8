/*
 * wp.c - the read subset of the WordPress REST API v2 (/wp-json/), with
 * WordPress's field names and shapes, X-WP-Total/X-WP-TotalPages, its error
 * shape {"code","message","data":{"status"}} and its status codes, so that
 * existing WordPress clients read a Dateline site unchanged.
 */
#include "core/compat.h"
#include "core/err.h"
#include "core/timefmt.h"
#include "render/json.h"
#include "render/links.h"
#include "site/internal.h"

/* WordPress's own per_page ceiling. */
#define WP_MAX_PER_PAGE 100

static void send_json(struct page *p, int status, struct view *v)
{
	struct http_request *req = p->req;

	req->res.status = status;
	req->res.content_type = "application/json; charset=UTF-8";
	strbuf_reset(&req->res.body);
	json_write(&req->res.body, v);
	req->res.compressible = true;
	req->res.etag = status == 200;
	http_set_header(req, "Cache-Control", status == 200 ? "public, max-age=60" : "no-store");
	http_set_header(req, "Access-Control-Allow-Origin", "*");
	http_set_header(req, "Access-Control-Expose-Headers", "X-WP-Total, X-WP-TotalPages, Link");
}

/* {"code":..., "message":..., "data":{"status":..., "params":{name: why}}} */
static void wp_error(struct page *p, int status, const char *code, const char *message,
		     const char *param, const char *why)
{
	struct view *e = view_obj(p->a), *data;

	view_set_cstr(e, "code", code);
	view_set_cstr(e, "message", message);
	data = view_set_obj(e, "data");
	view_set_int(data, "status", status);
	if (param) {
		view_set_cstr(view_set_obj(data, "params"), param, why);
	}
	send_json(p, status, e);
}

static void bad_param(struct page *p, const char *param, const char *why)
{
	wp_error(p, 400, "rest_invalid_param",
		 arena_printf(p->a, "Invalid parameter(s): %s", param), param, why);
}

/* WordPress dates: local "2024-03-28T09:05:00", or GMT with gmt=true. */
static const char *wp_date(struct page *p, int64_t t, bool gmt)
{
	struct tm tm;

	tz_localtime(gmt ? tz_utc() : p->snap->tz, t, &tm);
	return arena_printf(p->a, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
			    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/*
 * ISO 8601 as WordPress accepts it: "2024-03-28T09:05:00" in the site's
 * zone, or with a fraction and "Z" or "+hh:mm" ("2020-01-01T00:00:00.000Z",
 * what wpapi sends), or a bare date.
 */
static int parse_wp_date(struct page *p, struct slice s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, oh, om;
	const char *rest;
	char buf[48];

	if (s.len >= sizeof(buf))
		return DL_INVALID;
	memcpy(buf, s.p, s.len);
	buf[s.len] = '\0';
	if (sscanf(buf, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) < 6 &&
	    (n = 0, sscanf(buf, "%4d-%2d-%2d%n", &y, &mo, &d, &n) < 3))
		return DL_INVALID;
	if (!n || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return DL_INVALID;
	rest = buf + n;
	if (*rest == '.') {
		do
			rest++;
		while (*rest >= '0' && *rest <= '9');
	}
	if (!*rest) {
		*out = tz_mktime(p->snap->tz, y, mo, d, h, mi, sec);
	} else if (!strcmp(rest, "Z")) {
		*out = tz_mktime(tz_utc(), y, mo, d, h, mi, sec);
	} else if ((*rest == '+' || *rest == '-') && strlen(rest) == 6 &&
		   sscanf(rest + 1, "%2d:%2d", &oh, &om) == 2 && oh <= 23 && om <= 59) {
		int sign = *rest == '-' ? -1 : 1;
		*out = tz_mktime(tz_utc(), y, mo, d, h, mi, sec) - sign * (oh * 3600 + om * 60);
	} else {
		return DL_INVALID;
	}
	return DL_OK;
}

/* Is `key` the list parameter `name`: "name", "name[]" or "name[N]"? */
static bool list_key(struct slice key, const char *name)
{
	size_t n = strlen(name);

	if (key.len < n || memcmp(key.p, name, n))
		return false;
	if (key.len == n)
		return true;
	if (key.p[n] != '[' || key.p[key.len - 1] != ']')
		return false;
	for (size_t i = n + 1; i < key.len - 1; i++)
		if (key.p[i] < '0' || key.p[i] > '9')
			return false;
	return true;
}

/*
 * Every value of list parameter `name`, in any of the shapes WordPress
 * clients send ("a=1,2", "a[]=1&a[]=2", "a[0]=1"), split on commas into
 * out (at most STORE_FILTER_MAX). DL_TOOBIG past that.
 */
static int list_values(const struct query *q, const char *name, struct slice *out, size_t *n)
{
	*n = 0;
	for (size_t k = 0; k < q->nr; k++) {
		struct slice v = q->items[k].value;
		size_t i = 0;

		if (!list_key(q->items[k].key, name))
			continue;
		while (i <= v.len) {
			size_t j = i;
			while (j < v.len && v.p[j] != ',')
				j++;
			if (*n == STORE_FILTER_MAX)
				return DL_TOOBIG;
			out[(*n)++] = (struct slice){ v.p + i, j - i };
			i = j + 1;
		}
	}
	return DL_OK;
}

/* A list of positive ids; false once a 400 naming `name` has been sent. */
static bool id_list(struct page *p, const char *name, int64_t *ids, size_t *n)
{
	struct slice vals[STORE_FILTER_MAX];
	int rc = list_values(&p->req->query, name, vals, n);

	for (size_t i = 0; !rc && i < *n; i++)
		rc = slice_to_int64(vals[i], 1, INT64_MAX, &ids[i]);
	if (rc)
		bad_param(p, name, arena_printf(p->a, rc == DL_TOOBIG ? "%s takes at most 10 values."
							     : "%s[0] is not of type integer.", name));
	return !rc;
}

static int int_param(struct page *p, const char *name, int64_t min, int64_t max, int64_t dflt,
		     int64_t *out)
{
	const struct slice *v = query_get(&p->req->query, name);

	*out = dflt;
	if (!v)
		return DL_OK;
	if (slice_to_int64(*v, min, max, out)) {
		bad_param(p, name, arena_printf(p->a, "%s must be between %" PRId64 " (inclusive) and %"
						 PRId64 " (inclusive)", name, min, max));
		return DL_INVALID;
	}
	return DL_OK;
}

/* This request's URL with ?page=n, the other parameters kept. */
static void page_link(struct page *p, struct strbuf *sb, int64_t n, const char *rel)
{
	const struct query *q = &p->req->query;

	if (sb->len)
		strbuf_addstr(sb, ", ");
	strbuf_addf(sb, "<%s", page_base_url(p));
	strbuf_add(sb, p->req->path.p, p->req->path.len);
	strbuf_addch(sb, '?');
	for (size_t i = 0; i < q->nr; i++) {
		if (slice_eq_str(q->items[i].key, "page"))
			continue;
		strbuf_add_urlencoded(sb, q->items[i].key.p, q->items[i].key.len);
		strbuf_addch(sb, '=');
		strbuf_add_urlencoded(sb, q->items[i].value.p, q->items[i].value.len);
		strbuf_addch(sb, '&');
	}
	strbuf_addf(sb, "page=%" PRId64 ">; rel=\"%s\"", n, rel);
}

/* X-WP-Total, X-WP-TotalPages and WordPress's Link rel=prev/next. */
static void set_totals(struct page *p, int64_t total, int64_t per_page)
{
	int64_t pages = (total + per_page - 1) / per_page, page;
	struct strbuf link = STRBUF_INIT;

	http_set_header(p->req, "X-WP-Total", arena_printf(p->a, "%" PRId64, total));
	http_set_header(p->req, "X-WP-TotalPages", arena_printf(p->a, "%" PRId64, pages));
	if (int_param(p, "page", 1, 1000000, 1, &page))
		return;
	if (page > 1 && page <= pages)
		page_link(p, &link, page - 1, "prev");
	if (page < pages)
		page_link(p, &link, page + 1, "next");
	if (link.len)
		http_set_header(p->req, "Link", link.buf);
	strbuf_release(&link);
}

static struct view *rendered(struct page *p, const char *html, size_t len, bool protected_flag)
{
	struct view *v = view_obj(p->a);

	view_set_str(v, "rendered", html, len);
	if (protected_flag)
		view_set_bool(v, "protected", false);
	return v;
}

static struct view *links(struct page *p, const char *self, const char *collection)
{
	struct view *l = view_obj(p->a), *one;

	one = view_obj(p->a);
	view_set_cstr(one, "href", page_absolute(p, self).p);
	view_push(view_set_list(l, "self"), one);
	one = view_obj(p->a);
	view_set_cstr(one, "href", page_absolute(p, collection).p);
	view_push(view_set_list(l, "collection"), one);
	return l;
}

static struct view *post_view(struct page *p, const struct store_article *art)
{
	struct view *v = view_obj(p->a), *ids;
	struct strbuf sb = STRBUF_INIT;
	struct slice guid;
	int64_t modified = art->updated_at > art->published_at ? art->updated_at : art->published_at;

	view_set_int(v, "id", art->id);
	view_set_cstr(v, "date", wp_date(p, art->published_at, false));
	view_set_cstr(v, "date_gmt", wp_date(p, art->published_at, true));
	guid = page_absolute(p, arena_printf(p->a, "/?p=%" PRId64, art->id));
	view_set(v, "guid", rendered(p, guid.p, guid.len, false));
	view_set_cstr(v, "modified", wp_date(p, modified, false));
	view_set_cstr(v, "modified_gmt", wp_date(p, modified, true));
	view_set_str(v, "slug", art->slug.p, art->slug.len);
	view_set_cstr(v, "status", "publish");
	view_set_cstr(v, "type", "post");
	view_set_cstr(v, "link", page_absolute(p, url_article(p->a, art)).p);
	/* WordPress renders titles as HTML text. */
	strbuf_add_html_text(&sb, art->title.p, art->title.len);
	view_set(v, "title", rendered(p, arena_strndup(p->a, sb.buf, sb.len), sb.len, false));
	/* Clients show content away from the site: links must stand on their own. */
	strbuf_reset(&sb);
	html_absolute_links(art->body_html.p, art->body_html.len, slice_cstr(page_base_url(p)), &sb);
	view_set(v, "content", rendered(p, arena_strndup(p->a, sb.buf, sb.len), sb.len, true));
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "<p>");
	strbuf_add_html_text(&sb, art->excerpt.p, art->excerpt.len);
	strbuf_addstr(&sb, "</p>\n");
	view_set(v, "excerpt", rendered(p, arena_strndup(p->a, sb.buf, sb.len), sb.len, true));
	strbuf_release(&sb);
	view_set_int(v, "author", art->author.id);
	view_set_int(v, "featured_media", art->image.id);
	view_set_cstr(v, "comment_status", "closed");
	view_set_cstr(v, "ping_status", "closed");
	view_set_bool(v, "sticky", art->pinned_at != 0);
	view_set_cstr(v, "template", "");
	view_set_cstr(v, "format", "standard");
	view_set_list(v, "meta");
	ids = view_set_list(v, "categories");
	view_push(ids, view_int(p->a, art->category.id));
	ids = view_set_list(v, "tags");
	for (size_t i = 0; i < art->ntags; i++)
		view_push(ids, view_int(p->a, art->tags[i].id));
	view_set(v, "_links", links(p, arena_printf(p->a, "/wp-json/wp/v2/posts/%" PRId64, art->id),
				    "/wp-json/wp/v2/posts"));
	return v;
}

static const struct { const char *name; enum store_order order; } orders[] = {
	{ "date", STORE_ORDER_DATE }, { "id", STORE_ORDER_ID }, { "title", STORE_ORDER_TITLE },
};

/* Read /posts parameters into a filter; false once a 400 has been sent. */
static bool posts_filter(struct page *p, struct store_post_filter *f, int64_t *page)
{
	const struct query *q = &p->req->query;
	const struct slice *v;
	int64_t per_page;

	memset(f, 0, sizeof(*f));
	if (int_param(p, "page", 1, 1000000, 1, page) ||
	    int_param(p, "per_page", 1, WP_MAX_PER_PAGE, 10, &per_page))
		return false;
	f->limit = per_page;
	f->offset = (*page - 1) * per_page;
	if (!id_list(p, "categories", f->categories, &f->ncategories) ||
	    !id_list(p, "tags", f->tags, &f->ntags) ||
	    !id_list(p, "author", f->authors, &f->nauthors))
		return false;
	if (list_values(q, "slug", f->slugs, &f->nslugs)) {
		bad_param(p, "slug", "slug takes at most 10 values.");
		return false;
	}
	if ((v = query_get(q, "after")) && parse_wp_date(p, *v, &f->after)) {
		bad_param(p, "after", "Invalid date.");
		return false;
	}
	if ((v = query_get(q, "before")) && parse_wp_date(p, *v, &f->before)) {
		bad_param(p, "before", "Invalid date.");
		return false;
	}
	if ((v = query_get(q, "search")))
		f->search = *v;
	if ((v = query_get(q, "orderby"))) {
		size_t i;
		for (i = 0; i < ARRAY_SIZE(orders) && !slice_eq_str(*v, orders[i].name); i++)
			;
		if (i == ARRAY_SIZE(orders)) {
			bad_param(p, "orderby", "orderby is not one of date, id, title.");
			return false;
		}
		f->orderby = orders[i].order;
	}
	if ((v = query_get(q, "order"))) {
		if (!slice_eq_str(*v, "asc") && !slice_eq_str(*v, "desc")) {
			bad_param(p, "order", "order is not one of asc, desc.");
			return false;
		}
		f->ascending = slice_eq_str(*v, "asc");
	}
	return true;
}

void api_wp_posts(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	struct store_post_filter f;
	struct store_list l;
	struct view *list;
	int64_t page;
	int rc;

	if (!posts_filter(p, &f, &page))
		return;
	rc = store_posts(p->db, p->a, &f, &l);
	if (rc) {
		wp_error(p, 500, "rest_error", "The database could not be read.", NULL, NULL);
		return;
	}
	if (page > 1 && f.offset >= l.total) {
		wp_error(p, 400, "rest_post_invalid_page_number",
			 "The page number requested is larger than the number of pages available.",
			 NULL, NULL);
		return;
	}
	list = view_list(p->a);
	for (size_t i = 0; i < l.nr; i++)
		view_push(list, post_view(p, &l.items[i]));
	set_totals(p, l.total, f.limit);
	send_json(p, 200, list);
}

void api_wp_post(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	struct store_post_filter f = { .limit = 1 };
	struct store_list l;
	int rc;

	if (slice_to_int64(p->match.params[0], 1, INT64_MAX, &f.id)) {
		wp_error(p, 404, "rest_post_invalid_id", "Invalid post ID.", NULL, NULL);
		return;
	}
	rc = store_posts(p->db, p->a, &f, &l);
	if (rc) {
		wp_error(p, 500, "rest_error", "The database could not be read.", NULL, NULL);
		return;
	}
	if (!l.nr) {
		wp_error(p, 404, "rest_post_invalid_id", "Invalid post ID.", NULL, NULL);
		return;
	}
	send_json(p, 200, post_view(p, &l.items[0]));
}

/* Dateline has no static pages yet: an empty, well-formed collection. */
void api_wp_pages(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	int64_t page, per_page;

	if (int_param(p, "page", 1, 1000000, 1, &page) ||
	    int_param(p, "per_page", 1, WP_MAX_PER_PAGE, 10, &per_page))
		return;
	set_totals(p, 0, per_page);
	send_json(p, 200, view_list(p->a));
}

static struct view *term_view(struct page *p, const char *taxonomy, int64_t id, struct slice slug,
			      struct slice name, struct slice description, int64_t parent,
			      int64_t count, const char *link)
{
	struct view *v = view_obj(p->a);
	const char *base = !strcmp(taxonomy, "category") ? "categories" : "tags";

	view_set_int(v, "id", id);
	view_set_int(v, "count", count);
	view_set_str(v, "description", description.p, description.len);
	view_set_cstr(v, "link", page_absolute(p, link).p);
	view_set_str(v, "name", name.p, name.len);
	view_set_str(v, "slug", slug.p, slug.len);
	view_set_cstr(v, "taxonomy", taxonomy);
	if (!strcmp(taxonomy, "category"))
		view_set_int(v, "parent", parent);
	view_set_list(v, "meta");
	view_set(v, "_links", links(p, arena_printf(p->a, "/wp-json/wp/v2/%s/%" PRId64, base, id),
				    arena_printf(p->a, "/wp-json/wp/v2/%s", base)));
	return v;
}

/* Page through an in-memory collection of `n` views; ?slug= filters first. */
static void send_collection(struct page *p, struct view **items, struct slice *slugs, size_t n,
			    const struct view *one)
{
	const struct slice *want = query_get(&p->req->query, "slug");
	int64_t page, per_page;
	struct view *list = view_list(p->a);
	size_t matched = 0;

	if (int_param(p, "page", 1, 1000000, 1, &page) ||
	    int_param(p, "per_page", 1, WP_MAX_PER_PAGE, 10, &per_page))
		return;
	if (one) {
		send_json(p, 200, (struct view *)one);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (want && !slice_eq(*want, slugs[i]))
			continue;
		if ((int64_t)matched >= (page - 1) * per_page && (int64_t)matched < page * per_page)
			view_push(list, items[i]);
		matched++;
	}
	if (page > 1 && (int64_t)matched <= (page - 1) * per_page) {
		wp_error(p, 400, "rest_invalid_param", "Invalid parameter(s): page", "page",
			 "page is larger than the number of pages available.");
		return;
	}
	set_totals(p, (int64_t)matched, per_page);
	send_json(p, 200, list);
}

/* The optional /:id of a term route: 0 for the collection, -1 if bad. */
static int64_t route_id(struct page *p)
{
	int64_t id;

	if (p->match.nparams == 0)
		return 0;
	return slice_to_int64(p->match.params[0], 1, INT64_MAX, &id) ? -1 : id;
}

void api_wp_categories(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	const struct engine_snapshot *s = p->snap;
	struct view **items = ARENA_NEW_ARRAY(p->a, struct view *, s->ncategories + 1);
	struct slice *slugs = ARENA_NEW_ARRAY(p->a, struct slice, s->ncategories + 1);
	int64_t id = route_id(p);
	struct view *one = NULL;

	for (size_t i = 0; i < s->ncategories; i++) {
		const struct store_category *c = &s->categories[i];
		items[i] = term_view(p, "category", c->id, c->slug, c->name, c->description,
				     c->parent_id, c->count, url_category(p->a, c->slug));
		slugs[i] = c->slug;
		if (c->id == id)
			one = items[i];
	}
	if (id && !one) {
		wp_error(p, 404, "rest_term_invalid", "Term does not exist.", NULL, NULL);
		return;
	}
	send_collection(p, items, slugs, s->ncategories, one);
}

void api_wp_tags(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	struct store_tag *tags;
	size_t n;
	int64_t id = route_id(p);
	struct view *one = NULL, **items;
	struct slice *slugs;

	if (store_tags(p->db, p->a, &tags, &n)) {
		wp_error(p, 500, "rest_error", "The database could not be read.", NULL, NULL);
		return;
	}
	items = ARENA_NEW_ARRAY(p->a, struct view *, n + 1);
	slugs = ARENA_NEW_ARRAY(p->a, struct slice, n + 1);
	for (size_t i = 0; i < n; i++) {
		items[i] = term_view(p, "post_tag", tags[i].id, tags[i].slug, tags[i].name,
				     SLICE_LIT(""), 0, tags[i].count, url_tag(p->a, tags[i].slug));
		slugs[i] = tags[i].slug;
		if (tags[i].id == id)
			one = items[i];
	}
	if (id && !one) {
		wp_error(p, 404, "rest_term_invalid", "Term does not exist.", NULL, NULL);
		return;
	}
	send_collection(p, items, slugs, n, one);
}

/* Authors only, and never their e-mail addresses. */
void api_wp_users(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	struct store_author *users;
	size_t n;
	int64_t id = route_id(p);
	struct view *one = NULL, **items;
	struct slice *slugs;

	if (store_authors(p->db, p->a, &users, &n)) {
		wp_error(p, 500, "rest_error", "The database could not be read.", NULL, NULL);
		return;
	}
	items = ARENA_NEW_ARRAY(p->a, struct view *, n + 1);
	slugs = ARENA_NEW_ARRAY(p->a, struct slice, n + 1);
	for (size_t i = 0; i < n; i++) {
		struct view *v = view_obj(p->a);
		view_set_int(v, "id", users[i].id);
		view_set_str(v, "name", users[i].name.p, users[i].name.len);
		view_set_cstr(v, "url", "");
		view_set_str(v, "description", users[i].bio.p, users[i].bio.len);
		view_set_cstr(v, "link", page_absolute(p, url_author(p->a, users[i].slug)).p);
		view_set_str(v, "slug", users[i].slug.p, users[i].slug.len);
		view_set_obj(v, "avatar_urls");
		view_set_list(v, "meta");
		view_set(v, "_links", links(p, arena_printf(p->a, "/wp-json/wp/v2/users/%" PRId64,
							    users[i].id), "/wp-json/wp/v2/users"));
		items[i] = v;
		slugs[i] = users[i].slug;
		if (users[i].id == id)
			one = v;
	}
	if (id && !one) {
		wp_error(p, 404, "rest_user_invalid_id", "Invalid user ID.", NULL, NULL);
		return;
	}
	send_collection(p, items, slugs, n, one);
}

void api_wp_index(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	struct view *v = view_obj(p->a), *routes;
	static const char *const names[] = { "/wp/v2/posts", "/wp/v2/posts/(?P<id>[\\d]+)",
					     "/wp/v2/pages", "/wp/v2/categories", "/wp/v2/tags",
					     "/wp/v2/users" };

	view_set_cstr(v, "name", p->snap->settings.title);
	view_set_cstr(v, "description", p->snap->settings.tagline);
	view_set_cstr(v, "url", page_base_url(p));
	view_set_cstr(v, "home", page_base_url(p));
	view_set(v, "gmt_offset", view_double(p->a, tz_offset(p->snap->tz, p->now, NULL) / 3600.0));
	view_set_cstr(v, "timezone_string", p->snap->settings.timezone);
	view_push(view_set_list(v, "namespaces"), view_cstr(p->a, "wp/v2"));
	routes = view_set_obj(v, "routes");
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct view *r = view_set_obj(routes, names[i]);
		view_set_cstr(r, "namespace", "wp/v2");
		view_push(view_set_list(r, "methods"), view_cstr(p->a, "GET"));
	}
	send_json(p, 200, v);
}

void api_wp_no_route(struct http_request *req, void *ctx)
{
	wp_error(ctx, 404, "rest_no_route", "No route was found matching the URL and request method.",
		 NULL, NULL);
}
