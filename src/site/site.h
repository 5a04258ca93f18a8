/*
 * site.h - the public plane: home, articles, archives, assets and media.
 *
 * It only reads: every handler turns a request into a view model from the
 * engine's snapshot and the store, and picks a template. Nothing here
 * writes SQL or HTML by hand (templates do the markup).
 */
#ifndef DL_SITE_H
#define DL_SITE_H

#include "core/compat.h"
#include "engine/engine.h"
#include "http/http.h"
#include "render/theme.h"

struct site;

/*
 * A public site over `engine` rendered with `theme` (both borrowed).
 * `default_base_url` ("http://127.0.0.1:8080") makes absolute links when
 * the base_url setting is empty; the request's Host header never does.
 */
struct site *site_new(struct engine *engine, const struct theme *theme,
		      const char *default_base_url);
void site_free(struct site *s);
/* Replace the default base URL (before serving starts; copied). */
void site_set_default_base_url(struct site *s, const char *url);

/* The http_handler_fn and http_error_fn to give the public listener. */
void site_handle(struct http_request *req, void *site);
void site_error_page(struct http_request *req, const char *message, void *site);

/* The methods the public plane serves. */
#define SITE_METHODS (HTTP_GET | HTTP_HEAD)

#endif
