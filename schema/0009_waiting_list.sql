-- 0009_waiting_list.sql - patients waiting for a consultation type (and
-- perhaps a particular clinician).  When a slot frees up, the secretary is
-- offered the waiting patients in order: urgent first, then by how long
-- they have waited.  Booking one from the list marks the entry booked with
-- its appointment, in the booking's transaction.  Entries are kept (the
-- audit trail of who waited how long), removed rather than deleted.

CREATE TABLE waiting_list (
	id INTEGER PRIMARY KEY,
	patient_id INTEGER NOT NULL REFERENCES patients(id),
	type_id INTEGER NOT NULL REFERENCES consultation_types(id),
	clinician_id INTEGER REFERENCES clinicians(id),
	priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('urgent', 'normal')),
	earliest TEXT,
	note TEXT,
	status TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'booked', 'removed')),
	appointment_id INTEGER REFERENCES appointments(id),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX waiting_list_type ON waiting_list(type_id, status, created_at);
CREATE INDEX waiting_list_patient ON waiting_list(patient_id);
