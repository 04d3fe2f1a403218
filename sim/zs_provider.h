/*
 * zs_provider.h - the page provider zsmalloc pools use inside the simulator:
 * struct zs_page_ops over emulated physical memory (physmem).
 *
 * alloc_page takes an order-0 block: MOVABLE migrate type when the gfp has
 * ZS_GFP_MOVABLE (zram 4.8+), UNMOVABLE otherwise; HighMem allowed when it
 * has ZS_GFP_HIGHMEM. The page is owned by PHYSMEM_OWNER_ZSPAGE; set_movable
 * records the pool on the frame so kcompact can migrate it through
 * zs_page_isolate/zs_page_migrate/zs_page_putback. The context pointer is
 * the struct physmem itself.
 */
#ifndef ZSFRAG_SIM_ZS_PROVIDER_H
#define ZSFRAG_SIM_ZS_PROVIDER_H

#include "zsmalloc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The ops table; pass the struct physmem * as ctx to zs_create_pool(). */
const struct zs_page_ops *zs_provider_ops(void);

#ifdef __cplusplus
}
#endif
#endif /* ZSFRAG_SIM_ZS_PROVIDER_H */
