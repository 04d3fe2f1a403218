/*
 * capture_internal.h - what capture.c (the native "TIME TID OP" lines and the
 * conversion) shares with capture_tracefs.c (trace_pipe's own lines).
 */
#ifndef ZSFRAG_CAPTURE_INTERNAL_H
#define ZSFRAG_CAPTURE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "trace_map.h"

#define CAP_ERR_HANDLE	(UINT64_MAX - 4095) /* at or above: IS_ERR_VALUE(handle) */
#define CAP_TOKEN_SHOWN 48

/* cap_rec.flags */
#define CAP_REC_KEYED	  1u /* kt/kl moved to where the pool's lock was held (under-lock probes) */
#define CAP_REC_NEW	  2u /* M: the zs_malloc made its own zspage (create_page_chain) */
#define CAP_REC_AT_MALLOC 4u /* D: a write's, keyed at its M's obj_malloc */
#define CAP_REC_WRITE_OLD 8u /* F: the old object of a write keyed at its M */

struct cap_rec {
	uint64_t t; /* ns, the kernel's clock */
	uint64_t tid;
	/* M: size, handle; F: handle; W/R: slot, pages; D: slot; E: (int64) ret; K: pages;
	 * S: index into struct cap's readings */
	uint64_t a, b;
	uint64_t line;
	/* The order key (kt, kl, line): the record's own time and line (cap_push), or, with the
	 * under-lock probes, the time and line of the obj_malloc/obj_free that did its work */
	uint64_t kt, kl;
	char op;
	uint8_t flags; /* CAP_REC_* */
};

struct cap {
	const char *name;
	char *err;
	size_t errlen;
	struct cap_rec *recs;
	size_t n, cap;
	struct capture_stats *st;
	const struct capture_opts *o;
	size_t page_size;
	capture_emit_fn emit; /* NULL in the counting pass */
	void *ctx;
	uint64_t t0;
	/* S records: the readings and their labels */
	struct capture_reading *readings;
	char (*labels)[CAPTURE_LABEL_MAX + 1];
	size_t nreadings, readings_cap;
	/* header notes */
	bool tracefs;	      /* kit=tracefs: trace_pipe lines follow */
	bool end_announced;   /* end_line=1: a "zram-capture-end" line must close it */
	bool counter_clock;   /* trace_clock=counter: stamps are an event count, not seconds */
	bool seen_end;	      /* that line was read */
	bool steps;	      /* P records came (the kit probed compaction steps) */
	/* tracefs pairing, per thread, in the order trace_pipe gives */
	struct trace_map pend_malloc; /* tid -> size + 1 of a zs_malloc not yet returned */
	struct trace_map open_write;  /* tid -> 1 while a zram write (rw_page or bio) runs */
	/* under-lock probes (obj_malloc, obj_free, create_page_chain), per thread; values are
	 * record indexes + 1, or line numbers */
	bool under_lock;	       /* one of them came */
	struct trace_map obj_malloc;   /* tid -> line of the last obj_malloc in its zs_malloc */
	struct trace_map obj_malloc_t; /* tid -> its time */
	struct trace_map new_zspage;   /* tid -> 1: create_page_chain in its zs_malloc */
	struct trace_map last_m;       /* tid -> M index + 1, keyed, not yet claimed by a D */
	struct trace_map last_d;       /* tid -> D index + 1 whose zs_free has not come */
	struct trace_map open_free;    /* tid -> F index + 1 waiting for its obj_free */
	struct trace_map free_d;       /* tid -> the D index + 1 that F's obj_free keys too */
	struct trace_map compacting;   /* tid -> 1 between zsf_compact and its return */
};

int cap_fail(struct cap *c, uint64_t line, const char *what, const char *tok, size_t len);
size_t cap_token(const char **p, const char *end, const char **tok);
int cap_u64(const char *s, size_t len, uint64_t *out);
int cap_push(struct cap *c, const struct cap_rec *r);
/* A reading "LABEL v1 v2 ..." (mm_stat's fields) into c->readings; r->a its index. */
int cap_add_reading(struct cap *c, uint64_t line, const char *s, const char *end,
		    struct cap_rec *r);
/*
 * Every line of f into c's records (capture_read.c): 0, or the first error (-EINVAL with
 * FILE:LINE in c->err, -EIO, -ENOMEM); a capture without its header is an error.
 */
int cap_read(struct cap *c, FILE *f);
/* One trace_pipe line (capture_tracefs.c): 0 (records pushed, or none), -EINVAL, -ENOMEM. */
int cap_parse_tracefs(struct cap *c, const char *s, size_t len, uint64_t line);

#endif /* ZSFRAG_CAPTURE_INTERNAL_H */
