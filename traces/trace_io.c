/*
 * trace_io.c - zstd and gzip trace streams behind a FILE (fopencookie).
 *
 * Read side: the cookie pulls compressed bytes from raw into in[] and runs
 * the decompressor straight into the caller's buffer (glibc passes large
 * fread() requests through unbuffered, so the text and binary readers'
 * 256 KiB reads cost one decompress call each). End of input is clean only
 * at a frame / member boundary; anything else is "truncated". After a fault
 * every read fails again with the same reason.
 *
 * Write side: the cookie compresses each write into out[] and flushes out[]
 * to raw when full; close ends the frame (ZSTD_e_end / Z_FINISH), flushes,
 * and reports any failure as EOF from fclose().
 *
 * Memory: one IO_CHUNK input or output buffer plus the codec's state (zstd's
 * window is bounded by its default windowLogMax, 128 MiB at most, so a
 * hostile header cannot ask for more).
 */
#include "trace_io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define IO_CHUNK    (128 * 1024) /* bytes of compressed data per raw fread / fwrite */
#define IO_ERR_MAX  160		 /* bytes of a kept codec message */
#define ZSTD_MAGIC0 0x28	 /* first byte of a zstd frame (28 b5 2f fd) */
#define GZIP_MAGIC0 0x1f	 /* first byte of a gzip member (1f 8b) */

struct trace_io {
	FILE *raw;	/* the file underneath */
	bool close_raw; /* trace_io_close() closes raw */
	bool writing;
	FILE *f; /* what callers use: raw, or the cookie stream */
	enum trace_codec codec;
	ZSTD_DStream *zd;      /* zstd, reading */
	ZSTD_CCtx *zc;	       /* zstd, writing */
	z_stream zs;	       /* gzip, either way */
	bool zs_live;	       /* zs was initialised */
	unsigned char *buf;    /* IO_CHUNK bytes: compressed input or output */
	size_t in_pos, in_len; /* reading: unconsumed compressed bytes buf[in_pos, in_len) */
	bool raw_eof;	       /* reading: raw has no more bytes */
	bool at_boundary;      /* reading: the last frame / member ended exactly */
	bool failed;	       /* a fault happened; err says which */
	char err[IO_ERR_MAX];
};

static int io_fault(struct trace_io *io, const char *what, const char *detail)
{
	if (!io->failed) {
		snprintf(io->err, sizeof(io->err), "%s%s%s%s", what, detail ? " (" : "",
			 detail ? detail : "", detail ? ")" : "");
		io->failed = true;
	}
	errno = EIO;
	return -1;
}

/* Refill buf from raw when it is used up. 0, or -1 on a read error. */
static int io_fill(struct trace_io *io)
{
	size_t got;

	if (io->in_pos < io->in_len || io->raw_eof)
		return 0;
	got = fread(io->buf, 1, IO_CHUNK, io->raw);
	io->in_pos = 0;
	io->in_len = got;
	if (!got) {
		if (ferror(io->raw))
			return io_fault(io, "read error", strerror(errno ? errno : EIO));
		io->raw_eof = true;
	}
	return 0;
}

/*
 * Both decoders follow one loop: refill, decode, and when raw is at its end
 * keep calling the decoder (it may still hold output) until it makes no
 * progress. Stopping without progress away from a frame boundary is a
 * truncated file.
 */
static ssize_t io_read_zstd(struct trace_io *io, char *out, size_t size)
{
	ZSTD_outBuffer ob = {out, size, 0};

	while (ob.pos < ob.size) {
		ZSTD_inBuffer ib;
		size_t ret, out_before = ob.pos;

		if (io_fill(io))
			return -1;
		if (io->in_pos == io->in_len && io->at_boundary)
			break; /* raw ended right after a frame */
		ib.src = io->buf;
		ib.size = io->in_len;
		ib.pos = io->in_pos;
		ret = ZSTD_decompressStream(io->zd, &ob, &ib);
		if (ZSTD_isError(ret))
			return io_fault(io, "corrupt zstd data", ZSTD_getErrorName(ret));
		io->at_boundary = ret == 0;
		if (ib.pos == io->in_pos && ob.pos == out_before && io->raw_eof && !io->at_boundary)
			return io_fault(io, "truncated zstd data", NULL);
		io->in_pos = ib.pos;
	}
	return (ssize_t)ob.pos;
}

static ssize_t io_read_gzip(struct trace_io *io, char *out, size_t size)
{
	size_t done = 0;

	while (done < size) {
		size_t in_before;
		int ret;

		if (io_fill(io))
			return -1;
		if (io->in_pos == io->in_len && io->at_boundary)
			break;
		if (io->at_boundary) {
			/* Another member follows the last one: start it afresh. */
			if (inflateReset(&io->zs) != Z_OK)
				return io_fault(io, "corrupt gzip data", "inflateReset");
			io->at_boundary = false;
		}
		in_before = io->in_pos;
		io->zs.next_in = io->buf + io->in_pos;
		io->zs.avail_in = (uInt)(io->in_len - io->in_pos);
		io->zs.next_out = (Bytef *)out + done;
		io->zs.avail_out = (uInt)((size - done) > UINT32_MAX ? UINT32_MAX : size - done);
		ret = inflate(&io->zs, Z_NO_FLUSH);
		io->in_pos = io->in_len - io->zs.avail_in;
		if (ret == Z_STREAM_END) {
			io->at_boundary = true;
		} else if (ret == Z_BUF_ERROR || (ret == Z_OK && io->in_pos == in_before &&
						  (char *)io->zs.next_out - out == (long)done)) {
			if (io->raw_eof && io->in_pos == io->in_len)
				return io_fault(io, "truncated gzip data", NULL);
		} else if (ret != Z_OK) {
			return io_fault(io, "corrupt gzip data",
					io->zs.msg ? io->zs.msg : zError(ret));
		}
		done = (size_t)((char *)io->zs.next_out - out);
	}
	return (ssize_t)done;
}

static ssize_t io_cookie_read(void *cookie, char *out, size_t size)
{
	struct trace_io *io = cookie;

	if (io->failed) {
		errno = EIO;
		return -1;
	}
	if (io->codec == TRACE_CODEC_ZSTD)
		return io_read_zstd(io, out, size);
	return io_read_gzip(io, out, size);
}

/* Write buf[0, n) to raw. */
static int io_flush_out(struct trace_io *io, size_t n)
{
	if (n && fwrite(io->buf, 1, n, io->raw) != n)
		return io_fault(io, "write error", strerror(errno ? errno : EIO));
	return 0;
}

/* Compress in[0, size) (end: finish the frame). 0 or -1. */
static int io_compress(struct trace_io *io, const char *in, size_t size, bool end)
{
	if (io->codec == TRACE_CODEC_ZSTD) {
		ZSTD_inBuffer ib = {in, size, 0};

		for (;;) {
			ZSTD_outBuffer ob = {io->buf, IO_CHUNK, 0};
			size_t ret = ZSTD_compressStream2(io->zc, &ob, &ib,
							  end ? ZSTD_e_end : ZSTD_e_continue);

			if (ZSTD_isError(ret))
				return io_fault(io, "zstd compression failed",
						ZSTD_getErrorName(ret));
			if (io_flush_out(io, ob.pos))
				return -1;
			if (end ? ret == 0 : ib.pos == ib.size)
				return 0;
		}
	}
	io->zs.next_in = (Bytef *)(uintptr_t)in;
	io->zs.avail_in = (uInt)size;
	for (;;) {
		int ret;

		io->zs.next_out = io->buf;
		io->zs.avail_out = IO_CHUNK;
		ret = deflate(&io->zs, end ? Z_FINISH : Z_NO_FLUSH);
		if (ret == Z_STREAM_ERROR)
			return io_fault(io, "gzip compression failed", NULL);
		if (io_flush_out(io, IO_CHUNK - io->zs.avail_out))
			return -1;
		if (end ? ret == Z_STREAM_END : (io->zs.avail_in == 0 && io->zs.avail_out != 0))
			return 0;
	}
}

static ssize_t io_cookie_write(void *cookie, const char *in, size_t size)
{
	struct trace_io *io = cookie;

	if (io->failed) {
		errno = EIO;
		return 0;
	}
	/* zlib counts in uInt: feed large writes in pieces. */
	for (size_t done = 0; done < size;) {
		size_t n = size - done > IO_CHUNK ? IO_CHUNK : size - done;

		if (io_compress(io, in + done, n, false))
			return 0;
		done += n;
	}
	return (ssize_t)size;
}

static int io_cookie_close(void *cookie)
{
	struct trace_io *io = cookie;
	int rc = 0;

	if (io->writing && !io->failed && (io_compress(io, NULL, 0, true) || fflush(io->raw)))
		rc = -1;
	return rc;
}

static struct trace_io *io_new(FILE *raw, bool close_raw)
{
	struct trace_io *io = calloc(1, sizeof(*io));

	if (!io)
		return NULL;
	io->raw = raw;
	io->close_raw = close_raw;
	io->f = raw;
	return io;
}

static void io_free(struct trace_io *io)
{
	if (io->zd)
		ZSTD_freeDStream(io->zd);
	if (io->zc)
		ZSTD_freeCCtx(io->zc);
	if (io->zs_live)
		(void)(io->writing ? deflateEnd(&io->zs) : inflateEnd(&io->zs));
	free(io->buf);
	free(io);
}

int trace_io_peek(FILE *f)
{
	int c = fgetc(f);

	if (c == EOF) {
		if (!ferror(f))
			clearerr(f); /* an empty file: reading on says so again */
		return EOF;
	}
	/*
	 * Seek back where we can: after ungetc() glibc serves the next large
	 * fread() through its small buffer, which costs a text trace 20%.
	 */
	if (fseeko(f, -1, SEEK_CUR))
		ungetc(c, f);
	return c;
}

int trace_io_open_read(FILE *raw, bool close_raw, struct trace_io **out, char *err, size_t errlen)
{
	cookie_io_functions_t fns = {.read = io_cookie_read, .close = io_cookie_close};
	struct trace_io *io;
	int c;

	*out = NULL;
	io = io_new(raw, close_raw);
	if (!io)
		goto nomem;
	c = trace_io_peek(raw);
	if (c == EOF && ferror(raw)) {
		if (err && errlen)
			snprintf(err, errlen, "read error: %s", strerror(errno ? errno : EIO));
		io_free(io);
		return -EIO;
	}
	if (c == ZSTD_MAGIC0)
		io->codec = TRACE_CODEC_ZSTD;
	else if (c == GZIP_MAGIC0)
		io->codec = TRACE_CODEC_GZIP;
	if (io->codec == TRACE_CODEC_NONE) {
		*out = io;
		return 0;
	}
	io->buf = malloc(IO_CHUNK);
	if (!io->buf)
		goto nomem_free;
	if (io->codec == TRACE_CODEC_ZSTD) {
		io->zd = ZSTD_createDStream();
		if (!io->zd)
			goto nomem_free;
	} else {
		if (inflateInit2(&io->zs, 15 + 16) != Z_OK) /* 15-bit window, gzip wrapper */
			goto nomem_free;
		io->zs_live = true;
	}
	io->f = fopencookie(io, "rb", fns);
	if (!io->f)
		goto nomem_free;
	*out = io;
	return 0;

nomem_free:
	io_free(io);
nomem:
	if (err && errlen)
		snprintf(err, errlen, "out of memory opening a compressed trace");
	return -ENOMEM;
}

int trace_io_open_write(FILE *raw, bool close_raw, enum trace_codec codec, int level,
			struct trace_io **out)
{
	cookie_io_functions_t fns = {.write = io_cookie_write, .close = io_cookie_close};
	struct trace_io *io;

	*out = NULL;
	if (codec != TRACE_CODEC_NONE && codec != TRACE_CODEC_ZSTD && codec != TRACE_CODEC_GZIP)
		return -EINVAL;
	io = io_new(raw, close_raw);
	if (!io)
		return -ENOMEM;
	io->writing = true;
	io->codec = codec;
	if (codec == TRACE_CODEC_NONE) {
		*out = io;
		return 0;
	}
	io->buf = malloc(IO_CHUNK);
	if (!io->buf)
		goto nomem;
	if (codec == TRACE_CODEC_ZSTD) {
		io->zc = ZSTD_createCCtx();
		if (!io->zc || ZSTD_isError(ZSTD_CCtx_setParameter(io->zc, ZSTD_c_compressionLevel,
								   level ? level : 3)))
			goto nomem;
	} else {
		if (deflateInit2(&io->zs, level ? level : 6, Z_DEFLATED, 15 + 16, 8,
				 Z_DEFAULT_STRATEGY) != Z_OK)
			goto nomem;
		io->zs_live = true;
	}
	io->f = fopencookie(io, "wb", fns);
	if (!io->f)
		goto nomem;
	*out = io;
	return 0;
nomem:
	io_free(io);
	return -ENOMEM;
}

FILE *trace_io_file(const struct trace_io *io)
{
	return io->f;
}

enum trace_codec trace_io_codec(const struct trace_io *io)
{
	return io->codec;
}

const char *trace_io_error(const struct trace_io *io)
{
	return io->failed ? io->err : NULL;
}

int trace_io_close(struct trace_io *io)
{
	int rc = 0;

	if (!io)
		return 0;
	if (io->f != io->raw) {
		if (fclose(io->f))
			rc = -EIO;
	} else if (io->writing && fflush(io->raw)) {
		rc = -EIO;
	}
	if (io->close_raw && fclose(io->raw))
		rc = -EIO;
	io_free(io);
	return rc;
}

const char *trace_codec_name(enum trace_codec c)
{
	switch (c) {
	case TRACE_CODEC_ZSTD:
		return "zstd";
	case TRACE_CODEC_GZIP:
		return "gzip";
	default:
		return "none";
	}
}

int trace_codec_parse(const char *name, enum trace_codec *c)
{
	if (!strcmp(name, "none"))
		*c = TRACE_CODEC_NONE;
	else if (!strcmp(name, "zstd") || !strcmp(name, "zst"))
		*c = TRACE_CODEC_ZSTD;
	else if (!strcmp(name, "gzip") || !strcmp(name, "gz"))
		*c = TRACE_CODEC_GZIP;
	else
		return -EINVAL;
	return 0;
}

static bool io_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

enum trace_codec trace_codec_from_path(const char *path)
{
	if (io_ends_with(path, ".zst"))
		return TRACE_CODEC_ZSTD;
	if (io_ends_with(path, ".gz"))
		return TRACE_CODEC_GZIP;
	return TRACE_CODEC_NONE;
}
