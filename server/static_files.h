/*
 * static_files.h - the web front-end's files, from --static-dir.
 */
#ifndef TIMEBOK_STATIC_FILES_H
#define TIMEBOK_STATIC_FILES_H

#include <microhttpd.h>
#include <stdbool.h>

/* The files of one directory, with the gzip copies of the text files made
 * on their first request (kept while the file's size and mtime stay). */
struct static_files;

/* A new set serving dir (borrowed: it must outlive the set); NULL when out
 * of memory. */
struct static_files *static_files_new(const char *dir);
void static_files_free(struct static_files *sf);

/* The request's conditional and negotiating headers (each NULL if absent). */
struct static_request {
	const char *if_none_match, *if_modified_since, *accept_encoding;
};

/* A new response for GET/HEAD of path, and its *status (200, or 304 when
 * the request's validators match the current representation).  NULL when
 * there is no such file or the path is not acceptable (no dot segments, a
 * small set of characters), which the caller answers with 404. */
struct MHD_Response *static_files_response(struct static_files *sf, const char *path,
					   const struct static_request *rq, int *status);

/* Whether an Accept-Encoding value takes gzip (RFC 9110 12.5.3: "gzip",
 * "x-gzip" or "*" with a q above 0; the "identity"-only or missing header
 * does not). */
bool static_files_accepts_gzip(const char *accept_encoding);

#endif
