/*
 * trace_text_internal.h - what the text trace's reader (trace_text.c) and
 * writer (trace_text_write.c) share: the number scanner and printer and the
 * checks both sides apply to keys, labels and page sizes.
 */
#ifndef ZSFRAG_TRACE_TEXT_INTERNAL_H
#define ZSFRAG_TRACE_TEXT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace_text.h"

#define TEXT_WRITE_SIZE_MAX 65536	 /* bytes: the largest page size accepted */

static inline bool text_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Decimal digits only. 0, -1 when not a number, -2 when above UINT64_MAX. */
static inline int text_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!len)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned d = (unsigned)(unsigned char)s[i] - '0';

		if (d > 9)
			return -1;
		if (v > (UINT64_MAX - d) / 10) {
			/* Keep scanning: "99999999999999999999x" is not a number. */
			for (i++; i < len; i++)
				if ((unsigned)(unsigned char)s[i] - '0' > 9)
					return -1;
			return -2;
		}
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static inline bool text_page_size_ok(uint64_t v)
{
	return v == 4096 || v == 16384 || v == 65536;
}

static inline bool text_label_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == ':' || c == '/' || c == '+' || c == '-';
}

static inline bool text_key_ok(const char *k, size_t len)
{
	size_t i;

	if (!len || len > TRACE_TEXT_KEY_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return false;
	return true;
}

/* Digits of v at p; returns the end. */
static inline char *text_put_u64(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

#endif /* ZSFRAG_TRACE_TEXT_INTERNAL_H */
