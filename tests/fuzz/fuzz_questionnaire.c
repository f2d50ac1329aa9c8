/*
 * fuzz_questionnaire.c - the FHIR Questionnaire and QuestionnaireResponse
 * checks (server/questionnaire.c).  The first byte picks:
 *   0  the input (JSON) as a Questionnaire, and as its own feedback;
 *   1  the input as a QuestionnaireResponse to a fixed questionnaire of
 *      every supported item type, then its score, control wish, band and
 *      comment.
 * A refusal must name a path and a message, both valid UTF-8 (they go into
 * an error body); an accepted questionnaire must be accepted again.
 */
#include <jansson.h>

#include "fuzz.h"
#include "questionnaire.h"
#include "validate.h"

static const char FIXED[] =
	"{\"resourceType\":\"Questionnaire\",\"status\":\"active\",\"item\":["
	"{\"linkId\":\"g\",\"type\":\"group\",\"item\":[{\"linkId\":\"n\",\"type\":\"integer\","
	"\"text\":\"N\",\"required\":true,\"extension\":[{\"url\":"
	"\"http://hl7.org/fhir/StructureDefinition/minValue\",\"valueInteger\":0},{\"url\":"
	"\"http://hl7.org/fhir/StructureDefinition/maxValue\",\"valueInteger\":10}]},"
	"{\"linkId\":\"c\",\"type\":\"choice\",\"text\":\"C\",\"answerOption\":[{\"valueCoding\":"
	"{\"code\":\"1\"}},{\"valueString\":\"to\"}]}]},"
	"{\"linkId\":\"b\",\"type\":\"boolean\",\"text\":\"B\"},"
	"{\"linkId\":\"t\",\"type\":\"text\",\"text\":\"T\",\"enableWhen\":[{\"question\":\"n\","
	"\"operator\":\">=\",\"answerInteger\":5}]},{\"linkId\":\"d\",\"type\":\"display\","
	"\"text\":\"D\"},{\"linkId\":\"s\",\"type\":\"string\",\"text\":\"S\",\"enableWhen\":[{"
	"\"question\":\"b\",\"operator\":\"exists\",\"answerBoolean\":true}]}]}";
static const char FEEDBACK[] =
	"{\"score\":\"sum\",\"control_item\":\"b\",\"bands\":[{\"min\":0,\"max\":5,\"text\":"
	"{\"nb\":\"a\"}},{\"min\":6,\"max\":20,\"text\":{\"nb\":\"b\",\"en\":\"c\"}}]}";

static void refusal_is_clean(enum app_err err, const struct qerr *e)
{
	if (err == APP_OK || err == APP_ENOMEM)
		return;
	FUZZ_CHECK(err == APP_EINVAL);
	FUZZ_CHECK(e->message[0] && validate_utf8(e->message, strlen(e->message)));
	FUZZ_CHECK(validate_utf8(e->path, strlen(e->path)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qerr e = {0};
	enum app_err err;
	json_t *in, *q, *fb;
	double score;

	fuzz_setup();
	if (size < 1)
		return 0;
	in = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, NULL);
	if (!in)
		return 0;
	if (data[0] % 2 == 0) {
		err = questionnaire_check(in, &e);
		refusal_is_clean(err, &e);
		if (!err) {
			FUZZ_CHECK(questionnaire_check(in, &e) == APP_OK);
			(void)questionnaire_title(in, "nn");
		}
		refusal_is_clean(questionnaire_feedback_check(in, in, &e), &e);
	} else {
		q = json_loads(FIXED, 0, NULL);
		fb = json_loads(FEEDBACK, 0, NULL);
		FUZZ_CHECK(q && fb && questionnaire_check(q, &e) == APP_OK &&
			   questionnaire_feedback_check(q, fb, &e) == APP_OK);
		err = questionnaire_response_check(q, in, &e);
		refusal_is_clean(err, &e);
		if (!err && questionnaire_score(fb, in, &score))
			(void)questionnaire_band_text(fb, score, "en");
		(void)questionnaire_wants_control(fb, in);
		(void)questionnaire_comment(q, in);
		json_decref(q);
		json_decref(fb);
	}
	json_decref(in);
	return 0;
}
