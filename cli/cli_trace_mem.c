/*
 * cli_trace_mem.c - `zsfrag trace from-process PID` and `from-core FILE`:
 * traces from real memory (traces/procmem.h). Every anonymous page is
 * compressed with a real compressor and becomes a zram write with its real
 * compressed size; with --samples N the process is looked at N times,
 * --interval seconds apart, and later samples write only what changed,
 * overwrite what was rewritten and discard what went away.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_proc.h"
#include "cli_trace.h"
#include "outfile.h"
#include "procmem.h"

struct mem_opts {
	enum mem_compressor comp;
	struct mem_range range;
	bool have_range;
	double interval; /* seconds between samples */
	uint64_t samples;
	bool quiet;
	struct cli_trace_out out;
};

struct mem_sink {
	struct trace_writer *w;
	uint64_t bytes, pages, same;
};

static int mem_emit(void *ctx, const struct sim_event *ev)
{
	struct mem_sink *s = ctx;

	if (ev->op == SIM_OP_WRITE) {
		s->bytes += ev->size;
		s->pages++;
	} else if (ev->op == SIM_OP_WRITE_SAME) {
		s->same++;
	}
	return trace_writer_event(s->w, ev);
}

/* The process's table holds --interval and --samples, the core's does not. */
static void mem_help(FILE *f, const struct cli_opt *opts)
{
	if (!cli_opt_find(opts, "interval"))
		fprintf(
		    f,
		    "usage: zsfrag trace from-core CORE [OPTIONS]\n\n"
		    "Make a trace from the memory in an ELF core dump (64-bit little-endian):\n"
		    "every dumped page outside the file-backed ranges its NT_FILE note lists,\n"
		    "compressed, as zram writes (w SLOT SIZE, z SLOT for same-filled pages).\n\n");
	else
		fprintf(
		    f, "usage: zsfrag trace from-process PID [OPTIONS]\n\n"
		       "Make a trace from the anonymous memory of a live process (root needed):\n"
		       "its resident or swapped anonymous pages (/proc/PID/maps, pagemap, mem),\n"
		       "each compressed, as the zram writes a swap device would get (w SLOT SIZE,\n"
		       "z SLOT for same-filled pages), then 's snapshot_1'. With --samples N the\n"
		       "process is read N times, --interval apart: new pages are written, changed\n"
		       "pages overwritten in their slot, vanished pages discarded (d SLOT).\n\n");
	cli_opt_help(f, opts);
}

static int parse_compressor(const char *arg, void *dst)
{
	return mem_compressor_parse(arg, dst) ? -EINVAL : 0;
}

static int parse_range(const char *s, void *dst)
{
	struct mem_range *r = dst;
	char *end;

	errno = 0;
	r->lo = strtoull(s, &end, 16);
	if (errno || *end != '-' || end == s)
		return -EINVAL;
	s = end + 1;
	r->hi = strtoull(s, &end, 16);
	if (errno || *end || end == s || r->hi <= r->lo)
		return -EINVAL;
	return 0;
}

static int mem_parse(const char *sub, int argc, char **argv, bool core, struct mem_opts *o)
{
	/* clang-format off */
	const struct cli_opt opts[] = {
	    /* from-process only: the core's table starts after these two */
	    {.name = "interval", .short_name = 'i', .arg = "SEC", .kind = CLI_OPT_DOUBLE,
	     .dst = &o->interval, .max = 86400,
	     .help = "seconds between samples (default 1, fractions ok)"},
	    {.name = "samples", .short_name = 'n', .arg = "N", .kind = CLI_OPT_U64,
	     .dst = &o->samples, .min = 1, .max = 1000000, .help = "number of samples (default 1)"},
	    {.name = "compressor", .short_name = 'C', .arg = "C", .kind = CLI_OPT_PARSE,
	     .dst = &o->comp, .parse = parse_compressor, .hint = "(lz4, zstd, lzo)",
	     .help = "lz4 (default), zstd (level 3) or lzo (lzo1x_1). The\n"
		     "kernel's default lzo-rle has no userspace library:\n"
		     "lzo is its nearest stand-in"},
	    {.name = "range", .short_name = 'r', .arg = "LO-HI", .kind = CLI_OPT_PARSE,
	     .dst = &o->range, .given = &o->have_range, .parse = parse_range,
	     .hint = "(hex LO-HI)", .help = "only addresses in [LO, HI) (hex, e.g. 7f00..-7f10..)"},
	    {.name = "quiet", .short_name = 'q', .kind = CLI_OPT_SET, .dst = &o->quiet,
	     .help = "no summary on stderr"},
	    CLI_TRACE_OUT_PATH_ROW(&o->out),
	    CLI_TRACE_OUT_FORMAT_ROWS(&o->out),
	    CLI_OPT_HELP_ROW,
	    CLI_OPT_END,
	};
	/* clang-format on */
	char name[64];
	int rc;

	snprintf(name, sizeof(name), "trace %s", sub);
	o->comp = MEM_COMP_LZ4;
	o->interval = 1.0;
	o->samples = 1;
	rc = cli_opt_parse(name, core ? opts + 2 : opts, argc, argv, mem_help);
	if (rc)
		return rc;
	if (argc - optind != 1)
		return cli_usage_error(name, core ? "expected one CORE file" : "expected one PID");
	return 0;
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
	double d = t - mono_now();

	if (d > 0) {
		struct timespec ts = {(time_t)d, (long)((d - floor(d)) * 1e9)};

		nanosleep(&ts, NULL);
	}
}

/* What is read: a process (pid, its comm) or a core file (path), and the pages' size. */
struct mem_source {
	const char *sub, *what; /* "from-process" or "from-core"; the PID or CORE operand */
	bool core;
	unsigned long long pid;
	char comm[64];
	size_t page_size;
};

/* Check the operand and the host; EX_OK or the exit code after the message. */
static int mem_source_open(struct mem_source *src, struct mem_opts *o)
{
	char msg[768], path[64];
	FILE *f;

	if (!src->core && (cli_parse_u64(src->what, 0x7fffffff, &src->pid) || !src->pid))
		return cli_usage_error("trace from-process", "bad PID '%s'", src->what);
	if (src->core) {
		o->out.input =
		    src->what; /* -o core.x is refused, under any name, before reading it */
		if (o->out.path &&
		    outfile_check_inputs(o->out.path, &o->out.input, 1, msg, sizeof(msg))) {
			fprintf(stderr, "zsfrag trace %s: %s\n", src->sub, msg);
			return EX_USAGE;
		}
	}
	src->page_size = (size_t)sysconf(_SC_PAGESIZE);
	if (src->page_size != 4096 && src->page_size != 16384 && src->page_size != 65536) {
		fprintf(stderr, "zsfrag trace %s: unsupported host page size %zu\n", src->sub,
			src->page_size);
		return EX_SOFTWARE;
	}
	snprintf(src->comm, sizeof(src->comm), "?");
	if (src->core)
		return EX_OK;
	snprintf(path, sizeof(path), "/proc/%llu/comm", src->pid);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "zsfrag trace from-process: no process %llu\n", src->pid);
		return EX_NOINPUT;
	}
	if (fgets(src->comm, sizeof(src->comm), f))
		src->comm[strcspn(src->comm, "\n")] = '\0';
	fclose(f);
	return EX_OK;
}

/* The trace's metadata; bufs holds its strings. */
struct mem_meta {
	struct trace_meta m[3];
	char ps[24], src[512], comp[128];
};

static void mem_meta_fill(struct mem_meta *mm, const struct mem_source *src,
			  const struct mem_opts *o)
{
	snprintf(mm->ps, sizeof(mm->ps), "%zu", src->page_size);
	snprintf(mm->comp, sizeof(mm->comp), "%s%s", mem_compressor_name(o->comp),
		 o->comp == MEM_COMP_LZO
		     ? " (lzo1x_1: the kernel's lzo-rle has no userspace library)"
		 : o->comp == MEM_COMP_ZSTD ? " (level 3)"
					    : "");
	if (src->core)
		snprintf(mm->src, sizeof(mm->src), "zsfrag trace from-core %s", src->what);
	else
		snprintf(mm->src, sizeof(mm->src),
			 "zsfrag trace from-process %llu (%s), %llu sample(s) every %g s", src->pid,
			 src->comm, (unsigned long long)o->samples, o->interval);
	mm->m[0] = (struct trace_meta){"page_size", mm->ps};
	mm->m[1] = (struct trace_meta){"compressor", mm->comp};
	mm->m[2] = (struct trace_meta){"source", mm->src};
}

/* A failed snapshot: its exit code, or EX_OK when a process went away after sample i > 0. */
static int mem_snapshot_failed(const char *sub, int rc, const char *msg, uint64_t i)
{
	fprintf(stderr, "zsfrag trace %s: %s\n", sub, msg);
	if (i && (rc == -ENOENT || rc == -ESRCH)) {
		fprintf(stderr,
			"zsfrag trace %s: the process went away after %llu samples; the trace "
			"ends there\n",
			sub, (unsigned long long)i);
		return EX_OK;
	}
	return rc == -EINVAL		       ? EX_DATAERR
	       : rc == -ENOENT		       ? EX_NOINPUT
	       : rc == -EACCES || rc == -EPERM ? EX_NOPERM
					       : EX_IOERR;
}

/*
 * Take the samples and write what changed; the output opens after the first
 * sample worked (no half file on failure). EX_OK, or the exit code with the
 * output aborted or never opened.
 */
static int mem_samples(const struct mem_source *src, struct mem_opts *o, struct mem_compress *mc,
		       struct mem_tracker *tr, struct mem_sink *sink)
{
	const struct mem_range *range = o->have_range ? &o->range : NULL;
	struct mem_meta mm;
	char msg[768];
	double t0 = 0;
	int rc;

	mem_meta_fill(&mm, src, o);
	for (uint64_t i = 0; i < o->samples; i++) {
		struct mem_snapshot snap;
		double start;

		if (i)
			sleep_until(t0 + o->interval * (double)i);
		start = mono_now();
		if (!i)
			t0 = start;
		mem_snapshot_init(&snap);
		if (src->core)
			rc = mem_snapshot_core(src->what, mc, src->page_size, range, &snap, msg,
					       sizeof(msg));
		else
			rc = mem_snapshot_process((pid_t)src->pid, mc, src->page_size, range, &snap,
						  msg, sizeof(msg));
		if (rc) {
			mem_snapshot_free(&snap);
			return mem_snapshot_failed(src->sub, rc, msg, i);
		}
		if (!i && (rc = cli_trace_out_open(src->sub, &o->out, mm.m, 3, &sink->w))) {
			mem_snapshot_free(&snap);
			return rc;
		}
		if (!o->quiet && !src->core && !snap.pagemap && !i)
			fprintf(stderr,
				"zsfrag trace %s: /proc/%llu/pagemap not readable: taking "
				"every page of the anonymous mappings\n",
				src->sub, src->pid);
		rc = mem_tracker_apply(tr, &snap, (uint64_t)((start - t0) * 1e9), mem_emit, sink);
		if (!o->quiet)
			fprintf(stderr, "  sample %llu: %zu pages in %" PRIu64 " mappings%s\n",
				(unsigned long long)i + 1, snap.n, snap.regions,
				snap.unreadable ? ", some unreadable pages skipped" : "");
		mem_snapshot_free(&snap);
		if (rc) {
			fprintf(stderr, "zsfrag trace %s: cannot write the trace\n", src->sub);
			return EX_CANTCREAT;
		}
	}
	return EX_OK;
}

/* Shared body: snapshot (process or core), write, summarise. */
static int mem_run(const char *sub, bool core, const char *what, struct mem_opts *o)
{
	struct mem_source src = {.sub = sub, .what = what, .core = core};
	struct mem_compress *mc = NULL;
	struct mem_tracker tr;
	struct mem_sink sink = {0};
	char msg[768];
	int ex;

	ex = mem_source_open(&src, o);
	if (ex)
		return ex;
	if (mem_compress_new(o->comp, src.page_size, &mc)) {
		fprintf(stderr, "zsfrag trace %s: out of memory\n", sub);
		return EX_SOFTWARE;
	}
	mem_tracker_init(&tr);
	ex = mem_samples(&src, o, mc, &tr, &sink);
	if (ex != EX_OK) {
		trace_writer_abort(sink.w); /* the output is not created */
	} else if (sink.w && trace_writer_close(sink.w, msg, sizeof(msg))) {
		fprintf(stderr, "zsfrag trace %s: %s\n", sub, msg);
		ex = EX_CANTCREAT;
	}
	cli_tmp_register(NULL); /* renamed into place or removed */
	if (ex == EX_OK && !o->quiet)
		fprintf(stderr,
			"zsfrag trace %s: %" PRIu64 " writes, %" PRIu64 " overwrites, %" PRIu64
			" discards; %" PRIu64 " same-filled; %" PRIu64
			" compressed pages average %.0f bytes (%s)\n",
			sub, tr.writes, tr.overwrites, tr.discards, tr.same, sink.pages,
			sink.pages ? (double)sink.bytes / (double)sink.pages : 0.0,
			mem_compressor_name(o->comp));
	mem_tracker_free(&tr);
	mem_compress_free(mc);
	return ex;
}

int cli_trace_from_process(int argc, char **argv)
{
	struct mem_opts o = {0};
	int rc = mem_parse("from-process", argc, argv, false, &o);

	if (rc)
		return rc < 0 ? EX_OK : rc;
	return mem_run("from-process", false, argv[optind], &o);
}

int cli_trace_from_core(int argc, char **argv)
{
	struct mem_opts o = {0};
	int rc = mem_parse("from-core", argc, argv, true, &o);

	if (rc)
		return rc < 0 ? EX_OK : rc;
	return mem_run("from-core", true, argv[optind], &o);
}
