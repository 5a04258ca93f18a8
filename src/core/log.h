/*
 * log.h - diagnostics to stderr, one line each, with a level and a timestamp.
 *
 * error() and warning() return DL_ERR so failing is one line:
 *     return error("unable to open '%s'", path);
 * Never pass secrets (passwords, tokens, session ids) to these.
 */
#ifndef DL_LOG_H
#define DL_LOG_H

#include "core/compat.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Messages below `level` are dropped (default LOG_INFO). */
void log_set_level(enum log_level level);
/* Send diagnostics to `f` instead of stderr (NULL: back to stderr). */
void log_set_file(FILE *f);

void log_msg(enum log_level level, const char *fmt, ...) DL_PRINTF(2, 3);
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)

/* Log at error/warning level and return DL_ERR. */
int error(const char *fmt, ...) DL_PRINTF(1, 2);
int warning(const char *fmt, ...) DL_PRINTF(1, 2);

#endif
