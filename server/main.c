/*
 * main.c - process entry: configuration, libsodium, the store, HTTP,
 * signals; the subcommands are in cli.c.
 *
 * SIGINT and SIGTERM are blocked before any thread starts (so every thread
 * inherits the mask) and taken with sigwait() here: shutdown runs in normal
 * context, lets in-flight requests finish, then closes the database.
 *
 * The umask is 077 from the first line on: the database, its WAL, the
 * link key and backups hold patient data and are the owner's only, also
 * when timebok runs outside systemd (whose unit sets UMask=0077 too).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "app.h"
#include "oidc.h"
#include "audit.h"
#include "auth.h"
#include "cli.h"
#include "config.h"
#include "demo.h"
#include "http_server.h"
#include "lazylib.h"
#include "listcache.h"
#include "slotcache.h"
#include "log.h"
#include "messages.h"
#include "metrics.h"
#include "outbox.h"
#include "req.h"
#include "store.h"
#include "throttle.h"
#include "timeutil.h"

#define MALLOC_ARENAS 2

/* The system clock, plus --clock-offset (ctx: the configuration). */
static int64_t wall_clock(void *ctx)
{
	const struct config *cfg = ctx;

	return (int64_t)time(NULL) + (cfg ? cfg->clock_offset : 0);
}

static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void write_port_file(const char *path, int port)
{
	char tmp[600];
	FILE *f;

	/* write then rename, so a reader never sees a half-written file */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(f = fopen(tmp, "w")))
		return;
	fprintf(f, "%d\n", port);
	fclose(f);
	rename(tmp, path);
}

/* One server a database: its caches (lists, free slots, who may see a
 * clinician) are kept while the data generation stands, and that counts
 * only this process's commits, so a second server writing the same file
 * would leave the first one answering from what is no longer true.  An
 * exclusive flock(2) on the database file, taken before anything is read
 * and held until the process ends; the descriptor is never closed before
 * that (closing any descriptor of the file would drop SQLite's own POSIX
 * locks on it).  The CLI (`timebok user`, `backup`) does not take it. */
static int server_lock = -1;

static bool one_server(const char *path)
{
	int fd;

	if (!strcmp(path, ":memory:") || !strncmp(path, "file:", 5))
		return true;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_error("database: cannot open '%s' (%s)", path, strerror(errno));
		return false;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno == EWOULDBLOCK)
			log_error("database: another timebok server is using '%s' (one server a "
				  "database: each keeps caches of what it wrote)",
				  path);
		else
			log_error("database: cannot lock '%s' (%s)", path, strerror(errno));
		close(fd); /* nothing of SQLite's is open on it yet */
		return false;
	}
	server_lock = fd;
	return true;
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct app app = {.cfg = &cfg, .now = wall_clock, .clock_ctx = &cfg};
	struct http_server *srv = NULL, *pub = NULL;
	struct store *db;
	sigset_t sigs;
	bool exit_now;
	char url[128];
	int sig, rc = 1;

	umask(077);
	/* Two malloc arenas, not glibc's one a thread (README "Memory"): the
	 * four HTTP workers, the audit writer and the outbox each kept what
	 * they had freed in an arena of their own, and the peak RSS of the
	 * storm at 1M was the sum of their high-water marks. */
	mallopt(M_ARENA_MAX, MALLOC_ARENAS);
	if (argc > 1 && !strcmp(argv[1], "backup"))
		return cli_backup(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "user"))
		return cli_user(argc, argv);
	if (config_load(&cfg, argc, argv, stdout, stderr, &exit_now))
		return 2;
	if (exit_now)
		return 0;
	log_set_level((enum log_level)cfg.log_level);
	if (timeutil_set_zone(cfg.tz)) {
		log_error("config: unknown time zone '%s'", cfg.tz);
		return 2;
	}
	if (sodium_init() < 0) {
		log_error("libsodium failed to start");
		return 1;
	}
	/* libcurl, libical and cjose are opened at their first use (lazylib.h):
	 * curl_global_init is called then, under lazylib's lock; whether they
	 * can be is known now (a child opens them; before any thread) */
	if (!lazylib_check())
		return 1;
	raise_fd_limit();
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (!one_server(cfg.db_path))
		goto out;
	/* a connection for every HTTP worker of both listeners, and two more */
	if (store_pool_new(cfg.db_path, cfg.threads * (cfg.public_listen_host[0] ? 2 : 1) + 2,
			   cfg.busy_timeout_ms, &app.pool))
		goto out;
	if (!(app.metrics = metrics_new(nroutes)) || auth_new(&cfg, &app.auth) ||
	    audit_new(cfg.db_path, cfg.busy_timeout_ms, &app.audit) ||
	    token_key_load(cfg.key_file, app.link_key) ||
	    messages_new(cfg.template_dir, &app.messages) || !(app.lists = listcache_new()) ||
	    !(app.slots = slotcache_new()) ||
	    oidc_new(&cfg, &app.oidc))
		goto out;
	if (cfg.demo) {
		db = store_pool_get(app.pool);
		enum app_err err = demo_populate(&app, db);
		store_pool_put(app.pool, db);
		if (err) {
			log_error("demo: could not fill the database (%s)", err_code(err));
			goto out;
		}
	}
	if (http_server_listen(&app, false, &srv) ||
	    (cfg.public_listen_host[0] && http_server_listen(&app, true, &pub)))
		goto out;
	if (cfg.public_url_derived) /* a port 0 is known only now */
		snprintf(cfg.public_url, sizeof(cfg.public_url), "http://%s:%d",
			 pub ? cfg.public_listen_host : cfg.listen_host,
			 http_server_port(pub ? pub : srv));
	config_staff_url(&cfg, http_server_port(srv));
	if (outbox_new(&app, &app.outbox) || http_server_start(srv) ||
	    (pub && http_server_start(pub)))
		goto out;
	if (pub && cfg.public_port_file[0])
		write_port_file(cfg.public_port_file, http_server_port(pub));
	if (cfg.port_file[0])
		write_port_file(cfg.port_file, http_server_port(srv));
	/* the access log is buffered from here: every 100 ms, and at the stop */
	if (!log_access_start(100))
		log_warn("log: the access log is written a line at a time");
	config_http_url(url, sizeof(url), cfg.listen_host, http_server_port(srv));
	log_info("timebok listening on %s (zone %s, database %s)", url, cfg.tz, cfg.db_path);
	if (pub) {
		config_http_url(url, sizeof(url), cfg.public_listen_host, http_server_port(pub));
		log_info("public listener on %s (patient and guest links, calendar feeds, /healthz)",
			 url);
	}
	sigwait(&sigs, &sig);
	log_info("signal %d: finishing requests and stopping", sig);
	http_server_stop(pub, 10000);
	http_server_stop(srv, 10000);
	srv = pub = NULL;
	rc = 0;
out:
	http_server_stop(pub, 0); /* NULL-safe; set when start-up failed after it */
	http_server_stop(srv, 0);
	log_access_stop(); /* every request's line written */
	throttle_free(app.token_misses);
	throttle_free(app.link_answers);
	outbox_free(app.outbox);  /* a send under way finishes */
	messages_free(app.messages);
	oidc_free(app.oidc);
	audit_free(app.audit); /* writes the reads still queued */
	auth_free(app.auth);
	metrics_free(app.metrics);
	listcache_free(app.lists);
	slotcache_free(app.slots);
	store_pool_free(app.pool);
	if (server_lock >= 0)
		close(server_lock); /* every connection of SQLite's is closed */
	sodium_memzero(app.link_key, sizeof(app.link_key));
	lazylib_free(); /* curl_global_cleanup, if libcurl was opened */
	return rc;
}
