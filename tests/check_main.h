/*
 * check_main.h - the common main() of the Check test executables: the
 * clinic's zone (Europe/Oslo), libsodium, one runner.  CK_FORK and
 * CK_RUN_CASE / CK_RUN_SUITE from the environment are honoured by Check.
 */
#ifndef TIMEBOK_TEST_CHECK_MAIN_H
#define TIMEBOK_TEST_CHECK_MAIN_H

#include <check.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>

#include "timeutil.h"

#define TEST_MAIN(make_suite)                                                                      \
	int main(void)                                                                             \
	{                                                                                          \
		SRunner *sr;                                                                       \
		int failed;                                                                        \
		signal(SIGPIPE, SIG_IGN);                                                          \
		if (timeutil_set_zone("Europe/Oslo") || sodium_init() < 0)                         \
			return 2;                                                                  \
		sr = srunner_create(make_suite());                                                 \
		srunner_run_all(sr, CK_NORMAL);                                                    \
		failed = srunner_ntests_failed(sr);                                                \
		srunner_free(sr);                                                                  \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;                                       \
	}

#endif
