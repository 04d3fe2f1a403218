/*
 * policy_periodic.c - compact every N events and/or every T of simulated
 * time, as a userspace daemon writing to zram's compact knob would.
 * *state holds 1 + the simulated time the current period started at (0:
 * no event seen yet), so a trace whose clock starts late does not fire at
 * its first event.
 */
#include "policy.h"

static bool periodic_after_event(const struct policy_view *v, uint64_t *state)
{
	const struct policy_params *p = v->params;

	if (*state == 0)
		*state = v->time_ns + 1;
	if ((p->periodic_events && v->event_index % p->periodic_events == 0) ||
	    (p->periodic_ns && v->time_ns + 1 - *state >= p->periodic_ns)) {
		*state = v->time_ns + 1; /* either trigger restarts the time period */
		return true;
	}
	return false;
}

const struct policy_ops policy_periodic = {
    .name = "periodic",
    .help = "compact every periodic_events events or periodic_ns of simulated time",
    .after_event = periodic_after_event,
};
