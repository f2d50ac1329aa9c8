/*
 * static_files.c - serving static/ with types, ETags and no traversal.
 *
 * A path is accepted only if every segment is made of [A-Za-z0-9._-] and
 * does not start with a dot, so "..", hidden files and encoded tricks never
 * reach open(); the file is opened with O_NOFOLLOW and must be a regular
 * file.  Everything revalidates (Cache-Control: no-cache) with an ETag from
 * size and mtime, because file names carry no content hash (no build step);
 * images and fonts may be cached for a day.  Last-Modified is the mtime and
 * If-Modified-Since is answered when there is no If-None-Match (RFC 9110
 * 13.2.2).  A patient link, /i/<token>, serves invite.html with
 * Cache-Control: no-store.
 *
 * Compression: the text files (HTML, CSS, JavaScript, JSON, SVG) are sent
 * gzip-compressed to a client that accepts it, from a copy made once on the
 * first such request and kept while the file's size and mtime are the same
 * (a deployment replaces the files; a stale copy is never served).  The
 * copy is another representation, so its ETag has "-gz" and every answer of
 * a compressible file says Vary: Accept-Encoding.  The copies are held in
 * memory, at most SF_SLOTS files and SF_BYTES in all; a file above
 * SF_FILE_MAX is sent as it is.  The patient's page is about 27 KB as
 * files and about 9 KB as sent to a phone.
 */
#define _GNU_SOURCE
#include "static_files.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "http_server.h"
#include "token.h"

#define SF_SLOTS 64
#define SF_BYTES (4u << 20)
#define SF_FILE_MAX (1u << 20)
#define SF_PATH_MAX 208

struct gz_copy {
	char rel[SF_PATH_MAX];
	off_t size;
	struct timespec mtime;
	unsigned char *data; /* NULL: the slot is free */
	size_t len;
};

struct static_files {
	const char *dir;
	pthread_mutex_t lock;
	struct gz_copy slot[SF_SLOTS];
	size_t bytes;
	unsigned next; /* the slot a new copy takes when none is free */
};

static const struct {
	const char *ext, *type;
	bool long_cache, text; /* text: compressible */
} types[] = {
	{".html", "text/html; charset=utf-8", false, true},
	{".css", "text/css; charset=utf-8", false, true},
	{".js", "text/javascript; charset=utf-8", false, true},
	{".mjs", "text/javascript; charset=utf-8", false, true},
	{".json", "application/json", false, true},
	{".webmanifest", "application/manifest+json", false, true},
	{".txt", "text/plain; charset=utf-8", false, true},
	{".svg", "image/svg+xml", true, true},
	{".png", "image/png", true, false},
	{".ico", "image/x-icon", true, false},
	{".woff2", "font/woff2", true, false},
};

static bool acceptable(const char *path)
{
	const char *seg = path;

	if (strlen(path) > 200)
		return false;
	while (*seg) {
		size_t n = strspn(seg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				       "0123456789._-");
		if (n == 0 || seg[0] == '.')
			return false;
		seg += n;
		if (*seg == '/')
			seg++;
		else if (*seg)
			return false;
	}
	return true;
}

struct static_files *static_files_new(const char *dir)
{
	struct static_files *sf = calloc(1, sizeof(*sf));

	if (!sf)
		return NULL;
	sf->dir = dir;
	if (pthread_mutex_init(&sf->lock, NULL)) {
		free(sf);
		return NULL;
	}
	return sf;
}

void static_files_free(struct static_files *sf)
{
	if (!sf)
		return;
	for (int i = 0; i < SF_SLOTS; i++)
		free(sf->slot[i].data);
	pthread_mutex_destroy(&sf->lock);
	free(sf);
}

bool static_files_accepts_gzip(const char *ae)
{
	bool star = false, gzip = false, named = false;

	while (ae && *ae) {
		size_t n;
		const char *end, *q;
		double weight = 1.0;

		ae += strspn(ae, " \t,");
		n = strcspn(ae, " \t;,");
		end = ae + strcspn(ae, ",");
		if (!n)
			break;
		/* a parameter "q=..." (RFC 9110 12.4.2); anything else is ignored */
		for (q = ae + n; q < end; q++)
			if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=' &&
			    (q[-1] == ';' || q[-1] == ' ' || q[-1] == '\t')) {
				weight = strtod(q + 2, NULL);
				break;
			}
		if ((n == 4 && !strncasecmp(ae, "gzip", 4)) || (n == 6 && !strncasecmp(ae, "x-gzip", 6))) {
			named = true;
			gzip = weight > 0;
		} else if (n == 1 && ae[0] == '*')
			star = weight > 0;
		ae = end;
	}
	return named ? gzip : star;
}

/* The gzip copy of the file open on fd (st its stat), made now if there is
 * none for this size and mtime; into a new buffer (*out, *len), false when
 * there is no copy worth sending (too big, no smaller, out of memory). */
static bool gz_copy_of(struct static_files *sf, const char *rel, int fd, const struct stat *st,
		       unsigned char **out, size_t *len)
{
	struct gz_copy *c = NULL;
	unsigned char *raw = NULL, *gz = NULL;
	size_t gzcap, got = 0;
	z_stream z = {0};
	bool ok = false;
	int i;

	if (st->st_size <= 0 || st->st_size > (off_t)SF_FILE_MAX || strlen(rel) >= SF_PATH_MAX)
		return false;
	pthread_mutex_lock(&sf->lock);
	for (i = 0; i < SF_SLOTS; i++) {
		c = &sf->slot[i];
		if (c->data && !strcmp(c->rel, rel) && c->size == st->st_size &&
		    c->mtime.tv_sec == st->st_mtim.tv_sec && c->mtime.tv_nsec == st->st_mtim.tv_nsec) {
			if ((*out = malloc(c->len))) {
				memcpy(*out, c->data, c->len);
				*len = c->len;
				ok = true;
			}
			pthread_mutex_unlock(&sf->lock);
			return ok;
		}
	}
	pthread_mutex_unlock(&sf->lock);

	/* made outside the lock; two first requests may both make one */
	if (!(raw = malloc((size_t)st->st_size)))
		return false;
	while (got < (size_t)st->st_size) {
		ssize_t n = pread(fd, raw + got, (size_t)st->st_size - got, (off_t)got);
		if (n <= 0)
			goto out;
		got += (size_t)n;
	}
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16 /* gzip */, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		goto out;
	gzcap = deflateBound(&z, (uLong)got);
	if (!(gz = malloc(gzcap))) {
		deflateEnd(&z);
		goto out;
	}
	z.next_in = raw;
	z.avail_in = (uInt)got;
	z.next_out = gz;
	z.avail_out = (uInt)gzcap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END || z.total_out >= got) {
		deflateEnd(&z);
		goto out;
	}
	deflateEnd(&z);
	*len = z.total_out;

	pthread_mutex_lock(&sf->lock);
	for (i = 0; i < SF_SLOTS; i++) /* this file's old copy, else a free slot */
		if (sf->slot[i].data && !strcmp(sf->slot[i].rel, rel))
			break;
	if (i == SF_SLOTS)
		for (i = 0; i < SF_SLOTS && sf->slot[i].data; i++)
			;
	if (i == SF_SLOTS)
		i = (int)(sf->next++ % SF_SLOTS);
	c = &sf->slot[i];
	if (c->data) {
		sf->bytes -= c->len;
		free(c->data);
		c->data = NULL;
	}
	if (sf->bytes + *len <= SF_BYTES && (c->data = malloc(*len))) {
		memcpy(c->data, gz, *len);
		c->len = *len;
		c->size = st->st_size;
		c->mtime = st->st_mtim;
		snprintf(c->rel, sizeof(c->rel), "%s", rel);
		sf->bytes += *len;
	}
	pthread_mutex_unlock(&sf->lock);
	*out = gz;
	gz = NULL;
	ok = true;
out:
	free(raw);
	free(gz);
	return ok;
}

/* Whether an If-Modified-Since date (RFC 9110 5.6.7, IMF-fixdate) is at or
 * after mtime; a date that does not parse never matches. */
static bool not_modified_since(const char *ims, time_t mtime)
{
	struct tm tm = {0};
	const char *end;

	if (!ims || !(end = strptime(ims, "%a, %d %b %Y %H:%M:%S GMT", &tm)) || *end)
		return false;
	return timegm(&tm) >= mtime;
}

struct MHD_Response *static_files_response(struct static_files *sf, const char *path,
					   const struct static_request *rq, int *status)
{
	const char *rel = path[0] == '/' ? path + 1 : path;
	const char *type = NULL, *dot;
	struct MHD_Response *resp;
	bool long_cache = false, text = false, gzip;
	char full[1024], etag[64], modified[40];
	unsigned char *gz = NULL;
	size_t gzlen = 0;
	struct stat st;
	struct tm tm;
	int fd;

	bool patient_link = !strncmp(rel, "i/", 2);

	if (!*rel)
		rel = "index.html";
	if (patient_link) {
		/* a patient link (/i/<token>) is the patient page; the script reads
		 * the token from the address, which must not be cached anywhere */
		if (!token_valid(rel + 2))
			return NULL;
		rel = "invite.html";
	}
	if (!acceptable(rel) || !(dot = strrchr(rel, '.')))
		return NULL;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext)) {
			type = types[i].type;
			long_cache = types[i].long_cache;
			text = types[i].text;
		}
	if (!type)
		return NULL;
	snprintf(full, sizeof(full), "%s/%s", sf->dir, rel);
	fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	gzip = text && static_files_accepts_gzip(rq->accept_encoding);
	snprintf(etag, sizeof(etag), "\"%llx-%llx%s\"", (unsigned long long)st.st_size,
		 (unsigned long long)st.st_mtime, gzip ? "-gz" : "");
	if (rq->if_none_match ? http_etag_listed(rq->if_none_match, etag) /* lists, weak, "*" */
			      : not_modified_since(rq->if_modified_since, st.st_mtime)) {
		close(fd);
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		*status = MHD_HTTP_NOT_MODIFIED;
	} else if (gzip && gz_copy_of(sf, rel, fd, &st, &gz, &gzlen)) {
		close(fd);
		resp = MHD_create_response_from_buffer(gzlen, gz, MHD_RESPMEM_MUST_FREE);
		if (!resp) {
			free(gz);
			return NULL;
		}
		*status = MHD_HTTP_OK;
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	} else {
		if (gzip) /* no copy to send: the tag of what is sent */
			snprintf(etag, sizeof(etag), "\"%llx-%llx\"", (unsigned long long)st.st_size,
				 (unsigned long long)st.st_mtime);
		/* ownership of fd passes to the response */
		resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
		if (!resp) {
			close(fd);
			return NULL;
		}
		*status = MHD_HTTP_OK;
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	if (gmtime_r(&st.st_mtime, &tm) &&
	    strftime(modified, sizeof(modified), "%a, %d %b %Y %H:%M:%S GMT", &tm))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, modified);
	if (text)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				patient_link ? "no-store"
				: long_cache ? "public, max-age=86400"
					     : "no-cache");
	return resp;
}
