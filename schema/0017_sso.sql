-- 0017_sso.sql - single sign-on with OpenID Connect (issue 25).
--
-- A person who signs in through the hospital's identity provider is known
-- by issuer + subject (sso_identities); the first login makes a staff
-- account for them (users, with a password hash no password matches), and
-- every login sets that account's role, units and clinician from the first
-- sso_mappings row, in position order, whose claim holds its value.  So a
-- mapping change takes effect at the next login.  Sessions remember how they
-- were made (auth) and the provider's session id (oidc_sid), for /me and
-- for the provider's back-channel logout.  Login audit rows carry the
-- issuer, subject, acr and amr in audit_log.detail (JSON).  users is not
-- rebuilt: its columns stay as 0013/0014 left them.

CREATE TABLE sso_identities (
	id INTEGER PRIMARY KEY,
	issuer TEXT NOT NULL,
	subject TEXT NOT NULL,
	user_id INTEGER NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
	display_name TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	last_login_at INTEGER NOT NULL,
	UNIQUE (issuer, subject)
);

CREATE TABLE sso_mappings (
	position INTEGER PRIMARY KEY,        -- 1, 2, ...: the first match wins
	claim TEXT NOT NULL,
	value TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('admin', 'secretary', 'clinician', 'manager')),
	clinician_id INTEGER REFERENCES clinicians(id),
	CHECK ((role = 'clinician') = (clinician_id IS NOT NULL))
);

CREATE TABLE sso_mapping_units (
	position INTEGER NOT NULL REFERENCES sso_mappings(position) ON DELETE CASCADE,
	unit_id INTEGER NOT NULL REFERENCES units(id),
	PRIMARY KEY (position, unit_id)
) WITHOUT ROWID;

ALTER TABLE sessions ADD COLUMN auth TEXT NOT NULL DEFAULT 'password'
	CHECK (auth IN ('password', 'oidc'));
ALTER TABLE sessions ADD COLUMN sso_identity_id INTEGER REFERENCES sso_identities(id)
	ON DELETE CASCADE;
ALTER TABLE sessions ADD COLUMN oidc_sid TEXT;
CREATE INDEX sessions_sso ON sessions(sso_identity_id) WHERE sso_identity_id IS NOT NULL;

ALTER TABLE audit_log ADD COLUMN detail TEXT;
