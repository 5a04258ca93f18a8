/*
 * request.c - what a handler reads from its request and sets on its response:
 * request headers and cookies, response headers, redirects, status texts.
 * (http_error() is in server.c: it renders through the server's error page.)
 */
#include "core/compat.h"
#include <microhttpd.h>
#include "core/arena.h"
#include "core/strbuf.h"
#include "http/http.h"

const char *http_header(struct http_request *req, const char *name)
{
	if (!req->conn)
		return NULL;  /* a local request (http_local_request) has no headers */
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

struct slice http_cookie(struct http_request *req, const char *name)
{
	const char *v = req->conn ? MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name)
				  : NULL;

	return v ? slice_cstr(v) : (struct slice){ "", 0 };
}

void http_set_header(struct http_request *req, const char *name, const char *value)
{
	struct http_response *res = &req->res;

	if (res->nheaders == res->alloc) {
		size_t n = res->alloc ? res->alloc * 2 : 8;
		struct http_header *h = ARENA_NEW_ARRAY(req->arena, struct http_header, n);
		if (res->nheaders)
			memcpy(h, res->headers, sizeof(*h) * res->nheaders);
		res->headers = h;
		res->alloc = n;
	}
	res->headers[res->nheaders].name = arena_strdup(req->arena, name);
	res->headers[res->nheaders].value = arena_strdup(req->arena, value);
	res->nheaders++;
}

void http_redirect(struct http_request *req, int status, const char *location)
{
	req->res.status = status;
	strbuf_reset(&req->res.body);
	req->res.content_type = "text/html; charset=utf-8";
	strbuf_addstr(&req->res.body, "<!DOCTYPE html><title>Moved</title><a href=\"");
	strbuf_add_html(&req->res.body, location, strlen(location));
	strbuf_addstr(&req->res.body, "\">Moved here</a>\n");
	http_set_header(req, "Location", location);
}

const char *http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}
