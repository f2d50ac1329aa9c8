/*
 * notify.h - the delivery channels: how one message leaves timebok.
 *
 * SMS goes to the spool folder (file, the default, so a fresh install works
 * offline) or to a gateway (sms-webhook: an HTTP POST of JSON built from a
 * configured template, with a bearer token).  E-mail goes to the spool
 * folder or to a mail server (smtp, libcurl, STARTTLS required unless told
 * otherwise), as a MIME message with the text and the .ics attached.
 *
 * Each send is one attempt; the outbox worker retries.  The outbox id is the
 * idempotency key: the spool file's name, the e-mail's Message-ID and the
 * gateway's Idempotency-Key header and {id}.  Error texts are for staff
 * (stored as last_error); they may hold what a server said about the
 * address, so they are never logged.
 */
#ifndef TIMEBOK_NOTIFY_H
#define TIMEBOK_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct config;

struct notify_msg {
	int64_t id, created_at;
	const char *to;
	const char *subject; /* e-mail */
	const char *body;
	const char *ics;     /* e-mail; NULL or "" for none */
	bool cancel;         /* a cancellation: the .ics is named cancel.ics */
};

enum notify_result { NOTIFY_SENT, NOTIFY_RETRY, NOTIFY_FAILED };

/* Send m as an SMS / an e-mail through the configured channel.  why gets
 * the reason when the result is not NOTIFY_SENT. */
enum notify_result notify_sms(const struct config *cfg, const struct notify_msg *m, char *why,
			      size_t cap);
enum notify_result notify_email(const struct config *cfg, const struct notify_msg *m, char *why,
				size_t cap);

/* The RFC 5322 text of m as an e-mail from cfg's sender (for smtp and
 * file).  false when out failed or the address is not acceptable. */
bool notify_email_compose(const struct config *cfg, const struct notify_msg *m, struct buf *out);

/* notify_smtp.c and notify_webhook.c: the network channels (libcurl). */
enum notify_result notify_smtp_send(const struct config *cfg, const struct notify_msg *m,
				    const struct buf *mail, char *why, size_t cap);
enum notify_result notify_webhook_send(const struct config *cfg, const struct notify_msg *m,
				       char *why, size_t cap);

#endif
