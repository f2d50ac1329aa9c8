/*
 * store_resource.c - SQL for the directory resources, built from descriptors.
 *
 * Column i of a descriptor is always result column i + 1 (after id), and
 * created_at/updated_at follow the fields.  Queries are built into a stack
 * buffer and prepared through the connection's text-keyed cache, so each
 * shape (which filters are present) is prepared once.
 */
#include "store_resource.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "store.h"

int store_resource_field(const struct res_desc *d, const char *name)
{
	for (int i = 0; i < d->nfields; i++)
		if (!strcmp(d->fields[i].name, name))
			return i;
	return -1;
}

void store_resource_default(const struct res_field *f, struct res_val *out)
{
	memset(out, 0, sizeof(*out));
	out->set = true;
	out->null = !f->def || f->type == RES_JSON; /* a JSON def is what NULL answers */
	if (out->null)
		return;
	if (res_is_int(f))
		out->i = strtoll(f->def, NULL, 10);
	else
		snprintf(out->s, sizeof(out->s), "%s", f->def);
}

static void select_list(struct buf *b, const struct res_desc *d)
{
	buf_puts(b, "SELECT id");
	for (int i = 0; i < d->nfields; i++)
		buf_printf(b, ", %s", d->fields[i].name);
	buf_printf(b, ", created_at, updated_at FROM %s", d->table);
}

void store_resource_row_release(const struct res_desc *d, struct res_row *row)
{
	if (!row)
		return;
	for (int i = 0; i < d->nfields; i++) {
		free(row->v[i].json);
		row->v[i].json = NULL;
	}
}

/* The current row of st into row; false when out of memory (row holds
 * nothing then). */
static bool read_row(sqlite3_stmt *st, const struct res_desc *d, struct res_row *row)
{
	memset(row, 0, sizeof(*row));
	row->id = sqlite3_column_int64(st, 0);
	for (int i = 0; i < d->nfields; i++) {
		struct res_val *v = &row->v[i];
		int col = i + 1;

		v->set = true;
		v->null = sqlite3_column_type(st, col) == SQLITE_NULL;
		if (v->null)
			continue;
		if (res_is_int(&d->fields[i]))
			v->i = sqlite3_column_int64(st, col);
		else if (d->fields[i].type != RES_JSON) /* copy: the text dies at the next step */
			snprintf(v->s, sizeof(v->s), "%s", (const char *)sqlite3_column_text(st, col));
		else if (!(v->json = strdup((const char *)sqlite3_column_text(st, col)))) {
			store_resource_row_release(d, row);
			return false;
		}
	}
	row->created_at = sqlite3_column_int64(st, d->nfields + 1);
	row->updated_at = sqlite3_column_int64(st, d->nfields + 2);
	return true;
}

static void bind_val(sqlite3_stmt *st, int idx, const struct res_field *f, const struct res_val *v)
{
	if (v->null)
		sqlite3_bind_null(st, idx);
	else if (res_is_int(f))
		sqlite3_bind_int64(st, idx, v->i);
	else if (f->type == RES_JSON)
		sqlite3_bind_text(st, idx, v->json, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_text(st, idx, v->s, -1, SQLITE_TRANSIENT);
}

/* Build sql in b; on failure (too long) report a store error. */
static enum app_err prepare(struct store *s, struct buf *b, sqlite3_stmt **st)
{
	if (b->failed)
		return APP_ENOMEM;
	return store_stmt(s, b->data, st);
}

enum app_err store_resource_get(struct store *s, const struct res_desc *d, int64_t id,
				struct res_row *out)
{
	sqlite3_stmt *st = NULL;
	enum app_err err;
	struct buf b;
	int rc;

	buf_init(&b, 4096);
	select_list(&b, d);
	buf_puts(&b, " WHERE id = ?1");
	if ((err = prepare(s, &b, &st)))
		goto out;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		err = read_row(st, d, out) ? APP_OK : APP_ENOMEM;
	else if (rc == SQLITE_DONE)
		err = APP_ENOTFOUND;
	else
		err = store_fail(s, rc, "resource get");
out:
	store_done(st);
	buf_release(&b);
	return err;
}

enum app_err store_resource_insert(struct store *s, const struct res_desc *d, struct res_row *row,
				   int64_t now)
{
	sqlite3_stmt *st = NULL;
	enum app_err err;
	struct buf b;
	int rc;

	buf_init(&b, 4096);
	buf_printf(&b, "INSERT INTO %s (", d->table);
	for (int i = 0; i < d->nfields; i++)
		buf_printf(&b, "%s, ", d->fields[i].name);
	buf_puts(&b, "created_at, updated_at) VALUES (");
	for (int i = 0; i < d->nfields + 2; i++)
		buf_printf(&b, "%s?%d", i ? ", " : "", i + 1);
	buf_puts(&b, ")");
	if ((err = prepare(s, &b, &st)))
		goto out;
	for (int i = 0; i < d->nfields; i++) {
		const struct res_field *f = &d->fields[i];
		struct res_val def;

		if (!row->v[i].set)
			store_resource_default(f, &def);
		bind_val(st, i + 1, f, row->v[i].set ? &row->v[i] : &def);
	}
	sqlite3_bind_int64(st, d->nfields + 1, now);
	sqlite3_bind_int64(st, d->nfields + 2, now);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		err = store_fail(s, rc, "resource insert");
	else
		row->id = sqlite3_last_insert_rowid(store_db(s));
out:
	store_done(st);
	buf_release(&b);
	return err;
}

enum app_err store_resource_update(struct store *s, const struct res_desc *d, int64_t id,
				   const struct res_row *row, int64_t now)
{
	sqlite3_stmt *st = NULL;
	enum app_err err;
	struct buf b;
	int rc, n = 0;

	buf_init(&b, 4096);
	buf_printf(&b, "UPDATE %s SET updated_at = ?1", d->table);
	for (int i = 0; i < d->nfields; i++)
		if (row->v[i].set)
			buf_printf(&b, ", %s = ?%d", d->fields[i].name, i + 3);
	buf_puts(&b, " WHERE id = ?2");
	if ((err = prepare(s, &b, &st)))
		goto out;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	for (int i = 0; i < d->nfields; i++)
		if (row->v[i].set)
			bind_val(st, i + 3, &d->fields[i], &row->v[i]);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		err = store_fail(s, rc, "resource update");
	else if ((n = sqlite3_changes(store_db(s))) == 0)
		err = APP_ENOTFOUND;
out:
	store_done(st);
	buf_release(&b);
	return err;
}

/* '%text%' for LIKE ... ESCAPE '\' into out (cap bytes), with %, _ and
 * the escape character in text literal; false when it does not fit. */
static bool like_pattern(const char *text, char *out, size_t cap)
{
	size_t n = 0;

	if (cap < 3)
		return false;
	out[n++] = '%';
	for (const char *p = text; *p; p++) {
		if (n + 4 > cap) /* an escaped byte, '%' and the NUL */
			return false;
		if (*p == '%' || *p == '_' || *p == '\\')
			out[n++] = '\\';
		out[n++] = *p;
	}
	out[n++] = '%';
	out[n] = '\0';
	return true;
}

enum app_err store_resource_list(struct store *s, const struct res_desc *d,
				 const struct res_list *q, res_row_fn fn, void *ctx)
{
	sqlite3_stmt *st = NULL;
	struct res_row row;
	enum app_err err;
	char like[2 * RES_TEXT_MAX + 3];
	struct buf b;
	int rc;

	buf_init(&b, 4096);
	select_list(&b, d);
	buf_puts(&b, " WHERE 1");
	for (int i = 0; i < d->nfields; i++)
		if (q->filter.v[i].set)
			buf_printf(&b, " AND %s IS ?%d", d->fields[i].name, i + 5);
	if (q->q && d->search)
		buf_printf(&b, " AND (%s)", d->search);
	if (q->nunits && d->unit_col) {
		buf_printf(&b, " AND %s IN (", d->unit_col);
	} else if (q->nunits && d->unit_ref) {
		buf_printf(&b, " AND (SELECT unit_id FROM %s u WHERE u.id = %s.%s) IN (",
			   d->unit_ref_table, d->table, d->unit_ref);
	}
	if (q->nunits && res_has_unit(d)) {
		for (int i = 0; i < q->nunits; i++) /* integers: no injection */
			buf_printf(&b, "%s%lld", i ? "," : "", (long long)q->unit_ids[i]);
		buf_putc(&b, ')');
	}
	buf_printf(&b, " ORDER BY %s LIMIT ?3 OFFSET ?4",
		   d->order ? d->order : "name COLLATE NOCASE, id");
	if ((err = prepare(s, &b, &st)))
		goto out;
	if (q->q) {
		if (!like_pattern(q->q, like, sizeof(like))) {
			err = APP_EINVAL;
			goto out;
		}
		sqlite3_bind_text(st, 1, q->q, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, like, -1, SQLITE_TRANSIENT);
	}
	sqlite3_bind_int(st, 3, q->limit);
	sqlite3_bind_int(st, 4, q->offset);
	for (int i = 0; i < d->nfields; i++)
		if (q->filter.v[i].set)
			bind_val(st, i + 5, &d->fields[i], &q->filter.v[i]);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		bool more;

		if (!read_row(st, d, &row)) {
			err = APP_ENOMEM;
			goto out;
		}
		more = fn(ctx, &row);
		store_resource_row_release(d, &row);
		if (!more)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "resource list");
out:
	store_done(st);
	buf_release(&b);
	return err;
}

enum app_err store_resource_unit(struct store *s, const struct res_desc *d,
				 const struct res_row *row, int64_t *unit)
{
	char sql[128];
	int i;

	*unit = 0;
	if (d->unit_col && !strcmp(d->unit_col, "id")) {
		*unit = row->id;
		return APP_OK;
	}
	i = store_resource_field(d, d->unit_col ? d->unit_col : d->unit_ref ? d->unit_ref : "");
	if (i < 0 || row->v[i].null)
		return APP_OK;
	if (d->unit_col) {
		*unit = row->v[i].i;
		return APP_OK;
	}
	/* the table comes from a constant descriptor, never from input */
	snprintf(sql, sizeof(sql), "SELECT coalesce(unit_id, 0) FROM %s WHERE id = ?1",
		 d->unit_ref_table);
	return store_scalar(s, sql, 1, row->v[i].i, 0, unit);
}

enum app_err store_resource_ref(struct store *s, const char *table, int64_t id, bool *exists,
				bool *active)
{
	char sql[128];
	int64_t v;
	enum app_err err;

	/* table comes from a constant descriptor, never from input */
	snprintf(sql, sizeof(sql), "SELECT 1 + active FROM %s WHERE id = ?1", table);
	if ((err = store_scalar_memo(s, sql, id, &v)))
		return err;
	*exists = v != 0;
	*active = v == 2;
	return APP_OK;
}
