/*
 * static_files.h - the web front-end's files, from --static-dir.
 */
#ifndef TIMEBOK_STATIC_FILES_H
#define TIMEBOK_STATIC_FILES_H

#include <microhttpd.h>

/* A new response for GET/HEAD of path under dir, and its *status (200 or
 * 304 when if_none_match names the current ETag).  NULL when there is no
 * such file or the path is not acceptable (no dot segments, a small set of
 * characters), which the caller answers with 404. */
struct MHD_Response *static_files_response(const char *dir, const char *path,
					   const char *if_none_match, int *status);

#endif
