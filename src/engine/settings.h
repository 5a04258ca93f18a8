/*
 * settings.h - what each site setting may hold, for the CLI (`dateline
 * init`) and the admin's settings page alike.
 */
#ifndef DL_ENGINE_SETTINGS_H
#define DL_ENGINE_SETTINGS_H

#include "core/compat.h"
#include "core/arena.h"

struct setting_info {
	const char *key;     /* the stored name, e.g. "posts_per_page" */
	const char *label;   /* for forms */
	const char *help;
	int64_t min, max;    /* numbers; min > max for text */
};

extern const struct setting_info settings_info[];
extern const size_t settings_count;

/*
 * Check `value` for setting `key` and give the form to store (feed_full_content
 * takes "full"/"excerpt" as well as 1/0). NULL when fine, else why not.
 */
const char *settings_check(struct arena *a, const char *key, const char *value,
			   const char **stored);

#endif
