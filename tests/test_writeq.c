/*
 * test_writeq.c - the writer queue of store.c (store.h, "Writers queue"):
 * writers are served in arrival order, one at a time; a wait ends with
 * APP_EBUSY at the busy timeout and leaves the queue as it was; commit and
 * rollback give the lock back; a write outside a transaction queues too;
 * in-memory databases do not queue.  Group commit (store_group): jobs
 * that wait together share one transaction, a job that fails is undone
 * alone and answered alone, and every job is answered after the commit.
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "store.h"

#define WAITERS 6
#define THREADS 8
#define ROUNDS 2000

static char dir[64], name[96];
static struct store *keep;

static struct store *open_one(int busy_ms)
{
	struct store *s = NULL;

	ck_assert_int_eq(store_open(name, busy_ms, &s), APP_OK);
	return s;
}

static void setup(void)
{
	struct store *s;

	/* a file in WAL mode, as the server's: readers never wait for writers */
	snprintf(dir, sizeof(dir), "/tmp/timebok-writeq-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(name, sizeof(name), "%s/db", dir);
	s = open_one(1000);
	ck_assert_int_eq(store_exec(s, "CREATE TABLE t (x INTEGER);"
				       "CREATE TABLE u (x INTEGER UNIQUE)"),
			 APP_OK);
	keep = s;
}

static void teardown(void)
{
	char path[128];

	store_free(keep);
	keep = NULL;
	snprintf(path, sizeof(path), "%s-wal", name);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", name);
	unlink(path);
	unlink(name);
	rmdir(dir);
}

static struct store_queue_state state(struct store *s)
{
	struct store_queue_state q;

	store_queue_state(s, &q);
	return q;
}

static int waiting_now(struct store *s)
{
	return state(s).waiting;
}

static unsigned long served_now(struct store *s)
{
	return state(s).served;
}

/* Wait (up to 10 s) until n threads wait in s's queue. */
static void await_waiting(struct store *s, int n)
{
	struct timespec ms = {0, 1000000L};

	for (int i = 0; i < 10000 && waiting_now(s) != n; i++)
		nanosleep(&ms, NULL);
	ck_assert_int_eq(waiting_now(s), n);
}

static int order[WAITERS], norder; /* written only under the writer lock */

struct arrival {
	struct store *s;
	int id;
	enum app_err err;
};

static void *arrive(void *arg)
{
	struct arrival *a = arg;

	if ((a->err = store_write_lock(a->s)))
		return NULL;
	order[norder++] = a->id;
	store_write_unlock(a->s);
	return NULL;
}

START_TEST(served_in_arrival_order)
{
	struct store *holder = open_one(10000);
	struct arrival a[WAITERS];
	pthread_t t[WAITERS];

	norder = 0;
	ck_assert_int_eq(store_write_lock(holder), APP_OK);
	/* each one queues only after the one before it is waiting */
	for (int i = 0; i < WAITERS; i++) {
		a[i] = (struct arrival){open_one(10000), i + 1, APP_ESTORE};
		ck_assert_int_eq(pthread_create(&t[i], NULL, arrive, &a[i]), 0);
		await_waiting(holder, i + 1);
	}
	ck_assert_int_eq(norder, 0);
	store_write_unlock(holder);
	for (int i = 0; i < WAITERS; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(a[i].err, APP_OK);
	}
	ck_assert_int_eq(norder, WAITERS);
	for (int i = 0; i < WAITERS; i++)
		ck_assert_int_eq(order[i], i + 1);
	ck_assert_int_eq(waiting_now(holder), 0);
	for (int i = 0; i < WAITERS; i++)
		store_free(a[i].s);
	store_free(holder);
}
END_TEST

static atomic_int inside, most_inside;
static long total; /* written only under the writer lock (TSan checks it) */

static void *hammer(void *arg)
{
	struct store *s = arg;

	for (int i = 0; i < ROUNDS; i++) {
		int now;

		if (store_write_lock(s))
			return NULL;
		now = atomic_fetch_add(&inside, 1) + 1;
		if (now > atomic_load(&most_inside))
			atomic_store(&most_inside, now);
		total++;
		atomic_fetch_sub(&inside, 1);
		store_write_unlock(s);
	}
	return NULL;
}

START_TEST(one_writer_at_a_time)
{
	struct store *s[THREADS];
	pthread_t t[THREADS];
	unsigned long before;

	total = 0;
	atomic_store(&most_inside, 0);
	for (int i = 0; i < THREADS; i++)
		s[i] = open_one(60000);
	before = served_now(s[0]);
	for (int i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, hammer, s[i]), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(total, (long)THREADS * ROUNDS);
	ck_assert_int_eq(atomic_load(&most_inside), 1);
	ck_assert_uint_eq(served_now(s[0]) - before, (unsigned long)THREADS * ROUNDS);
	for (int i = 0; i < THREADS; i++)
		store_free(s[i]);
}
END_TEST

/* Steady writers: the WAL starts over now and then, it does not grow with
 * every commit (with the lock handed from writer to writer, a checkpoint
 * beside them never caught up: 39 MB in 4 s of patients confirming). */
static void *steady(void *arg)
{
	struct store *s = arg;

	for (int i = 0; i < 250; i++) {
		ck_assert_int_eq(store_begin(s), APP_OK);
		ck_assert_int_eq(store_exec(s, "INSERT INTO t VALUES (zeroblob(60000))"), APP_OK);
		ck_assert_int_eq(store_commit(s), APP_OK);
	}
	return NULL;
}

static atomic_bool writing;

/* A reader that is always somewhere in a read, as a busy server's are. */
static void *reading(void *arg)
{
	struct store *s = arg;
	sqlite3_stmt *st;

	while (atomic_load(&writing)) {
		ck_assert_int_eq(store_stmt(s, "SELECT max(rowid) FROM t", &st), APP_OK);
		sqlite3_step(st);
		store_done(st);
	}
	return NULL;
}

START_TEST(the_wal_starts_over_under_steady_writes)
{
	struct store *s[4], *r[2];
	pthread_t t[4], rt[2];
	char path[128];
	struct stat st;

	for (int i = 0; i < 4; i++)
		s[i] = open_one(60000);
	atomic_store(&writing, true);
	for (int i = 0; i < 2; i++) {
		r[i] = open_one(60000);
		ck_assert_int_eq(pthread_create(&rt[i], NULL, reading, r[i]), 0);
	}
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, steady, s[i]), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	atomic_store(&writing, false);
	for (int i = 0; i < 2; i++) {
		pthread_join(rt[i], NULL);
		store_free(r[i]);
	}
	/* 1,000 commits of 15 pages each: ~60 MB if it never started over */
	snprintf(path, sizeof(path), "%s-wal", name);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_msg(st.st_size < 24 * 1024 * 1024, "WAL of %lld bytes", (long long)st.st_size);
	for (int i = 0; i < 4; i++)
		store_free(s[i]);
}
END_TEST

START_TEST(a_wait_ends_at_the_busy_timeout)
{
	struct store *a = open_one(1000), *b = open_one(100);

	ck_assert_int_eq(store_begin(a), APP_OK);
	ck_assert_int_eq(store_begin(b), APP_EBUSY);
	ck_assert_int_eq(waiting_now(a), 0); /* b left the queue */
	ck_assert_int_eq(store_run(b, "INSERT INTO t VALUES (1)", 0, 0, 0), APP_EBUSY);
	ck_assert_int_eq(waiting_now(a), 0);
	ck_assert_int_eq(store_run(a, "INSERT INTO t VALUES (2)", 0, 0, 0), APP_OK);
	ck_assert_int_eq(store_commit(a), APP_OK);
	/* free again: b's begin does not wait */
	ck_assert_int_eq(store_begin(b), APP_OK);
	store_rollback(b);
	ck_assert_int_eq(store_begin(a), APP_OK);
	store_rollback(a);
	store_free(a);
	store_free(b);
}
END_TEST

struct writer {
	struct store *s;
	enum app_err err;
};

static void *insert_alone(void *arg)
{
	struct writer *w = arg;

	w->err = store_run(w->s, "INSERT INTO t VALUES (10)", 0, 0, 0);
	return NULL;
}

START_TEST(a_write_outside_a_transaction_queues)
{
	struct store *a = open_one(10000), *b = open_one(10000), *c = open_one(100);
	struct writer w = {b, APP_ESTORE};
	unsigned long before;
	pthread_t t;
	int64_t n;

	ck_assert_int_eq(store_begin(a), APP_OK);
	before = served_now(a);
	ck_assert_int_eq(pthread_create(&t, NULL, insert_alone, &w), 0);
	await_waiting(a, 1); /* in the queue, not in SQLite's busy handler */
	ck_assert_int_eq(store_run(a, "INSERT INTO t VALUES (1)", 0, 0, 0), APP_OK);
	ck_assert_int_eq(store_commit(a), APP_OK);
	pthread_join(t, NULL);
	ck_assert_int_eq(w.err, APP_OK);
	ck_assert_uint_eq(served_now(a) - before, 1);
	/* the statement's store_done gave the lock back */
	ck_assert_int_eq(store_begin(c), APP_OK);
	store_rollback(c);
	ck_assert_int_eq(store_scalar(c, "SELECT count(*) FROM t", 0, 0, 0, &n), APP_OK);
	ck_assert_int_eq(n, 2);
	/* reads never queue */
	before = served_now(c);
	ck_assert_int_eq(store_scalar(c, "SELECT max(x) FROM t", 0, 0, 0, &n), APP_OK);
	ck_assert_int_eq(n, 10);
	ck_assert_uint_eq(served_now(c), before);
	store_free(a);
	store_free(b);
	store_free(c);
}
END_TEST

START_TEST(rollback_and_failed_begin_give_it_back)
{
	struct store *a = open_one(1000), *b = open_one(100);

	ck_assert_int_eq(store_begin(a), APP_OK);
	store_rollback(a);
	ck_assert_int_eq(store_begin(b), APP_OK);
	/* a second BEGIN fails in SQLite; the first transaction keeps the lock */
	ck_assert_int_ne(store_begin(b), APP_OK);
	ck_assert_int_eq(store_begin(a), APP_EBUSY);
	ck_assert_int_eq(store_run(b, "INSERT INTO t VALUES (3)", 0, 0, 0), APP_OK);
	ck_assert_int_eq(store_commit(b), APP_OK);
	ck_assert_int_eq(store_begin(a), APP_OK);
	ck_assert_int_eq(store_commit(a), APP_OK);
	/* a connection freed with its transaction open gives the lock back */
	ck_assert_int_eq(store_begin(b), APP_OK);
	store_free(b);
	ck_assert_int_eq(store_begin(a), APP_OK);
	store_rollback(a);
	store_free(a);
}
END_TEST

START_TEST(in_memory_databases_do_not_queue)
{
	struct store *a = NULL, *b = NULL;
	ck_assert_int_eq(store_open(":memory:", 100, &a), APP_OK);
	ck_assert_int_eq(store_open(":memory:", 100, &b), APP_OK);
	ck_assert_int_eq(store_begin(a), APP_OK);
	ck_assert_int_eq(store_begin(b), APP_OK); /* each its own database */
	ck_assert_uint_eq(served_now(a), 0);
	store_rollback(a);
	store_rollback(b);
	store_free(a);
	store_free(b);
}
END_TEST

#define JOBS 8

struct booker {
	struct store *s;
	int64_t x;        /* the value to insert into u */
	bool committed;   /* the row was visible to another connection on return */
	enum app_err err;
};

static enum app_err insert_u(struct store *s, void *ctx)
{
	struct booker *b = ctx;

	return store_run(s, "INSERT INTO u VALUES (?1)", 1, b->x, 0);
}

static void *book_in_group(void *arg)
{
	struct booker *b = arg;
	struct store *other = open_one(1000);
	int64_t n = -1;

	b->err = store_group(b->s, insert_u, b);
	/* answered only after the commit: another connection sees it */
	if (!b->err && !store_scalar(other, "SELECT count(*) FROM u WHERE x = ?1", 1, b->x, 0, &n))
		b->committed = n == 1;
	store_free(other);
	return NULL;
}

static int queued_jobs(struct store *s)
{
	return state(s).queued;
}

/* Eight bookings wait together (the first leads and waits for the writer
 * lock); one of them is a duplicate: it alone fails, the others commit,
 * in one group. */
START_TEST(a_group_answers_each_job_alone)
{
	struct store *blocker = open_one(10000);
	struct booker b[JOBS];
	pthread_t t[JOBS];
	struct store_queue_state q0, q1;
	int64_t n;

	ck_assert_int_eq(store_run(blocker, "INSERT INTO u VALUES (3)", 0, 0, 0), APP_OK);
	q0 = state(blocker);
	for (int i = 0; i < JOBS; i++)
		b[i] = (struct booker){open_one(10000), 100 + i, false, APP_ESTORE};
	ck_assert_int_eq(store_begin(blocker), APP_OK);
	for (int i = 0; i < JOBS; i++) {
		if (i == 5)
			b[i].x = 3; /* taken already: this one fails */
		ck_assert_int_eq(pthread_create(&t[i], NULL, book_in_group, &b[i]), 0);
		if (i == 0)
			await_waiting(blocker, 1); /* the leader, in the writer queue */
		for (int k = 0; k < 10000 && queued_jobs(blocker) != i + 1; k++)
			nanosleep(&(struct timespec){0, 1000000L}, NULL);
		ck_assert_int_eq(queued_jobs(blocker), i + 1);
	}
	ck_assert_int_eq(store_commit(blocker), APP_OK);
	for (int i = 0; i < JOBS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < JOBS; i++) {
		ck_assert_int_eq(b[i].err, i == 5 ? APP_EDUPLICATE : APP_OK);
		ck_assert(b[i].committed == (i != 5));
	}
	q1 = state(blocker);
	ck_assert_uint_eq(q1.groups - q0.groups, 1);
	ck_assert_uint_eq(q1.jobs - q0.jobs, JOBS);
	ck_assert_int_eq(q1.queued, 0);
	ck_assert_int_eq(store_scalar(blocker, "SELECT count(*) FROM u", 0, 0, 0, &n), APP_OK);
	ck_assert_int_eq(n, JOBS); /* 3 and the seven others */
	for (int i = 0; i < JOBS; i++)
		store_free(b[i].s);
	store_free(blocker);
}
END_TEST

static enum app_err insert_then_fail(struct store *s, void *ctx)
{
	enum app_err err;

	(void)ctx;
	if ((err = store_run(s, "INSERT INTO u VALUES (7)", 0, 0, 0)))
		return err;
	return APP_ECONFLICT; /* what it wrote must go */
}

START_TEST(a_failed_job_leaves_nothing)
{
	struct store *a = open_one(1000);
	int64_t n;

	ck_assert_int_eq(store_group(a, insert_then_fail, NULL), APP_ECONFLICT);
	ck_assert_int_eq(store_scalar(a, "SELECT count(*) FROM u", 0, 0, 0, &n), APP_OK);
	ck_assert_int_eq(n, 0);
	/* and the lock and the group are free again */
	ck_assert_int_eq(waiting_now(a), 0);
	ck_assert_int_eq(queued_jobs(a), 0);
	ck_assert_int_eq(store_begin(a), APP_OK);
	store_rollback(a);
	store_free(a);
}
END_TEST

/* Many threads, many groups: every job answered once, the right count. */
START_TEST(groups_under_load)
{
	struct booker b[THREADS * 25];
	pthread_t t[THREADS * 25];
	struct store *s[THREADS];
	int64_t n;

	for (int i = 0; i < THREADS; i++)
		s[i] = open_one(60000);
	for (int i = 0; i < THREADS * 25; i++) {
		b[i] = (struct booker){s[i % THREADS], 1000 + i, false, APP_ESTORE};
		if (i >= THREADS) /* a connection is used by one thread at a time */
			pthread_join(t[i - THREADS], NULL);
		ck_assert_int_eq(pthread_create(&t[i], NULL, book_in_group, &b[i]), 0);
	}
	for (int i = THREADS * 25 - THREADS; i < THREADS * 25; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < THREADS * 25; i++) {
		ck_assert_int_eq(b[i].err, APP_OK);
		ck_assert(b[i].committed);
	}
	ck_assert_int_eq(store_scalar(s[0], "SELECT count(*) FROM u", 0, 0, 0, &n), APP_OK);
	ck_assert_int_eq(n, THREADS * 25);
	for (int i = 0; i < THREADS; i++)
		store_free(s[i]);
}
END_TEST

static double mono_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Books once another job waits in the group list (its leader gathering). */
static void *book_later(void *arg)
{
	struct booker *b = arg;

	for (int k = 0; k < 10000 && queued_jobs(b->s) != 1; k++)
		nanosleep(&(struct timespec){0, 1000000L}, NULL);
	return book_in_group(b);
}

/* A booking announced (store_group_coming) is waited for: the leader that
 * came first does not begin before it joins, and both share one commit. */
START_TEST(a_leader_waits_for_a_booking_on_its_way)
{
	struct booker first = {open_one(10000), 1, false, APP_ESTORE};
	struct booker later = {open_one(10000), 2, false, APP_ESTORE};
	struct store_queue_state q0, q1;
	pthread_t t;
	double t0;

	store_set_gather_ms(10 * 1000);
	q0 = state(first.s);
	store_group_coming(later.s);
	store_group_coming(later.s); /* counted once */
	ck_assert_int_eq(state(first.s).coming, 1);
	ck_assert_int_eq(pthread_create(&t, NULL, book_later, &later), 0);
	t0 = mono_s();
	book_in_group(&first);
	pthread_join(t, NULL);
	ck_assert_double_lt(mono_s() - t0, 5.0); /* not the 10 s: it came */
	ck_assert_int_eq(first.err, APP_OK);
	ck_assert_int_eq(later.err, APP_OK);
	ck_assert(first.committed && later.committed);
	q1 = state(first.s);
	ck_assert_uint_eq(q1.groups - q0.groups, 1);
	ck_assert_uint_eq(q1.jobs - q0.jobs, 2);
	ck_assert_int_eq(q1.coming, 0);
	store_set_gather_ms(1);
	store_free(first.s);
	store_free(later.s);
}
END_TEST

/* One that never comes holds a leader for the gathering time, no longer;
 * its going away (store_group_gone) ends the announcement. */
START_TEST(a_booking_that_never_comes_is_waited_for_briefly)
{
	struct booker b = {open_one(10000), 1, false, APP_ESTORE};
	struct store *gone = open_one(10000);
	double t0, took;

	store_set_gather_ms(100);
	store_group_coming(gone);
	t0 = mono_s();
	book_in_group(&b);
	took = mono_s() - t0;
	ck_assert_int_eq(b.err, APP_OK);
	ck_assert(b.committed);
	ck_assert_double_ge(took, 0.099);
	ck_assert_double_lt(took, 5.0);
	ck_assert_int_eq(state(gone).coming, 1);
	store_group_gone(gone);
	store_group_gone(gone); /* once only */
	ck_assert_int_eq(state(gone).coming, 0);
	/* with nothing announced, a booking does not wait */
	store_set_gather_ms(10 * 1000);
	b.x = 2;
	t0 = mono_s();
	book_in_group(&b);
	ck_assert_double_lt(mono_s() - t0, 5.0);
	ck_assert(b.committed);
	store_set_gather_ms(1);
	store_free(b.s);
	store_free(gone);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("writeq");
	TCase *tc = tcase_create("writeq");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, served_in_arrival_order);
	tcase_add_test(tc, one_writer_at_a_time);
	tcase_add_test(tc, the_wal_starts_over_under_steady_writes);
	tcase_add_test(tc, a_wait_ends_at_the_busy_timeout);
	tcase_add_test(tc, a_write_outside_a_transaction_queues);
	tcase_add_test(tc, rollback_and_failed_begin_give_it_back);
	tcase_add_test(tc, in_memory_databases_do_not_queue);
	tcase_add_test(tc, a_group_answers_each_job_alone);
	tcase_add_test(tc, a_failed_job_leaves_nothing);
	tcase_add_test(tc, groups_under_load);
	tcase_add_test(tc, a_leader_waits_for_a_booking_on_its_way);
	tcase_add_test(tc, a_booking_that_never_comes_is_waited_for_briefly);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
