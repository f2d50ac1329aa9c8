/*
 * buf.h - growable byte buffers with a hard maximum (after curl's dynbuf).
 *
 * A buffer that would grow past its maximum, or whose allocation fails,
 * becomes "failed": every later append is a no-op, so a writer can append a
 * whole JSON document and check once at the end.  The data is always NUL
 * terminated.  The JSON helpers write RFC 8259 text straight into the buffer;
 * they are the fast path for long lists (no tree per row).
 */
#ifndef TIMEBOK_BUF_H
#define TIMEBOK_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;  /* hard maximum of len */
	bool failed; /* over max or out of memory; sticky */
};

/* Prepare b (caller storage) to hold at most max bytes. */
void buf_init(struct buf *b, size_t max);
/* Free b's memory; b may be reused after buf_init.  NULL-safe. */
void buf_release(struct buf *b);
/* Forget the contents, keep the memory and the failed flag cleared. */
void buf_reset(struct buf *b);

bool buf_append(struct buf *b, const void *p, size_t n);
bool buf_puts(struct buf *b, const char *s);
bool buf_putc(struct buf *b, char c);
/* Append v in decimal (no printf: lists write many). */
bool buf_int(struct buf *b, int64_t v);
bool buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append text with every occurrence of word replaced by with. */
bool buf_put_replaced(struct buf *b, const char *text, const char *word, const char *with);

/* Hand the malloc'd data to the caller (who frees it) and reset b.  Returns
 * NULL when b failed.  *len gets the length when len is not NULL. */
char *buf_steal(struct buf *b, size_t *len);

/* s as a JSON string (quoted, escaped); NULL writes null. */
bool buf_json_str(struct buf *b, const char *s);
/* ,"key":"value" -- a string field preceded by sep (NULL value -> null). */
bool buf_json_kstr(struct buf *b, const char *sep, const char *key, const char *s);
/* ,"key":N -- an integer field; when null_if_zero, 0 writes null. */
bool buf_json_kint(struct buf *b, const char *sep, const char *key, int64_t v, bool null_if_zero);
/* ,"key":true|false */
bool buf_json_kbool(struct buf *b, const char *sep, const char *key, bool v);

/* s as a CSV field: quoted, quotes doubled, and a leading =+-@ defused so
 * that a spreadsheet never runs it as a formula. */
bool buf_csv_str(struct buf *b, const char *s);

#endif
