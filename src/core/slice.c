#include "core/compat.h"
#include "core/err.h"
#include "core/slice.h"

int slice_to_int64(struct slice s, int64_t min, int64_t max, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0;
	size_t i = 0;

	if (s.len && s.p[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == s.len || s.len - i > 19)
		return DL_INVALID;
	for (; i < s.len; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return DL_INVALID;
		v = v * 10 + (uint64_t)(s.p[i] - '0');
	}
	if (v > (uint64_t)INT64_MAX)
		return DL_INVALID;
	int64_t r = neg ? -(int64_t)v : (int64_t)v;
	if (r < min || r > max)
		return DL_INVALID;
	*out = r;
	return DL_OK;
}
