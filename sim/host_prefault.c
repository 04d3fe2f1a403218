/*
 * host_prefault.c - the thread that populates the frames' host memory one
 * region ahead of the replay (host_prefault.h says why).
 *
 * The replay's thread (the producer) and this one (the consumer) share a
 * single-producer, single-consumer ring of region numbers; a semaphore
 * counts the entries, so the thread sleeps while there is nothing to do and
 * a post costs the producer an atomic add (a futex wake when the thread
 * sleeps: about once per 2 MiB of pool growth). Which regions were handed
 * on is the producer's own bitmap, so the hot path (a region already
 * handed on) reads one word it alone writes.
 */
#include "host_prefault.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

#define RING_SIZE 256u	       /* entries: a power of two */
#define RING_FENCE UINT32_MAX /* not a region: host_prefault_sync()'s marker */

struct host_prefault {
	uint8_t *base;
	size_t len;
	size_t nr_regions;
	uint64_t *handed; /* bit per region: handed on, or written by the producer */
	uint32_t ring[RING_SIZE];
	_Atomic uint32_t head; /* written by the producer */
	_Atomic uint32_t tail; /* written by the thread */
	atomic_bool stop;
	sem_t work;    /* ring entries, and the stop request */
	sem_t fenced;  /* a fence reached the thread */
	_Atomic uint64_t populated;
	uint64_t posted, dropped;
	pthread_t thread;
};

static void sem_wait_intr(sem_t *s)
{
	while (sem_wait(s) && errno == EINTR)
		;
}

static void *prefault_thread(void *arg)
{
	struct host_prefault *hp = arg;

	for (;;) {
		uint32_t tail, r;
		size_t off, n;

		sem_wait_intr(&hp->work);
		if (atomic_load_explicit(&hp->stop, memory_order_acquire))
			return NULL;
		tail = atomic_load_explicit(&hp->tail, memory_order_relaxed);
		r = hp->ring[tail % RING_SIZE];
		atomic_store_explicit(&hp->tail, tail + 1, memory_order_release);
		if (r == RING_FENCE) {
			sem_post(&hp->fenced);
			continue;
		}
		off = (size_t)r * HOST_PREFAULT_REGION;
		n = hp->len - off < HOST_PREFAULT_REGION ? hp->len - off : HOST_PREFAULT_REGION;
		if (madvise(hp->base + off, n, MADV_POPULATE_WRITE) == 0)
			atomic_fetch_add_explicit(&hp->populated, 1, memory_order_relaxed);
	}
}

/*
 * Hand r to the thread: false when the ring holds room entries already.
 * Regions leave one entry free, so that a fence always fits (only one is
 * ever queued: host_prefault_sync() waits for it).
 */
static bool push(struct host_prefault *hp, uint32_t r, uint32_t room)
{
	uint32_t head = atomic_load_explicit(&hp->head, memory_order_relaxed);

	if (head - atomic_load_explicit(&hp->tail, memory_order_acquire) >= room)
		return false;
	hp->ring[head % RING_SIZE] = r;
	atomic_store_explicit(&hp->head, head + 1, memory_order_release);
	sem_post(&hp->work);
	return true;
}

int host_prefault_start(uint8_t *base, size_t len, struct host_prefault **out)
{
	struct host_prefault *hp;
	sigset_t all, old;
	int err;

	*out = NULL;
	if (!base || !len || (uintptr_t)base % HOST_PREFAULT_REGION)
		return -EINVAL;
	/* the advice is checked before the (empty) range: EINVAL = unknown to this kernel */
	if (madvise(base, 0, MADV_POPULATE_WRITE))
		return errno == EINVAL ? -ENOTSUP : -errno;
	hp = calloc(1, sizeof(*hp));
	if (!hp)
		return -ENOMEM;
	hp->base = base;
	hp->len = len;
	hp->nr_regions = (len + HOST_PREFAULT_REGION - 1) / HOST_PREFAULT_REGION;
	if (hp->nr_regions >= RING_FENCE) {
		free(hp);
		return -E2BIG;
	}
	hp->handed = calloc((hp->nr_regions + 63) / 64, sizeof(*hp->handed));
	if (!hp->handed) {
		free(hp);
		return -ENOMEM;
	}
	sem_init(&hp->work, 0, 0);
	sem_init(&hp->fenced, 0, 0);
	/*
	 * The thread takes no signals: the commands' handlers and their holds
	 * (cli_proc.h) are the replay thread's, and sigprocmask() is per thread.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&hp->thread, NULL, prefault_thread, hp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		sem_destroy(&hp->work);
		sem_destroy(&hp->fenced);
		free(hp->handed);
		free(hp);
		return -err;
	}
	(void)pthread_setname_np(hp->thread, "zsfrag-prefault");
	*out = hp;
	return 0;
}

void host_prefault_touching(struct host_prefault *hp, size_t offset)
{
	size_t cur = offset / HOST_PREFAULT_REGION, next = cur + 1;
	uint64_t bit = 1ull << (next % 64);

	if (next >= hp->nr_regions || (hp->handed[next / 64] & bit))
		return;
	/* this region is being written by the caller: no use handing it on later */
	hp->handed[cur / 64] |= 1ull << (cur % 64);
	hp->handed[next / 64] |= bit;
	if (push(hp, (uint32_t)next, RING_SIZE - 1)) {
		hp->posted++;
	} else {
		hp->handed[next / 64] &= ~bit; /* a later touch may try again */
		hp->dropped++;
	}
}

void host_prefault_sync(struct host_prefault *hp)
{
	(void)push(hp, RING_FENCE, RING_SIZE);
	sem_wait_intr(&hp->fenced);
}

void host_prefault_stats(const struct host_prefault *hp, struct host_prefault_stats *st)
{
	st->posted = hp->posted;
	st->populated = atomic_load_explicit(&hp->populated, memory_order_relaxed);
	st->dropped = hp->dropped;
}

void host_prefault_stop(struct host_prefault *hp)
{
	if (!hp)
		return;
	atomic_store_explicit(&hp->stop, true, memory_order_release);
	sem_post(&hp->work);
	pthread_join(hp->thread, NULL);
	sem_destroy(&hp->work);
	sem_destroy(&hp->fenced);
	free(hp->handed);
	free(hp);
}
