/*
 * event.h - one simulation event: what traces and workloads produce and the
 * replay engine consumes. The text trace format (traces/FORMAT.md) spells each
 * op with the same letter.
 */
#ifndef ZSFRAG_EVENT_H
#define ZSFRAG_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

enum sim_op {
	SIM_OP_ALLOC = 'a',      /* a ID SIZE: zs_malloc(SIZE) as object ID */
	SIM_OP_FREE = 'f',       /* f ID: zs_free of object ID */
	SIM_OP_WRITE = 'w',      /* w SLOT SIZE: zram write, compressed to SIZE bytes */
	SIM_OP_WRITE_SAME = 'z', /* z SLOT: zram write of a same-filled page */
	SIM_OP_READ = 'r',       /* r SLOT: zram read */
	SIM_OP_DISCARD = 'd',    /* d SLOT: discard / swap slot free */
	SIM_OP_GET = 'g',        /* g ID ORDER TYPE: another user gets 2^ORDER pages */
	SIM_OP_PUT = 'p',        /* p ID [s SLOT]: that user puts them back (s: a page
				  * swapped out to SLOT, kept if that write failed) */
	SIM_OP_FORK = 'k',       /* k PID: fork, allocate the order-2 pgd */
	SIM_OP_EXIT = 'x',       /* x PID: exit, free the pgd */
	SIM_OP_COMPACT = 'c',    /* c: compaction request (zram's compact knob) */
	SIM_OP_SNAPSHOT = 's',   /* s LABEL: snapshot every metric */
	SIM_OP_VERIFY = 'v',     /* v: verify every live object's payload */
	SIM_OP_FORK_PROBE = 'F', /* F N LABEL: N forks that keep their pgd, then all exit */
	SIM_OP_COMPACT_STEP = 'y', /* y N: a compaction in steps goes on to N zspages put back
				    * (begun by the first y; N 0: to its end) */
};

/* Largest N of an F event (the guest's fork probe keeps a table of children). */
#define SIM_FORK_PROBE_MAX 100000

/* Migrate type letters of the g op. */
enum sim_mtype {
	SIM_MT_UNMOVABLE = 'u',
	SIM_MT_MOVABLE = 'm',
	SIM_MT_RECLAIMABLE = 'r',
};

#define SIM_LABEL_MAX 128 /* bytes, including the terminating NUL */

struct sim_event {
	enum sim_op op;
	bool has_time;          /* an @NS prefix was given */
	bool new_zspage;        /* a, w: the zs_malloc takes a new zspage even when its class
				 * has room (a capture's mark: the kernel's zs_malloc made its
				 * own with the lock dropped, text " n", binary tag bit 5) */
	uint64_t time_ns;       /* simulated time, non-decreasing */
	bool swapped_out;       /* p: the block is a page the latest write of `slot` swapped
				 * out (text " s SLOT", binary tag bit 5 and a SLOT delta) */
	uint64_t id;            /* object ID, slot, block ID, PID; for F the fork count N */
	uint64_t slot;          /* p with swapped_out: the zram slot */
	uint32_t size;          /* bytes, for a and w */
	uint8_t order;          /* for g */
	char mtype;             /* enum sim_mtype, for g */
	char label[SIM_LABEL_MAX]; /* for s and F */
	uint64_t line;          /* source line (or record number) for error messages; 0 if none */
};

/*
 * Copy an event without the label bytes no other op than s and F uses: the
 * label is most of the struct, and a replay copies each event on its way
 * from the reader to the engine.
 */
static inline void sim_event_copy(struct sim_event *dst, const struct sim_event *src)
{
	dst->op = src->op;
	dst->has_time = src->has_time;
	dst->new_zspage = src->new_zspage;
	dst->swapped_out = src->swapped_out;
	dst->time_ns = src->time_ns;
	dst->id = src->id;
	dst->slot = src->slot;
	dst->size = src->size;
	dst->order = src->order;
	dst->mtype = src->mtype;
	dst->line = src->line;
	if (src->op == SIM_OP_SNAPSHOT || src->op == SIM_OP_FORK_PROBE)
		memcpy(dst->label, src->label, sizeof(dst->label));
	else
		dst->label[0] = '\0';
}

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_EVENT_H */
