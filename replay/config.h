/*
 * config.h - the emulated machine's JSON config file (see
 * docs in README "Configuration"), read with jansson. Unknown keys are errors.
 */
#ifndef ZSFRAG_CONFIG_H
#define ZSFRAG_CONFIG_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Apply FILE's keys over cfg. 0, or -EINVAL with "FILE:LINE:COL: what" in msg. */
int config_load(const char *path, struct sim_config *cfg, char *msg, size_t msglen);
/* Finish a config after files and options: derive highmem etc. */
void config_finish(struct sim_config *cfg);
/*
 * Policies: cfg->policies holds CONFIG_POLICIES_UNSET until a config file or an
 * option sets it. config_check_policies() then settles it: unset becomes
 * the profile's default (manual where the kernel has zs_compact, else none);
 * a chosen policy the profile's kernel cannot honour (shrinker before v4.3,
 * migration before v4.8, any compaction on v3.18) is refused with
 * -EOPNOTSUPP and a message naming the profile, the policy and the first
 * profile that has it. replay, compare and sweep all call it, so an inert
 * policy never runs as a silent "none".
 */
#define CONFIG_POLICIES_UNSET (1u << 31)
int config_check_policies(struct sim_config *cfg, char *msg, size_t len);
/* One run's policies: "a+b" or "a,b" ("none" alone is none). As policy_parse_list. */
int config_policy_parse(const char *list, unsigned int *mask, char *bad, size_t badlen);
/*
 * The message for a JSON file jansson could not load: "FILE:LINE:COL: what"
 * for bad JSON, "FILE: cannot open: why" (no line: none was read) for a file
 * that does not open, "FILE: cannot read: Is a directory" for a directory.
 */
void config_json_load_error(const char *path, const json_error_t *jerr, char *msg, size_t len);
/*
 * obj[key] = path. JSON strings are UTF-8 and a Linux path need not be: such
 * a path is written with each byte that is not UTF-8 as \xNN and each
 * backslash doubled, and obj[key + "_escaped"] = true says so (lossless:
 * undo the two escapes to get the bytes back). A UTF-8 path is as it is.
 */
void config_json_set_path(json_t *obj, const char *key, const char *path);
/* Length of the UTF-8 sequence at s (n > 0 bytes available), or 0 if it is not one. */
size_t config_utf8_len(const unsigned char *s, size_t n);
/* Every key a config file may hold, its values and default, one a line (replay --config-keys). */
void config_print_keys(FILE *f);
/* The machine as JSON, for the results' inputs. */
json_t *config_to_json(const struct sim_config *cfg);

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_CONFIG_H */
