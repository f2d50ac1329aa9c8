/*
 * test_upgrade.c - migrations on a database of the previous release.
 *
 * The fixture (tests/fixtures/release-0011.sql, made by
 * make-release-fixture.sh with that release's binary) is loaded into a
 * database file, which is then migrated:
 *   - with the migrations this binary carries: whatever follows the
 *     fixture's level is applied, the data is intact, and a copy at the old
 *     level is beside it (mode 0600, it opens) exactly when something was
 *     pending;
 *   - with one more migration after them (injected): copied and applied;
 *   - with an injected migration its data violates: refused, the database
 *     as it was, no copy left, and the log says so;
 *   - with the copy's name taken already: refused, nothing touched.
 * A brand-new database gets no copy.
 */
#include <check.h>
#include <fcntl.h>
#include <glob.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "e2e.h"
#include "store.h"

#define FIXTURE E2E_RELEASE_FIXTURE
#define FIXTURE_LEVEL E2E_RELEASE_LEVEL
#define PROBE_MAX 64

static char dir[64], path[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/timebok-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* path made from the fixture's SQL. */
static void load_fixture(void)
{
	e2e_load_sql(FIXTURE, path);
}

/* The fixture's data as it was at its level: appointments, who takes part,
 * the patient links and the accounts, one text (owned by the caller). */
static char *data_of(const char *file)
{
	static const char *const queries[] = {
		"SELECT id, start_at, end_at, mode, status, patient_id, version FROM appointments",
		"SELECT * FROM (SELECT id, name FROM patients)",
		"SELECT appointment_id, participant_id, token_hash, token_box, revoked_at FROM links",
		"SELECT id, username, password_hash FROM users",
	};
	size_t len = 0, cap = 1 << 16;
	char *out = malloc(cap);
	sqlite3 *db;

	ck_assert_ptr_nonnull(out);
	db = e2e_open_ro(file);
	for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
		sqlite3_stmt *st;
		char sql[256];

		ck_assert_int_lt(snprintf(sql, sizeof(sql), "%s ORDER BY 1, 2", queries[q]),
				 (int)sizeof(sql));
		ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s",
			      sql, sqlite3_errmsg(db));
		while (sqlite3_step(st) == SQLITE_ROW)
			for (int c = 0; c < sqlite3_column_count(st); c++) {
				const unsigned char *t = sqlite3_column_text(st, c);
				int n = snprintf(out + len, cap - len, "%s%c", t ? (const char *)t : "-",
						 c + 1 < sqlite3_column_count(st) ? '|' : '\n');
				ck_assert_int_lt(n, (int)(cap - len));
				len += (size_t)n;
			}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	ck_assert_int_gt(len, 0);
	return out;
}

/* How many PATH.before-* copies there are; the one name in found. */
static size_t copies(char *found, size_t cap)
{
	char pattern[160];
	glob_t g;
	size_t n;

	snprintf(pattern, sizeof(pattern), "%s.before-*", path);
	/* the copy is one file: no -wal or -shm beside it even once opened */
	if (glob(pattern, 0, NULL, &g) != 0)
		return 0;
	n = g.gl_pathc;
	if (n == 1 && found)
		snprintf(found, cap, "%s", g.gl_pathv[0]);
	globfree(&g);
	return n;
}

/* The copy: mode 0600, whole, at level, holding want. */
static void check_copy(const char *copy, long long level, const char *want)
{
	struct stat sb;
	char *got;

	ck_assert_int_eq(stat(copy, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(e2e_sql_int(copy, "PRAGMA user_version"), level);
	ck_assert_int_eq(e2e_sql_int(copy, "SELECT COUNT(*) FROM pragma_integrity_check "
				       "WHERE integrity_check <> 'ok'"),
			 0);
	got = data_of(copy);
	ck_assert_str_eq(got, want);
	free(got);
}

/* Migrate path with list[0..n); the result. */
static enum app_err migrate(const struct store_migration *list, int n)
{
	struct store *s;
	enum app_err err;

	ck_assert_int_eq(store_open(path, 1000, &s), APP_OK);
	err = store_migrate_list(s, list, n);
	store_free(s);
	return err;
}

/* The migrations this binary carries and one more (sql), named after the
 * next number: "NNNN_probe.sql". */
static struct store_migration probe[PROBE_MAX];
static char probe_name[32];

static int with_probe(const char *sql)
{
	ck_assert_int_lt(store_nmigrations, PROBE_MAX);
	memcpy(probe, store_migrations, sizeof(probe[0]) * (size_t)store_nmigrations);
	snprintf(probe_name, sizeof(probe_name), "%04d_probe.sql", store_nmigrations + 1);
	probe[store_nmigrations] = (struct store_migration){.name = probe_name, .sql = sql};
	return store_nmigrations + 1;
}

/* The log (stderr) of fn(), into out. */
static enum app_err logged(enum app_err (*fn)(const struct store_migration *, int),
			   const struct store_migration *list, int n, char *out, size_t cap)
{
	char file[96];
	int saved = dup(2), fd;
	enum app_err err;
	ssize_t len;

	snprintf(file, sizeof(file), "%s/log", dir);
	ck_assert_int_ge(fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600), 0);
	fflush(stderr);
	dup2(fd, 2);
	err = fn(list, n);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	len = pread(fd, out, cap - 1, 0);
	out[len > 0 ? len : 0] = '\0';
	close(fd);
	return err;
}

START_TEST(previous_release_upgrades)
{
	char *before, *after, copy[160], want[160];

	load_fixture();
	ck_assert_int_eq(e2e_sql_int(path, "PRAGMA user_version"), FIXTURE_LEVEL);
	before = data_of(path);
	ck_assert_int_eq(migrate(store_migrations, store_nmigrations), APP_OK);
	ck_assert_int_eq(e2e_sql_int(path, "PRAGMA user_version"), store_nmigrations);
	after = data_of(path);
	ck_assert_str_eq(after, before); /* every appointment, link and account */
	if (store_nmigrations > FIXTURE_LEVEL) {
		/* copied before the first pending migration, at the old level */
		snprintf(want, sizeof(want), "%s.before-%.4s", path,
			 store_migrations[FIXTURE_LEVEL].name);
		ck_assert_uint_eq(copies(copy, sizeof(copy)), 1);
		ck_assert_str_eq(copy, want);
		check_copy(copy, FIXTURE_LEVEL, before);
	} else {
		ck_assert_uint_eq(copies(NULL, 0), 0); /* nothing pending: no copy */
	}
	free(before);
	free(after);
}
END_TEST

/* 0021 copies the buffers of appointments already booked onto their
 * clinician rows (the free-slot search reads them there), leaves the
 * patient rows at 0, and puts the overlap trigger back as it was. */
START_TEST(buffers_copied_onto_clinician_rows)
{
	sqlite3 *db;

	load_fixture();
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db,
				      "UPDATE appointments SET buffer_before = 600, buffer_after = 900 "
				      "WHERE id = 2",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(migrate(store_migrations, store_nmigrations), APP_OK);
	ck_assert_int_eq(e2e_sql_int(path, "SELECT COUNT(*) FROM participants WHERE "
					   "appointment_id = 2 AND clinician_id IS NOT NULL AND "
					   "buffer_before = 600 AND buffer_after = 900"),
			 e2e_sql_int(path, "SELECT COUNT(*) FROM participants WHERE "
					   "appointment_id = 2 AND clinician_id IS NOT NULL"));
	ck_assert_int_gt(e2e_sql_int(path, "SELECT COUNT(*) FROM participants WHERE "
					   "appointment_id = 2 AND clinician_id IS NOT NULL"),
			 0);
	ck_assert_int_eq(e2e_sql_int(path, "SELECT COUNT(*) FROM participants WHERE "
					   "appointment_id = 2 AND patient_id IS NOT NULL AND "
					   "buffer_before = 0 AND buffer_after = 0"),
			 1);
	ck_assert_int_eq(e2e_sql_int(path, "SELECT COUNT(*) FROM participants WHERE "
					   "appointment_id <> 2 AND (buffer_before <> 0 OR "
					   "buffer_after <> 0)"),
			 0);
	ck_assert_int_eq(e2e_sql_int(path, "SELECT COUNT(*) FROM sqlite_schema WHERE "
					   "name = 'participants_no_overlap_update'"),
			 1);
	/* and it refuses as before: appointment 1's clinician row moved onto 2's */
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_ne(sqlite3_exec(db,
				      "UPDATE participants SET start_at = 1898845200, "
				      "end_at = 1898847000 WHERE appointment_id = 1 AND "
				      "clinician_id IS NOT NULL",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	ck_assert_str_eq(sqlite3_errmsg(db), "overlap");
	sqlite3_close(db);
}
END_TEST

START_TEST(pending_migration_copied_first)
{
	char *before, *after, copy[160], want[160];
	int n = with_probe("CREATE TABLE probe (x INTEGER);"
			   "ALTER TABLE appointments ADD COLUMN probe_note TEXT;");

	load_fixture();
	ck_assert_int_eq(migrate(store_migrations, store_nmigrations), APP_OK);
	if (copies(copy, sizeof(copy)) == 1) /* pending real ones: the first test's case */
		ck_assert_int_eq(unlink(copy), 0);
	before = data_of(path);
	ck_assert_int_eq(migrate(probe, n), APP_OK);
	ck_assert_int_eq(e2e_sql_int(path, "PRAGMA user_version"), n);
	ck_assert_int_eq(e2e_sql_int(path, "SELECT COUNT(*) FROM probe"), 0);
	after = data_of(path);
	ck_assert_str_eq(after, before);
	snprintf(want, sizeof(want), "%s.before-%04d", path, n);
	ck_assert_uint_eq(copies(copy, sizeof(copy)), 1);
	ck_assert_str_eq(copy, want);
	check_copy(copy, store_nmigrations, before);
	ck_assert_int_eq(e2e_sql_int(copy, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'probe'"),
			 0);
	/* and again: nothing pending, nothing copied */
	ck_assert_int_eq(migrate(probe, n), APP_OK);
	ck_assert_uint_eq(copies(NULL, 0), 1);
	free(before);
	free(after);
}
END_TEST

START_TEST(failed_migration_changes_nothing)
{
	/* the fixture has two invited appointments: a unique status cannot be */
	int n = with_probe("CREATE TABLE probe (x INTEGER);"
			   "CREATE UNIQUE INDEX probe_one_status ON appointments(status);");
	char *before, *after, log[4096], copy[160];

	load_fixture();
	ck_assert_int_eq(migrate(store_migrations, store_nmigrations), APP_OK);
	if (copies(copy, sizeof(copy)) == 1)
		ck_assert_int_eq(unlink(copy), 0);
	before = data_of(path);
	ck_assert_int_ne(logged(migrate, probe, n, log, sizeof(log)), APP_OK);
	ck_assert_int_eq(e2e_sql_int(path, "PRAGMA user_version"), store_nmigrations);
	ck_assert_int_eq(e2e_sql_int(path, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'probe'"),
			 0);
	after = data_of(path);
	ck_assert_str_eq(after, before);
	ck_assert_uint_eq(copies(NULL, 0), 0); /* the same as the database: removed */
	ck_assert_msg(strstr(log, probe_name) && strstr(log, "the database is as it was"),
		      "the log does not say what failed: %s", log);
	ck_assert_msg(strstr(log, "UNIQUE constraint failed"), "no reason given: %s", log);
	ck_assert_msg(!strstr(log, "Testesen"), "patient data in the log: %s", log);
	free(before);
	free(after);
}
END_TEST

START_TEST(copy_never_overwritten)
{
	int n = with_probe("CREATE TABLE probe (x INTEGER);");
	char copy[160], log[4096], text[8] = "";
	FILE *f;

	load_fixture();
	ck_assert_int_eq(migrate(store_migrations, store_nmigrations), APP_OK);
	if (copies(copy, sizeof(copy)) == 1)
		ck_assert_int_eq(unlink(copy), 0);
	snprintf(copy, sizeof(copy), "%s.before-%04d", path, n);
	ck_assert_ptr_nonnull(f = fopen(copy, "w"));
	fputs("mine", f);
	fclose(f);
	ck_assert_int_eq(logged(migrate, probe, n, log, sizeof(log)), APP_ESTORE);
	ck_assert_ptr_nonnull(strstr(log, "exists already"));
	ck_assert_int_eq(e2e_sql_int(path, "PRAGMA user_version"), store_nmigrations);
	ck_assert_ptr_nonnull(f = fopen(copy, "r"));
	ck_assert_ptr_nonnull(fgets(text, sizeof(text), f));
	fclose(f);
	ck_assert_str_eq(text, "mine");
}
END_TEST

START_TEST(new_database_not_copied)
{
	ck_assert_int_eq(migrate(store_migrations, store_nmigrations), APP_OK);
	ck_assert_int_eq(e2e_sql_int(path, "PRAGMA user_version"), store_nmigrations);
	ck_assert_uint_eq(copies(NULL, 0), 0);
}
END_TEST

START_TEST(backup_is_private_and_new)
{
	struct store *s;
	char copy[160];
	struct stat sb;

	load_fixture();
	snprintf(copy, sizeof(copy), "%s/backup.db", dir);
	ck_assert_int_eq(store_open(path, 1000, &s), APP_OK);
	ck_assert_int_eq(store_backup(s, copy), APP_OK);
	ck_assert_int_eq(store_backup(s, copy), APP_EINVAL); /* never overwritten */
	store_free(s);
	ck_assert_int_eq(stat(copy, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(e2e_sql_int(copy, "SELECT COUNT(*) FROM appointments"), 4);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("upgrade");
	TCase *tc = tcase_create("upgrade");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, previous_release_upgrades);
	tcase_add_test(tc, buffers_copied_onto_clinician_rows);
	tcase_add_test(tc, pending_migration_copied_first);
	tcase_add_test(tc, failed_migration_changes_nothing);
	tcase_add_test(tc, copy_never_overwritten);
	tcase_add_test(tc, new_database_not_copied);
	tcase_add_test(tc, backup_is_private_and_new);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
