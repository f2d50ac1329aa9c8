-- 0012_messages_bound.sql - a queued message is bound to the link it was
-- made with.
--
-- Before, the worker filled "{link}" with the participant's newest live link
-- when it sent.  When a secretary corrected an appointment's patient while a
-- message to the first patient was still being retried, that message went
-- to the first patient carrying the second patient's link.  Now each message
-- keeps the id of the link it was composed with; one whose link was revoked
-- (a new patient, a removed guest, a newer link) or whose participant was
-- removed is dropped, never re-addressed: it is marked failed and handled by
-- 'timebok' with the reason in last_error, so it does not wait in the work
-- queue for a secretary.
--
-- Messages queued before this migration take the participant's live link of
-- now, which is the one they would have been sent with.

ALTER TABLE outbox ADD COLUMN link_id INTEGER REFERENCES links(id);

UPDATE outbox SET link_id = (
	SELECT l.id FROM links l WHERE l.participant_id = outbox.participant_id
	AND l.revoked_at IS NULL ORDER BY l.id DESC LIMIT 1)
WHERE status = 'queued' AND participant_id IS NOT NULL;

CREATE INDEX outbox_participant ON outbox(participant_id) WHERE status = 'queued';
