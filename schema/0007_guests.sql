-- 0007_guests.sql - external participants: the GP, the NAV adviser, the
-- interpreter, next of kin, others, each with their own contact details,
-- link and response.
--
-- They are rows of participants with kind 'external' (0001 made room for
-- them; the overlap triggers skip them: a GP may be in two meetings).  A
-- removed guest keeps its row, so the messages sent to them stay readable,
-- but counts no more, and its links are revoked.

ALTER TABLE participants ADD COLUMN name TEXT;
ALTER TABLE participants ADD COLUMN role TEXT
	CHECK (role IS NULL OR role IN ('gp', 'nav', 'interpreter', 'next_of_kin', 'other'));
ALTER TABLE participants ADD COLUMN organisation TEXT;
ALTER TABLE participants ADD COLUMN interpreter_language TEXT;
ALTER TABLE participants ADD COLUMN phone TEXT;
ALTER TABLE participants ADD COLUMN email TEXT;
ALTER TABLE participants ADD COLUMN language TEXT
	CHECK (language IS NULL OR language IN ('nb', 'nn', 'en'));
ALTER TABLE participants ADD COLUMN removed_at INTEGER;

-- A guest has a name and a role; nobody else has either.
CREATE TRIGGER participants_guest_insert BEFORE INSERT ON participants
WHEN (NEW.kind = 'external') <> (NEW.name IS NOT NULL AND NEW.role IS NOT NULL)
BEGIN
	SELECT RAISE(ABORT, 'a guest has a name and a role');
END;
