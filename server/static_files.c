/*
 * static_files.c - serving static/ with types, ETags and no traversal.
 *
 * A path is accepted only if every segment is made of [A-Za-z0-9._-] and
 * does not start with a dot, so "..", hidden files and encoded tricks never
 * reach open(); the file is opened with O_NOFOLLOW and must be a regular
 * file.  Everything revalidates (Cache-Control: no-cache) with an ETag from
 * size and mtime, because file names carry no content hash (no build step);
 * images and fonts may be cached for a day.  A patient link, /i/<token>,
 * serves invite.html with Cache-Control: no-store.
 */
#define _GNU_SOURCE
#include "static_files.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http_server.h"
#include "token.h"

static const struct {
	const char *ext, *type;
	bool long_cache;
} types[] = {
	{".html", "text/html; charset=utf-8", false},
	{".css", "text/css; charset=utf-8", false},
	{".js", "text/javascript; charset=utf-8", false},
	{".mjs", "text/javascript; charset=utf-8", false},
	{".json", "application/json", false},
	{".webmanifest", "application/manifest+json", false},
	{".txt", "text/plain; charset=utf-8", false},
	{".svg", "image/svg+xml", true},
	{".png", "image/png", true},
	{".ico", "image/x-icon", true},
	{".woff2", "font/woff2", true},
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

struct MHD_Response *static_files_response(const char *dir, const char *path,
					   const char *if_none_match, int *status)
{
	const char *rel = path[0] == '/' ? path + 1 : path;
	const char *type = NULL, *dot;
	struct MHD_Response *resp;
	bool long_cache = false;
	char full[1024], etag[64];
	struct stat st;
	int fd;

	bool patient_link = !strncmp(rel, "i/", 2);
	bool survey_link = !strncmp(rel, "s/", 2); /* the questionnaire page (issue 22) */

	if (!*rel)
		rel = "index.html";
	if (patient_link) {
		/* a patient link (/i/<token>) is the patient page; the script reads
		 * the token from the address, which must not be cached anywhere */
		if (!token_valid(rel + 2))
			return NULL;
		rel = "invite.html";
	} else if (survey_link) {
		if (!token_valid(rel + 2))
			return NULL;
		rel = "survey.html";
	}
	if (!acceptable(rel) || !(dot = strrchr(rel, '.')))
		return NULL;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext)) {
			type = types[i].type;
			long_cache = types[i].long_cache;
		}
	if (!type)
		return NULL;
	snprintf(full, sizeof(full), "%s/%s", dir, rel);
	fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	snprintf(etag, sizeof(etag), "\"%llx-%llx\"", (unsigned long long)st.st_size,
		 (unsigned long long)st.st_mtime);
	if (http_etag_listed(if_none_match, etag)) { /* lists, weak tags, "*" */
		close(fd);
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		*status = MHD_HTTP_NOT_MODIFIED;
	} else {
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
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				patient_link || survey_link ? "no-store"
				: long_cache ? "public, max-age=86400"
					     : "no-cache");
	return resp;
}
