/*
 * test_auth.c - passwords, sessions (expiry on the fake clock), CSRF,
 * throttling and the append-only audit log, against an in-memory database.
 */
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "auth.h"
#include "check_main.h"
#include "config.h"
#include "store.h"
#include "store_users.h"

static struct config cfg;
static struct app app;
static struct store *db;
static int64_t clock_now;

static int64_t fake_clock(void *ctx)
{
	(void)ctx;
	return clock_now;
}

static void setup(void)
{
	static int n;
	char name[64];
	struct user u = {.role = ROLE_SECRETARY, .active = true};

	config_defaults(&cfg);
	strcpy(cfg.password_cost, "min");
	app = (struct app){.cfg = &cfg, .now = fake_clock};
	clock_now = 1795420800;
	ck_assert_int_eq(auth_new(&cfg, &app.auth), APP_OK);
	snprintf(name, sizeof(name), "file:/auth%d?vfs=memdb", ++n);
	ck_assert_int_eq(store_open(name, 1000, &db), APP_OK);
	ck_assert_int_eq(store_migrate(db), APP_OK);
	strcpy(u.username, "kari");
	ck_assert_int_eq(auth_hash(app.auth, "a long enough secret", u.password_hash), APP_OK);
	ck_assert_int_eq(store_users_insert(db, &u, clock_now), APP_OK);
}

static void teardown(void)
{
	store_free(db);
	auth_free(app.auth);
}

/* The session cache needs a file: a WAL database beside its accounts
 * generation (store_accounts_generation). */
static char dir[64], path[128];

static void setup_file(void)
{
	struct user u = {.role = ROLE_SECRETARY, .active = true};
	uint64_t gen;

	config_defaults(&cfg);
	strcpy(cfg.password_cost, "min");
	app = (struct app){.cfg = &cfg, .now = fake_clock};
	clock_now = 1795420800;
	ck_assert_int_eq(auth_new(&cfg, &app.auth), APP_OK);
	strcpy(dir, "/tmp/timebok-auth-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	ck_assert_int_eq(store_open(path, 5000, &db), APP_OK);
	ck_assert_int_eq(store_migrate(db), APP_OK);
	ck_assert(store_accounts_generation(db, &gen));
	strcpy(u.username, "kari");
	ck_assert_int_eq(auth_hash(app.auth, "a long enough secret", u.password_hash), APP_OK);
	ck_assert_int_eq(store_users_insert(db, &u, clock_now), APP_OK);
}

static void teardown_file(void)
{
	static const char *const ends[] = {"", "-wal", "-shm", "-accounts"};
	char name[160];

	store_free(db);
	auth_free(app.auth);
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		snprintf(name, sizeof(name), "%s%s", path, ends[i]);
		unlink(name);
	}
	rmdir(dir);
}

/* The session's last_seen in the database. */
static int64_t last_seen(void)
{
	int64_t v;

	ck_assert_int_eq(store_scalar(db, "SELECT max(last_seen) FROM sessions", 0, 0, 0, &v),
			 APP_OK);
	return v;
}

static enum app_err login(const char *user, const char *pw, const char *ip, char *token, int *retry)
{
	struct actor who;
	return auth_login(&app, db, user, pw, ip, clock_now, &who, token, retry);
}

START_TEST(password_rules)
{
	ck_assert_ptr_nonnull(auth_password_rule("short"));
	ck_assert_ptr_nonnull(auth_password_rule("elevenchars"));
	ck_assert_ptr_null(auth_password_rule("twelve chars"));
	/* characters, not bytes: 11 letters æ are 22 bytes */
	ck_assert_ptr_nonnull(auth_password_rule("æææææææææææ"));
	ck_assert_ptr_null(auth_password_rule("ææææææææææææ"));
}
END_TEST

START_TEST(login_and_session_expiry)
{
	char token[AUTH_TOKEN_LEN + 1], again[AUTH_TOKEN_LEN + 1], cookie[128], hash[200];
	struct actor who = {0};
	int retry;
	int64_t n;

	ck_assert_int_eq(login("KARI", "a long enough secret", "10.0.0.1", token, &retry), APP_OK);
	ck_assert_int_eq(strlen(token), AUTH_TOKEN_LEN);
	/* only a hash of the session id is stored */
	snprintf(hash, sizeof(hash), "SELECT count(*) FROM sessions WHERE id_hash = '%s'", token);
	ck_assert_int_eq(store_scalar(db, hash, 0, 0, 0, &n), APP_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(store_scalar(db, "SELECT count(*) FROM sessions", 0, 0, 0, &n), APP_OK);
	ck_assert_int_eq(n, 1);
	/* a new id on every login */
	ck_assert_int_eq(login("kari", "a long enough secret", "10.0.0.1", again, &retry), APP_OK);
	ck_assert_str_ne(token, again);

	snprintf(cookie, sizeof(cookie), "other=1; %s=%s", AUTH_COOKIE, token);
	clock_now += 29 * 60;
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, again), APP_OK);
	ck_assert_str_eq(who.username, "kari");
	ck_assert_int_eq(who.role, ROLE_SECRETARY);
	/* idle: 31 minutes after the last request */
	clock_now += 31 * 60;
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, again), APP_EUNAUTH);
	/* and the expired session is gone for good */
	clock_now -= 31 * 60;
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, again), APP_EUNAUTH);
}
END_TEST

START_TEST(absolute_timeout)
{
	char token[AUTH_TOKEN_LEN + 1], out[AUTH_TOKEN_LEN + 1], cookie[128];
	struct actor who = {0};
	int retry;

	ck_assert_int_eq(login("kari", "a long enough secret", "10.0.0.1", token, &retry), APP_OK);
	snprintf(cookie, sizeof(cookie), "%s=%s", AUTH_COOKIE, token);
	for (int i = 0; i < 12 * 3 - 1; i++) { /* busy every 20 minutes for 11h40 */
		clock_now += 20 * 60;
		ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_OK);
	}
	clock_now += 21 * 60;
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_EUNAUTH);
	ck_assert_int_eq(auth_session(&app, db, "timebok_session=short", clock_now, &who, out),
			 APP_EUNAUTH);
	ck_assert_int_eq(auth_session(&app, db, NULL, clock_now, &who, out), APP_EUNAUTH);
}
END_TEST

START_TEST(throttling)
{
	char token[AUTH_TOKEN_LEN + 1];
	int retry = 0, last = 0;

	/* unknown user and wrong password: the same answer */
	ck_assert_int_eq(login("nobody", "whatever it is", "10.0.0.1", token, &retry), APP_EUNAUTH);
	for (int i = 0; i < AUTH_FREE_ACCOUNT; i++)
		ck_assert_int_eq(login("kari", "wrong password!", "10.0.0.2", token, &retry),
				 APP_EUNAUTH);
	/* that address is slowed down on that account, even with the right
	 * password, by a delay that grows with each failure */
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(login("kari", "a long enough secret", "10.0.0.2", token, &retry),
				 APP_ERATE);
		/* at least the delay after the refusal: the failure counts from
		 * when the hash was done (a second on, rounded up) and the wait
		 * to the second after it */
		ck_assert_int_ge(retry, (1 << i) + 1);
		ck_assert_int_le(retry, (1 << i) + 2);
		ck_assert_int_gt(retry, last);
		last = retry;
		clock_now += retry;
		ck_assert_int_eq(login("kari", "wrong password!", "10.0.0.2", token, &retry),
				 APP_EUNAUTH);
	}
	/* no account is locked: another address logs in at once */
	ck_assert_int_eq(login("kari", "a long enough secret", "10.0.0.3", token, &retry), APP_OK);
	ck_assert_int_eq(login("kari", "a long enough secret", "10.0.0.2", token, &retry), APP_ERATE);
	ck_assert_int_le(retry, AUTH_FAIL_WINDOW);
	clock_now += AUTH_FAIL_WINDOW + 1;
	ck_assert_int_eq(login("kari", "a long enough secret", "10.0.0.2", token, &retry), APP_OK);

	/* per address: many names from one address */
	for (int i = 0; i < AUTH_FREE_ADDRESS; i++) {
		char name[32];
		snprintf(name, sizeof(name), "guess%d", i);
		ck_assert_int_eq(login(name, "whatever it is", "10.9.9.9", token, &retry), APP_EUNAUTH);
	}
	ck_assert_int_eq(login("kari", "a long enough secret", "10.9.9.9", token, &retry), APP_ERATE);
	ck_assert_int_eq(login("kari", "a long enough secret", "10.0.0.4", token, &retry), APP_OK);
}
END_TEST

START_TEST(rehash_on_login)
{
	char token[AUTH_TOKEN_LEN + 1], first[AUTH_TOKEN_LEN + 1], out[AUTH_TOKEN_LEN + 1];
	char cookie[128];
	struct actor who = {0};
	struct user u;
	int retry;

	ck_assert_int_eq(login("kari", "a long enough secret", "10.0.0.1", first, &retry), APP_OK);
	auth_free(app.auth);
	strcpy(cfg.password_cost, "interactive");
	ck_assert_int_eq(auth_new(&cfg, &app.auth), APP_OK);
	ck_assert_int_eq(login("kari", "a long enough secret", "10.0.0.1", token, &retry), APP_OK);
	ck_assert_int_eq(store_users_by_name(db, "kari", &u), APP_OK);
	ck_assert_ptr_nonnull(strstr(u.password_hash, "$argon2id$"));
	ck_assert_ptr_nonnull(strstr(u.password_hash, "m=65536")); /* interactive: 64 MiB */
	/* the same password: the session from before the stronger hash goes on */
	snprintf(cookie, sizeof(cookie), "%s=%s", AUTH_COOKIE, first);
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_OK);
	ck_assert_int_eq(login("kari", "a long enough secret", "10.0.0.1", token, &retry), APP_OK);
}
END_TEST

START_TEST(disabled_accounts)
{
	char token[AUTH_TOKEN_LEN + 1], out[AUTH_TOKEN_LEN + 1], cookie[128];
	struct actor who = {0};
	struct user u;
	int retry;

	ck_assert_int_eq(login("kari", "a long enough secret", "10.0.0.1", token, &retry), APP_OK);
	snprintf(cookie, sizeof(cookie), "%s=%s", AUTH_COOKIE, token);
	ck_assert_int_eq(store_users_by_name(db, "kari", &u), APP_OK);
	u.active = false;
	ck_assert_int_eq(store_users_update(db, &u, clock_now), APP_OK);
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_EUNAUTH);
	ck_assert_int_eq(login("kari", "a long enough secret", "10.0.0.1", token, &retry),
			 APP_EUNAUTH);
}
END_TEST

START_TEST(csrf)
{
	const char *token = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	char good[AUTH_CSRF_LEN + 1], other[AUTH_CSRF_LEN + 1];

	auth_csrf(token, good);
	auth_csrf("BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", other);
	ck_assert_str_ne(good, other);
	ck_assert(auth_csrf_ok(token, good, NULL, "x:1", NULL));
	ck_assert(auth_csrf_ok(token, good, "http://x:1", "x:1", NULL));
	ck_assert(auth_csrf_ok(token, good, "https://t.example", "127.0.0.1:8080", "https://t.example"));
	ck_assert(!auth_csrf_ok(token, good, "https://evil.example", "x:1", NULL));
	ck_assert(!auth_csrf_ok(token, other, NULL, "x:1", NULL));
	ck_assert(!auth_csrf_ok(token, NULL, NULL, "x:1", NULL));
	ck_assert(!auth_csrf_ok(token, "", NULL, "x:1", NULL));
}
END_TEST

START_TEST(audit_is_append_only)
{
	struct audit_row r = {.at = 1, .patient_id = 1};

	strcpy(r.username, "kari");
	strcpy(r.role, "secretary");
	strcpy(r.action, "patient.read");
	strcpy(r.client_ip, "10.0.0.1");
	ck_assert_int_eq(store_users_audit_add(db, &r), APP_OK);
	ck_assert_int_eq(store_exec(db, "UPDATE audit_log SET username = 'x'"), APP_ESTORE);
	ck_assert_int_eq(store_exec(db, "DELETE FROM audit_log"), APP_ESTORE);
}
END_TEST

/* A session answered from memory times out as one read from the database:
 * idle and absolute, and its last_seen is written once a minute. */
START_TEST(cached_sessions_time_out)
{
	char token[AUTH_TOKEN_LEN + 1], out[AUTH_TOKEN_LEN + 1], cookie[128];
	struct actor who = {0};
	unsigned long hits, misses, hits0;
	int retry;

	ck_assert_int_eq(login("kari", "a long enough secret", "10.0.0.1", token, &retry), APP_OK);
	snprintf(cookie, sizeof(cookie), "%s=%s", AUTH_COOKIE, token);
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_OK);
	auth_session_counts(app.auth, &hits0, &misses);
	ck_assert_uint_eq(misses, 1);
	/* within a minute: from memory, nothing written */
	clock_now += 59;
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_OK);
	ck_assert_str_eq(who.username, "kari");
	ck_assert_int_eq(who.role, ROLE_SECRETARY);
	ck_assert_int_eq(last_seen(), clock_now - 59);
	/* a minute on: read again from the database, and last_seen written */
	clock_now += 1;
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_OK);
	ck_assert_int_eq(last_seen(), clock_now);
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now + 1, &who, out), APP_OK);
	/* idle for 29 minutes since: fine; 31 minutes after that: ended */
	clock_now += 29 * 60;
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_OK);
	auth_session_counts(app.auth, &hits, &misses);
	ck_assert_uint_eq(hits, hits0 + 2); /* at 59 s and at 61 s */
	ck_assert_uint_eq(misses, 3);
	clock_now += 31 * 60;
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_EUNAUTH);
	ck_assert_int_eq(last_seen(), 0); /* deleted */
	clock_now -= 31 * 60;
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_EUNAUTH);

	/* absolute: busy every 20 minutes, from memory, for 11h40; then ended */
	ck_assert_int_eq(login("kari", "a long enough secret", "10.0.0.1", token, &retry), APP_OK);
	snprintf(cookie, sizeof(cookie), "%s=%s", AUTH_COOKIE, token);
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_OK);
	auth_session_counts(app.auth, &hits0, &misses);
	for (int i = 0; i < 12 * 3 - 1; i++) {
		clock_now += 20 * 60;
		ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_OK);
	}
	auth_session_counts(app.auth, &hits, &misses);
	ck_assert_uint_eq(hits, hits0); /* each 20 minutes on: last_seen due, read again */
	clock_now += 21 * 60;
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_EUNAUTH);
}
END_TEST

/* A change that never bumped the accounts generation (written by a
 * connection that does not map it: a process killed between its commit and
 * the bump looks the same) is seen within a minute: an entry serves only
 * until last_seen is due, and then the session is read again. */
START_TEST(an_entry_serves_a_minute_at_most)
{
	char token[AUTH_TOKEN_LEN + 1], out[AUTH_TOKEN_LEN + 1], cookie[128];
	struct actor who = {0};
	sqlite3 *raw;
	int retry;

	ck_assert_int_eq(login("kari", "a long enough secret", "10.0.0.1", token, &retry), APP_OK);
	snprintf(cookie, sizeof(cookie), "%s=%s", AUTH_COOKIE, token);
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_OK);
	ck_assert_int_eq(sqlite3_open(path, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw, "UPDATE users SET active = 0", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	clock_now += 59; /* the cache has not heard of it */
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_OK);
	clock_now += 1;
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_EUNAUTH);
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_EUNAUTH);
}
END_TEST

/* The accounts generation file cut short, deleted, replaced or set back
 * (a copy written over it) is never trusted again: no session is answered
 * from memory (and nothing crashes: it is not mapped), every request reads
 * the database, and a session the database refused stays refused whatever
 * number comes back. */
static void doubt_with(int how)
{
	char token[AUTH_TOKEN_LEN + 1], out[AUTH_TOKEN_LEN + 1], cookie[128], name[160];
	unsigned long hits0, hits, misses;
	struct actor who = {0};
	struct user u;
	uint64_t gen, old;
	int retry, fd;

	snprintf(name, sizeof(name), "%s-accounts", path);
	ck_assert_int_eq(login("kari", "a long enough secret", "10.0.0.1", token, &retry), APP_OK);
	snprintf(cookie, sizeof(cookie), "%s=%s", AUTH_COOKIE, token);
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_OK);
	ck_assert(store_accounts_generation(db, &old));
	ck_assert_int_eq(store_users_by_name(db, "kari", &u), APP_OK);
	u.active = false;
	ck_assert_int_eq(store_users_update(db, &u, clock_now), APP_OK);
	ck_assert(store_accounts_generation(db, &gen));
	ck_assert_uint_gt(gen, old);
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_EUNAUTH);
	if (how == 0) { /* set back: the number the entry was read at */
		fd = open(name, O_WRONLY);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(pwrite(fd, &old, sizeof(old), 0), (ssize_t)sizeof(old));
		close(fd);
	} else if (how == 1) { /* cut short */
		ck_assert_int_eq(truncate(name, 0), 0);
	} else { /* deleted, then made again by another process */
		ck_assert_int_eq(unlink(name), 0);
		fd = open(name, O_WRONLY | O_CREAT, 0600);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(pwrite(fd, &old, sizeof(old), 0), (ssize_t)sizeof(old));
		close(fd);
	}
	nanosleep(&(struct timespec){.tv_nsec = 2000000}, NULL); /* another process's: read in 1 ms */
	ck_assert(!store_accounts_generation(db, &gen));
	auth_session_counts(app.auth, &hits0, &misses);
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_EUNAUTH);
	/* enabled again: a new login works, from the database each time */
	u.active = true;
	ck_assert_int_eq(store_users_update(db, &u, clock_now), APP_OK);
	ck_assert_int_eq(login("kari", "a long enough secret", "10.0.0.1", token, &retry), APP_OK);
	snprintf(cookie, sizeof(cookie), "%s=%s", AUTH_COOKIE, token);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_OK);
	auth_session_counts(app.auth, &hits, &misses);
	ck_assert_uint_eq(hits, hits0);
	ck_assert(!store_accounts_generation(db, &gen));
}

/* A read of the generation serves 1 ms (a request's pread and fstat were
 * a sixth of a poll's CPU): another process's bump is heard within it,
 * this process's own at once. */
START_TEST(another_process_is_heard_within_a_millisecond)
{
	char name[160];
	struct user u;
	uint64_t g0, g1, g2;
	int fd;

	snprintf(name, sizeof(name), "%s-accounts", path);
	ck_assert(store_accounts_generation(db, &g0));
	g1 = g0 + 5; /* the CLI's bumps */
	fd = open(name, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, &g1, sizeof(g1), 0), (ssize_t)sizeof(g1));
	close(fd);
	nanosleep(&(struct timespec){.tv_nsec = 2000000}, NULL);
	ck_assert(store_accounts_generation(db, &g2));
	ck_assert_uint_eq(g2, g1);
	/* read just now, and a change of this process's own: seen at once */
	ck_assert(store_accounts_generation(db, &g2));
	ck_assert_int_eq(store_users_by_name(db, "kari", &u), APP_OK);
	u.active = false;
	ck_assert_int_eq(store_users_update(db, &u, clock_now), APP_OK);
	ck_assert(store_accounts_generation(db, &g2));
	ck_assert_uint_eq(g2, g1 + 1);
}
END_TEST

START_TEST(a_generation_set_back_is_not_trusted)
{
	doubt_with(0);
}
END_TEST

START_TEST(a_generation_cut_short_is_not_trusted)
{
	doubt_with(1);
}
END_TEST

START_TEST(a_generation_replaced_is_not_trusted)
{
	doubt_with(2);
}
END_TEST

/* A session looks idle to this process's cache while another process (its
 * own cache, or none) kept it in use: the database decides, the session
 * goes on. */
START_TEST(an_apparent_timeout_is_read_again)
{
	char token[AUTH_TOKEN_LEN + 1], out[AUTH_TOKEN_LEN + 1], cookie[128], hash[65];
	struct actor who = {0};
	int retry;

	ck_assert_int_eq(login("kari", "a long enough secret", "10.0.0.1", token, &retry), APP_OK);
	snprintf(cookie, sizeof(cookie), "%s=%s", AUTH_COOKIE, token);
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_OK);
	clock_now += 20 * 60;
	token_hash(token, hash);
	ck_assert_int_eq(store_users_session_touch(db, hash, clock_now), APP_OK); /* elsewhere */
	clock_now += 20 * 60;
	ck_assert_int_eq(auth_session(&app, db, cookie, clock_now, &who, out), APP_OK);
	ck_assert_int_eq(last_seen(), clock_now);
}
END_TEST

/* Threads answer a session from the cache while the account is disabled:
 * no request that starts after the change returns is let in. */
#define RACERS 4
static atomic_bool disabled, stop;
static atomic_int late_admissions, admitted;
static char race_cookie[128];

static void *racer(void *arg)
{
	char out[AUTH_TOKEN_LEN + 1];
	struct store *mine;
	struct actor who;

	(void)arg;
	if (store_open(path, 5000, &mine)) {
		atomic_fetch_add(&late_admissions, 1000); /* fails the test */
		return NULL;
	}
	while (!atomic_load(&stop)) {
		bool after = atomic_load(&disabled);
		enum app_err err;

		memset(&who, 0, sizeof(who));
		err = auth_session(&app, mine, race_cookie, clock_now, &who, out);
		if (err == APP_OK) {
			atomic_fetch_add(&admitted, 1);
			if (after)
				atomic_fetch_add(&late_admissions, 1);
		}
	}
	store_free(mine);
	return NULL;
}

START_TEST(disabling_races_cached_sessions)
{
	char token[AUTH_TOKEN_LEN + 1];
	pthread_t t[RACERS];
	struct user u;
	int retry;

	ck_assert_int_eq(login("kari", "a long enough secret", "10.0.0.1", token, &retry), APP_OK);
	snprintf(race_cookie, sizeof(race_cookie), "%s=%s", AUTH_COOKIE, token);
	atomic_store(&disabled, false);
	atomic_store(&stop, false);
	atomic_store(&admitted, 0);
	atomic_store(&late_admissions, 0);
	for (int i = 0; i < RACERS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, racer, NULL), 0);
	while (atomic_load(&admitted) < 200)
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	ck_assert_int_eq(store_users_by_name(db, "kari", &u), APP_OK);
	u.active = false;
	ck_assert_int_eq(store_users_update(db, &u, clock_now), APP_OK);
	atomic_store(&disabled, true);
	nanosleep(&(struct timespec){.tv_nsec = 50000000}, NULL);
	atomic_store(&stop, true);
	for (int i = 0; i < RACERS; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(atomic_load(&late_admissions), 0);
	/* threads reading while the number grew never took it for set back
	 * (a read older than another thread's newer number once did) */
	{
		uint64_t gen;
		ck_assert(store_accounts_generation(db, &gen));
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = tcase_create("auth");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, password_rules);
	tcase_add_test(tc, login_and_session_expiry);
	tcase_add_test(tc, absolute_timeout);
	tcase_add_test(tc, throttling);
	tcase_add_test(tc, rehash_on_login);
	tcase_add_test(tc, disabled_accounts);
	tcase_add_test(tc, csrf);
	tcase_add_test(tc, audit_is_append_only);
	suite_add_tcase(s, tc);
	tc = tcase_create("cache");
	tcase_add_checked_fixture(tc, setup_file, teardown_file);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, cached_sessions_time_out);
	tcase_add_test(tc, an_entry_serves_a_minute_at_most);
	tcase_add_test(tc, another_process_is_heard_within_a_millisecond);
	tcase_add_test(tc, a_generation_set_back_is_not_trusted);
	tcase_add_test(tc, a_generation_cut_short_is_not_trusted);
	tcase_add_test(tc, a_generation_replaced_is_not_trusted);
	tcase_add_test(tc, an_apparent_timeout_is_read_again);
	tcase_add_test(tc, disabling_races_cached_sessions);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
