-- 0010_work_queue.sql - what the secretary's work queue reads.
--
-- The queue (GET /api/v1/work-queue) is computed, never stored: it shows
-- appointments whose patient opted out of video, invitations still
-- unanswered shortly before the appointment, and messages that failed.  An
-- item leaves the queue when its cause is dealt with: the appointment is
-- re-booked, answered or cancelled, a later message to the same recipient
-- gets through, or, for a failed message the secretary dealt with by other
-- means (a phone call), when it is marked handled (by whom, when).

ALTER TABLE outbox ADD COLUMN handled_at INTEGER;
ALTER TABLE outbox ADD COLUMN handled_by TEXT;

CREATE INDEX outbox_failed ON outbox(appointment_id) WHERE status = 'failed' AND handled_at IS NULL;
CREATE INDEX appointments_opted_out ON appointments(start_at) WHERE status = 'opted_out';
CREATE INDEX appointments_invited ON appointments(start_at) WHERE status = 'invited';
