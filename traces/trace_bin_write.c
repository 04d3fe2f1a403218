/*
 * trace_bin_write.c - the binary trace writer (format at the head of
 * trace_bin.c and in traces/FORMAT.md): metadata checked as the reader checks
 * it, one record per event with ID deltas per namespace, and the end record
 * with the event count.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace_bin.h"
#include "trace_bin_internal.h"

struct trace_bin_writer {
	FILE *f;
	uint64_t time_ns;
	uint64_t prev_id[BIN_NS_COUNT];
	uint64_t records;
};

static inline uint8_t *bin_put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

int trace_bin_writer_open(FILE *f, const struct trace_meta *meta, size_t n,
			  struct trace_bin_writer **out)
{
	struct trace_bin_writer *w;
	uint8_t hdr[TRACE_BIN_MAGIC_LEN + 4 + BIN_VARINT_MAX], *p;

	*out = NULL;
	if (n > TRACE_TEXT_META_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!meta[i].key || !meta[i].value ||
		    !bin_key_ok(meta[i].key, strlen(meta[i].key)) ||
		    !bin_value_ok(meta[i].value, strlen(meta[i].value)))
			return -EINVAL;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(meta[i].key, meta[j].key))
				return -EINVAL;
		if (!strcmp(meta[i].key, "page_size") &&
		    !bin_page_size(meta[i].value, strlen(meta[i].value)))
			return -EINVAL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->f = f;
	memcpy(hdr, TRACE_BIN_MAGIC, TRACE_BIN_MAGIC_LEN);
	p = hdr + TRACE_BIN_MAGIC_LEN;
	*p++ = TRACE_BIN_VERSION & 0xff;
	*p++ = TRACE_BIN_VERSION >> 8;
	*p++ = 0;
	*p++ = 0;
	p = bin_put_varint(p, n);
	if (fwrite(hdr, 1, (size_t)(p - hdr), f) != (size_t)(p - hdr))
		goto fail_io;
	for (size_t i = 0; i < n; i++) {
		uint8_t len[BIN_VARINT_MAX];
		size_t kl = strlen(meta[i].key), vl = strlen(meta[i].value);
		size_t ll = (size_t)(bin_put_varint(len, kl) - len);

		if (fwrite(len, 1, ll, f) != ll || fwrite(meta[i].key, 1, kl, f) != kl)
			goto fail_io;
		ll = (size_t)(bin_put_varint(len, vl) - len);
		if (fwrite(len, 1, ll, f) != ll || fwrite(meta[i].value, 1, vl, f) != vl)
			goto fail_io;
	}
	*out = w;
	return 0;
fail_io:
	free(w);
	return -EIO;
}

int trace_bin_writer_event(struct trace_bin_writer *w, const struct sim_event *ev)
{
	uint8_t rec[BIN_RECORD_MAX], *p = rec;
	int code = bin_op_code(ev->op);
	enum bin_ns ns;

	if (code < 0)
		return -EINVAL;
	ns = bin_op_ns(ev->op);
	if (ns != BIN_NS_NONE && ev->id >= TRACE_TEXT_ID_LIMIT)
		return -EINVAL;
	if (ev->has_time && ev->time_ns < w->time_ns)
		return -EINVAL;
	switch (ev->op) {
	case SIM_OP_ALLOC:
	case SIM_OP_WRITE:
		if (ev->size < 1 || ev->size > 65536)
			return -EINVAL;
		break;
	case SIM_OP_GET:
		if (ev->order > TRACE_TEXT_ORDER_MAX || !memchr(bin_mtypes, ev->mtype, 3) ||
		    !ev->mtype)
			return -EINVAL;
		break;
	case SIM_OP_COMPACT_STEP:
		if (ev->id >= TRACE_TEXT_ID_LIMIT)
			return -EINVAL;
		break;
	case SIM_OP_FORK_PROBE:
		if (ev->id < 1 || ev->id > SIM_FORK_PROBE_MAX)
			return -EINVAL;
		/* fall through */
	case SIM_OP_SNAPSHOT:
		if (trace_check_label(ev->label))
			return -EINVAL;
		break;
	default:
		break;
	}
	if (ev->new_zspage && ev->op != SIM_OP_ALLOC && ev->op != SIM_OP_WRITE)
		return -EINVAL;
	if (ev->swapped_out && (ev->op != SIM_OP_PUT || ev->slot >= TRACE_TEXT_ID_LIMIT))
		return -EINVAL;
	*p++ = (uint8_t)(code | (ev->has_time ? BIN_TAG_TIME : 0) |
			 (ev->new_zspage || ev->swapped_out ? BIN_TAG_NEW : 0));
	if (ev->has_time) {
		p = bin_put_varint(p, ev->time_ns - w->time_ns);
		w->time_ns = ev->time_ns;
	}
	if (ns != BIN_NS_NONE) {
		p = bin_put_varint(p, bin_zigzag_enc(ev->id - w->prev_id[ns]));
		w->prev_id[ns] = ev->id;
	}
	if (ev->op == SIM_OP_ALLOC || ev->op == SIM_OP_WRITE) {
		p = bin_put_varint(p, ev->size);
	} else if (ev->op == SIM_OP_COMPACT_STEP) {
		p = bin_put_varint(p, ev->id);
	} else if (ev->op == SIM_OP_PUT && ev->swapped_out) {
		p = bin_put_varint(p, bin_zigzag_enc(ev->slot - w->prev_id[BIN_NS_SLOT]));
		w->prev_id[BIN_NS_SLOT] = ev->slot;
	} else if (ev->op == SIM_OP_GET) {
		*p++ =
		    (uint8_t)(ev->order |
			      (uint8_t)((const char *)memchr(bin_mtypes, ev->mtype, 3) - bin_mtypes)
				  << 4);
	} else if (ev->op == SIM_OP_SNAPSHOT || ev->op == SIM_OP_FORK_PROBE) {
		size_t l = strlen(ev->label);

		if (ev->op == SIM_OP_FORK_PROBE)
			p = bin_put_varint(p, ev->id);
		p = bin_put_varint(p, l);
		memcpy(p, ev->label, l);
		p += l;
	}
	w->records++;
	return fwrite(rec, 1, (size_t)(p - rec), w->f) == (size_t)(p - rec) ? 0 : -EIO;
}

int trace_bin_writer_close(struct trace_bin_writer *w)
{
	uint8_t rec[1 + BIN_VARINT_MAX], *p = rec;
	int rc;

	if (!w)
		return 0;
	*p++ = 0;
	p = bin_put_varint(p, w->records);
	rc = fwrite(rec, 1, (size_t)(p - rec), w->f) == (size_t)(p - rec) ? 0 : -EIO;
	free(w);
	return rc;
}
