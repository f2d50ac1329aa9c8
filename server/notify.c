/*
 * notify.c - channel dispatch, composing e-mail, and the file channel.
 *
 * The file channel writes <spool>/<id 10 digits>-sms.json or -email.eml:
 * written to a temporary name, synced, then renamed, so a reader never sees
 * half a message and a retry of the same id replaces it (idempotent).
 */
#define _GNU_SOURCE
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"

static enum notify_result spool(const struct config *cfg, const struct notify_msg *m,
				const char *suffix, const struct buf *b, char *why, size_t cap)
{
	char path[700], tmp[720];
	int fd;

	if (b->failed) {
		snprintf(why, cap, "the message is too large");
		return NOTIFY_FAILED;
	}
	if (mkdir(cfg->spool_dir, 0700) != 0 && errno != EEXIST) {
		snprintf(why, cap, "cannot create the spool folder: %s", strerror(errno));
		return NOTIFY_RETRY;
	}
	snprintf(path, sizeof(path), "%s/%010lld-%s", cfg->spool_dir, (long long)m->id, suffix);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, b->data, b->len) != (ssize_t)b->len || fsync(fd) != 0) {
		snprintf(why, cap, "cannot write to the spool folder: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return NOTIFY_RETRY;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		snprintf(why, cap, "cannot write to the spool folder: %s", strerror(errno));
		unlink(tmp);
		return NOTIFY_RETRY;
	}
	return NOTIFY_SENT;
}

enum notify_result notify_sms(const struct config *cfg, const struct notify_msg *m, char *why,
			      size_t cap)
{
	enum notify_result r;
	struct buf b;

	if (!strcmp(cfg->sms_channel, "sms-webhook"))
		return notify_webhook_send(cfg, m, why, cap);
	buf_init(&b, 64 * 1024);
	buf_printf(&b, "{\"id\":%lld", (long long)m->id);
	buf_json_kstr(&b, ",", "to", m->to);
	buf_json_kstr(&b, ",", "body", m->body);
	buf_puts(&b, "}\n");
	r = spool(cfg, m, "sms.json", &b, why, cap);
	buf_release(&b);
	return r;
}

/* base64 of p in lines of 76 characters (RFC 2045). */
static void base64_lines(struct buf *out, const char *p, size_t n)
{
	char line[80];

	for (size_t i = 0; i < n; i += 57) {
		size_t k = n - i < 57 ? n - i : 57;
		sodium_bin2base64(line, sizeof(line), (const unsigned char *)p + i, k,
				  sodium_base64_VARIANT_ORIGINAL);
		buf_printf(out, "%s\r\n", line);
	}
}

/* A header value as an RFC 2047 encoded word when it is not plain ASCII. */
static void header_text(struct buf *out, const char *s)
{
	char enc[400];
	size_t n = strlen(s);
	bool plain = true;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		plain = plain && *p >= 0x20 && *p < 0x7f;
	if (plain || n > 250) {
		buf_puts(out, plain ? s : "timebok");
		return;
	}
	sodium_bin2base64(enc, sizeof(enc), (const unsigned char *)s, n,
			  sodium_base64_VARIANT_ORIGINAL);
	buf_printf(out, "=?UTF-8?B?%s?=", enc);
}

static bool plain_address(const char *a)
{
	return *a && strlen(a) < 250 && !strpbrk(a, "\r\n<>\",;: ") && strchr(a, '@');
}

bool notify_email_compose(const struct config *cfg, const struct notify_msg *m, struct buf *out)
{
	const char *domain = strchr(cfg->mail_from, '@');
	char date[64];
	time_t t = (time_t)m->created_at;
	struct tm tm;

	if (!plain_address(m->to) || !plain_address(cfg->mail_from))
		return false;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_puts(out, "From: ");
	header_text(out, cfg->clinic_name);
	buf_printf(out, " <%s>\r\nTo: <%s>\r\nSubject: ", cfg->mail_from, m->to);
	header_text(out, m->subject ? m->subject : "");
	buf_printf(out,
		   "\r\nDate: %s\r\nMessage-ID: <timebok.%lld.%lld@%s>\r\n"
		   "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n"
		   "Content-Type: multipart/mixed; boundary=\"timebok-%lld\"\r\n\r\n"
		   "--timebok-%lld\r\nContent-Type: text/plain; charset=utf-8\r\n"
		   "Content-Transfer-Encoding: base64\r\n\r\n",
		   date, (long long)m->id, (long long)m->created_at, domain + 1, (long long)m->id,
		   (long long)m->id);
	base64_lines(out, m->body, strlen(m->body));
	if (m->ics && *m->ics) {
		buf_printf(out,
			   "--timebok-%lld\r\nContent-Type: text/calendar; charset=utf-8; "
			   "method=%s\r\nContent-Disposition: attachment; filename=\"%s\"\r\n"
			   "Content-Transfer-Encoding: base64\r\n\r\n",
			   (long long)m->id, m->cancel ? "CANCEL" : "REQUEST",
			   m->cancel ? "cancel.ics" : "invite.ics");
		base64_lines(out, m->ics, strlen(m->ics));
	}
	buf_printf(out, "--timebok-%lld--\r\n", (long long)m->id);
	return !out->failed;
}

enum notify_result notify_email(const struct config *cfg, const struct notify_msg *m, char *why,
				size_t cap)
{
	enum notify_result r;
	struct buf b;

	buf_init(&b, 256 * 1024);
	if (!notify_email_compose(cfg, m, &b)) {
		snprintf(why, cap, "the e-mail address or the message is not acceptable");
		buf_release(&b);
		return NOTIFY_FAILED;
	}
	if (!strcmp(cfg->email_channel, "smtp"))
		r = notify_smtp_send(cfg, m, &b, why, cap);
	else
		r = spool(cfg, m, "email.eml", &b, why, cap);
	buf_release(&b);
	return r;
}
