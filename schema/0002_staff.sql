-- 0002_staff.sql - staff accounts, sessions, login throttling, the audit log.
--
-- Secrets are never stored in clear: passwords as argon2id strings
-- (libsodium's crypto_pwhash_str), sessions by a BLAKE2b hash of their id.

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	username TEXT NOT NULL COLLATE NOCASE,
	role TEXT NOT NULL CHECK (role IN ('admin', 'secretary', 'clinician')),
	clinician_id INTEGER REFERENCES clinicians(id),
	password_hash TEXT NOT NULL,
	active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	CHECK ((role = 'clinician') = (clinician_id IS NOT NULL))
);
CREATE UNIQUE INDEX users_username ON users(username);

-- A secretary with rows here sees only these units; none means all.
CREATE TABLE user_units (
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	unit_id INTEGER NOT NULL REFERENCES units(id),
	PRIMARY KEY (user_id, unit_id)
) WITHOUT ROWID;

CREATE TABLE sessions (
	id_hash TEXT PRIMARY KEY,        -- hex BLAKE2b-256 of the cookie value
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	last_seen INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);

-- Failed logins, by account ('u:name') and by address ('a:ip'), for throttling.
CREATE TABLE login_failures (
	key TEXT NOT NULL,
	at INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at);

-- Who read or changed which patient's data.  Append-only.
CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	user_id INTEGER,
	username TEXT NOT NULL,
	role TEXT NOT NULL,
	action TEXT NOT NULL,
	patient_id INTEGER,
	appointment_id INTEGER,
	client_ip TEXT NOT NULL
);
CREATE INDEX audit_log_patient ON audit_log(patient_id, id) WHERE patient_id IS NOT NULL;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only');
END;
