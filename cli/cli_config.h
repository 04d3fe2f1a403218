/*
 * cli_config.h - the emulated machine's JSON config file (see
 * docs in README "Configuration"), read with jansson. Unknown keys are errors.
 */
#ifndef ZSFRAG_CLI_CONFIG_H
#define ZSFRAG_CLI_CONFIG_H

#include <jansson.h>
#include <stddef.h>

#include "engine.h"

/* Apply FILE's keys over cfg. 0, or -EINVAL with "FILE:LINE:COL: what" in msg. */
int cli_config_load(const char *path, struct sim_config *cfg, char *msg, size_t msglen);
/* Finish a config after files and options: derive highmem etc. */
void cli_config_finish(struct sim_config *cfg);
/* The machine as JSON, for the results' inputs. */
json_t *cli_config_to_json(const struct sim_config *cfg);

#endif /* ZSFRAG_CLI_CONFIG_H */
