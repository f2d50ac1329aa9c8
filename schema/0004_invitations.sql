-- 0004_invitations.sql - patient links and the message outbox.
--
-- A link belongs to one participant (the patient now; external parties
-- later) and is the only key to that participant's view of the appointment.
-- The database keeps a BLAKE2b hash of its token, by which it is looked up,
-- and the token sealed (XSalsa20-Poly1305) under a key kept outside the
-- database, so that the delivery worker can put it into a message after a
-- restart; a copy of the database alone opens no appointment.  Issuing a new
-- link revokes the participant's earlier ones (revoked_at), which also drops
-- their sealed tokens.  Links expire some days after the appointment ends
-- (configured, so not stored).
--
-- The outbox is written in the same transaction as the change that causes a
-- message.  Its body holds "{link}" where the link goes; the worker fills in
-- the participant's current link when it sends.  Delivery is at least once:
-- a claimed row gets attempts + 1 and a lease (next_at) before it is sent, a
-- success marks it sent, a failure queues it again with exponential backoff
-- or, past the last attempt or on a permanent error, marks it failed.

CREATE TABLE links (
	id INTEGER PRIMARY KEY,
	appointment_id INTEGER NOT NULL REFERENCES appointments(id),
	participant_id INTEGER NOT NULL REFERENCES participants(id),
	token_hash TEXT NOT NULL,          -- hex BLAKE2b-256 of the token
	token_box BLOB,                    -- nonce || sealed token; NULL once revoked
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
);
CREATE UNIQUE INDEX links_token ON links(token_hash);
CREATE INDEX links_participant ON links(participant_id, id);
CREATE INDEX links_appointment ON links(appointment_id);

CREATE TABLE outbox (
	id INTEGER PRIMARY KEY,
	appointment_id INTEGER NOT NULL REFERENCES appointments(id),
	participant_id INTEGER REFERENCES participants(id),
	channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
	recipient TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder', 'changed', 'cancelled',
		'confirmed', 'opted_out')),
	language TEXT NOT NULL CHECK (language IN ('nb', 'nn', 'en')),
	subject TEXT,                      -- e-mail only
	body TEXT NOT NULL,
	ics TEXT,                          -- e-mail only: the calendar attachment
	about_start INTEGER NOT NULL,      -- the appointment's start it speaks of
	status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_at INTEGER NOT NULL,          -- due (or leased) until then
	last_error TEXT,
	created_at INTEGER NOT NULL,
	sent_at INTEGER
);
CREATE INDEX outbox_due ON outbox(next_at, id) WHERE status = 'queued';
CREATE INDEX outbox_appointment ON outbox(appointment_id, id);
