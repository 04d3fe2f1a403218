/*
 * trace_bin_internal.h - what the binary trace's reader (trace_bin.c) and
 * writer (trace_bin_write.c) share: the format's constants, the op-code and
 * ID-namespace tables, and the checks both sides apply to metadata. The
 * format itself is described at the head of trace_bin.c and in
 * traces/FORMAT.md.
 */
#ifndef ZSFRAG_TRACE_BIN_INTERNAL_H
#define ZSFRAG_TRACE_BIN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "trace_bin.h"

#define BIN_BUF_SIZE   (256 * 1024) /* bytes */
#define BIN_RECORD_MAX 256	    /* bytes: tag + 3 varints + label, with room */
#define BIN_ERR_MAX    512
#define BIN_VARINT_MAX 10
#define BIN_TAG_TIME   0x10
#define BIN_TAG_OPMASK 0x0f
#define BIN_TAG_NEW    0x20 /* a, w: the allocation takes a new zspage (new_zspage);
			     * p: a page swapped out, a SLOT delta follows (swapped_out) */
#define BIN_CODE_ALLOC 1
#define BIN_CODE_WRITE 3
#define BIN_CODE_PUT   8
#define BIN_NS_COUNT   4
#define BIN_BATCH      64 /* records decoded ahead, so their liveness slots can be prefetched */

_Static_assert(BIN_BUF_SIZE > TRACE_BIN_VALUE_MAX + 2 * BIN_VARINT_MAX + TRACE_TEXT_KEY_MAX,
	       "a metadata entry must fit the buffer");

enum bin_ns { BIN_NS_OBJECT, BIN_NS_SLOT, BIN_NS_BLOCK, BIN_NS_PID, BIN_NS_NONE };

/* Op code -> text letter, and the namespace of its ID field. */
static const char bin_ops[16] = {0,   'a', 'f', 'w', 'z', 'r', 'd', 'g',
				 'p', 'k', 'x', 'c', 's', 'v', 'F', 'y'};

static inline enum bin_ns bin_op_ns(enum sim_op op)
{
	switch (op) {
	case SIM_OP_ALLOC:
	case SIM_OP_FREE:
		return BIN_NS_OBJECT;
	case SIM_OP_WRITE:
	case SIM_OP_WRITE_SAME:
	case SIM_OP_READ:
	case SIM_OP_DISCARD:
		return BIN_NS_SLOT;
	case SIM_OP_GET:
	case SIM_OP_PUT:
		return BIN_NS_BLOCK;
	case SIM_OP_FORK:
	case SIM_OP_EXIT:
		return BIN_NS_PID;
	default:
		return BIN_NS_NONE;
	}
}

static inline int bin_op_code(enum sim_op op)
{
	for (int i = 1; i < (int)sizeof(bin_ops); i++)
		if (bin_ops[i] == (char)op)
			return i;
	return -1;
}

static const char bin_mtypes[3] = {SIM_MT_UNMOVABLE, SIM_MT_MOVABLE, SIM_MT_RECLAIMABLE};

/* ---- checks shared by reader and writer ---- */

static inline bool bin_key_ok(const char *k, size_t len)
{
	if (!len || len > TRACE_TEXT_KEY_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return false;
	return true;
}

/* As the text writer: non-empty, no control byte but tab, no blank at either edge. */
static inline bool bin_value_ok(const char *v, size_t len)
{
	if (!len || len > TRACE_BIN_VALUE_MAX)
		return false;
	if (v[0] == ' ' || v[0] == '\t' || v[len - 1] == ' ' || v[len - 1] == '\t')
		return false;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)v[i] < 0x20 && v[i] != '\t') || v[i] == 0x7f)
			return false;
	return true;
}

/* page_size value: 4096, 16384 or 65536 written in canonical decimal. */
static inline size_t bin_page_size(const char *v, size_t len)
{
	if (len == 4 && !memcmp(v, "4096", 4))
		return 4096;
	if (len == 5 && !memcmp(v, "16384", 5))
		return 16384;
	if (len == 5 && !memcmp(v, "65536", 5))
		return 65536;
	return 0;
}

static inline uint64_t bin_zigzag_dec(uint64_t n)
{
	return (n >> 1) ^ (0 - (n & 1));
}

static inline uint64_t bin_zigzag_enc(uint64_t delta)
{
	return (delta << 1) ^ (0 - (delta >> 63));
}

#endif /* ZSFRAG_TRACE_BIN_INTERNAL_H */
