/*
 * fuzz_router.c - matching "METHOD /path" against the route table: any
 * path gives a route (with its ids and token in bounds), 404 or 405.
 */
#include <stdio.h>

#include "fuzz.h"
#include "req.h"
#include "router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *path, allow[64];
	const char *method = "GET";
	struct req req;
	enum app_err err;

	fuzz_setup();
	s = fuzz_string(data, size);
	path = s;
	if ((path = strchr(s, ' '))) {
		*path++ = '\0';
		method = s;
	} else {
		path = s;
	}
	for (int bench = 0; bench < 2; bench++) {
		memset(&req, 0, sizeof(req));
		allow[0] = '\0';
		err = router_match(method, path, bench, 0, &req, allow, sizeof(allow));
		if (err == APP_OK) {
			FUZZ_CHECK(req.route != NULL && req.nids >= 0 && req.nids <= REQ_MAX_IDS);
			FUZZ_CHECK(strlen(req.token) < sizeof(req.token));
			for (int i = 0; i < req.nids; i++)
				FUZZ_CHECK(req.ids[i] > 0);
		} else {
			FUZZ_CHECK(err == APP_ENOTFOUND || err == APP_EMETHOD);
			FUZZ_CHECK(err != APP_EMETHOD || allow[0]);
		}
	}
	free(s);
	return 0;
}
