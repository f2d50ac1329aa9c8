/*
 * test_e2e_delivery.c - the network channels against real peers on
 * loopback: e-mail to an SMTP server (aiosmtpd, with AUTH) and SMS to an
 * HTTP gateway stand-in, both started by the test (tests/sinks/).  Each
 * first refuses once (temporary), so every message is sent on its second
 * attempt, after a retry; a permanently refused address fails at once.
 */
#define _GNU_SOURCE
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"
#include "e2e.h"

#define PYTHON "/usr/bin/python3"

static struct server srv;
static int port;
static pid_t smtp_pid, hook_pid;
static char dir[64], smtp_out[128], hook_out[128];

/* Start sink script with args; its port. */
static int start_sink(const char *script, const char *name, const char *out, const char *fail,
		      const char *user, const char *pw, pid_t *pid)
{
	char portfile[160], path[300], line[16] = "";

	snprintf(portfile, sizeof(portfile), "%s/%s.port", dir, name);
	snprintf(path, sizeof(path), "%s/tests/sinks/%s", TIMEBOK_SOURCE_DIR, script);
	mkdir(out, 0700);
	*pid = fork();
	ck_assert_int_ge(*pid, 0);
	if (*pid == 0) {
		if (!freopen("/dev/null", "w", stderr)) /* aiosmtpd's warnings about no TLS */
			_exit(127);
		execl(PYTHON, PYTHON, "-W", "ignore", path, portfile, out, fail, user, pw, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 1000; i++) {
		FILE *f = fopen(portfile, "r");
		if (f) {
			char *got = fgets(line, sizeof(line), f);
			fclose(f);
			if (got && atoi(line) > 0)
				return atoi(line);
		}
		ck_assert_msg(waitpid(*pid, NULL, WNOHANG) == 0, "%s exited at start", script);
		usleep(10000);
	}
	ck_abort_msg("%s did not start", script);
	return 0;
}

static void setup(void)
{
	char smtp_url[64], hook_url[80];
	int sp, hp;

	snprintf(dir, sizeof(dir), "/tmp/timebok-sinks-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(smtp_out, sizeof(smtp_out), "%s/mail", dir);
	snprintf(hook_out, sizeof(hook_out), "%s/sms", dir);
	sp = start_sink("smtp_sink.py", "smtp", smtp_out, "1", "timebok", "s3cret-pass", &smtp_pid);
	hp = start_sink("webhook_sink.py", "hook", hook_out, "1", NULL, NULL, &hook_pid);
	snprintf(smtp_url, sizeof(smtp_url), "smtp://127.0.0.1:%d", sp);
	snprintf(hook_url, sizeof(hook_url), "http://127.0.0.1:%d/v1/sms", hp);
	{
		const char *extra[] = {"--email-channel", "smtp", "--smtp-url", smtp_url,
				       "--smtp-tls", "none", "--smtp-user", "timebok",
				       "--smtp-password", "s3cret-pass", "--mail-from",
				       "time@sykehuset.example.no", "--sms-channel", "sms-webhook",
				       "--sms-webhook-url", hook_url, "--sms-webhook-token",
				       "gateway-token-123", "--retry-base", "1", NULL};
		e2e_start(&srv, NULL, extra);
	}
	port = srv.port;
	e2e_make(port, "clinicians", "{\"name\":\"Dr A\",\"profession\":\"lege\"}");
	e2e_make(port, "patients", "{\"name\":\"Kari\",\"phone\":\"+4791234567\","
				   "\"email\":\"kari@example.no\",\"language\":\"en\"}");
	e2e_make(port, "patients", "{\"name\":\"Ola\",\"phone\":\"+4700000000\","
				   "\"email\":\"reject-me@example.no\"}");
}

static void teardown(void)
{
	char cmd[128];

	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_cleanup(&srv);
	kill(smtp_pid, SIGTERM);
	kill(hook_pid, SIGTERM);
	waitpid(smtp_pid, NULL, 0);
	waitpid(hook_pid, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Book and invite patient's appointment; its link's token. */
static long long book_and_invite(int patient, const char *start, char token[44])
{
	char body[256];
	json_t *j;
	long long id;

	snprintf(body, sizeof(body),
		 "{\"patient_id\":%d,\"clinician_ids\":[1],\"start\":\"%s\",\"duration_minutes\":30}",
		 patient, start);
	j = e2e_json(port, "POST", "/api/v1/appointments", body, 201);
	id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	e2e_invite(port, id, token);
	return id;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = calloc(1, 256 * 1024);

	ck_assert_msg(f != NULL, "no %s", path);
	text[fread(text, 1, 256 * 1024 - 1, f)] = '\0';
	fclose(f);
	return text;
}

static const char *field(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

START_TEST(smtp_and_webhook_with_a_retry)
{
	char token[44], path[200];
	json_t *m, *v, *req, *body;
	char *mail, *hook;
	size_t k;

	book_and_invite(1, "2027-04-05T09:00:00+02:00", token);
	m = e2e_settled(port, 1);
	ck_assert_int_eq(json_array_size(m), 2);
	json_array_foreach(m, k, v) {
		ck_assert_str_eq(field(v, "status"), "sent");
		ck_assert_int_eq(json_integer_value(json_object_get(v, "attempts")), 2);
		ck_assert_str_ne(field(v, "last_error"), ""); /* the refused first attempt */
	}
	json_decref(m);
	/* the e-mail as the server got it: authenticated, with the link and .ics */
	snprintf(path, sizeof(path), "%s/1.eml", smtp_out);
	mail = slurp(path);
	ck_assert_ptr_nonnull(strstr(mail, "X-Envelope-To: kari@example.no"));
	ck_assert_ptr_nonnull(strstr(mail, "From: Poliklinikken <time@sykehuset.example.no>"));
	ck_assert_ptr_nonnull(strstr(mail, "Subject: Your appointment Monday 5 April at 09:00"));
	ck_assert_ptr_nonnull(
	    strstr(mail, "Content-Type: text/calendar; charset=utf-8; method=PUBLISH"));
	ck_assert_ptr_nonnull(strstr(mail, "Message-ID: <timebok.2."));
	free(mail);
	/* the SMS as the gateway got it: bearer token, idempotency key, link */
	snprintf(path, sizeof(path), "%s/1.json", hook_out);
	hook = slurp(path);
	req = json_loads(hook, 0, NULL);
	ck_assert_ptr_nonnull(req);
	ck_assert_str_eq(field(req, "path"), "/v1/sms");
	ck_assert_str_eq(field(json_object_get(req, "headers"), "Authorization"),
			 "Bearer gateway-token-123");
	ck_assert_str_eq(field(json_object_get(req, "headers"), "Idempotency-Key"), "timebok-1");
	body = json_loads(field(req, "body"), 0, NULL);
	ck_assert_ptr_nonnull(body);
	ck_assert_str_eq(field(body, "to"), "+4791234567");
	ck_assert_str_eq(field(body, "reference"), "timebok-1");
	ck_assert_str_eq(field(body, "sender"), "Sykehuset");
	ck_assert_ptr_nonnull(strstr(field(body, "message"), token));
	ck_assert_ptr_nonnull(strstr(field(body, "message"), "video appointment"));
	json_decref(body);
	json_decref(req);
	free(hook);
	/* the secrets stay out of the log */
	mail = slurp(srv.log);
	ck_assert_ptr_null(strstr(mail, "s3cret-pass"));
	ck_assert_ptr_null(strstr(mail, "gateway-token-123"));
	ck_assert_ptr_null(strstr(mail, "kari@example.no"));
	ck_assert_ptr_null(strstr(mail, "+4791234567"));
	ck_assert_ptr_null(strstr(mail, token));
	free(mail);
}
END_TEST

/* The channels of appointment id's failed messages in the work queue. */
static const char *failed_queue(long long id)
{
	static char out[64];
	json_t *q = e2e_json(port, "GET", "/api/v1/work-queue", NULL, 200), *v;
	size_t k, n = 0;

	out[0] = '\0';
	json_array_foreach(q, k, v) {
		json_t *a = json_object_get(v, "appointment");
		if (json_integer_value(json_object_get(a, "id")) != id ||
		    strcmp(field(v, "kind"), "message_failed"))
			continue;
		ck_assert(json_integer_value(json_object_get(v, "message_id")) > 0);
		ck_assert(strlen(field(v, "detail")) > 0);
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", n ? "," : "",
				      field(v, "channel"));
	}
	json_decref(q);
	return out;
}

/* Mark appointment id's newest failed message on channel handled. */
static int mark_handled(long long id, const char *channel)
{
	char path[128];
	long long msg = 0;
	struct resp r;
	json_t *m, *v;
	size_t k;
	int status;

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/messages", id);
	m = e2e_json(port, "GET", path, NULL, 200);
	json_array_foreach(m, k, v) if (!strcmp(field(v, "channel"), channel)) msg =
		json_integer_value(json_object_get(v, "id"));
	json_decref(m);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/messages/%lld/handled", id, msg);
	ck_assert(e2e_request(port, "POST", path, NULL, NULL, &r));
	status = r.status;
	e2e_resp_free(&r);
	return status;
}

static void invite_again(long long id)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/invitations", id);
	json_decref(e2e_json(port, "POST", path, NULL, 201));
}

START_TEST(permanent_refusals_fail_at_once)
{
	char token[44];
	json_t *m, *v;
	size_t k;

	/* the sinks' one temporary refusal goes to a first, good message */
	book_and_invite(1, "2027-04-06T09:00:00+02:00", token);
	json_decref(e2e_settled(port, 1));
	book_and_invite(2, "2027-04-06T10:00:00+02:00", token);
	m = e2e_settled(port, 2);
	ck_assert_int_eq(json_array_size(m), 2);
	json_array_foreach(m, k, v) {
		ck_assert_str_eq(field(v, "status"), "failed");
		ck_assert_int_eq(json_integer_value(json_object_get(v, "attempts")), 1);
	}
	ck_assert_ptr_nonnull(strstr(field(json_array_get(m, 0), "last_error"), "400"));
	ck_assert_ptr_nonnull(strstr(field(json_array_get(m, 1), "last_error"), "550"));
	json_decref(m);
	/* both wait in the work queue until handled or followed by another */
	ck_assert_str_eq(failed_queue(2), "sms,email");
	ck_assert_int_eq(mark_handled(2, "email"), 204);
	ck_assert_int_eq(mark_handled(2, "email"), 204); /* again: no change */
	ck_assert_str_eq(failed_queue(2), "sms");
	m = e2e_json(port, "GET", "/api/v1/audit?patient_id=2", NULL, 200);
	{
		int handled = 0;
		json_array_foreach(m, k, v) handled += !strcmp(field(v, "action"), "message.handled");
		ck_assert_int_eq(handled, 1); /* the second mark changed nothing */
	}
	json_decref(m);
	invite_again(2); /* fails again: the new SMS stands for both */
	json_decref(e2e_settled(port, 2));
	ck_assert_str_eq(failed_queue(2), "sms,email");
	m = e2e_json(port, "GET", "/api/v1/appointments/2/messages", NULL, 200);
	ck_assert_str_eq(field(json_array_get(m, 1), "handled_by"), "admin");
	ck_assert(json_is_string(json_object_get(json_array_get(m, 1), "last_attempt_at")));
	ck_assert(json_is_null(json_object_get(json_array_get(m, 2), "handled_by")));
	json_decref(m);
}
END_TEST

/* Every file the sink in folder out recorded, appended to one text. */
static char *all_recorded(const char *out, const char *suffix)
{
	size_t cap = 1 << 20, n = 0;
	char *all = calloc(1, cap), path[256];

	ck_assert_ptr_nonnull(all);
	for (int i = 1; i < 100; i++) {
		char *one;
		snprintf(path, sizeof(path), "%s/%d.%s", out, i, suffix);
		if (access(path, F_OK) != 0)
			break;
		one = slurp(path);
		n += (size_t)snprintf(all + n, cap - n, "%s\n", one);
		free(one);
	}
	return all;
}

/* The message to to among messages m (NULL: none). */
static json_t *message_to(json_t *m, const char *to)
{
	json_t *v;
	size_t k;

	json_array_foreach(m, k, v) if (!strcmp(field(v, "to"), to)) return v;
	return NULL;
}

static void assert_dropped(json_t *v, const char *why)
{
	ck_assert_msg(v != NULL, "no such message");
	ck_assert_str_eq(field(v, "status"), "failed");
	ck_assert_str_eq(field(v, "handled_by"), "timebok");
	ck_assert_msg(strstr(field(v, "last_error"), why) != NULL, "%s", field(v, "last_error"));
}

/* Issue 18: a queued message fills {link} with the link it was made with,
 * never the participant's newest.  Kari's invitation is refused once and
 * waits a second for its retry; meanwhile the secretary corrects the
 * appointment's patient to Nils and invites him.  Before, Kari's retry went
 * to Kari's phone carrying Nils's live link. */
START_TEST(a_replaced_patient_never_gets_the_next_ones_link)
{
	char kari[44], nils[44];
	char *sms, *mail;
	json_t *m;
	long long id;

	e2e_make(port, "patients", "{\"name\":\"Nils\",\"phone\":\"+4791111111\"}");
	id = book_and_invite(1, "2027-04-08T09:00:00+02:00", kari);
	json_decref(e2e_json(port, "PATCH", "/api/v1/appointments/1", "{\"patient_id\":3}", 200));
	e2e_invite(port, id, nils);
	m = e2e_settled(port, id);
	assert_dropped(message_to(m, "+4791234567"), "not sent");
	assert_dropped(message_to(m, "kari@example.no"), "not sent");
	ck_assert_str_eq(field(message_to(m, "+4791111111"), "status"), "sent");
	json_decref(m);
	sms = all_recorded(hook_out, "json");
	mail = all_recorded(smtp_out, "eml");
	/* Nils got his link; nothing went to Kari after the change, and no
	 * message anywhere carries Nils's link but his own */
	ck_assert_ptr_nonnull(strstr(sms, nils));
	ck_assert_ptr_null(strstr(sms, "+4791234567"));
	ck_assert_ptr_null(strstr(mail, nils));
	ck_assert_ptr_null(strstr(mail, "kari@example.no"));
	free(sms);
	free(mail);
	/* the dropped messages wait for nobody in the work queue */
	ck_assert_str_eq(failed_queue(id), "");
	/* Kari's link is dead, Nils's opens */
	ck_assert_int_eq(e2e_link_status(port, kari), 404);
	ck_assert_int_eq(e2e_link_status(port, nils), 200);
}
END_TEST

/* A removed guest's queued invitation is dropped, not sent later: the
 * sinks refuse the first message once, so the guest's waits a second for
 * its retry, and the guest is removed meanwhile. */
/* Add the guest described by json to appointment id and invite them; the
 * guest's participant id. */
static long long invited_guest(long long id, const char *json)
{
	char path[160];
	long long pid;
	json_t *g;

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/participants", id);
	g = e2e_json(port, "POST", path, json, 201);
	pid = json_integer_value(json_object_get(g, "id"));
	json_decref(g);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/participants/%lld/invitations", id,
		 pid);
	json_decref(e2e_json(port, "POST", path, NULL, 201));
	return pid;
}

START_TEST(a_removed_guest_gets_nothing_more)
{
	char path[160], *sms;
	long long id, pid;
	json_t *m;

	m = e2e_json(port, "POST", "/api/v1/appointments",
		     "{\"patient_id\":1,\"clinician_ids\":[1],"
		     "\"start\":\"2027-04-09T09:00:00+02:00\",\"duration_minutes\":30}",
		     201);
	id = json_integer_value(json_object_get(m, "id"));
	json_decref(m);
	pid = invited_guest(id, "{\"name\":\"Tolk T\",\"role\":\"interpreter\","
				"\"interpreter_language\":\"pl\",\"phone\":\"+4792222222\"}");
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/participants/%lld", id, pid);
	json_decref(e2e_json(port, "DELETE", path, NULL, 204));
	m = e2e_settled(port, id);
	assert_dropped(message_to(m, "+4792222222"), "not sent");
	json_decref(m);
	sms = all_recorded(hook_out, "json");
	ck_assert_ptr_null(strstr(sms, "+4792222222"));
	free(sms);
}
END_TEST

/* The SMTP sink's URL (the fixture started it). */
static void sink_url(char out[64])
{
	char portfile[160], line[16] = "";
	FILE *f;

	snprintf(portfile, sizeof(portfile), "%s/smtp.port", dir);
	f = fopen(portfile, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	fclose(f);
	snprintf(out, 64, "smtp://127.0.0.1:%d", atoi(line));
}

/* GET path (no session) and save its body to <into>/<name>.ics and its
 * Content-Type to <into>/<name>.type, for tests/standards_check.py. */
static void save_calendar(int at, const char *path, const char *into, const char *name)
{
	char file[300], ct[128] = "";
	struct resp r;
	FILE *f;

	ck_assert(e2e_request_as(at, NULL, "GET", path, NULL, NULL, &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(e2e_header(&r, "Content-Type", ct, sizeof(ct)));
	snprintf(file, sizeof(file), "%s/%s.ics", into, name);
	ck_assert_ptr_nonnull(f = fopen(file, "w"));
	ck_assert_uint_eq(fwrite(r.body, 1, r.body_len, f), r.body_len);
	fclose(f);
	snprintf(file, sizeof(file), "%s/%s.type", into, name);
	ck_assert_ptr_nonnull(f = fopen(file, "w"));
	fprintf(f, "%s\n", ct);
	fclose(f);
	e2e_resp_free(&r);
}

#define LONG_CLINIC                                                                                \
	"Poliklinikk for øre-nese-hals og hørsel, Sørlandet sykehus HF, Kristiansand – "      \
	"avdeling for barn og unge"

/* RFC 5545 (folding after the link is in, METHOD and its ATTENDEE rule,
 * method= in Content-Type), RFC 2047 and RFC 5322 (encoded-words of at
 * most 75 characters, header lines of at most 78), checked by outside
 * parsers (tests/standards_check.py: Python's email package and
 * python3-icalendar) on every mail the SMTP server got, the link's .ics
 * and a clinician's feed: a long clinic name and Norwegian subjects of
 * more than 45 bytes (the guest's invitation, the cancellation). */
START_TEST(mail_and_calendars_meet_the_standards)
{
	char smtp_url[64], token[44], path[200], ics_dir[160], cmd[1400], *at;
	int keep = port;
	struct server std;
	json_t *m, *v, *feed;
	long long id;
	size_t k, n, longest = 0;

	sink_url(smtp_url);
	{
		const char *extra[] = {"--email-channel",
				       "smtp",
				       "--smtp-url",
				       smtp_url,
				       "--smtp-tls",
				       "none",
				       "--smtp-user",
				       "timebok",
				       "--smtp-password",
				       "s3cret-pass",
				       "--mail-from",
				       "time@sykehuset.example.no",
				       "--clinic-name",
				       LONG_CLINIC,
				       "--retry-base",
				       "1",
				       NULL};
		e2e_start(&std, NULL, extra);
	}
	port = std.port; /* book_and_invite() and the checks below ask this server */
	e2e_make(port, "clinicians", "{\"name\":\"Dr Øystein Ærø\",\"profession\":\"lege\"}");
	e2e_make(port, "patients",
		 "{\"name\":\"Kåre Æsøy\",\"phone\":\"+4791234567\","
		 "\"email\":\"kare@example.no\",\"language\":\"nb\"}");
	id = book_and_invite(1, "2027-04-10T09:00:00+02:00", token); /* a Saturday: lørdag */
	invited_guest(id, "{\"name\":\"Fastlege Åse Ødegård\",\"role\":\"gp\","
			  "\"email\":\"ase@example.no\",\"language\":\"nb\"}");
	json_decref(e2e_settled(port, id));
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	json_decref(e2e_json(port, "DELETE", path, NULL, 200)); /* "cancelled" to both */
	/* the link's .ics (before: no method= in its Content-Type) and the feed */
	snprintf(ics_dir, sizeof(ics_dir), "%s/ics", dir);
	ck_assert_int_eq(mkdir(ics_dir, 0700), 0);
	snprintf(path, sizeof(path), "/api/v1/invite/%s/calendar.ics", token);
	save_calendar(port, path, ics_dir, "invite");
	feed = e2e_json(port, "POST", "/api/v1/clinicians/1/calendar-feed", NULL, 201);
	at = strstr(json_string_value(json_object_get(feed, "url")), "/api/");
	ck_assert_ptr_nonnull(at);
	save_calendar(port, at, ics_dir, "feed");
	json_decref(feed);
	for (int i = 0; i < 1500; i++) { /* four e-mails, all sent */
		m = e2e_settled(port, id);
		if (json_array_size(m) >= 6)
			break;
		json_decref(m);
		m = NULL;
		usleep(10000);
	}
	ck_assert_ptr_nonnull(m);
	n = (size_t)snprintf(cmd, sizeof(cmd), "%s %s/tests/standards_check.py '%s' '%s' '%s'",
			     PYTHON, TIMEBOK_SOURCE_DIR, smtp_out, ics_dir, LONG_CLINIC);
	json_array_foreach(m, k, v)
	{
		if (strcmp(field(v, "channel"), "email"))
			continue;
		ck_assert_str_eq(field(v, "status"), "sent");
		longest =
		    strlen(field(v, "subject")) > longest ? strlen(field(v, "subject")) : longest;
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " '%s'", field(v, "subject"));
	}
	ck_assert_uint_lt(n, sizeof(cmd));
	ck_assert_uint_gt(longest, 45); /* more than one encoded-word */
	json_decref(m);
	ck_assert_msg(system(cmd) == 0, "tests/standards_check.py found problems (above)");
	port = keep;
	e2e_use(&srv.admin);
	ck_assert_int_eq(e2e_stop(&std), 0);
	e2e_cleanup(&std);
}
END_TEST

START_TEST(starttls_is_required_by_default)
{
	struct server plain;
	char smtp_url[64], path[200];
	json_t *m, *mail;

	/* the same sink, which offers no STARTTLS, with the default --smtp-tls */
	sink_url(smtp_url);
	{
		const char *extra[] = {"--email-channel", "smtp", "--smtp-url", smtp_url,
				       "--smtp-user", "timebok", "--smtp-password", "s3cret-pass",
				       "--retry-base", "60", NULL};
		e2e_start(&plain, NULL, extra);
	}
	e2e_make(plain.port, "clinicians", "{\"name\":\"Dr A\",\"profession\":\"lege\"}");
	e2e_make(plain.port, "patients", "{\"name\":\"Kari\",\"email\":\"kari@example.no\"}");
	json_decref(e2e_json(plain.port, "POST", "/api/v1/appointments",
			     "{\"patient_id\":1,\"clinician_ids\":[1],"
			     "\"start\":\"2027-04-07T09:00:00+02:00\",\"duration_minutes\":30}",
			     201));
	json_decref(e2e_json(plain.port, "POST", "/api/v1/appointments/1/invitations", NULL, 201));
	for (int i = 0; i < 1000; i++) {
		m = e2e_json(plain.port, "GET", "/api/v1/appointments/1/messages", NULL, 200);
		mail = json_array_get(m, 0);
		if (json_integer_value(json_object_get(mail, "attempts")) >= 1 &&
		    json_is_string(json_object_get(mail, "last_error")))
			break;
		json_decref(m);
		m = NULL;
		usleep(10000);
	}
	ck_assert_msg(m != NULL, "no attempt was made");
	/* refused before anything was sent in clear; queued for a retry */
	ck_assert_str_eq(field(mail, "status"), "queued");
	ck_assert_msg(strstr(field(mail, "last_error"), "SSL") != NULL, "%s",
		      field(mail, "last_error"));
	json_decref(m);
	snprintf(path, sizeof(path), "%s/1.eml", smtp_out);
	ck_assert_int_ne(access(path, F_OK), 0);
	ck_assert_int_eq(e2e_stop(&plain), 0);
	e2e_cleanup(&plain);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_delivery");
	TCase *tc = tcase_create("delivery");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, smtp_and_webhook_with_a_retry);
	tcase_add_test(tc, permanent_refusals_fail_at_once);
	tcase_add_test(tc, starttls_is_required_by_default);
	tcase_add_test(tc, a_replaced_patient_never_gets_the_next_ones_link);
	tcase_add_test(tc, a_removed_guest_gets_nothing_more);
	tcase_add_test(tc, mail_and_calendars_meet_the_standards);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
