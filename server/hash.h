/*
 * hash.h - FNV-1a, the one non-cryptographic hash the caches share (the
 * statement cache, the audit's repeat table, the list cache).
 */
#ifndef TIMEBOK_HASH_H
#define TIMEBOK_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define HASH_START 0xcbf29ce484222325ull

/* h continued over n bytes of p. */
static inline uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		h = (h ^ *c++) * 0x100000001b3ull;
	return h;
}

/* The hash of the text s. */
static inline uint64_t hash_text(const char *s)
{
	return hash_bytes(HASH_START, s, strlen(s));
}

#endif
