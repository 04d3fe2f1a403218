/*
 * physmem_frames.c - the emulated physical memory's lifetime and its page
 * frames' metadata: create and destroy, the host bytes and page->private of a
 * frame, the block holding a pfn, and who owns it (the kernel's struct page
 * fields zsfrag keeps). The buddy allocator itself is in physmem.c; the layout
 * of frames[] is described there.
 */
#include "physmem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "host_prefault.h"
#include "physmem_internal.h"
#include "zsmalloc.h"

/* ---- lifetime ---- */

int physmem_create(const struct physmem_config *cfg, struct physmem **out)
{
	return physmem_create_msg(cfg, out, NULL, 0);
}

/* The config's own limits (the loader checks ranges too; this is the library's guard). */
static bool config_ok(const struct physmem_config *cfg)
{
	return cfg && cfg->page_size >= 1024 && !(cfg->page_size & (cfg->page_size - 1)) &&
	       cfg->max_order >= 1 && cfg->max_order <= PHYSMEM_MAX_ORDERS &&
	       cfg->pageblock_order < cfg->max_order && cfg->nr_cpus <= 4096 &&
	       (unsigned int)cfg->pcp <= PHYSMEM_PCP_V4 && cfg->ram_bytes / cfg->page_size &&
	       cfg->ram_bytes / cfg->page_size < PF_NIL;
}

/* The frame table, page->private and the pageblocks' types: 0 or -ENOMEM. */
static int alloc_tables(struct physmem *pm)
{
	unsigned long n = pm->nr_frames;

	pm->frames = calloc(n, sizeof(*pm->frames));
	pm->priv = calloc(n, sizeof(*pm->priv));
	pm->pb_mt = malloc(pm->nr_pageblocks);
	if (!pm->frames || !pm->priv || !pm->pb_mt)
		return -ENOMEM;
	/*
	 * frames[] stays as calloc left it (zero pages the host has not backed):
	 * the buddy writes only the heads of free blocks, one per max-order
	 * block (24 KiB of this table for order 10), and the frames it hands
	 * out, so a large machine with a small pool keeps most of its frame
	 * table out of host memory (list links are read only on lists, so they
	 * need no PF_NIL before). No huge-page hint on it for the same reason:
	 * 2 MiB host pages would back all of it. page->private is read on every
	 * zs_free(), at random: huge pages there; only the pool's frames touch it.
	 */
	if (pm->cfg.host_thp)
		zs_host_huge_hint(pm->priv, n * sizeof(*pm->priv));
	memset(pm->pb_mt, PHYSMEM_MT_MOVABLE, pm->nr_pageblocks);
	return 0;
}

/* The host memory behind the frames' contents (none with no_host_memory): 0 or -ENOMEM. */
static int map_host(struct physmem *pm)
{
	const size_t align = HOST_PREFAULT_REGION;

	pm->host_len = pm->cfg.no_host_memory ? 0 : (size_t)pm->nr_frames << pm->page_shift;
	if (!pm->host_len)
		return 0;
	/* aligned, so that the huge pages and the prefault's regions are the same 2 MiB */
	pm->host_map_len = pm->host_len + align;
	pm->host_map = mmap(NULL, pm->host_map_len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (pm->host_map == MAP_FAILED) {
		pm->host_map = NULL;
		return -ENOMEM;
	}
	pm->host = (unsigned char *)(((uintptr_t)pm->host_map + align - 1) &
				     ~(uintptr_t)(align - 1));
	/*
	 * One page fault per 2 MiB instead of per 4 KiB when zspages first
	 * touch their frames (BENCHMARKS.md, "Replay at scale"); a hint,
	 * so a host without THP just ignores it.
	 */
	if (pm->cfg.host_thp)
		(void)madvise(pm->host, pm->host_len, MADV_HUGEPAGE);
	/* without the thread (an old host kernel), the replay's thread faults as before */
	if (pm->cfg.host_prefault)
		(void)host_prefault_start(pm->host, pm->host_len, &pm->prefault);
	return 0;
}

int physmem_create_msg(const struct physmem_config *cfg, struct physmem **out, char *msg,
		       size_t len)
{
	struct physmem *pm;
	unsigned int shift = 0;
	int err;

	if (msg && len)
		msg[0] = '\0';
	if (!config_ok(cfg))
		return -EINVAL;
	while ((1u << shift) < cfg->page_size)
		shift++;
	pm = calloc(1, sizeof(*pm));
	if (!pm)
		return -ENOMEM;
	pm->cfg = *cfg;
	if (!pm->cfg.nr_cpus)
		pm->cfg.nr_cpus = 1;
	pm->nr_frames = (unsigned long)(cfg->ram_bytes / cfg->page_size);
	pm->page_shift = shift;
	pm->max_order = cfg->max_order;
	pm->pb_order = cfg->pageblock_order;
	pm->nr_pageblocks = (pm->nr_frames + (1ul << pm->pb_order) - 1) >> pm->pb_order;
	if ((err = alloc_tables(pm)) || (err = map_host(pm)) ||
	    (err = pm_zones_init(pm, msg, len))) {
		physmem_destroy(pm);
		return err;
	}
	*out = pm;
	return 0;
}

void physmem_destroy(struct physmem *pm)
{
	if (!pm)
		return;
	host_prefault_stop(pm->prefault); /* before the mapping it populates goes */
	if (pm->host_map)
		munmap(pm->host_map, pm->host_map_len);
	free(pm->frames);
	free(pm->priv);
	free(pm->pb_mt);
	free(pm);
}

const struct physmem_config *physmem_get_config(const struct physmem *pm)
{
	return &pm->cfg;
}

/* ---- frames and metadata ---- */

void *physmem_page_address(struct physmem *pm, unsigned long pfn)
{
	if (pfn >= pm->nr_frames || !pm->host)
		return NULL;
	return pm->host + ((size_t)pfn << pm->page_shift);
}

void physmem_host_touching(struct physmem *pm, unsigned long pfn)
{
	if (pm->prefault && pfn < pm->nr_frames)
		host_prefault_touching(pm->prefault, (size_t)pfn << pm->page_shift);
}

void **physmem_page_private(struct physmem *pm, unsigned long pfn)
{
	if (pfn >= pm->nr_frames)
		return NULL;
	return &pm->priv[pfn];
}

unsigned long physmem_nr_frames(const struct physmem *pm)
{
	return pm->nr_frames;
}

size_t physmem_page_size(const struct physmem *pm)
{
	return pm->cfg.page_size;
}

int physmem_block_at(const struct physmem *pm, unsigned long pfn, struct physmem_block *blk)
{
	const struct physmem_frame *f = NULL;
	unsigned long head = pfn;

	if (pfn >= pm->nr_frames)
		return -EINVAL;
	for (unsigned int o = 0; o < pm->max_order; o++) {
		head = pfn & ~((1ul << o) - 1);
		f = &pm->frames[head];
		if (f->state != PF_NONE && f->order >= o && head + (1ul << f->order) > pfn)
			break;
		f = NULL;
	}
	if (!f)
		return -EINVAL; /* cannot happen while the tiling invariant holds */
	blk->free = f->state == PF_FREE;
	blk->head_pfn = head;
	blk->order = f->order;
	blk->mt = (enum physmem_mt)f->mt;
	blk->owner = f->state == PF_PCP ? PHYSMEM_OWNER_PCP : (enum physmem_owner)f->owner;
	blk->pool = f->owner == PHYSMEM_OWNER_ZSPAGE ? f->u.pool : NULL;
	blk->tag = f->owner == PHYSMEM_OWNER_ZSPAGE ? 0 : f->u.tag;
	return 0;
}

int physmem_set_owner(struct physmem *pm, unsigned long pfn, enum physmem_owner owner, uint64_t tag)
{
	struct physmem_frame *f;

	if (pfn >= pm->nr_frames || pm->frames[pfn].state != PF_ALLOC ||
	    owner == PHYSMEM_OWNER_FREE || owner == PHYSMEM_OWNER_PCP ||
	    owner == PHYSMEM_OWNER_RESERVED || (unsigned int)owner >= PHYSMEM_NR_OWNERS ||
	    pm->frames[pfn].owner == PHYSMEM_OWNER_RESERVED)
		return -EINVAL;
	f = &pm->frames[pfn];
	pm->st.owner_pages[f->owner] -= 1ul << f->order;
	pm->st.owner_pages[owner] += 1ul << f->order;
	f->owner = (uint8_t)owner;
	f->u.tag = tag;
	return 0;
}

int physmem_set_zs_pool(struct physmem *pm, unsigned long pfn, struct zs_pool *pool)
{
	if (pfn >= pm->nr_frames || pm->frames[pfn].state != PF_ALLOC ||
	    pm->frames[pfn].owner != PHYSMEM_OWNER_ZSPAGE)
		return -EINVAL;
	pm->frames[pfn].u.pool = pool;
	return 0;
}

bool physmem_block_movable(const struct physmem_block *blk)
{
	if (blk->free || blk->order)
		return false; /* SIM: multi-page movable user blocks are never migrated */
	if (blk->owner == PHYSMEM_OWNER_ZSPAGE)
		return blk->pool != NULL;
	return blk->owner == PHYSMEM_OWNER_USER && blk->mt == PHYSMEM_MT_MOVABLE;
}

enum physmem_zone_type physmem_pfn_zone(const struct physmem *pm, unsigned long pfn)
{
	return zone_of((struct physmem *)pm, pfn)->type;
}

unsigned int physmem_pfn_zone_index(const struct physmem *pm, unsigned long pfn)
{
	return (unsigned int)(zone_of((struct physmem *)pm, pfn) - pm->zones);
}

enum physmem_mt physmem_pageblock_mt(const struct physmem *pm, unsigned long pfn)
{
	return pfn < pm->nr_frames ? pb_get(pm, pfn) : PHYSMEM_MT_TYPES;
}

int physmem_transfer_meta(struct physmem *pm, unsigned long newpfn, unsigned long oldpfn)
{
	struct physmem_frame *nf, *of;

	if (newpfn >= pm->nr_frames || oldpfn >= pm->nr_frames)
		return -EINVAL;
	nf = &pm->frames[newpfn];
	of = &pm->frames[oldpfn];
	if (nf->state != PF_ALLOC || of->state != PF_ALLOC || nf->order || of->order)
		return -EINVAL;
	pm->st.owner_pages[nf->owner]--;
	pm->st.owner_pages[of->owner]++;
	nf->owner = of->owner;
	nf->mt = of->mt;
	nf->u = of->u;
	pm->priv[nf - pm->frames] = pm->priv[of - pm->frames];
	return 0;
}

void physmem_get_stats(const struct physmem *pm, struct physmem_stats *st)
{
	*st = pm->st;
}
