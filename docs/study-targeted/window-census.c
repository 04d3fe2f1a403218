/*
 * window-census.c - the experiment behind docs/study-targeted.md's "Why"
 * sections: replay a trace and, at every snapshot, count the pgd zone's
 * order-2 windows by what holds their frames, and the frames of each
 * pageblock type. With a time T, stop at the first event after T seconds
 * that leaves the zone without a free block of order 2 or more (a fork
 * would stall now) and run one async and one sync order-2 compaction for an
 * unmovable request there, as the slow path's direct compaction would.
 *
 * Not part of the build; against a release build's libraries:
 *   B=build/release
 *   gcc -O2 -std=gnu11 -Wall -Wextra -Isim -Ireplay -Itraces -Iallocator -I$B \
 *       -o window-census docs/study-targeted/window-census.c $B/replay/libzsfrag_replay.a \
 *       $B/sim/libzsfrag_sim.a $B/traces/libzsfrag_traces.a $B/allocator/libzsfrag_alloc.a \
 *       $B/sim/libzsfrag_sim.a $B/allocator/libzsfrag_alloc.a -ljansson -llz4 -lzstd -lz -lm
 *   ./window-census TRACE CONFIG.json PROFILE POLICIES [T]
 */
#include <stdio.h>
#include <stdlib.h>

#include "engine.h"
#include "kcompact.h"
#include "physmem.h"
#include "replay_job.h"
#include "trace_text.h"

enum frame_kind { FREE, ZSPAGE, KERNEL };

static enum frame_kind kind_at(const struct physmem *pm, unsigned long pfn)
{
	struct physmem_block b;

	if (physmem_block_at(pm, pfn, &b) != 0 || b.free || b.owner == PHYSMEM_OWNER_PCP)
		return FREE;
	return b.owner == PHYSMEM_OWNER_ZSPAGE ? ZSPAGE : KERNEL;
}

/* Order-2 windows: all free; zspage pages and free only (the holes in them: frames no
 * free but the pool's can complete); kernel pages and free; no free frame. */
static void windows(const struct physmem *pm, unsigned int zone, const char *label)
{
	struct physmem_zone_info zi;
	unsigned long free4 = 0, zs_holes = 0, zs_hole_frames = 0, k_holes = 0, full = 0;
	unsigned long zs_beside_kernel = 0;

	physmem_zone_info(pm, zone, &zi);
	for (unsigned long w = (zi.start_pfn + 3) & ~3ul; w + 4 <= zi.end_pfn; w += 4) {
		unsigned int n[3] = {0, 0, 0};

		for (unsigned long p = w; p < w + 4; p++)
			n[kind_at(pm, p)]++;
		if (n[FREE] == 4)
			free4++;
		else if (!n[KERNEL] && n[FREE]) {
			zs_holes++;
			zs_hole_frames += n[FREE];
		} else if (n[KERNEL] && n[FREE])
			k_holes++;
		else if (!n[FREE])
			full++;
		if (n[KERNEL])
			zs_beside_kernel += n[ZSPAGE];
	}
	printf("%-11s windows: free %6lu | zspage+free %6lu (%6lu free frames) | kernel+free %6lu"
	       " | no free %6lu | zspage pages beside a kernel page %6lu\n",
	       label, free4, zs_holes, zs_hole_frames, k_holes, full, zs_beside_kernel);
}

/* Frames by pageblock type (4.8+ keeps zram's movable pages in MOVABLE pageblocks). */
static void pageblocks(const struct physmem *pm, unsigned int zone)
{
	static const char *const name[] = {"unmovable", "movable", "reclaimable"};
	struct physmem_zone_info zi;
	unsigned long pb = 0, n[3][4] = {{0}};

	physmem_zone_info(pm, zone, &zi);
	for (unsigned long p = zi.start_pfn; p < zi.end_pfn; p++) {
		enum physmem_mt mt = physmem_pageblock_mt(pm, p);

		if (mt > PHYSMEM_MT_RECLAIMABLE)
			continue;
		if (!(p & 1023))
			n[mt][3]++, pb++;
		n[mt][kind_at(pm, p)]++;
	}
	printf("            pageblocks (%lu):", pb);
	for (int t = 0; t < 3; t++)
		if (n[t][3])
			printf(" %s %lu: free %lu zspage %lu kernel %lu;", name[t], n[t][3], n[t][FREE],
			       n[t][ZSPAGE], n[t][KERNEL]);
	printf("\n");
}

static bool no_order2_block(const struct physmem *pm, unsigned int zone)
{
	struct physmem_zone_info zi;

	physmem_zone_info(pm, zone, &zi);
	for (unsigned int o = 2; o < 16; o++)
		if (physmem_nr_free(pm, zone, o))
			return false;
	return zi.free_pages > 0;
}

static void compact_now(struct physmem *pm, unsigned int zone)
{
	for (int sync = 0; sync < 2; sync++) {
		struct kcompact_control cc = {.zone = zone,
					      .order = 2,
					      .migratetype = PHYSMEM_MT_UNMOVABLE,
					      .mode = sync ? KCOMPACT_SYNC : KCOMPACT_ASYNC};
		struct kcompact_result r;

		if (kcompact_zone(pm, &cc, &r) != 0)
			return;
		printf("%s order-2 compaction: %s, %llu pages isolated, %llu free pages isolated as "
		       "targets, %llu migrated, %llu failed\n",
		       sync ? "sync " : "async", kcompact_status_name(r.status),
		       (unsigned long long)r.pages_isolated, (unsigned long long)r.free_isolated,
		       (unsigned long long)r.pages_migrated, (unsigned long long)r.migrate_failed);
	}
}

int main(int argc, char **argv)
{
	struct replay_overrides o = {0};
	struct sim_sinks sinks = {0};
	struct sim_config cfg;
	struct trace_reader *r;
	struct sim_event ev;
	struct sim *sim;
	unsigned int zone;
	char msg[512];
	double stop = argc > 5 ? atof(argv[5]) : -1;

	if (argc < 5) {
		fprintf(stderr, "usage: window-census TRACE CONFIG PROFILE POLICIES [T]\n");
		return 64;
	}
	o.config = argv[2];
	o.profile = argv[3];
	o.policies = argv[4];
	if (replay_config_resolve(&o, &cfg, msg, sizeof(msg)) != REPLAY_OK ||
	    sim_create(&cfg, &sinks, &sim, msg, sizeof(msg)) != 0 ||
	    trace_reader_open(argv[1], &r, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "window-census: %s\n", msg);
		return 1;
	}
	zone = physmem_preferred_zone(sim_mem(sim), PHYSMEM_MT_UNMOVABLE, 0);
	while (trace_reader_next(r, &ev, msg, sizeof(msg)) == 1) {
		if (sim_event(sim, &ev, msg, sizeof(msg)) != 0) {
			fprintf(stderr, "window-census: %s\n", msg);
			return 1;
		}
		if (ev.op == SIM_OP_SNAPSHOT) {
			windows(sim_mem(sim), zone, ev.label);
			pageblocks(sim_mem(sim), zone);
		}
		if (stop >= 0 && ev.time_ns > (uint64_t)(stop * 1e9) &&
		    no_order2_block(sim_mem(sim), zone)) {
			printf("%.3f s: no free block of order 2 or more\n", (double)ev.time_ns / 1e9);
			windows(sim_mem(sim), zone, "then");
			pageblocks(sim_mem(sim), zone);
			compact_now(sim_mem(sim), zone);
			break;
		}
	}
	trace_reader_close(r);
	sim_destroy(sim);
	return 0;
}
