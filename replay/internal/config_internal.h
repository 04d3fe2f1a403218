/*
 * config_internal.h - what config.c and config_special.c share: the value
 * checks every key uses, and the loaders of the keys the key table cannot
 * describe. Each returns 0, or -EINVAL with "PATH: key ...: why" in msg.
 */
#ifndef ZSFRAG_CONFIG_INTERNAL_H
#define ZSFRAG_CONFIG_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* An integer in min..max into *out; why says what the number is, in the message. */
int config_want_range(json_t *v, const char *path, const char *key, uint64_t min, uint64_t max,
		      const char *why, uint64_t *out, char *msg, size_t len);
/* An integer in 0..max into *out. */
int config_want_uint(json_t *v, const char *path, const char *key, uint64_t max, uint64_t *out,
		     char *msg, size_t len);
/* "policies": "a,b" or ["a", "b"] into a mask of policies. */
int config_load_policies(json_t *v, const char *path, unsigned int *mask, char *msg, size_t len);
/* The i-th special key and what its value is (*value), or NULL past the last. */
const char *config_special_key(size_t i, const char **value);
/* key when it is one of the special keys (config_special.c): 0 or -EINVAL; 1 when it is not. */
int config_load_special(const char *key, json_t *v, const char *path, struct sim_config *cfg,
			char *msg, size_t len);

#endif /* ZSFRAG_CONFIG_INTERNAL_H */
