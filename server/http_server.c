/*
 * http_server.c - libmicrohttpd: connection handling, the request life
 * cycle, turning struct reply into a response, security headers, logging.
 *
 * Threading: MHD's internal epoll with a thread pool (--threads, default 4).
 * Handlers are short (a few SQLite statements); the one blocking step is the
 * fsync of a committed write (synchronous=FULL), which stalls only its own
 * pool thread.  The single-thread epoll mode stalled under a 256-connection
 * storm in an earlier measurement here (see STYLE.md); the pool did not.
 * The database pool has threads + 2 connections (2 x threads + 2 with a
 * public listener, which has its own pool of --threads workers), so a
 * handler never waits for one.
 *
 * Request life cycle (MHD calls the handler once for headers, once per body
 * chunk, once at the end):
 *   1. first call: allocate the context, route, decide 404/405/414 (answered
 *      at the end, after the body is drained) and refuse a declared body over
 *      64 KiB at once with 413 (before 100 Continue; the connection closes);
 *   2. body calls: append to a capped buffer; past the cap remember 413;
 *   3. final call: dispatch and queue exactly one response.
 * Responses are queued on the second call or later: in MHD 0.9.75 a
 * response queued on the first call forces Connection: close.
 * The context is freed only in the completion callback, which also runs
 * when a client goes away mid-request.
 *
 * Limits: MHD splits the connection limit evenly among the workers, and the
 * kernel does not spread accepts evenly: with 1024 in all and 4 workers, a
 * 256-connection storm that landed mostly on one worker lost a connection
 * although the server was nearly idle.  Hence the default of 4096 (1024 a
 * worker); a connection's memory is capped at CONN_MEMORY (20 KB) and only
 * taken while it is open.  The per-address limit is global across workers (measured: with
 * it divided by the workers, a storm got exactly the divided limit).
 *
 * Start-up in two steps: http_server_listen binds and listens (the port is
 * known, connections wait in the backlog), and http_server_start hands the
 * socket to MHD once main has set up everything a request may use.
 *
 * Two listeners: the staff one (--listen) serves everything; the public
 * one (--public-listen, optional) serves only the routes flagged
 * ROUTE_PUBLIC_LISTENER in routes.c (patient and guest links, calendar
 * feeds, /healthz) and the patient page's files (PUBLIC_FILES below), and
 * answers 404 to everything else, staff login and /metrics included.  Both
 * share the app, the token throttle and the thread pool size.
 *
 * The client's address is the peer's, or with --trusted-proxy the last
 * untrusted hop of X-Forwarded-For (forwarded.h); the audit log and every
 * per-address throttle use it.  MHD's own per-IP connection limit sees the
 * socket's peer only, which behind a proxy is the proxy: set
 * --per-ip-connections 0 there and let the proxy limit connections.
 *
 * Token routes (patient links, calendar feeds): an address whose unknown
 * tokens pass TOKEN_MISS_LIMIT in TOKEN_MISS_WINDOW seconds gets 429 for
 * its further misses until its window ends, while a real token still opens
 * (throttle.h).  Every 403, and
 * every 401 on a route that names a record by a logged-in caller, goes to
 * the audit log; a 401 without a session is only counted (metrics.h): an
 * anonymous client could otherwise write thousands of rows a second into
 * the append-only log.
 *
 * HTTP/1.1 message rules checked here (RFC 9112, RFC 9110): exactly one
 * valid Host in an HTTP/1.1 request, naming this service (--public-url's
 * host, --host-names, or the listener's address; the port is not compared,
 * as a proxy may forward another one), field names that are tokens and
 * values without control characters, origin-form targets (absolute-form is
 * accepted when it names this service, asterisk-form only for OPTIONS);
 * If-None-Match with lists, weak tags and "*" on every answer that carries
 * an ETag.
 *
 * Shutdown: quiesce (stop accepting), wait for in-flight requests up to a
 * grace period, then stop the daemon.
 */
#define _GNU_SOURCE
#include "http_server.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "audit.h"
#include "auth.h"
#include "forwarded.h"
#include "listcache.h"
#include "log.h"
#include "metrics.h"
#include "req.h"
#include "router.h"
#include "static_files.h"
#include "store.h"
#include "throttle.h"

#define URI_MAX 2048
/* libmicrohttpd's memory for each open connection, all of it resident
 * while the connection is (it zeroes the whole pool between requests):
 * the request's head is read into half of it, the answer's head is built
 * in the rest.  20 KB holds the 8 KiB of headers allowed with room for the
 * 431 that refuses more (from about 10 KB libmicrohttpd answers 431
 * itself, with a body of its own, or closes); it was 48 KB, 12 MB while
 * the bench's 256 connections were open (README "Memory"). */
#define CONN_MEMORY (20 * 1024)
#define HEADERS_MAX (8 * 1024)
/* When a crowd of connections (TRIM_CROWD open at once) has thinned out to
 * TRIM_CALM, malloc_trim() gives the free pages of malloc's arenas back to
 * the OS: the pools and answers of a storm (5 MB for 256 connections) are
 * freed into arenas that keep them resident otherwise (README "Memory"). */
#define TRIM_CROWD 64
#define TRIM_CALM 8
/* unknown patient links or feed addresses from one address before its
 * token requests are refused for the rest of the window (throttle.h) */
#define TOKEN_MISS_LIMIT 50
#define TOKEN_MISS_WINDOW 600
/* answers through one link: a person answers a few times; a script that
 * flips back and forth would fill the history and the audit log */
#define LINK_ANSWER_LIMIT 20
#define LINK_ANSWER_WINDOW 600
#define CSP                                                                                        \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "         \
	"connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; "        \
	"form-action 'self'; frame-ancestors 'none'"

/* The patient page's files, besides /i/<token> itself (static/invite.html
 * loads these); the public listener serves no other file. */
static const char *const PUBLIC_FILES[] = {"/invite.css", "/invite.js", "/favicon.svg",
					   "/survey.css", "/survey.js", "/survey_form.js"};

struct http_server {
	struct MHD_Daemon *d;
	struct app *app;
	bool public_side; /* the public listener: ROUTE_PUBLIC_LISTENER routes only */
	struct forwarded proxies;
	atomic_int inflight;
	atomic_int open; /* connections open now */
	atomic_bool crowd; /* TRIM_CROWD were open since the last trim */
	int fd, family; /* the listening socket, bound before MHD starts */
	int port;
	char host[64];	/* the address it listens on */
	struct static_files *files; /* the front-end's files, with their gzip copies */
};

struct reqctx {
	struct req req;
	struct reply rep;
	struct buf body;
	enum app_err early; /* decided before the body was read */
	char allow[64];
	bool is_static;
	bool options_star; /* OPTIONS *: the server's methods */
	bool too_large;
	uint64_t t0;
};

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* MHD's own messages; the attribute tells the compiler fmt is MHD's printf
 * format (clang's -Wformat-nonliteral otherwise refuses the vsnprintf). */
__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt,
							       va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_warn("http: %s", msg);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct http_server *srv = cls;

	(void)c;
	(void)socket_context;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		if (atomic_fetch_add(&srv->open, 1) + 1 >= TRIM_CROWD)
			atomic_store(&srv->crowd, true);
	} else if (atomic_fetch_sub(&srv->open, 1) - 1 <= TRIM_CALM &&
		   atomic_exchange(&srv->crowd, false)) {
		malloc_trim(0);
	}
}

static void add_common_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "Content-Security-Policy", CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Permissions-Policy",
				"camera=(self), microphone=(self), geolocation=()");
}

static void finish_log(struct http_server *srv, struct reqctx *ctx, int status)
{
	uint64_t us = now_us() - ctx->t0;
	const char *route = ctx->req.route ? ctx->req.route->pattern
			    : ctx->is_static ? "static"
					     : "unmatched";

	metrics_observe(srv->app->metrics,
			ctx->req.route  ? router_index(ctx->req.route)
			: ctx->is_static ? METRICS_ROUTE_STATIC
					 : METRICS_ROUTE_NONE,
			ctx->req.method, status, us);
	log_access("%s %s %d %" PRIu64 "us", ctx->req.method, route, status, us);
}

static enum MHD_Result queue(struct MHD_Connection *c, struct http_server *srv,
			     struct reqctx *ctx, struct MHD_Response *resp, int status)
{
	enum MHD_Result ret;

	add_common_headers(resp);
	ret = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	finish_log(srv, ctx, status);
	return ret;
}

static bool is_change(const char *method)
{
	return strcmp(method, "GET") && strcmp(method, "HEAD");
}

/* The entity tag at s (after optional blanks) with its W/ prefix skipped:
 * its start and length, or 0 when s holds none. */
static size_t next_tag(const char *s, const char **tag)
{
	const char *end;

	s += strspn(s, " \t");
	if (!strncmp(s, "W/", 2))
		s += 2;
	if (*s != '"' || !(end = strchr(s + 1, '"')))
		return 0;
	*tag = s;
	return (size_t)(end + 1 - s);
}

bool http_etag_listed(const char *if_none_match, const char *etag)
{
	const char *p = if_none_match, *mine, *tag;
	size_t mine_len = etag ? next_tag(etag, &mine) : 0, n;

	if (!p || !mine_len)
		return false;
	if (!strcmp(p + strspn(p, " \t"), "*"))
		return true;
	/* weak comparison (RFC 9110 13.1.2): W/ is ignored on either side */
	while ((n = next_tag(p, &tag))) {
		if (n == mine_len && !memcmp(tag, mine, n))
			return true;
		p = tag + n;
		p += strspn(p, " \t");
		if (*p != ',')
			break;
		p++;
	}
	return false;
}

/*
 * A strong entity tag for an answer that has no tag of its own (any GET of
 * the API): a hash of its bytes (listcache_etag), so equal answers have
 * equal tags and any change of a byte changes the tag (RFC 9110 8.8.3: a
 * strong validator changes with the representation data).  The caller's
 * view is in the bytes: two callers who are shown different rows get
 * different tags.  A poll with If-None-Match then costs the handler's work
 * but no transfer (304, no body).  The busiest lists (listcache.h) come
 * with the tag their cache entry keeps, the same one, and answer a poll
 * 304 from the entry's key and generation before anything is copied.
 */
static void etag_of_body(struct reply *rep)
{
	_Static_assert(sizeof(rep->etag) == LISTCACHE_ETAG_MAX, "a list's tag fits a reply's");
	if (rep->lent)
		listcache_etag(rep->lent, rep->lent_len, rep->etag);
	else if (rep->body.data)
		listcache_etag(rep->body.data, rep->body.len, rep->etag);
}

static enum MHD_Result send_reply(struct MHD_Connection *c, struct http_server *srv,
				  struct reqctx *ctx)
{
	struct reply *rep = &ctx->rep;
	struct MHD_Response *resp;
	size_t len = 0;
	char *body;
	char retry[16];

	if (rep->status == 200 && !rep->etag[0] && !is_change(ctx->req.method) &&
	    ctx->req.route && !(ctx->req.route->flags & ROUTE_NO_DB))
		etag_of_body(rep);
	/* conditional GET (RFC 9110 13.1.2): the representation is unchanged */
	if (rep->status == 200 && rep->etag[0] && !rep->etag_partial &&
	    !is_change(ctx->req.method) &&
	    http_etag_listed(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match"),
			     rep->etag))
		rep->status = 304;
	if (rep->status == 204 || rep->status == 304) {
		buf_reset(&rep->body);
		reply_unlend(rep);
	}
	if (rep->lent) { /* a kept answer (reply_lend): MHD gives it back once sent */
		if (!(resp = MHD_create_response_from_buffer_with_free_callback_cls(
			      rep->lent_len, (void *)rep->lent /* only read */, rep->give_back,
			      rep->lent_arg)))
			return MHD_NO; /* reply_release gives it back */
		rep->lent = NULL;
		rep->give_back = NULL;
	} else {
		body = buf_steal(&rep->body, &len);
		if (!body) { /* the answer outgrew its buffer or memory ran out */
			reply_default_error(rep, APP_ENOMEM);
			body = buf_steal(&rep->body, &len);
		}
		resp = MHD_create_response_from_buffer(len, body ? body : (void *)"",
						       body ? MHD_RESPMEM_MUST_FREE
							    : MHD_RESPMEM_PERSISTENT);
		if (!resp) {
			free(body);
			return MHD_NO;
		}
	}
	if (rep->status != 204 && rep->status != 304)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					rep->content_type ? rep->content_type
							  : "application/json; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				rep->cache_control ? rep->cache_control : "no-store");
	if (rep->location[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, rep->location);
	if (rep->etag[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, rep->etag);
	if (rep->link[0])
		MHD_add_response_header(resp, "Link", rep->link);
	if (rep->allow[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, rep->allow);
	if (rep->set_cookie[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, rep->set_cookie);
	if (rep->set_cookie2[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, rep->set_cookie2);
	if (rep->status == 429 || rep->status == 503) {
		snprintf(retry, sizeof(retry), "%d",
			 rep->retry_after > 0 ? rep->retry_after : rep->status == 429 ? 60 : 1);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, retry);
	}
	return queue(c, srv, ctx, resp, rep->status);
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
				     size_t key_size, const char *value, size_t value_size)
{
	struct req *req = cls;

	(void)kind;
	/* %00 decoded: the C string would end early ("1%00x" read as 1) */
	if (strlen(key) != key_size || (value && strlen(value) != value_size)) {
		req->query_nul = true;
		return MHD_NO;
	}
	if (req->nquery == REQ_MAX_QUERY) {
		req->nquery++; /* marks "too many" */
		return MHD_NO;
	}
	req->query[req->nquery].key = key;
	req->query[req->nquery].value = value;
	req->nquery++;
	return MHD_YES;
}

static enum MHD_Result sum_query(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	size_t *n = cls;

	(void)kind;
	*n += strlen(key) + (value ? strlen(value) : 0) + 2;
	return MHD_YES;
}

struct header_scan {
	size_t bytes;
	int content_length, transfer_encoding, host;
	bool bad_name, bad_value;
};

/* RFC 9110 5.1 and 5.5: a field name is a token; a value has no control
 * characters but HTAB (obs-text, octets 0x80-0xff, is let through). */
static bool field_name_ok(const char *s)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz";
	return *s && s[strspn(s, tchar)] == '\0';
}

static bool field_value_ok(const char *s)
{
	for (; s && *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return false;
	return true;
}

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct header_scan *h = cls;

	(void)kind;
	h->bytes += strlen(key) + (value ? strlen(value) : 0) + 4;
	h->content_length += !strcasecmp(key, "Content-Length");
	h->transfer_encoding += !strcasecmp(key, "Transfer-Encoding");
	h->host += !strcasecmp(key, "Host");
	h->bad_name |= !field_name_ok(key);
	h->bad_value |= !field_value_ok(value);
	return MHD_YES;
}

/* Requests whose framing is ambiguous (two Content-Length headers, or one
 * with Transfer-Encoding: the shapes of request smuggling), whose headers
 * are over 8 KiB, or that break RFC 9112's MUSTs on fields and Host are
 * refused before anything is read. */
static enum app_err check_framing(struct MHD_Connection *c, const char *version,
				  const char **why)
{
	struct header_scan h = {0};

	MHD_get_connection_values(c, MHD_HEADER_KIND, scan_header, &h);
	if (h.bytes > HEADERS_MAX) {
		*why = "the request headers are over 8 KiB";
		return APP_EHEADERS;
	}
	if (h.content_length > 1 || (h.content_length && h.transfer_encoding) ||
	    h.transfer_encoding > 1) {
		*why = "ambiguous message framing (Content-Length with Transfer-Encoding, or twice)";
		return APP_EINVAL;
	}
	if (h.transfer_encoding && version && !strcmp(version, "HTTP/1.0")) {
		/* RFC 9112 6.1: an HTTP/1.0 message with Transfer-Encoding is faulty
		 * framing, whatever follows */
		*why = "Transfer-Encoding in an HTTP/1.0 request";
		return APP_EINVAL;
	}
	if (h.bad_name || h.bad_value) {
		*why = "a header field's name is not a token, or its value holds a control "
		       "character";
		return APP_EINVAL;
	}
	if (h.host > 1 || (!h.host && version && !strcmp(version, "HTTP/1.1"))) {
		*why = "an HTTP/1.1 request needs exactly one Host header";
		return APP_EINVAL;
	}
	return APP_OK;
}

/* The host name of an authority ("name", "name:port", "[v6]:port") into
 * out; false when it is not one. */
static bool authority_name(const char *a, size_t len, char *out, size_t cap)
{
	static const char reg[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				  "0123456789-._~%!$&'()*+,;=";
	size_t n;

	if (len && a[0] == '[') {
		const char *close = memchr(a, ']', len);
		if (!close)
			return false;
		n = (size_t)(close - a) + 1;
	} else {
		n = strspn(a, reg);
		n = n < len ? n : len;
	}
	if (n == 0 || n >= cap)
		return false;
	if (n < len && (a[n] != ':' || strspn(a + n + 1, "0123456789") != len - n - 1))
		return false;
	memcpy(out, a, n);
	out[n] = '\0';
	return true;
}

/* The local address connection c arrived at, as text (for a listener on
 * 0.0.0.0 or ::). */
static void local_ip(struct MHD_Connection *c, char *out, size_t cap)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	out[0] = '\0';
	if (!ci || getsockname(ci->connect_fd, (struct sockaddr *)&ss, &len))
		return;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, out, (socklen_t)cap);
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, out, (socklen_t)cap);
}

/* Whether name is the host of url ("scheme://host[:port]/..."). */
static bool url_names(const char *url, const char *name)
{
	const char *h = strstr(url, "://");
	char want[256];

	return h && authority_name(h + 3, strcspn(h + 3, "/"), want, sizeof(want)) &&
	       !strcasecmp(name, want);
}

/* Whether authority (of the Host header or an absolute-form target) names
 * this service: --public-url's or --staff-url's host, the listener's address (on a wildcard
 * listener: the address the connection arrived at), or localhost on a
 * loopback listener.  Ports are not compared. */
static bool names_us(struct http_server *srv, struct MHD_Connection *c, const char *authority,
		     size_t len)
{
	char name[256], local[64];
	bool wildcard = !strcmp(srv->host, "0.0.0.0") || !strcmp(srv->host, "::");
	bool loopback = !strncmp(srv->host, "127.", 4) || !strcmp(srv->host, "::1");

	if (!authority_name(authority, len, name, sizeof(name)))
		return false;
	if (url_names(srv->app->cfg->public_url, name) || url_names(srv->app->cfg->staff_url, name))
		return true;
	if (name[0] == '[') { /* an IPv6 literal: compare without the brackets */
		memmove(name, name + 1, strlen(name));
		name[strlen(name) - 1] = '\0';
	}
	if (loopback && !strcasecmp(name, "localhost"))
		return true;
	for (const char *h = srv->app->cfg->host_names; *h;) { /* --host-names */
		size_t n = strcspn(h, ",");
		if (n == strlen(name) && !strncasecmp(h, name, n))
			return true;
		h += n + (h[n] == ',');
	}
	if (!wildcard)
		return !strcasecmp(name, srv->host);
	local_ip(c, local, sizeof(local));
	return local[0] && !strcasecmp(name, local);
}

/* The request target (RFC 9112 3.2): origin-form, absolute-form naming this
 * service (its path is used; "/" when it has none), or "*" with OPTIONS.
 * *path is where the path starts; APP_EINVAL with *why otherwise. */
static enum app_err check_target(struct http_server *srv, struct MHD_Connection *c,
				 const char *url, const char *method, struct reqctx *ctx,
				 const char **why)
{
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	const char *authority;
	size_t alen;

	if (url[0] == '/') {
		if (host && !names_us(srv, c, host, strlen(host))) {
			*why = "the Host header names another site";
			return APP_EINVAL;
		}
		return APP_OK;
	}
	if (!strcmp(url, "*")) {
		if (strcmp(method, "OPTIONS")) {
			*why = "the asterisk-form target is only for OPTIONS";
			return APP_EINVAL;
		}
		ctx->options_star = true;
		return APP_OK;
	}
	if (!strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8)) {
		authority = strstr(url, "://") + 3;
		alen = strcspn(authority, "/");
		if (!names_us(srv, c, authority, alen)) {
			*why = "the request target names another site";
			return APP_EINVAL;
		}
		ctx->req.path = authority[alen] ? authority + alen : "/";
		return APP_OK;
	}
	*why = "the request target must be a path starting with '/'";
	return APP_EINVAL;
}

static bool public_file(const char *path)
{
	if (!strncmp(path, "/i/", 3) || !strncmp(path, "/s/", 3)) /* the token is checked where
								       * the page is served */
		return true;
	for (size_t i = 0; i < sizeof(PUBLIC_FILES) / sizeof(PUBLIC_FILES[0]); i++)
		if (!strcmp(path, PUBLIC_FILES[i]))
			return true;
	return false;
}

static bool is_api_path(const char *url)
{
	return !strncmp(url, "/api/", 5) || !strcmp(url, "/healthz") || !strcmp(url, "/metrics") ||
	       !strncmp(url, "/bench/", 7) || !strncmp(url, "/auth/", 6); /* single sign-on */
}

static void peer_ip(struct MHD_Connection *c, char *out, size_t cap)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, cap, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
			  (socklen_t)cap);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  out, (socklen_t)cap);
}

#define XFF_HEADERS 8

/* The X-Forwarded-For values, the last XFF_HEADERS of them. */
struct xff {
	const char *v[XFF_HEADERS];
	int n;
};

static enum MHD_Result collect_xff(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct xff *x = cls;

	(void)kind;
	if (strcasecmp(key, "X-Forwarded-For") || !value)
		return MHD_YES;
	if (x->n == XFF_HEADERS) { /* keep the right end: the hops the proxies added */
		memmove(x->v, x->v + 1, sizeof(x->v[0]) * (XFF_HEADERS - 1));
		x->n--;
	}
	x->v[x->n++] = value;
	return MHD_YES;
}

/* x's values joined by commas into out (cap bytes), keeping the right end
 * when they do not all fit (whole hops only); false when there are none. */
static bool join_xff(const struct xff *x, char *out, size_t cap)
{
	size_t len = 0;

	out[0] = '\0';
	for (int i = x->n - 1, cut = 0; i >= 0 && !cut; i--) {
		const char *v = x->v[i];
		size_t vl = strlen(v), sep = len ? 1 : 0;

		if (vl + sep + len >= cap) { /* the tail of v that fits, from a comma */
			size_t room = cap - 1 - len - sep;
			const char *t = room ? strchr(v + vl - room, ',') : NULL;
			if (!t)
				break;
			v = t + 1;
			vl = strlen(v);
			cut = 1; /* what is left of it and before it is dropped */
		}
		memmove(out + vl + sep, out, len + 1);
		memcpy(out, v, vl);
		if (sep)
			out[vl] = ',';
		len += vl + sep;
	}
	return len > 0;
}

/* The client's address: the peer's, or behind a trusted proxy the last
 * untrusted hop of X-Forwarded-For (forwarded.h). */
static void client_ip(struct http_server *srv, struct MHD_Connection *c, char *out, size_t cap)
{
	char peer[FORWARDED_ADDR_MAX], list[1024];
	struct xff x = {0};
	bool any = false;

	peer_ip(c, peer, sizeof(peer));
	if (srv->proxies.n && forwarded_trusted(&srv->proxies, peer)) {
		MHD_get_connection_values(c, MHD_HEADER_KIND, collect_xff, &x);
		any = join_xff(&x, list, sizeof(list));
	}
	forwarded_client(&srv->proxies, peer, any ? list : NULL, out, cap);
}

/* First call: route and decide what can be decided before the body. */
static enum MHD_Result begin(struct http_server *srv, struct MHD_Connection *c, const char *url,
			     const char *method, const char *version, struct reqctx *ctx)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	size_t urilen = strlen(url);
	const char *why;
	enum app_err err;

	ctx->req.method = method;
	ctx->req.path = url;
	if ((err = check_framing(c, version, &why)) ||
	    (err = check_target(srv, c, url, method, ctx, &why))) {
		/* answered at once: the connection closes, nothing more is read */
		reply_fail(&ctx->rep, err, NULL, "%s", why);
		return send_reply(c, srv, ctx);
	}
	url = ctx->req.path; /* the path of an absolute-form target */
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, sum_query, &urilen);
	if (urilen > URI_MAX) {
		ctx->early = APP_EURI;
		return MHD_YES;
	}
	if (cl && strtoull(cl, NULL, 10) > REQ_BODY_MAX) {
		/* Refuse before reading (and before 100 Continue); this closes. */
		reply_fail(&ctx->rep, APP_ETOOLARGE, NULL, "the body is over %d KiB",
			   REQ_BODY_MAX / 1024);
		return send_reply(c, srv, ctx);
	}
	if (ctx->options_star)
		return MHD_YES;
	if (!is_api_path(url)) {
		ctx->is_static = true;
		if (srv->public_side && !public_file(url))
			ctx->early = APP_ENOTFOUND;
		else if (is_change(method)) {
			ctx->early = APP_EMETHOD;
			snprintf(ctx->allow, sizeof(ctx->allow), "GET, HEAD");
		}
		return MHD_YES;
	}
	err = router_match(method, url, srv->app->cfg->bench,
			   srv->public_side ? ROUTE_PUBLIC_LISTENER : 0, &ctx->req, ctx->allow,
			   sizeof(ctx->allow));
	ctx->early = err;
	return MHD_YES;
}

static void fail_early(struct reqctx *ctx)
{
	struct reply *rep = &ctx->rep;

	switch (ctx->early) {
	case APP_ENOTFOUND:
		reply_fail(rep, APP_ENOTFOUND, NULL, "no such path");
		break;
	case APP_EMETHOD:
		reply_fail(rep, APP_EMETHOD, NULL, "use %s on this path", ctx->allow);
		snprintf(rep->allow, sizeof(rep->allow), "%s", ctx->allow);
		break;
	case APP_EURI:
		reply_fail(rep, APP_EURI, NULL, "the URI is over %d bytes", URI_MAX);
		break;
	default:
		reply_default_error(rep, ctx->early);
	}
}

/* Session, CSRF and the route's roles; false when the request is answered. */
static bool admit(struct app *app, struct store *db, struct req *req, struct reply *rep)
{
	enum app_err err;

	if (req->route->flags & ROUTE_PUBLIC)
		return true;
	err = auth_session(app, db, req->cookie, req->now, &req->who, req->session);
	if (err == APP_EUNAUTH)
		reply_fail(rep, err, NULL, "log in first");
	else if (err)
		reply_default_error(rep, err);
	else if (is_change(req->method) &&
		 !auth_csrf_ok(req->session, req->csrf, req->origin, req->host,
			       app->cfg->public_url))
		reply_fail(rep, APP_EFORBIDDEN, NULL,
			   "missing or wrong X-CSRF-Token, or a request from another site");
	else if (!(req->route->roles & req->who.role))
		reply_fail(rep, APP_EFORBIDDEN, NULL, "your role may not do this");
	else
		return true;
	return false;
}

/* A refusal in the audit log: every 403, and every 401 by a logged-in
 * caller on a route that names a record ({id}); a 401 without a session is
 * counted in the metrics instead (an anonymous flood would fill the
 * append-only log and the patients' access reports).  The action says the
 * method and the path without "/api/v1" (ids only: tokens are on public
 * routes, queries are left out); the appointment or patient named is
 * filled in.  Queued like a read, so a repeat within AUDIT_REPEAT_S is
 * written once. */
static void audit_denial(struct app *app, const struct req *req, int status)
{
	struct actor who = req->who;
	const char *path = req->path;
	int64_t patient = 0, appointment = 0;
	char action[96];

	if (status == 401 && !who.username[0]) {
		metrics_anonymous_denial(app->metrics, router_index(req->route));
		return;
	}
	if (status != 403 && (status != 401 || !req->nids))
		return;
	if (status == 401 || !who.username[0]) {
		snprintf(who.username, sizeof(who.username), "anonymous");
		who.role = ROLE_NONE;
		who.user_id = 0;
	}
	if (!strncmp(path, "/api/v1", 7))
		path += 7;
	if (req->nids && !strncmp(path, "/appointments/", 14))
		appointment = req->ids[0];
	else if (req->nids && !strncmp(path, "/patients/", 10))
		patient = req->ids[0];
	snprintf(action, sizeof(action), "denied %s %s", req->method, path);
	audit_read(app->audit, &who, action, patient, appointment, req->now);
}

static void dispatch(struct http_server *srv, struct MHD_Connection *c, struct reqctx *ctx)
{
	struct app *app = srv->app;
	struct req *req = &ctx->req;
	struct store *db = NULL;
	enum app_err err;
	int wait;

	MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, collect_query, req);
	if (req->query_nul) {
		reply_fail(&ctx->rep, APP_EINVAL, NULL, "the query string holds a NUL character");
		return;
	}
	if (req->nquery > REQ_MAX_QUERY) {
		reply_fail(&ctx->rep, APP_EINVAL, NULL, "more than %d query parameters",
			   REQ_MAX_QUERY);
		return;
	}
	req->content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	req->if_match = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-Match");
	if (!is_change(req->method))
		req->if_none_match =
			MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
	req->cookie = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cookie");
	req->csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
	req->origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	req->host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	req->authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	client_ip(srv, c, req->who.ip, sizeof(req->who.ip));
	req->now = app_now(app);
	if (ctx->body.len) {
		req->body = ctx->body.data;
		req->body_len = ctx->body.len;
	}
	/* an address that keeps guessing gets 429 for its misses; a real link
	 * opens from it all the same (patients share carrier and office NAT
	 * with whoever guesses, and a 256-bit token is not found by guessing) */
	wait = req->token[0] ? throttle_wait(app->token_misses, req->who.ip, req->now) : 0;
	if (!(req->route->flags & ROUTE_NO_DB))
		db = store_pool_get(app->pool);
	if (!admit(app, db, req, &ctx->rep)) {
		store_pool_put(app->pool, db);
		audit_denial(app, req, ctx->rep.status);
		return;
	}
	err = req->route->fn(app, db, req, &ctx->rep);
	store_pool_put(app->pool, db);
	if (req->token[0] && (err == APP_ENOTFOUND || ctx->rep.status == 404)) {
		throttle_miss(app->token_misses, req->who.ip, req->now);
		if (wait) {
			ctx->rep.retry_after = wait;
			reply_fail(&ctx->rep, APP_ERATE, NULL,
				   "too many unknown links from this address; try again in %d s",
				   wait);
			audit_denial(app, req, ctx->rep.status);
			return;
		}
	}
	if (err && !ctx->rep.status)
		reply_default_error(&ctx->rep, err);
	else if (!err && !ctx->rep.status)
		reply_default_error(&ctx->rep, APP_ESTORE);
	audit_denial(app, req, ctx->rep.status);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct reqctx *ctx = *con_cls;
	struct MHD_Response *resp;
	int status;

	if (!ctx) {
		if (!(ctx = calloc(1, sizeof(*ctx))))
			return MHD_NO;
		ctx->t0 = now_us();
		reply_init(&ctx->rep);
		buf_init(&ctx->body, REQ_BODY_MAX);
		*con_cls = ctx;
		atomic_fetch_add(&srv->inflight, 1);
		return begin(srv, c, url, method, version, ctx);
	}
	if (*upload_data_size) {
		if (!ctx->early && !ctx->too_large &&
		    !buf_append(&ctx->body, upload_data, *upload_data_size))
			ctx->too_large = true;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (ctx->rep.status) /* answered on the first call */
		return MHD_YES;
	if (ctx->too_large && !ctx->early)
		ctx->early = APP_ETOOLARGE;
	if (ctx->early) {
		fail_early(ctx);
		return send_reply(c, srv, ctx);
	}
	if (ctx->options_star) { /* the server's methods (RFC 9110 9.3.7) */
		ctx->rep.status = 204;
		snprintf(ctx->rep.allow, sizeof(ctx->rep.allow), "%s",
			 srv->public_side ? "GET, HEAD, POST, OPTIONS"
					  : "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
		return send_reply(c, srv, ctx);
	}
	if (ctx->is_static) {
		struct static_request rq = {
			MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH),
			MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_IF_MODIFIED_SINCE),
			MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_ACCEPT_ENCODING)};

		resp = static_files_response(srv->files, ctx->req.path, &rq, &status);
		if (!resp) {
			reply_fail(&ctx->rep, APP_ENOTFOUND, NULL, "no such page");
			return send_reply(c, srv, ctx);
		}
		return queue(c, srv, ctx, resp, status);
	}
	dispatch(srv, c, ctx);
	return send_reply(c, srv, ctx);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct reqctx *ctx = *con_cls;

	(void)c;
	(void)toe;
	if (!ctx)
		return;
	reply_release(&ctx->rep);
	buf_release(&ctx->body);
	free(ctx);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->inflight, 1);
}

enum app_err http_server_listen(struct app *app, bool public_side, struct http_server **out)
{
	const struct config *cfg = app->cfg;
	const char *host = public_side ? cfg->public_listen_host : cfg->listen_host;
	int port = public_side ? cfg->public_listen_port : cfg->listen_port;
	struct http_server *srv = calloc(1, sizeof(*srv));
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int one = 1;

	if (!srv)
		return APP_ENOMEM;
	srv->fd = -1;
	srv->app = app;
	srv->public_side = public_side;
	snprintf(srv->host, sizeof(srv->host), "%s", host);
	if (!(srv->files = static_files_new(cfg->static_dir)))
		goto fail;
	if (forwarded_parse(cfg->trusted_proxy, &srv->proxies)) /* checked by config_load */
		goto fail;
	if (!app->token_misses &&
	    throttle_new(TOKEN_MISS_LIMIT, TOKEN_MISS_WINDOW, &app->token_misses))
		goto fail;
	if (!app->link_answers &&
	    throttle_new(LINK_ANSWER_LIMIT, LINK_ANSWER_WINDOW, &app->link_answers))
		goto fail;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		len = sizeof(*v4);
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		len = sizeof(*v6);
	} else {
		log_error("http: '%s' is not an IP address to listen on", host);
		goto fail;
	}
	srv->family = ss.ss_family;
	srv->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->fd < 0 || setsockopt(srv->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(srv->fd, (struct sockaddr *)&ss, len) || listen(srv->fd, SOMAXCONN) ||
	    getsockname(srv->fd, (struct sockaddr *)&ss, &len)) {
		log_error("http: cannot listen on %s:%d", host, port);
		goto fail;
	}
	srv->port = ntohs(ss.ss_family == AF_INET ? v4->sin_port : v6->sin6_port);
	*out = srv;
	return APP_OK;
fail:
	if (srv->fd >= 0)
		close(srv->fd);
	static_files_free(srv->files);
	free(srv);
	return APP_EINVAL;
}

enum app_err http_server_start(struct http_server *srv)
{
	const struct config *cfg = srv->app->cfg;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG | (srv->family == AF_INET6 ? MHD_USE_IPv6 : 0);

	srv->d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv, /* first, or MHD warns */
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)srv->fd,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip_connections,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
		MHD_OPTION_END);
	if (!srv->d) {
		log_error("http: cannot serve on %s:%d", srv->host, srv->port);
		return APP_EINVAL;
	}
	return APP_OK;
}

int http_server_port(const struct http_server *s)
{
	return s->port;
}

void http_server_stop(struct http_server *s, int grace_ms)
{
	MHD_socket fd;

	if (!s)
		return;
	if (!s->d) { /* listening, never served */
		close(s->fd);
		static_files_free(s->files);
		free(s);
		return;
	}
	/* the socket quiesce gives back is closed only after MHD_stop_daemon:
	 * a worker may still take it out of its epoll set (libmicrohttpd's
	 * documentation says so; closed at once, a worker that was at the
	 * connection limit met a closed descriptor there and MHD aborted the
	 * process: e2e_hostile over_the_connection_limit_clients_wait) */
	fd = MHD_quiesce_daemon(s->d);
	for (int waited = 0; atomic_load(&s->inflight) > 0 && waited < grace_ms; waited += 10)
		usleep(10000);
	MHD_stop_daemon(s->d);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	static_files_free(s->files);
	free(s);
}
