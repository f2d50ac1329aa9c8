/*
 * fuzz_rfc3339.c - the time parsers: RFC 3339 instants (with an offset, or
 * clinic-local without one: DST gaps and folds are refused), dates and
 * HH:MM.  An instant that parses formats and parses back to itself.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, out[TIMEUTIL_INSTANT_LEN];
	const char *why = NULL;
	struct civil d;
	int64_t t, back;
	int minutes;

	fuzz_setup();
	s = fuzz_string(data, size);
	if (timeutil_parse_instant(s, &t, &why) == APP_OK) {
		timeutil_format(t, out);
		FUZZ_CHECK(timeutil_parse_instant(out, &back, &why) == APP_OK && back == t);
	} else {
		FUZZ_CHECK(why != NULL);
	}
	if (timeutil_parse_date(s, &d) == APP_OK)
		FUZZ_CHECK(d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= 31);
	if (timeutil_parse_hhmm(s, &minutes) == APP_OK)
		FUZZ_CHECK(minutes >= 0 && minutes <= 24 * 60);
	free(s);
	return 0;
}
