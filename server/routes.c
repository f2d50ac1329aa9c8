/*
 * routes.c - the whole HTTP surface, one line per route, and the router.
 *
 * Patterns are matched segment by segment; "{token}" takes a URL-safe token,
 * any other "{name}" ("{id}", "{exception_id}") a positive decimal id.  A
 * path that matches with another method answers 405 with Allow.
 *
 * Each line says who may call the route (roles) and how its records are
 * scoped (the last column, enum route_scope in req.h), so the scope is
 * declared, not remembered:
 *   PUBLIC            no records (health, metrics, docs, login)
 *   TOKEN             what its token opens: one appointment, a guest's
 *                     meeting, one clinician's feed
 *   SELF              the caller's own session
 *   ADMIN             accounts, the audit log, changing units
 *   UNIT_ROW          a directory row's unit: units, clinicians, rooms (and
 *                     their hours), consultation types, and the waiting
 *                     list (an entry is its type's unit's); api_resource.c
 *                     enforces it from this column
 *   UNIT_CLINICIAN    via the clinician's unit (a clinician: themself);
 *                     free slots also use only the caller's units' rooms
 *                     and types
 *   UNIT_APPOINTMENT  via its clinicians' units (a clinician: their own);
 *                     a booking names only the caller's rooms and types,
 *                     and a 409 names only appointments the caller sees
 *   GLOBAL            the patients directory: a patient is the hospital's,
 *                     not a unit's (any unit books them; every read and
 *                     change is audited)
 *   UNIT_STATS        sums over the caller's units (a unit, clinician or
 *                     type named must be theirs); no patient's record, and
 *                     for a manager no count below 5
 *   UNIT_SURVEY       a questionnaire's unit (a clinic-wide one is every
 *                     staff member's to read); an answer is seen by whoever
 *                     may see its appointment (api_survey.c)
 * Routes flagged INTERNET (ROUTE_PUBLIC_LISTENER) are also served on the
 * public listener (--public-listen): what patients, guests and calendar
 * apps need, no session; everything else is 404 there (http_server.c).
 * A row with no unit (a room with unit_id null) is shared by unrestricted
 * staff only: a unit-limited secretary neither sees nor books it.
 * tests/test_validate.c fails on a route with no scope, or one that does not
 * fit it; tests/test_e2e_auth.c walks every route with another unit's
 * records and fails on a route it has no case for.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "actor.h"
#include "api.h"
#include "params.h"
#include "router.h"
#include "token.h"

#define R(m, p, fn, arg, flags, roles, scope) {m, p, fn, arg, flags, roles, SCOPE_##scope}
#define ALL ROLES_ALL
#define STAFF ROLES_STAFF
#define ADMIN ROLE_ADMIN
#define STATS ROLES_STATS
#define ANYONE (ROLES_ALL | ROLE_MANAGER) /* every staff account: its own session */
#define NOBODY 0 /* public routes: no session, no role */
/* on the public listener too (--public-listen): no session, and what patients,
 * guests and calendar apps need */
#define INTERNET (ROUTE_PUBLIC | ROUTE_PUBLIC_LISTENER)
#define UNITS &resources_units
#define CLIN &resources_clinicians
#define ROOMS &resources_rooms
#define PATS &resources_patients
#define TYPES &resources_types
#define WAIT &resources_waiting

const struct route routes[] = {
	R("GET", "/healthz", api_ops_health, NULL, INTERNET, NOBODY, PUBLIC),
	R("GET", "/metrics", api_ops_metrics, NULL, ROUTE_PUBLIC | ROUTE_NO_DB, NOBODY, PUBLIC),
	R("GET", "/bench/hello", api_ops_hello, NULL, ROUTE_PUBLIC | ROUTE_NO_DB | ROUTE_BENCH, NOBODY,
	  PUBLIC),
	R("GET", "/api/v1/openapi.json", api_ops_openapi, NULL, ROUTE_PUBLIC | ROUTE_NO_DB, NOBODY,
	  PUBLIC),

	R("POST", "/api/v1/session", api_session_login, NULL, ROUTE_PUBLIC, NOBODY, PUBLIC),
	R("DELETE", "/api/v1/session", api_session_logout, NULL, 0, ANYONE, SELF),
	R("GET", "/api/v1/me", api_session_me, NULL, 0, ANYONE, SELF),
	R("GET", "/api/v1/session/options", api_session_options, NULL, ROUTE_PUBLIC, NOBODY, PUBLIC),
	/* single sign-on (api_oidc.c): the provider's redirects and logout */
	R("GET", "/auth/oidc/login", api_oidc_login, NULL, ROUTE_PUBLIC, NOBODY, PUBLIC),
	R("GET", "/auth/oidc/callback", api_oidc_callback, NULL, ROUTE_PUBLIC, NOBODY, PUBLIC),
	R("POST", "/auth/oidc/backchannel-logout", api_oidc_backchannel, NULL, ROUTE_PUBLIC, NOBODY,
	  PUBLIC),
	R("GET", "/api/v1/sso/mappings", api_sso_mappings_get, NULL, 0, ADMIN, ADMIN),
	R("PUT", "/api/v1/sso/mappings", api_sso_mappings_put, NULL, 0, ADMIN, ADMIN),
	R("GET", "/api/v1/users", api_users_list, NULL, 0, ADMIN, ADMIN),
	R("POST", "/api/v1/users", api_users_create, NULL, 0, ADMIN, ADMIN),
	R("GET", "/api/v1/users/{id}", api_users_get, NULL, 0, ADMIN, ADMIN),
	R("PATCH", "/api/v1/users/{id}", api_users_update, NULL, 0, ADMIN, ADMIN),
	R("GET", "/api/v1/audit", api_audit_list, NULL, 0, ADMIN, ADMIN),

	R("GET", "/api/v1/units", api_resource_list, UNITS, 0, STAFF, UNIT_ROW),
	R("POST", "/api/v1/units", api_resource_create, UNITS, 0, ADMIN, ADMIN),
	R("GET", "/api/v1/units/{id}", api_resource_get, UNITS, 0, STAFF, UNIT_ROW),
	R("PATCH", "/api/v1/units/{id}", api_resource_update, UNITS, 0, ADMIN, ADMIN),
	R("DELETE", "/api/v1/units/{id}", api_resource_delete, UNITS, 0, ADMIN, ADMIN),

	R("GET", "/api/v1/clinicians", api_resource_list, CLIN, 0, STAFF, UNIT_ROW),
	R("POST", "/api/v1/clinicians", api_resource_create, CLIN, 0, STAFF, UNIT_ROW),
	R("GET", "/api/v1/clinicians/{id}", api_resource_get, CLIN, 0, STAFF, UNIT_ROW),
	R("PATCH", "/api/v1/clinicians/{id}", api_resource_update, CLIN, 0, STAFF, UNIT_ROW),
	R("DELETE", "/api/v1/clinicians/{id}", api_resource_delete, CLIN, 0, STAFF, UNIT_ROW),
	R("GET", "/api/v1/clinicians/{id}/day", api_appointments_day, NULL, 0, ALL, UNIT_CLINICIAN),
	R("GET", "/api/v1/clinicians/{id}/hours", api_hours_get, CLIN, 0, ALL, UNIT_CLINICIAN),
	R("PUT", "/api/v1/clinicians/{id}/hours", api_hours_put, CLIN, 0, STAFF, UNIT_CLINICIAN),
	R("GET", "/api/v1/clinicians/{id}/exceptions", api_exceptions_list, CLIN, 0, ALL,
	  UNIT_CLINICIAN),
	R("POST", "/api/v1/clinicians/{id}/exceptions", api_exceptions_create, CLIN, 0, STAFF,
	  UNIT_CLINICIAN),
	R("DELETE", "/api/v1/clinicians/{id}/exceptions/{exception_id}", api_exceptions_delete, CLIN, 0,
	  STAFF, UNIT_CLINICIAN),
	R("GET", "/api/v1/clinicians/{id}/calendar-feed", api_feeds_get, NULL, 0, ALL, UNIT_CLINICIAN),
	R("POST", "/api/v1/clinicians/{id}/calendar-feed", api_feeds_create, NULL, 0, ALL,
	  UNIT_CLINICIAN),
	R("DELETE", "/api/v1/clinicians/{id}/calendar-feed", api_feeds_delete, NULL, 0, ALL,
	  UNIT_CLINICIAN),
	R("GET", "/api/v1/slots", api_slots, NULL, 0, STAFF, UNIT_CLINICIAN),

	R("GET", "/api/v1/rooms", api_resource_list, ROOMS, 0, STAFF, UNIT_ROW),
	R("POST", "/api/v1/rooms", api_resource_create, ROOMS, 0, STAFF, UNIT_ROW),
	R("GET", "/api/v1/rooms/availability", api_room_availability_get, ROOMS, 0, STAFF,
	  UNIT_ROW),
	R("GET", "/api/v1/rooms/{id}", api_resource_get, ROOMS, 0, STAFF, UNIT_ROW),
	R("PATCH", "/api/v1/rooms/{id}", api_resource_update, ROOMS, 0, STAFF, UNIT_ROW),
	R("DELETE", "/api/v1/rooms/{id}", api_resource_delete, ROOMS, 0, STAFF, UNIT_ROW),
	R("GET", "/api/v1/rooms/{id}/hours", api_hours_get, ROOMS, 0, STAFF, UNIT_ROW),
	R("PUT", "/api/v1/rooms/{id}/hours", api_hours_put, ROOMS, 0, STAFF, UNIT_ROW),
	R("GET", "/api/v1/rooms/{id}/exceptions", api_exceptions_list, ROOMS, 0, STAFF, UNIT_ROW),
	R("POST", "/api/v1/rooms/{id}/exceptions", api_exceptions_create, ROOMS, 0, STAFF, UNIT_ROW),
	R("DELETE", "/api/v1/rooms/{id}/exceptions/{exception_id}", api_exceptions_delete, ROOMS, 0,
	  STAFF, UNIT_ROW),

	R("GET", "/api/v1/consultation-types", api_resource_list, TYPES, 0, STAFF, UNIT_ROW),
	R("POST", "/api/v1/consultation-types", api_resource_create, TYPES, 0, STAFF, UNIT_ROW),
	R("GET", "/api/v1/consultation-types/{id}", api_resource_get, TYPES, 0, STAFF, UNIT_ROW),
	R("PATCH", "/api/v1/consultation-types/{id}", api_resource_update, TYPES, 0, STAFF, UNIT_ROW),
	R("DELETE", "/api/v1/consultation-types/{id}", api_resource_delete, TYPES, 0, STAFF, UNIT_ROW),

	R("GET", "/api/v1/waiting-list", api_resource_list, WAIT, 0, STAFF, UNIT_ROW),
	R("POST", "/api/v1/waiting-list", api_resource_create, WAIT, 0, STAFF, UNIT_ROW),
	R("GET", "/api/v1/waiting-list/{id}", api_resource_get, WAIT, 0, STAFF, UNIT_ROW),
	R("PATCH", "/api/v1/waiting-list/{id}", api_resource_update, WAIT, 0, STAFF, UNIT_ROW),
	R("DELETE", "/api/v1/waiting-list/{id}", api_resource_delete, WAIT, 0, STAFF, UNIT_ROW),

	R("GET", "/api/v1/patients", api_resource_list, PATS, 0, STAFF, GLOBAL),
	R("POST", "/api/v1/patients", api_resource_create, PATS, 0, STAFF, GLOBAL),
	R("GET", "/api/v1/patients/{id}", api_resource_get, PATS, 0, STAFF, GLOBAL),
	R("PATCH", "/api/v1/patients/{id}", api_resource_update, PATS, 0, STAFF, GLOBAL),
	R("DELETE", "/api/v1/patients/{id}", api_resource_delete, PATS, 0, STAFF, GLOBAL),

	R("GET", "/api/v1/appointments", api_appointments_list, NULL, 0, ALL, UNIT_APPOINTMENT),
	R("GET", "/api/v1/appointments/board", api_appointments_board, NULL, 0, STAFF,
	  UNIT_APPOINTMENT),
	R("POST", "/api/v1/appointments", api_appointments_create, NULL, 0, STAFF, UNIT_APPOINTMENT),
	R("POST", "/api/v1/appointments/series", api_appointments_series, NULL, 0, STAFF,
	  UNIT_APPOINTMENT),
	R("GET", "/api/v1/appointments/{id}", api_appointments_get, NULL, 0, ALL, UNIT_APPOINTMENT),
	R("PATCH", "/api/v1/appointments/{id}", api_appointments_update, NULL, 0, ALL,
	  UNIT_APPOINTMENT),
	R("DELETE", "/api/v1/appointments/{id}", api_appointments_cancel, NULL, 0, STAFF,
	  UNIT_APPOINTMENT),
	R("GET", "/api/v1/appointments/{id}/history", api_appointments_history, NULL, 0, ALL,
	  UNIT_APPOINTMENT),
	R("POST", "/api/v1/appointments/{id}/invitations", api_invite_create, NULL, 0, STAFF,
	  UNIT_APPOINTMENT),
	R("GET", "/api/v1/appointments/{id}/messages", api_invite_messages, NULL, 0, ALL,
	  UNIT_APPOINTMENT),
	R("POST", "/api/v1/appointments/{id}/messages/{message_id}/handled", api_invite_handled, NULL,
	  0, STAFF, UNIT_APPOINTMENT),
	R("GET", "/api/v1/statistics", api_statistics, NULL, 0, STATS, UNIT_STATS),
	R("GET", "/api/v1/statistics/surveys", api_survey_stats, NULL, 0, STATS, UNIT_STATS),
	R("GET", "/api/v1/statistics/prom", api_survey_prom_stats, NULL, 0, STATS, UNIT_STATS),
	R("GET", "/api/v1/appointments/{id}/follow-up", api_survey_appt_plan_get, NULL, 0, ALL,
	  UNIT_APPOINTMENT),
	R("PUT", "/api/v1/appointments/{id}/follow-up", api_survey_appt_plan_put, NULL, 0, STAFF,
	  UNIT_APPOINTMENT),

	/* questionnaires and their answers (api_survey.c, issue 22) */
	R("GET", "/api/v1/questionnaires", api_survey_qn_list, NULL, 0, ALL, UNIT_SURVEY),
	R("POST", "/api/v1/questionnaires", api_survey_qn_create, NULL, 0, ADMIN, UNIT_SURVEY),
	R("POST", "/api/v1/questionnaires/validate", api_survey_qn_validate, NULL, 0, ADMIN,
	  UNIT_SURVEY),
	R("GET", "/api/v1/questionnaires/{id}", api_survey_qn_get, NULL, 0, ALL, UNIT_SURVEY),
	R("PUT", "/api/v1/questionnaires/{id}", api_survey_qn_update, NULL, 0, ADMIN, UNIT_SURVEY),
	R("DELETE", "/api/v1/questionnaires/{id}", api_survey_qn_retire, NULL, 0, ADMIN,
	  UNIT_SURVEY),
	R("GET", "/api/v1/questionnaire-responses", api_survey_responses, NULL, 0, ALL,
	  UNIT_SURVEY),
	R("GET", "/api/v1/consultation-types/{id}/follow-up", api_survey_type_plan_get, TYPES, 0,
	  STAFF, UNIT_ROW),
	R("PUT", "/api/v1/consultation-types/{id}/follow-up", api_survey_type_plan_put, TYPES, 0,
	  STAFF, UNIT_ROW),
	R("GET", "/api/v1/work-queue", api_appointments_queue, NULL, 0, STAFF, UNIT_APPOINTMENT),
	R("GET", "/api/v1/work-queue/count", api_appointments_queue_count, NULL, 0, STAFF,
	  UNIT_APPOINTMENT),
	R("GET", "/api/v1/appointments/{id}/waiting-list", api_waiting_offers, NULL, 0, STAFF,
	  UNIT_APPOINTMENT),
	R("GET", "/api/v1/appointments/{id}/participants", api_participants_list, NULL, 0, ALL,
	  UNIT_APPOINTMENT),
	R("POST", "/api/v1/appointments/{id}/participants", api_participants_add, NULL, 0, STAFF,
	  UNIT_APPOINTMENT),
	R("GET", "/api/v1/appointments/{id}/participants/{participant_id}", api_participants_get, NULL,
	  0, ALL, UNIT_APPOINTMENT),
	R("PATCH", "/api/v1/appointments/{id}/participants/{participant_id}", api_participants_update,
	  NULL, 0, STAFF, UNIT_APPOINTMENT),
	R("DELETE", "/api/v1/appointments/{id}/participants/{participant_id}", api_participants_remove,
	  NULL, 0, STAFF, UNIT_APPOINTMENT),
	R("POST", "/api/v1/appointments/{id}/participants/{participant_id}/invitations",
	  api_participants_invite, NULL, 0, STAFF, UNIT_APPOINTMENT),

	/* the patient link: the token is the key (api_invite.c) */
	R("GET", "/api/v1/invite/{token}", api_invite_view, NULL, INTERNET, NOBODY, TOKEN),
	R("POST", "/api/v1/invite/{token}/confirm", api_invite_confirm, NULL, INTERNET, NOBODY,
	  TOKEN),
	R("POST", "/api/v1/invite/{token}/opt-out", api_invite_opt_out, NULL, INTERNET, NOBODY,
	  TOKEN),
	R("POST", "/api/v1/invite/{token}/cancel", api_invite_cancel, NULL, INTERNET, NOBODY,
	  TOKEN),
	R("POST", "/api/v1/invite/{token}/accept", api_invite_accept, NULL, INTERNET, NOBODY,
	  TOKEN),
	R("POST", "/api/v1/invite/{token}/decline", api_invite_decline, NULL, INTERNET, NOBODY,
	  TOKEN),
	R("POST", "/api/v1/invite/{token}/tentative", api_invite_tentative, NULL, INTERNET, NOBODY,
	  TOKEN),
	R("GET", "/api/v1/invite/{token}/calendar.ics", api_invite_calendar, NULL, INTERNET, NOBODY,
	  TOKEN),
	/* the patient's questionnaire: the token is the key (api_survey.c) */
	R("GET", "/api/v1/survey/{token}", api_survey_view, NULL, INTERNET, NOBODY, TOKEN),
	R("POST", "/api/v1/survey/{token}", api_survey_answer, NULL, INTERNET, NOBODY, TOKEN),
	R("POST", "/api/v1/survey/{token}/decline", api_survey_decline, NULL, INTERNET, NOBODY,
	  TOKEN),
	/* a clinician's calendar feed: its token is the key (api_feeds.c) */
	R("GET", "/api/v1/calendar-feeds/{token}/calendar.ics", api_feeds_calendar, NULL, INTERNET,
	  NOBODY, TOKEN),
};
const int nroutes = sizeof(routes) / sizeof(routes[0]);

/* Match one pattern against path; fill ids/token on success. */
static bool match(const char *pattern, const char *path, struct req *req)
{
	const char *p = pattern, *s = path;

	req->nids = 0;
	req->token[0] = '\0';
	while (*p && *s) {
		size_t pl = strcspn(p, "/"), sl = strcspn(s, "/");

		bool token = pl == 7 && !strncmp(p, "{token}", pl);

		if (!token && pl > 2 && p[0] == '{' && p[pl - 1] == '}') {
			char digits[20];
			int64_t id;
			if (sl == 0 || sl >= sizeof(digits) || req->nids == REQ_MAX_IDS)
				return false;
			memcpy(digits, s, sl);
			digits[sl] = '\0';
			if (!params_parse_id(digits, &id))
				return false;
			req->ids[req->nids++] = id;
		} else if (token) {
			if (sl == 0 || sl >= sizeof(req->token) || strspn(s, TOKEN_CHARS) < sl)
				return false;
			memcpy(req->token, s, sl);
			req->token[sl] = '\0';
		} else if (pl != sl || strncmp(p, s, pl)) {
			return false;
		}
		p += pl;
		s += sl;
		if (*p != *s)
			return false;
		if (*p == '/') {
			p++;
			s++;
		}
	}
	return !*p && !*s;
}

/* Each pattern's length before its first "{": a path that does not start
 * with those bytes cannot match it, which one strncmp tells before match()
 * scans its segments (measured: the walk over the table was 7% of a 304
 * poll's CPU, the day route being a hundred lines down). */
static size_t literal[sizeof(routes) / sizeof(routes[0])];
static pthread_once_t literal_once = PTHREAD_ONCE_INIT;

static void literal_init(void)
{
	for (int i = 0; i < nroutes; i++)
		literal[i] = strcspn(routes[i].pattern, "{");
}

enum app_err router_match(const char *method, const char *path, bool bench, unsigned require,
			  struct req *req, char *allow, size_t allow_cap)
{
	bool any = false;
	size_t n = 0;

	allow[0] = '\0';
	req->route = NULL;
	pthread_once(&literal_once, literal_init);
	for (int i = 0; i < nroutes; i++) {
		const struct route *r = &routes[i];
		bool same;

		if (strncmp(r->pattern, path, literal[i]))
			continue;
		if (((r->flags & ROUTE_BENCH) && !bench) || (r->flags & require) != require)
			continue;
		if (!match(r->pattern, path, req))
			continue;
		same = !strcmp(r->method, method) ||
		       (!strcmp(method, "HEAD") && !strcmp(r->method, "GET"));
		if (same) {
			req->route = r;
			return APP_OK;
		}
		any = true;
		if (n < allow_cap) /* HEAD goes wherever GET does (RFC 9110 9.3.2) */
			n += (size_t)snprintf(allow + n, allow_cap - n, "%s%s%s", n ? ", " : "",
					      r->method, strcmp(r->method, "GET") ? "" : ", HEAD");
	}
	return any ? APP_EMETHOD : APP_ENOTFOUND;
}

int router_index(const struct route *r)
{
	return r ? (int)(r - routes) : -1;
}
