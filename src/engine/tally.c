#include "core/compat.h"
#include <pthread.h>
#include "core/alloc.h"
#include "engine/tally.h"

struct slot {
	int64_t id;     /* 0: empty (ids are positive) */
	int64_t count;
};

struct tally {
	pthread_mutex_t lock;
	struct slot *slots;
	size_t size, nr;
};

struct tally *tally_new(void)
{
	struct tally *t = xcalloc(1, sizeof(*t));

	pthread_mutex_init(&t->lock, NULL);
	t->size = 256;
	t->slots = xcalloc(t->size, sizeof(*t->slots));
	return t;
}

void tally_free(struct tally *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t->slots);
	free(t);
}

static size_t slot_of(int64_t id, size_t size)
{
	return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 20) & (size - 1);
}

static void insert(struct slot *slots, size_t size, int64_t id, int64_t n, size_t *nr)
{
	size_t i = slot_of(id, size);

	while (slots[i].id && slots[i].id != id)
		i = (i + 1) & (size - 1);
	if (!slots[i].id) {
		slots[i].id = id;
		(*nr)++;
	}
	slots[i].count += n;
}

static void grow(struct tally *t)
{
	struct slot *old = t->slots;
	size_t old_size = t->size;

	t->size *= 2;
	t->slots = xcalloc(t->size, sizeof(*t->slots));
	t->nr = 0;
	for (size_t i = 0; i < old_size; i++)
		if (old[i].id)
			insert(t->slots, t->size, old[i].id, old[i].count, &t->nr);
	free(old);
}

void tally_add(struct tally *t, int64_t id, int64_t n)
{
	if (id <= 0)
		return;
	pthread_mutex_lock(&t->lock);
	if ((t->nr + 1) * 2 > t->size)
		grow(t);
	insert(t->slots, t->size, id, n, &t->nr);
	pthread_mutex_unlock(&t->lock);
}

size_t tally_take(struct tally *t, int64_t **ids, int64_t **counts)
{
	size_t n = 0;

	pthread_mutex_lock(&t->lock);
	*ids = xmalloc((t->nr ? t->nr : 1) * sizeof(**ids));
	*counts = xmalloc((t->nr ? t->nr : 1) * sizeof(**counts));
	for (size_t i = 0; i < t->size; i++) {
		if (!t->slots[i].id)
			continue;
		(*ids)[n] = t->slots[i].id;
		(*counts)[n] = t->slots[i].count;
		n++;
		t->slots[i].id = 0;
		t->slots[i].count = 0;
	}
	t->nr = 0;
	pthread_mutex_unlock(&t->lock);
	return n;
}

void tally_restore(struct tally *t, const int64_t *ids, const int64_t *counts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tally_add(t, ids[i], counts[i]);
}
