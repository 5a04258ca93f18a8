/*
 * admin.h - the editorial plane: the newsroom's admin UI and the JSON write
 * API (/api/v1/), behind login, on its own listener (DESIGN.md section 2).
 */
#ifndef DL_ADMIN_H
#define DL_ADMIN_H

#include "core/compat.h"
#include "engine/engine.h"
#include "http/http.h"

struct admin;

struct admin_config {
	bool secure_cookies;      /* the plane is served over HTTPS */
	const char *public_url;   /* the public site ("http://127.0.0.1:8080") */
	size_t max_upload;        /* the largest image upload, in bytes */
};

struct admin *admin_new(struct engine *engine, const struct admin_config *cfg);
void admin_free(struct admin *a);

/* The http_handler_fn and http_error_fn for the editorial listener. */
void admin_handle(struct http_request *req, void *admin);
void admin_error_page(struct http_request *req, const char *message, void *admin);

#define ADMIN_METHODS (HTTP_GET | HTTP_HEAD | HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE)
/* The default upload limit; request bodies may be 1 MiB more (the form around it). */
#define ADMIN_DEFAULT_MAX_UPLOAD (20 * 1024 * 1024)

#endif
