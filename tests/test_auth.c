/*
 * test_auth.c - passwords, sessions (expiry on the fake clock), CSRF,
 * throttling and the append-only audit log, against an in-memory database.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

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
	char token[AUTH_TOKEN_LEN + 1];
	struct user u;
	int retry;

	auth_free(app.auth);
	strcpy(cfg.password_cost, "interactive");
	ck_assert_int_eq(auth_new(&cfg, &app.auth), APP_OK);
	ck_assert_int_eq(login("kari", "a long enough secret", "10.0.0.1", token, &retry), APP_OK);
	ck_assert_int_eq(store_users_by_name(db, "kari", &u), APP_OK);
	ck_assert_ptr_nonnull(strstr(u.password_hash, "$argon2id$"));
	ck_assert_ptr_nonnull(strstr(u.password_hash, "m=65536")); /* interactive: 64 MiB */
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
	return s;
}

TEST_MAIN(suite)
