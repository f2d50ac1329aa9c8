/*
 * validate.h - checks of values that come from outside.
 *
 * The text checks normalise in place and return NULL when the value is
 * good, or a short static reason ("not an E.164 phone number") that the
 * caller puts in its error message.
 */
#ifndef TIMEBOK_VALIDATE_H
#define TIMEBOK_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

/* Text a person reads (a name, a note, a reason; valid UTF-8): NULL, or
 * why not when it holds a control character (C0 except, when multiline,
 * the newline; DEL; C1 U+0080-009F), a bidirectional formatting character
 * (U+061C, U+200E-200F, U+202A-202E, U+2066-2069: they show text reversed
 * or reordered to staff) or a line or paragraph separator (U+2028-2029). */
const char *validate_text(const char *s, bool multiline);
/* A display name or label: trimmed, not empty, validate_text on one line. */
const char *validate_name(char *v, size_t cap);
/* Phone in E.164 ("+4791234567"); spaces and hyphens are removed first. */
const char *validate_phone(char *v, size_t cap);
/* An e-mail address of the usual shape (one @, a dot in the domain). */
const char *validate_email(char *v, size_t cap);
/* A Norwegian national identity number (fødselsnummer, D-, H- or synthetic
 * test number): 11 digits, a real birth date, both mod-11 check digits. */
const char *validate_national_id(char *v, size_t cap);
/* The two mod-11 check digits of the first nine digits of v into out ('x'
 * for one that would be 10); false when no valid number starts so. */
bool validate_national_id_check_digits(const char *v, char out[2]);
/* The birth date ("YYYY-MM-DD") a valid national id encodes; false if none. */
bool validate_national_id_birth_date(const char *nin, char out[11]);
/* Whether s (len bytes) is valid UTF-8 with no NUL. */
bool validate_utf8(const char *s, size_t len);
/* Whether JSON text nests arrays/objects deeper than max. */
bool validate_json_too_deep(const char *s, size_t len, int max);

#endif
