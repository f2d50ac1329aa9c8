/*
 * authz.c - row-level authorisation (see authz.h).
 */
#include "authz.h"

#include <stdio.h>
#include <string.h>

#include "store.h"

static const char *const unit_tables[] = {"clinicians", "rooms", "consultation_types", NULL};

bool authz_unit_table(const char *table)
{
	for (const char *const *t = unit_tables; *t; t++)
		if (!strcmp(*t, table))
			return true;
	return false;
}

static enum app_err unit_of(struct store *db, const char *table, int64_t id, int64_t *unit,
			    bool *exists)
{
	char sql[96];
	int64_t v;
	enum app_err err;

	/* table is one of unit_tables, never input; 1 + unit so that "no
	 * unit" (NULL) and "no row" differ */
	snprintf(sql, sizeof(sql), "SELECT 1 + coalesce(unit_id, 0) FROM %s WHERE id = ?1", table);
	if ((err = store_scalar_memo(db, sql, id, &v)))
		return err;
	*exists = v != 0;
	*unit = v - 1;
	return APP_OK;
}

enum app_err authz_unit_row(struct store *db, const struct actor *who, const char *table,
			    int64_t id)
{
	int64_t unit;
	bool exists;
	enum app_err err;

	if (!strcmp(table, "clinicians"))
		return authz_clinician(db, who, id);
	if (!authz_scoped(who) || who->role == ROLE_CLINICIAN)
		return APP_OK; /* clinicians book nothing; routes.c keeps them out */
	if ((err = unit_of(db, table, id, &unit, &exists)))
		return err;
	return exists && unit && actor_sees_unit(who, unit) ? APP_OK : APP_EFORBIDDEN;
}

enum app_err authz_clinician(struct store *db, const struct actor *who, int64_t id)
{
	int64_t unit;
	bool exists;
	enum app_err err;

	if (who->role == ROLE_CLINICIAN)
		return id == who->clinician_id ? APP_OK : APP_EFORBIDDEN;
	if (!authz_scoped(who))
		return APP_OK;
	if ((err = unit_of(db, "clinicians", id, &unit, &exists)))
		return err;
	return exists && unit && actor_sees_unit(who, unit) ? APP_OK : APP_EFORBIDDEN;
}

enum app_err authz_clinicians(struct store *db, const struct actor *who, const int64_t *ids, int n)
{
	enum app_err err;

	if (!authz_scoped(who))
		return APP_OK;
	for (int i = 0; i < n; i++)
		if ((err = authz_clinician(db, who, ids[i])))
			return err;
	return APP_OK;
}

enum app_err authz_appointment(struct store *db, const struct actor *who,
			       const struct appointment *a)
{
	if (!authz_scoped(who))
		return APP_OK;
	if (!a)
		return APP_EFORBIDDEN;
	if (who->role == ROLE_CLINICIAN)
		return appointment_has_clinician(a, who->clinician_id) ? APP_OK : APP_EFORBIDDEN;
	/* a unit-limited secretary: any of its clinicians in one of the units */
	for (int i = 0; i < a->nclinicians; i++)
		if (authz_clinician(db, who, a->clinician_ids[i]) == APP_OK)
			return APP_OK;
	return APP_EFORBIDDEN;
}
