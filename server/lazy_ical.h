/*
 * lazy_ical.h - <libical/ical.h> with the functions timebok calls loaded at first use
 * (lazylib.h): include this in place of <libical/ical.h>.
 */
#ifndef TIMEBOK_LAZY_ICAL_H
#define TIMEBOK_LAZY_ICAL_H

#include <libical/ical.h>

#include "lazylib.h"

#define icalcomponent_add_component LAZYLIB_FN(LAZYLIB_ICAL, icalcomponent_add_component)
#define icalcomponent_add_property LAZYLIB_FN(LAZYLIB_ICAL, icalcomponent_add_property)
#define icalcomponent_as_ical_string_r LAZYLIB_FN(LAZYLIB_ICAL, icalcomponent_as_ical_string_r)
#define icalcomponent_free LAZYLIB_FN(LAZYLIB_ICAL, icalcomponent_free)
#define icalcomponent_get_first_component                                                          \
	LAZYLIB_FN(LAZYLIB_ICAL, icalcomponent_get_first_component)
#define icalcomponent_get_first_property LAZYLIB_FN(LAZYLIB_ICAL, icalcomponent_get_first_property)
#define icalcomponent_get_next_component LAZYLIB_FN(LAZYLIB_ICAL, icalcomponent_get_next_component)
#define icalcomponent_get_next_property LAZYLIB_FN(LAZYLIB_ICAL, icalcomponent_get_next_property)
#define icalcomponent_new_vcalendar LAZYLIB_FN(LAZYLIB_ICAL, icalcomponent_new_vcalendar)
#define icalcomponent_new_vevent LAZYLIB_FN(LAZYLIB_ICAL, icalcomponent_new_vevent)
#define icaldurationtype_from_int LAZYLIB_FN(LAZYLIB_ICAL, icaldurationtype_from_int)
#define icalparameter_new_value LAZYLIB_FN(LAZYLIB_ICAL, icalparameter_new_value)
#define icalparser_parse_string LAZYLIB_FN(LAZYLIB_ICAL, icalparser_parse_string)
#define icalproperty_add_parameter LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_add_parameter)
#define icalproperty_get_value LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_get_value)
#define icalproperty_new_calscale LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_new_calscale)
#define icalproperty_new_description LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_new_description)
#define icalproperty_new_dtend LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_new_dtend)
#define icalproperty_new_dtstamp LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_new_dtstamp)
#define icalproperty_new_dtstart LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_new_dtstart)
#define icalproperty_new_location LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_new_location)
#define icalproperty_new_method LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_new_method)
#define icalproperty_new_name LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_new_name)
#define icalproperty_new_organizer LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_new_organizer)
#define icalproperty_new_prodid LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_new_prodid)
#define icalproperty_new_refreshinterval LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_new_refreshinterval)
#define icalproperty_new_sequence LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_new_sequence)
#define icalproperty_new_status LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_new_status)
#define icalproperty_new_summary LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_new_summary)
#define icalproperty_new_uid LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_new_uid)
#define icalproperty_new_url LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_new_url)
#define icalproperty_new_version LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_new_version)
#define icalproperty_new_x LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_new_x)
#define icalproperty_set_method LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_set_method)
#define icalproperty_set_x_name LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_set_x_name)
#define icalproperty_string_to_method LAZYLIB_FN(LAZYLIB_ICAL, icalproperty_string_to_method)
#define icaltime_from_timet_with_zone LAZYLIB_FN(LAZYLIB_ICAL, icaltime_from_timet_with_zone)
#define icaltimezone_get_utc_timezone LAZYLIB_FN(LAZYLIB_ICAL, icaltimezone_get_utc_timezone)
#define icalvalue_get_text LAZYLIB_FN(LAZYLIB_ICAL, icalvalue_get_text)
#define icalvalue_get_uri LAZYLIB_FN(LAZYLIB_ICAL, icalvalue_get_uri)
#define icalvalue_isa LAZYLIB_FN(LAZYLIB_ICAL, icalvalue_isa)
#define icalvalue_set_text LAZYLIB_FN(LAZYLIB_ICAL, icalvalue_set_text)
#define icalvalue_set_uri LAZYLIB_FN(LAZYLIB_ICAL, icalvalue_set_uri)

#endif
