/*
 * fuzz_trace_zip.c - libFuzzer target for compressed traces: the zstd and
 * gzip streams of traces/trace_io.c under the sniffing reader. Seeds are
 * small .zst and .gz traces; mutations give corrupt and truncated frames,
 * wrong checksums, concatenated members, and decompressed garbage for the
 * text and binary readers behind. Contract as in fuzz_common.h.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_read_input(data, size, trace_reader_open_file);
	return 0;
}
