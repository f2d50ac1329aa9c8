/*
 * resources.c - the descriptors of the directory resources.
 *
 * Each names its table's columns, which of them a request must or may give,
 * how text is checked, and which are list filters.  See store_resource.h.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "appointment.h"
#include "survey.h"
#include "timeutil.h"
#include "validate.h"

static const char *const professions[] = {
	"lege",      "sykepleier", "psykolog", "fysioterapeut",
	"ergoterapeut", "sosionom", "klinisk ernæringsfysiolog", "logoped",
	"annet",     NULL};
static const char *const room_kinds[] = {"clinic", "video", NULL};
static const char *const languages[] = {"nb", "nn", "en", NULL};
static const char *const modes[] = {"video", "in_person", "phone", NULL};

#define NAME {.name = "name", .type = RES_TEXT, .required = true, .max = 200, .check = validate_name}
#define ACTIVE {.name = "active", .type = RES_BOOL, .filter = true, .def = "1"}
#define UNIT {.name = "unit_id", .type = RES_REF, .filter = true, .ref = "units"}
#define EMAIL {.name = "email", .type = RES_TEXT, .max = 254, .check = validate_email}
#define PHONE {.name = "phone", .type = RES_TEXT, .filter = true, .max = 32, .check = validate_phone}

/* the statistics' settings (issue 21): the share of consultations the
 * unit aims to hold by video, and its patients' typical round trip; how a
 * patient reaches the unit, shown on the patient page (issue 20, 0018) */
static const struct res_field unit_fields[] = {
	NAME,
	ACTIVE,
	{.name = "video_target_percent", .type = RES_INT, .min = 0, .max = 100},
	{.name = "travel_km", .type = RES_INT, .min = 0, .max = 5000},
	{.name = "travel_minutes", .type = RES_INT, .min = 0, .max = 1440},
	{.name = "department", .type = RES_TEXT, .max = 200, .check = validate_name},
	{.name = "phone", .type = RES_TEXT, .max = 32, .check = validate_phone},
	{.name = "address", .type = RES_TEXT, .max = 200, .check = validate_name},
};

const struct res_desc resources_units = {
	.table = "units",
	.noun = "unit",
	.fields = unit_fields,
	.nfields = 8,
	.search = "name " RES_LIKE,
	.unit_col = "id",
	.unique = "name",
};

static const struct res_field clinician_fields[] = {
	NAME,
	{.name = "profession", .type = RES_ENUM, .required = true, .filter = true,
	 .values = professions},
	UNIT,
	EMAIL,
	PHONE,
	ACTIVE,
};

const struct res_desc resources_clinicians = {
	.table = "clinicians",
	.noun = "clinician",
	.fields = clinician_fields,
	.nfields = 6,
	.search = "name " RES_LIKE,
	.unit_col = "unit_id",
};

static const struct res_field room_fields[] = {
	NAME,
	UNIT,
	{.name = "kind", .type = RES_ENUM, .filter = true, .values = room_kinds, .def = "clinic"},
	{.name = "location", .type = RES_TEXT, .max = 200, .check = validate_name},
	ACTIVE,
};

const struct res_desc resources_rooms = {
	.table = "rooms",
	.noun = "room",
	.fields = room_fields,
	.nfields = 5,
	.search = "name " RES_LIKE " OR location " RES_LIKE,
	.unit_col = "unit_id",
};

static void patient_derive(const struct res_desc *d, struct res_row *row)
{
	int nin = store_resource_field(d, "national_id");
	int bd = store_resource_field(d, "birth_date");

	if (!row->v[nin].set)
		return;
	row->v[bd].set = true;
	row->v[bd].null = row->v[nin].null ||
			  !validate_national_id_birth_date(row->v[nin].s, row->v[bd].s);
}

static const struct res_field patient_fields[] = {
	NAME,
	PHONE,
	EMAIL,
	{.name = "language", .type = RES_ENUM, .filter = true, .values = languages, .def = "nb"},
	{.name = "national_id", .type = RES_TEXT, .filter = true, .max = 11,
	 .check = validate_national_id},
	{.name = "birth_date", .type = RES_TEXT, .readonly = true},
	ACTIVE,
	/* "do not ask me again" on the survey page (issue 22) */
	{.name = "surveys_declined", .type = RES_BOOL, .def = "0"},
};

const struct res_desc resources_patients = {
	.table = "patients",
	.noun = "patient",
	.fields = patient_fields,
	.nfields = 8,
	.search = "name " RES_LIKE " OR phone " RES_LIKE " OR national_id = ?1",
	.derive = patient_derive,
	.audited = true,
	.audit_as = "patient",
	.unique = "national_id",
};

static const char *type_check(const struct res_desc *d, const struct res_row *row,
			      const char **field)
{
	int video = store_resource_field(d, "video_allowed");
	int mode = store_resource_field(d, "default_mode");

	*field = "default_mode";
	if (!row->v[video].i && !strcmp(row->v[mode].s, "video"))
		return "a type that does not allow video cannot have video as its default mode";
	return NULL;
}

/* A type's follow-up plan, by the rules of the /follow-up route, with the
 * questionnaires of the type's unit. */
static const char *type_plan_check(struct store *db, const struct res_desc *d,
				   const struct res_row *row, const struct json_t *v, char *why,
				   size_t cap, char *field, size_t fcap)
{
	return survey_plan_refusal(db, v, row->v[store_resource_field(d, "unit_id")].i, why, cap,
				   field, fcap);
}

#define MINUTES(n, lo, hi, d) {.name = n, .type = RES_INT, .min = lo, .max = hi, .def = d}

static const struct res_field type_fields[] = {
	NAME,
	{.name = "unit_id", .type = RES_REF, .required = true, .filter = true, .ref = "units"},
	{.name = "duration_minutes", .type = RES_INT, .required = true, .min = 5, .max = 720},
	{.name = "video_allowed", .type = RES_BOOL, .filter = true, .def = "1"},
	{.name = "default_mode", .type = RES_ENUM, .values = modes, .def = "video"},
	{.name = "needs_room", .type = RES_BOOL, .def = "0"},
	MINUTES("buffer_before_minutes", 0, 240, "0"),
	MINUTES("buffer_after_minutes", 0, 240, "0"),
	ACTIVE,
	/* the PROM plan (issue 22): the same column the /follow-up routes
	 * read and write, and completion plans its sends from */
	{.name = "follow_up", .type = RES_JSON, .max = 4096, .def = "[]",
	 .check_json = type_plan_check, .depends = "unit_id"},
};

const struct res_desc resources_types = {
	.table = "consultation_types",
	.path = "consultation-types",
	.noun = "consultation type",
	.fields = type_fields,
	.nfields = 10,
	.search = "name " RES_LIKE,
	.unit_col = "unit_id",
	.check_row = type_check,
	.unique = "name", /* within its unit */
};

enum app_err resources_type_load(struct store *db, int64_t id, struct appt_type *out)
{
	const struct res_desc *d = &resources_types;
	struct res_row row;
	enum app_err err;
	int mode;

	if ((err = store_resource_get(db, d, id, &row)))
		return err;
#define V(name) row.v[store_resource_field(d, name)]
	memset(out, 0, sizeof(*out));
	out->id = id;
	out->unit_id = V("unit_id").i;
	snprintf(out->name, sizeof(out->name), "%s", V("name").s);
	out->duration_minutes = V("duration_minutes").i;
	out->video_allowed = V("video_allowed").i;
	out->needs_room = V("needs_room").i;
	out->active = V("active").i;
	mode = appointment_mode_parse(V("default_mode").s);
	out->default_mode = mode < 0 ? APPT_VIDEO : (enum appt_mode)mode;
	out->buffer_before = V("buffer_before_minutes").i * 60;
	out->buffer_after = V("buffer_after_minutes").i * 60;
#undef V
	store_resource_row_release(d, &row);
	return APP_OK;
}

/* A calendar day, YYYY-MM-DD. */
static const char *check_date(char *v, size_t cap)
{
	struct civil d;

	(void)cap;
	return timeutil_parse_date(v, &d) ? "must be a date (YYYY-MM-DD)" : NULL;
}

static const char *const priorities[] = {"urgent", "normal", NULL};
static const char *const waiting_statuses[] = {"waiting", "booked", "removed", NULL};

static const struct res_field waiting_fields[] = {
	{.name = "patient_id", .type = RES_REF, .required = true, .filter = true,
	 .ref = "patients"},
	{.name = "type_id", .type = RES_REF, .required = true, .filter = true,
	 .ref = "consultation_types"},
	{.name = "clinician_id", .type = RES_REF, .filter = true, .ref = "clinicians"},
	{.name = "priority", .type = RES_ENUM, .filter = true, .values = priorities,
	 .def = "normal"},
	{.name = "earliest", .type = RES_TEXT, .max = 10, .check = check_date},
	{.name = "note", .type = RES_TEXT, .max = 500, .check = validate_name},
	{.name = "status", .type = RES_ENUM, .filter = true, .values = waiting_statuses,
	 .def = "waiting"},
	{.name = "appointment_id", .type = RES_REF, .readonly = true},
};

const struct res_desc resources_waiting = {
	.table = "waiting_list",
	.path = "waiting-list",
	.noun = "waiting-list entry",
	.fields = waiting_fields,
	.nfields = 8,
	.audited = true,
	.audit_as = "waiting",
	.patient_field = "patient_id",
	.unit_ref = "type_id",
	.unit_ref_table = "consultation_types",
	.order = "CASE priority WHEN 'urgent' THEN 0 ELSE 1 END, created_at, id",
	.removed_status = "removed",
};
