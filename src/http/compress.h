/*
 * compress.h - response compression and content hashing.
 */
#ifndef DL_HTTP_COMPRESS_H
#define DL_HTTP_COMPRESS_H

#include "core/compat.h"
#include "core/strbuf.h"

/* Append the gzip encoding of p[0..len) at `level` (1-9) to out. */
int http_gzip(const void *p, size_t len, int level, struct strbuf *out);

/* Append the brotli encoding of p[0..len) at `quality` (0-11) to out. */
int http_brotli(const void *p, size_t len, int quality, struct strbuf *out);

/* True if an Accept-Encoding header value accepts `coding` (q > 0). */
bool http_accepts(const char *accept_encoding, const char *coding);

#endif
