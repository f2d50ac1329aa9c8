/*
 * fuzz_cookie.c - finding the session token in a Cookie header: whatever
 * it returns is exactly a token's shape.
 */
#include "auth.h"
#include "fuzz.h"
#include "token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, token[AUTH_TOKEN_LEN + 1];

	fuzz_setup();
	s = fuzz_string(data, size);
	if (auth_cookie_token(s, token))
		FUZZ_CHECK(strlen(token) == AUTH_TOKEN_LEN && token_valid(token));
	free(s);
	return 0;
}
