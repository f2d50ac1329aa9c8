/*
 * store_resource.h - the directory: units, clinicians, rooms and patients.
 *
 * The four are alike (named records with a few text, choice and reference
 * columns, deactivated rather than deleted), so one descriptor-driven
 * implementation serves them: a struct res_desc names the table and its
 * columns, and the SQL is built from it.  Table and column names come only
 * from the constant descriptors, never from input; values are always bound.
 */
#ifndef TIMEBOK_STORE_RESOURCE_H
#define TIMEBOK_STORE_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct store;
struct res_row;
struct res_desc;

#define RES_MAX_FIELDS 10
/* "column " RES_LIKE: contains the search text, % and _ in it literal */
#define RES_LIKE "LIKE ?2 ESCAPE '\\'"
#define RES_TEXT_MAX 256

enum res_type {
	RES_TEXT, /* free text (max bytes, optional check) */
	RES_ENUM, /* one of values[] */
	RES_REF,  /* id of a row in table ref */
	RES_BOOL, /* 0/1 */
	RES_INT,  /* an integer from min to max */
	RES_JSON, /* a JSON value kept as its text (max bytes), checked
		   * against the store by check_json; def is what a NULL
		   * column answers, and a value equal to it is stored NULL */
};

struct json_t;

struct res_field {
	const char *name; /* the JSON field and the column */
	enum res_type type;
	bool required;    /* on create */
	bool filter;      /* ?name=value filters lists */
	bool readonly;    /* derived by the server, never accepted */
	size_t max;       /* RES_TEXT: at most this many bytes; RES_INT: at most */
	int64_t min;      /* RES_INT: at least */
	const char *const *values; /* RES_ENUM: NULL-terminated */
	const char *ref;  /* RES_REF: the referenced table */
	const char *def;  /* default on create ("1" for bool true, decimal for
			   * an integer); NULL = null */
	/* RES_TEXT: normalise v in place (cap bytes); NULL or a reason why not. */
	const char *(*check)(char *v, size_t cap);
	/* RES_JSON: check value v (borrowed) for the row as it would be
	 * stored; NULL when fine, else why (written into why, cap bytes),
	 * with the field to blame (a path such as "follow_up[2].after_days")
	 * written into field (fcap bytes). */
	const char *(*check_json)(struct store *s, const struct res_desc *d,
				  const struct res_row *row, const struct json_t *v, char *why,
				  size_t cap, char *field, size_t fcap);
	/* RES_JSON: checked again when this field changes (its meaning
	 * depends on it, as a plan's questionnaires on the type's unit) */
	const char *depends;
};

struct res_desc {
	const char *table; /* "patients" */
	const char *path;  /* under /api/v1/ when it is not the table's name */
	const char *noun;  /* "patient" */
	const struct res_field *fields;
	int nfields;
	/* SQL condition for ?q=, with ?1 = the text as given, ?2 = '%text%'
	 * with LIKE's wildcards in the text escaped: compare with RES_LIKE */
	const char *search;
	/* Fill readonly fields from the others before a write. */
	void (*derive)(const struct res_desc *d, struct res_row *row);
	/* The row's unit, for unit-limited staff: the column naming it, or
	 * (unit_ref) the field referencing a row of unit_ref_table, whose
	 * unit_id it is (a waiting entry is its consultation type's unit's).
	 * Both NULL: the rows belong to no unit. */
	const char *unit_col;
	const char *unit_ref, *unit_ref_table;
	/* Rules across fields: given the row as it would be (defaults or
	 * current values where the request is silent), NULL or why not, with
	 * *field naming the field to blame. */
	const char *(*check_row)(const struct res_desc *d, const struct res_row *row,
				 const char **field);
	/* Patient data: reads and changes go to the audit log, as
	 * "<audit_as>.<verb>" for the patient in patient_field (NULL: the row
	 * is the patient). */
	bool audited;
	const char *audit_as;
	const char *patient_field;
	/* ORDER BY of lists (NULL: by name) */
	const char *order;
	/* DELETE sets "status" to this (NULL: sets active to false) */
	const char *removed_status;
	/* the field a unique index holds (a 409 duplicate names it), or NULL */
	const char *unique;
};

struct res_val {
	bool set;  /* present (in a request) / loaded */
	bool null;
	int64_t i; /* RES_REF, RES_BOOL, RES_INT */
	char s[RES_TEXT_MAX]; /* RES_TEXT, RES_ENUM */
	char *json; /* RES_JSON: the text, malloc'd; the row owns it */
};

struct res_row {
	int64_t id;
	int64_t created_at, updated_at;
	struct res_val v[RES_MAX_FIELDS];
};

struct res_list {
	struct res_row filter; /* fields with set=true must equal */
	const char *q;         /* free-text search, or NULL */
	int nunits;            /* only rows of these units (the desc's unit) */
	const int64_t *unit_ids;
	int limit, offset;
};

typedef bool (*res_row_fn)(void *ctx, const struct res_row *row);

/* Free the RES_JSON texts row owns (a row of a descriptor without such
 * fields owns nothing); row may be NULL.  A row loaded or read from a
 * request is released once; copies of its values are borrowed. */
void store_resource_row_release(const struct res_desc *d, struct res_row *row);

/* The index of field name in d, or -1. */
int store_resource_field(const struct res_desc *d, const char *name);

/* The value field f takes on create when a request does not give it. */
void store_resource_default(const struct res_field *f, struct res_val *out);
/* Whether values of f are stored as integers. */
static inline bool res_is_int(const struct res_field *f)
{
	return f->type == RES_REF || f->type == RES_BOOL || f->type == RES_INT;
}
/* The path of d's collection under /api/v1/. */
static inline const char *res_path(const struct res_desc *d)
{
	return d->path ? d->path : d->table;
}

/* Load row id (store_resource_row_release).  APP_ENOTFOUND when there is
 * none. */
enum app_err store_resource_get(struct store *s, const struct res_desc *d, int64_t id,
				struct res_row *out) WARN_UNUSED;
/* Insert row (all fields; unset ones take defaults); sets row->id. */
enum app_err store_resource_insert(struct store *s, const struct res_desc *d, struct res_row *row,
				   int64_t now) WARN_UNUSED;
/* Update the fields of row with set=true on record id.  APP_ENOTFOUND. */
enum app_err store_resource_update(struct store *s, const struct res_desc *d, int64_t id,
				   const struct res_row *row, int64_t now) WARN_UNUSED;
/* Call fn for each matching row, ordered by name; stop when fn says false.
 * The row, and the texts it holds, are fn's to read until it returns. */
enum app_err store_resource_list(struct store *s, const struct res_desc *d,
				 const struct res_list *q, res_row_fn fn, void *ctx) WARN_UNUSED;
/* Whether d's rows belong to units (unit_col or unit_ref). */
static inline bool res_has_unit(const struct res_desc *d)
{
	return d->unit_col || d->unit_ref;
}
/* The unit of row (via d->unit_col or d->unit_ref) into *unit; 0 when it
 * has none. */
enum app_err store_resource_unit(struct store *s, const struct res_desc *d,
				 const struct res_row *row, int64_t *unit) WARN_UNUSED;
/* Whether row id of table exists, and whether it is active. */
enum app_err store_resource_ref(struct store *s, const char *table, int64_t id, bool *exists,
				bool *active) WARN_UNUSED;

#endif
