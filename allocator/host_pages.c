/*
 * host_pages.c - the simplest page provider: page frames carved out of one
 * host mapping, handed out lowest frame first and reused LIFO.
 *
 * For unit tests, benchmarks and the `classes` command, where no physical
 * memory model is wanted. sim/ has the buddy-backed provider.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "zsmalloc.h"

struct zs_host_pages {
	size_t page_size; /* bytes */
	unsigned long max_pages;
	unsigned long used;	   /* pages handed out */
	uint8_t *base;		   /* max_pages * page_size bytes, touched lazily */
	void **priv;		   /* page->private of each frame */
	unsigned long *free_stack; /* frames given back, most recent last */
	unsigned long nr_free;
	unsigned long next_fresh; /* first frame never handed out */
};

void zs_host_huge_hint(void *p, size_t len)
{
	const uintptr_t huge = 2u << 20;
	uintptr_t start = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t end = ((uintptr_t)p + len) & ~(huge - 1);

	if (p && end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
}

int zs_host_pages_create(size_t page_size, unsigned long max_pages, struct zs_host_pages **out)
{
	struct zs_host_pages *hp;
	void *base;

	if (!page_size || !max_pages)
		return -EINVAL;
	hp = calloc(1, sizeof(*hp));
	if (!hp)
		return -ENOMEM;
	base = mmap(NULL, page_size * max_pages, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	hp->priv = calloc(max_pages, sizeof(*hp->priv));
	hp->free_stack = calloc(max_pages, sizeof(*hp->free_stack));
	if (base == MAP_FAILED || !hp->priv || !hp->free_stack) {
		if (base != MAP_FAILED)
			munmap(base, page_size * max_pages);
		free(hp->priv);
		free(hp->free_stack);
		free(hp);
		return -ENOMEM;
	}
	hp->base = base;
	hp->page_size = page_size;
	hp->max_pages = max_pages;
	*out = hp;
	return 0;
}

void zs_host_pages_destroy(struct zs_host_pages *hp)
{
	if (!hp)
		return;
	munmap(hp->base, hp->page_size * hp->max_pages);
	free(hp->priv);
	free(hp->free_stack);
	free(hp);
}

unsigned long zs_host_pages_used(const struct zs_host_pages *hp)
{
	return hp->used;
}

static int host_alloc_page(void *ctx, unsigned int gfp, unsigned long *pfn)
{
	struct zs_host_pages *hp = ctx;

	(void)gfp;
	if (hp->nr_free)
		*pfn = hp->free_stack[--hp->nr_free];
	else if (hp->next_fresh < hp->max_pages)
		*pfn = hp->next_fresh++;
	else
		return -ENOMEM;
	hp->used++;
	return 0;
}

static void host_free_page(void *ctx, unsigned long pfn)
{
	struct zs_host_pages *hp = ctx;

	hp->free_stack[hp->nr_free++] = pfn;
	hp->used--;
}

static void *host_page_address(void *ctx, unsigned long pfn)
{
	struct zs_host_pages *hp = ctx;

	return hp->base + pfn * hp->page_size;
}

static void **host_page_private(void *ctx, unsigned long pfn)
{
	struct zs_host_pages *hp = ctx;

	return pfn < hp->max_pages ? &hp->priv[pfn] : NULL;
}

static const struct zs_page_ops host_ops = {
    .alloc_page = host_alloc_page,
    .free_page = host_free_page,
    .page_address = host_page_address,
    .page_private = host_page_private,
    .set_movable = NULL,
};

const struct zs_page_ops *zs_host_page_ops(void)
{
	return &host_ops;
}
