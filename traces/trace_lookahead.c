/*
 * trace_lookahead.c - the look-ahead window (see trace_lookahead.h).
 *
 * A ring of TRACE_LOOKAHEAD_MAX decoded events. Each call tops the ring up to
 * window + 1 events, calls the hook on the events at the depth offsets, and
 * returns the oldest. The reader is never asked for more after it returned 0
 * or an error; that status is kept and handed out once the ring is empty.
 */
#include "trace_lookahead.h"

#include <stdio.h>
#include <string.h>

void trace_lookahead_init(struct trace_lookahead *la, trace_lookahead_src next, void *src,
			  trace_lookahead_fn hook, void *ctx, unsigned int depths,
			  unsigned int stride)
{
	memset(la, 0, offsetof(struct trace_lookahead, ring));
	la->next = next;
	la->src = src;
	la->hook = hook;
	la->ctx = ctx;
	if (!depths || !stride) {
		depths = 0;
		stride = 0;
	}
	while (depths && depths * stride > TRACE_LOOKAHEAD_MAX - 1)
		stride > 1 ? stride-- : depths--;
	la->depths = depths;
	la->stride = stride;
	la->window = depths * stride;
}

/* The ring slot of the event k places after the head. */
static struct sim_event *at(struct trace_lookahead *la, unsigned int k)
{
	return &la->ring[(la->head + k) % TRACE_LOOKAHEAD_MAX];
}

int trace_lookahead_next(struct trace_lookahead *la, struct sim_event *ev, char *msg,
			 size_t msglen)
{
	if (!la->window)
		return la->next(la->src, ev, msg, msglen);
	while (la->end == 0 && la->count <= la->window) {
		int n = la->next(la->src, at(la, la->count), la->err, sizeof(la->err));

		if (n == 1) {
			la->count++;
		} else {
			la->end = n < 0 ? n : 1;
			break;
		}
	}
	if (la->count == 0) {
		if (la->end < 0) {
			snprintf(msg, msglen, "%s", la->err);
			return la->end;
		}
		return 0;
	}
	if (la->hook)
		for (unsigned int d = 0; d < la->depths; d++) {
			unsigned int k = la->stride * (la->depths - d);

			if (k < la->count)
				la->hook(la->ctx, at(la, k), d);
		}
	sim_event_copy(ev, at(la, 0));
	la->head = (la->head + 1) % TRACE_LOOKAHEAD_MAX;
	la->count--;
	return 1;
}
