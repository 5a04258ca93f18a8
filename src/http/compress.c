#include "core/compat.h"
#include <brotli/encode.h>
#include <zlib.h>
#include "core/err.h"
#include "http/compress.h"

int http_gzip(const void *p, size_t len, int level, struct strbuf *out)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	/* windowBits 15 + 16: a gzip wrapper rather than zlib's. */
	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return DL_ERR;
	strbuf_grow(out, deflateBound(&z, (uLong)len));
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out->buf + out->len;
	z.avail_out = (uInt)(out->alloc - out->len - 1);
	rc = deflate(&z, Z_FINISH);
	if (rc == Z_STREAM_END)
		strbuf_setlen(out, out->len + z.total_out);
	deflateEnd(&z);
	return rc == Z_STREAM_END ? DL_OK : DL_ERR;
}

int http_brotli(const void *p, size_t len, int quality, struct strbuf *out)
{
	size_t n = BrotliEncoderMaxCompressedSize(len);

	if (!n)
		return DL_ERR;
	strbuf_grow(out, n);
	if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, len,
				   (const uint8_t *)p, &n, (uint8_t *)out->buf + out->len))
		return DL_ERR;
	strbuf_setlen(out, out->len + n);
	return DL_OK;
}

bool http_accepts(const char *ae, const char *coding)
{
	size_t clen = strlen(coding);
	const char *p = ae;

	while (p && *p) {
		const char *end = strchr(p, ',');
		const char *semi;
		size_t n;

		if (!end)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		semi = memchr(p, ';', (size_t)(end - p));
		n = (size_t)((semi ? semi : end) - p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if ((n == clen && !strncasecmp(p, coding, clen)) || (n == 1 && *p == '*')) {
			/* "q=0" (and 0.0, 0.00...) refuses the coding. */
			const char *q = semi ? strstr(semi, "q=") : NULL;
			if (!q || q > end)
				return true;
			q += 2;
			while (q < end && (*q == '0' || *q == '.'))
				q++;
			if (q < end && *q >= '1' && *q <= '9')
				return true;
			if (q == end || *q == ' ' || *q == ';')
				return false;
			return true;
		}
		p = *end ? end + 1 : end;
	}
	return false;
}
