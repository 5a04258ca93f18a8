/*
 * utf8.h - UTF-8 validation and decoding for untrusted text.
 */
#ifndef DL_UTF8_H
#define DL_UTF8_H

#include "core/compat.h"

/* True when p[0..len) is well-formed UTF-8 (no overlongs, surrogates, or
 * code points past U+10FFFF). NUL bytes count as invalid: no field of ours
 * may carry one. */
bool utf8_valid(const char *p, size_t len);

/*
 * Decode one code point at p (at most `len` bytes). Returns the number of
 * bytes consumed and sets *cp, or returns 0 on malformed input.
 */
size_t utf8_decode(const char *p, size_t len, uint32_t *cp);

/* Encode cp into out (4 bytes room); returns the byte count (0 if invalid). */
size_t utf8_encode(uint32_t cp, char *out);

/* The largest n <= max such that p[0..n) does not split a character. */
size_t utf8_truncate(const char *p, size_t len, size_t max);

/* Number of code points in valid UTF-8 text. */
size_t utf8_length(const char *p, size_t len);

#endif
