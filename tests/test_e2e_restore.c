/*
 * test_e2e_restore.c - the restore drill of deploy/README.md, and the real
 * binary on a database of the previous release.
 *
 * restore_drill: a server with appointments, patient links and an e-mail
 * invitation still waiting (its SMTP server refuses) is backed up with
 * `timebok backup` while it runs; the backup and the link key go into a
 * fresh folder as the README says, and a server started there answers every
 * appointment exactly as the original did, opens every patient link and
 * takes a patient's answer, and sends the waiting invitation with its link
 * (the key unseals it).
 *
 * previous_release_serves: the fixture of tests/fixtures (the schema of the
 * release before, with data) served by this binary: migrated, its
 * appointments and patient links there, /healthz at this binary's schema,
 * and a copy at the old level beside it exactly when migrations were
 * pending.
 */
#include <check.h>
#include <glob.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "e2e.h"
#include "store.h"
#include "version.h"

#define FIXTURE E2E_RELEASE_FIXTURE
#define FIXTURE_LEVEL E2E_RELEASE_LEVEL
#define NBOOK 12
#define NLINKS 4

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* Run a shell command; its exit status. */
static int sh(const char *cmd)
{
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* GET path on both servers, each as its admin: 200 and the same JSON.
 * Leaves b's session the one in use. */
static void same_answer(struct server *a, struct server *b, const char *path)
{
	json_t *ja, *jb;
	char *ta, *tb;

	e2e_use(&a->admin);
	ja = e2e_json(a->port, "GET", path, NULL, 200);
	e2e_use(&b->admin);
	jb = e2e_json(b->port, "GET", path, NULL, 200);
	ta = json_dumps(ja, JSON_SORT_KEYS);
	tb = json_dumps(jb, JSON_SORT_KEYS);

	ck_assert_msg(json_equal(ja, jb), "%s differs:\n%s\n%s", path, ta, tb);
	free(ta);
	free(tb);
	json_decref(ja);
	json_decref(jb);
}

/* The patient link token on port answers status. */
static int link_status(int port, const char *token, const char *action)
{
	char path[160];
	struct resp r;
	int status;

	ck_assert_int_lt(snprintf(path, sizeof(path), "/api/v1/invite/%s%s%s", token,
				  action ? "/" : "", action ? action : ""),
			 (int)sizeof(path));
	ck_assert(e2e_request_as(port, NULL, action ? "POST" : "GET", path, NULL, NULL, &r));
	status = r.status;
	e2e_resp_free(&r);
	return status;
}

/* Whether the text part of the e-mail in file (base64, CRLF) holds needle. */
static bool mail_text_has(const char *file, const char *needle)
{
	static const char part[] = "Content-Transfer-Encoding: base64\r\n\r\n";
	char mail[64 * 1024], text[48 * 1024], *b64, *end;
	FILE *f = fopen(file, "rb");
	size_t n, len;

	if (!f)
		return false;
	n = fread(mail, 1, sizeof(mail) - 1, f);
	fclose(f);
	mail[n] = '\0';
	if (!(b64 = strstr(mail, part)) || !(end = strstr(b64 += strlen(part), "\r\n--")))
		return false;
	if (sodium_base642bin((unsigned char *)text, sizeof(text) - 1, b64, (size_t)(end - b64),
			      "\r\n", &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		return false;
	text[len] = '\0';
	return strstr(text, needle) != NULL;
}

START_TEST(restore_drill)
{
	const char *const refusing_smtp[] = {"--email-channel", "smtp", "--smtp-url",
					     "smtp://127.0.0.1:1", "--smtp-tls", "none",
					     "--retry-base", "1", NULL};
	char token[NLINKS][E2E_TOKEN_LEN + 1], cmd[1400], path[160], backup[300], fresh[64],
		eml[400];
	long long ids[NBOOK], unit, clin[2], pat[3], mail_id = 0;
	struct server srv, restored;
	json_t *m;
	double deadline, due;

	e2e_start(&srv, NULL, refusing_smtp);
	unit = e2e_make(srv.port, "units", "{\"name\":\"Poliklinikk\"}");
	snprintf(cmd, sizeof(cmd),
		 "{\"name\":\"Dr. Ingrid Solheim\",\"profession\":\"lege\",\"unit_id\":%lld}", unit);
	clin[0] = e2e_make(srv.port, "clinicians", cmd);
	clin[1] = e2e_make(srv.port, "clinicians", "{\"name\":\"Per Hansen\",\"profession\":\"lege\"}");
	pat[0] = e2e_make(srv.port, "patients",
			  "{\"name\":\"Kari Nordmann\",\"email\":\"kari@example.no\"}");
	pat[1] = e2e_make(srv.port, "patients", "{\"name\":\"Ola Nordmann\",\"phone\":\"+4791234567\"}");
	pat[2] = e2e_make(srv.port, "patients", "{\"name\":\"Nora Nordmann\"}");
	for (int i = 0; i < NBOOK; i++) {
		snprintf(cmd, sizeof(cmd),
			 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],"
			 "\"start\":\"2030-05-%02dT%02d:00:00+02:00\",\"duration_minutes\":30}",
			 pat[i % 3], clin[i % 2], 6 + i / 4, 9 + i % 4);
		ids[i] = e2e_make(srv.port, "appointments", cmd);
	}
	for (int i = 0; i < NLINKS; i++)
		e2e_invite(srv.port, ids[i], token[i]); /* ids[0]: Kari, by e-mail */
	ck_assert_int_eq(link_status(srv.port, token[1], "confirm"), 200);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", ids[NBOOK - 1]);
	json_decref(e2e_json(srv.port, "DELETE", path, NULL, 200));

	/* the backup, while it runs; the key once, beside it */
	snprintf(backup, sizeof(backup), "%s/backups/timebok.db", srv.dir);
	ck_assert_int_lt(snprintf(cmd, sizeof(cmd),
				  "mkdir -p %s/backups && %s backup --db %s --out %s 2>/dev/null && "
				  "cp -p %s.key %s/backups/timebok.db.key",
				  srv.dir, TIMEBOK_BIN, srv.db, backup, srv.db, srv.dir),
			 (int)sizeof(cmd));
	ck_assert_int_eq(sh(cmd), 0);

	/* the invitation by e-mail waits in the backup for its next try (the
	 * refusals back off: 1 s, 2 s, 4 s, ...; more of them under valgrind) */
	ck_assert_int_ge(e2e_sql_int(backup, "SELECT COUNT(*) FROM outbox WHERE channel = 'email' "
					     "AND status = 'queued'"),
			 1);
	due = (double)(e2e_sql_int(backup, "SELECT MAX(next_at) FROM outbox WHERE channel = 'email' "
					   "AND status = 'queued'") -
		       (long long)time(NULL));
	ck_assert_double_le(due, 330); /* at most a lease (outbox.c) */

	/* the drill: a fresh folder, the backup and its key put in place */
	snprintf(fresh, sizeof(fresh), "/tmp/timebok-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fresh));
	ck_assert_int_lt(snprintf(cmd, sizeof(cmd),
				  "install -m 0600 %s %s/t.db && install -m 0600 %s.key %s/t.db.key",
				  backup, fresh, backup, fresh),
			 (int)sizeof(cmd));
	ck_assert_int_eq(sh(cmd), 0);
	e2e_start(&restored, fresh, NULL); /* the file channels: the mail goes to the spool */

	/* every appointment as the original answers it, and the list */
	for (int i = 0; i < NBOOK; i++) {
		snprintf(path, sizeof(path), "/api/v1/appointments/%lld", ids[i]);
		same_answer(&srv, &restored, path);
	}
	same_answer(&srv, &restored, "/api/v1/appointments?limit=100");
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/history", ids[1]);
	same_answer(&srv, &restored, path);
	/* every patient link opens; one takes an answer */
	for (int i = 0; i < NLINKS; i++)
		ck_assert_int_eq(link_status(restored.port, token[i], NULL), 200);
	ck_assert_int_eq(link_status(restored.port, token[2], "confirm"), 200);
	/* the invitation that was waiting goes out with its link: the key works */
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/messages", ids[0]);
	for (deadline = e2e_now_s() + (due > 0 ? due : 0) + 20; e2e_now_s() < deadline && !mail_id;
	     nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL)) {
		m = e2e_json(restored.port, "GET", path, NULL, 200);
		for (size_t i = 0; i < json_array_size(m); i++) {
			json_t *x = json_array_get(m, i);
			if (!strcmp(str(x, "channel"), "email") && !strcmp(str(x, "status"), "sent"))
				mail_id = json_integer_value(json_object_get(x, "id"));
		}
		json_decref(m);
	}
	ck_assert_msg(mail_id > 0, "the waiting invitation was not sent after the restore");
	snprintf(eml, sizeof(eml), "%s.outbox/%010lld-email.eml", restored.db, mail_id);
	ck_assert_msg(mail_text_has(eml, token[0]), "%s does not hold the patient's link", eml);

	ck_assert_int_eq(e2e_stop(&restored), 0);
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_cleanup(&restored);
	e2e_cleanup(&srv);
}
END_TEST

START_TEST(previous_release_serves)
{
	char dir[64], db[96], line[256], links[8][E2E_TOKEN_LEN + 1], copy[128];
	int nlinks = 0;
	struct server srv;
	struct stat sb;
	json_t *j;
	FILE *f;
	glob_t g;

	/* the fixture as a database file, and the tokens of its links */
	snprintf(dir, sizeof(dir), "/tmp/timebok-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/t.db", dir);
	ck_assert_ptr_nonnull(f = fopen(FIXTURE, "rb"));
	while (nlinks < 8 && fgets(line, sizeof(line), f) && !strncmp(line, "-- ", 3))
		if (sscanf(line, "-- link %*d %43s", links[nlinks]) == 1)
			nlinks++;
	fclose(f);
	ck_assert_int_ge(nlinks, 1);
	e2e_load_sql(FIXTURE, db);

	e2e_start(&srv, dir, NULL); /* the fixture's admin has the e2e password */
	j = e2e_json(srv.port, "GET", "/healthz", NULL, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "schema")), store_nmigrations);
	ck_assert_str_eq(str(j, "version"), TIMEBOK_VERSION);
	json_decref(j);
	j = e2e_json(srv.port, "GET", "/api/v1/appointments?limit=100", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 4);
	json_decref(j);
	j = e2e_json(srv.port, "GET", "/api/v1/appointments/2", NULL, 200);
	ck_assert_str_eq(str(j, "status"), "invited");
	json_decref(j);
	for (int i = 0; i < nlinks; i++)
		ck_assert_int_eq(link_status(srv.port, links[i], NULL), 200);
	ck_assert_int_eq(link_status(srv.port, links[0], "confirm"), 200);
	ck_assert_int_eq(e2e_stop(&srv), 0);

	/* a copy at the old level exactly when something was pending */
	snprintf(copy, sizeof(copy), "%s.before-*", db);
	if (store_nmigrations > FIXTURE_LEVEL) {
		ck_assert_int_eq(glob(copy, 0, NULL, &g), 0);
		ck_assert_uint_eq(g.gl_pathc, 1);
		ck_assert_int_eq(stat(g.gl_pathv[0], &sb), 0);
		ck_assert_int_eq(sb.st_mode & 0777, 0600);
		globfree(&g);
	} else {
		ck_assert_int_eq(glob(copy, 0, NULL, &g), GLOB_NOMATCH);
	}
	e2e_cleanup(&srv);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_restore");
	TCase *tc = tcase_create("restore");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, restore_drill);
	tcase_add_test(tc, previous_release_serves);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
