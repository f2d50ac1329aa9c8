-- 0005_types.sql - consultation types, and the type of each appointment.
--
-- A unit decides in advance how long a kind of consultation takes, whether
-- it suits video (and which mode to book by default), whether it needs a
-- room, and how much time to keep free before and after it.  An appointment
-- keeps the buffers it was booked with (seconds), so the free-slot search
-- reads them without a join, and later changes to the type do not move
-- what was already booked.

CREATE TABLE consultation_types (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	unit_id INTEGER NOT NULL REFERENCES units(id),
	duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 5 AND 720),
	video_allowed INTEGER NOT NULL DEFAULT 1 CHECK (video_allowed IN (0, 1)),
	default_mode TEXT NOT NULL DEFAULT 'video'
		CHECK (default_mode IN ('video', 'in_person', 'phone')),
	needs_room INTEGER NOT NULL DEFAULT 0 CHECK (needs_room IN (0, 1)),
	buffer_before_minutes INTEGER NOT NULL DEFAULT 0 CHECK (buffer_before_minutes BETWEEN 0 AND 240),
	buffer_after_minutes INTEGER NOT NULL DEFAULT 0 CHECK (buffer_after_minutes BETWEEN 0 AND 240),
	active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	CHECK (video_allowed OR default_mode <> 'video')
);
CREATE UNIQUE INDEX consultation_types_name ON consultation_types(unit_id, name);

ALTER TABLE appointments ADD COLUMN type_id INTEGER REFERENCES consultation_types(id);
ALTER TABLE appointments ADD COLUMN buffer_before INTEGER NOT NULL DEFAULT 0;
ALTER TABLE appointments ADD COLUMN buffer_after INTEGER NOT NULL DEFAULT 0;
