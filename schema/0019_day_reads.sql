-- 0019_day_reads.sql - the day's reads from the index alone (issue 23).
--
-- The clinician's day list, the calendar's board and the list's unit
-- filter find a day's appointments of a clinician by the range
-- (clinician_id, start_at) of participants_clinician, then need each
-- row's appointment_id: with it in the index they no longer read the
-- participants table itself, one page a row (at 1M appointments a day's
-- rows lie on as many pages).  The overlap checks use the same index as
-- before (live stays ahead of appointment_id); a booking writes no more
-- index entries than before.

DROP INDEX participants_clinician;
CREATE INDEX participants_clinician ON participants(clinician_id, start_at, end_at, live,
	appointment_id) WHERE clinician_id IS NOT NULL;
