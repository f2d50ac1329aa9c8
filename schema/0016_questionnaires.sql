-- 0016_questionnaires.sql - questionnaires, satisfaction surveys and PROM
-- follow-ups (issue 22).
--
--   questionnaires            one row per questionnaire: its unit (NULL: the
--                             whole clinic), current version, status and
--                             whether it is the built-in satisfaction survey
--   questionnaire_versions    every version's FHIR R4 Questionnaire (JSON,
--                             without timebok's own members) and feedback
--                             (JSON, questionnaire.h); a change is a new
--                             version, answers keep the one they answered
--   survey_links              the patient's link /s/{token}: like the invite
--                             links, only a BLAKE2b hash of the token and
--                             the token sealed for the delivery worker; one
--                             answer per link (used_at), an expiry
--   follow_up_sends           a PROM plan's sends of one appointment: due,
--                             sent (with its link), reminded, answered
--   questionnaire_responses   the answers as FHIR QuestionnaireResponse JSON,
--                             with timebok's score and the control wish
--
-- The outbox's kinds gain survey, prom, prom_reminder and feedback, and a
-- message may be bound to a survey link instead of an invite link: SQLite
-- cannot change a CHECK, so the outbox is rebuilt (nothing references it).

CREATE TABLE questionnaires (
	id INTEGER PRIMARY KEY,
	unit_id INTEGER REFERENCES units(id),
	version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
	builtin INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
	title TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX questionnaires_unit ON questionnaires(unit_id);
CREATE UNIQUE INDEX questionnaires_builtin ON questionnaires(builtin) WHERE builtin = 1;

CREATE TABLE questionnaire_versions (
	questionnaire_id INTEGER NOT NULL REFERENCES questionnaires(id),
	version INTEGER NOT NULL,
	resource TEXT NOT NULL,
	feedback TEXT,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (questionnaire_id, version)
) WITHOUT ROWID;

ALTER TABLE patients ADD COLUMN surveys_declined INTEGER NOT NULL DEFAULT 0
	CHECK (surveys_declined IN (0, 1));
-- a PROM plan: JSON [{"after_days", "questionnaire_id", "threshold",
-- "urgent_threshold", "reminder_days"}]; an appointment's own overrides its
-- type's
ALTER TABLE consultation_types ADD COLUMN follow_up TEXT;
ALTER TABLE appointments ADD COLUMN follow_up TEXT;

CREATE TABLE follow_up_sends (
	id INTEGER PRIMARY KEY,
	appointment_id INTEGER NOT NULL REFERENCES appointments(id),
	patient_id INTEGER NOT NULL REFERENCES patients(id),
	questionnaire_id INTEGER NOT NULL REFERENCES questionnaires(id),
	after_days INTEGER NOT NULL,
	threshold REAL,
	urgent_threshold REAL,
	reminder_days INTEGER,
	due_at INTEGER NOT NULL,
	sent_at INTEGER,
	reminded_at INTEGER,
	answered_at INTEGER,
	led_to_control INTEGER CHECK (led_to_control IS NULL OR led_to_control IN (0, 1)),
	UNIQUE (appointment_id, questionnaire_id, after_days)
);
CREATE INDEX follow_up_sends_due ON follow_up_sends(due_at) WHERE sent_at IS NULL;
-- the work queue's "prom_control" items
CREATE INDEX follow_up_sends_control ON follow_up_sends(answered_at) WHERE led_to_control = 1;
CREATE INDEX follow_up_sends_remind ON follow_up_sends(sent_at)
	WHERE sent_at IS NOT NULL AND answered_at IS NULL AND reminded_at IS NULL;

CREATE TABLE survey_links (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('survey', 'prom')),
	appointment_id INTEGER NOT NULL REFERENCES appointments(id),
	patient_id INTEGER NOT NULL REFERENCES patients(id),
	questionnaire_id INTEGER NOT NULL REFERENCES questionnaires(id),
	questionnaire_version INTEGER NOT NULL,
	send_id INTEGER REFERENCES follow_up_sends(id),
	token_hash TEXT NOT NULL,
	token_box BLOB,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at INTEGER
);
CREATE UNIQUE INDEX survey_links_token ON survey_links(token_hash);
-- one satisfaction survey per appointment
CREATE UNIQUE INDEX survey_links_once ON survey_links(appointment_id) WHERE kind = 'survey';
CREATE INDEX survey_links_send ON survey_links(send_id) WHERE send_id IS NOT NULL;

CREATE TABLE questionnaire_responses (
	id INTEGER PRIMARY KEY,
	patient_id INTEGER NOT NULL REFERENCES patients(id),
	appointment_id INTEGER REFERENCES appointments(id),
	questionnaire_id INTEGER NOT NULL REFERENCES questionnaires(id),
	questionnaire_version INTEGER NOT NULL,
	link_id INTEGER UNIQUE REFERENCES survey_links(id),
	kind TEXT NOT NULL CHECK (kind IN ('survey', 'prom')),
	mode TEXT,                 -- the appointment's mode when held (statistics)
	resource TEXT NOT NULL,
	score REAL,
	wants_control INTEGER CHECK (wants_control IS NULL OR wants_control IN (0, 1)),
	comment TEXT,              -- free text of a survey, for the managers' view
	authored INTEGER NOT NULL
);
CREATE INDEX questionnaire_responses_patient ON questionnaire_responses(patient_id, authored);
CREATE INDEX questionnaire_responses_appointment ON questionnaire_responses(appointment_id);
CREATE INDEX questionnaire_responses_authored ON questionnaire_responses(authored);

CREATE TABLE outbox_0016 (
	id INTEGER PRIMARY KEY,
	appointment_id INTEGER NOT NULL REFERENCES appointments(id),
	participant_id INTEGER REFERENCES participants(id),
	channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
	recipient TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder', 'changed', 'cancelled',
		'confirmed', 'opted_out', 'survey', 'prom', 'prom_reminder', 'feedback')),
	language TEXT NOT NULL CHECK (language IN ('nb', 'nn', 'en')),
	subject TEXT,
	body TEXT NOT NULL,
	ics TEXT,
	about_start INTEGER NOT NULL,
	status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_at INTEGER NOT NULL,
	last_error TEXT,
	created_at INTEGER NOT NULL,
	sent_at INTEGER,
	handled_at INTEGER,
	handled_by TEXT,
	link_id INTEGER REFERENCES links(id),
	survey_link_id INTEGER REFERENCES survey_links(id)
);
INSERT INTO outbox_0016 (id, appointment_id, participant_id, channel, recipient, kind, language,
			 subject, body, ics, about_start, status, attempts, next_at, last_error,
			 created_at, sent_at, handled_at, handled_by, link_id)
	SELECT id, appointment_id, participant_id, channel, recipient, kind, language, subject,
	       body, ics, about_start, status, attempts, next_at, last_error, created_at, sent_at,
	       handled_at, handled_by, link_id
	FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_0016 RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(next_at, id) WHERE status = 'queued';
CREATE INDEX outbox_appointment ON outbox(appointment_id, id);
CREATE INDEX outbox_failed ON outbox(appointment_id) WHERE status = 'failed' AND handled_at IS NULL;
CREATE INDEX outbox_participant ON outbox(participant_id) WHERE status = 'queued';

-- the built-in satisfaction questionnaire (overall 1-5, video again, what
-- could be better) in nb with nn and en translations
INSERT INTO questionnaires (id, unit_id, version, status, builtin, title, created_at, updated_at)
	VALUES (1, NULL, 1, 'active', 1, 'Hvordan var timen?', 0, 0);
INSERT INTO questionnaire_versions (questionnaire_id, version, resource, feedback, created_at)
	VALUES (1, 1, '{"resourceType":"Questionnaire","language":"nb","url":"https://timebok.no/fhir/Questionnaire/satisfaction","name":"TimebokSatisfaction","title":"Hvordan var timen?","_title":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/translation","extension":[{"url":"lang","valueCode":"nn"},{"url":"content","valueString":"Korleis var timen?"}]},{"url":"http://hl7.org/fhir/StructureDefinition/translation","extension":[{"url":"lang","valueCode":"en"},{"url":"content","valueString":"How was your appointment?"}]}]},"status":"active","item":[{"linkId":"overall","text":"Hvor fornøyd er du med timen alt i alt?","_text":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/translation","extension":[{"url":"lang","valueCode":"nn"},{"url":"content","valueString":"Kor nøgd er du med timen alt i alt?"}]},{"url":"http://hl7.org/fhir/StructureDefinition/translation","extension":[{"url":"lang","valueCode":"en"},{"url":"content","valueString":"Overall, how satisfied are you with the appointment?"}]}]},"type":"choice","required":true,"answerOption":[{"valueCoding":{"system":"https://timebok.no/fhir/CodeSystem/satisfaction","code":"1","display":"Svært misfornøyd","_display":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/translation","extension":[{"url":"lang","valueCode":"nn"},{"url":"content","valueString":"Svært misnøgd"}]},{"url":"http://hl7.org/fhir/StructureDefinition/translation","extension":[{"url":"lang","valueCode":"en"},{"url":"content","valueString":"Very dissatisfied"}]}]}}},{"valueCoding":{"system":"https://timebok.no/fhir/CodeSystem/satisfaction","code":"2","display":"Misfornøyd","_display":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/translation","extension":[{"url":"lang","valueCode":"nn"},{"url":"content","valueString":"Misnøgd"}]},{"url":"http://hl7.org/fhir/StructureDefinition/translation","extension":[{"url":"lang","valueCode":"en"},{"url":"content","valueString":"Dissatisfied"}]}]}}},{"valueCoding":{"system":"https://timebok.no/fhir/CodeSystem/satisfaction","code":"3","display":"Verken fornøyd eller misfornøyd","_display":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/translation","extension":[{"url":"lang","valueCode":"nn"},{"url":"content","valueString":"Verken nøgd eller misnøgd"}]},{"url":"http://hl7.org/fhir/StructureDefinition/translation","extension":[{"url":"lang","valueCode":"en"},{"url":"content","valueString":"Neither satisfied nor dissatisfied"}]}]}}},{"valueCoding":{"system":"https://timebok.no/fhir/CodeSystem/satisfaction","code":"4","display":"Fornøyd","_display":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/translation","extension":[{"url":"lang","valueCode":"nn"},{"url":"content","valueString":"Nøgd"}]},{"url":"http://hl7.org/fhir/StructureDefinition/translation","extension":[{"url":"lang","valueCode":"en"},{"url":"content","valueString":"Satisfied"}]}]}}},{"valueCoding":{"system":"https://timebok.no/fhir/CodeSystem/satisfaction","code":"5","display":"Svært fornøyd","_display":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/translation","extension":[{"url":"lang","valueCode":"nn"},{"url":"content","valueString":"Svært nøgd"}]},{"url":"http://hl7.org/fhir/StructureDefinition/translation","extension":[{"url":"lang","valueCode":"en"},{"url":"content","valueString":"Very satisfied"}]}]}}}]},{"linkId":"video_again","text":"Vil du gjerne ha time på video igjen?","_text":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/translation","extension":[{"url":"lang","valueCode":"nn"},{"url":"content","valueString":"Vil du gjerne ha time på video igjen?"}]},{"url":"http://hl7.org/fhir/StructureDefinition/translation","extension":[{"url":"lang","valueCode":"en"},{"url":"content","valueString":"Would you like to have a video appointment again?"}]}]},"type":"boolean"},{"linkId":"better","text":"Hva kunne vært bedre?","_text":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/translation","extension":[{"url":"lang","valueCode":"nn"},{"url":"content","valueString":"Kva kunne vore betre?"}]},{"url":"http://hl7.org/fhir/StructureDefinition/translation","extension":[{"url":"lang","valueCode":"en"},{"url":"content","valueString":"What could have been better?"}]}]},"type":"text"}]}', '{"score":"overall"}', 0);
