/*
 * fuzz_trace_text.c - libFuzzer target for the text trace reader
 * (traces/trace_text.c), without format sniffing: every input is parsed as
 * text. Checks the reader contract in fuzz_common.h.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_read_input(data, size, trace_reader_open_text);
	return 0;
}
