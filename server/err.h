/*
 * err.h - the one error vocabulary of timebok.
 *
 * Every fallible function returns an enum app_err.  Foreign error codes
 * (SQLite, libc, jansson) are mapped to one of these where they arise; the
 * HTTP edge turns an app_err into the contract's status and code word through
 * the single table in err.c, so a status is chosen in exactly one place.
 */
#ifndef TIMEBOK_ERR_H
#define TIMEBOK_ERR_H

#define WARN_UNUSED __attribute__((warn_unused_result))

enum app_err {
	APP_OK = 0,
	APP_EINVAL,          /* 400 invalid */
	APP_EUNAUTH,         /* 401 unauthenticated */
	APP_EFORBIDDEN,      /* 403 forbidden */
	APP_ENOTFOUND,       /* 404 not_found */
	APP_EMETHOD,         /* 405 method_not_allowed */
	APP_ECONFLICT,       /* 409 conflict (double booking) */
	APP_EOUTSIDE_HOURS,  /* 409 outside_hours */
	APP_ETRANSITION,     /* 409 invalid_transition (status rules) */
	APP_EDUPLICATE,      /* 409 duplicate (unique value taken) */
	APP_ELIMIT,          /* 409 participant_limit (the video platform's) */
	APP_ESTALE,          /* 412 stale */
	APP_ETOOLARGE,       /* 413 too_large */
	APP_EURI,            /* 414 uri_too_long */
	APP_EMEDIA,          /* 415 unsupported_media_type */
	APP_EHEADERS,        /* 431 headers_too_large */
	APP_ERATE,           /* 429 rate_limited */
	APP_EBUSY,           /* 503 busy (database locked past the timeout) */
	APP_ESTORE,          /* 500 internal (database failure, logged once) */
	APP_ENOMEM,          /* 500 internal (out of memory) */
	APP_ERR_COUNT
};

/* The HTTP status for err (APP_OK -> 200). */
int err_status(enum app_err err);

/* The contract's machine word for err ("invalid", "not_found", ...). */
const char *err_code(enum app_err err);

/* A generic human message for err, used when nothing more precise was said. */
const char *err_message(enum app_err err);

#endif
