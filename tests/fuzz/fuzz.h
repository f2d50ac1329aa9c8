/*
 * fuzz.h - what every fuzz target shares: the libFuzzer entry point, a
 * one-time set-up (the clinic's zone, libsodium), and a NUL-terminated copy
 * of the input for the parsers that take C strings.
 *
 * Each target is built twice: with clang and -fsanitize=fuzzer for fuzzing
 * (cmake -DFUZZ=ON, tests/fuzz/run.sh), and in every ordinary build with
 * replay.c as its main(), which runs the seed corpus and the regressions
 * (tests/fuzz/corpus/<target>/) once as a ctest, under ASan and valgrind
 * too.  A crash the fuzzer finds is added to the corpus and stays a test.
 */
#ifndef TIMEBOK_FUZZ_H
#define TIMEBOK_FUZZ_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_setup(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	if (timeutil_set_zone("Europe/Oslo") || sodium_init() < 0)
		abort();
}

/* A malloc'd NUL-terminated copy of the input (NULs inside stay). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Abort (a crash the fuzzer reports) when cond is false. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

#endif
