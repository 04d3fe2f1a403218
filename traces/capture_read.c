/*
 * capture_read.c - the first pass of capture.c: read zram-capture 1 lines
 * into struct cap_rec, checking their syntax so that every error names its
 * line (FILE:LINE: what (token)). The tracefs kit's own line form is parsed
 * by capture_tracefs.c into the same records.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "capture_internal.h"

int cap_fail(struct cap *c, uint64_t line, const char *what, const char *tok, size_t len)
{
	char shown[CAP_TOKEN_SHOWN * 4 + 8];
	size_t o = 0, i;

	for (i = 0; i < len && i < CAP_TOKEN_SHOWN && o + 5 < sizeof(shown); i++) {
		unsigned char ch = (unsigned char)tok[i];

		if (ch < 0x20 || ch >= 0x7f)
			o += (size_t)snprintf(shown + o, sizeof(shown) - o, "\\x%02x", ch);
		else
			shown[o++] = (char)ch;
	}
	if (i < len)
		o += (size_t)snprintf(shown + o, sizeof(shown) - o, "...");
	shown[o] = '\0';
	if (c->err && c->errlen)
		snprintf(c->err, c->errlen, "%s:%" PRIu64 ": %s (%s)", c->name, line, what, shown);
	return -EINVAL;
}

/* Next blank-separated token of [*p, end); its length, 0 at the end. */
size_t cap_token(const char **p, const char *end, const char **tok)
{
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	*tok = s;
	while (s < end && *s != ' ' && *s != '\t')
		s++;
	*p = s;
	return (size_t)(s - *tok);
}

/* Unsigned decimal: 0, -1 not a number, -2 above 2^64 - 1. */
int cap_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (!len || len > 20)
		return len > 20 ? (strspn(s, "0123456789") >= len ? -2 : -1) : -1;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(unsigned char)s[i] - '0';

		if (d > 9)
			return -1;
		if (v > (UINT64_MAX - d) / 10)
			return -2;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* A numeric field, "missing field NAME" or "not a number" otherwise. */
static int cap_field(struct cap *c, uint64_t line, const char **p, const char *end,
		     const char *fname, bool is_signed, uint64_t *out)
{
	const char *tok;
	size_t n = cap_token(p, end, &tok);
	char what[64];
	bool neg = false;
	int rc;

	if (!n) {
		snprintf(what, sizeof(what), "missing field %s", fname);
		return cap_fail(c, line, what, "", 0);
	}
	if (is_signed && *tok == '-') {
		neg = true;
		tok++;
		n--;
	}
	rc = cap_u64(tok, n, out);
	if (rc == -1)
		return cap_fail(c, line, "not a number", tok - neg, n + neg);
	if (rc == -2 || (is_signed && *out > (uint64_t)INT64_MAX))
		return cap_fail(c, line, "number out of range", tok - neg, n + neg);
	if (neg)
		*out = (uint64_t)(-(int64_t)*out);
	return 0;
}

int cap_push(struct cap *c, const struct cap_rec *r)
{
	struct cap_rec *n;

	if (r->op == 'P')
		c->steps = true;
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 4096;
		struct cap_rec *nr = realloc(c->recs, ncap * sizeof(*nr));

		if (!nr) {
			if (c->err && c->errlen)
				snprintf(c->err, c->errlen, "%s: out of memory", c->name);
			return -ENOMEM;
		}
		c->recs = nr;
		c->cap = ncap;
	}
	n = &c->recs[c->n++];
	*n = *r;
	if (!(n->flags & CAP_REC_KEYED)) { /* ordered where it was stamped */
		n->kt = n->t;
		n->kl = n->line;
	}
	return 0;
}

/* "LABEL v1 v2 ..." of a read point; r->a gets its index, r->t must be set. */
int cap_add_reading(struct cap *c, uint64_t line, const char *p, const char *end,
		    struct cap_rec *r)
{
	struct capture_reading *rd;
	const char *tok;
	size_t n = cap_token(&p, end, &tok);

	if (!n)
		return cap_fail(c, line, "missing field LABEL", "", 0);
	if (n > CAPTURE_LABEL_MAX)
		return cap_fail(c, line, "bad label, longer than 127 bytes", tok, n);
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:/+-",
			    tok[i]) || !tok[i])
			return cap_fail(c, line, "bad label, expected [A-Za-z0-9_.:/+-]", tok, n);
	if (c->nreadings == c->readings_cap) {
		size_t ncap = c->readings_cap ? c->readings_cap * 2 : 16;
		struct capture_reading *nr = realloc(c->readings, ncap * sizeof(*nr));
		char(*nl)[CAPTURE_LABEL_MAX + 1];

		if (nr)
			c->readings = nr;
		nl = nr ? realloc(c->labels, ncap * sizeof(*nl)) : NULL;
		if (!nl) {
			if (c->err && c->errlen)
				snprintf(c->err, c->errlen, "%s: out of memory", c->name);
			return -ENOMEM;
		}
		c->labels = nl;
		c->readings_cap = ncap;
	}
	rd = &c->readings[c->nreadings];
	memset(rd, 0, sizeof(*rd));
	memcpy(c->labels[c->nreadings], tok, n);
	c->labels[c->nreadings][n] = '\0';
	rd->time_ns = r->t;
	while ((n = cap_token(&p, end, &tok)) != 0) {
		if (rd->n == CAPTURE_READING_MAX)
			return cap_fail(c, line, "too many numbers in the reading, at most 12", tok,
					n);
		if (cap_u64(tok, n, &rd->v[rd->n]))
			return cap_fail(c, line, "not a number", tok, n);
		rd->n++;
	}
	r->a = c->nreadings++;
	return 0;
}

/* The header "zram-capture 1 [KEY=VALUE...]": tok (n bytes) its first token, p the rest. */
static int cap_header(struct cap *c, uint64_t line, const char *s, size_t len, const char *p,
		      const char *tok, size_t n, bool *seen_header)
{
	const char *end = s + len;
	uint64_t v;

	if (n != strlen(CAPTURE_MAGIC) || memcmp(tok, CAPTURE_MAGIC, n))
		return cap_fail(c, line, "missing header line, expected \"zram-capture 1\"", s,
				len);
	n = cap_token(&p, end, &tok);
	if (cap_u64(tok, n, &v))
		return cap_fail(c, line, "bad capture version", tok, n);
	if (v != CAPTURE_VERSION)
		return cap_fail(c, line, "unsupported capture version, this reader knows 1", tok,
				n);
	*seen_header = true;
	/* the rest of the line is key=value notes; three of them change the reading */
	while ((n = cap_token(&p, end, &tok)) != 0) {
		if (n == 11 && !memcmp(tok, "kit=tracefs", 11))
			c->tracefs = true;
		else if (n == 10 && !memcmp(tok, "end_line=1", 10))
			c->end_announced = true;
		else if (n == 19 && !memcmp(tok, "trace_clock=counter", 19))
			c->counter_clock = true;
	}
	return 0;
}

/* The fields of a record whose op r->op is set, from *p on (line s, len bytes). */
static int cap_record_fields(struct cap *c, uint64_t line, const char *s, size_t len,
			     const char **p, struct cap_rec *r)
{
	const char *end = s + len;
	int rc;

	switch (r->op) {
	case 'M':
		rc = cap_field(c, line, p, end, "SIZE", false, &r->a) ||
		     cap_field(c, line, p, end, "HANDLE", false, &r->b);
		break;
	case 'F':
		rc = cap_field(c, line, p, end, "HANDLE", false, &r->a);
		break;
	case 'W':
	case 'R':
		rc = cap_field(c, line, p, end, "SLOT", false, &r->a) ||
		     cap_field(c, line, p, end, "NPAGES", false, &r->b);
		if (!rc && (r->b < 1 || r->b > CAPTURE_BIO_PAGES_MAX))
			return cap_fail(c, line, "NPAGES out of range 1..65536", s, len);
		/* r->b is 1..65536 here, so the subtraction cannot wrap; r->a + r->b could */
		if (!rc && (r->a > UINT32_MAX || r->b - 1 > UINT32_MAX - r->a))
			return cap_fail(c, line, "SLOT out of range, zram slots are 32-bit", s,
					len);
		break;
	case 'D':
		rc = cap_field(c, line, p, end, "SLOT", false, &r->a);
		if (!rc && r->a > UINT32_MAX)
			return cap_fail(c, line, "SLOT out of range, zram slots are 32-bit", s,
					len);
		break;
	case 'E':
		rc = cap_field(c, line, p, end, "RET", true, &r->a);
		break;
	case 'K':
		rc = cap_field(c, line, p, end, "PAGES", false, &r->a);
		break;
	case 'S':
		rc = cap_add_reading(c, line, *p, end, r);
		if (rc)
			return rc;
		*p = end;
		break;
	default:
		rc = 0;
		break;
	}
	return rc ? -EINVAL : 0;
}

/* Parse one line; *seen_header is set by the header line. */
static int cap_parse_line(struct cap *c, const char *s, size_t len, uint64_t line,
			  bool *seen_header)
{
	const char *p = s, *end = s + len, *tok;
	struct cap_rec r = {.line = line};
	size_t n;
	int rc;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			return cap_fail(c, line, "malformed line, control byte", s, len);
	n = cap_token(&p, end, &tok);
	if (!n || *tok == '#')
		return 0;
	if (*seen_header && c->seen_end)
		return cap_fail(c, line, "line after the zram-capture-end line", s, len);
	if (*seen_header && n == 16 && !memcmp(tok, "zram-capture-end", 16)) {
		c->seen_end = true;
		return 0;
	}
	/* bpftrace's own chatter */
	if (n == 9 && !memcmp(tok, "Attaching", 9))
		return 0;
	if (n == 4 && !memcmp(tok, "Lost", 4)) {
		uint64_t lost;

		if (cap_field(c, line, &p, end, "N", false, &lost))
			return -EINVAL;
		c->st->lost += lost;
		return 0;
	}
	if (!*seen_header)
		return cap_header(c, line, s, len, p, tok, n, seen_header);
	if (c->tracefs)
		return cap_parse_tracefs(c, s, len, line);
	if (cap_u64(tok, n, &r.t))
		return cap_fail(c, line, "bad TIME_NS", tok, n);
	if (cap_field(c, line, &p, end, "TID", false, &r.tid))
		return -EINVAL;
	n = cap_token(&p, end, &tok);
	if (!n)
		return cap_fail(c, line, "missing field OP", s, len);
	if (n != 1 || !strchr("MFWERDCKSZHP", *tok))
		return cap_fail(c, line, "unknown op, expected M F W E R D C K S Z H", tok, n);
	r.op = *tok;
	if ((rc = cap_record_fields(c, line, s, len, &p, &r)))
		return rc;
	n = cap_token(&p, end, &tok);
	if (n)
		return cap_fail(c, line, "extra field", tok, n);
	c->st->records++;
	return cap_push(c, &r);
}

int cap_read(struct cap *c, FILE *f)
{
	char *buf = NULL;
	size_t bufcap = 0;
	ssize_t got;
	uint64_t line = 0;
	bool seen_header = false;
	int rc = 0;

	while ((got = getline(&buf, &bufcap, f)) >= 0) {
		size_t len = (size_t)got;

		line++;
		c->st->lines++;
		if (!len || buf[len - 1] != '\n') {
			/* only the last line can lack its newline: a capture cut mid-line */
			if (c->o->repair) {
				c->st->truncated++;
				continue;
			}
			rc = cap_fail(c, line,
				      "truncated last line, no newline: the capture was cut "
				      "(--repair drops the line)",
				      buf, len);
			break;
		}
		len--;
		if (len && buf[len - 1] == '\r')
			len--;
		if (len > CAPTURE_LINE_MAX) {
			rc = cap_fail(c, line, "malformed line, longer than 4096 bytes", buf, len);
			break;
		}
		rc = cap_parse_line(c, buf, len, line, &seen_header);
		if (rc)
			break;
	}
	if (!rc && ferror(f)) {
		if (c->err && c->errlen)
			snprintf(c->err, c->errlen, "%s:%" PRIu64 ": read error", c->name,
				 line + 1);
		rc = -EIO;
	}
	if (!rc && !seen_header)
		rc = cap_fail(c, line ? line : 1,
			      "missing header line, expected \"zram-capture 1\"", "no header", 9);
	free(buf);
	return rc;
}
