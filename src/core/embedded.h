/*
 * embedded.h - files compiled into the binary (the default theme and the
 * demo content), generated at build time by tools/embed.py.
 */
#ifndef DL_CORE_EMBEDDED_H
#define DL_CORE_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *path;           /* e.g. "themes/default/article.mustache" */
	const unsigned char *data;  /* NUL-terminated for convenience */
	size_t len;
};

/* Sorted by path; ends with an entry whose path is NULL. */
extern const struct embedded_file embedded_files[];

#endif
