/*
 * cli_trace_merge.c - `zsfrag trace merge A B -o OUT`: one trace of two, run side by side
 * in one time base. The use: a captured trace (zram only: no forks, no other memory users)
 * with generated activity (`zsfrag gen forkstorm,pressure`), so fork questions can be asked
 * of a real device's zram.
 *
 * Time: both traces start at 0 (captures count from their first record, gen from 0); B's
 * times are shifted by --offset NS. Events are merged by time, A's first at equal times;
 * every event of OUT carries its @ time.
 * IDs: A keeps its object IDs, block IDs, PIDs and zram slots; B's are moved above A's
 * highest of each (found in a first pass over A), so the two never share one, and each
 * trace's liveness rules carry over to OUT. s and F labels are kept as they are.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "cli_trace.h"

#define MERGE_ID_LIMIT (1ULL << 63) /* IDs, slots and PIDs stay below (FORMAT.md) */

enum merge_ns { NS_OBJ, NS_SLOT, NS_BLOCK, NS_PID, NS_NONE };

static enum merge_ns merge_ns_of(enum sim_op op)
{
	switch (op) {
	case SIM_OP_ALLOC:
	case SIM_OP_FREE:
		return NS_OBJ;
	case SIM_OP_WRITE:
	case SIM_OP_WRITE_SAME:
	case SIM_OP_READ:
	case SIM_OP_DISCARD:
		return NS_SLOT;
	case SIM_OP_GET:
	case SIM_OP_PUT:
		return NS_BLOCK;
	case SIM_OP_FORK:
	case SIM_OP_EXIT:
		return NS_PID;
	default:
		return NS_NONE;
	}
}

static const char *const merge_ns_name[] = {"object ID", "slot", "block ID", "PID"};

static void merge_help(FILE *f, const struct cli_opt *opts)
{
	fprintf(f, "usage: zsfrag trace merge A B [OPTIONS]\n\n"
		   "Merge two traces into one, side by side in time: e.g. a captured zram trace\n"
		   "(trace from-capture) with generated forks and other memory users (zsfrag gen\n"
		   "forkstorm,pressure). Both start at time 0; A's events come first at equal\n"
		   "times. B's object IDs, zram slots, block IDs and PIDs are moved above A's\n"
		   "highest, so they never meet; s and F labels are kept. A must be a file (it is\n"
		   "read twice); both must have the same page size.\n\n");
	cli_opt_help(f, opts);
}

/* One pass over A: the highest ID of each namespace (+1: the base of B's). */
static int merge_scan(const char *path, uint64_t base[4], size_t *page_size)
{
	struct trace_reader *r;
	struct sim_event ev;
	char msg[512];
	int rc, n;

	rc = cli_trace_open("merge", path, &r);
	if (rc)
		return rc;
	*page_size = trace_reader_page_size(r);
	while ((n = trace_reader_next(r, &ev, msg, sizeof(msg))) == 1) {
		enum merge_ns ns = merge_ns_of(ev.op);

		if (ns != NS_NONE && ev.id + 1 > base[ns])
			base[ns] = ev.id + 1;
		if (ev.swapped_out && ev.slot + 1 > base[NS_SLOT])
			base[NS_SLOT] = ev.slot + 1;
	}
	trace_reader_close(r);
	if (n < 0) {
		fprintf(stderr, "zsfrag trace merge: %s\n", msg);
		return EX_DATAERR;
	}
	return EX_OK;
}

/* A merge in progress: both inputs, the output, B's shifts, and the first error. */
struct merge {
	const char *a, *b; /* the paths */
	struct trace_reader *ra, *rb;
	struct trace_writer *w;
	uint64_t base[4]; /* B's IDs move up by these, per namespace */
	uint64_t offset;  /* ns added to B's times */
	uint64_t na, nb;  /* events taken from each */
	char msg[512];
};

/* B's event in A's time and above A's IDs; 0, or -1 with m->msg when an ID would overflow. */
static int merge_shift_b(struct merge *m, struct sim_event *e)
{
	enum merge_ns ns = merge_ns_of(e->op);

	e->time_ns += m->offset;
	if (ns == NS_NONE)
		return 0;
	if (e->id >= MERGE_ID_LIMIT - m->base[ns]) {
		snprintf(m->msg, sizeof(m->msg),
			 "%s:%" PRIu64 ": %s %" PRIu64 " moved above A's overflows 2^63", m->b,
			 e->line, merge_ns_name[ns], e->id);
		return -1;
	}
	e->id += m->base[ns];
	if (e->swapped_out) { /* the put's slot is a slot: it moves with B's slots */
		if (e->slot >= MERGE_ID_LIMIT - m->base[NS_SLOT]) {
			snprintf(m->msg, sizeof(m->msg),
				 "%s:%" PRIu64 ": slot %" PRIu64 " moved above A's overflows 2^63",
				 m->b, e->line, e->slot);
			return -1;
		}
		e->slot += m->base[NS_SLOT];
	}
	return 0;
}

/* Both traces by time into the writer; 0, or -1 with m->msg (a bad input or write). */
static int merge_events(struct merge *m)
{
	struct sim_event ea, eb;
	int ha, hb, err;

	ha = trace_reader_next(m->ra, &ea, m->msg, sizeof(m->msg));
	hb = ha < 0 ? 0 : trace_reader_next(m->rb, &eb, m->msg, sizeof(m->msg));
	while (ha == 1 || hb == 1) {
		bool take_a;
		struct sim_event *e;

		if (hb == 1 && eb.time_ns > UINT64_MAX - m->offset) {
			snprintf(m->msg, sizeof(m->msg),
				 "%s:%" PRIu64 ": time plus --offset overflows", m->b, eb.line);
			return -1;
		}
		take_a = ha == 1 && (hb != 1 || ea.time_ns <= eb.time_ns + m->offset);
		e = take_a ? &ea : &eb;
		if (!take_a && merge_shift_b(m, e))
			return -1;
		e->has_time = true;
		err = trace_writer_event(m->w, e);
		if (err) {
			snprintf(m->msg, sizeof(m->msg), "cannot write the merged trace (%s)",
				 strerror(-err));
			return -1;
		}
		if (take_a) {
			m->na++;
			ha = trace_reader_next(m->ra, &ea, m->msg, sizeof(m->msg));
		} else {
			m->nb++;
			hb = trace_reader_next(m->rb, &eb, m->msg, sizeof(m->msg));
		}
		if (ha < 0 || hb < 0)
			return -1;
	}
	return ha < 0 || hb < 0 ? -1 : 0;
}

/* Open A and B (A scanned first), check their page sizes, open the output. */
static int merge_open(struct merge *m, struct cli_trace_out *out)
{
	char src[1200], ps[24];
	struct trace_meta meta[2];
	size_t ps_a = 0;
	int rc;

	rc = merge_scan(m->a, m->base, &ps_a);
	if (rc)
		return rc;
	rc = cli_trace_open("merge", m->a, &m->ra);
	if (!rc)
		rc = cli_trace_open("merge", m->b, &m->rb);
	if (rc)
		return rc;
	if (trace_reader_page_size(m->rb) != ps_a) {
		fprintf(stderr, "zsfrag trace merge: %s has page size %zu, %s %zu\n", m->a, ps_a,
			m->b, trace_reader_page_size(m->rb));
		return EX_DATAERR;
	}
	snprintf(ps, sizeof(ps), "%zu", ps_a);
	snprintf(src, sizeof(src), "zsfrag trace merge %s %s --offset %" PRIu64, m->a, m->b,
		 m->offset);
	meta[0] = (struct trace_meta){"page_size", ps};
	meta[1] = (struct trace_meta){"source", src};
	out->input = m->a;
	return cli_trace_out_open("merge", out, meta, 2, &m->w);
}

/* The merge from its open inputs: the output written and closed, or aborted. */
static int merge_run(struct merge *m, struct cli_trace_out *out, bool quiet)
{
	int rc = merge_open(m, out);

	if (rc)
		return rc;
	if (merge_events(m)) {
		fprintf(stderr, "zsfrag trace merge: %s\n", m->msg);
		trace_writer_abort(m->w);
		return EX_DATAERR;
	}
	if (trace_writer_close(m->w, m->msg, sizeof(m->msg))) {
		fprintf(stderr, "zsfrag trace merge: %s\n", m->msg);
		return EX_CANTCREAT;
	}
	if (!quiet)
		fprintf(stderr,
			"zsfrag trace merge: %" PRIu64 " events of A, %" PRIu64
			" of B; B's object IDs +%" PRIu64 ", slots +%" PRIu64
			", block IDs +%" PRIu64 ", PIDs +%" PRIu64 "\n",
			m->na, m->nb, m->base[NS_OBJ], m->base[NS_SLOT], m->base[NS_BLOCK],
			m->base[NS_PID]);
	return EX_OK;
}

int cli_trace_merge(int argc, char **argv)
{
	struct merge m = {.a = NULL};
	struct cli_trace_out out = {0};
	bool quiet = false;
	/* clang-format off */
	const struct cli_opt opts[] = {
	    {.name = "offset", .arg = "NS", .kind = CLI_OPT_U64, .dst = &m.offset,
	     .max = UINT64_MAX / 2, .help = "shift B's times by NS nanoseconds (default 0)"},
	    {.name = "quiet", .short_name = 'q', .kind = CLI_OPT_SET, .dst = &quiet,
	     .help = "no summary on stderr"},
	    CLI_TRACE_OUT_PATH_ROW(&out),
	    CLI_TRACE_OUT_FORMAT_ROWS(&out),
	    CLI_OPT_HELP_ROW,
	    CLI_OPT_END,
	};
	/* clang-format on */
	int rc = cli_opt_parse("trace merge", opts, argc, argv, merge_help);

	if (rc)
		return rc < 0 ? EX_OK : rc;
	if (argc - optind != 2)
		return cli_usage_error("trace merge", "expected two traces, A and B");
	if (!strcmp(argv[optind], "-"))
		return cli_usage_error("trace merge", "A is read twice: it cannot be '-'");
	m.a = argv[optind];
	m.b = argv[optind + 1];
	rc = merge_run(&m, &out, quiet);
	if (m.ra)
		trace_reader_close(m.ra);
	if (m.rb)
		trace_reader_close(m.rb);
	return rc;
}
