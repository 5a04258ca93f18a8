#include "core/compat.h"
#include "core/hash.h"

static inline uint64_t read64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t mix(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

uint64_t hash64(const void *data, size_t len)
{
	const unsigned char *p = data;
	const uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull;
	uint64_t h = k0 ^ len;
	size_t i = 0;

	for (; i + 16 <= len; i += 16)
		h = mix(read64(p + i) ^ k1 ^ h, read64(p + i + 8) ^ k0);
	if (i < len) {
		unsigned char tail[16] = { 0 };
		memcpy(tail, p + i, len - i);
		h = mix(read64(tail) ^ k1 ^ h, read64(tail + 8) ^ k0);
	}
	return mix(h ^ k1, len ^ k0);
}
