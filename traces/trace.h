/*
 * trace.h - one include for tools that read or write traces in any format.
 *
 * Reading: trace_reader_open() (trace_text.h) sniffs compression (zstd,
 * gzip) and format (text, binary) and hands out struct sim_event for all.
 * Writing: struct trace_writer below picks the format and compression, so a
 * workload generator or converter writes any kind of trace with four calls:
 *
 *	trace_writer_open("out.ztb.zst", TRACE_FORMAT_BINARY, TRACE_CODEC_ZSTD, 0,
 *			  meta, n, &w, err, sizeof(err));
 *	trace_writer_event(w, &ev);   ... for each event
 *	trace_writer_close(w, err, sizeof(err));
 *
 * The writer checks each event as trace_write_event() does (and the binary
 * writer also refuses a time below the previous one), but not the page size
 * or liveness: read the output back (`zsfrag trace validate`) to be sure.
 */
#ifndef ZSFRAG_TRACE_H
#define ZSFRAG_TRACE_H

#include <stddef.h>
#include <stdio.h>

#include "event.h"
#include "trace_bin.h"
#include "trace_io.h"
#include "trace_text.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TRACE_BIN_SUFFIX ".ztb" /* binary traces: name.ztb, name.ztb.zst, name.ztb.gz */

struct trace_writer;

/*
 * Create path ("-" for stdout) through outfile_open() (outfile.h: a named
 * file is written to a temporary file and renamed over path by
 * trace_writer_close(); a device or FIFO is written straight through) and
 * write the header and metadata. level 0 is the codec's default (zstd 3,
 * gzip 6). 0, or a negative errno with a message: -EINVAL bad metadata or
 * format, -errno from outfile_open, -ENOMEM.
 */
int trace_writer_open(const char *path, enum trace_format fmt, enum trace_codec codec, int level,
		      const struct trace_meta *meta, size_t n, struct trace_writer **w, char *err,
		      size_t errlen);
/* Same on a stream the caller opened and closes after trace_writer_close(). */
int trace_writer_open_file(FILE *f, const char *name, enum trace_format fmt, enum trace_codec codec,
			   int level, const struct trace_meta *meta, size_t n,
			   struct trace_writer **w, char *err, size_t errlen);
/*
 * 0; -EINVAL for an event no reader would accept (the writer stays usable);
 * the write error (-ENOSPC..., -EIO when the cause is unknown).
 */
int trace_writer_event(struct trace_writer *w, const struct sim_event *ev);
/*
 * Finish (binary end record, compressed stream end), close, free; a file
 * opened by trace_writer_open() appears under its name only now. 0, or the
 * first write error (-ENOSPC, -EIO...) with a message, the file left as it
 * was before the run. NULL is a no-op.
 */
int trace_writer_close(struct trace_writer *w, char *err, size_t errlen);
/*
 * Give up (the input was bad, the run was stopped): close and free; a file
 * opened by trace_writer_open() is not created (its temporary file is
 * removed, nothing else). NULL is a no-op.
 */
void trace_writer_abort(struct trace_writer *w);

/*
 * The temporary file a writer from trace_writer_open() is filling, for a
 * caller that removes it when a signal ends the process; NULL when the
 * output is written straight through (stdout, a device, a FIFO) or was
 * opened by trace_writer_open_file().
 */
const char *trace_writer_temp_name(const struct trace_writer *w);

/* From a file name: binary when the name, without .zst / .gz, ends in ".ztb". */
enum trace_format trace_format_from_path(const char *path);
const char *trace_format_name(enum trace_format fmt);

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_TRACE_H */
