/*
 * forwarded.c - see forwarded.h.
 */
#include "forwarded.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* addr as a family and bytes; false when it is not an IP address. */
static bool parse_addr(const char *addr, int *family, unsigned char out[16])
{
	if (inet_pton(AF_INET, addr, out) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, addr, out) == 1) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

/* The item of s up to the next comma, without surrounding blanks, into out;
 * false when it does not fit. */
static bool item(const char *s, size_t len, char *out, size_t cap)
{
	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= cap)
		return false;
	memcpy(out, s, len);
	out[len] = '\0';
	return true;
}

enum app_err forwarded_parse(const char *list, struct forwarded *f)
{
	const char *p = list;

	memset(f, 0, sizeof(*f));
	while (*p) {
		size_t len = strcspn(p, ",");
		char one[FORWARDED_ADDR_MAX];

		if (f->n == FORWARDED_MAX_PROXIES || !item(p, len, one, sizeof(one)) ||
		    !parse_addr(one, &f->proxies[f->n].family, f->proxies[f->n].addr))
			return APP_EINVAL;
		f->n++;
		p += len;
		if (*p == ',')
			p++;
	}
	return APP_OK;
}

bool forwarded_trusted(const struct forwarded *f, const char *addr)
{
	unsigned char bytes[16];
	int family;

	if (!f->n || !parse_addr(addr, &family, bytes))
		return false;
	for (int i = 0; i < f->n; i++)
		if (f->proxies[i].family == family &&
		    !memcmp(f->proxies[i].addr, bytes, family == AF_INET ? 4 : 16))
			return true;
	return false;
}

void forwarded_client(const struct forwarded *f, const char *peer, const char *xff, char *out,
		      size_t cap)
{
	char hop[FORWARDED_ADDR_MAX], last[FORWARDED_ADDR_MAX];
	size_t end;

	snprintf(out, cap, "%s", peer);
	if (!xff || !forwarded_trusted(f, peer))
		return;
	snprintf(last, sizeof(last), "%s", peer);
	for (end = strlen(xff); end > 0;) { /* from the right */
		size_t start = end, len;
		unsigned char bytes[16];
		int family;

		while (start > 0 && xff[start - 1] != ',')
			start--;
		len = end - start;
		end = start ? start - 1 : 0;
		if (!item(xff + start, len, hop, sizeof(hop)) || !parse_addr(hop, &family, bytes))
			break; /* garbage: the proxy that passed it on is the client */
		if (!forwarded_trusted(f, hop)) {
			snprintf(out, cap, "%s", hop);
			return;
		}
		snprintf(last, sizeof(last), "%s", hop);
		if (!start)
			break;
	}
	snprintf(out, cap, "%s", last);
}
