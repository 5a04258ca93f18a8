#include "core/compat.h"
#include "core/err.h"

const char *dl_rc_name(int rc)
{
	switch (rc) {
	case DL_OK: return "ok";
	case DL_NOTFOUND: return "not found";
	case DL_INVALID: return "invalid";
	case DL_TOOBIG: return "too big";
	case DL_CONFLICT: return "conflict";
	case DL_UNAVAILABLE: return "unavailable";
	default: return "error";
	}
}
