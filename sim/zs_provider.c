/*
 * zs_provider.c - struct zs_page_ops backed by physmem (see zs_provider.h).
 *
 * Each callback is a thin translation: gfp hints to physmem flags and migrate
 * type, and the zsmalloc page's ownership recorded on its frame. Nothing here
 * keeps state of its own: every figure lives in the physmem.
 */
#include "zs_provider.h"

#include "physmem.h"

static int zsp_alloc_page(void *ctx, unsigned int gfp, unsigned long *pfn)
{
	struct physmem *pm = ctx;
	enum physmem_mt mt = (gfp & ZS_GFP_MOVABLE) ? PHYSMEM_MT_MOVABLE : PHYSMEM_MT_UNMOVABLE;
	unsigned int flags = (gfp & ZS_GFP_HIGHMEM) ? PHYSMEM_HIGHMEM : 0;
	int ret;

	ret = physmem_alloc(pm, 0, mt, flags, pfn);
	if (ret)
		return ret;
	physmem_host_touching(pm, *pfn); /* zsmalloc writes the page next */
	return physmem_set_owner(pm, *pfn, PHYSMEM_OWNER_ZSPAGE, 0);
}

static void zsp_free_page(void *ctx, unsigned long pfn)
{
	physmem_free(ctx, pfn, 0);
}

static void *zsp_page_address(void *ctx, unsigned long pfn)
{
	return physmem_page_address(ctx, pfn);
}

static void **zsp_page_private(void *ctx, unsigned long pfn)
{
	return physmem_page_private(ctx, pfn);
}

static void zsp_set_movable(void *ctx, unsigned long pfn, struct zs_pool *pool)
{
	/* a page that is not a zsmalloc page of ours is left alone */
	(void)physmem_set_zs_pool(ctx, pfn, pool);
}

static const struct zs_page_ops zsp_ops = {
    .alloc_page = zsp_alloc_page,
    .free_page = zsp_free_page,
    .page_address = zsp_page_address,
    .page_private = zsp_page_private,
    .set_movable = zsp_set_movable,
};

const struct zs_page_ops *zs_provider_ops(void)
{
	return &zsp_ops;
}
