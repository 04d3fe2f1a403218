/*
 * test_trace_capture.c - the capture converter (traces/capture.c).
 *
 * Without arguments: unit tests on small captures written inline. With the
 * tests/traces directory (from ctest): capture/<name>.capture converted in
 * each mode that has a capture/<name>.<mode>.expect file must give exactly
 * the events listed there (worked out by hand from the capture; the
 * "# stats:" line lists counters that must match too), and every
 * capture/invalid/<case>.capture must fail with a message containing its
 * "# expect: " text.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "test_files.h"
#include "test_util.h"
#include "trace_text.h"

/* Events formatted as text lines, one after another. */
struct sink {
	char *text;
	size_t len, cap;
	struct trace_live live; /* the output must obey the trace's liveness rules */
	int live_faults;
};

static int sink_emit(void *ctx, const struct sim_event *ev)
{
	struct sink *s = ctx;
	char line[TRACE_TEXT_EVENT_MAX];
	int n = trace_format_event(line, sizeof(line), ev);

	if (n < 0)
		return n;
	if (trace_live_apply(&s->live, ev))
		s->live_faults++;
	if (s->len + (size_t)n + 1 > s->cap) {
		s->cap = (s->cap + (size_t)n + 1) * 2;
		s->text = realloc(s->text, s->cap);
		if (!s->text)
			return -ENOMEM;
	}
	memcpy(s->text + s->len, line, (size_t)n + 1);
	s->len += (size_t)n;
	return 0;
}

static int convert_str(const char *cap, enum capture_mode mode, struct sink *s,
		       struct capture_stats *st, char *err, size_t errlen)
{
	FILE *f = fmemopen((void *)cap, strlen(cap), "r");
	int rc;

	memset(s, 0, sizeof(*s));
	trace_live_init(&s->live);
	if (!f)
		return -EIO;
	rc = capture_convert(f, "c.txt", mode, 4096, sink_emit, s, st, err, errlen);
	fclose(f);
	return rc;
}

static void sink_free(struct sink *s)
{
	free(s->text);
	trace_live_destroy(&s->live);
}

static void test_alloc_basic(void)
{
	static const char cap[] = "zram-capture 1\n"
				  "100 7 M 200 65536\n"
				  "150 7 M 300 131072\n"
				  "170 7 F 65536\n"
				  "180 7 M 400 65536\n" /* reuse after free: a new ID */
				  "190 7 F 999\n";	/* before the capture: skipped */
	struct capture_stats st;
	struct sink s;
	char err[256];

	REQUIRE(convert_str(cap, CAPTURE_MODE_ALLOC, &s, &st, err, sizeof(err)) == 0);
	CHECK_STR_EQ(s.text, "@0 a 1 200\n@50 a 2 300\n@70 f 1\n@80 a 3 400\n");
	CHECK_U64_EQ(st.records, 5);
	CHECK_U64_EQ(st.events, 4);
	CHECK_U64_EQ(st.unknown_frees, 1);
	CHECK_EQ(s.live_faults, 0);
	sink_free(&s);
}

static void test_zram_same_filled_and_failed(void)
{
	static const char cap[] = "zram-capture 1\n"
				  "10 1 W 5 1\n"
				  "15 1 D 5\n" /* no zs_malloc before: same-filled */
				  "20 1 E 0\n"
				  "30 1 W 6 1\n"
				  "40 1 M 4096 12345\n" /* huge page: stored whole */
				  "45 1 D 6\n"
				  "50 1 E 0\n"
				  "60 2 W 7 1\n"
				  "70 2 E -28\n" /* failed write: nothing */
				  "80 3 E 0\n";	 /* end without a write */
	struct capture_stats st;
	struct sink s;
	char err[256];

	REQUIRE(convert_str(cap, CAPTURE_MODE_ZRAM, &s, &st, err, sizeof(err)) == 0);
	CHECK_STR_EQ(s.text, "@5 z 5\n@35 w 6 4096\n");
	CHECK_U64_EQ(st.failed_writes, 1);
	CHECK_U64_EQ(st.stray_ends, 1);
	sink_free(&s);
}

static void test_sorting_is_stable(void)
{
	/* equal times keep file order; earlier times move up */
	static const char cap[] = "zram-capture 1\n"
				  "50 1 M 10 8\n"
				  "50 1 F 8\n"
				  "40 1 M 20 16\n"
				  "50 1 M 30 8\n";
	struct capture_stats st;
	struct sink s;
	char err[256];

	REQUIRE(convert_str(cap, CAPTURE_MODE_ALLOC, &s, &st, err, sizeof(err)) == 0);
	CHECK_STR_EQ(s.text, "@0 a 1 20\n@10 a 2 10\n@10 f 2\n@10 a 3 30\n");
	CHECK_U64_EQ(st.reordered, 1);
	sink_free(&s);
}

static void test_errors(void)
{
	struct capture_stats st;
	struct sink s;
	char err[256];

	CHECK_EQ(convert_str("zram-capture 1\n10 1 M 100\n", CAPTURE_MODE_ALLOC, &s, &st, err,
			     sizeof(err)),
		 -EINVAL);
	CHECK_STR_EQ(err, "c.txt:2: missing field HANDLE ()");
	sink_free(&s);
	CHECK_EQ(convert_str("", CAPTURE_MODE_ZRAM, &s, &st, err, sizeof(err)), -EINVAL);
	CHECK_STR_EQ(err, "c.txt:1: missing header line, expected \"zram-capture 1\" (no header)");
	sink_free(&s);
	CHECK_EQ(convert_str("Attaching 3 probes...\nzram-capture 1\nLost 5 events\n",
			     CAPTURE_MODE_ZRAM, &s, &st, err, sizeof(err)),
		 0);
	CHECK_U64_EQ(st.lost, 5);
	CHECK_U64_EQ(st.records, 0);
	sink_free(&s);
}

/* ---- data-driven ---- */

static const char *g_dir;

/* Check "# stats: name value ..." against st. */
static void check_stats(const char *path, const char *line, const struct capture_stats *st)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
#define F(x) {#x, offsetof(struct capture_stats, x)}
	    F(lines),	      F(records),	    F(events),	       F(lost),
	    F(failed_allocs), F(unknown_frees),	    F(reused_handles), F(outside_writes),
	    F(failed_writes), F(unfinished_writes), F(stray_ends),     F(ignored),
	    F(reordered),     F(readings),	    F(unpaired),       F(truncated),
	    F(no_end),	      F(compactions),	    F(interleaved),    F(interleaved_records),
	    F(zspages_freed), F(shrinker_calls),
#undef F
	};
	char name[64];
	unsigned long long v;
	int used;

	while (sscanf(line, " %63s %llu%n", name, &v, &used) == 2) {
		size_t i;

		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (!strcmp(name, fields[i].name))
				break;
		if (i == sizeof(fields) / sizeof(fields[0])) {
			TU_FAIL_("%s: unknown stat %s", path, name);
		} else {
			uint64_t got = *(const uint64_t *)((const char *)st + fields[i].off);

			tu_checks++;
			if (got != v)
				TU_FAIL_("%s: %s is %llu, expected %llu", path, name,
					 (unsigned long long)got, v);
		}
		line += used;
	}
}

static void test_expect_files(void)
{
	static const char *modes[] = {"alloc", "zram"};
	char path[1024];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/capture", g_dir);
	d = opendir(path);
	REQUIRE(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len < 9 || strcmp(e->d_name + len - 8, ".capture"))
			continue;
		for (int m = 0; m < 2; m++) {
			char exp_path[1024], cap_path[1024], err[512];
			struct capture_stats st;
			struct sink s = {0};
			enum capture_mode mode;
			char *want, *body;
			FILE *f;
			int rc;

			snprintf(exp_path, sizeof(exp_path), "%s/capture/%.*s.%s.expect", g_dir,
				 (int)(len - 8), e->d_name, modes[m]);
			want = tu_slurp(exp_path, NULL);
			if (!want)
				continue;
			snprintf(cap_path, sizeof(cap_path), "%s/capture/%s", g_dir, e->d_name);
			capture_mode_parse(modes[m], &mode);
			f = fopen(cap_path, "r");
			REQUIRE(f);
			trace_live_init(&s.live);
			rc = capture_convert(f, cap_path, mode, 4096, sink_emit, &s, &st, err,
					     sizeof(err));
			fclose(f);
			CHECK_EQ(rc, 0);
			if (rc)
				TU_FAIL_("%s: %s", cap_path, err);
			/* the expect file: "# stats: ..." then the events */
			body = want;
			if (!strncmp(body, "# stats:", 8)) {
				char *nl = strchr(body, '\n');

				REQUIRE(nl);
				*nl = '\0';
				check_stats(exp_path, body + 8, &st);
				body = nl + 1;
			}
			if (!s.text || strcmp(s.text, body))
				TU_FAIL_("%s (%s mode): got\n%s\nexpected\n%s", cap_path, modes[m],
					 s.text ? s.text : "", body);
			tu_checks++;
			CHECK_EQ(s.live_faults, 0);
			sink_free(&s);
			free(want);
			n++;
		}
	}
	closedir(d);
	CHECK_LE(3, n);
	fprintf(stderr, "     %d capture conversions\n", n);
}

static void test_invalid_files(void)
{
	char path[1024];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/capture/invalid", g_dir);
	d = opendir(path);
	REQUIRE(d);
	while ((e = readdir(d))) {
		char file[1400], err[512], *text, *exp;
		struct capture_stats st;
		struct sink s = {0};
		FILE *f;
		int rc;

		if (e->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
		text = tu_slurp(file, NULL);
		REQUIRE(text);
		exp = strstr(text, "# expect: ");
		if (!exp) {
			TU_FAIL_("%s: no '# expect: ' line", file);
			free(text);
			continue;
		}
		exp += 10;
		exp[strcspn(exp, "\n")] = '\0';
		f = fopen(file, "r");
		REQUIRE(f);
		trace_live_init(&s.live);
		rc = capture_convert(f, file, CAPTURE_MODE_ALLOC, 4096, sink_emit, &s, &st, err,
				     sizeof(err));
		fclose(f);
		CHECK_EQ(rc, -EINVAL);
		tu_checks++;
		if (!strstr(err, exp) || strncmp(err, file, strlen(file)))
			TU_FAIL_("%s: message \"%s\" lacks \"%s\"", file, err, exp);
		sink_free(&s);
		free(text);
		n++;
	}
	closedir(d);
	CHECK_LE(10, n);
	fprintf(stderr, "     %d invalid captures\n", n);
}

/* Convert with opts; readings land in *rd (up to 4). */
struct rd_sink {
	struct sink s;
	struct capture_reading rd[4];
	char labels[4][CAPTURE_LABEL_MAX + 1];
	int nrd, begun;
};

static void rd_reading(void *ctx, const struct capture_reading *r)
{
	struct rd_sink *k = ctx;

	if (k->nrd < 4) {
		k->rd[k->nrd] = *r;
		snprintf(k->labels[k->nrd], sizeof(k->labels[0]), "%s", r->label);
		k->nrd++;
	}
}

static int rd_begin(void *ctx, const struct capture_stats *st)
{
	struct rd_sink *k = ctx;

	(void)st;
	k->begun++;
	CHECK_EQ(k->s.len, 0); /* before any event */
	return 0;
}

static int convert_opts(const char *cap, struct capture_opts *o, struct rd_sink *k,
			struct capture_stats *st, char *err, size_t errlen)
{
	FILE *f = fmemopen((void *)cap, strlen(cap), "r");
	int rc;

	memset(k, 0, sizeof(*k));
	trace_live_init(&k->s.live);
	if (!f)
		return -EIO;
	o->page_size = 4096;
	o->reading = rd_reading;
	o->begin = rd_begin;
	rc = capture_convert_opts(f, "t.txt", o, sink_emit, k, st, err, errlen);
	fclose(f);
	return rc;
}

/* trace_pipe's lines as the tracefs kit records them (6.1: rw_page; 6.12: bios) */
#define TF_HEAD "zram-capture 1 page_size=4096 kit=tracefs end_line=1 arch=x86_64\n"
static const char tf_cap[] =
    TF_HEAD "# probe p:zsfrag/zsf_malloc zs_malloc size=%si:u64\n"
    "          mkswap-70      [000] .....     9.000001: zsf_bio: (zram_submit_bio+0x0/0x90 [zram]) sector=0 size=4096 opf=0x8801\n"
    "          mkswap-70      [000] .....     9.000002: zsf_malloc: (zs_malloc+0x0/0x3f0 [zsmalloc]) size=64\n"
    "          mkswap-70      [000] .....     9.000003: zsf_malloc_ret: (zram_bvec_rw.constprop.0+0x2d1/0x800 [zram] <- zs_malloc) handle=18446612686529052672\n"
    "          mkswap-70      [000] .....     9.000004: zsf_free_page: (zram_free_page+0x0/0x120 [zram]) index=0\n"
    "          mkswap-70      [000] .....     9.000005: zsf_bio_ret: (submit_bio_noacct_nocheck+0x1b0/0x360 <- zram_submit_bio) arg1=0x0\n"
    "     kworker/u2:1-12 (12) [000] d..1.    10.5: zsf_rw_page: (zram_rw_page+0x0/0x190 [zram]) sector=80 op=1\n"
    "     kworker/u2:1-12 (12) [000] d..1.    10.6: zsf_free_page: (zram_free_page+0x0/0x120 [zram]) index=10\n"
    "     kworker/u2:1-12 (12) [000] d..1.    10.7: zsf_rw_page_ret: (swap_writepage+0x0/0x10 <- zram_rw_page) ret=0\n"
    "  swap load-3-99     [000] d....    11.000000: zsf_rw_page: (zram_rw_page+0x0/0x190 [zram]) sector=88 op=0x1\n"
    "  swap load-3-99     [000] d....    11.000001: zsf_malloc: (zs_malloc+0x0/0x3f0 [zsmalloc]) size=0xfa0\n"
    "             kcompactd0-30   [000] d....    11.000002: zsf_compact: (zs_compact+0x0/0x40 [zsmalloc])\n"
    "  swap load-3-99     [000] d....    11.000003: zsf_malloc_ret: (zram_bvec_rw.constprop.0+0x2d1/0x800 [zram] <- zs_malloc) handle=0xffff888004a3c000\n"
    "  swap load-3-99     [000] d....    11.000004: zsf_free_page: (zram_free_page+0x0/0x120 [zram]) index=11\n"
    "  swap load-3-99     [000] d....    11.000005: zsf_rw_page_ret: (swap_writepage+0x0/0x10 <- zram_rw_page) ret=0\n"
    "             kcompactd0-30   [000] d....    11.000006: zsf_free_zspage: (__free_zspage+0x0/0x90 [zsmalloc])\n"
    "             kcompactd0-30   [000] d....    11.000007: zsf_compact_ret: (zs_shrinker_scan+0x10/0x30 [zsmalloc] <- zs_compact) pages=1\n"
    "  swap load-3-99     [000] d....    11.000008: zsf_rw_page: (zram_rw_page+0x0/0x190 [zram]) sector=88 op=0\n"
    "  swap load-3-99     [000] d....    11.000009: zsf_rw_page_ret: (swap_readpage+0x0/0x10 <- zram_rw_page) ret=0\n"
    "          <idle>-0       [000] d....    11.000010: zsf_free_page: (zram_free_page+0x0/0x120 [zram]) index=10\n"
    "        swapload-90      [000] .....    12.000000: tracing_mark_write: zsfrag mm_stat filled 8192 4064 12288 0 12288 1 1 0 0\n"
    "        swapload-90      [000] .....    12.000001: tracing_mark_write: someone else's marker\n"
    "        swapload-90      [000] .....    12.000002: tracing_mark_write: zsfrag capture-drained\n"
    "zram-capture-end\n";

static void test_tracefs(void)
{
	struct capture_opts o = {.mode = CAPTURE_MODE_ZRAM};
	struct capture_stats st;
	struct rd_sink k;
	char err[512];

	REQUIRE(convert_opts(tf_cap, &o, &k, &st, err, sizeof(err)) == 0);
	/* times from the first record (9.000001 s): the swap header's 64-byte object through a
	 * bio, a same-filled page through rw_page (the kworker's "(12)" is its TGID), the
	 * 4000-byte page stored at 11.000004, the read, the idle task's slot free; compaction
	 * at its entry; the reading as an s event (other markers are ignored) */
	CHECK_STR_EQ(k.s.text, "@3000 w 0 64\n"
			       "@1599999000 z 10\n"
			       "@2000001000 c\n"
			       "@2000003000 w 11 4000\n"
			       "@2000007000 r 11\n"
			       "@2000009000 d 10\n"
			       "@2999999000 s filled\n");
	CHECK_U64_EQ(st.readings, 1);
	CHECK_U64_EQ(st.compactions, 1);
	CHECK_U64_EQ(st.interleaved, 1); /* swap load-3's writes came inside it */
	CHECK_U64_EQ(st.interleaved_records, 3); /* its M, D and E */
	CHECK_U64_EQ(st.zspages_freed, 1);
	CHECK_U64_EQ(st.lost + st.unpaired + st.truncated + st.no_end, 0);
	CHECK_EQ(k.begun, 1);
	REQUIRE(k.nrd == 1);
	CHECK_STR_EQ(k.labels[0], "filled");
	CHECK_U64_EQ(k.rd[0].n, 9);
	CHECK_U64_EQ(k.rd[0].v[1], 4064);
	CHECK_U64_EQ(k.rd[0].time_ns, 3000000000 - 1000);
	sink_free(&k.s);

	/* --compact-at return: the c moves to the K line */
	o.compact_at = CAPTURE_COMPACT_AT_RETURN;
	REQUIRE(convert_opts(tf_cap, &o, &k, &st, err, sizeof(err)) == 0);
	CHECK(strstr(k.s.text, "@2000003000 w 11 4000\n@2000006000 c\n") != NULL);
	sink_free(&k.s);
}

/*
 * With compaction steps probed (P: putback_zspage on 6.3+), a compaction that another
 * thread's records interleave is replayed in steps: `y N` (N the compacting thread's steps so far) right before the
 * first of them after compaction work, `y 0` at its return. Thread 5 compacts; thread 1
 * writes slot 4 after its second step (its lock drop), thread 7's compaction inside
 * returns at once (compaction_in_progress) and gives nothing. A compaction nobody
 * interleaves stays one `c`, at its return; one interleaved before its first step too.
 */
static void test_compaction_steps(void)
{
	static const char cap[] = "zram-capture 1\n"
				  "10 1 W 3 1\n11 1 M 100 8\n12 1 D 3\n13 1 E 0\n"
				  "20 5 C\n21 5 P\n22 5 P\n"
				  "30 1 W 4 1\n31 1 M 200 16\n32 1 D 4\n33 1 E 0\n"
				  "34 7 C\n35 7 K 0\n"
				  "40 5 P\n41 5 P\n"
				  "42 1 D 3\n"
				  "43 5 P\n44 5 K 3\n"
				  "50 5 C\n51 5 P\n52 5 K 0\n"
				  "60 5 C\n61 1 D 4\n62 5 P\n63 5 K 0\n";
	struct capture_stats st;
	struct sink s;
	char err[256];

	REQUIRE(convert_str(cap, CAPTURE_MODE_ZRAM, &s, &st, err, sizeof(err)) == 0);
	CHECK_STR_EQ(s.text, "@2 w 3 100\n@20 y 2\n@22 w 4 200\n@32 y 4\n@32 d 3\n@34 y 0\n"
			     "@42 c\n@51 d 4\n@53 c\n");
	CHECK_U64_EQ(st.compactions, 4);
	CHECK_U64_EQ(st.stepped, 1);
	CHECK_U64_EQ(st.steps, 7);
	CHECK_U64_EQ(st.interleaved, 2);
	sink_free(&s);
}

/*
 * Two CPUs, the under-lock probes and trace_clock counter (stamps are a count): zs_malloc and
 * zs_free are stamped at entry, obj_malloc/obj_free where the pool's lock is held. Thread 50
 * enters zs_malloc first, makes its own zspage (create_page_chain) with the lock dropped and
 * takes the lock after thread 60's whole zs_malloc: 60's write comes first, 50's is marked
 * " n". Thread 44's discard of slot 2 enters zs_free before 50's next zs_malloc and takes
 * the lock after it. A compaction's own obj_malloc/obj_free pair with nothing. Then 50
 * rewrites slot 3: its w goes where its allocation took the lock, and with it the old
 * object's free, which the kernel did after 60's allocation (counted: early_frees).
 */
#define UL(pid, cpu, t, ev) "  swap-" #pid " [00" #cpu "] .... " #t ": " ev "\n"
static const char ul_cap[] =
    "zram-capture 1 page_size=4096 kit=tracefs end_line=1 arch=x86_64 trace_clock=counter\n"
    UL(50, 0, 100, "zsf_rw_page: (zram_rw_page) sector=8 op=1")
    UL(50, 0, 101, "zsf_malloc: (zs_malloc) size=1000")
    UL(60, 1, 102, "zsf_rw_page: (zram_rw_page) sector=16 op=1")
    UL(60, 1, 103, "zsf_malloc: (zs_malloc) size=1100")
    UL(60, 1, 104, "zsf_obj_malloc: (obj_malloc)")
    UL(60, 1, 105, "zsf_malloc_ret: (x <- zs_malloc) handle=0x1000")
    UL(60, 1, 106, "zsf_free_page: (zram_free_page) index=2")
    UL(60, 1, 107, "zsf_rw_page_ret: (x <- zram_rw_page) ret=0")
    UL(50, 0, 108, "zsf_create_page_chain: (create_page_chain)")
    UL(50, 0, 109, "zsf_obj_malloc: (obj_malloc)")
    UL(50, 0, 110, "zsf_malloc_ret: (x <- zs_malloc) handle=0x2000")
    UL(50, 0, 111, "zsf_free_page: (zram_free_page) index=1")
    UL(50, 0, 112, "zsf_rw_page_ret: (x <- zram_rw_page) ret=0")
    UL(44, 1, 113, "zsf_free_page: (zram_free_page) index=2")
    UL(44, 1, 114, "zsf_free: (zs_free) handle=0x1000")
    UL(50, 0, 115, "zsf_rw_page: (zram_rw_page) sector=24 op=1")
    UL(50, 0, 116, "zsf_malloc: (zs_malloc) size=500")
    UL(50, 0, 117, "zsf_obj_malloc: (obj_malloc)")
    UL(50, 0, 118, "zsf_malloc_ret: (x <- zs_malloc) handle=0x3000")
    UL(44, 1, 119, "zsf_obj_free: (obj_free)")
    UL(50, 0, 120, "zsf_free_page: (zram_free_page) index=3")
    UL(50, 0, 121, "zsf_rw_page_ret: (x <- zram_rw_page) ret=0")
    UL(30, 1, 122, "zsf_compact: (zs_compact)")
    UL(30, 1, 123, "zsf_obj_malloc: (obj_malloc)")
    UL(30, 1, 124, "zsf_obj_free: (obj_free)")
    UL(30, 1, 125, "zsf_compact_ret: (x <- zs_compact) pages=0")
    UL(50, 0, 126, "zsf_rw_page: (zram_rw_page) sector=24 op=1")
    UL(50, 0, 127, "zsf_malloc: (zs_malloc) size=600")
    UL(50, 0, 128, "zsf_obj_malloc: (obj_malloc)")
    UL(50, 0, 129, "zsf_malloc_ret: (x <- zs_malloc) handle=0x4000")
    UL(60, 1, 130, "zsf_rw_page: (zram_rw_page) sector=32 op=1")
    UL(60, 1, 131, "zsf_malloc: (zs_malloc) size=700")
    UL(60, 1, 132, "zsf_obj_malloc: (obj_malloc)")
    UL(60, 1, 133, "zsf_malloc_ret: (x <- zs_malloc) handle=0x5000")
    UL(50, 0, 134, "zsf_free_page: (zram_free_page) index=3")
    UL(50, 0, 135, "zsf_free: (zs_free) handle=0x3000")
    UL(50, 0, 136, "zsf_obj_free: (obj_free)")
    UL(50, 0, 137, "zsf_rw_page_ret: (x <- zram_rw_page) ret=0")
    UL(60, 1, 138, "zsf_free_page: (zram_free_page) index=4")
    UL(60, 1, 139, "zsf_rw_page_ret: (x <- zram_rw_page) ret=0")
    "zram-capture-end\n";

/* ul_cap without the under-lock probes' lines (and so without their reordering). */
static void ul_strip(char *out, size_t len)
{
	const char *p = ul_cap;
	size_t o = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = (size_t)(nl - p) + 1;

		if (!memmem(p, n, "zsf_obj_", 8) && !memmem(p, n, "create_page_chain", 17) &&
		    o + n < len) {
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
	}
	out[o] = '\0';
}

static void test_under_lock(void)
{
	struct capture_stats st;
	struct sink s;
	char err[256], plain[sizeof(ul_cap)];

	REQUIRE(convert_str(ul_cap, CAPTURE_MODE_ZRAM, &s, &st, err, sizeof(err)) == 0);
	CHECK_STR_EQ(s.text, "@4 w 2 1100\n@9 w 1 1000 n\n@17 w 3 500\n@19 d 2\n@22 c\n"
			     "@28 w 3 600\n@32 w 4 700\n");
	CHECK_EQ(s.live_faults, 0);
	CHECK_U64_EQ(st.keyed_mallocs, 5);
	CHECK_U64_EQ(st.keyed_frees, 2);
	CHECK_U64_EQ(st.new_zspages, 1);
	CHECK_U64_EQ(st.unkeyed, 0);
	CHECK_U64_EQ(st.early_frees, 1);
	CHECK(st.moved > 0);
	sink_free(&s);

	/* the allocator's view: the frees where they took the lock too */
	REQUIRE(convert_str(ul_cap, CAPTURE_MODE_ALLOC, &s, &st, err, sizeof(err)) == 0);
	CHECK_STR_EQ(s.text, "@4 a 1 1100\n@9 a 2 1000 n\n@17 a 3 500\n@19 f 1\n@22 c\n"
			     "@28 a 4 600\n@32 a 5 700\n@36 f 3\n");
	sink_free(&s);

	/* without those lines: the order of entries, stamps as counts all the same */
	ul_strip(plain, sizeof(plain));
	REQUIRE(convert_str(plain, CAPTURE_MODE_ZRAM, &s, &st, err, sizeof(err)) == 0);
	CHECK_STR_EQ(s.text, "@6 w 2 1100\n@11 w 1 1000\n@13 d 2\n@20 w 3 500\n@22 c\n"
			     "@34 w 3 600\n@38 w 4 700\n");
	CHECK_U64_EQ(st.keyed_mallocs + st.keyed_frees + st.new_zspages + st.moved, 0);
	sink_free(&s);
}
#undef UL

/* Captures that would give another trace: refused, or converted with counted repairs. */
static void test_repairs(void)
{
	static const struct {
		const char *cap, *msg;
		size_t off; /* capture_stats field that counts the repair */
		enum capture_mode mode;
	} cases[] = {
	    {TF_HEAD "CPU:0 [LOST 17 EVENTS]\nzram-capture-end\n", "17 lost events",
	     offsetof(struct capture_stats, lost), CAPTURE_MODE_ZRAM},
	    {TF_HEAD "Lost 3 events\nzram-capture-end\n", "3 lost events",
	     offsetof(struct capture_stats, lost), CAPTURE_MODE_ALLOC},
	    {TF_HEAD "   a-1 [000] ..... 1.0: zsf_malloc_ret: (x <- zs_malloc) handle=5\n"
		     "zram-capture-end\n",
	     "1 return lines without their entry", offsetof(struct capture_stats, unpaired),
	     CAPTURE_MODE_ALLOC},
	    {TF_HEAD "   a-1 [000] ..... 1.0: zsf_free_page: (x) index=5\n",
	     "missing zram-capture-end line", offsetof(struct capture_stats, no_end),
	     CAPTURE_MODE_ZRAM},
	    {"zram-capture 1\n10 1 F 77\n", "1 frees of handles never allocated",
	     offsetof(struct capture_stats, unknown_frees), CAPTURE_MODE_ALLOC},
	    {"zram-capture 1\n10 1 M 100 8\n20 1 M 100 8\n", "1 handles reused without a free",
	     offsetof(struct capture_stats, reused_handles), CAPTURE_MODE_ALLOC},
	    /* zram mode: the trace has no such free, yet the kernel's pool lost an object */
	    {"zram-capture 1\n5 1 W 3 1\n10 1 F 77\n11 1 D 3\n12 1 E 0\n",
	     "1 frees of handles never allocated", offsetof(struct capture_stats, unknown_frees),
	     CAPTURE_MODE_ZRAM},
	    {"zram-capture 1\n10 1 M 100 8\n20 1 M 100 8\n", "1 handles reused without a free",
	     offsetof(struct capture_stats, reused_handles), CAPTURE_MODE_ZRAM},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct capture_opts o = {.mode = cases[i].mode};
		struct capture_stats st;
		struct rd_sink k;
		char err[512];

		CHECK_EQ(convert_opts(cases[i].cap, &o, &k, &st, err, sizeof(err)), -EINVAL);
		CHECK(strstr(err, cases[i].msg) != NULL);
		CHECK(strstr(err, "--repair") != NULL);
		CHECK_EQ(k.begun, 0); /* refused before anything was written */
		sink_free(&k.s);
		o.repair = true;
		CHECK_EQ(convert_opts(cases[i].cap, &o, &k, &st, err, sizeof(err)), 0);
		CHECK(*(const uint64_t *)((const char *)&st + cases[i].off) > 0);
		CHECK(capture_repairs(&st, o.mode) > 0);
		sink_free(&k.s);
	}
}

/* A cut capture: the last line without its newline is refused, or dropped and counted. */
static void test_truncated(void)
{
	static const char cap[] = "zram-capture 1\n10 1 M 100 8\n20 1 F 8\n30 1 M 20";
	struct capture_opts o = {.mode = CAPTURE_MODE_ALLOC};
	struct capture_stats st;
	struct rd_sink k;
	char err[512];

	CHECK_EQ(convert_opts(cap, &o, &k, &st, err, sizeof(err)), -EINVAL);
	CHECK_STR_EQ(err, "t.txt:4: truncated last line, no newline: the capture was cut "
			  "(--repair drops the line) (30 1 M 20)");
	sink_free(&k.s);
	o.repair = true;
	CHECK_EQ(convert_opts(cap, &o, &k, &st, err, sizeof(err)), 0);
	CHECK_STR_EQ(k.s.text, "@0 a 1 100\n@10 f 1\n");
	CHECK_U64_EQ(st.truncated, 1);
	sink_free(&k.s);
}

static void test_tracefs_errors(void)
{
	static const struct {
		const char *line, *msg;
	} cases[] = {
	    {"no cpu field here\n", "t.txt:2: malformed tracefs line, no [CPU] field"},
	    {"   a-1 [000] ..... 1.0 zsf_free: (x) handle=5\n", "no time"},
	    {"   a [000] ..... 1.0: zsf_free: (x) handle=5\n", "no COMM-PID before [CPU]"},
	    {"   a-1 [000] ..... x.0: zsf_free: (x) handle=5\n", "t.txt:2: bad time"},
	    {"   a-1 [000] ..... 1.0: zsf_free: (x) handel=5\n", "missing field handle"},
	    {"   a-1 [000] ..... 1.0: zsf_free: (x) handle=0xzz\n", "not a number"},
	    {"   a-1 [000] ..... 1.0: zsf_free: (x handle=5\n", "probe site without ')'"},
	    {"   a-1 [000] ..... 1.0: zsf_bogus: (x) a=1\n", "unknown zsf_ event (zsf_bogus)"},
	    {"   a-1 [000] ..... 1.0: zsf_free_page: (x) index=4294967296\n", "SLOT out of range"},
	    {"   a-1 [000] ..... 1.0: tracing_mark_write: zsfrag mm_stat bad|label 1\n",
	     "bad label"},
	    {"CPU:0 [LOST x EVENTS]\n", "malformed LOST line"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char cap[512], err[512];
		struct capture_opts o = {.mode = CAPTURE_MODE_ZRAM, .repair = true};
		struct capture_stats st;
		struct rd_sink k;

		snprintf(cap, sizeof(cap), "%s%szram-capture-end\n", TF_HEAD, cases[i].line);
		CHECK_EQ(convert_opts(cap, &o, &k, &st, err, sizeof(err)), -EINVAL);
		if (!strstr(err, cases[i].msg))
			TU_FAIL_("case %zu: '%s' lacks '%s'", i, err, cases[i].msg);
		sink_free(&k.s);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		g_dir = argv[1];
		RUN(test_expect_files);
		RUN(test_invalid_files);
		return test_summary();
	}
	RUN(test_alloc_basic);
	RUN(test_zram_same_filled_and_failed);
	RUN(test_sorting_is_stable);
	RUN(test_errors);
	RUN(test_tracefs);
	RUN(test_compaction_steps);
	RUN(test_under_lock);
	RUN(test_repairs);
	RUN(test_truncated);
	RUN(test_tracefs_errors);
	return test_summary();
}
