/*
 * trace_lookahead.h - a window of decoded events in front of a consumer, so
 * that the consumer can start loading what coming events will touch.
 *
 * The trace is known in advance: while event i is replayed, events i+1 ..
 * i+window are already decoded. Each event meets a hook once per depth as it
 * approaches: depth 0 when it enters the window (window = depths x stride
 * events ahead), depth d at stride x (depths - d) events ahead. The replay's
 * hook is sim_prefetch() (sim/engine.h), whose depth d prefetches the d-th
 * link of the chain an event walks (zram slot, handle slot, page->private,
 * zspage, object), each link read after the previous one had stride events
 * to arrive.
 *
 * Events come out in order and unchanged; a reader error is returned after
 * the events before it, with its message, exactly as trace_reader_next()
 * would have returned it. With window 0 it is the source's own next().
 */
#ifndef ZSFRAG_TRACE_LOOKAHEAD_H
#define ZSFRAG_TRACE_LOOKAHEAD_H

#include <stddef.h>

#include "event.h"
#include "trace_text.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TRACE_LOOKAHEAD_MAX 64 /* events decoded ahead, at most */

/* Called for an event still depths x stride - k events ahead; must not change it. */
typedef void (*trace_lookahead_fn)(void *ctx, const struct sim_event *ev, unsigned int depth);
/* Where events come from: as trace_reader_next() (a reader, or trace_ahead_next()). */
typedef int (*trace_lookahead_src)(void *src, struct sim_event *ev, char *msg, size_t msglen);

struct trace_lookahead {
	trace_lookahead_src next;
	void *src;
	trace_lookahead_fn hook; /* NULL: no hook, the window is still kept */
	void *ctx;
	unsigned int depths; /* hook depths 0 .. depths-1 */
	unsigned int stride; /* events between two depths */
	unsigned int window; /* depths * stride events decoded ahead */
	unsigned int head;   /* ring index of the next event to return */
	unsigned int count;  /* events decoded, not yet returned */
	int end;	     /* 0 reading, 1 the reader ended, < 0 its error */
	char err[512];	     /* the reader's message for end < 0 */
	struct sim_event ring[TRACE_LOOKAHEAD_MAX];
};

/*
 * Set up a window over the events next(src, ...) gives. depths x stride is
 * clamped to TRACE_LOOKAHEAD_MAX - 1; stride 0 turns the look-ahead off
 * (every call goes straight to next).
 */
void trace_lookahead_init(struct trace_lookahead *la, trace_lookahead_src next, void *src,
			  trace_lookahead_fn hook, void *ctx, unsigned int depths,
			  unsigned int stride);
/* As trace_reader_next(): 1 and the next event, 0 at the end, or a negative errno with msg. */
int trace_lookahead_next(struct trace_lookahead *la, struct sim_event *ev, char *msg,
			 size_t msglen);

#ifdef __cplusplus
}
#endif
#endif /* ZSFRAG_TRACE_LOOKAHEAD_H */
