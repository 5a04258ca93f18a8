/*
 * ads.c - ad slots and creatives, with impressions and clicks per day.
 */
#include "core/compat.h"
#include "core/err.h"
#include "core/timefmt.h"
#include "admin/internal.h"

#define STATS_DAYS 30

static int64_t today(struct adm *x)
{
	return timefmt_day_number(x->snap->tz, (int64_t)time(NULL));
}

static void view_slots(struct adm *x, struct view *obj, int64_t selected)
{
	struct store_ad_slot *slots;
	struct view *list = view_set_list(obj, "slots");
	size_t n;

	if (store_ad_slots(x->db, x->a, &slots, &n))
		return;
	for (size_t i = 0; i < n; i++) {
		struct view *v = view_obj(x->a);
		view_set_int(v, "id", slots[i].id);
		view_set_str(v, "name", slots[i].name.p, slots[i].name.len);
		view_set_cstr(v, "size", arena_printf(x->a, "%" PRId64 "×%" PRId64, slots[i].width,
						      slots[i].height));
		view_set_bool(v, "selected", slots[i].id == selected);
		view_push(list, v);
	}
}

void adm_ads(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct store_ad *ads;
	struct view *list;
	size_t n;

	(void)req;
	if (!adm_require(x, PERM_ADS))
		return;
	if (store_ads_all(x->db, x->a, today(x) - (STATS_DAYS - 1), &ads, &n)) {
		adm_error(x, 503, NULL, "The database cannot be reached; please try again.");
		return;
	}
	list = view_set_list(x->root, "ads");
	for (size_t i = 0; i < n; i++) {
		struct view *v = view_obj(x->a);
		view_set_int(v, "id", ads[i].id);
		view_set_str(v, "name", ads[i].name.p, ads[i].name.len);
		view_set_str(v, "slot", ads[i].slot.p, ads[i].slot.len);
		view_set_str(v, "kind", ads[i].kind.p, ads[i].kind.len);
		view_set_int(v, "weight", ads[i].weight);
		view_set_bool(v, "active", ads[i].active);
		view_set_int(v, "impressions", ads[i].impressions);
		view_set_int(v, "clicks", ads[i].clicks);
		view_set_cstr(v, "ctr", ads[i].impressions
			      ? arena_printf(x->a, "%.2f%%", 100.0 * (double)ads[i].clicks /
						       (double)ads[i].impressions) : "–");
		view_push(list, v);
	}
	adm_render(x, "ads", 200);
}

static const char *date_input(struct adm *x, int64_t t)
{
	return t ? adm_time_input(x, t) : "";
}

static void ad_form(struct adm *x, const struct store_ad *ad, int status, const char *why)
{
	struct view *v = view_set_obj(x->root, "ad"), *cats;

	if (ad->id)
		view_set_int(v, "id", ad->id);
	view_set_cstr(v, "action", ad->id ? arena_printf(x->a, "/ads/%" PRId64, ad->id) : "/ads");
	view_set_str(v, "name", ad->name.p, ad->name.len);
	view_set_bool(v, "is_html", !slice_eq_str(ad->kind, "image"));
	view_set_str(v, "html", ad->html.p, ad->html.len);
	if (ad->media_id)
		view_set_int(v, "media_id", ad->media_id);
	view_set_str(v, "link", ad->link_url.p, ad->link_url.len);
	view_set_str(v, "alt", ad->alt.p, ad->alt.len);
	view_set_int(v, "weight", ad->weight ? ad->weight : 1);
	view_set_cstr(v, "starts_at", date_input(x, ad->starts_at));
	view_set_cstr(v, "ends_at", date_input(x, ad->ends_at));
	view_set_bool(v, "active", !ad->id || ad->active);
	view_slots(x, v, ad->slot_id);
	cats = view_set_list(v, "categories");
	for (size_t i = 0; i < x->snap->ncategories; i++) {
		const struct store_category *c = &x->snap->categories[i];
		struct view *o = view_obj(x->a);
		view_set_int(o, "id", c->id);
		view_set_str(o, "name", c->name.p, c->name.len);
		view_set_bool(o, "selected", c->id == ad->category_id);
		view_push(cats, o);
	}
	if (ad->id) {
		int64_t imp[STATS_DAYS], clk[STATS_DAYS], first = today(x) - (STATS_DAYS - 1);
		struct view *days = view_set_list(v, "days");

		if (!store_ad_daily(x->db, ad->id, first, first + STATS_DAYS - 1, imp, clk)) {
			for (int i = STATS_DAYS - 1; i >= 0; i--) {
				struct view *d = view_obj(x->a);
				struct tm tm;

				tz_localtime(tz_utc(), (first + i) * 86400, &tm);
				view_set_cstr(d, "day", arena_printf(x->a, "%04d-%02d-%02d", tm.tm_year + 1900,
								     tm.tm_mon + 1, tm.tm_mday));
				view_set_int(d, "impressions", imp[i]);
				view_set_int(d, "clicks", clk[i]);
				view_push(days, d);
			}
		}
	}
	if (why)
		view_set_cstr(x->root, "form_error", why);
	adm_render(x, "ad", status);
}

void adm_ad_new(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct store_ad ad = { 0 };

	(void)req;
	if (!adm_require(x, PERM_ADS))
		return;
	ad.kind = slice_cstr("html");
	ad_form(x, &ad, 200, NULL);
}

void adm_ad_edit(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct store_ad ad;
	int64_t id;
	int rc;

	(void)req;
	if (!adm_require(x, PERM_ADS) || !adm_param_id(x, 0, &id))
		return;
	rc = store_ad_get(x->db, x->a, id, &ad);
	if (rc) {
		adm_error(x, rc == DL_NOTFOUND ? 404 : 503, NULL,
			  rc == DL_NOTFOUND ? "There is no such ad." : "The database cannot be reached.");
		return;
	}
	ad_form(x, &ad, 200, NULL);
}

static struct slice field(struct adm *x, const char *name)
{
	const struct slice *v = adm_field(x, name);

	return v ? *v : (struct slice){ "", 0 };
}

void adm_ad_save(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	struct store_ad ad = { 0 };
	struct store_change c = { x->user.id, x->user.email, adm_address(x), "ad.save", "", "" };
	struct slice starts = field(x, "starts_at"), ends = field(x, "ends_at");
	const char *why = NULL;
	int64_t id;
	int rc;

	(void)req;
	if (!adm_require(x, PERM_ADS) || (x->match.nparams && !adm_param_id(x, 0, &ad.id)))
		return;
	ad.slot_id = adm_field_int(x, "slot");
	ad.name = field(x, "name");
	ad.kind = field(x, "kind");
	ad.html = field(x, "html");
	ad.media_id = adm_field_int(x, "media_id");
	ad.link_url = field(x, "link");
	ad.alt = field(x, "alt");
	ad.weight = adm_field_int(x, "weight");
	ad.category_id = adm_field_int(x, "category");
	ad.active = adm_field(x, "active") != NULL;
	if (starts.len && editorial_parse_local(x->snap->tz, starts, &ad.starts_at))
		why = "starts_at: a date and time like 2026-11-25T09:00";
	else if (ends.len && editorial_parse_local(x->snap->tz, ends, &ad.ends_at))
		why = "ends_at: a date and time like 2026-12-31T23:59";
	else if (!ad.slot_id)
		why = "slot: choose where the ad appears";
	else
		why = editorial_ad_check(x->a, &ad, x->snap->categories, x->snap->ncategories);
	if (why) {
		ad_form(x, &ad, 422, why);
		return;
	}
	c.detail = arena_strndup(x->a, ad.name.p, ad.name.len);
	rc = store_ad_save(x->db, ad.slot_id, &ad, &c, &id);
	if (rc == DL_CONFLICT) {
		/* A foreign key: the slot or image is gone. */
		ad_form(x, &ad, 422, "media: no such slot or image");
		return;
	}
	if (rc) {
		adm_error(x, rc == DL_NOTFOUND ? 404 : 503, NULL,
			  rc == DL_NOTFOUND ? "There is no such ad." : "The database cannot be reached.");
		return;
	}
	adm_see_other(x, arena_printf(x->a, "/ads/%" PRId64, id), "saved");
}
