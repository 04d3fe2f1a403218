/*
 * fuzz_trace_bin.c - libFuzzer target for the binary trace reader
 * (traces/trace_bin.c), through trace_reader_open_file() as replay uses it
 * (inputs not starting with the binary magic take the text path, which is
 * fine: both must hold the contract in fuzz_common.h).
 *
 * Also checks the writer against the reader: a binary trace that reads
 * cleanly is written back with trace_bin_writer_*() and must come out byte
 * for byte the same (the format has one spelling per trace).
 */
#include "fuzz_common.h"
#include "trace_bin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Re-encode a clean binary trace and compare. */
static void fuzz_rewrite(const uint8_t *data, size_t size)
{
	FILE *in = fuzz_stream(data, size);
	struct trace_bin_reader *b;
	struct trace_bin_writer *w;
	struct trace_meta meta[TRACE_TEXT_META_MAX];
	struct sim_event ev;
	char *out = NULL;
	size_t outlen = 0, n;
	FILE *o;
	int rc;

	if (!in)
		return;
	if (trace_bin_open(in, FUZZ_NAME, &b, NULL, 0)) {
		fclose(in);
		return;
	}
	o = open_memstream(&out, &outlen);
	n = trace_bin_meta_count(b);
	for (size_t i = 0; i < n; i++)
		trace_bin_meta_at(b, i, &meta[i].key, &meta[i].value);
	if (!o || trace_bin_writer_open(o, meta, n, &w))
		abort();
	while ((rc = trace_bin_next(b, &ev, NULL, 0)) == 1)
		if (trace_bin_writer_event(w, &ev))
			abort();
	if (trace_bin_writer_close(w))
		abort();
	fclose(o);
	if (rc == 0 && (outlen != size || memcmp(out, data, size)))
		abort();
	free(out);
	trace_bin_close(b);
	fclose(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fuzz_read_input(data, size, trace_reader_open_file))
		fuzz_rewrite(data, size);
	return 0;
}
