/*
 * trace_ahead.c - the decoding thread (see trace_ahead.h).
 *
 * A ring of batches under one mutex: the thread fills a free batch with
 * trace_reader_next() without the lock, then publishes it; the consumer
 * takes the oldest published batch, hands its events out without the lock,
 * and gives it back when it has handed them all. A lock per batch of
 * events; a thread that filled the ring sleeps until half of it is free, so
 * that it is woken once per half ring, not once per batch.
 * A batch that ends with the reader's end or error carries it, and the
 * thread stops there.
 */
#include "trace_ahead.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_EVENTS 256
#define NR_BATCHES 8

struct batch {
	unsigned int n; /* events */
	int end;	/* 0: more follow; 1: the reader's end after them; < 0: its error */
	long long pos;	/* trace_reader_file_pos() after them */
	char err[512];	/* the reader's message for end < 0 */
	struct sim_event ev[BATCH_EVENTS];
};

struct trace_ahead {
	struct trace_reader *r;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* a batch was published, given back, or stop was asked */
	unsigned int published; /* published batches not yet given back (under lock) */
	bool stop;		/* under lock */
	unsigned int wr;	/* the thread's: next batch to fill */
	/* the consumer's */
	unsigned int rd;	 /* the batch being handed out, or next to take */
	bool holding;		 /* batch rd is taken */
	unsigned int i;		 /* its next event */
	int end;		 /* 0 reading, 1 ended, < 0 the reader's error */
	char err[512];
	long long pos;
	struct batch b[NR_BATCHES];
	pthread_t thread;
};

static void *ahead_thread(void *arg)
{
	struct trace_ahead *a = arg;

	for (;;) {
		struct batch *b;

		pthread_mutex_lock(&a->lock);
		/* a full ring: sleep until half of it is free, not one batch (a wake each) */
		if (a->published == NR_BATCHES)
			while (!a->stop && a->published > NR_BATCHES / 2)
				pthread_cond_wait(&a->cond, &a->lock);
		if (a->stop) {
			pthread_mutex_unlock(&a->lock);
			return NULL;
		}
		pthread_mutex_unlock(&a->lock);
		b = &a->b[a->wr % NR_BATCHES];
		b->n = 0;
		b->end = 0;
		while (b->n < BATCH_EVENTS) {
			int k = trace_reader_next(a->r, &b->ev[b->n], b->err, sizeof(b->err));

			if (k != 1) {
				b->end = k < 0 ? k : 1;
				break;
			}
			b->n++;
		}
		b->pos = trace_reader_file_pos(a->r);
		a->wr++;
		pthread_mutex_lock(&a->lock);
		a->published++;
		pthread_cond_signal(&a->cond);
		pthread_mutex_unlock(&a->lock);
		if (b->end)
			return NULL;
	}
}

int trace_ahead_start(struct trace_reader *r, struct trace_ahead **out)
{
	struct trace_ahead *a;
	sigset_t all, old;
	int err;

	*out = NULL;
	if (!r || trace_reader_file_pos(r) < 0)
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->r = r;
	a->pos = trace_reader_file_pos(r);
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	/*
	 * The thread takes no signals: the commands' handlers and their holds
	 * (cli_proc.h) are the replay thread's, and sigprocmask() is per thread.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&a->thread, NULL, ahead_thread, a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		pthread_mutex_destroy(&a->lock);
		pthread_cond_destroy(&a->cond);
		free(a);
		return -err;
	}
	(void)pthread_setname_np(a->thread, "zsfrag-reader");
	*out = a;
	return 0;
}

/* Give the batch handed out back to the thread. */
static void give_back(struct trace_ahead *a)
{
	a->holding = false;
	a->rd++;
	pthread_mutex_lock(&a->lock);
	if (--a->published == NR_BATCHES / 2)
		pthread_cond_signal(&a->cond);
	pthread_mutex_unlock(&a->lock);
}

int trace_ahead_next(struct trace_ahead *a, struct sim_event *ev, char *msg, size_t msglen)
{
	for (;;) {
		struct batch *b = &a->b[a->rd % NR_BATCHES];

		if (a->holding && a->i < b->n) {
			sim_event_copy(ev, &b->ev[a->i++]);
			return 1;
		}
		if (a->holding) {
			if (b->end) { /* kept: every later call returns it again */
				a->end = b->end;
				memcpy(a->err, b->err, sizeof(a->err));
			}
			give_back(a);
		}
		if (a->end) {
			if (a->end < 0 && msg && msglen)
				snprintf(msg, msglen, "%s", a->err);
			return a->end < 0 ? a->end : 0;
		}
		pthread_mutex_lock(&a->lock);
		while (a->published == 0)
			pthread_cond_wait(&a->cond, &a->lock);
		pthread_mutex_unlock(&a->lock);
		b = &a->b[a->rd % NR_BATCHES];
		a->holding = true;
		a->i = 0;
		a->pos = b->pos;
	}
}

long long trace_ahead_file_pos(const struct trace_ahead *a)
{
	return a->pos;
}

void trace_ahead_stop(struct trace_ahead *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_signal(&a->cond);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->cond);
	free(a);
}
