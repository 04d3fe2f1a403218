/*
 * fuzz_config.c - libFuzzer target for the JSON machine config reader,
 * config_load() (cli/cli_config.c).
 *
 * config_load() takes a path, so each input is written to a temporary
 * file first. The contract checked: it returns 0 or -EINVAL, and on -EINVAL
 * its message is non-empty, starts with the file's name and is one line
 * (JSON keys and strings may hold "\n": corpus/config/key_with_newline.json).
 * A config it accepts is inside every key's range (tests/cli/configs).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "test_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/zsfrag-fuzz-config-XXXXXX";
	struct sim_config cfg;
	char msg[512];
	int rc;

	if (tu_temp_file(path, data, size))
		return 0;
	sim_config_default(&cfg);
	msg[0] = '\0';
	rc = config_load(path, &cfg, msg, sizeof(msg));
	unlink(path);
	if (rc != 0 && rc != -EINVAL)
		abort();
	if (rc && (!msg[0] || strncmp(msg, path, strlen(path)) || strchr(msg, '\n')))
		abort();
	if (!rc && (cfg.policy.check_interval == 0 || cfg.policy.threshold_pages == 0 ||
		    (!cfg.policy.periodic_events && !cfg.policy.periodic_ns) ||
		    cfg.mem.ram_bytes == 0 || cfg.mem.pageblock_order >= cfg.mem.max_order ||
		    cfg.mem.watermark_scale_factor < 1 || cfg.mem.watermark_scale_factor > 3000 ||
		    cfg.mem.min_free_kbytes < -1 ||
		    (cfg.mem.min_free_kbytes >= 0 &&
		     (uint64_t)cfg.mem.min_free_kbytes >= cfg.mem.ram_bytes >> 10)))
		abort();
	if (!rc)
		config_finish(&cfg);
	return 0;
}
