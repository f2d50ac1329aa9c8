/*
 * resources.h - the descriptors of the directory resources (resources.c):
 * units, clinicians, rooms, patients, consultation types and the waiting
 * list, for the generic handlers (api_resource.c) and whoever fills them
 * (demo.c).
 */
#ifndef TIMEBOK_RESOURCES_H
#define TIMEBOK_RESOURCES_H

#include <stdint.h>

#include "err.h"
#include "store_resource.h"

extern const struct res_desc resources_units, resources_clinicians, resources_rooms,
    resources_patients, resources_types, resources_waiting;

struct appt_type;
/* Load consultation type id.  APP_ENOTFOUND. */
enum app_err resources_type_load(struct store *db, int64_t id, struct appt_type *out) WARN_UNUSED;

#endif
