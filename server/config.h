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
	char public_url[256];    /* absolute base for links sent to people */
	char port_file[512];     /* written with the bound port once listening */
	int threads;             /* HTTP worker threads */
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
};

/* Fill cfg from defaults, then the environment, then argv.  Prints help or
 * version to out and sets *exit_now for --help/--version.  APP_EINVAL with a
 * message on err_out for bad options or values. */
enum app_err config_load(struct config *cfg, int argc, char **argv, FILE *out, FILE *err_out,
			 bool *exit_now) WARN_UNUSED;

/* Defaults only (for tests and subcommands). */
void config_defaults(struct config *cfg);

#endif
