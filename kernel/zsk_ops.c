// SPDX-License-Identifier: GPL-2.0
/*
 * zsk_ops.c - the replay module's trace ops on the kernel's zsmalloc: the
 * text lines cut from what is written to /proc/zsfrag_kreplay, each op on the
 * pool and the object table, the payload pattern, snapshots and the timing
 * histograms. What each op does is described at the head of zsk_replay.c.
 */
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>
#include <linux/zsmalloc.h>

#include "zsk_layout.h"
#include "zsk_replay.h"

#define ZSK_KEY_SAME U64_MAX /* key of a slot holding a same-filled page */

static void zsk_time_add(struct zsk_timing *t, u64 ns)
{
	unsigned int b = ns > 1 ? (unsigned int)ilog2(ns) : 0;

	if (t->count == 0 || ns < t->min_ns)
		t->min_ns = ns;
	if (ns > t->max_ns)
		t->max_ns = ns;
	t->count++;
	t->total_ns += ns;
	t->hist[min_t(unsigned int, b, ZSK_HIST_BUCKETS - 1)]++;
}

/* Upper bound of the bucket holding the q-th fraction (q in percent) of calls. */
static u64 zsk_time_quantile(const struct zsk_timing *t, unsigned int q)
{
	/* div64_u64: a plain u64 division needs libgcc on 32-bit ARM */
	u64 want = div64_u64(t->count * q + 99, 100), seen = 0;
	unsigned int b;

	for (b = 0; b < ZSK_HIST_BUCKETS; b++) {
		seen += t->hist[b];
		if (seen >= want && seen > 0)
			return b >= 63 ? U64_MAX : (2ULL << b) - 1;
	}
	return 0;
}

void zsk_time_print(const char *op, const struct zsk_timing *t)
{
	pr_info("ZSK timing op=%s count=%llu total_ns=%llu mean_ns=%llu min_ns=%llu p50_ns_le=%llu p99_ns_le=%llu max_ns=%llu\n",
		op, t->count, t->total_ns, t->count ? div64_u64(t->total_ns, t->count) : 0, t->min_ns,
		zsk_time_quantile(t, 50), zsk_time_quantile(t, 99), t->max_ns);
}

/* Count and (up to a limit) print a trace error; returns -EINVAL for the caller. */
static int zsk_error(struct zsk_state *st, const char *what, const char *tok)
{
	st->errors++;
	if (st->errors <= ZSK_ERRORS_SHOWN)
		pr_info("ZSK error line=%llu event=%llu msg=%s%s%s\n", st->lineno, st->events, what,
			tok ? ": " : "", tok ? tok : "");
	return -EINVAL;
}

/* The payload pattern: 64-bit words mixed from the key and the word index. */
static u64 zsk_word(u64 key, size_t j)
{
	u64 x = (key + 1) * 0x9E3779B97F4A7C15ULL ^ ((u64)j * 0xD6E8FEB86659FD93ULL);

	return x ^ (x >> 29);
}

static void zsk_fill(u8 *p, size_t len, u64 key)
{
	size_t j;

	for (j = 0; j * 8 < len; j++) {
		u64 w = zsk_word(key, j);

		memcpy(p + j * 8, &w, min_t(size_t, 8, len - j * 8));
	}
}

static bool zsk_check(const u8 *p, size_t len, u64 key)
{
	size_t j;

	for (j = 0; j * 8 < len; j++) {
		u64 w = zsk_word(key, j);

		if (memcmp(p + j * 8, &w, min_t(size_t, 8, len - j * 8)) != 0)
			return false;
	}
	return true;
}

/* zs_malloc as zram does it, then write the pattern. 0 or a negative errno. */
static int zsk_alloc(struct zsk_state *st, struct zsk_obj *o)
{
	unsigned long h;
	u64 t0 = ktime_get_ns();
	void *p;

	h = zs_malloc(st->pool, o->size, ZSK_GFP_FIRST);
	if (IS_ERR_VALUE(h))
		h = zs_malloc(st->pool, o->size, ZSK_GFP_RETRY);
	zsk_time_add(&st->t_malloc, ktime_get_ns() - t0);
	if (IS_ERR_VALUE(h))
		return (int)PTR_ERR((void *)h);
	if (h == 0) /* older kernels said "no memory" with a 0 handle */
		return -ENOMEM;
	o->handle = h;
	p = zs_map_object(st->pool, h, ZS_MM_WO);
	zsk_fill(p, o->size, o->key);
	zs_unmap_object(st->pool, h);
	st->live++;
	return 0;
}

void zsk_free(struct zsk_state *st, struct zsk_obj *o)
{
	u64 t0;

	if (o->handle) {
		t0 = ktime_get_ns();
		zs_free(st->pool, o->handle);
		zsk_time_add(&st->t_free, ktime_get_ns() - t0);
		st->live--;
	}
	memset(o, 0, sizeof(*o));
}

static bool zsk_verify_one(struct zsk_state *st, const struct zsk_obj *o)
{
	bool ok;
	void *p;

	if (!o->handle)
		return true;
	p = zs_map_object(st->pool, o->handle, ZS_MM_RO);
	ok = zsk_check(p, o->size, o->key);
	zs_unmap_object(st->pool, o->handle);
	return ok;
}

static int zsk_parse_u64(const char *tok, u64 *v)
{
	return tok && kstrtou64(tok, 10, v) == 0 ? 0 : -EINVAL;
}

static int zsk_op_alloc(struct zsk_state *st, const char *a1, const char *a2)
{
	struct zsk_obj *o;
	u64 id, size;
	int err;

	if (zsk_parse_u64(a1, &id) || zsk_parse_u64(a2, &size) || size == 0 || size > U32_MAX)
		return zsk_error(st, "bad a arguments", a1);
	if (id >= nr_ids)
		return zsk_error(st, "a ID beyond the object table (insmod nr_ids)", a1);
	o = &st->objs[id];
	if (o->key)
		return zsk_error(st, "a of a live ID", a1);
	o->key = id + 1;
	o->size = (u32)size;
	o->comp_len = (u32)size;
	err = zsk_alloc(st, o);
	if (err) {
		memset(o, 0, sizeof(*o));
		return zsk_error(st, "zs_malloc failed", a2);
	}
	return 0;
}

static int zsk_op_free(struct zsk_state *st, const char *a1)
{
	struct zsk_obj *o;
	u64 id;

	if (zsk_parse_u64(a1, &id))
		return zsk_error(st, "bad f argument", a1);
	o = id < nr_ids ? &st->objs[id] : NULL;
	if (!o || !o->key)
		return zsk_error(st, "f of an ID that is not live", a1);
	zsk_free(st, o);
	return 0;
}

/* Forget a slot's content in the zram-style counters (not the object). */
static void zsk_slot_uncount(struct zsk_state *st, const struct zsk_obj *o)
{
	st->nr_slots--;
	if (!o->handle) {
		st->same_pages--;
		return;
	}
	st->compr_bytes -= o->size;
	if (o->size == PAGE_SIZE)
		st->huge_pages--;
}

static void zsk_slot_count(struct zsk_state *st, const struct zsk_obj *o)
{
	st->nr_slots++;
	if (!o->handle) {
		st->same_pages++;
		return;
	}
	st->compr_bytes += o->size;
	if (o->size == PAGE_SIZE)
		st->huge_pages++;
}

/* w (same == false) and z (same == true). */
static int zsk_op_write(struct zsk_state *st, const char *a1, const char *a2, bool same)
{
	struct zsk_obj n = {0}, *o = &n, *old;
	u64 slot, size = 0;

	if (zsk_parse_u64(a1, &slot) ||
	    (!same && (zsk_parse_u64(a2, &size) || size == 0 || size > PAGE_SIZE)))
		return zsk_error(st, same ? "bad z argument" : "bad w arguments", a1);
	if (slot >= nr_slots)
		return zsk_error(st, "SLOT beyond the slot table (insmod nr_slots)", a1);
	old = &st->slots[slot];
	o->key = ZSK_KEY_SAME;
	if (!same) {
		o->comp_len = (u32)size;
		o->size = size >= st->huge_class_size ? PAGE_SIZE : (u32)size;
		o->key = (1ULL << 63) | st->write_seq++;
		if (zsk_alloc(st, o))
			return zsk_error(st, "zs_malloc failed", a2);
		/* zram samples the pool size for mem_used_max after each stored write. */
		st->used_max = max(st->used_max, zs_get_total_pages(st->pool));
		if (o->size == PAGE_SIZE)
			st->huge_since++;
	}
	/* The new object exists before the old one is freed, as in zram_write_page(). */
	zsk_slot_count(st, o);
	if (old->key) {
		zsk_slot_uncount(st, old);
		zsk_free(st, old);
	}
	*old = n;
	return 0;
}

static int zsk_op_read(struct zsk_state *st, const char *a1)
{
	struct zsk_obj *o;
	u64 slot;

	if (zsk_parse_u64(a1, &slot))
		return zsk_error(st, "bad r argument", a1);
	o = slot < nr_slots ? &st->slots[slot] : NULL;
	if (o && o->key && !zsk_verify_one(st, o)) {
		st->read_mismatches++;
		return zsk_error(st, "r found a wrong payload", a1);
	}
	return 0;
}

static int zsk_op_discard(struct zsk_state *st, const char *a1)
{
	struct zsk_obj *o;
	u64 slot;

	if (zsk_parse_u64(a1, &slot))
		return zsk_error(st, "bad d argument", a1);
	o = slot < nr_slots ? &st->slots[slot] : NULL;
	if (o && o->key) {
		zsk_slot_uncount(st, o);
		zsk_free(st, o);
	}
	return 0;
}

static void zsk_op_compact(struct zsk_state *st)
{
	u64 t0 = ktime_get_ns(), ns;
	unsigned long freed;

	freed = zs_compact(st->pool);
	ns = ktime_get_ns() - t0;
	st->manual_compacted += freed;
	pr_info("ZSK compact event=%llu pages_freed=%lu ns=%llu\n", st->events, freed, ns);
}

static void zsk_op_verify(struct zsk_state *st)
{
	u64 checked = 0, bad = 0;
	struct zsk_obj *o;
	unsigned long i;

	for (i = 0; i < nr_ids; i++) {
		o = &st->objs[i];
		if (!o->key)
			continue;
		checked++;
		bad += !zsk_verify_one(st, o);
		if ((checked & 1023) == 0)
			cond_resched();
	}
	for (i = 0; i < nr_slots; i++) {
		o = &st->slots[i];
		if (!o->handle)
			continue;
		checked++;
		bad += !zsk_verify_one(st, o);
		if ((checked & 1023) == 0)
			cond_resched();
	}
	pr_info("ZSK verify event=%llu checked=%llu mismatches=%llu\n", st->events, checked, bad);
}

static u64 zsk_pages_compacted(struct zsk_state *st)
{
	struct zs_pool_stats ps;

	memset(&ps, 0, sizeof(ps));
	zs_pool_stats(st->pool, &ps);
	return (u64)atomic_long_read(&ps.pages_compacted);
}

/* Print the per-class table; false when its sums disagree with the pool totals. */
static bool zsk_print_classes(struct zsk_state *st, unsigned long total)
{
	unsigned long sum_pages = 0, sum_used = 0;
	struct zsk_class_stat cs;
	char fl[ZSK_FULLNESS_MAX * 21 + 1];
	unsigned int i, k;
	size_t n;

	for (i = 0; i < zsk_nr_classes(); i++) {
		if (!zsk_class_read(st->layout, st->pool, i, &cs))
			continue;
		sum_pages += cs.pages_used;
		sum_used += cs.obj_used;
		if (cs.obj_allocated == 0)
			continue;
		for (k = 0, n = 0, fl[0] = '\0'; k < cs.nr_fullness; k++)
			n += scnprintf(fl + n, sizeof(fl) - n, "%s%lu", k ? "," : "",
				       cs.fullness[k]);
		pr_info("ZSK class snap=%llu index=%u size=%d obj_allocated=%lu obj_used=%lu pages_used=%lu pages_per_zspage=%d objs_per_zspage=%d fullness=%s\n",
			st->snapshots, cs.index, cs.size, cs.obj_allocated, cs.obj_used,
			cs.pages_used, cs.pages_per_zspage, cs.objs_per_zspage, fl);
	}
	if (sum_pages == total && sum_used == st->live)
		return true;
	pr_info("ZSK layout_check snap=%llu ok=0 sum_pages_used=%lu total_pages=%lu sum_obj_used=%lu live_objects=%llu\n",
		st->snapshots, sum_pages, total, sum_used, st->live);
	return false;
}

void zsk_op_snapshot(struct zsk_state *st, const char *label)
{
	unsigned long total = zs_get_total_pages(st->pool);
	u64 compacted = zsk_pages_compacted(st);
	bool table_ok = st->layout != NULL;

	pr_info("ZSK snap index=%llu event=%llu total_pages=%lu pages_compacted=%llu live_objects=%llu label=%s\n",
		st->snapshots, st->events, total, compacted, st->live, label);
	pr_info("ZSK mm_stat snap=%llu orig_data_size=%llu compr_data_size=%llu mem_used_total=%lu mem_limit=0 mem_used_max=%lu same_pages=%llu pages_compacted=%llu huge_pages=%llu huge_pages_since=%llu\n",
		st->snapshots, st->nr_slots * PAGE_SIZE, st->compr_bytes, total * PAGE_SIZE,
		st->used_max * PAGE_SIZE, st->same_pages, compacted, st->huge_pages,
		st->huge_since);
	if (compacted != st->manual_compacted)
		pr_info("ZSK warning snap=%llu msg=the shrinker compacted the pool (%llu pages beyond zs_compact calls): give the VM more memory\n",
			st->snapshots, compacted - st->manual_compacted);
	if (table_ok && !zsk_print_classes(st, total)) {
		pr_info("ZSK warning msg=per-class sums disagree with pool totals: layout %s rejected, totals only from here on\n",
			zsk_layout_name(st->layout));
		st->layout = NULL;
		table_ok = false;
	}
	pr_info("ZSK snap_end index=%llu class_table=%s\n", st->snapshots,
		table_ok ? "ok" : "unavailable");
	st->snapshots++;
}

/* Split line into at most max blank-separated tokens; returns how many. */
static int zsk_tokens(char *line, char **tok, int max)
{
	int n = 0;
	char *t;

	while ((t = strsep(&line, " \t\r")) != NULL) {
		if (*t == '\0')
			continue;
		if (n == max)
			return max + 1;
		tok[n++] = t;
	}
	return n;
}

static void zsk_meta(struct zsk_state *st, char *line)
{
	char *tok[4];
	u64 ps;

	/* "! page_size N": the module runs on 4 KiB pages only. */
	if (zsk_tokens(line, tok, 3) == 3 && strcmp(tok[1], "page_size") == 0 &&
	    (zsk_parse_u64(tok[2], &ps) || ps != PAGE_SIZE)) {
		zsk_error(st, "trace page_size differs from the kernel's", tok[2]);
		st->broken = true;
	}
}

void zsk_line(struct zsk_state *st, char *line)
{
	char *tok[6], **ev = tok; /* [@NS] OP and up to 3 fields (g ID ORDER TYPE) */
	int n;

	line = skip_spaces(line);
	if (line[0] == '#' || st->broken)
		return;
	if (line[0] == '!') {
		if (st->header_seen)
			zsk_meta(st, line);
		return;
	}
	n = zsk_tokens(line, tok, 5);
	if (n == 0)
		return;
	if (!st->header_seen) {
		if (n != 2 || strcmp(tok[0], "zsfrag-trace") != 0 || strcmp(tok[1], "1") != 0) {
			zsk_error(st, "not a zsfrag-trace 1 file", tok[0]);
			st->broken = true;
			return;
		}
		st->header_seen = true;
		return;
	}
	if (tok[0][0] == '@') { /* simulated time: irrelevant here */
		ev++;
		n--;
	}
	st->events++;
	if (n < 1 || n > 4 || ev[0][1] != '\0') {
		zsk_error(st, "malformed event", n >= 1 ? ev[0] : NULL);
		return;
	}
	switch (ev[0][0]) {
	case 'a':
		zsk_op_alloc(st, n > 1 ? ev[1] : NULL, n > 2 ? ev[2] : NULL);
		break;
	case 'f':
		zsk_op_free(st, n > 1 ? ev[1] : NULL);
		break;
	case 'w':
		zsk_op_write(st, n > 1 ? ev[1] : NULL, n > 2 ? ev[2] : NULL, false);
		break;
	case 'z':
		zsk_op_write(st, n > 1 ? ev[1] : NULL, NULL, true);
		break;
	case 'r':
		zsk_op_read(st, n > 1 ? ev[1] : NULL);
		break;
	case 'd':
		zsk_op_discard(st, n > 1 ? ev[1] : NULL);
		break;
	case 'c':
		zsk_op_compact(st);
		break;
	case 's':
		zsk_op_snapshot(st, n > 1 ? ev[1] : "");
		break;
	case 'v':
		zsk_op_verify(st);
		break;
	case 'g':
	case 'p':
	case 'k':
	case 'x':
	case 'F': /* the fork probe: guest-init.sh runs it between trace pieces */
		st->ignored++;
		break;
	default:
		zsk_error(st, "unknown op", ev[0]);
	}
	if ((st->events & 255) == 0)
		cond_resched();
}

/* Append bytes to the line buffer, handling every complete line. */
void zsk_feed(struct zsk_state *st, const char *buf, size_t len)
{
	while (len > 0) {
		const char *nl = memchr(buf, '\n', len);
		size_t take = nl ? (size_t)(nl - buf) : len;
		size_t room = ZSK_LINE_MAX - st->line_len;

		if (take > room) {
			st->line_overlong = true;
			take = room;
		}
		memcpy(st->line + st->line_len, buf, take);
		st->line_len += take;
		if (!nl)
			return;
		len -= (size_t)(nl - buf) + 1;
		buf = nl + 1;
		st->line[st->line_len] = '\0';
		st->lineno++;
		if (st->line_overlong && st->line[0] != '#' && st->line[0] != '!')
			zsk_error(st, "line too long", NULL);
		else
			zsk_line(st, st->line);
		st->line_len = 0;
		st->line_overlong = false;
	}
}
