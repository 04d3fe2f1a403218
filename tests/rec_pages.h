/*
 * rec_pages.h - a recording page provider for allocator tests: it wraps the
 * host pages (zs_host_page_ops) and checks the zs_page_ops contract the
 * kernel's migration relies on: a fresh page has a NULL private word and no
 * movable mark, a page leaves the pool with neither, only pages handed out
 * are made movable, none is handed out twice. The first breach is kept in
 * words; tests check violations == 0 and in_use against the pool's pages.
 *
 * Header-only (static functions) like test_util.h: each test is one file.
 */
#ifndef ZSFRAG_REC_PAGES_H
#define ZSFRAG_REC_PAGES_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zsmalloc.h"

struct rec {
	struct zs_host_pages *hp;
	const struct zs_page_ops *host;
	unsigned long nframes;	  /* frames the host pages have */
	struct zs_pool **movable; /* set_movable() state per frame */
	bool *allocated;
	unsigned long in_use;
	unsigned long high;	  /* one past the highest frame handed out */
	unsigned long violations; /* contract breaches seen */
	char what[128];		  /* the first breach */
};

static void rec_violation(struct rec *r, const char *what, unsigned long pfn)
{
	if (!r->violations++)
		snprintf(r->what, sizeof(r->what), "%s (pfn %lu)", what, pfn);
}

static int rec_alloc(void *ctx, unsigned int gfp, unsigned long *pfn)
{
	struct rec *r = ctx;
	int err = r->host->alloc_page(r->hp, gfp, pfn);

	if (err)
		return err;
	if (*pfn >= r->nframes) {
		rec_violation(r, "frame beyond the host pages", *pfn);
		return 0; /* not recorded: the arrays end at nframes */
	}
	if (r->allocated[*pfn])
		rec_violation(r, "frame handed out twice", *pfn);
	else if (*r->host->page_private(r->hp, *pfn) || r->movable[*pfn])
		rec_violation(r, "fresh frame with a private word or movable mark", *pfn);
	r->allocated[*pfn] = true;
	r->in_use++;
	if (*pfn + 1 > r->high)
		r->high = *pfn + 1;
	return 0;
}

static void rec_free(void *ctx, unsigned long pfn)
{
	struct rec *r = ctx;

	if (pfn >= r->nframes) {
		rec_violation(r, "free of a frame beyond the host pages", pfn);
		return;
	}
	if (!r->allocated[pfn])
		rec_violation(r, "free of a frame not handed out", pfn);
	else if (r->movable[pfn])
		rec_violation(r, "frame freed while still movable", pfn);
	else if (*r->host->page_private(r->hp, pfn))
		rec_violation(r, "frame freed with its private word set", pfn);
	r->allocated[pfn] = false;
	r->in_use--;
	r->host->free_page(r->hp, pfn);
}

static void *rec_address(void *ctx, unsigned long pfn)
{
	struct rec *r = ctx;

	return r->host->page_address(r->hp, pfn);
}

static void **rec_private(void *ctx, unsigned long pfn)
{
	struct rec *r = ctx;

	return r->host->page_private(r->hp, pfn);
}

static void rec_set_movable(void *ctx, unsigned long pfn, struct zs_pool *pool)
{
	struct rec *r = ctx;

	if (pfn >= r->nframes || !r->allocated[pfn])
		rec_violation(r, "set_movable on a frame not handed out", pfn);
	else
		r->movable[pfn] = pool;
}

static const struct zs_page_ops rec_ops = {
    .alloc_page = rec_alloc,
    .free_page = rec_free,
    .page_address = rec_address,
    .page_private = rec_private,
    .set_movable = rec_set_movable,
};

/* nframes host pages of page_size bytes behind r; 0 or -ENOMEM. */
static int rec_init(struct rec *r, size_t page_size, unsigned long nframes)
{
	memset(r, 0, sizeof(*r));
	r->host = zs_host_page_ops();
	r->nframes = nframes;
	r->movable = calloc(nframes, sizeof(*r->movable));
	r->allocated = calloc(nframes, sizeof(*r->allocated));
	if (!r->movable || !r->allocated || zs_host_pages_create(page_size, nframes, &r->hp)) {
		free(r->movable);
		free(r->allocated);
		r->hp = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void rec_fini(struct rec *r)
{
	if (r->hp)
		zs_host_pages_destroy(r->hp);
	free(r->movable);
	free(r->allocated);
	r->hp = NULL;
	r->movable = NULL;
	r->allocated = NULL;
}

#endif /* ZSFRAG_REC_PAGES_H */
