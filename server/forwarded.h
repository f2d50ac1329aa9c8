/*
 * forwarded.h - the client's address behind trusted reverse proxies.
 *
 * With --trusted-proxy ADDR[,ADDR], a request whose peer (the socket's
 * other end) is one of those proxies names its client in X-Forwarded-For:
 * the list is walked from the right (each proxy appends the address it
 * saw), skipping trusted addresses, and the first untrusted hop is the
 * client.  A request from any other peer keeps the peer's address and its
 * X-Forwarded-For is ignored, so a client cannot choose its own address by
 * sending the header.  A hop that is not an IP address ends the walk at
 * the last trusted hop before it (the proxy that passed it on).
 */
#ifndef TIMEBOK_FORWARDED_H
#define TIMEBOK_FORWARDED_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define FORWARDED_MAX_PROXIES 16
#define FORWARDED_ADDR_MAX 48 /* an IPv6 address as text, with its NUL */

struct forwarded {
	int n;
	struct {
		int family;
		unsigned char addr[16];
	} proxies[FORWARDED_MAX_PROXIES];
};

/* Parse a comma-separated list of IP addresses ("" gives none) into f.
 * APP_EINVAL when an item is not an address or there are too many. */
enum app_err forwarded_parse(const char *list, struct forwarded *f) WARN_UNUSED;

/* Whether addr (text) is one of f's proxies. */
bool forwarded_trusted(const struct forwarded *f, const char *addr);

/* The client's address into out (cap bytes): peer, or, when peer is
 * trusted and xff (the X-Forwarded-For values joined by commas; NULL:
 * none) names one, the last untrusted hop. */
void forwarded_client(const struct forwarded *f, const char *peer, const char *xff, char *out,
		      size_t cap);

#endif
