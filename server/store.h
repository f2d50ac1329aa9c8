/*
 * store.h - the SQLite layer: connections, migrations, statements, pool.
 *
 * One struct store is one connection with its own prepared-statement cache.
 * Connections come from a fixed pool; a request borrows one for its whole
 * handler.  Every connection runs WAL, synchronous=FULL (an acknowledged
 * write survives power loss), foreign keys and a busy timeout.
 *
 * Writes are one BEGIN IMMEDIATE transaction each (store_begin): a check and
 * the write it guards see the same database, so two racing bookings cannot
 * both pass.  SQLite codes are mapped to enum app_err here, once: busy ->
 * APP_EBUSY, a trigger's 'overlap' -> APP_ECONFLICT, UNIQUE -> APP_EDUPLICATE,
 * anything unexpected is logged with sqlite3_errmsg and becomes APP_ESTORE.
 *
 * Writers queue.  SQLite lets one writer in at a time and makes the others
 * sleep and retry in its busy handler, which serves them in no order: under
 * 16 booking connections a few waited half a second while others passed
 * them.  So every write in this process first takes its file's writer lock,
 * a FIFO queue (one per database file, shared by all connections to it:
 * the pool's, the audit writer's, the outbox worker's): store_begin() takes
 * it before BEGIN IMMEDIATE, store_commit() and store_rollback() hand it to
 * the oldest waiter.  A write statement run outside a transaction (a
 * session's last_seen, a login failure, the outbox's claim) is a
 * transaction of its own and queues the same way: store_stmt() takes the
 * lock when it hands out a statement that writes while no transaction is
 * open, and that statement's store_done() gives it back.  At most one
 * thread of the process then waits on SQLite's lock, and only for another
 * process (the CLI, a backup); the busy timeout stays for those, and bounds
 * the wait in the queue too (then APP_EBUSY, as before).  In-memory
 * databases (private to their connection) do not queue.  store_exec() does
 * not queue: it is for PRAGMAs and the migrations' transaction.
 *
 * Deadlock-safety: a thread holds the writer lock only between its
 * store_begin() and its commit or rollback (or during one statement), on a
 * connection it holds already, and meanwhile
 *  - never waits for a pool connection (a request borrows its connection
 *    before its handler runs; the audit and outbox threads have their own);
 *  - never takes the writer lock again through another connection (a second
 *    connection to the same file would wait for itself until the timeout);
 *  - never waits for the audit queue's room or for audit_flush() (the
 *    audit writer needs the writer lock to make room): reads are audited
 *    by read handlers, outside write transactions;
 *  - takes only leaf mutexes (the pool's, the queue's own, the audit
 *    queue's when it is not full, the outbox's wake-up), none of which is
 *    held by anyone while waiting for the writer lock.
 * The queue's own mutex is held only to link, unlink or hand over a waiter.
 */
#ifndef TIMEBOK_STORE_H
#define TIMEBOK_STORE_H

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct store;
struct store_pool;

/* The migrations compiled in from schema/NNNN_*.sql, in order. */
struct store_migration {
	const char *name;
	const char *sql;
};
extern const struct store_migration store_migrations[];
extern const int store_nmigrations;

/* Open a connection to path (a file name or a "file:" URI) with the house
 * PRAGMAs.  *out is a new store the caller frees with store_free(). */
enum app_err store_open(const char *path, int busy_timeout_ms, struct store **out) WARN_UNUSED;
/* Finalize cached statements and close.  NULL-safe. */
void store_free(struct store *s);

/* Apply the migrations the database lacks (PRAGMA user_version), all in one
 * transaction: on failure (logged once, with the migration) the database is
 * as it was.  A database that holds tables is first copied to
 * PATH.before-NNNN (NNNN: the first pending migration; mode 0600; see
 * store.c); APP_ESTORE when that file exists already, and when the database
 * is newer than this binary.  Nothing pending: nothing copied. */
enum app_err store_migrate(struct store *s) WARN_UNUSED;
/* The same with the migrations list[0..n) (tests inject their own). */
enum app_err store_migrate_list(struct store *s, const struct store_migration *list, int n)
	WARN_UNUSED;

/* A cached prepared statement for sql (borrowed: the cache owns it).  Callers
 * bind, step, then store_done() it.  The cache is keyed by the SQL text. */
enum app_err store_stmt(struct store *s, const char *sql, sqlite3_stmt **out) WARN_UNUSED;
/* Reset and clear st for its next use.  NULL-safe. */
void store_done(sqlite3_stmt *st);

/* Map a SQLite result code to an app_err, logging unexpected ones with
 * what (a short description of the operation) and sqlite3_errmsg. */
enum app_err store_fail(struct store *s, int rc, const char *what);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK, with the writer lock (see the top):
 * begin takes it (APP_EBUSY when the queue did not reach this connection
 * within the busy timeout), commit and rollback give it back.  rollback is
 * safe without a transaction and never fails visibly. */
enum app_err store_begin(struct store *s) WARN_UNUSED;
enum app_err store_commit(struct store *s) WARN_UNUSED;
void store_rollback(struct store *s);

/* Group commit: run fn(s2, ctx) as part of one transaction shared with
 * other threads' jobs on the same file, in a SAVEPOINT of its own, on the
 * connection s2 of whichever thread leads the group (often not s: fn must
 * use only s2 and what ctx points to, and not open a transaction).  What fn
 * answers is returned (a failure undoes only its own savepoint), or, when
 * fn succeeded, the commit's outcome: the call returns only after the
 * group's one COMMIT, so APP_OK means durable.  Arrival order is kept: a
 * thread waits for its group as it would in the writer queue, holding no
 * writer lock meanwhile.  Alone (in memory, or s in a transaction
 * already): begin, fn, commit on s. */
typedef enum app_err (*store_job_fn)(struct store *s, void *ctx);
enum app_err store_group(struct store *s, store_job_fn fn, void *ctx) WARN_UNUSED;
/* A job of s's is on its way to store_group (a booking request being read
 * and checked): the leader of a group waits up to 1 ms for the jobs on
 * their way to join it before it begins, so that they share its
 * one fsync rather than each waiting for a commit of its own (PostgreSQL's
 * commit_delay with commit_siblings).  store_group or store_group_gone
 * (whichever comes first; calling both is fine) ends the announcement;
 * each does nothing for a connection that announced nothing. */
void store_group_coming(struct store *s);
void store_group_gone(struct store *s);
/* The leader's longest wait for them, in milliseconds (tests). */
void store_set_gather_ms(int ms);
/* The writer queue of s's file now (tests; all 0 for an in-memory
 * database): how often its lock was taken so far, the group commits so
 * far and the jobs in them, the threads waiting for the lock and the jobs
 * waiting for a group. */
struct store_queue_state {
	unsigned long served, groups, jobs;
	int waiting, queued, coming;
};
void store_queue_state(struct store *s, struct store_queue_state *out);
/* The group commits so far and the jobs in them (/metrics). */
void store_pool_groups(struct store_pool *p, unsigned long *groups, unsigned long *jobs);

/* The writer lock alone, outside store_begin() (tests; a no-op for an
 * in-memory database and when s holds it already).  APP_EBUSY after the
 * busy timeout. */
enum app_err store_write_lock(struct store *s) WARN_UNUSED;
void store_write_unlock(struct store *s);

/* Step st, which returns no rows, to its end and store_done() it; errors
 * mapped with what (store_fail). */
enum app_err store_step_done(struct store *s, sqlite3_stmt *st, const char *what) WARN_UNUSED;
/* Column col of st's current row as text into dst ("" for NULL).  The
 * column's own text dies at the next step: this copy does not. */
void store_copy_text(char *dst, size_t cap, sqlite3_stmt *st, int col);
/* Bind text v (copied), or NULL when v is NULL or "". */
void store_bind_text(sqlite3_stmt *st, int idx, const char *v);

/* Run sql (one or more statements, no results) outside the cache. */
enum app_err store_exec(struct store *s, const char *sql) WARN_UNUSED;

/* The raw handle, for the store_* files only. */
sqlite3 *store_db(struct store *s);

/* One integer from a one-row query with up to two integer parameters
 * (pass count 0-2); *out = 0 when there is no row. */
enum app_err store_scalar(struct store *s, const char *sql, int count, int64_t a, int64_t b,
			  int64_t *out) WARN_UNUSED;

/* Run sql (no result rows) with up to two integer parameters (count 0-2). */
enum app_err store_run(struct store *s, const char *sql, int count, int64_t a, int64_t b) WARN_UNUSED;
/* store_scalar of sql with ?1 = a, remembered by the connection for as long
 * as the data generation (store_generation) is unchanged; inside a
 * transaction it is always read.  Only for SQL that reads tables the
 * generation counts (not sessions, the audit, login failures, the outbox)
 * and that only this process writes (accounts are not: the CLI writes them):
 * a clinician's unit, whether a row exists. */
enum app_err store_scalar_memo(struct store *s, const char *sql, int64_t a,
			       int64_t *out) WARN_UNUSED;

/* Write a consistent copy of the database to dest, a new file of mode 0600
 * (online backup API; safe while the server runs).  APP_EINVAL if dest
 * exists; a copy that fails is removed. */
enum app_err store_backup(struct store *s, const char *dest) WARN_UNUSED;

/* A pool of size connections to path; the first one migrates the schema. */
enum app_err store_pool_new(const char *path, int size, int busy_timeout_ms,
			    struct store_pool **out) WARN_UNUSED;
void store_pool_free(struct store_pool *p);
/* Borrow a connection, waiting for one to be free. */
struct store *store_pool_get(struct store_pool *p);
/* Give back s (rolls back any transaction left open). */
void store_pool_put(struct store_pool *p, struct store *s);
/* Database errors counted so far (for /metrics). */
long store_pool_errors(struct store_pool *p);

/* The data generation: a number that grows after every commit that changed
 * data an answer may show (all tables but the read audit, sessions, login
 * throttling and the outbox), once the commit is visible to readers.  An
 * answer computed from reads that began after the generation was read is
 * current as long as the generation is unchanged (listcache.h).  The pool's
 * connections share one; store_follow makes another connection's commits
 * count in a pool's.  Only this process's commits count: other processes
 * (the CLI) write only accounts, which no cached answer shows. */
uint64_t store_generation(struct store *s);
uint64_t store_pool_generation(struct store_pool *p);
void store_follow(struct store *s, struct store_pool *p);

/* The accounts generation: a number that grows after every commit that
 * changed an account (users), its units (user_units) or ended sessions,
 * by any process that opens the database file with this code (the server,
 * the CLI): it is a counter in "<db>-accounts" beside the database, read
 * with pread by each process and bumped (under flock) by the committing
 * connection once its commit is visible (the WAL hook).  The session cache (auth.c) keeps an
 * account's session only while it is unchanged, so a session ended or an
 * account disabled from the command line ends at the server's next request
 * with no read per request.  A read serves a millisecond (its pread and
 * fstat were a sixth of a 304 poll's CPU): another process's bump is seen
 * within 1 ms, this process's own at once.  False when there is none: an in-memory
 * database, a journal other than WAL, a file that could not be made, or
 * one that was cut short, deleted, replaced or set back below a number
 * read before (from then on, until a restart: nothing may be cached). */
bool store_accounts_generation(struct store *s, uint64_t *out) WARN_UNUSED;
/* The transaction (or the next statement, outside one) changes accounts,
 * their units or sessions: bump the accounts generation at its commit.
 * Changes to users are noticed by themselves (the update hook); the
 * WITHOUT ROWID tables user_units and sessions have no update hook. */
void store_accounts_touch(struct store *s);

#endif
