/*
 * physmem_split.c - split_page(): an allocated block of order N becomes
 * 2^N allocated order-0 pages, each freed on its own later. The kernel's
 * users (vmalloc's area pages, the page_frag caches, zsmalloc's grouped
 * placement in policy_grouped.c) take a contiguous run once and hand its
 * pages out one by one.
 */
#include <errno.h>

#include "physmem_internal.h"

int physmem_split_page(struct physmem *pm, unsigned long pfn, unsigned int order)
{
	struct physmem_frame *head;

	if (pfn >= pm->nr_frames || pm->frames[pfn].state != PF_ALLOC ||
	    pm->frames[pfn].order != order || pm->frames[pfn].owner != PHYSMEM_OWNER_KERNEL)
		return -EINVAL;
	head = &pm->frames[pfn];
	/* owner_pages counts pages, not blocks: the split leaves it as it is */
	for (unsigned long i = 1; i < (1ul << order); i++) {
		struct physmem_frame *f = &pm->frames[pfn + i];

		f->state = PF_ALLOC;
		f->order = 0;
		f->mt = head->mt;
		f->owner = PHYSMEM_OWNER_KERNEL;
		f->u.tag = 0;
	}
	head->order = 0;
	PHYSMEM_DEEP_CHECK(pm);
	return 0;
}
