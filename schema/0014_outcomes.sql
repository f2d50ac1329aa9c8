-- 0014_outcomes.sql - the clinic's outcome statistics (issue 21).
--
-- A manager role (statistics of their units, no patient data); each unit's
-- video target and its patients' typical round trip; the category of a
-- patient's opt-out; and the statistics themselves:
--
--   appointment_facts  one row per appointment: what the statistics count
--                      of it (store_stats.c recomputes the row in the
--                      transaction of every change to the appointment);
--   stats_daily        the sums of the facts per (unit, local day,
--                      clinician, consultation type, age band), kept by the
--                      triggers below in the same transaction, so a year of
--                      a unit is a few thousand rows whatever the history;
--   stats_monthly,     the same per month and per ISO week, kept from the
--   stats_weekly       daily sums by triggers;
--   stats_answers      how many invitations were answered after how many
--                      whole hours, per the same key (for the median).
--
-- Modes are 0 video, 1 in person, 2 phone; age bands 0 (0-17), 1 (18-39),
-- 2 (40-66), 3 (67-79), 4 (80+), 5 (no birth date); opt-out reasons 0
-- equipment, 1 prefer_in_person, 2 examination, 3 language_hearing,
-- 4 other, 5 none given; cancelled_by 1 the patient, 2 the clinic.

-- users.role gains 'manager': SQLite cannot change a CHECK, so the table is
-- rebuilt.  Dropping it deletes its sessions and unit limits by cascade;
-- they are kept aside and put back.
CREATE TEMP TABLE keep_user_units AS SELECT * FROM user_units;
CREATE TEMP TABLE keep_sessions AS SELECT * FROM sessions;
CREATE TABLE users_0014 (
	id INTEGER PRIMARY KEY,
	username TEXT NOT NULL COLLATE NOCASE,
	role TEXT NOT NULL CHECK (role IN ('admin', 'secretary', 'clinician', 'manager')),
	clinician_id INTEGER REFERENCES clinicians(id),
	password_hash TEXT NOT NULL,
	active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	last_login_at INTEGER, -- 0013
	CHECK ((role = 'clinician') = (clinician_id IS NOT NULL))
);
INSERT INTO users_0014 (id, username, role, clinician_id, password_hash, active, created_at,
			updated_at, last_login_at)
	SELECT id, username, role, clinician_id, password_hash, active, created_at, updated_at,
	       last_login_at
	FROM users;
DROP TABLE users;
ALTER TABLE users_0014 RENAME TO users;
CREATE UNIQUE INDEX users_username ON users(username);
INSERT INTO user_units SELECT * FROM temp.keep_user_units;
INSERT INTO sessions SELECT * FROM temp.keep_sessions;
DROP TABLE temp.keep_user_units;
DROP TABLE temp.keep_sessions;

ALTER TABLE units ADD COLUMN video_target_percent INTEGER
	CHECK (video_target_percent IS NULL OR video_target_percent BETWEEN 0 AND 100);
ALTER TABLE units ADD COLUMN travel_km INTEGER
	CHECK (travel_km IS NULL OR travel_km BETWEEN 0 AND 5000);
ALTER TABLE units ADD COLUMN travel_minutes INTEGER
	CHECK (travel_minutes IS NULL OR travel_minutes BETWEEN 0 AND 1440);

-- Kept when the appointment is later re-booked in person: the statistics
-- count that the patient asked.
ALTER TABLE appointments ADD COLUMN opt_out_reason TEXT
	CHECK (opt_out_reason IS NULL OR opt_out_reason IN ('equipment', 'prefer_in_person',
		'examination', 'language_hearing', 'other'));
-- A patient's cancellation inside the notice (--cancel-notice-hours then).
ALTER TABLE appointments ADD COLUMN late_cancel INTEGER NOT NULL DEFAULT 0
	CHECK (late_cancel IN (0, 1));

CREATE TABLE appointment_facts (
	appointment_id INTEGER PRIMARY KEY REFERENCES appointments(id) ON DELETE CASCADE,
	unit_id INTEGER NOT NULL,          -- the first clinician's unit (0: none)
	day INTEGER NOT NULL,              -- local day of the start, days since 1970-01-01
	clinician_id INTEGER NOT NULL,     -- the first clinician
	type_id INTEGER NOT NULL,          -- 0: none
	band INTEGER NOT NULL,
	booked_mode INTEGER NOT NULL,      -- the mode it was first booked with
	held_mode INTEGER,                 -- completed: how
	phone_fallback INTEGER NOT NULL,   -- a video one completed by phone
	opted_out INTEGER NOT NULL,        -- the patient asked to meet in person
	opt_reason INTEGER,
	no_show_mode INTEGER,
	cancelled_by INTEGER,
	late INTEGER NOT NULL,
	invited INTEGER NOT NULL,          -- the patient was sent a link
	answer_hours INTEGER,              -- whole hours from the first link to the first answer
	room_seconds INTEGER NOT NULL      -- held by video: the room time it did not need
);

CREATE TABLE stats_daily (
	unit_id INTEGER NOT NULL, day INTEGER NOT NULL, clinician_id INTEGER NOT NULL,
	type_id INTEGER NOT NULL, band INTEGER NOT NULL,
	booked_video INTEGER NOT NULL, booked_in_person INTEGER NOT NULL,
	booked_phone INTEGER NOT NULL,
	held_video INTEGER NOT NULL, held_in_person INTEGER NOT NULL, held_phone INTEGER NOT NULL,
	phone_fallback INTEGER NOT NULL, opted_out INTEGER NOT NULL,
	opt_equipment INTEGER NOT NULL, opt_prefer INTEGER NOT NULL,
	opt_examination INTEGER NOT NULL, opt_language INTEGER NOT NULL,
	opt_other INTEGER NOT NULL, opt_none INTEGER NOT NULL,
	no_show_video INTEGER NOT NULL, no_show_in_person INTEGER NOT NULL,
	no_show_phone INTEGER NOT NULL,
	cancelled_patient INTEGER NOT NULL, cancelled_clinic INTEGER NOT NULL,
	late INTEGER NOT NULL, invited INTEGER NOT NULL, answered INTEGER NOT NULL,
	room_seconds INTEGER NOT NULL,
	PRIMARY KEY (unit_id, day, clinician_id, type_id, band)
) WITHOUT ROWID;
CREATE INDEX stats_daily_day ON stats_daily(day);

-- The same sums per month (year * 12 + month - 1) and per ISO week (the
-- day number of its Monday; without the age band, which only months and
-- days are asked by), kept from the daily ones by the triggers below: a
-- year of a unit is read as its whole months, the whole weeks at its
-- ragged ends and a few days (api_statistics.c).
CREATE TABLE stats_monthly (
	unit_id INTEGER NOT NULL, month INTEGER NOT NULL, clinician_id INTEGER NOT NULL,
	type_id INTEGER NOT NULL, band INTEGER NOT NULL,
	booked_video INTEGER NOT NULL, booked_in_person INTEGER NOT NULL,
	booked_phone INTEGER NOT NULL, held_video INTEGER NOT NULL,
	held_in_person INTEGER NOT NULL, held_phone INTEGER NOT NULL,
	phone_fallback INTEGER NOT NULL, opted_out INTEGER NOT NULL,
	opt_equipment INTEGER NOT NULL, opt_prefer INTEGER NOT NULL,
	opt_examination INTEGER NOT NULL, opt_language INTEGER NOT NULL,
	opt_other INTEGER NOT NULL, opt_none INTEGER NOT NULL, no_show_video INTEGER NOT NULL,
	no_show_in_person INTEGER NOT NULL, no_show_phone INTEGER NOT NULL,
	cancelled_patient INTEGER NOT NULL, cancelled_clinic INTEGER NOT NULL,
	late INTEGER NOT NULL, invited INTEGER NOT NULL, answered INTEGER NOT NULL,
	room_seconds INTEGER NOT NULL,
	PRIMARY KEY (unit_id, month, clinician_id, type_id, band)
) WITHOUT ROWID;
CREATE TABLE stats_weekly (
	unit_id INTEGER NOT NULL, week INTEGER NOT NULL, clinician_id INTEGER NOT NULL,
	type_id INTEGER NOT NULL,
	booked_video INTEGER NOT NULL, booked_in_person INTEGER NOT NULL,
	booked_phone INTEGER NOT NULL, held_video INTEGER NOT NULL,
	held_in_person INTEGER NOT NULL, held_phone INTEGER NOT NULL,
	phone_fallback INTEGER NOT NULL, opted_out INTEGER NOT NULL,
	opt_equipment INTEGER NOT NULL, opt_prefer INTEGER NOT NULL,
	opt_examination INTEGER NOT NULL, opt_language INTEGER NOT NULL,
	opt_other INTEGER NOT NULL, opt_none INTEGER NOT NULL, no_show_video INTEGER NOT NULL,
	no_show_in_person INTEGER NOT NULL, no_show_phone INTEGER NOT NULL,
	cancelled_patient INTEGER NOT NULL, cancelled_clinic INTEGER NOT NULL,
	late INTEGER NOT NULL, invited INTEGER NOT NULL, answered INTEGER NOT NULL,
	room_seconds INTEGER NOT NULL,
	PRIMARY KEY (unit_id, week, clinician_id, type_id)
) WITHOUT ROWID;

CREATE TRIGGER stats_daily_add_month AFTER INSERT ON stats_daily
BEGIN
	INSERT INTO stats_monthly VALUES (NEW.unit_id, CAST(strftime('%Y', NEW.day * 86400, 'unixepoch') AS INTEGER) * 12 +
		CAST(strftime('%m', NEW.day * 86400, 'unixepoch') AS INTEGER) - 1, NEW.clinician_id, NEW.type_id,
		NEW.band,
		NEW.booked_video, NEW.booked_in_person, NEW.booked_phone, NEW.held_video,
		NEW.held_in_person, NEW.held_phone, NEW.phone_fallback, NEW.opted_out, NEW.opt_equipment,
		NEW.opt_prefer, NEW.opt_examination, NEW.opt_language, NEW.opt_other, NEW.opt_none,
		NEW.no_show_video, NEW.no_show_in_person, NEW.no_show_phone, NEW.cancelled_patient,
		NEW.cancelled_clinic, NEW.late, NEW.invited, NEW.answered, NEW.room_seconds)
	ON CONFLICT DO UPDATE SET
		booked_video = booked_video + excluded.booked_video,
		booked_in_person = booked_in_person + excluded.booked_in_person,
		booked_phone = booked_phone + excluded.booked_phone,
		held_video = held_video + excluded.held_video,
		held_in_person = held_in_person + excluded.held_in_person,
		held_phone = held_phone + excluded.held_phone,
		phone_fallback = phone_fallback + excluded.phone_fallback,
		opted_out = opted_out + excluded.opted_out,
		opt_equipment = opt_equipment + excluded.opt_equipment,
		opt_prefer = opt_prefer + excluded.opt_prefer,
		opt_examination = opt_examination + excluded.opt_examination,
		opt_language = opt_language + excluded.opt_language,
		opt_other = opt_other + excluded.opt_other, opt_none = opt_none + excluded.opt_none,
		no_show_video = no_show_video + excluded.no_show_video,
		no_show_in_person = no_show_in_person + excluded.no_show_in_person,
		no_show_phone = no_show_phone + excluded.no_show_phone,
		cancelled_patient = cancelled_patient + excluded.cancelled_patient,
		cancelled_clinic = cancelled_clinic + excluded.cancelled_clinic,
		late = late + excluded.late, invited = invited + excluded.invited,
		answered = answered + excluded.answered,
		room_seconds = room_seconds + excluded.room_seconds;
END;

CREATE TRIGGER stats_daily_change_month AFTER UPDATE ON stats_daily
BEGIN
	INSERT INTO stats_monthly VALUES (NEW.unit_id, CAST(strftime('%Y', NEW.day * 86400, 'unixepoch') AS INTEGER) * 12 +
		CAST(strftime('%m', NEW.day * 86400, 'unixepoch') AS INTEGER) - 1, NEW.clinician_id, NEW.type_id,
		NEW.band,
		NEW.booked_video - OLD.booked_video, NEW.booked_in_person - OLD.booked_in_person,
		NEW.booked_phone - OLD.booked_phone, NEW.held_video - OLD.held_video,
		NEW.held_in_person - OLD.held_in_person, NEW.held_phone - OLD.held_phone,
		NEW.phone_fallback - OLD.phone_fallback, NEW.opted_out - OLD.opted_out,
		NEW.opt_equipment - OLD.opt_equipment, NEW.opt_prefer - OLD.opt_prefer,
		NEW.opt_examination - OLD.opt_examination, NEW.opt_language - OLD.opt_language,
		NEW.opt_other - OLD.opt_other, NEW.opt_none - OLD.opt_none,
		NEW.no_show_video - OLD.no_show_video, NEW.no_show_in_person - OLD.no_show_in_person,
		NEW.no_show_phone - OLD.no_show_phone, NEW.cancelled_patient - OLD.cancelled_patient,
		NEW.cancelled_clinic - OLD.cancelled_clinic, NEW.late - OLD.late,
		NEW.invited - OLD.invited, NEW.answered - OLD.answered,
		NEW.room_seconds - OLD.room_seconds)
	ON CONFLICT DO UPDATE SET
		booked_video = booked_video + excluded.booked_video,
		booked_in_person = booked_in_person + excluded.booked_in_person,
		booked_phone = booked_phone + excluded.booked_phone,
		held_video = held_video + excluded.held_video,
		held_in_person = held_in_person + excluded.held_in_person,
		held_phone = held_phone + excluded.held_phone,
		phone_fallback = phone_fallback + excluded.phone_fallback,
		opted_out = opted_out + excluded.opted_out,
		opt_equipment = opt_equipment + excluded.opt_equipment,
		opt_prefer = opt_prefer + excluded.opt_prefer,
		opt_examination = opt_examination + excluded.opt_examination,
		opt_language = opt_language + excluded.opt_language,
		opt_other = opt_other + excluded.opt_other, opt_none = opt_none + excluded.opt_none,
		no_show_video = no_show_video + excluded.no_show_video,
		no_show_in_person = no_show_in_person + excluded.no_show_in_person,
		no_show_phone = no_show_phone + excluded.no_show_phone,
		cancelled_patient = cancelled_patient + excluded.cancelled_patient,
		cancelled_clinic = cancelled_clinic + excluded.cancelled_clinic,
		late = late + excluded.late, invited = invited + excluded.invited,
		answered = answered + excluded.answered,
		room_seconds = room_seconds + excluded.room_seconds;
END;

CREATE TRIGGER stats_daily_add_week AFTER INSERT ON stats_daily
BEGIN
	INSERT INTO stats_weekly VALUES (NEW.unit_id, NEW.day - (NEW.day + 3) % 7, NEW.clinician_id, NEW.type_id,
		NEW.booked_video, NEW.booked_in_person, NEW.booked_phone, NEW.held_video,
		NEW.held_in_person, NEW.held_phone, NEW.phone_fallback, NEW.opted_out, NEW.opt_equipment,
		NEW.opt_prefer, NEW.opt_examination, NEW.opt_language, NEW.opt_other, NEW.opt_none,
		NEW.no_show_video, NEW.no_show_in_person, NEW.no_show_phone, NEW.cancelled_patient,
		NEW.cancelled_clinic, NEW.late, NEW.invited, NEW.answered, NEW.room_seconds)
	ON CONFLICT DO UPDATE SET
		booked_video = booked_video + excluded.booked_video,
		booked_in_person = booked_in_person + excluded.booked_in_person,
		booked_phone = booked_phone + excluded.booked_phone,
		held_video = held_video + excluded.held_video,
		held_in_person = held_in_person + excluded.held_in_person,
		held_phone = held_phone + excluded.held_phone,
		phone_fallback = phone_fallback + excluded.phone_fallback,
		opted_out = opted_out + excluded.opted_out,
		opt_equipment = opt_equipment + excluded.opt_equipment,
		opt_prefer = opt_prefer + excluded.opt_prefer,
		opt_examination = opt_examination + excluded.opt_examination,
		opt_language = opt_language + excluded.opt_language,
		opt_other = opt_other + excluded.opt_other, opt_none = opt_none + excluded.opt_none,
		no_show_video = no_show_video + excluded.no_show_video,
		no_show_in_person = no_show_in_person + excluded.no_show_in_person,
		no_show_phone = no_show_phone + excluded.no_show_phone,
		cancelled_patient = cancelled_patient + excluded.cancelled_patient,
		cancelled_clinic = cancelled_clinic + excluded.cancelled_clinic,
		late = late + excluded.late, invited = invited + excluded.invited,
		answered = answered + excluded.answered,
		room_seconds = room_seconds + excluded.room_seconds;
END;

CREATE TRIGGER stats_daily_change_week AFTER UPDATE ON stats_daily
BEGIN
	INSERT INTO stats_weekly VALUES (NEW.unit_id, NEW.day - (NEW.day + 3) % 7, NEW.clinician_id, NEW.type_id,
		NEW.booked_video - OLD.booked_video, NEW.booked_in_person - OLD.booked_in_person,
		NEW.booked_phone - OLD.booked_phone, NEW.held_video - OLD.held_video,
		NEW.held_in_person - OLD.held_in_person, NEW.held_phone - OLD.held_phone,
		NEW.phone_fallback - OLD.phone_fallback, NEW.opted_out - OLD.opted_out,
		NEW.opt_equipment - OLD.opt_equipment, NEW.opt_prefer - OLD.opt_prefer,
		NEW.opt_examination - OLD.opt_examination, NEW.opt_language - OLD.opt_language,
		NEW.opt_other - OLD.opt_other, NEW.opt_none - OLD.opt_none,
		NEW.no_show_video - OLD.no_show_video, NEW.no_show_in_person - OLD.no_show_in_person,
		NEW.no_show_phone - OLD.no_show_phone, NEW.cancelled_patient - OLD.cancelled_patient,
		NEW.cancelled_clinic - OLD.cancelled_clinic, NEW.late - OLD.late,
		NEW.invited - OLD.invited, NEW.answered - OLD.answered,
		NEW.room_seconds - OLD.room_seconds)
	ON CONFLICT DO UPDATE SET
		booked_video = booked_video + excluded.booked_video,
		booked_in_person = booked_in_person + excluded.booked_in_person,
		booked_phone = booked_phone + excluded.booked_phone,
		held_video = held_video + excluded.held_video,
		held_in_person = held_in_person + excluded.held_in_person,
		held_phone = held_phone + excluded.held_phone,
		phone_fallback = phone_fallback + excluded.phone_fallback,
		opted_out = opted_out + excluded.opted_out,
		opt_equipment = opt_equipment + excluded.opt_equipment,
		opt_prefer = opt_prefer + excluded.opt_prefer,
		opt_examination = opt_examination + excluded.opt_examination,
		opt_language = opt_language + excluded.opt_language,
		opt_other = opt_other + excluded.opt_other, opt_none = opt_none + excluded.opt_none,
		no_show_video = no_show_video + excluded.no_show_video,
		no_show_in_person = no_show_in_person + excluded.no_show_in_person,
		no_show_phone = no_show_phone + excluded.no_show_phone,
		cancelled_patient = cancelled_patient + excluded.cancelled_patient,
		cancelled_clinic = cancelled_clinic + excluded.cancelled_clinic,
		late = late + excluded.late, invited = invited + excluded.invited,
		answered = answered + excluded.answered,
		room_seconds = room_seconds + excluded.room_seconds;
END;

CREATE TABLE stats_answers (
	unit_id INTEGER NOT NULL, day INTEGER NOT NULL, clinician_id INTEGER NOT NULL,
	type_id INTEGER NOT NULL, band INTEGER NOT NULL, hours INTEGER NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (unit_id, day, clinician_id, type_id, band, hours)
) WITHOUT ROWID;

CREATE TRIGGER appointment_facts_add AFTER INSERT ON appointment_facts
BEGIN
	INSERT INTO stats_daily VALUES (NEW.unit_id, NEW.day, NEW.clinician_id, NEW.type_id,
		NEW.band,
		NEW.booked_mode = 0, NEW.booked_mode = 1, NEW.booked_mode = 2,
		IFNULL(NEW.held_mode = 0, 0), IFNULL(NEW.held_mode = 1, 0), IFNULL(NEW.held_mode = 2, 0),
		NEW.phone_fallback, NEW.opted_out,
		IFNULL(NEW.opt_reason = 0, 0), IFNULL(NEW.opt_reason = 1, 0),
		IFNULL(NEW.opt_reason = 2, 0), IFNULL(NEW.opt_reason = 3, 0),
		IFNULL(NEW.opt_reason = 4, 0), IFNULL(NEW.opt_reason = 5, 0),
		IFNULL(NEW.no_show_mode = 0, 0), IFNULL(NEW.no_show_mode = 1, 0),
		IFNULL(NEW.no_show_mode = 2, 0),
		IFNULL(NEW.cancelled_by = 1, 0), IFNULL(NEW.cancelled_by = 2, 0),
		NEW.late, NEW.invited, NEW.answer_hours IS NOT NULL, NEW.room_seconds)
	ON CONFLICT DO UPDATE SET
		booked_video = booked_video + excluded.booked_video,
		booked_in_person = booked_in_person + excluded.booked_in_person,
		booked_phone = booked_phone + excluded.booked_phone,
		held_video = held_video + excluded.held_video,
		held_in_person = held_in_person + excluded.held_in_person,
		held_phone = held_phone + excluded.held_phone,
		phone_fallback = phone_fallback + excluded.phone_fallback,
		opted_out = opted_out + excluded.opted_out,
		opt_equipment = opt_equipment + excluded.opt_equipment,
		opt_prefer = opt_prefer + excluded.opt_prefer,
		opt_examination = opt_examination + excluded.opt_examination,
		opt_language = opt_language + excluded.opt_language,
		opt_other = opt_other + excluded.opt_other,
		opt_none = opt_none + excluded.opt_none,
		no_show_video = no_show_video + excluded.no_show_video,
		no_show_in_person = no_show_in_person + excluded.no_show_in_person,
		no_show_phone = no_show_phone + excluded.no_show_phone,
		cancelled_patient = cancelled_patient + excluded.cancelled_patient,
		cancelled_clinic = cancelled_clinic + excluded.cancelled_clinic,
		late = late + excluded.late,
		invited = invited + excluded.invited,
		answered = answered + excluded.answered,
		room_seconds = room_seconds + excluded.room_seconds;
	INSERT INTO stats_answers SELECT NEW.unit_id, NEW.day, NEW.clinician_id, NEW.type_id,
		NEW.band, NEW.answer_hours, 1 WHERE NEW.answer_hours IS NOT NULL
	ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER appointment_facts_remove AFTER DELETE ON appointment_facts
BEGIN
	UPDATE stats_daily SET
		booked_video = booked_video - (OLD.booked_mode = 0),
		booked_in_person = booked_in_person - (OLD.booked_mode = 1),
		booked_phone = booked_phone - (OLD.booked_mode = 2),
		held_video = held_video - IFNULL(OLD.held_mode = 0, 0),
		held_in_person = held_in_person - IFNULL(OLD.held_mode = 1, 0),
		held_phone = held_phone - IFNULL(OLD.held_mode = 2, 0),
		phone_fallback = phone_fallback - OLD.phone_fallback,
		opted_out = opted_out - OLD.opted_out,
		opt_equipment = opt_equipment - IFNULL(OLD.opt_reason = 0, 0),
		opt_prefer = opt_prefer - IFNULL(OLD.opt_reason = 1, 0),
		opt_examination = opt_examination - IFNULL(OLD.opt_reason = 2, 0),
		opt_language = opt_language - IFNULL(OLD.opt_reason = 3, 0),
		opt_other = opt_other - IFNULL(OLD.opt_reason = 4, 0),
		opt_none = opt_none - IFNULL(OLD.opt_reason = 5, 0),
		no_show_video = no_show_video - IFNULL(OLD.no_show_mode = 0, 0),
		no_show_in_person = no_show_in_person - IFNULL(OLD.no_show_mode = 1, 0),
		no_show_phone = no_show_phone - IFNULL(OLD.no_show_mode = 2, 0),
		cancelled_patient = cancelled_patient - IFNULL(OLD.cancelled_by = 1, 0),
		cancelled_clinic = cancelled_clinic - IFNULL(OLD.cancelled_by = 2, 0),
		late = late - OLD.late,
		invited = invited - OLD.invited,
		answered = answered - (OLD.answer_hours IS NOT NULL),
		room_seconds = room_seconds - OLD.room_seconds
	WHERE unit_id = OLD.unit_id AND day = OLD.day AND clinician_id = OLD.clinician_id
		AND type_id = OLD.type_id AND band = OLD.band;
	UPDATE stats_answers SET n = n - 1
	WHERE OLD.answer_hours IS NOT NULL AND unit_id = OLD.unit_id AND day = OLD.day
		AND clinician_id = OLD.clinician_id AND type_id = OLD.type_id AND band = OLD.band
		AND hours = OLD.answer_hours;
END;

CREATE TRIGGER appointment_facts_no_update BEFORE UPDATE ON appointment_facts
BEGIN
	SELECT RAISE(ABORT, 'facts are replaced, not updated');
END;
