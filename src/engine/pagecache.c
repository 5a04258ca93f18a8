#include "core/compat.h"
#include <pthread.h>
#include "core/alloc.h"
#include "core/hash.h"
#include "engine/pagecache.h"

struct pagecache {
	pthread_mutex_t lock;
	struct pagecache_page **buckets;
	size_t nbuckets, npages;
	struct pagecache_page *lru_head, *lru_tail;  /* head: most recently used */
	size_t bytes, budget;
	int64_t generation;   /* the newest seen; older pages are dropped */
	atomic_uint_fast64_t hits, misses, stores, evictions;
};

struct pagecache *pagecache_new(size_t budget)
{
	struct pagecache *pc;

	if (!budget)
		return NULL;
	pc = xcalloc(1, sizeof(*pc));
	pthread_mutex_init(&pc->lock, NULL);
	pc->budget = budget;
	pc->nbuckets = 1024;
	pc->buckets = xcalloc(pc->nbuckets, sizeof(*pc->buckets));
	return pc;
}

static void body_free(struct pagecache_body *b)
{
	http_prebuilt_clear(&b->pre);
	free(b);
}

void pagecache_body_ref(struct pagecache_body *b)
{
	atomic_fetch_add(&b->refs, 1);
}

void pagecache_body_unref(struct pagecache_body *b)
{
	if (b && atomic_fetch_sub(&b->refs, 1) == 1)
		body_free(b);
}

static void page_free(struct pagecache_page *pg)
{
	struct pagecache_body *b = pg->bodies, *next;

	for (; b; b = next) {
		next = b->next;
		pagecache_body_unref(b);
	}
	for (size_t i = 0; i < pg->nads; i++)
		free(pg->ads[i].slot);
	for (size_t i = 0; i < pg->nheaders; i++) {
		free((char *)pg->headers[i].name);
		free((char *)pg->headers[i].value);
	}
	free(pg->headers);
	free(pg->content_type);
	free(pg->key);
	free(pg);
}

void pagecache_page_unref(struct pagecache_page *pg)
{
	if (pg && atomic_fetch_sub(&pg->refs, 1) == 1)
		page_free(pg);
}

void pagecache_free(struct pagecache *pc)
{
	struct pagecache_page *pg, *next;

	if (!pc)
		return;
	for (pg = pc->lru_head; pg; pg = next) {
		next = pg->lru_next;
		pagecache_page_unref(pg);
	}
	free(pc->buckets);
	pthread_mutex_destroy(&pc->lock);
	free(pc);
}

static size_t bucket_of(const struct pagecache *pc, const char *key)
{
	return (size_t)hash64(key, strlen(key)) & (pc->nbuckets - 1);
}

static void lru_unlink(struct pagecache *pc, struct pagecache_page *pg)
{
	if (pg->lru_prev)
		pg->lru_prev->lru_next = pg->lru_next;
	else
		pc->lru_head = pg->lru_next;
	if (pg->lru_next)
		pg->lru_next->lru_prev = pg->lru_prev;
	else
		pc->lru_tail = pg->lru_prev;
	pg->lru_prev = pg->lru_next = NULL;
}

static void lru_push(struct pagecache *pc, struct pagecache_page *pg)
{
	pg->lru_prev = NULL;
	pg->lru_next = pc->lru_head;
	if (pc->lru_head)
		pc->lru_head->lru_prev = pg;
	pc->lru_head = pg;
	if (!pc->lru_tail)
		pc->lru_tail = pg;
}

/* Take `pg` out of the cache (lock held) and drop the cache's reference. */
static void remove_page(struct pagecache *pc, struct pagecache_page *pg)
{
	struct pagecache_page **pp = &pc->buckets[bucket_of(pc, pg->key)];

	while (*pp && *pp != pg)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = pg->hnext;
	lru_unlink(pc, pg);
	pg->linked = false;
	pc->bytes -= pg->bytes;
	pc->npages--;
	pagecache_page_unref(pg);
}

static struct pagecache_page *find(struct pagecache *pc, const char *key)
{
	struct pagecache_page *pg = pc->buckets[bucket_of(pc, key)];

	while (pg && strcmp(pg->key, key))
		pg = pg->hnext;
	return pg;
}

static bool same_stamp(const struct pagecache_stamp *a, const struct pagecache_stamp *b)
{
	return a->generation == b->generation && a->must_read == b->must_read && a->day == b->day;
}

struct pagecache_page *pagecache_get(struct pagecache *pc, const char *key,
				     const struct pagecache_stamp *stamp)
{
	struct pagecache_page *pg;

	pthread_mutex_lock(&pc->lock);
	pg = find(pc, key);
	if (pg && !same_stamp(&pg->stamp, stamp)) {
		/* Only a newer stamp replaces it: a slow request must not drop fresh pages. */
		if (stamp->generation >= pg->stamp.generation)
			remove_page(pc, pg);
		pg = NULL;
	}
	if (pg) {
		atomic_fetch_add(&pg->refs, 1);
		lru_unlink(pc, pg);
		lru_push(pc, pg);
	}
	pthread_mutex_unlock(&pc->lock);
	return pg;
}

struct pagecache_body *pagecache_find_body(struct pagecache *pc, struct pagecache_page *pg,
					   const int64_t *ads, size_t nads)
{
	struct pagecache_body *b;

	pthread_mutex_lock(&pc->lock);
	for (b = pg->bodies; b; b = b->next)
		if (!memcmp(b->ads, ads, nads * sizeof(*ads)))
			break;
	if (b)
		pagecache_body_ref(b);
	pthread_mutex_unlock(&pc->lock);
	return b;
}

struct pagecache_body *pagecache_any_body(struct pagecache *pc, struct pagecache_page *pg)
{
	struct pagecache_body *b;

	pthread_mutex_lock(&pc->lock);
	b = pg->bodies;
	if (b)
		pagecache_body_ref(b);
	pthread_mutex_unlock(&pc->lock);
	return b;
}

struct pagecache_body *pagecache_find_etag(struct pagecache *pc, struct pagecache_page *pg,
					   struct http_request *req, enum http_coding coding)
{
	struct pagecache_body *b;

	pthread_mutex_lock(&pc->lock);
	for (b = pg->bodies; b; b = b->next)
		if (b->pre.len[coding] && http_etag_requested(req, b->etags[coding]))
			break;
	if (b)
		pagecache_body_ref(b);
	pthread_mutex_unlock(&pc->lock);
	return b;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct pagecache_page *pagecache_page_new(const char *key, const struct pagecache_stamp *stamp,
					  const char *content_type, int64_t last_modified,
					  const struct http_header *headers, size_t nheaders,
					  const struct pagecache_ad_call *ads, size_t nads,
					  int64_t view_id)
{
	struct pagecache_page *pg = xcalloc(1, sizeof(*pg));

	assert(nads <= PAGECACHE_MAX_ADS);
	pg->refs = 1;
	pg->key = xstrdup(key);
	pg->stamp = *stamp;
	pg->content_type = dup_or_null(content_type);
	pg->last_modified = last_modified;
	pg->headers = xcalloc(nheaders ? nheaders : 1, sizeof(*pg->headers));
	pg->nheaders = nheaders;
	pg->bytes = sizeof(*pg) + strlen(key);
	for (size_t i = 0; i < nheaders; i++) {
		pg->headers[i].name = xstrdup(headers[i].name);
		pg->headers[i].value = xstrdup(headers[i].value);
		pg->bytes += strlen(headers[i].name) + strlen(headers[i].value) + 2;
	}
	for (size_t i = 0; i < nads; i++) {
		pg->ads[i].slot = xstrdup(ads[i].slot);
		pg->ads[i].category_id = ads[i].category_id;
	}
	pg->nads = nads;
	pg->view_id = view_id;
	return pg;
}

struct pagecache_body *pagecache_body_new(const int64_t *ads, size_t nads,
					  const void *identity, size_t len,
					  const void *gzip, size_t gzip_len,
					  const void *br, size_t br_len)
{
	size_t total = sizeof(struct pagecache_body) + len + gzip_len + br_len;
	struct pagecache_body *b = xcalloc(1, total);
	char *p = (char *)(b + 1);
	uint64_t h = hash64(identity, len);
	static const char *const suffix[HTTP_NCODINGS] = { "", "-gz", "-br" };
	const void *src[HTTP_NCODINGS] = { identity, gzip, br };
	size_t lens[HTTP_NCODINGS] = { len, gzip_len, br_len };

	assert(nads <= PAGECACHE_MAX_ADS);
	b->refs = 1;
	memcpy(b->ads, ads, nads * sizeof(*ads));
	b->bytes = total;
	for (int c = 0; c < HTTP_NCODINGS; c++) {
		if (c != HTTP_IDENTITY && !lens[c])
			continue;
		if (lens[c])
			memcpy(p, src[c], lens[c]);
		b->pre.body[c] = p;
		b->pre.len[c] = lens[c];
		p += lens[c];
		/* Strong: these exact bytes; each coding is its own representation. */
		snprintf(b->etags[c], sizeof(b->etags[c]), "\"%016" PRIx64 "%s\"", h, suffix[c]);
		b->pre.etag[c] = b->etags[c];
	}
	b->pre.release = (void (*)(void *))pagecache_body_unref;
	b->pre.release_ctx = b;
	return b;
}

/* Drop every page older than the newest generation (lock held). */
static void drop_older(struct pagecache *pc)
{
	struct pagecache_page *pg = pc->lru_head, *next;

	for (; pg; pg = next) {
		next = pg->lru_next;
		if (pg->stamp.generation < pc->generation)
			remove_page(pc, pg);
	}
}

static void grow_buckets(struct pagecache *pc)
{
	struct pagecache_page **old = pc->buckets;
	size_t n = pc->nbuckets;

	pc->nbuckets *= 2;
	pc->buckets = xcalloc(pc->nbuckets, sizeof(*pc->buckets));
	for (size_t i = 0; i < n; i++) {
		struct pagecache_page *pg = old[i], *next;
		for (; pg; pg = next) {
			size_t h = bucket_of(pc, pg->key);
			next = pg->hnext;
			pg->hnext = pc->buckets[h];
			pc->buckets[h] = pg;
		}
	}
	free(old);
}

void pagecache_add(struct pagecache *pc, struct pagecache_page *pg, struct pagecache_body *body)
{
	struct pagecache_body *b;
	bool dup = false;

	pthread_mutex_lock(&pc->lock);
	if (pg->stamp.generation > pc->generation) {
		pc->generation = pg->stamp.generation;
		drop_older(pc);
	}
	if (pg->stamp.generation < pc->generation || pg->bytes + body->bytes > pc->budget)
		goto out;  /* stale already, or too big to keep */
	if (!pg->linked) {
		struct pagecache_page *old = find(pc, pg->key);
		size_t h;

		if (pg->bodies)
			goto out;  /* it was stored once and has been dropped since */
		if (old)
			remove_page(pc, old);
		if (pc->npages + 1 > pc->nbuckets)
			grow_buckets(pc);
		h = bucket_of(pc, pg->key);
		pg->hnext = pc->buckets[h];
		pc->buckets[h] = pg;
		atomic_fetch_add(&pg->refs, 1);
		pg->linked = true;
		lru_push(pc, pg);
		pc->npages++;
		pc->bytes += pg->bytes;
	}
	for (b = pg->bodies; b && !dup; b = b->next)
		dup = !memcmp(b->ads, body->ads, sizeof(b->ads));
	if (!dup) {
		pagecache_body_ref(body);
		body->next = pg->bodies;
		pg->bodies = body;
		pg->bytes += body->bytes;
		pc->bytes += body->bytes;
		atomic_fetch_add(&pc->stores, 1);
	}
	/* Evict the least recently used; the page just stored goes last. */
	while (pc->bytes > pc->budget && pc->lru_tail) {
		struct pagecache_page *victim = pc->lru_tail;
		if (victim == pg && pc->lru_head == pg)
			break;
		if (victim == pg) {
			lru_unlink(pc, pg);
			lru_push(pc, pg);
			continue;
		}
		remove_page(pc, victim);
		atomic_fetch_add(&pc->evictions, 1);
	}
out:
	pthread_mutex_unlock(&pc->lock);
}

void pagecache_count(struct pagecache *pc, bool hit)
{
	atomic_fetch_add(hit ? &pc->hits : &pc->misses, 1);
}

void pagecache_stats(struct pagecache *pc, struct pagecache_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!pc)
		return;
	pthread_mutex_lock(&pc->lock);
	out->bytes = pc->bytes;
	out->pages = pc->npages;
	out->budget = pc->budget;
	pthread_mutex_unlock(&pc->lock);
	out->hits = atomic_load(&pc->hits);
	out->misses = atomic_load(&pc->misses);
	out->stores = atomic_load(&pc->stores);
	out->evictions = atomic_load(&pc->evictions);
}
