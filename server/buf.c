/*
 * buf.c - growable byte buffers with a hard maximum, and a JSON text writer.
 */
#include "buf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void buf_release(struct buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->failed = false;
	if (b->data)
		b->data[0] = '\0';
}

static bool grow(struct buf *b, size_t need)
{
	size_t cap;
	char *p;

	if (b->failed)
		return false;
	if (need > b->max) {
		b->failed = true;
		return false;
	}
	if (need + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < need + 1)
		cap *= 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	p = realloc(b->data, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

bool buf_append(struct buf *b, const void *p, size_t n)
{
	if (!grow(b, b->len + n))
		return false;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return true;
}

bool buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

bool buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

bool buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	int n;

	if (b->failed)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return false;
	}
	if ((size_t)n < sizeof(small))
		return buf_append(b, small, (size_t)n);
	if (!grow(b, b->len + (size_t)n))
		return false;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return true;
}

bool buf_int(struct buf *b, int64_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	return buf_append(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

char *buf_steal(struct buf *b, size_t *len)
{
	char *p;

	if (b->failed || !grow(b, b->len)) {
		buf_release(b);
		return NULL;
	}
	b->data[b->len] = '\0'; /* an empty buffer was never written (found by fuzzing) */
	p = b->data;
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

bool buf_json_str(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run;

	if (!s)
		return buf_append(b, "null", 4);
	buf_putc(b, '"');
	run = s;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[7];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(b, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"': buf_append(b, "\\\"", 2); break;
		case '\\': buf_append(b, "\\\\", 2); break;
		case '\n': buf_append(b, "\\n", 2); break;
		case '\r': buf_append(b, "\\r", 2); break;
		case '\t': buf_append(b, "\\t", 2); break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			buf_append(b, esc, 6);
		}
	}
	buf_append(b, run, (size_t)(s - run));
	return buf_putc(b, '"');
}

static void key(struct buf *b, const char *sep, const char *k)
{
	if (sep)
		buf_puts(b, sep);
	buf_putc(b, '"');
	buf_puts(b, k);
	buf_append(b, "\":", 2);
}

bool buf_json_kstr(struct buf *b, const char *sep, const char *k, const char *s)
{
	key(b, sep, k);
	return buf_json_str(b, s);
}

bool buf_json_kint(struct buf *b, const char *sep, const char *k, int64_t v, bool null_if_zero)
{
	key(b, sep, k);
	if (null_if_zero && v == 0)
		return buf_append(b, "null", 4);
	return buf_int(b, v);
}

bool buf_json_kbool(struct buf *b, const char *sep, const char *k, bool v)
{
	key(b, sep, k);
	return v ? buf_append(b, "true", 4) : buf_append(b, "false", 5);
}

bool buf_put_replaced(struct buf *b, const char *text, const char *word, const char *with)
{
	size_t n = strlen(word);
	const char *at;

	while (n && (at = strstr(text, word))) {
		buf_append(b, text, (size_t)(at - text));
		buf_puts(b, with);
		text = at + n;
	}
	return buf_puts(b, text);
}

bool buf_csv_str(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	if (strchr("=+-@", s[0]) && s[0])
		buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	return buf_putc(b, '"');
}
