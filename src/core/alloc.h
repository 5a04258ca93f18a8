/*
 * alloc.h - the one allocator wrapper.
 *
 * Out-of-memory policy: abort. A news server that cannot allocate a few
 * kilobytes cannot do anything useful, and checking every allocation by hand
 * only adds untested paths (redis zmalloc, h2o do the same).
 */
#ifndef DL_ALLOC_H
#define DL_ALLOC_H

#include "core/compat.h"

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* A NUL-terminated copy of the first len bytes of p. */
char *xmemdupz(const void *p, size_t len);

/* What malloc holds: bytes in live allocations and bytes freed but kept for reuse (glibc's
 * arenas; 0 and 0 where the C library cannot tell). */
void alloc_heap_stats(size_t *in_use, size_t *kept_free);

/* Grow an array `x` of `nr` used items to hold at least `want`, doubling. */
#define ALLOC_GROW(x, want, alloc) \
	do { \
		if ((size_t)(want) > (alloc)) { \
			size_t alloc_grow_n_ = (alloc) ? (alloc) * 2 : 8; \
			if (alloc_grow_n_ < (size_t)(want)) \
				alloc_grow_n_ = (size_t)(want); \
			(x) = xrealloc((x), alloc_grow_n_ * sizeof(*(x))); \
			(alloc) = alloc_grow_n_; \
		} \
	} while (0)

#endif
