/*
 * trace_bin.h - the binary trace format, version 1: reader and writer.
 *
 * Same events and metadata as the text format, for large traces: a fixed
 * header with a magic number and version, the metadata as length-prefixed
 * strings, then one record per event (a tag byte, varint fields, IDs as
 * zigzag deltas within their namespace) and an end record holding the event
 * count, so a truncated file is always detected. The layout is in
 * traces/FORMAT.md, "Binary format".
 *
 * The reader checks everything the text reader checks (field ranges, time
 * order, liveness through struct trace_live) and says what is wrong as
 * "FILE: offset N: what", N being the byte offset of the offending record
 * or field in the (decompressed) stream. ev->line is the 1-based record
 * number.
 *
 * Most callers want trace_reader_open() (trace_text.h), which sniffs the
 * format and compression and hands out the same struct trace_reader for
 * every kind of file, and struct trace_writer (trace.h) to write one.
 */
#ifndef ZSFRAG_TRACE_BIN_H
#define ZSFRAG_TRACE_BIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"
#include "trace_live.h"
#include "trace_text.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TRACE_BIN_MAGIC	    "\x89ZSF\r\n\x1a\n" /* 8 bytes, PNG-style: catches text-mode mangling */
#define TRACE_BIN_MAGIC_LEN 8
#define TRACE_BIN_VERSION   1
#define TRACE_BIN_VALUE_MAX 65535 /* bytes of a metadata value */

struct trace_bin_reader;

/* Read the header and metadata from f (not closed by the reader). */
int trace_bin_open(FILE *f, const char *name, struct trace_bin_reader **b, char *err,
		   size_t errlen);
/* As trace_reader_next(): 1, 0 at the end record, or a negative errno with a message. */
int trace_bin_next(struct trace_bin_reader *b, struct sim_event *ev, char *err, size_t errlen);
/*
 * After -EINVAL for a record that was read whole (a value out of range, a
 * liveness fault...), skip it so that trace_bin_next() goes on with the next
 * record: 0. -EINVAL when the fault broke the record structure (truncation,
 * corrupt varint, unknown op) and nothing after it can be trusted.
 */
int trace_bin_resume(struct trace_bin_reader *b);
const char *trace_bin_meta(const struct trace_bin_reader *b, const char *key);
size_t trace_bin_meta_count(const struct trace_bin_reader *b);
int trace_bin_meta_at(const struct trace_bin_reader *b, size_t i, const char **key,
		      const char **value);
size_t trace_bin_page_size(const struct trace_bin_reader *b);
const struct trace_live *trace_bin_live(const struct trace_bin_reader *b);
/* Bytes of the stream consumed so far (header included). */
uint64_t trace_bin_offset(const struct trace_bin_reader *b);
void trace_bin_close(struct trace_bin_reader *b);

/*
 * Writer. trace_bin_writer_open() checks the metadata as trace_write_header()
 * does and writes the header; trace_bin_writer_event() refuses (-EINVAL) what
 * trace_write_event() refuses and, since times are stored as deltas, a time
 * below the previous one; trace_bin_writer_close() writes the end record and
 * frees the writer (f stays open). -EIO when the stream fails.
 */
struct trace_bin_writer;
int trace_bin_writer_open(FILE *f, const struct trace_meta *meta, size_t n,
			  struct trace_bin_writer **w);
int trace_bin_writer_event(struct trace_bin_writer *w, const struct sim_event *ev);
int trace_bin_writer_close(struct trace_bin_writer *w);

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_TRACE_BIN_H */
