/*
 * resources.c - the descriptors of the directory resources.
 *
 * Each names its table's columns, which of them a request must or may give,
 * how text is checked, and which are list filters.  See store_resource.h.
 */
#include <string.h>

#include "api.h"
#include "validate.h"

static const char *const professions[] = {
	"lege",      "sykepleier", "psykolog", "fysioterapeut",
	"ergoterapeut", "sosionom", "klinisk ernæringsfysiolog", "logoped",
	"annet",     NULL};
static const char *const room_kinds[] = {"clinic", "video", NULL};
static const char *const languages[] = {"nb", "nn", "en", NULL};

#define NAME {.name = "name", .type = RES_TEXT, .required = true, .max = 200, .check = validate_name}
#define ACTIVE {.name = "active", .type = RES_BOOL, .filter = true, .def = "1"}
#define UNIT {.name = "unit_id", .type = RES_REF, .filter = true, .ref = "units"}
#define EMAIL {.name = "email", .type = RES_TEXT, .max = 254, .check = validate_email}
#define PHONE {.name = "phone", .type = RES_TEXT, .filter = true, .max = 32, .check = validate_phone}

static const struct res_field unit_fields[] = {NAME, ACTIVE};

const struct res_desc resources_units = {
	.table = "units",
	.noun = "unit",
	.fields = unit_fields,
	.nfields = 2,
	.search = "name LIKE ?2",
	.unit_col = "id",
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
	.search = "name LIKE ?2",
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
	.search = "name LIKE ?2 OR location LIKE ?2",
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
};

const struct res_desc resources_patients = {
	.table = "patients",
	.noun = "patient",
	.fields = patient_fields,
	.nfields = 7,
	.search = "name LIKE ?2 OR phone LIKE ?2 OR national_id = ?1",
	.derive = patient_derive,
	.audited = true,
};
