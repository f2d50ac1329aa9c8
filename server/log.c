/*
 * log.c - one-line log records with control characters escaped.
 *
 * Each record is formatted into a local buffer and written with a single
 * write(2), so lines from different threads never interleave.
 *
 * The access log (log_access, one line a request) is buffered once
 * log_access_start has run: each thread appends its lines to a buffer of
 * its own (ACCESS_BUF bytes, under its own lock, which only the flusher
 * also takes), written whole when the next line would not fit, every
 * flush_ms by the flusher thread, when the thread ends, and at
 * log_access_stop, so a clean stop loses no line.  Measured: the write(2)
 * of each line was a tenth of a 304 poll's CPU.  Access lines may reach
 * the file up to flush_ms after other records of the same moment.
 */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 2200
#define ACCESS_BUF (16 * 1024)

struct access_buf {
	pthread_mutex_t mu;
	size_t len;
	struct access_buf *next;
	char data[ACCESS_BUF];
};

static atomic_int min_level = LOG_INFO;
static const char *const names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level level)
{
	atomic_store(&min_level, (int)level);
}

int log_level_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcasecmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* The record of level with text into line (LINE_MAX_BYTES); its length. */
static size_t format_line(enum log_level level, const char *text, char *line)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(line, LINE_MAX_BYTES, "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(line + n, LINE_MAX_BYTES - n, ".%03ldZ %s ", ts.tv_nsec / 1000000,
			      names[level]);
	for (const char *p = text; *p && n < LINE_MAX_BYTES - 6; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f)
			n += (size_t)snprintf(line + n, LINE_MAX_BYTES - n, "\\x%02x", c);
		else
			line[n++] = (char)c;
	}
	line[n++] = '\n';
	return n;
}

static void write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(STDERR_FILENO, p, n);
		if (w <= 0)
			return; /* nowhere left to report it */
		p += w;
		n -= (size_t)w;
	}
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char text[1024], line[LINE_MAX_BYTES];
	va_list ap;
	size_t n;

	if ((int)level < atomic_load(&min_level))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	n = format_line(level, text, line);
	if (write(STDERR_FILENO, line, n) < 0)
		return; /* nowhere left to report it */
}

/* The access buffers: every thread's that logged a request, for the flusher. */
static pthread_mutex_t access_mu = PTHREAD_MUTEX_INITIALIZER;
static struct access_buf *access_bufs;
static atomic_bool access_on;
static pthread_t access_flusher;
static pthread_cond_t access_cv;
static bool access_stopping;
static int access_ms;
static pthread_key_t access_key;
static pthread_once_t access_key_once = PTHREAD_ONCE_INIT;
static _Thread_local struct access_buf *mine;

/* b's lines to the file (b->mu held). */
static void drain(struct access_buf *b)
{
	write_all(b->data, b->len);
	b->len = 0;
}

/* A thread that logged requests ends: its lines out, its buffer freed. */
static void thread_gone(void *arg)
{
	struct access_buf *b = arg, **pp;

	pthread_mutex_lock(&access_mu);
	for (pp = &access_bufs; *pp && *pp != b; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = b->next;
	pthread_mutex_unlock(&access_mu);
	pthread_mutex_lock(&b->mu);
	drain(b);
	pthread_mutex_unlock(&b->mu);
	pthread_mutex_destroy(&b->mu);
	free(b);
}

static void make_key(void)
{
	pthread_key_create(&access_key, thread_gone);
}

/* This thread's buffer, made and listed on first use; NULL without memory. */
static struct access_buf *my_buffer(void)
{
	if (mine)
		return mine;
	if (!(mine = malloc(sizeof(*mine))))
		return NULL;
	pthread_mutex_init(&mine->mu, NULL);
	mine->len = 0;
	pthread_once(&access_key_once, make_key);
	pthread_setspecific(access_key, mine);
	pthread_mutex_lock(&access_mu);
	mine->next = access_bufs;
	access_bufs = mine;
	pthread_mutex_unlock(&access_mu);
	return mine;
}

static void flush_all(void)
{
	pthread_mutex_lock(&access_mu);
	for (struct access_buf *b = access_bufs; b; b = b->next) {
		pthread_mutex_lock(&b->mu);
		drain(b);
		pthread_mutex_unlock(&b->mu);
	}
	pthread_mutex_unlock(&access_mu);
}

static void *flusher(void *arg)
{
	struct timespec until;

	(void)arg;
	pthread_mutex_lock(&access_mu);
	while (!access_stopping) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += (long)access_ms * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&access_cv, &access_mu, &until);
		pthread_mutex_unlock(&access_mu);
		flush_all();
		pthread_mutex_lock(&access_mu);
	}
	pthread_mutex_unlock(&access_mu);
	return NULL;
}

bool log_access_start(int flush_ms)
{
	pthread_condattr_t attr;

	if (atomic_load(&access_on))
		return true;
	access_ms = flush_ms > 0 ? flush_ms : 1;
	access_stopping = false;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&access_cv, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&access_flusher, NULL, flusher, NULL)) {
		pthread_cond_destroy(&access_cv);
		return false;
	}
	atomic_store(&access_on, true);
	return true;
}

void log_access_stop(void)
{
	if (!atomic_load(&access_on))
		return;
	pthread_mutex_lock(&access_mu);
	access_stopping = true;
	pthread_cond_signal(&access_cv);
	pthread_mutex_unlock(&access_mu);
	pthread_join(access_flusher, NULL);
	pthread_cond_destroy(&access_cv);
	atomic_store(&access_on, false);
	flush_all(); /* what came in meanwhile; later lines are written at once */
}

void log_access(const char *fmt, ...)
{
	char text[1024], line[LINE_MAX_BYTES];
	struct access_buf *b;
	va_list ap;
	size_t n;

	if (LOG_INFO < atomic_load(&min_level))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	n = format_line(LOG_INFO, text, line);
	if (!atomic_load(&access_on) || !(b = my_buffer())) {
		write_all(line, n);
		return;
	}
	pthread_mutex_lock(&b->mu);
	if (b->len + n > sizeof(b->data))
		drain(b);
	memcpy(b->data + b->len, line, n);
	b->len += n;
	pthread_mutex_unlock(&b->mu);
	/* stopped meanwhile: nobody flushes any more */
	if (!atomic_load(&access_on)) {
		pthread_mutex_lock(&b->mu);
		drain(b);
		pthread_mutex_unlock(&b->mu);
	}
}
