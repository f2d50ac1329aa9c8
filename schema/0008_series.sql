-- 0008_series.sql - follow-up series: appointments booked together in one
-- request share series_id, the id of the first of them.

ALTER TABLE appointments ADD COLUMN series_id INTEGER REFERENCES appointments(id);
CREATE INDEX appointments_series ON appointments(series_id) WHERE series_id IS NOT NULL;
