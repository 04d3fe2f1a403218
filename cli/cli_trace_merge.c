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
#include <getopt.h>
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

static void merge_help(FILE *f)
{
	fprintf(f, "usage: zsfrag trace merge A B [OPTIONS]\n\n"
		   "Merge two traces into one, side by side in time: e.g. a captured zram trace\n"
		   "(trace from-capture) with generated forks and other memory users (zsfrag gen\n"
		   "forkstorm,pressure). Both start at time 0; A's events come first at equal\n"
		   "times. B's object IDs, zram slots, block IDs and PIDs are moved above A's\n"
		   "highest, so they never meet; s and F labels are kept. A must be a file (it is\n"
		   "read twice); both must have the same page size.\n\n"
		   "      --offset NS        shift B's times by NS nanoseconds (default 0)\n"
		   "  -q, --quiet            no summary on stderr\n" CLI_TRACE_OUT_HELP
		   "  -h, --help             this text\n");
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
	}
	trace_reader_close(r);
	if (n < 0) {
		fprintf(stderr, "zsfrag trace merge: %s\n", msg);
		return EX_DATAERR;
	}
	return EX_OK;
}

int cli_trace_merge(int argc, char **argv)
{
	static const struct option lopts[] = {{"offset", required_argument, NULL, 'O'},
					      {"quiet", no_argument, NULL, 'q'},
					      {"help", no_argument, NULL, 'h'},
					      CLI_TRACE_OUT_OPTS,
					      {NULL, 0, NULL, 0}};
	struct cli_trace_out out = {0};
	struct trace_reader *ra = NULL, *rb = NULL;
	struct trace_writer *w = NULL;
	struct sim_event ea, eb;
	uint64_t base[4] = {0, 0, 0, 0}, na = 0, nb = 0;
	unsigned long long offset = 0;
	size_t ps_a = 0;
	char msg[512], src[1200], ps[16];
	struct trace_meta meta[2];
	bool quiet = false;
	int c, rc, ha, hb;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qho:", lopts, NULL)) != -1) {
		switch (c) {
		case 'O':
			if (cli_parse_u64(optarg, UINT64_MAX / 2, &offset))
				return cli_usage_error("trace merge", "bad --offset '%s'", optarg);
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			merge_help(stdout);
			return EX_OK;
		default:
			rc = cli_trace_out_opt("merge", c, optarg, &out);
			if (rc)
				return rc == 1 ? cli_usage_error("trace merge", "bad option") : rc;
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("trace merge", "expected two traces, A and B");
	if (!strcmp(argv[optind], "-"))
		return cli_usage_error("trace merge", "A is read twice: it cannot be '-'");
	rc = merge_scan(argv[optind], base, &ps_a);
	if (rc)
		return rc;
	rc = cli_trace_open("merge", argv[optind], &ra);
	if (!rc)
		rc = cli_trace_open("merge", argv[optind + 1], &rb);
	if (rc)
		goto out;
	if (trace_reader_page_size(rb) != ps_a) {
		fprintf(stderr, "zsfrag trace merge: %s has page size %zu, %s %zu\n", argv[optind],
			ps_a, argv[optind + 1], trace_reader_page_size(rb));
		rc = EX_DATAERR;
		goto out;
	}
	snprintf(ps, sizeof(ps), "%zu", ps_a);
	snprintf(src, sizeof(src), "zsfrag trace merge %s %s --offset %llu", argv[optind],
		 argv[optind + 1], offset);
	meta[0] = (struct trace_meta){"page_size", ps};
	meta[1] = (struct trace_meta){"source", src};
	out.input = argv[optind];
	rc = cli_trace_out_open("merge", &out, meta, 2, &w);
	if (rc)
		goto out;
	ha = trace_reader_next(ra, &ea, msg, sizeof(msg));
	hb = ha < 0 ? 0 : trace_reader_next(rb, &eb, msg, sizeof(msg));
	while (ha == 1 || hb == 1) {
		bool take_a;
		struct sim_event *e;
		int err;

		if (hb == 1 && eb.time_ns > UINT64_MAX - offset) {
			snprintf(msg, sizeof(msg), "%s:%" PRIu64 ": time plus --offset overflows",
				 argv[optind + 1], eb.line);
			hb = -1;
			break;
		}
		take_a = ha == 1 && (hb != 1 || ea.time_ns <= eb.time_ns + offset);
		e = take_a ? &ea : &eb;
		if (!take_a) {
			enum merge_ns ns = merge_ns_of(e->op);

			e->time_ns += offset;
			if (ns != NS_NONE) {
				if (e->id >= MERGE_ID_LIMIT - base[ns]) {
					snprintf(msg, sizeof(msg),
						 "%s:%" PRIu64 ": %s %" PRIu64
						 " moved above A's overflows 2^63",
						 argv[optind + 1], e->line, merge_ns_name[ns], e->id);
					hb = -1;
					break;
				}
				e->id += base[ns];
			}
		}
		e->has_time = true;
		err = trace_writer_event(w, e);
		if (err) {
			snprintf(msg, sizeof(msg), "cannot write the merged trace (%s)",
				 strerror(-err));
			hb = -1;
			break;
		}
		if (take_a) {
			na++;
			ha = trace_reader_next(ra, &ea, msg, sizeof(msg));
			if (ha < 0)
				break;
		} else {
			nb++;
			hb = trace_reader_next(rb, &eb, msg, sizeof(msg));
			if (hb < 0)
				break;
		}
	}
	if (ha < 0 || hb < 0) {
		fprintf(stderr, "zsfrag trace merge: %s\n", msg);
		trace_writer_abort(w);
		rc = EX_DATAERR;
		goto out;
	}
	if (trace_writer_close(w, msg, sizeof(msg))) {
		fprintf(stderr, "zsfrag trace merge: %s\n", msg);
		rc = EX_CANTCREAT;
		goto out;
	}
	if (!quiet)
		fprintf(stderr,
			"zsfrag trace merge: %" PRIu64 " events of A, %" PRIu64
			" of B; B's object IDs +%" PRIu64 ", slots +%" PRIu64 ", block IDs +%" PRIu64
			", PIDs +%" PRIu64 "\n",
			na, nb, base[NS_OBJ], base[NS_SLOT], base[NS_BLOCK], base[NS_PID]);
	rc = EX_OK;
out:
	if (ra)
		trace_reader_close(ra);
	if (rb)
		trace_reader_close(rb);
	return rc;
}
