/*
 * zspage.c - zspages: chains of order-0 pages, their free lists and the
 * per-class fullness lists.
 *
 * Models insert_zspage(), remove_zspage(), fix_fullness_group(),
 * putback_zspage(), find_get_zspage(), alloc_zspage()/init_zspage() and
 * free_zspage() of 3.18 .. 6.12.
 *
 * List order is what decides which zspage the next object goes to and which
 * zspages compaction picks, so it follows each era exactly:
 *  - 3.18, 4.1, 6.3+: a zspage always becomes the new head of its list;
 *  - 4.3 .. 4.7: head if it has at least as many objects as the head, else
 *    the tail (the pre-4.8 lists were a head pointer into a circular list);
 *  - 4.8 .. 6.2: head if it has at least as many objects as the head, else
 *    right after the head.
 * A zspage whose group does not change stays where it is.
 *
 * Empty zspages are freed at once unless one of their pages is isolated for
 * migration: the kernel's trylock_zspage() then fails and the zspage waits on
 * the EMPTY list for the deferred free; here it is freed when the last
 * isolated page is migrated or put back (migrate.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zs_internal.h"

void zs_list_init(struct zs_list *l)
{
	l->next = l->prev = l;
}

bool zs_list_empty(const struct zs_list *l)
{
	return l->next == l;
}

static void list_insert_between(struct zs_list *n, struct zs_list *prev, struct zs_list *next)
{
	n->prev = prev;
	n->next = next;
	prev->next = n;
	next->prev = n;
}

static void list_del(struct zs_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	zs_list_init(n);
}

struct zspage *zs_list_first(const struct zs_list *l)
{
	if (zs_list_empty(l))
		return NULL;
	/* list is the first member of struct zspage */
	return (struct zspage *)(void *)l->next;
}

void insert_zspage(struct zs_pool *pool, struct size_class *class, struct zspage *zspage,
		   unsigned int fullness)
{
	struct zs_list *list = &class->fullness_list[fullness];
	struct zspage *head = zs_list_first(list);
	bool fewer = head && zspage->inuse < head->inuse;

	ZS_BUG_ON(zspage->on_list);
	class->fullness_count[fullness]++;
	zspage->fullness = (uint8_t)fullness;
	zspage->on_list = true;

	switch (pool->profile->insert_rule) {
	case ZS_INSERT_TAIL_IF_FEWER:
		if (fewer) {
			list_insert_between(&zspage->list, list->prev, list);
			return;
		}
		break;
	case ZS_INSERT_AFTER_IF_FEWER:
		if (fewer) {
			list_insert_between(&zspage->list, &head->list, head->list.next);
			return;
		}
		break;
	case ZS_INSERT_HEAD:
		break;
	}
	list_insert_between(&zspage->list, list, list->next);
}

void remove_zspage(struct size_class *class, struct zspage *zspage)
{
	ZS_BUG_ON(!zspage->on_list);
	ZS_BUG_ON(class->fullness_count[zspage->fullness] == 0);
	list_del(&zspage->list);
	class->fullness_count[zspage->fullness]--;
	zspage->on_list = false;
}

unsigned int fix_fullness_group(struct zs_pool *pool, struct size_class *class,
				struct zspage *zspage)
{
	unsigned int newfg = get_fullness_group(pool, class, zspage->inuse);

	if (newfg != zspage->fullness) {
		remove_zspage(class, zspage);
		insert_zspage(pool, class, zspage, newfg);
	}
	return newfg;
}

unsigned int putback_zspage(struct zs_pool *pool, struct size_class *class, struct zspage *zspage)
{
	unsigned int fg = get_fullness_group(pool, class, zspage->inuse);

	insert_zspage(pool, class, zspage, fg);
	return fg;
}

/* Search order of find_get_zspage(): fullest partial groups first, EMPTY last. */
unsigned int zs_group_alloc_order(const struct zs_pool *pool, unsigned int i)
{
	static const unsigned int four[] = {ZS_ALMOST_FULL, ZS_ALMOST_EMPTY, ZS_EMPTY};

	if (zs_ratio_groups(pool))
		return ZS_INUSE_RATIO_99 - i; /* RATIO_99 down to RATIO_0 */
	return four[i];
}

struct zspage *find_get_zspage(const struct zs_pool *pool, struct size_class *class)
{
	unsigned int n = zs_full_group(pool); /* every group below FULL */

	for (unsigned int i = 0; i < n; i++) {
		struct zspage *z =
		    zs_list_first(&class->fullness_list[zs_group_alloc_order(pool, i)]);

		if (z)
			return z;
	}
	return NULL;
}

bool zspage_full(const struct size_class *class, const struct zspage *zspage)
{
	return zspage->inuse == class->objs_per_zspage;
}

struct zspage *zs_page_to_zspage(const struct zs_pool *pool, unsigned long pfn)
{
	void **priv = pool->ops->page_private(pool->ctx, pfn);

	return priv ? (struct zspage *)*priv : NULL;
}

/* Thread the free list through the objects in address order (init_zspage). */
static void init_zspage(struct zs_pool *pool, struct size_class *class, struct zspage *zspage)
{
	unsigned long last = (~0UL) << OBJ_TAG_BITS;

	for (unsigned int i = 0; i < class->objs_per_zspage; i++) {
		unsigned long link =
		    i + 1 < class->objs_per_zspage ? (unsigned long)(i + 1) << OBJ_TAG_BITS : last;

		set_obj_word(pool, zspage, i, link);
	}
	zspage->freeobj = 0;
}

static void release_pages(struct zs_pool *pool, const uint32_t *pfns, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		*pool->ops->page_private(pool->ctx, pfns[i]) = NULL;
		if (pool->profile->info.has_migration && pool->ops->set_movable)
			pool->ops->set_movable(pool->ctx, pfns[i], NULL);
		pool->ops->free_page(pool->ctx, pfns[i]);
	}
}

/* A zspage's host block: the descriptor up to its used pages[], then a no_contents pool's words. */
static size_t zspage_bytes(const struct zs_pool *pool, const struct size_class *class)
{
	size_t n = offsetof(struct zspage, pages) + class->pages_per_zspage * sizeof(uint32_t);

	if (!pool->no_contents)
		return n;
	n = (n + sizeof(unsigned long) - 1) / sizeof(unsigned long) * sizeof(unsigned long);
	return n + class->objs_per_zspage * sizeof(unsigned long);
}

#define ZS_DESC_CHUNK 1024 /* descriptor blocks per aligned_alloc() */

/* Under AddressSanitizer a free block stays poisoned, as free() would leave it. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define desc_poison(p)	 ASAN_POISON_MEMORY_REGION((p), ZS_DESC_LINE)
#define block_poison(p, n) ASAN_POISON_MEMORY_REGION((char *)(p) + sizeof(void *), (n) - sizeof(void *))
#define block_unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define ASAN_UNPOISON_CHUNK(c) ASAN_UNPOISON_MEMORY_REGION((c), ZS_DESC_CHUNK * ZS_DESC_LINE)
#define desc_unpoison(p) ASAN_UNPOISON_MEMORY_REGION((p), ZS_DESC_LINE)
#else
#define desc_poison(p)	 ((void)(p))
#define desc_unpoison(p) ((void)(p))
#define block_poison(p, n) ((void)(p), (void)(n))
#define block_unpoison(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_CHUNK(c) ((void)(c))
#endif

/*
 * A zeroed block for a zspage's descriptor: a cache line from the pool's
 * descriptor cache when it fits one (malloc's 16-byte alignment would split
 * most 64-byte descriptors over two lines), else the heap's.
 */
static struct zspage *zspage_block_alloc(struct zs_pool *pool, struct size_class *class,
					 size_t bytes)
{
	void *b;

	if (bytes > ZS_DESC_LINE) {
		if (!class->free_blocks)
			return calloc(1, bytes);
		b = class->free_blocks;
		block_unpoison(b, bytes);
		class->free_blocks = *(void **)b;
		memset(b, 0, bytes);
		return b;
	}
	if (!pool->descs.free) {
		char *chunk;

		if (pool->descs.nr_chunks == pool->descs.cap) {
			size_t cap = pool->descs.cap ? pool->descs.cap * 2 : 16;
			void **c = realloc(pool->descs.chunks, cap * sizeof(*c));

			if (!c)
				return NULL;
			pool->descs.chunks = c;
			pool->descs.cap = cap;
		}
		chunk = aligned_alloc(ZS_DESC_LINE, ZS_DESC_CHUNK * ZS_DESC_LINE);
		if (!chunk)
			return NULL;
		pool->descs.chunks[pool->descs.nr_chunks++] = chunk;
		for (size_t i = ZS_DESC_CHUNK; i-- > 0;) {
			*(void **)(chunk + i * ZS_DESC_LINE) = pool->descs.free;
			pool->descs.free = chunk + i * ZS_DESC_LINE;
			desc_poison(chunk + i * ZS_DESC_LINE);
		}
	}
	b = pool->descs.free;
	desc_unpoison(b);
	pool->descs.free = *(void **)b;
	memset(b, 0, ZS_DESC_LINE);
	return b;
}

static void zspage_block_free(struct zs_pool *pool, struct size_class *class,
			      struct zspage *zspage, size_t bytes)
{
	if (bytes > ZS_DESC_LINE) {
		/* kept for the class's next zspage: a malloc()/free() pair per zspage was 4% of
		 * a none-mode replay (blocks of a few hundred bytes to a few KiB, past tcache) */
		*(void **)zspage = class->free_blocks;
		class->free_blocks = zspage;
		block_poison(zspage, bytes);
		return;
	}
	*(void **)zspage = pool->descs.free;
	pool->descs.free = zspage;
	desc_poison(zspage);
}

/* A class's kept blocks (zspage_block_free()), back to the heap. */
static void class_blocks_destroy(const struct zs_pool *pool, struct size_class *class)
{
	while (class->free_blocks) {
		void *b = class->free_blocks;

		class->free_blocks = *(void **)b;
		block_unpoison(b, zspage_bytes(pool, class));
		free(b);
	}
}

void zs_desc_cache_destroy(struct zs_pool *pool)
{
	for (unsigned int i = 0; i < ZS_MAX_CLASSES; i++)
		class_blocks_destroy(pool, &pool->classes[i]);
	class_blocks_destroy(pool, &pool->handle_class);
	for (size_t i = 0; i < pool->descs.nr_chunks; i++) {
		ASAN_UNPOISON_CHUNK(pool->descs.chunks[i]);
		free(pool->descs.chunks[i]);
	}
	free(pool->descs.chunks);
	pool->descs.chunks = NULL;
	pool->descs.free = NULL;
	pool->descs.nr_chunks = pool->descs.cap = 0;
}

struct zspage *alloc_zspage(struct zs_pool *pool, struct size_class *class, unsigned int gfp)
{
	size_t bytes = zspage_bytes(pool, class);
	struct zspage *zspage = zspage_block_alloc(pool, class, bytes);

	if (!zspage)
		return NULL;
	if (pool->ops->kmem_event) /* cache_alloc_zspage, before the pages */
		pool->ops->kmem_event(pool->ctx, ZS_KMEM_ZSPAGE, true,
				      (unsigned long)(uintptr_t)zspage);
	zs_list_init(&zspage->list);
	zspage->class = class;
	zspage->huge = class->huge;
	zspage->nr_pages = (uint8_t)class->pages_per_zspage;

	if (pool->ops->zspage_begin)
		pool->ops->zspage_begin(pool->ctx, class->pages_per_zspage);
	for (unsigned int i = 0; i < class->pages_per_zspage; i++) {
		unsigned long pfn = 0;

		if (pool->ops->alloc_page(pool->ctx, gfp, &pfn) != 0 || pfn > UINT32_MAX) {
			if (pfn > UINT32_MAX) /* beyond what a zspage records: refuse the page */
				pool->ops->free_page(pool->ctx, pfn);
			/* give back what we took, as alloc_zspage() does */
			release_pages(pool, zspage->pages, i);
			if (pool->ops->kmem_event)
				pool->ops->kmem_event(pool->ctx, ZS_KMEM_ZSPAGE, false,
						      (unsigned long)(uintptr_t)zspage);
			zspage_block_free(pool, class, zspage, bytes);
			return NULL;
		}
		zspage->pages[i] = (uint32_t)pfn;
		*pool->ops->page_private(pool->ctx, pfn) = zspage;
	}
	init_zspage(pool, class, zspage);
	pool->stats.zspages++;
	return zspage;
}

/* Give the pages back now; the zspage is off every list and empty. */
void __free_zspage(struct zs_pool *pool, struct size_class *class, struct zspage *zspage)
{
	ZS_BUG_ON(zspage->inuse);
	release_pages(pool, zspage->pages, zspage->nr_pages);
	class->obj_allocated -= class->objs_per_zspage;
	pool->pages_allocated -= class->pages_per_zspage;
	pool->stats.zspages--;
	if (pool->ops->kmem_event) /* cache_free_zspage, after the pages */
		pool->ops->kmem_event(pool->ctx, ZS_KMEM_ZSPAGE, false,
				      (unsigned long)(uintptr_t)zspage);
	zspage_block_free(pool, class, zspage, zspage_bytes(pool, class));
}

void free_zspage(struct zs_pool *pool, struct size_class *class, struct zspage *zspage)
{
	ZS_BUG_ON(zspage->inuse);
	ZS_BUG_ON(!zspage->on_list || zspage->fullness != ZS_EMPTY);
	if (zspage->isolated)
		return; /* trylock_zspage() would fail: left on the EMPTY list */
	remove_zspage(class, zspage);
	__free_zspage(pool, class, zspage);
}
