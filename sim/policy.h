/*
 * policy.h - when zsmalloc compaction runs: one small module per policy
 * behind one interface. Policies combine (a run may enable several); adding
 * one means one new file and one line in policy.c's registry.
 */
#ifndef ZSFRAG_SIM_POLICY_H
#define ZSFRAG_SIM_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"

#ifdef __cplusplus
extern "C" {
#endif

struct physmem;
struct zs_pool;

/* Tunables of every policy; documented defaults in policy_params_default(). */
struct policy_params {
	uint64_t periodic_events; /* periodic: compact every this many events (0 = off) */
	uint64_t periodic_ns;	  /* periodic: or every this much simulated time (0 = off) */
	uint64_t threshold_pages; /* threshold: compact when freeable estimate >= this */
	uint64_t check_interval;  /* threshold, shrinker: look every this many events */
};

/* What a policy sees after each event. */
struct policy_view {
	uint64_t event_index; /* events replayed so far, this one included */
	uint64_t time_ns;     /* simulated time */
	const struct sim_event *ev;
	struct zs_pool *pool;
	struct physmem *mem;
	const struct policy_params *params;
};

enum policy_id {
	POLICY_MANUAL,
	POLICY_PERIODIC,
	POLICY_THRESHOLD,
	POLICY_PGD_FAILURE,
	POLICY_SHRINKER,
	POLICY_MIGRATION,
	POLICY_TARGETED,
	POLICY_GROUPED,
	POLICY_NR,
};

struct policy_ops {
	const char *name;
	const char *help; /* one line for --help */
	/* After an event: true asks the engine to run zs_compact now. */
	bool (*after_event)(const struct policy_view *v, uint64_t *state);
	/* Before the OOM killer, for a fork's pgd: true runs zs_compact and retries. */
	bool (*on_pgd_failure)(const struct policy_view *v, uint64_t *state);
	/* Kernel compaction may move zspage pages (profiles with migration). */
	bool allows_zspage_migration;
	/* Registers zsmalloc's shrinker: reclaim runs it (profiles with one). */
	bool runs_shrinker_in_reclaim;
};

void policy_params_default(struct policy_params *p);
const struct policy_ops *policy_get(enum policy_id id);
/* Parse "a,b,c" into a bitmask of (1 << enum policy_id); "none" is 0. -EINVAL copies the bad name
 * into bad. */
int policy_parse_list(const char *list, unsigned int *mask, char *bad, unsigned long badlen);
/* "manual,periodic" for a mask (into buf). */
const char *policy_format_list(unsigned int mask, char *buf, unsigned long len);

extern const struct policy_ops policy_manual;
extern const struct policy_ops policy_periodic;
extern const struct policy_ops policy_threshold;
extern const struct policy_ops policy_pgd_failure;
extern const struct policy_ops policy_shrinker;
extern const struct policy_ops policy_migration;
extern const struct policy_ops policy_targeted;
extern const struct policy_ops policy_grouped;

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_SIM_POLICY_H */
