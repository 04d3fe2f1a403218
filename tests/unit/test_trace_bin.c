/*
 * test_trace_bin.c - the binary trace format, compressed traces, format
 * sniffing, the writer, and resuming after errors (validate).
 *
 * Without arguments: unit tests (a hand-encoded file byte by byte, every
 * bad-input class, zstd / gzip faults, round trips of a trace using every
 * op). With a directory argument (tests/traces, from ctest): every
 * valid/<case>.trace goes text -> binary -> text, text -> .zst -> text and
 * binary -> .gz -> binary, and must come back identical.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test_files.h"
#include "test_util.h"
#include "trace.h"

/* ---- helpers ---- */

/* Everything written to a stream, as a malloc'd buffer: open_memstream. */
struct membuf {
	char *data;
	size_t len;
	FILE *f;
};

static void mem_open(struct membuf *m)
{
	m->data = NULL;
	m->len = 0;
	m->f = open_memstream(&m->data, &m->len);
}

/*
 * Read every event of buf (any format) and write it back with fmt / codec
 * into out. Returns events read, or the negative error with err.
 */
static long transcode(const void *buf, size_t len, enum trace_format fmt, enum trace_codec codec,
		      struct membuf *out, char *err, size_t errlen)
{
	FILE *f = tu_buf_file(buf, len);
	struct trace_reader *r;
	struct trace_writer *w;
	struct trace_meta meta[TRACE_TEXT_META_MAX];
	struct sim_event ev;
	size_t n;
	long count = 0;
	int rc;

	mem_open(out);
	if (!f || !out->f)
		return -EIO;
	rc = trace_reader_open_file(f, "t.in", &r, err, errlen);
	if (rc) {
		fclose(f);
		fclose(out->f);
		return rc;
	}
	n = trace_reader_meta_count(r);
	for (size_t i = 0; i < n; i++)
		trace_reader_meta_at(r, i, &meta[i].key, &meta[i].value);
	rc = trace_writer_open_file(out->f, "t.out", fmt, codec, 0, meta, n, &w, err, errlen);
	if (!rc) {
		while ((rc = trace_reader_next(r, &ev, err, errlen)) == 1) {
			count++;
			if (trace_writer_event(w, &ev)) {
				rc = -EIO;
				break;
			}
		}
		if (trace_writer_close(w, NULL, 0) && !rc)
			rc = -EIO;
	}
	trace_reader_close(r);
	fclose(f);
	fclose(out->f);
	return rc < 0 ? rc : count;
}

/* Read buf to the end (or first error): events read, or the error with err. */
static long read_all(const void *buf, size_t len, char *err, size_t errlen)
{
	FILE *f = tu_buf_file(buf, len);
	struct trace_reader *r;
	struct sim_event ev;
	long n = 0;
	int rc;

	if (!f)
		return -EIO;
	err[0] = '\0';
	rc = trace_reader_open_file(f, "t.ztb", &r, err, errlen);
	if (!rc) {
		while ((rc = trace_reader_next(r, &ev, err, errlen)) == 1)
			n++;
		trace_reader_close(r);
	}
	fclose(f);
	return rc < 0 ? rc : n;
}

/* Expect buf to fail with a message that starts with want. */
#define CHECK_BAD(buf, len, want)                                                                  \
	do {                                                                                       \
		char e_[512];                                                                      \
		long rc_ = read_all(buf, len, e_, sizeof(e_));                                     \
		CHECK_EQ(rc_ < 0, 1);                                                              \
		if (strncmp(e_, want, strlen(want)))                                               \
			TU_FAIL_("message \"%s\", expected it to start \"%s\"", e_, want);         \
		tu_checks++;                                                                       \
	} while (0)

/* The hand-encoded file of test_encoding (without its end record). */
static const unsigned char enc_body[] = {
    0x89, 'Z',	'S',  'F',  0x0d, 0x0a, 0x1a, 0x0a, /* magic */
    0x01, 0x00, 0x00, 0x00,			    /* version 1, flags 0 */
    0x01,					    /* 1 metadata entry */
    0x09, 'p',	'a',  'g',  'e',  '_',	's',  'i',  'z', 'e',
    0x04, '4',	'0',  '9',  '6',  0x01, 0x0a, 0x64, /* a 5 100: id zigzag(+5) = 10, size 100 */
    0x12, 0x0a, 0x00,				    /* @10 f 5: time +10, id +0 */
    0x07, 0x06, 0x22,	    /* g 3 2 r: block id zigzag(+3) = 6, order 2 | r(2) << 4 */
    0x01, 0x05, 0xac, 0x02, /* a 2 300: id 2 - 5 = -3, zigzag 5; 300 = 0xac 0x02 */
};

static size_t with_end(unsigned char *out, const unsigned char *body, size_t len, uint8_t count)
{
	memcpy(out, body, len);
	out[len] = 0x00;
	out[len + 1] = count;
	return len + 2;
}

/* ---- tests ---- */

static void test_encoding(void)
{
	static const char text[] = "zsfrag-trace 1\n! page_size 4096\na 5 100\n@10 f 5\n"
				   "g 3 2 r\na 2 300\ne 4\n";
	unsigned char want[sizeof(enc_body) + 2];
	size_t wlen = with_end(want, enc_body, sizeof(enc_body), 4);
	struct membuf out, back;
	char err[512];

	CHECK_EQ(transcode(text, strlen(text), TRACE_FORMAT_BINARY, TRACE_CODEC_NONE, &out, err,
			   sizeof(err)),
		 4);
	CHECK_EQ(out.len, wlen);
	CHECK(out.len == wlen && !memcmp(out.data, want, wlen));
	/* and back to the same text */
	CHECK_EQ(transcode(out.data, out.len, TRACE_FORMAT_TEXT, TRACE_CODEC_NONE, &back, err,
			   sizeof(err)),
		 4);
	CHECK_EQ(back.len, strlen(text));
	CHECK(back.len == strlen(text) && !memcmp(back.data, text, back.len));
	free(out.data);
	free(back.data);
}

static void test_fields(void)
{
	unsigned char file[sizeof(enc_body) + 2];
	size_t len = with_end(file, enc_body, sizeof(enc_body), 4);
	FILE *f = tu_buf_file(file, len);
	struct trace_reader *r;
	struct sim_event ev;
	char err[256];

	REQUIRE(f);
	REQUIRE(trace_reader_open_file(f, "t.ztb", &r, err, sizeof(err)) == 0);
	CHECK_EQ(trace_reader_format(r), TRACE_FORMAT_BINARY);
	CHECK_EQ(trace_reader_codec(r), TRACE_CODEC_NONE);
	CHECK_EQ(trace_reader_page_size(r), 4096);
	CHECK_STR_EQ(trace_reader_meta(r, "page_size"), "4096");
	CHECK_EQ(trace_reader_next(r, &ev, err, sizeof(err)), 1);
	CHECK_EQ(ev.op, SIM_OP_ALLOC);
	CHECK_U64_EQ(ev.id, 5);
	CHECK_EQ(ev.size, 100);
	CHECK_EQ(ev.has_time, 0);
	CHECK_U64_EQ(ev.line, 1);
	CHECK_EQ(trace_reader_next(r, &ev, err, sizeof(err)), 1);
	CHECK_EQ(ev.op, SIM_OP_FREE);
	CHECK_EQ(ev.has_time, 1);
	CHECK_U64_EQ(ev.time_ns, 10);
	CHECK_EQ(trace_reader_next(r, &ev, err, sizeof(err)), 1);
	CHECK_EQ(ev.op, SIM_OP_GET);
	CHECK_U64_EQ(ev.id, 3);
	CHECK_EQ(ev.order, 2);
	CHECK_EQ(ev.mtype, 'r');
	CHECK_EQ(ev.has_time, 0);
	CHECK_U64_EQ(ev.time_ns, 10); /* untimed events carry the latest time */
	CHECK_EQ(trace_reader_next(r, &ev, err, sizeof(err)), 1);
	CHECK_U64_EQ(ev.id, 2);
	CHECK_EQ(ev.size, 300);
	CHECK_EQ(trace_reader_next(r, &ev, err, sizeof(err)), 0);
	CHECK_EQ(trace_reader_next(r, &ev, err, sizeof(err)), 0);
	CHECK_EQ(trace_live_set_count(&trace_reader_live(r)->objects), 1);
	CHECK_EQ(trace_live_set_count(&trace_reader_live(r)->blocks), 1);
	trace_reader_close(r);
	fclose(f);
}

/* F N LABEL: tag 14, varint N, then the label as s spells it. */
static void test_fork_probe(void)
{
	static const char text[] = "zsfrag-trace 1\nF 300 probe1\n@5 F 1 x\ne 2\n";
	static const unsigned char want[] = {0x89, 'Z',	 'S',  'F', 0x0d, 0x0a, 0x1a, 0x0a,
					     0x01, 0x00, 0x00, 0x00, 0x00, /* no metadata */
					     0x0e, 0xac, 0x02, 0x06, 'p',  'r', 'o',  'b',
					     'e',  '1',	 /* F 300 probe1 */
					     0x1e, 0x05, 0x01, 0x01, 'x', /* @5 F 1 x */
					     0x00, 0x02};
	struct membuf out, back;
	char err[512];
	FILE *f;
	struct trace_reader *r;
	struct sim_event ev;

	CHECK_EQ(transcode(text, strlen(text), TRACE_FORMAT_BINARY, TRACE_CODEC_NONE, &out, err,
			   sizeof(err)),
		 2);
	CHECK_EQ(out.len, sizeof(want));
	CHECK(out.len == sizeof(want) && !memcmp(out.data, want, sizeof(want)));
	f = tu_buf_file(out.data, out.len);
	REQUIRE(f);
	REQUIRE(trace_reader_open_file(f, "t.ztb", &r, err, sizeof(err)) == 0);
	CHECK_EQ(trace_reader_next(r, &ev, err, sizeof(err)), 1);
	CHECK_EQ(ev.op, SIM_OP_FORK_PROBE);
	CHECK_U64_EQ(ev.id, 300);
	CHECK_STR_EQ(ev.label, "probe1");
	CHECK_EQ(trace_reader_next(r, &ev, err, sizeof(err)), 1);
	CHECK_U64_EQ(ev.id, 1);
	CHECK_U64_EQ(ev.time_ns, 5);
	CHECK_STR_EQ(ev.label, "x");
	trace_reader_close(r);
	fclose(f);
	CHECK_EQ(transcode(out.data, out.len, TRACE_FORMAT_TEXT, TRACE_CODEC_NONE, &back, err,
			   sizeof(err)),
		 2);
	CHECK(back.len == strlen(text) && !memcmp(back.data, text, back.len));
	free(out.data);
	free(back.data);
}

static void test_truncated(void)
{
	unsigned char file[sizeof(enc_body) + 2];
	size_t len = with_end(file, enc_body, sizeof(enc_body), 4);

	/* Every proper prefix (but the empty file, which is text) is an error naming an offset. */
	for (size_t cut = 1; cut < len; cut++) {
		char err[512];

		CHECK_EQ(read_all(file, cut, err, sizeof(err)), -EINVAL);
		if (strncmp(err, "t.ztb: offset ", 14) || !strstr(err, "truncated"))
			TU_FAIL_("cut at %zu: \"%s\"", cut, err);
	}
	CHECK_BAD(file, len - 2, "t.ztb: offset 41: truncated file, no end record");
	CHECK_BAD(file, 5, "t.ztb: offset 5: truncated file, magic number cut short");
}

static void test_header_faults(void)
{
	unsigned char file[sizeof(enc_body) + 2];
	size_t len = with_end(file, enc_body, sizeof(enc_body), 4);
	unsigned char bad[sizeof(file)];

	memcpy(bad, file, len);
	bad[3] = 'G';
	CHECK_BAD(bad, len, "t.ztb: offset 0: wrong magic number");
	memcpy(bad, file, len);
	bad[8] = 2;
	CHECK_BAD(bad, len, "t.ztb: offset 8: unsupported binary trace version 2");
	memcpy(bad, file, len);
	bad[11] = 1;
	CHECK_BAD(bad, len, "t.ztb: offset 10: unsupported header flags 0x0100");
	memcpy(bad, file, len);
	bad[27] = '8'; /* page_size 4098 */
	CHECK_BAD(bad, len, "t.ztb: offset 24: unsupported page_size");
	memcpy(bad, file, len);
	bad[14] = 'P'; /* key Page_size */
	CHECK_BAD(bad, len, "t.ztb: offset 14: malformed metadata, KEY");
	memcpy(bad, file, len);
	bad[12] = 0x02; /* two entries: the second one's key is the first record's bytes */
	CHECK_BAD(bad, len, "t.ztb: offset 29: malformed metadata, KEY");
}

/* Replace the first record (a 5 100, 3 bytes at offset 28) with rec, keep the rest. */
static size_t patch_first(unsigned char *out, const unsigned char *rec, size_t rlen, uint8_t count)
{
	size_t n = 28;

	memcpy(out, enc_body, n);
	memcpy(out + n, rec, rlen);
	n += rlen;
	out[n++] = 0x00;
	out[n++] = count;
	return n;
}

static void test_record_faults(void)
{
	unsigned char f[128];
	size_t n;

	{ /* varint of 11 bytes */
		static const unsigned char rec[] = {0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
						    0x80, 0x80, 0x80, 0x80, 0x01, 0x64};
		n = patch_first(f, rec, sizeof(rec), 1);
		CHECK_BAD(f, n, "t.ztb: offset 29: corrupt varint in ID, longer than 64 bits");
	}
	{ /* 10th byte above 1: above 2^64 - 1 */
		static const unsigned char rec[] = {0x01, 0xff, 0xff, 0xff, 0xff, 0xff,
						    0xff, 0xff, 0xff, 0xff, 0x02, 0x64};
		n = patch_first(f, rec, sizeof(rec), 1);
		CHECK_BAD(f, n, "t.ztb: offset 29: corrupt varint in ID");
	}
	{ /* overlong: 5 spelled 0x85 0x00 */
		static const unsigned char rec[] = {0x01, 0x8a, 0x00, 0x64};
		n = patch_first(f, rec, sizeof(rec), 1);
		CHECK_BAD(f, n, "t.ztb: offset 29: corrupt varint in ID, overlong encoding");
	}
	{ /* op code 0 with a time (1..15 are all ops, a bare 0 the end record) */
		static const unsigned char rec[] = {0x10};
		n = patch_first(f, rec, sizeof(rec), 1);
		CHECK_BAD(f, n, "t.ztb: offset 28: unknown op code 0");
	}
	{ /* F with N 0 */
		static const unsigned char rec[] = {0x0e, 0x00, 0x01, 'p'};
		n = patch_first(f, rec, sizeof(rec), 1);
		CHECK_BAD(f, n, "t.ztb: offset 28: fork count out of range 1..100000 (0)");
	}
	{ /* F with N 100001 (0xa1 0x8d 0x06) */
		static const unsigned char rec[] = {0x0e, 0xa1, 0x8d, 0x06, 0x01, 'p'};
		n = patch_first(f, rec, sizeof(rec), 1);
		CHECK_BAD(f, n, "t.ztb: offset 28: fork count out of range 1..100000 (100001)");
	}
	{ /* F with a label cut short */
		static const unsigned char rec[] = {0x0e, 0x03, 0x05, 'p'};
		n = patch_first(f, rec, sizeof(rec), 1);
		CHECK_BAD(f, n, "t.ztb: offset 31: truncated file, LABEL cut short");
	}
	{ /* reserved tag bit */
		static const unsigned char rec[] = {0x41, 0x0a, 0x64};
		n = patch_first(f, rec, sizeof(rec), 1);
		CHECK_BAD(f, n, "t.ztb: offset 28: unknown op, tag byte 0x41");
	}
	{ /* bit 5 (a new zspage) on an op other than a and w */
		static const unsigned char rec[] = {0x22, 0x0a};
		n = patch_first(f, rec, sizeof(rec), 1);
		CHECK_BAD(f, n, "t.ztb: offset 28: unknown op, tag byte 0x22");
	}
	{ /* size 0, and 4097 */
		static const unsigned char rec[] = {0x03, 0x02, 0x00};
		static const unsigned char rec2[] = {0x03, 0x02, 0x81, 0x20};
		n = patch_first(f, rec, sizeof(rec), 1);
		CHECK_BAD(f, n, "t.ztb: offset 28: size out of range 1..4096 (0)");
		n = patch_first(f, rec2, sizeof(rec2), 1);
		CHECK_BAD(f, n, "t.ztb: offset 28: size out of range 1..4096 (4097)");
	}
	{ /* order 11; migrate type 3 */
		static const unsigned char rec[] = {0x07, 0x02, 0x0b};
		static const unsigned char rec2[] = {0x07, 0x02, 0x31};
		n = patch_first(f, rec, sizeof(rec), 1);
		CHECK_BAD(f, n, "t.ztb: offset 28: order out of range 0..10 (11)");
		n = patch_first(f, rec2, sizeof(rec2), 1);
		CHECK_BAD(f, n, "t.ztb: offset 28: bad migrate type");
	}
	{ /* ID 2^63 = zigzag(2^64 - 1) from 0; and -1 from 0 (zigzag 1) wraps to 2^64 - 1 */
		static const unsigned char rec[] = {0x02, 0xff, 0xff, 0xff, 0xff, 0xff,
						    0xff, 0xff, 0xff, 0xff, 0x01};
		static const unsigned char rec2[] = {0x05, 0x01};
		n = patch_first(f, rec, sizeof(rec), 1);
		CHECK_BAD(f, n, "t.ztb: offset 28: ID out of range, must be below 2^63");
		n = patch_first(f, rec2, sizeof(rec2), 1);
		CHECK_BAD(f, n, "t.ztb: offset 28: SLOT out of range");
	}
	{ /* time: 2^64 - 1 then +1 */
		static const unsigned char rec[] = {0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
						    0xff, 0xff, 0xff, 0x01, 0x1b, 0x01};
		n = patch_first(f, rec, sizeof(rec), 2);
		CHECK_BAD(f, n, "t.ztb: offset 39: time overflows 64 bits");
	}
	{ /* ID reuse: a 1 100 twice; free of an unknown ID */
		static const unsigned char rec[] = {0x01, 0x02, 0x64, 0x01, 0x00, 0x64};
		static const unsigned char rec2[] = {0x02, 0x0e};
		n = patch_first(f, rec, sizeof(rec), 2);
		CHECK_BAD(f, n, "t.ztb: offset 31: reuse of a live object ID (1)");
		n = patch_first(f, rec2, sizeof(rec2), 1);
		CHECK_BAD(f, n, "t.ztb: offset 28: free of an unknown object ID (7)");
	}
	{ /* label: 0 bytes, a bad byte, a NUL inside */
		static const unsigned char rec[] = {0x0c, 0x00};
		static const unsigned char rec2[] = {0x0c, 0x02, 'a', ' '};
		static const unsigned char rec3[] = {0x0c, 0x02, 'a', 0x00};
		n = patch_first(f, rec, sizeof(rec), 1);
		CHECK_BAD(f, n, "t.ztb: offset 28: bad label, length 0");
		n = patch_first(f, rec2, sizeof(rec2), 1);
		CHECK_BAD(f, n, "t.ztb: offset 28: bad label");
		n = patch_first(f, rec3, sizeof(rec3), 1);
		CHECK_BAD(f, n, "t.ztb: offset 28: bad label");
	}
	{ /* the end record's count, and bytes after it */
		static const unsigned char rec[] = {0x0b};
		n = patch_first(f, rec, sizeof(rec), 5);
		CHECK_BAD(f, n, "t.ztb: offset 29: end record counts 5 events, the file holds 1");
		n = patch_first(f, rec, sizeof(rec), 1);
		f[n++] = 0x0b;
		CHECK_BAD(f, n, "t.ztb: offset 31: data after the end record");
	}
}

/* A text trace with every op and times, as a string. */
static const char all_ops[] = "zsfrag-trace 1\n! page_size 16384\n! source test: all ops\n"
			      "@0 k 1001\n@120 w 0 5120\nw 1 16384\n@150 z 2\n@200 g 1 3 m\n"
			      "a 9223372036854775807 1\n@200 r 0\n@900 d 0\nf 9223372036854775807\n"
			      "c\n@950 y 3\ny 9223372036854775807\ny 0\ns end:1/x+y-z.w_v\nv\np 1\n"
			      "@18446744073709551615 x 1001\ne 17\n";

/* The new-zspage mark of a and w (" n", tag bit 5): text -> binary -> text unchanged. */
static void test_new_zspage_mark(void)
{
	static const char t[] = "zsfrag-trace 1\n! page_size 4096\n"
				"@5 a 1 100 n\na 2 100\n@7 w 3 300 n\nw 4 300\nf 1\ne 5\n";
	static const char bad[] = "zsfrag-trace 1\n! page_size 4096\nf 1 n\n";
	struct membuf bin, text;
	char err[512];

	REQUIRE(transcode(t, strlen(t), TRACE_FORMAT_BINARY, TRACE_CODEC_NONE, &bin, err,
			  sizeof(err)) == 5);
	/* tag bytes: 0x31 (a, a time, bit 5), then the plain a, 0x33 (w, a time, bit 5) */
	CHECK(memchr(bin.data, 0x31, bin.len) && memchr(bin.data, 0x33, bin.len));
	REQUIRE(transcode(bin.data, bin.len, TRACE_FORMAT_TEXT, TRACE_CODEC_NONE, &text, err,
			  sizeof(err)) == 5);
	CHECK(text.len == strlen(t) && !memcmp(text.data, t, text.len));
	CHECK_EQ(read_all(bad, strlen(bad), err, sizeof(err)) < 0, 1);
	CHECK(strstr(err, "extra field") != NULL);
	free(bin.data);
	free(text.data);
}

/*
 * The swapped-out mark of p (" s SLOT", tag bit 5 and a SLOT delta in the slots' namespace):
 * text -> binary -> text unchanged, and the bytes by hand.
 */
static void test_swapped_out_mark(void)
{
	static const char t[] = "zsfrag-trace 1\n"
				"g 1 0 m\ng 2 0 m\nw 7 300\np 1 s 7\nw 5 300\np 2 s 5\ne 6\n";
	static const uint8_t recs[] = {
	    0x07, 0x02, 0x10, /* g: block 0 + 1, order 0 | m << 4 */
	    0x07, 0x02, 0x10, /* g: block 1 + 1 */
	    0x03, 0x0e, 0xac, 0x02, /* w: slot 0 + 7, SIZE 300 */
	    0x28, 0x01, 0x00,	    /* p, bit 5: block 2 - 1 = 1, slot 7 + 0 */
	    0x03, 0x03, 0xac, 0x02, /* w: slot 7 - 2 = 5 */
	    0x28, 0x02, 0x00,	    /* p, bit 5: block 1 + 1 = 2, slot 5 + 0 */
	};
	static const char bad_s[] = "zsfrag-trace 1\ng 1 0 m\np 1 s\n";
	static const char bad_w[] = "zsfrag-trace 1\nw 1 300 s 4\n";
	static const char bad_slot[] = "zsfrag-trace 1\ng 1 0 m\np 1 s 9223372036854775808\n";
	struct membuf bin, text;
	char err[512];

	REQUIRE(transcode(t, strlen(t), TRACE_FORMAT_BINARY, TRACE_CODEC_NONE, &bin, err,
			  sizeof(err)) == 6);
	CHECK(bin.len > sizeof(recs) + 2 && !memcmp(bin.data + bin.len - 2 - sizeof(recs), recs,
						       sizeof(recs)));
	REQUIRE(transcode(bin.data, bin.len, TRACE_FORMAT_TEXT, TRACE_CODEC_NONE, &text, err,
			  sizeof(err)) == 6);
	CHECK(text.len == strlen(t) && !memcmp(text.data, t, text.len));
	CHECK(read_all(bad_s, strlen(bad_s), err, sizeof(err)) < 0);
	CHECK(strstr(err, "missing field SLOT after s") != NULL);
	CHECK(read_all(bad_w, strlen(bad_w), err, sizeof(err)) < 0);
	CHECK(strstr(err, "extra field") != NULL);
	CHECK(read_all(bad_slot, strlen(bad_slot), err, sizeof(err)) < 0);
	CHECK(strstr(err, "SLOT out of range") != NULL);
	free(bin.data);
	free(text.data);
}

static void test_round_trips(void)
{
	struct membuf bin, text, z, zback, g, gback;
	char err[512];

	CHECK_EQ(transcode(all_ops, strlen(all_ops), TRACE_FORMAT_BINARY, TRACE_CODEC_NONE, &bin,
			   err, sizeof(err)),
		 17);
	CHECK_EQ(transcode(bin.data, bin.len, TRACE_FORMAT_TEXT, TRACE_CODEC_NONE, &text, err,
			   sizeof(err)),
		 17);
	CHECK(text.len == strlen(all_ops) && !memcmp(text.data, all_ops, text.len));
	/* zstd text, and its decompression */
	CHECK_EQ(transcode(all_ops, strlen(all_ops), TRACE_FORMAT_TEXT, TRACE_CODEC_ZSTD, &z, err,
			   sizeof(err)),
		 17);
	CHECK_EQ((unsigned char)z.data[0], 0x28);
	CHECK_EQ(
	    transcode(z.data, z.len, TRACE_FORMAT_TEXT, TRACE_CODEC_NONE, &zback, err, sizeof(err)),
	    17);
	CHECK(zback.len == strlen(all_ops) && !memcmp(zback.data, all_ops, zback.len));
	/* gzip binary, back to the same binary */
	CHECK_EQ(transcode(bin.data, bin.len, TRACE_FORMAT_BINARY, TRACE_CODEC_GZIP, &g, err,
			   sizeof(err)),
		 17);
	CHECK_EQ((unsigned char)g.data[0], 0x1f);
	CHECK_EQ(transcode(g.data, g.len, TRACE_FORMAT_BINARY, TRACE_CODEC_NONE, &gback, err,
			   sizeof(err)),
		 17);
	CHECK(gback.len == bin.len && !memcmp(gback.data, bin.data, bin.len));
	free(bin.data);
	free(text.data);
	free(z.data);
	free(zback.data);
	free(g.data);
	free(gback.data);
}

static void test_compressed_faults(void)
{
	struct membuf z, g;
	char err[512];

	REQUIRE(transcode(all_ops, strlen(all_ops), TRACE_FORMAT_TEXT, TRACE_CODEC_ZSTD, &z, err,
			  sizeof(err)) == 17);
	REQUIRE(transcode(all_ops, strlen(all_ops), TRACE_FORMAT_BINARY, TRACE_CODEC_GZIP, &g, err,
			  sizeof(err)) == 17);
	/* truncated streams */
	CHECK_BAD(z.data, z.len - 3, "t.ztb:");
	CHECK_EQ(read_all(z.data, z.len - 3, err, sizeof(err)), -EIO);
	CHECK(strstr(err, "truncated zstd data") != NULL);
	CHECK_EQ(read_all(g.data, g.len - 1, err, sizeof(err)), -EIO);
	CHECK(strstr(err, "truncated gzip data") != NULL);
	/* the small file dies before its first byte: no format, no offset */
	CHECK_STR_EQ(err, "t.ztb: truncated gzip data");
	/* a flipped byte in the deflate data or in the zstd frame */
	g.data[g.len / 2] ^= 0x55;
	CHECK(read_all(g.data, g.len, err, sizeof(err)) < 0);
	CHECK(strstr(err, "gzip") != NULL || strstr(err, "offset") != NULL);
	z.data[z.len / 2] =
	    (char)~z.data[z.len / 2]; /* no checksum in our frames: any outcome but a crash */
	(void)read_all(z.data, z.len, err, sizeof(err));
	/* a gzip header alone */
	CHECK_EQ(read_all("\x1f\x8b", 2, err, sizeof(err)), -EIO);
	CHECK(strstr(err, "truncated gzip data") != NULL);
	/* two zstd frames, each half a trace, read as one */
	free(z.data);
	{
		struct membuf a;
		size_t half = strlen(all_ops) / 2;

		mem_open(&a);
		{
			struct trace_io *io;

			REQUIRE(trace_io_open_write(a.f, false, TRACE_CODEC_ZSTD, 1, &io) == 0);
			fwrite(all_ops, 1, half, trace_io_file(io));
			CHECK_EQ(trace_io_close(io), 0);
			REQUIRE(trace_io_open_write(a.f, false, TRACE_CODEC_ZSTD, 1, &io) == 0);
			fwrite(all_ops + half, 1, strlen(all_ops) - half, trace_io_file(io));
			CHECK_EQ(trace_io_close(io), 0);
		}
		fclose(a.f);
		CHECK_EQ(read_all(a.data, a.len, err, sizeof(err)), 17);
		free(a.data);
	}
	free(g.data);
}

static void test_sniffing(void)
{
	char err[512];

	/* An empty file is a text trace without its header. */
	CHECK_EQ(read_all("", 0, err, sizeof(err)), -EINVAL);
	CHECK_STR_EQ(err, "t.ztb:1: missing header line, expected \"zsfrag-trace 1\" (empty file)");
	/* A byte that starts no format is a text trace with a bad header. */
	CHECK_BAD("\x89", 1, "t.ztb: offset 1: truncated file, magic number cut short");
	CHECK_BAD("PK\x03\x04", 4, "t.ztb:1: missing header line");
	/* time going backwards is a text-only fault: binary times are deltas */
	CHECK_BAD("zsfrag-trace 1\n@5 c\n@4 c\n", 25, "t.ztb:3: time goes backwards");
}

static void test_writer_refusals(void)
{
	struct membuf m;
	struct trace_bin_writer *w;
	struct trace_meta bad_ps = {"page_size", "8192"}, dup[2] = {{"a", "1"}, {"a", "2"}};
	struct trace_meta edge = {"source", " x"};
	struct sim_event ev = {.op = SIM_OP_COMPACT, .has_time = true, .time_ns = 10};

	mem_open(&m);
	REQUIRE(m.f);
	CHECK_EQ(trace_bin_writer_open(m.f, &bad_ps, 1, &w), -EINVAL);
	CHECK_EQ(trace_bin_writer_open(m.f, dup, 2, &w), -EINVAL);
	CHECK_EQ(trace_bin_writer_open(m.f, &edge, 1, &w), -EINVAL);
	REQUIRE(trace_bin_writer_open(m.f, NULL, 0, &w) == 0);
	CHECK_EQ(trace_bin_writer_event(w, &ev), 0);
	ev.time_ns = 9;
	CHECK_EQ(trace_bin_writer_event(w, &ev), -EINVAL); /* backwards */
	ev = (struct sim_event){.op = SIM_OP_ALLOC, .id = 1, .size = 0};
	CHECK_EQ(trace_bin_writer_event(w, &ev), -EINVAL);
	ev.size = 65537;
	CHECK_EQ(trace_bin_writer_event(w, &ev), -EINVAL);
	ev = (struct sim_event){.op = SIM_OP_GET, .id = 1, .order = 2, .mtype = 'x'};
	CHECK_EQ(trace_bin_writer_event(w, &ev), -EINVAL);
	ev = (struct sim_event){.op = SIM_OP_FREE, .id = 1ULL << 63};
	CHECK_EQ(trace_bin_writer_event(w, &ev), -EINVAL);
	ev = (struct sim_event){.op = (enum sim_op)'q'};
	CHECK_EQ(trace_bin_writer_event(w, &ev), -EINVAL);
	ev = (struct sim_event){.op = SIM_OP_FORK_PROBE, .id = 0, .label = "p"};
	CHECK_EQ(trace_bin_writer_event(w, &ev), -EINVAL);
	ev.id = SIM_FORK_PROBE_MAX + 1;
	CHECK_EQ(trace_bin_writer_event(w, &ev), -EINVAL);
	ev = (struct sim_event){.op = SIM_OP_FORK_PROBE, .id = 3, .label = "bad label"};
	CHECK_EQ(trace_bin_writer_event(w, &ev), -EINVAL);
	CHECK_EQ(trace_bin_writer_close(w), 0);
	fclose(m.f);
	/* header, no metadata, one c record, end record counting 1 */
	CHECK_EQ(m.len, 13 + 2 + 2);
	free(m.data);
	CHECK_EQ(trace_format_from_path("x.ztb"), TRACE_FORMAT_BINARY);
	CHECK_EQ(trace_format_from_path("x.ztb.zst"), TRACE_FORMAT_BINARY);
	CHECK_EQ(trace_format_from_path("x.ztb.gz"), TRACE_FORMAT_BINARY);
	CHECK_EQ(trace_format_from_path("x.trace.gz"), TRACE_FORMAT_TEXT);
	CHECK_EQ(trace_codec_from_path("x.trace.gz"), TRACE_CODEC_GZIP);
	CHECK_EQ(trace_codec_from_path("x.zst"), TRACE_CODEC_ZSTD);
	CHECK_EQ(trace_codec_from_path("x.ztb"), TRACE_CODEC_NONE);
}

/* Count the problems validate would report: next, and resume after each -EINVAL. */
static long count_problems(const void *buf, size_t len, char msgs[][256], long max)
{
	FILE *f = tu_buf_file(buf, len);
	struct trace_reader *r;
	struct sim_event ev;
	char err[256];
	long problems = 0;
	int rc;

	if (!f || trace_reader_open_file(f, "v", &r, err, sizeof(err)))
		return -1;
	for (;;) {
		rc = trace_reader_next(r, &ev, err, sizeof(err));
		if (rc >= 0 && rc != 1)
			break;
		if (rc == 1)
			continue;
		if (problems < max)
			snprintf(msgs[problems], 256, "%s", err);
		problems++;
		if (trace_reader_resume(r))
			break;
	}
	trace_reader_close(r);
	fclose(f);
	return problems;
}

static void test_resume(void)
{
	static const char text[] =
	    "zsfrag-trace 1\na 1 100\nf 2\nq\na 1 50\nf 1\n@5 c\n@4 c\nf 1\n";
	char msgs[8][256];
	unsigned char rec[] = {0x01, 0x02, 0x64, 0x02, 0x0e, 0x01, 0x0d, 0x64, 0x0b};
	unsigned char f[64];
	size_t n;

	CHECK_EQ(count_problems(text, strlen(text), msgs, 8), 5);
	CHECK_STR_EQ(msgs[0], "v:3: free of an unknown object ID (2)");
	CHECK_STR_EQ(msgs[1], "v:4: unknown op (q)");
	CHECK_STR_EQ(msgs[2], "v:5: reuse of a live object ID (1)");
	CHECK_STR_EQ(msgs[3], "v:8: time goes backwards, previous @5 (@4)");
	CHECK_STR_EQ(msgs[4], "v:9: free of an unknown object ID (1)");
	/* an overlong line is skipped whole */
	{
		size_t big = 300000; /* more than the reader's buffer: the line is never whole */
		char *t = malloc(big + 64);

		REQUIRE(t);
		strcpy(t, "zsfrag-trace 1\nc\n");
		memset(t + 17, 'a', big);
		strcpy(t + 17 + big, "\nq\nc\n");
		CHECK_EQ(count_problems(t, strlen(t), msgs, 8), 2);
		CHECK(!strncmp(msgs[0], "v:3: malformed line, longer than 65535", 38));
		CHECK(!strncmp(msgs[1], "v:4: unknown op", 15));
		free(t);
	}
	/* binary: semantic faults resume, a structural one stops (IDs are deltas: f 1+7) */
	n = patch_first(f, rec, sizeof(rec), 4);
	CHECK_EQ(count_problems(f, n, msgs, 8), 2);
	CHECK_STR_EQ(msgs[0], "v: offset 31: free of an unknown object ID (8)");
	CHECK_STR_EQ(msgs[1], "v: offset 33: reuse of a live object ID (1)");
	n = patch_first(f, (const unsigned char *)"\x02\x0e\x10", 3, 2);
	CHECK_EQ(count_problems(f, n, msgs, 8), 2);
	CHECK_STR_EQ(msgs[1], "v: offset 30: unknown op code 0");
}

/* ---- data-driven: every valid case survives every conversion ---- */

static const char *g_dir;

static void test_valid_cases(void)
{
	char path[1024];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/valid", g_dir);
	d = opendir(path);
	REQUIRE(d);
	while ((e = readdir(d))) {
		struct membuf canon, bin, back, z, zback, g, gback;
		char err[512];
		size_t len;
		char *text;
		long events;

		if (!strstr(e->d_name, ".trace"))
			continue;
		snprintf(path, sizeof(path), "%s/valid/%s", g_dir, e->d_name);
		text = tu_slurp(path, &len);
		REQUIRE(text);
		/* canonical text first: the case files have comments, CRLF... */
		events = transcode(text, len, TRACE_FORMAT_TEXT, TRACE_CODEC_NONE, &canon, err,
				   sizeof(err));
		if (events < 0)
			TU_FAIL_("%s: %s", path, err);
		CHECK_EQ(transcode(canon.data, canon.len, TRACE_FORMAT_BINARY, TRACE_CODEC_NONE,
				   &bin, err, sizeof(err)),
			 events);
		CHECK_EQ(transcode(bin.data, bin.len, TRACE_FORMAT_TEXT, TRACE_CODEC_NONE, &back,
				   err, sizeof(err)),
			 events);
		if (back.len != canon.len || memcmp(back.data, canon.data, canon.len))
			TU_FAIL_("%s: text -> binary -> text differs", path);
		CHECK_EQ(transcode(canon.data, canon.len, TRACE_FORMAT_TEXT, TRACE_CODEC_ZSTD, &z,
				   err, sizeof(err)),
			 events);
		CHECK_EQ(transcode(z.data, z.len, TRACE_FORMAT_TEXT, TRACE_CODEC_NONE, &zback, err,
				   sizeof(err)),
			 events);
		if (zback.len != canon.len || memcmp(zback.data, canon.data, canon.len))
			TU_FAIL_("%s: text -> zstd -> text differs", path);
		CHECK_EQ(transcode(bin.data, bin.len, TRACE_FORMAT_BINARY, TRACE_CODEC_GZIP, &g,
				   err, sizeof(err)),
			 events);
		CHECK_EQ(transcode(g.data, g.len, TRACE_FORMAT_BINARY, TRACE_CODEC_NONE, &gback,
				   err, sizeof(err)),
			 events);
		if (gback.len != bin.len || memcmp(gback.data, bin.data, bin.len))
			TU_FAIL_("%s: binary -> gzip -> binary differs", path);
		free(canon.data);
		free(bin.data);
		free(back.data);
		free(z.data);
		free(zback.data);
		free(g.data);
		free(gback.data);
		free(text);
		n++;
	}
	closedir(d);
	CHECK_LT(0, n);
	fprintf(stderr, "     %d valid cases through binary, zstd and gzip\n", n);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		g_dir = argv[1];
		RUN(test_valid_cases);
		return test_summary();
	}
	RUN(test_encoding);
	RUN(test_fields);
	RUN(test_fork_probe);
	RUN(test_truncated);
	RUN(test_header_faults);
	RUN(test_record_faults);
	RUN(test_round_trips);
	RUN(test_new_zspage_mark);
	RUN(test_swapped_out_mark);
	RUN(test_compressed_faults);
	RUN(test_sniffing);
	RUN(test_writer_refusals);
	RUN(test_resume);
	return test_summary();
}
