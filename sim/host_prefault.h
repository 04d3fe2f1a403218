/*
 * host_prefault.h - a thread that backs the host memory behind emulated
 * frames before the replay first writes it.
 *
 * SIM: host side only. The first write to a 2 MiB region of the frames'
 * mapping makes the host kernel allocate and zero a huge page there (or 512
 * small ones). Back to back that is a few percent of a full-payload replay
 * of a large pool; in a VM that reports free pages to its host (virtio
 * balloon), memory freed half a minute before must also be faulted in on
 * the host's side, and then it was 20 to 50% (BENCHMARKS.md, "Replay at
 * scale", eighth and ninth sessions), paid on the replay's own thread. The
 * pool takes its frames from the buddy lists in mostly ascending runs, so
 * the region after the one being written is, nearly always, the next to be
 * written: the caller says which offset it is about to write
 * (host_prefault_touching()) and the thread populates the following region
 * with MADV_POPULATE_WRITE, which backs pages without writing to them, so
 * it cannot disturb bytes the replay writes at the same time. Nothing the
 * replay computes depends on it; only where the zeroing's time is spent.
 */
#ifndef ZSFRAG_SIM_HOST_PREFAULT_H
#define ZSFRAG_SIM_HOST_PREFAULT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HOST_PREFAULT_REGION ((size_t)2 << 20) /* bytes: one huge page of x86_64 and arm64 */

struct host_prefault;

/* What the thread did (host side; how much depends on the host's timing). */
struct host_prefault_stats {
	uint64_t posted;    /* regions handed to the thread */
	uint64_t populated; /* of them, populated */
	uint64_t dropped;   /* not handed on: the queue was full */
};

/*
 * Start the thread for [base, base + len); base aligned to
 * HOST_PREFAULT_REGION. 0, or -ENOTSUP when the host kernel has no
 * MADV_POPULATE_WRITE (Linux < 5.14), or another -errno; *out is NULL then
 * and the caller runs without it.
 */
int host_prefault_start(uint8_t *base, size_t len, struct host_prefault **out);
/*
 * The caller is about to write the byte at offset: the region after it is
 * handed to the thread if it was not already. The caller's thread only.
 */
void host_prefault_touching(struct host_prefault *hp, size_t offset);
/* Wait until the thread has populated everything handed to it so far. */
void host_prefault_sync(struct host_prefault *hp);
void host_prefault_stats(const struct host_prefault *hp, struct host_prefault_stats *st);
/* Stop the thread (regions still queued are left) and free hp; NULL is a no-op. */
void host_prefault_stop(struct host_prefault *hp);

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_SIM_HOST_PREFAULT_H */
