/*
 * framing.c - refusing request heads that two parsers could read two ways
 * (request smuggling), before any body is read.
 */
#include "core/compat.h"
#include <microhttpd.h>
#include "http/framing.h"

struct framing {
	int content_length, transfer_encoding, host;
	bool nul, bad_te;
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
				    size_t key_size, const char *value, size_t value_size)
{
	struct framing *f = cls;

	(void)kind;
	/* A library that reports the received sizes shows a NUL as a shorter strlen;
	 * 0.9.75 reports strlen itself, so there head_problem() is what sees one. */
	if (!key || strlen(key) != key_size || (value && strlen(value) != value_size))
		f->nul = true;
	if (key && !strcasecmp(key, "Content-Length"))
		f->content_length++;
	if (key && !strcasecmp(key, "Host"))
		f->host++;
	if (key && !strcasecmp(key, "Transfer-Encoding")) {
		f->transfer_encoding++;
		if (!value || strcasecmp(value, "chunked"))
			f->bad_te = true;
	}
	return MHD_YES;
}

/*
 * The request head, byte for byte. libmicrohttpd 0.9.75 parses the head in
 * place and hands out pointers into its read buffer: the method starts it,
 * MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE is its exact length, the space
 * after the method and before the version become NULs, and so do the colon
 * and the CR and LF that end each line. So an exact head is, from `method`:
 *   method NUL target NUL version NUL NUL
 *   (name NUL [SP/HT]* value NUL NUL)*  NUL NUL  -- and then its end.
 * What the library accepts and hides shows up as a byte out of place: a bare
 * LF leaves one NUL where CRLF leaves two, a NUL in a value leaves bytes after
 * the value's end, a folded line is copied elsewhere (the name no longer sits
 * where the line starts), a NUL in the target leaves it shorter than the gap.
 */
struct head_walk {
	const char *start, *p, *end;  /* the head; the next byte to account for */
	const char *why;              /* the first problem found, or NULL */
};

static bool in_head(const struct head_walk *w, const char *q, size_t len)
{
	uintptr_t a = (uintptr_t)w->start, e = (uintptr_t)w->end, x = (uintptr_t)q;

	return x >= a && x <= e && len <= e - x;
}

/* Two NULs where the library cut a CRLF. */
static bool skip_crlf(struct head_walk *w)
{
	if (!in_head(w, w->p, 2) || w->p[0] || w->p[1])
		return false;
	w->p += 2;
	return true;
}

static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static enum MHD_Result walk_header(void *cls, enum MHD_ValueKind kind, const char *key,
				   size_t key_size, const char *value, size_t value_size)
{
	struct head_walk *w = cls;

	(void)kind;
	if (key != w->p || !key_size || !in_head(w, key, key_size + 1)) {
		w->why = "A header line is folded or malformed.";
		return MHD_NO;
	}
	for (size_t i = 0; i < key_size; i++) {
		if (!is_tchar((unsigned char)key[i])) {
			w->why = "A header name is not a token (whitespace by the colon?).";
			return MHD_NO;
		}
	}
	w->p += key_size + 1;  /* the name and the colon's NUL */
	if (key[key_size] || !value || !in_head(w, value, value_size) ||
	    (uintptr_t)value < (uintptr_t)w->p) {
		w->why = "A header line is malformed.";
		return MHD_NO;
	}
	for (; w->p < value; w->p++) {
		if (*w->p != ' ' && *w->p != '\t') {
			w->why = "A header line is malformed.";
			return MHD_NO;
		}
	}
	for (size_t i = 0; i < value_size; i++) {
		unsigned char c = (unsigned char)value[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			w->why = "A header value holds a control character.";
			return MHD_NO;
		}
	}
	w->p += value_size;
	if (!skip_crlf(w)) {
		w->why = "A header line does not end in CRLF, or holds a NUL byte.";
		return MHD_NO;
	}
	return MHD_YES;
}

/* Why the head the library parsed is not exactly RFC 9112's, or NULL. */
static const char *head_problem(struct http_request *req, const char *method, const char *version)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	size_t mlen = strlen(method), vlen = strlen(version);
	struct head_walk w;

	if (!ci)
		return "The request head is malformed.";
	w = (struct head_walk){ .start = method, .p = method, .end = method + ci->header_size };
	/* method SP target SP version: one space each, and nothing hidden in the target */
	if (!in_head(&w, version, vlen) ||
	    (uintptr_t)version - (uintptr_t)method != mlen + 1 + req->target.len + 1 ||
	    method[mlen] || version[-1])
		return "The request line is not METHOD SP TARGET SP VERSION.";
	w.p = version + vlen;
	if (!skip_crlf(&w))
		return "The request line does not end in CRLF.";
	MHD_get_connection_values_n(req->conn, MHD_HEADER_KIND, walk_header, &w);
	if (w.why)
		return w.why;
	if (!skip_crlf(&w) || w.p != w.end)
		return "The request head does not end in CRLF CRLF.";
	return NULL;
}

int http_framing_problem(struct http_request *req, bool check_head, const char *method,
			 const char *version, const char **why)
{
	struct framing f = { 0 };

	if (strcmp(req->version, "HTTP/1.1") && strcmp(req->version, "HTTP/1.0")) {
		*why = "Only HTTP/1.0 and HTTP/1.1 are served here.";
		return 505;
	}
	if (check_head && (*why = head_problem(req, method, version)))
		return 400;
	MHD_get_connection_values_n(req->conn, MHD_HEADER_KIND, count_header, &f);
	*why = f.nul ? "A header holds a NUL byte."
	       : f.content_length && f.transfer_encoding ? "Content-Length and Transfer-Encoding together."
	       : f.content_length > 1 ? "More than one Content-Length."
	       : f.transfer_encoding > 1 || f.bad_te ? "Only the chunked transfer coding is accepted."
	       : !f.host && !strcmp(req->version, "HTTP/1.1") ? "An HTTP/1.1 request needs a Host header."
	       : f.host > 1 ? "More than one Host header."
	       : NULL;
	return *why ? 400 : 0;
}

