/*
 * trace_writer.c - struct trace_writer: any format, any compression.
 *
 * Stacking: the caller's FILE (or an outfile we open: outfile.h, so a
 * named output is a temporary file renamed at close, and a device or FIFO
 * is written straight through) <- trace_io (compression, or the raw file
 * itself) <- the text writer (trace_write_event on the FILE) or the binary
 * writer. A 1 MiB stdio buffer on the raw file keeps small record writes
 * cheap. The first write error is sticky: later events are refused with it
 * (the errno of the failing write(2), e.g. -ENOSPC, when we opened the
 * file) and close reports it. A text trace ends with the end line "e COUNT"
 * (FORMAT.md), written by close only: an aborted output never has one.
 */
#include "trace.h"
#include "outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define WRITER_BUF_SIZE (1024 * 1024) /* bytes of stdio buffer on the raw file */

struct trace_writer {
	char *name;
	FILE *raw;
	struct outfile *of; /* when we opened raw (trace_writer_open) */
	char *rawbuf; /* setvbuf buffer of raw, when we set one */
	struct trace_io *io;
	FILE *f; /* trace_io_file(io) */
	enum trace_format fmt;
	struct trace_bin_writer *bin; /* binary format */
	int failed;		      /* first -EIO */
	uint64_t events;	      /* written, for the text end line */
};

static bool writer_ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && !memcmp(s + n - m, suffix, m);
}

enum trace_format trace_format_from_path(const char *path)
{
	size_t n = strlen(path);

	if (writer_ends_with(path, n, ".zst"))
		n -= 4;
	else if (writer_ends_with(path, n, ".gz"))
		n -= 3;
	return writer_ends_with(path, n, TRACE_BIN_SUFFIX) ? TRACE_FORMAT_BINARY
							   : TRACE_FORMAT_TEXT;
}

const char *trace_format_name(enum trace_format fmt)
{
	return fmt == TRACE_FORMAT_BINARY ? "binary" : "text";
}

static void writer_free(struct trace_writer *w)
{
	free(w->name);
	free(w->rawbuf);
	free(w);
}

static int writer_setup(struct trace_writer *w, enum trace_codec codec, int level,
			const struct trace_meta *meta, size_t n, char *err, size_t errlen)
{
	int rc;

	rc = trace_io_open_write(w->raw, false, codec, level, &w->io);
	if (rc) {
		snprintf(err, errlen, "%s: cannot set up %s compression", w->name,
			 trace_codec_name(codec));
		return rc;
	}
	w->f = trace_io_file(w->io);
	if (w->fmt == TRACE_FORMAT_BINARY)
		rc = trace_bin_writer_open(w->f, meta, n, &w->bin);
	else
		rc = trace_write_header(w->f, meta, n);
	if (rc) {
		snprintf(err, errlen, "%s: %s", w->name,
			 rc == -EINVAL ? "bad metadata (key, value, duplicate or page_size)"
				       : strerror(-rc));
		trace_io_close(w->io);
		w->io = NULL;
	}
	return rc;
}

int trace_writer_open_file(FILE *f, const char *name, enum trace_format fmt, enum trace_codec codec,
			   int level, const struct trace_meta *meta, size_t n,
			   struct trace_writer **out, char *err, size_t errlen)
{
	struct trace_writer *w;
	char dummy[1];
	int rc;

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	*out = NULL;
	if (fmt != TRACE_FORMAT_TEXT && fmt != TRACE_FORMAT_BINARY) {
		snprintf(err, errlen, "%s: unknown trace format", name);
		return -EINVAL;
	}
	w = calloc(1, sizeof(*w));
	if (!w || !(w->name = strdup(name))) {
		free(w);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	w->raw = f;
	w->fmt = fmt;
	rc = writer_setup(w, codec, level, meta, n, err, errlen);
	if (rc) {
		writer_free(w);
		return rc;
	}
	*out = w;
	return 0;
}

int trace_writer_open(const char *path, enum trace_format fmt, enum trace_codec codec, int level,
		      const struct trace_meta *meta, size_t n, struct trace_writer **out, char *err,
		      size_t errlen)
{
	struct outfile *of;
	bool to_stdout = !strcmp(path, "-");
	char *buf;
	FILE *f;
	int rc;

	*out = NULL;
	rc = outfile_open(path, &of, err, errlen);
	if (rc)
		return rc;
	f = outfile_stream(of);
	/* Only a file of our own gets the big buffer: stdout may have been written to. */
	buf = to_stdout ? NULL : malloc(WRITER_BUF_SIZE);
	if (buf)
		setvbuf(f, buf, _IOFBF, WRITER_BUF_SIZE);
	rc = trace_writer_open_file(f, outfile_name(of), fmt, codec, level, meta, n, out, err,
				    errlen);
	if (rc) {
		outfile_abort(of);
		free(buf);
		return rc;
	}
	(*out)->of = of;
	(*out)->rawbuf = buf;
	return 0;
}

const char *trace_writer_temp_name(const struct trace_writer *w)
{
	return w->of ? outfile_temp_name(w->of) : NULL;
}

/* The cause of a failed write: the outfile's errno when it has one. */
static int writer_errno(const struct trace_writer *w, int rc)
{
	if (rc == -EIO && w->of && outfile_error(w->of))
		return outfile_error(w->of);
	return rc;
}

int trace_writer_event(struct trace_writer *w, const struct sim_event *ev)
{
	int rc;

	if (w->failed)
		return w->failed;
	if (w->bin)
		rc = trace_bin_writer_event(w->bin, ev);
	else
		rc = trace_write_event(w->f, ev);
	if (rc == -EIO)
		w->failed = rc = writer_errno(w, rc);
	else if (!rc)
		w->events++;
	return rc;
}

/* Finish the stacked writers (complete: the text end line first); 0 or the first error. */
static int writer_finish(struct trace_writer *w, bool complete)
{
	int rc = w->failed;

	if (complete && !rc && !w->bin && trace_write_end(w->f, w->events))
		rc = -EIO;
	if (w->bin && trace_bin_writer_close(w->bin) && !rc)
		rc = -EIO;
	if (trace_io_close(w->io) && !rc)
		rc = -EIO;
	return writer_errno(w, rc);
}

int trace_writer_close(struct trace_writer *w, char *err, size_t errlen)
{
	char dummy[1];
	int rc;

	if (!w)
		return 0;
	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	rc = writer_finish(w, true);
	if (w->of) {
		if (rc) {
			outfile_abort(w->of);
			snprintf(err, errlen, "%s: write error: %s", w->name, strerror(-rc));
		} else if ((rc = outfile_commit(w->of, err, errlen))) {
			/* err names the file and the cause */
		}
	} else if (fflush(w->raw) && !rc) {
		rc = -EIO;
	}
	if (rc && !w->of)
		snprintf(err, errlen, "%s: write error", w->name);
	writer_free(w);
	return rc;
}

void trace_writer_abort(struct trace_writer *w)
{
	if (!w)
		return;
	writer_finish(w, false); /* no end line: a cut output must not read as whole */
	if (w->of)
		outfile_abort(w->of);
	else
		fflush(w->raw);
	writer_free(w);
}
