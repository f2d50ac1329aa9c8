-- 0011_clinician_day.sql - what the clinician's day needs.
--
-- held_mode: how a completed consultation was actually held.  It is the
-- booked mode unless the clinician notes otherwise (a video consultation
-- that fell back to phone), and is set only on completed appointments, so
-- the share of consultations held by video can be counted from it.
--
-- video_host_url: the meeting link the clinician opens.  Where the video
-- platform has a host entrance (--video-host-url-template) it is the host's
-- link to the same room; otherwise the same link the patient has.
-- It is never shown through a patient's or guest's link.
--
-- calendar_feeds: one personal iCalendar feed per clinician, opened by a
-- token of its own of which only the hash is kept.  Making a new one
-- revokes the old one (the row is replaced); deleting it revokes it.

ALTER TABLE appointments ADD COLUMN held_mode TEXT
	CHECK (held_mode IS NULL OR (held_mode IN ('video', 'in_person', 'phone')
				     AND status = 'completed'));
ALTER TABLE appointments ADD COLUMN video_host_url TEXT;
UPDATE appointments SET held_mode = mode WHERE status = 'completed';
UPDATE appointments SET video_host_url = video_url WHERE video_url IS NOT NULL;

CREATE TABLE calendar_feeds (
	clinician_id INTEGER PRIMARY KEY REFERENCES clinicians(id),
	token_hash TEXT NOT NULL UNIQUE,
	language TEXT NOT NULL DEFAULT 'nb' CHECK (language IN ('nb', 'nn', 'en')),
	created_at INTEGER NOT NULL,
	created_by TEXT NOT NULL
);
