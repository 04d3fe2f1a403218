/*
 * trace_text_reader.h - what the text trace reader's two files share: the
 * reader's state (trace_text.c: lines, header, metadata and the reader API;
 * trace_text_event.c: one event line), the token scanner and the error
 * recorder. The reader's design is described at the head of trace_text.c.
 */
#ifndef ZSFRAG_TRACE_TEXT_READER_H
#define ZSFRAG_TRACE_TEXT_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "trace_text.h"
#include "trace_text_internal.h"

#define TEXT_BUF_SIZE	    (256 * 1024) /* bytes; must exceed TRACE_TEXT_LINE_MAX + 1 */
#define TEXT_ERR_MAX	    512		 /* bytes of a kept error message */
#define TEXT_TOKEN_SHOWN    48		 /* bytes of an offending token quoted in a message */

_Static_assert(TEXT_BUF_SIZE > TRACE_TEXT_LINE_MAX + 1, "a full line must fit the buffer");

struct text_meta {
	char *key;   /* NUL-terminated; value follows it in the same allocation */
	char *value; /* NUL-terminated */
};

struct trace_reader {
	FILE *f;		/* the (decompressed) stream parsed */
	FILE *raw;		/* the stream given to open; f reads through it */
	bool owns_file;		/* raw opened by trace_reader_open(), closed by close */
	struct trace_io *io;	/* decompression, when sniffed; NULL for trace_reader_open_text */
	struct trace_bin_reader *bin; /* a binary trace: every call is forwarded to it */
	bool skip_long;		/* the kept error is an overlong line still in buf */
	bool file_eof;		/* fread() hit the end; buf holds the rest */
	bool pending;		/* buf[pend_off, +pend_len) is an unparsed event line */
	int state;		/* 0 reading, 1 end reached, < 0 the kept error */
	char *name;		/* display name for messages */
	char *buf;		/* TEXT_BUF_SIZE bytes */
	size_t start;		/* offset of the first unread byte */
	size_t end;		/* offset past the last buffered byte */
	size_t pend_off;	/* offset of the pending line */
	size_t pend_len;	/* bytes of the pending line */
	uint64_t line;		/* 1-based number of the line last taken from buf */
	uint64_t time_ns;	/* latest @ time, 0 before any */
	uint64_t events;	/* events returned so far, for the end line */
	bool ended;		/* the end line was read */
	size_t page_size;	/* bytes */
	struct text_meta *meta; /* meta_count entries in file order */
	size_t meta_count;
	struct trace_live live;
	char errmsg[TEXT_ERR_MAX];
};

/*
 * Next token of [*pp, end): skip blanks, then take bytes above 0x20. Sets
 * *tok and returns its length (0 at the end of the line). Returns -1 when a
 * control byte is met where a token or blank should be.
 */
static inline long text_token(const char **pp, const char *end, const char **tok)
{
	const char *p = *pp;

	while (p < end && text_is_blank(*p))
		p++;
	*tok = p;
	while (p < end && (unsigned char)*p > ' ')
		p++;
	*pp = p;
	if (p < end && !text_is_blank(*p))
		return -1;
	return p - *tok;
}

/*
 * Record the first error, "NAME:LINE: what (token)", and return rc, so a
 * parser can "return text_fail(...)"; text_fail() is the -EINVAL case.
 */
int text_fail_rc(struct trace_reader *r, int rc, uint64_t line, const char *what, const char *tok,
		 size_t len);
int text_fail(struct trace_reader *r, const char *what, const char *tok, size_t len);

/* Parse the event line [s, end) into ev: 1 an event, 0 the end line, < 0 the kept error. */
int text_parse_event(struct trace_reader *r, const char *s, const char *end, struct sim_event *ev);

#endif /* ZSFRAG_TRACE_TEXT_READER_H */
