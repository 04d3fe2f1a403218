/*
 * trace_io.h - compressed trace files: a FILE that decompresses (zstd, gzip)
 * on read or compresses on write, so every trace reader and writer works on
 * plain bytes and every consumer reads every format.
 *
 * Reading sniffs the first byte of the stream: 0x28 (zstd's magic
 * 28 b5 2f fd) and 0x1f (gzip's 1f 8b) can start neither a text trace
 * ("zsfrag-trace ...") nor a binary one (0x89 ...), so one byte decides. The
 * byte is pushed back with ungetc(), which works on pipes and stdin too.
 * Concatenated zstd frames and gzip members (`cat a.gz b.gz`) read as one
 * stream. A decompressor fault reads as an I/O error (-EIO from fread); the
 * reason ("corrupt zstd data ...", "truncated gzip data") is kept for
 * trace_io_error().
 *
 * Built on glibc's fopencookie(), so the rest of the code sees a FILE.
 */
#ifndef ZSFRAG_TRACE_IO_H
#define ZSFRAG_TRACE_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum trace_codec {
	TRACE_CODEC_NONE,
	TRACE_CODEC_ZSTD,
	TRACE_CODEC_GZIP,
};

struct trace_io;

/*
 * Reading: sniff raw and return in *io a stream of its decompressed bytes
 * (raw itself when it is not compressed). raw is closed by trace_io_close()
 * only when close_raw is true. 0, or -ENOMEM / -EIO with a message.
 */
int trace_io_open_read(FILE *raw, bool close_raw, struct trace_io **io, char *err, size_t errlen);

/*
 * Writing: compress what is written to trace_io_file() into raw with codec
 * at level (0 = the codec's default). trace_io_close() finishes the stream.
 */
int trace_io_open_write(FILE *raw, bool close_raw, enum trace_codec codec, int level,
			struct trace_io **io);

/*
 * The next byte of f without consuming it (seeking back, or ungetc() on a
 * pipe), or EOF (ferror(f) tells a read error from the end).
 */
int trace_io_peek(FILE *f);

/* The stream to read or write. */
FILE *trace_io_file(const struct trace_io *io);
enum trace_codec trace_io_codec(const struct trace_io *io);
/* Why the last read or write failed inside the codec, or NULL. */
const char *trace_io_error(const struct trace_io *io);

/*
 * Close the stream (flushing and ending a compressed one) and raw when owned.
 * 0, or -EIO when a write, the codec's end or the close failed. NULL is a
 * no-op.
 */
int trace_io_close(struct trace_io *io);

/* "none", "zstd", "gzip"; and back (also "gz", "zst"): 0 or -EINVAL. */
const char *trace_codec_name(enum trace_codec c);
int trace_codec_parse(const char *name, enum trace_codec *c);
/* From a file name: ".zst" zstd, ".gz" gzip, otherwise none. */
enum trace_codec trace_codec_from_path(const char *path);

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_TRACE_IO_H */
