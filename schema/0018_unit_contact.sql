-- 0018_unit_contact.sql - how a patient reaches the clinic (issue 20).
--
-- The patient page names the unit that holds the appointment (its first
-- clinician's) with what a patient needs to find or call it: the department
-- as the patient knows it ("Medisinsk poliklinikk, Ullevål"), a phone
-- number and a postal or visiting address.  All three are optional; a unit
-- without them shows the clinic's name alone, as before.

ALTER TABLE units ADD COLUMN department TEXT;
ALTER TABLE units ADD COLUMN phone TEXT;
ALTER TABLE units ADD COLUMN address TEXT;
