/*
 * test_trace_text.c - the text trace reader and writer: every field of
 * hand-written traces, round trips, boundaries, buffer refills, writer
 * refusals. The data-driven suites (tests/traces) are test_trace_text_cases.c,
 * trace_live's hash sets test_trace_live.c.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_files.h"
#include "test_util.h"
#include "trace_text.h"

/* ---- helpers ---- */

/*
 * Read every event of text into evs (up to max). Returns the number read, or
 * the negative error with its message in err.
 */
static long read_str(const char *text, size_t len, struct sim_event *evs, size_t max, char *err,
		     size_t errlen)
{
	FILE *f = tu_buf_file(text, len);
	struct trace_reader *r;
	long n = 0;
	int rc;

	if (!f)
		return -EIO;
	rc = trace_reader_open_file(f, "t.trace", &r, err, errlen);
	if (rc) {
		fclose(f);
		return rc;
	}
	for (;;) {
		struct sim_event tmp;

		rc = trace_reader_next(r, (size_t)n < max ? &evs[n] : &tmp, err, errlen);
		if (rc <= 0)
			break;
		n++;
	}
	trace_reader_close(r);
	fclose(f);
	return rc < 0 ? rc : n;
}

static long read_cstr(const char *text, struct sim_event *evs, size_t max, char *err, size_t errlen)
{
	return read_str(text, strlen(text), evs, max, err, errlen);
}

/* Field-by-field equality; time_ns only matters when has_time. */
static int ev_diff(const struct sim_event *a, const struct sim_event *b)
{
	if (a->op != b->op || a->has_time != b->has_time || a->id != b->id || a->size != b->size ||
	    a->order != b->order || a->mtype != b->mtype || strcmp(a->label, b->label))
		return 1;
	return a->has_time && a->time_ns != b->time_ns;
}

/* xorshift64*: the tests' own seeded PRNG. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* ---- reader ---- */

static void test_read_fields(void)
{
	static const char text[] = "zsfrag-trace 1\n"
				   "! page_size 16384\n"
				   "! compressor  zstd level 3 \n"
				   "# comment\n"
				   "\n"
				   "@100 a 1 16384\n"
				   "w 9 700\n"
				   "@250 g 4 10 r\n"
				   "s warm:up/1\n"
				   "z 9\n"
				   "k 12\n"
				   "c\n";
	struct sim_event ev[8];
	char err[256] = "";
	FILE *f = tu_buf_file(text, sizeof(text) - 1);
	struct trace_reader *r;
	const char *k, *v;
	int i;

	REQUIRE(f);
	REQUIRE(trace_reader_open_file(f, "t.trace", &r, err, sizeof(err)) == 0);
	/* Metadata is known before the first event. */
	CHECK_EQ(trace_reader_page_size(r), 16384);
	CHECK_STR_EQ(trace_reader_meta(r, "compressor"), "zstd level 3");
	CHECK(trace_reader_meta(r, "source") == NULL);
	CHECK_EQ(trace_reader_meta_count(r), 2);
	CHECK_EQ(trace_reader_meta_at(r, 0, &k, &v), 0);
	CHECK_STR_EQ(k, "page_size");
	CHECK_STR_EQ(v, "16384");
	CHECK_EQ(trace_reader_meta_at(r, 1, &k, &v), 0);
	CHECK_STR_EQ(k, "compressor");
	CHECK_EQ(trace_reader_meta_at(r, 2, &k, &v), -ENOENT);
	for (i = 0; i < 7; i++)
		CHECK_EQ(trace_reader_next(r, &ev[i], err, sizeof(err)), 1);
	CHECK_EQ(trace_reader_next(r, &ev[7], err, sizeof(err)), 0);
	CHECK_EQ(trace_reader_next(r, &ev[7], err, sizeof(err)), 0);

	CHECK_EQ(ev[0].op, SIM_OP_ALLOC);
	CHECK(ev[0].has_time);
	CHECK_U64_EQ(ev[0].time_ns, 100);
	CHECK_U64_EQ(ev[0].id, 1);
	CHECK_EQ(ev[0].size, 16384);
	CHECK_U64_EQ(ev[0].line, 6);

	CHECK_EQ(ev[1].op, SIM_OP_WRITE);
	CHECK(!ev[1].has_time);
	CHECK_U64_EQ(ev[1].time_ns, 100); /* the latest time repeats */
	CHECK_U64_EQ(ev[1].id, 9);
	CHECK_EQ(ev[1].size, 700);
	CHECK_U64_EQ(ev[1].line, 7);

	CHECK_EQ(ev[2].op, SIM_OP_GET);
	CHECK_U64_EQ(ev[2].time_ns, 250);
	CHECK_U64_EQ(ev[2].id, 4);
	CHECK_EQ(ev[2].order, 10);
	CHECK_EQ(ev[2].mtype, SIM_MT_RECLAIMABLE);
	CHECK_EQ(ev[2].size, 0);

	CHECK_EQ(ev[3].op, SIM_OP_SNAPSHOT);
	CHECK_STR_EQ(ev[3].label, "warm:up/1");
	CHECK_U64_EQ(ev[3].id, 0);

	CHECK_EQ(ev[4].op, SIM_OP_WRITE_SAME);
	CHECK_U64_EQ(ev[4].id, 9);
	CHECK_EQ(ev[4].size, 0);
	CHECK_STR_EQ(ev[4].label, "");
	CHECK_EQ(ev[5].op, SIM_OP_FORK);
	CHECK_U64_EQ(ev[5].id, 12);
	CHECK_EQ(ev[6].op, SIM_OP_COMPACT);
	CHECK_U64_EQ(ev[6].line, 12);

	/* Live at the end: object 1, block 4, PID 12. */
	CHECK_EQ(trace_live_set_count(&trace_reader_live(r)->objects), 1);
	CHECK_EQ(trace_live_set_count(&trace_reader_live(r)->blocks), 1);
	CHECK_EQ(trace_live_set_count(&trace_reader_live(r)->pids), 1);
	trace_reader_close(r);
	fclose(f);
}

static void test_boundaries(void)
{
	struct sim_event ev[4];
	char err[256] = "";
	long n;

	n = read_cstr("zsfrag-trace 1\n@18446744073709551615 a 9223372036854775807 4096\n"
		      "k 9223372036854775807\n",
		      ev, 4, err, sizeof(err));
	CHECK_EQ(n, 2);
	CHECK_U64_EQ(ev[0].time_ns, UINT64_MAX);
	CHECK_U64_EQ(ev[0].id, (1ULL << 63) - 1);
	CHECK_U64_EQ(ev[1].id, (1ULL << 63) - 1);

	n = read_cstr("zsfrag-trace 1\nd 9223372036854775808\n", ev, 4, err, sizeof(err));
	CHECK_EQ(n, -EINVAL);
	CHECK_STR_EQ(err, "t.trace:2: SLOT out of range, must be below 2^63 (9223372036854775808)");
	/* 2^64 - 1 is a number but no ID; 2^64 is no 64-bit number at all. */
	n = read_cstr("zsfrag-trace 1\nf 18446744073709551615\n", ev, 4, err, sizeof(err));
	CHECK_STR_EQ(err, "t.trace:2: ID out of range, must be below 2^63 (18446744073709551615)");
	n = read_cstr("zsfrag-trace 1\nf 18446744073709551616\n", ev, 4, err, sizeof(err));
	CHECK_STR_EQ(err, "t.trace:2: number overflows 64 bits (18446744073709551616)");
	/* A long run of digits that overflows and then stops being a number. */
	n = read_cstr("zsfrag-trace 1\nf 184467440737095516160x\n", ev, 4, err, sizeof(err));
	CHECK_STR_EQ(err, "t.trace:2: not a number (184467440737095516160x)");
	/* Sizes: 1 and page_size pass, 0 and page_size + 1 do not. */
	n = read_cstr("zsfrag-trace 1\na 1 1\na 2 4096\nw 1 1\nw 1 4096\n", ev, 4, err,
		      sizeof(err));
	CHECK_EQ(n, 4);
	CHECK_EQ(ev[1].size, 4096);
	n = read_cstr("zsfrag-trace 1\n! page_size 65536\na 1 65537\n", ev, 4, err, sizeof(err));
	CHECK_STR_EQ(err, "t.trace:3: size out of range 1..65536 (65537)");
	n = read_cstr("zsfrag-trace 1\ng 1 0 u\ng 2 10 m\ng 3 11 r\n", ev, 4, err, sizeof(err));
	CHECK_EQ(n, -EINVAL);
	CHECK_STR_EQ(err, "t.trace:4: order out of range 0..10 (11)");
}

static void test_line_endings(void)
{
	struct sim_event ev[4];
	char err[256] = "";
	long n;

	n = read_cstr("zsfrag-trace 1\r\n! source x y\r\na 1 10\r\n\r\ns lbl\r\n", ev, 4, err,
		      sizeof(err));
	CHECK_EQ(n, 2);
	CHECK_STR_EQ(ev[1].label, "lbl"); /* the \r is not part of the label */
	/* No newline after the last event, with and without CR. */
	n = read_cstr("zsfrag-trace 1\na 1 10\nf 1", ev, 4, err, sizeof(err));
	CHECK_EQ(n, 2);
	CHECK_EQ(ev[1].op, SIM_OP_FREE);
	CHECK_U64_EQ(ev[1].line, 3);
	n = read_cstr("zsfrag-trace 1\r\nv\r", ev, 4, err, sizeof(err));
	CHECK_EQ(n, 1);
	/* Header only, even without its newline. */
	CHECK_EQ(read_cstr("zsfrag-trace 1", ev, 4, err, sizeof(err)), 0);
	/* Old Mac "\r" line ends make one line of the whole file: refused at the header. */
	CHECK_EQ(read_cstr("zsfrag-trace 1\ra 1 2\r", ev, 4, err, sizeof(err)), -EINVAL);
	CHECK_STR_EQ(err, "t.trace:1: malformed header line, control byte (1\\x0da 1 2)");
	/* A NUL byte is a control byte, not an end of line. */
	n = read_str("zsfrag-trace 1\nv\0\n", 18, ev, 4, err, sizeof(err));
	CHECK_EQ(n, -EINVAL);
	CHECK_STR_EQ(err, "t.trace:2: malformed line, control byte (v\\x00)");
}

static void test_empty_and_header(void)
{
	struct sim_event ev[1];
	char err[256] = "";

	CHECK_EQ(read_str("", 0, ev, 1, err, sizeof(err)), -EINVAL);
	CHECK_STR_EQ(err,
		     "t.trace:1: missing header line, expected \"zsfrag-trace 1\" (empty file)");
	CHECK_EQ(read_cstr("\n", ev, 1, err, sizeof(err)), -EINVAL);
	CHECK_STR_EQ(err, "t.trace:1: missing header line, expected \"zsfrag-trace 1\" ()");
	CHECK_EQ(read_cstr("zsfrag-trace 10\n", ev, 1, err, sizeof(err)), -EINVAL);
	CHECK_STR_EQ(err, "t.trace:1: unsupported trace version, this reader knows 1 (10)");
}

/* The first error sticks: same code and message on every later call. */
static void test_error_sticky(void)
{
	static const char text[] = "zsfrag-trace 1\na 5 10\nf 6\na 7 10\n";
	FILE *f = tu_buf_file(text, sizeof(text) - 1);
	struct trace_reader *r;
	struct sim_event ev;
	char err[256] = "";

	REQUIRE(f);
	REQUIRE(trace_reader_open_file(f, "x/y.trace", &r, err, sizeof(err)) == 0);
	CHECK_EQ(trace_reader_next(r, &ev, err, sizeof(err)), 1);
	CHECK_EQ(trace_reader_next(r, &ev, err, sizeof(err)), -EINVAL);
	CHECK_STR_EQ(err, "x/y.trace:3: free of an unknown object ID (6)");
	err[0] = '\0';
	CHECK_EQ(trace_reader_next(r, &ev, err, sizeof(err)), -EINVAL);
	CHECK_STR_EQ(err, "x/y.trace:3: free of an unknown object ID (6)");
	/* A short buffer gets a truncated, terminated message. */
	CHECK_EQ(trace_reader_next(r, &ev, err, 6), -EINVAL);
	CHECK_STR_EQ(err, "x/y.t");
	CHECK_EQ(trace_reader_next(r, &ev, NULL, 0), -EINVAL);
	trace_reader_close(r);
	fclose(f);
}

static void test_open_path(void)
{
	struct trace_reader *r = (struct trace_reader *)1;
	char err[256] = "";

	CHECK_EQ(trace_reader_open("/nonexistent/zsfrag/x.trace", &r, err, sizeof(err)), -ENOENT);
	CHECK(r == NULL);
	CHECK_STR_EQ(err, "/nonexistent/zsfrag/x.trace: cannot open: No such file or directory");
	trace_reader_close(NULL);
}

/* Lines longer than TRACE_TEXT_LINE_MAX are refused; the longest allowed one reads. */
static void test_long_lines(void)
{
	size_t len = 40 + TRACE_TEXT_LINE_MAX + 2;
	char *text = malloc(len + 1);
	struct sim_event ev[2];
	char err[256] = "";
	size_t hl;

	REQUIRE(text);
	/* A comment of exactly TRACE_TEXT_LINE_MAX bytes, then an event. */
	hl = (size_t)snprintf(text, len, "zsfrag-trace 1\n#");
	memset(text + hl, 'x', TRACE_TEXT_LINE_MAX - 1);
	memcpy(text + hl + TRACE_TEXT_LINE_MAX - 1, "\nv\n", 4);
	CHECK_EQ(read_cstr(text, ev, 2, err, sizeof(err)), 1);
	CHECK_U64_EQ(ev[0].line, 3);
	/* One byte more, with and without a newline in the buffer. */
	memset(text + hl, 'x', TRACE_TEXT_LINE_MAX);
	memcpy(text + hl + TRACE_TEXT_LINE_MAX, "\nv\n", 4);
	CHECK_EQ(read_cstr(text, ev, 2, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "t.trace:2: malformed line, longer than 65535 bytes (#xxx") == err);
	text[hl + TRACE_TEXT_LINE_MAX + 1] = '\0';
	memset(text + hl, 'x', TRACE_TEXT_LINE_MAX + 1);
	CHECK_EQ(read_cstr(text, ev, 2, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "t.trace:2: malformed line, longer than 65535 bytes") == err);
	free(text);
}

/* ---- writer and round trip ---- */

static void test_format_event(void)
{
	struct sim_event ev;
	char buf[TRACE_TEXT_EVENT_MAX];

	memset(&ev, 0, sizeof(ev));
	ev.op = SIM_OP_ALLOC;
	ev.id = 1;
	ev.size = 100;
	ev.has_time = true;
	ev.time_ns = 5;
	CHECK_EQ(trace_format_event(buf, sizeof(buf), &ev), 11);
	CHECK_STR_EQ(buf, "@5 a 1 100\n");
	ev.has_time = false;
	ev.op = SIM_OP_GET;
	ev.id = 3;
	ev.order = 2;
	ev.mtype = SIM_MT_MOVABLE;
	trace_format_event(buf, sizeof(buf), &ev);
	CHECK_STR_EQ(buf, "g 3 2 m\n");
	ev.op = SIM_OP_SNAPSHOT;
	strcpy(ev.label, "snap:1");
	trace_format_event(buf, sizeof(buf), &ev);
	CHECK_STR_EQ(buf, "s snap:1\n");
	ev.op = SIM_OP_COMPACT;
	trace_format_event(buf, sizeof(buf), &ev);
	CHECK_STR_EQ(buf, "c\n");
	ev.op = SIM_OP_EXIT;
	ev.id = 0;
	trace_format_event(buf, sizeof(buf), &ev);
	CHECK_STR_EQ(buf, "x 0\n");
	CHECK_EQ(trace_format_event(buf, 10, &ev), -ENOSPC);

	/* Refusals. */
	ev.op = SIM_OP_FREE;
	ev.id = 1ULL << 63;
	CHECK_EQ(trace_format_event(buf, sizeof(buf), &ev), -EINVAL);
	ev.op = SIM_OP_WRITE;
	ev.id = 1;
	ev.size = 0;
	CHECK_EQ(trace_format_event(buf, sizeof(buf), &ev), -EINVAL);
	ev.size = 65537;
	CHECK_EQ(trace_format_event(buf, sizeof(buf), &ev), -EINVAL);
	ev.op = SIM_OP_GET;
	ev.order = 11;
	ev.mtype = 'u';
	CHECK_EQ(trace_format_event(buf, sizeof(buf), &ev), -EINVAL);
	ev.order = 0;
	ev.mtype = 'q';
	CHECK_EQ(trace_format_event(buf, sizeof(buf), &ev), -EINVAL);
	ev.op = SIM_OP_SNAPSHOT;
	strcpy(ev.label, "two words");
	CHECK_EQ(trace_format_event(buf, sizeof(buf), &ev), -EINVAL);
	ev.label[0] = '\0';
	CHECK_EQ(trace_format_event(buf, sizeof(buf), &ev), -EINVAL);
	memset(ev.label, 'a', sizeof(ev.label)); /* no terminator within 128 bytes */
	CHECK_EQ(trace_format_event(buf, sizeof(buf), &ev), -EINVAL);
	ev.op = (enum sim_op)'q';
	CHECK_EQ(trace_format_event(buf, sizeof(buf), &ev), -EINVAL);

	/* F N LABEL: N 1..100000 and a label. */
	ev.op = SIM_OP_FORK_PROBE;
	ev.id = 100000;
	strcpy(ev.label, "probe:1");
	CHECK_EQ(trace_format_event(buf, sizeof(buf), &ev), 17);
	CHECK_STR_EQ(buf, "F 100000 probe:1\n");
	ev.id = 0;
	CHECK_EQ(trace_format_event(buf, sizeof(buf), &ev), -EINVAL);
	ev.id = 100001;
	CHECK_EQ(trace_format_event(buf, sizeof(buf), &ev), -EINVAL);
	ev.id = 1;
	ev.label[0] = '\0';
	CHECK_EQ(trace_format_event(buf, sizeof(buf), &ev), -EINVAL);
}

static void test_write_header(void)
{
	const struct trace_meta good[] = {{"page_size", "16384"}, {"source", "a\tb c"}};
	const struct trace_meta dup[] = {{"source", "a"}, {"source", "b"}};
	const struct trace_meta badkey[] = {{"Source", "a"}};
	const struct trace_meta badval[] = {{"source", "a\nb"}};
	const struct trace_meta edge[] = {{"source", " a"}};
	const struct trace_meta empty[] = {{"source", ""}};
	const struct trace_meta page[] = {{"page_size", "8192"}};
	FILE *f = tmpfile();
	char buf[128];
	size_t n;

	REQUIRE(f);
	CHECK_EQ(trace_write_header(f, dup, 2), -EINVAL);
	CHECK_EQ(trace_write_header(f, badkey, 1), -EINVAL);
	CHECK_EQ(trace_write_header(f, badval, 1), -EINVAL);
	CHECK_EQ(trace_write_header(f, edge, 1), -EINVAL);
	CHECK_EQ(trace_write_header(f, empty, 1), -EINVAL);
	CHECK_EQ(trace_write_header(f, page, 1), -EINVAL);
	CHECK_EQ(ftell(f), 0); /* refusals write nothing */
	CHECK_EQ(trace_write_header(f, good, 2), 0);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	CHECK_STR_EQ(buf, "zsfrag-trace 1\n! page_size 16384\n! source a\tb c\n");
	fclose(f);
}

/*
 * A seeded random stream of valid events (liveness and time respected),
 * written, read back and compared field by field.
 */
static void test_round_trip_random(void)
{
	enum { N = 200000, POOL = 64 };
	const struct trace_meta meta[] = {{"page_size", "65536"}, {"source", "random"}};
	struct sim_event *evs = calloc(N, sizeof(*evs));
	uint64_t live_obj[POOL], live_blk[POOL], live_pid[POOL];
	size_t nobj = 0, nblk = 0, npid = 0, i;
	uint64_t seed = 42, next_id = 0, t = 0;
	struct trace_reader *r;
	struct sim_event got;
	char err[256] = "";
	FILE *f = tmpfile();
	int rc, diffs = 0;

	REQUIRE(evs && f);
	for (i = 0; i < N; i++) {
		struct sim_event *e = &evs[i];
		uint64_t x = rnd(&seed);
		int k = (int)(x % 13);

		e->has_time = (x >> 8) % 3 == 0;
		if (e->has_time) {
			t += (x >> 16) % 1000;
			e->time_ns = t;
		}
		/* IDs near 2^63 now and then, to cover the widest numbers. */
		next_id += (x >> 40) % 7 == 0 ? (1ULL << 60) / N : 1;
		switch (k) {
		case 0:
		case 1:
			if (nobj < POOL) {
				e->op = SIM_OP_ALLOC;
				e->id = live_obj[nobj++] = next_id;
				e->size = (uint32_t)(1 + (x >> 20) % 65536);
				break;
			}
			/* fall through */
		case 2:
			if (nobj) {
				size_t j = (x >> 24) % nobj;

				e->op = SIM_OP_FREE;
				e->id = live_obj[j];
				live_obj[j] = live_obj[--nobj];
				break;
			}
			e->op = SIM_OP_COMPACT;
			break;
		case 3:
			e->op = SIM_OP_WRITE;
			e->id = (x >> 4) & ((1ULL << 63) - 1);
			e->size = (uint32_t)(1 + (x >> 30) % 65536);
			break;
		case 4:
		case 5:
		case 6:
			e->op = "zrd"[k - 4];
			e->id = (x >> 7) % 1000;
			break;
		case 7:
			if (nblk < POOL) {
				e->op = SIM_OP_GET;
				e->id = live_blk[nblk++] = next_id;
				e->order = (uint8_t)((x >> 33) % 11);
				e->mtype = "umr"[(x >> 37) % 3];
				break;
			}
			/* fall through */
		case 8:
			if (nblk) {
				e->op = SIM_OP_PUT;
				e->id = live_blk[--nblk];
				break;
			}
			e->op = SIM_OP_VERIFY;
			break;
		case 9:
			if (npid < POOL) {
				e->op = SIM_OP_FORK;
				e->id = live_pid[npid++] = next_id;
				break;
			}
			/* fall through */
		case 10:
			if (npid) {
				e->op = SIM_OP_EXIT;
				e->id = live_pid[--npid];
				break;
			}
			e->op = SIM_OP_VERIFY;
			break;
		case 11:
			e->op = SIM_OP_SNAPSHOT;
			snprintf(e->label, sizeof(e->label), "s%zu:%c/+-._", i,
				 'A' + (int)(x % 26));
			break;
		default:
			e->op = x & 1 ? SIM_OP_COMPACT : SIM_OP_VERIFY;
			if ((x & 7) == 7) {
				e->op = SIM_OP_COMPACT_STEP;
				e->id = (x >> 9) % 5;
			}
			break;
		}
	}
	REQUIRE(trace_write_header(f, meta, 2) == 0);
	for (i = 0; i < N; i++)
		if (trace_write_event(f, &evs[i]))
			diffs++;
	CHECK_EQ(diffs, 0);
	rewind(f);
	REQUIRE(trace_reader_open_file(f, "rt.trace", &r, err, sizeof(err)) == 0);
	CHECK_EQ(trace_reader_page_size(r), 65536);
	CHECK_STR_EQ(trace_reader_meta(r, "source"), "random");
	for (i = 0; i < N; i++) {
		rc = trace_reader_next(r, &got, err, sizeof(err));
		if (rc != 1) {
			fprintf(stderr, "event %zu: rc %d: %s\n", i, rc, err);
			diffs++;
			break;
		}
		if (ev_diff(&got, &evs[i]) || got.line != i + 4) {
			if (diffs++ < 5)
				fprintf(stderr, "event %zu differs (line %llu)\n", i,
					(unsigned long long)got.line);
		}
	}
	CHECK_EQ(diffs, 0);
	CHECK_EQ(trace_reader_next(r, &got, err, sizeof(err)), 0);
	CHECK_EQ(trace_live_set_count(&trace_reader_live(r)->objects), nobj);
	CHECK_EQ(trace_live_set_count(&trace_reader_live(r)->pids), npid);
	trace_reader_close(r);
	fclose(f);
	free(evs);
}

/*
 * Lines that cross buffer refills: events interleaved with comments of many
 * lengths, over a few megabytes, so every refill boundary lands somewhere
 * different inside a line. Each event's ID and line number is checked.
 */
static void test_refill_boundaries(void)
{
	FILE *f = tmpfile();
	struct trace_reader *r;
	struct sim_event ev;
	uint64_t seed = 7, line = 1, i, n = 0, bad = 0;
	uint64_t *lines = malloc(60000 * sizeof(*lines));
	char err[256] = "";
	char pad[9000];
	int rc;

	REQUIRE(f && lines);
	memset(pad, 'c', sizeof(pad));
	fputs("zsfrag-trace 1\n", f);
	for (i = 0; i < 60000; i++) {
		int plen = (int)(rnd(&seed) % 9000);

		if (i % 3 == 0) {
			fprintf(f, "#%.*s\n", plen, pad);
			line++;
		}
		fprintf(f, "@%llu a %llu %llu\n", (unsigned long long)i, (unsigned long long)i,
			(unsigned long long)(1 + i % 4096));
		lines[i] = ++line;
	}
	rewind(f);
	REQUIRE(trace_reader_open_file(f, "b.trace", &r, err, sizeof(err)) == 0);
	while ((rc = trace_reader_next(r, &ev, err, sizeof(err))) == 1) {
		bad +=
		    ev.id != n || ev.time_ns != n || ev.size != 1 + n % 4096 || ev.line != lines[n];
		n++;
	}
	CHECK_EQ(rc, 0);
	CHECK_U64_EQ(n, 60000);
	CHECK_U64_EQ(bad, 0);
	trace_reader_close(r);
	fclose(f);
	free(lines);
}

int main(void)
{
	RUN(test_read_fields);
	RUN(test_boundaries);
	RUN(test_line_endings);
	RUN(test_empty_and_header);
	RUN(test_error_sticky);
	RUN(test_open_path);
	RUN(test_long_lines);
	RUN(test_format_event);
	RUN(test_write_header);
	RUN(test_round_trip_random);
	RUN(test_refill_boundaries);
	return test_summary();
}
