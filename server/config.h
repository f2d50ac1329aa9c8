/*
 * config.h - the service's settings: defaults < environment < command line.
 *
 * Every option has a long flag and a TIMEBOK_* environment variable, listed
 * in one table in config.c that also produces --help.  The result is
 * validated once, in config_load(); the rest of the program trusts it.
 */
#ifndef TIMEBOK_CONFIG_H
#define TIMEBOK_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "err.h"

struct config {
	char db_path[512];
	char listen_host[64];
	int listen_port;         /* 0 picks a free port */
	char tz[64];
	char static_dir[512];
	char video_url_template[512];
	char video_host_url_template[512]; /* "": hosts use the guests' link */
	char public_url[256];    /* absolute base for links sent to people */
	bool public_url_derived; /* not configured: made from --listen */
	char staff_url[256];     /* absolute base of the staff app (feed events link there) */
	bool staff_url_derived;  /* not configured: --public-url, or the staff listener */
	char port_file[512];     /* written with the bound port once listening */
	char public_listen_host[64]; /* "": no public listener */
	int public_listen_port;
	char public_port_file[512]; /* the public listener's bound port */
	char host_names[512];    /* other names in Host headers (NAME,NAME), e.g. the staff site's */
	char trusted_proxy[512]; /* peers whose X-Forwarded-For is believed (ADDR,ADDR) */
	char metrics_token[128]; /* "": /metrics needs no bearer token */
	int threads;             /* HTTP worker threads */
	int clock_offset;        /* seconds added to the wall clock (tests, drills) */
	int max_connections;
	int per_ip_connections;  /* 0 = no per-address limit (behind a proxy) */
	int timeout_s;           /* idle connection timeout */
	int busy_timeout_ms;     /* SQLite busy timeout */
	int log_level;
	char password_cost[16];  /* argon2id cost: min, interactive, moderate */
	int session_idle_min;
	int session_max_hours;
	bool secure_cookies;     /* behind TLS: mark the session cookie Secure */
	bool demo;               /* fill an empty database with demo data */
	bool bench;              /* enable the /bench/hello denominator */

	/* patient links and messages */
	char key_file[520];      /* the key that seals link tokens ("" = DB path + .key) */
	char clinic_name[128];   /* who the messages and the patient page speak for */
	int link_days;           /* links expire this many days after the appointment */
	int survey_days;         /* survey and PROM links expire this many days after sending */
	int reminder_hours;      /* remind this long before (0: no reminders) */
	int cancel_notice_hours; /* the clinic's cancellation notice, stated to patients */
	int emission_g_per_km;   /* CO2 of patients' travel, for the statistics' estimate */
	int unanswered_hours;    /* an invitation unanswered this close to the start needs a secretary */
	int video_max_participants; /* the video platform's limit per meeting */
	char template_dir[512];  /* message texts (<lang>.txt); "" = the built-in ones */
	char email_channel[16];  /* file | smtp */
	char sms_channel[16];    /* file | sms-webhook */
	char spool_dir[520];     /* the file channel's folder ("" = DB path + .outbox) */
	int delivery_attempts;   /* attempts before a message is marked failed */
	int retry_base_s;        /* first retry after this; doubles each time */
	char smtp_url[256];      /* smtp://host:587 or smtps://host:465 */
	char smtp_user[128];
	char smtp_password[256];
	char smtp_tls[16];       /* required | none (a local relay only) */
	char mail_from[256];     /* the sender address of e-mail */
	char sms_webhook_url[256];
	char sms_webhook_token[256];
	char sms_webhook_template[1024]; /* JSON with {to} {body} {id} {sender} */
	char sms_sender[32];

	/* single sign-on with OpenID Connect (oidc.h); "" issuer: off */
	char oidc_issuer[256];
	char oidc_client_id[256];
	char oidc_client_secret_file[512]; /* or TIMEBOK_OIDC_CLIENT_SECRET (oidc.c) */
	char oidc_client_key_file[512];    /* a private JWK: private_key_jwt */
	char oidc_alg[16];                 /* RS256 | ES256 | PS256 */
	char oidc_roles_claim[64];         /* a mapping's claim by default */
	bool oidc_only;                    /* password login for admins alone */
};

/* Fill cfg from defaults, then the environment, then argv.  Prints help or
 * version to out and sets *exit_now for --help/--version.  APP_EINVAL with a
 * message on err_out for bad options or values. */
enum app_err config_load(struct config *cfg, int argc, char **argv, FILE *out, FILE *err_out,
			 bool *exit_now) WARN_UNUSED;

/* Defaults only (for tests and subcommands). */
void config_defaults(struct config *cfg);

/* "http://host:port" into out (cap bytes), an IPv6 host in brackets. */
void config_http_url(char *out, size_t cap, const char *host, int port);

/* Derive cfg->staff_url when it was not configured, with the staff
 * listener's port staff_port (known once it listens). */
void config_staff_url(struct config *cfg, int staff_port);

#endif
