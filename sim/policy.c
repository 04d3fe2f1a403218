/*
 * policy.c - the registry of compaction policies and list parsing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"

static const struct policy_ops *const registry[POLICY_NR] = {
    [POLICY_MANUAL] = &policy_manual,	    [POLICY_PERIODIC] = &policy_periodic,
    [POLICY_THRESHOLD] = &policy_threshold, [POLICY_PGD_FAILURE] = &policy_pgd_failure,
    [POLICY_SHRINKER] = &policy_shrinker,   [POLICY_MIGRATION] = &policy_migration,
    [POLICY_TARGETED] = &policy_targeted,   [POLICY_GROUPED] = &policy_grouped,
};

void policy_params_default(struct policy_params *p)
{
	p->periodic_events = 100000;
	p->periodic_ns = 0;
	p->threshold_pages = 256; /* 1 MiB of 4 KiB pages freeable */
	p->check_interval = 1024;
}

const struct policy_ops *policy_get(enum policy_id id)
{
	return (unsigned int)id < POLICY_NR ? registry[id] : NULL;
}

int policy_parse_list(const char *list, unsigned int *mask, char *bad, unsigned long badlen)
{
	char tok[64];
	const char *p = list;

	*mask = 0;
	if (!strcmp(list, "none"))
		return 0;
	for (;;) { /* "" and a trailing comma are empty names, not "none" */
		size_t n = strcspn(p, ",");
		unsigned int i;

		if (n == 0 || n >= sizeof(tok)) {
			snprintf(bad, badlen, "%s", n ? "(too long)" : "(empty)");
			return -EINVAL;
		}
		memcpy(tok, p, n);
		tok[n] = '\0';
		for (i = 0; i < POLICY_NR; i++)
			if (!strcmp(tok, registry[i]->name))
				break;
		if (i == POLICY_NR) {
			snprintf(bad, badlen, "%s", tok);
			return -EINVAL;
		}
		*mask |= 1u << i;
		p += n;
		if (!*p)
			return 0;
		p++; /* the comma: a name must follow */
	}
}

const char *policy_format_list(unsigned int mask, char *buf, unsigned long len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < POLICY_NR; i++) {
		if (!(mask & (1u << i)))
			continue;
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s",
					 used ? "," : "", registry[i]->name);
	}
	if (!mask)
		snprintf(buf, len, "none");
	return buf;
}
