/*
 * tz.h - time zones from the system's TZif files, thread-safe.
 *
 * The site's time zone is a setting (an IANA name such as "Europe/London"),
 * so the process-wide TZ variable and localtime() are no use: a zone is
 * loaded once from /usr/share/zoneinfo (TZif v1-v3, including the POSIX
 * TZ footer rule for times past the last transition) and is then read-only.
 */
#ifndef DL_CORE_TZ_H
#define DL_CORE_TZ_H

#include "core/compat.h"

struct tz;

/*
 * Instants are clamped to [TZ_TIME_MIN, TZ_TIME_MAX] (about a billion
 * years either side of 1970) so that every year fits in a struct tm.
 */
#define TZ_TIME_MAX ((int64_t)1 << 55)
#define TZ_TIME_MIN (-TZ_TIME_MAX)

/*
 * Load zone `name` ("UTC", "America/New_York"...). Names with "..", a
 * leading '/', or characters outside [A-Za-z0-9_+/-] are refused.
 * Returns NULL (after logging why) when the zone is unknown or its file is
 * malformed. The search directory is $TZDIR or /usr/share/zoneinfo.
 * "UTC" is built in and needs no file. Zones with leap-second records (the
 * "right/" tree) are refused: their instants do not count like time().
 * The returned zone is read-only and may be shared between threads.
 */
struct tz *tz_load(const char *name);
/*
 * Parse the TZif bytes `data` (not kept) as a zone called `name`, which is
 * also what error messages name. Same validation and result as tz_load();
 * for tests, fuzzing and zones that do not come from a directory.
 */
struct tz *tz_parse(const char *name, const void *data, size_t len);
/* The always-available UTC zone (never freed). */
const struct tz *tz_utc(void);
/* Free a zone from tz_load() or tz_parse(); NULL is a no-op. */
void tz_free(struct tz *tz);
/* The name the zone was loaded with. */
const char *tz_name(const struct tz *tz);

/*
 * Offset from UTC in seconds (east positive) at instant `t`, and the
 * abbreviation in use ("EDT", "+0545") if `abbr` is not NULL; the string
 * lives as long as the zone.
 */
int32_t tz_offset(const struct tz *tz, int64_t t, const char **abbr);

/*
 * Break instant `t` into local civil time in zone `tz`: every field of
 * struct tm including tm_wday, tm_yday, tm_isdst, tm_gmtoff and tm_zone
 * (which points into the zone, so lives as long as it).
 */
void tz_localtime(const struct tz *tz, int64_t t, struct tm *out);

/*
 * The instant of local civil time y-m-d h:mi:s in zone `tz` (for a time
 * that does not exist or is ambiguous across a transition, the earlier
 * offset is used: 02:30 on a spring-forward night is read with the
 * winter offset and so lands at 03:30 summer time; 01:30 on a fall-back
 * night is the first of the two). Out-of-range fields carry over as in
 * mktime(): month 13 is January of the next year, day 0 the last day of
 * the previous month.
 */
int64_t tz_mktime(const struct tz *tz, int y, int m, int d, int h, int mi, int s);

#endif
