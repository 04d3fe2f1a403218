/*
 * cli_sweep.h - what `sweep expand|run` (cli_sweep.c) and `sweep merge`
 * (cli_sweep_merge.c) share: the loaded spec and its points.
 */
#ifndef ZSFRAG_CLI_SWEEP_H
#define ZSFRAG_CLI_SWEEP_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "cli_compare.h"
#include "cli_opt.h"

#define SWEEP_MAX_AXIS	    256
#define SWEEP_MAX_POINTS    1000000u /* points of a sweep; more is a mistake in the spec */
#define SWEEP_MISSING_SHOWN 10	     /* "point N is missing" lines before a summary */

struct sweep {
	json_t *root;
	char dir[PATH_MAX];			      /* the spec's directory, for relative paths */
	char out[PATH_MAX];			      /* results directory */
	json_t *traces, *profiles, *policies, *seeds; /* arrays; the last three may be NULL */
	unsigned int nt, np, nq, ns;
	const char *arch, *config;
	uint64_t sample_every;
	bool timing;
	char hash[17]; /* the spec's hash, hex (see the head of the file) */
};

/* Point idx as a run; bufs hold the strings the run points to. */
struct sweep_point {
	struct cmp_run run;
	char trace[PATH_MAX], config[PATH_MAX], json[PATH_MAX + 32], name[300];
	json_t *extra;
};

/* Load and check SPEC.json. 0, or -errno with "SPEC: what" in msg. */
int sweep_load(const char *path, struct sweep *sw, char *msg, size_t msglen);
/* At most SWEEP_MAX_POINTS (sweep_load refuses more). */
unsigned int sweep_points(const struct sweep *sw);
/* Point idx as a run writing into OUT; pt->extra is the caller's to json_decref. */
void sweep_point(const struct sweep *sw, unsigned int idx, const char *out, struct sweep_point *pt);
/* Does the results document root belong to point idx of sw? 0, or -ESTALE with msg. */
int sweep_point_check(const struct sweep *sw, json_t *root, unsigned int idx, char *msg,
		      size_t msglen);
/* `zsfrag sweep merge DIR ...` (cli_sweep_merge.c). */
int sweep_merge(int argc, char **argv);
/* Every action's --help: the one text of `zsfrag sweep --help` (the options are in its prose). */
void sweep_help_opts(FILE *f, const struct cli_opt *opts);

#endif /* ZSFRAG_CLI_SWEEP_H */
