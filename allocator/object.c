/*
 * object.c - objects inside a zspage: where they live, the in-object free
 * list, the handle header (reverse map) and copies across page boundaries.
 *
 * Models obj_malloc(), obj_free(), obj_allocated(), zs_object_copy(),
 * location_to_obj() and obj_to_location() of 3.18 .. 6.12.
 *
 * Words stored in pages have the emulated architecture's width (4 bytes on
 * arm32, 8 on x86_64), so headers and free links occupy exactly what they
 * occupy in the kernel.
 *
 * SIM: every era's free link here is (next index << OBJ_TAG_BITS), the 4.8+
 * encoding. Before 4.8 the link held the next object's encoded location;
 * the order of the list (address order at creation, LIFO after) is the same,
 * and nothing observable depends on the encoding.
 */
#include <string.h>

#include "zs_internal.h"

void obj_location(const struct size_class *class, unsigned int obj_idx, unsigned int *page_idx,
		  unsigned int *offset)
{
	size_t off = (size_t)obj_idx * class->size;

	*page_idx = (unsigned int)(off >> class->page_shift);
	*offset = (unsigned int)(off & (((size_t)1 << class->page_shift) - 1));
}

unsigned long read_word(const struct zs_pool *pool, const uint8_t *p)
{
	if (pool->long_bytes == 4) {
		uint32_t v;

		memcpy(&v, p, sizeof(v));
		return v;
	}
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return (unsigned long)v;
}

void write_word(const struct zs_pool *pool, uint8_t *p, unsigned long v)
{
	if (pool->long_bytes == 4) {
		uint32_t w = (uint32_t)v;

		memcpy(p, &w, sizeof(w));
		return;
	}
	uint64_t w = v;

	memcpy(p, &w, sizeof(w));
}

static uint8_t *obj_addr(const struct zs_pool *pool, const struct zspage *zspage,
			unsigned int obj_idx)
{
	unsigned int page_idx, off;

	obj_location(zspage->class, obj_idx, &page_idx, &off);
	return zspage_page_addr(pool, zspage, page_idx) + off;
}

/*
 * SIM: with no page contents (pool->no_contents) the word lives in
 * zspage_words(), truncated to the emulated width as a store into the page
 * would truncate it.
 */
unsigned long get_obj_word(const struct zs_pool *pool, const struct zspage *zspage,
			   unsigned int obj_idx)
{
	if (pool->no_contents)
		return zspage_words(zspage)[obj_idx];
	return read_word(pool, obj_addr(pool, zspage, obj_idx));
}

void set_obj_word(const struct zs_pool *pool, struct zspage *zspage, unsigned int obj_idx,
		  unsigned long v)
{
	if (pool->no_contents)
		zspage_words(zspage)[obj_idx] = pool->long_bytes == 4 ? (v & 0xffffffffUL) : v;
	else
		write_word(pool, obj_addr(pool, zspage, obj_idx), v);
}

unsigned int obj_malloc(struct zs_pool *pool, struct zspage *zspage, unsigned long handle)
{
	unsigned int idx = zspage->freeobj;
	unsigned long link;

	ZS_BUG_ON(zspage_full(zspage->class, zspage));
	link = get_obj_word(pool, zspage, idx);
	zspage->freeobj = (unsigned int)(link >> OBJ_TAG_BITS);
	if (zspage->huge)
		zspage->huge_handle = handle | OBJ_ALLOCATED_TAG;
	else if (zs_has_header(pool))
		set_obj_word(pool, zspage, idx, handle | OBJ_ALLOCATED_TAG);
	zspage->inuse++;
	return idx;
}

void obj_free(struct zs_pool *pool, struct zspage *zspage, unsigned int obj_idx)
{
	if (zspage->huge)
		zspage->huge_handle = 0;
	else
		set_obj_word(pool, zspage, obj_idx,
			     (unsigned long)zspage->freeobj << OBJ_TAG_BITS);
	zspage->freeobj = obj_idx;
	ZS_BUG_ON(zspage->inuse == 0);
	zspage->inuse--;
}

bool obj_allocated(const struct zs_pool *pool, const struct zspage *zspage, unsigned int obj_idx,
		   unsigned long *handle)
{
	unsigned long head;

	if (zspage->huge)
		head = zspage->huge_handle;
	else
		head = get_obj_word(pool, zspage, obj_idx);
	if (!(head & OBJ_ALLOCATED_TAG))
		return false;
	*handle = head & ~OBJ_ALLOCATED_TAG;
	if (pool->long_bytes == 4)
		*handle &= 0xffffffffUL;
	return true;
}

/* Copy class->size bytes between two slots, either of which may straddle pages. */
void zs_object_copy(struct zs_pool *pool, struct zspage *dst, unsigned int d_idx,
		    struct zspage *src, unsigned int s_idx)
{
	const struct size_class *class = src->class;
	unsigned int s_page, s_off, d_page, d_off;
	size_t left = class->size;

	if (pool->no_contents) { /* the header is all there is to copy */
		zspage_words(dst)[d_idx] = zspage_words(src)[s_idx];
		return;
	}
	obj_location(class, s_idx, &s_page, &s_off);
	obj_location(class, d_idx, &d_page, &d_off);
	while (left) {
		size_t s_room = pool->page_size - s_off, d_room = pool->page_size - d_off;
		size_t n = left;

		if (n > s_room)
			n = s_room;
		if (n > d_room)
			n = d_room;
		memcpy(zspage_page_addr(pool, dst, d_page) + d_off,
		       zspage_page_addr(pool, src, s_page) + s_off, n);
		left -= n;
		s_off += (unsigned int)n;
		d_off += (unsigned int)n;
		if (s_off == pool->page_size) {
			s_page++;
			s_off = 0;
		}
		if (d_off == pool->page_size) {
			d_page++;
			d_off = 0;
		}
	}
}

/* Index, among the objects that start in page page_idx, of zspage object 0 of that page. */
static unsigned int first_obj_in_page(const struct zs_pool *pool, const struct size_class *class,
				      unsigned int page_idx)
{
	size_t start = (size_t)page_idx * pool->page_size;

	return (unsigned int)((start + class->size - 1) / class->size);
}

unsigned long location_to_obj(const struct zs_pool *pool, const struct zspage *zspage,
			      unsigned int obj_idx)
{
	const struct zs_profile *p = pool->profile;
	unsigned int page_idx, off;
	unsigned long obj, idx = obj_idx;

	obj_location(zspage->class, obj_idx, &page_idx, &off);
	if (!p->obj_idx_per_zspage)
		idx = obj_idx - first_obj_in_page(pool, zspage->class, page_idx);
	if (p->handle_mode == ZS_HANDLE_DIRECT)
		idx += 1; /* 3.18 keeps a handle non-zero for pfn 0 */
	obj = ((unsigned long)zspage->pages[page_idx] << pool->obj_index_bits) |
	      (idx & ((1UL << pool->obj_index_bits) - 1));
	if (p->obj_tag_in_location)
		obj <<= OBJ_TAG_BITS;
	return obj;
}

/* obj's frame number and its index field (before the pre-4.8 per-page correction). */
static unsigned long obj_decode(const struct zs_pool *pool, unsigned long obj, unsigned long *idx)
{
	const struct zs_profile *p = pool->profile;

	if (p->obj_tag_in_location)
		obj >>= OBJ_TAG_BITS;
	*idx = obj & ((1UL << pool->obj_index_bits) - 1);
	if (p->handle_mode == ZS_HANDLE_DIRECT)
		*idx -= 1;
	return obj >> pool->obj_index_bits;
}

/* idx counted from the start of frame pfn of zspage: before 4.8, add the page's first object. */
static unsigned int obj_index_of(const struct zs_pool *pool, const struct zspage *zspage,
				 unsigned long pfn, unsigned long idx)
{
	if (!pool->profile->obj_idx_per_zspage) {
		unsigned int page_idx;

		for (page_idx = 0; page_idx < zspage->nr_pages; page_idx++)
			if (zspage->pages[page_idx] == pfn)
				break;
		idx += first_obj_in_page(pool, zspage->class, page_idx);
	}
	return (unsigned int)idx;
}

unsigned int obj_index_in(const struct zs_pool *pool, unsigned long obj,
			  const struct zspage *zspage)
{
	unsigned long idx, pfn = obj_decode(pool, obj, &idx);

	return obj_index_of(pool, zspage, pfn, idx);
}

struct zspage *obj_to_location(const struct zs_pool *pool, unsigned long obj, unsigned int *obj_idx)
{
	unsigned long idx, pfn = obj_decode(pool, obj, &idx);
	struct zspage *zspage = zs_page_to_zspage(pool, pfn);

	if (!zspage)
		return NULL;
	*obj_idx = obj_index_of(pool, zspage, pfn, idx);
	return zspage;
}
