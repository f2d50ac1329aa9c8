-- 0001_core.sql - units, clinicians, rooms, patients, appointments.
--
-- Instants are INTEGER seconds since the Unix epoch, UTC.  An appointment
-- lasts at most 12 hours (43200 s); the overlap checks rely on that bound to
-- stay index range scans however long the history grows.
--
-- Every party to an appointment is a row of participants: the patient, each
-- clinician, and (later) external people such as a GP, a NAV adviser or an
-- interpreter.  Each row has its own FHIR-style response.  The appointment's
-- times and whether it is live (not cancelled) are copied onto its rows by
-- trigger, so that "is this clinician or patient busy" is one index range scan,
-- and the triggers below refuse an overlap even if code forgets to check.

CREATE TABLE units (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX units_name ON units(name);

CREATE TABLE clinicians (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	profession TEXT NOT NULL CHECK (profession IN ('lege', 'sykepleier', 'psykolog',
		'fysioterapeut', 'ergoterapeut', 'sosionom', 'klinisk ernæringsfysiolog',
		'logoped', 'annet')),
	unit_id INTEGER REFERENCES units(id),
	email TEXT,
	phone TEXT,
	active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX clinicians_unit ON clinicians(unit_id);

CREATE TABLE rooms (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	unit_id INTEGER REFERENCES units(id),
	kind TEXT NOT NULL CHECK (kind IN ('clinic', 'video')),
	location TEXT,
	active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX rooms_unit ON rooms(unit_id);

CREATE TABLE patients (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	phone TEXT,
	email TEXT,
	language TEXT NOT NULL DEFAULT 'nb' CHECK (language IN ('nb', 'nn', 'en')),
	national_id TEXT,
	birth_date TEXT,
	active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX patients_national_id ON patients(national_id) WHERE national_id IS NOT NULL;
CREATE INDEX patients_phone ON patients(phone);
CREATE INDEX patients_name ON patients(name COLLATE NOCASE);

CREATE TABLE appointments (
	id INTEGER PRIMARY KEY,
	start_at INTEGER NOT NULL,
	end_at INTEGER NOT NULL,
	mode TEXT NOT NULL DEFAULT 'video' CHECK (mode IN ('video', 'in_person', 'phone')),
	status TEXT NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'invited',
		'confirmed', 'opted_out', 'cancelled', 'completed', 'no_show')),
	patient_id INTEGER NOT NULL REFERENCES patients(id),
	room_id INTEGER REFERENCES rooms(id),
	video_url TEXT,
	status_reason TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	CHECK (end_at > start_at AND end_at - start_at <= 43200),
	CHECK (mode <> 'in_person' OR room_id IS NOT NULL)
);
CREATE INDEX appointments_start ON appointments(start_at);
CREATE INDEX appointments_room ON appointments(room_id, start_at, end_at)
	WHERE room_id IS NOT NULL;

CREATE TABLE participants (
	id INTEGER PRIMARY KEY,
	appointment_id INTEGER NOT NULL REFERENCES appointments(id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('patient', 'clinician', 'external')),
	patient_id INTEGER REFERENCES patients(id),
	clinician_id INTEGER REFERENCES clinicians(id),
	response TEXT NOT NULL DEFAULT 'needs-action'
		CHECK (response IN ('accepted', 'declined', 'tentative', 'needs-action')),
	responded_at INTEGER,
	-- copies of the appointment's, kept by the triggers below
	start_at INTEGER NOT NULL,
	end_at INTEGER NOT NULL,
	live INTEGER NOT NULL CHECK (live IN (0, 1)),
	CHECK ((kind = 'patient') = (patient_id IS NOT NULL)),
	CHECK ((kind = 'clinician') = (clinician_id IS NOT NULL))
);
CREATE INDEX participants_appointment ON participants(appointment_id);
CREATE INDEX participants_clinician ON participants(clinician_id, start_at, end_at, live)
	WHERE clinician_id IS NOT NULL;
CREATE INDEX participants_patient ON participants(patient_id, start_at, end_at, live)
	WHERE patient_id IS NOT NULL;
CREATE UNIQUE INDEX participants_once_clinician ON participants(appointment_id, clinician_id)
	WHERE clinician_id IS NOT NULL;
CREATE UNIQUE INDEX participants_once_patient ON participants(appointment_id)
	WHERE kind = 'patient';

-- Who changed what: one row per change, old and new values as JSON text.
CREATE TABLE appointment_history (
	id INTEGER PRIMARY KEY,
	appointment_id INTEGER NOT NULL REFERENCES appointments(id),
	at INTEGER NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	changes TEXT NOT NULL
);
CREATE INDEX appointment_history_appointment ON appointment_history(appointment_id, id);

CREATE TRIGGER appointment_history_no_update BEFORE UPDATE ON appointment_history
BEGIN
	SELECT RAISE(ABORT, 'history is append-only');
END;
CREATE TRIGGER appointment_history_no_delete BEFORE DELETE ON appointment_history
BEGIN
	SELECT RAISE(ABORT, 'history is append-only');
END;

-- Keep the participants' copies in step with their appointment.
CREATE TRIGGER appointments_sync AFTER UPDATE OF start_at, end_at, status ON appointments
BEGIN
	UPDATE participants
	SET start_at = NEW.start_at, end_at = NEW.end_at, live = (NEW.status <> 'cancelled')
	WHERE appointment_id = NEW.id;
END;

-- The last line against double booking: the database refuses an overlap.
CREATE TRIGGER participants_no_overlap_insert BEFORE INSERT ON participants
WHEN NEW.live AND NEW.kind <> 'external'
BEGIN
	SELECT RAISE(ABORT, 'overlap')
	WHERE EXISTS (SELECT 1 FROM participants p
		WHERE p.clinician_id = NEW.clinician_id AND NEW.clinician_id IS NOT NULL
		AND p.start_at < NEW.end_at AND p.start_at > NEW.start_at - 43200
		AND p.end_at > NEW.start_at AND p.live AND p.appointment_id <> NEW.appointment_id)
	OR EXISTS (SELECT 1 FROM participants p
		WHERE p.patient_id = NEW.patient_id AND NEW.patient_id IS NOT NULL
		AND p.start_at < NEW.end_at AND p.start_at > NEW.start_at - 43200
		AND p.end_at > NEW.start_at AND p.live AND p.appointment_id <> NEW.appointment_id);
END;

CREATE TRIGGER participants_no_overlap_update BEFORE UPDATE ON participants
WHEN NEW.live AND NEW.kind <> 'external'
BEGIN
	SELECT RAISE(ABORT, 'overlap')
	WHERE EXISTS (SELECT 1 FROM participants p
		WHERE p.clinician_id = NEW.clinician_id AND NEW.clinician_id IS NOT NULL
		AND p.start_at < NEW.end_at AND p.start_at > NEW.start_at - 43200
		AND p.end_at > NEW.start_at AND p.live AND p.appointment_id <> NEW.appointment_id)
	OR EXISTS (SELECT 1 FROM participants p
		WHERE p.patient_id = NEW.patient_id AND NEW.patient_id IS NOT NULL
		AND p.start_at < NEW.end_at AND p.start_at > NEW.start_at - 43200
		AND p.end_at > NEW.start_at AND p.live AND p.appointment_id <> NEW.appointment_id);
END;

CREATE TRIGGER appointments_room_no_overlap_insert BEFORE INSERT ON appointments
WHEN NEW.room_id IS NOT NULL AND NEW.status <> 'cancelled'
BEGIN
	SELECT RAISE(ABORT, 'overlap')
	WHERE EXISTS (SELECT 1 FROM appointments a
		WHERE a.room_id = NEW.room_id AND a.start_at < NEW.end_at
		AND a.start_at > NEW.start_at - 43200 AND a.end_at > NEW.start_at
		AND a.status <> 'cancelled');
END;

CREATE TRIGGER appointments_room_no_overlap_update
BEFORE UPDATE OF room_id, start_at, end_at, status ON appointments
WHEN NEW.room_id IS NOT NULL AND NEW.status <> 'cancelled'
BEGIN
	SELECT RAISE(ABORT, 'overlap')
	WHERE EXISTS (SELECT 1 FROM appointments a
		WHERE a.room_id = NEW.room_id AND a.start_at < NEW.end_at
		AND a.start_at > NEW.start_at - 43200 AND a.end_at > NEW.start_at
		AND a.status <> 'cancelled' AND a.id <> NEW.id);
END;
