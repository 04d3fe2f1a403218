/*
 * results_json.h - the replay's results as one JSON document (jansson): a
 * sink for the engine's snapshots, compactions and verifications.
 */
#ifndef ZSFRAG_RESULTS_JSON_H
#define ZSFRAG_RESULTS_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The results document's layout version ("results_format"): 2 since fork
 * outcomes (fast / compaction / reclaim / zs_compact / oom_kill / failed);
 * a file without the field is format 1, whose forks.failed counted every
 * fork that found no page directory and which has no stalls or OOM kills.
 */
#define RESULTS_FORMAT 2

/*
 * The document streams: every snapshot, compaction and verification is
 * written out when the engine hands it over and nothing of it is kept, so
 * memory does not grow with their number. The file appears under its name
 * only when results_json_finish() succeeds.
 */
struct outfile;

struct results_json {
	struct outfile *of; /* the document's file (traces/outfile.h); NULL for "-" */
	FILE *out;	    /* where it is written: of's stream, or an anonymous file for "-" */
	FILE *compactions;  /* anonymous: their items, copied in at the end */
	FILE *verify;	    /* anonymous: their items, copied in at the end */
	uint64_t nr_snapshots, nr_compactions, nr_verify;
	bool timing;
	bool to_stdout;
	int err; /* the first write error, -errno */
};

/* Start the document at PATH ("-" = stdout at the end); takes inputs. 0 or -errno. */
int results_json_open(struct results_json *rj, const char *path, json_t *inputs, bool timing);
void results_json_sinks(struct results_json *rj, struct sim_sinks *sinks);
/* Close the arrays and put the document in place (outfile_commit, or copy to stdout).
 * 0 or -errno (-ENOSPC...); on error the temporary file is removed and PATH left as it was.
 * Frees rj's files either way. */
int results_json_finish(struct results_json *rj);
/* Give up: close everything and remove the temporary file. Safe to call twice. */
void results_json_abort(struct results_json *rj);
/* The temporary file the document is written to (for a process to remove if a signal ends it),
 * or NULL (stdout, a device or FIFO, or nothing open). */
const char *results_json_temp_name(const struct results_json *rj);

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_RESULTS_JSON_H */
