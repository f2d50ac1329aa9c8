/*
 * test_store.c - the SQLite layer: migrations, directory rows, appointments,
 * overlap checks (and the triggers behind them), edits and history.
 * Each test gets a fresh in-memory database shared by name between its
 * connections (file:/name?vfs=memdb).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "audit.h"
#include "check_main.h"
#include "listcache.h"
#include "store.h"
#include "store_appointments.h"
#include "store_resource.h"
#include "store_sso.h"

static struct store *db;
static char dbname[64];
static int64_t clin1, clin2, pat1, pat2, room1;
static const int64_t T0 = 1795420800; /* 2026-11-23T09:00:00+01:00 */
static const struct actor tester = {.user_id = 1, .username = "test", .role = ROLE_SECRETARY,
				    .ip = "127.0.0.1"};

static int64_t add(const struct res_desc *d, const char *f1, const char *v1, const char *f2,
		   const char *v2)
{
	struct res_row row = {0};
	int i = store_resource_field(d, f1);

	row.v[i].set = true;
	snprintf(row.v[i].s, sizeof(row.v[i].s), "%s", v1);
	if (f2) {
		i = store_resource_field(d, f2);
		row.v[i].set = true;
		snprintf(row.v[i].s, sizeof(row.v[i].s), "%s", v2);
	}
	ck_assert_int_eq(store_resource_insert(db, d, &row, T0), APP_OK);
	return row.id;
}

static void setup(void)
{
	static int n;

	snprintf(dbname, sizeof(dbname), "file:/store%d?vfs=memdb", ++n);
	ck_assert_int_eq(store_open(dbname, 1000, &db), APP_OK);
	ck_assert_int_eq(store_migrate(db), APP_OK);
	clin1 = add(&resources_clinicians, "name", "A", "profession", "lege");
	clin2 = add(&resources_clinicians, "name", "B", "profession", "psykolog");
	pat1 = add(&resources_patients, "name", "P1", NULL, NULL);
	pat2 = add(&resources_patients, "name", "P2", NULL, NULL);
	room1 = add(&resources_rooms, "name", "Rom 1", "kind", "clinic");
}

static void teardown(void)
{
	store_free(db);
	db = NULL;
}

static struct appointment appt(int64_t start_min, int64_t len_min, int64_t patient,
			       int64_t clinician, int64_t room)
{
	struct appointment a = {0};

	a.start = T0 + start_min * 60;
	a.end = a.start + len_min * 60;
	a.patient_id = patient;
	a.clinician_ids[a.nclinicians++] = clinician;
	a.room_id = room;
	a.mode = room ? APPT_IN_PERSON : APPT_VIDEO;
	return a;
}

static enum app_err book(struct appointment *a, struct conflicts *cf)
{
	return store_appointments_create(db, a, &tester, T0, cf);
}

START_TEST(migrations_are_tracked)
{
	int64_t v;

	ck_assert_int_eq(store_scalar(db, "PRAGMA user_version", 0, 0, 0, &v), APP_OK);
	ck_assert_int_eq(v, store_nmigrations);
	ck_assert_int_eq(store_migrate(db), APP_OK); /* idempotent */
	ck_assert_int_eq(store_scalar(db, "PRAGMA foreign_keys", 0, 0, 0, &v), APP_OK);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(store_scalar(db, "PRAGMA synchronous", 0, 0, 0, &v), APP_OK);
	ck_assert_int_eq(v, 2); /* FULL */
	/* a database newer than the binary is refused */
	ck_assert_int_eq(store_exec(db, "PRAGMA user_version = 999"), APP_OK);
	ck_assert_int_eq(store_migrate(db), APP_ESTORE);
}
END_TEST

START_TEST(resources_round_trip)
{
	struct res_row row = {0}, got;
	int name = store_resource_field(&resources_units, "name");
	int active = store_resource_field(&resources_units, "active");

	row.v[name].set = true;
	strcpy(row.v[name].s, "Medisinsk poliklinikk");
	ck_assert_int_eq(store_resource_insert(db, &resources_units, &row, T0), APP_OK);
	ck_assert_int_eq(store_resource_get(db, &resources_units, row.id, &got), APP_OK);
	ck_assert_str_eq(got.v[name].s, "Medisinsk poliklinikk");
	ck_assert_int_eq(got.v[active].i, 1); /* the default */
	/* the unique name is enforced by the database */
	ck_assert_int_eq(store_resource_insert(db, &resources_units, &row, T0), APP_EDUPLICATE);
	ck_assert_int_eq(store_resource_get(db, &resources_units, 9999, &got), APP_ENOTFOUND);
	memset(&row, 0, sizeof(row));
	row.v[active].set = true;
	ck_assert_int_eq(store_resource_update(db, &resources_units, 1, &row, T0 + 5), APP_OK);
	ck_assert_int_eq(store_resource_get(db, &resources_units, 1, &got), APP_OK);
	ck_assert_int_eq(got.v[active].i, 0);
	ck_assert_int_eq(got.updated_at, T0 + 5);
	ck_assert_int_eq(store_resource_update(db, &resources_units, 42, &row, T0), APP_ENOTFOUND);
}
END_TEST

START_TEST(overlaps_refused_touching_allowed)
{
	struct appointment a = appt(0, 30, pat1, clin1, 0);
	struct appointment b = appt(15, 30, pat2, clin1, 0);
	struct appointment c = appt(30, 30, pat2, clin1, 0);
	struct appointment d = appt(-30, 30, pat2, clin1, 0);
	struct conflicts cf;

	ck_assert_int_eq(book(&a, &cf), APP_OK);
	ck_assert_int_eq(book(&b, &cf), APP_ECONFLICT);
	ck_assert_int_eq(cf.n, 1);
	ck_assert_str_eq(cf.c[0].kind, "clinician");
	ck_assert_int_eq(cf.c[0].id, clin1);
	ck_assert_int_eq(cf.c[0].appointment_id, a.id);
	ck_assert_int_eq(book(&c, &cf), APP_OK); /* starts as a ends */
	ck_assert_int_eq(book(&d, &cf), APP_OK); /* ends as a starts */
}
END_TEST

START_TEST(patient_and_room_overlaps)
{
	struct appointment a = appt(0, 60, pat1, clin1, room1);
	struct appointment b = appt(30, 30, pat1, clin2, 0);
	struct appointment c = appt(30, 30, pat2, clin2, room1);
	struct conflicts cf;

	ck_assert_int_eq(book(&a, &cf), APP_OK);
	ck_assert_int_eq(book(&b, &cf), APP_ECONFLICT);
	ck_assert_str_eq(cf.c[0].kind, "patient");
	ck_assert_int_eq(book(&c, &cf), APP_ECONFLICT);
	ck_assert_str_eq(cf.c[0].kind, "room");
	ck_assert_int_eq(cf.c[0].id, room1);
}
END_TEST

START_TEST(long_history_does_not_hide_overlaps)
{
	/* an appointment of the maximum length that started long before */
	struct appointment a = appt(-600, 720, pat1, clin1, 0);
	struct appointment b = appt(100, 10, pat2, clin1, 0);
	struct conflicts cf;

	ck_assert_int_eq(book(&a, &cf), APP_OK);
	ck_assert_int_eq(book(&b, &cf), APP_ECONFLICT);
}
END_TEST

START_TEST(trigger_is_the_last_line)
{
	struct appointment a = appt(0, 30, pat1, clin1, room1);
	struct conflicts cf;
	char sql[512];

	ck_assert_int_eq(book(&a, &cf), APP_OK);
	/* code that forgets the check still cannot double-book */
	ck_assert_int_eq(store_exec(db, "INSERT INTO appointments (id, start_at, end_at, mode, "
					"patient_id, created_at, updated_at) VALUES "
					"(100, 1795421000, 1795422000, 'video', 2, 0, 0)"),
			 APP_OK);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO participants (appointment_id, kind, clinician_id, start_at, end_at, "
		 "live) VALUES (100, 'clinician', %lld, 1795421000, 1795422000, 1)",
		 (long long)clin1);
	ck_assert_int_eq(store_exec(db, sql), APP_ECONFLICT);
	ck_assert_int_eq(store_exec(db, "INSERT INTO appointments (start_at, end_at, mode, "
					"patient_id, room_id, created_at, updated_at) VALUES "
					"(1795421000, 1795422000, 'in_person', 2, 1, 0, 0)"),
			 APP_ECONFLICT);
	/* and an appointment longer than 12 hours is refused outright */
	ck_assert_int_eq(store_exec(db, "INSERT INTO appointments (start_at, end_at, patient_id, "
					"created_at, updated_at) VALUES (0, 43201, 1, 0, 0)"),
			 APP_ESTORE);
}
END_TEST

static enum app_err cancel(void *ctx, const struct appointment *cur, struct appointment *next)
{
	(void)ctx;
	(void)cur;
	next->status = APPT_CANCELLED;
	return APP_OK;
}

static enum app_err move_to(void *ctx, const struct appointment *cur, struct appointment *next)
{
	int64_t start = *(int64_t *)ctx;
	next->start = start;
	next->end = start + (cur->end - cur->start);
	return APP_OK;
}

static enum app_err swap_clinician(void *ctx, const struct appointment *cur,
				   struct appointment *next)
{
	(void)ctx;
	(void)cur;
	next->clinician_ids[0] = clin2;
	return APP_OK;
}

static enum app_err nothing(void *ctx, const struct appointment *cur, struct appointment *next)
{
	(void)ctx;
	(void)cur;
	(void)next;
	return APP_OK;
}

START_TEST(edits_versions_and_cancel)
{
	struct appointment a = appt(0, 30, pat1, clin1, 0), b = appt(60, 30, pat2, clin1, 0), out;
	struct appointment c = appt(0, 30, pat1, clin1, 0);
	struct conflicts cf;
	int64_t to;

	ck_assert_int_eq(book(&a, &cf), APP_OK);
	ck_assert_int_eq(book(&b, &cf), APP_OK);
	/* moving b onto a is a conflict and changes nothing */
	to = a.start;
	ck_assert_int_eq(store_appointments_edit(db, b.id, 0, move_to, &to, &tester, T0, &cf, &out),
			 APP_ECONFLICT);
	ck_assert_int_eq(store_appointments_get(db, b.id, &out), APP_OK);
	ck_assert_int_eq(out.start, b.start);
	ck_assert_int_eq(out.version, 1);
	/* a stale version is refused */
	ck_assert_int_eq(store_appointments_edit(db, b.id, 7, nothing, NULL, &tester, T0, &cf, &out),
			 APP_ESTALE);
	/* an edit that changes nothing writes nothing */
	ck_assert_int_eq(store_appointments_edit(db, b.id, 1, nothing, NULL, &tester, T0, &cf, &out),
			 APP_OK);
	ck_assert_int_eq(out.version, 1);
	/* swapping the clinician frees clin1 at that time */
	ck_assert_int_eq(
		store_appointments_edit(db, a.id, 1, swap_clinician, NULL, &tester, T0, &cf, &out),
		APP_OK);
	ck_assert_int_eq(out.version, 2);
	ck_assert_int_eq(out.clinician_ids[0], clin2);
	ck_assert_int_eq(book(&c, &cf), APP_ECONFLICT); /* clin1 is free, pat1 is not */
	ck_assert_int_eq(cf.n, 1);
	ck_assert_str_eq(cf.c[0].kind, "patient");
	/* cancelling frees the slot for everyone */
	ck_assert_int_eq(store_appointments_edit(db, a.id, 2, cancel, NULL, &tester, T0, &cf, &out),
			 APP_OK);
	ck_assert_int_eq(out.status, APPT_CANCELLED);
	ck_assert_int_eq(book(&c, &cf), APP_OK);
	ck_assert_int_eq(store_appointments_edit(db, 999, 0, nothing, NULL, &tester, T0, &cf, &out),
			 APP_ENOTFOUND);
}
END_TEST

START_TEST(move_and_swap_together)
{
	/* moving to a time where the old clinician is busy but the new one is
	 * free succeeds: the database checks the end state */
	struct appointment a = appt(0, 30, pat1, clin1, 0), b = appt(60, 30, pat2, clin1, 0), out;
	struct conflicts cf;
	int64_t to = T0 + 60 * 60;

	ck_assert_int_eq(book(&a, &cf), APP_OK);
	ck_assert_int_eq(book(&b, &cf), APP_OK);
	ck_assert_int_eq(
		store_appointments_edit(db, a.id, 0, swap_clinician, NULL, &tester, T0, &cf, &out),
		APP_OK);
	ck_assert_int_eq(store_appointments_edit(db, a.id, 0, move_to, &to, &tester, T0, &cf, &out),
			 APP_OK);
	ck_assert_int_eq(out.start, to);
}
END_TEST

static int history_rows;
static bool count_history(void *ctx, const struct appt_history *h)
{
	(void)ctx;
	ck_assert_str_eq(h->actor, "test");
	ck_assert_ptr_nonnull(strstr(h->changes, "{"));
	history_rows++;
	return true;
}

START_TEST(history_is_append_only)
{
	struct appointment a = appt(0, 30, pat1, clin1, 0), out;
	struct conflicts cf;

	ck_assert_int_eq(book(&a, &cf), APP_OK);
	ck_assert_int_eq(store_appointments_edit(db, a.id, 0, cancel, NULL, &tester, T0, &cf, &out),
			 APP_OK);
	history_rows = 0;
	ck_assert_int_eq(store_appointments_history(db, a.id, count_history, NULL), APP_OK);
	ck_assert_int_eq(history_rows, 2);
	ck_assert_int_eq(store_exec(db, "UPDATE appointment_history SET actor = 'x'"), APP_ESTORE);
	ck_assert_int_eq(store_exec(db, "DELETE FROM appointment_history"), APP_ESTORE);
}
END_TEST

static int listed;
static bool count_rows(void *ctx, const struct appointment *a)
{
	(void)ctx;
	(void)a;
	listed++;
	return true;
}

START_TEST(lists_and_day)
{
	struct appointment a = appt(0, 30, pat1, clin1, 0), b = appt(60, 30, pat2, clin1, 0);
	struct appointment c = appt(24 * 60, 30, pat2, clin1, 0);
	struct appt_filter f = {.mode = -1, .limit = 100};
	struct conflicts cf;

	ck_assert_int_eq(book(&a, &cf), APP_OK);
	ck_assert_int_eq(book(&b, &cf), APP_OK);
	ck_assert_int_eq(book(&c, &cf), APP_OK);
	listed = 0;
	ck_assert_int_eq(store_appointments_day(db, clin1, T0 - 9 * 3600, T0 + 15 * 3600,
						count_rows, NULL),
			 APP_OK);
	ck_assert_int_eq(listed, 2);
	listed = 0;
	f.patient_id = pat2;
	ck_assert_int_eq(store_appointments_list(db, &f, count_rows, NULL), APP_OK);
	ck_assert_int_eq(listed, 2);
	listed = 0;
	f.patient_id = 0;
	f.from = T0 + 15 * 60; /* overlapping: a is still running */
	f.to = T0 + 61 * 60;
	ck_assert_int_eq(store_appointments_list(db, &f, count_rows, NULL), APP_OK);
	ck_assert_int_eq(listed, 2);
}
END_TEST

/* unit_id: the appointments of the unit's clinicians in the period only. */
START_TEST(list_by_unit)
{
	int64_t unit = add(&resources_units, "name", "Enhet", NULL, NULL), other;
	struct appointment a = appt(0, 30, pat1, clin1, 0), b = appt(0, 30, pat2, clin2, 0);
	struct appointment c = appt(24 * 60, 30, pat2, clin1, 0);
	struct appt_filter f = {.mode = -1, .limit = 100, .unit_id = unit};
	struct conflicts cf;

	other = add(&resources_units, "name", "Annen", NULL, NULL);
	ck_assert_int_eq(store_run(db, "UPDATE clinicians SET unit_id = ?1 WHERE id = ?2", 2, unit,
				   clin1),
			 APP_OK);
	ck_assert_int_eq(store_run(db, "UPDATE clinicians SET unit_id = ?1 WHERE id = ?2", 2, other,
				   clin2),
			 APP_OK);
	ck_assert_int_eq(book(&a, &cf), APP_OK);
	ck_assert_int_eq(book(&b, &cf), APP_OK);
	ck_assert_int_eq(book(&c, &cf), APP_OK);
	listed = 0;
	ck_assert_int_eq(store_appointments_list(db, &f, count_rows, NULL), APP_OK);
	ck_assert_int_eq(listed, 2); /* a and c, not b */
	listed = 0;
	f.from = T0 - 3600;
	f.to = T0 + 3600;
	ck_assert_int_eq(store_appointments_list(db, &f, count_rows, NULL), APP_OK);
	ck_assert_int_eq(listed, 1); /* a */
	listed = 0;
	f.nunits = 1;
	f.unit_ids = &other; /* a secretary of the other unit sees none of it */
	ck_assert_int_eq(store_appointments_list(db, &f, count_rows, NULL), APP_OK);
	ck_assert_int_eq(listed, 0);
}
END_TEST

static struct appointment kept[8];
static int nkept;

static bool keep_row(void *ctx, const struct appointment *a)
{
	(void)ctx;
	if (nkept < 8)
		kept[nkept] = *a;
	nkept++;
	return true;
}

/* The board's rows are the list's: every clinician of a shared appointment
 * (sorted), none for an appointment without one, the patient's name; the
 * limit counts appointments, not the joined rows. */
START_TEST(board_rows_are_the_lists)
{
	int64_t unit = add(&resources_units, "name", "Enhet", NULL, NULL), ids[3];
	struct appointment a = appt(0, 30, pat1, clin2, 0), b = appt(60, 30, pat2, clin1, 0);
	struct appointment c = appt(120, 30, pat2, clin1, 0);
	struct appointment list[8];
	struct appt_filter f = {.mode = -1, .limit = 100, .from = T0 - 3600, .to = T0 + 6 * 3600};
	struct conflicts cf;
	int nlist;

	ck_assert_int_eq(store_run(db, "UPDATE clinicians SET unit_id = ?1", 1, unit, 0), APP_OK);
	a.clinician_ids[a.nclinicians++] = clin1; /* clin2 first: the answer sorts */
	ck_assert_int_eq(book(&a, &cf), APP_OK);
	ck_assert_int_eq(book(&b, &cf), APP_OK);
	ck_assert_int_eq(book(&c, &cf), APP_OK);
	/* c loses its clinician (as a row of the past could): still on the day */
	ck_assert_int_eq(store_run(db, "DELETE FROM participants WHERE appointment_id = ?1 AND "
				       "clinician_id IS NOT NULL",
				   1, c.id, 0),
			 APP_OK);
	nkept = 0;
	ck_assert_int_eq(store_appointments_list(db, &f, keep_row, NULL), APP_OK);
	ck_assert_int_eq(nkept, 3);
	memcpy(list, kept, sizeof(list));
	nlist = nkept;
	nkept = 0;
	ck_assert_int_eq(store_appointments_board(db, f.from, f.to, 0, 0, NULL, 100, keep_row, NULL),
			 APP_OK);
	ck_assert_int_eq(nkept, nlist);
	for (int i = 0; i < nlist; i++) {
		ck_assert_int_eq(kept[i].id, list[i].id);
		ck_assert_int_eq(kept[i].start, list[i].start);
		ck_assert_int_eq(kept[i].end, list[i].end);
		ck_assert_int_eq(kept[i].mode, list[i].mode);
		ck_assert_int_eq(kept[i].status, list[i].status);
		ck_assert_int_eq(kept[i].patient_id, list[i].patient_id);
		ck_assert_int_eq(kept[i].room_id, list[i].room_id);
		ck_assert_str_eq(kept[i].patient_name, list[i].patient_name);
		ck_assert_int_eq(kept[i].nclinicians, list[i].nclinicians);
		for (int j = 0; j < list[i].nclinicians; j++)
			ck_assert_int_eq(kept[i].clinician_ids[j], list[i].clinician_ids[j]);
	}
	ck_assert_int_eq(kept[0].nclinicians, 2);
	ck_assert_int_eq(kept[0].clinician_ids[0], clin1 < clin2 ? clin1 : clin2);
	ck_assert_int_eq(kept[2].nclinicians, 0);
	ck_assert_str_eq(kept[1].patient_name, "P2");
	/* the unit's board: the appointments of its clinicians (not c) */
	nkept = 0;
	ck_assert_int_eq(store_appointments_board(db, f.from, f.to, unit, 0, NULL, 100, keep_row,
						  NULL),
			 APP_OK);
	ck_assert_int_eq(nkept, 2);
	ck_assert_int_eq(kept[0].nclinicians, 2);
	/* a limit of 1: a, with both its clinicians (two joined rows) */
	nkept = 0;
	ck_assert_int_eq(store_appointments_board(db, f.from, f.to, 0, 0, NULL, 1, keep_row, NULL),
			 APP_OK);
	ck_assert_int_eq(nkept, 1);
	ck_assert_int_eq(kept[0].nclinicians, 2);
	nkept = 0;
	ck_assert_int_eq(store_appointments_board(db, f.from, f.to, 0, 0, NULL, 2, keep_row, NULL),
			 APP_OK);
	ck_assert_int_eq(nkept, 2);
	ids[0] = kept[0].id;
	ids[1] = kept[1].id;
	ck_assert_int_eq(ids[0], a.id);
	ck_assert_int_eq(ids[1], b.id);
	/* a day without appointments: none (and, under UBSan, no sort of nothing) */
	nkept = 0;
	ck_assert_int_eq(store_appointments_board(db, f.to, f.to + 86400, 0, 0, NULL, 100, keep_row,
						  NULL),
			 APP_OK);
	ck_assert_int_eq(nkept, 0);
}
END_TEST

/* The writer's batch: every row as it was queued, the empty fields NULL. */
START_TEST(audit_rows_written_at_once)
{
	struct audit_row rows[3];
	int64_t n;

	audit_fill(&rows[0], &tester, "appointment.board", pat1, 11, T0);
	audit_fill(&rows[1], &tester, "appointment.board", pat2, 12, T0);
	audit_fill(&rows[2], NULL, "export", 0, 0, T0 + 1);
	ck_assert_int_eq(store_begin(db), APP_OK);
	ck_assert_int_eq(store_users_audit_add_rows(db, rows, 3), APP_OK);
	ck_assert_int_eq(store_commit(db), APP_OK);
	ck_assert_int_eq(store_scalar(db, "SELECT count(*) FROM audit_log WHERE user_id = 1 AND "
					  "username = 'test' AND role = 'secretary' AND action = "
					  "'appointment.board' AND client_ip = '127.0.0.1' AND at = ?1 "
					  "AND detail IS NULL",
				      1, T0, 0, &n),
			 APP_OK);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(store_scalar(db, "SELECT count(*) FROM audit_log WHERE patient_id = ?1 "
					  "AND appointment_id = 12",
				      1, pat2, 0, &n),
			 APP_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(store_scalar(db, "SELECT count(*) FROM audit_log WHERE user_id IS NULL AND "
					  "patient_id IS NULL AND appointment_id IS NULL AND username "
					  "= 'system' AND role = 'none' AND action = 'export'",
				      0, 0, 0, &n),
			 APP_OK);
	ck_assert_int_eq(n, 1);
}
END_TEST

/* A read is logged once per user, role, address, action, patient and
 * appointment in AUDIT_REPEAT_S; a batch over AUDIT_BATCH rows loses none. */
START_TEST(audit_reads_are_not_repeated)
{
	struct actor who = {.user_id = 7, .username = "sek", .role = ROLE_SECRETARY,
			    .ip = "127.0.0.1"};
	struct audit_batch b;
	struct audit *a;
	int64_t n;

	ck_assert_int_eq(audit_new(dbname, 1000, &a), APP_OK);
	audit_read(a, &who, "appointment.read", pat1, 1, T0);
	audit_read(a, &who, "appointment.read", pat1, 1, T0 + 60);	    /* a repeat */
	audit_read(a, &who, "appointment.read", pat2, 1, T0 + 60);	    /* another patient */
	audit_read(a, &who, "appointment.history", pat1, 1, T0 + 60);	    /* another action */
	audit_read(a, &who, "appointment.read", pat1, 1, T0 + AUDIT_REPEAT_S); /* later */
	snprintf(who.ip, sizeof(who.ip), "10.0.0.9");
	audit_read(a, &who, "appointment.read", pat1, 1, T0 + 60); /* from elsewhere */
	who.user_id = 8;
	snprintf(who.username, sizeof(who.username), "lege");
	who.role = ROLE_CLINICIAN;
	audit_read(a, &who, "appointment.read", pat1, 1, T0 + 60); /* someone else */
	audit_batch_init(&b, a, &who, "day.read", T0);
	for (int i = 0; i < 100; i++) /* 70 rows, 30 of them twice */
		audit_batch_add(&b, i % 2 ? pat1 : pat2, 100 + i % 70);
	audit_batch_release(&b);
	audit_flush(a);
	ck_assert_int_eq(store_scalar(db, "SELECT count(*) FROM audit_log WHERE action <> "
					  "'day.read'", 0, 0, 0, &n),
			 APP_OK);
	ck_assert_int_eq(n, 6);
	ck_assert_int_eq(store_scalar(db, "SELECT count(DISTINCT appointment_id) FROM audit_log "
					  "WHERE action = 'day.read' AND user_id = 8",
				      0, 0, 0, &n),
			 APP_OK);
	ck_assert_int_eq(n, 70);
	ck_assert_int_eq(store_scalar(db, "SELECT count(*) FROM audit_log WHERE action = "
					  "'day.read'", 0, 0, 0, &n),
			 APP_OK);
	ck_assert_int_eq(n, 70);
	audit_free(a);
}
END_TEST

/* More different statements than the cache keeps (a list's SQL varies with
 * its filters): each still runs, two at once too, and nothing is left
 * prepared beyond the cache once they are done. */
START_TEST(statements_beyond_the_cache_still_run)
{
	char sql[64];
	sqlite3_stmt *a, *b;
	int before;

	for (int i = 0; i < 1000; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d + 1", i);
		ck_assert_int_eq(store_stmt(db, sql, &a), APP_OK);
		ck_assert_int_eq(sqlite3_step(a), SQLITE_ROW);
		ck_assert_int_eq(sqlite3_column_int(a, 0), i + 1);
		store_done(a);
	}
	before = 0;
	for (sqlite3_stmt *o = sqlite3_next_stmt(store_db(db), NULL); o;
	     o = sqlite3_next_stmt(store_db(db), o))
		before++;
	ck_assert_int_eq(store_stmt(db, "SELECT 'a' || 1", &a), APP_OK);
	ck_assert_int_eq(store_stmt(db, "SELECT 'b' || 2", &b), APP_OK);
	ck_assert_int_eq(sqlite3_step(a), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_step(b), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(a, 0), "a1");
	ck_assert_str_eq((const char *)sqlite3_column_text(b, 0), "b2");
	store_done(b);
	store_done(a);
	/* a write beyond the cache gives the writer lock back */
	ck_assert_int_eq(store_stmt(db, "CREATE TABLE beyond (x)", &a), APP_OK);
	ck_assert_int_eq(sqlite3_step(a), SQLITE_DONE);
	store_done(a);
	ck_assert_int_eq(store_begin(db), APP_OK);
	store_rollback(db);
	for (sqlite3_stmt *o = sqlite3_next_stmt(store_db(db), NULL); o;
	     o = sqlite3_next_stmt(store_db(db), o))
		before--;
	ck_assert_int_eq(before, 0); /* the cache's, no more */
}
END_TEST

/* A secretary's week of five units (25,000 rows) and a colleague's, each
 * looked at again within minutes, are logged once: a repeat table of
 * 32,768 entries logged about half of a week's rows again. */
START_TEST(audit_a_week_of_units_is_logged_once)
{
	struct actor who = {.user_id = 7, .username = "sek", .role = ROLE_SECRETARY,
			    .ip = "127.0.0.1"};
	struct audit_batch b;
	struct audit *a;
	int64_t n;

	ck_assert_int_eq(audit_new(dbname, 1000, &a), APP_OK);
	for (int pass = 0; pass < 3; pass++)
		for (int user = 7; user <= 8; user++) {
			who.user_id = user;
			audit_batch_init(&b, a, &who, "appointment.board", T0 + pass * 120);
			for (int i = 0; i < 25000; i++)
				audit_batch_add(&b, i % 2 ? pat1 : pat2, 1000 + i);
			audit_batch_release(&b);
		}
	audit_flush(a);
	ck_assert_int_eq(store_scalar(db, "SELECT count(*) FROM audit_log WHERE action = "
					  "'appointment.board'", 0, 0, 0, &n),
			 APP_OK);
	ck_assert_int_le(n, 50000 + 500);
	audit_free(a);
}
END_TEST

/* A clinician's 200 day lists of 50 rows (the benchmark's 1M fixture: 36 KB
 * each, 7.2 MB) all stay, as they fit in LISTCACHE_BYTES: one slot a key
 * lost about a third of them to each other, 4 ways in 128 sets 4 % (the
 * sets five keys fell in missed on every read).  A list read between every
 * other put is never the one pushed out. */
START_TEST(list_cache_keeps_what_is_used)
{
	static const char small[] = "[]";
	struct listcache *c = listcache_new();
	struct listcache_rows rows = {0};
	char key[64], tag[LISTCACHE_ETAG_MAX], want[LISTCACHE_ETAG_MAX];
	size_t len = 36 * 1000;
	char *body = malloc(len);
	int nrows, kept = 0;

	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(body);
	memset(body, 'x', len);
	for (int i = 0; i < 50; i++)
		listcache_rows_add(&rows, pat1, 1000 + i);
	listcache_etag(body, len, want);
	for (int i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "day|1|%d|0|", 1700000000 + i * 86400);
		listcache_put(c, key, 7, body, len, want, &rows);
	}
	for (int i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "day|1|%d|0|", 1700000000 + i * 86400);
		kept += listcache_tag(c, key, 7, tag, &nrows);
	}
	ck_assert_int_eq(kept, 200);
	ck_assert_int_eq(nrows, 50);
	listcache_rows_release(&rows);
	listcache_etag(small, 2, want);
	listcache_put(c, "day|2|hot|", 7, small, 2, want, &rows);
	for (int i = 0; i < 20 * LISTCACHE_SLOTS; i++) {
		snprintf(key, sizeof(key), "list|%d|", i);
		listcache_put(c, key, 7, small, 2, want, &rows);
		ck_assert_msg(listcache_tag(c, "day|2|hot|", 7, tag, &nrows), "lost after %d", i);
	}
	free(body);
	listcache_free(c);
}
END_TEST

/* The list cache's tags: made once at put, the hash of the body's bytes
 * (what every GET answer carries), given by listcache_tag only for the same
 * key at the same generation, and nothing audited for it. */
START_TEST(list_cache_keeps_its_tag)
{
	static const char body[] = "[{\"id\":1}]";
	struct listcache *c = listcache_new();
	struct listcache_rows rows = {0};
	struct audit_batch b;
	struct audit *a;
	const char *kept, *kept2;
	size_t len;
	void *lent, *lent2;
	char tag[LISTCACHE_ETAG_MAX], want[LISTCACHE_ETAG_MAX], other[LISTCACHE_ETAG_MAX];
	int nrows = -1;
	int64_t n;

	ck_assert_ptr_nonnull(c);
	listcache_etag(body, strlen(body), want);
	ck_assert_uint_eq(strlen(want), 26); /* "\"" 24 hex "\"" */
	ck_assert_int_eq(want[0], '"');
	listcache_etag("[]", 2, other);
	ck_assert_str_ne(want, other);
	ck_assert(!listcache_tag(c, "k", 5, tag, &nrows)); /* nothing yet */
	listcache_rows_add(&rows, pat1, 1);
	listcache_put(c, "k", 5, body, strlen(body), want, &rows);
	listcache_rows_release(&rows);
	ck_assert(listcache_tag(c, "k", 5, tag, &nrows));
	ck_assert_str_eq(tag, want);
	ck_assert_int_eq(nrows, 1);
	ck_assert(!listcache_tag(c, "k", 6, tag, &nrows)); /* the data moved on */
	ck_assert(!listcache_tag(c, "k2", 5, tag, &nrows)); /* another asker's key */
	ck_assert(!listcache_tag(c, "", 5, tag, &nrows));   /* no key */
	ck_assert(!listcache_tag(NULL, "k", 5, tag, &nrows));
	/* the full path from the cache: the same tag, the row audited */
	ck_assert_int_eq(audit_new(dbname, 1000, &a), APP_OK);
	audit_batch_init(&b, a, &tester, "day.read", T0);
	tag[0] = '\0';
	ck_assert(listcache_get(c, "k", 5, &kept, &len, &lent, &b, &nrows, tag));
	ck_assert_str_eq(tag, want);
	ck_assert_uint_eq(len, strlen(body));
	ck_assert(!memcmp(kept, body, len));
	/* lent, not copied: it outlives its entry (pushed out by a newer
	 * answer) until it is given back */
	listcache_put(c, "k", 6, "[]", 2, other, &rows);
	ck_assert(listcache_tag(c, "k", 6, tag, &nrows));
	ck_assert(!memcmp(kept, body, len));
	ck_assert(listcache_get(c, "k", 6, &kept2, &len, &lent2, &b, &nrows, tag));
	listcache_give_back(lent);
	listcache_give_back(NULL);
	audit_batch_release(&b);
	audit_flush(a);
	ck_assert_int_eq(store_scalar(db, "SELECT count(*) FROM audit_log WHERE action = "
					  "'day.read'", 0, 0, 0, &n),
			 APP_OK);
	ck_assert_int_eq(n, 1);
	/* a body without a tag is not kept */
	listcache_put(c, "k3", 5, body, strlen(body), "", &rows);
	ck_assert(!listcache_tag(c, "k3", 5, tag, &nrows));
	audit_free(a);
	listcache_free(c); /* with a body still lent: freed when given back */
	ck_assert(!memcmp(kept2, "[]", 2));
	listcache_give_back(lent2);
}
END_TEST

/* A kept list's rows are audited on a hit by the audit's repeat rule, and
 * the entry knows when they were logged for the last actor that replayed
 * them: that actor's next hits within AUDIT_REPEAT_S add nothing (and look
 * nothing up); another actor, or the same once the window has passed,
 * replays them (and has them logged if they are not repeats). */
START_TEST(list_cache_replays_rows_once_a_window)
{
	static const char body[] = "[1,2,3]";
	struct actor other = tester;
	struct listcache *c = listcache_new();
	struct listcache_rows rows = {0};
	struct audit_batch b;
	struct audit *a;
	const char *kept;
	size_t len;
	void *lent;
	char tag[LISTCACHE_ETAG_MAX], want[LISTCACHE_ETAG_MAX];
	const struct {
		const struct actor *who;
		int64_t at;
		bool replayed;
		int64_t logged; /* rows in the log after it */
	} hits[] = {
		{&tester, T0, true, 3},	       /* the first: no one logged them */
		{&tester, T0 + 10, false, 3},     /* repeats: not even looked up */
		{&other, T0 + 10, true, 6},	       /* another user's reads */
		{&tester, T0 + 20, true, 6}, /* the entry knows the last actor only: */
		{&tester, T0 + 30, false, 6}, /* ...looked up again, none logged */
		{&tester, T0 + AUDIT_REPEAT_S, true, 9}, /* the window has passed */
		{&tester, T0 + AUDIT_REPEAT_S + 1, false, 9},
		{&tester, T0 + 2 * AUDIT_REPEAT_S - 1, false, 9},
		{&tester, T0 + 2 * AUDIT_REPEAT_S, true, 12},
	};
	int nrows;
	int64_t n;

	other.user_id = 2;
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(audit_new(dbname, 1000, &a), APP_OK);
	for (int i = 1; i <= 3; i++)
		listcache_rows_add(&rows, pat1, i);
	listcache_etag(body, strlen(body), want);
	listcache_put(c, "k", 5, body, strlen(body), want, &rows);
	listcache_rows_release(&rows);
	for (size_t i = 0; i < sizeof(hits) / sizeof(hits[0]); i++) {
		audit_batch_init(&b, a, hits[i].who, "list.repeat", hits[i].at);
		ck_assert(listcache_get(c, "k", 5, &kept, &len, &lent, &b, &nrows, tag));
		listcache_give_back(lent);
		ck_assert_int_eq(nrows, 3);
		ck_assert_uint_eq(len, strlen(body));
		/* replayed: queued at once, so when they were logged is known */
		ck_assert_msg((b.since <= b.until) == hits[i].replayed, "hit %zu", i);
		audit_batch_release(&b);
		audit_flush(a);
		ck_assert_int_eq(store_scalar(db, "SELECT count(*) FROM audit_log WHERE action = "
						  "'list.repeat'", 0, 0, 0, &n),
				 APP_OK);
		ck_assert_msg(n == hits[i].logged, "hit %zu: %lld logged", i, (long long)n);
	}
	audit_free(a);
	listcache_free(c);
}
END_TEST

START_TEST(pool_shares_one_database)
{
	struct store_pool *p;
	struct store *a, *b;
	int64_t n;
	char name[128];

	static int n_pools;

	snprintf(name, sizeof(name), "file:/pool-%d?vfs=memdb", ++n_pools);
	ck_assert_int_eq(store_pool_new(name, 2, 1000, &p), APP_OK);
	a = store_pool_get(p);
	b = store_pool_get(p);
	ck_assert_ptr_ne(a, b);
	ck_assert_int_eq(store_exec(a, "INSERT INTO units (name, created_at, updated_at) VALUES "
				       "('x', 0, 0)"),
			 APP_OK);
	ck_assert_int_eq(store_scalar(b, "SELECT count(*) FROM units", 0, 0, 0, &n), APP_OK);
	ck_assert_int_eq(n, 1);
	store_pool_put(p, a);
	store_pool_put(p, b);
	store_pool_free(p);
}
END_TEST

/* An empty sid or sub names nobody: it never ends every session of the
 * issuer (review 25, finding 2). */
START_TEST(sso_logout_never_means_everyone)
{
	struct sso_mapping m = {.claim = "roles", .value = "x", .role = ROLE_SECRETARY};
	struct audit_row r;
	struct user u;
	int ended = -1;
	int64_t left;

	audit_fill(&r, &tester, "login sso", 0, 0, T0);
	ck_assert_int_eq(store_sso_login(db, "https://idp", "sub-1", "Kari", &m,
					 "0000000000000000000000000000000000000000000000000000000000000001",
					 "s-1", &r, "{}", T0, &u),
			 APP_OK);
	ck_assert_int_eq(store_sso_login(db, "https://idp", "sub-2", "Ola", &m,
					 "0000000000000000000000000000000000000000000000000000000000000002",
					 NULL, &r, "{}", T0, &u),
			 APP_OK);
	ck_assert_int_eq(store_sso_logout(db, "https://idp", "", NULL, &ended), APP_EINVAL);
	ck_assert_int_eq(store_sso_logout(db, "https://idp", NULL, "", &ended), APP_EINVAL);
	ck_assert_int_eq(store_sso_logout(db, "https://idp", "", "", &ended), APP_EINVAL);
	ck_assert_int_eq(store_sso_logout(db, "https://idp", NULL, NULL, &ended), APP_EINVAL);
	ck_assert_int_eq(ended, 0);
	ck_assert_int_eq(store_scalar(db, "SELECT count(*) FROM sessions WHERE auth = 'oidc'", 0,
				      0, 0, &left),
			 APP_OK);
	ck_assert_int_eq(left, 2);
	ck_assert_int_eq(store_sso_logout(db, "https://idp", "s-1", NULL, &ended), APP_OK);
	ck_assert_int_eq(ended, 1);
	ck_assert_int_eq(store_sso_logout(db, "https://idp", NULL, "sub-2", &ended), APP_OK);
	ck_assert_int_eq(ended, 1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, migrations_are_tracked);
	tcase_add_test(tc, resources_round_trip);
	tcase_add_test(tc, overlaps_refused_touching_allowed);
	tcase_add_test(tc, patient_and_room_overlaps);
	tcase_add_test(tc, long_history_does_not_hide_overlaps);
	tcase_add_test(tc, trigger_is_the_last_line);
	tcase_add_test(tc, edits_versions_and_cancel);
	tcase_add_test(tc, move_and_swap_together);
	tcase_add_test(tc, history_is_append_only);
	tcase_add_test(tc, lists_and_day);
	tcase_add_test(tc, list_by_unit);
	tcase_add_test(tc, board_rows_are_the_lists);
	tcase_add_test(tc, audit_rows_written_at_once);
	tcase_add_test(tc, pool_shares_one_database);
	tcase_add_test(tc, list_cache_keeps_its_tag);
	tcase_add_test(tc, statements_beyond_the_cache_still_run);
	tcase_add_test(tc, list_cache_keeps_what_is_used);
	tcase_add_test(tc, list_cache_replays_rows_once_a_window);
	tcase_add_test(tc, audit_reads_are_not_repeated);
	tcase_add_test(tc, audit_a_week_of_units_is_logged_once);
	tcase_add_test(tc, sso_logout_never_means_everyone);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
