/*
 * config.c - option table, environment and command-line parsing.
 */
#include "config.h"

#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "version.h"

enum kind { K_STR, K_INT, K_BOOL, K_LISTEN, K_LEVEL };

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
	{"public-url", "TIMEBOK_PUBLIC_URL", K_STR, S(public_url), 0, 0,
	 "absolute base URL people reach timebok at (links in messages)"},
	{"port-file", "TIMEBOK_PORT_FILE", K_STR, S(port_file), 0, 0,
	 "write the bound port to this file once listening"},
	{"threads", "TIMEBOK_THREADS", K_INT, I(threads), 1, 64, "HTTP worker threads"},
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
		"show the version");
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
	case K_LISTEN: {
		const char *colon = strrchr(v, ':');
		size_t hl = colon ? (size_t)(colon - v) : 0;
		if (!colon || hl == 0 || hl >= sizeof(cfg->listen_host))
			goto bad;
		n = strtol(colon + 1, &end, 10);
		if (!colon[1] || *end || n < 0 || n > 65535)
			goto bad;
		memcpy(cfg->listen_host, v, hl);
		cfg->listen_host[hl] = '\0';
		cfg->listen_port = (int)n;
		return APP_OK;
	}
	}
bad:
	fprintf(err_out, "timebok: bad value for --%s ('%s'); see --help\n", o->flag, v);
	return APP_EINVAL;
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
			fprintf(out, "timebok %s\n", TIMEBOK_VERSION);
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
	if (strcmp(cfg->password_cost, "min") && strcmp(cfg->password_cost, "interactive") &&
	    strcmp(cfg->password_cost, "moderate")) {
		fprintf(err_out, "timebok: --password-cost is min, interactive or moderate\n");
		return APP_EINVAL;
	}
	if (!cfg->public_url[0])
		snprintf(cfg->public_url, sizeof(cfg->public_url), "http://%s:%d",
			 cfg->listen_host, cfg->listen_port);
	return APP_OK;
}
