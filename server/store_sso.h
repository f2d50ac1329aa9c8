/*
 * store_sso.h - single sign-on's tables (schema/0017_sso.sql): identities
 * by issuer + subject, the admins' claim mappings, and sessions made by the
 * provider's login.
 */
#ifndef TIMEBOK_STORE_SSO_H
#define TIMEBOK_STORE_SSO_H

#include <stdbool.h>
#include <stdint.h>

#include "actor.h"
#include "err.h"
#include "store_users.h"

struct store;

#define SSO_MAPPINGS_MAX 200
#define SSO_CLAIM_MAX 64
#define SSO_VALUE_MAX 256

/* One mapping: a person whose claim holds value gets role, units and (for
 * a clinician) the clinician. */
struct sso_mapping {
	char claim[SSO_CLAIM_MAX + 1];
	char value[SSO_VALUE_MAX + 1];
	enum role role;
	int nunits;
	int64_t unit_ids[ACTOR_MAX_UNITS];
	int64_t clinician_id; /* 0: none */
};

/* All mappings in order into *out (new, malloc; free it), *n of them. */
enum app_err store_sso_mappings(struct store *s, struct sso_mapping **out, int *n) WARN_UNUSED;
/* Replace all mappings with m[0..n) in one transaction. */
enum app_err store_sso_mappings_set(struct store *s, const struct sso_mapping *m,
				    int n) WARN_UNUSED;

/* A login through the provider, in one transaction: find or make the
 * account of issuer + subject (a new one is named after display, made
 * unique), give it m's role, units and clinician, add the session hash
 * (with the provider's sid, may be NULL) and the audit row r (its user
 * filled in here) with detail (JSON text).  *u is the account as now.
 * APP_EFORBIDDEN for an account an admin has disabled (nothing written). */
enum app_err store_sso_login(struct store *s, const char *issuer, const char *subject,
			     const char *display, const struct sso_mapping *m, const char *hash,
			     const char *sid, struct audit_row *r, const char *detail, int64_t now,
			     struct user *u) WARN_UNUSED;
/* Whether session hash was made by the provider's login. */
enum app_err store_sso_session_oidc(struct store *s, const char *hash, bool *oidc) WARN_UNUSED;
/* End the sessions of issuer's identity subject (NULL: any) with the
 * provider session sid (NULL: any); *ended says how many.  APP_EINVAL when
 * both are NULL or either is "" (nothing ended). */
enum app_err store_sso_logout(struct store *s, const char *issuer, const char *sid,
			      const char *subject, int *ended) WARN_UNUSED;

#endif
