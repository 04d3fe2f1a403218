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
 *  - order-2 unusable index: of the Normal zone (where a 32-bit ARM pgd must
 *    come from), falling back to the machine-wide value when no zone has
 *    that name; mean and maximum over all snapshots, so with --sample-every
 *    the mean is a time average.
 *  - compaction CPU time: sum of cpu_ns, "-" for runs made with --no-timing.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "cli_compare.h"
#include "cli_config.h"

const struct cmp_metric_info cmp_metric_info[CMP_NR_METRICS] = {
    [CMP_POOL_PEAK] = {"pool_peak", "pool pages, peak", "pages", +1, 0},
    [CMP_POOL_BEFORE] = {"pool_before", "pool pages before compaction", "pages", +1, 0},
    [CMP_POOL_AFTER] = {"pool_after", "pool pages after compaction", "pages", +1, 0},
    [CMP_POOL_END] = {"pool_end", "pool pages at end", "pages", +1, 0},
    [CMP_IDEAL_END] = {"ideal_end", "ideal pages at end", "pages", 0, 0},
    [CMP_USED_END] = {"used_end", "used ratio at end", "", -1, 3},
    [CMP_FORKS] = {"forks", "fork attempts", "", 0, 0},
    [CMP_FORKS_FAILED] = {"forks_failed", "fork failures (no order-2 pgd)", "", +1, 0},
    [CMP_UNUSABLE_MEAN] = {"unusable_mean", "order-2 unusable index, mean", "", +1, 3},
    [CMP_UNUSABLE_WORST] = {"unusable_worst", "order-2 unusable index, worst", "", +1, 3},
    [CMP_COMPACTIONS] = {"compactions", "zs_compact runs", "", 0, 0},
    [CMP_PAGES_FREED] = {"pages_freed", "pages freed by compaction", "pages", 0, 0},
    [CMP_OBJS_MIGRATED] = {"objs_migrated", "objects migrated", "", +1, 0},
    [CMP_BYTES_COPIED] = {"bytes_copied", "bytes copied", "bytes", +1, 0},
    [CMP_CPU_MS] = {"cpu_ms", "compaction CPU time, ms", "ms", +1, 3},
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

/* The order-2 unusable index of the zone a pgd comes from (the highest lowmem zone: Normal,
 * DMA on ARM virt, DMA32 on a small x86_64), else the machine's. */
static double unusable(json_t *snap)
{
	json_t *zones = json_object_get(snap, "zones"), *z, *best = NULL;
	size_t i;

	json_array_foreach(zones, i, z) if (strcmp(str(z, "name", ""), "HighMem")) best = z;
	return best ? num(best, "unusable_index") : num(snap, "unusable_index");
}

int cmp_metrics_from_json(json_t *root, struct cmp_metrics *m, char *msg, size_t msglen)
{
	json_t *in = json_object_get(root, "inputs");
	json_t *snaps = json_object_get(root, "snapshots");
	json_t *comps = json_object_get(root, "compactions");
	json_t *fin, *s, *c;
	const char *trace, *slash;
	double sum = 0, worst = 0, most_freed = -1;
	size_t i, n;

	if (!json_is_object(in) || !json_is_array(snaps) || !json_array_size(snaps) ||
	    !json_is_array(comps)) {
		snprintf(msg, msglen, "not a zsfrag results file (inputs, snapshots, compactions)");
		return -EINVAL;
	}
	trace = str(in, "trace", "?");
	slash = strrchr(trace, '/');
	snprintf(m->trace, sizeof(m->trace), "%s", slash ? slash + 1 : trace);
	snprintf(m->profile, sizeof(m->profile), "%s", str(in, "profile", "?"));
	snprintf(m->arch, sizeof(m->arch), "%s", str(in, "arch", "?"));
	snprintf(m->policies, sizeof(m->policies), "%s", str(in, "policies", "?"));
	snprintf(m->variant, sizeof(m->variant), "%s", str(in, "variant", ""));
	if (!m->variant[0])
		snprintf(m->variant, sizeof(m->variant), "%s %s", m->profile, m->policies);
	m->seed = json_is_integer(json_object_get(in, "seed"))
		      ? (uint64_t)json_integer_value(json_object_get(in, "seed"))
		      : 0;
	m->page_size = json_is_integer(json_object_get(in, "page_size"))
			   ? (unsigned long)json_integer_value(json_object_get(in, "page_size"))
			   : 4096;
	for (i = 0; i < CMP_NR_METRICS; i++)
		m->v[i] = NAN;

	n = json_array_size(snaps);
	fin = json_array_get(snaps, n - 1);
	m->v[CMP_POOL_PEAK] = 0;
	json_array_foreach(snaps, i, s)
	{
		double u = unusable(s);

		m->v[CMP_POOL_PEAK] = fmax(m->v[CMP_POOL_PEAK], num(s, "pool_pages"));
		sum += u;
		worst = fmax(worst, u);
	}
	m->v[CMP_UNUSABLE_MEAN] = sum / (double)n;
	m->v[CMP_UNUSABLE_WORST] = worst;
	m->v[CMP_POOL_END] = num(fin, "pool_pages");
	m->v[CMP_IDEAL_END] = num(fin, "ideal_pages");
	m->v[CMP_USED_END] = num(fin, "used_ratio");
	m->v[CMP_FORKS] = num(json_object_get(fin, "forks"), "attempted");
	m->v[CMP_FORKS_FAILED] = num(json_object_get(fin, "forks"), "failed");
	m->v[CMP_ZS_MIGRATED] = num(json_object_get(fin, "kcompact"), "zs_pages_migrated");

	m->v[CMP_COMPACTIONS] = (double)json_array_size(comps);
	m->v[CMP_PAGES_FREED] = m->v[CMP_OBJS_MIGRATED] = m->v[CMP_BYTES_COPIED] = 0;
	m->v[CMP_CPU_MS] = json_is_true(json_object_get(in, "timing")) ? 0 : NAN;
	json_array_foreach(comps, i, c)
	{
		/* the run that freed the most pages (the first of equals) */
		if (num(c, "pages_freed") > most_freed) {
			most_freed = num(c, "pages_freed");
			m->v[CMP_POOL_BEFORE] = num(c, "pool_pages_before");
			m->v[CMP_POOL_AFTER] = num(c, "pool_pages_after");
		}
		m->v[CMP_POOL_PEAK] = fmax(m->v[CMP_POOL_PEAK], num(c, "pool_pages_before"));
		m->v[CMP_PAGES_FREED] += num(c, "pages_freed");
		m->v[CMP_OBJS_MIGRATED] += num(c, "objs_migrated");
		m->v[CMP_BYTES_COPIED] += num(c, "bytes_copied");
		m->v[CMP_CPU_MS] += num(c, "cpu_ns") / 1e6; /* NaN stays NaN */
	}
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
		cli_json_load_error(path, &jerr, msg, msglen);
		return errno == ENOENT ? -ENOENT : -EINVAL;
	}
	err = cmp_metrics_from_json(root, m, why, sizeof(why));
	if (err)
		snprintf(msg, msglen, "%s: %s", path, why);
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

void cmp_print_table(FILE *f, const struct cmp_metrics *m, unsigned int n)
{
	int lw = 0, w[64];
	char buf[200];

	if (n > 64)
		n = 64;
	for (int r = 0; r < CMP_NR_METRICS; r++)
		if ((int)strlen(cmp_metric_info[r].title) > lw)
			lw = (int)strlen(cmp_metric_info[r].title);
	for (unsigned int i = 0; i < n; i++) {
		heading(m, n, i, buf, sizeof(buf));
		w[i] = (int)strlen(buf);
		for (int r = 0; r < CMP_NR_METRICS; r++) {
			char v[64];

			cmp_metric_format((enum cmp_metric)r, m[i].v[r], v, sizeof(v));
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
	for (int r = 0; r < CMP_NR_METRICS; r++) {
		fprintf(f, "%-*s", lw, cmp_metric_info[r].title);
		for (unsigned int i = 0; i < n; i++) {
			cmp_metric_format((enum cmp_metric)r, m[i].v[r], buf, sizeof(buf));
			fprintf(f, "  %*s", w[i], buf);
		}
		fputc('\n', f);
	}
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
			snprintf(tr + strlen(tr), sizeof(tr) - strlen(tr), "%s%s", i ? ", " : "",
				 m->trace);
		if (!seen_p)
			snprintf(prof + strlen(prof), sizeof(prof) - strlen(prof), "%s%s",
				 i ? ", " : "", m->profile);
		if (!seen_q)
			snprintf(pol + strlen(pol), sizeof(pol) - strlen(pol), "%s%s",
				 i ? "; " : "", m->policies);
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
	char buf[200];

	fputs("<table>\n<thead><tr><th></th>", f);
	for (unsigned int i = 0; i < n; i++) {
		heading(m, n, i, buf, sizeof(buf));
		fputs("<th>", f);
		html_text(f, buf);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (int r = 0; r < CMP_NR_METRICS; r++) {
		fputs("<tr><th>", f);
		html_text(f, cmp_metric_info[r].title);
		fputs("</th>", f);
		for (unsigned int i = 0; i < n; i++) {
			cmp_metric_format((enum cmp_metric)r, m[i].v[r], buf, sizeof(buf));
			fprintf(f, "<td>%s</td>", buf);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
}
