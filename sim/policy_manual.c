/*
 * policy_manual.c - compact only when the trace asks (`c`), as a user's
 * `echo 1 > /sys/block/zram0/compact` does.
 */
#include "policy.h"

static bool manual_after_event(const struct policy_view *v, uint64_t *state)
{
	(void)state;
	return v->ev->op == SIM_OP_COMPACT;
}

const struct policy_ops policy_manual = {
    .name = "manual",
    .help = "compact when the trace says `c` (zram's compact knob)",
    .after_event = manual_after_event,
};
