/*
 * trace_bin.c - binary trace format v1 (traces/FORMAT.md): the reader; the
 * writer is trace_bin_write.c, what both share trace_bin_internal.h.
 *
 * Layout (all integers little-endian; "varint" is unsigned LEB128, at most
 * 10 bytes, no overlong encodings, so every value has exactly one spelling
 * and text -> binary -> text -> binary is byte-identical):
 *
 *   magic    8 bytes  89 'Z' 'S' 'F' 0d 0a 1a 0a
 *   version  u16      1
 *   flags    u16      0 (reserved)
 *   nmeta    varint   0..256 metadata entries, then each:
 *                     varint klen, key bytes, varint vlen, value bytes
 *   records  one per event: tag byte = op code (bits 0-3) | 0x10 when a time
 *            delta follows (bits 5-7 must be 0), then the op's fields
 *   end      tag 0, varint number of event records; nothing may follow
 *
 * Op codes 1..13 are a f w z r d g p k x c s v in the text table's order,
 * 14 is F (varint N, then the label as s has it).
 * IDs are zigzag varint deltas from the previous ID of the same namespace
 * (objects a/f, slots w/z/r/d, blocks g/p, pids k/x), starting from 0, with
 * wrapping arithmetic; the result must be below 2^63. Sizes are plain
 * varints; g packs ORDER | TYPE << 4 (u 0, m 1, r 2) into one byte; s is a
 * varint length and the label bytes. Times are deltas from the latest time,
 * so a binary trace cannot go backwards; a sum past 2^64 - 1 is an error.
 *
 * Reader: a BIN_BUF_SIZE buffer refilled with fread(), kept at least
 * BIN_RECORD_MAX bytes ahead of the cursor unless the stream ended, so a
 * record decodes from memory with only end-of-buffer checks; a record cut by
 * the end of the stream is "truncated". Records are decoded BIN_BATCH at a
 * time and the liveness slot of each is prefetched: the liveness check is a
 * hash lookup per a/f/g/p/k/x event, a cache miss on a big trace, and was
 * most of the reading time before. Faults are still reported in file
 * order. The first error is kept and returned again by every later call, as
 * in the text reader.
 */
#include "trace_bin.h"
#include "trace_bin_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* ---- reader ---- */

struct bin_meta {
	char *key; /* NUL-terminated, value follows in the same block */
	char *value;
};

struct trace_bin_reader {
	FILE *f;
	char *name;
	uint8_t *buf;	  /* BIN_BUF_SIZE bytes */
	size_t pos, end;  /* unread bytes are buf[pos, end) */
	uint64_t base;	  /* stream offset of buf[0] */
	bool file_eof;	  /* fread() returned 0: buf holds the rest */
	int state;	  /* 0 reading, 1 end record read, < 0 the kept error */
	bool resumable;	  /* the kept error is about a whole, skipped record */
	uint64_t time_ns; /* latest time */
	uint64_t prev_id[BIN_NS_COUNT];
	uint64_t records; /* event records read */
	size_t page_size; /* bytes */
	/* decoded ahead, liveness not yet applied: batch[bhead, bcount) */
	struct sim_event batch[BIN_BATCH];
	uint64_t batch_off[BIN_BATCH]; /* stream offset of each record */
	size_t bhead, bcount;
	int pend_state; /* what stopped the batch: 1 end, < 0 a fault, 0 none */
	bool pend_resumable;
	char pend_msg[BIN_ERR_MAX];
	struct bin_meta *meta;
	size_t meta_count;
	struct trace_live live;
	char errmsg[BIN_ERR_MAX];
};

static int bin_fail_rc(struct trace_bin_reader *b, int rc, uint64_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int bin_fail_rc(struct trace_bin_reader *b, int rc, uint64_t off, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(b->errmsg, sizeof(b->errmsg), "%s: offset %" PRIu64 ": ", b->name, off);

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(b->errmsg))
		vsnprintf(b->errmsg + n, sizeof(b->errmsg) - (size_t)n, fmt, ap);
	va_end(ap);
	b->state = rc;
	return rc;
}

#define bin_fail(b, off, ...) bin_fail_rc(b, -EINVAL, off, __VA_ARGS__)

static inline uint64_t bin_off(const struct trace_bin_reader *b)
{
	return b->base + b->pos;
}

/* Make at least want bytes readable at pos unless the stream ends first. 0 or -EIO. */
static int bin_fill(struct trace_bin_reader *b, size_t want)
{
	while (b->end - b->pos < want && !b->file_eof) {
		size_t got;

		if (b->pos) {
			memmove(b->buf, b->buf + b->pos, b->end - b->pos);
			b->base += b->pos;
			b->end -= b->pos;
			b->pos = 0;
		}
		got = fread(b->buf + b->end, 1, BIN_BUF_SIZE - b->end, b->f);
		b->end += got;
		if (!got) {
			if (ferror(b->f))
				return bin_fail_rc(b, -EIO, bin_off(b), "read error");
			b->file_eof = true;
		}
	}
	return 0;
}

/*
 * Varint at buf[*p, end): 0, -1 truncated, -2 longer than 10 bytes or above
 * 2^64 - 1, -3 overlong (a zero last byte after the first).
 */
static inline int bin_varint(const uint8_t *buf, size_t *p, size_t end, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = *p;

	for (unsigned int shift = 0, n = 0;; shift += 7, n++) {
		uint8_t c;

		if (i >= end)
			return -1;
		if (n == BIN_VARINT_MAX)
			return -2;
		c = buf[i++];
		if (n == BIN_VARINT_MAX - 1 && c > 1)
			return -2;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			if (!c && n)
				return -3;
			break;
		}
	}
	*p = i;
	*out = v;
	return 0;
}

static int bin_field_fail(struct trace_bin_reader *b, size_t *p, const char *what, int rc)
    __attribute__((noinline, cold));
static int bin_field_slow(struct trace_bin_reader *b, size_t *p, const char *what, uint64_t *out);

/* A varint field called what; on failure the message names it and its offset. */
static inline __attribute__((always_inline)) int bin_field(struct trace_bin_reader *b, size_t *p,
							   const char *what, uint64_t *out)
{
	size_t i = *p;

	/* One-byte varints are most fields of most records: take them first. */
	if (i < b->end && b->buf[i] < 0x80) {
		*out = b->buf[i];
		*p = i + 1;
		return 0;
	}
	return bin_field_slow(b, p, what, out);
}

static int bin_field_slow(struct trace_bin_reader *b, size_t *p, const char *what, uint64_t *out)
{
	int rc;

	*out = 0; /* so that no caller reads an unset value on the error path */
	rc = bin_varint(b->buf, p, b->end, out);
	return rc ? bin_field_fail(b, p, what, rc) : 0;
}

static int bin_field_fail(struct trace_bin_reader *b, size_t *p, const char *what, int rc)
{
	if (rc == -1)
		return bin_fail(b, b->base + *p, "truncated file, %s cut short", what);
	if (rc == -2)
		return bin_fail(b, b->base + *p, "corrupt varint in %s, longer than 64 bits", what);
	return bin_fail(b, b->base + *p, "corrupt varint in %s, overlong encoding", what);
}

/* One metadata entry's key, at offset at: checked, not a repeat, copied into a new entry of
 * b->meta (value NULL until bin_meta_value); *klen is its length. */
static int bin_meta_key(struct trace_bin_reader *b, uint64_t at, uint64_t *klen)
{
	const char *key;
	size_t p;
	char *mem;
	int rc;

	if ((rc = bin_fill(b, BIN_VARINT_MAX + TRACE_TEXT_KEY_MAX + 1)))
		return rc;
	p = b->pos;
	if ((rc = bin_field(b, &p, "metadata key length", klen)))
		return rc;
	if (*klen < 1 || *klen > TRACE_TEXT_KEY_MAX)
		return bin_fail(b, at, "malformed metadata, key length %" PRIu64 " outside 1..64",
				*klen);
	if (b->end - p < *klen)
		return bin_fail(b, b->base + p, "truncated file, metadata key cut short");
	key = (const char *)b->buf + p;
	if (!bin_key_ok(key, (size_t)*klen))
		return bin_fail(b, b->base + p,
				"malformed metadata, KEY must be 1..64 of [a-z0-9_]");
	for (size_t j = 0; j < b->meta_count; j++)
		if (strlen(b->meta[j].key) == *klen && !memcmp(b->meta[j].key, key, *klen))
			return bin_fail(b, b->base + p, "duplicate metadata key (%.*s)", (int)*klen,
					key);
	/* Keep the key while the value is fetched: copy it first. */
	mem = malloc((size_t)*klen + 1);
	if (!mem)
		return bin_fail_rc(b, -ENOMEM, at, "out of memory");
	memcpy(mem, key, (size_t)*klen);
	mem[*klen] = '\0';
	b->meta[b->meta_count].key = mem;
	b->meta[b->meta_count].value = NULL;
	b->meta_count++;
	b->pos = p + (size_t)*klen;
	return 0;
}

/* The value of the last entry, whose key (klen bytes) bin_meta_key read at offset at: checked,
 * stored after the key in one block; page_size is also taken as the trace's. */
static int bin_meta_value(struct trace_bin_reader *b, uint64_t at, uint64_t klen)
{
	struct bin_meta *m = &b->meta[b->meta_count - 1];
	const char *val;
	uint64_t vlen;
	size_t p;
	char *mem;
	int rc;

	if ((rc = bin_fill(b, BIN_VARINT_MAX)))
		return rc;
	p = b->pos;
	if ((rc = bin_field(b, &p, "metadata value length", &vlen)))
		return rc;
	if (vlen < 1 || vlen > TRACE_BIN_VALUE_MAX)
		return bin_fail(b, b->base + b->pos,
				"malformed metadata, value length %" PRIu64 " outside 1..65535",
				vlen);
	b->pos = p;
	if ((rc = bin_fill(b, (size_t)vlen)))
		return rc;
	if (b->end - b->pos < vlen)
		return bin_fail(b, bin_off(b), "truncated file, metadata value cut short");
	val = (const char *)b->buf + b->pos;
	if (!bin_value_ok(val, (size_t)vlen))
		return bin_fail(b, bin_off(b),
				"malformed metadata value for %s: empty, control byte or "
				"blank at an edge",
				m->key);
	if (!strcmp(m->key, "page_size")) {
		b->page_size = bin_page_size(val, (size_t)vlen);
		if (!b->page_size)
			return bin_fail(b, bin_off(b),
					"unsupported page_size, expected 4096, 16384 or 65536");
	}
	mem = realloc(m->key, (size_t)klen + 1 + (size_t)vlen + 1);
	if (!mem)
		return bin_fail_rc(b, -ENOMEM, at, "out of memory");
	m->key = mem;
	m->value = mem + klen + 1;
	memcpy(mem + klen + 1, val, (size_t)vlen);
	mem[klen + 1 + vlen] = '\0';
	b->pos += (size_t)vlen;
	return 0;
}

static int bin_read_meta(struct trace_bin_reader *b)
{
	uint64_t count;
	size_t p;
	int rc;

	if ((rc = bin_fill(b, BIN_VARINT_MAX)))
		return rc;
	p = b->pos;
	if ((rc = bin_field(b, &p, "metadata count", &count)))
		return rc;
	if (count > TRACE_TEXT_META_MAX)
		return bin_fail(b, bin_off(b),
				"too many metadata entries, at most 256 (%" PRIu64 ")", count);
	b->pos = p;
	b->meta = calloc(count ? count : 1, sizeof(*b->meta));
	if (!b->meta)
		return bin_fail_rc(b, -ENOMEM, bin_off(b), "out of memory");
	for (uint64_t i = 0; i < count; i++) {
		uint64_t at = bin_off(b), klen;

		if ((rc = bin_meta_key(b, at, &klen)) || (rc = bin_meta_value(b, at, klen)))
			return rc;
	}
	return 0;
}

static int bin_read_header(struct trace_bin_reader *b)
{
	unsigned int version, flags;
	int rc;

	if ((rc = bin_fill(b, TRACE_BIN_MAGIC_LEN + 4)))
		return rc;
	if (b->end < TRACE_BIN_MAGIC_LEN && !memcmp(b->buf, TRACE_BIN_MAGIC, b->end))
		return bin_fail(b, b->end, "truncated file, magic number cut short");
	if (b->end < TRACE_BIN_MAGIC_LEN || memcmp(b->buf, TRACE_BIN_MAGIC, TRACE_BIN_MAGIC_LEN))
		return bin_fail(b, 0, "wrong magic number, not a zsfrag binary trace");
	if (b->end < TRACE_BIN_MAGIC_LEN + 4)
		return bin_fail(b, b->end, "truncated file, header cut short");
	version = b->buf[8] | (unsigned int)b->buf[9] << 8;
	flags = b->buf[10] | (unsigned int)b->buf[11] << 8;
	if (version != TRACE_BIN_VERSION)
		return bin_fail(b, 8, "unsupported binary trace version %u, this reader knows 1",
				version);
	if (flags)
		return bin_fail(b, 10, "unsupported header flags 0x%04x, expected 0", flags);
	b->pos = TRACE_BIN_MAGIC_LEN + 4;
	return bin_read_meta(b);
}

int trace_bin_open(FILE *f, const char *name, struct trace_bin_reader **out, char *err,
		   size_t errlen)
{
	struct trace_bin_reader *b;
	int rc;

	*out = NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		goto nomem;
	b->name = strdup(name ? name : "<trace>");
	b->buf = malloc(BIN_BUF_SIZE);
	if (!b->name || !b->buf) {
		trace_bin_close(b);
		goto nomem;
	}
	b->f = f;
	b->page_size = TRACE_TEXT_DEFAULT_PAGE_SIZE;
	trace_live_init(&b->live);
	rc = bin_read_header(b);
	if (rc) {
		if (err && errlen)
			snprintf(err, errlen, "%s", b->errmsg);
		trace_bin_close(b);
		return rc;
	}
	*out = b;
	return 0;
nomem:
	if (err && errlen)
		snprintf(err, errlen, "out of memory opening a trace");
	return -ENOMEM;
}

/* The end record: the count must match and nothing may follow. */
static int bin_end_record(struct trace_bin_reader *b, size_t p, uint64_t at)
{
	uint64_t count;
	int rc;

	if ((rc = bin_field(b, &p, "end record", &count)))
		return rc;
	if (count != b->records)
		return bin_fail(b, at,
				"end record counts %" PRIu64 " events, the file holds %" PRIu64,
				count, b->records);
	b->pos = p;
	if ((rc = bin_fill(b, 1)))
		return rc;
	if (b->pos != b->end)
		return bin_fail(b, bin_off(b), "data after the end record");
	b->state = 1;
	return 0;
}

/*
 * A record's tag byte at buf[*p] and the fields every event has: the op and
 * the event reset to it, its line. 1 an event follows, 0 it was the end
 * record (read and checked), < 0 error.
 */
static inline int bin_record_tag(struct trace_bin_reader *b, size_t *p, uint64_t at,
				 struct sim_event *ev)
{
	unsigned int code;

	if (b->pos == b->end)
		return bin_fail(b, at, "truncated file, no end record");
	code = b->buf[(*p)++];
	if (code & ~(BIN_TAG_OPMASK | BIN_TAG_TIME | BIN_TAG_NEW))
		return bin_fail(b, at, "unknown op, tag byte 0x%02x has reserved bits set", code);
	if (code == 0)
		return bin_end_record(b, *p, at);
	ev->has_time = code & BIN_TAG_TIME;
	ev->new_zspage = code & BIN_TAG_NEW;
	code &= BIN_TAG_OPMASK;
	/* bit 5 on p: a page swapped out, its slot follows the ID */
	ev->swapped_out = ev->new_zspage && code == BIN_CODE_PUT;
	ev->slot = 0;
	if (ev->swapped_out)
		ev->new_zspage = false;
	else if (ev->new_zspage && code != BIN_CODE_ALLOC && code != BIN_CODE_WRITE)
		return bin_fail(b, at, "unknown op, tag byte 0x%02x has reserved bits set",
				code | BIN_TAG_NEW | (ev->has_time ? BIN_TAG_TIME : 0));
	if (code >= sizeof(bin_ops) || !code)
		return bin_fail(b, at, "unknown op code %u", code);
	ev->op = (enum sim_op)bin_ops[code];
	ev->id = 0;
	ev->size = 0;
	ev->order = 0;
	ev->mtype = 0;
	ev->label[0] = '\0';
	ev->line = b->records + 1;
	return 1;
}

/* The label of s and F: its length, then its bytes, copied into ev->label; *len the length. */
static inline int bin_record_label(struct trace_bin_reader *b, size_t *p, uint64_t at,
				   struct sim_event *ev, uint64_t *len)
{
	uint64_t v;
	int rc;

	if ((rc = bin_field(b, p, "LABEL length", &v)))
		return rc;
	if (v < 1 || v > SIM_LABEL_MAX - 1)
		return bin_fail(b, at, "bad label, length %" PRIu64 " outside 1..127", v);
	if (b->end - *p < v)
		return bin_fail(b, b->base + *p, "truncated file, LABEL cut short");
	memcpy(ev->label, b->buf + *p, (size_t)v);
	ev->label[v] = '\0';
	*p += (size_t)v;
	*len = v;
	return 0;
}

/*
 * The op's own fields after its ID: a and w's SIZE (*size as written, before
 * it is clamped into ev->size), g's ORDER/TYPE byte, c_step's and F's N, s
 * and F's label (*size its length). Ranges that do not stop the decoding are
 * checked by bin_record_check.
 */
static inline int bin_record_fields(struct trace_bin_reader *b, size_t *p, uint64_t at,
				    struct sim_event *ev, uint64_t *size)
{
	uint64_t v;
	int rc;

	switch (ev->op) {
	case SIM_OP_ALLOC:
	case SIM_OP_WRITE:
		if ((rc = bin_field(b, p, "SIZE", size)))
			return rc;
		ev->size = *size > UINT32_MAX ? UINT32_MAX : (uint32_t)*size;
		return 0;
	case SIM_OP_GET:
		if (*p >= b->end)
			return bin_fail(b, b->base + *p, "truncated file, ORDER/TYPE cut short");
		v = b->buf[(*p)++];
		ev->order = (uint8_t)(v & 0x0f);
		ev->mtype = (v >> 4) < 3 ? bin_mtypes[v >> 4] : '?';
		return 0;
	case SIM_OP_COMPACT_STEP:
		if ((rc = bin_field(b, p, "N", &ev->id)))
			return rc;
		if (ev->id >= TRACE_TEXT_ID_LIMIT)
			return bin_fail(b, at,
					"step count out of range, must be below 2^63 (%" PRIu64 ")",
					ev->id);
		return 0;
	case SIM_OP_FORK_PROBE:
		if ((rc = bin_field(b, p, "N", &ev->id)))
			return rc;
		if (ev->id < 1 || ev->id > SIM_FORK_PROBE_MAX)
			return bin_fail(b, at, "fork count out of range 1..%d (%" PRIu64 ")",
					SIM_FORK_PROBE_MAX, ev->id);
		return bin_record_label(b, p, at, ev, size);
	case SIM_OP_SNAPSHOT:
		return bin_record_label(b, p, at, ev, size);
	case SIM_OP_PUT:
		if (!ev->swapped_out)
			return 0;
		if ((rc = bin_field(b, p, "SLOT", &v)))
			return rc;
		ev->slot = b->prev_id[BIN_NS_SLOT] + bin_zigzag_dec(v);
		b->prev_id[BIN_NS_SLOT] = ev->slot;
		return 0;
	default:
		return 0;
	}
}

/*
 * The checks on a whole record, made after it is consumed so that resume can
 * skip it: the ID's range, the SIZE against the page, g's order and type, the
 * label's bytes.
 */
static inline int bin_record_check(struct trace_bin_reader *b, const struct sim_event *ev,
				   enum bin_ns ns, uint64_t size, uint64_t at)
{
	if (ns != BIN_NS_NONE && ev->id >= TRACE_TEXT_ID_LIMIT)
		return bin_fail(b, at, "%s out of range, must be below 2^63 (%" PRIu64 ")",
				ns == BIN_NS_SLOT  ? "SLOT"
				: ns == BIN_NS_PID ? "PID"
						   : "ID",
				ev->id);
	if (ev->swapped_out && ev->slot >= TRACE_TEXT_ID_LIMIT)
		return bin_fail(b, at, "SLOT out of range, must be below 2^63 (%" PRIu64 ")",
				ev->slot);
	if ((ev->op == SIM_OP_ALLOC || ev->op == SIM_OP_WRITE) && (size < 1 || size > b->page_size))
		return bin_fail(b, at, "size out of range 1..%zu (%" PRIu64 ")", b->page_size,
				size);
	if (ev->op == SIM_OP_GET) {
		if (ev->order > TRACE_TEXT_ORDER_MAX)
			return bin_fail(b, at, "order out of range 0..10 (%u)", ev->order);
		if (ev->mtype == '?')
			return bin_fail(b, at,
					"bad migrate type code, expected 0 (u), 1 (m) or 2 (r)");
	}
	/* strlen: a NUL inside the declared length would hide the bytes after it. */
	if ((ev->op == SIM_OP_SNAPSHOT || ev->op == SIM_OP_FORK_PROBE) &&
	    (strlen(ev->label) != size || trace_check_label(ev->label)))
		return bin_fail(b, at, "bad label, bytes must be [A-Za-z0-9_.:/+-]");
	return 0;
}

/*
 * Decode one record into ev, checking everything but liveness (which the
 * batch applies when it hands the event out). 1 event (its offset in
 * *at_out), 0 end record, < 0 error.
 */
static int bin_record(struct trace_bin_reader *b, struct sim_event *ev, uint64_t *at_out)
{
	uint64_t at, v, size = 0, t = b->time_ns;
	size_t p;
	enum bin_ns ns;
	int rc;

	if ((rc = bin_fill(b, BIN_RECORD_MAX)))
		return rc;
	at = bin_off(b);
	p = b->pos;
	if ((rc = bin_record_tag(b, &p, at, ev)) != 1)
		return rc;
	if (ev->has_time) {
		if ((rc = bin_field(b, &p, "time delta", &v)))
			return rc;
		if (v > UINT64_MAX - t)
			return bin_fail(b, at, "time overflows 64 bits");
		t += v;
	}
	ns = bin_op_ns(ev->op);
	if (ns != BIN_NS_NONE) {
		if ((rc = bin_field(b, &p, "ID", &v)))
			return rc;
		ev->id = b->prev_id[ns] + bin_zigzag_dec(v);
		b->prev_id[ns] = ev->id;
	}
	if ((rc = bin_record_fields(b, &p, at, ev, &size)))
		return rc;
	/*
	 * The record is whole: from here on a fault can be skipped by resume.
	 * Time and ID deltas follow the writer whatever the checks below say.
	 */
	b->pos = p;
	b->records++;
	b->resumable = true;
	ev->time_ns = t;
	b->time_ns = t;
	if ((rc = bin_record_check(b, ev, ns, size, at)))
		return rc;
	b->resumable = false;
	*at_out = at;
	return 1;
}

/* Hint the cache with the liveness slot an event will touch. */
static void bin_prefetch(struct trace_bin_reader *b, const struct sim_event *ev)
{
	switch (ev->op) {
	case SIM_OP_ALLOC:
	case SIM_OP_FREE:
		trace_live_set_prefetch(&b->live.objects, ev->id);
		break;
	case SIM_OP_GET:
	case SIM_OP_PUT:
		trace_live_set_prefetch(&b->live.blocks, ev->id);
		break;
	case SIM_OP_FORK:
	case SIM_OP_EXIT:
		trace_live_set_prefetch(&b->live.pids, ev->id);
		break;
	default:
		break;
	}
}

/*
 * Decode up to BIN_BATCH records ahead. The first fault or the end record
 * stops the batch and is kept aside (pend_*) until the events before it have
 * been handed out, so faults still come in file order.
 */
static void bin_fill_batch(struct trace_bin_reader *b)
{
	b->bhead = b->bcount = 0;
	while (b->bcount < BIN_BATCH) {
		int rc = bin_record(b, &b->batch[b->bcount], &b->batch_off[b->bcount]);

		if (rc == 1) {
			bin_prefetch(b, &b->batch[b->bcount]);
			b->bcount++;
			continue;
		}
		b->pend_state = b->state;
		b->pend_resumable = b->resumable;
		memcpy(b->pend_msg, b->errmsg, sizeof(b->pend_msg));
		b->state = 0;
		break;
	}
}

int trace_bin_next(struct trace_bin_reader *b, struct sim_event *ev, char *err, size_t errlen)
{
	int rc;

	if (!b->state && b->bhead == b->bcount) {
		if (!b->pend_state)
			bin_fill_batch(b);
		if (b->bhead == b->bcount) {
			/* the fault or the end that stopped the batch is due now */
			b->state = b->pend_state;
			b->resumable = b->pend_resumable;
			memcpy(b->errmsg, b->pend_msg, sizeof(b->errmsg));
			b->pend_state = 0;
		}
	}
	if (b->state) {
		if (b->state < 0 && err && errlen)
			snprintf(err, errlen, "%s", b->errmsg);
		return b->state < 0 ? b->state : 0;
	}
	sim_event_copy(ev, &b->batch[b->bhead]);
	rc = trace_live_apply(&b->live, ev);
	if (rc) {
		bin_fail_rc(b, rc == -ENOMEM ? -ENOMEM : -EINVAL, b->batch_off[b->bhead],
			    "%s (%" PRIu64 ")", trace_live_what(ev, rc), ev->id);
		b->resumable = rc != -ENOMEM;
		if (err && errlen)
			snprintf(err, errlen, "%s", b->errmsg);
		return b->state; /* resume skips this event: bhead moves on then */
	}
	b->bhead++;
	return 1;
}

int trace_bin_resume(struct trace_bin_reader *b)
{
	if (b->state != -EINVAL || !b->resumable)
		return -EINVAL;
	/* a liveness fault is on the batch's current event; a decode fault was not batched */
	if (b->bhead < b->bcount)
		b->bhead++;
	b->state = 0;
	b->resumable = false;
	return 0;
}

const char *trace_bin_meta(const struct trace_bin_reader *b, const char *key)
{
	for (size_t i = 0; i < b->meta_count; i++)
		if (!strcmp(b->meta[i].key, key))
			return b->meta[i].value;
	return NULL;
}

size_t trace_bin_meta_count(const struct trace_bin_reader *b)
{
	return b->meta_count;
}

int trace_bin_meta_at(const struct trace_bin_reader *b, size_t i, const char **key,
		      const char **value)
{
	if (i >= b->meta_count)
		return -ENOENT;
	*key = b->meta[i].key;
	*value = b->meta[i].value;
	return 0;
}

size_t trace_bin_page_size(const struct trace_bin_reader *b)
{
	return b->page_size;
}

const struct trace_live *trace_bin_live(const struct trace_bin_reader *b)
{
	return &b->live;
}

uint64_t trace_bin_offset(const struct trace_bin_reader *b)
{
	return bin_off(b);
}

void trace_bin_close(struct trace_bin_reader *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->meta_count; i++)
		free(b->meta[i].key);
	free(b->meta);
	trace_live_destroy(&b->live);
	free(b->buf);
	free(b->name);
	free(b);
}
