/*
 * api_survey_stats.c - what patients said, summed (issue 22).
 *
 * GET /statistics/surveys: satisfaction surveys sent in the period (by
 * when the link was sent), answered, the response rate, the mean score and
 * its distribution (the built-in questionnaire's overall 1-5), grouped by
 * the mode the consultation was held in, unit, clinician or month; and, for
 * managers and admins, the free-text comments with when and the mode only,
 * never who (to a manager only those of rows of 5 answers or more).  GET /statistics/prom: PROM sends per plan (consultation type
 * and questionnaire): sent, answered, the response rate, and how many ended
 * without a control against those that led to one.
 *
 * The rows are summed here from one row per send (a year of a unit is a
 * few thousand); a unit-limited caller sums their units only, and a
 * manager sees a count of 1 to 4 as "<5" (api_statistics.c's rule).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "params.h"
#include "store_stats.h"
#include "store_survey.h"
#include "timeutil.h"

#define MAX_ROWS 512
#define MAX_COMMENTS 500
#define SMALL 5

struct srow {
	char key[340];
	int64_t id; /* unit or clinician id: the key is a number */
	int64_t sent, answered, nscore, dist[5], ended_without, led_to;
	double sum;
};

struct sstats {
	const struct req *req;
	struct reply *rep;
	int group; /* 0 mode, 1 unit, 2 clinician, 3 month; prom: -1 */
	int64_t unit_id, clinician_id;
	bool manager, comments;
	struct srow *rows, total;
	int nrows;
	struct buf comment_buf;
	int ncomments;
	/* each comment's row and its span of comment_buf: a manager reads
	 * the comments of rows of SMALL answers or more only */
	int comment_row[MAX_COMMENTS];
	size_t comment_at[MAX_COMMENTS + 1];
	bool failed;
};

static const char *const groups[] = {"mode", "unit", "clinician", "month", NULL};

static bool ours(const struct sstats *s, int64_t unit)
{
	return (!s->unit_id || unit == s->unit_id) && actor_sees_unit(&s->req->who, unit);
}

static struct srow *row_of(struct sstats *s, const char *key, int64_t id)
{
	for (int i = 0; i < s->nrows; i++)
		if (!strcmp(s->rows[i].key, key) && s->rows[i].id == id)
			return &s->rows[i];
	if (s->nrows == MAX_ROWS) {
		s->failed = true;
		return NULL;
	}
	memset(&s->rows[s->nrows], 0, sizeof(s->rows[0]));
	snprintf(s->rows[s->nrows].key, sizeof(s->rows[0].key), "%s", key);
	s->rows[s->nrows].id = id;
	return &s->rows[s->nrows++];
}

static void add(struct srow *r, const struct survey_fact *x)
{
	r->sent++;
	r->answered += x->answered;
	if (x->has_score) {
		r->nscore++;
		r->sum += x->score;
		if (x->score >= 1 && x->score <= 5 && x->score == (double)(int)x->score)
			r->dist[(int)x->score - 1]++;
	}
}

static bool on_fact(void *ctx, const struct survey_fact *x)
{
	struct sstats *s = ctx;
	char key[16] = "";
	struct srow *r;
	int64_t id = 0;

	if (!ours(s, x->unit_id) || (s->clinician_id && x->clinician_id != s->clinician_id))
		return true;
	if (s->group == 0) {
		snprintf(key, sizeof(key), "%s", x->mode);
	} else if (s->group == 3) {
		struct civil c;
		timeutil_to_local(x->created_at, &c);
		snprintf(key, sizeof(key), "%04d-%02d", c.year, c.month);
	} else {
		id = s->group == 1 ? x->unit_id : x->clinician_id;
	}
	if (!(r = row_of(s, key, id)))
		return false;
	add(r, x);
	add(&s->total, x);
	if (s->comments && x->comment && *x->comment && s->ncomments < MAX_COMMENTS) {
		char t[TIMEUTIL_INSTANT_LEN];
		timeutil_format(x->authored, t);
		s->comment_row[s->ncomments] = (int)(r - s->rows);
		buf_json_kstr(&s->comment_buf, "{", "text", x->comment);
		buf_json_kstr(&s->comment_buf, ",", "at", t);
		buf_json_kstr(&s->comment_buf, ",", "mode", x->mode);
		buf_putc(&s->comment_buf, '}');
		s->comment_at[++s->ncomments] = s->comment_buf.len;
	}
	return !s->comment_buf.failed;
}

static bool small(int64_t n)
{
	return n > 0 && n < SMALL;
}

static void count(const struct sstats *s, struct buf *b, const char *sep, const char *key,
		  int64_t n)
{
	if (s->manager && small(n))
		buf_json_kstr(b, sep, key, "<5");
	else
		buf_json_kint(b, sep, key, n, false);
}

static void rate(const struct sstats *s, struct buf *b, const char *key, int64_t part,
		 int64_t whole)
{
	buf_printf(b, ",\"%s\":", key);
	/* a share whose whole, part or rest is small would tell that count
	 * (api_statistics.c's rule) */
	if (!whole || (s->manager && (small(whole) || small(part) || small(whole - part))))
		buf_puts(b, "null");
	else
		buf_printf(b, "%.4f", (double)part / (double)whole);
}

static void write_survey_row(const struct sstats *s, struct buf *b, const struct srow *r,
			     bool total)
{
	if (!total) {
		if (s->group == 1 || s->group == 2)
			buf_json_kint(b, "{", "key", r->id, true);
		else
			buf_json_kstr(b, "{", "key", r->key);
		buf_putc(b, ',');
	} else {
		buf_putc(b, '{');
	}
	count(s, b, "", "sent", r->sent);
	count(s, b, ",", "answered", r->answered);
	rate(s, b, "response_rate", r->answered, r->sent);
	buf_puts(b, ",\"mean\":");
	if (!r->nscore || (s->manager && r->nscore < SMALL) ||
	    !isfinite(r->sum / (double)r->nscore))
		buf_puts(b, "null");
	else
		buf_printf(b, "%.3f", r->sum / (double)r->nscore);
	buf_puts(b, ",\"distribution\":{");
	for (int i = 0; i < 5; i++) {
		char k[2] = {(char)('1' + i), '\0'};
		count(s, b, i ? "," : "", k, r->dist[i]);
	}
	buf_puts(b, "}}");
}

/* from, to (dates), unit_id, clinician_id: read and checked. */
static enum app_err period(struct store *db, struct sstats *s, int64_t *from, int64_t *to)
{
	const struct req *req = s->req;
	const char *f = params_get(req, "from"), *t = params_get(req, "to");
	char name[256];
	struct res_row row;
	int64_t unit;
	enum app_err err;

	if (!f || strlen(f) != 10)
		return reply_fail(s->rep, APP_EINVAL, "from", "'from' is a date (YYYY-MM-DD)");
	if (!t || strlen(t) != 10)
		return reply_fail(s->rep, APP_EINVAL, "to", "'to' is a date (YYYY-MM-DD)");
	if ((err = params_time(req, s->rep, "from", false, from)) ||
	    (err = params_time(req, s->rep, "to", true, to)) ||
	    (err = params_id(req, s->rep, "unit_id", &s->unit_id)) ||
	    (err = params_id(req, s->rep, "clinician_id", &s->clinician_id)))
		return err;
	if (*to <= *from)
		return reply_fail(s->rep, APP_EINVAL, "to", "'to' is before 'from'");
	if (*to - *from > 3700LL * 86400)
		return reply_fail(s->rep, APP_EINVAL, "to", "at most ten years at a time");
	if (s->unit_id) {
		bool exists = !store_resource_get(db, &resources_units, s->unit_id, &row);
		if (req->who.nunits && (!exists || !actor_sees_unit(&req->who, s->unit_id)))
			return reply_fail(s->rep, APP_EFORBIDDEN, "unit_id", "not one of your units");
		if (!exists)
			return reply_fail(s->rep, APP_EINVAL, "unit_id", "there is no such unit");
	}
	if (s->clinician_id) {
		err = store_stats_name(db, DIM_CLINICIAN, s->clinician_id, name, sizeof(name), &unit);
		if (err && err != APP_ENOTFOUND)
			return err;
		if (req->who.nunits && (err || !actor_sees_unit(&req->who, unit)))
			return reply_fail(s->rep, APP_EFORBIDDEN, "clinician_id",
					  "not one of your units");
		if (err)
			return reply_fail(s->rep, APP_EINVAL, "clinician_id",
					  "there is no such clinician");
	}
	s->manager = req->who.role == ROLE_MANAGER;
	return APP_OK;
}

API_HANDLER(api_survey_stats)
{
	static const char *const allowed[] = {"from", "to", "unit_id", "clinician_id", "group_by",
					      NULL};
	struct sstats s = {.req = req, .rep = rep};
	const char *group = params_get(req, "group_by");
	int64_t from, to;
	enum app_err err;
	int g;

	(void)app;
	if ((err = params_only(req, rep, allowed)) || (err = period(db, &s, &from, &to)))
		return err;
	for (g = 0; groups[g] && group && strcmp(group, groups[g]); g++)
		;
	if (!groups[g])
		return reply_fail(rep, APP_EINVAL, "group_by",
				  "'group_by' is mode, unit, clinician or month");
	s.group = group ? g : 0;
	s.comments = req->who.role == ROLE_MANAGER || req->who.role == ROLE_ADMIN;
	if (!(s.rows = calloc(MAX_ROWS, sizeof(*s.rows))))
		return APP_ENOMEM;
	buf_init(&s.comment_buf, 4 * 1024 * 1024);
	err = store_survey_facts(db, from, to, on_fact, &s);
	if (!err && (s.failed || s.comment_buf.failed))
		err = APP_ENOMEM;
	if (!err) {
		buf_json_kstr(&rep->body, "{", "group_by", groups[s.group]);
		buf_puts(&rep->body, ",\"rows\":[");
		for (int i = 0; i < s.nrows; i++) {
			if (i)
				buf_putc(&rep->body, ',');
			write_survey_row(&s, &rep->body, &s.rows[i], false);
		}
		buf_puts(&rep->body, "],\"total\":");
		write_survey_row(&s, &rep->body, &s.total, true);
		buf_puts(&rep->body, ",\"comments\":[");
		for (int i = 0, n = 0; i < s.ncomments; i++) {
			if (s.manager && s.rows[s.comment_row[i]].answered < SMALL)
				continue;
			if (n++)
				buf_putc(&rep->body, ',');
			buf_append(&rep->body, s.comment_buf.data + s.comment_at[i],
				   s.comment_at[i + 1] - s.comment_at[i]);
		}
		buf_puts(&rep->body, "]}");
		rep->status = 200;
	}
	buf_release(&s.comment_buf);
	free(s.rows);
	return err;
}

static bool on_prom(void *ctx, const struct prom_fact *x)
{
	struct sstats *s = ctx;
	char key[340];
	struct srow *r;

	if (!ours(s, x->unit_id))
		return true;
	snprintf(key, sizeof(key), "%.150s: %.180s", x->type_id ? x->type_name : "-", x->title);
	if (!(r = row_of(s, key, 0)))
		return false;
	for (struct srow *t = r;; t = &s->total) {
		t->sent++;
		t->answered += x->answered;
		t->ended_without += x->answered && !x->control;
		t->led_to += x->answered && x->control;
		if (t == &s->total)
			break;
	}
	return true;
}

static void write_prom_row(const struct sstats *s, struct buf *b, const struct srow *r,
			   bool total)
{
	if (!total)
		buf_json_kstr(b, "{", "key", r->key);
	buf_putc(b, total ? '{' : ',');
	count(s, b, "", "sent", r->sent);
	count(s, b, ",", "answered", r->answered);
	rate(s, b, "response_rate", r->answered, r->sent);
	count(s, b, ",", "ended_without_control", r->ended_without);
	count(s, b, ",", "led_to_control", r->led_to);
	buf_putc(b, '}');
}

API_HANDLER(api_survey_prom_stats)
{
	static const char *const allowed[] = {"from", "to", "unit_id", NULL};
	struct sstats s = {.req = req, .rep = rep, .group = -1};
	int64_t from, to;
	enum app_err err;

	(void)app;
	if ((err = params_only(req, rep, allowed)) || (err = period(db, &s, &from, &to)))
		return err;
	if (!(s.rows = calloc(MAX_ROWS, sizeof(*s.rows))))
		return APP_ENOMEM;
	err = store_survey_prom_facts(db, from, to, on_prom, &s);
	if (!err && s.failed)
		err = APP_ENOMEM;
	if (!err) {
		buf_puts(&rep->body, "{\"rows\":[");
		for (int i = 0; i < s.nrows; i++) {
			if (i)
				buf_putc(&rep->body, ',');
			write_prom_row(&s, &rep->body, &s.rows[i], false);
		}
		buf_puts(&rep->body, "],\"total\":");
		write_prom_row(&s, &rep->body, &s.total, true);
		buf_putc(&rep->body, '}');
		rep->status = 200;
	}
	free(s.rows);
	return err;
}
