-- 0003_hours.sql - clinicians' weekly working hours.
--
-- A template of intervals per ISO weekday (1 = Monday), in clinic-local
-- minutes after midnight, several a day allowed.  A clinician with no rows
-- is not restricted (and has no free slots to offer).

CREATE TABLE clinician_hours (
	clinician_id INTEGER NOT NULL REFERENCES clinicians(id),
	weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
	start_min INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1439),
	end_min INTEGER NOT NULL CHECK (end_min BETWEEN 1 AND 1440),
	CHECK (start_min < end_min),
	PRIMARY KEY (clinician_id, weekday, start_min)
) WITHOUT ROWID;
