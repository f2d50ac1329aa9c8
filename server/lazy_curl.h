/*
 * lazy_curl.h - <curl/curl.h> with the functions timebok calls loaded at first use
 * (lazylib.h): include this in place of <curl/curl.h>.
 */
#ifndef TIMEBOK_LAZY_CURL_H
#define TIMEBOK_LAZY_CURL_H

#define CURL_DISABLE_TYPECHECK /* no type-checking wrappers */
#include <curl/curl.h>

#include "lazylib.h"

#undef curl_easy_getinfo /* curl.h defines them as macros calling themselves */
#undef curl_easy_setopt

#define curl_easy_cleanup LAZYLIB_FN(LAZYLIB_CURL, curl_easy_cleanup)
#define curl_easy_escape LAZYLIB_FN(LAZYLIB_CURL, curl_easy_escape)
#define curl_easy_getinfo LAZYLIB_FN(LAZYLIB_CURL, curl_easy_getinfo)
#define curl_easy_init LAZYLIB_FN(LAZYLIB_CURL, curl_easy_init)
#define curl_easy_perform LAZYLIB_FN(LAZYLIB_CURL, curl_easy_perform)
#define curl_easy_setopt LAZYLIB_FN(LAZYLIB_CURL, curl_easy_setopt)
#define curl_easy_strerror LAZYLIB_FN(LAZYLIB_CURL, curl_easy_strerror)
#define curl_easy_unescape LAZYLIB_FN(LAZYLIB_CURL, curl_easy_unescape)
#define curl_free LAZYLIB_FN(LAZYLIB_CURL, curl_free)
#define curl_slist_append LAZYLIB_FN(LAZYLIB_CURL, curl_slist_append)
#define curl_slist_free_all LAZYLIB_FN(LAZYLIB_CURL, curl_slist_free_all)

#endif
