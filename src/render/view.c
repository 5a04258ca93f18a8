#include "core/compat.h"
#include "core/arena.h"
#include "render/view.h"

static struct view *view_new(struct arena *a, enum view_type type)
{
	struct view *v = ARENA_NEW(a, struct view);

	v->type = type;
	v->arena = a;
	return v;
}

struct view *view_null(struct arena *a)
{
	return view_new(a, VIEW_NULL);
}

struct view *view_bool(struct arena *a, bool b)
{
	struct view *v = view_new(a, VIEW_BOOL);

	v->u.b = b;
	return v;
}

struct view *view_int(struct arena *a, int64_t i)
{
	struct view *v = view_new(a, VIEW_INT);

	v->u.i = i;
	return v;
}

struct view *view_double(struct arena *a, double d)
{
	struct view *v = view_new(a, VIEW_DOUBLE);

	v->u.d = d;
	return v;
}

struct view *view_str(struct arena *a, const char *p, size_t len)
{
	return view_str_ref(a, arena_strndup(a, p, len), len);
}

struct view *view_cstr(struct arena *a, const char *s)
{
	return view_str(a, s, strlen(s));
}

struct view *view_str_ref(struct arena *a, const char *p, size_t len)
{
	struct view *v = view_new(a, VIEW_STR);

	v->u.s = slice_from(p, len);
	return v;
}

struct view *view_list(struct arena *a)
{
	return view_new(a, VIEW_LIST);
}

struct view *view_obj(struct arena *a)
{
	return view_new(a, VIEW_OBJ);
}

/* Grow an arena array of `size`-byte items to hold at least `want`. */
void view_push(struct view *list, struct view *item)
{
	assert(list->type == VIEW_LIST);
	list->u.list.items = arena_grow(list->arena, list->u.list.items,
					list->u.list.nr, &list->u.list.alloc,
					list->u.list.nr + 1, sizeof(*list->u.list.items));
	list->u.list.items[list->u.list.nr++] = item;
}

static struct view_member *find_member(const struct view *obj, const char *key,
				       size_t keylen)
{
	for (size_t i = 0; i < obj->u.obj.nr; i++) {
		struct view_member *m = &obj->u.obj.members[i];

		if (m->key.len == keylen &&
		    (!keylen || (m->key.p[0] == key[0] && !memcmp(m->key.p, key, keylen))))
			return m;
	}
	return NULL;
}

void view_set(struct view *obj, const char *key, struct view *value)
{
	size_t keylen = strlen(key);
	struct view_member *m;

	assert(obj->type == VIEW_OBJ);
	m = find_member(obj, key, keylen);
	if (m) {
		m->value = value;
		return;
	}
	obj->u.obj.members = arena_grow(obj->arena, obj->u.obj.members,
					obj->u.obj.nr, &obj->u.obj.alloc,
					obj->u.obj.nr + 1, sizeof(*obj->u.obj.members));
	m = &obj->u.obj.members[obj->u.obj.nr++];
	m->key = slice_from(arena_strndup(obj->arena, key, keylen), keylen);
	m->value = value;
}

void view_set_str(struct view *obj, const char *key, const char *p, size_t len)
{
	view_set(obj, key, view_str(obj->arena, p, len));
}

void view_set_cstr(struct view *obj, const char *key, const char *s)
{
	view_set(obj, key, view_cstr(obj->arena, s));
}

void view_set_int(struct view *obj, const char *key, int64_t i)
{
	view_set(obj, key, view_int(obj->arena, i));
}

void view_set_bool(struct view *obj, const char *key, bool b)
{
	view_set(obj, key, view_bool(obj->arena, b));
}

struct view *view_set_obj(struct view *obj, const char *key)
{
	struct view *v = view_obj(obj->arena);

	view_set(obj, key, v);
	return v;
}

struct view *view_set_list(struct view *obj, const char *key)
{
	struct view *v = view_list(obj->arena);

	view_set(obj, key, v);
	return v;
}

struct view *view_get(const struct view *obj, const char *key, size_t keylen)
{
	struct view_member *m;

	if (!obj || obj->type != VIEW_OBJ)
		return NULL;
	m = find_member(obj, key, keylen);
	return m ? m->value : NULL;
}

bool view_truthy(const struct view *v)
{
	if (!v)
		return false;
	switch (v->type) {
	case VIEW_NULL:
		return false;
	case VIEW_BOOL:
		return v->u.b;
	case VIEW_STR:
		return v->u.s.len > 0;
	case VIEW_LIST:
		return v->u.list.nr > 0;
	default:
		return true;
	}
}
