/*
 * fuzz_capture.c - libFuzzer target for the capture converter
 * (traces/capture.c), in both modes. Checks: 0 or -EINVAL (-ENOMEM) with a
 * one-line message naming the file, and that what it emits is a valid trace:
 * every event passes the writer's checks, times never go backwards, and the
 * object IDs obey the liveness rules (trace_live), so a converted capture
 * always replays.
 */
#include "capture.h"
#include "fuzz_common.h"
#include "trace_live.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_sink {
	struct trace_live live;
	uint64_t t;
};

static int fuzz_emit(void *ctx, const struct sim_event *ev)
{
	struct fuzz_sink *s = ctx;
	char line[TRACE_TEXT_EVENT_MAX];

	if (trace_format_event(line, sizeof(line), ev) < 0 || !ev->has_time || ev->time_ns < s->t)
		abort();
	if ((ev->op == SIM_OP_ALLOC || ev->op == SIM_OP_WRITE) && ev->size > 4096)
		abort();
	s->t = ev->time_ns;
	if (trace_live_apply(&s->live, ev))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int mode = CAPTURE_MODE_ALLOC; mode <= CAPTURE_MODE_ZRAM; mode++) {
		FILE *f = fuzz_stream(data, size);
		struct capture_stats st;
		struct fuzz_sink s = {.t = 0};
		char msg[512] = "";
		int rc;

		if (!f)
			return 0;
		trace_live_init(&s.live);
		rc = capture_convert(f, FUZZ_NAME, (enum capture_mode)mode, 4096, fuzz_emit, &s,
				     &st, msg, sizeof(msg));
		if (rc && rc != -EINVAL && rc != -ENOMEM)
			abort();
		if (rc)
			fuzz_check_msg(rc, msg);
		trace_live_destroy(&s.live);
		fclose(f);
	}
	return 0;
}
