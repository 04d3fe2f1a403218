/*
 * cli_report_metrics.c - the comparison's numbers, read back from results
 * JSON (see cli_compare.h), and the side-by-side table as text and HTML.
 *
 * Definitions (the README's "Comparing runs" repeats them):
 *  - pool before / after compaction: pool_pages_before and _after of the
 *    compaction run that freed the most pages (the first of equals), so
 *    that a periodic policy's early small runs do not hide the one that
 *    mattered; "-" when none ran.
 *  - pool / ideal / used at the end: the final snapshot. The ideal is the
 *    engine's bound, sum over classes of ceil(obj_used / objs_per_zspage) *
 *    pages_per_zspage: the pages if every class were perfectly packed.
 *  - order-2 unusable index: of the zone a 32-bit ARM pgd must come from
 *    (cmp_pgd_zone: Normal unless the results name another), falling back to
 *    the machine-wide value when there are no zones; mean and maximum over
 *    the snapshots where that zone is above its low watermark (below it the
 *    zone is short of memory, not fragmented: those are counted apart), so
 *    with --sample-every the mean is a time average.
 *  - fork outcomes: every kind the results file records (cmp_fork_outcomes).
 *  - zram writes failed, and why: io_stat's failed_writes and its reasons.
 *  - compaction CPU time: sum of cpu_ns, "-" for runs made with --no-timing.
 *  - fork stalls, OOM kills, failures: the final snapshot's forks (results
 *    format 2). A format-1 file (no "results_format") counted as failed
 *    every fork that found no pgd, and recorded no stalls: its fork rows
 *    are "-", and cmp_metrics_load says so.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "cli_compare.h"
#include "results_fields.h"
#include "config.h"

const struct cmp_metric_info cmp_metric_info[CMP_NR_METRICS] = {
    [CMP_POOL_PEAK] = {"pool_peak", "pool pages, peak", "pages", +1, 0},
    [CMP_POOL_BEFORE] = {"pool_before", "pool pages before compaction", "pages", +1, 0},
    [CMP_POOL_AFTER] = {"pool_after", "pool pages after compaction", "pages", +1, 0},
    [CMP_POOL_END] = {"pool_end", "pool pages at end", "pages", +1, 0},
    [CMP_IDEAL_END] = {"ideal_end", "ideal pages at end", "pages", 0, 0},
    [CMP_USED_END] = {"used_end", "used ratio at end", "stored / pool bytes", -1, 3},
    [CMP_ZRAM_WRITES] = {"zram_writes", "zram writes", "writes", 0, 0},
    [CMP_ZRAM_FAILED] = {"zram_failed", "zram writes failed", "writes", +1, 0},
    [CMP_ZRAM_FAILED_ALLOC] = {"zram_failed_alloc", "  of which zs_malloc found no page", "writes",
			       +1, 0},
    [CMP_ZRAM_FAILED_LIMIT] = {"zram_failed_limit", "  of which over mem_limit", "writes", +1, 0},
    [CMP_FORKS] = {"forks", "fork attempts", "forks", 0, 0},
    [CMP_FORKS_STALLED] = {"forks_stalled", "fork stalls (compaction, reclaim, OOM)", "forks", +1,
			   0},
    [CMP_STALLS_WMARK] = {"stalls_watermark", "fork stalls below the watermark", "forks", +1, 0},
    [CMP_STALLS_FRAG] = {"stalls_fragmentation", "fork stalls on fragmentation", "forks", +1, 0},
    [CMP_FORKS_OOM] = {"forks_oom_kill", "fork OOM kills", "forks", +1, 0},
    [CMP_FORKS_FAILED] = {"forks_failed", "forks failed (-ENOMEM)", "forks", +1, 0},
    [CMP_UNUSABLE_MEAN] = {"unusable_mean", "order-2 unusable index, mean", "0..1", +1, 3},
    [CMP_UNUSABLE_WORST] = {"unusable_worst", "order-2 unusable index, worst", "0..1", +1, 3},
    [CMP_INDEX_SKIPPED] = {"index_skipped", "  snapshots left out: zone below low wmark",
			   "snapshots", 0, 0},
    [CMP_COMPACTIONS] = {"compactions", "zs_compact runs", "runs", 0, 0},
    [CMP_PAGES_FREED] = {"pages_freed", "pages freed by compaction", "pages", 0, 0},
    [CMP_OBJS_MIGRATED] = {"objs_migrated", "objects migrated", "objects", +1, 0},
    [CMP_BYTES_COPIED] = {"bytes_copied", "bytes copied", "bytes", +1, 0},
    [CMP_CPU_MS] = {"cpu_ms", "compaction CPU time, ms (host)", "ms", +1, 3, true},
    [CMP_ZS_MIGRATED] = {"zs_pages_migrated", "zspage pages moved by kcompactd", "pages", 0, 0},
};

int cmp_metric_lookup(const char *key)
{
	for (int i = 0; i < CMP_NR_METRICS; i++)
		if (!strcmp(key, cmp_metric_info[i].key))
			return i;
	return -1;
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(json_t *o, const char *key, const char *dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : dflt;
}

/* --- fork outcomes, the pgd zone, when its index means something --- */

static void add_outcome(struct cmp_outcome *o, unsigned int *n, unsigned int max, const char *name,
			json_t *v)
{
	if (*n >= max || !json_is_number(v))
		return;
	snprintf(o[*n].name, sizeof(o[*n].name), "%s", name);
	o[*n].n = json_number_value(v);
	(*n)++;
}

unsigned int cmp_fork_outcomes(json_t *forks, struct cmp_outcome *o, unsigned int max)
{
	json_t *outcomes = json_object_get(forks, "outcomes"), *by, *v;
	const char *k;
	unsigned int n = 0;

	if (json_is_object(outcomes)) {
		json_object_foreach(outcomes, k, v) add_outcome(o, &n, max, k, v);
		return n;
	}
	by = json_object_get(forks, "succeeded_by");
	json_object_foreach(by, k, v) add_outcome(o, &n, max, k, v);
	by = json_object_get(forks, "failed_by");
	if (json_is_object(by)) {
		json_object_foreach(by, k, v) add_outcome(o, &n, max, k, v);
	} else if (json_is_number(json_object_get(forks, "failed"))) {
		add_outcome(o, &n, max, "failed", json_object_get(forks, "failed"));
	}
	return n;
}

bool cmp_outcome_is_fast(const char *name)
{
	return !strcmp(name, "fast");
}

const char *cmp_outcome_label(const char *name, char *buf, size_t len)
{
	static const char *const known[][2] = {
	    {"fast", "fast (off the free lists)"},
	    {"compaction", "after direct compaction"},
	    {"reclaim", "after direct reclaim"},
	    {"oom_kill", "needing an OOM kill"},
	    {"kcompact", "after direct compaction"},
	    {"shrinker", "after reclaim (zsmalloc shrinker)"},
	    {"zs_compact", "after zs_compact (on-pgd-failure)"},
	    {"failed", "failed (-ENOMEM; format 1: no order-2 pgd)"},
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(name, known[i][0]))
			return known[i][1];
	snprintf(buf, len, "%s", name);
	for (char *p = buf; *p; p++)
		if (*p == '_')
			*p = ' ';
	return buf;
}

json_t *cmp_pgd_zone(json_t *snap)
{
	json_t *zones = json_object_get(snap, "zones"), *z;
	size_t i;

	json_t *best = json_array_get(zones, 0);

	json_array_foreach(zones, i, z) if (json_is_true(json_object_get(z, "pgd_zone"))) return z;
	/* else the highest lowmem zone: Normal, DMA on ARM virt, DMA32 on a small x86_64 */
	json_array_foreach(zones, i, z) if (strcmp(str(z, "name", ""), "HighMem")) best = z;
	return best;
}

bool cmp_index_meaningful(json_t *zone, double *limit)
{
	double low = num(json_object_get(zone, "watermarks"), "low");
	double fr = num(zone, "free_pages");

	if (isnan(low))
		low = CMP_FEW_FREE_PAGES;
	if (limit)
		*limit = low;
	return !isnan(fr) && fr > low;
}

/* The pgd zone's order-2 unusable index, else the machine's; *ok: whether it means something. */
static double unusable(json_t *snap, bool *ok)
{
	json_t *z = cmp_pgd_zone(snap);

	if (!z) {
		*ok = num(snap, "free_pages") > CMP_FEW_FREE_PAGES;
		return num(snap, "unusable_index");
	}
	*ok = cmp_index_meaningful(z, NULL);
	return num(z, "unusable_index");
}

/* What the run was: trace, profile, arch, policies, variant, workload, seed, page size. */
static void metrics_inputs(json_t *in, struct cmp_metrics *m)
{
	const char *trace = str(in, "trace", "?"), *slash = strrchr(trace, '/');

	snprintf(m->trace, sizeof(m->trace), "%s", slash ? slash + 1 : trace);
	snprintf(m->profile, sizeof(m->profile), "%s", str(in, "profile", "?"));
	snprintf(m->arch, sizeof(m->arch), "%s", str(in, "arch", "?"));
	snprintf(m->policies, sizeof(m->policies), "%s", str(in, "policies", "?"));
	snprintf(m->variant, sizeof(m->variant), "%s", str(in, "variant", ""));
	if (!m->variant[0])
		snprintf(m->variant, sizeof(m->variant), "%s %s", m->profile, m->policies);
	/* without --seeds each trace is its own workload: its whole path (d1/t.trace and
	 * d2/t.trace are two) */
	snprintf(m->workload, sizeof(m->workload), "%s", str(in, "workload", trace));
	if (json_is_integer(json_object_get(in, "replicate")))
		snprintf(m->replicate, sizeof(m->replicate), "%lld",
			 (long long)json_integer_value(json_object_get(in, "replicate")));
	m->variant_order = json_is_integer(json_object_get(in, "variant_order"))
			       ? (int)json_integer_value(json_object_get(in, "variant_order"))
			       : -1;
	m->seed = json_is_integer(json_object_get(in, "seed"))
		      ? (uint64_t)json_integer_value(json_object_get(in, "seed"))
		      : 0;
	m->page_size = json_is_integer(json_object_get(in, "page_size"))
			   ? (unsigned long)json_integer_value(json_object_get(in, "page_size"))
			   : 4096;
}

/* Over every snapshot: the pool's peak, the unusable index's mean and worst where it counts. */
static void metrics_snapshots(json_t *snaps, struct cmp_metrics *m)
{
	double sum = 0, worst = 0, counted = 0;
	json_t *s;
	size_t i;

	m->v[CMP_POOL_PEAK] = 0;
	json_array_foreach(snaps, i, s)
	{
		bool ok;
		double u = unusable(s, &ok);

		m->v[CMP_POOL_PEAK] =
		    fmax(m->v[CMP_POOL_PEAK], num(s, RESULTS_KEY(snapshot, pool_pages)));
		if (!ok || isnan(u))
			continue;
		sum += u;
		worst = fmax(worst, u);
		counted++;
	}
	m->v[CMP_UNUSABLE_MEAN] = counted ? sum / counted : NAN;
	m->v[CMP_UNUSABLE_WORST] = counted ? worst : NAN;
	m->v[CMP_INDEX_SKIPPED] = (double)json_array_size(snaps) - counted;
}

/* From the final snapshot: zram's writes, the pool at the end, the forks. */
static void metrics_final(json_t *root, json_t *fin, struct cmp_metrics *m)
{
	json_t *io = json_object_get(fin, "io_stat");

	m->v[CMP_ZRAM_WRITES] = num(io, RESULTS_KEY(io_stat, writes));
	m->v[CMP_ZRAM_FAILED] = num(io, RESULTS_KEY(io_stat, failed_writes));
	m->v[CMP_ZRAM_FAILED_ALLOC] = num(io, RESULTS_KEY(io_stat, failed_writes_alloc));
	m->v[CMP_ZRAM_FAILED_LIMIT] = num(io, RESULTS_KEY(io_stat, failed_writes_mem_limit));
	m->nr_outcomes =
	    cmp_fork_outcomes(json_object_get(fin, "forks"), m->outcome, CMP_MAX_OUTCOMES);
	m->v[CMP_POOL_END] = num(fin, RESULTS_KEY(snapshot, pool_pages));
	m->v[CMP_IDEAL_END] = num(fin, RESULTS_KEY(snapshot, ideal_pages));
	m->v[CMP_USED_END] = num(fin, "used_ratio");
	m->v[CMP_FORKS] = num(json_object_get(fin, "forks"), RESULTS_KEY(forks, attempted));
	m->format = json_is_integer(json_object_get(root, "results_format"))
			? (int)json_integer_value(json_object_get(root, "results_format"))
			: 1;
	if (m->format >= 2) {
		json_t *fk = json_object_get(fin, "forks");
		json_t *why = json_object_get(fk, "stall_reasons");

		m->v[CMP_FORKS_STALLED] = num(fk, RESULTS_KEY(forks, stalls));
		m->v[CMP_STALLS_WMARK] = num(why, "watermark");
		m->v[CMP_STALLS_FRAG] = num(why, "fragmentation");
		m->v[CMP_FORKS_OOM] = num(json_object_get(fk, "outcomes"), "oom_kill");
		m->v[CMP_FORKS_FAILED] = num(fk, RESULTS_KEY(forks, failed));
	}
	m->v[CMP_ZS_MIGRATED] =
	    num(json_object_get(fin, "kcompact"), RESULTS_KEY(kcompact, zs_pages_migrated));
}

/* Over every compaction run: their sums, and the pool around the one that freed the most. */
static void metrics_compactions(json_t *in, json_t *comps, struct cmp_metrics *m)
{
	double most_freed = -1;
	json_t *c;
	size_t i;

	m->v[CMP_COMPACTIONS] = (double)json_array_size(comps);
	m->v[CMP_PAGES_FREED] = m->v[CMP_OBJS_MIGRATED] = m->v[CMP_BYTES_COPIED] = 0;
	m->v[CMP_CPU_MS] = json_is_true(json_object_get(in, "timing")) ? 0 : NAN;
	json_array_foreach(comps, i, c)
	{
		/* the run that freed the most pages (the first of equals) */
		if (num(c, RESULTS_KEY(compaction, pages_freed)) > most_freed) {
			most_freed = num(c, RESULTS_KEY(compaction, pages_freed));
			m->v[CMP_POOL_BEFORE] = num(c, RESULTS_KEY(compaction, pool_pages_before));
			m->v[CMP_POOL_AFTER] = num(c, RESULTS_KEY(compaction, pool_pages_after));
		}
		m->v[CMP_POOL_PEAK] =
		    fmax(m->v[CMP_POOL_PEAK], num(c, RESULTS_KEY(compaction, pool_pages_before)));
		m->v[CMP_PAGES_FREED] += num(c, RESULTS_KEY(compaction, pages_freed));
		m->v[CMP_OBJS_MIGRATED] += num(c, RESULTS_KEY(compaction, objs_migrated));
		m->v[CMP_BYTES_COPIED] += num(c, RESULTS_KEY(compaction, bytes_copied));
		m->v[CMP_CPU_MS] += num(c, "cpu_ns") / 1e6; /* NaN stays NaN */
	}
}

int cmp_metrics_from_json(json_t *root, struct cmp_metrics *m, char *msg, size_t msglen)
{
	json_t *in = json_object_get(root, "inputs");
	json_t *snaps = json_object_get(root, "snapshots");
	json_t *comps = json_object_get(root, "compactions");

	if (!json_is_object(in) || !json_is_array(snaps) || !json_array_size(snaps) ||
	    !json_is_array(comps)) {
		snprintf(msg, msglen, "not a zsfrag results file (inputs, snapshots, compactions)");
		return -EINVAL;
	}
	metrics_inputs(in, m);
	for (size_t i = 0; i < CMP_NR_METRICS; i++)
		m->v[i] = NAN;
	metrics_snapshots(snaps, m);
	metrics_final(root, json_array_get(snaps, json_array_size(snaps) - 1), m);
	metrics_compactions(in, comps, m);
	return 0;
}

int cmp_metrics_load(const char *path, struct cmp_metrics *m, char *msg, size_t msglen)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	char why[400];
	int err;

	memset(m, 0, sizeof(*m));
	snprintf(m->path, sizeof(m->path), "%s", path);
	if (!root) {
		config_json_load_error(path, &jerr, msg, msglen);
		return errno == ENOENT ? -ENOENT : -EINVAL;
	}
	err = cmp_metrics_from_json(root, m, why, sizeof(why));
	if (err)
		snprintf(msg, msglen, "%s: %s", path, why);
	else if (m->format < 2)
		fprintf(
		    stderr,
		    "zsfrag: note: %s: results format 1 (an older zsfrag): its forks \"failed\" "
		    "when no pgd was found; stalls and OOM kills were not recorded (shown as -)\n",
		    path);
	json_decref(root);
	return err;
}

void cmp_metric_format(enum cmp_metric id, double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f", cmp_metric_info[id].decimals, v);
}

/* A column's heading: the variant, and the trace when the runs differ in it. */
static void heading(const struct cmp_metrics *m, unsigned int n, unsigned int i, char *buf,
		    size_t len)
{
	bool traces_differ = false;

	for (unsigned int j = 1; j < n; j++)
		traces_differ |= strcmp(m[j].trace, m[0].trace) != 0;
	if (traces_differ)
		snprintf(buf, len, "%s %s", m[i].trace, m[i].variant);
	else
		snprintf(buf, len, "%s", m[i].variant);
}

/*
 * The table's rows: every metric in order, and after the fork failures one row per fork
 * outcome found in any run (in the order first seen), so that new kinds of outcome show.
 */
struct table_row {
	char title[96];
	int metric; /* -1: an outcome row */
	char outcome[40];
};

static unsigned int table_rows(const struct cmp_metrics *m, unsigned int n, struct table_row *rows,
			       unsigned int max)
{
	unsigned int nr = 0;

	for (int r = 0; r < CMP_NR_METRICS && nr < max; r++) {
		rows[nr].metric = r;
		snprintf(rows[nr++].title, sizeof(rows[0].title), "%s", cmp_metric_info[r].title);
		if (r != CMP_FORKS_FAILED)
			continue;
		for (unsigned int i = 0; i < n; i++)
			for (unsigned int k = 0; k < m[i].nr_outcomes && nr < max; k++) {
				bool seen = false;
				char lb[64];

				for (unsigned int j = 0; j < nr; j++)
					seen |= rows[j].metric < 0 &&
						!strcmp(rows[j].outcome, m[i].outcome[k].name);
				if (seen)
					continue;
				rows[nr].metric = -1;
				snprintf(rows[nr].outcome, sizeof(rows[0].outcome), "%s",
					 m[i].outcome[k].name);
				snprintf(rows[nr++].title, sizeof(rows[0].title), "  pgd %s",
					 cmp_outcome_label(m[i].outcome[k].name, lb, sizeof(lb)));
			}
	}
	return nr;
}

static void row_value(const struct table_row *row, const struct cmp_metrics *m, char *buf,
		      size_t len)
{
	if (row->metric >= 0) {
		cmp_metric_format((enum cmp_metric)row->metric, m->v[row->metric], buf, len);
		return;
	}
	for (unsigned int k = 0; k < m->nr_outcomes; k++)
		if (!strcmp(m->outcome[k].name, row->outcome)) {
			snprintf(buf, len, "%.0f", m->outcome[k].n);
			return;
		}
	snprintf(buf, len, "-");
}

#define MAX_ROWS (CMP_NR_METRICS + CMP_MAX_OUTCOMES * 2)

void cmp_print_table(FILE *f, const struct cmp_metrics *m, unsigned int n)
{
	struct table_row rows[MAX_ROWS];
	unsigned int nr;
	int lw = 0, w[64];
	char buf[200];

	if (n > 64)
		n = 64;
	nr = table_rows(m, n, rows, MAX_ROWS);
	for (unsigned int r = 0; r < nr; r++)
		if ((int)strlen(rows[r].title) > lw)
			lw = (int)strlen(rows[r].title);
	for (unsigned int i = 0; i < n; i++) {
		heading(m, n, i, buf, sizeof(buf));
		w[i] = (int)strlen(buf);
		for (unsigned int r = 0; r < nr; r++) {
			char v[64];

			row_value(&rows[r], &m[i], v, sizeof(v));
			if ((int)strlen(v) > w[i])
				w[i] = (int)strlen(v);
		}
	}
	fprintf(f, "%-*s", lw, "");
	for (unsigned int i = 0; i < n; i++) {
		heading(m, n, i, buf, sizeof(buf));
		fprintf(f, "  %*s", w[i], buf);
	}
	fputc('\n', f);
	for (unsigned int r = 0; r < nr; r++) {
		fprintf(f, "%-*s", lw, rows[r].title);
		for (unsigned int i = 0; i < n; i++) {
			row_value(&rows[r], &m[i], buf, sizeof(buf));
			fprintf(f, "  %*s", w[i], buf);
		}
		fputc('\n', f);
	}
}

/* A policy list as the compare command and the variant names spell it: "manual+migration". */
void cmp_policies_display(const char *policies, char *buf, size_t len)
{
	snprintf(buf, len, "%s", policies);
	for (char *p = buf; *p; p++)
		if (*p == ',')
			*p = '+';
}

/* "demo.trace on arm32: profiles v4.1, v6.12; policies none, manual" (each name once) */
void cmp_title(const struct cmp_metrics *runs, unsigned int n, char *buf, size_t len)
{
	char prof[200] = "", pol[400] = "", tr[300] = "";

	for (unsigned int i = 0; i < n; i++) {
		const struct cmp_metrics *m = &runs[i];
		bool seen_t = false, seen_p = false, seen_q = false;

		for (unsigned int j = 0; j < i; j++) {
			seen_t |= !strcmp(runs[j].trace, m->trace);
			seen_p |= !strcmp(runs[j].profile, m->profile);
			seen_q |= !strcmp(runs[j].policies, m->policies);
		}
		if (!seen_t)
			snprintf(tr + strlen(tr), sizeof(tr) - strlen(tr), "%s%s",
				 tr[0] ? ", " : "", m->trace);
		if (!seen_p)
			snprintf(prof + strlen(prof), sizeof(prof) - strlen(prof), "%s%s",
				 prof[0] ? ", " : "", m->profile);
		if (!seen_q) {
			char q[160];

			cmp_policies_display(m->policies, q, sizeof(q));
			snprintf(pol + strlen(pol), sizeof(pol) - strlen(pol), "%s%s",
				 pol[0] ? ", " : "", q);
		}
	}
	snprintf(buf, len, "%s on %s: %u runs, profiles %s; policies %s", tr, runs[0].arch, n, prof,
		 pol);
}

static void html_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else
			fputc(*s, f);
	}
}

void cmp_print_table_html(FILE *f, const struct cmp_metrics *m, unsigned int n)
{
	struct table_row rows[MAX_ROWS];
	unsigned int nr = table_rows(m, n, rows, MAX_ROWS);
	char buf[200];

	fputs("<table>\n<thead><tr><th></th>", f);
	for (unsigned int i = 0; i < n; i++) {
		heading(m, n, i, buf, sizeof(buf));
		fputs("<th>", f);
		html_text(f, buf);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (unsigned int r = 0; r < nr; r++) {
		const char *t = rows[r].title;
		bool sub = t[0] == ' ';

		fputs(sub ? "<tr class=\"sub\"><th>" : "<tr><th>", f);
		html_text(f, t + strspn(t, " "));
		fputs("</th>", f);
		for (unsigned int i = 0; i < n; i++) {
			row_value(&rows[r], &m[i], buf, sizeof(buf));
			fprintf(f, "<td>%s</td>", buf);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
}
