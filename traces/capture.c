/*
 * capture.c - zram-capture 1 lines -> trace events (see capture.h).
 *
 * Two passes: parse every line into struct cap_rec (capture_read.c, checking
 * the syntax, so errors name the line), sort by (time, line), then walk the records with
 * the mode's state machine and emit events. Holding the records costs 64
 * bytes a line; captures of tens of millions of lines fit in memory, and the
 * sort is what makes per-CPU interleaving harmless. With the tracefs kit's
 * under-lock probes (more than one CPU) an allocation or free, and the zram
 * write or discard it belongs to, sorts by the time and line of its
 * obj_malloc or obj_free instead (capture_tracefs.c).
 *
 * Alloc mode keeps handle -> trace ID (struct trace_map); zram mode keeps
 * tid -> open write bio (a pending M's size), also in a trace_map.
 */
#include "capture.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "capture_internal.h"

/* By the order key: (kt, kl) is (t, line) but for what the under-lock probes moved. */
static int cap_rec_cmp(const void *a, const void *b)
{
	const struct cap_rec *x = a, *y = b;

	if (x->kt != y->kt)
		return x->kt < y->kt ? -1 : 1;
	if (x->kl != y->kl)
		return x->kl < y->kl ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* An event at r's place; new_zspage: an a or w whose zs_malloc made its own zspage. */
static int cap_emit_ev(struct cap *c, const struct cap_rec *r, enum sim_op op, uint64_t id,
		       uint32_t size, bool new_zspage)
{
	struct sim_event ev = {.op = op,
			       .has_time = true,
			       .time_ns = r->kt - c->t0,
			       .id = id,
			       .size = size,
			       .new_zspage = new_zspage,
			       .line = r->line};
	int rc;

	if (!c->emit) { /* the counting pass */
		c->st->events++;
		return 0;
	}
	if (op == SIM_OP_SNAPSHOT) {
		memcpy(ev.label, c->labels[r->a], sizeof(c->labels[r->a]));
		if (c->o->reading)
			c->o->reading(c->ctx, &c->readings[r->a]);
	}
	rc = c->emit(c->ctx, &ev);

	if (rc && c->err && c->errlen && !c->err[0])
		snprintf(c->err, c->errlen, "%s:%" PRIu64 ": cannot write the event (%s)", c->name,
			 r->line, strerror(rc < 0 ? -rc : rc));
	if (!rc)
		c->st->events++;
	return rc;
}

static int cap_emit(struct cap *c, const struct cap_rec *r, enum sim_op op, uint64_t id,
		    uint32_t size)
{
	return cap_emit_ev(c, r, op, id, size, false);
}

/* The under-lock counts of an M or F record (both modes). */
static void cap_count_keyed(struct cap *c, const struct cap_rec *r)
{
	if (!c->under_lock || (r->op != 'M' && r->op != 'F'))
		return;
	if (!(r->flags & CAP_REC_KEYED))
		c->st->unkeyed += r->op == 'M' ? r->b != 0 && r->b < CAP_ERR_HANDLE : r->a != 0;
	else if (r->op == 'M')
		c->st->keyed_mallocs++;
	else
		c->st->keyed_frees++;
	if (r->op == 'M' && (r->flags & CAP_REC_NEW))
		c->st->new_zspages++;
}

static bool cap_handle_ok(uint64_t h)
{
	return h != 0 && h < CAP_ERR_HANDLE;
}

static int cap_size_check(struct cap *c, const struct cap_rec *r)
{
	char what[64];

	if (r->a >= 1 && r->a <= c->page_size)
		return 0;
	snprintf(what, sizeof(what), "size out of range 1..%zu", c->page_size);
	return cap_fail(c, r->line, what, "M", 1);
}

/*
 * The compaction open between a C and its K. With P records (compaction steps), a compaction
 * that other threads' records interleave is replayed in steps: before the first of them
 * after compaction work, `y N` (N: the compacting thread's P records since its C), and at
 * its K `y 0`; the kernel dropped its locks right there (zsmalloc.h, zs_compact_resume).
 * Without P records, or with none interleaved, it stays one `c`.
 */
struct cap_compact {
	bool open;	   /* a C whose K has not come */
	bool stepped;	   /* a y was emitted for it */
	uint64_t tid;	   /* its thread */
	uint64_t others;   /* records of other threads since */
	uint64_t steps;    /* its P records */
	uint64_t emitted;  /* steps the last y said */
};

static void cap_compact_close(struct cap *c, struct cap_compact *cc)
{
	if (cc->open && cc->others) {
		c->st->interleaved++;
		c->st->interleaved_records += cc->others;
	}
	if (cc->open && cc->stepped)
		c->st->stepped++;
	cc->open = false;
}

/* Another thread's record r inside the open compaction: where the kernel's had got. */
static int cap_compact_other(struct cap *c, const struct cap_rec *r, struct cap_compact *cc)
{
	if (r->op != 'S')
		cc->others++;
	if (!c->steps || cc->steps == cc->emitted)
		return 0;
	cc->emitted = cc->steps;
	cc->stepped = true;
	return cap_emit(c, r, SIM_OP_COMPACT_STEP, cc->steps, 0);
}

/* C, K, P, S, Z, H: alike in both modes. true when r was one of them (*rc its result). */
static bool cap_common(struct cap *c, const struct cap_rec *r, struct cap_compact *cc, int *rc)
{
	bool at_entry = c->o->compact_at == CAPTURE_COMPACT_AT_ENTRY && !c->steps;

	*rc = 0;
	if (cc->open && r->tid != cc->tid && r->op != 'P' && (*rc = cap_compact_other(c, r, cc)))
		return true;
	switch (r->op) {
	case 'C':
		c->st->compactions++;
		if (cc->open && c->steps) {
			/* compaction_in_progress: the kernel's second one returns at once */
			c->st->ignored++;
			return true;
		}
		cap_compact_close(c, cc); /* a second one at once: the first counts as is */
		*cc = (struct cap_compact){.open = true, .tid = r->tid};
		if (at_entry)
			*rc = cap_emit(c, r, SIM_OP_COMPACT, 0, 0);
		return true;
	case 'K':
		if (!cc->open || cc->tid != r->tid) {
			c->st->ignored++; /* its C came before the capture, or was lost */
			return true;
		}
		if (cc->stepped)
			*rc = cap_emit(c, r, SIM_OP_COMPACT_STEP, 0, 0);
		else if (!at_entry)
			*rc = cap_emit(c, r, SIM_OP_COMPACT, 0, 0);
		cap_compact_close(c, cc);
		return true;
	case 'P':
		c->st->steps++;
		if (cc->open && cc->tid == r->tid)
			cc->steps++;
		return true;
	case 'S':
		c->st->readings++;
		*rc = cap_emit(c, r, SIM_OP_SNAPSHOT, r->a, 0);
		return true;
	case 'Z':
		c->st->zspages_freed++;
		return true;
	case 'H':
		c->st->shrinker_calls++;
		return true;
	default:
		return false;
	}
}

static int cap_run_alloc(struct cap *c)
{
	struct trace_map handles;
	struct cap_compact cc = {0};
	uint64_t next_id = 1, id;
	int rc = 0;

	trace_map_init(&handles);
	for (size_t i = 0; i < c->n && !rc; i++) {
		const struct cap_rec *r = &c->recs[i];

		if (cap_common(c, r, &cc, &rc))
			continue;
		cap_count_keyed(c, r);
		switch (r->op) {
		case 'M':
			if (!cap_handle_ok(r->b)) {
				c->st->failed_allocs++;
				break;
			}
			if ((rc = cap_size_check(c, r)))
				break;
			if (trace_map_del(&handles, r->b, &id)) {
				/* Its free was lost: release the old object first. */
				c->st->reused_handles++;
				if ((rc = cap_emit(c, r, SIM_OP_FREE, id, 0)))
					break;
			}
			if (trace_map_put(&handles, r->b, next_id)) {
				rc = -ENOMEM;
				break;
			}
			rc = cap_emit_ev(c, r, SIM_OP_ALLOC, next_id++, (uint32_t)r->a,
					 r->flags & CAP_REC_NEW);
			break;
		case 'F':
			if (!trace_map_del(&handles, r->a, &id))
				c->st->unknown_frees++;
			else
				rc = cap_emit(c, r, SIM_OP_FREE, id, 0);
			break;
		default:
			c->st->ignored++;
			break;
		}
	}
	cap_compact_close(c, &cc);
	trace_map_destroy(&handles);
	return rc;
}

/*
 * zram mode: per thread, the open write bio. zram's write path, per page,
 * calls zs_malloc (not for a same-filled page) and then zram_free_page() on
 * the page's own slot, before storing it (6.1 and 6.12 alike): so inside a
 * write, "D SLOT" closes the page written to SLOT, and the M since the
 * previous D, if any, gave its size. Value layout: bit 0 the bracket is
 * open (so the value is never 0), bit 1 an M is pending, bits 2-21 its size.
 */
#define CAP_W_OPEN    1ULL
#define CAP_W_PENDING 2ULL
#define CAP_W_SHIFT   2
#define CAP_W_NEW     (1ULL << 40) /* the pending M's zs_malloc made its own zspage */

/*
 * zram mode keeps the live handles only to notice what the trace cannot show: a free of a
 * handle allocated before the capture (or whose M was lost) freed an object the replay
 * never had, and a handle handed out again while live means its free was lost.
 */
static int cap_zram_handle(struct cap *c, const struct cap_rec *r, struct trace_map *live)
{
	if (r->op == 'F') {
		if (!trace_map_del(live, r->a, NULL))
			c->st->unknown_frees++;
		return 0;
	}
	if (!cap_handle_ok(r->b))
		return 0;
	if (trace_map_del(live, r->b, NULL))
		c->st->reused_handles++;
	return trace_map_put(live, r->b, 1) ? -ENOMEM : 0;
}

/* One record in zram mode; in_write, w: its thread's entry in open; live: the pool's handles. */
static int cap_zram_record(struct cap *c, const struct cap_rec *r, struct trace_map *open,
			   struct trace_map *live, bool in_write, uint64_t w)
{
	int rc = 0;

	switch (r->op) {
	case 'W':
		if (in_write)
			c->st->unfinished_writes++;
		if (trace_map_put(open, r->tid, CAP_W_OPEN))
			rc = -ENOMEM;
		break;
	case 'M':
		if ((rc = cap_zram_handle(c, r, live)))
			break;
		if (!in_write) {
			c->st->outside_writes++;
		} else if (!cap_handle_ok(r->b)) {
			c->st->failed_allocs++;
		} else if (!(rc = cap_size_check(c, r))) {
			if (trace_map_put(open, r->tid,
					  CAP_W_OPEN | CAP_W_PENDING | r->a << CAP_W_SHIFT |
					      ((r->flags & CAP_REC_NEW) ? CAP_W_NEW : 0)))
				rc = -ENOMEM;
		}
		break;
	case 'D':
		if (!in_write) {
			rc = cap_emit(c, r, SIM_OP_DISCARD, r->a, 0);
			break;
		}
		/* the page written to this slot is stored */
		if (w & CAP_W_PENDING)
			rc = cap_emit_ev(c, r, SIM_OP_WRITE, r->a,
					 (uint32_t)((w & (CAP_W_NEW - 1)) >> CAP_W_SHIFT),
					 w & CAP_W_NEW);
		else
			rc = cap_emit(c, r, SIM_OP_WRITE_SAME, r->a, 0);
		if (!rc && trace_map_put(open, r->tid, CAP_W_OPEN))
			rc = -ENOMEM;
		break;
	case 'E':
		if (!in_write) {
			c->st->stray_ends++;
			break;
		}
		trace_map_del(open, r->tid, NULL);
		/* an error, or an allocation whose page was never stored */
		if ((int64_t)r->a != 0 || (w & CAP_W_PENDING))
			c->st->failed_writes++;
		break;
	case 'R':
		if (in_write) { /* a partial write's read of the old page */
			c->st->ignored++;
			break;
		}
		for (uint64_t k = 0; k < r->b && !rc; k++)
			rc = cap_emit(c, r, SIM_OP_READ, r->a + k, 0);
		break;
	case 'F': /* the trace has the slot's discard or rewrite instead */
		rc = cap_zram_handle(c, r, live);
		break;
	default:
		c->st->ignored++;
		break;
	}
	return rc;
}

/*
 * A write whose D is keyed at its M's obj_malloc is one w there: the old object's free goes
 * with it, before its own obj_free. Counted when another thread's keyed M or F came between
 * (ops: their count so far; at: tid -> ops at the D).
 */
static int cap_zram_early(struct cap *c, const struct cap_rec *r, struct trace_map *at,
			  uint64_t *ops)
{
	uint64_t v;

	if (r->op == 'D' && (r->flags & CAP_REC_AT_MALLOC))
		return trace_map_put(at, r->tid, *ops) ? -ENOMEM : 0;
	if ((r->op != 'M' && r->op != 'F') || !(r->flags & CAP_REC_KEYED))
		return 0;
	if (r->op == 'F' && (r->flags & CAP_REC_WRITE_OLD) && trace_map_del(at, r->tid, &v) &&
	    v != *ops)
		c->st->early_frees++;
	(*ops)++;
	return 0;
}

/*
 * Writes whose w went to their allocation (a D keyed at its M) and whose store, the D's own
 * place, is yet to come: a read point among them read zram's counters without them, while
 * the pool held their object already (mid_write).
 */
#define CAP_STORES 32
struct cap_stores {
	struct {
		uint64_t t, line;
	} at[CAP_STORES];
	size_t n;
};

static bool cap_pos_before(uint64_t t, uint64_t line, uint64_t kt, uint64_t kl)
{
	return t < kt || (t == kt && line < kl);
}

static void cap_zram_stores(struct cap *c, const struct cap_rec *r, struct cap_stores *s)
{
	size_t k = 0;

	/* the stores done by now (at or before r's place) are forgotten */
	for (size_t i = 0; i < s->n; i++)
		if (!cap_pos_before(s->at[i].t, s->at[i].line, r->kt, r->kl))
			s->at[k++] = s->at[i];
	s->n = k;
	if (r->op == 'S')
		c->st->mid_write += s->n;
	else if (r->op == 'D' && (r->flags & CAP_REC_AT_MALLOC) && s->n < CAP_STORES)
		s->at[s->n].t = r->t, s->at[s->n++].line = r->line;
}

static int cap_run_zram(struct cap *c)
{
	struct trace_map open, live, at;
	struct cap_compact cc = {0};
	struct cap_stores stores = {.n = 0};
	uint64_t w = 0, ops = 0;
	int rc = 0;

	trace_map_init(&open);
	trace_map_init(&live);
	trace_map_init(&at);
	for (size_t i = 0; i < c->n && !rc; i++) {
		const struct cap_rec *r = &c->recs[i];
		bool in_write = trace_map_get(&open, r->tid, &w);

		if (c->under_lock)
			cap_zram_stores(c, r, &stores);
		if (cap_common(c, r, &cc, &rc))
			continue;
		cap_count_keyed(c, r);
		if (c->under_lock && (rc = cap_zram_early(c, r, &at, &ops)))
			break;
		rc = cap_zram_record(c, r, &open, &live, in_write, w);
	}
	cap_compact_close(c, &cc);
	if (!rc)
		c->st->unfinished_writes += open.count;
	trace_map_destroy(&open);
	trace_map_destroy(&live);
	trace_map_destroy(&at);
	return rc;
}

uint64_t capture_repairs(const struct capture_stats *st, enum capture_mode mode)
{
	(void)mode; /* both modes: zram mode's trace misses those objects' frees too */
	return st->lost + st->unpaired + st->truncated + st->no_end + st->unknown_frees +
	       st->reused_handles;
}

static int cap_refuse(struct cap *c)
{
	const struct capture_stats *st = c->st;
	const struct {
		uint64_t n;
		const char *what;
	} why[] = {{st->lost, "lost events"},
		   {st->unpaired, "return lines without their entry"},
		   {st->truncated, "cut lines"},
		   {st->no_end, "missing zram-capture-end line (cut)"},
		   {st->unknown_frees, "frees of handles never allocated"},
		   {st->reused_handles, "handles reused without a free"}};
	char list[320] = "";
	size_t o = 0;

	for (size_t i = 0; i < sizeof(why) / sizeof(why[0]) && o < sizeof(list); i++)
		if (why[i].n)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%" PRIu64 " %s",
					      o ? ", " : "", why[i].n, why[i].what);
	if (c->err && c->errlen)
		snprintf(c->err, c->errlen,
			 "%s: the capture needs repairs (%s): its trace would differ from what "
			 "the kernel did; --repair converts it anyway and records the counts in "
			 "the trace's metadata",
			 c->name, list);
	return -EINVAL;
}

/* The tracefs reader's per-thread maps of the under-lock probes: set up, or freed. */
static void cap_lock_maps(struct cap *c, bool init)
{
	struct trace_map *m[] = {&c->obj_malloc, &c->obj_malloc_t, &c->new_zspage, &c->last_m,
				 &c->last_d,	 &c->open_free,	   &c->free_d,	   &c->compacting};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		if (init)
			trace_map_init(m[i]);
		else
			trace_map_destroy(m[i]);
	}
}

static int cap_run(struct cap *c)
{
	return c->o->mode == CAPTURE_MODE_ZRAM ? cap_run_zram(c) : cap_run_alloc(c);
}

int capture_convert_opts(FILE *f, const char *name, const struct capture_opts *o,
			 capture_emit_fn emit, void *ctx, struct capture_stats *st, char *err,
			 size_t errlen)
{
	struct cap c = {.name = name ? name : "<capture>",
			.err = err,
			.errlen = errlen,
			.st = st,
			.o = o,
			.page_size = o->page_size,
			.ctx = ctx};
	struct capture_stats parsed;
	int rc;

	memset(st, 0, sizeof(*st));
	if (err && errlen)
		err[0] = '\0';
	if (o->page_size != 4096 && o->page_size != 16384 && o->page_size != 65536) {
		if (err && errlen)
			snprintf(err, errlen, "%s: unsupported page size %zu", c.name, o->page_size);
		return -EINVAL;
	}
	trace_map_init(&c.pend_malloc);
	trace_map_init(&c.open_write);
	cap_lock_maps(&c, true);
	rc = cap_read(&c, f);
	if (!rc && c.end_announced && !c.seen_end)
		st->no_end = 1;
	if (!rc) {
		for (size_t i = 1; i < c.n; i++)
			st->reordered += c.recs[i].t < c.recs[i - 1].t;
		if (c.n)
			qsort(c.recs, c.n, sizeof(*c.recs), cap_rec_cmp);
		for (size_t i = 1; i < c.n && c.under_lock; i++)
			st->moved += c.recs[i].line < c.recs[i - 1].line;
		c.t0 = c.n ? c.recs[0].kt : 0;
		for (size_t i = 0; i < c.nreadings; i++) {
			c.readings[i].label = c.labels[i];
			c.readings[i].time_ns -= c.t0;
		}
		/* Count first (nothing emitted), so the counts are known before any event. */
		parsed = *st;
		rc = cap_run(&c);
		if (!rc && !o->repair && capture_repairs(st, o->mode))
			rc = cap_refuse(&c);
		if (!rc && o->begin)
			rc = o->begin(ctx, st);
		if (!rc) {
			*st = parsed;
			c.emit = emit;
			rc = cap_run(&c);
		}
		if (rc == -ENOMEM && err && errlen && !err[0])
			snprintf(err, errlen, "%s: out of memory", c.name);
	}
	trace_map_destroy(&c.pend_malloc);
	trace_map_destroy(&c.open_write);
	cap_lock_maps(&c, false);
	free(c.recs);
	free(c.readings);
	free(c.labels);
	return rc;
}

int capture_convert(FILE *f, const char *name, enum capture_mode mode, size_t page_size,
		    capture_emit_fn emit, void *ctx, struct capture_stats *st, char *err,
		    size_t errlen)
{
	struct capture_opts o = {.mode = mode, .page_size = page_size, .repair = true};

	return capture_convert_opts(f, name, &o, emit, ctx, st, err, errlen);
}

const char *capture_mode_name(enum capture_mode mode)
{
	return mode == CAPTURE_MODE_ZRAM ? "zram" : "alloc";
}

int capture_mode_parse(const char *s, enum capture_mode *mode)
{
	if (!strcmp(s, "alloc"))
		*mode = CAPTURE_MODE_ALLOC;
	else if (!strcmp(s, "zram"))
		*mode = CAPTURE_MODE_ZRAM;
	else
		return -EINVAL;
	return 0;
}
