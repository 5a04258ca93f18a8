#include "core/compat.h"
#include "render/json.h"

void json_write(struct strbuf *out, const struct view *v)
{
	if (!v) {
		strbuf_addstr(out, "null");
		return;
	}
	switch (v->type) {
	case VIEW_NULL:
		strbuf_addstr(out, "null");
		break;
	case VIEW_BOOL:
		strbuf_addstr(out, v->u.b ? "true" : "false");
		break;
	case VIEW_INT:
		strbuf_addint(out, v->u.i);
		break;
	case VIEW_DOUBLE:
		strbuf_addf(out, "%.17g", v->u.d);
		break;
	case VIEW_STR:
		strbuf_addch(out, '"');
		strbuf_add_json(out, v->u.s.p, v->u.s.len);
		strbuf_addch(out, '"');
		break;
	case VIEW_LIST:
		strbuf_addch(out, '[');
		for (size_t i = 0; i < v->u.list.nr; i++) {
			if (i)
				strbuf_addch(out, ',');
			json_write(out, v->u.list.items[i]);
		}
		strbuf_addch(out, ']');
		break;
	case VIEW_OBJ:
		strbuf_addch(out, '{');
		for (size_t i = 0; i < v->u.obj.nr; i++) {
			const struct view_member *m = &v->u.obj.members[i];
			if (i)
				strbuf_addch(out, ',');
			strbuf_addch(out, '"');
			strbuf_add_json(out, m->key.p, m->key.len);
			strbuf_addstr(out, "\":");
			json_write(out, m->value);
		}
		strbuf_addch(out, '}');
		break;
	}
}
