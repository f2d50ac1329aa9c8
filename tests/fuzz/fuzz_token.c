/*
 * fuzz_token.c - the token decoders: the shape check, the hash, and
 * opening a sealed token (a box from the database).  A box the key did not
 * seal never opens; a token that is valid seals and opens back to itself.
 */
#include "fuzz.h"
#include "token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[TOKEN_KEY_LEN] = "timebok-fuzz-key-0123456789abcd";
	char *s, out[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];
	uint8_t box[TOKEN_BOX_LEN];

	fuzz_setup();
	s = fuzz_string(data, size);
	if (token_open(key, data, size, out))
		FUZZ_CHECK(token_valid(out));
	if (token_valid(s)) {
		FUZZ_CHECK(strlen(s) == TOKEN_LEN);
		token_hash(s, hash);
		FUZZ_CHECK(strlen(hash) == TOKEN_HASH_LEN);
		token_seal(key, s, box);
		FUZZ_CHECK(token_open(key, box, sizeof(box), out) && !strcmp(out, s));
		box[size % sizeof(box)] ^= 1; /* one bit changed: no longer opens */
		FUZZ_CHECK(!token_open(key, box, sizeof(box), out));
	}
	free(s);
	return 0;
}
