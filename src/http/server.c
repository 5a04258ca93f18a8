/*
 * server.c - libmicrohttpd underneath, one request arena per request.
 *
 * libmicrohttpd 0.9.75 pitfalls handled here: a response queued on the
 * first access-handler call is sent with "Connection: close", so we queue on
 * the second; its thread pool lets one worker take a burst of connections,
 * so listener.c accepts and each worker is a daemon of its own; idle
 * connections never time out without MHD_OPTION_CONNECTION_TIMEOUT; it
 * accepts bare LF, obs-fold and NUL bytes in the request head whatever
 * MHD_OPTION_STRICT_FOR_CLIENT says, so head_problem() checks the head itself.
 */
#include "core/compat.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <strings.h>
#include <unistd.h>
#include "core/alloc.h"
#include "core/err.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/hash.h"
#include "core/timefmt.h"
#include "http/compress.h"
#include "http/framing.h"
#include "http/http.h"
#include "http/listener.h"

/* Bodies smaller than this are not worth compressing. */
#define GZIP_MIN_BYTES 1024

struct http_worker;

struct http_server {
	struct listener *listener;
	struct http_worker *workers;
	unsigned nworkers;
	unsigned next;            /* on_accept's round-robin start; only its thread touches it */
	unsigned max_connections;
	struct http_server_config cfg;
	bool check_head;  /* the library is 0.9.75, whose buffer framing.c reads */
	pthread_mutex_t log_lock;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static enum http_method parse_method(const char *m)
{
	static const struct { const char *name; enum http_method m; } tab[] = {
		{ "GET", HTTP_GET }, { "HEAD", HTTP_HEAD }, { "POST", HTTP_POST },
		{ "PUT", HTTP_PUT }, { "DELETE", HTTP_DELETE }, { "PATCH", HTTP_PATCH },
		{ "OPTIONS", HTTP_OPTIONS },
	};

	for (size_t i = 0; i < ARRAY_SIZE(tab); i++)
		if (!strcmp(m, tab[i].name))
			return tab[i].m;
	return HTTP_OTHER;
}

/* Called by the library with the raw request-target, before anything else. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_server *srv = cls;
	struct arena *a = arena_new(32768);
	struct http_request *req = ARENA_NEW(a, struct http_request);

	req->arena = a;
	req->server = srv;
	req->conn = conn;
	req->start_ns = now_ns();
	req->target = arena_slice_dup(a, slice_cstr(uri));
	req->res.status = 200;
	strbuf_init(&req->res.body, 0);
	strbuf_init(&req->body_buf, 0);
	return req;
}

void http_error(struct http_request *req, int status, const char *message)
{
	struct http_server *srv = req->server;

	req->res.status = status;
	strbuf_reset(&req->res.body);
	req->res.static_body = NULL;
	if (srv->cfg.error_page) {
		srv->cfg.error_page(req, message, srv->cfg.ctx);
	} else {
		req->res.content_type = "text/plain; charset=utf-8";
		strbuf_addf(&req->res.body, "%d %s: %s\n", status, http_status_text(status), message);
	}
}

static const char *allow_header(struct arena *a, unsigned mask)
{
	static const char *const names[] = { "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS" };
	char *out = arena_alloc(a, 64);
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(mask & (1u << i)))
			continue;
		n += (size_t)snprintf(out + n, 64 - n, "%s%s", n ? ", " : "", names[i]);
	}
	return out;
}

/* Decode the target and run the application's handler. */
static void dispatch(struct http_server *srv, struct http_request *req)
{
	int rc;

	if (!(srv->cfg.methods & (unsigned)req->method)) {
		http_set_header(req, "Allow", allow_header(req->arena, srv->cfg.methods));
		http_error(req, 405, "This method is not served here.");
		return;
	}
	rc = path_parse(req->arena, req->target, &req->path, &req->raw_query);
	if (rc == DL_TOOBIG) {
		http_error(req, 414, "The address is too long.");
		return;
	}
	if (rc) {
		http_error(req, 400, "The address is malformed.");
		return;
	}
	rc = query_parse(req->arena, req->raw_query, &req->query);
	if (rc == DL_TOOBIG) {
		http_error(req, 414, "The query string has too many or too long parameters.");
		return;
	}
	if (rc) {
		http_error(req, 400, "The query string is malformed.");
		return;
	}
	srv->cfg.handler(req, srv->cfg.ctx);
}

static bool is_compressible(const char *type)
{
	return type && (!strncmp(type, "text/", 5) || strstr(type, "json") || strstr(type, "xml") ||
			strstr(type, "javascript") || strstr(type, "svg"));
}

/* Weak comparison (RFC 9110 8.8.3.2): W/ prefixes do not matter; "*" matches
 * when `star` (only once the resource is known to exist). */
static bool etag_listed(const char *list, const char *tag, bool star)
{
	const char *want = strncmp(tag, "W/", 2) ? tag : tag + 2;
	size_t n = strlen(want);

	while (*list) {
		size_t len;

		list += strspn(list, " \t,");
		if (!strncmp(list, "W/", 2))
			list += 2;
		len = strcspn(list, ", \t");
		if ((len == n && !strncmp(list, want, n)) || (star && len == 1 && *list == '*'))
			return true;
		list += len;
	}
	return false;
}

bool http_etag_requested(struct http_request *req, const char *etag)
{
	const char *inm = http_header(req, "If-None-Match");

	return inm && etag_listed(inm, etag, false);
}

enum http_coding http_pick_coding(struct http_request *req, const struct http_prebuilt *pre)
{
	const char *ae = http_header(req, "Accept-Encoding");

	if (!ae)
		return HTTP_IDENTITY;
	if (pre->len[HTTP_BROTLI] && http_accepts(ae, "br"))
		return HTTP_BROTLI;
	if (pre->len[HTTP_GZIP] && http_accepts(ae, "gzip"))
		return HTTP_GZIP;
	return HTTP_IDENTITY;
}

bool http_not_modified(struct http_request *req, const char *etag)
{
	const char *inm = http_header(req, "If-None-Match");

	req->res.etag_value = arena_strdup(req->arena, etag);
	if (!inm || !etag_listed(inm, etag, false))
		return false;
	req->res.status = 304;
	strbuf_reset(&req->res.body);
	return true;
}

/*
 * Add the validators and decide whether the client's copy is current:
 * If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2), and a date is
 * current only when it is the one we sent, as nginx's default does. Tags
 * are weak, so one tag serves the gzip and identity encodings alike.
 */
static bool not_modified(struct http_request *req, const void *body, size_t len)
{
	struct http_response *res = &req->res;
	const char *inm = http_header(req, "If-None-Match");
	const char *ims = http_header(req, "If-Modified-Since");
	const char *tag = res->etag_value;
	struct strbuf date = STRBUF_INIT;
	bool current = false;
	char hashed[32];

	if (!tag && res->etag) {
		snprintf(hashed, sizeof(hashed), "W/\"%016" PRIx64 "\"", hash64(body, len));
		tag = hashed;
	}
	if (tag) {
		http_set_header(req, "ETag", tag);
		if (inm)
			current = etag_listed(inm, tag, true);
	}
	if (res->last_modified) {
		timefmt_http(&date, res->last_modified);
		http_set_header(req, "Last-Modified", date.buf);
		if (!inm && ims)
			current = !strcmp(ims, date.buf);
	}
	strbuf_release(&date);
	return current;
}

/* ETag/304 and gzip on the finished body; returns the bytes to send. */
static void finish_body(struct http_request *req, const void **body, size_t *len, bool *gzipped,
			struct strbuf *gz)
{
	struct http_response *res = &req->res;

	*body = res->static_body ? res->static_body : res->body.buf;
	*len = res->static_body ? res->static_len : res->body.len;
	*gzipped = false;
	if (res->compressible && is_compressible(res->content_type))
		http_set_header(req, "Vary", "Accept-Encoding");  /* on 304s too */
	if (res->status == 304) {  /* the application already answered */
		http_set_header(req, "ETag", res->etag_value);
		*len = 0;
		return;
	}
	if (res->status == 200 && not_modified(req, *body, *len)) {
		res->status = 304;
		*len = 0;
		return;
	}
	if (res->compressible && *len >= GZIP_MIN_BYTES && is_compressible(res->content_type)) {
		const char *ae = http_header(req, "Accept-Encoding");

		if (ae && http_accepts(ae, "gzip") && !http_gzip(*body, *len, 4, gz)) {
			*body = gz->buf;
			*len = gz->len;
			*gzipped = true;
		}
	}
}

static void release_prebuilt(void *cls)
{
	const struct http_prebuilt *pre = cls;

	if (pre->release)
		pre->release(pre->release_ctx);
}

static void add_headers(struct MHD_Response *r, const struct http_response *res)
{
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	for (size_t i = 0; i < res->nheaders; i++)
		MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
}

/*
 * A prebuilt body: the chosen coding's bytes go out as they are, no copy;
 * the server lets go of them (release) when the library is done.
 */
static enum MHD_Result queue_prebuilt(struct http_request *req)
{
	struct http_response *res = &req->res;
	struct http_prebuilt *pre = res->prebuilt;
	enum http_coding c = http_pick_coding(req, pre);
	struct MHD_Response *r;
	enum MHD_Result ok;
	const char *ims = http_header(req, "If-Modified-Since");
	struct strbuf date = STRBUF_INIT;
	bool current = http_etag_requested(req, pre->etag[c]);

	if (res->shareable && !current && !(ims && res->last_modified) &&
	    (r = atomic_load(&pre->shared[c]))) {
		/* Built once, sent as is; the body stays referenced until the
		 * request completes (on_completed releases it). */
		req->bytes_sent = req->method == HTTP_HEAD ? 0 : pre->len[c];
		return MHD_queue_response(req->conn, 200, r);
	}

	if (res->last_modified) {
		timefmt_http(&date, res->last_modified);
		http_set_header(req, "Last-Modified", date.buf);
		/* If-None-Match wins; a date is current only if it is the one we sent. */
		if (!http_header(req, "If-None-Match") && ims)
			current = !strcmp(ims, date.buf);
	}
	strbuf_release(&date);
	http_set_header(req, "Vary", "Accept-Encoding");
	http_set_header(req, "ETag", pre->etag[c]);
	if (current) {
		res->status = 304;
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		release_prebuilt((void *)(uintptr_t)pre);
	} else if (res->shareable) {
		r = MHD_create_response_from_buffer(pre->len[c], (void *)(uintptr_t)pre->body[c],
						    MHD_RESPMEM_PERSISTENT);
	} else {
		r = MHD_create_response_from_buffer_with_free_callback_cls(
			pre->len[c], (void *)(uintptr_t)pre->body[c], release_prebuilt, (void *)(uintptr_t)pre);
	}
	if (!r) {
		if (!current && !res->shareable)
			release_prebuilt((void *)(uintptr_t)pre);
		return MHD_NO;
	}
	if (!res->shareable || current)
		res->prebuilt = NULL;  /* the response owns the reference now */
	if (res->content_type && res->status != 304)
		MHD_add_response_header(r, "Content-Type", res->content_type);
	if (c == HTTP_GZIP && res->status != 304)
		MHD_add_response_header(r, "Content-Encoding", "gzip");
	else if (c == HTTP_BROTLI && res->status != 304)
		MHD_add_response_header(r, "Content-Encoding", "br");
	add_headers(r, res);
	req->bytes_sent = req->method == HTTP_HEAD || res->status == 304 ? 0 : pre->len[c];
	ok = MHD_queue_response(req->conn, (unsigned)res->status, r);
	if (res->shareable && res->status == 200) {
		void *none = NULL;
		/* Keep it for the next request unless another thread was first. */
		if (atomic_compare_exchange_strong(&pre->shared[c], &none, r))
			return ok;
	}
	MHD_destroy_response(r);
	return ok;
}

void http_prebuilt_clear(struct http_prebuilt *pre)
{
	for (int c = 0; c < HTTP_NCODINGS; c++) {
		struct MHD_Response *r = atomic_exchange(&pre->shared[c], NULL);
		if (r)
			MHD_destroy_response(r);
	}
}

static enum MHD_Result queue(struct http_request *req)
{
	struct http_response *res = &req->res;
	struct strbuf gz = STRBUF_INIT;
	struct MHD_Response *r;
	const void *body;
	size_t len;
	bool gzipped;
	enum MHD_Result ok;

	if (res->prebuilt && res->status == 200)
		return queue_prebuilt(req);
	finish_body(req, &body, &len, &gzipped, &gz);
	if (gzipped) {
		size_t n;
		char *p = strbuf_detach(&gz, &n);
		r = MHD_create_response_from_buffer(n, p, MHD_RESPMEM_MUST_FREE);
	} else if (res->static_body && len) {
		r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT);
	} else if (len) {
		size_t n;
		char *p = strbuf_detach(&res->body, &n);
		r = MHD_create_response_from_buffer(n, p, MHD_RESPMEM_MUST_FREE);
	} else {
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	}
	strbuf_release(&gz);  /* a failed gzip may have grown it */
	if (!r)
		return MHD_NO;
	if (res->content_type && res->status != 304)
		MHD_add_response_header(r, "Content-Type", res->content_type);
	if (gzipped)
		MHD_add_response_header(r, "Content-Encoding", "gzip");
	add_headers(r, res);
	req->bytes_sent = req->method == HTTP_HEAD ? 0 : len;
	ok = MHD_queue_response(req->conn, (unsigned)res->status, r);
	MHD_destroy_response(r);
	return ok;
}

/* The peer's address as text (arena copy), or NULL. */
static const char *client_address(struct http_request *req)
{
	const union MHD_ConnectionInfo *ci;
	char addr[INET6_ADDRSTRLEN];
	const struct sockaddr *sa;

	ci = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !(sa = ci->client_addr))
		return NULL;
	if (sa->sa_family == AF_INET &&
	    inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, addr, sizeof(addr)))
		return arena_strdup(req->arena, addr);
	if (sa->sa_family == AF_INET6 &&
	    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, addr, sizeof(addr)))
		return arena_strdup(req->arena, addr);
	return NULL;
}

/* A Content-Length beyond the limit (the body would be refused anyway). */
static bool declared_too_large(struct http_server *srv, struct http_request *req)
{
	const char *cl = http_header(req, "Content-Length");
	int64_t n;

	if (!cl || !(srv->cfg.methods & (unsigned)req->method))
		return false;
	return !slice_to_int64(slice_cstr(cl), 0, INT64_MAX, &n) && (uint64_t)n > srv->cfg.max_body;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct http_request *req = *con_cls;
	const char *why;
	int status;

	if (!req)
		return MHD_NO;  /* on_uri always runs first; be safe anyway */
	if (!req->method_name) {
		/* First call: headers only. Answer on a later call (see top of file). */
		req->method_name = arena_strdup(req->arena, method);
		req->version = arena_strdup(req->arena, version);
		req->method = parse_method(method);
		req->remote_addr = client_address(req);
		status = http_framing_problem(req, srv->check_head, method, version, &why);
		if (status) {
			http_error(req, status, why);
			http_set_header(req, "Connection", "close");
			return queue(req);
		}
		if (declared_too_large(srv, req)) {
			/* Refused before a byte of it is read; the connection closes after. */
			http_error(req, 413, "The request body is too large.");
			http_set_header(req, "Connection", "close");
			return queue(req);
		}
		return MHD_YES;
	}
	if (!(srv->cfg.methods & (unsigned)req->method)) {
		/* Refused whatever its body says: drop the body as it arrives, then answer. */
		if (*upload_size) {
			*upload_size = 0;
			return MHD_YES;
		}
		dispatch(srv, req);
		http_set_header(req, "Connection", "close");
		return queue(req);
	}
	if (*upload_size) {
		/* Bodies beyond the limit are discarded as they arrive, never kept whole. */
		if (req->body_buf.len + *upload_size > srv->cfg.max_body) {
			req->res.status = 413;
			strbuf_release(&req->body_buf);
		} else if (req->res.status != 413) {
			strbuf_add(&req->body_buf, upload_data, *upload_size);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (req->res.status == 413) {
		http_error(req, 413, "The request body is too large.");
		http_set_header(req, "Connection", "close");
	} else {
		req->body = (struct slice){ req->body_buf.buf, req->body_buf.len };
		dispatch(srv, req);
	}
	return queue(req);
}

/* Client bytes in a log line: quotes and controls escaped for log parsers. */
static void add_logged(struct strbuf *line, const char *p, size_t len)
{
	if (!p) {
		strbuf_addch(line, '-');
		return;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			strbuf_addf(line, "\\x%02x", c);
		else
			strbuf_addch(line, c);
	}
}

/* One combined-format access log line per request, plus the duration in ms. */
static void log_access(struct http_server *srv, struct http_request *req)
{
	const char *addr = req->remote_addr ? req->remote_addr : "-";
	char stamp[40];
	struct tm tm;
	time_t now = time(NULL);
	const char *ref = http_header(req, "Referer");
	const char *ua = http_header(req, "User-Agent");
	struct strbuf line = STRBUF_INIT;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%d/%b/%Y:%H:%M:%S +0000", &tm);
	strbuf_addf(&line, "%s - - [%s] \"", addr, stamp);
	add_logged(&line, req->method_name, strlen(req->method_name));
	strbuf_addch(&line, ' ');
	add_logged(&line, req->target.p, req->target.len);
	strbuf_addch(&line, ' ');
	add_logged(&line, req->version, strlen(req->version));
	strbuf_addf(&line, "\" %d %zu \"", req->res.status, req->bytes_sent);
	add_logged(&line, ref, ref ? strlen(ref) : 0);
	strbuf_addstr(&line, "\" \"");
	add_logged(&line, ua, ua ? strlen(ua) : 0);
	strbuf_addf(&line, "\" %.3f\n", (double)(now_ns() - req->start_ns) / 1e6);
	pthread_mutex_lock(&srv->log_lock);
	fwrite(line.buf, 1, line.len, srv->cfg.access_log);
	pthread_mutex_unlock(&srv->log_lock);
	strbuf_release(&line);
}

/* Requests by route and status (as sent: 304s included), and the time from
 * the request line to the last byte handed to the kernel. */
static void count_request(struct http_request *req)
{
	struct metrics *m = metrics_global();
	const char *route = req->route ? req->route : "none";
	char status[8];

	snprintf(status, sizeof(status), "%d", req->res.status);
	metrics_count(m, "dateline_http_requests_total", "Requests by route and status.",
		      &(struct metrics_labels){ { "route", "status" }, { route, status } }, 1);
	metrics_observe(m, "dateline_http_request_duration_seconds",
			"Request time by route, until the response was sent.",
			&(struct metrics_labels){ { "route", NULL }, { route, NULL } },
			(double)(now_ns() - req->start_ns) / 1e9);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode why)
{
	struct http_server *srv = cls;
	struct http_request *req = *con_cls;

	if (!req)
		return;
	if (srv->cfg.access_log && req->method_name)
		log_access(srv, req);
	if (req->method_name)
		count_request(req);
	if (req->res.prebuilt)
		release_prebuilt((void *)(uintptr_t)req->res.prebuilt);
	strbuf_release(&req->res.body);
	strbuf_release(&req->body_buf);
	arena_free(req->arena);
	*con_cls = NULL;
}

int http_local_request(const struct http_server_config *cfg, const char *target,
		       enum http_method method, struct http_local_result *out)
{
	struct http_server srv = { .cfg = *cfg };
	struct arena *a = arena_new(32768);
	struct http_request *req = ARENA_NEW(a, struct http_request);
	struct http_response *res = &req->res;
	int rc = DL_OK;

	memset(out, 0, sizeof(*out));
	strbuf_init(&out->body, 0);
	req->arena = a;
	req->server = &srv;
	req->start_ns = now_ns();
	req->method = method;
	req->method_name = method == HTTP_HEAD ? "HEAD" : "GET";
	req->version = "HTTP/1.1";
	req->target = arena_slice_dup(a, slice_cstr(target));
	res->status = 200;
	strbuf_init(&res->body, 0);
	dispatch(&srv, req);
	if (res->status == 400 || res->status == 414)
		rc = DL_INVALID;
	out->status = res->status;
	out->content_type = res->content_type ? xstrdup(res->content_type) : NULL;
	for (size_t i = 0; i < res->nheaders; i++)
		if (!strcasecmp(res->headers[i].name, "Location"))
			out->location = xstrdup(res->headers[i].value);
	if (res->prebuilt) {
		strbuf_add(&out->body, res->prebuilt->body[HTTP_IDENTITY],
			   res->prebuilt->len[HTTP_IDENTITY]);
		release_prebuilt((void *)(uintptr_t)res->prebuilt);
	} else if (res->static_body) {
		strbuf_add(&out->body, res->static_body, res->static_len);
	} else {
		strbuf_release(&out->body);
		out->body = res->body;  /* moved */
		strbuf_init(&res->body, 0);
	}
	strbuf_release(&res->body);
	arena_free(a);
	return rc;
}

void http_local_result_release(struct http_local_result *r)
{
	free(r->content_type);
	free(r->location);
	strbuf_release(&r->body);
}

static void DL_PRINTF(2, 0) mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_vaddf(&sb, fmt, ap);
	while (sb.len && sb.buf[sb.len - 1] == '\n')
		strbuf_setlen(&sb, sb.len - 1);
	log_debug("http: %s", sb.buf);
	strbuf_release(&sb);
}

/* One libmicrohttpd daemon and its thread; `open` counts the connections handed to it. */
struct http_worker {
	struct MHD_Daemon *daemon;
	atomic_uint open;
};

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode code)
{
	struct http_worker *w = cls;

	(void)conn;
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		*socket_ctx = w;
	else if (*socket_ctx)  /* closed after it started: on_accept counted it */
		atomic_fetch_sub(&w->open, 1);
}

/*
 * The listener's thread: give the connection to the worker with the fewest
 * (ties in turn), so eight keep-alive connections are four per core and not
 * eight on whichever worker woke first.
 */
static void on_accept(void *ctx, int fd, const struct sockaddr *addr, socklen_t len)
{
	struct http_server *srv = ctx;
	unsigned n = srv->nworkers, first = srv->next++ % n, total = 0, fewest = UINT_MAX;
	struct http_worker *best = NULL;

	for (unsigned i = 0; i < n; i++) {
		struct http_worker *w = &srv->workers[(first + i) % n];
		unsigned open = atomic_load(&w->open);

		total += open;
		if (open < fewest) {
			best = w;
			fewest = open;
		}
	}
	if (total >= srv->max_connections) {
		metrics_count(metrics_global(), "dateline_http_connections_refused_total",
			      "Connections closed at once: the server had --max-connections open.",
			      NULL, 1);
		close(fd);
		return;
	}
	atomic_fetch_add(&best->open, 1);
	if (MHD_add_connection(best->daemon, fd, addr, len) != MHD_YES) {  /* it closed fd */
		atomic_fetch_sub(&best->open, 1);
		log_debug("http: connection dropped: %s", strerror(errno));
	}
}

static void stop_workers(struct http_server *srv)
{
	for (unsigned i = 0; i < srv->nworkers; i++)
		if (srv->workers[i].daemon)
			MHD_stop_daemon(srv->workers[i].daemon);
	free(srv->workers);
}

struct http_server *http_server_start(const struct http_server_config *cfg)
{
	struct http_server *srv = xcalloc(1, sizeof(*srv));
	unsigned threads = cfg->threads;
	/* No listening socket of its own: listener.c accepts and hands connections over (ITC). */
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG | MHD_USE_TURBO;

	srv->cfg = *cfg;
	/* head_problem() reads 0.9.75's buffer layout; another version may lay it out otherwise. */
	srv->check_head = !strcmp(MHD_get_version(), "0.9.75");
	if (!srv->check_head)
		log_msg(LOG_WARN, "libmicrohttpd %s: the byte-exact request head check is made for "
			"0.9.75 and is off", MHD_get_version());
	pthread_mutex_init(&srv->log_lock, NULL);
	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (unsigned)n : 1;
	}
	srv->max_connections = cfg->max_connections ? cfg->max_connections : 4096u;
	srv->workers = xcalloc(threads, sizeof(*srv->workers));
	srv->nworkers = threads;
	for (unsigned i = 0; i < threads; i++) {
		struct http_worker *w = &srv->workers[i];

		w->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
			MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
			MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
			MHD_OPTION_NOTIFY_CONNECTION, on_connection, w,
			MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_seconds ? cfg->timeout_seconds : 30u,
			MHD_OPTION_CONNECTION_LIMIT, srv->max_connections,
			/* Request line + headers must fit in this per-connection pool (an 8 KB
			 * line plus a 8 KB cookie do). No bigger: libmicrohttpd zeroes it for
			 * every request on a kept-alive connection, and at 64 KB that memset
			 * was the largest cost of serving a cached page. */
			MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
			MHD_OPTION_END);
		if (!w->daemon) {
			error("cannot serve %s: libmicrohttpd did not start a worker", cfg->listen);
			goto fail;
		}
	}
	srv->listener = listener_start(cfg->listen, 1024, on_accept, srv);
	if (!srv->listener)
		goto fail;
	return srv;
fail:
	stop_workers(srv);
	pthread_mutex_destroy(&srv->log_lock);
	free(srv);
	return NULL;
}

int http_server_port(const struct http_server *srv)
{
	return listener_port(srv->listener);
}

void http_server_stop(struct http_server *srv)
{
	if (!srv)
		return;
	listener_stop(srv->listener);
	stop_workers(srv);
	pthread_mutex_destroy(&srv->log_lock);
	free(srv);
}
