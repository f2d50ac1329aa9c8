/*
 * questionnaire.h - FHIR R4 Questionnaire and QuestionnaireResponse: the
 * subset timebok supports, checked on upload and on every answer, and what
 * an answer scores (issue 22).
 *
 * Supported items: group, display, boolean, choice (answerOption with
 * valueCoding or valueString), integer (min/max through the FHIR minValue
 * and maxValue extensions with valueInteger), string, text; "required";
 * one "enableWhen" on an earlier item (=, !=, >, <, >=, <=, exists); texts
 * in nb with nn and en in the FHIR translation extension on _text, _title,
 * answerOption _valueString and valueCoding _display.  Everything else is
 * refused by name, so a form never silently loses a question.
 *
 * timebok's feedback (a member of its own beside the resource, never in it):
 *   {"score": "sum" | "<linkId>", "control_item": "<boolean linkId>",
 *    "bands": [{"min": n, "max": n, "text": {"nb", "nn", "en"}}]}
 * "sum" adds integer answers and choice answers whose code is an integer.
 *
 * Errors fill a struct qerr: the JSON path of the fault ("item[2].item[0].
 * answerOption") and a message naming the item's linkId.  Arguments are
 * borrowed.
 */
#ifndef TIMEBOK_QUESTIONNAIRE_H
#define TIMEBOK_QUESTIONNAIRE_H

#include <jansson.h>
#include <stdbool.h>

#include "err.h"

#define QUESTIONNAIRE_MAX_ITEMS 200
#define QUESTIONNAIRE_MAX_DEPTH 8 /* nesting of items (and of answers' items) */
#define QUESTIONNAIRE_TEXT_MAX 4000 /* characters (code points) of a string or text answer */

struct qerr {
	char path[160];
	char message[300];
};

/* APP_OK when q is a Questionnaire of the supported subset; APP_EINVAL
 * with e filled when not. */
enum app_err questionnaire_check(const json_t *q, struct qerr *e) WARN_UNUSED;

/* APP_OK when fb (NULL: none) is feedback that fits questionnaire q (its
 * items named exist and have the right type, bands in order); APP_EINVAL
 * with e (path under "feedback") when not. */
enum app_err questionnaire_feedback_check(const json_t *q, const json_t *fb,
					  struct qerr *e) WARN_UNUSED;

/* APP_OK when qr is a completed QuestionnaireResponse that answers q:
 * every linkId one of q's, answers of the item's type and options, within
 * range, required items answered where enableWhen asks them, none answered
 * where it does not.  APP_EINVAL with e (path in qr) when not. */
enum app_err questionnaire_response_check(const json_t *q, const json_t *qr,
					  struct qerr *e) WARN_UNUSED;

/* In items (a checked response's, changed in place, at every depth) each
 * valueCoding becomes the questionnaire q's own coding of the chosen
 * code: its system, code and display, never what the client sent. */
void questionnaire_own_codings(const json_t *q, json_t *items);

/* The score of response qr by feedback fb (NULL: "sum"); false when nothing
 * counted (no answer scores) or the sum is not finite. */
bool questionnaire_score(const json_t *fb, const json_t *qr, double *score);

/* The answer of fb's control_item in qr: 1 yes, 0 no, -1 no such item or
 * no answer. */
int questionnaire_wants_control(const json_t *fb, const json_t *qr);

/* The text of fb's band that holds score, in lang (nb when lang has none);
 * borrowed from fb, or NULL. */
const char *questionnaire_band_text(const json_t *fb, double score, const char *lang);

/* The text of the first free-text ("text" type) answer of qr (borrowed),
 * or NULL. */
const char *questionnaire_comment(const json_t *q, const json_t *qr);

/* The title of q in lang (its translation, or the base), borrowed; "" when
 * it has none. */
const char *questionnaire_title(const json_t *q, const char *lang);

#endif
