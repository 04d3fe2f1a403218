/*
 * trace_ahead.h - a thread that decodes a trace ahead of its consumer, on
 * another core.
 *
 * Decoding is a sixth of a text trace's replay (BENCHMARKS.md, "Eighth
 * session"; a binary trace's is a few percent, which handing the events
 * across cores costs about as much as it saves). The thread calls
 * trace_reader_next() into batches of events; the consumer takes them in
 * order, unchanged, and meets the reader's end or error after the events
 * before it, with its message, exactly as trace_reader_next() would have
 * given them. While the thread runs, nothing else may use the reader; after
 * trace_ahead_stop() it is the caller's again (its live IDs, its end), read
 * as far as the thread got: to the end or the error once the consumer has
 * met them, up to a ring of batches (2,048 events) further when the
 * consumer stopped early.
 *
 * Only for a reader whose file can be read to its end without waiting on
 * another process (trace_reader_file_pos() >= 0: a regular file, not a pipe),
 * so that stopping early never waits for input that may not come.
 */
#ifndef ZSFRAG_TRACE_AHEAD_H
#define ZSFRAG_TRACE_AHEAD_H

#include <stddef.h>

#include "event.h"
#include "trace_text.h"

#ifdef __cplusplus
extern "C" {
#endif

struct trace_ahead;

/* Start the thread over r: 0, -EINVAL for a pipe (see above), or another -errno. */
int trace_ahead_start(struct trace_reader *r, struct trace_ahead **out);
/* As trace_reader_next(): 1 and the next event, 0 at the end, or a negative errno with msg. */
int trace_ahead_next(struct trace_ahead *a, struct sim_event *ev, char *msg, size_t msglen);
/* trace_reader_file_pos() as of the events handed out so far (for progress reports). */
long long trace_ahead_file_pos(const struct trace_ahead *a);
/* Stop the thread (it finishes the batch it decodes) and free a; NULL is a no-op. */
void trace_ahead_stop(struct trace_ahead *a);

#ifdef __cplusplus
}
#endif
#endif /* ZSFRAG_TRACE_AHEAD_H */
