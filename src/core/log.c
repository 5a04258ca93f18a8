#include "core/compat.h"
#include <pthread.h>
#include "core/err.h"
#include "core/log.h"

static enum log_level min_level = LOG_INFO;
static FILE *log_file;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void log_set_level(enum log_level level)
{
	min_level = level;
}

void log_set_file(FILE *f)
{
	log_file = f;
}

static void DL_PRINTF(2, 0) vlog(enum log_level level, const char *fmt, va_list ap)
{
	static const char *names[] = { "debug", "info", "warning", "error" };
	char stamp[32];
	struct tm tm;
	time_t now;

	if (level < min_level)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	pthread_mutex_lock(&log_lock);
	FILE *f = log_file ? log_file : stderr;
	fprintf(f, "%s dateline %s: ", stamp, names[level]);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	fflush(f);
	pthread_mutex_unlock(&log_lock);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERROR, fmt, ap);
	va_end(ap);
	return DL_ERR;
}

int warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARN, fmt, ap);
	va_end(ap);
	return DL_ERR;
}
