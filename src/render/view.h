/*
 * view.h - view models: the data a template renders.
 *
 * Handlers build a tree of values in the request arena (objects, lists,
 * strings, numbers, booleans) and hand it to tpl_render(). Nothing here ever
 * reaches the store: a view holds only copies of what the handler put in.
 * All memory comes from the arena given at creation; nothing is freed by hand.
 */
#ifndef DL_RENDER_VIEW_H
#define DL_RENDER_VIEW_H

#include "core/compat.h"
#include "core/arena.h"
#include "core/slice.h"

enum view_type {
	VIEW_NULL,
	VIEW_BOOL,
	VIEW_INT,
	VIEW_DOUBLE,
	VIEW_STR,
	VIEW_LIST,
	VIEW_OBJ,
};

struct view;

struct view_member {
	struct slice key;
	struct view *value;
};

struct view {
	enum view_type type;
	union {
		bool b;
		int64_t i;
		double d;
		struct slice s;
		struct {
			struct view **items;
			size_t nr, alloc;
		} list;
		struct {
			struct view_member *members;
			size_t nr, alloc;
		} obj;
	} u;
	struct arena *arena;
};

struct view *view_null(struct arena *a);
struct view *view_bool(struct arena *a, bool b);
struct view *view_int(struct arena *a, int64_t i);
struct view *view_double(struct arena *a, double d);
/* A string view; the bytes are copied into the arena. */
struct view *view_str(struct arena *a, const char *p, size_t len);
struct view *view_cstr(struct arena *a, const char *s);
/* A string view pointing at bytes that outlive the view (no copy). */
struct view *view_str_ref(struct arena *a, const char *p, size_t len);
struct view *view_list(struct arena *a);
struct view *view_obj(struct arena *a);

/* Append to a list. */
void view_push(struct view *list, struct view *item);
/* Set obj[key] = value (key is copied; a later set of the same key wins). */
void view_set(struct view *obj, const char *key, struct view *value);
/* Shorthands for view_set with a fresh scalar. */
void view_set_str(struct view *obj, const char *key, const char *p, size_t len);
void view_set_cstr(struct view *obj, const char *key, const char *s);
void view_set_int(struct view *obj, const char *key, int64_t i);
void view_set_bool(struct view *obj, const char *key, bool b);
/* A new object/list stored at obj[key], returned for filling in. */
struct view *view_set_obj(struct view *obj, const char *key);
struct view *view_set_list(struct view *obj, const char *key);

/* obj[key], or NULL when obj is NULL, not an object or has no such key. */
struct view *view_get(const struct view *obj, const char *key, size_t keylen);

/* Section truthiness: null (or a NULL pointer: a missing value), false, the
 * empty list and the empty string are false; everything else (including 0
 * and empty objects) is true. */
bool view_truthy(const struct view *v);

#endif
