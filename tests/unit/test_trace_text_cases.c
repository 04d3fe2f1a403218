/*
 * test_trace_text_cases.c - the text trace's data-driven suites, run by ctest
 * with tests/traces: every valid/<case>.trace must read to the end without
 * error, hold "# expect-events: N" events and survive a round trip; every
 * invalid/<case>.trace must fail with a message of the form "FILE:LINE: what
 * (token)" whose "FILE:LINE: what" part contains its "# expect: " text and,
 * when given, whose token is exactly its "# expect-token: " text.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"
#include "trace_text.h"

/* Field-by-field equality; time_ns only matters when has_time. */
static int ev_diff(const struct sim_event *a, const struct sim_event *b)
{
	if (a->op != b->op || a->has_time != b->has_time || a->id != b->id || a->size != b->size ||
	    a->order != b->order || a->mtype != b->mtype || strcmp(a->label, b->label) ||
	    a->swapped_out != b->swapped_out || a->slot != b->slot)
		return 1;
	return a->has_time && a->time_ns != b->time_ns;
}

static int is_trace(const struct dirent *d)
{
	size_t l = strlen(d->d_name);

	return l > 6 && !strcmp(d->d_name + l - 6, ".trace");
}

/* Value of the first "# NAME: " line of path (CR stripped), or NULL. */
static char *case_directive(const char *path, const char *name, char *out, size_t outlen)
{
	FILE *f = fopen(path, "rb");
	char line[512];
	size_t nl = strlen(name);
	char *res = NULL;

	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "# ", 2) && !strncmp(line + 2, name, nl) &&
		    !strncmp(line + 2 + nl, ": ", 2)) {
			line[strcspn(line, "\r\n")] = '\0';
			snprintf(out, outlen, "%s", line + 4 + nl);
			res = out;
			break;
		}
	}
	fclose(f);
	return res;
}

/* Read path to the end; the count or the error. Events are appended to out when given. */
static long read_path(const char *path, struct sim_event **out, char *err, size_t errlen)
{
	struct trace_reader *r;
	struct sim_event ev;
	size_t cap = 0;
	long n = 0;
	int rc = trace_reader_open(path, &r, err, errlen);

	if (rc)
		return rc;
	while ((rc = trace_reader_next(r, &ev, err, errlen)) == 1) {
		if (out) {
			if ((size_t)n == cap) {
				cap = cap ? cap * 2 : 16;
				*out = realloc(*out, cap * sizeof(ev));
			}
			(*out)[n] = ev;
		}
		n++;
	}
	trace_reader_close(r);
	return rc < 0 ? rc : n;
}

/* Read, write back (metadata included), read again: same events and metadata. */
static void round_trip_file(const char *path)
{
	struct sim_event *a = NULL, *b = NULL;
	struct trace_meta meta[TRACE_TEXT_META_MAX];
	char err[512], tmp[] = "/tmp/zsfrag_rt_XXXXXX";
	struct trace_reader *r;
	struct sim_event ev;
	size_t nm, i;
	long na, nb;
	FILE *f;
	int fd = mkstemp(tmp);

	REQUIRE(fd >= 0);
	f = fdopen(fd, "w");
	REQUIRE(f);
	REQUIRE(trace_reader_open(path, &r, err, sizeof(err)) == 0);
	nm = trace_reader_meta_count(r);
	for (i = 0; i < nm; i++)
		trace_reader_meta_at(r, i, &meta[i].key, &meta[i].value);
	CHECK_EQ(trace_write_header(f, meta, nm), 0);
	while (trace_reader_next(r, &ev, err, sizeof(err)) == 1)
		CHECK_EQ(trace_write_event(f, &ev), 0);
	trace_reader_close(r);
	fclose(f);
	na = read_path(path, &a, err, sizeof(err));
	nb = read_path(tmp, &b, err, sizeof(err));
	CHECK_EQ(nb, na);
	for (i = 0; na > 0 && nb == na && i < (size_t)na; i++)
		if (ev_diff(&a[i], &b[i]) || a[i].time_ns != b[i].time_ns)
			TU_FAIL_("%s: event %zu differs after a round trip", path, i);
	unlink(tmp);
	free(a);
	free(b);
}

static void run_valid(const char *dir)
{
	struct dirent **names;
	char path[1300], want[64], err[512];
	int i, n = scandir(dir, &names, is_trace, alphasort);

	REQUIRE(n > 0);
	for (i = 0; i < n; i++) {
		long got;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		got = read_path(path, NULL, err, sizeof(err));
		if (got < 0)
			TU_FAIL_("%s: %s", path, err);
		else if (!case_directive(path, "expect-events", want, sizeof(want)))
			TU_FAIL_("%s: no '# expect-events: N' line", path);
		else
			CHECK_EQ(got, atol(want));
		round_trip_file(path);
		tu_checks++;
		free(names[i]);
	}
	free(names);
	fprintf(stderr, "     %d valid cases\n", n);
}

static void run_invalid(const char *dir)
{
	struct dirent **names;
	char path[1300], want[512], tok[512], err[1500];
	int i, n = scandir(dir, &names, is_trace, alphasort);

	REQUIRE(n > 0);
	for (i = 0; i < n; i++) {
		size_t pl;
		long got;
		char *open_paren;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		free(names[i]);
		tu_checks++;
		if (!case_directive(path, "expect", want, sizeof(want))) {
			TU_FAIL_("%s: no '# expect: ' line", path);
			continue;
		}
		got = read_path(path, NULL, err, sizeof(err));
		if (got != -EINVAL) {
			TU_FAIL_("%s: expected -EINVAL, got %ld", path, got);
			continue;
		}
		/* "PATH:LINE: what (token)", one line. */
		pl = strlen(path);
		if (strncmp(err, path, pl) || err[pl] != ':' || strchr(err, '\n')) {
			TU_FAIL_("%s: message not 'FILE:LINE: ...': %s", path, err);
			continue;
		}
		open_paren = strstr(err + pl, " (");
		if (!open_paren || err[strlen(err) - 1] != ')') {
			TU_FAIL_("%s: message has no '(token)': %s", path, err);
			continue;
		}
		/* Match the expectation against the part before the quoted token. */
		*open_paren = '\0';
		if (!strstr(err, want))
			TU_FAIL_("%s: message '%s' lacks '%s'", path, err, want);
		if (case_directive(path, "expect-token", tok, sizeof(tok))) {
			size_t tl = strlen(open_paren + 2);

			open_paren[2 + tl - 1] = '\0';
			if (strcmp(open_paren + 2, tok))
				TU_FAIL_("%s: token '%s', expected '%s'", path, open_paren + 2,
					 tok);
		}
	}
	free(names);
	fprintf(stderr, "     %d invalid cases\n", n);
}

static const char *g_dir;

static void test_valid_cases(void)
{
	char d[1024];

	snprintf(d, sizeof(d), "%s/valid", g_dir);
	run_valid(d);
}

static void test_invalid_cases(void)
{
	char d[1024];

	snprintf(d, sizeof(d), "%s/invalid", g_dir);
	run_invalid(d);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR (tests/traces)\n", argv[0]);
		return 2;
	}
	g_dir = argv[1];
	RUN(test_valid_cases);
	RUN(test_invalid_cases);
	return test_summary();
}
