/*
 * strbuf.h - the growable byte buffer for all text that is built: HTML, JSON,
 * headers, URLs, SQL-free log lines.
 *
 * `buf` is never NULL and always NUL-terminated at `len`, so it can be handed
 * to functions wanting a C string; it may also hold NUL bytes. Initialise with
 * STRBUF_INIT or strbuf_init(); release with strbuf_release(), after which the
 * buffer is empty and reusable. strbuf_detach() hands the bytes to the caller
 * (who then free()s them).
 */
#ifndef DL_STRBUF_H
#define DL_STRBUF_H

#include "core/compat.h"
#include "core/slice.h"

struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT { .alloc = 0, .len = 0, .buf = strbuf_slopbuf }

/* Initialise with room for at least `hint` bytes (0: allocate lazily). */
void strbuf_init(struct strbuf *sb, size_t hint);
/* Free the memory and leave an empty, reusable buffer. */
void strbuf_release(struct strbuf *sb);
/* Return the bytes (NUL-terminated, caller frees) and reset the buffer. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
/* Make room for `extra` more bytes beyond len. */
void strbuf_grow(struct strbuf *sb, size_t extra);
/* Set len (shrinking only); keeps the NUL terminator. */
void strbuf_setlen(struct strbuf *sb, size_t len);
static inline void strbuf_reset(struct strbuf *sb) { strbuf_setlen(sb, 0); }

void strbuf_add(struct strbuf *sb, const void *p, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
static inline void strbuf_addslice(struct strbuf *sb, struct slice s)
{
	strbuf_add(sb, s.p, s.len);
}
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) DL_PRINTF(2, 3);
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap) DL_PRINTF(2, 0);
/* Append a decimal integer. */
void strbuf_addint(struct strbuf *sb, int64_t v);

/* Append text escaped for HTML text and quoted attributes (& < > " '). */
void strbuf_add_html(struct strbuf *sb, const char *p, size_t len);
/* Append text escaped for a double-quoted attribute value (& < > "). */
void strbuf_add_html_attr(struct strbuf *sb, const char *p, size_t len);
/* Append text escaped for HTML text between tags only (& < >). */
void strbuf_add_html_text(struct strbuf *sb, const char *p, size_t len);
/* Append text escaped for XML 1.0 text and attributes; C0 controls other
 * than tab and newlines are not XML characters at all, so they are dropped. */
void strbuf_add_xml(struct strbuf *sb, const char *p, size_t len);
/* Append text escaped for a JSON string body (no surrounding quotes). */
void strbuf_add_json(struct strbuf *sb, const char *p, size_t len);
/* Append bytes percent-encoded for a URL path segment or query value. */
void strbuf_add_urlencoded(struct strbuf *sb, const char *p, size_t len);

#endif
