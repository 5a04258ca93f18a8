/*
 * ads.c - ad slots in the snapshot and weighted rotation.
 *
 * Rotation walks each slot's eligible creatives with a per-slot counter and
 * a stride coprime to the total weight, so over every cycle of W page views
 * each creative is shown exactly `weight` times, interleaved rather than in
 * runs, and the order survives snapshot rebuilds.
 */
#include "core/compat.h"
#include "core/alloc.h"
#include "core/err.h"
#include "engine/internal.h"

static size_t rotation_index(struct engine *e, struct slice name)
{
	size_t i;

	pthread_mutex_lock(&e->lock);
	for (i = 0; i < e->nrotation; i++)
		if (slice_eq_str(name, e->rotation_names[i]))
			break;
	if (i == e->nrotation && i < ENGINE_MAX_SLOTS) {
		e->rotation_names[i] = xmemdupz(name.p, name.len);
		e->nrotation++;
	}
	pthread_mutex_unlock(&e->lock);
	return i < ENGINE_MAX_SLOTS ? i : ENGINE_MAX_SLOTS - 1;
}

int engine_load_ads(struct engine *e, struct db *db, struct engine_snapshot *s, int64_t now)
{
	struct store_ad *ads;
	size_t n, nslots = 0;
	int rc = store_ads_active(db, s->arena, now, &ads, &n);

	if (rc)
		return rc;
	s->ad_slots = ARENA_NEW_ARRAY(s->arena, struct engine_ad_slot, n ? n : 1);
	/* Rows arrive ordered by slot name: one run per slot. */
	for (size_t i = 0; i < n; i++) {
		struct engine_ad_slot *slot = nslots ? &s->ad_slots[nslots - 1] : NULL;
		struct engine_ad *ad;

		if (!slot || !slice_eq(slot->name, ads[i].slot)) {
			slot = &s->ad_slots[nslots++];
			slot->name = ads[i].slot;
			slot->width = ads[i].slot_width;
			slot->height = ads[i].slot_height;
			slot->ads = ARENA_NEW_ARRAY(s->arena, struct engine_ad, n - i);
			slot->rotation = rotation_index(e, slot->name);
		}
		ad = &slot->ads[slot->nads++];
		ad->id = ads[i].id;
		ad->kind = ads[i].kind;
		ad->html = ads[i].html;
		ad->link_url = ads[i].link_url;
		ad->alt = ads[i].alt;
		ad->media_id = ads[i].media_id;
		ad->weight = ads[i].weight;
		ad->starts_at = ads[i].starts_at;
		ad->ends_at = ads[i].ends_at;
		ad->category_id = ads[i].category_id;
	}
	s->nad_slots = nslots;
	return DL_OK;
}

static bool eligible(const struct engine_ad *ad, int64_t category_id, int64_t now)
{
	if (ad->starts_at && ad->starts_at > now)
		return false;
	if (ad->ends_at && ad->ends_at <= now)
		return false;
	return !ad->category_id || ad->category_id == category_id;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

const struct engine_ad *engine_pick_ad(struct engine *e, const struct engine_snapshot *snap,
				       const char *name, int64_t category_id, int64_t now,
				       bool count, const struct engine_ad_slot **slot_out)
{
	const struct engine_ad_slot *slot = NULL;
	uint64_t total = 0, stride, pos, k;

	for (size_t i = 0; i < snap->nad_slots && !slot; i++)
		if (slice_eq_str(snap->ad_slots[i].name, name))
			slot = &snap->ad_slots[i];
	if (!slot)
		return NULL;
	for (size_t i = 0; i < slot->nads; i++)
		if (eligible(&slot->ads[i], category_id, now))
			total += (uint64_t)slot->ads[i].weight;
	if (!total)
		return NULL;
	/* A stride near the golden ratio of the cycle, coprime to it. */
	stride = total * 5 / 8 + 1;
	while (gcd(stride, total) != 1)
		stride++;
	/* Only pages actually sent move the rotation (and count). */
	k = count ? atomic_fetch_add(&e->rotation[slot->rotation], 1)
		  : atomic_load(&e->rotation[slot->rotation]);
	pos = (k % total) * stride % total;
	for (size_t i = 0; i < slot->nads; i++) {
		const struct engine_ad *ad = &slot->ads[i];

		if (!eligible(ad, category_id, now))
			continue;
		if (pos < (uint64_t)ad->weight) {
			if (count)
				tally_add(e->impressions, ad->id, 1);
			*slot_out = slot;
			return ad;
		}
		pos -= (uint64_t)ad->weight;
	}
	return NULL;
}

const struct engine_ad *engine_ad_by_id(const struct engine_snapshot *snap, const char *name,
					int64_t ad_id, const struct engine_ad_slot **slot_out)
{
	for (size_t i = 0; ad_id && i < snap->nad_slots; i++) {
		const struct engine_ad_slot *slot = &snap->ad_slots[i];

		if (!slice_eq_str(slot->name, name))
			continue;
		for (size_t j = 0; j < slot->nads; j++) {
			if (slot->ads[j].id == ad_id) {
				*slot_out = slot;
				return &slot->ads[j];
			}
		}
	}
	return NULL;
}

void engine_count_impression(struct engine *e, int64_t ad_id)
{
	tally_add(e->impressions, ad_id, 1);
}
