/*
 * api_waiting.c - offering a freed slot to the waiting list.
 *
 * GET /appointments/{id}/waiting-list answers the waiting patients that
 * appointment's slot suits (its type, its clinicians, on or after their
 * earliest day), urgent first and then the longest waiting: what the
 * secretary's view offers when an appointment is cancelled.  Booking one
 * is POST /appointments with "waiting_id" (api_appointments.c), which marks
 * the entry booked in the same transaction.  The list itself is a directory
 * resource (resources_waiting); an entry is its consultation type's unit's,
 * and a unit-limited secretary is offered only its units' entries.
 */
#include "api.h"
#include "app.h"
#include "audit.h"
#include "params.h"
#include "store_appointments.h"
#include "store_waiting.h"
#include "timeutil.h"

#define OFFERS_MAX 100

struct offer_ctx {
	struct app *app;
	const struct req *req;
	struct buf *b;
	int64_t appointment_id;
	int n;
};

static bool offer_row(void *vctx, const struct waiting_offer *w)
{
	struct offer_ctx *c = vctx;
	char t[TIMEUTIL_INSTANT_LEN];

	buf_json_kint(c->b, c->n++ ? ",{" : "{", "id", w->id, false);
	buf_json_kint(c->b, ",", "patient_id", w->patient_id, false);
	buf_json_kstr(c->b, ",", "patient_name", w->patient_name);
	buf_json_kint(c->b, ",", "type_id", w->type_id, false);
	buf_json_kint(c->b, ",", "clinician_id", w->clinician_id, true);
	buf_json_kstr(c->b, ",", "priority", w->priority);
	buf_json_kstr(c->b, ",", "earliest", w->earliest[0] ? w->earliest : NULL);
	buf_json_kstr(c->b, ",", "note", w->note[0] ? w->note : NULL);
	timeutil_format(w->since, t);
	buf_json_kstr(c->b, ",", "waiting_since", t);
	buf_putc(c->b, '}');
	audit_read(c->app->audit, &c->req->who, "waiting.offer", w->patient_id, c->appointment_id,
		   c->req->now);
	return !c->b->failed;
}

API_HANDLER(api_waiting_offers)
{
	static const char *const allowed[] = {"limit", NULL};
	struct offer_ctx c = {app, req, &rep->body, 0, 0};
	struct appointment a;
	char day[11];
	int64_t limit;
	enum app_err err;

	if ((err = api_appointment_visible(db, req, rep, &a)) ||
	    (err = params_only(req, rep, allowed)) ||
	    (err = params_int(req, rep, "limit", 1, OFFERS_MAX, 20, &limit)))
		return err;
	c.appointment_id = a.id;
	timeutil_format_date(a.start, day);
	buf_putc(&rep->body, '[');
	/* a unit-limited secretary is offered the entries of its units only */
	if ((err = store_waiting_offers(db, a.type_id, a.clinician_ids, a.nclinicians,
					req->who.role == ROLE_SECRETARY ? req->who.nunits : 0,
					req->who.unit_ids, day, (int)limit, offer_row, &c)))
		return err;
	buf_putc(&rep->body, ']');
	rep->status = 200;
	return APP_OK;
}
