/*
 * trace_text.h - the text trace format, version 1: reader and writer.
 *
 * The format is specified in traces/FORMAT.md. In short: a header line
 * "zsfrag-trace 1", "! KEY VALUE" metadata lines, then one event per line
 * ("a ID SIZE", "f ID", "w SLOT SIZE", ...), each optionally prefixed by
 * "@NS " (simulated time). The reader checks everything the replay engine
 * relies on (field ranges, time order, liveness of object / block / process
 * IDs) and stops at the first fault with a one-line message
 * "FILE:LINE: what is wrong (the offending token)".
 *
 * The reader is built for speed (the replay target is 2 M events/s on one
 * core, parsing included): a hand-written scanner over a large read buffer,
 * no per-line allocation, no stdio scanning.
 *
 * Errors are 0 or a negative errno; messages go into a caller's buffer; the
 * library never prints.
 */
#ifndef ZSFRAG_TRACE_TEXT_H
#define ZSFRAG_TRACE_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"
#include "trace_io.h"
#include "trace_live.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TRACE_TEXT_VERSION	     1
#define TRACE_TEXT_MAGIC	     "zsfrag-trace"
#define TRACE_TEXT_LINE_MAX	     65535 /* bytes per line, newline excluded */
#define TRACE_TEXT_KEY_MAX	     64	   /* bytes per metadata key */
#define TRACE_TEXT_META_MAX	     256   /* metadata entries per trace */
#define TRACE_TEXT_ORDER_MAX	     10	   /* largest g ORDER (MAX_ORDER - 1 of a 4 KiB kernel) */
#define TRACE_TEXT_ID_LIMIT	     (1ULL << 63) /* IDs, slots and PIDs are below this */
#define TRACE_TEXT_DEFAULT_PAGE_SIZE 4096	  /* bytes, when no "! page_size" */

/* One metadata entry, as written by trace_write_header(). */
struct trace_meta {
	const char *key;   /* [a-z0-9_]+, at most TRACE_TEXT_KEY_MAX bytes */
	const char *value; /* non-empty, no control characters but tab, no edge blanks */
};

struct trace_reader;

/*
 * Open the trace at path ("-" means stdin, shown as "<stdin>") and read its
 * header and metadata. 0 and *r on success; on failure a negative errno and a
 * message in err (which may be NULL when errlen is 0).
 */
int trace_reader_open(const char *path, struct trace_reader **r, char *err, size_t errlen);

/*
 * Same, from a stream the caller opened; name is used in messages. The
 * reader does not close f; the caller does, after trace_reader_close().
 *
 * Both open calls sniff what they read: zstd or gzip compression
 * (trace_io.h) and then a text or binary trace (trace_bin.h, by its magic
 * number), so every consumer reads every format through this one reader.
 * Binary traces report errors as "FILE: offset N: what" and number their
 * events (ev->line) by record.
 */
int trace_reader_open_file(FILE *f, const char *name, struct trace_reader **r, char *err,
			   size_t errlen);

/* Text only, no sniffing: every byte of f is parsed as a text trace. */
int trace_reader_open_text(FILE *f, const char *name, struct trace_reader **r, char *err,
			   size_t errlen);

enum trace_format {
	TRACE_FORMAT_TEXT,
	TRACE_FORMAT_BINARY,
};

/* What the open call found. */
enum trace_format trace_reader_format(const struct trace_reader *r);
enum trace_codec trace_reader_codec(const struct trace_reader *r);

/*
 * After trace_reader_next() returned -EINVAL for one event, skip that event
 * and go on with the next (text: the next line; binary: the next record):
 * 0. -EINVAL when the fault cannot be skipped (I/O, a broken binary record
 * structure, no error pending). Used by `zsfrag trace validate` to report
 * every problem of a trace; liveness and time stay as if the bad event had
 * not been there.
 */
int trace_reader_resume(struct trace_reader *r);

/*
 * Next event into *ev: 1 when an event was read, 0 at the end of the trace,
 * or a negative errno (-EINVAL for a malformed trace, -EIO, -ENOMEM) with a
 * message in err. After an error or the end, every later call returns the
 * same result again (the message is rewritten each time).
 *
 * Every field of *ev is set: fields the op does not use are 0 (label "").
 * When the line has no @ prefix, has_time is false and time_ns repeats the
 * latest time given (0 before any). ev->line is the 1-based line number.
 */
int trace_reader_next(struct trace_reader *r, struct sim_event *ev, char *err, size_t errlen);

/* Value of metadata key, or NULL when the trace does not set it. */
const char *trace_reader_meta(const struct trace_reader *r, const char *key);
/* Number of metadata entries, and entry i (0-based, file order); -ENOENT past the end. */
size_t trace_reader_meta_count(const struct trace_reader *r);
int trace_reader_meta_at(const struct trace_reader *r, size_t i, const char **key,
			 const char **value);

/* Bytes per page: "! page_size" or TRACE_TEXT_DEFAULT_PAGE_SIZE. */
size_t trace_reader_page_size(const struct trace_reader *r);
/* The IDs live after the events read so far (e.g. objects still allocated at the end). */
const struct trace_live *trace_reader_live(const struct trace_reader *r);
/* Display name given at open. */
const char *trace_reader_name(const struct trace_reader *r);
/*
 * Bytes of the file read so far (compressed bytes for a compressed trace),
 * for progress reports; read ahead in chunks, so approximate. -1 for a pipe.
 */
long long trace_reader_file_pos(const struct trace_reader *r);

/*
 * Whether the trace's end was proven: a binary trace's end record is
 * required, so always true for binary; for text, whether the end line
 * "e COUNT" was read (true only after trace_reader_next() returned 0).
 */
bool trace_reader_ended(const struct trace_reader *r);

/* Closes the file if trace_reader_open() opened it. NULL is a no-op. */
void trace_reader_close(struct trace_reader *r);

/*
 * Writer. trace_write_header() writes the header line and n metadata
 * entries; it refuses (-EINVAL) a bad key, a bad value, a repeated key or an
 * unsupported page_size, before writing anything. trace_write_event() writes
 * one event line; it refuses (-EINVAL) what no reader would accept on its
 * own (unknown op, ID >= 2^63, size outside 1..65536, order > 10, unknown
 * migrate type, bad label) but, being stateless, does not check sizes
 * against the page size, time order or liveness. -EIO when the stream fails.
 */
int trace_write_header(FILE *f, const struct trace_meta *meta, size_t n);
int trace_write_event(FILE *f, const struct sim_event *ev);
/*
 * The end line "e COUNT", COUNT the events written: optional, but a reader
 * that meets it checks the count and that nothing but blanks and comments
 * follows, so a trace cut at a line boundary does not read as whole. 0 or -EIO.
 */
int trace_write_end(FILE *f, uint64_t count);

/*
 * Format one event line, newline included, into buf (NUL-terminated) for
 * callers that batch their own output. Returns the length, or -EINVAL as
 * above, or -ENOSPC when buflen < TRACE_TEXT_EVENT_MAX.
 */
#define TRACE_TEXT_EVENT_MAX 192 /* bytes: "@" + 20 digits + op + 3 fields + label + "\n\0" */
int trace_format_event(char *buf, size_t buflen, const struct sim_event *ev);

/* 0 when label is a valid s LABEL (1..127 bytes of [A-Za-z0-9_.:/+-]), else -EINVAL. */
int trace_check_label(const char *label);

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_TRACE_TEXT_H */
