/*
 * fuzz_trace_text.c - libFuzzer target for the text trace reader
 * (traces/trace_text.c), without format sniffing: every input is parsed as
 * text. Checks the reader contract in fuzz_common.h.
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
	rc = trace_reader_open_text(f, FUZZ_NAME, &r, msg, sizeof(msg));
	if (rc) {
		fuzz_check_msg(rc, msg);
	} else {
		fuzz_drain(r);
		trace_reader_close(r);
	}
	fclose(f);
	return 0;
}
