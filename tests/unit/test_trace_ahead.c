/*
 * test_trace_ahead.c - the decoding thread hands out what the reader itself
 * would: every event, in order, then the end or the error with its message,
 * again on every later call; it can be stopped at any point (no hang, the
 * reader usable after); a pipe is refused.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_files.h"
#include "test_util.h"
#include "trace_ahead.h"
#include "trace_text.h"

/* A text trace of n events (a mix of ops, several batches long), then tail (NULL: the end line). */
static char *make_trace(unsigned int n, const char *tail, size_t *len)
{
	size_t cap = 64 + (size_t)n * 48 + (tail ? strlen(tail) : 32), k = 0;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	k += (size_t)snprintf(s + k, cap - k, "zsfrag-trace 1\n! page_size 4096\n");
	for (unsigned int i = 0; i < n; i++) {
		if (i % 3 == 0)
			k += (size_t)snprintf(s + k, cap - k, "@%u w %u %u\n", i * 10, i % 500,
					      100 + i % 3000);
		else if (i % 3 == 1)
			k += (size_t)snprintf(s + k, cap - k, "r %u\n", (i - 1) % 500);
		else
			k += (size_t)snprintf(s + k, cap - k, "s mark%u\n", i);
	}
	if (tail)
		k += (size_t)snprintf(s + k, cap - k, "%s", tail);
	else
		k += (size_t)snprintf(s + k, cap - k, "e %u\n", n);
	*len = k;
	return s;
}

/* Every event and the final status of the text, read directly (ref) and through the thread. */
static void compare(const char *text, size_t len, unsigned int expect_events, int expect_end)
{
	FILE *f1 = tu_buf_file(text, len), *f2 = tu_buf_file(text, len);
	struct trace_reader *r1 = NULL, *r2 = NULL;
	struct trace_ahead *a = NULL;
	struct sim_event e1, e2;
	char m1[512] = "", m2[512] = "";
	unsigned int n = 0;
	int k1, k2;

	REQUIRE(f1 && f2);
	REQUIRE(trace_reader_open_file(f1, "t.trace", &r1, m1, sizeof(m1)) == 0);
	REQUIRE(trace_reader_open_file(f2, "t.trace", &r2, m2, sizeof(m2)) == 0);
	REQUIRE(trace_ahead_start(r2, &a) == 0);
	for (;;) {
		memset(&e1, 0, sizeof(e1));
		memset(&e2, 0, sizeof(e2));
		k1 = trace_reader_next(r1, &e1, m1, sizeof(m1));
		k2 = trace_ahead_next(a, &e2, m2, sizeof(m2));
		CHECK_EQ(k2, k1);
		if (k1 != 1 || k2 != 1)
			break;
		n++;
		CHECK_EQ(e2.op, e1.op);
		CHECK_U64_EQ(e2.line, e1.line);
		CHECK_U64_EQ(e2.time_ns, e1.time_ns);
		CHECK_U64_EQ(e2.id, e1.id);
		CHECK_EQ(e2.size, e1.size);
		CHECK_EQ(e2.has_time, e1.has_time);
		CHECK_STR_EQ(e2.label, e1.label);
	}
	CHECK_EQ(n, expect_events);
	CHECK_EQ(k1, expect_end);
	CHECK_STR_EQ(m2, m1);
	/* the status again, and its message again */
	m2[0] = '\0';
	CHECK_EQ(trace_ahead_next(a, &e2, m2, sizeof(m2)), expect_end);
	CHECK_STR_EQ(m2, m1);
	CHECK(trace_ahead_file_pos(a) > 0);
	trace_ahead_stop(a);
	/* the reader is the caller's again: where the direct one is */
	CHECK_EQ(trace_reader_ended(r2), trace_reader_ended(r1));
	CHECK_EQ(trace_reader_next(r2, &e2, m2, sizeof(m2)), expect_end);
	trace_reader_close(r1);
	trace_reader_close(r2);
	fclose(f1);
	fclose(f2);
}

static void test_whole_trace(void)
{
	size_t len;
	char *t = make_trace(5000, NULL, &len); /* about 20 batches */

	REQUIRE(t);
	compare(t, len, 5000, 0);
	free(t);
}

static void test_empty_trace(void)
{
	size_t len;
	char *t = make_trace(0, NULL, &len);

	REQUIRE(t);
	compare(t, len, 0, 0);
	free(t);
}

/* An error after 3000 events (mid-batch): the same events first, then its message. */
static void test_error_after_events(void)
{
	size_t len;
	char *t = make_trace(3000, "w 1 99999\n", &len);

	REQUIRE(t);
	compare(t, len, 3000, -EINVAL);
	free(t);
}

/* Stopped after a few events, with the ring full: no hang, nothing leaks (ASan). */
static void test_stop_early(void)
{
	size_t len;
	char *t = make_trace(20000, NULL, &len);
	FILE *f = t ? tu_buf_file(t, len) : NULL;
	struct trace_reader *r = NULL;
	struct trace_ahead *a = NULL;
	struct sim_event ev;
	char msg[512];

	REQUIRE(f);
	REQUIRE(trace_reader_open_file(f, "t.trace", &r, msg, sizeof(msg)) == 0);
	REQUIRE(trace_ahead_start(r, &a) == 0);
	for (int i = 0; i < 10; i++)
		CHECK_EQ(trace_ahead_next(a, &ev, msg, sizeof(msg)), 1);
	CHECK_U64_EQ(ev.line, 12); /* two header lines, then the tenth event */
	trace_ahead_stop(a);
	/* the thread got further than the consumer, by at most the ring */
	CHECK_EQ(trace_reader_next(r, &ev, msg, sizeof(msg)), 1);
	CHECK(ev.line > 12 && ev.line <= 12 + 8 * 256 + 1);
	trace_ahead_stop(NULL);
	trace_reader_close(r);
	fclose(f);
	free(t);
}

/* A pipe: refused, so that a stop never waits for input. */
static void test_pipe_refused(void)
{
	int fds[2];
	FILE *w, *rf;
	struct trace_reader *r = NULL;
	struct trace_ahead *a = (struct trace_ahead *)&fds;
	char msg[512];

	REQUIRE(pipe(fds) == 0);
	w = fdopen(fds[1], "w");
	rf = fdopen(fds[0], "r");
	REQUIRE(w && rf);
	fputs("zsfrag-trace 1\nw 1 100\n", w);
	fclose(w);
	REQUIRE(trace_reader_open_file(rf, "<pipe>", &r, msg, sizeof(msg)) == 0);
	CHECK_EQ(trace_ahead_start(r, &a), -EINVAL);
	CHECK(a == NULL);
	trace_reader_close(r);
	fclose(rf);
}

int main(void)
{
	RUN(test_whole_trace);
	RUN(test_empty_trace);
	RUN(test_error_after_events);
	RUN(test_stop_early);
	RUN(test_pipe_refused);
	return test_summary();
}
