/*
 * authz.h - row-level authorisation, after routes.c's role table.
 *
 * A clinician sees their own day list and the appointments they take part
 * in; a secretary limited to units sees the clinicians, rooms and
 * appointments of those units.  Each check answers APP_EFORBIDDEN for a
 * missing record as for a forbidden one, so a 403 reveals nothing about
 * whether the thing exists.
 */
#ifndef TIMEBOK_AUTHZ_H
#define TIMEBOK_AUTHZ_H

#include <stdbool.h>
#include <stdint.h>

#include "actor.h"
#include "appointment.h"
#include "err.h"

struct store;

/* Whether who is limited to a subset of rows (a clinician, or a secretary
 * with units). */
static inline bool authz_scoped(const struct actor *who)
{
	return who->role == ROLE_CLINICIAN || (who->role == ROLE_SECRETARY && who->nunits > 0);
}

/* May who see clinician id's data (day list)? */
enum app_err authz_clinician(struct store *db, const struct actor *who, int64_t id) WARN_UNUSED;
/* May who see or change appointment a (NULL: it does not exist)? */
enum app_err authz_appointment(struct store *db, const struct actor *who,
			       const struct appointment *a) WARN_UNUSED;
/* Whether rows of table belong to units (clinicians, rooms and
 * consultation types have a unit_id column). */
bool authz_unit_table(const char *table);
/* May who use row id of a unit table (authz_unit_table): a unit-limited
 * secretary only the rows of its units (a row with no unit is shared by
 * unrestricted staff only), a clinician only themself among the clinicians.
 * APP_EFORBIDDEN for a missing row as for a foreign one. */
enum app_err authz_unit_row(struct store *db, const struct actor *who, const char *table,
			    int64_t id) WARN_UNUSED;
/* May who book with these clinicians? */
enum app_err authz_clinicians(struct store *db, const struct actor *who, const int64_t *ids,
			      int n) WARN_UNUSED;

#endif
