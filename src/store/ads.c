/*
 * ads.c - ad slots, creatives and their daily counters (which arrive in
 * batches from the engine's in-memory tallies).
 */
#include "core/compat.h"
#include "core/alloc.h"
#include "core/err.h"
#include "store/editorial.h"
#include "store/internal.h"

static const char SQL_SLOT_ENSURE[] =
	"INSERT INTO ad_slots (name, width, height) VALUES (?, ?, ?)"
	" ON CONFLICT (name) DO UPDATE SET width = excluded.width, height = excluded.height"
	" RETURNING id";
static const char SQL_AD_CREATE[] =
	"INSERT INTO ad_creatives (slot_id, name, kind, html, media_id, link_url, alt, weight,"
	" starts_at, ends_at, category_id, created_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_AD_CREATE_ACTIVE[] =
	"INSERT INTO ad_creatives (slot_id, name, kind, html, media_id, link_url, alt, weight,"
	" starts_at, ends_at, category_id, active, created_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_AD_UPDATE[] =
	"UPDATE ad_creatives SET slot_id = ?, name = ?, kind = ?, html = ?, media_id = ?,"
	" link_url = ?, alt = ?, weight = ?, starts_at = ?, ends_at = ?, category_id = ?,"
	" active = ? WHERE id = ?";
#define AD_ROW_COLS \
	"c.id, s.name, c.kind, c.html, c.link_url, c.alt, c.name, s.width, s.height," \
	" COALESCE(c.media_id, 0), c.weight, COALESCE(c.starts_at, 0), COALESCE(c.ends_at, 0)," \
	" COALESCE(c.category_id, 0), c.active, c.slot_id"
static const char SQL_ADS_ACTIVE[] =
	"SELECT " AD_ROW_COLS ", 0, 0 FROM ad_creatives c JOIN ad_slots s ON s.id = c.slot_id"
	" WHERE c.active = 1 AND (c.ends_at IS NULL OR c.ends_at > ?)"
	" ORDER BY s.name, c.id";
static const char SQL_ADS_ALL[] =
	"SELECT " AD_ROW_COLS ", COALESCE(SUM(t.impressions), 0), COALESCE(SUM(t.clicks), 0)"
	" FROM ad_creatives c JOIN ad_slots s ON s.id = c.slot_id"
	" LEFT JOIN ad_stats t ON t.creative_id = c.id AND t.day >= ?"
	" GROUP BY c.id, s.name, s.width, s.height ORDER BY s.name, c.id";
static const char SQL_AD_GET[] =
	"SELECT " AD_ROW_COLS ", 0, 0 FROM ad_creatives c JOIN ad_slots s ON s.id = c.slot_id"
	" WHERE c.id = ?";
static const char SQL_SLOTS[] =
	"SELECT id, name, width, height, description FROM ad_slots ORDER BY name";
static const char SQL_AD_DAILY[] =
	"SELECT day, impressions, clicks FROM ad_stats WHERE creative_id = ? AND day >= ?"
	" AND day <= ?";
/* Counts for a creative deleted since they were made are dropped, not an error. */
static const char SQL_AD_STATS_ADD[] =
	"INSERT INTO ad_stats (creative_id, day, impressions, clicks)"
	" SELECT id, ?, ?, ? FROM ad_creatives WHERE id = ?"
	" ON CONFLICT (creative_id, day) DO UPDATE SET"
	" impressions = ad_stats.impressions + excluded.impressions,"
	" clicks = ad_stats.clicks + excluded.clicks";
static const char SQL_AD_LINK[] =
	"SELECT link_url FROM ad_creatives WHERE id = ? AND active = 1";

int store_ad_slot_ensure(struct db *db, const char *name, int64_t width, int64_t height,
			 int64_t *id)
{
	struct db_stmt *st = db_prepare(db, SQL_SLOT_ENSURE);

	if (st)
		db_bind(st, "sii", name, width, height);
	return store_insert_id(db, st, id);
}

/* Parameters 1-11: slot, name, kind, html, media, link, alt, weight, dates, category. */
static void bind_ad(struct db_stmt *st, int64_t slot_id, const struct store_ad *ad)
{
	db_bind(st, "iSSS", slot_id, ad->name, ad->kind, ad->html);
	store_bind_opt(st, 5, ad->media_id);
	db_bind_text(st, 6, ad->link_url.p ? ad->link_url.p : "", ad->link_url.len);
	db_bind_text(st, 7, ad->alt.p ? ad->alt.p : "", ad->alt.len);
	db_bind_int(st, 8, ad->weight ? ad->weight : 1);
	store_bind_opt(st, 9, ad->starts_at);
	store_bind_opt(st, 10, ad->ends_at);
	store_bind_opt(st, 11, ad->category_id);
}

int store_ad_create(struct db *db, int64_t slot_id, const struct store_ad *ad, int64_t *id)
{
	struct db_stmt *st = db_prepare(db, SQL_AD_CREATE);

	if (st) {
		bind_ad(st, slot_id, ad);
		db_bind_int(st, 12, (int64_t)time(NULL));
	}
	return store_insert_id(db, st, id);
}

int store_ad_save(struct db *db, int64_t slot_id, const struct store_ad *ad,
		  const struct store_change *c, int64_t *id)
{
	struct store_change audit = *c;
	struct db_stmt *st;
	char object[32];
	int rc = db_begin(db);

	if (rc)
		return rc;
	st = db_prepare(db, ad->id ? SQL_AD_UPDATE : SQL_AD_CREATE_ACTIVE);
	if (!st) {
		db_rollback(db);
		return DL_ERR;
	}
	bind_ad(st, slot_id, ad);
	db_bind_int(st, 12, ad->active);
	if (ad->id) {
		db_bind_int(st, 13, ad->id);
		rc = db_run(st);
		if (!rc && db_changes(db) == 0)
			rc = DL_NOTFOUND;
		*id = ad->id;
	} else {
		db_bind_int(st, 13, (int64_t)time(NULL));
		rc = db_one_int(st, id);
	}
	if (!rc) {
		snprintf(object, sizeof(object), "ad:%" PRId64, *id);
		audit.object = object;
		rc = store_audit_in_tx(db, &audit);
	}
	return store_write_end(db, rc);
}

static void read_ad_row(struct db_stmt *st, struct arena *a, void *out)
{
	struct store_ad *ad = out;

	memset(ad, 0, sizeof(*ad));
	ad->id = db_int(st, 0);
	ad->slot = col(st, a, 1);
	ad->kind = col(st, a, 2);
	ad->html = col(st, a, 3);
	ad->link_url = col(st, a, 4);
	ad->alt = col(st, a, 5);
	ad->name = col(st, a, 6);
	ad->slot_width = db_int(st, 7);
	ad->slot_height = db_int(st, 8);
	ad->media_id = db_int(st, 9);
	ad->weight = db_int(st, 10);
	ad->starts_at = db_int(st, 11);
	ad->ends_at = db_int(st, 12);
	ad->category_id = db_int(st, 13);
	ad->active = db_int(st, 14);
	ad->slot_id = db_int(st, 15);
	ad->impressions = db_int(st, 16);
	ad->clicks = db_int(st, 17);
}

int store_ads_active(struct db *db, struct arena *a, int64_t now, struct store_ad **out,
		     size_t *n)
{
	struct db_stmt *st = db_prepare(db, SQL_ADS_ACTIVE);

	if (st)
		db_bind(st, "i", now);
	return store_all_rows(st, read_ad_row, a, sizeof(**out), (void **)out, n);
}

int store_ads_all(struct db *db, struct arena *a, int64_t since_day, struct store_ad **out,
		  size_t *n)
{
	struct db_stmt *st = db_prepare(db, SQL_ADS_ALL);

	if (st)
		db_bind(st, "i", since_day);
	return store_all_rows(st, read_ad_row, a, sizeof(**out), (void **)out, n);
}

int store_ad_get(struct db *db, struct arena *a, int64_t id, struct store_ad *out)
{
	struct db_stmt *st = db_prepare(db, SQL_AD_GET);

	if (!st)
		return DL_ERR;
	db_bind(st, "i", id);
	return store_one_row(st, read_ad_row, a, out);
}

static void read_slot(struct db_stmt *st, struct arena *a, void *out)
{
	struct store_ad_slot *s = out;

	s->id = db_int(st, 0);
	s->name = col(st, a, 1);
	s->width = db_int(st, 2);
	s->height = db_int(st, 3);
	s->description = col(st, a, 4);
}

int store_ad_slots(struct db *db, struct arena *a, struct store_ad_slot **out, size_t *n)
{
	return store_all_rows(db_prepare(db, SQL_SLOTS), read_slot, a, sizeof(**out), (void **)out, n);
}

int store_ad_daily(struct db *db, int64_t id, int64_t from_day, int64_t to_day,
		   int64_t *impressions, int64_t *clicks)
{
	struct db_stmt *st = db_prepare(db, SQL_AD_DAILY);
	int rc;

	for (int64_t d = from_day; d <= to_day; d++)
		impressions[d - from_day] = clicks[d - from_day] = 0;
	if (!st)
		return DL_ERR;
	db_bind(st, "iii", id, from_day, to_day);
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t day = db_int(st, 0);
		if (day >= from_day && day <= to_day) {
			impressions[day - from_day] = db_int(st, 1);
			clicks[day - from_day] = db_int(st, 2);
		}
	}
	db_done(st);
	return rc < 0 ? rc : DL_OK;
}

int store_ad_stats_add(struct db *db, int64_t day, const int64_t *ids, const int64_t *impressions,
		       const int64_t *clicks, size_t n)
{
	int rc = db_begin(db);

	if (rc)
		return rc;
	for (size_t i = 0; i < n && !rc; i++) {
		struct db_stmt *st = db_prepare(db, SQL_AD_STATS_ADD);
		if (!st) {
			rc = DL_ERR;
			break;
		}
		db_bind(st, "iiii", day, impressions[i], clicks[i], ids[i]);
		rc = db_run(st);
	}
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

static void link_row(struct db_stmt *st, struct arena *a, void *out)
{
	*(struct slice *)out = col(st, a, 0);
}

int store_ad_link(struct db *db, struct arena *a, int64_t id, struct slice *link)
{
	struct db_stmt *st = db_prepare(db, SQL_AD_LINK);

	if (!st)
		return DL_ERR;
	db_bind(st, "i", id);
	return store_one_row(st, link_row, a, link);
}
