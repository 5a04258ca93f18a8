/*
 * dashboard.c - the newsroom at a glance, and the audit log.
 */
#include "core/compat.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "core/timefmt.h"
#include "admin/internal.h"

#define CHART_DAYS 30
#define CHART_W 600
#define CHART_H 120

/*
 * The 30-day page-view chart as an inline SVG drawn here: no script, no
 * third-party library, and it prints. Only numbers go into the markup.
 */
static void view_chart(struct adm *x, const int64_t *views, int64_t first_day)
{
	struct strbuf sb = STRBUF_INIT;
	int64_t max = 1, total = 0;
	double bar = (double)CHART_W / CHART_DAYS;

	for (int i = 0; i < CHART_DAYS; i++) {
		if (views[i] > max)
			max = views[i];
		total += views[i];
	}
	strbuf_addf(&sb, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
			 "aria-label=\"Page views per day, last %d days\">", CHART_W, CHART_H + 16,
		    CHART_DAYS);
	for (int i = 0; i < CHART_DAYS; i++) {
		double h = (double)views[i] * CHART_H / (double)max;
		struct tm tm;

		tz_localtime(tz_utc(), (first_day + i) * 86400, &tm);
		strbuf_addf(&sb, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
				 "<title>%04d-%02d-%02d: %" PRId64 " views</title></rect>",
			    i * bar + 1, CHART_H - h, bar - 2, h, tm.tm_year + 1900, tm.tm_mon + 1,
			    tm.tm_mday, views[i]);
	}
	strbuf_addf(&sb, "<text x=\"0\" y=\"%d\">%d days ago</text><text x=\"%d\" y=\"%d\" "
			 "text-anchor=\"end\">today</text></svg>", CHART_H + 14, CHART_DAYS - 1,
		    CHART_W, CHART_H + 14);
	view_set_str(x->root, "chart_svg", sb.buf, sb.len);
	view_set_int(x->root, "views_total", total);
	view_set_int(x->root, "views_max", max);
	strbuf_release(&sb);
}

static int view_articles(struct adm *x, const char *key, const struct store_edit_filter *f)
{
	struct store_edit *items;
	struct view *list = view_set_list(x->root, key);
	size_t n;
	int64_t total;
	int rc = store_edit_list(x->db, x->a, f, &items, &n, &total);

	for (size_t i = 0; !rc && i < n; i++) {
		struct view *v = view_obj(x->a);
		view_set_int(v, "id", items[i].id);
		view_set_str(v, "title", items[i].title.p, items[i].title.len);
		view_set_str(v, "status", items[i].status.p, items[i].status.len);
		view_set_str(v, "author", items[i].author_name.p, items[i].author_name.len);
		view_set_cstr(v, "updated", adm_time(x, items[i].updated_at));
		view_set_cstr(v, "published", adm_time(x, items[i].published_at));
		view_push(list, v);
	}
	return rc;
}

void adm_dashboard(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	int64_t counts[STORE_NSTATUS], views[CHART_DAYS], ids[10];
	int64_t today = timefmt_day_number(x->snap->tz, (int64_t)time(NULL));
	struct store_edit_filter scheduled = { .status = "scheduled", .limit = 10 };
	struct store_edit_filter recent = { .limit = 10 };
	struct store_list top;
	struct view *list;
	size_t n;
	int rc;

	(void)req;
	if (!(x->user.perms & PERM_EDIT_ANY))
		recent.author_id = scheduled.author_id = x->user.id;
	rc = store_status_counts(x->db, counts);
	if (!rc)
		rc = store_views_by_day(x->db, today - (CHART_DAYS - 1), today, views);
	if (!rc)
		rc = store_most_read(x->db, today - 6, 10, ids, &n);
	if (!rc)
		rc = store_by_ids(x->db, x->a, ids, n, &top);
	if (!rc)
		rc = view_articles(x, "scheduled", &scheduled);
	if (!rc)
		rc = view_articles(x, "recent", &recent);
	if (rc) {
		adm_error(x, 503, NULL, "The database cannot be reached; please try again.");
		return;
	}
	list = view_set_list(x->root, "counts");
	for (size_t i = 0; i < STORE_NSTATUS; i++) {
		struct view *v = view_obj(x->a);
		view_set_cstr(v, "status", store_statuses[i]);
		view_set_int(v, "count", counts[i]);
		view_push(list, v);
	}
	view_chart(x, views, today - (CHART_DAYS - 1));
	list = view_set_list(x->root, "top");
	for (size_t i = 0; i < top.nr; i++) {
		struct view *v = view_obj(x->a);
		view_set_int(v, "id", top.items[i].id);
		view_set_str(v, "title", top.items[i].title.p, top.items[i].title.len);
		view_set_cstr(v, "public_url", adm_public_url(x, top.items[i].category.slug,
							      top.items[i].slug));
		view_push(list, v);
	}
	adm_render(x, "dashboard", 200);
}

void adm_audit(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct store_audit_entry *items;
	struct view *list;
	int64_t page, total;
	size_t n;

	if (!adm_require(x, PERM_AUDIT))
		return;
	if (query_page(&req->query, 100000, &page)) {
		adm_error(x, 400, "page", "Bad page number.");
		return;
	}
	if (store_audit_list(x->db, x->a, 50, (page - 1) * 50, &items, &n, &total)) {
		adm_error(x, 503, NULL, "The database cannot be reached; please try again.");
		return;
	}
	list = view_set_list(x->root, "entries");
	for (size_t i = 0; i < n; i++) {
		struct view *v = view_obj(x->a);
		view_set_cstr(v, "when", adm_time(x, items[i].at));
		view_set_str(v, "actor", items[i].actor.p, items[i].actor.len);
		view_set_str(v, "address", items[i].address.p, items[i].address.len);
		view_set_str(v, "action", items[i].action.p, items[i].action.len);
		view_set_str(v, "object", items[i].object.p, items[i].object.len);
		view_set_str(v, "detail", items[i].detail.p, items[i].detail.len);
		view_push(list, v);
	}
	if (page > 1)
		view_set_cstr(x->root, "prev", arena_printf(x->a, "?page=%" PRId64, page - 1));
	if (page * 50 < total)
		view_set_cstr(x->root, "next", arena_printf(x->a, "?page=%" PRId64, page + 1));
	adm_render(x, "audit", 200);
}
