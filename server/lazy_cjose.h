/*
 * lazy_cjose.h - <cjose/cjose.h> with the functions timebok calls loaded at first use
 * (lazylib.h): include this in place of <cjose/cjose.h>.
 */
#ifndef TIMEBOK_LAZY_CJOSE_H
#define TIMEBOK_LAZY_CJOSE_H

#include <cjose/cjose.h>

#include "lazylib.h"

#define cjose_header_get LAZYLIB_FN(LAZYLIB_CJOSE, cjose_header_get)
#define cjose_header_get_raw LAZYLIB_FN(LAZYLIB_CJOSE, cjose_header_get_raw)
#define cjose_header_new LAZYLIB_FN(LAZYLIB_CJOSE, cjose_header_new)
#define cjose_header_release LAZYLIB_FN(LAZYLIB_CJOSE, cjose_header_release)
#define cjose_header_set LAZYLIB_FN(LAZYLIB_CJOSE, cjose_header_set)
#define cjose_jwk_EC_get_curve LAZYLIB_FN(LAZYLIB_CJOSE, cjose_jwk_EC_get_curve)
#define cjose_jwk_get_keysize LAZYLIB_FN(LAZYLIB_CJOSE, cjose_jwk_get_keysize)
#define cjose_jwk_get_kid LAZYLIB_FN(LAZYLIB_CJOSE, cjose_jwk_get_kid)
#define cjose_jwk_get_kty LAZYLIB_FN(LAZYLIB_CJOSE, cjose_jwk_get_kty)
#define cjose_jwk_import LAZYLIB_FN(LAZYLIB_CJOSE, cjose_jwk_import)
#define cjose_jwk_release LAZYLIB_FN(LAZYLIB_CJOSE, cjose_jwk_release)
#define cjose_jws_export LAZYLIB_FN(LAZYLIB_CJOSE, cjose_jws_export)
#define cjose_jws_get_plaintext LAZYLIB_FN(LAZYLIB_CJOSE, cjose_jws_get_plaintext)
#define cjose_jws_get_protected LAZYLIB_FN(LAZYLIB_CJOSE, cjose_jws_get_protected)
#define cjose_jws_import LAZYLIB_FN(LAZYLIB_CJOSE, cjose_jws_import)
#define cjose_jws_release LAZYLIB_FN(LAZYLIB_CJOSE, cjose_jws_release)
#define cjose_jws_sign LAZYLIB_FN(LAZYLIB_CJOSE, cjose_jws_sign)
#define cjose_jws_verify LAZYLIB_FN(LAZYLIB_CJOSE, cjose_jws_verify)
#define CJOSE_HDR_ALG LAZYLIB_VAR(LAZYLIB_CJOSE, CJOSE_HDR_ALG)
#define CJOSE_HDR_ALG_ES256 LAZYLIB_VAR(LAZYLIB_CJOSE, CJOSE_HDR_ALG_ES256)
#define CJOSE_HDR_ALG_RS256 LAZYLIB_VAR(LAZYLIB_CJOSE, CJOSE_HDR_ALG_RS256)
#define CJOSE_HDR_KID LAZYLIB_VAR(LAZYLIB_CJOSE, CJOSE_HDR_KID)

#endif
