/*
 * demo.c - the demo clinic: three units, ten clinicians of several
 * professions, clinic and video rooms, two hundred patients (synthetic
 * national ids: month + 80, as the tax authority's test numbers; phone
 * numbers and e-mail at example domains) and two weeks of appointments,
 * mostly by video, from this week's Monday; clinicians work Monday to
 * Friday, 08:00-15:30.  Before that, a year of history for the statistics
 * (demo_history): the share held by video rising towards the units'
 * targets, opt-outs with their reasons, no-shows, phone fallbacks and
 * cancellations.
 */
#include "demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth.h"
#include "log.h"
#include "resources.h"
#include "store_users.h"
#include "store.h"
#include "store_appointments.h"
#include "store_hours.h"
#include "store_participants.h"
#include "store_resource.h"
#include "store_stats.h"
#include "timeutil.h"
#include "validate.h"

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)((rng_state >> 33) % n);
}

static void set_text(const struct res_desc *d, struct res_row *row, const char *field,
		     const char *v)
{
	int i = store_resource_field(d, field);
	row->v[i].set = true;
	row->v[i].null = v == NULL;
	if (v)
		snprintf(row->v[i].s, sizeof(row->v[i].s), "%s", v);
}

static void set_int(const struct res_desc *d, struct res_row *row, const char *field, int64_t v)
{
	int i = store_resource_field(d, field);
	row->v[i].set = true;
	row->v[i].i = v;
}

static void synthetic_nin(char out[12])
{
	for (;;) {
		unsigned day = 1 + rnd(28), month = 1 + rnd(12), year = 35 + rnd(64);
		char tmp[64];

		snprintf(tmp, sizeof(tmp), "%02u%02u%02u%03u00", day % 100, (month + 80) % 100,
			 year % 100, rnd(500) % 1000);
		memcpy(out, tmp, 11);
		out[11] = '\0';
		if (validate_national_id_check_digits(out, out + 9))
			return;
	}
}

static const char *const first_names[] = {
	"Ola",   "Kari",  "Per",    "Ingrid", "Lars",  "Anne",   "Ole",    "Marit", "Jon",
	"Liv",   "Nils",  "Hilde",  "Arne",   "Silje", "Knut",   "Tone",   "Erik",  "Randi",
	"Emma",  "Jakob", "Nora",   "Filip",  "Sofie", "Aksel",  "Ella",   "Magnus", "Maja",
	"Noah",  "Leah",  "Isak",   "Frida",  "Sander", "Tiril", "Henrik", "Ida",   "Even",
	"Aisha", "Omar",  "Zahra",  "Piotr",  "Anna",  "Mohammed", "Sunniva", "Trond", "Gunnhild"};
static const char *const last_names[] = {
	"Hansen",    "Johansen", "Olsen",    "Larsen",  "Andersen", "Pedersen", "Nilsen",
	"Kristiansen", "Jensen", "Karlsen",  "Johnsen", "Pettersen", "Eriksen", "Berg",
	"Haugen",    "Hagen",    "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen",
	"Halvorsen", "Henriksen", "Lund",    "Sørensen", "Moen",    "Gundersen", "Iversen",
	"Strand",    "Solberg",  "Svendsen", "Eide",    "Knutsen",  "Martinsen", "Bakken",
	"Ali",       "Nowak",    "Ahmed",    "Rønning", "Fjeld"};

static const struct {
	const char *name, *profession;
	int unit;
} staff[] = {
	{"Dr. Ingrid Solheim", "lege", 0},      {"Dr. Anders Vik", "lege", 0},
	{"Hanne Lie", "sykepleier", 0},         {"Kristin Aas", "klinisk ernæringsfysiolog", 0},
	{"Dr. Mette Bråten", "psykolog", 1},    {"Jonas Myhre", "psykolog", 1},
	{"Camilla Foss", "sosionom", 1},        {"Ragnhild Tveit", "fysioterapeut", 2},
	{"Thomas Nygård", "ergoterapeut", 2},   {"Dr. Eirik Holm", "lege", 2},
};

#define NPATIENTS 200

static enum app_err demo_accounts(struct app *app, struct store *db, int64_t clinician, int64_t now)
{
	static const struct {
		const char *name;
		enum role role;
	} accounts[] = {{"admin", ROLE_ADMIN},
			{"sekretaer", ROLE_SECRETARY},
			{"lege1", ROLE_CLINICIAN},
			{"leder", ROLE_MANAGER}};
	enum app_err err;

	for (size_t i = 0; i < sizeof(accounts) / sizeof(accounts[0]); i++) {
		struct user u;

		u = (struct user){.role = accounts[i].role, .active = true};
		snprintf(u.username, sizeof(u.username), "%s", accounts[i].name);
		u.clinician_id = u.role == ROLE_CLINICIAN ? clinician : 0;
		if ((err = auth_hash(app->auth, DEMO_PASSWORD, u.password_hash)) ||
		    (err = store_users_insert(db, &u, now)))
			return err;
	}
	log_warn("demo: accounts admin, sekretaer, lege1 and leder have the password '%s'; "
		 "never use --demo for real data", DEMO_PASSWORD);
	return APP_OK;
}

static enum app_err add_row(struct store *db, const struct res_desc *d, struct res_row *row,
			    int64_t now, int64_t *id)
{
	enum app_err err = store_resource_insert(db, d, row, now);
	*id = row->id;
	return err;
}

/* Consultation types, room opening hours, an absence, a waiting list and a
 * network meeting with guests: the scheduling rules at work. */
static enum app_err demo_rules(struct app *app, struct store *db, const int64_t *unit_ids,
			       const int64_t *clin_ids, const int64_t *clinic_rooms,
			       const int64_t *pat_ids, int64_t monday, int64_t now)
{
	static const struct {
		int unit;
		const char *name;
		int minutes;
		bool video;
		const char *mode;
		bool room;
		int after;
	} types[] = {
		{0, "Kontroll", 30, true, "video", false, 0},
		{0, "Undersøkelse", 45, false, "in_person", true, 10},
		{1, "Samtale", 45, true, "video", false, 15},
		{1, "Nettverksmøte", 60, true, "video", false, 15},
		{2, "Oppfølging", 30, true, "video", false, 0},
		{2, "Fysisk trening", 60, false, "in_person", true, 15},
	};
	static const struct {
		const char *name, *role, *org, *lang, *phone, *email;
	} guests[] = {
		{"Kari Nordmann", "gp", "Sentrum legekontor", NULL, NULL, "fastlege@legekontor.example.no"},
		{"Ola Hansen", "nav", "NAV Sentrum", NULL, "+4790012345", NULL},
		{"Amira Haddad", "interpreter", "Tolketjenesten", "arabisk", "+4790054321", NULL},
	};
	int64_t type_ids[6], id, day = monday + 7 + 1; /* next Tuesday */
	struct hours open[5];
	struct hours_exception x = {0};
	struct appointment a = {0};
	struct conflicts cf = {0};
	struct res_row row;
	struct civil d;
	enum app_err err;

	for (int i = 0; i < 6; i++) {
		memset(&row, 0, sizeof(row));
		set_text(&resources_types, &row, "name", types[i].name);
		set_int(&resources_types, &row, "unit_id", unit_ids[types[i].unit]);
		set_int(&resources_types, &row, "duration_minutes", types[i].minutes);
		set_int(&resources_types, &row, "video_allowed", types[i].video);
		set_text(&resources_types, &row, "default_mode", types[i].mode);
		set_int(&resources_types, &row, "needs_room", types[i].room);
		set_int(&resources_types, &row, "buffer_after_minutes", types[i].after);
		if ((err = add_row(db, &resources_types, &row, now, &type_ids[i])))
			return err;
	}
	for (int wd = 1; wd <= 5; wd++) /* clinic rooms: weekdays 07:30-16:00 */
		open[wd - 1] = (struct hours){wd, 7 * 60 + 30, 16 * 60, 0, 0};
	for (int r = 0; r < 4; r++)
		if ((err = store_hours_set(db, OWNER_ROOM, clinic_rooms[r], open, 5)))
			return err;
	/* the second clinician is on a course next Thursday */
	timeutil_civil_from_days(monday + 7 + 3, &d.year, &d.month, &d.day);
	timeutil_day_bounds(&d, &x.start, &x.end);
	snprintf(x.reason, sizeof(x.reason), "Kurs");
	snprintf(x.created_by, sizeof(x.created_by), "demo");
	x.created_at = now;
	if ((err = store_hours_exception_add(db, OWNER_CLINICIAN, clin_ids[1], &x)))
		return err;
	for (int i = 0; i < 4; i++) { /* waiting for a follow-up with the first clinician */
		memset(&row, 0, sizeof(row));
		set_int(&resources_waiting, &row, "patient_id", pat_ids[10 + i]);
		set_int(&resources_waiting, &row, "type_id", type_ids[0]);
		if (i % 2)
			set_int(&resources_waiting, &row, "clinician_id", clin_ids[0]);
		set_text(&resources_waiting, &row, "priority", i == 2 ? "urgent" : "normal");
		if ((err = add_row(db, &resources_waiting, &row, now - (4 - i) * 86400, &id)))
			return err;
	}
	/* a network meeting: patient, two clinicians, GP, NAV and an interpreter */
	timeutil_civil_from_days(day, &d.year, &d.month, &d.day);
	d.hour = 15;
	d.min = 30;
	d.sec = 0;
	(void)timeutil_from_local(&d, &a.start);
	a.end = a.start + 3600;
	a.patient_id = pat_ids[0];
	a.clinician_ids[a.nclinicians++] = clin_ids[3];
	a.clinician_ids[a.nclinicians++] = clin_ids[4];
	a.type_id = type_ids[3];
	a.buffer_after = 15 * 60;
	a.mode = APPT_VIDEO;
	a.status = APPT_BOOKED;
	appointment_video_url(app->cfg->video_url_template, app->cfg->video_host_url_template, &a);
	if ((err = store_appointments_create(db, &a, NULL, now, &cf)))
		return err == APP_ECONFLICT ? APP_OK : err;
	for (int i = 0; i < 3; i++) {
		struct participant p = {.appointment_id = a.id};
		snprintf(p.name, sizeof(p.name), "%s", guests[i].name);
		snprintf(p.role, sizeof(p.role), "%s", guests[i].role);
		snprintf(p.organisation, sizeof(p.organisation), "%s", guests[i].org);
		snprintf(p.interpreter_language, sizeof(p.interpreter_language), "%s",
			 guests[i].lang ? guests[i].lang : "");
		snprintf(p.phone, sizeof(p.phone), "%s", guests[i].phone ? guests[i].phone : "");
		snprintf(p.email, sizeof(p.email), "%s", guests[i].email ? guests[i].email : "");
		snprintf(p.language, sizeof(p.language), "nb");
		if ((err = store_participants_add(db, &p)))
			return err;
	}
	return APP_OK;
}

/* A re-booking in person after an opt-out: next takes the target's mode,
 * room, links and status. */
static enum app_err rebook_edit(void *ctx, const struct appointment *cur, struct appointment *next)
{
	const struct appointment *to = ctx;

	(void)cur;
	next->mode = to->mode;
	next->room_id = to->room_id;
	memcpy(next->video_url, to->video_url, sizeof(next->video_url));
	memcpy(next->video_host_url, to->video_host_url, sizeof(next->video_host_url));
	next->status = to->status;
	next->held_mode = to->held_mode;
	return APP_OK;
}

/* A year of past consultations, a few per clinician and weekday: the
 * share by video climbs from about 45 % to 75 %, some patients opt out
 * (with a category; re-booked in person, then held), some do not come, a
 * few video consultations end by phone, some are cancelled. */
static enum app_err demo_history(struct app *app, struct store *db, const int64_t *clin_ids,
				 const int64_t *clinic_rooms, const int64_t *pat_ids, const int *born,
				 int64_t monday, int64_t now)
{
	static const char *const reasons[] = {"equipment", "prefer_in_person", "examination",
					      "language_hearing", "other", "equipment"};
	static const char *const reason_texts[] = {"Har ikke PC eller nettbrett", "", "", "",
						   "Vanskelig å snakke fritt hjemme", ""};
	int64_t first = monday - 364;
	enum app_err err;
	struct civil d;
	int booked = 0;

	for (int64_t day = first; day < monday; day++) {
		/* 0 a year ago, 100 last week: how far video has come */
		uint32_t progress = (uint32_t)((day - first) * 100 / (monday - first));
		timeutil_civil_from_days(day, &d.year, &d.month, &d.day);
		if (timeutil_weekday(d.year, d.month, d.day) > 5)
			continue;
		for (int c = 0; c < 10; c++) {
			struct appointment a = {0}, done;
			struct conflicts cf = {0};
			uint32_t r = rnd(100), slot = rnd(2);
			int k;

			if (rnd(100) < 35)
				continue;
			d.hour = 15;
			d.min = slot ? 45 : 0;
			d.sec = 0;
			(void)timeutil_from_local(&d, &a.start);
			a.end = a.start + 30 * 60;
			k = (int)rnd(NPATIENTS);
			a.patient_id = pat_ids[k];
			a.clinician_ids[a.nclinicians++] = clin_ids[c];
			/* the oldest patients meet by video far less often: the
			 * equity view's marked band */
			if (born[k] && d.year - born[k] >= 80)
				r = r / 2 + 50;
			a.mode = r < 55 + progress / 4 ? APPT_VIDEO : r < 92 ? APPT_IN_PERSON : APPT_PHONE;
			a.room_id = a.mode == APPT_IN_PERSON ? clinic_rooms[rnd(4)] : 0;
			a.status = APPT_COMPLETED;
			a.held_mode = a.mode == APPT_VIDEO && rnd(14) == 0 ? APPT_PHONE : a.mode;
			k = (int)rnd(100);
			if (k < 6)
				a.status = APPT_NO_SHOW;
			else if (k < 10)
				a.status = APPT_CANCELLED;
			else if (k < 10 + (int)(12 - progress / 10) && a.mode == APPT_VIDEO)
				a.status = APPT_OPTED_OUT;
			if (a.mode == APPT_VIDEO)
				appointment_video_url(app->cfg->video_url_template,
						      app->cfg->video_host_url_template, &a);
			k = (int)rnd(6);
			if (a.status == APPT_OPTED_OUT)
				snprintf(a.status_reason, sizeof(a.status_reason), "%s", reason_texts[k]);
			err = store_appointments_create(db, &a, NULL, now, &cf);
			if (err == APP_ECONFLICT)
				continue;
			if (err)
				return err;
			booked++;
			if (a.status != APPT_OPTED_OUT)
				continue;
			/* the opt-out's category, then re-booked in person and held */
			a.mode = APPT_IN_PERSON;
			a.room_id = clinic_rooms[rnd(4)];
			a.video_url[0] = a.video_host_url[0] = '\0';
			a.status = APPT_COMPLETED;
			a.held_mode = APPT_IN_PERSON;
			if ((err = store_begin(db)) ||
			    (err = store_stats_answer(db, a.id, reasons[k], false)) ||
			    (err = store_stats_refresh(db, a.id)) || (err = store_commit(db))) {
				store_rollback(db);
				return err;
			}
			err = store_appointments_edit(db, a.id, 0, rebook_edit, &a, NULL, now, &cf, &done);
			if (err && err != APP_ECONFLICT)
				return err;
		}
	}
	log_info("demo: %d appointments of history", booked);
	return APP_OK;
}

static const char *const optout_reasons[] = {
	"Har ikke god nok nettforbindelse hjemme", "Vil gjerne møte behandleren ansikt til ansikt",
	"Har ikke PC eller nettbrett", ""};

enum app_err demo_populate(struct app *app, struct store *db)
{
	static const char *const units[] = {"Medisinsk poliklinikk", "Psykisk helsevern, DPS",
					    "Rehabiliteringspoliklinikk"};
	int64_t unit_ids[3], clin_ids[10], clinic_rooms[4], video_rooms[2], pat_ids[NPATIENTS];
	int born[NPATIENTS] = {0};
	int64_t now = app_now(app), count, monday;
	struct civil today, d;
	struct res_row row;
	enum app_err err;
	int booked = 0;

	if ((err = store_scalar(db, "SELECT count(*) FROM units", 0, 0, 0, &count)))
		return err;
	if (count > 0)
		return APP_OK; /* the demo ran here before, or this is a real clinic's */
	if (!strncmp(app->cfg->public_url, "https://", 8)) {
		/* a site reached over TLS is a real one, even before its first account */
		log_error("demo: --public-url is https, so this is a real site; --demo adds "
			  "accounts with a published password and runs only on a site reached "
			  "over plain http (a laptop, a test host)");
		return APP_EINVAL;
	}
	if ((err = store_scalar(db, "SELECT count(*) FROM users", 0, 0, 0, &count)))
		return err;
	if (count > 0) { /* accounts of a real install: no known passwords beside them */
		log_error("demo: the database has staff accounts and no demo data; --demo adds "
			  "accounts with a published password, so it runs only on an empty "
			  "database");
		return APP_EINVAL;
	}
	timeutil_to_local(now, &today);
	rng_state = (uint64_t)timeutil_days_from_civil(today.year, today.month, today.day);
	if ((err = store_begin(db)))
		return err;
	for (int i = 0; i < 3; i++) {
		static const int target[] = {40, 30, 50}, km[] = {90, 60, 140}, minutes[] = {100, 70,
											  150};
		/* how patients reach it (the patient page): made-up numbers */
		static const char *const dept[] = {"Medisinsk klinikk", "Klinikk psykisk helse",
						   "Klinikk for fysikalsk medisin"},
					 *const phone[] = {"+4723001000", "+4723001100", "+4723001200"},
					 *const address[] = {"Sykehusveien 1, bygg A", "Sykehusveien 5",
							     "Sykehusveien 9, inngang C"};
		memset(&row, 0, sizeof(row));
		set_text(&resources_units, &row, "name", units[i]);
		set_text(&resources_units, &row, "department", dept[i]);
		set_text(&resources_units, &row, "phone", phone[i]);
		set_text(&resources_units, &row, "address", address[i]);
		set_int(&resources_units, &row, "video_target_percent", target[i]);
		set_int(&resources_units, &row, "travel_km", km[i]);
		set_int(&resources_units, &row, "travel_minutes", minutes[i]);
		if ((err = add_row(db, &resources_units, &row, now, &unit_ids[i])))
			goto out;
	}
	for (int i = 0; i < 10; i++) {
		char email[128], phone[32];
		memset(&row, 0, sizeof(row));
		snprintf(email, sizeof(email), "kliniker%d@sykehus.example.no", i + 1);
		snprintf(phone, sizeof(phone), "+47%08d", 22000000 + i * 1117);
		set_text(&resources_clinicians, &row, "name", staff[i].name);
		set_text(&resources_clinicians, &row, "profession", staff[i].profession);
		set_int(&resources_clinicians, &row, "unit_id", unit_ids[staff[i].unit]);
		set_text(&resources_clinicians, &row, "email", email);
		set_text(&resources_clinicians, &row, "phone", phone);
		if ((err = add_row(db, &resources_clinicians, &row, now, &clin_ids[i])))
			goto out;
	}
	for (int i = 0; i < 6; i++) {
		char name[64], where[64];
		bool video = i >= 4;
		memset(&row, 0, sizeof(row));
		snprintf(name, sizeof(name), video ? "Videorom %d" : "Rom %d",
			 video ? i - 3 : 101 + i);
		snprintf(where, sizeof(where), "Bygg A, %d. etasje", 1 + i / 2);
		set_text(&resources_rooms, &row, "name", name);
		set_int(&resources_rooms, &row, "unit_id", unit_ids[i % 3]);
		set_text(&resources_rooms, &row, "kind", video ? "video" : "clinic");
		set_text(&resources_rooms, &row, "location", where);
		if ((err = add_row(db, &resources_rooms, &row, now,
				   i < 4 ? &clinic_rooms[i] : &video_rooms[i - 4])))
			goto out;
	}
	for (int i = 0; i < NPATIENTS; i++) {
		const char *fn = first_names[rnd(sizeof(first_names) / sizeof(first_names[0]))];
		const char *ln = last_names[rnd(sizeof(last_names) / sizeof(last_names[0]))];
		char name[128], phone[32], email[160], nin[12], bd[11];
		uint32_t lang = rnd(20);

		memset(&row, 0, sizeof(row));
		snprintf(name, sizeof(name), "%s %s", fn, ln);
		snprintf(phone, sizeof(phone), "+47%d%07d", rnd(2) ? 4 : 9, 1000000 + i * 4391);
		snprintf(email, sizeof(email), "pasient%d@example.no", i + 1);
		synthetic_nin(nin);
		set_text(&resources_patients, &row, "name", name);
		set_text(&resources_patients, &row, "phone", phone);
		set_text(&resources_patients, &row, "email", rnd(10) < 6 ? email : NULL);
		set_text(&resources_patients, &row, "language", lang < 17 ? "nb" : lang < 19 ? "nn" : "en");
		set_text(&resources_patients, &row, "national_id", nin);
		set_text(&resources_patients, &row, "birth_date",
			 validate_national_id_birth_date(nin, bd) ? bd : NULL);
		if (validate_national_id_birth_date(nin, bd))
			born[i] = atoi(bd);
		if ((err = add_row(db, &resources_patients, &row, now, &pat_ids[i])))
			goto out;
	}
	if ((err = store_commit(db)))
		return err;
	if ((err = demo_accounts(app, db, clin_ids[0], now)))
		return err;
	for (int c = 0; c < 10; c++) { /* Monday to Friday, 08:00-15:30 */
		struct hours week[5];
		for (int wd = 1; wd <= 5; wd++)
			week[wd - 1] = (struct hours){wd, 8 * 60, 15 * 60 + 30, 0, 0};
		if ((err = store_hours_set(db, OWNER_CLINICIAN, clin_ids[c], week, 5)))
			return err;
	}

	monday = timeutil_days_from_civil(today.year, today.month, today.day) -
		 (timeutil_weekday(today.year, today.month, today.day) - 1);
	for (int64_t day = monday; day < monday + 14; day++) {
		timeutil_civil_from_days(day, &d.year, &d.month, &d.day);
		if (timeutil_weekday(d.year, d.month, d.day) > 5)
			continue;
		for (int c = 0; c < 10; c++) {
			for (int slot = 0; slot < 13; slot++) { /* 08:30 .. 14:30 */
				struct appointment a = {0};
				struct conflicts cf = {0};
				uint32_t m = rnd(20), s = rnd(20);

				if (rnd(100) < 40)
					continue;
				d.hour = 8 + (30 + slot * 30) / 60;
				d.min = (30 + slot * 30) % 60;
				d.sec = 0;
				(void)timeutil_from_local(&d, &a.start);
				a.end = a.start + (rnd(4) == 0 ? 45 * 60 : 30 * 60);
				if (slot == 12 && a.end - a.start > 30 * 60)
					a.end = a.start + 30 * 60;
				a.patient_id = pat_ids[rnd(NPATIENTS)];
				a.clinician_ids[a.nclinicians++] = clin_ids[c];
				if (rnd(20) == 0)
					a.clinician_ids[a.nclinicians++] = clin_ids[(c + 1) % 10];
				a.mode = m < 13 ? APPT_VIDEO : m < 18 ? APPT_IN_PERSON : APPT_PHONE;
				if (a.mode == APPT_IN_PERSON)
					a.room_id = clinic_rooms[rnd(4)];
				else if (a.mode == APPT_VIDEO && rnd(3) == 0)
					a.room_id = video_rooms[rnd(2)];
				if (a.mode == APPT_VIDEO)
					appointment_video_url(app->cfg->video_url_template,
							      app->cfg->video_host_url_template, &a);
				if (a.end < now)
					a.status = s < 17 ? APPT_COMPLETED : s < 18 ? APPT_NO_SHOW
										  : APPT_CANCELLED;
				else
					a.status = s < 6 ? APPT_BOOKED : s < 12 ? APPT_INVITED
							 : s < 18 ? APPT_CONFIRMED : s < 19 ? APPT_OPTED_OUT
											: APPT_CANCELLED;
				/* now and then a video consultation fell back to phone */
				a.held_mode = a.mode == APPT_VIDEO && rnd(10) == 0 ? APPT_PHONE : a.mode;
				if (a.status == APPT_OPTED_OUT && a.mode != APPT_VIDEO)
					a.status = APPT_CONFIRMED; /* only video can be opted out of */
				if (a.status == APPT_OPTED_OUT)
					snprintf(a.status_reason, sizeof(a.status_reason), "%s",
						 optout_reasons[rnd(4)]);
				err = store_appointments_create(db, &a, NULL, now, &cf);
				if (err == APP_ECONFLICT)
					continue; /* the patient or room was busy: skip the slot */
				if (err)
					return err;
				booked++;
			}
		}
	}
	if ((err = demo_rules(app, db, unit_ids, clin_ids, clinic_rooms, pat_ids, monday, now)) ||
	    (err = demo_history(app, db, clin_ids, clinic_rooms, pat_ids, born, monday, now)))
		return err;
	log_info("demo: %d patients, %d appointments", NPATIENTS, booked);
	return APP_OK;
out:
	store_rollback(db);
	return err;
}
