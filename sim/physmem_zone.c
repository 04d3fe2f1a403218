/*
 * physmem_zone.c - the zones of the emulated machine as the kernel builds
 * them: layout, memory reserved at boot, the CMA area, watermarks, lowmem
 * reserves and watermark boosting (Linux 6.1 mm/page_alloc.c and mm_init.c;
 * 6.12 computes the same figures).
 *
 * Layout (zone_sizes_init / free_area_init)
 *   DMA [0, dma_bytes), DMA32 [dma_bytes, dma32_bytes), Normal up to the
 *   lowmem limit, HighMem above it; empty zones are not populated and do not
 *   appear in zones[]. x86_64: DMA 16 MiB + DMA32 to 4 GiB + Normal above.
 *   ARM virt (Debian armmp, VMSPLIT_3G): the board sets no DMA limit, so
 *   ZONE_DMA spans all lowmem (dma_bytes = lowmem), Normal is empty, and
 *   HighMem starts at 768 MiB of RAM.
 *
 * Boot
 *   reserved_pages[type] frames at the zone's start stay allocated
 *   (PHYSMEM_OWNER_RESERVED: the kernel image, initramfs and memblock
 *   allocations never reach the buddy allocator); managed = present -
 *   reserved. Every pageblock starts MOVABLE (memmap_init); the CMA area's
 *   pageblocks MIGRATE_CMA (init_cma_reserved_pageblock). With
 *   CONFIG_DEFERRED_STRUCT_PAGE_INIT (deferred_struct_page_init; Debian's
 *   amd64 kernels, not its armmp ones) memmap_init leaves the pageblocks of
 *   the deferred range at type 0, Unmovable, and deferred_free_pages() sets
 *   Movable only those whose first page it frees: a pageblock whose first
 *   frame is reserved stays Unmovable. SIM: the whole zone counts as
 *   deferred; the kernel initialises the lower zones and an early part of
 *   the last one at once, but zsfrag puts every reserved frame at the
 *   zone's start, and the guests' pageblock counts only fit with those
 *   pageblocks Unmovable (kernel/README.md, "Reserved pageblocks").
 *   The rest is freed in the largest aligned blocks, ascending, to the
 *   list tails (memblock_free_pages with FPI_TO_TAIL), never across the CMA
 *   area's edges.
 *
 * Watermarks (init_per_zone_wmark_min)
 *   calculate_min_free_kbytes: sqrt(16 * lowmem KiB) clamped 128..262144,
 *   lowmem being nr_free_buffer_pages() at boot: the managed pages of the
 *   zones up to Normal. __setup_per_zone_wmarks: each zone's min is its
 *   share of pages_min by managed pages, HighMem's clamp(managed/1024, 32,
 *   128); low and high add max(share/4, managed * watermark_scale_factor /
 *   10000) each. setup_per_zone_lowmem_reserve: lowmem_reserve[j] of zone i
 *   is the managed pages of the zones i+1..j over the ratio of zone i
 *   (sysctl_lowmem_reserve_ratio: DMA 256, DMA32 256, Normal 32, HighMem 0;
 *   ARM armmp shows "256 32 0 0", x86_64 "256 256 32 0"), 0 when the ratio
 *   or the zone's managed pages are 0. totalreserve_pages (high watermark
 *   plus the largest reserve, per zone) is computed by
 *   physmem_totalreserve_pages. A config may give a zone's watermarks as
 *   the guest shows them instead (watermarks[]).
 *
 * Boosting (boost_watermark)
 *   Not in zones smaller than 4 pageblocks; the boost grows by a pageblock
 *   per fragmenting fallback up to max(pageblock, high * factor / 10000) and
 *   is added to every watermark (min/low/high_wmark_pages).
 *
 * Taken pages
 *   taken_pages / taken_movable_pages per zone: what the guest's kernel,
 *   init, initramfs and tools hold when the replay starts, allocated order
 *   0 from the zone once the watermarks are set (take_pages). A zone whose
 *   free lists the config gives (free_blocks) is laid out by
 *   physmem_start.c instead: those free blocks, every other frame taken.
 *
 * SIM: taken pages are allocated in one run, so they sit together in the
 *      pageblocks the first fallback steals; the kernel's came over the
 *      boot, interleaved with pages freed again (initramfs, init memory),
 *      and are scattered more widely.
 * SIM: reserved pages sit at the zone's start; the kernel's are the image
 *      and early allocations at the bottom of RAM and memblock's top-down
 *      allocations (mem_map, page tables) below the lowmem limit.
 * SIM: zone edges are rounded down to a multiple of the larger of the
 *      pageblock and the largest block, so no block or pageblock straddles
 *      a zone boundary; the CMA area to whole pageblocks.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "physmem_internal.h"

static const char *const zone_names[PHYSMEM_NR_ZONE_TYPES] = {"DMA", "DMA32", "Normal",
							       "HighMem", "Movable"};

void physmem_config_default(struct physmem_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ram_bytes = 1ull << 30;
	cfg->page_size = 4096;
	cfg->max_order = 11;
	cfg->pageblock_order = 10;
	cfg->highmem = true;
	cfg->lowmem_limit_bytes = 760ull << 20;
	cfg->min_free_kbytes = -1;
	cfg->watermark_scale_factor = 10;
	cfg->watermark_boost_factor = 15000;
	cfg->lowmem_reserve_ratio[PHYSMEM_ZONE_DMA] = 256;
	cfg->lowmem_reserve_ratio[PHYSMEM_ZONE_DMA32] = 256;
	cfg->lowmem_reserve_ratio[PHYSMEM_ZONE_NORMAL] = 32;
	cfg->cma_base_bytes = UINT64_MAX;
	cfg->pcp = PHYSMEM_PCP_OFF;
	cfg->nr_cpus = 1;
	cfg->host_thp = true;
	cfg->host_prefault = true;
}

const char *physmem_zone_type_name(enum physmem_zone_type t)
{
	return (unsigned int)t < PHYSMEM_NR_ZONE_TYPES ? zone_names[t] : NULL;
}

const char *physmem_mt_name(enum physmem_mt mt)
{
	static const char *const names[PHYSMEM_MT_TYPES] = {"Unmovable", "Movable",
							     "Reclaimable", "CMA"};

	return (unsigned int)mt < PHYSMEM_MT_TYPES ? names[mt] : "?";
}

/* gfp_zone(): GFP_KERNEL stops at Normal, __GFP_HIGHMEM at HighMem, with __GFP_MOVABLE at
 * Movable (the lowmem reserve index of zram's and page cache pages). */
enum physmem_zone_type pm_highest_zone(enum physmem_mt mt, unsigned int flags)
{
	if (!(flags & PHYSMEM_HIGHMEM))
		return PHYSMEM_ZONE_NORMAL;
	return mt == PHYSMEM_MT_MOVABLE ? PHYSMEM_ZONE_MOVABLE : PHYSMEM_ZONE_HIGHMEM;
}

/* ---- boot ---- */

/* Free [p, end) in the largest aligned blocks, ascending, to the list tails. */
static void free_range(struct physmem *pm, struct physmem_zone *z, unsigned long p,
		       unsigned long end)
{
	while (p < end) {
		unsigned int order = pm->max_order - 1;

		while (order && ((p & ((1ul << order) - 1)) || p + (1ul << order) > end))
			order--;
		__free_one_page(pm, z, p, order, pb_get(pm, p), true);
		p += 1ul << order;
	}
}

/* Hold [p, end) as reserved blocks (aligned, as large as fit). */
static void reserve_range(struct physmem *pm, unsigned long p, unsigned long end)
{
	while (p < end) {
		unsigned int order = pm->max_order - 1;
		struct physmem_frame *f = &pm->frames[p];

		while (order && ((p & ((1ul << order) - 1)) || p + (1ul << order) > end))
			order--;
		f->state = PF_ALLOC;
		f->order = (uint8_t)order;
		f->mt = PHYSMEM_MT_UNMOVABLE;
		f->owner = PHYSMEM_OWNER_RESERVED;
		pm->st.owner_pages[PHYSMEM_OWNER_RESERVED] += 1ul << order;
		p += 1ul << order;
	}
}

static void zone_init(struct physmem *pm, struct physmem_zone *z, enum physmem_zone_type type,
		      unsigned long start, unsigned long end, unsigned long cma_s,
		      unsigned long cma_e)
{
	unsigned long r = pm->cfg.reserved_pages[type];
	unsigned long p;

	z->name = zone_names[type];
	z->type = type;
	z->highmem = type == PHYSMEM_ZONE_HIGHMEM;
	z->start = start;
	z->end = end;
	if (r > end - start)
		r = end - start;
	z->reserved = r;
	z->managed = end - start - r;
	for (unsigned int o = 0; o < PHYSMEM_MAX_ORDERS; o++)
		for (unsigned int t = 0; t < PHYSMEM_MT_TYPES; t++)
			z->head[o][t] = PF_NIL;
	/* deferred init sets a pageblock Movable only where it frees the block's first page */
	if (pm->cfg.deferred_struct_page_init)
		for (p = start; p < start + r; p += 1ul << pm->pb_order)
			if (pb_get(pm, p) != PHYSMEM_MT_CMA)
				pm->pb_mt[p >> pm->pb_order] = PHYSMEM_MT_UNMOVABLE;
	for (p = start; p < end; p += 1ul << pm->pb_order)
		z->nr_pageblocks[pb_get(pm, p)]++;
	reserve_range(pm, start, start + r);
	if (pm->cfg.free_blocks_given[type])
		return; /* pm_build_start lays out its free lists */
	p = start + r;
	if (cma_s < cma_e && cma_s >= p && cma_e <= end) {
		free_range(pm, z, p, cma_s);
		free_range(pm, z, cma_s, cma_e);
		p = cma_e;
	}
	free_range(pm, z, p, end);
}

/*
 * The pages a running system holds when the replay starts (taken_pages,
 * taken_movable_pages): order-0 allocations of zone z alone, through
 * __rmqueue as any allocation (fallbacks steal and convert pageblocks), no
 * watermark check, no per-CPU list. Fewer than n when the zone runs out.
 */
static void take_pages(struct physmem *pm, struct physmem_zone *z, unsigned long n,
		       enum physmem_mt mt)
{
	for (unsigned long i = 0; i < n; i++) {
		uint32_t idx = pm_rmqueue_buddy(pm, z, 0, mt, PHYSMEM_ALLOC_NO_KSWAPD);
		struct physmem_frame *f;

		if (idx == PF_NIL)
			return;
		f = &pm->frames[idx];
		f->state = PF_ALLOC;
		f->order = 0;
		f->mt = (uint8_t)mt;
		f->owner = PHYSMEM_OWNER_KERNEL;
		f->u.tag = 0;
		pm->priv[idx] = NULL;
		pm->st.owner_pages[PHYSMEM_OWNER_KERNEL]++;
	}
}

/* calculate_min_free_kbytes + __setup_per_zone_wmarks + setup_per_zone_lowmem_reserve. */
static void setup_wmarks(struct physmem *pm)
{
	unsigned long lowmem = 0, pages_min;
	unsigned long managed[PHYSMEM_NR_ZONE_TYPES] = {0};
	long kb = pm->cfg.min_free_kbytes;

	for (unsigned int i = 0; i < pm->nr_zones; i++) {
		managed[pm->zones[i].type] = pm->zones[i].managed;
		if (!pm->zones[i].highmem)
			lowmem += pm->zones[i].managed;
	}
	if (kb < 0) {
		unsigned long long lowmem_kb =
		    (unsigned long long)lowmem * (pm->cfg.page_size >> 10);

		kb = (long)pm_isqrt(lowmem_kb * 16);
		if (kb < 128)
			kb = 128;
		if (kb > 262144)
			kb = 262144;
	}
	pages_min = (unsigned long)(((unsigned long long)kb << 10) >> pm->page_shift);

	for (unsigned int i = 0; i < pm->nr_zones; i++) {
		struct physmem_zone *z = &pm->zones[i];
		unsigned long long tmp =
		    lowmem ? (unsigned long long)pages_min * z->managed / lowmem : 0;
		unsigned long long scaled =
		    (unsigned long long)z->managed * pm->cfg.watermark_scale_factor / 10000;

		if (z->highmem) {
			unsigned long m = z->managed / 1024;

			z->wmark[PHYSMEM_WMARK_MIN] = m < 32 ? 32 : m > 128 ? 128 : m;
		} else {
			z->wmark[PHYSMEM_WMARK_MIN] = (unsigned long)tmp;
		}
		tmp = (tmp >> 2) > scaled ? tmp >> 2 : scaled;
		z->watermark_boost = 0;
		z->wmark[PHYSMEM_WMARK_LOW] = z->wmark[PHYSMEM_WMARK_MIN] + (unsigned long)tmp;
		z->wmark[PHYSMEM_WMARK_HIGH] = z->wmark[PHYSMEM_WMARK_LOW] + (unsigned long)tmp;
		if (pm->cfg.watermarks[z->type][PHYSMEM_WMARK_HIGH])
			memcpy(z->wmark, pm->cfg.watermarks[z->type], sizeof(z->wmark));
		pm_pcp_setup(pm, z); /* setup_per_zone_wmarks -> zone_pcp_update */
	}
	for (unsigned int i = 0; i < pm->nr_zones; i++) {
		struct physmem_zone *z = &pm->zones[i];
		unsigned int ratio = pm->cfg.lowmem_reserve_ratio[z->type];
		unsigned long sum = 0;

		for (unsigned int j = z->type + 1; j < PHYSMEM_NR_ZONE_TYPES; j++) {
			sum += managed[j];
			z->lowmem_reserve[j] = !ratio || !z->managed ? 0 : sum / ratio;
		}
	}
}

/* The zone edge at `bytes`, in pages, rounded down to whole largest blocks and pageblocks. */
static unsigned long edge(const struct physmem *pm, uint64_t bytes, unsigned long n)
{
	unsigned int align = pm->pb_order > pm->max_order - 1 ? pm->pb_order : pm->max_order - 1;
	uint64_t pages = bytes >> pm->page_shift;

	if (pages >= n)
		return n;
	return (unsigned long)pages & ~((1ul << align) - 1);
}

/* The zone edges: bound[t] .. bound[t + 1] is zone type t (empty when they are equal). */
static void zone_bounds(const struct physmem *pm, unsigned long bound[PHYSMEM_ZONE_HIGHMEM + 2])
{
	const struct physmem_config *cfg = &pm->cfg;
	unsigned long n = pm->nr_frames;

	bound[PHYSMEM_ZONE_DMA] = 0;
	bound[PHYSMEM_ZONE_HIGHMEM + 1] = n;
	bound[PHYSMEM_ZONE_HIGHMEM] = cfg->highmem && cfg->lowmem_limit_bytes
					  ? edge(pm, cfg->lowmem_limit_bytes, n)
					  : n;
	if (!bound[PHYSMEM_ZONE_HIGHMEM])
		bound[PHYSMEM_ZONE_HIGHMEM] = n; /* a limit below one block: no HighMem */
	bound[PHYSMEM_ZONE_DMA32] = cfg->dma_bytes ? edge(pm, cfg->dma_bytes, n) : 0;
	bound[PHYSMEM_ZONE_NORMAL] = cfg->dma32_bytes ? edge(pm, cfg->dma32_bytes, n) : 0;
	for (unsigned int t = PHYSMEM_ZONE_DMA32; t <= PHYSMEM_ZONE_HIGHMEM; t++) {
		if (bound[t] < bound[t - 1])
			bound[t] = bound[t - 1];
		if (t < PHYSMEM_ZONE_HIGHMEM && bound[t] > bound[PHYSMEM_ZONE_HIGHMEM])
			bound[t] = bound[PHYSMEM_ZONE_HIGHMEM];
	}
}

/* The CMA area [*cma_s, *cma_e): whole pageblocks (empty without cma_bytes); -EINVAL past RAM. */
static int cma_area(const struct physmem *pm, unsigned long *cma_s, unsigned long *cma_e)
{
	const struct physmem_config *cfg = &pm->cfg;
	unsigned long n = pm->nr_frames, pb = 1ul << pm->pb_order;
	uint64_t size, base;

	*cma_s = *cma_e = 0;
	if (!cfg->cma_bytes)
		return 0;
	size = ((cfg->cma_bytes >> pm->page_shift) + pb - 1) & ~(uint64_t)(pb - 1);
	if (size > n)
		return -EINVAL;
	if (cfg->cma_base_bytes == UINT64_MAX)
		base = (n - size) & ~(uint64_t)(pb - 1); /* memblock: top-down */
	else
		base = ((cfg->cma_base_bytes >> pm->page_shift) + pb - 1) & ~(uint64_t)(pb - 1);
	if (base + size > n)
		return -EINVAL;
	*cma_s = (unsigned long)base;
	*cma_e = (unsigned long)(base + size);
	return 0;
}

/* The non-empty zones, the CMA area's pageblocks inside the one zone that holds it all. */
static int make_zones(struct physmem *pm, const unsigned long bound[PHYSMEM_ZONE_HIGHMEM + 2],
		      unsigned long cma_s, unsigned long cma_e)
{
	unsigned long pb = 1ul << pm->pb_order;

	pm->nr_zones = 0;
	for (unsigned int t = 0; t <= PHYSMEM_ZONE_HIGHMEM; t++) {
		unsigned long s = bound[t], e = bound[t + 1];

		if (s == e)
			continue;
		if (cma_s < cma_e && cma_s < e && cma_e > s) {
			/* cma_activate_area: the area must lie in one zone */
			if (cma_s < s || cma_e > e)
				return -EINVAL;
			if (cma_s < s + pm->cfg.reserved_pages[t])
				return -EINVAL;
			for (unsigned long p = cma_s; p < cma_e; p += pb)
				pm->pb_mt[p >> pm->pb_order] = PHYSMEM_MT_CMA;
		}
		zone_init(pm, &pm->zones[pm->nr_zones++], (enum physmem_zone_type)t, s, e, cma_s,
			  cma_e);
	}
	return 0;
}

/* free_blocks given for a zone the machine does not have: -EINVAL, the message in msg. */
static int check_free_blocks_zones(const struct physmem *pm, char *msg, size_t len)
{
	for (unsigned int t = 0; t < PHYSMEM_NR_ZONE_TYPES; t++) {
		unsigned int i = 0;

		while (i < pm->nr_zones && pm->zones[i].type != t)
			i++;
		if (pm->cfg.free_blocks_given[t] && i == pm->nr_zones) {
			if (msg && len)
				snprintf(msg, len, "free_blocks.%s: the machine has no %s zone",
					 zone_names[t], zone_names[t]);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * What a running system holds when the replay starts, zone by zone: the guest's free lists
 * (free_blocks) or taken_pages and taken_movable_pages. The boot's allocations are not the
 * replay's: the counters start after them, but for the kernel's pages held.
 */
static int start_zones(struct physmem *pm, char *msg, size_t len)
{
	const struct physmem_config *cfg = &pm->cfg;
	struct physmem_stats st = pm->st;
	unsigned long kernel_pages;

	for (unsigned int i = 0; i < pm->nr_zones; i++) {
		struct physmem_zone *z = &pm->zones[i];

		if (cfg->free_blocks_given[z->type]) {
			int err = pm_build_start(pm, z, msg, len);

			if (err)
				return err;
		} else {
			take_pages(pm, z, cfg->taken_pages[z->type], PHYSMEM_MT_UNMOVABLE);
			take_pages(pm, z, cfg->taken_movable_pages[z->type], PHYSMEM_MT_MOVABLE);
		}
		/* kswapd, woken by the boot's fragmenting fallbacks, has reset the boost
		 * long before a replay starts */
		z->watermark_boost = 0;
		z->boosted = false;
	}
	pm->kswapd_wakeups = 0;
	kernel_pages = pm->st.owner_pages[PHYSMEM_OWNER_KERNEL];
	pm->st = st;
	pm->st.owner_pages[PHYSMEM_OWNER_KERNEL] = kernel_pages;
	return 0;
}

int pm_zones_init(struct physmem *pm, char *msg, size_t len)
{
	unsigned long bound[PHYSMEM_ZONE_HIGHMEM + 2], cma_s, cma_e;
	int err;

	zone_bounds(pm, bound);
	if ((err = cma_area(pm, &cma_s, &cma_e)) || (err = make_zones(pm, bound, cma_s, cma_e)) ||
	    (err = check_free_blocks_zones(pm, msg, len)))
		return err;
	setup_wmarks(pm);
	return start_zones(pm, msg, len);
}

/* int_sqrt: floor of the square root. */
unsigned long long pm_isqrt(unsigned long long x)
{
	unsigned long long r = 0, bit = 1ull << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/* ---- boosting and kswapd's hooks ---- */

bool pm_boost_watermark(struct physmem *pm, struct physmem_zone *z)
{
	unsigned long pb = 1ul << pm->pb_order, max_boost, high = z->wmark[PHYSMEM_WMARK_HIGH];
	unsigned long f = pm->cfg.watermark_boost_factor;

	if (!f || pb * 4 > z->managed)
		return false;
	/* mult_frac(high, factor, 10000) */
	max_boost = (high / 10000) * f + (high % 10000) * f / 10000;
	if (!max_boost)
		return false;
	if (max_boost < pb)
		max_boost = pb;
	z->watermark_boost = z->watermark_boost + pb < max_boost ? z->watermark_boost + pb
								 : max_boost;
	pm->st.boosts++;
	return true;
}

unsigned int physmem_take_kswapd_wakeups(struct physmem *pm)
{
	unsigned int w = pm->kswapd_wakeups;

	pm->kswapd_wakeups = 0;
	return w;
}

void physmem_clear_boost(struct physmem *pm, unsigned int zone, unsigned long pages)
{
	struct physmem_zone *z;

	if (zone >= pm->nr_zones)
		return;
	z = &pm->zones[zone];
	z->watermark_boost -= pages < z->watermark_boost ? pages : z->watermark_boost;
}

void physmem_set_reclaim_active(struct physmem *pm, unsigned int zone, bool active)
{
	if (zone < pm->nr_zones)
		pm->zones[zone].reclaim_active = active;
}

/* ---- queries ---- */

unsigned int physmem_nr_zones(const struct physmem *pm)
{
	return pm->nr_zones;
}

int physmem_zone_info(const struct physmem *pm, unsigned int zone, struct physmem_zone_info *info)
{
	const struct physmem_zone *z;

	if (zone >= pm->nr_zones)
		return -EINVAL;
	z = &pm->zones[zone];
	memset(info, 0, sizeof(*info));
	info->name = z->name;
	info->type = z->type;
	info->highmem = z->highmem;
	info->start_pfn = z->start;
	info->end_pfn = z->end;
	info->present_pages = z->end - z->start;
	info->managed_pages = z->managed;
	info->free_pages = z->free_pages;
	info->free_cma_pages = z->free_cma;
	for (unsigned int w = 0; w < PHYSMEM_NR_WMARKS; w++)
		info->wmark[w] = wmark_pages(z, (enum physmem_wmark)w);
	info->watermark_boost = z->watermark_boost;
	info->lowmem_reserve = z->lowmem_reserve[PHYSMEM_ZONE_MOVABLE];
	memcpy(info->protection, z->lowmem_reserve, sizeof(info->protection));
	info->pcp_count = (unsigned long)z->pcp.count;
	info->pcp_batch = z->pcp.batch;
	info->pcp_high = z->pcp.high;
	info->pcp_high_min = z->pcp.high_min;
	info->pcp_high_max = z->pcp.high_max;
	return 0;
}

unsigned int physmem_preferred_zone(const struct physmem *pm, enum physmem_mt mt,
				    unsigned int flags)
{
	enum physmem_zone_type highest = pm_highest_zone(mt, flags);
	unsigned int zi = pm->nr_zones;

	while (zi > 1 && pm->zones[zi - 1].type > highest)
		zi--;
	return zi - 1;
}

unsigned long physmem_nr_free(const struct physmem *pm, unsigned int zone, unsigned int order)
{
	if (zone >= pm->nr_zones || order >= pm->max_order)
		return 0;
	return pm->zones[zone].nr_free[order];
}

unsigned long physmem_nr_free_mt(const struct physmem *pm, unsigned int zone, unsigned int order,
				 enum physmem_mt mt)
{
	if (zone >= pm->nr_zones || order >= pm->max_order || (unsigned int)mt >= PHYSMEM_MT_TYPES)
		return 0;
	return pm->zones[zone].nr_free_mt[order][mt];
}

unsigned long physmem_nr_pageblocks(const struct physmem *pm, unsigned int zone, enum physmem_mt mt)
{
	if (zone >= pm->nr_zones || (unsigned int)mt >= PHYSMEM_MT_TYPES)
		return 0;
	return pm->zones[zone].nr_pageblocks[mt];
}

unsigned long physmem_free_pages(const struct physmem *pm)
{
	unsigned long n = 0;

	for (unsigned int i = 0; i < pm->nr_zones; i++)
		n += pm->zones[i].free_pages;
	return n;
}

unsigned long physmem_totalreserve_pages(const struct physmem *pm)
{
	unsigned long total = 0;

	/* calculate_totalreserve_pages: per zone, the largest reserve plus high, capped */
	for (unsigned int i = 0; i < pm->nr_zones; i++) {
		const struct physmem_zone *z = &pm->zones[i];
		unsigned long max = 0;

		for (unsigned int j = z->type; j < PHYSMEM_NR_ZONE_TYPES; j++)
			if (z->lowmem_reserve[j] > max)
				max = z->lowmem_reserve[j];
		max += wmark_pages(z, PHYSMEM_WMARK_HIGH);
		total += max > z->managed ? z->managed : max;
	}
	return total;
}

int physmem_set_watermarks(struct physmem *pm, unsigned int zone, unsigned long min,
			   unsigned long low, unsigned long high)
{
	if (zone >= pm->nr_zones || min > low || low > high)
		return -EINVAL;
	pm->zones[zone].wmark[PHYSMEM_WMARK_MIN] = min;
	pm->zones[zone].wmark[PHYSMEM_WMARK_LOW] = low;
	pm->zones[zone].wmark[PHYSMEM_WMARK_HIGH] = high;
	pm_pcp_setup(pm, &pm->zones[zone]); /* as the sysctl does: zone_pcp_update */
	return 0;
}

bool physmem_watermark_ok(const struct physmem *pm, unsigned int zone, unsigned int order,
			  unsigned long mark, unsigned int flags)
{
	enum physmem_mt mt =
	    (flags & PHYSMEM_ALLOC_CMA) ? PHYSMEM_MT_MOVABLE : PHYSMEM_MT_UNMOVABLE;
	enum physmem_zone_type highest =
	    (flags & PHYSMEM_HIGHMEM) ? PHYSMEM_ZONE_MOVABLE : PHYSMEM_ZONE_NORMAL;

	if (zone >= pm->nr_zones || order >= pm->max_order)
		return false;
	return pm_zone_wmark_ok(pm, &pm->zones[zone], order, mark, highest,
				mt == PHYSMEM_MT_MOVABLE);
}

bool physmem_zone_wmark_ok(const struct physmem *pm, unsigned int zone, unsigned int order,
			   enum physmem_wmark wm, unsigned int flags)
{
	if (zone >= pm->nr_zones || (unsigned int)wm >= PHYSMEM_NR_WMARKS)
		return false;
	return physmem_watermark_ok(pm, zone, order, wmark_pages(&pm->zones[zone], wm), flags);
}
