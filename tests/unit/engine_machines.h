/*
 * engine_machines.h - the tiny crafted machines of the replay-engine tests
 * (test_engine.c, test_engine_pgd.c), the sinks that keep what the engine
 * reported, and one-line event helpers. Included by one test file each: the
 * functions are static.
 *
 * Machines
 *   tiny:  64 frames (256 KiB), no HighMem, max_order 4 (blocks up to 8
 *          frames), pageblock order 3, min_free_kbytes 0 (watermarks: min 0,
 *          low = 0 + max(0, 64*10/10000 = 0) = 0): pure buddy arithmetic.
 *   pgd:   1024 frames (4 MiB), no HighMem, 11 orders (one order-10 block at
 *          boot), pageblock order 4, min_free_kbytes 0 (min 0, low 1, high
 *          2). The order-2 pgd scenario runs on it.
 *
 * Allocation order both rely on: boot frees every zone as its largest
 * aligned blocks, and an order-0 request takes the lowest free frame as long
 * as nothing was freed yet (expand() puts each split-off upper half at its
 * list head, so the next request splits the smallest block, which is the one
 * just above the last frame taken). The first UNMOVABLE request steals from
 * the MOVABLE boot block; for a block of order >= pageblock order the whole
 * range's pageblocks change type, so the sequence is not disturbed.
 */
#ifndef ZSFRAG_TEST_ENGINE_MACHINES_H
#define ZSFRAG_TEST_ENGINE_MACHINES_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "physmem.h"
#include "test_util.h"
#include "vmstat.h"
#include "zsmalloc.h"

#define MAX_CLASSES	256
#define MAX_COMPACTIONS 16

/* What the sinks saw: the last snapshot (deep copy) and every compaction. */
struct capture {
	int snapshots;
	struct sim_snapshot last;
	char label[SIM_LABEL_MAX];
	struct sim_class_snap classes[MAX_CLASSES];
	int ncomp;
	struct sim_compaction comp[MAX_COMPACTIONS];
	char trigger[MAX_COMPACTIONS][32];
	int nverify;
	struct sim_verify verify;
};

static inline void cap_snapshot(void *ctx, const struct sim_snapshot *s)
{
	struct capture *c = ctx;

	c->snapshots++;
	c->last = *s;
	snprintf(c->label, sizeof(c->label), "%s", s->label);
	c->last.label = c->label;
	memcpy(c->classes, s->classes, s->nr_classes * sizeof(*s->classes));
	c->last.classes = c->classes;
}

static inline void cap_compaction(void *ctx, const struct sim_compaction *cp)
{
	struct capture *c = ctx;

	if (c->ncomp < MAX_COMPACTIONS) {
		c->comp[c->ncomp] = *cp;
		snprintf(c->trigger[c->ncomp], sizeof(c->trigger[0]), "%s", cp->trigger);
		c->comp[c->ncomp].trigger = c->trigger[c->ncomp];
	}
	c->ncomp++;
}

static inline void cap_verify(void *ctx, const struct sim_verify *v)
{
	struct capture *c = ctx;

	c->nverify++;
	c->verify = *v;
}

static char msg[512];

static inline struct sim *make_sim(struct sim_config *cfg, struct capture *cap)
{
	struct sim_sinks sinks = {.ctx = cap,
				  .snapshot = cap_snapshot,
				  .compaction = cap_compaction,
				  .verify = cap_verify};
	struct sim *sim = NULL;

	memset(cap, 0, sizeof(*cap));
	msg[0] = '\0';
	if (sim_create(cfg, &sinks, &sim, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "sim_create: %s\n", msg);
		return NULL;
	}
	return sim;
}

static inline void tiny_config(struct sim_config *cfg)
{
	sim_config_default(cfg);
	cfg->mem.ram_bytes = 64 * 4096;
	cfg->mem.highmem = false;
	cfg->mem.max_order = 4;
	cfg->mem.pageblock_order = 3;
	cfg->mem.min_free_kbytes = 0;
	cfg->zram_disksize = 64 * 4096;
	cfg->timing = false;
	/* a fork takes its pgd and nothing else, so the buddy arithmetic stays by hand */
	cfg->fork = (struct sim_fork_cost){-1, 0, 0, 0, 0, 0, 0, NULL, 0, {{"", 0}}, 0};
}

static inline void pgd_config(struct sim_config *cfg, const char *profile, unsigned int policies)
{
	sim_config_default(cfg);
	cfg->mem.ram_bytes = 1024 * 4096;
	cfg->mem.highmem = false;
	cfg->mem.pageblock_order = 4;
	cfg->mem.min_free_kbytes = 0;
	cfg->pool.profile = profile;
	cfg->pool.arch = ZS_ARCH_ARM32;
	cfg->zram_disksize = 1024 * 4096;
	cfg->policies = policies;
	cfg->timing = false;
	cfg->fork = (struct sim_fork_cost){-1, 0, 0, 0, 0, 0, 0, NULL, 0, {{"", 0}}, 0}; /* the pgd alone */
}

/* Replay a built event; returns sim_event's result (msg holds the reason). */
static inline int ev_send(struct sim *sim, const struct sim_event *e)
{
	msg[0] = '\0';
	return sim_event(sim, e, msg, sizeof(msg));
}

/* One event from its fields (the rest zero). */
static inline int ev(struct sim *sim, char op, uint64_t id, uint32_t size, uint8_t order, char mtype)
{
	struct sim_event e;

	memset(&e, 0, sizeof(e));
	e.op = (enum sim_op)op;
	e.id = id;
	e.size = size;
	e.order = order;
	e.mtype = mtype;
	return ev_send(sim, &e);
}

static inline int ev_label(struct sim *sim, char op, const char *label)
{
	struct sim_event e;

	memset(&e, 0, sizeof(e));
	e.op = (enum sim_op)op;
	snprintf(e.label, sizeof(e.label), "%s", label);
	return sim_event(sim, &e, msg, sizeof(msg));
}

static inline int ev_time(struct sim *sim, char op, uint64_t id, uint32_t size, uint64_t t)
{
	struct sim_event e;

	memset(&e, 0, sizeof(e));
	e.op = (enum sim_op)op;
	e.id = id;
	e.size = size;
	e.has_time = true;
	e.time_ns = t;
	return sim_event(sim, &e, msg, sizeof(msg));
}

static inline void check_owner(struct sim *sim, unsigned long pfn, enum physmem_owner owner, uint64_t tag)
{
	struct physmem_block b;

	CHECK_EQ(physmem_block_at(sim_mem(sim), pfn, &b), 0);
	CHECK(!b.free);
	CHECK_EQ(b.head_pfn, pfn);
	CHECK_EQ(b.owner, owner);
	if (owner == PHYSMEM_OWNER_USER || owner == PHYSMEM_OWNER_PGD)
		CHECK_U64_EQ(b.tag, tag);
}

#endif /* ZSFRAG_TEST_ENGINE_MACHINES_H */
