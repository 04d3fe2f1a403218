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
	FILE *f = fuzz_stream(data, size);
	struct trace_reader *r;
	char msg[512] = "";
	int rc;

	if (!f)
		return 0;
	rc = trace_reader_open_file(f, FUZZ_NAME, &r, msg, sizeof(msg));
	if (rc) {
		fuzz_check_msg(rc, msg);
	} else {
		fuzz_drain(r);
		trace_reader_close(r);
	}
	fclose(f);
	return 0;
}
