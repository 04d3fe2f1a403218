/*
 * trace_text.c - text trace format v1 (traces/FORMAT.md): the reader (lines,
 * header, metadata and the reader API; one event line is parsed in
 * trace_text_event.c, the state both use is in trace_text_reader.h); the
 * writer is trace_text_write.c, what reader and writer share
 * trace_text_internal.h.
 *
 * Reader design, for speed (2 M events/s for the whole replay, parsing
 * included, on one core):
 *  - one TEXT_BUF_SIZE buffer per reader, refilled with fread(); a line is
 *    found with memchr() and parsed in place, so no byte is copied twice and
 *    nothing is allocated per line;
 *  - the scanner is hand-written: a token is a run of bytes above 0x20,
 *    numbers are converted while checking digits and overflow in one pass;
 *  - messages are formatted only on error.
 * The unread bytes are buf[start, end). A line may not exceed
 * TRACE_TEXT_LINE_MAX bytes, so when no newline is in sight and more than
 * that is buffered the line is too long; otherwise the unread tail moves to
 * the front and fread() fills the rest.
 *
 * trace_reader_open*() reads the header and the metadata block, up to the
 * first event line, which it leaves "pending" in the buffer (no refill
 * happens before trace_reader_next() consumes it). So the metadata, and in
 * particular the page size that bounds every SIZE field, is known before the
 * first event is parsed, and every "!" line met by trace_reader_next() is
 * metadata after an event.
 *
 * Lines: "\n" ends a line; one "\r" right before it is dropped (CRLF files
 * are accepted); the last line needs no newline. Blanks are spaces and tabs;
 * any other byte at or below 0x20 outside a comment makes the line malformed.
 *
 * The first error is kept (state < 0, message in errmsg) and returned again
 * by every later call.
 *
 * The end line "e COUNT" (optional; trace_writer writes it) is checked
 * against the events returned so far, and only blank and comment lines may
 * follow it: a text trace cut at a line boundary is then caught, as the
 * binary format's end record catches any cut.
 */
#include "trace_text.h"
#include "trace_bin.h"
#include "trace_text_internal.h"
#include "trace_text_reader.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---- */

static void text_copy_err(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

/* Quote a token for a message: at most TEXT_TOKEN_SHOWN bytes, control bytes as \xNN. */
static void text_quote(char *out, size_t outlen, const char *tok, size_t len)
{
	size_t o = 0, i;

	for (i = 0; i < len && i < TEXT_TOKEN_SHOWN && o + 5 < outlen; i++) {
		unsigned char c = (unsigned char)tok[i];

		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	if (i < len && o + 4 < outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/*
 * Record the first error, "NAME:LINE: what (token)", and return rc, so a
 * parser can "return text_fail(...)"; text_fail() is the -EINVAL case.
 */
int text_fail_rc(struct trace_reader *r, int rc, uint64_t line, const char *what, const char *tok,
		 size_t len)
{
	char shown[TEXT_TOKEN_SHOWN * 4 + 8];

	text_quote(shown, sizeof(shown), tok, len);
	snprintf(r->errmsg, sizeof(r->errmsg), "%s:%" PRIu64 ": %s (%s)", r->name, line, what,
		 shown);
	r->state = rc;
	return rc;
}

int text_fail(struct trace_reader *r, const char *what, const char *tok, size_t len)
{
	return text_fail_rc(r, -EINVAL, r->line, what, tok, len);
}

int trace_check_label(const char *label)
{
	size_t i;

	for (i = 0; label[i]; i++)
		if (i >= SIM_LABEL_MAX - 1 || !text_label_char((unsigned char)label[i]))
			return -EINVAL;
	return i ? 0 : -EINVAL;
}

/* ---- line source ---- */

/*
 * Take the next line: 1 with *line / *len (newline and one trailing "\r"
 * removed), 0 at the end of input, < 0 on error (kept in r).
 */
static int text_get_line(struct trace_reader *r, const char **line, size_t *len)
{
	for (;;) {
		char *s = r->buf + r->start;
		size_t avail = r->end - r->start;
		char *nl = memchr(s, '\n', avail);
		size_t n, got;

		if (nl || (r->file_eof && avail)) {
			n = nl ? (size_t)(nl - s) : avail;
			r->start += nl ? n + 1 : n;
			r->line++;
			if (n && s[n - 1] == '\r')
				n--;
			if (n > TRACE_TEXT_LINE_MAX)
				return text_fail(r, "malformed line, longer than 65535 bytes", s,
						 n);
			*line = s;
			*len = n;
			return 1;
		}
		if (r->file_eof)
			return 0;
		if (avail > TRACE_TEXT_LINE_MAX + 1) {
			r->skip_long = true;
			return text_fail_rc(r, -EINVAL, r->line + 1,
					    "malformed line, longer than 65535 bytes", s, avail);
		}
		memmove(r->buf, s, avail);
		r->start = 0;
		r->end = avail;
		got = fread(r->buf + avail, 1, TEXT_BUF_SIZE - avail, r->f);
		r->end += got;
		if (!got) {
			if (ferror(r->f) && r->io && trace_io_error(r->io)) {
				snprintf(r->errmsg, sizeof(r->errmsg), "%s:%" PRIu64 ": %s",
					 r->name, r->line + 1, trace_io_error(r->io));
				r->state = -EIO;
				return -EIO;
			}
			if (ferror(r->f))
				return text_fail_rc(r, -EIO, r->line + 1, "read error", "", 0);
			r->file_eof = true;
		}
	}
}

/* Skip leading blanks; true when nothing but a comment or blanks remains. */
static bool text_skip_line(const char **s, const char *end)
{
	const char *p = *s;

	while (p < end && text_is_blank(*p))
		p++;
	*s = p;
	return p == end || *p == '#';
}

/* ---- header and metadata ---- */

static int text_parse_header(struct trace_reader *r)
{
	static const char what[] = "missing header line, expected \"zsfrag-trace 1\"";
	const char *line, *p, *end, *tok;
	size_t len;
	long n;
	uint64_t v;
	int rc;

	rc = text_get_line(r, &line, &len);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		r->line = 1;
		return text_fail(r, what, "empty file", 10);
	}
	p = line;
	end = line + len;
	n = text_token(&p, end, &tok);
	if (n != (long)strlen(TRACE_TEXT_MAGIC) || memcmp(tok, TRACE_TEXT_MAGIC, (size_t)n))
		return text_fail(r, what, line, len);
	n = text_token(&p, end, &tok);
	if (n < 0) /* e.g. old Mac "\r" line ends: the whole file is one line */
		return text_fail(r, "malformed header line, control byte", tok,
				 (size_t)(end - tok));
	if (n == 0)
		return text_fail(r, "missing trace version in header", line, len);
	/* the header is exact (FORMAT.md): "01" is not "1" */
	if (text_u64(tok, (size_t)n, &v) || v == 0 || tok[0] == '0')
		return text_fail(r, "bad trace version in header", tok, (size_t)n);
	if (v != TRACE_TEXT_VERSION)
		return text_fail(r, "unsupported trace version, this reader knows 1", tok,
				 (size_t)n);
	n = text_token(&p, end, &tok);
	if (n < 0)
		return text_fail(r, "malformed header line, control byte", tok,
				 (size_t)(end - tok));
	if (n)
		return text_fail(r, "extra field in header", tok, (size_t)n);
	return 0;
}

/* Parse "! KEY VALUE" from s (which points at the "!"). */
static int text_parse_meta(struct trace_reader *r, const char *s, const char *end)
{
	const char *p = s + 1, *key, *val, *q;
	struct text_meta *m;
	size_t klen, vlen, i;
	uint64_t v;
	char *mem;
	long n;

	if (p == end || !text_is_blank(*p))
		return text_fail(r, "malformed metadata line, expected \"! KEY VALUE\"", s,
				 (size_t)(end - s));
	n = text_token(&p, end, &key);
	if (n <= 0)
		return text_fail(r, "malformed metadata line, missing KEY", s, (size_t)(end - s));
	klen = (size_t)n;
	if (!text_key_ok(key, klen))
		return text_fail(r, "malformed metadata line, KEY must be 1..64 of [a-z0-9_]", key,
				 klen);
	while (p < end && text_is_blank(*p))
		p++;
	val = p;
	q = end;
	while (q > val && text_is_blank(q[-1]))
		q--;
	vlen = (size_t)(q - val);
	if (!vlen)
		return text_fail(r, "missing metadata value", key, klen);
	for (i = 0; i < vlen; i++)
		if (((unsigned char)val[i] < 0x20 && val[i] != '\t') || val[i] == 0x7f)
			return text_fail(r, "malformed metadata line, control byte in VALUE", val,
					 vlen);
	for (i = 0; i < r->meta_count; i++)
		if (strlen(r->meta[i].key) == klen && !memcmp(r->meta[i].key, key, klen))
			return text_fail(r, "duplicate metadata key", key, klen);
	if (r->meta_count >= TRACE_TEXT_META_MAX)
		return text_fail(r, "too many metadata entries, at most 256", key, klen);
	if (klen == 9 && !memcmp(key, "page_size", 9)) {
		int nrc = text_u64(val, vlen, &v);

		if (nrc == -1)
			return text_fail(r, "page_size is not a number", val, vlen);
		if (nrc == -2 || !text_page_size_ok(v))
			return text_fail(r, "unsupported page_size, expected 4096, 16384 or 65536",
					 val, vlen);
		r->page_size = (size_t)v;
	}

	if (!(r->meta_count & (r->meta_count - 1))) {
		/* Grow at 0, 1, 2, 4, ...: entries are few; keep the code short. */
		size_t cap = r->meta_count ? r->meta_count * 2 : 1;
		struct text_meta *nm = realloc(r->meta, cap * sizeof(*nm));

		if (!nm)
			return text_fail_rc(r, -ENOMEM, r->line, "out of memory", key, klen);
		r->meta = nm;
	}
	mem = malloc(klen + vlen + 2);
	if (!mem)
		return text_fail_rc(r, -ENOMEM, r->line, "out of memory", key, klen);
	m = &r->meta[r->meta_count++];
	m->key = mem;
	memcpy(mem, key, klen);
	mem[klen] = '\0';
	m->value = mem + klen + 1;
	memcpy(m->value, val, vlen);
	m->value[vlen] = '\0';
	return 0;
}

/* After the header: metadata until the first event line, which stays pending. */
static int text_read_preamble(struct trace_reader *r)
{
	const char *line, *p;
	size_t len;
	int rc;

	for (;;) {
		rc = text_get_line(r, &line, &len);
		if (rc <= 0)
			return rc;
		p = line;
		if (text_skip_line(&p, line + len))
			continue;
		if (*p != '!') {
			r->pending = true;
			r->pend_off = (size_t)(line - r->buf);
			r->pend_len = len;
			return 0;
		}
		rc = text_parse_meta(r, p, line + len);
		if (rc)
			return rc;
	}
}

/* ---- reader API ---- */

/*
 * Open f as text (bin NULL) or hand it to the binary reader; io (may be
 * NULL) is the decompression under f and belongs to the reader from here
 * on, even on failure.
 */
static int text_open(FILE *f, const char *name, struct trace_io *io, bool binary,
		     struct trace_reader **out, char *err, size_t errlen)
{
	struct trace_reader *r;
	int rc;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		goto fail_nomem;
	r->io = io;
	r->name = strdup(name ? name : "<trace>");
	r->buf = binary ? NULL : malloc(TEXT_BUF_SIZE);
	if (!r->name || (!binary && !r->buf))
		goto fail_free;
	r->f = f;
	r->raw = f;
	r->page_size = TRACE_TEXT_DEFAULT_PAGE_SIZE;
	trace_live_init(&r->live);

	if (binary) {
		rc = trace_bin_open(f, r->name, &r->bin, r->errmsg, sizeof(r->errmsg));
		if (rc == -EIO && io && trace_io_error(io)) {
			/* "NAME: offset N: read error": say what the codec said instead. */
			char *tail = strstr(r->errmsg, ": read error");

			if (tail)
				snprintf(tail, sizeof(r->errmsg) - (size_t)(tail - r->errmsg),
					 ": %s", trace_io_error(io));
		}
	} else {
		rc = text_parse_header(r);
		if (!rc)
			rc = text_read_preamble(r);
	}
	if (rc < 0) {
		text_copy_err(err, errlen, r->errmsg);
		trace_reader_close(r);
		return rc;
	}
	*out = r;
	return 0;

fail_free:
	free(r->buf);
	free(r->name);
	free(r);
fail_nomem:
	trace_io_close(io);
	text_copy_err(err, errlen, "out of memory opening a trace");
	return -ENOMEM;
}

int trace_reader_open_text(FILE *f, const char *name, struct trace_reader **out, char *err,
			   size_t errlen)
{
	return text_open(f, name, NULL, false, out, err, errlen);
}

int trace_reader_open_file(FILE *f, const char *name, struct trace_reader **out, char *err,
			   size_t errlen)
{
	struct trace_io *io;
	FILE *in;
	int rc, c;

	*out = NULL;
	rc = trace_io_open_read(f, false, &io, err, errlen);
	if (rc) {
		/* the codec's message lacks the file: a directory, a closed stdin */
		if (err && errlen) {
			char why[256];

			snprintf(why, sizeof(why), "%s", err);
			snprintf(err, errlen, "%s: %s", name ? name : "<trace>", why);
		}
		return rc;
	}
	/* One byte tells text ('z'...) from binary (0x89...); trace_io_peek() gives it back. */
	in = trace_io_file(io);
	c = trace_io_peek(in);
	if (c == EOF && trace_io_error(io)) {
		/* Not one byte came out: the format is unknown, say what the codec said. */
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", name ? name : "<trace>", trace_io_error(io));
		trace_io_close(io);
		return -EIO;
	}
	rc = text_open(in, name, io, c == (unsigned char)TRACE_BIN_MAGIC[0], out, err, errlen);
	if (!rc)
		(*out)->raw = f;
	return rc;
}

int trace_reader_open(const char *path, struct trace_reader **out, char *err, size_t errlen)
{
	FILE *f;
	int rc;

	*out = NULL;
	if (!strcmp(path, "-"))
		return trace_reader_open_file(stdin, "<stdin>", out, err, errlen);
	f = fopen(path, "rb");
	if (!f) {
		rc = -errno;
		if (err && errlen)
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(-rc));
		return rc;
	}
	rc = trace_reader_open_file(f, path, out, err, errlen);
	if (rc) {
		fclose(f);
		return rc;
	}
	(*out)->owns_file = true;
	return 0;
}

int trace_reader_next(struct trace_reader *r, struct sim_event *ev, char *err, size_t errlen)
{
	const char *line, *p;
	size_t len;
	int rc;

	if (r->bin) {
		rc = trace_bin_next(r->bin, ev, err, errlen);
		if (rc == -EIO && r->io && trace_io_error(r->io) && err && errlen)
			snprintf(err, errlen, "%s: offset %" PRIu64 ": %s", r->name,
				 trace_bin_offset(r->bin), trace_io_error(r->io));
		return rc;
	}
	if (r->state) {
		if (r->state < 0)
			text_copy_err(err, errlen, r->errmsg);
		return r->state < 0 ? r->state : 0;
	}
	for (;;) {
		if (r->pending) {
			r->pending = false;
			line = r->buf + r->pend_off;
			len = r->pend_len;
		} else {
			for (;;) {
				rc = text_get_line(r, &line, &len);
				if (rc < 0)
					goto fail;
				if (rc == 0) {
					r->state = 1;
					return 0;
				}
				p = line;
				/* Fast path: an event line starts with its op or @, not a blank. */
				if (len && (unsigned char)*line > ' ' && *line != '#')
					break;
				if (!text_skip_line(&p, line + len))
					break;
			}
		}
		rc = text_parse_event(r, line, line + len, ev);
		if (rc < 0)
			goto fail;
		if (rc == 0)
			break;
		/* the end line: read on (only blanks and comments may follow) */
	}
	r->events++;
	return 1;
fail:
	text_copy_err(err, errlen, r->errmsg);
	return rc;
}

bool trace_reader_ended(const struct trace_reader *r)
{
	return r->bin ? true : r->ended;
}

const char *trace_reader_meta(const struct trace_reader *r, const char *key)
{
	size_t i;

	if (r->bin)
		return trace_bin_meta(r->bin, key);
	for (i = 0; i < r->meta_count; i++)
		if (!strcmp(r->meta[i].key, key))
			return r->meta[i].value;
	return NULL;
}

size_t trace_reader_meta_count(const struct trace_reader *r)
{
	if (r->bin)
		return trace_bin_meta_count(r->bin);
	return r->meta_count;
}

int trace_reader_meta_at(const struct trace_reader *r, size_t i, const char **key,
			 const char **value)
{
	if (r->bin)
		return trace_bin_meta_at(r->bin, i, key, value);
	if (i >= r->meta_count)
		return -ENOENT;
	*key = r->meta[i].key;
	*value = r->meta[i].value;
	return 0;
}

size_t trace_reader_page_size(const struct trace_reader *r)
{
	if (r->bin)
		return trace_bin_page_size(r->bin);
	return r->page_size;
}

const struct trace_live *trace_reader_live(const struct trace_reader *r)
{
	if (r->bin)
		return trace_bin_live(r->bin);
	return &r->live;
}

const char *trace_reader_name(const struct trace_reader *r)
{
	return r->name;
}

long long trace_reader_file_pos(const struct trace_reader *r)
{
	return r->raw ? (long long)ftell(r->raw) : -1;
}

void trace_reader_close(struct trace_reader *r)
{
	size_t i;

	if (!r)
		return;
	trace_bin_close(r->bin);
	trace_io_close(r->io); /* never closes raw: see trace_reader_open_file() */
	if (r->owns_file)
		fclose(r->raw);
	for (i = 0; i < r->meta_count; i++)
		free(r->meta[i].key);
	free(r->meta);
	trace_live_destroy(&r->live);
	free(r->buf);
	free(r->name);
	free(r);
}

enum trace_format trace_reader_format(const struct trace_reader *r)
{
	return r->bin ? TRACE_FORMAT_BINARY : TRACE_FORMAT_TEXT;
}

enum trace_codec trace_reader_codec(const struct trace_reader *r)
{
	return r->io ? trace_io_codec(r->io) : TRACE_CODEC_NONE;
}

int trace_reader_resume(struct trace_reader *r)
{
	if (r->bin)
		return trace_bin_resume(r->bin);
	if (r->state != -EINVAL)
		return -EINVAL;
	if (r->skip_long) {
		/* The overlong line is still buffered: drop it up to its newline. */
		for (;;) {
			char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
			size_t got;

			if (nl) {
				r->start = (size_t)(nl - r->buf) + 1;
				break;
			}
			r->start = r->end = 0;
			if (r->file_eof)
				break;
			got = fread(r->buf, 1, TEXT_BUF_SIZE, r->f);
			r->end = got;
			if (!got) {
				if (ferror(r->f))
					return -EINVAL;
				r->file_eof = true;
			}
		}
		r->line++;
		r->skip_long = false;
	}
	r->state = 0;
	return 0;
}
