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

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n)
			n = 0;
		buf[n] = '\0';
	}
	fclose(f);
	return buf;
}

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
	    F(reordered),
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
			want = slurp(exp_path);
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
		text = slurp(file);
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
	return test_summary();
}
