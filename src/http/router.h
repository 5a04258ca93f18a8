/*
 * router.h - match a decoded path against a table of route patterns.
 *
 * Patterns are '/'-separated segments: a literal ("category"), a parameter
 * (":slug", one non-empty segment) or a tail ("*", the rest, possibly
 * empty; last only). A pattern ending in '/' wants the path to end in '/'
 * too; a path matching all but that slash gets ROUTE_ADD_SLASH so the
 * caller can redirect to the canonical URL. First match in table order wins.
 */
#ifndef DL_HTTP_ROUTER_H
#define DL_HTTP_ROUTER_H

#include "core/compat.h"
#include "core/slice.h"
#include "http/http.h"

#define ROUTE_MAX_PARAMS 6
#define ROUTE_MAX_SEGMENTS 16

struct route {
	unsigned methods;      /* mask of enum http_method */
	const char *pattern;
	http_handler_fn handler;
	const char *name;      /* for logs and metrics */
	unsigned flags;        /* the application's own, e.g. caching policy */
};

struct route_match {
	const struct route *route;
	struct slice params[ROUTE_MAX_PARAMS];  /* in pattern order */
	size_t nparams;
};

enum route_result {
	ROUTE_FOUND,
	ROUTE_NOT_FOUND,
	ROUTE_ADD_SLASH,      /* matches once a trailing '/' is added */
	ROUTE_BAD_METHOD,     /* path matches, method does not: 405 */
};

struct router;

/* Compile the table (which must outlive the router). Aborts on a bad
 * pattern: routes are the program's own constants. */
struct router *router_new(const struct route *routes, size_t n);
void router_free(struct router *r);

/* Match `path` for `method`. On ROUTE_BAD_METHOD, *allowed is the mask
 * of methods that would have matched. */
enum route_result router_match(const struct router *r, enum http_method method,
			       struct slice path, struct route_match *m, unsigned *allowed);

#endif
