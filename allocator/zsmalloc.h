/*
 * zsmalloc.h - zsfrag's user-space rebuild of the Linux zsmalloc allocator.
 *
 * The pool behaves as the kernel's does for the kernel version named by its
 * profile (see zs_profile_names()): same size classes, zspage chains, fullness
 * groups and list order, handle encoding, compaction algorithm and page
 * migration. Physical pages are page frame numbers handed out by a page
 * provider (struct zs_page_ops) supplied at pool creation; object payloads are
 * really stored in those pages.
 *
 * Errors are 0 or a negative errno. The library never prints and keeps no
 * global state: every figure hangs off the pool.
 */
#ifndef ZSFRAG_ZSMALLOC_H
#define ZSFRAG_ZSMALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct zs_pool;

/* gfp-like hints passed to the page provider (zram's flags by era). */
#define ZS_GFP_MOVABLE 0x1u /* __GFP_MOVABLE: page may sit in a movable pageblock */
#define ZS_GFP_HIGHMEM 0x2u /* __GFP_HIGHMEM: page may come from ZONE_HIGHMEM */
#define ZS_GFP_RECLAIM 0x4u /* __GFP_DIRECT_RECLAIM: zram's GFP_NOIO retry may reclaim */

/* zsmalloc's kmem caches (mm/zsmalloc.c create_cache). */
enum zs_kmem_cache {
	ZS_KMEM_HANDLE = 0, /* "zs_handle": one unsigned long per handle */
	ZS_KMEM_ZSPAGE,	    /* "zspage": one struct zspage per zspage */
};

/*
 * The page provider: where zsmalloc's order-0 pages come from. Modelled on
 * alloc_page()/__free_page()/kmap() plus the struct page fields zsmalloc uses.
 */
struct zs_page_ops {
	/* Allocate one page; 0 and *pfn on success, -ENOMEM when none is left. */
	int (*alloc_page)(void *ctx, unsigned int gfp, unsigned long *pfn);
	/* Give a page back (it is no longer movable by the pool). */
	void (*free_page)(void *ctx, unsigned long pfn);
	/* Host address of the page's bytes; stable while the page is allocated. */
	void *(*page_address)(void *ctx, unsigned long pfn);
	/*
	 * A private word per page frame (the kernel's page->private): the pool
	 * keeps its back pointer to the zspage there. Must be NULL for a freshly
	 * allocated page.
	 */
	void **(*page_private)(void *ctx, unsigned long pfn);
	/*
	 * Optional: __SetPageMovable(). Called with the pool once a zspage is set
	 * up (profiles with page migration) and with NULL when the page leaves
	 * the pool. The provider may then migrate the page through
	 * zs_page_isolate(), zs_page_migrate() and zs_page_putback().
	 */
	void (*set_movable)(void *ctx, unsigned long pfn, struct zs_pool *pool);
	/*
	 * Optional: an object of zsmalloc's own kmem caches taken (alloc) or given
	 * back, where the kernel calls cache_alloc_handle/cache_free_handle (4.1+
	 * slab handles) and cache_alloc_zspage/cache_free_zspage (the zspage
	 * descriptor; called for every profile, though before 4.8 it lived in
	 * struct page). zs_malloc takes the handle first, then a new zspage's
	 * descriptor before its pages; zs_free gives back the zspage's pages, its
	 * descriptor, then the handle. id: the handle, or a value that names the
	 * descriptor while it lives. The caller models the caches' slab pages.
	 */
	void (*kmem_event)(void *ctx, enum zs_kmem_cache cache, bool alloc, unsigned long id);
	/*
	 * Optional: the next nr_pages alloc_page() calls are the pages of one
	 * new zspage (alloc_zspage(), before its first page), so that a
	 * provider placing pages by order-2 block (the `grouped` policy) can
	 * keep a zspage inside one block. No kernel has it.
	 */
	void (*zspage_begin)(void *ctx, unsigned int nr_pages);
};

enum zs_arch {
	ZS_ARCH_X86_64 = 0, /* 64-bit longs, MAX_PHYSMEM_BITS 46 */
	ZS_ARCH_ARM32,	    /* 32-bit longs and handle header, MAX_PHYSMEM_BITS 32 */
};

struct zs_pool_config {
	const char *profile; /* "v6.12" etc.; NULL means the newest profile */
	enum zs_arch arch;
	size_t page_size;	 /* bytes: 4096, 16384 or 65536; 0 means 4096 */
	unsigned int chain_size; /* CONFIG_ZSMALLOC_CHAIN_SIZE (4..16), 0 = profile default */
	/*
	 * SIM: keep no page contents. The words zsmalloc itself stores in an
	 * object (free link, handle header) live in an array beside each zspage
	 * instead, so the provider's page_address() is never called and the
	 * emulated machine needs no host memory for its frames. Every list,
	 * counter and location is the same as with contents; zs_map_object()
	 * hands out a scratch buffer whose bytes are not kept.
	 */
	bool no_page_contents;
};

/* What a profile has, for callers that adapt to it (zram, policies, CLI). */
struct zs_profile_info {
	const char *name;
	const char *summary;		   /* one line: what this kernel version is */
	bool indirect_handles;		   /* handle -> slot -> location (4.1+) */
	bool handles_in_pool;		   /* handle slots are pool objects (rfc2014) */
	bool has_compaction;		   /* zs_compact() */
	bool has_shrinker;		   /* zs_shrinker_count/scan, zs_can_compact (4.3+) */
	bool has_migration;		   /* zs_page_isolate/migrate/putback (4.8+) */
	bool movable_pages;		   /* zram's pages are __GFP_MOVABLE|__GFP_HIGHMEM (4.8+) */
	bool zram_uses_huge_class_size;	   /* zram's "store uncompressed" cut-off (4.17+) */
	bool ratio_fullness;		   /* 10% fullness buckets (6.3+), else 4 groups */
	unsigned int nr_fullness;	   /* fullness groups reported per class */
	unsigned int chain_default;	   /* max pages per zspage by default */
	unsigned int chain_min, chain_max; /* configurable range (equal if fixed) */
};

/* Profile registry. */
const char *const *zs_profile_names(void); /* NULL-terminated, oldest first */
int zs_profile_lookup(const char *name, struct zs_profile_info *info);
const char *zs_arch_name(enum zs_arch arch);
int zs_arch_lookup(const char *name, enum zs_arch *arch);

/*
 * Create a pool. Returns 0, -EINVAL for an unknown profile, a page size the
 * model does not hold or a chain size outside the profile's range, -ENOMEM.
 */
int zs_create_pool(const struct zs_pool_config *cfg, const struct zs_page_ops *ops, void *ctx,
		   struct zs_pool **pool);
/* Frees every zspage back to the provider, then the pool. */
void zs_destroy_pool(struct zs_pool *pool);
const struct zs_profile_info *zs_pool_profile(const struct zs_pool *pool);

/*
 * Allocate size bytes (1..page_size). 0 and *handle, or -EINVAL (size 0),
 * -ENOSPC/-EINVAL (size > page size, by profile), -ENOMEM (provider empty).
 */
int zs_malloc(struct zs_pool *pool, size_t size, unsigned int gfp, unsigned long *handle);
/*
 * The next zs_malloc takes a new zspage for its object even when its class has one with
 * room (then forgotten, whatever that call returns). With more than one CPU the kernel's
 * zs_malloc allocates a zspage with the class's lock dropped and puts its object there,
 * though another CPU may have made room meanwhile: a replay that follows the order the
 * operations took the lock needs this to put the object where the kernel did.
 */
void zs_malloc_new_zspage_once(struct zs_pool *pool);
void zs_free(struct zs_pool *pool, unsigned long handle);

enum zs_mapmode {
	ZS_MM_RW, /* normal read-write mapping */
	ZS_MM_RO, /* read-only (no copy-out on unmap) */
	ZS_MM_WO, /* write-only (no copy-in on map) */
};
/*
 * Map an object: returns a pointer to its payload (after the handle header
 * where the profile has one). One mapping at a time per pool (the kernel has
 * one per CPU); an object straddling two pages goes through a copy buffer.
 */
void *zs_map_object(struct zs_pool *pool, unsigned long handle, enum zs_mapmode mm);
void zs_unmap_object(struct zs_pool *pool, unsigned long handle);

/*
 * SIM: no kernel counterpart. The bytes zs_map_object() would hand its
 * caller (the object after its header), in place: one span, or two for an
 * object across two pages (its part in each), without the mapping area's
 * copy in and out. For a caller that only fills or reads the bytes (the
 * replay's payload writes); zs_map_object() stays the kernel's interface.
 * Needs no mapping and takes none: the spans are valid until the pool's
 * next operation. Returns the number of spans, 0 for a handle that names
 * no object or a pool without page contents.
 */
struct zs_span {
	uint8_t *p;
	size_t n;
};
unsigned int zs_object_spans(const struct zs_pool *pool, unsigned long handle,
			     struct zs_span span[2]);

/*
 * SIM: look-ahead, no kernel counterpart (prefetch.c). Start the cache
 * misses of a coming zs_free() (freeing) or zs_map_object() of handle early:
 * depth 0 the handle slot (direct handles: the page's private word), 1 the
 * zspage, 2 the object (all of its lines for a map), and for a free that
 * will move the zspage to another fullness group its list neighbours; depths from ZS_PREFETCH_DEPTHS on do
 * nothing. Call with increasing depth as the operation approaches (0 first).
 * Reads only.
 */
#define ZS_PREFETCH_DEPTHS 3
void zs_prefetch(const struct zs_pool *pool, unsigned long handle, unsigned int depth,
		 bool freeing);

unsigned long zs_get_total_pages(const struct zs_pool *pool); /* pages */
size_t zs_huge_class_size(const struct zs_pool *pool);	      /* bytes; requests >= this are huge */
size_t zs_page_size(const struct zs_pool *pool);
/* The class index a request of size bytes lands in (kernel: zs_lookup_class_index). */
unsigned int zs_lookup_class_index(const struct zs_pool *pool, size_t size);

/* What one zs_compact() call did. */
struct zs_compact_result {
	unsigned long pages_freed; /* pages, as the kernel returns */
	uint64_t objs_migrated;	   /* objects copied between zspages */
	uint64_t bytes_copied;	   /* class->size per migrated object */
	uint64_t zspages_freed;
};
/* Run zsmalloc compaction; -EOPNOTSUPP on profiles without it. */
int zs_compact(struct zs_pool *pool, struct zs_compact_result *res);

/*
 * A compaction in steps, as a live kernel runs one: zs_compact() drops its locks and may
 * reschedule (4.x after each source zspage, 6.3+ after each destination it filled), and
 * other tasks allocate and free there before it goes on. A captured trace says how far the
 * kernel's had got each time others ran, in calls of the function a kernel probe sees its
 * steps by: putback_zspage() on 6.3+ (isolate_src/dst_zspage are inlined there), and
 * isolate_zspage() before (putback_zspage is inlined in Debian's 6.1).
 */
struct zs_compact_run {
	bool active;	      /* begun and not finished */
	int class_idx;	      /* the class it is at (it goes from the largest index down) */
	uint64_t putbacks;    /* putback_zspage() calls so far */
	uint64_t isolations;  /* isolate_zspage() calls so far (4.x algorithms) */
	struct zs_compact_result r;
};
/* Begin one (nothing moves yet); -EBUSY while one runs (the kernel's compaction_in_progress:
 * a second zs_compact() returns 0 at once), -EOPNOTSUPP on profiles without compaction. */
int zs_compact_begin(struct zs_pool *pool, struct zs_compact_run *run);
/* Its steps so far: putbacks on 6.3+ profiles, isolations before. */
uint64_t zs_compact_steps(const struct zs_pool *pool, const struct zs_compact_run *run);
/* Go on until it has made `steps` steps in all and the kernel would drop its locks (steps 0:
 * to the end). 1: finished, *res (may be NULL) what it did, the pool's statistics counted,
 * as after zs_compact(); 0: stopped there. */
int zs_compact_resume(struct zs_pool *pool, struct zs_compact_run *run, uint64_t steps,
		      struct zs_compact_result *res);

/* Shrinker entry points (4.3+); -EOPNOTSUPP elsewhere. */
int zs_shrinker_count(struct zs_pool *pool, unsigned long *freeable_pages);
int zs_shrinker_scan(struct zs_pool *pool, struct zs_compact_result *res);

struct zs_pool_stats {
	uint64_t pages_compacted;   /* kernel's zs_pool_stats: pages freed by compaction */
	uint64_t objs_migrated;	    /* cumulative, all compactions (4.1 zram num_migrated) */
	uint64_t bytes_copied;	    /* cumulative bytes copied by compaction */
	uint64_t compactions;	    /* zs_compact() calls that ran */
	uint64_t pages_migrated;    /* zspage pages moved by zs_page_migrate() */
	uint64_t handles_allocated; /* live handle slots */
	uint64_t handle_pages;	    /* slab pages of the zs_handle cache with a live slot */
	size_t handle_slot_bytes;   /* bytes per handle slot (0 in direct mode) */
	size_t obj_header_bytes;    /* bytes per object header (0 in direct mode) */
	uint64_t zspages;	    /* live zspages */
};
void zs_pool_stats(const struct zs_pool *pool, struct zs_pool_stats *stats);

/* ---- size classes and per-class statistics ---- */

#define ZS_MAX_FULLNESS 12 /* 6.3+ has 12 groups; older profiles use 4 */

struct zs_class_info {
	unsigned int index;
	unsigned int size; /* bytes per object slot */
	unsigned int pages_per_zspage;
	unsigned int objs_per_zspage;
	unsigned int merged_into; /* index of the class this index aliases, or itself */
	bool huge;		  /* one page, one object */
};
unsigned int zs_class_count(const struct zs_pool *pool); /* ZS_SIZE_CLASSES */
int zs_class_info(const struct zs_pool *pool, unsigned int index, struct zs_class_info *info);

/*
 * Per-class counters as the kernel's debugfs "classes" file reports them. For
 * 4-group profiles fullness[] is indexed by enum fullness_group of that era
 * (see zs_fullness_name()); for 6.3+ by ZS_INUSE_RATIO_0.._100.
 */
struct zs_class_stats {
	unsigned long fullness[ZS_MAX_FULLNESS]; /* zspages per fullness group */
	unsigned long obj_allocated;		 /* object slots in live zspages */
	unsigned long obj_used;			 /* live objects */
	unsigned long pages_used;		 /* obj_allocated / objs_per_zspage * pages */
	unsigned long freeable;			 /* zs_can_compact(), pages */
};
int zs_class_stats(const struct zs_pool *pool, unsigned int index, struct zs_class_stats *st);
/* Column name of fullness group g in the debugfs file ("almost_full", "10%", ...). */
const char *zs_fullness_name(const struct zs_pool *pool, unsigned int g);

/*
 * Walk the whole pool and check every invariant (free lists, fullness lists,
 * counters, handle <-> object reverse map, page ownership). Returns 0, or
 * -EUCLEAN with the first inconsistency described in msg.
 */
int zs_pool_check(const struct zs_pool *pool, char *msg, size_t msglen);

/*
 * ---- emptying chosen zspages (compact_zspages.c) ----
 *
 * For compaction that picks its victims by where their pages lie rather
 * than by how empty they are (sim/policy_targeted.c): a caller that has
 * found frames it wants freed asks what pins them and then empties exactly
 * those zspages, with destinations chosen so that nothing lands back on
 * the frames it is clearing. No kernel has these entry points.
 */
#define ZS_MAX_PAGES_PER_ZSPAGE 16
struct zs_zspage_info {
	unsigned int class_index;     /* its size class (the index classes merged into) */
	unsigned int size;	      /* bytes per object slot */
	unsigned int inuse;	      /* live objects */
	unsigned int objs_per_zspage; /* object slots */
	unsigned int nr_pages;
	unsigned long pages[ZS_MAX_PAGES_PER_ZSPAGE]; /* frames, chain order */
	bool busy; /* isolated for migration or mapped: cannot be emptied now */
};
/* The zspage that owns frame pfn: 0, or -ENOENT when pfn is no page of this pool. */
int zs_zspage_info(const struct zs_pool *pool, unsigned long pfn, struct zs_zspage_info *info);
/* Frames a caller wants no object moved into (true = keep out). */
typedef bool (*zs_pfn_filter_fn)(void *ctx, unsigned long pfn);
/* Free object slots in the class's partly used zspages none of whose pages avoid() names. */
unsigned long zs_class_room(const struct zs_pool *pool, unsigned int class_index,
			    zs_pfn_filter_fn avoid, void *ctx);
/*
 * Empty and free the zspages owning frames pfns[0..n) (each zspage once,
 * in the order given), moving every object into other zspages of its class
 * as zs_compact() would (fullest partial zspage first), skipping any
 * destination with a page avoid() names (avoid may be NULL). All or
 * nothing: -ENOSPC (nothing moved) when some class lacks the room, -EBUSY
 * when a zspage is isolated or mapped or a compaction runs, -ENOENT for a
 * frame of no zspage, -EOPNOTSUPP without compaction in the profile. The
 * work is added to res and to the pool's compaction statistics (one
 * compaction).
 */
int zs_compact_zspages(struct zs_pool *pool, const unsigned long *pfns, unsigned int n,
		       zs_pfn_filter_fn avoid, void *ctx, struct zs_compact_result *res);

/* ---- page migration (profiles with has_migration) ---- */
bool zs_page_isolate(struct zs_pool *pool, unsigned long pfn);
/* Copy page oldpfn to newpfn and repoint its objects; 0, or -EAGAIN/-EINVAL. */
int zs_page_migrate(struct zs_pool *pool, unsigned long newpfn, unsigned long oldpfn);
void zs_page_putback(struct zs_pool *pool, unsigned long pfn);

/* ---- a trivial provider over host memory, for tests, benchmarks and the CLI ---- */
/*
 * Ask the host for transparent huge pages under [p, p + len) (the 2 MiB-aligned part; a hint
 * only, nothing changes if the host has no THP). For big tables indexed at random (the frame
 * table, page->private, zram's slots, the handle slots) that a large replay touches once an
 * event: one TLB entry per 2 MiB instead of per 4 KiB. Call it before the memory is first
 * touched. SIM: host memory only, no kernel counterpart.
 */
void zs_host_huge_hint(void *p, size_t len);

struct zs_host_pages;
int zs_host_pages_create(size_t page_size, unsigned long max_pages, struct zs_host_pages **hp);
void zs_host_pages_destroy(struct zs_host_pages *hp);
const struct zs_page_ops *zs_host_page_ops(void);
unsigned long zs_host_pages_used(const struct zs_host_pages *hp);

#ifdef __cplusplus
}
#endif
#endif /* ZSFRAG_ZSMALLOC_H */
