/*
 * bench_tool.c - the benchmark's helper (tests/bench/run.sh):
 *
 *   timebok-bench populate DB N FIRST_DAY FIXTURE.json
 *       a deterministic fixture of N appointments, exactly 50 per
 *       clinician-day, written straight into a fresh database (the schema by
 *       the server's own migrations), and a description of it for the
 *       scenarios: ids, days, patient-link tokens, days left free to book;
 *   timebok-bench sql DB FIXTURE.json SECONDS BOOKING_BASE [STATEMENT]
 *       the in-process rates of the store calls behind each scenario, the
 *       same statements the handlers run, one JSON line each, so the report
 *       shows what HTTP and JSON add on top of SQLite.
 *
 * The fixture: clinicians in units of 20 (20 clinicians for up to 20,000
 * appointments, else 100), Monday to Friday 07:30-17:00; each working day
 * from FIRST_DAY on holds 50 back-to-back video appointments of 10 minutes
 * from 07:30 (so 15:50-17:00 stays free for the slot search); 100 patients
 * per clinician, never two appointments at once; the appointments of the
 * first two days are invited, each with a patient link whose token is
 * derived from its index (so the scenarios know them).  Rows are inserted
 * as the server's own writes would leave them (participants, a history row
 * each, the statistics' facts), through the same triggers.  Patients are
 * born 1935-2014, so the statistics see every age band.
 */
#define _DEFAULT_SOURCE
#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actor.h"
#include "appointment.h"
#include "slots.h"
#include "store.h"
#include "store_appointments.h"
#include "store_hours.h"
#include "store_outbox.h"
#include "store_participants.h"
#include "store_stats.h"
#include "timeutil.h"
#include "token.h"

#define PER_DAY 50
#define SLOT_S 600
#define DAY_START_MIN 450 /* 07:30 */
#define DAY_END_MIN 1020  /* 17:00 */
#define UNIT_SIZE 20
#define LINK_DAYS 2
#define BOOKING_DAYS 400
#define TZ "Europe/Oslo"

struct fixture {
	int64_t n, clinicians, days, patients, units;
	int64_t first_day; /* days since 1970-01-01, a weekday */
};

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The local instant of minute min on day (days since the epoch). */
static int64_t local_at(int64_t day, int min)
{
	struct civil c = {0};
	int64_t t = 0;

	timeutil_civil_from_days(day, &c.year, &c.month, &c.day);
	c.hour = min / 60;
	c.min = min % 60;
	(void)timeutil_from_local(&c, &t);
	return t;
}

static bool weekday(int64_t day)
{
	int y, m, d;

	timeutil_civil_from_days(day, &y, &m, &d);
	return timeutil_weekday(y, m, d) <= 5;
}

static int64_t next_weekday(int64_t day)
{
	do
		day++;
	while (!weekday(day));
	return day;
}

static void date_text(int64_t day, char out[11])
{
	int y, m, d;

	timeutil_civil_from_days(day, &y, &m, &d);
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		 (unsigned)d % 100u);
}

/* The token of link i: 32 bytes derived from i, in base64url. */
static void link_token(int64_t i, char out[TOKEN_LEN + 1])
{
	unsigned char raw[32];
	char seed[32];

	snprintf(seed, sizeof(seed), "timebok-bench-%" PRId64, i);
	crypto_generichash(raw, sizeof(raw), (const unsigned char *)seed, strlen(seed), NULL, 0);
	sodium_bin2base64(out, TOKEN_LEN + 1, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static enum app_err step(struct store *s, const char *sql, sqlite3_stmt **st)
{
	enum app_err err = store_step_done(s, *st, sql);
	*st = NULL;
	return err;
}

static enum app_err insert_people(struct store *s, const struct fixture *fx, int64_t now)
{
	sqlite3_stmt *st = NULL;
	enum app_err err = APP_OK;
	char name[64], phone[32];

	for (int64_t u = 0; u < fx->units && !err; u++) {
		if ((err = store_stmt(s, "INSERT INTO units (name, created_at, updated_at) "
					 "VALUES (?1, ?2, ?2)", &st)))
			return err;
		snprintf(name, sizeof(name), "Poliklinikk %" PRId64, u + 1);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, now);
		err = step(s, "unit", &st);
	}
	for (int64_t c = 0; c < fx->clinicians && !err; c++) {
		if ((err = store_stmt(s, "INSERT INTO clinicians (name, profession, unit_id, "
					 "created_at, updated_at) VALUES (?1, 'lege', ?2, ?3, ?3)",
				      &st)))
			return err;
		snprintf(name, sizeof(name), "Lege %" PRId64, c + 1);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, c / UNIT_SIZE + 1);
		sqlite3_bind_int64(st, 3, now);
		if ((err = step(s, "clinician", &st)))
			return err;
		for (int wd = 1; wd <= 5 && !err; wd++) {
			if ((err = store_stmt(s, "INSERT INTO hours (clinician_id, weekday, "
						 "start_min, end_min) VALUES (?1, ?2, ?3, ?4)",
					      &st)))
				return err;
			sqlite3_bind_int64(st, 1, c + 1);
			sqlite3_bind_int(st, 2, wd);
			sqlite3_bind_int(st, 3, DAY_START_MIN);
			sqlite3_bind_int(st, 4, DAY_END_MIN);
			err = step(s, "hours", &st);
		}
	}
	for (int64_t p = 0; p < fx->patients && !err; p++) {
		char born[11];

		if ((err = store_stmt(s, "INSERT INTO patients (name, phone, birth_date, created_at, "
					 "updated_at) VALUES (?1, ?2, ?4, ?3, ?3)",
				      &st)))
			return err;
		/* born 1935-2014: every age band of the statistics */
		snprintf(born, sizeof(born), "%04d-%02d-%02d", 1935 + (int)(p * 7 % 80),
			 1 + (int)(p % 12), 1 + (int)(p % 28));
		sqlite3_bind_text(st, 4, born, -1, SQLITE_TRANSIENT);
		snprintf(name, sizeof(name), "Pasient %" PRId64, p + 1);
		snprintf(phone, sizeof(phone), "+47%08" PRId64, 40000000 + p);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, phone, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, now);
		err = step(s, "patient", &st);
	}
	return err;
}

/* A patient's or a clinician's participant row of appointment id. */
static enum app_err insert_participant(struct store *s, int64_t id, const char *kind,
				       int64_t who, int64_t start)
{
	bool patient = !strcmp(kind, "patient");
	sqlite3_stmt *st = NULL;
	enum app_err err;

	if ((err = store_stmt(s, "INSERT INTO participants (appointment_id, kind, patient_id, "
				 "clinician_id, start_at, end_at, live) VALUES (?1, ?2, ?3, ?4, "
				 "?5, ?6, 1)",
			      &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	if (patient)
		sqlite3_bind_int64(st, 3, who);
	else
		sqlite3_bind_int64(st, 4, who);
	sqlite3_bind_int64(st, 5, start);
	sqlite3_bind_int64(st, 6, start + SLOT_S);
	return step(s, "participant", &st);
}

/* One appointment: the row, its two participants, its history and, on
 * the first days, an invitation link.  *ntokens counts the links. */
static enum app_err insert_appointment(struct store *s, const uint8_t key[TOKEN_KEY_LEN],
				       int64_t clinician, int64_t patient, int64_t start,
				       bool invited, int64_t now, int64_t *ntokens)
{
	char url[96], token[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];
	uint8_t box[TOKEN_BOX_LEN];
	sqlite3_stmt *st = NULL;
	int64_t id, patient_part;
	enum app_err err;

	if ((err = store_stmt(s, "INSERT INTO appointments (start_at, end_at, mode, status, "
				 "patient_id, video_url, created_at, updated_at) "
				 "VALUES (?1, ?2, 'video', ?3, ?4, ?5, ?6, ?6)",
			      &st)))
		return err;
	snprintf(url, sizeof(url), "https://meet.example.org/timebok-bench-%" PRId64 "-%" PRId64,
		 clinician, start);
	sqlite3_bind_int64(st, 1, start);
	sqlite3_bind_int64(st, 2, start + SLOT_S);
	sqlite3_bind_text(st, 3, invited ? "invited" : "booked", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, patient);
	sqlite3_bind_text(st, 5, url, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, now);
	if ((err = step(s, "appointment", &st)))
		return err;
	id = sqlite3_last_insert_rowid(store_db(s));
	if ((err = insert_participant(s, id, "patient", patient, start)))
		return err;
	patient_part = sqlite3_last_insert_rowid(store_db(s));
	if ((err = insert_participant(s, id, "clinician", clinician, start)))
		return err;
	if ((err = store_stmt(s, "INSERT INTO appointment_history (appointment_id, at, actor, "
				 "action, changes) VALUES (?1, ?2, 'sekretaer', 'created', "
				 "'{\"status\":[null,\"booked\"]}')",
			      &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	if ((err = step(s, "history", &st)) || !invited)
		return err;
	link_token((*ntokens)++, token);
	token_hash(token, hash);
	token_seal(key, token, box);
	return store_outbox_link_add(s, id, patient_part, hash, box, now);
}

static json_t *day_list(int64_t first, int64_t count, bool starts)
{
	json_t *a = json_array();
	char date[11];

	for (int64_t d = first, i = 0; i < count; d = next_weekday(d), i++) {
		date_text(d, date);
		json_array_append_new(a, starts ? json_integer(local_at(d, DAY_START_MIN))
						: json_string(date));
	}
	return a;
}

static int populate(const char *db_path, int64_t n, const char *first, const char *out_path)
{
	struct fixture fx = {.n = n};
	uint8_t key[TOKEN_KEY_LEN];
	char key_path[1100];
	struct store *s = NULL;
	json_t *out = NULL, *tokens = NULL;
	int64_t now = now_s(), ntokens = 0, last_day = 0, made = 0;
	struct civil c;
	enum app_err err;
	double t0 = mono();
	int ret = 1;

	fx.clinicians = n <= 20000 ? 20 : 100;
	if (n <= 0 || n % (PER_DAY * fx.clinicians)) {
		fprintf(stderr, "populate: N must be a multiple of %" PRId64 "\n",
			PER_DAY * fx.clinicians);
		return 2;
	}
	if (timeutil_parse_date(first, &c) ||
	    !weekday(fx.first_day = timeutil_days_from_civil(c.year, c.month, c.day))) {
		fprintf(stderr, "populate: FIRST_DAY must be a weekday (YYYY-MM-DD)\n");
		return 2;
	}
	fx.days = n / (PER_DAY * fx.clinicians);
	fx.units = (fx.clinicians + UNIT_SIZE - 1) / UNIT_SIZE;
	fx.patients = 100 * fx.clinicians;
	snprintf(key_path, sizeof(key_path), "%s.key", db_path);
	if (token_key_load(key_path, key) || store_open(db_path, 10000, &s) || store_migrate(s))
		goto out;
	if ((err = store_exec(s, "PRAGMA synchronous=OFF; PRAGMA cache_size=-262144")) ||
	    (err = store_begin(s)) || (err = insert_people(s, &fx, now)))
		goto out;
	/* clinician-major, so each clinician's index entries are appended */
	for (int64_t cl = 0; cl < fx.clinicians; cl++) {
		int64_t day = fx.first_day;

		for (int64_t d = 0; d < fx.days; d++, day = next_weekday(day)) {
			for (int k = 0; k < PER_DAY; k++) {
				int64_t patient = (k * fx.clinicians + cl) % fx.patients + 1;

				err = insert_appointment(s, key, cl + 1, patient,
							 local_at(day, DAY_START_MIN + k * 10),
							 d < LINK_DAYS, now, &ntokens);
				if (err)
					goto out;
			}
			last_day = day;
		}
	}
	if ((err = store_commit(s)))
		goto out;
	/* the statistics' facts and daily sums, as the server's writes keep them */
	if ((err = store_stats_backfill(s, &made)) ||
	    (err = store_exec(s, "PRAGMA wal_checkpoint(TRUNCATE)")))
		goto out;
	tokens = json_array();
	for (int64_t i = 0; i < ntokens; i++) {
		char token[TOKEN_LEN + 1];

		link_token(i, token);
		json_array_append_new(tokens, json_string(token));
	}
	out = json_pack("{sI sI sI sI sI sI sI sI so so so so}", "appointments", (json_int_t)n,
			"per_day", (json_int_t)PER_DAY, "clinicians", (json_int_t)fx.clinicians,
			"unit_size", (json_int_t)UNIT_SIZE, "units", (json_int_t)fx.units,
			"patients", (json_int_t)fx.patients, "slot_seconds", (json_int_t)SLOT_S,
			"booking_slots_per_day",
			(json_int_t)((DAY_END_MIN - DAY_START_MIN) * 60 / SLOT_S), "days",
			day_list(fx.first_day, fx.days, false), "day_starts",
			day_list(fx.first_day, fx.days, true), "booking_day_starts",
			day_list(next_weekday(last_day), BOOKING_DAYS, true), "tokens", tokens);
	tokens = NULL;
	if (!out || json_dump_file(out, out_path, JSON_COMPACT))
		goto out;
	fprintf(stderr, "populate: %" PRId64 " appointments, %" PRId64 " clinicians x %" PRId64
			" days, %" PRId64 " links in %.1f s\n",
		n, fx.clinicians, fx.days, ntokens, mono() - t0);
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "populate: failed (see the log above)\n");
	json_decref(out);
	json_decref(tokens);
	store_free(s);
	return ret;
}

/* --- in-process rates ------------------------------------------------- */

struct rate {
	const char *name;
	int64_t ops, rows;
	double seconds;
};

static bool count_row(void *ctx, const struct appointment *a)
{
	(void)a;
	(*(int64_t *)ctx)++;
	return true;
}

static void report(const struct rate *r)
{
	printf("{\"statement\":\"%s\",\"ops\":%" PRId64 ",\"rows\":%" PRId64
	       ",\"seconds\":%.3f,\"per_s\":%.1f}\n",
	       r->name, r->ops, r->rows, r->seconds, (double)r->ops / r->seconds);
	fflush(stdout);
}

static json_int_t at(const json_t *fx, const char *key, size_t i)
{
	return json_integer_value(json_array_get(json_object_get(fx, key), i));
}

static json_int_t num(const json_t *fx, const char *key)
{
	return json_integer_value(json_object_get(fx, key));
}

/* The clinician's day list: SQL_DAY, as GET /clinicians/{id}/day. */
static enum app_err rate_day(struct store *s, const json_t *fx, double secs, struct rate *r)
{
	size_t ndays = json_array_size(json_object_get(fx, "day_starts"));
	json_int_t ncl = num(fx, "clinicians");
	enum app_err err = APP_OK;
	double t0 = mono();

	while (!err && mono() - t0 < secs) {
		int64_t start = at(fx, "day_starts", (size_t)r->ops % ndays);
		/* the whole local day, as the handler asks */
		err = store_appointments_day(s, r->ops % ncl + 1, start - 27000, start + 59400,
					     count_row, &r->rows);
		r->ops++;
	}
	r->seconds = mono() - t0;
	return err;
}

/* The secretary's day view: one unit's appointments over one day. */
static enum app_err rate_unit_day(struct store *s, const json_t *fx, double secs, struct rate *r)
{
	size_t ndays = json_array_size(json_object_get(fx, "day_starts"));
	enum app_err err = APP_OK;
	double t0 = mono();

	while (!err && mono() - t0 < secs) {
		int64_t start = at(fx, "day_starts", (size_t)r->ops % ndays);
		struct appt_filter f = {.from = start - 27000, .to = start + 59400, .mode = -1,
					.unit_id = r->ops % num(fx, "units") + 1, .limit = 5000};

		err = store_appointments_list(s, &f, count_row, &r->rows);
		r->ops++;
	}
	r->seconds = mono() - t0;
	return err;
}

/* The free-slot search's reads: 20 clinicians' hours and busy times for a
 * week (the intersecting is arithmetic on top). */
static enum app_err rate_slots(struct store *s, const json_t *fx, double secs, struct rate *r)
{
	static struct interval busy[8000];
	static struct availability av;
	size_t ndays = json_array_size(json_object_get(fx, "day_starts"));
	enum app_err err = APP_OK;
	double t0 = mono();

	while (!err && mono() - t0 < secs) {
		int64_t from = at(fx, "day_starts", ((size_t)r->ops * 5) % (ndays - 4)) - 27000;
		int64_t to = from + 7 * 86400;
		int nbusy = 0;

		for (int c = 1; c <= UNIT_SIZE && !err; c++) {
			int n = 0;

			if (!(err = store_hours_availability(s, OWNER_CLINICIAN, c, from, to, &av)))
				err = store_hours_busy(s, OWNER_CLINICIAN, c, from, to, busy + nbusy,
						       8000 - nbusy, &n);
			nbusy += n;
		}
		r->rows += nbusy;
		r->ops++;
	}
	r->seconds = mono() - t0;
	return err;
}

/* The patient link's view: the link, the appointment, the participant. */
static enum app_err rate_link(struct store *s, const json_t *fx, double secs, struct rate *r)
{
	const json_t *tokens = json_object_get(fx, "tokens");
	enum app_err err = APP_OK;
	double t0 = mono();

	while (!err && mono() - t0 < secs) {
		char hash[TOKEN_HASH_LEN + 1];
		struct participant p;
		struct appointment a;
		struct link l;

		token_hash(json_string_value(json_array_get(tokens, (size_t)r->ops %
								      json_array_size(tokens))),
			   hash);
		if (!(err = store_outbox_link_find(s, hash, &l)) &&
		    !(err = store_appointments_get(s, l.appointment_id, &a)))
			err = store_participants_get(s, a.id, l.participant_id, &p);
		r->rows++;
		r->ops++;
	}
	r->seconds = mono() - t0;
	return err;
}

/* Booking: store_appointments_create, the conflict check and the durable
 * write in one transaction, on free days (BOOKING_BASE picks the block). */
static enum app_err rate_book(struct store *s, const json_t *fx, double secs, int64_t base,
			      struct rate *r)
{
	json_int_t ncl = num(fx, "clinicians"), per = num(fx, "booking_slots_per_day");
	struct actor who = {.user_id = 1, .username = "bench", .role = ROLE_SECRETARY};
	enum app_err err = APP_OK;
	double t0 = mono();

	while (!err && mono() - t0 < secs) {
		int64_t k = base + r->ops, slot = k % (ncl * per);
		struct appointment a = {.mode = APPT_VIDEO, .status = APPT_BOOKED, .nclinicians = 1};
		struct conflicts cf;

		a.start = at(fx, "booking_day_starts", (size_t)(k / (ncl * per))) +
			  (slot / ncl) * SLOT_S;
		a.end = a.start + SLOT_S;
		a.clinician_ids[0] = slot % ncl + 1;
		a.patient_id = slot % num(fx, "patients") + 1;
		snprintf(a.video_url, sizeof(a.video_url), "https://meet.example.org/x-%" PRId64, k);
		err = store_appointments_create(s, &a, &who, now_s(), &cf);
		r->ops++;
	}
	r->seconds = mono() - t0;
	return err;
}

typedef enum app_err (*rate_fn)(struct store *s, const json_t *fx, double secs, struct rate *r);

/* Book last: it writes.  only (NULL: all) picks one, for a profiler. */
static int sql(const char *db_path, const char *fx_path, double secs, int64_t base,
	       const char *only)
{
	static const struct {
		const char *name;
		rate_fn fn;
	} rates[] = {{"day_list", rate_day},
		     {"unit_day", rate_unit_day},
		     {"slots_week_reads", rate_slots},
		     {"link_view", rate_link},
		     {"booking", NULL}};
	json_error_t jerr;
	json_t *fx = json_load_file(fx_path, 0, &jerr);
	struct store *s = NULL;
	enum app_err err = APP_EINVAL;

	if (!fx) {
		fprintf(stderr, "sql: %s: %s\n", fx_path, jerr.text);
		return 2;
	}
	if (store_open(db_path, 10000, &s))
		goto out;
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		struct rate r = {rates[i].name, 0, 0, 0};

		if (only && strcmp(only, r.name))
			continue;
		err = rates[i].fn ? rates[i].fn(s, fx, secs, &r) : rate_book(s, fx, secs, base, &r);
		if (err)
			goto out;
		report(&r);
	}
out:
	if (err)
		fprintf(stderr, "sql: failed: %s\n", err_code(err));
	store_free(s);
	json_decref(fx);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0 || timeutil_set_zone(TZ))
		return 1;
	if (argc == 6 && !strcmp(argv[1], "populate"))
		return populate(argv[2], strtoll(argv[3], NULL, 10), argv[4], argv[5]);
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "sql"))
		return sql(argv[2], argv[3], strtod(argv[4], NULL), strtoll(argv[5], NULL, 10),
			   argc == 7 ? argv[6] : NULL);
	fprintf(stderr, "usage: timebok-bench populate DB N FIRST_DAY FIXTURE.json\n"
			"       timebok-bench sql DB FIXTURE.json SECONDS BOOKING_BASE [STATEMENT]\n");
	return 2;
}
