/*
 * demo.h - realistic Norwegian demo data for a first run.
 */
#ifndef TIMEBOK_DEMO_H
#define TIMEBOK_DEMO_H

#include "err.h"

struct app;
struct store;

#define DEMO_PASSWORD "timebok-demo-2026"

/* Fill an empty database (no units yet) with units, ten clinicians, rooms,
 * two hundred patients and two weeks of appointments around now, and the
 * accounts admin, sekretaer and lege1 (clinician 1) with DEMO_PASSWORD.  A
 * database that has data is left alone (so a second start with --demo
 * works); one with staff accounts but no data is a real install being set
 * up, and gets APP_EINVAL rather than accounts with a published password.
 * Deterministic for a given day. */
enum app_err demo_populate(struct app *app, struct store *db) WARN_UNUSED;

#endif
