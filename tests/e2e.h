/*
 * e2e.h - end-to-end test helpers: the real timebok binary on a loopback
 * port it picks itself (127.0.0.1:0, read back from --port-file), and a
 * small raw-socket HTTP/1.1 client that can also send malformed requests.
 */
#ifndef TIMEBOK_TEST_E2E_H
#define TIMEBOK_TEST_E2E_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A staff session: the cookie and the CSRF token to send with it. */
struct session {
	char cookie[256];
	char csrf[64];
};

#define E2E_ADMIN "admin"
#define E2E_PASSWORD "correct horse battery staple"

struct server {
	pid_t pid;
	int port;
	struct session admin; /* logged in by e2e_start */
	char dir[256]; /* a fresh temporary folder: database, log, port file */
	char db[300];
	char log[300];
};

struct resp {
	int status;
	char *raw;     /* the whole response */
	char *body;    /* points into raw */
	size_t body_len;
	json_t *json;  /* parsed body, or NULL */
};

/* Start timebok with a fresh database in a new temporary folder (or in
 * reuse_dir when not NULL); extra is a NULL-terminated list of arguments.
 * A fresh database first gets the admin account E2E_ADMIN (through the
 * "timebok user add" command), except with --demo, which makes its own
 * admin (password DEMO_PASSWORD) and refuses a database that already has
 * accounts; the admin is logged in, and that session becomes the one
 * e2e_request uses.  With TIMEBOK_VALGRIND set in the
 * environment the server runs under valgrind memcheck, and any error or
 * leak makes it exit 99 (which e2e_stop returns). */
void e2e_start(struct server *s, const char *reuse_dir, const char *const *extra);
/* Log in; false when the answer is not 200 (status in *status). */
bool e2e_login(int port, const char *user, const char *password, struct session *out,
	       int *status);
/* The session e2e_request sends (NULL: none). */
void e2e_use(const struct session *s);
/* Run "timebok user ..." with stdin_text on standard input; exit status. */
int e2e_cli(const char *args, const char *stdin_text);
/* SIGTERM and wait; returns the exit status. */
int e2e_stop(struct server *s);
/* SIGKILL and wait. */
void e2e_kill(struct server *s);
/* Seconds on the monotonic clock. */
double e2e_now_s(void);

#define E2E_TOKEN_LEN 43
/* Invite appointment id (POST .../invitations as the current session, 201)
 * and put its patient link's token in token. */
void e2e_invite(int port, long long id, char token[E2E_TOKEN_LEN + 1]);

/* Appointment id's messages (GET .../messages on port) once at least one
 * exists and none is queued any more; the test fails after 20 s. */
json_t *e2e_settled(int port, long long id);

/* The status of opening the patient or guest link token (GET
 * /api/v1/invite/{token}, no session). */
int e2e_link_status(int port, const char *token);

/* Write a day of many small open pieces straight into the database at
 * db_path (the server stopped): for each of the n clinicians, 199 extra
 * hours from local midnight t0 separated by 1-second gaps and a 1-second
 * absence in each, at moments 13 s apart from one clinician to the next so
 * that no two cut at the same second; plus one extra hour [w0, w1) where
 * nobody has a gap or an absence.  30 clinicians have 11,370 common free
 * pieces that day, one of which holds [w0, w1). */
void e2e_islands(const char *db_path, const long long *clinicians, int n, long long t0,
		 long long w0, long long w1);

/* The previous release's database as SQL text (schema and synthetic data;
 * tests/fixtures/make-release-fixture.sh), and its schema level. */
#define E2E_RELEASE_FIXTURE TIMEBOK_SOURCE_DIR "/tests/fixtures/release-0011.sql"
#define E2E_RELEASE_LEVEL 11

/* The database file db made from the SQL text in sql_file (a fixture in
 * tests/fixtures, e.g. a release's schema with data); fails the test when
 * it does not load. */
void e2e_load_sql(const char *sql_file, const char *db);

/* The database file at path, read-only, waiting up to 5 s for a lock; the
 * caller closes it. */
sqlite3 *e2e_open_ro(const char *path);
/* One integer from sql on the database file at path (read-only); -1 when
 * there is no row. */
long long e2e_sql_int(const char *path, const char *sql);

/* Remove the temporary folder. */
void e2e_cleanup(struct server *s);

/* Send one request (Connection: close).  headers: extra header lines, each
 * ending in \r\n, or NULL.  A body gets Content-Type: application/json
 * unless headers name one.  Returns false when the connection failed. */
bool e2e_request(int port, const char *method, const char *path, const char *headers,
		 const char *body, struct resp *r);
/* The same as the session s (NULL: anonymous). */
bool e2e_request_as(int port, const struct session *s, const char *method, const char *path,
		    const char *headers, const char *body, struct resp *r);
/* Send raw bytes and read the answer (for malformed requests). */
bool e2e_raw(int port, const char *bytes, size_t len, struct resp *r);
/* The same from source address src (a loopback address such as
 * "127.0.0.2"; NULL: any). */
bool e2e_raw_from(const char *src, int port, const char *bytes, size_t len, struct resp *r);
void e2e_resp_free(struct resp *r);
/* The value of header name in r (case-insensitive) copied to out, or NULL. */
const char *e2e_header(const struct resp *r, const char *name, char *out, size_t cap);

/* A request that must answer status; returns the parsed JSON body (owned by
 * the caller, may be NULL for empty bodies).  Fails the test otherwise. */
json_t *e2e_json(int port, const char *method, const char *path, const char *body, int status);

/* The target of r's Link rel="next" (a path and query) in out, or NULL
 * when r has none. */
const char *e2e_link_next(const struct resp *r, char *out, size_t cap);

/* The value of the counter name on /metrics (asserted: it is there). */
long e2e_metric(int port, const char *name);

/* Whether the error body of r has the contract's shape with code (and, when
 * field is not NULL, that field). */
bool e2e_is_error(const struct resp *r, const char *code, const char *field);

/* Create a unit, a clinician, a patient; return their ids. */
long long e2e_make(int port, const char *what, const char *json);

/* How many entries of patient p's audit log (read as the admin) have
 * action. */
int e2e_audited(int port, long long p, const char *action);

#endif
