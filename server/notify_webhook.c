/*
 * notify_webhook.c - SMS through a gateway's HTTP API, with libcurl.
 *
 * The body is --sms-webhook-template with {to}, {body}, {id} and {sender}
 * replaced by the values escaped for a JSON string (the template supplies
 * the quotes), so most gateways' JSON APIs fit without code.  The request
 * carries "Authorization: Bearer <token>" and "Idempotency-Key:
 * timebok-<id>".  2xx is sent; 408, 429, 5xx and connection failures are
 * retried; any other answer is a permanent failure.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "lazy_curl.h"
#include "notify.h"

/* v escaped for the inside of a JSON string. */
static void json_inner(struct buf *out, const char *v)
{
	struct buf q;

	buf_init(&q, 64 * 1024);
	buf_json_str(&q, v);
	if (!q.failed && q.len >= 2)
		buf_append(out, q.data + 1, q.len - 2);
	else
		out->failed = true;
	buf_release(&q);
}

static void fill_template(const struct config *cfg, const struct notify_msg *m, struct buf *out)
{
	const char *p = cfg->sms_webhook_template;
	char id[32];

	snprintf(id, sizeof(id), "timebok-%lld", (long long)m->id);
	while (*p) {
		if (!strncmp(p, "{to}", 4)) {
			json_inner(out, m->to);
			p += 4;
		} else if (!strncmp(p, "{body}", 6)) {
			json_inner(out, m->body);
			p += 6;
		} else if (!strncmp(p, "{id}", 4)) {
			json_inner(out, id);
			p += 4;
		} else if (!strncmp(p, "{sender}", 8)) {
			json_inner(out, cfg->sms_sender);
			p += 8;
		} else {
			buf_putc(out, *p++);
		}
	}
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

enum notify_result notify_webhook_send(const struct config *cfg, const struct notify_msg *m,
				       char *why, size_t cap)
{
	struct curl_slist *h = NULL;
	char auth[300], idem[64];
	enum notify_result r;
	long code = 0;
	struct buf b;
	CURLcode rc;
	CURL *c;

	buf_init(&b, 64 * 1024);
	fill_template(cfg, m, &b);
	if (b.failed || !(c = curl_easy_init())) {
		buf_release(&b);
		snprintf(why, cap, "the gateway request could not be built");
		return NOTIFY_FAILED;
	}
	h = curl_slist_append(h, "Content-Type: application/json");
	if (cfg->sms_webhook_token[0]) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", cfg->sms_webhook_token);
		h = curl_slist_append(h, auth);
	}
	snprintf(idem, sizeof(idem), "Idempotency-Key: timebok-%lld", (long long)m->id);
	h = curl_slist_append(h, idem);
	curl_easy_setopt(c, CURLOPT_URL, cfg->sms_webhook_url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, b.data);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)b.len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OK && code >= 200 && code < 300) {
		r = NOTIFY_SENT;
	} else {
		r = rc != CURLE_OK || code == 408 || code == 429 || code >= 500 ? NOTIFY_RETRY
									     : NOTIFY_FAILED;
		if (rc != CURLE_OK)
			snprintf(why, cap, "sms gateway: %s", curl_easy_strerror(rc));
		else
			snprintf(why, cap, "sms gateway answered %ld", code);
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	buf_release(&b);
	return r;
}
