/*
 * actor.h - who is acting: a logged-in staff member (or the system), with
 * the role and scope that authorisation and the audit log need.
 */
#ifndef TIMEBOK_ACTOR_H
#define TIMEBOK_ACTOR_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum role {
	ROLE_NONE = 0,
	ROLE_ADMIN = 1,
	ROLE_SECRETARY = 2,
	ROLE_CLINICIAN = 4,
	ROLE_PATIENT = 8, /* a patient through their link (in the audit log only) */
	ROLE_MANAGER = 16, /* statistics of their units; nothing that identifies a patient */
};
#define ROLES_ALL (ROLE_ADMIN | ROLE_SECRETARY | ROLE_CLINICIAN)
#define ROLES_STAFF (ROLE_ADMIN | ROLE_SECRETARY)
/* who may read the outcome statistics (api_statistics.c) */
#define ROLES_STATS (ROLE_ADMIN | ROLE_SECRETARY | ROLE_MANAGER)

#define ACTOR_MAX_UNITS 16

struct actor {
	int64_t user_id;        /* 0: the system or an anonymous client */
	char username[64];
	enum role role;
	int64_t clinician_id;   /* for ROLE_CLINICIAN */
	int nunits;             /* a secretary or manager limited to units; 0 = all */
	int64_t unit_ids[ACTOR_MAX_UNITS];
	char ip[48];
};

static inline const char *actor_role_name(enum role r)
{
	return r == ROLE_ADMIN ? "admin" : r == ROLE_SECRETARY ? "secretary"
				       : r == ROLE_CLINICIAN ? "clinician"
				       : r == ROLE_PATIENT   ? "patient"
				       : r == ROLE_MANAGER   ? "manager" : "none";
}

static inline enum role actor_role_parse(const char *s)
{
	if (!s)
		return ROLE_NONE;
	if (!strcmp(s, "admin"))
		return ROLE_ADMIN;
	if (!strcmp(s, "secretary"))
		return ROLE_SECRETARY;
	if (!strcmp(s, "clinician"))
		return ROLE_CLINICIAN;
	if (!strcmp(s, "manager"))
		return ROLE_MANAGER;
	return ROLE_NONE;
}

/* Whether a (unit-limited) actor may see unit_id; unlimited actors see all. */
static inline bool actor_sees_unit(const struct actor *a, int64_t unit_id)
{
	if (a->nunits == 0)
		return true;
	for (int i = 0; i < a->nunits; i++)
		if (a->unit_ids[i] == unit_id)
			return true;
	return false;
}

#endif
