/*
 * size_class.c - the class table: sizes, pages per zspage, merging, huge
 * classes and huge_class_size, and the fullness-group rule.
 *
 * Models: zs_create_pool()'s class loop, get_pages_per_zspage() (3.18 .. 6.2),
 * calculate_zspage_chain_size() (6.3+), can_merge(), get_size_class_index()
 * and get_fullness_group() of every era.
 *
 * Classes are built from the largest index down. From 3.19 on (and in the
 * RFC, posted on an mmotm that carried it) a class whose (pages_per_zspage,
 * objs_per_zspage) equals the previously built one's is not created and its
 * index aliases that larger class (the profile's merges_classes); 3.18 builds
 * every index as a class of its own (255 at 4 KiB), so there 656 B and 672 B
 * land in different classes. The first class met on the way down that is neither one page nor one object sets huge_class_size
 * (the smallest request, header included, that lands in a huge class).
 *
 * Kernel -> ours, where the signature differs (the kernel's constants are the
 * pool's fields here, chosen per profile and page size):
 *   get_size_class_index(size)          -> get_size_class_index(pool, size)
 *   get_fullness_group(class, zspage)   -> get_fullness_group(pool, class, inuse)
 *     (3.18 .. 4.7: get_fullness_group(page); the group depends only on inuse)
 */
#include <errno.h>
#include <limits.h>

#include "zs_internal.h"

/* MAX_POSSIBLE_PHYSMEM_BITS of each emulated architecture. */
static unsigned int arch_physmem_bits(enum zs_arch arch)
{
	/*
	 * SIM: x86_64 uses 46 (4-level paging); kernels built with 5-level
	 * paging use 52. It only changes how a location is packed into a long,
	 * never a class or a count at the page sizes we model.
	 */
	return arch == ZS_ARCH_ARM32 ? 32 : 46;
}

static bool is_power_of_2(unsigned int v)
{
	return v && !(v & (v - 1));
}

/* 3.18 .. 6.2: the smallest chain with the strictly best integer used%. */
static unsigned int pages_per_zspage_max_used(const struct zs_pool *pool, unsigned int size)
{
	unsigned int best_pct = 0, best = 1;

	for (unsigned int i = 1; i <= pool->chain_size; i++) {
		size_t zspage_size = i * pool->page_size;
		size_t waste = zspage_size % size;
		unsigned int pct = (unsigned int)((zspage_size - waste) * 100 / zspage_size);

		if (pct > best_pct) {
			best_pct = pct;
			best = i;
		}
	}
	return best;
}

/* 6.3+: one page for powers of two, else the smallest chain with least tail waste. */
static unsigned int pages_per_zspage_min_waste(const struct zs_pool *pool, unsigned int size)
{
	size_t min_waste = SIZE_MAX;
	unsigned int best = 1;

	if (is_power_of_2(size))
		return 1;
	for (unsigned int i = 1; i <= pool->chain_size; i++) {
		size_t waste = (i * pool->page_size) % size;

		if (waste < min_waste) {
			min_waste = waste;
			best = i;
		}
	}
	return best;
}

unsigned int get_size_class_index(const struct zs_pool *pool, size_t size)
{
	size_t idx = 0;

	if (size > pool->min_alloc)
		idx = (size - pool->min_alloc + pool->class_delta - 1) / pool->class_delta;
	/*
	 * SIM: 3.18 did not clamp, so with 16 KiB or 64 KiB pages a request just
	 * under PAGE_SIZE indexed past its class array; we clamp for every era
	 * (the top class holds one object per page either way).
	 */
	if (idx > pool->nr_classes - 1)
		idx = pool->nr_classes - 1;
	return (unsigned int)idx;
}

int zs_init_classes(struct zs_pool *pool)
{
	const struct zs_profile *p = pool->profile;
	unsigned int bits_per_long = pool->long_bytes * 8;
	unsigned int pfn_bits = arch_physmem_bits(pool->arch) - pool->page_shift;
	size_t span, min;
	struct size_class *prev = NULL;

	pool->obj_index_bits =
	    bits_per_long - pfn_bits - (p->obj_tag_in_location ? OBJ_TAG_BITS : 0);
	min = ((size_t)pool->chain_size << pool->page_shift) >> pool->obj_index_bits;
	pool->min_alloc = (unsigned int)(min > 32 ? min : 32);
	pool->class_delta = (unsigned int)(pool->page_size >> 8);
	span = pool->page_size - pool->min_alloc;
	if (p->class_count_roundup)
		pool->nr_classes =
		    (unsigned int)((span + pool->class_delta - 1) / pool->class_delta) + 1;
	else
		pool->nr_classes = (unsigned int)(span / pool->class_delta) + 1;
	if (pool->nr_classes > ZS_MAX_CLASSES)
		return -EINVAL;

	pool->huge_class_size = 0;
	for (int i = (int)pool->nr_classes - 1; i >= 0; i--) {
		size_t size = pool->min_alloc + (size_t)i * pool->class_delta;
		unsigned int ppz, objs;
		struct size_class *class;

		if (size > pool->page_size)
			size = pool->page_size;
		ppz = p->chain_rule == ZS_CHAIN_MIN_WASTE
			  ? pages_per_zspage_min_waste(pool, (unsigned int)size)
			  : pages_per_zspage_max_used(pool, (unsigned int)size);
		objs = (unsigned int)(ppz * pool->page_size / size);

		if (ppz != 1 && objs != 1 && !pool->huge_class_size) {
			/* zs_malloc adds the header before the lookup, hence the bias */
			pool->huge_class_size = size + 1 - pool->handle_header;
		}

		if (p->merges_classes && prev && prev->pages_per_zspage == ppz &&
		    prev->objs_per_zspage == objs) {
			pool->size_class[i] = prev;
			continue;
		}

		class = &pool->classes[i];
		class->index = (unsigned int)i;
		class->size = (unsigned int)size;
		class->pages_per_zspage = ppz;
		class->objs_per_zspage = objs;
		class->page_shift = pool->page_shift;
		class->huge = ppz == 1 && objs == 1;
		for (unsigned int g = 0; g < ZS_MAX_FULLNESS; g++)
			zs_list_init(&class->fullness_list[g]);
		pool->size_class[i] = class;
		prev = class;
	}
	return 0;
}

/*
 * get_fullness_group(): enum fullness_group for the 4-group eras, the
 * ZS_INUSE_RATIO_* bucket for 6.3+ (zs_internal.h).
 */
unsigned int get_fullness_group(const struct zs_pool *pool, const struct size_class *class,
				unsigned int inuse)
{
	unsigned int n = class->objs_per_zspage;

	switch (pool->profile->fullness_rule) {
	case ZS_FULLNESS_RATIO:
		if (inuse == 0)
			return ZS_INUSE_RATIO_0;
		if (inuse == n)
			return ZS_INUSE_RATIO_100;
		/* an object short of 10% still counts as the 10% group, as in the kernel */
		return (100 * inuse / n) / 10 + ZS_INUSE_RATIO_10;
	case ZS_FULLNESS_QUARTER:
		if (inuse == 0)
			return ZS_EMPTY;
		if (inuse == n)
			return ZS_FULL;
		return inuse <= n / 4 ? ZS_ALMOST_EMPTY : ZS_ALMOST_FULL;
	case ZS_FULLNESS_THREE_QUARTERS:
		if (inuse == 0)
			return ZS_EMPTY;
		if (inuse == n)
			return ZS_FULL;
		return inuse <= 3 * n / 4 ? ZS_ALMOST_EMPTY : ZS_ALMOST_FULL;
	}
	return ZS_EMPTY;
}
