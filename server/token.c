/*
 * token.c - see token.h.
 */
#include "token.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

void token_new(char out[TOKEN_LEN + 1])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, TOKEN_LEN + 1, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

bool token_valid(const char *s)
{
	return s && strlen(s) == TOKEN_LEN && strspn(s, TOKEN_CHARS) == TOKEN_LEN;
}

void token_hash(const char *token, char out[TOKEN_HASH_LEN + 1])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, TOKEN_HASH_LEN + 1, h, sizeof(h));
}

void token_seal(const uint8_t key[TOKEN_KEY_LEN], const char *token, uint8_t box[TOKEN_BOX_LEN])
{
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)token,
			      TOKEN_LEN, box, key);
}

bool token_open(const uint8_t key[TOKEN_KEY_LEN], const uint8_t *box, size_t len,
		char out[TOKEN_LEN + 1])
{
	if (!box || len != TOKEN_BOX_LEN)
		return false;
	if (crypto_secretbox_open_easy((unsigned char *)out, box + crypto_secretbox_NONCEBYTES,
				       len - crypto_secretbox_NONCEBYTES, box, key) != 0)
		return false;
	out[TOKEN_LEN] = '\0';
	return token_valid(out);
}

enum app_err token_key_load(const char *path, uint8_t key[TOKEN_KEY_LEN])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0 && errno == ENOENT) {
		/* O_EXCL: two processes starting at once agree on one key */
		randombytes_buf(key, TOKEN_KEY_LEN);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			n = write(fd, key, TOKEN_KEY_LEN);
			if (n == TOKEN_KEY_LEN && fsync(fd) == 0 && close(fd) == 0)
				return APP_OK;
			close(fd);
			unlink(path);
			log_error("token: cannot write the link key '%s'", path);
			return APP_ESTORE;
		}
		if (errno != EEXIST) {
			log_error("token: cannot create the link key '%s': %s", path,
				  strerror(errno));
			return APP_ESTORE;
		}
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL); /* the other writer finishes */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0) {
		log_error("token: cannot open the link key '%s': %s", path, strerror(errno));
		return APP_ESTORE;
	}
	n = read(fd, key, TOKEN_KEY_LEN);
	close(fd);
	if (n != TOKEN_KEY_LEN) {
		log_error("token: the link key '%s' is not %d bytes", path, TOKEN_KEY_LEN);
		return APP_ESTORE;
	}
	return APP_OK;
}
