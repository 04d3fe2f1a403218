/*
 * results_json.h - the replay's results as one JSON document (jansson): a
 * sink for the engine's snapshots, compactions and verifications.
 */
#ifndef ZSFRAG_CLI_RESULTS_JSON_H
#define ZSFRAG_CLI_RESULTS_JSON_H

#include <jansson.h>

#include "engine.h"

struct results_json {
	json_t *root;
	json_t *snapshots;
	json_t *compactions;
	json_t *verify;
	bool timing;
};

int results_json_init(struct results_json *rj, json_t *inputs, bool timing);
void results_json_sinks(struct results_json *rj, struct sim_sinks *sinks);
/*
 * Write through outfile_open() (traces/outfile.h): a file atomically (a
 * temporary file beside it, renamed), a device or FIFO straight through,
 * "-" to stdout. 0 or -errno (-ENOSPC...).
 */
int results_json_write(const struct results_json *rj, const char *path);
void results_json_free(struct results_json *rj);

#endif /* ZSFRAG_CLI_RESULTS_JSON_H */
