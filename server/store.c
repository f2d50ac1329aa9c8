/*
 * store.c - SQLite connections, migrations, statement cache and pool.
 *
 * The statement cache is an open-addressing table keyed by the SQL text
 * (hash, then strcmp against sqlite3_sql()), so dynamically built queries
 * with a bounded number of shapes are prepared once per connection too.
 * Statements are prepared with SQLITE_PREPARE_PERSISTENT.
 *
 * Migrations (store_migrate): the pending ones run in one transaction, so a
 * failure leaves the database as it was.  Before them a database that holds
 * tables is copied beside itself (PATH.before-NNNN, NNNN the first pending
 * migration, mode 0600) with the online backup API while the migrating
 * connection holds the write lock, so the copy is exactly what the
 * migrations start from.  The copy is read through a second connection: the
 * backup API will not read from a connection in a write transaction.
 *
 * The writer queue (store.h, "Writers queue"): one per database file in the
 * process, found by the file's name in a small list (refs counts the
 * connections that use it).  A waiter is a node on its own stack with its
 * own condition variable; release hands the lock straight to the head of
 * the list, so no later arrival can overtake it, and only that thread wakes.
 * A waiter whose time runs out unlinks itself (unless it was handed the
 * lock meanwhile, which it then keeps).
 *
 * Group commit (store_group): a job joins its file's job list; the thread
 * whose job is first in the list while no group runs leads: it takes up to
 * GROUP_MAX jobs, runs each on its own connection in one BEGIN IMMEDIATE,
 * each job in a SAVEPOINT (a job that fails is rolled back to it, alone),
 * commits once (one fsync), and only then answers every job of the group;
 * then, while jobs wait, it runs their group too (up to LEAD_GROUPS), and
 * after that the oldest job still waiting leads the next group.  Nothing but the
 * list and the flags is touched under the queue's mutex.
 *
 * A group gathers before it begins: a request that will book says so as
 * it starts (store_group_coming: q->coming counts it until its job joins
 * or it gives up), and a leader waits, holding no lock, until every job on
 * its way has joined or GROUP_GATHER_MS have passed.  On a machine whose
 * fsync is quicker than a request's checks, a leader otherwise began and
 * committed before the next booking had been read, and 16 connections'
 * bookings went one per fsync (groups of 1.0 in the benchmark): the fsyncs
 * and the lock's hand-overs, not the SQL, set the rate.
 */
#include "store.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"
#include "log.h"
#include "store_stats.h"

#define CACHE_SLOTS 512 /* power of two */
#define MEMO_SLOTS 32    /* store_scalar_memo's answers per connection, power of two */
#define MEMO_SQL_MAX 128
#define GROUP_MAX 64     /* jobs in one group commit */
#define LEAD_GROUPS 4    /* groups one leader runs while jobs wait */
#define GROUP_GATHER_MS 1 /* a leader's wait for the jobs on their way */

static atomic_int gather_ms = GROUP_GATHER_MS; /* store_set_gather_ms (tests) */

struct waiter {
	pthread_cond_t cv;
	bool granted; /* the lock was handed to this waiter */
	struct waiter *next;
};

struct job {
	store_job_fn fn;
	void *ctx;
	enum app_err err;
	bool done, lead; /* answered; this job's thread leads the next group */
	pthread_cond_t cv;
	struct job *next;
};

struct writeq {
	pthread_mutex_t mu;
	bool held;
	struct waiter *head, *tail; /* FIFO, the oldest first */
	struct job *jhead, *jtail;  /* group commit: jobs waiting for a group */
	bool leading;               /* a group is being run */
	int coming;                 /* jobs announced, not yet joined (store_group_coming) */
	pthread_cond_t gather;      /* signalled as each of them joins or gives up */
	unsigned long groups, jobs; /* group commits so far, the jobs in them */
	unsigned long served;       /* acquisitions so far (tests) */
	int accounts_fd;                /* "<path>-accounts" (-1: none) */
	atomic_uint_fast64_t accounts_max; /* the highest generation read from it */
	atomic_bool accounts_doubted;      /* it went back or away: never trusted again */
	/* the last read, kept for ACCOUNTS_FRESH_NS: when, and the number of
	 * this process's bumps before it (a bump since makes it stale) */
	atomic_int_fast64_t accounts_read_ns;
	atomic_uint_fast64_t accounts_read_bumps, accounts_bumps;
	bool accounts_tried;            /* the opening was attempted (under queues_mu) */
	char *path;
	int refs;
	struct writeq *next;
};

/* How the connection holds its file's writer lock. */
enum held { HELD_NONE, HELD_TXN, HELD_STMT };

struct store {
	sqlite3 *db;
	atomic_long *errors; /* the pool's counter, or own_errors */
	atomic_long own_errors;
	atomic_uint_fast64_t *generation; /* the pool's, or own_generation */
	atomic_uint_fast64_t own_generation;
	bool touched; /* the open transaction changed data that answers show */
	bool accounts_touched; /* ... or an account, its units or sessions */
	bool wal;              /* journal_mode is WAL: on_wal runs after each commit */
	bool checkpoint; /* the WAL has grown: checkpoint after the commit */
	int wal_pages;   /* the WAL's size at the last commit, in pages */
	bool in_group;   /* leading a group commit: checkpoint once it is answered */
	bool coming;     /* counted in wq->coming (store_group_coming) */
	struct writeq *wq; /* NULL: a database of its own (in memory) */
	enum held held;
	int wait_ms; /* the longest wait in the queue: the busy timeout */
	bool cache_full_told; /* the full statement cache was logged */
	struct {
		uint64_t hash;
		sqlite3_stmt *st;
	} cache[CACHE_SLOTS];
	int ncached;
	struct {
		uint64_t generation, hash;
		int64_t arg, value;
		char sql[MEMO_SQL_MAX];
	} memo[MEMO_SLOTS]; /* store_scalar_memo */
};

struct store_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct store **all;
	struct store **free;
	int n, nfree;
	atomic_long errors;
	atomic_uint_fast64_t generation;
};

/* The data generation (see store.h).  Tables whose changes no cached answer
 * shows do not count: the read audit, sessions, login throttling and the
 * outbox change on reads and deliveries, and would empty the caches. */
static bool uncounted(const char *table)
{
	return !strcmp(table, "audit_log") || !strcmp(table, "sessions") ||
	       !strcmp(table, "login_failures") || !strcmp(table, "outbox");
}

static void on_update(void *arg, int op, const char *db, const char *table, sqlite3_int64 row)
{
	struct store *s = arg;

	(void)op;
	(void)db;
	(void)row;
	if (!uncounted(table))
		s->touched = true;
	/* user_units and sessions are WITHOUT ROWID: no update hook runs for
	 * them, so their writers call store_accounts_touch */
	if (!strcmp(table, "users"))
		s->accounts_touched = true;
}

/* Before the commit (for journals other than WAL, where no WAL hook runs). */
static int on_commit(void *arg)
{
	struct store *s = arg;

	if (s->touched)
		atomic_fetch_add(s->generation, 1);
	return 0;
}

static void on_rollback(void *arg)
{
	((struct store *)arg)->touched = false;
	((struct store *)arg)->accounts_touched = false;
}

/* After the commit, once readers can see it: the bump that makes a cache
 * entry filled meanwhile stale.  Installing a WAL hook replaces SQLite's
 * automatic checkpoint, so this does what it did (at 1000 pages), only
 * later: checkpoint_due() runs it once the writer lock is given back (and,
 * after a group commit, once the group is answered), since a checkpoint
 * (10-20 ms at 1M) need not keep the next writers waiting: a passive one
 * runs beside them. */
static void accounts_bump(struct writeq *q);

static int on_wal(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store *s = arg;

	(void)db;
	(void)name;
	if (s->touched)
		atomic_fetch_add(s->generation, 1);
	s->touched = false;
	if (s->accounts_touched && s->wq)
		accounts_bump(s->wq);
	s->accounts_touched = false;
	s->wal_pages = pages;
	if (pages >= 1000)
		s->checkpoint = true;
	return SQLITE_OK;
}

/* A checkpoint beside the writers copies the WAL into the database but
 * cannot make it start over: SQLite restarts the WAL only when a writer
 * begins with every frame copied, and with the queue handing the lock from
 * writer to writer at once (no busy handler's sleeps between them) there
 * is always a newer frame.  Under steady writes the WAL grew to 39 MB in 4 s
 * of patients confirming (old: 4 MB).  So past WAL_RESTART_PAGES the
 * checkpoint takes its turn in the queue: no frame is added while it runs,
 * and the next writer starts the WAL over. */
#define WAL_RESTART_PAGES 4000
/* how long a read of the accounts generation is used (accounts_read) */
#define ACCOUNTS_FRESH_NS 1000000

static void checkpoint_due(struct store *s)
{
	if (!s->checkpoint || s->held != HELD_NONE || s->in_group)
		return;
	s->checkpoint = false;
	if (s->wal_pages >= WAL_RESTART_PAGES && s->wq && !store_write_lock(s)) {
		sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		store_write_unlock(s);
		return;
	}
	sqlite3_wal_checkpoint(s->db, NULL);
}

static pthread_mutex_t queues_mu = PTHREAD_MUTEX_INITIALIZER;
static struct writeq *queues;

/* The queue of the file path, made on first use; NULL when out of memory. */
static struct writeq *writeq_get(const char *path)
{
	struct writeq *q;

	pthread_mutex_lock(&queues_mu);
	for (q = queues; q && strcmp(q->path, path); q = q->next)
		;
	if (!q && (q = calloc(1, sizeof(*q)))) {
		if (!(q->path = strdup(path))) {
			free(q);
			q = NULL;
		} else {
			pthread_condattr_t attr;

			pthread_mutex_init(&q->mu, NULL);
			pthread_condattr_init(&attr);
			pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
			pthread_cond_init(&q->gather, &attr);
			pthread_condattr_destroy(&attr);
			q->accounts_fd = -1;
			q->next = queues;
			queues = q;
		}
	}
	if (q)
		q->refs++;
	pthread_mutex_unlock(&queues_mu);
	return q;
}

static void writeq_put(struct writeq *q)
{
	struct writeq **pp;

	if (!q)
		return;
	pthread_mutex_lock(&queues_mu);
	if (--q->refs == 0) {
		for (pp = &queues; *pp != q; pp = &(*pp)->next)
			;
		*pp = q->next;
		assert(!q->held && !q->head);
		if (q->accounts_fd >= 0)
			close(q->accounts_fd);
		pthread_cond_destroy(&q->gather);
		pthread_mutex_destroy(&q->mu);
		free(q->path);
		free(q);
	}
	pthread_mutex_unlock(&queues_mu);
}

/* Open q's accounts generation, "<path>-accounts", once; without it
 * (accounts_fd -1) the generation is unavailable (store_accounts_generation).
 * Made when missing as SQLite makes -wal and -shm: with the database file's
 * permissions and, by root, its owner, so whoever may write the database
 * may write this too (a process that changed accounts without it would
 * leave another's cache stale for up to a minute, auth.c).  Read and
 * written with pread/pwrite, not mapped: a file cut short under a mapping
 * kills the process with SIGBUS. */
static void accounts_open(struct writeq *q)
{
	char name[4096];
	struct stat st, dbst;
	int fd;

	pthread_mutex_lock(&queues_mu);
	if (q->accounts_tried)
		goto out;
	q->accounts_tried = true;
	if ((size_t)snprintf(name, sizeof(name), "%s-accounts", q->path) >= sizeof(name) ||
	    stat(q->path, &dbst))
		goto out;
	fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, dbst.st_mode & 0666);
	if (fd < 0) {
		log_warn("database: cannot open '%s': this process neither caches sessions nor "
			 "tells a running server of the account changes it makes (a running "
			 "server sees them within a minute)",
			 name);
		goto out;
	}
	if (geteuid() == 0 && fchown(fd, dbst.st_uid, dbst.st_gid))
		log_warn("database: cannot give '%s' the database's owner", name);
	/* a new file gets the database's mode whatever the umask (as SQLite's
	 * robust_open does) and is extended with zeros; one already 8 bytes
	 * long keeps its count */
	if (fstat(fd, &st) ||
	    (st.st_size == 0 && (st.st_mode & 0777) != (dbst.st_mode & 0666) &&
	     fchmod(fd, dbst.st_mode & 0666)) ||
	    (st.st_size < (off_t)sizeof(uint64_t) && ftruncate(fd, (off_t)sizeof(uint64_t)))) {
		close(fd);
		goto out;
	}
	q->accounts_fd = fd;
out:
	pthread_mutex_unlock(&queues_mu);
}

/* The generation in q's file, or false when it cannot be trusted: not
 * there, cut short, deleted or replaced (its name no longer leads to it),
 * or lower than one read before (copied back over it): from then on this
 * process caches no session (a warning says so once). */
static bool accounts_read(struct writeq *q, uint64_t *out)
{
	uint64_t v, max;
	struct stat st;
	const char *why = NULL;
	struct timespec now;
	uint64_t bumps;
	int64_t ns;

	if (q->accounts_fd < 0 || atomic_load(&q->accounts_doubted))
		return false;
	/* read at most once in ACCOUNTS_FRESH_NS (its pread and fstat were a
	 * sixth of a 304 poll's CPU): another process's change is seen that
	 * much later, this process's own at once (a bump makes the read stale;
	 * bumps is taken before the read, so a bump during it counts) */
	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	bumps = atomic_load(&q->accounts_bumps);
	if (ns - atomic_load(&q->accounts_read_ns) < ACCOUNTS_FRESH_NS &&
	    atomic_load(&q->accounts_read_bumps) == bumps) {
		*out = atomic_load(&q->accounts_max);
		return true;
	}
	/* the highest number seen before this read: the file only grows, so
	 * what the read finds is at least that (taken after the read, another
	 * thread's newer number would make this one look set back) */
	max = atomic_load(&q->accounts_max);
	if (pread(q->accounts_fd, &v, sizeof(v), 0) != (ssize_t)sizeof(v))
		why = "cut short";
	else if (fstat(q->accounts_fd, &st) || st.st_nlink == 0)
		why = "deleted or replaced";
	else if (v < max)
		why = "set back";
	if (why) {
		if (!atomic_exchange(&q->accounts_doubted, true))
			log_warn("database: the accounts generation beside '%s' was %s; sessions "
				 "are read from the database on every request until a restart",
				 q->path, why);
		return false;
	}
	while (v > max && !atomic_compare_exchange_weak(&q->accounts_max, &max, v))
		;
	atomic_store(&q->accounts_read_bumps, bumps);
	atomic_store(&q->accounts_read_ns, ns);
	*out = v;
	return true;
}

/* Add one to q's generation, under a lock on the file that every process
 * takes for it (a bump is rare: an account change). */
static void accounts_bump(struct writeq *q)
{
	uint64_t v = 0;

	if (q->accounts_fd < 0)
		return;
	if (flock(q->accounts_fd, LOCK_EX)) {
		log_warn("database: cannot lock the accounts generation (%s)", strerror(errno));
		return;
	}
	if (pread(q->accounts_fd, &v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = atomic_load(&q->accounts_max); /* cut short: go on above what was seen */
	v++;
	if (pwrite(q->accounts_fd, &v, sizeof(v), 0) != (ssize_t)sizeof(v))
		log_warn("database: cannot write the accounts generation (%s)", strerror(errno));
	atomic_fetch_add(&q->accounts_bumps, 1); /* after the write: the next read sees it */
	flock(q->accounts_fd, LOCK_UN);
}

static void deadline_in(struct timespec *t, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

/* Take q's lock in arrival order, waiting at most ms; APP_EBUSY after. */
static enum app_err writeq_lock(struct writeq *q, int ms)
{
	struct waiter w = {.granted = false, .next = NULL};
	pthread_condattr_t attr;
	struct timespec until;
	bool got;

	pthread_mutex_lock(&q->mu);
	if (!q->held && !q->head) {
		q->held = true;
		q->served++;
		pthread_mutex_unlock(&q->mu);
		return APP_OK;
	}
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w.cv, &attr);
	pthread_condattr_destroy(&attr);
	/* w lives on this stack while it is queued: it leaves the queue (granted,
	 * or unlinked on the timeout) before this function returns */
	if (q->tail)
		q->tail->next = &w;
	else
		/* cppcheck-suppress autoVariables */
		q->head = &w;
	/* cppcheck-suppress autoVariables */
	q->tail = &w;
	deadline_in(&until, ms);
	while (!w.granted)
		if (pthread_cond_timedwait(&w.cv, &q->mu, &until) == ETIMEDOUT)
			break;
	got = w.granted;
	if (!got) { /* unlink: w is somewhere in the list, not handed the lock */
		struct waiter **pp, *prev = NULL;

		for (pp = &q->head; *pp != &w; pp = &(*pp)->next)
			prev = *pp;
		*pp = w.next;
		if (q->tail == &w)
			q->tail = prev;
	}
	pthread_mutex_unlock(&q->mu);
	pthread_cond_destroy(&w.cv);
	return got ? APP_OK : APP_EBUSY;
}

/* Hand q's lock to the oldest waiter, or free it. */
static void writeq_unlock(struct writeq *q)
{
	struct waiter *w;

	pthread_mutex_lock(&q->mu);
	assert(q->held);
	if ((w = q->head)) {
		q->head = w->next;
		if (!q->head)
			q->tail = NULL;
		w->granted = true; /* held stays true: it changes hands */
		q->served++;
		pthread_cond_signal(&w->cv);
	} else {
		q->held = false;
	}
	pthread_mutex_unlock(&q->mu);
}

enum app_err store_write_lock(struct store *s)
{
	enum app_err err;

	if (!s->wq || s->held != HELD_NONE)
		return APP_OK;
	if ((err = writeq_lock(s->wq, s->wait_ms))) {
		log_warn("database: waited %d ms in the writer queue", s->wait_ms);
		return err;
	}
	s->held = HELD_TXN;
	return APP_OK;
}

void store_write_unlock(struct store *s)
{
	if (s->held == HELD_NONE)
		return;
	s->held = HELD_NONE;
	writeq_unlock(s->wq);
}


/* The connection whose statement-long hold (HELD_STMT) this thread has:
 * store_done() gets only the statement. */
static _Thread_local struct store *stmt_holder;

uint64_t store_generation(struct store *s)
{
	return atomic_load(s->generation);
}

uint64_t store_pool_generation(struct store_pool *p)
{
	return atomic_load(&p->generation);
}

void store_follow(struct store *s, struct store_pool *p)
{
	s->generation = &p->generation;
}

bool store_accounts_generation(struct store *s, uint64_t *out)
{
	return s->wal && s->wq && accounts_read(s->wq, out);
}

void store_accounts_touch(struct store *s)
{
	s->accounts_touched = true;
}

sqlite3 *store_db(struct store *s)
{
	return s->db;
}

enum app_err store_fail(struct store *s, int rc, const char *what)
{
	const char *msg = sqlite3_errmsg(s->db);

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return APP_EBUSY;
	case SQLITE_NOMEM:
		return APP_ENOMEM;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_TRIGGER && msg && strstr(msg, "overlap"))
			return APP_ECONFLICT;
		if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return APP_EDUPLICATE;
		break;
	default:
		break;
	}
	atomic_fetch_add(s->errors, 1);
	log_error("database: %s: %s (%d)", what, msg ? msg : "?", rc);
	return APP_ESTORE;
}

/* Statements prepared when the cache was full: each is finalized at its
 * store_done(), on the thread that asked for it (a connection is used by one
 * thread at a time).  Lists build their SQL from the filters asked for (the
 * statuses, the asker's units), so a caller who varies them could once fill
 * every connection's cache, after which every statement not yet cached
 * failed (500 everywhere, /healthz 503) until a restart. */
#define TRANSIENT_MAX 32
static _Thread_local sqlite3_stmt *transient[TRANSIENT_MAX];
static _Thread_local int ntransient;

static enum app_err prepare_transient(struct store *s, const char *sql, sqlite3_stmt **st)
{
	int rc;

	if (ntransient == TRANSIENT_MAX) {
		atomic_fetch_add(s->errors, 1);
		log_error("database: %d statements open beyond the cache", TRANSIENT_MAX);
		return APP_ESTORE;
	}
	if (!s->cache_full_told) {
		s->cache_full_told = true;
		log_warn("database: the statement cache is full; new statements are prepared "
			 "each time");
	}
	rc = sqlite3_prepare_v3(s->db, sql, -1, 0, st, NULL);
	if (rc != SQLITE_OK)
		return store_fail(s, rc, "prepare");
	transient[ntransient++] = *st;
	return APP_OK;
}

/* Finalize st if it was prepared beyond the cache; true if it was. */
static bool finish_transient(sqlite3_stmt *st)
{
	for (int i = 0; i < ntransient; i++)
		if (transient[i] == st) {
			transient[i] = transient[--ntransient];
			sqlite3_finalize(st);
			return true;
		}
	return false;
}

enum app_err store_stmt(struct store *s, const char *sql, sqlite3_stmt **out)
{
	uint64_t h = hash_text(sql);
	size_t i = (size_t)h & (CACHE_SLOTS - 1);
	sqlite3_stmt *st = NULL;
	int rc;

	for (;; i = (i + 1) & (CACHE_SLOTS - 1)) {
		if (!s->cache[i].st)
			break;
		if (s->cache[i].hash == h && !strcmp(sqlite3_sql(s->cache[i].st), sql)) {
			st = s->cache[i].st;
			goto found;
		}
	}
	if (s->ncached >= CACHE_SLOTS * 3 / 4) {
		enum app_err err = prepare_transient(s, sql, &st);

		if (err)
			return err;
		goto found;
	}
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK)
		return store_fail(s, rc, "prepare");
	s->cache[i].hash = h;
	s->cache[i].st = st;
	s->ncached++;
found:
	/* a write outside a transaction is a transaction of its own: it
	 * queues too, and leaves the queue at its store_done() */
	if (s->wq && s->held == HELD_NONE && !sqlite3_stmt_readonly(st) &&
	    sqlite3_get_autocommit(s->db)) {
		enum app_err err;

		if ((err = store_write_lock(s)))
			return err;
		s->held = HELD_STMT;
		stmt_holder = s;
	}
	*out = st;
	return APP_OK;
}

/* The writer lock a write statement outside a transaction took, given back
 * once no write statement of its connection still runs. */
static void release_stmt_hold(sqlite3_stmt *st)
{
	struct store *s = stmt_holder;

	if (s && s->held == HELD_STMT && s->db == sqlite3_db_handle(st) &&
	    !sqlite3_stmt_readonly(st) && sqlite3_get_autocommit(s->db)) {
		/* another write statement of the connection still running
		 * holds the lock on */
		for (sqlite3_stmt *o = sqlite3_next_stmt(s->db, NULL); o;
		     o = sqlite3_next_stmt(s->db, o))
			if (sqlite3_stmt_busy(o) && !sqlite3_stmt_readonly(o))
				return;
		stmt_holder = NULL;
		store_write_unlock(s);
		checkpoint_due(s);
	}
}

void store_done(sqlite3_stmt *st)
{
	if (!st)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	release_stmt_hold(st);
	finish_transient(st);
}

enum app_err store_exec(struct store *s, const char *sql)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? APP_OK : store_fail(s, rc, "exec");
}

static enum app_err run(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if ((err = store_stmt(s, sql, &st)))
		return err;
	rc = sqlite3_step(st);
	store_done(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? APP_OK : store_fail(s, rc, sql);
}

enum app_err store_begin(struct store *s)
{
	enum held was = s->held;
	enum app_err err;

	if ((err = store_write_lock(s)))
		return err;
	s->held = s->wq ? HELD_TXN : HELD_NONE; /* a statement's hold goes on */
	if (!(err = run(s, "BEGIN IMMEDIATE"))) {
		if (stmt_holder == s)
			stmt_holder = NULL;
	} else if (was == HELD_NONE) {
		store_write_unlock(s);
	} else {
		s->held = was;
	}
	return err;
}

enum app_err store_commit(struct store *s)
{
	enum app_err err = run(s, "COMMIT");

	if (err)
		store_rollback(s);
	else
		store_write_unlock(s);
	checkpoint_due(s);
	return err;
}

void store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	if (stmt_holder == s)
		stmt_holder = NULL;
	store_write_unlock(s);
}

/* Run the jobs of list (n of them) in the transaction open on s (see the
 * top); each job's err is its answer. */
static void run_group(struct store *s, struct job *list)
{
	enum app_err err, broken = APP_OK;

	for (struct job *j = list; j; j = j->next) {
		if (broken) {
			j->err = broken;
			continue;
		}
		if ((j->err = run(s, "SAVEPOINT grp")))
			goto lost;
		if (!(j->err = j->fn(s, j->ctx)) && !(j->err = run(s, "RELEASE grp")))
			continue;
		if (!sqlite3_get_autocommit(s->db) && !run(s, "ROLLBACK TO grp") &&
		    !run(s, "RELEASE grp"))
			continue; /* this job alone is undone */
	lost: /* the transaction is gone or unsure: no job of it stands */
		broken = j->err == APP_EBUSY ? APP_EBUSY : APP_ESTORE;
		for (struct job *k = list; k != j; k = k->next)
			if (!k->err)
				k->err = broken;
		if (!j->err)
			j->err = broken;
	}
	if (broken) {
		store_rollback(s);
		return;
	}
	if ((err = store_commit(s)))
		for (struct job *j = list; j; j = j->next)
			if (!j->err)
				j->err = err;
}

void store_group_coming(struct store *s)
{
	struct writeq *q = s->wq;

	if (!q || s->coming)
		return;
	pthread_mutex_lock(&q->mu);
	q->coming++;
	s->coming = true;
	pthread_mutex_unlock(&q->mu);
}

void store_set_gather_ms(int ms)
{
	atomic_store(&gather_ms, ms);
}

/* s's announced job has joined or will not come (under q->mu). */
static void gone_locked(struct store *s, struct writeq *q)
{
	if (!s->coming)
		return;
	s->coming = false;
	q->coming--;
	pthread_cond_signal(&q->gather); /* a leader may be gathering */
}

void store_group_gone(struct store *s)
{
	struct writeq *q = s->wq;

	if (!q || !s->coming)
		return;
	pthread_mutex_lock(&q->mu);
	gone_locked(s, q);
	pthread_mutex_unlock(&q->mu);
}

/* The leader waits (under q->mu, holding no writer lock) until no job
 * announced is still on its way, the group is full, or gather_ms passed. */
static void gather(struct writeq *q)
{
	struct timespec until;
	int n = 0;

	if (q->coming <= 0)
		return;
	for (struct job *j = q->jhead; j && n < GROUP_MAX; j = j->next)
		n++;
	deadline_in(&until, atomic_load(&gather_ms));
	while (q->coming > 0 && n + q->coming <= GROUP_MAX &&
	       pthread_cond_timedwait(&q->gather, &q->mu, &until) != ETIMEDOUT)
		;
}

enum app_err store_group(struct store *s, store_job_fn fn, void *ctx)
{
	struct job me = {.fn = fn, .ctx = ctx, .err = APP_OK}, *list, *last;
	struct writeq *q = s->wq;
	enum app_err err;
	int n;

	if (!q || s->held != HELD_NONE) { /* alone: an in-memory database */
		store_group_gone(s);
		if ((err = store_begin(s)))
			return err;
		if ((err = fn(s, ctx)) || (err = store_commit(s)))
			store_rollback(s);
		return err;
	}
	pthread_cond_init(&me.cv, NULL);
	pthread_mutex_lock(&q->mu);
	gone_locked(s, q);
	if (q->jtail)
		q->jtail->next = &me;
	else
		q->jhead = &me;
	q->jtail = &me;
	if (!q->leading)
		q->leading = me.lead = true;
	while (!me.done && !me.lead)
		pthread_cond_wait(&me.cv, &q->mu);
	if (me.done) {
		pthread_mutex_unlock(&q->mu);
		pthread_cond_destroy(&me.cv);
		return me.err;
	}
	pthread_mutex_unlock(&q->mu);
	/* this thread leads; the jobs that come while it waits for the
	 * writer lock join its group.  While more wait, it runs their group
	 * too (up to LEAD_GROUPS in all): it is running already, and waking
	 * another thread to lead costs a scheduling round on a busy machine */
	for (int round = 1;; round++) {
		pthread_mutex_lock(&q->mu);
		gather(q);
		pthread_mutex_unlock(&q->mu);
		err = store_begin(s);
		pthread_mutex_lock(&q->mu);
		assert(round > 1 || q->jhead == &me); /* the oldest job leads */
		list = last = q->jhead;
		for (n = 1; n < GROUP_MAX && last->next; n++)
			last = last->next;
		q->jhead = last->next;
		if (!q->jhead)
			q->jtail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&q->mu);

		s->in_group = true;
		if (err)
			for (struct job *j = list; j; j = j->next)
				j->err = err;
		else
			run_group(s, list);
		s->in_group = false;

		pthread_mutex_lock(&q->mu);
		q->groups++;
		q->jobs += (unsigned long)n;
		for (struct job *j = list, *next; j; j = next) {
			next = j->next; /* j may be gone once it is answered */
			j->done = true;
			if (j != &me)
				pthread_cond_signal(&j->cv);
		}
		if (q->jhead && round < LEAD_GROUPS) {
			pthread_mutex_unlock(&q->mu);
			continue;
		}
		if (q->jhead) {
			q->jhead->lead = true;
			pthread_cond_signal(&q->jhead->cv);
		} else {
			q->leading = false;
		}
		pthread_mutex_unlock(&q->mu);
		break;
	}
	pthread_cond_destroy(&me.cv);
	checkpoint_due(s);
	return me.err;
}

void store_queue_state(struct store *s, struct store_queue_state *out)
{
	memset(out, 0, sizeof(*out));
	if (!s->wq)
		return;
	pthread_mutex_lock(&s->wq->mu);
	out->served = s->wq->served;
	out->groups = s->wq->groups;
	out->jobs = s->wq->jobs;
	out->coming = s->wq->coming;
	for (struct waiter *w = s->wq->head; w; w = w->next)
		out->waiting++;
	for (struct job *j = s->wq->jhead; j; j = j->next)
		out->queued++;
	pthread_mutex_unlock(&s->wq->mu);
}

void store_pool_groups(struct store_pool *p, unsigned long *groups, unsigned long *jobs)
{
	struct store_queue_state q;

	store_queue_state(p->all[0], &q);
	*groups = q.groups;
	*jobs = q.jobs;
}

enum app_err store_scalar(struct store *s, const char *sql, int count, int64_t a, int64_t b,
			  int64_t *out)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if ((err = store_stmt(s, sql, &st)))
		return err;
	if (count > 0)
		sqlite3_bind_int64(st, 1, a);
	if (count > 1)
		sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "scalar");
	store_done(st);
	return err;
}

enum app_err store_scalar_memo(struct store *s, const char *sql, int64_t a, int64_t *out)
{
	uint64_t generation = atomic_load(s->generation); /* before the read */
	uint64_t h = hash_bytes(hash_text(sql), &a, sizeof(a));
	size_t i = (size_t)h & (MEMO_SLOTS - 1);
	enum app_err err;

	/* inside a transaction the connection may have changed the row itself,
	 * uncommitted and so not yet counted: read it */
	if (!sqlite3_get_autocommit(s->db) || strlen(sql) >= MEMO_SQL_MAX)
		return store_scalar(s, sql, 1, a, 0, out);
	if (s->memo[i].generation == generation && s->memo[i].hash == h && s->memo[i].arg == a &&
	    !strcmp(s->memo[i].sql, sql)) {
		*out = s->memo[i].value;
		return APP_OK;
	}
	if ((err = store_scalar(s, sql, 1, a, 0, out)))
		return err;
	s->memo[i].generation = generation;
	s->memo[i].hash = h;
	s->memo[i].arg = a;
	s->memo[i].value = *out;
	snprintf(s->memo[i].sql, sizeof(s->memo[i].sql), "%s", sql);
	return APP_OK;
}

enum app_err store_run(struct store *s, const char *sql, int count, int64_t a, int64_t b)
{
	int64_t ignored;

	return store_scalar(s, sql, count, a, b, &ignored);
}

/* Whether the connection's journal is a WAL (not: an in-memory database). */
static bool journal_wal(struct store *s)
{
	sqlite3_stmt *st = NULL;
	bool wal = false;

	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		wal = !sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	return wal;
}

enum app_err store_open(const char *path, int busy_timeout_ms, struct store **out)
{
	struct store *s = calloc(1, sizeof(*s));
	enum app_err err = APP_OK;
	const char *file;
	char pragmas[256];
	int rc;

	if (!s)
		return APP_ENOMEM;
	s->errors = &s->own_errors;
	s->generation = &s->own_generation;
	rc = sqlite3_open_v2(path, &s->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI |
				     SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		log_error("database: cannot open: %s", s->db ? sqlite3_errmsg(s->db) : "no memory");
		err = APP_ESTORE;
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, busy_timeout_ms);
	s->wait_ms = busy_timeout_ms;
	file = sqlite3_db_filename(s->db, "main");
	if (file && *file && !(s->wq = writeq_get(file))) {
		err = APP_ENOMEM;
		goto out;
	}
	sqlite3_update_hook(s->db, on_update, s);
	sqlite3_commit_hook(s->db, on_commit, s);
	sqlite3_rollback_hook(s->db, on_rollback, s);
	sqlite3_wal_hook(s->db, on_wal, s);
	/* journal_mode=WAL answers "memory" for in-memory databases; fine.
	 * Switching a new database to WAL can answer SQLITE_BUSY at once when
	 * another process opens it at the same moment (the busy handler is not
	 * always consulted for it), so that step retries within the timeout. */
	/* cache_size: 128 KB a connection (256 KB, 1 MB and 4 MB before: 7 MB
	 * for the 8 connections at 1M appointments, README "Memory").  A page
	 * not in it is a pread from the OS's file cache; measured at 1M (the
	 * bench's in-process rates, 256 KB against 1 MB) the day list and the
	 * free-slot reads cost no more: their leaves miss either way, and the
	 * upper levels of the indexes they walk stay in.  128 KB took the
	 * bench's peak at 1M from 31.4-32.2 to 30.0-30.2 MB; the in-process
	 * rates at 1M, 128 KB and 256 KB run side by side four times, differed
	 * by no more than the shared machine's noise, either way. */
	snprintf(pragmas, sizeof(pragmas),
		 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
		 "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-128;");
	for (int waited = 0; (err = store_exec(s, pragmas)) == APP_EBUSY && waited < busy_timeout_ms;
	     waited += 10)
		sqlite3_sleep(10);
	if (err) {
		log_error("database: cannot set up the connection (%s)", err_code(err));
		goto out;
	}
	s->wal = journal_wal(s);
	if (s->wal && s->wq)
		accounts_open(s->wq);
out:
	if (err) {
		store_free(s);
		return err;
	}
	*out = s;
	return APP_OK;
}

void store_free(struct store *s)
{
	if (!s)
		return;
	if (s->db)
		store_rollback(s);
	for (int i = 0; i < CACHE_SLOTS; i++)
		sqlite3_finalize(s->cache[i].st);
	sqlite3_close(s->db);
	writeq_put(s->wq);
	free(s);
}

/* Copy the database from to dest, a new file (mode 0600, never an existing
 * one) in one backup step: one read transaction, so one snapshot, and in WAL
 * mode the server's writers go on meanwhile.  Copying in small steps starts
 * over whenever another process writes between two of them, so under a
 * steady load it need not ever end (it did end in the test's load, 1,500 to
 * 6,000 bookings, but nothing bounds it).  BUSY only while a checkpoint or
 * recovery holds the file.  The copy is left in rollback-journal mode, one
 * file with nothing beside it; timebok turns WAL on again when it opens it.
 * A copy that fails is removed. */
static enum app_err backup_db(sqlite3 *from, const char *dest)
{
	sqlite3 *to = NULL;
	sqlite3_backup *bk;
	enum app_err err = APP_OK;
	int fd, rc;

	/* O_EXCL: the check that dest is new and its creation are one step */
	if ((fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		log_error("backup: cannot create '%s': %s", dest,
			  errno == EEXIST ? "it exists already" : strerror(errno));
		return errno == EEXIST ? APP_EINVAL : APP_ESTORE;
	}
	close(fd);
	rc = sqlite3_open_v2(dest, &to, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		log_error("backup: cannot open '%s'", dest);
		err = APP_ESTORE;
		goto out;
	}
	bk = sqlite3_backup_init(to, "main", from, "main");
	if (!bk) {
		log_error("backup: %s", sqlite3_errmsg(to));
		err = APP_ESTORE;
		goto out;
	}
	while ((rc = sqlite3_backup_step(bk, -1)) == SQLITE_OK || rc == SQLITE_BUSY ||
	       rc == SQLITE_LOCKED)
		sqlite3_sleep(5);
	sqlite3_backup_finish(bk);
	if (rc != SQLITE_DONE) {
		log_error("backup: %s", sqlite3_errmsg(to));
		err = APP_ESTORE;
		goto out;
	}
	/* one self-contained file: no -wal beside it once it is opened */
	if (sqlite3_exec(to, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		log_error("backup: %s", sqlite3_errmsg(to));
		err = APP_ESTORE;
	}
out:
	sqlite3_close(to);
	if (err)
		unlink(dest);
	return err;
}

enum app_err store_backup(struct store *s, const char *dest)
{
	return backup_db(s->db, dest);
}

/* The copy before the migrations from first on (see the top of the file);
 * s holds the write lock.  *out: the copy's path (sqlite3_free it), or NULL
 * when the database is not a file (in memory: nothing to keep). */
static enum app_err copy_before(struct store *s, const char *first, char **out)
{
	const char *file = sqlite3_db_filename(s->db, "main");
	sqlite3 *from = NULL;
	enum app_err err = APP_OK;
	char *dest = NULL;

	*out = NULL;
	if (!file || !*file || access(file, F_OK) != 0)
		return APP_OK;
	/* the names are NNNN_what.sql (embed_files.cmake checks it) */
	if (!(dest = sqlite3_mprintf("%s.before-%.4s", file, first)))
		return APP_ENOMEM;
	if (access(dest, F_OK) == 0) {
		log_error("database: '%s' exists already (an upgrade that stopped half-way?); "
			  "move it away, then start again",
			  dest);
		err = APP_ESTORE;
		goto out;
	}
	if (sqlite3_open_v2(file, &from, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		log_error("database: cannot open it to copy: %s",
			  from ? sqlite3_errmsg(from) : "no memory");
		err = APP_ESTORE;
		goto out;
	}
	sqlite3_busy_timeout(from, 10000);
	if ((err = backup_db(from, dest)))
		goto out;
	log_info("database: copied to '%s' before migrating", dest);
	*out = dest;
	dest = NULL; /* handed to the caller */
out:
	sqlite3_close(from);
	sqlite3_free(dest);
	return err;
}

enum app_err store_migrate(struct store *s)
{
	enum app_err err;
	int64_t made = 0;

	if ((err = store_migrate_list(s, store_migrations, store_nmigrations)))
		return err;
	/* the statistics' facts of appointments from before 0014 (or written
	 * by a tool): made once, in their own transaction */
	if ((err = store_stats_backfill(s, &made)))
		return err;
	if (made)
		log_info("database: statistics facts made for %lld appointments", (long long)made);
	return APP_OK;
}

enum app_err store_migrate_list(struct store *s, const struct store_migration *list, int n)
{
	enum app_err err;
	int64_t version, tables;
	char sql[64], why[256] = "", *copy = NULL;
	const char *failed = NULL;

	if ((err = store_begin(s)))
		return err;
	if ((err = store_scalar(s, "PRAGMA user_version", 0, 0, 0, &version)))
		goto out;
	if (version > n) {
		log_error("database: schema version %lld is newer than this timebok (%d)",
			  (long long)version, n);
		err = APP_ESTORE;
		goto out;
	}
	if (version == n)
		return store_commit(s);
	/* a brand-new database (no tables yet) has nothing to keep */
	if ((err = store_scalar(s, "SELECT COUNT(*) FROM sqlite_schema", 0, 0, 0, &tables)) ||
	    (tables > 0 && (err = copy_before(s, list[version].name, &copy))))
		goto out;
	for (int i = (int)version; i < n; i++) {
		log_info("database: applying migration %s", list[i].name);
		failed = list[i].name;
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", i + 1);
		if ((err = store_exec(s, list[i].sql)) || (err = store_exec(s, sql))) {
			/* SQLite's reason names tables and columns, never values */
			snprintf(why, sizeof(why), "%s", sqlite3_errmsg(s->db));
			goto out;
		}
	}
	failed = "the commit";
	if ((err = store_commit(s)))
		goto out;
	sqlite3_free(copy);
	return APP_OK;
out:
	store_rollback(s);
	if (failed) {
		/* one transaction: nothing of it stays, and the copy is the same
		 * as the database, so it goes too (a retry makes it again) */
		log_error("database: migration failed at %s (%s); the database is as it was, "
			  "at schema %lld of %d",
			  failed, why[0] ? why : err_code(err), (long long)version, n);
		if (copy)
			unlink(copy);
	}
	sqlite3_free(copy);
	return err;
}

enum app_err store_pool_new(const char *path, int size, int busy_timeout_ms,
			    struct store_pool **out)
{
	struct store_pool *p = calloc(1, sizeof(*p));
	enum app_err err = APP_OK;

	if (!p)
		return APP_ENOMEM;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->all = calloc((size_t)size, sizeof(*p->all));
	p->free = calloc((size_t)size, sizeof(*p->free));
	if (!p->all || !p->free) {
		err = APP_ENOMEM;
		goto out;
	}
	for (int i = 0; i < size; i++) {
		if ((err = store_open(path, busy_timeout_ms, &p->all[i])))
			goto out;
		p->n++;
		p->all[i]->errors = &p->errors;
		store_follow(p->all[i], p);
		if (i == 0 && (err = store_migrate(p->all[0])))
			goto out;
		p->free[p->nfree++] = p->all[i];
	}
out:
	if (err) {
		store_pool_free(p);
		return err;
	}
	*out = p;
	return APP_OK;
}

void store_pool_free(struct store_pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->n; i++)
		store_free(p->all[i]);
	free(p->all);
	free(p->free);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
}

struct store *store_pool_get(struct store_pool *p)
{
	struct store *s;

	pthread_mutex_lock(&p->mu);
	while (p->nfree == 0)
		pthread_cond_wait(&p->cv, &p->mu);
	s = p->free[--p->nfree];
	pthread_mutex_unlock(&p->mu);
	return s;
}

void store_pool_put(struct store_pool *p, struct store *s)
{
	if (!s)
		return;
	store_rollback(s);
	pthread_mutex_lock(&p->mu);
	p->free[p->nfree++] = s;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

long store_pool_errors(struct store_pool *p)
{
	return atomic_load(&p->errors);
}

enum app_err store_step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	store_done(st);
	return rc == SQLITE_DONE ? APP_OK : store_fail(s, rc, what);
}

void store_copy_text(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	size_t n = t ? strnlen((const char *)t, (size_t)sqlite3_column_bytes(st, col)) : 0;

	if (!cap)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, t ? (const char *)t : "", n); /* no printf: lists copy many */
	dst[n] = '\0';
}

void store_bind_text(sqlite3_stmt *st, int idx, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, idx, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, idx);
}
