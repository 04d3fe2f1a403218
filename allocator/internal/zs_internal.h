/*
 * zs_internal.h - structures shared by the allocator's files.
 *
 * Layout (mirrors mm/zsmalloc.c so the two can be read side by side):
 *
 *   zs_pool -> size_class[ZS_SIZE_CLASSES] (aliases point at the larger class
 *              they were merged into, as the kernel's pool->size_class[] does)
 *   size_class -> fullness_list[group] : circular lists of zspages, ordered as
 *              the profile's kernel orders them (insert_zspage)
 *   zspage    -> pages[] : the order-0 page frames of the chain, in order;
 *              each frame's provider private word points back at the zspage
 *              (the kernel's page->private)
 *
 * Inside a zspage, object i occupies bytes [i*size, (i+1)*size) of the
 * concatenated pages. A free object's first word holds the index of the next
 * free object shifted left by OBJ_TAG_BITS (so bit 0 is clear); an allocated
 * object's first word holds handle | OBJ_ALLOCATED_TAG (profiles with
 * handle headers). Huge zspages (one page, one object) keep the handle in
 * zspage->huge_handle instead (the kernel's first_page->index).
 *
 * Everything that differs between kernel versions is read from
 * struct zs_profile (profile.c); the code below branches on its fields, never
 * on version numbers.
 */
#ifndef ZSFRAG_ZS_INTERNAL_H
#define ZSFRAG_ZS_INTERNAL_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zs_check.h"
#include "zsmalloc.h"

/*
 * Check tiers (zs_check.h): level 1 cheap checks, level 2 also a
 * zs_pool_check() walk after each compaction. They do not depend on NDEBUG.
 */
#define ZS_BUG_ON(cond) ZS_CHECK_BUG_ON("zsmalloc", cond)
#if ZSFRAG_CHECK_LEVEL >= 2
#define ZS_DEEP_CHECK(pool) zs_deep_check(pool, __FILE__, __LINE__)
#else
#define ZS_DEEP_CHECK(pool) ((void)sizeof(pool))
#endif

#define ZS_ALIGN	  8
#define ZS_MAX_CHAIN	  16  /* CONFIG_ZSMALLOC_CHAIN_SIZE upper bound */
#define ZS_MAX_CLASSES	  260 /* >= 257, the most any profile has */
#define OBJ_ALLOCATED_TAG 1UL
#define OBJ_TAG_BITS	  1
#define ZS_HANDLE_ALIGN	  8 /* handle slots are 8-byte aligned slab objects */

/*
 * Fullness groups. The 4-group eras (3.18 .. 6.2) use enum fullness_group,
 * numbered as 4.8+ numbers it (3.18 .. 4.7 put ALMOST_FULL first; only the
 * numbering differs, never a decision). 6.3+ uses the ZS_INUSE_RATIO_* buckets:
 * 0, 10% .. 90% (one group per 10%), 99% and 100%. In both, the EMPTY group is
 * 0; FULL is ZS_FULL or ZS_INUSE_RATIO_100 (see zs_full_group()).
 */
enum fullness_group {
	ZS_EMPTY,
	ZS_ALMOST_EMPTY,
	ZS_ALMOST_FULL,
	ZS_FULL,
	NR_ZS_FULLNESS,
};

enum zs_inuse_ratio {
	ZS_INUSE_RATIO_0,
	ZS_INUSE_RATIO_10,
	/* one group per further 10%: group g holds 10*(g-1)% .. 10*g% - 1 */
	ZS_INUSE_RATIO_90 = 9,
	ZS_INUSE_RATIO_99,
	ZS_INUSE_RATIO_100,
	NR_FULLNESS_GROUPS,
};

static_assert(NR_FULLNESS_GROUPS == ZS_MAX_FULLNESS, "zsmalloc.h's ZS_MAX_FULLNESS is the 6.3+ count");

/* ---- profiles (profile.c) ---- */

enum zs_chain_rule {
	ZS_CHAIN_MAX_USED_PCT, /* get_pages_per_zspage(): best integer used% (<= 6.2) */
	ZS_CHAIN_MIN_WASTE,    /* calculate_zspage_chain_size(): least tail waste (6.3+) */
};

enum zs_fullness_rule {
	ZS_FULLNESS_QUARTER,	    /* ALMOST_EMPTY iff inuse <= N/4 (3.18) */
	ZS_FULLNESS_THREE_QUARTERS, /* ALMOST_EMPTY iff inuse <= 3N/4 (4.1 .. 6.2) */
	ZS_FULLNESS_RATIO,	    /* 0, 10%..90%, 99%, 100% buckets (6.3+) */
};

enum zs_insert_rule {
	ZS_INSERT_HEAD,		  /* always the new head (3.18, 4.1, 6.3+) */
	ZS_INSERT_TAIL_IF_FEWER,  /* head if inuse >= head's, else tail (4.3 .. 4.7) */
	ZS_INSERT_AFTER_IF_FEWER, /* head if inuse >= head's, else after the head (4.8 .. 6.2) */
};

enum zs_compact_algo {
	ZS_COMPACT_NONE,
	ZS_COMPACT_V41, /* sources ALMOST_EMPTY only, no estimate (4.1, rfc2014) */
	ZS_COMPACT_V43, /* sources ALMOST_EMPTY then ALMOST_FULL, stop on zs_can_compact() == 0 (4.3
			   .. 6.2) */
	ZS_COMPACT_V63, /* one destination filled from many sources, fullest first (6.3+) */
};

enum zs_handle_mode {
	ZS_HANDLE_DIRECT,     /* handle is the location (3.18) */
	ZS_HANDLE_SLAB,	      /* handle -> slot from a kmem_cache (4.1+) */
	ZS_HANDLE_POOL_CLASS, /* handle -> slot that is itself a pool object (rfc2014) */
};

struct zs_profile {
	struct zs_profile_info info;
	enum zs_chain_rule chain_rule;
	enum zs_fullness_rule fullness_rule;
	enum zs_insert_rule insert_rule;
	enum zs_compact_algo compact_algo;
	enum zs_handle_mode handle_mode;
	bool class_count_roundup; /* ceil((MAX-MIN)/delta)+1 with the top clamped (3.19+) */
	bool merges_classes;	  /* can_merge(): an index whose (pages, objs) equals the
				     next larger class's aliases it (3.19+, rfc2014) */
	bool obj_idx_per_zspage;  /* 4.8+: obj index counts from the zspage start */
	bool obj_tag_in_location; /* 4.1 .. 6.2: location shifted left by OBJ_TAG_BITS */
	bool enospc_over_page;	  /* 6.12: size > PAGE_SIZE is -ENOSPC, not -EINVAL */
};

const struct zs_profile *zs_profile_find(const char *name);

/* ---- pool structures ---- */

struct zspage;

/* A circular doubly-linked list head, as the kernel's list_head. */
struct zs_list {
	struct zs_list *next, *prev;
};

struct size_class {
	unsigned int index; /* this class's own index */
	unsigned int size;  /* bytes per object slot */
	unsigned int pages_per_zspage;
	unsigned int objs_per_zspage;
	unsigned int page_shift; /* the pool's, so object arithmetic needs only the class */
	bool huge;		 /* 1 page, 1 object: handle kept outside the object */
	struct zs_list fullness_list[ZS_MAX_FULLNESS];
	unsigned long fullness_count[ZS_MAX_FULLNESS]; /* zspages per group (debugfs columns) */
	unsigned long obj_allocated;		       /* OBJ_ALLOCATED: slots in live zspages */
	unsigned long obj_used;			       /* OBJ_USED: live objects */
	/* SIM: freed zspage blocks longer than ZS_DESC_LINE (all of one length: the class's),
	 * linked through their first word, kept for the next alloc_zspage() of the class */
	void *free_blocks;
};

/*
 * The replay touches a zspage on every malloc and free, and a large pool
 * holds millions of them: alloc_zspage() allocates only the pages[] entries
 * the class uses, with a no_contents pool's object words right after them in
 * the same block (zspage_words()), so that a free's walk finds them beside
 * the descriptor. Up to four pages the descriptor is 64 bytes, and a pool
 * with page contents gives it a whole cache line of its own (the pool's
 * descriptor cache, zspage.c): one line per zspage a free or a map walks,
 * not two. Never copy or declare one by value outside tests.
 */
struct zspage {
	struct zs_list list; /* link in its class's fullness list */
	struct size_class *class;
	unsigned long huge_handle; /* handle|tag of a huge zspage's object, 0 if free */
	uint32_t inuse;	     /* live objects */
	uint32_t freeobj;    /* index of the first free object */
	uint8_t fullness;    /* group it is filed under */
	uint8_t isolated;    /* pages isolated for migration */
	uint8_t nr_pages;
	bool huge;
	bool on_list;
	/* SIM: frame numbers stored in 32 bits (16 TiB of 4 KiB frames); the API uses unsigned long */
	uint32_t pages[ZS_MAX_CHAIN]; /* page frame numbers, chain order; nr_pages allocated */
};

#define ZS_DESC_LINE 64 /* bytes: a host cache line, one zspage descriptor of up to 4 pages */
static_assert(sizeof(void *) != 8 || offsetof(struct zspage, pages) + 4 * sizeof(uint32_t) <= ZS_DESC_LINE,
	      "a zspage of up to four pages fits a cache line");

/*
 * SIM: pool->no_contents only: each object's first word (free link or
 * header), in the zspage's block right after its pages[].
 */
static inline unsigned long *zspage_words(const struct zspage *z)
{
	size_t n = offsetof(struct zspage, pages) + z->nr_pages * sizeof(uint32_t);

	n = (n + sizeof(unsigned long) - 1) / sizeof(unsigned long) * sizeof(unsigned long);
	return (unsigned long *)((uintptr_t)z + n);
}

/* Host address of page i of a zspage (kmap of the kernel). */
static inline uint8_t *zspage_page_addr(const struct zs_pool *pool, const struct zspage *z,
					unsigned int i);


/*
 * A handle slot. obj is the kernel's slot word: the object's encoded location
 * (record_obj()); a free slot holds the index + 1 of the next free slot there.
 * SIM: beside it, in the same 16 bytes, the zspage that location names, so
 * that a zs_free() or zs_map_object() finds the zspage with the slot's load
 * instead of a second one of page->private (a random read of the frame
 * table's private words, a cache and TLB miss in a large pool). A host-side
 * cache only: record_obj() sets both words, every move of an object
 * (compaction, migration) goes through it, a zspage is freed only once no
 * handle names it, and zs_pool_check() compares it with the walked one.
 * NULL in a free slot or one not recorded yet.
 */
struct zs_handle_slot {
	unsigned long obj;
	struct zspage *zspage;
};

/* The kmem_cache of handle slots (4.1+): slot i backs handle (i + 1) * 8. */
struct zs_handle_cache {
	struct zs_handle_slot *slots;
	unsigned long *owner; /* rfc2014: location of the pool object backing each slot */
	unsigned long nr;     /* slots ever made */
	unsigned long cap;
	unsigned long free_head; /* index + 1 of the first free slot, 0 if none */
	unsigned long live;
	/* live slots per slab page (page_size / ZS_HANDLE_ALIGN slots a page) */
	uint32_t *page_live;
	unsigned long page_cap;
	unsigned long pages_live; /* pages with a live slot: SLUB frees only empty slabs */
};

struct zs_pool {
	const struct zs_profile *profile;
	enum zs_arch arch;
	size_t page_size; /* bytes */
	unsigned int page_shift;
	unsigned int long_bytes;  /* sizeof(unsigned long) on the emulated arch */
	unsigned int chain_size;  /* max pages per zspage */
	unsigned int min_alloc;	  /* ZS_MIN_ALLOC_SIZE */
	unsigned int class_delta; /* ZS_SIZE_CLASS_DELTA */
	unsigned int nr_classes;  /* ZS_SIZE_CLASSES */
	unsigned int obj_index_bits;
	unsigned int nr_fullness;   /* 4 or 12 */
	size_t huge_class_size;	    /* bytes */
	unsigned int handle_header; /* bytes added to every request (0 or long_bytes) */
	bool no_contents;	    /* zs_pool_config.no_page_contents: words in zspage_words() */
	bool new_zspage_once;	    /* zs_malloc_new_zspage_once(): the next zs_malloc's */

	struct size_class *size_class[ZS_MAX_CLASSES];
	struct size_class classes[ZS_MAX_CLASSES]; /* storage; only own indices used */
	struct size_class handle_class;		   /* rfc2014: the class holding handle slots */

	const struct zs_page_ops *ops;
	void *ctx;

	struct zs_handle_cache handles;
	/* SIM: cache-line blocks for zspage descriptors of at most ZS_DESC_LINE bytes */
	struct {
		void *free;    /* free blocks, linked through their first word */
		void **chunks; /* what aligned_alloc() gave, freed with the pool */
		size_t nr_chunks, cap;
	} descs;
	unsigned long pages_allocated; /* pages */
	struct zs_pool_stats stats;
	bool compaction_in_progress;

	/* The single mapping area (the kernel's per-CPU zs_map_area). */
	struct {
		unsigned long handle; /* mapped handle, 0 when none */
		enum zs_mapmode mm;
		struct zspage *zspage;
		unsigned int obj_idx;
		uint8_t *buf; /* copy buffer for straddling objects */
		bool copied;  /* the object straddles: buf is in use */
	} area;
};

static inline uint8_t *zspage_page_addr(const struct zs_pool *pool, const struct zspage *z,
					unsigned int i)
{
	return pool->ops->page_address(pool->ctx, z->pages[i]);
}

/* size_class.c */
int zs_init_classes(struct zs_pool *pool);
unsigned int get_size_class_index(const struct zs_pool *pool, size_t size);
unsigned int get_fullness_group(const struct zs_pool *pool, const struct size_class *class,
				unsigned int inuse);

/* True when the pool uses the 6.3+ ZS_INUSE_RATIO_* groups. */
static inline bool zs_ratio_groups(const struct zs_pool *pool)
{
	return pool->nr_fullness == NR_FULLNESS_GROUPS;
}

/* The group of a zspage with every object in use: ZS_FULL or ZS_INUSE_RATIO_100. */
static inline unsigned int zs_full_group(const struct zs_pool *pool)
{
	return zs_ratio_groups(pool) ? ZS_INUSE_RATIO_100 : ZS_FULL;
}

/* zspage.c */
void zs_list_init(struct zs_list *l);
bool zs_list_empty(const struct zs_list *l);
struct zspage *zs_list_first(const struct zs_list *l);
void insert_zspage(struct zs_pool *pool, struct size_class *class, struct zspage *zspage,
		   unsigned int fullness);
void remove_zspage(struct size_class *class, struct zspage *zspage);
unsigned int fix_fullness_group(struct zs_pool *pool, struct size_class *class,
				struct zspage *zspage);
unsigned int putback_zspage(struct zs_pool *pool, struct size_class *class, struct zspage *zspage);
struct zspage *find_get_zspage(const struct zs_pool *pool, struct size_class *class);
struct zspage *alloc_zspage(struct zs_pool *pool, struct size_class *class, unsigned int gfp);
void free_zspage(struct zs_pool *pool, struct size_class *class, struct zspage *zspage);
/* Give an empty zspage, already off its list, back to the provider now. */
void __free_zspage(struct zs_pool *pool, struct size_class *class, struct zspage *zspage);
struct zspage *zs_page_to_zspage(const struct zs_pool *pool, unsigned long pfn);
/* Free the descriptor cache's blocks (zs_destroy_pool(), after every zspage is freed). */
void zs_desc_cache_destroy(struct zs_pool *pool);
bool zspage_full(const struct size_class *class, const struct zspage *zspage);
unsigned int zs_group_alloc_order(const struct zs_pool *pool, unsigned int i);

/* object.c: where objects live, free-list links, headers and copies */
void obj_location(const struct size_class *class, unsigned int obj_idx, unsigned int *page_idx,
		  unsigned int *offset);
unsigned long read_word(const struct zs_pool *pool, const uint8_t *p);
void write_word(const struct zs_pool *pool, uint8_t *p, unsigned long v);
/* An object's first word (free link or header), wherever the pool keeps it. */
unsigned long get_obj_word(const struct zs_pool *pool, const struct zspage *zspage,
			   unsigned int obj_idx);
void set_obj_word(const struct zs_pool *pool, struct zspage *zspage, unsigned int obj_idx,
		  unsigned long v);
unsigned int obj_malloc(struct zs_pool *pool, struct zspage *zspage, unsigned long handle);
void obj_free(struct zs_pool *pool, struct zspage *zspage, unsigned int obj_idx);
bool obj_allocated(const struct zs_pool *pool, const struct zspage *zspage, unsigned int obj_idx,
		   unsigned long *handle);
void zs_object_copy(struct zs_pool *pool, struct zspage *dst, unsigned int d_idx,
		    struct zspage *src, unsigned int s_idx);
unsigned long location_to_obj(const struct zs_pool *pool, const struct zspage *zspage,
			      unsigned int obj_idx);
struct zspage *obj_to_location(const struct zs_pool *pool, unsigned long obj,
			       unsigned int *obj_idx);
/* The object index obj names in zspage, which must be the zspage owning obj's page. */
unsigned int obj_index_in(const struct zs_pool *pool, unsigned long obj,
			  const struct zspage *zspage);

/* handle.c */
int zs_handles_init(struct zs_pool *pool);
void zs_handles_destroy(struct zs_pool *pool);
int cache_alloc_handle(struct zs_pool *pool, unsigned long *handle);
void cache_free_handle(struct zs_pool *pool, unsigned long handle);
unsigned long handle_to_obj(const struct zs_pool *pool, unsigned long handle);
/* Store obj, a location in zspage, in the handle's slot (SIM: and the zspage beside it). */
void record_obj(struct zs_pool *pool, unsigned long handle, unsigned long obj,
		struct zspage *zspage);
/*
 * The zspage and object index of a handle's object: with slots, from the
 * slot's cached zspage (no page->private load); direct handles walk
 * obj_to_location(). NULL for a slot holding no object.
 */
struct zspage *handle_to_location(const struct zs_pool *pool, unsigned long handle,
				  unsigned int *obj_idx);
bool zs_handle_valid(const struct zs_pool *pool, unsigned long handle);

/* stats.c: zs_pool_check() or zs_check_bug() with its message */
void zs_deep_check(const struct zs_pool *pool, const char *file, int line);

/* compact.c */
unsigned long zs_can_compact(const struct size_class *class);
void zs_compact_move_object(struct zs_pool *pool, struct zspage *src, unsigned int s_idx,
			    unsigned long handle, struct zspage *dst, struct zs_compact_result *res);

static inline bool zs_has_header(const struct zs_pool *pool)
{
	return pool->profile->handle_mode != ZS_HANDLE_DIRECT;
}

#endif /* ZSFRAG_ZS_INTERNAL_H */
