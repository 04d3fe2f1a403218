/*
 * capture_tracefs.c - trace_pipe's own lines, as scripts/zram-capture-tracefs
 * records them, turned into the records of the native capture format
 * (capture.h, traces/FORMAT.md "tracefs lines").
 *
 * A line of trace_pipe is
 *
 *	COMM-PID [CPU] FLAGS SECS.USECS: EVENT: (PROBE SITE) KEY=VALUE...
 *
 * COMM may hold blanks and dashes (the PID follows the last dash before
 * " [CPU]"), "(TGID)" may follow the PID (option record-tgid), FLAGS is
 * missing without the irq-info option, and the time has 6 decimals (9 with
 * some trace clocks). The kit's events are named zsf_*; the trace_marker's
 * lines come as tracing_mark_write. A full ring buffer shows as "CPU:N [LOST
 * M EVENTS]".
 *
 * What bpftrace pairs in the kernel (a zs_malloc's size with its returned
 * handle, a zram write with its return), is paired here, per thread, in the
 * order trace_pipe gives (it merges the CPUs' buffers by time). A return
 * without its entry (lost, or entered before the capture began) is counted
 * as unpaired: a repair.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "capture_internal.h"

#define REQ_OP_MASK  0xffu /* bio->bi_opf & REQ_OP_MASK: the operation (blk_types.h) */
#define REQ_OP_READ  0u
#define REQ_OP_WRITE 1u
#define ARGS_MAX     4

struct tf_arg {
	const char *key;
	size_t klen;
	uint64_t v;
	bool neg;
};

/* Decimal, or 0x hex, optionally negative (s32 fetches). */
static int tf_number(const char *s, size_t n, uint64_t *v, bool *neg)
{
	uint64_t x = 0;
	size_t i = 0;

	*neg = n && s[0] == '-';
	i = *neg;
	if (n - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		if (n - i - 2 > 16)
			return -1;
		for (i += 2; i < n; i++) {
			unsigned d;
			char ch = s[i];

			if (ch >= '0' && ch <= '9')
				d = (unsigned)(ch - '0');
			else if (ch >= 'a' && ch <= 'f')
				d = (unsigned)(ch - 'a' + 10);
			else if (ch >= 'A' && ch <= 'F')
				d = (unsigned)(ch - 'A' + 10);
			else
				return -1;
			x = x << 4 | d;
		}
		*v = x;
		return 0;
	}
	return cap_u64(s + i, n - i, v);
}

/* The KEY=VALUE pairs after the probe site "(...)". */
static int tf_args(struct cap *c, uint64_t line, const char *p, const char *end,
		   struct tf_arg *args, int *nargs)
{
	const char *tok;
	size_t n;

	*nargs = 0;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p == '(') {
		const char *close = memchr(p, ')', (size_t)(end - p));

		if (!close)
			return cap_fail(c, line, "malformed tracefs line, probe site without ')'", p,
					(size_t)(end - p));
		p = close + 1;
	}
	while ((n = cap_token(&p, end, &tok)) != 0) {
		const char *eq = memchr(tok, '=', n);
		struct tf_arg *a = &args[*nargs];

		if (*nargs == ARGS_MAX || !eq)
			return cap_fail(c, line, "malformed tracefs argument, expected KEY=VALUE",
					tok, n);
		a->key = tok;
		a->klen = (size_t)(eq - tok);
		if (tf_number(eq + 1, n - a->klen - 1, &a->v, &a->neg))
			return cap_fail(c, line, "not a number", tok, n);
		(*nargs)++;
	}
	return 0;
}

static int tf_get(struct cap *c, uint64_t line, const struct tf_arg *args, int nargs,
		  const char *key, uint64_t *v, const char *s, size_t len)
{
	char what[64];

	for (int i = 0; i < nargs; i++)
		if (args[i].klen == strlen(key) && !memcmp(args[i].key, key, args[i].klen)) {
			*v = args[i].neg ? (uint64_t)(-(int64_t)args[i].v) : args[i].v;
			return 0;
		}
	snprintf(what, sizeof(what), "missing field %s", key);
	return cap_fail(c, line, what, s, len);
}

static int tf_push(struct cap *c, struct cap_rec *r, char op, uint64_t a, uint64_t b)
{
	r->op = op;
	r->a = a;
	r->b = b;
	c->st->records++;
	return cap_push(c, r);
}

/* "CPU:N [LOST M EVENTS]": 1 when s is one (M added to lost), 0 not, -EINVAL malformed. */
static int tf_lost(struct cap *c, const char *s, size_t len, uint64_t line)
{
	const char *p = memchr(s, '[', len), *end = s + len;
	uint64_t m;
	size_t n;

	if (len < 4 || memcmp(s, "CPU:", 4) || !p || (size_t)(end - p) < 6 ||
	    memcmp(p, "[LOST ", 6))
		return 0;
	p += 6;
	n = strspn(p, "0123456789");
	if (p + n > end || cap_u64(p, n, &m))
		return cap_fail(c, line, "malformed LOST line", s, len);
	c->st->lost += m;
	return 1;
}

int cap_parse_tracefs(struct cap *c, const char *s, size_t len, uint64_t line)
{
	const char *end = s + len, *p, *tok, *cpu = NULL, *name;
	struct tf_arg args[ARGS_MAX];
	struct cap_rec r = {.line = line};
	uint64_t secs, frac = 0, v, op, size, sector;
	size_t n, nname, fd;
	int nargs, rc;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++, len--;
	if ((rc = tf_lost(c, s, len, line)) != 0)
		return rc < 0 ? rc : 0;
	/* " [CPU] " ends COMM-PID: the first bracketed number after a blank */
	for (p = s; p + 3 <= end && !cpu; p++) {
		if (*p != '[' || p == s || (p[-1] != ' ' && p[-1] != '\t'))
			continue;
		n = strspn(p + 1, "0123456789");
		if (n && p + 1 + n < end && p[1 + n] == ']')
			cpu = p;
	}
	if (!cpu)
		return cap_fail(c, line, "malformed tracefs line, no [CPU] field", s, len);
	/* the PID: digits after the last '-' of COMM-PID, before a "(TGID)" */
	p = cpu;
	while (p > s && (p[-1] == ' ' || p[-1] == '\t'))
		p--;
	if (p > s && p[-1] == ')') {
		while (p > s && p[-1] != '(')
			p--;
		if (p > s)
			p--;
		while (p > s && (p[-1] == ' ' || p[-1] == '\t'))
			p--;
	}
	n = 0;
	while (p - n > s && p[-1 - (ptrdiff_t)n] >= '0' && p[-1 - (ptrdiff_t)n] <= '9')
		n++;
	if (!n || p - n == s || p[-1 - (ptrdiff_t)n] != '-' || cap_u64(p - n, n, &r.tid))
		return cap_fail(c, line, "malformed tracefs line, no COMM-PID before [CPU]", s,
				len);
	/* FLAGS (optional), then SECS.FRAC: */
	p = memchr(cpu, ']', (size_t)(end - cpu)) + 1;
	n = cap_token(&p, end, &tok);
	if (n && tok[n - 1] != ':')
		n = cap_token(&p, end, &tok);
	if (n < 2 || tok[n - 1] != ':')
		return cap_fail(c, line, "malformed tracefs line, no time", s, len);
	n--;
	fd = strcspn(tok, ".");
	if (fd > n)
		fd = n;
	if (cap_u64(tok, fd, &secs) || secs > UINT64_MAX / 1000000000u)
		return cap_fail(c, line, "bad time", tok, n + 1);
	if (fd < n) {
		size_t digits = n - fd - 1;

		if (!digits || digits > 9 || cap_u64(tok + fd + 1, digits, &frac))
			return cap_fail(c, line, "bad time", tok, n + 1);
		for (; digits < 9; digits++)
			frac *= 10;
	}
	r.t = secs * 1000000000u + frac;
	nname = cap_token(&p, end, &name);
	if (nname < 2 || name[nname - 1] != ':')
		return cap_fail(c, line, "malformed tracefs line, no event name", s, len);
	nname--;
#define IS(lit) (nname == sizeof(lit) - 1 && !memcmp(name, lit, nname))
	if (IS("tracing_mark_write")) {
		const char *q = p;

		/* "zsfrag mm_stat LABEL numbers": a read point; other markers are the user's */
		if ((n = cap_token(&q, end, &tok)) != 6 || memcmp(tok, "zsfrag", 6) ||
		    (n = cap_token(&q, end, &tok)) != 7 || memcmp(tok, "mm_stat", 7)) {
			c->st->ignored++;
			return 0;
		}
		if ((rc = cap_add_reading(c, line, q, end, &r)))
			return rc;
		return tf_push(c, &r, 'S', r.a, 0);
	}
	if (nname < 4 || memcmp(name, "zsf_", 4)) {
		c->st->ignored++; /* an event someone else enabled */
		return 0;
	}
	if ((rc = tf_args(c, line, p, end, args, &nargs)))
		return rc;
	if (IS("zsf_malloc")) {
		if ((rc = tf_get(c, line, args, nargs, "size", &size, s, len)))
			return rc;
		if (size >= UINT64_MAX - 1)
			return cap_fail(c, line, "size out of range", s, len);
		return trace_map_put(&c->pend_malloc, r.tid, size + 1) ? -ENOMEM : 0;
	}
	if (IS("zsf_malloc_ret")) {
		if ((rc = tf_get(c, line, args, nargs, "handle", &v, s, len)))
			return rc;
		if (!trace_map_del(&c->pend_malloc, r.tid, &size)) {
			c->st->unpaired++;
			return 0;
		}
		return tf_push(c, &r, 'M', size - 1, v);
	}
	if (IS("zsf_free")) {
		if ((rc = tf_get(c, line, args, nargs, "handle", &v, s, len)))
			return rc;
		return tf_push(c, &r, 'F', v, 0);
	}
	if (IS("zsf_free_page")) {
		if ((rc = tf_get(c, line, args, nargs, "index", &v, s, len)))
			return rc;
		if (v > UINT32_MAX)
			return cap_fail(c, line, "SLOT out of range, zram slots are 32-bit", s, len);
		return tf_push(c, &r, 'D', v, 0);
	}
	if (IS("zsf_compact"))
		return tf_push(c, &r, 'C', 0, 0);
	if (IS("zsf_compact_ret")) {
		if ((rc = tf_get(c, line, args, nargs, "pages", &v, s, len)))
			return rc;
		return tf_push(c, &r, 'K', v, 0);
	}
	if (IS("zsf_free_zspage"))
		return tf_push(c, &r, 'Z', 0, 0);
	if (IS("zsf_shrink"))
		return tf_push(c, &r, 'H', 0, 0);
	if (IS("zsf_step"))
		return tf_push(c, &r, 'P', 0, 0);
	if (IS("zsf_rw_page") || IS("zsf_bio")) {
		uint64_t pages = 1, bytes = 0;

		if ((rc = tf_get(c, line, args, nargs, "sector", &sector, s, len)))
			return rc;
		if (IS("zsf_rw_page")) {
			rc = tf_get(c, line, args, nargs, "op", &op, s, len);
		} else {
			rc = tf_get(c, line, args, nargs, "opf", &op, s, len) ||
			     tf_get(c, line, args, nargs, "size", &bytes, s, len);
			pages = bytes / c->page_size;
		}
		if (rc)
			return -EINVAL;
		op &= REQ_OP_MASK;
		sector = sector * 512 / c->page_size;
		if (!pages || (op != REQ_OP_READ && op != REQ_OP_WRITE)) {
			c->st->ignored++; /* a flush, a discard (its zram_free_page lines tell) */
			return 0;
		}
		if (pages > CAPTURE_BIO_PAGES_MAX || sector > UINT32_MAX ||
		    pages - 1 > UINT32_MAX - sector)
			return cap_fail(c, line, "I/O out of range of zram's 32-bit slots", s, len);
		if (op == REQ_OP_READ)
			return tf_push(c, &r, 'R', sector, pages);
		if (trace_map_put(&c->open_write, r.tid, 1))
			return -ENOMEM;
		return tf_push(c, &r, 'W', sector, pages);
	}
	if (IS("zsf_rw_page_ret") || IS("zsf_bio_ret")) {
		v = 0;
		if (IS("zsf_rw_page_ret") && (rc = tf_get(c, line, args, nargs, "ret", &v, s, len)))
			return rc;
		if (!trace_map_del(&c->open_write, r.tid, NULL))
			return 0; /* a read's return */
		return tf_push(c, &r, 'E', v, 0);
	}
#undef IS
	return cap_fail(c, line, "unknown zsf_ event", name, nname);
}
