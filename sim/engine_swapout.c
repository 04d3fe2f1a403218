/*
 * engine_swapout.c - a page whose swap-out failed stays resident.
 *
 * A workload that models its resident pages swaps one out as two events: the
 * zram write (`w SLOT SIZE`) and the put of the page (`p ID s SLOT`). When the
 * write fails (zs_malloc found no page, or mem_limit), the kernel's swap
 * writeback ends in an I/O error: the page is marked dirty again and stays in
 * the swap cache, still in RAM; nothing was freed. So the put of such a page
 * frees nothing here either: the engine keeps the block under its slot.
 * Without this a failed write made its page vanish from both RAM and zram,
 * and a run whose writes failed more had more memory for its forks.
 *
 * SIM: the kernel's reclaim would retry the page on a later pass; here it
 * stays until its slot is next written, read or discarded. A read of such a
 * slot is served from the swap cache (do_swap_page finds the page there):
 * zram reads nothing, and the page is released, the workload's `g` making the
 * page resident again takes one instead (usually the same frame, back from
 * the per-CPU list).
 *
 * sim->swapouts maps a slot whose latest write failed to 0 until its put
 * comes, then to the kept page's pfn + 1 (b: its order). The frame's owner
 * tag is the slot with SWAPOUT_TAG set, so that kernel compaction's
 * relocation finds it here rather than among the `g` blocks.
 */
#include <errno.h>
#include <stdio.h>

#include "engine_internal.h"
#include "idmap.h"

/* No `g` block ID has bit 63 (trace IDs are below 2^63). */
#define SWAPOUT_TAG (1ULL << 63)

/* The slot is written, read or discarded again: its kept page (if any) goes. */
void swapout_release(struct sim *sim, uint64_t slot)
{
	struct idmap_entry *e;

	if (!sim->swapouts.count || !(e = idmap_find(&sim->swapouts, slot)))
		return;
	if (e->a) {
		physmem_free(sim->mem, (unsigned long)e->a - 1, (unsigned int)e->b);
		sim->other.swapout_kept_live--;
	}
	idmap_remove(&sim->swapouts, slot);
}

int swapout_write_failed(struct sim *sim, uint64_t slot)
{
	struct idmap_entry *e;
	int rc = idmap_insert(&sim->swapouts, slot, &e);

	if (rc)
		return rc == -EEXIST ? 0 : rc;
	e->a = e->b = 0;
	return 0;
}

bool swapout_read_cached(struct sim *sim, uint64_t slot)
{
	struct idmap_entry *e;
	bool kept;

	if (!sim->swapouts.count || !(e = idmap_find(&sim->swapouts, slot)))
		return false;
	kept = e->a != 0;
	if (kept)
		sim->other.swapout_cache_reads++;
	swapout_release(sim, slot);
	return kept;
}

bool swapout_keep(struct sim *sim, const struct sim_event *ev)
{
	struct idmap_entry *e, *blk;

	sim->other.swapout_puts++;
	if (!sim->swapouts.count || !(e = idmap_find(&sim->swapouts, ev->slot)) || e->a)
		return false; /* the write went through (or its page is kept already) */
	blk = idmap_find(&sim->blocks, ev->id);
	if (!blk)
		return false; /* the put of a failed `g`: do_put accepts it */
	e->a = blk->a;
	e->b = blk->b;
	physmem_set_owner(sim->mem, (unsigned long)blk->a - 1, PHYSMEM_OWNER_USER,
			  ev->slot | SWAPOUT_TAG);
	idmap_remove(&sim->blocks, ev->id);
	sim->other.blocks_live--;
	sim->other.swapout_kept++;
	sim->other.swapout_kept_live++;
	return true;
}

int swapout_relocate(struct sim *sim, unsigned long oldpfn, unsigned long newpfn, uint64_t tag)
{
	struct idmap_entry *e;

	if (!(tag & SWAPOUT_TAG))
		return -ENOENT;
	e = idmap_find(&sim->swapouts, tag & ~SWAPOUT_TAG);
	if (!e || e->a != oldpfn + 1)
		return -ENOENT;
	e->a = newpfn + 1;
	return 0;
}

int swapout_check(const struct sim *sim, char *why, size_t len)
{
	const struct idmap_entry *e;
	struct physmem_block b;
	uint64_t kept = 0;

	idmap_for_each(&sim->swapouts, e)
	{
		if (!e->a)
			continue;
		kept++;
		if (physmem_block_at(sim->mem, (unsigned long)e->a - 1, &b) != 0 || b.free ||
		    b.head_pfn != e->a - 1 || b.order != e->b || b.owner != PHYSMEM_OWNER_USER ||
		    b.tag != (e->key | SWAPOUT_TAG)) {
			snprintf(why, len, "slot %llu's kept page at pfn %llu is not its user page",
				 (unsigned long long)e->key, (unsigned long long)e->a - 1);
			return -EUCLEAN;
		}
	}
	if (kept != sim->other.swapout_kept_live) {
		snprintf(why, len, "%llu pages kept for failed swap-outs, %llu counted",
			 (unsigned long long)kept,
			 (unsigned long long)sim->other.swapout_kept_live);
		return -EUCLEAN;
	}
	return 0;
}
