-- 0006_availability.sql - working hours for clinicians and rooms, with
-- validity, and exceptions: absences and extra hours.
--
-- The weekly template of 0003 moves into one table for both owners (a
-- clinician's working hours, a room's opening hours).  An entry is valid on
-- the local days valid_from..valid_to, both included, as days since
-- 1970-01-01 (NULL: open-ended), so next term's template can be entered
-- before this one ends.  Exceptions are UTC intervals: an absence (holiday,
-- course, a room closed for repair) or extra hours.

CREATE TABLE hours (
	id INTEGER PRIMARY KEY,
	clinician_id INTEGER REFERENCES clinicians(id),
	room_id INTEGER REFERENCES rooms(id),
	weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
	start_min INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1439),
	end_min INTEGER NOT NULL CHECK (end_min BETWEEN 1 AND 1440),
	valid_from INTEGER,
	valid_to INTEGER,
	CHECK (start_min < end_min),
	CHECK ((clinician_id IS NULL) <> (room_id IS NULL)),
	CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to)
);
CREATE INDEX hours_clinician ON hours(clinician_id) WHERE clinician_id IS NOT NULL;
CREATE INDEX hours_room ON hours(room_id) WHERE room_id IS NOT NULL;

INSERT INTO hours (clinician_id, weekday, start_min, end_min)
	SELECT clinician_id, weekday, start_min, end_min FROM clinician_hours;
DROP TABLE clinician_hours;

CREATE TABLE hours_exceptions (
	id INTEGER PRIMARY KEY,
	clinician_id INTEGER REFERENCES clinicians(id),
	room_id INTEGER REFERENCES rooms(id),
	kind TEXT NOT NULL CHECK (kind IN ('absence', 'extra')),
	start_at INTEGER NOT NULL,
	end_at INTEGER NOT NULL,
	reason TEXT,
	created_at INTEGER NOT NULL,
	created_by TEXT NOT NULL,
	CHECK (end_at > start_at),
	CHECK ((clinician_id IS NULL) <> (room_id IS NULL))
);
CREATE INDEX hours_exceptions_clinician ON hours_exceptions(clinician_id, end_at)
	WHERE clinician_id IS NOT NULL;
CREATE INDEX hours_exceptions_room ON hours_exceptions(room_id, end_at)
	WHERE room_id IS NOT NULL;
