/*
 * test_questionnaire.c - FHIR Questionnaire and QuestionnaireResponse
 * checks (questionnaire.h): the supported subset passes, each fault is
 * refused with the item's JSON path and a message naming its linkId;
 * answers are checked against types, options, ranges and enableWhen; the
 * score, the control wish and the feedback band.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "questionnaire.h"

/* A PROM of every supported item type: a group holding an integer 0-10
 * and a choice with integer codes, a boolean control question, a text
 * asked only when the pain is over 5, a display and a string. */
#define PROM                                                                                       \
	"{\"resourceType\":\"Questionnaire\",\"status\":\"active\",\"language\":\"nb\","          \
	"\"title\":\"Kne\",\"_title\":{\"extension\":[{\"url\":"                                   \
	"\"http://hl7.org/fhir/StructureDefinition/translation\",\"extension\":[{\"url\":"         \
	"\"lang\",\"valueCode\":\"en\"},{\"url\":\"content\",\"valueString\":\"Knee\"}]}]},"      \
	"\"item\":[{\"linkId\":\"g\",\"type\":\"group\",\"text\":\"Smerte\",\"item\":["            \
	"{\"linkId\":\"pain\",\"type\":\"integer\",\"text\":\"Smerte 0-10\",\"required\":true,"    \
	"\"extension\":[{\"url\":\"http://hl7.org/fhir/StructureDefinition/minValue\","            \
	"\"valueInteger\":0},{\"url\":\"http://hl7.org/fhir/StructureDefinition/maxValue\","      \
	"\"valueInteger\":10}]},"                                                                  \
	"{\"linkId\":\"walk\",\"type\":\"choice\",\"text\":\"Gange\",\"answerOption\":["           \
	"{\"valueCoding\":{\"code\":\"0\",\"display\":\"Godt\"}},"                                 \
	"{\"valueCoding\":{\"code\":\"3\",\"display\":\"Dårlig\"}}]}]},"                           \
	"{\"linkId\":\"control\",\"type\":\"boolean\",\"text\":\"Vil du ha kontroll?\"},"          \
	"{\"linkId\":\"why\",\"type\":\"text\",\"text\":\"Hvorfor?\",\"required\":true,"           \
	"\"enableWhen\":[{\"question\":\"pain\",\"operator\":\">\",\"answerInteger\":5}]},"        \
	"{\"linkId\":\"info\",\"type\":\"display\",\"text\":\"Takk\"},"                            \
	"{\"linkId\":\"name\",\"type\":\"string\",\"text\":\"Kallenavn\"}]}"

#define FEEDBACK                                                                                   \
	"{\"score\":\"sum\",\"control_item\":\"control\",\"bands\":["                             \
	"{\"min\":0,\"max\":5,\"text\":{\"nb\":\"Det går bra.\",\"en\":\"Doing well.\"}},"         \
	"{\"min\":6,\"max\":13,\"text\":{\"nb\":\"Vi tar kontakt.\"}}]}"

static json_t *parse(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);

	ck_assert_msg(j != NULL, "%s: %s", s, e.text);
	return j;
}

/* The check of PROM with the text from..to replaced by with: refused, at
 * path, with a message holding words. */
static void refused(const char *from, const char *with, const char *path, const char *words)
{
	char doc[4096];
	const char *at = strstr(PROM, from);
	struct qerr e = {0};
	json_t *q;

	ck_assert_msg(at != NULL, "%s", from);
	snprintf(doc, sizeof(doc), "%.*s%s%s", (int)(at - PROM), PROM, with, at + strlen(from));
	q = parse(doc);
	ck_assert_int_eq(questionnaire_check(q, &e), APP_EINVAL);
	ck_assert_str_eq(e.path, path);
	ck_assert_msg(strstr(e.message, words) != NULL, "'%s' lacks '%s'", e.message, words);
	json_decref(q);
}

START_TEST(the_supported_subset_passes)
{
	json_t *q = parse(PROM), *fb = parse(FEEDBACK);
	struct qerr e = {0};

	ck_assert_msg(questionnaire_check(q, &e) == APP_OK, "%s: %s", e.path, e.message);
	ck_assert_int_eq(questionnaire_feedback_check(q, fb, &e), APP_OK);
	ck_assert_str_eq(questionnaire_title(q, "en"), "Knee");
	ck_assert_str_eq(questionnaire_title(q, "nn"), "Kne");
	json_decref(q);
	json_decref(fb);
}
END_TEST

START_TEST(faults_name_the_item)
{
	refused("\"type\":\"boolean\"", "\"type\":\"date\"", "item[1]", "type 'date' is not supported");
	refused("\"linkId\":\"name\"", "\"linkId\":\"pain\"", "item[4]", "'pain': the linkId is used twice");
	refused("\"question\":\"pain\"", "\"question\":\"name\"", "item[2].enableWhen[0]",
		"'why': enableWhen names 'name', which is not an earlier item");
	refused("\"question\":\"pain\"", "\"question\":\"nope\"", "item[2].enableWhen[0]",
		"which is no item");
	refused("\"linkId\":\"control\",\"type\":\"boolean\"",
		"\"linkId\":\"control\",\"type\":\"boolean\",\"answerOption\":[{\"valueString\":\"x\"}]",
		"item[1].answerOption", "'control': answerOption is only for choice items");
	refused("\"valueInteger\":0}", "\"valueInteger\":11}", "item[0].item[0].extension",
		"'pain': minValue 11 is above maxValue 10");
	refused("\"linkId\":\"walk\",\"type\":\"choice\",\"text\":\"Gange\",\"answerOption\":[",
		"\"linkId\":\"walk\",\"type\":\"choice\",\"text\":\"Gange\",\"answerOption\":[{\"x\":1},",
		"item[0].item[1].answerOption[0]", "'walk': answerOption member 'x'");
	refused("\"linkId\":\"info\",\"type\":\"display\"",
		"\"linkId\":\"info\",\"type\":\"display\",\"repeats\":true", "item[3]",
		"'info': repeating items are not supported");
	refused("\"status\":\"active\"", "\"status\":\"open\"", "status", "status is");
	refused("\"resourceType\":\"Questionnaire\"", "\"resourceType\":\"Patient\"", "resourceType",
		"Questionnaire");
	refused("\"operator\":\">\"", "\"operator\":\"~\"", "item[2].enableWhen[0]", "operator");
	refused("\"title\":\"Kne\"", "\"title\":\"Kne\",\"contained\":[]", "contained",
		"'contained' is not supported");
	/* texts a person reads: no control characters, no direction marks */
	refused("\"title\":\"Kne\"", "\"title\":\"Kne\\u202e\"", "title", "direction marks");
	refused("\"text\":\"Kallenavn\"", "\"text\":\"Kalle\\u0007navn\"", "item[4].text",
		"control characters");
	refused("\"linkId\":\"name\"", "\"linkId\":\"na\\nme\"", "item[4]", "on one line");
	/* the members of the resource itself have their types */
	refused("\"title\":\"Kne\"", "\"title\":\"Kne\",\"publisher\":5", "publisher",
		"publisher must be a non-empty string");
	refused("\"title\":\"Kne\"", "\"title\":\"Kne\",\"experimental\":\"ja\"",
		"experimental", "true or false");
	refused("\"title\":\"Kne\"", "\"title\":\"Kne\",\"identifier\":{}", "identifier",
		"a list");
}
END_TEST

START_TEST(feedback_must_fit)
{
	json_t *q = parse(PROM), *fb = parse("{\"score\":\"name\"}");
	struct qerr e = {0};

	ck_assert_int_eq(questionnaire_feedback_check(q, fb, &e), APP_EINVAL);
	ck_assert_str_eq(e.path, "feedback.score");
	json_decref(fb);
	fb = parse("{\"control_item\":\"pain\"}");
	ck_assert_int_eq(questionnaire_feedback_check(q, fb, &e), APP_EINVAL);
	ck_assert_str_eq(e.path, "feedback.control_item");
	json_decref(fb);
	fb = parse("{\"bands\":[{\"min\":3,\"max\":1,\"text\":{\"nb\":\"x\"}}]}");
	ck_assert_int_eq(questionnaire_feedback_check(q, fb, &e), APP_EINVAL);
	ck_assert_str_eq(e.path, "feedback.bands[0]");
	json_decref(fb);
	json_decref(q);
}
END_TEST

#define QR(items) "{\"resourceType\":\"QuestionnaireResponse\",\"status\":\"completed\",\"item\":[" items "]}"
#define PAIN(n) "{\"linkId\":\"g\",\"item\":[{\"linkId\":\"pain\",\"answer\":[{\"valueInteger\":" #n "}]}]}"

static void answer_refused(const char *qr, const char *path, const char *words)
{
	json_t *q = parse(PROM), *r = parse(qr);
	struct qerr e = {0};

	ck_assert_int_eq(questionnaire_response_check(q, r, &e), APP_EINVAL);
	ck_assert_str_eq(e.path, path);
	ck_assert_msg(strstr(e.message, words) != NULL, "'%s' lacks '%s'", e.message, words);
	json_decref(q);
	json_decref(r);
}

START_TEST(answers_are_checked)
{
	json_t *q = parse(PROM), *r;
	struct qerr e = {0};

	r = parse(QR(PAIN(3) ",{\"linkId\":\"control\",\"answer\":[{\"valueBoolean\":false}]}"));
	ck_assert_msg(questionnaire_response_check(q, r, &e) == APP_OK, "%s", e.message);
	json_decref(r);
	r = parse(QR(PAIN(7) ",{\"linkId\":\"why\",\"answer\":[{\"valueString\":\"vondt\\nmye\"}]}"));
	ck_assert_msg(questionnaire_response_check(q, r, &e) == APP_OK, "%s", e.message);
	json_decref(r);
	json_decref(q);
	answer_refused(QR(PAIN(11)), "item[0].item[0].answer[0]", "'pain': 11 is outside 0 to 10");
	answer_refused(QR(""), "item", "item 'pain' is required");
	answer_refused(QR(PAIN(7)), "item", "item 'why' is required");
	answer_refused(QR(PAIN(2) ",{\"linkId\":\"why\",\"answer\":[{\"valueString\":\"x\"}]}"),
		       "item[1].answer[0]", "its enableWhen does not ask it");
	answer_refused(QR(PAIN(2) ",{\"linkId\":\"control\",\"answer\":[{\"valueString\":\"ja\"}]}"),
		       "item[1].answer[0]", "'control' takes valueBoolean");
	answer_refused(QR(PAIN(2) ",{\"linkId\":\"nope\",\"answer\":[{\"valueString\":\"ja\"}]}"),
		       "item[1]", "item 'nope' is not in the questionnaire");
	answer_refused(QR("{\"linkId\":\"g\",\"item\":[{\"linkId\":\"pain\",\"answer\":[{"
			  "\"valueInteger\":1}]},{\"linkId\":\"walk\",\"answer\":[{\"valueCoding\":"
			  "{\"code\":\"9\"}}]}]}"),
		       "item[0].item[1].answer[0]", "'walk': '9' is not one of its answerOption");
	answer_refused(QR(PAIN(1) "," PAIN(2)), "item[1]", "answered twice");
	answer_refused("{\"resourceType\":\"QuestionnaireResponse\",\"status\":\"in-progress\"}",
		       "status", "completed");
	answer_refused(QR(PAIN(1) ",{\"linkId\":\"info\",\"answer\":[{\"valueString\":\"x\"}]}"),
		       "item[1]", "takes no answer");
}
END_TEST

START_TEST(score_control_and_band)
{
	json_t *fb = parse(FEEDBACK), *r;
	double score = -1;

	r = parse(QR("{\"linkId\":\"g\",\"item\":[{\"linkId\":\"pain\",\"answer\":[{\"valueInteger\":"
		     "4}]},{\"linkId\":\"walk\",\"answer\":[{\"valueCoding\":{\"code\":\"3\"}}]}]},"
		     "{\"linkId\":\"control\",\"answer\":[{\"valueBoolean\":true}]}"));
	ck_assert(questionnaire_score(fb, r, &score));
	ck_assert(score == 7.0);
	ck_assert_int_eq(questionnaire_wants_control(fb, r), 1);
	ck_assert_str_eq(questionnaire_band_text(fb, score, "en"), "Vi tar kontakt.");
	ck_assert_str_eq(questionnaire_band_text(fb, 2, "en"), "Doing well.");
	ck_assert_str_eq(questionnaire_band_text(fb, 2, "nn"), "Det går bra.");
	ck_assert_ptr_null(questionnaire_band_text(fb, 20, "nb"));
	json_decref(r);
	r = parse(QR(PAIN(2)));
	ck_assert_int_eq(questionnaire_wants_control(fb, r), -1);
	json_decref(r);
	/* codes too large to sum (from a version before upload refused
	 * them): no score, never infinity */
	r = parse(QR("{\"linkId\":\"a\",\"answer\":[{\"valueCoding\":{\"code\":\"1e308\"}}]},"
		     "{\"linkId\":\"b\",\"answer\":[{\"valueCoding\":{\"code\":\"1e308\"}}]}"));
	score = -1;
	ck_assert(!questionnaire_score(NULL, r, &score));
	ck_assert(score == 0);
	json_decref(r);
	json_decref(fb);
}
END_TEST

/* The shared cases of tests/fixtures/enable_when.json (the page's test
 * runs the same ones): for each allowed condition, whether 'b' is asked
 * after each answer to 'a'; each refused one, the words of its refusal. */
static json_t *enable_q(const json_t *target, const json_t *when)
{
	json_t *b = json_pack("{s:s,s:s,s:s}", "linkId", "b", "type", "boolean", "text", "B");
	json_t *q = json_pack("{s:s,s:s,s:[O,o]}", "resourceType", "Questionnaire", "status",
			      "active", "item", target, b);

	if (json_is_object(when)) {
		json_t *w = json_deep_copy(when);
		json_object_set_new(w, "question", json_string("a"));
		json_object_set_new(b, "enableWhen", json_pack("[o]", w));
	}
	return q;
}

START_TEST(enable_when_cases_agree_with_the_page)
{
	json_error_t je;
	json_t *all = json_load_file(TIMEBOK_SOURCE_DIR "/tests/fixtures/enable_when.json", 0, &je);
	const json_t *g, *w, *c;
	size_t i, k, n;
	int cases = 0;

	ck_assert_msg(all != NULL, "%s", je.text);
	json_array_foreach(json_object_get(all, "allowed"), i, g) {
		json_array_foreach(json_object_get(g, "when"), k, w) {
			json_t *q = enable_q(json_object_get(g, "target"), json_array_get(w, 0));
			struct qerr e = {0};
			ck_assert_msg(questionnaire_check(q, &e) == APP_OK, "group %zu when %zu: %s: %s",
				      i, k, e.path, e.message);
			json_array_foreach(json_array_get(w, 1), n, c) {
				const json_t *ans = json_array_get(c, 0);
				bool asked = json_is_true(json_array_get(c, 1));
				json_t *items = json_array(), *r;
				enum app_err err;
				if (!json_is_null(ans))
					json_array_append_new(items, json_pack("{s:s,s:[O]}", "linkId",
									       "a", "answer", ans));
				json_array_append_new(items, json_pack("{s:s,s:[{s:b}]}", "linkId", "b",
								       "answer", "valueBoolean", 1));
				r = json_pack("{s:s,s:s,s:o}", "resourceType", "QuestionnaireResponse",
					      "status", "completed", "item", items);
				memset(&e, 0, sizeof(e));
				err = questionnaire_response_check(q, r, &e);
				ck_assert_msg(asked ? err == APP_OK
						    : err == APP_EINVAL &&
							      strstr(e.message, "does not ask it"),
					      "group %zu when %zu case %zu: want %s, got %d %s", i, k, n,
					      asked ? "asked" : "not asked", err, e.message);
				json_decref(r);
				cases++;
			}
			json_decref(q);
		}
	}
	json_array_foreach(json_object_get(all, "refused"), i, g) {
		json_t *q = enable_q(json_array_get(g, 0), json_array_get(g, 1));
		struct qerr e = {0};
		ck_assert_msg(questionnaire_check(q, &e) == APP_EINVAL, "refused %zu passed", i);
		ck_assert_msg(strstr(e.message, json_string_value(json_array_get(g, 2))) &&
				      strstr(e.message, "'"),
			      "refused %zu: '%s'", i, e.message);
		ck_assert_msg(!strncmp(e.path, "item[", 5), "refused %zu: path %s", i, e.path);
		json_decref(q);
	}
	ck_assert_int_gt(cases, 50);
	json_decref(all);
}
END_TEST

/* The answer to "name" (a string of maxLength max, 0: none) of n copies of
 * the UTF-8 character ch: checked. */
static enum app_err name_of(int max, const char *ch, int n, struct qerr *e)
{
	char doc[4096];
	const char *at = strstr(PROM, "\"linkId\":\"name\"");
	json_t *q, *r;
	enum app_err err;
	char *text = malloc(strlen(ch) * (size_t)n + 1);

	text[0] = '\0';
	for (int i = 0; i < n; i++)
		strcat(text, ch);
	snprintf(doc, sizeof(doc), "%.*s\"maxLength\":%d,%s", (int)(at - PROM), PROM, max, at);
	q = parse(max ? doc : PROM);
	r = json_pack("{s:s,s:s,s:[{s:s,s:[{s:s,s:[{s:i}]}]},{s:s,s:[{s:s}]}]}", "resourceType",
		      "QuestionnaireResponse", "status", "completed", "item", "linkId", "g", "item",
		      "linkId", "pain", "answer", "valueInteger", 1, "linkId", "name", "answer",
		      "valueString", text);
	ck_assert_ptr_nonnull(r);
	err = questionnaire_response_check(q, r, e);
	json_decref(q);
	json_decref(r);
	free(text);
	return err;
}

START_TEST(lengths_are_characters)
{
	struct qerr e = {0};

	/* as the page counts: characters (code points), not bytes */
	ck_assert_msg(name_of(3, "æ", 3, &e) == APP_OK, "%s", e.message);
	ck_assert_int_eq(name_of(3, "æ", 4, &e), APP_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.message, "at most 3 characters"));
	ck_assert_msg(name_of(0, "😀", QUESTIONNAIRE_TEXT_MAX, &e) == APP_OK, "%s", e.message);
	ck_assert_int_eq(name_of(0, "a", QUESTIONNAIRE_TEXT_MAX + 1, &e), APP_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.message, "at most 4000 characters"));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("questionnaire");
	TCase *tc = tcase_create("questionnaire");

	tcase_add_test(tc, the_supported_subset_passes);
	tcase_add_test(tc, faults_name_the_item);
	tcase_add_test(tc, feedback_must_fit);
	tcase_add_test(tc, answers_are_checked);
	tcase_add_test(tc, score_control_and_band);
	tcase_add_test(tc, enable_when_cases_agree_with_the_page);
	tcase_add_test(tc, lengths_are_characters);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
