#include "core/compat.h"
#include "core/alloc.h"
#include "http/router.h"

enum seg_kind { SEG_LITERAL, SEG_PARAM, SEG_TAIL };

struct seg {
	enum seg_kind kind;
	struct slice text;
};

struct compiled {
	const struct route *route;
	struct seg segs[ROUTE_MAX_SEGMENTS];
	size_t nsegs;
	bool trailing_slash;
};

struct router {
	struct compiled *routes;
	size_t nr;
};

/* Split "/a/b/" into segments "a", "b"; reports whether it ended in '/'. */
static size_t split(struct slice path, struct slice *segs, size_t max, bool *trailing)
{
	size_t n = 0, i = 1;

	*trailing = path.len > 1 && path.p[path.len - 1] == '/';
	while (i < path.len) {
		size_t start = i;

		while (i < path.len && path.p[i] != '/')
			i++;
		if (i > start) {
			if (n == max)
				return max + 1;
			segs[n++] = (struct slice){ path.p + start, i - start };
		} else if (i < path.len) {
			/* an empty segment ("//"): never matches a route */
			if (n == max)
				return max + 1;
			segs[n++] = (struct slice){ path.p + start, 0 };
		}
		i++;
	}
	return n;
}

struct router *router_new(const struct route *routes, size_t n)
{
	struct router *r = xcalloc(1, sizeof(*r));

	r->routes = xcalloc(n ? n : 1, sizeof(*r->routes));
	r->nr = n;
	for (size_t i = 0; i < n; i++) {
		struct compiled *c = &r->routes[i];
		struct slice segs[ROUTE_MAX_SEGMENTS];
		size_t nsegs = split(slice_cstr(routes[i].pattern), segs, ROUTE_MAX_SEGMENTS,
				     &c->trailing_slash);

		assert(routes[i].pattern[0] == '/' && nsegs <= ROUTE_MAX_SEGMENTS);
		c->route = &routes[i];
		c->nsegs = nsegs;
		for (size_t j = 0; j < nsegs; j++) {
			c->segs[j].text = segs[j];
			if (segs[j].len && segs[j].p[0] == ':') {
				c->segs[j].kind = SEG_PARAM;
			} else if (slice_eq_str(segs[j], "*")) {
				assert(j == nsegs - 1);
				c->segs[j].kind = SEG_TAIL;
				c->trailing_slash = false;
			} else {
				c->segs[j].kind = SEG_LITERAL;
			}
		}
	}
	return r;
}

void router_free(struct router *r)
{
	if (!r)
		return;
	free(r->routes);
	free(r);
}

/* Does the path's segment list fit the route's (ignoring the trailing slash)? */
static bool fits(const struct compiled *c, struct slice path, const struct slice *segs,
		 size_t nsegs, struct route_match *m)
{
	m->nparams = 0;
	for (size_t j = 0; j < c->nsegs; j++) {
		const struct seg *s = &c->segs[j];

		if (s->kind == SEG_TAIL) {
			/* The tail starts at segment j (or is empty past the end). */
			const char *from = j < nsegs ? segs[j].p : path.p + path.len;
			m->params[m->nparams++] = (struct slice){ from, (size_t)(path.p + path.len - from) };
			return true;
		}
		if (j >= nsegs || !segs[j].len)
			return false;
		if (s->kind == SEG_LITERAL && !slice_eq(s->text, segs[j]))
			return false;
		if (s->kind == SEG_PARAM) {
			if (m->nparams == ROUTE_MAX_PARAMS)
				return false;
			m->params[m->nparams++] = segs[j];
		}
	}
	return nsegs == c->nsegs;
}

enum route_result router_match(const struct router *r, enum http_method method,
			       struct slice path, struct route_match *m, unsigned *allowed)
{
	struct slice segs[ROUTE_MAX_SEGMENTS];
	enum route_result best = ROUTE_NOT_FOUND;
	bool trailing;
	size_t nsegs = split(path, segs, ROUTE_MAX_SEGMENTS, &trailing);

	*allowed = 0;
	if (nsegs > ROUTE_MAX_SEGMENTS)
		return ROUTE_NOT_FOUND;
	for (size_t i = 0; i < r->nr; i++) {
		const struct compiled *c = &r->routes[i];
		bool tail = c->nsegs && c->segs[c->nsegs - 1].kind == SEG_TAIL;

		if (!fits(c, path, segs, nsegs, m))
			continue;
		if (!tail && c->trailing_slash != trailing && nsegs > 0) {
			/* Only the missing slash differs: worth a redirect, not a match. */
			if (c->trailing_slash && best == ROUTE_NOT_FOUND &&
			    (c->route->methods & (unsigned)method))
				best = ROUTE_ADD_SLASH;
			continue;
		}
		if (!(c->route->methods & (unsigned)method)) {
			*allowed |= c->route->methods;
			if (best == ROUTE_NOT_FOUND)
				best = ROUTE_BAD_METHOD;
			continue;
		}
		m->route = c->route;
		return ROUTE_FOUND;
	}
	return best;
}
