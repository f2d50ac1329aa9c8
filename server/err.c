/*
 * err.c - the table that maps enum app_err to HTTP status and API code word.
 */
#include "err.h"

static const struct {
	int status;
	const char *code;
	const char *message;
} table[APP_ERR_COUNT] = {
	[APP_OK] = {200, "ok", "ok"},
	[APP_EINVAL] = {400, "invalid", "the request is not valid"},
	[APP_EUNAUTH] = {401, "unauthenticated", "log in first"},
	[APP_EFORBIDDEN] = {403, "forbidden", "not allowed"},
	[APP_ENOTFOUND] = {404, "not_found", "not found"},
	[APP_EMETHOD] = {405, "method_not_allowed", "method not allowed on this path"},
	[APP_ECONFLICT] = {409, "conflict", "the time is taken"},
	[APP_EOUTSIDE_HOURS] = {409, "outside_hours", "outside the clinician's working hours"},
	[APP_ETRANSITION] = {409, "invalid_transition", "that status change is not allowed"},
	[APP_EDUPLICATE] = {409, "duplicate", "that value is already in use"},
	[APP_ELIMIT] = {409, "participant_limit", "more people than the video platform takes"},
	[APP_ESTALE] = {412, "stale", "the resource has changed since it was read"},
	[APP_ETOOLARGE] = {413, "too_large", "the request body is too large"},
	[APP_EURI] = {414, "uri_too_long", "the request URI is too long"},
	[APP_EMEDIA] = {415, "unsupported_media_type", "send application/json"},
	[APP_EHEADERS] = {431, "headers_too_large", "the request headers are too large"},
	[APP_ERATE] = {429, "rate_limited", "too many requests, try again later"},
	[APP_EBUSY] = {503, "busy", "the service is busy, try again"},
	[APP_ESTORE] = {500, "internal", "internal error"},
	[APP_ENOMEM] = {500, "internal", "internal error"},
};

int err_status(enum app_err err)
{
	return (unsigned)err < APP_ERR_COUNT ? table[err].status : 500;
}

const char *err_code(enum app_err err)
{
	return (unsigned)err < APP_ERR_COUNT ? table[err].code : "internal";
}

const char *err_message(enum app_err err)
{
	return (unsigned)err < APP_ERR_COUNT ? table[err].message : "internal error";
}
