/*
 * framing.h - the request-head checks the HTTP adapter runs before a handler.
 * Private to src/http/.
 */
#ifndef DL_HTTP_FRAMING_H
#define DL_HTTP_FRAMING_H

#include "core/compat.h"
#include "http/http.h"

/*
 * Requests whose framing two parsers could read two ways are refused, with
 * the connection closed, before any body is read: the classic smuggling
 * pairs (Content-Length with Transfer-Encoding, two lengths, a coding other
 * than plain chunked), a head that is not exactly RFC 9112's (bare LF or
 * CR, obs-fold, NUL and control bytes, whitespace before a colon),
 * HTTP/1.1 without Host, and versions other than 1.0 and 1.1. `method` and
 * `version` are the library's own pointers; `check_head` says the running
 * library is 0.9.75, whose read buffer the exact-head check reads (its
 * layout is not a documented interface). Returns the status, or 0.
 */
int http_framing_problem(struct http_request *req, bool check_head, const char *method,
			 const char *version, const char **why);

#endif
