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

/* A field that must exist; "missing field NAME (the line)" otherwise. */
#define TEXT_FIELD(name)                                                                           \
	do {                                                                                       \
		n = text_token(&p, end, &tok);                                                     \
		if (n < 0)                                                                         \
			return text_fail(r, "malformed line, control byte", tok,                   \
					 (size_t)(end - tok));                                     \
		if (n == 0)                                                                        \
			return text_fail(r, "missing field " name, s, (size_t)(end - s));          \
	} while (0)

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

int text_parse_event(struct trace_reader *r, const char *s, const char *end, struct sim_event *ev)
{
	static const char id_range[] = "ID out of range, must be below 2^63";
	static const char slot_range[] = "SLOT out of range, must be below 2^63";
	static const char pid_range[] = "PID out of range, must be below 2^63";
	const char *p = s, *tok;
	uint64_t v, t = r->time_ns;
	bool has_time = false;
	int rc;
	long n;

	ev->id = 0;
	ev->size = 0;
	ev->order = 0;
	ev->mtype = 0;
	ev->label[0] = '\0';
	ev->line = r->line;

	n = text_token(&p, end, &tok);
	if (n < 0)
		return text_fail(r, "malformed line, control byte", tok, (size_t)(end - tok));
	if (*tok == '@') {
		rc = n > 1 ? text_u64(tok + 1, (size_t)n - 1, &t) : -1;
		if (rc == -1)
			return text_fail(r, "malformed @ prefix, expected @NS", tok, (size_t)n);
		if (rc == -2)
			return text_fail(r, "malformed @ prefix, time overflows 64 bits", tok,
					 (size_t)n);
		if (t < r->time_ns) {
			char what[80];

			snprintf(what, sizeof(what), "time goes backwards, previous @%" PRIu64,
				 r->time_ns);
			return text_fail(r, what, tok, (size_t)n);
		}
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

	switch (*tok) {
	case 'a':
		ev->op = SIM_OP_ALLOC;
		TEXT_FIELD("ID");
		if ((rc = text_id(r, tok, n, id_range, &ev->id)))
			return rc;
		TEXT_FIELD("SIZE");
		if ((rc = text_size(r, tok, n, &ev->size)))
			return rc;
		break;
	case 'f':
		ev->op = SIM_OP_FREE;
		TEXT_FIELD("ID");
		if ((rc = text_id(r, tok, n, id_range, &ev->id)))
			return rc;
		break;
	case 'w':
		ev->op = SIM_OP_WRITE;
		TEXT_FIELD("SLOT");
		if ((rc = text_id(r, tok, n, slot_range, &ev->id)))
			return rc;
		TEXT_FIELD("SIZE");
		if ((rc = text_size(r, tok, n, &ev->size)))
			return rc;
		break;
	case 'z':
	case 'r':
	case 'd':
		ev->op = (enum sim_op)tok[0];
		TEXT_FIELD("SLOT");
		if ((rc = text_id(r, tok, n, slot_range, &ev->id)))
			return rc;
		break;
	case 'g':
		ev->op = SIM_OP_GET;
		TEXT_FIELD("ID");
		if ((rc = text_id(r, tok, n, id_range, &ev->id)))
			return rc;
		TEXT_FIELD("ORDER");
		if ((rc = text_number(r, tok, n, TRACE_TEXT_ORDER_MAX + 1,
				      "order out of range 0..10", &v)))
			return rc;
		ev->order = (uint8_t)v;
		TEXT_FIELD("TYPE");
		if (n != 1 || (*tok != SIM_MT_UNMOVABLE && *tok != SIM_MT_MOVABLE &&
			       *tok != SIM_MT_RECLAIMABLE))
			return text_fail(r, "bad migrate type, expected u, m or r", tok, (size_t)n);
		ev->mtype = *tok;
		break;
	case 'p':
		ev->op = SIM_OP_PUT;
		TEXT_FIELD("ID");
		if ((rc = text_id(r, tok, n, id_range, &ev->id)))
			return rc;
		break;
	case 'k':
	case 'x':
		ev->op = (enum sim_op)tok[0];
		TEXT_FIELD("PID");
		if ((rc = text_id(r, tok, n, pid_range, &ev->id)))
			return rc;
		break;
	case 'c':
	case 'v':
		ev->op = (enum sim_op)tok[0];
		break;
	case 'y':
		ev->op = SIM_OP_COMPACT_STEP;
		TEXT_FIELD("N");
		if ((rc = text_number(r, tok, n, TRACE_TEXT_ID_LIMIT,
				      "step count out of range, must be below 2^63", &ev->id)))
			return rc;
		break;
	case 'F':
		ev->op = SIM_OP_FORK_PROBE;
		TEXT_FIELD("N");
		if ((rc = text_number(r, tok, n, SIM_FORK_PROBE_MAX + 1,
				      "fork count out of range 1..100000", &ev->id)))
			return rc;
		if (ev->id == 0)
			return text_fail(r, "fork count out of range 1..100000", tok, (size_t)n);
		TEXT_FIELD("LABEL");
		if ((rc = text_label(r, tok, n, ev->label)))
			return rc;
		break;
	case 's':
		ev->op = SIM_OP_SNAPSHOT;
		TEXT_FIELD("LABEL");
		if ((rc = text_label(r, tok, n, ev->label)))
			return rc;
		break;
	default:
		return text_fail(r, "unknown op", tok, (size_t)n);
	}

	n = text_token(&p, end, &tok);
	if (n < 0)
		return text_fail(r, "malformed line, control byte", tok, (size_t)(end - tok));
	if (n > 0)
		return text_fail(r, "extra field", tok, (size_t)n);

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
