/*
 * ads.c - ad slots, creatives and their daily counters (which arrive in
 * batches from the engine's in-memory tallies).
 */
#include "core/compat.h"
#include "core/alloc.h"
#include "core/err.h"
#include "store/internal.h"

static const char SQL_ADS_ACTIVE[] =
	"SELECT c.id, s.name, c.kind, c.html, c.link_url, c.alt, c.name, s.width, s.height,"
	" COALESCE(c.media_id, 0), c.weight, COALESCE(c.starts_at, 0), COALESCE(c.ends_at, 0),"
	" COALESCE(c.category_id, 0)"
	" FROM ad_creatives c JOIN ad_slots s ON s.id = c.slot_id"
	" WHERE c.active = 1 AND (c.ends_at IS NULL OR c.ends_at > ?)"
	" ORDER BY s.name, c.id";
static const char SQL_SLOT_ENSURE[] =
	"INSERT INTO ad_slots (name, width, height) VALUES (?, ?, ?)"
	" ON CONFLICT (name) DO UPDATE SET width = excluded.width, height = excluded.height"
	" RETURNING id";
static const char SQL_AD_CREATE[] =
	"INSERT INTO ad_creatives (slot_id, name, kind, html, media_id, link_url, alt, weight,"
	" starts_at, ends_at, category_id, created_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
/* Counts for a creative deleted since they were made are dropped, not an error. */
static const char SQL_AD_STATS_ADD[] =
	"INSERT INTO ad_stats (creative_id, day, impressions, clicks)"
	" SELECT id, ?, ?, ? FROM ad_creatives WHERE id = ?"
	" ON CONFLICT (creative_id, day) DO UPDATE SET"
	" impressions = ad_stats.impressions + excluded.impressions,"
	" clicks = ad_stats.clicks + excluded.clicks";
static const char SQL_AD_LINK[] =
	"SELECT link_url FROM ad_creatives WHERE id = ? AND active = 1";

int store_ads_active(struct db *db, struct arena *a, int64_t now, struct store_ad **out,
		     size_t *n)
{
	struct db_stmt *st = db_prepare(db, SQL_ADS_ACTIVE);
	size_t alloc = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!st)
		return DL_ERR;
	db_bind(st, "i", now);
	while ((rc = db_step(st)) == DB_ROW) {
		ARENA_GROW(a, *out, *n, alloc, *n + 1);
		struct store_ad *ad = &(*out)[(*n)++];
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
	}
	db_done(st);
	return rc < 0 ? rc : DL_OK;
}

int store_ad_slot_ensure(struct db *db, const char *name, int64_t width, int64_t height,
			 int64_t *id)
{
	struct db_stmt *st = db_prepare(db, SQL_SLOT_ENSURE);

	if (st)
		db_bind(st, "sii", name, width, height);
	return store_insert_id(db, st, id);
}

static void bind_opt(struct db_stmt *st, int idx, int64_t v)
{
	if (v)
		db_bind_int(st, idx, v);
	else
		db_bind_null(st, idx);
}

int store_ad_create(struct db *db, int64_t slot_id, const struct store_ad *ad, int64_t *id)
{
	struct db_stmt *st = db_prepare(db, SQL_AD_CREATE);

	if (st) {
		db_bind(st, "iSSS", slot_id, ad->name, ad->kind, ad->html);
		bind_opt(st, 5, ad->media_id);
		db_bind_text(st, 6, ad->link_url.p ? ad->link_url.p : "", ad->link_url.len);
		db_bind_text(st, 7, ad->alt.p ? ad->alt.p : "", ad->alt.len);
		db_bind_int(st, 8, ad->weight ? ad->weight : 1);
		bind_opt(st, 9, ad->starts_at);
		bind_opt(st, 10, ad->ends_at);
		bind_opt(st, 11, ad->category_id);
		db_bind_int(st, 12, (int64_t)time(NULL));
	}
	return store_insert_id(db, st, id);
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
