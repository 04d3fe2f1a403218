/*
 * procmem_internal.h - what procmem.c (processes, the tracker) and
 * procmem_core.c (core dumps) share: a snapshot's page list.
 */
#ifndef ZSFRAG_PROCMEM_INTERNAL_H
#define ZSFRAG_PROCMEM_INTERNAL_H

#include <stdint.h>

#include "procmem.h"

/* Add the page at addr (bytes at page) to s: hashed and compressed by c. 0, -ENOMEM or -EIO. */
int mem_add(struct mem_snapshot *s, struct mem_compress *c, uint64_t addr, const void *page);

/* qsort order of struct mem_page: by address. */
int mem_page_cmp(const void *a, const void *b);

#endif /* ZSFRAG_PROCMEM_INTERNAL_H */
