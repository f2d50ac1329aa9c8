/*
 * notify_smtp.c - e-mail through a mail server, with libcurl.
 *
 * smtp:// upgrades with STARTTLS and, with --smtp-tls required (the
 * default), refuses to go on without it; smtps:// is TLS from the start.
 * --smtp-tls none is for a relay on the same host only.  A 5xx answer is a
 * permanent failure (the address or the message was refused); anything else
 * that fails (connection, 4xx, timeout, a refused login) is retried.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "lazy_curl.h"
#include "notify.h"

struct reader {
	const char *p;
	size_t left;
};

static size_t read_mail(char *out, size_t size, size_t n, void *ctx)
{
	struct reader *r = ctx;
	size_t k = size * n < r->left ? size * n : r->left;

	memcpy(out, r->p, k);
	r->p += k;
	r->left -= k;
	return k;
}

enum notify_result notify_smtp_send(const struct config *cfg, const struct notify_msg *m,
				    const struct buf *mail, char *why, size_t cap)
{
	struct reader rd = {mail->data, mail->len};
	struct curl_slist *rcpt = NULL;
	char from[300], to[300], errbuf[CURL_ERROR_SIZE] = "";
	enum notify_result r = NOTIFY_RETRY;
	long code = 0;
	CURLcode rc;
	CURL *c;

	if (!(c = curl_easy_init())) {
		snprintf(why, cap, "out of memory");
		return NOTIFY_RETRY;
	}
	snprintf(from, sizeof(from), "<%s>", cfg->mail_from);
	snprintf(to, sizeof(to), "<%s>", m->to);
	rcpt = curl_slist_append(NULL, to);
	curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_mail);
	curl_easy_setopt(c, CURLOPT_READDATA, &rd);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_USE_SSL,
			 strcmp(cfg->smtp_tls, "none") ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE);
	if (cfg->smtp_user[0]) {
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password);
	}
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OK) {
		r = NOTIFY_SENT;
	} else {
		/* a refused login is the configuration's fault: retry once it is mended */
		r = code >= 500 && code < 600 && rc != CURLE_LOGIN_DENIED ? NOTIFY_FAILED
									   : NOTIFY_RETRY;
		snprintf(why, cap, "smtp: %s (%ld)%s%s", curl_easy_strerror(rc), code,
			 errbuf[0] ? ": " : "", errbuf);
	}
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	return r;
}
