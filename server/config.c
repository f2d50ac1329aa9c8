/*
 * config.c - option table, environment and command-line parsing.
 */
#include "config.h"

#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "forwarded.h"
#include "log.h"
#include "store.h"
#include "version.h"

enum kind { K_STR, K_INT, K_BOOL, K_LISTEN, K_LEVEL, K_PUBLIC_LISTEN };

static const struct option_def {
	const char *flag;  /* without the leading "--" */
	const char *env;
	enum kind kind;
	size_t off;        /* offset into struct config */
	size_t size;       /* for strings */
	int min, max;      /* for ints */
	const char *help;
} options[] = {
#define S(f) offsetof(struct config, f), sizeof(((struct config *)0)->f)
#define I(f) offsetof(struct config, f), 0
	{"db", "TIMEBOK_DB", K_STR, S(db_path), 0, 0, "SQLite database file (created if missing)"},
	{"listen", "TIMEBOK_LISTEN", K_LISTEN, I(listen_port), 0, 0,
	 "HOST:PORT to listen on; port 0 picks a free one"},
	{"tz", "TIMEBOK_TZ", K_STR, S(tz), 0, 0, "the clinic's IANA time zone"},
	{"static-dir", "TIMEBOK_STATIC_DIR", K_STR, S(static_dir), 0, 0,
	 "folder of the web front-end"},
	{"video-url-template", "TIMEBOK_VIDEO_URL_TEMPLATE", K_STR, S(video_url_template), 0, 0,
	 "meeting URL for video appointments; {room} becomes 128 random bits"},
	{"video-host-url-template", "TIMEBOK_VIDEO_HOST_URL_TEMPLATE", K_STR,
	 S(video_host_url_template), 0, 0,
	 "the clinician's (host's) link to the same meeting where the platform has a host "
	 "entrance that signs the host in ({room} as above); unset: the patient's link"},
	{"public-url", "TIMEBOK_PUBLIC_URL", K_STR, S(public_url), 0, 0,
	 "absolute base URL people reach timebok at (links in messages)"},
	{"staff-url", "TIMEBOK_STAFF_URL", K_STR, S(staff_url), 0, 0,
	 "absolute base URL staff reach the staff app at (calendar-feed events link to the day "
	 "list there; default: --public-url with one listener, the staff listener's address "
	 "with two)"},
	{"port-file", "TIMEBOK_PORT_FILE", K_STR, S(port_file), 0, 0,
	 "write the bound port to this file once listening"},
	{"public-listen", "TIMEBOK_PUBLIC_LISTEN", K_PUBLIC_LISTEN, I(public_listen_port), 0, 0,
	 "HOST:PORT of a second listener for the internet side: patient and guest links, "
	 "calendar feeds and /healthz only (default: none)"},
	{"public-port-file", "TIMEBOK_PUBLIC_PORT_FILE", K_STR, S(public_port_file), 0, 0,
	 "write the public listener's bound port to this file once listening"},
	{"host-names", "TIMEBOK_HOST_NAMES", K_STR, S(host_names), 0, 0,
	 "NAME[,NAME]: other host names clients reach timebok at (the staff site behind a "
	 "proxy); a Host header must name one of these, --public-url's host or the listener's "
	 "address"},
	{"trusted-proxy", "TIMEBOK_TRUSTED_PROXY", K_STR, S(trusted_proxy), 0, 0,
	 "ADDR[,ADDR]: reverse proxies whose X-Forwarded-For names the client"},
	{"metrics-token", "TIMEBOK_METRICS_TOKEN", K_STR, S(metrics_token), 0, 0,
	 "bearer token /metrics asks for (prefer the environment variable; default: none, "
	 "and /metrics is on the staff listener only in any case)"},
	{"threads", "TIMEBOK_THREADS", K_INT, I(threads), 1, 64, "HTTP worker threads"},
	{"clock-offset", "TIMEBOK_CLOCK_OFFSET", K_INT, I(clock_offset), -2000000000, 2000000000,
	 "seconds added to the system clock, for tests and drills that play a clinic's days "
	 "ahead (default 0; never on a real install)"},
	{"max-connections", "TIMEBOK_MAX_CONNECTIONS", K_INT, I(max_connections), 16, 60000,
	 "concurrent connections in all (shared evenly by the worker threads)"},
	{"per-ip-connections", "TIMEBOK_PER_IP_CONNECTIONS", K_INT, I(per_ip_connections), 0,
	 60000, "concurrent connections per client address (0: no limit)"},
	{"timeout", "TIMEBOK_TIMEOUT", K_INT, I(timeout_s), 1, 3600,
	 "seconds before an idle connection is closed"},
	{"busy-timeout", "TIMEBOK_BUSY_TIMEOUT", K_INT, I(busy_timeout_ms), 10, 600000,
	 "milliseconds a write waits for the database lock"},
	{"password-cost", "TIMEBOK_PASSWORD_COST", K_STR, S(password_cost), 0, 0,
	 "argon2id cost of staff passwords: interactive, moderate or min (tests only)"},
	{"session-idle", "TIMEBOK_SESSION_IDLE", K_INT, I(session_idle_min), 1, 1440,
	 "minutes of inactivity that end a staff session"},
	{"session-max", "TIMEBOK_SESSION_MAX", K_INT, I(session_max_hours), 1, 168,
	 "hours after login that end a staff session in any case"},
	{"secure-cookies", "TIMEBOK_SECURE_COOKIES", K_BOOL, I(secure_cookies), 0, 0,
	 "mark the session cookie Secure (when served over TLS)"},
	{"log-level", "TIMEBOK_LOG_LEVEL", K_LEVEL, I(log_level), 0, 0, "debug, info, warn or error"},
	{"demo", "TIMEBOK_DEMO", K_BOOL, I(demo), 0, 0,
	 "fill an empty database with realistic demo data"},
	{"bench", "TIMEBOK_BENCH", K_BOOL, I(bench), 0, 0,
	 "enable GET /bench/hello, the benchmark's denominator"},
	{"key-file", "TIMEBOK_KEY_FILE", K_STR, S(key_file), 0, 0,
	 "key that seals patient-link tokens (default: the database path + .key)"},
	{"clinic-name", "TIMEBOK_CLINIC_NAME", K_STR, S(clinic_name), 0, 0,
	 "the clinic's name in messages and on the patient page"},
	{"survey-days", "TIMEBOK_SURVEY_DAYS", K_INT, I(survey_days), 1, 365,
	 "days a survey or PROM questionnaire link stays open after it is sent (default 14)"},
	{"link-days", "TIMEBOK_LINK_DAYS", K_INT, I(link_days), 0, 365,
	 "days after the appointment that a patient link stays open"},
	{"reminder-hours", "TIMEBOK_REMINDER_HOURS", K_INT, I(reminder_hours), 0, 336,
	 "hours before the appointment that a reminder goes out (0: none)"},
	{"cancel-notice-hours", "TIMEBOK_CANCEL_NOTICE_HOURS", K_INT, I(cancel_notice_hours), 0,
	 336, "the clinic's cancellation notice, as stated to patients"},
	{"emission-g-per-km", "TIMEBOK_EMISSION_G_PER_KM", K_INT, I(emission_g_per_km), 0, 1000,
	 "grams of CO2 per km of the patients' travel, for the statistics' estimate"},
	{"unanswered-hours", "TIMEBOK_UNANSWERED_HOURS", K_INT, I(unanswered_hours), 1, 720,
	 "an invitation still unanswered this many hours before the appointment goes to the "
	 "work queue"},
	{"video-max-participants", "TIMEBOK_VIDEO_MAX_PARTICIPANTS", K_INT,
	 I(video_max_participants), 2, 1000,
	 "the video platform's limit: people in one video consultation, guests included"},
	{"template-dir", "TIMEBOK_TEMPLATE_DIR", K_STR, S(template_dir), 0, 0,
	 "folder of message texts nb.txt, nn.txt, en.txt (default: built in)"},
	{"email-channel", "TIMEBOK_EMAIL_CHANNEL", K_STR, S(email_channel), 0, 0,
	 "how e-mail goes out: file (the spool folder) or smtp"},
	{"sms-channel", "TIMEBOK_SMS_CHANNEL", K_STR, S(sms_channel), 0, 0,
	 "how SMS goes out: file (the spool folder) or sms-webhook"},
	{"spool-dir", "TIMEBOK_SPOOL_DIR", K_STR, S(spool_dir), 0, 0,
	 "folder the file channel writes to (default: the database path + .outbox)"},
	{"delivery-attempts", "TIMEBOK_DELIVERY_ATTEMPTS", K_INT, I(delivery_attempts), 1, 50,
	 "attempts before a message is marked failed"},
	{"retry-base", "TIMEBOK_RETRY_BASE", K_INT, I(retry_base_s), 1, 3600,
	 "seconds before the first retry of a message; doubles each time (at most 1 h)"},
	{"smtp-url", "TIMEBOK_SMTP_URL", K_STR, S(smtp_url), 0, 0,
	 "the mail server: smtp://host:587 (STARTTLS) or smtps://host:465"},
	{"smtp-user", "TIMEBOK_SMTP_USER", K_STR, S(smtp_user), 0, 0, "SMTP user name"},
	{"smtp-password", "TIMEBOK_SMTP_PASSWORD", K_STR, S(smtp_password), 0, 0,
	 "SMTP password (prefer the environment variable)"},
	{"smtp-tls", "TIMEBOK_SMTP_TLS", K_STR, S(smtp_tls), 0, 0,
	 "required (default) or none (only for a relay on this host)"},
	{"mail-from", "TIMEBOK_MAIL_FROM", K_STR, S(mail_from), 0, 0,
	 "sender address of e-mail and the calendar's organiser"},
	{"sms-webhook-url", "TIMEBOK_SMS_WEBHOOK_URL", K_STR, S(sms_webhook_url), 0, 0,
	 "the SMS gateway's URL (an HTTP POST of JSON)"},
	{"sms-webhook-token", "TIMEBOK_SMS_WEBHOOK_TOKEN", K_STR, S(sms_webhook_token), 0, 0,
	 "bearer token for the SMS gateway (prefer the environment variable)"},
	{"sms-webhook-template", "TIMEBOK_SMS_WEBHOOK_TEMPLATE", K_STR, S(sms_webhook_template),
	 0, 0, "JSON body for the gateway; {to} {body} {id} {sender} are filled in"},
	{"sms-sender", "TIMEBOK_SMS_SENDER", K_STR, S(sms_sender), 0, 0,
	 "the SMS sender name ({sender} in the template)"},
	{"oidc-issuer", "TIMEBOK_OIDC_ISSUER", K_STR, S(oidc_issuer), 0, 0,
	 "single sign-on: the OpenID provider's issuer URL (https; its "
	 ".well-known/openid-configuration must name exactly this issuer)"},
	{"oidc-client-id", "TIMEBOK_OIDC_CLIENT_ID", K_STR, S(oidc_client_id), 0, 0,
	 "timebok's client id at the OpenID provider"},
	{"oidc-client-secret-file", "TIMEBOK_OIDC_CLIENT_SECRET_FILE", K_STR,
	 S(oidc_client_secret_file), 0, 0,
	 "file holding the client secret (or set TIMEBOK_OIDC_CLIENT_SECRET; never on the "
	 "command line)"},
	{"oidc-client-key-file", "TIMEBOK_OIDC_CLIENT_KEY_FILE", K_STR, S(oidc_client_key_file),
	 0, 0, "a private JWK (RSA or EC P-256) to authenticate with a signed JWT "
	       "(private_key_jwt) instead of a secret"},
	{"oidc-alg", "TIMEBOK_OIDC_ALG", K_STR, S(oidc_alg), 0, 0,
	 "the one signature algorithm of ID tokens accepted: RS256, ES256 or PS256"},
	{"oidc-roles-claim", "TIMEBOK_OIDC_ROLES_CLAIM", K_STR, S(oidc_roles_claim), 0, 0,
	 "the claim the role mappings look at by default (roles; groups for Entra groups)"},
	{"oidc-only", "TIMEBOK_OIDC_ONLY", K_BOOL, I(oidc_only), 0, 0,
	 "staff sign in through the OpenID provider; password login is for admins alone"},
#undef S
#undef I
};
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->db_path, "./timebok.db");
	strcpy(cfg->listen_host, "127.0.0.1");
	cfg->listen_port = 8080;
	strcpy(cfg->tz, "Europe/Oslo");
	snprintf(cfg->static_dir, sizeof(cfg->static_dir), "%s", TIMEBOK_DEFAULT_STATIC_DIR);
	strcpy(cfg->video_url_template, "https://meet.jit.si/timebok-{room}");
	cfg->threads = 4;
	cfg->max_connections = 4096;
	cfg->per_ip_connections = 300;
	cfg->timeout_s = 30;
	cfg->busy_timeout_ms = 10000;
	cfg->log_level = LOG_INFO;
	strcpy(cfg->password_cost, "interactive");
	cfg->session_idle_min = 30;
	cfg->session_max_hours = 12;
	strcpy(cfg->oidc_alg, "RS256");
	strcpy(cfg->oidc_roles_claim, "roles");
	strcpy(cfg->clinic_name, "Poliklinikken");
	cfg->link_days = 14;
	cfg->survey_days = 14;
	cfg->reminder_hours = 24;
	cfg->unanswered_hours = 48;
	cfg->cancel_notice_hours = 24;
	cfg->emission_g_per_km = 120; /* a petrol car; the statistics call it an estimate */
	cfg->video_max_participants = 8;
	strcpy(cfg->email_channel, "file");
	strcpy(cfg->sms_channel, "file");
	cfg->delivery_attempts = 8;
	cfg->retry_base_s = 30;
	strcpy(cfg->smtp_tls, "required");
	strcpy(cfg->mail_from, "timebok@localhost");
	strcpy(cfg->sms_webhook_template,
	       "{\"to\":\"{to}\",\"message\":\"{body}\",\"sender\":\"{sender}\","
	       "\"reference\":\"{id}\"}");
	strcpy(cfg->sms_sender, "Sykehuset");
}

static void usage(FILE *out)
{
	fprintf(out, "usage: timebok [options]\n"
		     "       timebok backup --db PATH --out FILE\n"
		     "       timebok user add|passwd|disable|list --db PATH ... (see 'timebok user')\n"
		     "\n"
		     "Books video consultations for outpatient clinics.\n\noptions:\n");
	for (size_t i = 0; i < NOPTIONS; i++) {
		const struct option_def *o = &options[i];
		char left[64];
		snprintf(left, sizeof(left), "--%s%s", o->flag, o->kind == K_BOOL ? "" : " VALUE");
		fprintf(out, "  %-30s %s\n  %-30s (env %s)\n", left, o->help, "", o->env);
	}
	fprintf(out, "  %-30s %s\n  %-30s %s\n", "--help", "show this text", "--version",
		"show the version and the schema level (migrations carried)");
	fprintf(out, "\nThe front-end's default folder: %s\n"
		     "At start a database with pending migrations is first copied to\n"
		     "PATH.before-NNNN (NNNN: the first pending migration).  man timebok\n",
		TIMEBOK_DEFAULT_STATIC_DIR);
}

static enum app_err set(struct config *cfg, const struct option_def *o, const char *v,
			FILE *err_out)
{
	char *base = (char *)cfg + o->off, *end;
	long n;

	switch (o->kind) {
	case K_STR:
		if (strlen(v) >= o->size)
			goto bad;
		memcpy(base, v, strlen(v) + 1);
		return APP_OK;
	case K_INT:
		n = strtol(v, &end, 10);
		if (!*v || *end || n < o->min || n > o->max)
			goto bad;
		*(int *)base = (int)n;
		return APP_OK;
	case K_BOOL:
		if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes"))
			*(bool *)base = true;
		else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no") || !*v)
			*(bool *)base = false;
		else
			goto bad;
		return APP_OK;
	case K_LEVEL:
		if ((n = log_level_parse(v)) < 0)
			goto bad;
		*(int *)base = (int)n;
		return APP_OK;
	case K_LISTEN:
	case K_PUBLIC_LISTEN: {
		bool pub = o->kind == K_PUBLIC_LISTEN;
		char *host = pub ? cfg->public_listen_host : cfg->listen_host;
		const char *colon = strrchr(v, ':'), *h = v;
		size_t hl = colon ? (size_t)(colon - v) : 0;
		if (v[0] == '[') { /* an IPv6 address as in a URL: [::1]:8080 */
			if (hl < 3 || colon[-1] != ']')
				goto bad;
			h = v + 1;
			hl -= 2;
		}
		if (!colon || hl == 0 || hl >= sizeof(cfg->listen_host) || memchr(h, '[', hl) ||
		    memchr(h, ']', hl))
			goto bad;
		n = strtol(colon + 1, &end, 10);
		if (!colon[1] || *end || n < 0 || n > 65535)
			goto bad;
		memcpy(host, h, hl);
		host[hl] = '\0';
		*(pub ? &cfg->public_listen_port : &cfg->listen_port) = (int)n;
		return APP_OK;
	}
	}
bad:
	fprintf(err_out, "timebok: bad value for --%s ('%s'); see --help\n", o->flag, v);
	return APP_EINVAL;
}

/* Whether url is an absolute http(s) URL timebok may put into links,
 * headers and HTML: a host, an optional port and path, and nothing that
 * needs quoting (no spaces, quotes, angle brackets, backslashes or
 * non-ASCII), no user name, query or fragment. */
static bool public_url_ok(const char *url)
{
	static const char path_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					 "0123456789-._~/%!$&()*+,;=:";
	const char *host = !strncmp(url, "https://", 8)	 ? url + 8
			   : !strncmp(url, "http://", 7) ? url + 7
							 : NULL;
	size_t hl, pl;

	if (!host)
		return false;
	if (*host == '[') /* an IPv6 literal */
		hl = strspn(host, "[]0123456789abcdefABCDEF:.");
	else
		hl = strspn(host, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.");
	if (hl == 0 || (*host == '[' && host[hl - 1] != ']'))
		return false;
	if (host[hl] == ':') { /* a port */
		size_t n = strspn(host + hl + 1, "0123456789");
		if (n == 0 || n > 5)
			return false;
		hl += 1 + n;
	}
	if (host[hl] && host[hl] != '/')
		return false;
	pl = strspn(host + hl, path_chars);
	return host[hl + pl] == '\0';
}

static const struct option_def *find(const char *flag, size_t len)
{
	for (size_t i = 0; i < NOPTIONS; i++)
		if (strlen(options[i].flag) == len && !strncmp(options[i].flag, flag, len))
			return &options[i];
	return NULL;
}

enum app_err config_load(struct config *cfg, int argc, char **argv, FILE *out, FILE *err_out,
			 bool *exit_now)
{
	enum app_err err;

	*exit_now = false;
	config_defaults(cfg);
	for (size_t i = 0; i < NOPTIONS; i++) {
		const char *v = getenv(options[i].env);
		if (v && (err = set(cfg, &options[i], v, err_out)))
			return err;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq, *v;
		const struct option_def *o;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(out);
			*exit_now = true;
			return APP_OK;
		}
		if (!strcmp(a, "--version")) {
			/* the schema level: the migrations this binary carries */
			fprintf(out, "timebok %s (schema %d)\n", TIMEBOK_VERSION,
				store_nmigrations);
			*exit_now = true;
			return APP_OK;
		}
		if (strncmp(a, "--", 2) != 0) {
			fprintf(err_out, "timebok: unexpected argument '%s'; see --help\n", a);
			return APP_EINVAL;
		}
		eq = strchr(a, '=');
		o = find(a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
		if (!o) {
			fprintf(err_out, "timebok: unknown option '%s'; see --help\n", a);
			return APP_EINVAL;
		}
		if (eq)
			v = eq + 1;
		else if (o->kind == K_BOOL)
			v = "1";
		else if (i + 1 < argc)
			v = argv[++i];
		else {
			fprintf(err_out, "timebok: --%s needs a value\n", o->flag);
			return APP_EINVAL;
		}
		if ((err = set(cfg, o, v, err_out)))
			return err;
	}
	if (!strstr(cfg->video_url_template, "{room}") ||
	    (strncmp(cfg->video_url_template, "https://", 8) &&
	     strncmp(cfg->video_url_template, "http://", 7))) {
		fprintf(err_out, "timebok: --video-url-template must be an http(s) URL with {room}\n");
		return APP_EINVAL;
	}
	if (cfg->video_host_url_template[0] &&
	    (!strstr(cfg->video_host_url_template, "{room}") ||
	     (strncmp(cfg->video_host_url_template, "https://", 8) &&
	      strncmp(cfg->video_host_url_template, "http://", 7)))) {
		fprintf(err_out,
			"timebok: --video-host-url-template must be an http(s) URL with {room}\n");
		return APP_EINVAL;
	}
	if (strcmp(cfg->password_cost, "min") && strcmp(cfg->password_cost, "interactive") &&
	    strcmp(cfg->password_cost, "moderate")) {
		fprintf(err_out, "timebok: --password-cost is min, interactive or moderate\n");
		return APP_EINVAL;
	}
	if (strcmp(cfg->email_channel, "file") && strcmp(cfg->email_channel, "smtp")) {
		fprintf(err_out, "timebok: --email-channel is file or smtp\n");
		return APP_EINVAL;
	}
	if (strcmp(cfg->sms_channel, "file") && strcmp(cfg->sms_channel, "sms-webhook")) {
		fprintf(err_out, "timebok: --sms-channel is file or sms-webhook\n");
		return APP_EINVAL;
	}
	if (!strcmp(cfg->email_channel, "smtp") &&
	    (strncmp(cfg->smtp_url, "smtp://", 7) && strncmp(cfg->smtp_url, "smtps://", 8))) {
		fprintf(err_out, "timebok: --email-channel smtp needs --smtp-url smtp://HOST:PORT\n");
		return APP_EINVAL;
	}
	if (cfg->oidc_only && !cfg->oidc_issuer[0]) {
		fprintf(err_out, "timebok: --oidc-only needs --oidc-issuer\n");
		return APP_EINVAL;
	}
	if (strcmp(cfg->oidc_alg, "RS256") && strcmp(cfg->oidc_alg, "ES256") &&
	    strcmp(cfg->oidc_alg, "PS256")) {
		fprintf(err_out, "timebok: --oidc-alg is RS256, ES256 or PS256\n");
		return APP_EINVAL;
	}
	if (!cfg->oidc_roles_claim[0]) {
		fprintf(err_out, "timebok: --oidc-roles-claim names a claim\n");
		return APP_EINVAL;
	}
	if (strcmp(cfg->smtp_tls, "required") && strcmp(cfg->smtp_tls, "none")) {
		fprintf(err_out, "timebok: --smtp-tls is required or none\n");
		return APP_EINVAL;
	}
	if (!strcmp(cfg->sms_channel, "sms-webhook") &&
	    strncmp(cfg->sms_webhook_url, "https://", 8) && strncmp(cfg->sms_webhook_url, "http://", 7)) {
		fprintf(err_out, "timebok: --sms-channel sms-webhook needs --sms-webhook-url\n");
		return APP_EINVAL;
	}
	if (!strstr(cfg->sms_webhook_template, "{to}") ||
	    !strstr(cfg->sms_webhook_template, "{body}")) {
		fprintf(err_out, "timebok: --sms-webhook-template must hold {to} and {body}\n");
		return APP_EINVAL;
	}
	{
		struct forwarded f;
		if (forwarded_parse(cfg->trusted_proxy, &f)) {
			fprintf(err_out, "timebok: --trusted-proxy is a comma-separated list of at "
					 "most %d IP addresses\n",
				FORWARDED_MAX_PROXIES);
			return APP_EINVAL;
		}
	}
	if (!cfg->key_file[0])
		snprintf(cfg->key_file, sizeof(cfg->key_file), "%s.key", cfg->db_path);
	if (!cfg->spool_dir[0])
		snprintf(cfg->spool_dir, sizeof(cfg->spool_dir), "%s.outbox", cfg->db_path);
	if (cfg->public_url[0] && !public_url_ok(cfg->public_url)) {
		fprintf(err_out, "timebok: --public-url must be an absolute http(s) URL with no "
				 "spaces, quotes, user, query or fragment\n");
		return APP_EINVAL;
	}
	if (cfg->staff_url[0] && !public_url_ok(cfg->staff_url)) {
		fprintf(err_out, "timebok: --staff-url must be an absolute http(s) URL with no "
				 "spaces, quotes, user, query or fragment\n");
		return APP_EINVAL;
	}
	for (size_t n = strlen(cfg->public_url); n > 0 && cfg->public_url[n - 1] == '/'; n--)
		cfg->public_url[n - 1] = '\0'; /* links add "/i/..." */
	for (size_t n = strlen(cfg->staff_url); n > 0 && cfg->staff_url[n - 1] == '/'; n--)
		cfg->staff_url[n - 1] = '\0';
	if ((cfg->public_url_derived = !cfg->public_url[0])) /* links go to the public side */
		config_http_url(cfg->public_url, sizeof(cfg->public_url),
				cfg->public_listen_host[0] ? cfg->public_listen_host : cfg->listen_host,
				cfg->public_listen_host[0] ? cfg->public_listen_port : cfg->listen_port);
	config_staff_url(cfg, cfg->listen_port);
	return APP_OK;
}

void config_http_url(char *out, size_t cap, const char *host, int port)
{
	bool v6 = strchr(host, ':') != NULL;

	snprintf(out, cap, "http://%s%s%s:%d", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

void config_staff_url(struct config *cfg, int staff_port)
{
	if (cfg->staff_url[0] && !cfg->staff_url_derived)
		return;
	cfg->staff_url_derived = true;
	if (cfg->public_listen_host[0]) /* the public side serves no staff app */
		config_http_url(cfg->staff_url, sizeof(cfg->staff_url), cfg->listen_host, staff_port);
	else
		snprintf(cfg->staff_url, sizeof(cfg->staff_url), "%s", cfg->public_url);
}
