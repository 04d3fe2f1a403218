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
 * some trace clocks; none with trace_clock counter, whose count is taken as
 * ns). The kit's events are named zsf_*; the trace_marker's
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

/* One trace_pipe line as it is parsed: what errors quote, and what the line gives. */
struct tf_line {
	struct cap *c;
	const char *s; /* the line, its leading blanks skipped: quoted by errors */
	size_t len;
	uint64_t line;		      /* its number in the capture */
	struct cap_rec r;	      /* the record it makes: tid and time from the head */
	struct tf_arg args[ARGS_MAX]; /* the event's KEY=VALUE pairs */
	int nargs;
};

/* The KEY=VALUE pairs after the probe site "(...)". */
static int tf_args(struct tf_line *l, const char *p, const char *end)
{
	const char *tok;
	size_t n;

	l->nargs = 0;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p == '(') {
		const char *close = memchr(p, ')', (size_t)(end - p));

		if (!close)
			return cap_fail(l->c, l->line,
					"malformed tracefs line, probe site without ')'", p,
					(size_t)(end - p));
		p = close + 1;
	}
	while ((n = cap_token(&p, end, &tok)) != 0) {
		const char *eq = memchr(tok, '=', n);
		struct tf_arg *a = &l->args[l->nargs];

		if (l->nargs == ARGS_MAX || !eq)
			return cap_fail(l->c, l->line,
					"malformed tracefs argument, expected KEY=VALUE", tok, n);
		a->key = tok;
		a->klen = (size_t)(eq - tok);
		if (tf_number(eq + 1, n - a->klen - 1, &a->v, &a->neg))
			return cap_fail(l->c, l->line, "not a number", tok, n);
		l->nargs++;
	}
	return 0;
}

static int tf_get(struct tf_line *l, const char *key, uint64_t *v)
{
	char what[64];

	for (int i = 0; i < l->nargs; i++) {
		const struct tf_arg *a = &l->args[i];

		if (a->klen == strlen(key) && !memcmp(a->key, key, a->klen)) {
			*v = a->neg ? (uint64_t)(-(int64_t)a->v) : a->v;
			return 0;
		}
	}
	snprintf(what, sizeof(what), "missing field %s", key);
	return cap_fail(l->c, l->line, what, l->s, l->len);
}

static int tf_push(struct tf_line *l, char op, uint64_t a, uint64_t b)
{
	l->r.op = op;
	l->r.a = a;
	l->r.b = b;
	l->c->st->records++;
	return cap_push(l->c, &l->r);
}

/*
 * The under-lock probes (the kit with more than one CPU): zs_malloc and zs_free are stamped
 * at entry, before the pool's lock, so another CPU's operation can come first in the trace
 * and second at the lock. obj_malloc and obj_free run with the lock held: the zs_malloc (its
 * M, at the return) or zs_free (its F) open on the same thread is ordered at their time and
 * line (cap_rec's kt and kl), and so is the zram write's D that stores the M's object, or the
 * D whose zram_free_page made the zs_free. create_page_chain inside a zs_malloc marks an M
 * whose zs_malloc made its own zspage with the lock dropped. Inside a compaction on the
 * thread (zs_compact, also reached from reclaim inside a zs_malloc) they are compaction's.
 * Maps hold record indexes + 1.
 */
static struct cap_rec *tf_rec(struct cap *c, struct trace_map *m, uint64_t tid, bool del)
{
	uint64_t v;

	if (!(del ? trace_map_del(m, tid, &v) : trace_map_get(m, tid, &v)) || !v || v > c->n)
		return NULL;
	return &c->recs[v - 1];
}

static int tf_put_index(struct cap *c, struct trace_map *m, uint64_t tid)
{
	return trace_map_put(m, tid, c->n) ? -ENOMEM : 0; /* the record just pushed */
}

/* A write's bracket (W) or its end (E), a zs_malloc's entry: what waited on the thread ends. */
static void tf_lock_reset(struct cap *c, uint64_t tid, bool malloc_entry)
{
	if (!c->under_lock)
		return;
	if (malloc_entry) {
		trace_map_del(&c->obj_malloc, tid, NULL);
		trace_map_del(&c->obj_malloc_t, tid, NULL);
		trace_map_del(&c->new_zspage, tid, NULL);
		trace_map_del(&c->open_free, tid, NULL);
		trace_map_del(&c->free_d, tid, NULL);
	} else {
		trace_map_del(&c->last_m, tid, NULL);
	}
	trace_map_del(&c->last_d, tid, NULL);
}

/* zsf_obj_malloc, zsf_obj_free, zsf_create_page_chain (kind 'O', 'Q', 'N'). */
static int tf_under_lock(struct tf_line *l, char kind)
{
	struct cap *c = l->c;
	uint64_t tid = l->r.tid;
	struct cap_rec *f, *d;

	c->under_lock = true;
	if (trace_map_get(&c->compacting, tid, NULL))
		return 0;
	if (kind != 'Q') {
		if (!trace_map_get(&c->pend_malloc, tid, NULL))
			return 0;
		if (kind == 'N')
			return trace_map_put(&c->new_zspage, tid, 1) ? -ENOMEM : 0;
		/* the last one before the return: an earlier one was a nested compaction's */
		return trace_map_put(&c->obj_malloc, tid, l->line) ||
			       trace_map_put(&c->obj_malloc_t, tid, l->r.t)
			   ? -ENOMEM
			   : 0;
	}
	if (!(f = tf_rec(c, &c->open_free, tid, true)))
		return 0;
	f->kt = l->r.t;
	f->kl = l->line;
	f->flags |= CAP_REC_KEYED;
	if ((d = tf_rec(c, &c->free_d, tid, true)) != NULL) {
		d->kt = l->r.t;
		d->kl = l->line;
		d->flags |= CAP_REC_KEYED;
	}
	return 0;
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

/* " [CPU] " ends COMM-PID: the first bracketed number after a blank; NULL if none. */
static const char *tf_cpu_field(const char *s, const char *end)
{
	for (const char *p = s; p + 3 <= end; p++) {
		size_t n;

		if (*p != '[' || p == s || (p[-1] != ' ' && p[-1] != '\t'))
			continue;
		n = strspn(p + 1, "0123456789");
		if (n && p + 1 + n < end && p[1 + n] == ']')
			return p;
	}
	return NULL;
}

/* The PID: digits after the last '-' of COMM-PID, before a "(TGID)" and the [CPU] at cpu. */
static int tf_pid(struct tf_line *l, const char *cpu)
{
	const char *s = l->s, *p = cpu;
	size_t n = 0;

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
	while (p - n > s && p[-1 - (ptrdiff_t)n] >= '0' && p[-1 - (ptrdiff_t)n] <= '9')
		n++;
	if (!n || p - n == s || p[-1 - (ptrdiff_t)n] != '-' || cap_u64(p - n, n, &l->r.tid))
		return cap_fail(l->c, l->line, "malformed tracefs line, no COMM-PID before [CPU]",
				l->s, l->len);
	return 0;
}

/* FLAGS (optional), then "SECS.FRAC:" from *p on, into ns; *p moves past them. */
static int tf_time(struct tf_line *l, const char **p)
{
	const char *end = l->s + l->len, *tok;
	uint64_t secs, frac = 0;
	size_t n, fd;

	n = cap_token(p, end, &tok);
	if (n && tok[n - 1] != ':')
		n = cap_token(p, end, &tok);
	if (n < 2 || tok[n - 1] != ':')
		return cap_fail(l->c, l->line, "malformed tracefs line, no time", l->s, l->len);
	n--;
	fd = strcspn(tok, ".");
	if (fd > n)
		fd = n;
	if (cap_u64(tok, fd, &secs) || secs > UINT64_MAX / 1000000000u)
		return cap_fail(l->c, l->line, "bad time", tok, n + 1);
	if (fd < n) {
		size_t digits = n - fd - 1;

		if (!digits || digits > 9 || cap_u64(tok + fd + 1, digits, &frac))
			return cap_fail(l->c, l->line, "bad time", tok, n + 1);
		for (; digits < 9; digits++)
			frac *= 10;
	}
	/* trace_clock counter: a count, printed without a fraction; taken as ns, in order */
	l->r.t = l->c->counter_clock && fd == n ? secs : secs * 1000000000u + frac;
	return 0;
}

/* "COMM-PID [CPU] FLAGS SECS.FRAC:": the record's thread and time; *p is left after them. */
static int tf_head(struct tf_line *l, const char **p)
{
	const char *end = l->s + l->len, *cpu = tf_cpu_field(l->s, end);
	int rc;

	if (!cpu)
		return cap_fail(l->c, l->line, "malformed tracefs line, no [CPU] field", l->s,
				l->len);
	if ((rc = tf_pid(l, cpu)))
		return rc;
	*p = memchr(cpu, ']', (size_t)(end - cpu)) + 1;
	return tf_time(l, p);
}

/* A trace_marker line: "zsfrag mm_stat LABEL numbers" is a read point; other markers are the
 * user's. */
static int tf_marker(struct tf_line *l, const char *p)
{
	const char *end = l->s + l->len, *tok;
	int rc;

	if (cap_token(&p, end, &tok) != 6 || memcmp(tok, "zsfrag", 6) ||
	    cap_token(&p, end, &tok) != 7 || memcmp(tok, "mm_stat", 7)) {
		l->c->st->ignored++;
		return 0;
	}
	if ((rc = cap_add_reading(l->c, l->line, p, end, &l->r)))
		return rc;
	return tf_push(l, 'S', l->r.a, 0);
}

/* zsf_rw_page (a page, op) or zsf_bio (size bytes, opf): a zram read or write of slots. */
static int tf_io(struct tf_line *l, bool bio)
{
	struct cap *c = l->c;
	uint64_t pages = 1, bytes = 0, op, sector;
	int rc;

	if ((rc = tf_get(l, "sector", &sector)))
		return rc;
	if (!bio) {
		rc = tf_get(l, "op", &op);
	} else {
		rc = tf_get(l, "opf", &op) || tf_get(l, "size", &bytes);
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
	if (pages > CAPTURE_BIO_PAGES_MAX || sector > UINT32_MAX || pages - 1 > UINT32_MAX - sector)
		return cap_fail(c, l->line, "I/O out of range of zram's 32-bit slots", l->s,
				l->len);
	if (op == REQ_OP_READ)
		return tf_push(l, 'R', sector, pages);
	if (trace_map_put(&c->open_write, l->r.tid, 1))
		return -ENOMEM;
	tf_lock_reset(c, l->r.tid, false);
	return tf_push(l, 'W', sector, pages);
}

/* zsf_rw_page_ret (ret) or zsf_bio_ret: the end of this thread's open write, if it has one. */
static int tf_io_ret(struct tf_line *l, bool bio)
{
	uint64_t v = 0;
	int rc;

	if (!bio && (rc = tf_get(l, "ret", &v)))
		return rc;
	if (!trace_map_del(&l->c->open_write, l->r.tid, NULL))
		return 0; /* a read's return */
	tf_lock_reset(l->c, l->r.tid, false);
	return tf_push(l, 'E', v, 0);
}

/* The zs_malloc entry: its size waits, per thread, for the handle its return gives. */
static int tf_malloc(struct tf_line *l)
{
	uint64_t size;
	int rc;

	if ((rc = tf_get(l, "size", &size)))
		return rc;
	if (size >= UINT64_MAX - 1)
		return cap_fail(l->c, l->line, "size out of range", l->s, l->len);
	tf_lock_reset(l->c, l->r.tid, true);
	return trace_map_put(&l->c->pend_malloc, l->r.tid, size + 1) ? -ENOMEM : 0;
}

static int tf_malloc_ret(struct tf_line *l)
{
	struct cap *c = l->c;
	uint64_t size, v, line, t;
	int rc;

	if ((rc = tf_get(l, "handle", &v)))
		return rc;
	if (!trace_map_del(&c->pend_malloc, l->r.tid, &size)) {
		c->st->unpaired++;
		return 0;
	}
	if (trace_map_del(&c->obj_malloc, l->r.tid, &line) &&
	    trace_map_del(&c->obj_malloc_t, l->r.tid, &t)) {
		l->r.kt = t;
		l->r.kl = line;
		l->r.flags |= CAP_REC_KEYED;
	}
	if (trace_map_del(&c->new_zspage, l->r.tid, NULL))
		l->r.flags |= CAP_REC_NEW;
	if ((rc = tf_push(l, 'M', size - 1, v)))
		return rc;
	/* a failed zs_malloc stores nothing: the write's D stays where it is */
	if (!(l->r.flags & CAP_REC_KEYED) || !v || v >= CAP_ERR_HANDLE)
		return 0;
	return tf_put_index(c, &c->last_m, l->r.tid);
}

static int tf_free_page(struct tf_line *l)
{
	struct cap *c = l->c;
	struct cap_rec *m;
	uint64_t v;
	int rc;

	if ((rc = tf_get(l, "index", &v)))
		return rc;
	if (v > UINT32_MAX)
		return cap_fail(l->c, l->line, "SLOT out of range, zram slots are 32-bit", l->s,
				l->len);
	if (c->under_lock && trace_map_get(&c->open_write, l->r.tid, NULL) &&
	    (m = tf_rec(c, &c->last_m, l->r.tid, true)) != NULL) {
		/* the page this write stores: its object was allocated there */
		l->r.kt = m->kt;
		l->r.kl = m->kl;
		l->r.flags |= CAP_REC_KEYED | CAP_REC_AT_MALLOC;
	}
	if ((rc = tf_push(l, 'D', v, 0)))
		return rc;
	return c->under_lock ? tf_put_index(c, &c->last_d, l->r.tid) : 0;
}

/* zs_free: its obj_free, under the lock, orders it, and the D whose zram_free_page it is. */
static int tf_free(struct tf_line *l)
{
	struct cap *c = l->c;
	struct cap_rec *d;
	uint64_t h;
	int rc;

	if ((rc = tf_get(l, "handle", &h)) || (rc = tf_push(l, 'F', h, 0)))
		return rc;
	if (!c->under_lock || !h)
		return 0;
	trace_map_del(&c->free_d, l->r.tid, NULL);
	if ((d = tf_rec(c, &c->last_d, l->r.tid, true)) != NULL) {
		if (d->flags & CAP_REC_AT_MALLOC)
			c->recs[c->n - 1].flags |= CAP_REC_WRITE_OLD;
		else if (trace_map_put(&c->free_d, l->r.tid, (uint64_t)(d - c->recs) + 1))
			return -ENOMEM;
	}
	return tf_put_index(c, &c->open_free, l->r.tid);
}

/* The kit's events that are one record each: the record's op and the argument it carries. */
static const struct {
	const char *name;
	char op;
	const char *key; /* the record's a, or NULL: none */
} tf_plain[] = {
    {"zsf_compact", 'C', NULL}, {"zsf_compact_ret", 'K', "pages"}, {"zsf_free_zspage", 'Z', NULL},
    {"zsf_shrink", 'H', NULL},	{"zsf_step", 'P', NULL},
};

/* One of the kit's zsf_ events, NAME (nname bytes), whose arguments are in l. */
static int tf_event(struct tf_line *l, const char *name, size_t nname)
{
#define IS(lit) (nname == sizeof(lit) - 1 && !memcmp(name, lit, nname))
	if (IS("zsf_malloc"))
		return tf_malloc(l);
	if (IS("zsf_malloc_ret"))
		return tf_malloc_ret(l);
	if (IS("zsf_free_page"))
		return tf_free_page(l);
	if (IS("zsf_rw_page") || IS("zsf_bio"))
		return tf_io(l, IS("zsf_bio"));
	if (IS("zsf_rw_page_ret") || IS("zsf_bio_ret"))
		return tf_io_ret(l, IS("zsf_bio_ret"));
	if (IS("zsf_free"))
		return tf_free(l);
	if (IS("zsf_obj_malloc"))
		return tf_under_lock(l, 'O');
	if (IS("zsf_obj_free"))
		return tf_under_lock(l, 'Q');
	if (IS("zsf_create_page_chain"))
		return tf_under_lock(l, 'N');
	/* a compaction's own obj_malloc/obj_free (and a nested one's) are not a zs_malloc's */
	if (IS("zsf_compact") && trace_map_put(&l->c->compacting, l->r.tid, 1))
		return -ENOMEM;
	if (IS("zsf_compact_ret"))
		trace_map_del(&l->c->compacting, l->r.tid, NULL);
#undef IS
	for (size_t i = 0; i < sizeof(tf_plain) / sizeof(tf_plain[0]); i++) {
		uint64_t v = 0;
		int rc;

		if (strlen(tf_plain[i].name) != nname || memcmp(tf_plain[i].name, name, nname))
			continue;
		if (tf_plain[i].key && (rc = tf_get(l, tf_plain[i].key, &v)))
			return rc;
		return tf_push(l, tf_plain[i].op, v, 0);
	}
	return cap_fail(l->c, l->line, "unknown zsf_ event", name, nname);
}

int cap_parse_tracefs(struct cap *c, const char *s, size_t len, uint64_t line)
{
	struct tf_line l = {.c = c, .line = line, .r = {.line = line}};
	const char *end = s + len, *p, *name;
	size_t nname;
	int rc;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++, len--;
	l.s = s;
	l.len = len;
	if ((rc = tf_lost(c, s, len, line)) != 0)
		return rc < 0 ? rc : 0;
	if ((rc = tf_head(&l, &p)))
		return rc;
	nname = cap_token(&p, end, &name);
	if (nname < 2 || name[nname - 1] != ':')
		return cap_fail(c, line, "malformed tracefs line, no event name", s, len);
	nname--;
	if (nname == strlen("tracing_mark_write") && !memcmp(name, "tracing_mark_write", nname))
		return tf_marker(&l, p);
	if (nname < 4 || memcmp(name, "zsf_", 4)) {
		c->st->ignored++; /* an event someone else enabled */
		return 0;
	}
	if ((rc = tf_args(&l, p, end)))
		return rc;
	return tf_event(&l, name, nname);
}
