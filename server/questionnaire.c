/*
 * questionnaire.c - see questionnaire.h.
 *
 * Both checks first flatten the questionnaire's items in document order
 * (struct flat, each with its JSON path and its group), so "an earlier
 * item" is an index comparison and every error can name the path.  The
 * response check then walks the response's items the same way, keeps each
 * answered linkId's answer, and finally walks the questionnaire deciding,
 * by enableWhen, which items were asked.
 */
#include "questionnaire.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

#define EXT_MIN "http://hl7.org/fhir/StructureDefinition/minValue"
#define EXT_MAX "http://hl7.org/fhir/StructureDefinition/maxValue"
#define EXT_TRANSLATION "http://hl7.org/fhir/StructureDefinition/translation"

static const char *const types[] = {"group", "display", "boolean", "choice",
				    "integer", "string", "text", NULL};
static const char *const operators[] = {"=", "!=", ">", "<", ">=", "<=", "exists", NULL};

struct fitem {
	const json_t *j;
	const char *link, *type;
	int parent; /* index of its group, -1 at the top */
	char path[160];
	bool has_min, has_max;
	json_int_t min, max;
};

struct flat {
	int n;
	struct fitem it[QUESTIONNAIRE_MAX_ITEMS];
};

static enum app_err fail(struct qerr *e, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* out = base + tail, cut to cap bytes (a path too long to show whole). */
static void path_join(char *out, size_t cap, const char *base, const char *tail)
{
	size_t n = strlen(base), t = strlen(tail);

	if (n > cap - 1)
		n = cap - 1;
	memcpy(out, base, n);
	if (t > cap - 1 - n)
		t = cap - 1 - n;
	memcpy(out + n, tail, t);
	out[n + t] = '\0';
}

/* Cut s back to whole UTF-8 characters: a member name or linkId cut short
 * by a buffer's end must not leave half a character in an error body. */
static void whole_chars(char *s)
{
	size_t n = strlen(s);

	for (int k = 0; k < 4 && n && !validate_utf8(s, n); k++)
		s[--n] = '\0';
}

static enum app_err fail(struct qerr *e, const char *path, const char *fmt, ...)
{
	va_list ap;

	snprintf(e->path, sizeof(e->path), "%s", path);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	whole_chars(e->path);
	whole_chars(e->message);
	return APP_EINVAL;
}

static bool one_of(const char *s, const char *const *list)
{
	for (; s && *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static int find_link(const struct flat *f, const char *link)
{
	for (int i = 0; i < f->n; i++)
		if (!strcmp(f->it[i].link, link))
			return i;
	return -1;
}

/* Members of o not in allowed: the first one's name, or NULL. */
static const char *unknown_member(const json_t *o, const char *const *allowed)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)o, k, v) {
		(void)v;
		if (!one_of(k, allowed))
			return k;
	}
	return NULL;
}

/* The characters of valid UTF-8 s: its bytes that start one (as the
 * page counts them: [...s].length). */
static size_t code_points(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* A FHIR string: non-empty, valid text. */
static bool fhir_string(const json_t *v, size_t max)
{
	const char *s = json_string_value(v);
	size_t n = s ? strlen(s) : 0;

	return s && n && n <= max && validate_utf8(s, n);
}

/* A translation element (_text and the like): {"extension": [...]} with
 * translation extensions of lang nn/en/nb and content strings. */
static enum app_err check_translation(const json_t *v, const char *path, const char *link,
				      struct qerr *e)
{
	static const char *const allowed[] = {"extension", NULL};
	static const char *const langs[] = {"nb", "nn", "en", NULL};
	const json_t *arr = json_object_get(v, "extension"), *x, *part;
	size_t i, k;

	if (!json_is_object(v) || unknown_member(v, allowed) || !json_is_array(arr))
		return fail(e, path, "item '%s': %s must be {\"extension\": [translations]}", link,
			    path);
	json_array_foreach(arr, i, x) {
		const char *lang = NULL, *content = NULL;
		if (!json_is_object(x) ||
		    strcmp(json_string_value(json_object_get(x, "url")) ?: "", EXT_TRANSLATION))
			return fail(e, path,
				    "item '%s': only the translation extension (" EXT_TRANSLATION
				    ") is supported here",
				    link);
		json_array_foreach(json_object_get(x, "extension"), k, part) {
			const char *u = json_string_value(json_object_get(part, "url"));
			if (u && !strcmp(u, "lang"))
				lang = json_string_value(json_object_get(part, "valueCode"));
			else if (u && !strcmp(u, "content") &&
				 fhir_string(json_object_get(part, "valueString"), 2000))
				content = json_string_value(json_object_get(part, "valueString"));
		}
		if (!one_of(lang, langs) || !content)
			return fail(e, path,
				    "item '%s': a translation needs a lang (nb, nn or en) and a "
				    "content string",
				    link);
	}
	return APP_OK;
}

/* A number written plainly: -?digits(.digits), at most 9 digits before
 * the point and 6 after, so that every reader (strtod here, Number() on
 * the page) reads the same value and a sum of them stays finite. */
static bool plain_number(const char *s)
{
	size_t i = s[0] == '-', d = 0, f = 0;

	while (s[i] >= '0' && s[i] <= '9')
		i++, d++;
	if (s[i] == '.')
		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			f++;
	return !s[i] && d >= 1 && d <= 9 && (s[i - 1] != '.') && f <= 6;
}

/* Whether strtod would read all of s as a number ("1e308", " 7", "0x10",
 * "inf"...): a code that scores must then be written plainly. */
static bool reads_as_number(const char *s)
{
	char *end;

	if (!*s)
		return false;
	(void)strtod(s, &end);
	return !*end;
}

static enum app_err check_option(const json_t *o, const char *path, const char *link,
				 struct qerr *e)
{
	static const char *const allowed[] = {"valueCoding", "valueString", "_valueString",
					      "initialSelected", NULL};
	static const char *const coding[] = {"system", "code", "display", "_display", "version",
					     NULL};
	const json_t *c = json_object_get(o, "valueCoding"), *s = json_object_get(o, "valueString");
	char p[200];
	const char *bad;
	enum app_err err;

	if (!json_is_object(o))
		return fail(e, path, "item '%s': an answerOption is an object", link);
	if ((bad = unknown_member(o, allowed)))
		return fail(e, path, "item '%s': answerOption member '%s' is not supported", link,
			    bad);
	if (!c == !s)
		return fail(e, path,
			    "item '%s': an answerOption has one of valueCoding and valueString",
			    link);
	if (s) {
		if (!fhir_string(s, 500))
			return fail(e, path, "item '%s': valueString must be a non-empty string",
				    link);
		path_join(p, sizeof(p), path, "._valueString");
		if (json_object_get(o, "_valueString") &&
		    (err = check_translation(json_object_get(o, "_valueString"), p, link, e)))
			return err;
		return APP_OK;
	}
	path_join(p, sizeof(p), path, ".valueCoding");
	if (!json_is_object(c) || (bad = unknown_member(c, coding)))
		return fail(e, p, "item '%s': valueCoding member '%s' is not supported", link,
			    bad ? bad : "?");
	if (!fhir_string(json_object_get(c, "code"), 200))
		return fail(e, p, "item '%s': valueCoding needs a code", link);
	if (reads_as_number(json_string_value(json_object_get(c, "code"))) &&
	    !plain_number(json_string_value(json_object_get(c, "code"))))
		return fail(e, p,
			    "item '%s': a number code is written plainly (-12.5), with at most "
			    "9 digits before the point and 6 after",
			    link);
	if (json_object_get(c, "display") && !fhir_string(json_object_get(c, "display"), 500))
		return fail(e, p, "item '%s': valueCoding's display must be a non-empty string",
			    link);
	path_join(p, sizeof(p), path, ".valueCoding._display");
	if (json_object_get(c, "_display") &&
	    (err = check_translation(json_object_get(c, "_display"), p, link, e)))
		return err;
	return APP_OK;
}

static enum app_err check_bounds(struct fitem *it, struct qerr *e)
{
	const json_t *arr = json_object_get(it->j, "extension"), *x;
	char p[200];
	size_t i;

	if (!arr)
		return APP_OK;
	path_join(p, sizeof(p), it->path, ".extension");
	if (!json_is_array(arr))
		return fail(e, p, "item '%s': extension must be an array", it->link);
	json_array_foreach(arr, i, x) {
		const char *u = json_string_value(json_object_get(x, "url"));
		const json_t *v = json_object_get(x, "valueInteger");
		bool is_min = u && !strcmp(u, EXT_MIN), is_max = u && !strcmp(u, EXT_MAX);

		snprintf(p, sizeof(p), "%s.extension[%zu]", it->path, i);
		if (!is_min && !is_max)
			return fail(e, p,
				    "item '%s': extension '%s' is not supported (only minValue "
				    "and maxValue)",
				    it->link, u ? u : "(no url)");
		if (strcmp(it->type, "integer"))
			return fail(e, p, "item '%s': minValue and maxValue are for integer items",
				    it->link);
		if (!json_is_integer(v) || json_object_size(x) != 2)
			return fail(e, p, "item '%s': %s needs a valueInteger", it->link,
				    is_min ? "minValue" : "maxValue");
		if (is_min) {
			it->has_min = true;
			it->min = json_integer_value(v);
		} else {
			it->has_max = true;
			it->max = json_integer_value(v);
		}
	}
	if (it->has_min && it->has_max && it->min > it->max) {
		path_join(p, sizeof(p), it->path, ".extension");
		return fail(e, p, "item '%s': minValue %lld is above maxValue %lld", it->link,
			    (long long)it->min, (long long)it->max);
	}
	return APP_OK;
}

/* The value member of an enableWhen answer ("answerBoolean" ...). */
static const char *answer_member(const json_t *w)
{
	static const char *const names[] = {"answerBoolean", "answerInteger", "answerString",
					    "answerCoding", "answerDecimal", NULL};

	for (int i = 0; names[i]; i++)
		if (json_object_get(w, names[i]))
			return names[i];
	return NULL;
}

/* The enableWhen answer am of w has its JSON type (answerBoolean a
 * boolean, answerInteger an integer, answerDecimal a finite number,
 * answerString text, answerCoding a code), and a number compared with a
 * choice item t finds numbers in all its options. */
static enum app_err check_enable_answer(const struct fitem *t, const json_t *w, const char *am,
					const char *p, const char *link, struct qerr *e)
{
	const json_t *v = json_object_get(w, am), *o;
	size_t i;
	bool ok;

	if (!strcmp(am, "answerBoolean"))
		ok = json_is_boolean(v);
	else if (!strcmp(am, "answerInteger"))
		ok = json_is_integer(v) && json_integer_value(v) > -1000000000 &&
		     json_integer_value(v) < 1000000000;
	else if (!strcmp(am, "answerDecimal"))
		ok = json_is_number(v) && isfinite(json_number_value(v)) &&
		     fabs(json_number_value(v)) < 1e9;
	else if (!strcmp(am, "answerString"))
		ok = fhir_string(v, 500);
	else /* answerCoding */
		ok = json_is_object(v) && fhir_string(json_object_get(v, "code"), 200) &&
		     !unknown_member(v, (const char *const[]){"system", "code", "display", NULL});
	if (!ok)
		return fail(e, p, "item '%s': enableWhen's %s is not %s", link, am,
			    !strcmp(am, "answerBoolean")   ? "true or false"
			    : !strcmp(am, "answerInteger") ? "a whole number (under 9 digits)"
			    : !strcmp(am, "answerDecimal") ? "a number (under 9 digits)"
			    : !strcmp(am, "answerString")  ? "a non-empty text"
							   : "a coding with a code");
	if (strcmp(t->type, "choice") ||
	    (strcmp(am, "answerInteger") && strcmp(am, "answerDecimal")))
		return APP_OK;
	json_array_foreach(json_object_get(t->j, "answerOption"), i, o) {
		const json_t *c = json_object_get(o, "valueCoding");
		const char *s = c ? json_string_value(json_object_get(c, "code"))
				  : json_string_value(json_object_get(o, "valueString"));
		if (!s || !plain_number(s))
			return fail(e, p,
				    "item '%s': '%s' is compared with a number, but its option '%s' "
				    "is not a number",
				    link, t->link, s ? s : "?");
	}
	return APP_OK;
}

static enum app_err check_enable(const struct flat *f, int at, struct qerr *e)
{
	static const char *const allowed[] = {"question", "operator", "answerBoolean",
					      "answerInteger", "answerString", "answerCoding",
					      "answerDecimal", NULL};
	const struct fitem *it = &f->it[at];
	const json_t *arr = json_object_get(it->j, "enableWhen"), *w;
	const char *q, *op, *am, *bad, *qt;
	enum app_err err;
	char p[200];
	int target;

	if (!arr)
		return APP_OK;
	path_join(p, sizeof(p), it->path, ".enableWhen");
	if (!json_is_array(arr) || json_array_size(arr) != 1)
		return fail(e, p, "item '%s': enableWhen holds exactly one condition", it->link);
	w = json_array_get(arr, 0);
	path_join(p, sizeof(p), it->path, ".enableWhen[0]");
	if (!json_is_object(w))
		return fail(e, p, "item '%s': enableWhen's condition is an object", it->link);
	if ((bad = unknown_member(w, allowed)))
		return fail(e, p, "item '%s': enableWhen member '%s' is not supported", it->link,
			    bad);
	q = json_string_value(json_object_get(w, "question"));
	op = json_string_value(json_object_get(w, "operator"));
	if (!q)
		return fail(e, p, "item '%s': enableWhen needs a question (a linkId)", it->link);
	target = find_link(f, q);
	if (target < 0)
		return fail(e, p, "item '%s': enableWhen names '%s', which is no item", it->link,
			    q);
	if (target >= at)
		return fail(e, p, "item '%s': enableWhen names '%s', which is not an earlier item",
			    it->link, q);
	qt = f->it[target].type;
	if (!strcmp(qt, "group") || !strcmp(qt, "display"))
		return fail(e, p, "item '%s': enableWhen names '%s', a %s, which has no answer",
			    it->link, q, qt);
	if (!one_of(op, operators))
		return fail(e, p, "item '%s': enableWhen's operator is one of = != > < >= <= exists",
			    it->link);
	am = answer_member(w);
	if (!am || json_object_size(w) != 3)
		return fail(e, p, "item '%s': enableWhen needs one answer[x]", it->link);
	if (!strcmp(op, "exists") && strcmp(am, "answerBoolean"))
		return fail(e, p, "item '%s': 'exists' takes answerBoolean", it->link);
	if ((err = check_enable_answer(&f->it[target], w, am, p, it->link, e)))
		return err;
	/* an order is for numbers: a choice's codes are then all numbers */
	if (strcmp(op, "=") && strcmp(op, "!=") && strcmp(op, "exists") &&
	    strcmp(am, "answerInteger") && strcmp(am, "answerDecimal"))
		return fail(e, p,
			    "item '%s': the operator '%s' compares numbers; '%s' is compared "
			    "with = or !=",
			    it->link, op, q);
	if (strcmp(op, "exists")) {
		bool ok = (!strcmp(qt, "boolean") && !strcmp(am, "answerBoolean")) ||
			  (!strcmp(qt, "integer") &&
			   (!strcmp(am, "answerInteger") || !strcmp(am, "answerDecimal"))) ||
			  ((!strcmp(qt, "string") || !strcmp(qt, "text")) &&
			   !strcmp(am, "answerString")) ||
			  (!strcmp(qt, "choice") &&
			   (!strcmp(am, "answerCoding") || !strcmp(am, "answerString") ||
			    !strcmp(am, "answerInteger") || !strcmp(am, "answerDecimal")));
		if (!ok)
			return fail(e, p, "item '%s': %s does not fit '%s', a %s item", it->link, am,
				    q, qt);
		if (!strcmp(qt, "boolean") && strcmp(op, "=") && strcmp(op, "!="))
			return fail(e, p, "item '%s': a boolean is compared with = or !=", it->link);
	}
	return APP_OK;
}

static enum app_err flatten(const json_t *items, const char *base, int parent, struct flat *f,
			    struct qerr *e, int depth);

static enum app_err check_item(const json_t *j, const char *path, int parent, struct flat *f,
			       struct qerr *e, int depth)
{
	static const char *const allowed[] = {"linkId", "text", "_text", "type", "required",
					      "enableWhen", "answerOption", "extension", "item",
					      "prefix", "maxLength", "repeats", "readOnly", "id",
					      NULL};
	const char *link = json_string_value(json_object_get(j, "linkId")), *type, *bad;
	const json_t *opts = json_object_get(j, "answerOption"), *o;
	struct fitem *it;
	enum app_err err;
	char p[200];
	size_t i;

	if (!json_is_object(j))
		return fail(e, path, "an item is an object");
	if (!fhir_string(json_object_get(j, "linkId"), 64) || validate_text(link, false))
		return fail(e, path,
			    "an item needs a linkId (a non-empty string on one line, at most 64 "
			    "bytes)");
	if ((bad = unknown_member(j, allowed)))
		return fail(e, path, "item '%s': member '%s' is not supported", link, bad);
	type = json_string_value(json_object_get(j, "type"));
	if (!type)
		return fail(e, path, "item '%s': needs a type", link);
	if (!one_of(type, types))
		return fail(e, path,
			    "item '%s': type '%s' is not supported (group, display, boolean, "
			    "choice, integer, string, text)",
			    link, type);
	if (find_link(f, link) >= 0)
		return fail(e, path, "item '%s': the linkId is used twice", link);
	if (f->n == QUESTIONNAIRE_MAX_ITEMS)
		return fail(e, path, "at most %d items", QUESTIONNAIRE_MAX_ITEMS);
	it = &f->it[f->n];
	memset(it, 0, sizeof(*it));
	it->j = j;
	it->link = link;
	it->type = type;
	it->parent = parent;
	snprintf(it->path, sizeof(it->path), "%s", path);
	f->n++;
	if (json_object_get(j, "text") && !fhir_string(json_object_get(j, "text"), 2000))
		return fail(e, path, "item '%s': text must be a non-empty string", link);
	if (!json_object_get(j, "text") && strcmp(type, "group"))
		return fail(e, path, "item '%s': needs a text", link);
	path_join(p, sizeof(p), path, "._text");
	if (json_object_get(j, "_text") &&
	    (err = check_translation(json_object_get(j, "_text"), p, link, e)))
		return err;
	if (json_object_get(j, "required") && !json_is_boolean(json_object_get(j, "required")))
		return fail(e, path, "item '%s': required is true or false", link);
	if (json_is_true(json_object_get(j, "repeats")))
		return fail(e, path, "item '%s': repeating items are not supported", link);
	if (json_object_get(j, "repeats") && !json_is_boolean(json_object_get(j, "repeats")))
		return fail(e, path, "item '%s': repeats is true or false", link);
	if (json_object_get(j, "readOnly") && !json_is_boolean(json_object_get(j, "readOnly")))
		return fail(e, path, "item '%s': readOnly is true or false", link);
	if (json_object_get(j, "prefix") && !fhir_string(json_object_get(j, "prefix"), 40))
		return fail(e, path, "item '%s': prefix must be a non-empty string", link);
	if (json_object_get(j, "id") && !fhir_string(json_object_get(j, "id"), 64))
		return fail(e, path, "item '%s': id must be a non-empty string", link);
	if (json_object_get(j, "maxLength") &&
	    (strcmp(type, "string") && strcmp(type, "text")))
		return fail(e, path, "item '%s': maxLength is for string and text items", link);
	if (json_object_get(j, "maxLength") &&
	    (!json_is_integer(json_object_get(j, "maxLength")) ||
	     json_integer_value(json_object_get(j, "maxLength")) < 1))
		return fail(e, path, "item '%s': maxLength is a positive integer", link);
	if ((!strcmp(type, "display") || !strcmp(type, "group")) && json_object_get(j, "required"))
		return fail(e, path, "item '%s': a %s cannot be required", link, type);
	path_join(p, sizeof(p), path, ".answerOption");
	if (opts && strcmp(type, "choice"))
		return fail(e, p, "item '%s': answerOption is only for choice items, not %s", link,
			    type);
	if (!strcmp(type, "choice")) {
		if (!json_is_array(opts) || !json_array_size(opts))
			return fail(e, p, "item '%s': a choice item needs answerOption", link);
		json_array_foreach(opts, i, o) {
			char op[200];
			snprintf(op, sizeof(op), "%s.answerOption[%zu]", path, i);
			if ((err = check_option(o, op, link, e)))
				return err;
		}
	}
	if ((err = check_bounds(it, e)))
		return err;
	path_join(p, sizeof(p), path, ".item");
	if (!strcmp(type, "group")) {
		const json_t *sub = json_object_get(j, "item");
		if (!json_is_array(sub) || !json_array_size(sub))
			return fail(e, p, "item '%s': a group needs items", link);
		return flatten(sub, path, f->n - 1, f, e, depth + 1);
	}
	if (json_object_get(j, "item"))
		return fail(e, p, "item '%s': only a group holds items", link);
	return APP_OK;
}

static enum app_err flatten(const json_t *items, const char *base, int parent, struct flat *f,
			    struct qerr *e, int depth)
{
	const json_t *j;
	enum app_err err;
	char path[160];
	size_t i;

	if (depth > QUESTIONNAIRE_MAX_DEPTH)
		return fail(e, base, "groups nest at most 8 deep");
	json_array_foreach(items, i, j) {
		snprintf(path, sizeof(path), "%s%sitem[%zu]", base, *base ? "." : "", i);
		if ((err = check_item(j, path, parent, f, e, depth)))
			return err;
	}
	return APP_OK;
}

/* Every string of v (keys and values, at any depth) is text a person
 * reads: no control character but the newline, no direction mark or line
 * separator (validate_text).  The first that is not names its place. */
static enum app_err check_strings(const json_t *v, const char *path, int depth, struct qerr *e)
{
	const char *k, *why;
	const json_t *x;
	char p[200];
	size_t i;

	if (depth > 4 * QUESTIONNAIRE_MAX_DEPTH + 8)
		return fail(e, path, "the resource nests too deep");
	if (json_is_string(v) && (why = validate_text(json_string_value(v), true)))
		return fail(e, path, "'%s' %s", path[0] ? path : "(the resource)", why);
	json_object_foreach((json_t *)v, k, x) {
		enum app_err err;
		if ((why = validate_text(k, false)))
			return fail(e, path, "a member name %s", why);
		path_join(p, sizeof(p), path, path[0] ? "." : "");
		snprintf(p + strlen(p), sizeof(p) - strlen(p), "%s", k);
		if ((err = check_strings(x, p, depth + 1, e)))
			return err;
	}
	json_array_foreach(v, i, x) {
		enum app_err err;
		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		if ((err = check_strings(x, p, depth + 1, e)))
			return err;
	}
	return APP_OK;
}

/* The type of each top-level member that is not checked on its own:
 * s string, b boolean, o object, a array. */
static const struct {
	const char *name;
	char kind;
} top_kinds[] = {
	{"id", 's'},	      {"meta", 'o'},	    {"identifier", 'a'}, {"version", 's'},
	{"date", 's'},	      {"publisher", 's'},   {"description", 's'}, {"subjectType", 'a'},
	{"purpose", 's'},     {"copyright", 's'},   {"text", 'o'},	 {"experimental", 'b'},
	{"implicitRules", 's'},
};

static enum app_err check_top_kinds(const json_t *q, struct qerr *e)
{
	for (size_t i = 0; i < sizeof(top_kinds) / sizeof(top_kinds[0]); i++) {
		const json_t *v = json_object_get(q, top_kinds[i].name);
		char k = top_kinds[i].kind;
		if (v && !(k == 's'   ? fhir_string(v, 4000)
			   : k == 'b' ? json_is_boolean(v)
			   : k == 'o' ? json_is_object(v)
				      : json_is_array(v)))
			return fail(e, top_kinds[i].name, "%s must be %s", top_kinds[i].name,
				    k == 's'   ? "a non-empty string"
				    : k == 'b' ? "true or false"
				    : k == 'o' ? "an object"
					       : "a list");
	}
	if (json_object_get(q, "_description") &&
	    check_translation(json_object_get(q, "_description"), "_description",
			      "(description)", e))
		return APP_EINVAL;
	return APP_OK;
}

static enum app_err check_all(const json_t *q, struct flat *f, struct qerr *e)
{
	static const char *const allowed[] = {
		"resourceType", "id",	       "meta",	    "language",	   "url",
		"identifier",	"version",     "name",	    "title",	   "_title",
		"status",	"date",	       "publisher", "description", "_description",
		"subjectType",	"purpose",     "copyright", "text",	   "item",
		"experimental", "implicitRules", NULL};
	static const char *const statuses[] = {"draft", "active", "retired", "unknown", NULL};
	const char *rt = json_string_value(json_object_get(q, "resourceType")), *bad;
	const json_t *items = json_object_get(q, "item");
	enum app_err err;

	f->n = 0;
	if (!json_is_object(q))
		return fail(e, "", "a Questionnaire is a JSON object");
	if (!rt || strcmp(rt, "Questionnaire"))
		return fail(e, "resourceType", "resourceType must be \"Questionnaire\"");
	if ((bad = unknown_member(q, allowed)))
		return fail(e, bad, "member '%s' is not supported", bad);
	if ((err = check_strings(q, "", 0, e)) || (err = check_top_kinds(q, e)))
		return err;
	if (!one_of(json_string_value(json_object_get(q, "status")), statuses))
		return fail(e, "status", "status is draft, active, retired or unknown");
	if (json_object_get(q, "language") &&
	    !one_of(json_string_value(json_object_get(q, "language")),
		    (const char *const[]){"nb", "nn", "en", "no", NULL}))
		return fail(e, "language", "language is nb, nn or en");
	if (json_object_get(q, "title") && !fhir_string(json_object_get(q, "title"), 300))
		return fail(e, "title", "title must be a non-empty string");
	if (json_object_get(q, "_title") &&
	    (err = check_translation(json_object_get(q, "_title"), "_title", "(title)", e)))
		return err;
	if (json_object_get(q, "name") && !fhir_string(json_object_get(q, "name"), 200))
		return fail(e, "name", "name must be a non-empty string");
	if (json_object_get(q, "url") && !fhir_string(json_object_get(q, "url"), 500))
		return fail(e, "url", "url must be a non-empty string");
	if (!json_is_array(items) || !json_array_size(items))
		return fail(e, "item", "a Questionnaire needs items");
	if ((err = flatten(items, "", -1, f, e, 0)))
		return err;
	for (int i = 0; i < f->n; i++)
		if ((err = check_enable(f, i, e)))
			return err;
	return APP_OK;
}

enum app_err questionnaire_check(const json_t *q, struct qerr *e)
{
	struct flat *f = malloc(sizeof(*f));
	enum app_err err;

	if (!f)
		return APP_ENOMEM;
	err = check_all(q, f, e);
	free(f);
	return err;
}

enum app_err questionnaire_feedback_check(const json_t *q, const json_t *fb, struct qerr *e)
{
	static const char *const allowed[] = {"score", "control_item", "bands", NULL};
	static const char *const band_keys[] = {"min", "max", "text", NULL};
	const char *score, *control, *bad;
	const json_t *bands, *b, *t;
	struct flat *f;
	enum app_err err = APP_OK;
	char p[120];
	size_t i;
	int at;

	if (!fb || json_is_null(fb))
		return APP_OK;
	if (!(f = malloc(sizeof(*f))))
		return APP_ENOMEM;
	if ((err = check_all(q, f, e)))
		goto out;
	if (!json_is_object(fb)) {
		err = fail(e, "feedback", "feedback is an object");
		goto out;
	}
	if ((bad = unknown_member(fb, allowed))) {
		err = fail(e, "feedback", "feedback member '%s' is not supported", bad);
		goto out;
	}
	score = json_string_value(json_object_get(fb, "score"));
	if (json_object_get(fb, "score") && !score) {
		err = fail(e, "feedback.score", "score is \"sum\" or an item's linkId");
		goto out;
	}
	if (score && strcmp(score, "sum")) {
		at = find_link(f, score);
		if (at < 0 || (strcmp(f->it[at].type, "integer") && strcmp(f->it[at].type, "choice"))) {
			err = fail(e, "feedback.score",
				   "score names '%s', which is no integer or choice item", score);
			goto out;
		}
	}
	control = json_string_value(json_object_get(fb, "control_item"));
	if (json_object_get(fb, "control_item") &&
	    (!control || (at = find_link(f, control)) < 0 || strcmp(f->it[at].type, "boolean"))) {
		err = fail(e, "feedback.control_item",
			   "control_item names '%s', which is no boolean item",
			   control ? control : "?");
		goto out;
	}
	bands = json_object_get(fb, "bands");
	if (bands && !json_is_array(bands)) {
		err = fail(e, "feedback.bands", "bands is an array");
		goto out;
	}
	json_array_foreach(bands, i, b) {
		const char *k;
		json_t *v;
		snprintf(p, sizeof(p), "feedback.bands[%zu]", i);
		if (!json_is_object(b) || unknown_member(b, band_keys) ||
		    !json_is_number(json_object_get(b, "min")) ||
		    !json_is_number(json_object_get(b, "max")) ||
		    json_number_value(json_object_get(b, "min")) >
			    json_number_value(json_object_get(b, "max"))) {
			err = fail(e, p, "a band is {\"min\": n, \"max\": n, \"text\": {...}} with "
					 "min <= max");
			goto out;
		}
		t = json_object_get(b, "text");
		if (!json_is_object(t) || !fhir_string(json_object_get(t, "nb"), 300)) {
			err = fail(e, p, "a band's text has at least \"nb\" (at most 300 bytes)");
			goto out;
		}
		json_object_foreach((json_t *)t, k, v) {
			if (!one_of(k, (const char *const[]){"nb", "nn", "en", NULL}) ||
			    !fhir_string(v, 300) || validate_text(json_string_value(v), false)) {
				err = fail(e, p,
					   "a band's text is per language nb, nn, en: one line of "
					   "at most 300 bytes");
				goto out;
			}
		}
	}
out:
	free(f);
	return err;
}

/* ---- responses ---- */

struct answered {
	const char *link;
	const json_t *answer; /* the one answer object */
	char path[160];
};

struct rwalk {
	struct answered a[QUESTIONNAIRE_MAX_ITEMS];
	int n;
};

static enum app_err walk_response(const json_t *items, const char *base, const struct flat *f,
				  struct rwalk *w, struct qerr *e, int depth)
{
	static const char *const allowed[] = {"linkId", "text", "answer", "item", "id", NULL};
	const json_t *j;
	char path[160];
	size_t i;

	if (depth > QUESTIONNAIRE_MAX_DEPTH)
		return fail(e, base, "items nest at most 8 deep");
	if (!json_is_array(items))
		return fail(e, base, "item is an array");
	json_array_foreach(items, i, j) {
		const char *link = json_string_value(json_object_get(j, "linkId")), *bad;
		const json_t *ans = json_object_get(j, "answer"), *sub = json_object_get(j, "item");
		int at;

		snprintf(path, sizeof(path), "%s%sitem[%zu]", base, *base ? "." : "", i);
		if (!json_is_object(j) || !link)
			return fail(e, path, "an item is an object with a linkId");
		if ((bad = unknown_member(j, allowed)))
			return fail(e, path, "item '%s': member '%s' is not supported", link, bad);
		if ((at = find_link(f, link)) < 0)
			return fail(e, path, "item '%s' is not in the questionnaire", link);
		for (int k = 0; k < w->n; k++)
			if (!strcmp(w->a[k].link, link))
				return fail(e, path, "item '%s' is answered twice", link);
		if (!strcmp(f->it[at].type, "group")) {
			if (ans)
				return fail(e, path, "item '%s' is a group and takes no answer", link);
			if (!sub)
				return fail(e, path, "item '%s': a group holds items", link);
			if (w->n == QUESTIONNAIRE_MAX_ITEMS)
				return fail(e, path, "too many items");
			w->a[w->n].link = link;
			w->a[w->n].answer = NULL;
			snprintf(w->a[w->n++].path, sizeof(w->a[0].path), "%s", path);
			{
				enum app_err err = walk_response(sub, path, f, w, e, depth + 1);
				if (err)
					return err;
			}
			continue;
		}
		if (sub)
			return fail(e, path, "item '%s' holds no items", link);
		if (!strcmp(f->it[at].type, "display")) {
			if (ans)
				return fail(e, path, "item '%s' is a text to read and takes no answer",
					    link);
			continue;
		}
		if (!ans)
			continue; /* unanswered: "required" decides below */
		if (!json_is_array(ans) || json_array_size(ans) != 1)
			return fail(e, path, "item '%s' takes exactly one answer", link);
		if (w->n == QUESTIONNAIRE_MAX_ITEMS)
			return fail(e, path, "too many items");
		w->a[w->n].link = link;
		w->a[w->n].answer = json_array_get(ans, 0);
		path_join(w->a[w->n++].path, sizeof(w->a[0].path), path, ".answer[0]");
	}
	return APP_OK;
}

static const struct answered *answer_of(const struct rwalk *w, const char *link)
{
	for (int i = 0; i < w->n; i++)
		if (!strcmp(w->a[i].link, link))
			return w->a[i].answer ? &w->a[i] : NULL;
	return NULL;
}

/* The code or string of a choice answer, or NULL. */
static const char *choice_value(const json_t *a)
{
	const json_t *c = json_object_get(a, "valueCoding");

	if (c)
		return json_string_value(json_object_get(c, "code"));
	return json_string_value(json_object_get(a, "valueString"));
}

static enum app_err check_answer(const struct fitem *it, const struct answered *an,
				 struct qerr *e)
{
	const json_t *a = an->answer, *v, *o;
	const char *link = it->link, *bad;
	size_t i;

	if (!json_is_object(a) || json_object_size(a) != 1)
		return fail(e, an->path, "item '%s': an answer has one value[x]", link);
	if (!strcmp(it->type, "boolean")) {
		if (!json_is_boolean(json_object_get(a, "valueBoolean")))
			return fail(e, an->path, "item '%s' takes valueBoolean", link);
	} else if (!strcmp(it->type, "integer")) {
		v = json_object_get(a, "valueInteger");
		if (!json_is_integer(v))
			return fail(e, an->path, "item '%s' takes valueInteger", link);
		if ((it->has_min && json_integer_value(v) < it->min) ||
		    (it->has_max && json_integer_value(v) > it->max))
			return fail(e, an->path, "item '%s': %lld is outside %lld to %lld", link,
				    (long long)json_integer_value(v),
				    (long long)(it->has_min ? it->min : json_integer_value(v)),
				    (long long)(it->has_max ? it->max : json_integer_value(v)));
	} else if (!strcmp(it->type, "string") || !strcmp(it->type, "text")) {
		json_int_t max = json_integer_value(json_object_get(it->j, "maxLength"));
		v = json_object_get(a, "valueString");
		if (!fhir_string(v, 4 * QUESTIONNAIRE_TEXT_MAX) ||
		    code_points(json_string_value(v)) > QUESTIONNAIRE_TEXT_MAX ||
		    validate_text(json_string_value(v), !strcmp(it->type, "text")))
			return fail(e, an->path,
				    "item '%s' takes valueString: text of at most %d characters%s",
				    link, QUESTIONNAIRE_TEXT_MAX,
				    strcmp(it->type, "text") ? " on one line" : "");
		if (max && (json_int_t)code_points(json_string_value(v)) > max)
			return fail(e, an->path, "item '%s': at most %lld characters", link,
				    (long long)max);
	} else { /* choice */
		const json_t *c = json_object_get(a, "valueCoding");
		const char *want = choice_value(a);
		if (c && (!json_is_object(c) ||
			  (bad = unknown_member(c, (const char *const[]){"system", "code",
									 "display", NULL}))))
			return fail(e, an->path, "item '%s': valueCoding has system, code, display",
				    link);
		if (!want)
			return fail(e, an->path, "item '%s' takes valueCoding or valueString", link);
		json_array_foreach(json_object_get(it->j, "answerOption"), i, o) {
			const json_t *oc = json_object_get(o, "valueCoding");
			if (c && oc &&
			    !strcmp(json_string_value(json_object_get(oc, "code")), want)) {
				const char *s1 = json_string_value(json_object_get(oc, "system"));
				const char *s2 = json_string_value(json_object_get(c, "system"));
				if (!s2 || !s1 || !strcmp(s1, s2))
					return APP_OK;
			}
			if (!c && !oc &&
			    !strcmp(json_string_value(json_object_get(o, "valueString")), want))
				return APP_OK;
		}
		return fail(e, an->path, "item '%s': '%s' is not one of its answerOption", link,
			    want);
	}
	return APP_OK;
}

/* -1 below, 0 equal, 1 above; 2 when the two cannot be compared. */
static int compare(const json_t *ans, const json_t *w)
{
	const json_t *x;
	double a, b;

	if ((x = json_object_get(w, "answerBoolean")))
		return json_is_boolean(json_object_get(ans, "valueBoolean"))
			       ? json_is_true(json_object_get(ans, "valueBoolean")) != json_is_true(x)
			       : 2;
	if ((x = json_object_get(w, "answerCoding")) || (x = json_object_get(w, "answerString"))) {
		const char *want = json_is_object(x) ? json_string_value(json_object_get(x, "code"))
						     : json_string_value(x);
		const char *have = choice_value(ans);
		if (!have)
			have = json_string_value(json_object_get(ans, "valueString"));
		return have && want ? (strcmp(have, want) ? 1 : 0) : 2;
	}
	x = json_object_get(w, "answerInteger");
	if (!x)
		x = json_object_get(w, "answerDecimal");
	b = json_number_value(x);
	if (json_is_integer(json_object_get(ans, "valueInteger")))
		a = (double)json_integer_value(json_object_get(ans, "valueInteger"));
	else if (choice_value(ans) && *choice_value(ans)) {
		char *end;
		a = strtod(choice_value(ans), &end);
		if (*end)
			return 2;
	} else {
		return 2;
	}
	return a < b ? -1 : a > b ? 1 : 0;
}

static bool enabled(const struct flat *f, const struct rwalk *w, int at, const bool *on)
{
	const struct fitem *it = &f->it[at];
	const json_t *cond = json_array_get(json_object_get(it->j, "enableWhen"), 0);
	const struct answered *an;
	const char *op;
	int c, target;

	if (it->parent >= 0 && !on[it->parent])
		return false;
	if (!cond)
		return true;
	target = find_link(f, json_string_value(json_object_get(cond, "question")));
	if (target < 0 || !on[target])
		return false;
	an = answer_of(w, f->it[target].link);
	op = json_string_value(json_object_get(cond, "operator"));
	if (!strcmp(op, "exists"))
		return !!an == json_is_true(json_object_get(cond, "answerBoolean"));
	if (!an)
		return false;
	c = compare(an->answer, cond);
	if (c == 2)
		return false;
	if (!strcmp(op, "="))
		return c == 0;
	if (!strcmp(op, "!="))
		return c != 0;
	if (!strcmp(op, ">"))
		return c > 0;
	if (!strcmp(op, "<"))
		return c < 0;
	if (!strcmp(op, ">="))
		return c >= 0;
	return c <= 0;
}

static enum app_err check_response(const json_t *q, const json_t *qr, struct flat *f,
				   struct rwalk *w, struct qerr *e)
{
	static const char *const allowed[] = {"resourceType", "id", "meta", "language",
					      "questionnaire", "status", "authored", "subject",
					      "item", NULL};
	const char *rt = json_string_value(json_object_get(qr, "resourceType")), *bad;
	bool on[QUESTIONNAIRE_MAX_ITEMS];
	enum app_err err;

	if ((err = check_all(q, f, e))) {
		snprintf(e->path, sizeof(e->path), "questionnaire");
		return err;
	}
	if (!json_is_object(qr))
		return fail(e, "", "a QuestionnaireResponse is a JSON object");
	if (!rt || strcmp(rt, "QuestionnaireResponse"))
		return fail(e, "resourceType", "resourceType must be \"QuestionnaireResponse\"");
	if ((bad = unknown_member(qr, allowed)))
		return fail(e, bad, "member '%s' is not supported", bad);
	if (strcmp(json_string_value(json_object_get(qr, "status")) ?: "", "completed"))
		return fail(e, "status", "status must be \"completed\"");
	w->n = 0;
	if (json_object_get(qr, "item") &&
	    (err = walk_response(json_object_get(qr, "item"), "", f, w, e, 0)))
		return err;
	for (int i = 0; i < f->n; i++) {
		const struct fitem *it = &f->it[i];
		const struct answered *an = answer_of(w, it->link);

		on[i] = enabled(f, w, i, on);
		if (!an) {
			if (on[i] && json_is_true(json_object_get(it->j, "required")))
				return fail(e, "item", "item '%s' is required", it->link);
			continue;
		}
		if (!on[i])
			return fail(e, an->path,
				    "item '%s' is answered, but its enableWhen does not ask it",
				    it->link);
		if ((err = check_answer(it, an, e)))
			return err;
	}
	return APP_OK;
}

enum app_err questionnaire_response_check(const json_t *q, const json_t *qr, struct qerr *e)
{
	struct flat *f = malloc(sizeof(*f));
	struct rwalk *w = malloc(sizeof(*w));
	enum app_err err = APP_ENOMEM;

	if (f && w)
		err = check_response(q, qr, f, w, e);
	free(f);
	free(w);
	return err;
}

/* ---- what an answer means ---- */

typedef bool (*answer_fn)(void *ctx, const char *link, const json_t *answer);

static bool each_answer(const json_t *items, answer_fn fn, void *ctx, int depth)
{
	const json_t *j;
	size_t i;

	if (depth > QUESTIONNAIRE_MAX_DEPTH)
		return true;
	json_array_foreach(items, i, j) {
		const json_t *a = json_array_get(json_object_get(j, "answer"), 0);
		const char *link = json_string_value(json_object_get(j, "linkId"));
		if (a && link && !fn(ctx, link, a))
			return false;
		if (!each_answer(json_object_get(j, "item"), fn, ctx, depth + 1))
			return false;
	}
	return true;
}

/* The number an answer scores: an integer, or a choice's integer code. */
static bool number_of(const json_t *a, double *out)
{
	const char *s = choice_value(a);
	char *end;

	if (json_is_integer(json_object_get(a, "valueInteger"))) {
		*out = (double)json_integer_value(json_object_get(a, "valueInteger"));
		return true;
	}
	if (!json_object_get(a, "valueCoding") || !s || !*s)
		return false;
	*out = strtod(s, &end);
	return !*end && isfinite(*out);
}

struct scoring {
	const char *only; /* a linkId, or NULL: the sum */
	double sum;
	bool any;
};

static bool score_one(void *ctx, const char *link, const json_t *a)
{
	struct scoring *s = ctx;
	double v;

	if ((!s->only || !strcmp(s->only, link)) && number_of(a, &v)) {
		s->sum += v;
		s->any = true;
	}
	return true;
}

bool questionnaire_score(const json_t *fb, const json_t *qr, double *score)
{
	const char *how = json_string_value(json_object_get(fb, "score"));
	struct scoring s = {how && strcmp(how, "sum") ? how : NULL, 0, false};

	each_answer(json_object_get(qr, "item"), score_one, &s, 0);
	/* codes too large to sum (refused at upload now, but an older
	 * version may have them) score nothing rather than infinity */
	*score = isfinite(s.sum) ? s.sum : 0;
	return s.any && isfinite(s.sum);
}

struct control {
	const char *link;
	int yes;
};

static bool control_one(void *ctx, const char *link, const json_t *a)
{
	struct control *c = ctx;

	if (strcmp(link, c->link) || !json_is_boolean(json_object_get(a, "valueBoolean")))
		return true;
	c->yes = json_is_true(json_object_get(a, "valueBoolean"));
	return false;
}

int questionnaire_wants_control(const json_t *fb, const json_t *qr)
{
	struct control c = {json_string_value(json_object_get(fb, "control_item")), -1};

	if (c.link)
		each_answer(json_object_get(qr, "item"), control_one, &c, 0);
	return c.yes;
}

const char *questionnaire_band_text(const json_t *fb, double score, const char *lang)
{
	const json_t *b;
	size_t i;

	json_array_foreach(json_object_get(fb, "bands"), i, b) {
		const json_t *t = json_object_get(b, "text");
		if (score < json_number_value(json_object_get(b, "min")) ||
		    score > json_number_value(json_object_get(b, "max")))
			continue;
		if (json_string_value(json_object_get(t, lang)))
			return json_string_value(json_object_get(t, lang));
		return json_string_value(json_object_get(t, "nb"));
	}
	return NULL;
}

struct comment {
	const struct flat *f;
	const char *text;
};

static bool comment_one(void *ctx, const char *link, const json_t *a)
{
	struct comment *c = ctx;
	int at = find_link(c->f, link);

	if (at < 0 || strcmp(c->f->it[at].type, "text"))
		return true;
	c->text = json_string_value(json_object_get(a, "valueString"));
	return !c->text;
}

const char *questionnaire_comment(const json_t *q, const json_t *qr)
{
	struct flat *f = malloc(sizeof(*f));
	struct comment c = {f, NULL};
	struct qerr e = {0};

	if (f && !check_all(q, f, &e))
		each_answer(json_object_get(qr, "item"), comment_one, &c, 0);
	free(f);
	return c.text;
}

/* The translation of lang in translation element t, or NULL. */
static const char *translated(const json_t *t, const char *lang)
{
	const json_t *x, *part;
	size_t i, k;

	json_array_foreach(json_object_get(t, "extension"), i, x) {
		const char *l = NULL, *content = NULL;
		json_array_foreach(json_object_get(x, "extension"), k, part) {
			const char *u = json_string_value(json_object_get(part, "url"));
			if (u && !strcmp(u, "lang"))
				l = json_string_value(json_object_get(part, "valueCode"));
			else if (u && !strcmp(u, "content"))
				content = json_string_value(json_object_get(part, "valueString"));
		}
		if (l && content && !strcmp(l, lang))
			return content;
	}
	return NULL;
}

const char *questionnaire_title(const json_t *q, const char *lang)
{
	const char *t = translated(json_object_get(q, "_title"), lang);

	if (t)
		return t;
	t = json_string_value(json_object_get(q, "title"));
	return t ? t : "";
}

/* q's item linkId among items (at any depth), or NULL. */
static const json_t *item_by_link(const json_t *items, const char *link, int depth)
{
	const json_t *it, *found;
	size_t i;

	if (depth > QUESTIONNAIRE_MAX_DEPTH)
		return NULL;
	json_array_foreach(items, i, it) {
		const char *l = json_string_value(json_object_get(it, "linkId"));
		if (l && link && !strcmp(l, link))
			return it;
		if ((found = item_by_link(json_object_get(it, "item"), link, depth + 1)))
			return found;
	}
	return NULL;
}

/* The option coding of qi that answer coding c chose (as check_answer
 * matched it), or NULL. */
static const json_t *own_coding(const json_t *qi, const json_t *c)
{
	const char *code = json_string_value(json_object_get(c, "code"));
	const char *sys = json_string_value(json_object_get(c, "system"));
	const json_t *o;
	size_t i;

	json_array_foreach(json_object_get(qi, "answerOption"), i, o) {
		const json_t *oc = json_object_get(o, "valueCoding");
		const char *s1 = json_string_value(json_object_get(oc, "system"));
		if (oc && code && !strcmp(json_string_value(json_object_get(oc, "code")), code) &&
		    (!sys || !s1 || !strcmp(s1, sys)))
			return oc;
	}
	return NULL;
}

static void own_codings(const json_t *q, json_t *items, int depth)
{
	static const char *const keep[] = {"system", "code", "display", NULL};
	json_t *it, *a;
	size_t i, k;

	if (depth > QUESTIONNAIRE_MAX_DEPTH)
		return;
	json_array_foreach(items, i, it) {
		const json_t *qi = item_by_link(json_object_get(q, "item"),
						json_string_value(json_object_get(it, "linkId")), 0);
		json_array_foreach(json_object_get(it, "answer"), k, a) {
			const json_t *oc = own_coding(qi, json_object_get(a, "valueCoding"));
			if (json_object_get(a, "valueCoding")) {
				json_t *c = json_object();
				for (int m = 0; oc && keep[m]; m++)
					if (json_object_get(oc, keep[m]))
						json_object_set(c, keep[m], json_object_get(oc, keep[m]));
				json_object_set_new(a, "valueCoding", c);
			}
			own_codings(q, json_object_get(a, "item"), depth + 1);
		}
		own_codings(q, json_object_get(it, "item"), depth + 1);
	}
}

void questionnaire_own_codings(const json_t *q, json_t *items)
{
	own_codings(q, items, 0);
}
