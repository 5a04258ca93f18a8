/*
 * compat.h - included first by every Dateline source file.
 *
 * Pulls in the system headers the project uses everywhere and then bans the
 * C library calls that write into fixed arrays or keep hidden static state
 * (see banned.h). Any system header a file needs beyond these must be
 * included before this one.
 */
#ifndef DL_COMPAT_H
#define DL_COMPAT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define DL_UNUSED __attribute__((unused))
#define DL_PRINTF(f, a) __attribute__((format(printf, f, a)))

#include "core/banned.h"

#endif
