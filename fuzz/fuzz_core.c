/*
 * fuzz_core.c - libFuzzer target for the ELF core reader of `zsfrag trace
 * from-core` (mem_snapshot_core in traces/procmem.c). It takes a path, so
 * each input goes to a temporary file first. Contract: 0, or -EINVAL with
 * "FILE: offset N: what" (-EIO / -ENOMEM with a message), and every page
 * taken has a size within 0..page_size.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procmem.h"
#include "test_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/zsfrag-fuzz-core-XXXXXX", err[512] = "";
	static struct mem_compress *c;
	struct mem_snapshot s;
	int rc;

	if (tu_temp_file(path, data, size))
		return 0;
	if (!c && mem_compress_new(MEM_COMP_LZ4, 4096, &c))
		abort();
	mem_snapshot_init(&s);
	rc = mem_snapshot_core(path, c, 4096, NULL, &s, err, sizeof(err));
	unlink(path);
	if (rc && rc != -EINVAL && rc != -EIO && rc != -ENOMEM)
		abort();
	if (rc && (!err[0] || strncmp(err, path, strlen(path)) || strchr(err, '\n')))
		abort();
	for (size_t i = 0; i < s.n; i++)
		if (s.pages[i].size > 4096)
			abort();
	mem_snapshot_free(&s);
	return 0;
}
