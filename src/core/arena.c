#include "core/compat.h"
#include "core/alloc.h"
#include "core/arena.h"

#define ARENA_ALIGN 16

struct arena_block {
	struct arena_block *next;
	size_t size;
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena_cleanup {
	struct arena_cleanup *next;
	void (*fn)(void *);
	void *data;
};

struct arena {
	struct arena_block *head;  /* current block; older ones follow */
	struct arena_cleanup *cleanups;
	size_t block_size;
	size_t total;
};

static struct arena_block *block_new(size_t size)
{
	struct arena_block *b = xmalloc(sizeof(*b) + size);

	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

struct arena *arena_new(size_t block_size)
{
	struct arena *a = xcalloc(1, sizeof(*a));

	a->block_size = block_size ? block_size : 16384;
	a->head = block_new(a->block_size);
	return a;
}

static void run_cleanups(struct arena *a)
{
	while (a->cleanups) {
		struct arena_cleanup *c = a->cleanups;

		a->cleanups = c->next;
		c->fn(c->data);
	}
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	run_cleanups(a);
	while (a->head) {
		struct arena_block *b = a->head;

		a->head = b->next;
		free(b);
	}
	free(a);
}

void arena_reset(struct arena *a)
{
	run_cleanups(a);
	while (a->head) {
		struct arena_block *b = a->head;

		a->head = b->next;
		free(b);
	}
	a->head = block_new(a->block_size);
	a->total = 0;
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);

	if (need < n)
		abort();
	if (b->size - b->used < need) {
		if (need > a->block_size / 4) {
			/* Big allocation: its own block, behind the current one. */
			struct arena_block *big = block_new(need);

			big->used = need;
			big->next = b->next;
			b->next = big;
			a->total += need;
			return big->data;
		}
		b = block_new(a->block_size);
		b->next = a->head;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += need;
	a->total += need;
	return p;
}

void *arena_zalloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);

	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *p, size_t len)
{
	char *s = arena_alloc(a, len + 1);

	if (len)
		memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

struct slice arena_slice_dup(struct arena *a, struct slice s)
{
	return (struct slice){ arena_strndup(a, s.p, s.len), s.len };
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap, cp;
	char tmp[256];
	int n;

	va_start(ap, fmt);
	va_copy(cp, ap);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	char *s = arena_alloc(a, (size_t)n + 1);
	if ((size_t)n < sizeof(tmp))
		memcpy(s, tmp, (size_t)n + 1);
	else
		vsnprintf(s, (size_t)n + 1, fmt, cp);
	va_end(cp);
	return s;
}

size_t arena_used(const struct arena *a)
{
	return a->total;
}

void arena_cleanup_add(struct arena *a, void (*fn)(void *), void *data)
{
	struct arena_cleanup *c = arena_alloc(a, sizeof(*c));

	c->fn = fn;
	c->data = data;
	c->next = a->cleanups;
	a->cleanups = c;
}

void *arena_grow(struct arena *a, void *old, size_t nr, size_t *alloc, size_t want, size_t size)
{
	size_t n;
	void *p;

	if (want <= *alloc)
		return old;
	n = *alloc ? *alloc * 2 : 4;
	if (n < want)
		n = want;
	if (n > SIZE_MAX / size)
		abort();
	p = arena_alloc(a, n * size);
	if (nr)
		memcpy(p, old, nr * size);
	*alloc = n;
	return p;
}
