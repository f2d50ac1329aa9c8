/*
 * e2e.c - see e2e.h.
 */
#define _GNU_SOURCE
#include "e2e.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "demo.h"

double e2e_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void e2e_start(struct server *s, const char *reuse_dir, const char *const *extra)
{
	char portfile[320], port[16];
	const char *argv[64];
	int n = 0;
	double deadline;

	char reuse[256] = "";
	bool demo = false;

	if (reuse_dir) /* may point into *s */
		snprintf(reuse, sizeof(reuse), "%s", reuse_dir);
	memset(s, 0, sizeof(*s));
	if (reuse_dir) {
		snprintf(s->dir, sizeof(s->dir), "%s", reuse);
	} else {
		snprintf(s->dir, sizeof(s->dir), "/tmp/timebok-test-XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(s->dir));
	}
	snprintf(s->db, sizeof(s->db), "%s/t.db", s->dir);
	snprintf(s->log, sizeof(s->log), "%s/server.log", s->dir);
	snprintf(portfile, sizeof(portfile), "%s/port", s->dir);
	unlink(portfile);
	if (getenv("TIMEBOK_VALGRIND")) { /* the server under memcheck (tests/valgrind.sh) */
		argv[n++] = "/usr/bin/valgrind";
		argv[n++] = "--quiet";
		argv[n++] = "--error-exitcode=99";
		argv[n++] = "--leak-check=full";
		argv[n++] = "--show-leak-kinds=definite,indirect,possible";
		argv[n++] = "--errors-for-leak-kinds=definite,indirect,possible";
	}
	argv[n++] = TIMEBOK_BIN;
	argv[n++] = "--db";
	argv[n++] = s->db;
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	argv[n++] = "--port-file";
	argv[n++] = portfile;
	argv[n++] = "--static-dir";
	argv[n++] = TIMEBOK_STATIC;
	argv[n++] = "--threads";
	argv[n++] = "4";
	argv[n++] = "--password-cost";
	argv[n++] = "min";
	for (; extra && *extra && n < 62; extra++) {
		demo |= !strcmp(*extra, "--demo");
		argv[n++] = *extra;
	}
	argv[n] = NULL;
	/* --demo refuses a database with accounts and no demo data (a real
	 * install): its own admin, with the demo's password, is the one used */
	if (!reuse_dir && !demo) {
		char args[400];
		snprintf(args, sizeof(args),
			 "add --db %s --username " E2E_ADMIN " --role admin --password-cost min",
			 s->db);
		ck_assert_int_eq(e2e_cli(args, E2E_PASSWORD "\n"), 0);
	}
	s->pid = fork();
	ck_assert_int_ge(s->pid, 0);
	if (s->pid == 0) {
		int fd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	/* --demo hashes its accounts' passwords with argon2id first (64 MiB each): under
	 * a sanitizer on a loaded 2-core CI machine that once took over 20 s */
	deadline = e2e_now_s() + 90;
	while (e2e_now_s() < deadline) {
		FILE *f = fopen(portfile, "r");
		if (f) {
			if (fgets(port, sizeof(port), f))
				s->port = atoi(port);
			fclose(f);
			if (s->port > 0)
				break;
		}
		if (waitpid(s->pid, NULL, WNOHANG) == s->pid)
			ck_abort_msg("timebok exited at start; see %s", s->log);
		usleep(5000);
	}
	ck_assert_msg(s->port > 0, "timebok did not start in time; see %s", s->log);
	{
		int status;
		ck_assert_msg(e2e_login(s->port, E2E_ADMIN, demo ? DEMO_PASSWORD : E2E_PASSWORD,
					&s->admin, &status),
			      "admin login: %d", status);
		e2e_use(&s->admin);
	}
}

static const struct session *current;

void e2e_use(const struct session *s)
{
	current = s;
}

int e2e_cli(const char *args, const char *stdin_text)
{
	char cmd[1024];
	FILE *p;
	int rc;

	snprintf(cmd, sizeof(cmd), "%s user %s >/dev/null 2>&1", TIMEBOK_BIN, args);
	p = popen(cmd, "w");
	ck_assert_ptr_nonnull(p);
	if (stdin_text)
		fputs(stdin_text, p);
	rc = pclose(p);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

bool e2e_login(int port, const char *user, const char *password, struct session *out,
	       int *status)
{
	char body[512], cookie[200];
	struct resp r;
	json_t *csrf;
	bool ok;

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", user,
		 password);
	memset(out, 0, sizeof(*out));
	if (!e2e_request_as(port, NULL, "POST", "/api/v1/session", NULL, body, &r))
		return false;
	*status = r.status;
	csrf = json_object_get(r.json, "csrf_token");
	ok = r.status == 200 && json_is_string(csrf) &&
	     e2e_header(&r, "Set-Cookie", cookie, sizeof(cookie));
	if (ok) {
		cookie[strcspn(cookie, ";")] = '\0';
		snprintf(out->cookie, sizeof(out->cookie), "%s", cookie);
		snprintf(out->csrf, sizeof(out->csrf), "%s", json_string_value(csrf));
	}
	e2e_resp_free(&r);
	return ok;
}

int e2e_stop(struct server *s)
{
	int status = 0;

	if (s->pid <= 0)
		return -1;
	kill(s->pid, SIGTERM);
	waitpid(s->pid, &status, 0);
	s->pid = 0;
	/* a server that did not end well: what it said (a sanitizer's report) */
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "tail -n 80 '%s' >&2", s->log);
		if (system(cmd) != 0)
			fprintf(stderr, "no log at %s\n", s->log);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void e2e_kill(struct server *s)
{
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGKILL);
	waitpid(s->pid, NULL, 0);
	s->pid = 0;
}

void e2e_load_sql(const char *sql_file, const char *db)
{
	FILE *f = fopen(sql_file, "rb");
	char *sql, *msg = NULL;
	sqlite3 *d;
	long n;

	ck_assert_msg(f != NULL, "cannot read %s", sql_file);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	ck_assert_ptr_nonnull(sql = calloc(1, (size_t)n + 1));
	ck_assert_int_eq(fread(sql, 1, (size_t)n, f), n);
	fclose(f);
	ck_assert_int_eq(sqlite3_open(db, &d), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(d, sql, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", sql_file, msg);
	sqlite3_close(d);
	free(sql);
}

sqlite3 *e2e_open_ro(const char *path)
{
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

long long e2e_sql_int(const char *path, const char *sql)
{
	sqlite3 *db = e2e_open_ro(path);
	sqlite3_stmt *st;
	long long v = -1;

	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
		      sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

void e2e_cleanup(struct server *s)
{
	char cmd[400];

	if (s->dir[0] && strncmp(s->dir, "/tmp/timebok-test-", 18) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", s->dir);
	}
}

/* A connection to 127.0.0.1:port, from source address src (NULL: any). */
static int connect_to(const char *src, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	struct sockaddr_in me = {.sin_family = AF_INET};
	struct timeval tv = {.tv_sec = 30};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	if (src && (inet_pton(AF_INET, src, &me.sin_addr) != 1 ||
		    bind(fd, (struct sockaddr *)&me, sizeof(me)) != 0)) {
		close(fd);
		return -1;
	}
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static bool read_answer(int fd, struct resp *r)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap), *sep;
	ssize_t got;

	memset(r, 0, sizeof(*r));
	while ((got = recv(fd, buf + len, cap - len - 1, 0)) > 0) {
		len += (size_t)got;
		if (len + 1 == cap) {
			char *more = realloc(buf, cap *= 2);
			ck_assert_ptr_nonnull(more);
			buf = more;
		}
	}
	buf[len] = '\0';
	r->raw = buf;
	if (len < 12 || sscanf(buf, "HTTP/1.%*d %d", &r->status) != 1)
		return false;
	sep = strstr(buf, "\r\n\r\n");
	r->body = sep ? sep + 4 : buf + len;
	r->body_len = (size_t)(buf + len - r->body);
	if (r->body_len)
		r->json = json_loadb(r->body, r->body_len, 0, NULL);
	return true;
}

/* With TIMEBOK_RECORD_DIR set, append one JSON line per answer to
 * <dir>/<pid>.jsonl: {method, path, status, content_type, body} (the body
 * parsed when it is JSON, else its text), for tests/openapi/validate.mjs.
 * The method and path come from the request line of bytes; a request with
 * none that reads as one (deliberately malformed) is not recorded. */
static void record(const char *bytes, size_t len, const struct resp *r)
{
	const char *dir = getenv("TIMEBOK_RECORD_DIR");
	size_t m = 0, t;
	char file[512], ct[256], method[16], *path;
	json_t *line, *body;
	char *text;
	int fd;

	if (!dir || !*dir || !r->raw)
		return;
	while (m < len && m + 1 < sizeof(method) && bytes[m] >= 'A' && bytes[m] <= 'Z')
		m++;
	if (!m || m >= len || bytes[m] != ' ' || m + 1 >= len || bytes[m + 1] != '/')
		return;
	memcpy(method, bytes, m);
	method[m] = '\0';
	for (t = m + 1; t < len && bytes[t] != ' ' && bytes[t] != '\r' && bytes[t] != '\n'; t++)
		;
	if (!(path = strndup(bytes + m + 1, t - m - 1)))
		return;
	body = r->json ? json_incref(r->json) : json_stringn(r->body, r->body_len);
	line = json_pack("{s:s, s:s, s:i, s:s?, s:o?}", "method", method, "path", path, "status",
			 r->status, "content_type", e2e_header(r, "Content-Type", ct, sizeof(ct)),
			 "body", r->body_len ? body : NULL);
	if (!r->body_len)
		json_decref(body);
	text = line ? json_dumps(line, JSON_COMPACT) : NULL;
	snprintf(file, sizeof(file), "%s/%ld.jsonl", dir, (long)getpid());
	fd = text ? open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600) : -1;
	if (fd >= 0) {
		size_t n = strlen(text);
		text[n] = '\n'; /* replaces the NUL: one write, one line */
		if (write(fd, text, n + 1) != (ssize_t)(n + 1))
			fprintf(stderr, "e2e: could not record to %s\n", file);
		close(fd);
	}
	free(text);
	free(path);
	json_decref(line);
}

bool e2e_raw(int port, const char *bytes, size_t len, struct resp *r)
{
	return e2e_raw_from(NULL, port, bytes, len, r);
}

bool e2e_raw_from(const char *src, int port, const char *bytes, size_t len, struct resp *r)
{
	int fd = connect_to(src, port);
	bool ok;

	memset(r, 0, sizeof(*r));
	if (fd < 0)
		return false;
	send_all(fd, bytes, len); /* the server may close early: read anyway */
	ok = read_answer(fd, r);
	close(fd);
	if (ok)
		record(bytes, len, r);
	return ok;
}

bool e2e_request(int port, const char *method, const char *path, const char *headers,
		 const char *body, struct resp *r)
{
	return e2e_request_as(port, current, method, path, headers, body, r);
}

bool e2e_request_as(int port, const struct session *s, const char *method, const char *path,
		    const char *headers, const char *body, struct resp *r)
{
	size_t blen = body ? strlen(body) : 0;
	size_t cap = strlen(path) + (headers ? strlen(headers) : 0) + blen + 768;
	char *req = malloc(cap);
	bool has_ct = headers && strcasestr(headers, "content-type:");
	int n;
	bool ok;

	n = snprintf(req, cap, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n%s",
		     method, path, port, headers ? headers : "");
	if (s && s->cookie[0])
		n += snprintf(req + n, cap - (size_t)n, "Cookie: %s\r\nX-CSRF-Token: %s\r\n",
			      s->cookie, s->csrf);
	if (body)
		n += snprintf(req + n, cap - (size_t)n, "%sContent-Length: %zu\r\n",
			      has_ct ? "" : "Content-Type: application/json\r\n", blen);
	n += snprintf(req + n, cap - (size_t)n, "\r\n");
	if (body)
		memcpy(req + n, body, blen);
	ok = e2e_raw(port, req, (size_t)n + blen, r);
	free(req);
	return ok;
}

void e2e_resp_free(struct resp *r)
{
	json_decref(r->json);
	free(r->raw);
	memset(r, 0, sizeof(*r));
}

const char *e2e_header(const struct resp *r, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);
	const char *p = r->raw, *end = r->body;

	while (p && p < end) {
		const char *eol = strstr(p, "\r\n");
		if (!eol)
			break;
		if (!strncasecmp(p, name, nl) && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (*v == ' ')
				v++;
			snprintf(out, cap, "%.*s", (int)(eol - v), v);
			return out;
		}
		p = eol + 2;
	}
	return NULL;
}

const char *e2e_link_next(const struct resp *r, char *out, size_t cap)
{
	char v[1200];
	const char *lt, *gt;

	if (!e2e_header(r, "Link", v, sizeof(v)) || !(lt = strchr(v, '<')) ||
	    !(gt = strchr(lt, '>')) || !strstr(gt, "rel=\"next\""))
		return NULL;
	ck_assert_int_lt((int)(gt - lt - 1), (int)cap);
	snprintf(out, cap, "%.*s", (int)(gt - lt - 1), lt + 1);
	return out;
}

json_t *e2e_json(int port, const char *method, const char *path, const char *body, int status)
{
	struct resp r;
	json_t *j;

	ck_assert_msg(e2e_request(port, method, path, NULL, body, &r), "%s %s: no answer", method,
		      path);
	ck_assert_msg(r.status == status, "%s %s: want %d, got %d: %s", method, path, status,
		      r.status, r.body);
	j = r.json;
	r.json = NULL;
	e2e_resp_free(&r);
	return j;
}

bool e2e_is_error(const struct resp *r, const char *code, const char *field)
{
	json_t *e = json_object_get(r->json, "error");
	json_t *f = json_object_get(e, "field");

	if (!json_is_object(e) || !json_is_string(json_object_get(e, "message")) ||
	    !json_is_string(json_object_get(e, "code")) || !f)
		return false;
	if (strcmp(json_string_value(json_object_get(e, "code")), code))
		return false;
	if (field)
		return json_is_string(f) && !strcmp(json_string_value(f), field);
	return true;
}

long long e2e_make(int port, const char *what, const char *json)
{
	char path[128];
	json_t *j;
	long long id;

	snprintf(path, sizeof(path), "/api/v1/%s", what);
	j = e2e_json(port, "POST", path, json, 201);
	id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	ck_assert_int_gt(id, 0);
	return id;
}

int e2e_audited(int port, long long p, const char *action)
{
	char path[96];
	json_t *log, *e;
	size_t i;
	int n = 0;

	snprintf(path, sizeof(path), "/api/v1/audit?patient_id=%lld&limit=5000", p);
	log = e2e_json(port, "GET", path, NULL, 200);
	json_array_foreach(log, i, e) {
		const char *a = json_string_value(json_object_get(e, "action"));
		n += a && !strcmp(a, action);
	}
	json_decref(log);
	return n;
}

void e2e_invite(int port, long long id, char token[E2E_TOKEN_LEN + 1])
{
	char path[96];
	const char *url;
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/invitations", id);
	j = e2e_json(port, "POST", path, NULL, 201);
	url = json_string_value(json_object_get(j, "url"));
	ck_assert_ptr_nonnull(url);
	ck_assert_ptr_nonnull(strstr(url, "/i/"));
	ck_assert_int_eq(strlen(strstr(url, "/i/") + 3), E2E_TOKEN_LEN);
	ck_assert(json_is_string(json_object_get(j, "expires")));
	snprintf(token, E2E_TOKEN_LEN + 1, "%s", strstr(url, "/i/") + 3);
	json_decref(j);
}

int e2e_link_status(int port, const char *token)
{
	char path[200];
	struct resp r;
	int status;

	snprintf(path, sizeof(path), "/api/v1/invite/%s", token);
	ck_assert(e2e_request_as(port, NULL, "GET", path, NULL, NULL, &r));
	status = r.status;
	e2e_resp_free(&r);
	return status;
}

void e2e_islands(const char *db_path, const long long *clinicians, int n, long long t0,
		 long long w0, long long w1)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	ck_assert_int_eq(sqlite3_open(db_path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_busy_timeout(db, 5000), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db,
					    "INSERT INTO hours_exceptions (clinician_id, kind, "
					    "start_at, end_at, created_at, created_by) "
					    "VALUES (?1, ?2, ?3, ?4, 0, 'admin')",
					    -1, &st, NULL),
			 SQLITE_OK);
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < 199 + 200 + 1; k++) {
			bool extra = k < 199 || k == 399;
			long long s = k == 399 ? w0
				      : extra  ? t0 + k * 420 + i * 13
					       : t0 + (k - 199) * 420 + i * 13 + 203;
			long long e = k == 399 ? w1 : extra ? s + 419 : s + 1;
			if (!extra && e > w0 && s < w1)
				continue; /* the window stays whole */
			sqlite3_bind_int64(st, 1, clinicians[i]);
			sqlite3_bind_text(st, 2, extra ? "extra" : "absence", -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, s);
			sqlite3_bind_int64(st, 4, e);
			ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
			sqlite3_reset(st);
		}
	}
	sqlite3_finalize(st);
	ck_assert_int_eq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

json_t *e2e_settled(int port, long long id)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/messages", id);
	for (int i = 0; i < 2000; i++) {
		json_t *m = e2e_json(port, "GET", path, NULL, 200), *v;
		bool queued = false;
		size_t k;
		json_array_foreach(m, k, v) queued |=
			!strcmp(json_string_value(json_object_get(v, "status")), "queued");
		if (!queued && json_array_size(m))
			return m;
		json_decref(m);
		usleep(10000);
	}
	ck_abort_msg("messages of appointment %lld still queued after 20 s", id);
	return NULL;
}

long e2e_metric(int port, const char *name)
{
	struct resp r;
	const char *at;
	char key[96];
	long v = -1;

	snprintf(key, sizeof(key), "\n%s ", name);
	ck_assert(e2e_request(port, "GET", "/metrics", NULL, NULL, &r));
	ck_assert_int_eq(r.status, 200);
	if ((at = strstr(r.body, key)))
		v = strtol(at + strlen(key), NULL, 10);
	e2e_resp_free(&r);
	ck_assert_msg(v >= 0, "no counter '%s' on /metrics", name);
	return v;
}
