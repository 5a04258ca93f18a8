/*
 * arena.h - a region allocator: one per request (or per job), freed in one call.
 *
 * Allocations are 16-byte aligned and live until arena_free(). Cleanup hooks
 * registered with arena_cleanup_add() run (last added first) when the arena
 * is freed, for what isn't arena memory (statements, strbufs, files).
 * Handlers allocate from their request's arena and almost never call free().
 */
#ifndef DL_ARENA_H
#define DL_ARENA_H

#include "core/compat.h"
#include "core/slice.h"

struct arena;

/* A new arena whose blocks are at least `block_size` bytes (0: 16 KiB). */
struct arena *arena_new(size_t block_size);
/* Run the cleanup hooks, free every block and the arena itself. NULL is ok. */
void arena_free(struct arena *a);
/* Forget every allocation but keep the first block for reuse; runs hooks. */
void arena_reset(struct arena *a);

void *arena_alloc(struct arena *a, size_t n);
void *arena_zalloc(struct arena *a, size_t n);
/* A NUL-terminated copy of len bytes at p. */
char *arena_strndup(struct arena *a, const char *p, size_t len);
char *arena_strdup(struct arena *a, const char *s);
struct slice arena_slice_dup(struct arena *a, struct slice s);
char *arena_printf(struct arena *a, const char *fmt, ...) DL_PRINTF(2, 3);
/* Bytes handed out so far (for limits and metrics). */
size_t arena_used(const struct arena *a);

/*
 * Grow an arena array of `nr` used items (each `size` bytes, room for
 * *alloc) to hold at least `want`: returns `old` when it already fits, else
 * a copy at least twice as large (the old block stays until the arena goes).
 */
void *arena_grow(struct arena *a, void *old, size_t nr, size_t *alloc, size_t want, size_t size);
#define ARENA_GROW(a, x, nr, alloc, want) \
	((x) = arena_grow((a), (x), (nr), &(alloc), (want), sizeof(*(x))))

/* Call fn(data) when the arena is freed or reset. */
void arena_cleanup_add(struct arena *a, void (*fn)(void *), void *data);

#define ARENA_NEW(a, type) ((type *)arena_zalloc((a), sizeof(type)))
#define ARENA_NEW_ARRAY(a, type, n) ((type *)arena_zalloc((a), sizeof(type) * (n)))

#endif
