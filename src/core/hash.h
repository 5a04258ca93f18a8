/*
 * hash.h - a fast 64-bit content hash (wyhash-style multiply-mix), for
 * strong ETags and asset versions. Not cryptographic: never for secrets.
 */
#ifndef DL_CORE_HASH_H
#define DL_CORE_HASH_H

#include "core/compat.h"

uint64_t hash64(const void *p, size_t len);

#endif
