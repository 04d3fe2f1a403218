/*
 * fuzz_common.h - what every trace fuzz target checks, shared by the
 * libFuzzer targets in fuzz/ (header-only: each target is one file plus the
 * replay driver).
 *
 * The contract of every reader: trace_reader_next() returns 1, 0 or a
 * negative errno; on an error the message is one non-empty line that starts
 * with the name the reader was given; after the end or an error every later
 * call says the same again; every event handed out can be written back by
 * trace_format_event() (the writer accepts whatever a reader accepts).
 */
#ifndef ZSFRAG_FUZZ_COMMON_H
#define ZSFRAG_FUZZ_COMMON_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_text.h"

#define FUZZ_NAME	"fuzz.in"
#define FUZZ_MAX_EVENTS 200000 /* a decompression bomb may not stall the fuzzer */

/* A read-only stream over data; fmemopen() refuses size 0, so use /dev/null then. */
static inline FILE *fuzz_stream(const uint8_t *data, size_t size)
{
	if (!size)
		return fopen("/dev/null", "rb");
	return fmemopen((void *)data, size, "rb");
}

static inline void fuzz_check_msg(int rc, const char *msg)
{
	if (rc == -ENOMEM)
		return;
	if (!msg[0] || strchr(msg, '\n') || strncmp(msg, FUZZ_NAME, strlen(FUZZ_NAME)))
		abort();
}

/* Drain an open reader and check the contract above. */
static inline void fuzz_drain(struct trace_reader *r)
{
	struct sim_event ev;
	char msg[512], line[TRACE_TEXT_EVENT_MAX];
	int rc, again;
	long n = 0;

	if (trace_reader_page_size(r) != 4096 && trace_reader_page_size(r) != 16384 &&
	    trace_reader_page_size(r) != 65536)
		abort();
	for (;;) {
		msg[0] = '\0';
		rc = trace_reader_next(r, &ev, msg, sizeof(msg));
		if (rc != 1)
			break;
		if (trace_format_event(line, sizeof(line), &ev) < 0)
			abort();
		if ((ev.op == SIM_OP_ALLOC || ev.op == SIM_OP_WRITE) &&
		    (ev.size < 1 || ev.size > trace_reader_page_size(r)))
			abort();
		if (++n >= FUZZ_MAX_EVENTS)
			return;
	}
	if (rc < 0)
		fuzz_check_msg(rc, msg);
	else if (rc != 0)
		abort();
	again = trace_reader_next(r, &ev, msg, sizeof(msg));
	if (again != rc)
		abort();
}

/*
 * One input through a reader: open data with open_fn (trace_reader_open_text,
 * or trace_reader_open_file, which sniffs), check the message of a refused
 * open, else drain and close the reader. Returns true when it opened as an
 * uncompressed binary trace (fuzz_trace_bin then also checks the round trip).
 */
static inline bool fuzz_read_input(const uint8_t *data, size_t size,
				   int (*open_fn)(FILE *f, const char *name, struct trace_reader **r,
						  char *err, size_t errlen))
{
	FILE *f = fuzz_stream(data, size);
	struct trace_reader *r;
	char msg[512] = "";
	bool binary = false;
	int rc;

	if (!f)
		return false;
	rc = open_fn(f, FUZZ_NAME, &r, msg, sizeof(msg));
	if (rc) {
		fuzz_check_msg(rc, msg);
	} else {
		binary = trace_reader_format(r) == TRACE_FORMAT_BINARY &&
			 trace_reader_codec(r) == TRACE_CODEC_NONE;
		fuzz_drain(r);
		trace_reader_close(r);
	}
	fclose(f);
	return binary;
}

#endif /* ZSFRAG_FUZZ_COMMON_H */
