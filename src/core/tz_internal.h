/*
 * tz_internal.h - a loaded zone's representation, shared by the lookup code
 * (tz.c) and the TZif file reader (tz_file.c). Private to src/core/.
 */
#ifndef DL_CORE_TZ_INTERNAL_H
#define DL_CORE_TZ_INTERNAL_H

#include "core/compat.h"
#include "core/tz.h"

#define TZ_DEFAULT_DIR "/usr/share/zoneinfo"
#define TZ_FILE_MAX (256 * 1024)	/* real files are under 4 KiB */
#define TZ_NAME_MAX 255
#define TZ_ABBR_MAX 15
#define TZ_UTOFF_MAX (26 * 3600)	/* RFC 8536 asks for [-89999, 93599] */
#define TZ_OFFSET_HOURS_MAX 24		/* POSIX offsets: hh <= 24 */
#define TZ_RULE_HOURS_MAX 167		/* v3 rule times: -167..167 hours */
#define TZIF_HEADER_LEN 44
#define SECS_PER_DAY 86400
/* More than any real offset, so a search from L - TZ_WINDOW starts before L. */
#define TZ_WINDOW (TZ_UTOFF_MAX + 3600)

struct tz_ttinfo {
	int32_t utoff;
	bool isdst;
	uint8_t abbr;		/* index into tz->chars */
};

enum tz_date_kind { TZ_DATE_JULIAN1, TZ_DATE_JULIAN0, TZ_DATE_MWD };

/* One end of a POSIX rule: "Jn", "n" or "Mm.w.d", then "/time". */
struct tz_date {
	enum tz_date_kind kind;
	int day;		/* Jn: 1-365; n: 0-365; Mm.w.d: weekday 0-6 */
	int week;		/* 1-5, 5 meaning the last */
	int month;		/* 1-12 */
	int32_t secs;		/* local time of the change; may be < 0 or > 24h */
};

struct tz_rule {
	int32_t std_off;	/* seconds east of UTC */
	int32_t dst_off;
	bool has_dst;
	struct tz_date start;	/* change to DST, in standard time */
	struct tz_date end;	/* change back, in DST */
	char std_abbr[TZ_ABBR_MAX + 1];
	char dst_abbr[TZ_ABBR_MAX + 1];
};

struct tz {
	char *name;
	int64_t *times;		/* strictly ascending transition instants */
	uint8_t *trans;		/* type in effect from times[i] */
	size_t timecnt;
	struct tz_ttinfo *types;
	size_t typecnt;
	char *chars;		/* NUL-terminated abbreviations */
	size_t early;		/* type before the first transition */
	bool has_rule;		/* footer rule for times from the last transition */
	struct tz_rule rule;
};

/* What is in effect at one instant. */
struct tz_local {
	int32_t off;
	bool isdst;
	const char *abbr;
};

bool tz_is_digit(char c);
bool tz_is_alpha(char c);
/* Parse a POSIX TZ string ("EST5EDT,M3.2.0,M11.1.0") into *r; false if malformed. */
bool tz_parse_posix(const char *s, struct tz_rule *r);

#endif
