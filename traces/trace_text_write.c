/*
 * trace_text_write.c - the text trace writer (traces/FORMAT.md): the header
 * and metadata block, checked as the reader checks them, one line per event,
 * and the end line "e COUNT".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "trace_text.h"
#include "trace_text_internal.h"

/* 0 when the reader would give ev back from its text; *has_id: the op writes an ID. */
static int text_event_check(const struct sim_event *ev, bool *has_id)
{
	*has_id = true;
	switch (ev->op) {
	case SIM_OP_ALLOC:
	case SIM_OP_WRITE:
		if (ev->size < 1 || ev->size > TEXT_WRITE_SIZE_MAX)
			return -EINVAL;
		break;
	case SIM_OP_GET:
		if (ev->order > TRACE_TEXT_ORDER_MAX ||
		    (ev->mtype != SIM_MT_UNMOVABLE && ev->mtype != SIM_MT_MOVABLE &&
		     ev->mtype != SIM_MT_RECLAIMABLE))
			return -EINVAL;
		break;
	case SIM_OP_FREE:
	case SIM_OP_WRITE_SAME:
	case SIM_OP_READ:
	case SIM_OP_DISCARD:
	case SIM_OP_PUT:
	case SIM_OP_FORK:
	case SIM_OP_EXIT:
	case SIM_OP_COMPACT_STEP:
		break;
	case SIM_OP_SNAPSHOT:
		if (trace_check_label(ev->label))
			return -EINVAL;
		*has_id = false;
		break;
	case SIM_OP_FORK_PROBE:
		if (ev->id < 1 || ev->id > SIM_FORK_PROBE_MAX || trace_check_label(ev->label))
			return -EINVAL;
		break;
	case SIM_OP_COMPACT:
	case SIM_OP_VERIFY:
		*has_id = false;
		break;
	default:
		return -EINVAL;
	}
	if (*has_id && ev->id >= TRACE_TEXT_ID_LIMIT)
		return -EINVAL;
	if (ev->new_zspage && ev->op != SIM_OP_ALLOC && ev->op != SIM_OP_WRITE)
		return -EINVAL;
	if (ev->swapped_out && (ev->op != SIM_OP_PUT || ev->slot >= TRACE_TEXT_ID_LIMIT))
		return -EINVAL;
	return 0;
}

int trace_format_event(char *buf, size_t buflen, const struct sim_event *ev)
{
	char *p = buf;
	bool has_id;

	if (buflen < TRACE_TEXT_EVENT_MAX)
		return -ENOSPC;
	if (text_event_check(ev, &has_id))
		return -EINVAL;

	if (ev->has_time) {
		*p++ = '@';
		p = text_put_u64(p, ev->time_ns);
		*p++ = ' ';
	}
	*p++ = (char)ev->op;
	if (has_id) {
		*p++ = ' ';
		p = text_put_u64(p, ev->id);
	}
	if (ev->op == SIM_OP_ALLOC || ev->op == SIM_OP_WRITE) {
		*p++ = ' ';
		p = text_put_u64(p, ev->size);
		if (ev->new_zspage) {
			*p++ = ' ';
			*p++ = 'n';
		}
	} else if (ev->op == SIM_OP_PUT && ev->swapped_out) {
		*p++ = ' ';
		*p++ = 's';
		*p++ = ' ';
		p = text_put_u64(p, ev->slot);
	} else if (ev->op == SIM_OP_GET) {
		*p++ = ' ';
		p = text_put_u64(p, ev->order);
		*p++ = ' ';
		*p++ = ev->mtype;
	} else if (ev->op == SIM_OP_SNAPSHOT || ev->op == SIM_OP_FORK_PROBE) {
		size_t l = strlen(ev->label);

		*p++ = ' ';
		memcpy(p, ev->label, l);
		p += l;
	}
	*p++ = '\n';
	*p = '\0';
	return (int)(p - buf);
}

int trace_write_event(FILE *f, const struct sim_event *ev)
{
	char buf[TRACE_TEXT_EVENT_MAX];
	int n = trace_format_event(buf, sizeof(buf), ev);

	if (n < 0)
		return n;
	return fwrite(buf, 1, (size_t)n, f) == (size_t)n ? 0 : -EIO;
}

int trace_write_end(FILE *f, uint64_t count)
{
	return fprintf(f, "e %" PRIu64 "\n", count) < 0 ? -EIO : 0;
}

/* A value the reader gives back unchanged: non-empty, no control byte, no edge blank. */
static bool text_value_ok(const char *v)
{
	size_t i, len = strlen(v);

	if (!len || len > TRACE_TEXT_LINE_MAX - TRACE_TEXT_KEY_MAX - 3)
		return false;
	if (text_is_blank(v[0]) || text_is_blank(v[len - 1]))
		return false;
	for (i = 0; i < len; i++)
		if (((unsigned char)v[i] < 0x20 && v[i] != '\t') || v[i] == 0x7f)
			return false;
	return true;
}

int trace_write_header(FILE *f, const struct trace_meta *meta, size_t n)
{
	size_t i, j;
	uint64_t v;

	if (n > TRACE_TEXT_META_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!meta[i].key || !meta[i].value ||
		    !text_key_ok(meta[i].key, strlen(meta[i].key)) || !text_value_ok(meta[i].value))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (!strcmp(meta[i].key, meta[j].key))
				return -EINVAL;
		if (!strcmp(meta[i].key, "page_size") &&
		    (text_u64(meta[i].value, strlen(meta[i].value), &v) || !text_page_size_ok(v)))
			return -EINVAL;
	}
	if (fprintf(f, "%s %d\n", TRACE_TEXT_MAGIC, TRACE_TEXT_VERSION) < 0)
		return -EIO;
	for (i = 0; i < n; i++)
		if (fprintf(f, "! %s %s\n", meta[i].key, meta[i].value) < 0)
			return -EIO;
	return 0;
}
