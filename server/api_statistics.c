/*
 * api_statistics.c - GET /api/v1/statistics: how many consultations went by
 * video, and what stood in the way (issue 21).
 *
 * validate -> sums (store_stats.c: a year of a unit is a few thousand rows
 * of per-day sums, kept by triggers) -> fold into the groups asked for
 * (months and ISO weeks from days, in the clinic's zone) -> JSON or CSV.
 *
 * Scope: admins see every unit; a secretary or a manager limited to units
 * sees theirs, and naming another unit, or a clinician or type of one, is
 * 403 (the same as for one that does not exist).  Nothing here identifies
 * a patient: the answer holds counts, shares and medians per group.  For a
 * manager a count of 1 to 4 patients is "<5" (small cells can identify a
 * person), and what would give it away is null: a share whose part or
 * rest is 1 to 4, a median over fewer than 5, hours and distances that
 * are such a count times a constant; 0 is shown, since it names nobody.
 *
 * Travel avoided is an estimate: consultations held by video or phone
 * times each unit's typical round trip (travel_km, travel_minutes, set by
 * admins; a unit without them adds nothing) and --emission-g-per-km; the
 * answer says so in "travel_basis".
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
#include "timeutil.h"

#define MAX_DAYS (3 * 366) /* the longest period asked in one request */
#define MAX_GROUPS 4096
#define SMALL 5		   /* counts below this are "<5" to a manager */

enum group { G_MONTH, G_WEEK, G_UNIT, G_CLINICIAN, G_TYPE, G_BAND, G_N };
static const char *const group_names[G_N] = {"month", "week", "unit", "clinician", "type",
					     "age_band"};
static const enum stats_dim group_dims[G_N] = {DIM_DAY, DIM_DAY, DIM_UNIT, DIM_CLINICIAN,
					       DIM_TYPE, DIM_BAND};

struct pair {
	int64_t v, n;
};

/* A list of (value, how many) for a median; grows. */
struct dist {
	struct pair *p;
	int n, cap;
};

struct group_row {
	int64_t id;	       /* unit, clinician, type or band; month or week index */
	char key[16], name[256];
	int64_t n[SC_N];
	double km, minutes;    /* travel avoided */
	int64_t end;	       /* the instant the group's waiting list is read at */
	int64_t target;	       /* a unit's target (-1: none) */
	struct dist answers;   /* hours to answer */
	struct dist waited;    /* days on the waiting list */
};

struct stats {
	struct app *app;
	struct store *db;
	const struct req *req;
	struct reply *rep;
	enum group group;
	struct stats_filter f;
	int64_t from_t, to_t; /* the period's instants: [from_t, to_t) */
	struct stats_unit *units;
	double *held;	      /* consultations held in each unit (for the target) */
	int nunits, capunits;
	struct group_row *rows;
	int nrows, caprows;
	struct group_row total;
	bool manager, csv, failed;
	int64_t target_unit; /* the unit of a named clinician or type (0: none) */
};

static void dist_add(struct dist *d, int64_t v, int64_t n, bool *failed)
{
	for (int i = 0; i < d->n; i++)
		if (d->p[i].v == v) {
			d->p[i].n += n;
			return;
		}
	if (d->n == d->cap) {
		int cap = d->cap ? 2 * d->cap : 8;
		struct pair *p = realloc(d->p, (size_t)cap * sizeof(*p));
		if (!p) {
			*failed = true;
			return;
		}
		d->p = p;
		d->cap = cap;
	}
	d->p[d->n++] = (struct pair){v, n};
}

static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	return (x->v > y->v) - (x->v < y->v);
}

/* The median of d (the mean of the middle two for an even count); NAN
 * when empty. */
static double dist_median(struct dist *d, int64_t *count)
{
	int64_t total = 0, seen = 0, lo = -1, hi = -1;

	if (d->n > 1)
		qsort(d->p, (size_t)d->n, sizeof(*d->p), pair_cmp);
	for (int i = 0; i < d->n; i++)
		total += d->p[i].n;
	*count = total;
	if (!total)
		return NAN;
	for (int i = 0; i < d->n && hi < 0; i++) {
		seen += d->p[i].n;
		if (lo < 0 && seen >= (total + 1) / 2)
			lo = d->p[i].v;
		if (seen >= total / 2 + 1)
			hi = d->p[i].v;
	}
	return total % 2 ? (double)lo : ((double)lo + (double)hi) / 2;
}

static const struct stats_unit *unit_of(const struct stats *s, int64_t id)
{
	for (int i = 0; i < s->nunits; i++)
		if (s->units[i].id == id)
			return &s->units[i];
	return NULL;
}

static bool collect_unit(void *ctx, const struct stats_unit *u)
{
	struct stats *s = ctx;

	if (s->nunits == s->capunits) {
		int cap = s->capunits ? 2 * s->capunits : 16;
		struct stats_unit *p = realloc(s->units, (size_t)cap * sizeof(*p));
		if (!p) {
			s->failed = true;
			return false;
		}
		s->units = p;
		s->capunits = cap;
	}
	s->units[s->nunits++] = *u;
	return true;
}

/* Monday of the ISO week holding day (days since 1970-01-01, a Thursday). */
static int64_t monday_of(int64_t day)
{
	int64_t wd = ((day % 7) + 7 + 3) % 7; /* 0 = Monday */
	return day - wd;
}

/* "2027-W11": the ISO week of day. */
static void iso_week(int64_t day, char *out, size_t cap)
{
	int64_t thursday = monday_of(day) + 3;
	int y, m, d;
	int64_t jan1;

	timeutil_civil_from_days(thursday, &y, &m, &d);
	jan1 = timeutil_days_from_civil(y, 1, 1);
	snprintf(out, cap, "%04d-W%02d", y, (int)((thursday - jan1) / 7 + 1));
}

/* The instant local day starts. */
static int64_t day_start(int64_t day)
{
	struct civil c = {0};
	int64_t start, end;

	timeutil_civil_from_days(day, &c.year, &c.month, &c.day);
	timeutil_day_bounds(&c, &start, &end);
	return start;
}

static struct group_row *add_row(struct stats *s, int64_t id)
{
	struct group_row *r;

	if (s->nrows == s->caprows) {
		int cap = s->caprows ? 2 * s->caprows : 64;
		struct group_row *p;
		if (cap > MAX_GROUPS || !(p = realloc(s->rows, (size_t)cap * sizeof(*p)))) {
			s->failed = true;
			return NULL;
		}
		s->rows = p;
		s->caprows = cap;
	}
	r = &s->rows[s->nrows++];
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->target = -1;
	r->end = s->to_t;
	return r;
}

/* The row of group key id (a day for months and weeks), made on first use. */
static struct group_row *row_of(struct stats *s, int64_t key)
{
	int y, m, d, fy, fm, fd;
	int64_t idx;

	if (s->group == G_MONTH) {
		timeutil_civil_from_days(key, &y, &m, &d);
		timeutil_civil_from_days(s->f.from_day, &fy, &fm, &fd);
		idx = (y - fy) * 12 + (m - fm);
		return idx >= 0 && idx < s->nrows ? &s->rows[idx] : NULL;
	}
	if (s->group == G_WEEK) {
		idx = (monday_of(key) - monday_of(s->f.from_day)) / 7;
		return idx >= 0 && idx < s->nrows ? &s->rows[idx] : NULL;
	}
	for (int i = 0; i < s->nrows; i++)
		if (s->rows[i].id == key)
			return &s->rows[i];
	return add_row(s, key);
}

/* The months or weeks of the period, each ending at its last day (or the
 * period's); every band; so that a trend shows empty groups too. */
static void make_rows(struct stats *s)
{
	struct group_row *r;

	if (s->group == G_MONTH || s->group == G_WEEK) {
		int64_t day = s->f.from_day;
		while (day <= s->f.to_day && !s->failed) {
			int y, m, d;
			int64_t next;
			timeutil_civil_from_days(day, &y, &m, &d);
			if (s->group == G_MONTH)
				next = timeutil_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1);
			else
				next = monday_of(day) + 7;
			if (!(r = add_row(s, day)))
				return;
			if (s->group == G_MONTH)
				snprintf(r->key, sizeof(r->key), "%04d-%02d", y, m);
			else
				iso_week(day, r->key, sizeof(r->key));
			r->end = next > s->f.to_day ? s->to_t : day_start(next);
			day = next;
		}
	} else if (s->group == G_BAND) {
		for (int b = 0; b < STATS_NBANDS && (r = add_row(s, b)); b++)
			snprintf(r->key, sizeof(r->key), "%s", stats_band_names[b]);
	}
}

static void add_sums(struct group_row *r, const struct stats_sums *x, const struct stats_unit *u)
{
	int64_t digital = x->n[SC_HELD_VIDEO] + x->n[SC_HELD_PHONE];

	for (int i = 0; i < SC_N; i++)
		r->n[i] += x->n[i];
	if (u && u->travel_km >= 0)
		r->km += (double)(digital * u->travel_km);
	if (u && u->travel_minutes >= 0)
		r->minutes += (double)(digital * u->travel_minutes);
}

static bool on_sums(void *ctx, const struct stats_sums *x)
{
	struct stats *s = ctx;
	struct group_row *r = row_of(s, x->key);
	const struct stats_unit *u = unit_of(s, x->unit_id);

	if (r)
		add_sums(r, x, u);
	add_sums(&s->total, x, u);
	if (u)
		s->held[u - s->units] += (double)(x->n[SC_HELD_VIDEO] + x->n[SC_HELD_IN_PERSON] +
						  x->n[SC_HELD_PHONE]);
	return !s->failed;
}

static bool on_answers(void *ctx, int64_t key, int64_t hours, int64_t n)
{
	struct stats *s = ctx;
	struct group_row *r = row_of(s, key);

	if (r)
		dist_add(&r->answers, hours, n, &s->failed);
	dist_add(&s->total.answers, hours, n, &s->failed);
	return !s->failed;
}

/* Whether w waited at instant at, and for how many whole days. */
static bool waited_at(const struct stats_waiting *w, int64_t at, int64_t *days)
{
	if (w->since > at || (w->left && w->left < at))
		return false;
	*days = (at - w->since) / 86400;
	return true;
}

static bool on_waiting(void *ctx, const struct stats_waiting *w)
{
	struct stats *s = ctx;
	int64_t days, key = 0;
	struct group_row *r = NULL;

	if (s->group == G_MONTH || s->group == G_WEEK) {
		for (int i = 0; i < s->nrows; i++)
			if (waited_at(w, s->rows[i].end, &days))
				dist_add(&s->rows[i].waited, days, 1, &s->failed);
	} else {
		switch (s->group) {
		case G_UNIT: key = w->unit_id; break;
		case G_CLINICIAN: key = w->clinician_id; break;
		case G_TYPE: key = w->type_id; break;
		default: key = stats_band_of(w->birth_date, stats_local_day(s->total.end - 1)); break;
		}
		/* an entry for no particular clinician is in no clinician's row */
		if ((key || s->group == G_BAND) /* band 0 is 0-17 */ &&
		    waited_at(w, s->total.end, &days) && (r = row_of(s, key)))
			dist_add(&r->waited, days, 1, &s->failed);
	}
	if (waited_at(w, s->total.end, &days))
		dist_add(&s->total.waited, days, 1, &s->failed);
	return !s->failed;
}

/* ---- writing ---- */

/* A count a manager must not learn exactly: 1 to 4. */
static bool small(int64_t n)
{
	return n > 0 && n < SMALL;
}

/* A count as JSON or CSV: "<5" for a manager when 1-4. */
static void count(const struct stats *s, struct buf *b, int64_t n)
{
	if (s->manager && small(n))
		buf_puts(b, s->csv ? "<5" : "\"<5\"");
	else
		buf_int(b, n);
}

static void kcount(const struct stats *s, struct buf *b, const char *sep, const char *key,
		   int64_t n)
{
	buf_printf(b, "%s\"%s\":", sep, key);
	count(s, b, n);
}

/* A number rounded to places, or null. */
static void number(struct buf *b, double v, int places)
{
	if (isnan(v))
		buf_puts(b, "null");
	else
		buf_printf(b, "%.*f", places, v);
}

static void knumber(struct buf *b, const char *sep, const char *key, double v, int places)
{
	buf_printf(b, "%s\"%s\":", sep, key);
	number(b, v, places);
}

/* What a row says, derived once for JSON and CSV alike. */
struct derived {
	int64_t held, answered_n, waiting_n;
	double video_share, digital_share, answer_median, wait_median, room_hours, km, hours, co2;
};

static void derive(const struct stats *s, struct group_row *r, struct derived *d)
{
	int64_t video = r->n[SC_HELD_VIDEO], digital = video + r->n[SC_HELD_PHONE];
	/* for a manager, nothing from which a count of 1 to 4 could be worked
	 * back: a share whose part or rest is that small, hours and distances
	 * that are such a count times a constant */
	bool m = s->manager;

	/* any one held count that is hidden hides every number made from the
	 * held counts: with a share and the other two, or a distance and the
	 * unit's round trip, it could be worked back (outside review) */
	bool hidden = m && (small(video) || small(r->n[SC_HELD_IN_PERSON]) ||
			    small(r->n[SC_HELD_PHONE]));

	d->held = video + r->n[SC_HELD_IN_PERSON] + r->n[SC_HELD_PHONE];
	d->video_share = d->held && !hidden &&
				 !(m && (small(d->held) || small(video) || small(d->held - video)))
			     ? (double)video / (double)d->held
			     : NAN;
	d->digital_share = d->held && !hidden &&
				   !(m && (small(d->held) || small(digital) ||
					   small(d->held - digital)))
			       ? (double)digital / (double)d->held
			       : NAN;
	d->room_hours = hidden ? NAN : (double)r->n[SC_ROOM_SECONDS] / 3600.0;
	d->km = hidden || (m && small(digital)) ? NAN : r->km;
	d->hours = hidden || (m && small(digital)) ? NAN : r->minutes / 60.0;
	d->co2 = hidden || (m && small(digital)) ? NAN
						 : r->km * s->app->cfg->emission_g_per_km / 1000.0;
	d->answer_median = dist_median(&r->answers, &d->answered_n);
	if (m && d->answered_n < SMALL)
		d->answer_median = NAN;
	d->wait_median = dist_median(&r->waited, &d->waiting_n);
	if (m && d->waiting_n < SMALL)
		d->wait_median = NAN;
}

static const int reason_counts[STATS_NREASONS + 1] = {SC_OPT_EQUIPMENT, SC_OPT_PREFER,
						      SC_OPT_EXAMINATION, SC_OPT_LANGUAGE,
						      SC_OPT_OTHER, SC_OPT_NONE};
static const char *const reason_keys[STATS_NREASONS + 1] = {
	"equipment", "prefer_in_person", "examination", "language_hearing", "other", "not_given"};

static void write_modes(const struct stats *s, struct buf *b, const char *key, const int64_t *n)
{
	buf_printf(b, ",\"%s\":{", key);
	kcount(s, b, "", "video", n[0]);
	kcount(s, b, ",", "in_person", n[1]);
	kcount(s, b, ",", "phone", n[2]);
	buf_putc(b, '}');
}

static void write_json_row(const struct stats *s, struct buf *b, struct group_row *r, bool total)
{
	struct derived d;

	derive(s, r, &d);
	buf_putc(b, '{');
	if (total)
		buf_puts(b, "\"key\":\"total\"");
	else if (s->group == G_MONTH || s->group == G_WEEK || s->group == G_BAND)
		buf_json_kstr(b, "", "key", r->key);
	else
		buf_json_kint(b, "", "key", r->id, true);
	if (!total && (s->group == G_UNIT || s->group == G_CLINICIAN || s->group == G_TYPE))
		buf_json_kstr(b, ",", "name", r->name[0] ? r->name : NULL);
	if (!total && s->group == G_UNIT) {
		buf_puts(b, ",\"target_percent\":");
		if (r->target >= 0)
			buf_int(b, r->target);
		else
			buf_puts(b, "null");
	}
	write_modes(s, b, "booked", &r->n[SC_BOOKED_VIDEO]);
	write_modes(s, b, "held", &r->n[SC_HELD_VIDEO]);
	knumber(b, ",", "video_share", d.video_share, 4);
	knumber(b, ",", "digital_share", d.digital_share, 4);
	kcount(s, b, ",", "phone_fallback", r->n[SC_PHONE_FALLBACK]);
	buf_puts(b, ",\"opted_out\":{");
	kcount(s, b, "", "count", r->n[SC_OPTED_OUT]);
	buf_puts(b, ",\"reasons\":{");
	for (int i = 0; i <= STATS_NREASONS; i++)
		kcount(s, b, i ? "," : "", reason_keys[i], r->n[reason_counts[i]]);
	buf_puts(b, "}}");
	write_modes(s, b, "no_show", &r->n[SC_NO_SHOW_VIDEO]);
	kcount(s, b, ",", "cancelled_by_patient", r->n[SC_CANCELLED_PATIENT]);
	kcount(s, b, ",", "cancelled_by_clinic", r->n[SC_CANCELLED_CLINIC]);
	kcount(s, b, ",", "late_cancellations", r->n[SC_LATE]);
	buf_puts(b, ",\"invitations\":{");
	kcount(s, b, "", "sent", r->n[SC_INVITED]);
	kcount(s, b, ",", "answered", r->n[SC_ANSWERED]);
	knumber(b, ",", "median_hours_to_answer", d.answer_median, 1);
	buf_putc(b, '}');
	knumber(b, ",", "room_hours_freed", d.room_hours, 1);
	buf_puts(b, ",\"travel_avoided\":{");
	knumber(b, "", "km", d.km, 1);
	knumber(b, ",", "hours", d.hours, 1);
	knumber(b, ",", "co2_kg", d.co2, 1);
	buf_puts(b, ",\"estimate\":true},\"waiting\":{");
	kcount(s, b, "", "patients", d.waiting_n);
	knumber(b, ",", "median_days", d.wait_median, 1);
	buf_puts(b, "}}");
}

static const char csv_header[] =
	"key,name,booked_video,booked_in_person,booked_phone,held_video,held_in_person,"
	"held_phone,video_share,digital_share,phone_fallback,opted_out,"
	"opted_out_equipment,opted_out_prefer_in_person,opted_out_examination,"
	"opted_out_language_hearing,opted_out_other,opted_out_not_given,no_show_video,"
	"no_show_in_person,no_show_phone,cancelled_by_patient,cancelled_by_clinic,"
	"late_cancellations,invitations_sent,invitations_answered,median_hours_to_answer,"
	"room_hours_freed,travel_km,travel_hours,travel_co2_kg,waiting_patients,"
	"waiting_median_days\r\n";

static void csv_number(struct buf *b, double v, int places)
{
	if (!isnan(v))
		buf_printf(b, "%.*f", places, v);
}

static void write_csv_row(const struct stats *s, struct buf *b, struct group_row *r, bool total)
{
	static const int order[] = {SC_BOOKED_VIDEO, SC_BOOKED_IN_PERSON, SC_BOOKED_PHONE,
				    SC_HELD_VIDEO, SC_HELD_IN_PERSON, SC_HELD_PHONE};
	static const int after[] = {SC_PHONE_FALLBACK, SC_OPTED_OUT, SC_OPT_EQUIPMENT,
				    SC_OPT_PREFER, SC_OPT_EXAMINATION, SC_OPT_LANGUAGE,
				    SC_OPT_OTHER, SC_OPT_NONE, SC_NO_SHOW_VIDEO,
				    SC_NO_SHOW_IN_PERSON, SC_NO_SHOW_PHONE, SC_CANCELLED_PATIENT,
				    SC_CANCELLED_CLINIC, SC_LATE, SC_INVITED, SC_ANSWERED};
	struct derived d;

	derive(s, r, &d);
	if (total)
		buf_puts(b, "total,");
	else if (s->group == G_MONTH || s->group == G_WEEK || s->group == G_BAND)
		buf_printf(b, "%s,", r->key);
	else
		buf_printf(b, "%" PRId64 ",", r->id);
	buf_csv_str(b, total ? "" : r->name);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		buf_putc(b, ',');
		count(s, b, r->n[order[i]]);
	}
	buf_putc(b, ',');
	csv_number(b, d.video_share, 4);
	buf_putc(b, ',');
	csv_number(b, d.digital_share, 4);
	for (size_t i = 0; i < sizeof(after) / sizeof(after[0]); i++) {
		buf_putc(b, ',');
		count(s, b, r->n[after[i]]);
	}
	{
		const double after_counts[] = {d.answer_median, d.room_hours, d.km, d.hours, d.co2};
		for (size_t i = 0; i < sizeof(after_counts) / sizeof(after_counts[0]); i++) {
			buf_putc(b, ',');
			csv_number(b, after_counts[i], 1);
		}
	}
	buf_putc(b, ',');
	count(s, b, d.waiting_n);
	buf_putc(b, ',');
	csv_number(b, d.wait_median, 1);
	buf_puts(b, "\r\n");
}

/* The target of the units in scope: one unit's own; for several, their
 * targets weighted by the consultations each held (or plain, when none
 * were held); null when no unit in scope has one. */
static double scope_target(const struct stats *s)
{
	double sum = 0, weight = 0, plain = 0;
	int n = 0;

	for (int i = 0; i < s->nunits; i++) {
		const struct stats_unit *u = &s->units[i];
		if (u->target_percent < 0 || (s->f.unit_id && u->id != s->f.unit_id) ||
		    (s->target_unit && u->id != s->target_unit) ||
		    !actor_sees_unit(&s->req->who, u->id))
			continue;
		sum += (double)u->target_percent * s->held[i];
		weight += s->held[i];
		plain += (double)u->target_percent;
		n++;
	}
	return !n ? NAN : weight > 0 ? sum / weight : plain / n;
}

static void write_json(struct stats *s, struct buf *b, double target)
{
	char d[11];
	bool first = true;

	timeutil_format_date(s->from_t, d);
	buf_json_kstr(b, "{", "from", d);
	timeutil_format_date(s->to_t - 1, d);
	buf_json_kstr(b, ",", "to", d);
	buf_json_kstr(b, ",", "group_by", group_names[s->group]);
	buf_json_kint(b, ",", "unit_id", s->f.unit_id, true);
	buf_json_kint(b, ",", "clinician_id", s->f.clinician_id, true);
	buf_json_kint(b, ",", "type_id", s->f.type_id, true);
	knumber(b, ",", "target_percent", target, 1);
	buf_puts(b, ",\"small_counts\":");
	buf_puts(b, s->manager ? "\"<5\"" : "null");
	buf_printf(b, ",\"travel_basis\":{\"g_co2_per_km\":%d,\"units\":[",
		   s->app->cfg->emission_g_per_km);
	for (int i = 0; i < s->nunits; i++) {
		const struct stats_unit *u = &s->units[i];
		if (!actor_sees_unit(&s->req->who, u->id) || (s->f.unit_id && u->id != s->f.unit_id) ||
		    (s->target_unit && u->id != s->target_unit))
			continue;
		buf_json_kint(b, first ? "{" : ",{", "id", u->id, false);
		buf_json_kstr(b, ",", "name", u->name);
		knumber(b, ",", "travel_km", u->travel_km < 0 ? NAN : (double)u->travel_km, 0);
		knumber(b, ",", "travel_minutes",
			u->travel_minutes < 0 ? NAN : (double)u->travel_minutes, 0);
		buf_putc(b, '}');
		first = false;
	}
	buf_puts(b, "],\"note\":\"an estimate: consultations held by video or phone times each "
		    "unit's typical round trip for its patients\"},\"rows\":[");
	for (int i = 0; i < s->nrows; i++) {
		if (i)
			buf_putc(b, ',');
		write_json_row(s, b, &s->rows[i], false);
	}
	buf_puts(b, "],\"total\":");
	write_json_row(s, b, &s->total, true);
	buf_putc(b, '}');
}

/* A unit, clinician or type the caller names: theirs, or 403 (the same
 * for one that does not exist, to a unit-limited caller; a 400 to others). */
static enum app_err check_named(struct stats *s, enum stats_dim dim, const char *field,
				int64_t id, int64_t *unit)
{
	char name[256];
	enum app_err err = APP_OK;
	bool exists = true;

	*unit = id;
	if (dim == DIM_UNIT)
		exists = unit_of(s, id) != NULL;
	else if ((err = store_stats_name(s->db, dim, id, name, sizeof(name), unit)) == APP_ENOTFOUND)
		exists = false;
	else if (err)
		return err;
	if (s->req->who.nunits > 0 && (!exists || !actor_sees_unit(&s->req->who, *unit)))
		return reply_fail(s->rep, APP_EFORBIDDEN, field, "not one of your units");
	if (!exists)
		return reply_fail(s->rep, APP_EINVAL, field, "there is no such %s", field + 0);
	return APP_OK;
}

static void name_rows(struct stats *s)
{
	for (int i = 0; i < s->nrows; i++) {
		struct group_row *r = &s->rows[i];
		const struct stats_unit *u;
		int64_t unit;

		if (s->group == G_UNIT && (u = unit_of(s, r->id))) {
			snprintf(r->name, sizeof(r->name), "%s", u->name);
			r->target = u->target_percent;
		} else if ((s->group == G_CLINICIAN || s->group == G_TYPE) && r->id &&
			   store_stats_name(s->db, group_dims[s->group], r->id, r->name,
					    sizeof(r->name), &unit)) {
			r->name[0] = '\0';
		}
	}
}

/* Add up the sums of the days from..to (both included; none when to <
 * from): the whole ISO weeks inside from their own sums (unless grouped by
 * age band, which weeks do not keep), the rest day by day.  Grouped by
 * month, the span lies within one month, or is whole weeks. */
static enum app_err sum_days(struct stats *s, int64_t from, int64_t to)
{
	struct stats_filter f = s->f;
	int64_t first = monday_of(from) == from ? from : monday_of(from) + 7;
	int64_t last = monday_of(to + 1) - 7; /* the Monday of the last week ending by to */
	enum app_err err;

	if (to < from)
		return APP_OK;
	if (s->group == G_BAND || first > last) {
		f.from_day = from;
		f.to_day = to;
		return store_stats_sums(s->db, &f, on_sums, s);
	}
	f.grain = GRAIN_WEEK;
	f.from_day = first;
	f.to_day = last;
	if ((err = store_stats_sums(s->db, &f, on_sums, s)) ||
	    (err = sum_days(s, from, first - 1)))
		return err;
	return sum_days(s, last + 7, to);
}

/* The first day of the month after the one holding day. */
static int64_t next_month(int64_t day)
{
	int y, m, d;

	timeutil_civil_from_days(day, &y, &m, &d);
	return timeutil_days_from_civil(m == 12 ? y + 1 : y, m % 12 + 1, 1);
}

/* Add up the period's sums: its whole months from the sums kept per month,
 * the ragged ends by weeks and days (sum_days); grouped by week, all by
 * weeks and days. */
static enum app_err sum_period(struct stats *s)
{
	struct stats_filter f = s->f;
	int64_t from = s->f.from_day, to = s->f.to_day, first, after;
	enum app_err err;
	int y, m, d;

	if (s->group == G_WEEK)
		return sum_days(s, from, to);
	timeutil_civil_from_days(from, &y, &m, &d);
	first = d == 1 ? from : next_month(from);	  /* the first whole month */
	/* the day after the last whole month: to's month's first day, or the
	 * day after to when to ends its month */
	timeutil_civil_from_days(to, &y, &m, &d);
	after = next_month(to) == to + 1 ? to + 1 : timeutil_days_from_civil(y, m, 1);
	if (first >= after) { /* no whole month inside: by month, each ragged month on its own
			       * (a week across their border would count in the first) */
		if (s->group == G_MONTH && next_month(from) <= to) {
			if ((err = sum_days(s, from, next_month(from) - 1)))
				return err;
			return sum_days(s, next_month(from), to);
		}
		return sum_days(s, from, to);
	}
	f.grain = GRAIN_MONTH;
	timeutil_civil_from_days(first, &y, &m, &d);
	f.from_day = (int64_t)y * 12 + m - 1;
	timeutil_civil_from_days(after - 1, &y, &m, &d);
	f.to_day = (int64_t)y * 12 + m - 1;
	if ((err = store_stats_sums(s->db, &f, on_sums, s)) || (err = sum_days(s, from, first - 1)))
		return err;
	return sum_days(s, after, to);
}

static void release(struct stats *s)
{
	for (int i = 0; i < s->nrows; i++) {
		free(s->rows[i].answers.p);
		free(s->rows[i].waited.p);
	}
	free(s->total.answers.p);
	free(s->total.waited.p);
	free(s->rows);
	free(s->units);
	free(s->held);
}

API_HANDLER(api_statistics)
{
	static const char *const allowed[] = {"from", "to", "unit_id", "clinician_id", "type_id",
					     "group_by", "format", NULL};
	struct stats s = {.app = app, .db = db, .req = req, .rep = rep};
	const char *group = params_get(req, "group_by"), *format = params_get(req, "format");
	const char *from = params_get(req, "from"), *to = params_get(req, "to");
	int64_t unit, before;
	double target;
	enum app_err err;
	int g;

	if ((err = params_only(req, rep, allowed)))
		return err;
	if (!from || strlen(from) != 10)
		return reply_fail(rep, APP_EINVAL, "from", "'from' is a date (YYYY-MM-DD)");
	if (!to || strlen(to) != 10)
		return reply_fail(rep, APP_EINVAL, "to", "'to' is a date (YYYY-MM-DD)");
	if ((err = params_time(req, rep, "from", false, &s.from_t)) ||
	    (err = params_time(req, rep, "to", true, &s.to_t)) ||
	    (err = params_id(req, rep, "unit_id", &s.f.unit_id)) ||
	    (err = params_id(req, rep, "clinician_id", &s.f.clinician_id)) ||
	    (err = params_id(req, rep, "type_id", &s.f.type_id)))
		return err;
	for (g = 0; g < G_N && group && strcmp(group, group_names[g]); g++)
		;
	if (g == G_N)
		return reply_fail(rep, APP_EINVAL, "group_by",
				  "'group_by' is month, week, unit, clinician, type or age_band");
	s.group = group ? (enum group)g : G_MONTH;
	if (format && strcmp(format, "json") && strcmp(format, "csv"))
		return reply_fail(rep, APP_EINVAL, "format", "'format' is json or csv");
	s.f.from_day = stats_local_day(s.from_t);
	s.f.to_day = stats_local_day(s.to_t - 1);
	if (s.f.to_day < s.f.from_day)
		return reply_fail(rep, APP_EINVAL, "to", "'to' is before 'from'");
	if (s.f.to_day - s.f.from_day >= MAX_DAYS)
		return reply_fail(rep, APP_EINVAL, "to", "at most %d days at a time", MAX_DAYS);
	s.f.dim = group_dims[s.group];
	s.f.nunits = req->who.nunits;
	s.f.units = req->who.unit_ids;
	s.manager = req->who.role == ROLE_MANAGER;
	s.total.end = s.to_t < req->now ? s.to_t : req->now;
	s.total.target = -1;

	if ((err = store_stats_units(db, collect_unit, &s)) || s.failed)
		goto out;
	if ((s.f.unit_id && (err = check_named(&s, DIM_UNIT, "unit_id", s.f.unit_id, &unit))) ||
	    (s.f.clinician_id &&
	     (err = check_named(&s, DIM_CLINICIAN, "clinician_id", s.f.clinician_id, &unit))) ||
	    (s.f.type_id && (err = check_named(&s, DIM_TYPE, "type_id", s.f.type_id, &unit))))
		goto out;
	/* a named clinician or type is one unit's: its target and round trip */
	if (!s.f.unit_id && (s.f.clinician_id || s.f.type_id) && unit > 0)
		s.target_unit = unit;
	make_rows(&s);
	/* a group's waiting list is read at its end, never in the future */
	for (int i = 0; i < s.nrows; i++)
		if (s.rows[i].end > req->now)
			s.rows[i].end = req->now;
	if (s.failed)
		goto out;
	if (!(s.held = calloc((size_t)s.nunits + 1, sizeof(*s.held)))) {
		err = APP_ENOMEM;
		goto out;
	}
	before = s.total.end;
	if ((err = sum_period(&s)) ||
	    (err = store_stats_answers(db, &s.f, on_answers, &s)) ||
	    (err = store_stats_waiting(db, &s.f, s.from_t, before, on_waiting, &s)))
		goto out;
	if (s.failed)
		goto out;
	name_rows(&s);
	target = scope_target(&s);
	s.csv = format && !strcmp(format, "csv");
	if (s.csv) {
		buf_puts(&rep->body, csv_header);
		for (int i = 0; i < s.nrows; i++)
			write_csv_row(&s, &rep->body, &s.rows[i], false);
		write_csv_row(&s, &rep->body, &s.total, true);
		rep->content_type = "text/csv; charset=utf-8";
	} else {
		write_json(&s, &rep->body, target);
	}
	rep->status = 200;
out:
	if (!err && s.failed)
		err = APP_ENOMEM;
	release(&s);
	return err;
}
