/*
 * log.h - one-line log records on standard error.
 *
 * Records are "<UTC time> <level> <text>".  Control characters in the text
 * are escaped, so input that reaches a log line cannot forge another line.
 * Patient data never goes to the log: callers log ids, routes and codes.
 */
#ifndef TIMEBOK_LOG_H
#define TIMEBOK_LOG_H

#include <stdbool.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Records below level are dropped (default LOG_INFO). */
void log_set_level(enum log_level level);
/* Parse "debug"/"info"/"warn"/"error"; -1 when unknown. */
int log_level_parse(const char *s);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An access log record (level info): written at once, or after
 * log_access_start into the calling thread's buffer (log.c). */
void log_access(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Buffer access records from now on, written at least every flush_ms and
 * when a thread ends; false when the flusher thread cannot start. */
bool log_access_start(int flush_ms);
/* Write every buffered record and go back to writing each at once. */
void log_access_stop(void);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
