/*
 * cli.c - account bootstrap and backups from the command line.
 *
 *   timebok user add --db PATH --username NAME --role admin|secretary|clinician|manager
 *                    [--clinician-id N] [--unit-id N]... [--password-cost C]
 *   timebok user passwd --db PATH --username NAME
 *   timebok user disable --db PATH --username NAME
 *   timebok user list --db PATH
 *   timebok backup --db PATH --out FILE
 *
 * Passwords are read from standard input (one line; not echoed on a
 * terminal), never from the command line, where other users could see them.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "auth.h"
#include "config.h"
#include "params.h"
#include "store.h"
#include "store_resource.h"
#include "store_users.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: timebok user add --db PATH --username NAME --role admin|secretary|clinician|manager\n"
		"                        [--clinician-id N] [--unit-id N]... (password on stdin)\n"
		"       timebok user passwd --db PATH --username NAME (password on stdin)\n"
		"       timebok user disable --db PATH --username NAME\n"
		"       timebok user list --db PATH\n");
	return 2;
}

static bool read_password(char *out, size_t cap)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	size_t n;

	if (tty) {
		fprintf(stderr, "password: ");
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (!fgets(out, (int)cap, stdin))
		out[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fprintf(stderr, "\n");
	}
	n = strcspn(out, "\r\n");
	out[n] = '\0';
	return n > 0;
}

static bool print_user(void *ctx, const struct user *u)
{
	(void)ctx;
	printf("%-24s %-10s %-8s", u->username, actor_role_name(u->role),
	       u->active ? "active" : "disabled");
	if (u->clinician_id)
		printf(" clinician=%lld", (long long)u->clinician_id);
	for (int i = 0; i < u->nunits; i++)
		printf("%s%lld", i ? "," : " units=", (long long)u->unit_ids[i]);
	printf("\n");
	return true;
}

/* Whether every --unit-id names a unit (an empty or bad one was refused by
 * the option loop: no list means all units, never an empty one). */
static bool units_exist(struct store *db, const struct user *u)
{
	bool exists, active;

	for (int i = 0; i < u->nunits; i++)
		if (store_resource_ref(db, "units", u->unit_ids[i], &exists, &active) || !exists) {
			fprintf(stderr, "timebok: there is no unit %lld\n", (long long)u->unit_ids[i]);
			return false;
		}
	return true;
}

int cli_user(int argc, char **argv)
{
	const char *verb = argc > 2 ? argv[2] : "", *db_path = "./timebok.db", *name = NULL;
	struct config cfg;
	struct user u = {.active = true};
	struct store *db = NULL;
	struct auth *auth = NULL;
	char pw[1100];
	const char *why = NULL;
	enum app_err err = APP_EINVAL;
	int64_t now = (int64_t)time(NULL);

	config_defaults(&cfg);
	for (int i = 3; i < argc; i += 2) { /* option, value */
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			return usage();
		if (!strcmp(a, "--db"))
			db_path = v;
		else if (!strcmp(a, "--username"))
			name = v;
		else if (!strcmp(a, "--role"))
			u.role = actor_role_parse(v);
		else if (!strcmp(a, "--clinician-id"))
			u.clinician_id = atoll(v);
		else if (!strcmp(a, "--unit-id") && u.nunits < ACTOR_MAX_UNITS &&
			 params_parse_id(v, &u.unit_ids[u.nunits]))
			u.nunits++;
		else if (!strcmp(a, "--password-cost"))
			snprintf(cfg.password_cost, sizeof(cfg.password_cost), "%s", v);
		else
			return usage();
	}
	if (sodium_init() < 0 || store_open(db_path, 10000, &db) || store_migrate(db))
		goto out;
	if (!strcmp(verb, "list")) {
		err = store_users_list(db, print_user, NULL);
		goto out;
	}
	if (!name || (strcmp(verb, "add") && strcmp(verb, "passwd") && strcmp(verb, "disable"))) {
		store_free(db);
		return usage();
	}
	if (!strcmp(verb, "add")) {
		if (u.role == ROLE_NONE || (u.role == ROLE_CLINICIAN) != (u.clinician_id > 0)) {
			fprintf(stderr, "timebok: --role is admin, secretary, clinician or manager; a "
					"clinician needs --clinician-id, the others none\n");
			goto out;
		}
		if (!units_exist(db, &u))
			goto out;
		snprintf(u.username, sizeof(u.username), "%s", name);
	} else if ((err = store_users_by_name(db, name, &u))) {
		fprintf(stderr, "timebok: there is no user '%s'\n", name);
		goto out;
	}
	if (!strcmp(verb, "disable")) {
		u.active = false;
		err = store_users_update(db, &u, now);
		goto out;
	}
	err = APP_EINVAL;
	if (!read_password(pw, sizeof(pw)) || (why = auth_password_rule(pw))) {
		fprintf(stderr, "timebok: the password %s\n", why ? why : "is empty");
		goto out;
	}
	if ((err = auth_new(&cfg, &auth)) || (err = auth_hash(auth, pw, u.password_hash)))
		goto out;
	sodium_memzero(pw, sizeof(pw));
	u.active = true;
	err = !strcmp(verb, "add") ? store_users_insert(db, &u, now) : store_users_update(db, &u, now);
	if (err == APP_EDUPLICATE)
		fprintf(stderr, "timebok: the username '%s' is taken\n", name);
	else if (err == APP_ESTORE && u.role == ROLE_CLINICIAN)
		fprintf(stderr, "timebok: is there a clinician %lld?\n", (long long)u.clinician_id);
out:
	sodium_memzero(pw, sizeof(pw));
	auth_free(auth);
	store_free(db);
	if (!err && strcmp(verb, "list"))
		fprintf(stderr, "timebok: user '%s': done\n", name);
	else if (err)
		fprintf(stderr, "timebok: user %s failed (%s)\n", verb, err_code(err));
	return err ? 1 : 0;
}

int cli_backup(int argc, char **argv)
{
	const char *db = "./timebok.db", *dest = NULL;
	struct store *s = NULL;
	int rc = 1;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			dest = argv[++i];
		else
			dest = NULL, i = argc;
	}
	if (!dest) {
		fprintf(stderr, "usage: timebok backup --db PATH --out FILE\n");
		return 2;
	}
	/* the copy holds patient data: the owner's only (main sets umask 077
	 * too; this also covers a file that existed with wider modes) */
	if (store_open(db, 10000, &s) == APP_OK && store_backup(s, dest) == APP_OK &&
	    chmod(dest, 0600) == 0) {
		fprintf(stderr, "timebok: backup written to %s\n", dest);
		rc = 0;
	}
	store_free(s);
	return rc;
}
