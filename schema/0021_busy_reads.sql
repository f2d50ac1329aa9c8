-- 0021_busy_reads.sql - a clinician's busy times from one index (issue 23).
--
-- The free-slot search reads each clinician's appointments in its range
-- widened by their own buffers (store_hours_busy).  The buffers are the
-- appointment's (0005), so each of a week's ~250 index rows cost a lookup
-- in appointments, a row on its own page at 1M appointments: 30 times the
-- index scan itself, and a search that missed the slot cache took 1.5 ms
-- of SQLite for 20 clinicians.  The participant rows now carry copies of
-- the buffers, as they carry the times and live (0001), kept by the
-- triggers below, and participants_busy holds what the search reads, for
-- the live clinician rows only.  Patients' and external rows keep 0: only
-- a clinician's busy time is read with buffers.

ALTER TABLE participants ADD COLUMN buffer_before INTEGER NOT NULL DEFAULT 0;
ALTER TABLE participants ADD COLUMN buffer_after INTEGER NOT NULL DEFAULT 0;

-- The copies of the rows there are.  The overlap trigger is taken away
-- while they are written (the times do not change, so there is nothing to
-- check, and an old database is not refused for what it already holds)
-- and put back as 0001 made it.
DROP TRIGGER participants_no_overlap_update;
UPDATE participants
SET buffer_before = (SELECT a.buffer_before FROM appointments a WHERE a.id = appointment_id),
	buffer_after = (SELECT a.buffer_after FROM appointments a WHERE a.id = appointment_id)
WHERE clinician_id IS NOT NULL AND appointment_id IN
	(SELECT id FROM appointments WHERE buffer_before <> 0 OR buffer_after <> 0);
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

-- A new clinician row takes its appointment's buffers (the appointment is
-- written first: participants refer to it); most have none, and then
-- nothing is written.
CREATE TRIGGER participants_buffers AFTER INSERT ON participants
WHEN NEW.clinician_id IS NOT NULL
BEGIN
	UPDATE participants
	SET buffer_before = (SELECT a.buffer_before FROM appointments a
			WHERE a.id = NEW.appointment_id),
		buffer_after = (SELECT a.buffer_after FROM appointments a
			WHERE a.id = NEW.appointment_id)
	WHERE id = NEW.id AND EXISTS (SELECT 1 FROM appointments a WHERE a.id = NEW.appointment_id
		AND (a.buffer_before <> 0 OR a.buffer_after <> 0));
END;

-- An appointment's buffers that change (a new type) change its rows'.
CREATE TRIGGER appointments_sync_buffers AFTER UPDATE OF buffer_before, buffer_after
ON appointments
WHEN OLD.buffer_before <> NEW.buffer_before OR OLD.buffer_after <> NEW.buffer_after
BEGIN
	UPDATE participants SET buffer_before = NEW.buffer_before, buffer_after = NEW.buffer_after
	WHERE appointment_id = NEW.id AND clinician_id IS NOT NULL;
END;

-- (live too, although the index holds only live rows: without it SQLite
-- 3.40 reads each row to test the query's "live")
CREATE INDEX participants_busy ON participants(clinician_id, start_at, end_at, buffer_before,
	buffer_after, live) WHERE clinician_id IS NOT NULL AND live;
