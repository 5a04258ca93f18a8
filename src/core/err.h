/*
 * err.h - the return codes every Dateline function uses.
 *
 * Zero is success; failures are small negative numbers passed up unchanged
 * (`if (rc) return rc;`). A function that can only fail one way returns
 * DL_ERR.
 */
#ifndef DL_ERR_H
#define DL_ERR_H

enum dl_rc {
	DL_OK = 0,
	DL_ERR = -1,        /* failure already reported (logged) */
	DL_NOTFOUND = -2,   /* the thing asked for does not exist */
	DL_INVALID = -3,    /* input failed validation */
	DL_TOOBIG = -4,     /* input over a configured ceiling */
	DL_CONFLICT = -5,   /* uniqueness or state conflict */
	DL_UNAVAILABLE = -6 /* a backing service is down; retry later */
};

/* A short English name for a return code, for messages. */
const char *dl_rc_name(int rc);

#endif
