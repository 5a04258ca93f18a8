/*
 * http.h - the adapter over libmicrohttpd: requests in, responses out.
 *
 * The server owns the connection lifecycle; the application sees one
 * `struct http_request` per request, with an arena that lives until the
 * response has been sent, and fills in `req->res`. The server then adds
 * ETag/304, gzip when accepted, security headers and the access log line.
 */
#ifndef DL_HTTP_H
#define DL_HTTP_H

#include "core/compat.h"
#include <stdatomic.h>
#include "core/arena.h"
#include "core/slice.h"
#include "core/strbuf.h"
#include "http/query.h"

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_PUT = 1 << 3,
	HTTP_DELETE = 1 << 4,
	HTTP_PATCH = 1 << 5,
	HTTP_OPTIONS = 1 << 6,
	HTTP_OTHER = 1 << 7,
};

struct http_header {
	const char *name;
	const char *value;
};

/* Content codings a prebuilt body may come in. */
enum http_coding { HTTP_IDENTITY, HTTP_GZIP, HTTP_BROTLI, HTTP_NCODINGS };

/*
 * A body encoded once in every coding the client may accept, each with its
 * own strong ETag (a coding is a different representation). The bytes are
 * borrowed: `release(release_ctx)` is called once the server no longer
 * needs them. An absent coding has len 0 (identity is always present).
 */
struct http_prebuilt {
	const void *body[HTTP_NCODINGS];
	size_t len[HTTP_NCODINGS];
	const char *etag[HTTP_NCODINGS];
	void (*release)(void *ctx);
	void *release_ctx;
	/* The library's whole response per coding, headers included, built by the
	 * first request that may share it (http_response.shareable) and reused by
	 * every later one; freed by http_prebuilt_clear(). */
	_Atomic(void *) shared[HTTP_NCODINGS];
};

/* Free what the server cached inside `pre` (call before freeing its bytes). */
void http_prebuilt_clear(struct http_prebuilt *pre);

struct http_response {
	int status;
	struct strbuf body;
	const char *content_type;
	struct http_header *headers;
	size_t nheaders, alloc;
	bool compressible;   /* gzip when the client accepts it */
	bool etag;           /* ETag from a hash of the body; answer If-None-Match with 304 */
	const char *etag_value; /* an ETag the application computed (see http_not_modified) */
	int64_t last_modified; /* Unix time for Last-Modified / If-Modified-Since; 0: none */
	/* Static bytes to send instead of `body` (not freed; must outlive the server). */
	const void *static_body;
	size_t static_len;
	/* A body prepared ahead (the page cache); wins over `body`. */
	struct http_prebuilt *prebuilt;
	/* The headers are the same for every request sending `prebuilt`: the
	 * whole response may be built once and reused. */
	bool shareable;
};

struct http_request {
	struct arena *arena;
	enum http_method method;
	const char *method_name;
	const char *version;     /* "HTTP/1.1" */
	struct slice target;     /* the request-target as received */
	struct slice path;       /* percent-decoded, validated */
	struct slice raw_query;  /* after '?', undecoded */
	struct query query;      /* parsed from raw_query */
	const char *remote_addr;
	struct slice body;        /* the request body (empty without one) */
	struct strbuf body_buf;   /* where it was gathered */
	struct http_response res;
	struct http_server *server;
	void *conn;              /* the library's connection */
	int64_t start_ns;
	/* What the application wants in the access log for this request. */
	size_t bytes_sent;
	/* The route's name for the request metrics (NULL: "none"). */
	const char *route;
};

/* Called once per request with the path and query already validated. */
typedef void (*http_handler_fn)(struct http_request *req, void *ctx);
/* Renders an error page into req->res (status already set). */
typedef void (*http_error_fn)(struct http_request *req, const char *message, void *ctx);

struct http_server_config {
	const char *listen;          /* "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:80" */
	unsigned threads;            /* 0: one per core */
	unsigned timeout_seconds;    /* idle connections are closed after this */
	unsigned max_connections;
	size_t max_body;             /* request bodies larger than this get 413 */
	unsigned methods;            /* allowed methods (mask); others get 405 */
	FILE *access_log;            /* NULL: no access log */
	http_handler_fn handler;
	http_error_fn error_page;
	void *ctx;
};

struct http_server;

/*
 * Bind, start the worker threads and return, or NULL after logging why
 * (bad address, port in use). The caller must have blocked SIGINT/SIGTERM
 * (and SIGPIPE) in every thread first, so that only its own sigwait sees them.
 */
struct http_server *http_server_start(const struct http_server_config *cfg);
/* Stop accepting, finish in-flight requests, free everything. */
void http_server_stop(struct http_server *srv);
/* The port actually bound (useful with port 0). */
int http_server_port(const struct http_server *srv);

/* What http_local_request() answered. */
struct http_local_result {
	int status;
	char *content_type;   /* malloc'd, or NULL */
	char *location;       /* a redirect's Location (malloc'd), or NULL */
	struct strbuf body;   /* the identity body */
};

/*
 * Run cfg->handler on a request for `target` with no network and no
 * request headers (static export: the site renders itself into files).
 * `method` is HTTP_GET or HTTP_HEAD (a HEAD still gets its body here).
 * Fills *out (release with http_local_result_release). Returns DL_OK, or
 * DL_INVALID for a target the server would answer 400/414.
 */
int http_local_request(const struct http_server_config *cfg, const char *target,
		       enum http_method method, struct http_local_result *out);
void http_local_result_release(struct http_local_result *r);

/* A request header's value, or NULL. */
const char *http_header(struct http_request *req, const char *name);
/* A cookie's value from the Cookie header, or an empty slice. */
struct slice http_cookie(struct http_request *req, const char *name);

/*
 * Use `etag` (a weak validator, W/"...", computed from what the response is
 * made of) and, if the request's If-None-Match already lists it, turn the
 * response into a 304 and return true: the caller then skips the work.
 * "*" does not count here: the resource may not exist. The caller adds the
 * headers a 304 must repeat (Cache-Control: a client keeps its own when
 * none is sent).
 */
bool http_not_modified(struct http_request *req, const char *etag);

/*
 * The coding to send a prebuilt body in: brotli, then gzip, when the
 * request's Accept-Encoding takes it and `pre` has it; else identity.
 */
enum http_coding http_pick_coding(struct http_request *req, const struct http_prebuilt *pre);
/* True if the request's If-None-Match lists `etag` (weak comparison, no "*"). */
bool http_etag_requested(struct http_request *req, const char *etag);

/* Add a response header (both strings copied into the request arena). */
void http_set_header(struct http_request *req, const char *name, const char *value);
/* Set the status and let the error page renderer fill the body. */
void http_error(struct http_request *req, int status, const char *message);
/* A redirect to `location` (301, 302, 303, 307 or 308). */
void http_redirect(struct http_request *req, int status, const char *location);

/* The standard reason phrase for a status code. */
const char *http_status_text(int status);

#endif
