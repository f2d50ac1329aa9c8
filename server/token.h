/*
 * token.h - secret tokens: 256 random bits in base64url, their stored hash,
 * and a sealed copy that only the server's key opens.
 *
 * Staff session ids and patient links are both such tokens.  The database
 * keeps only token_hash() of either (hex BLAKE2b-256), so a copy of it
 * opens nothing.  A patient link's token is also kept sealed
 * (crypto_secretbox, a fresh nonce per seal) under a key in a file beside
 * the database (token_key_load), so that the delivery worker can put it
 * into a message it sends after a restart.
 */
#ifndef TIMEBOK_TOKEN_H
#define TIMEBOK_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define TOKEN_LEN 43      /* 32 bytes in unpadded base64url */
#define TOKEN_HASH_LEN 64 /* hex */
#define TOKEN_KEY_LEN 32
#define TOKEN_BOX_LEN (24 + 16 + TOKEN_LEN) /* nonce, MAC, sealed text */
#define TOKEN_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

/* A fresh token of 256 random bits. */
void token_new(char out[TOKEN_LEN + 1]);
/* Whether s has a token's shape (43 base64url characters). */
bool token_valid(const char *s);
/* The hex BLAKE2b-256 hash of token, the form the database keeps. */
void token_hash(const char *token, char out[TOKEN_HASH_LEN + 1]);

/* Seal token (TOKEN_LEN characters) under key into box. */
void token_seal(const uint8_t key[TOKEN_KEY_LEN], const char *token, uint8_t box[TOKEN_BOX_LEN]);
/* Open a box from token_seal; false when it was not sealed under key. */
bool token_open(const uint8_t key[TOKEN_KEY_LEN], const uint8_t *box, size_t len,
		char out[TOKEN_LEN + 1]);

/* Read the key from path, or make a new random one there (mode 0600) when
 * the file does not exist.  APP_ESTORE (logged) when it cannot be read or
 * written or has the wrong size. */
enum app_err token_key_load(const char *path, uint8_t key[TOKEN_KEY_LEN]) WARN_UNUSED;

#endif
