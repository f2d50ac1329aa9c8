/*
 * validate.c - names, phone numbers, e-mail, national ids, UTF-8, nesting.
 */
#include "validate.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "timeutil.h"

static void trim(char *v)
{
	size_t n = strlen(v), i = 0;

	while (n && isspace((unsigned char)v[n - 1]))
		v[--n] = '\0';
	while (isspace((unsigned char)v[i]))
		i++;
	memmove(v, v + i, n - i + 1);
}

/* The code point of the UTF-8 sequence at p (valid: checked at the edge),
 * and its length in *len. */
static unsigned decode(const unsigned char *p, int *len)
{
	if (p[0] < 0x80 || !p[1]) {
		*len = 1;
		return p[0];
	}
	if (p[0] < 0xe0) {
		*len = 2;
		return (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu);
	}
	if (p[0] < 0xf0 || !p[2]) {
		*len = p[2] ? 3 : 2;
		return (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu);
	}
	*len = p[3] ? 4 : 3;
	return 0x10000; /* beyond the planes checked here */
}

static bool hidden_format(unsigned c)
{
	return c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029;
}

const char *validate_text(const char *s, bool multiline)
{
	int len;

	for (const unsigned char *p = (const unsigned char *)s; *p; p += len) {
		unsigned c = decode(p, &len);

		if ((c < 0x20 && !(multiline && c == '\n')) || (c >= 0x7f && c <= 0x9f))
			return "must not contain control characters";
		if (hidden_format(c))
			return "must not contain direction marks or line separators (U+061C, "
			       "U+200E-200F, U+202A-202E, U+2066-2069, U+2028-2029)";
	}
	return NULL;
}

const char *validate_name(char *v, size_t cap)
{
	(void)cap;
	trim(v);
	if (!*v)
		return "must not be empty";
	return validate_text(v, false);
}

const char *validate_phone(char *v, size_t cap)
{
	char d[64];
	size_t n = 0, digits;
	const char *rest;

	/* as people type them: "912 34 567", "+47 912 34 567", "0047 91234567",
	 * "(+47) 912-34-567" */
	for (const char *p = v; *p; p++) {
		if (strchr(" -.()\t", *p))
			continue;
		if (n + 1 == sizeof(d))
			return "is too long for a phone number";
		d[n++] = *p;
	}
	d[n] = '\0';
	rest = !strncmp(d, "00", 2) ? d + 2 : d[0] == '+' ? d + 1 : NULL;
	if (!rest && n == 8 && d[0] >= '2' && d[0] <= '9')
		rest = NULL, n = (size_t)snprintf(v, cap, "+47%s", d); /* a Norwegian number */
	else if (rest)
		n = (size_t)snprintf(v, cap, "+%s", rest);
	else
		return "must be a Norwegian number of 8 digits, or start with + (or 00) and the "
		       "country code";
	if (n >= cap)
		return "is too long for a phone number";
	digits = n - 1;
	if (digits < 8 || digits > 15 || v[1] == '0')
		return "must be an E.164 number (8 to 15 digits after +)";
	for (size_t i = 1; i < n; i++)
		if (!isdigit((unsigned char)v[i]))
			return "must be an E.164 number (digits only after +)";
	if (!strncmp(v, "+47", 3) && digits != 10)
		return "a Norwegian number has 8 digits after +47";
	return NULL;
}

const char *validate_email(char *v, size_t cap)
{
	const char *at, *dot;

	(void)cap;
	trim(v);
	if (strlen(v) > 254)
		return "is too long";
	at = strchr(v, '@');
	if (!at || at == v || strchr(at + 1, '@'))
		return "must be an e-mail address";
	dot = strrchr(at, '.');
	if (!dot || dot == at + 1 || !dot[1])
		return "must be an e-mail address with a domain";
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || strchr("<>()[]\\,;:\"", *p))
			return "must be an e-mail address";
	if (validate_text(v, false))
		return "must be an e-mail address";
	return NULL;
}

/* Day, month, year of a national id (D- and H-numbers, synthetic +80). */
static bool nin_date(const char *v, int *y, int *m, int *d)
{
	int dd = (v[0] - '0') * 10 + (v[1] - '0');
	int mm = (v[2] - '0') * 10 + (v[3] - '0');
	int yy = (v[4] - '0') * 10 + (v[5] - '0');
	int ind = (v[6] - '0') * 100 + (v[7] - '0') * 10 + (v[8] - '0');

	if (dd > 40)
		dd -= 40; /* D-number */
	if (mm > 80)
		mm -= 80; /* synthetic test number */
	else if (mm > 40)
		mm -= 40; /* H-number */
	if (ind <= 499)
		*y = 1900 + yy;
	else if (ind <= 749 && yy >= 54)
		*y = 1800 + yy;
	else if (ind >= 900 && yy >= 40)
		*y = 1900 + yy;
	else if (yy <= 39)
		*y = 2000 + yy;
	else
		*y = 1900 + yy;
	*m = mm;
	*d = dd;
	return mm >= 1 && mm <= 12 && dd >= 1 && dd <= timeutil_days_in_month(*y, mm);
}

bool validate_national_id_check_digits(const char *v, char out[2])
{
	static const int w1[] = {3, 7, 6, 1, 8, 9, 4, 5, 2};
	static const int w2[] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
	int s1 = 0, s2, k1, k2;

	for (int i = 0; i < 9; i++)
		s1 += (v[i] - '0') * w1[i];
	k1 = (11 - s1 % 11) % 11;
	s2 = k1 * w2[9];
	for (int i = 0; i < 9; i++)
		s2 += (v[i] - '0') * w2[i];
	k2 = (11 - s2 % 11) % 11;
	/* 10 cannot be a digit: 'x' then matches no given digit */
	out[0] = k1 == 10 ? 'x' : (char)('0' + k1);
	out[1] = k1 == 10 || k2 == 10 ? 'x' : (char)('0' + k2);
	return out[1] != 'x';
}

const char *validate_national_id(char *v, size_t cap)
{
	char want[2];
	int y, m, d;

	(void)cap;
	trim(v);
	if (strlen(v) != 11)
		return "must be 11 digits";
	for (int i = 0; i < 11; i++)
		if (!isdigit((unsigned char)v[i]))
			return "must be 11 digits";
	if (!nin_date(v, &y, &m, &d))
		return "does not hold a valid birth date";
	validate_national_id_check_digits(v, want);
	if (want[0] != v[9])
		return "has a wrong first check digit";
	if (want[1] != v[10]) /* computed over the first, now known to be right */
		return "has a wrong second check digit";
	return NULL;
}

bool validate_national_id_birth_date(const char *nin, char out[11])
{
	int y, m, d;

	if (!nin || strlen(nin) != 11 || !nin_date(nin, &y, &m, &d))
		return false;
	/* nin_date keeps y, m and d in range, so this is 10 characters; the
	 * compiler cannot know it, and out holds no more */
	return snprintf(out, 11, "%04d-%02d-%02d", y, m, d) == 10;
}

bool validate_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned c = *p;
		int n;
		unsigned cp;

		if (c == 0)
			return false;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return false;
		if (end - p <= n)
			return false;
		for (int i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		p += n + 1;
	}
	return true;
}

bool validate_json_too_deep(const char *s, size_t len, int max)
{
	int depth = 0;
	bool in_str = false;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max)
				return true;
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return false;
}
