/*
 * trace_text_event.c - the text trace reader's event lines (traces/FORMAT.md):
 * one line, already cut from the buffer by trace_text.c, checked field by
 * field and turned into a struct sim_event; the first error is kept in the
 * reader as trace_text.c keeps its own.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "trace_text_reader.h"

/* ---- events ---- */

/* Parse a numeric field already in tok / n into dst, below limit (exclusive). */
static int text_number(struct trace_reader *r, const char *tok, long n, uint64_t limit,
		       const char *range_what, uint64_t *dst)
{
	int rc = text_u64(tok, (size_t)n, dst);

	if (rc == -1)
		return text_fail(r, "not a number", tok, (size_t)n);
	if (rc == -2)
		return text_fail(r, "number overflows 64 bits", tok, (size_t)n);
	if (*dst >= limit)
		return text_fail(r, range_what, tok, (size_t)n);
	return 0;
}

static int text_id(struct trace_reader *r, const char *tok, long n, const char *what, uint64_t *dst)
{
	return text_number(r, tok, n, TRACE_TEXT_ID_LIMIT, what, dst);
}

/* A LABEL field (s, F) into dst[SIM_LABEL_MAX]. */
static int text_label(struct trace_reader *r, const char *tok, long n, char *dst)
{
	long i;

	if (n > SIM_LABEL_MAX - 1)
		return text_fail(r, "bad label, longer than 127 bytes", tok, (size_t)n);
	for (i = 0; i < n; i++)
		if (!text_label_char((unsigned char)tok[i]))
			return text_fail(r, "bad label, bytes must be [A-Za-z0-9_.:/+-]", tok,
					 (size_t)n);
	memcpy(dst, tok, (size_t)n);
	dst[n] = '\0';
	return 0;
}

static int text_size(struct trace_reader *r, const char *tok, long n, uint32_t *dst)
{
	char what[64];
	uint64_t v = 0;
	int rc = text_u64(tok, (size_t)n, &v);

	if (rc == -1)
		return text_fail(r, "not a number", tok, (size_t)n);
	if (rc == 0 && v >= 1 && v <= r->page_size) {
		*dst = (uint32_t)v;
		return 0;
	}
	/* Out of range (overflow included): name the range of this trace. */
	snprintf(what, sizeof(what), "size out of range 1..%zu", r->page_size);
	return text_fail(r, what, tok, (size_t)n);
}

/* "e COUNT": 1 (not an event, read on) when COUNT is the events returned so far. */
static int text_parse_end(struct trace_reader *r, const char *p, const char *end, bool has_time,
			  const char *s)
{
	const char *tok;
	uint64_t count;
	long n;
	int rc;

	if (has_time)
		return text_fail(r, "the end line takes no @ prefix", s, (size_t)(end - s));
	n = text_token(&p, end, &tok);
	if (n <= 0)
		return text_fail(r, n < 0 ? "malformed line, control byte" : "missing field COUNT",
				 s, (size_t)(end - s));
	if ((rc = text_number(r, tok, n, UINT64_MAX, "COUNT out of range", &count)))
		return rc;
	if (count != r->events) {
		char what[96];

		snprintf(what, sizeof(what),
			 "end line says %" PRIu64 " events, the trace has %" PRIu64
			 ": cut or edited",
			 count, r->events);
		return text_fail(r, what, tok, (size_t)n);
	}
	n = text_token(&p, end, &tok);
	if (n != 0)
		return text_fail(r, n < 0 ? "malformed line, control byte" : "extra field", tok,
				 n < 0 ? (size_t)(end - tok) : (size_t)n);
	r->ended = true;
	return 1;
}

/* The kinds of field an event line has, each checked its own way. */
enum text_field {
	TF_END = 0, /* no more fields */
	TF_ID,	    /* a, f, g, p: an object or block ID */
	TF_SLOT,    /* w, z, r, d: a zram slot */
	TF_PID,	    /* k, x */
	TF_SIZE,    /* a, w: compressed bytes, 1..page size */
	TF_ORDER,   /* g */
	TF_MTYPE,   /* g: u, m or r */
	TF_STEPS,   /* y N */
	TF_FORKS,   /* F N: 1..SIM_FORK_PROBE_MAX */
	TF_LABEL,   /* s, F */
};

static const char *const text_field_name[] = {
    [TF_ID] = "ID",	[TF_SLOT] = "SLOT",   [TF_PID] = "PID",
    [TF_SIZE] = "SIZE", [TF_ORDER] = "ORDER", [TF_MTYPE] = "TYPE",
    [TF_STEPS] = "N",	[TF_FORKS] = "N",     [TF_LABEL] = "LABEL",
};

/* Each op's fields in the order the line gives them, indexed by its letter (enum sim_op). */
static const struct text_op {
	bool known;		 /* an op of the format */
	unsigned char fields[3]; /* enum text_field, TF_END after the last */
} text_ops[128] = {
    [SIM_OP_ALLOC] = {true, {TF_ID, TF_SIZE}},
    [SIM_OP_FREE] = {true, {TF_ID}},
    [SIM_OP_WRITE] = {true, {TF_SLOT, TF_SIZE}},
    [SIM_OP_WRITE_SAME] = {true, {TF_SLOT}},
    [SIM_OP_READ] = {true, {TF_SLOT}},
    [SIM_OP_DISCARD] = {true, {TF_SLOT}},
    [SIM_OP_GET] = {true, {TF_ID, TF_ORDER, TF_MTYPE}},
    [SIM_OP_PUT] = {true, {TF_ID}},
    [SIM_OP_FORK] = {true, {TF_PID}},
    [SIM_OP_EXIT] = {true, {TF_PID}},
    [SIM_OP_COMPACT] = {true, {TF_END}},
    [SIM_OP_VERIFY] = {true, {TF_END}},
    [SIM_OP_COMPACT_STEP] = {true, {TF_STEPS}},
    [SIM_OP_FORK_PROBE] = {true, {TF_FORKS, TF_LABEL}},
    [SIM_OP_SNAPSHOT] = {true, {TF_LABEL}},
};

/* One field of kind f, already in tok / n, into its member of ev. */
static int text_field(struct trace_reader *r, enum text_field f, const char *tok, long n,
		      struct sim_event *ev)
{
	uint64_t v;
	int rc;

	switch (f) {
	case TF_ID:
		return text_id(r, tok, n, "ID out of range, must be below 2^63", &ev->id);
	case TF_SLOT:
		return text_id(r, tok, n, "SLOT out of range, must be below 2^63", &ev->id);
	case TF_PID:
		return text_id(r, tok, n, "PID out of range, must be below 2^63", &ev->id);
	case TF_SIZE:
		return text_size(r, tok, n, &ev->size);
	case TF_ORDER:
		if ((rc = text_number(r, tok, n, TRACE_TEXT_ORDER_MAX + 1,
				      "order out of range 0..10", &v)))
			return rc;
		ev->order = (uint8_t)v;
		return 0;
	case TF_MTYPE:
		if (n != 1 || (*tok != SIM_MT_UNMOVABLE && *tok != SIM_MT_MOVABLE &&
			       *tok != SIM_MT_RECLAIMABLE))
			return text_fail(r, "bad migrate type, expected u, m or r", tok, (size_t)n);
		ev->mtype = *tok;
		return 0;
	case TF_STEPS:
		return text_number(r, tok, n, TRACE_TEXT_ID_LIMIT,
				   "step count out of range, must be below 2^63", &ev->id);
	case TF_FORKS:
		if ((rc = text_number(r, tok, n, SIM_FORK_PROBE_MAX + 1,
				      "fork count out of range 1..100000", &ev->id)))
			return rc;
		if (ev->id == 0)
			return text_fail(r, "fork count out of range 1..100000", tok, (size_t)n);
		return 0;
	case TF_LABEL:
		return text_label(r, tok, n, ev->label);
	case TF_END:
		break;
	}
	return 0;
}

/* The line's next token into *tok, its length into *n (0 at the end); a control byte fails. */
static int text_next(struct trace_reader *r, const char **p, const char *end, const char **tok,
		     long *n)
{
	*n = text_token(p, end, tok);
	if (*n < 0)
		return text_fail(r, "malformed line, control byte", *tok, (size_t)(end - *tok));
	return 0;
}

/* The fields of the op whose letter is at optok (line s, fields from p on), then nothing more. */
static int text_op_fields(struct trace_reader *r, const char *optok, const char *s, const char *p,
			  const char *end, struct sim_event *ev)
{
	unsigned char op = (unsigned char)*optok;
	const struct text_op *o = op < 128 ? &text_ops[op] : NULL;
	const char *tok;
	long n;
	int rc;

	if (!o || !o->known)
		return text_fail(r, "unknown op", optok, 1);
	ev->op = (enum sim_op)op;
	for (unsigned int i = 0; i < sizeof(o->fields) && o->fields[i] != TF_END; i++) {
		char missing[32];

		if ((rc = text_next(r, &p, end, &tok, &n)))
			return rc;
		if (n == 0) {
			snprintf(missing, sizeof(missing), "missing field %s",
				 text_field_name[o->fields[i]]);
			return text_fail(r, missing, s, (size_t)(end - s));
		}
		if ((rc = text_field(r, (enum text_field)o->fields[i], tok, n, ev)))
			return rc;
	}
	if ((rc = text_next(r, &p, end, &tok, &n)))
		return rc;
	/* a and w: an "n" after SIZE, the allocation takes a new zspage */
	if (n == 1 && *tok == 'n' && (op == SIM_OP_ALLOC || op == SIM_OP_WRITE)) {
		ev->new_zspage = true;
		if ((rc = text_next(r, &p, end, &tok, &n)))
			return rc;
	}
	/* p: "s SLOT" after ID, the block is a page swapped out to SLOT */
	if (n == 1 && *tok == 's' && op == SIM_OP_PUT) {
		if ((rc = text_next(r, &p, end, &tok, &n)))
			return rc;
		if (n == 0)
			return text_fail(r, "missing field SLOT after s", s, (size_t)(end - s));
		if ((rc = text_id(r, tok, n, "SLOT out of range, must be below 2^63", &ev->slot)))
			return rc;
		ev->swapped_out = true;
		if ((rc = text_next(r, &p, end, &tok, &n)))
			return rc;
	}
	if (n > 0)
		return text_fail(r, "extra field", tok, (size_t)n);
	return 0;
}

/* An "@NS" prefix in tok / n: its time into *t, not before the reader's. */
static int text_time_prefix(struct trace_reader *r, const char *tok, long n, uint64_t *t)
{
	int rc = n > 1 ? text_u64(tok + 1, (size_t)n - 1, t) : -1;

	if (rc == -1)
		return text_fail(r, "malformed @ prefix, expected @NS", tok, (size_t)n);
	if (rc == -2)
		return text_fail(r, "malformed @ prefix, time overflows 64 bits", tok, (size_t)n);
	if (*t < r->time_ns) {
		char what[80];

		snprintf(what, sizeof(what), "time goes backwards, previous @%" PRIu64, r->time_ns);
		return text_fail(r, what, tok, (size_t)n);
	}
	return 0;
}

int text_parse_event(struct trace_reader *r, const char *s, const char *end, struct sim_event *ev)
{
	const char *p = s, *tok;
	uint64_t t = r->time_ns;
	bool has_time = false;
	int rc;
	long n;

	ev->id = 0;
	ev->size = 0;
	ev->new_zspage = false;
	ev->swapped_out = false;
	ev->slot = 0;
	ev->order = 0;
	ev->mtype = 0;
	ev->label[0] = '\0';
	ev->line = r->line;

	n = text_token(&p, end, &tok);
	if (n < 0)
		return text_fail(r, "malformed line, control byte", tok, (size_t)(end - tok));
	if (*tok == '@') {
		if ((rc = text_time_prefix(r, tok, n, &t)))
			return rc;
		has_time = true;
		n = text_token(&p, end, &tok);
		if (n < 0)
			return text_fail(r, "malformed line, control byte", tok,
					 (size_t)(end - tok));
		if (n == 0)
			return text_fail(r, "malformed @ prefix, no event follows", s,
					 (size_t)(end - s));
	}
	if (*tok == '!')
		return text_fail(r, "metadata after the first event", s, (size_t)(end - s));
	if (n != 1)
		return text_fail(r, "unknown op", tok, (size_t)n);
	if (r->ended)
		return text_fail(r, "line after the end line", s, (size_t)(end - s));
	if (*tok == 'e')
		return text_parse_end(r, p, end, has_time, s);
	if ((rc = text_op_fields(r, tok, s, p, end, ev)))
		return rc;

	rc = trace_live_apply(&r->live, ev);
	if (rc) {
		char id[24];

		*text_put_u64(id, ev->id) = '\0';
		return text_fail_rc(r, rc == -ENOMEM ? -ENOMEM : -EINVAL, r->line,
				    trace_live_what(ev, rc), id, strlen(id));
	}
	ev->has_time = has_time;
	ev->time_ns = t;
	r->time_ns = t;
	return 0;
}
