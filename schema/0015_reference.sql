-- 0015_reference.sql - the clinic's own reference for an appointment.
--
-- A guest (the GP, an interpreter) must know which consultation their link
-- is about, to prepare, without being shown the patient's name or birth
-- number.  By default their page shows the patient's initials and birth
-- year; a clinic that prefers its own word ("Henvisning 2026-114", a case
-- number) sets it here per appointment, and the guest's page shows it
-- instead.  At most 40 characters (SQLite's length() counts characters,
-- as the API does); NULL: none, never the empty string.

ALTER TABLE appointments ADD COLUMN reference TEXT
	CHECK (reference IS NULL OR (length(reference) BETWEEN 1 AND 40));
