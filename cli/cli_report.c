/*
 * cli_report.c - the HTML report of `zsfrag compare --report FILE.html`:
 * one self-contained page (no scripts, no external files) with the
 * comparison table and every figure as inline SVG, that opens in any
 * browser and can be attached to a mail.
 *
 * gnuplot's SVGs all define the same ids (gnuplot_canvas, gpPt0...), and
 * inline SVGs share the page's id space, so each figure's ids and the
 * references to them (href="#...", url(#...)) get a per-figure prefix while
 * the file is copied in; gnuplot's double-quoted ids, which repeat across the
 * panels of one multiplot and are never referenced, get a serial number too. The XML declaration
 * before <svg is dropped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli_compare.h"
#include "outfile.h"

static void esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		if (buf) {
			buf[n] = 0;
			*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

/* Copy one SVG into the page with its ids prefixed by "fN-". */
static int inline_svg(FILE *out, const char *path, unsigned int fig)
{
	static const char *const pats[] = {"id=\"", "id='", "href=\"#", "href='#", "url(#"};
	size_t len = 0;
	char *svg = slurp(path, &len), *p;
	unsigned int serial = 0;

	if (!svg)
		return errno ? -errno : -EIO;
	p = strstr(svg, "<svg");
	if (!p) {
		free(svg);
		return -EINVAL;
	}
	while (*p) {
		bool hit = false;

		for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
			size_t l = strlen(pats[i]);

			if (!strncmp(p, pats[i], l)) {
				fwrite(p, 1, l, out);
				/* id="..." (gnuplot_canvas, gnuplot_plot_1a) repeat within a
				 * multiplot and are never referenced: numbered apart */
				if (i == 0)
					fprintf(out, "f%u-%u-", fig, ++serial);
				else
					fprintf(out, "f%u-", fig);
				p += l;
				hit = true;
				break;
			}
		}
		if (!hit)
			fputc(*p++, out);
	}
	free(svg);
	return 0;
}

int report_write(const char *html, const char *title, const struct cmp_metrics *m, unsigned int n,
		 const struct report_figure *figs, unsigned int nfigs)
{
	struct outfile *of;
	FILE *f;
	int err;

	/* a file atomically (temporary file + rename), a device or FIFO straight through */
	err = outfile_open(html, &of, NULL, 0);
	if (err)
		return err;
	f = outfile_stream(of);
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
	      "charset=\"utf-8\">\n<title>zsfrag: ",
	      f);
	esc(f, title);
	fputs("</title>\n<style>\n"
	      "body { font-family: sans-serif; margin: 1.5em auto; max-width: 1200px; color: #222; "
	      "}\n"
	      "table { border-collapse: collapse; font-size: 0.9em; margin: 1em 0; }\n"
	      "th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }\n"
	      "td { text-align: right; font-variant-numeric: tabular-nums; }\n"
	      "tbody th { text-align: left; font-weight: normal; }\n"
	      "tbody tr.sub th { padding-left: 1.8em; color: #555; }\n"
	      "thead th { background: #f0f0f0; }\n"
	      "figure { margin: 2em 0; border-top: 1px solid #ddd; padding-top: 1em; }\n"
	      "figure svg { width: 100%; height: auto; display: block; }\n"
	      "figcaption { color: #555; margin-top: 0.4em; }\n"
	      "</style>\n</head>\n<body>\n<h1>zsfrag: ",
	      f);
	esc(f, title);
	fputs("</h1>\n<p>", f);
	if (n) {
		fputs("Machine: ", f);
		esc(f, m[0].arch);
		fprintf(f, ", pages of %lu bytes. ", m[0].page_size);
	}
	fputs("Pool sizes in pages; used ratio = compressed bytes stored / pool bytes; the ideal "
	      "is the pool if every size class were perfectly packed; the unusable index is the "
	      "order-2 unusable free space index (0: all free memory could serve an order-2 "
	      "request, 1: none) of the zone page directories come from, over the snapshots "
	      "where that zone is above its low watermark: below it the zone is short of memory "
	      "itself, and an index over a handful of free pages would read good, so those "
	      "snapshots are left out (and counted). Fork outcomes: one row per way a fork got "
	      "its page directory, or did not. Failed zram writes: why, per reason. Produced by "
	      "<code>zsfrag compare</code>.</p>\n<h2>Runs side by side</h2>\n",
	      f);
	cmp_print_table_html(f, m, n);
	fputs("<ul>\n", f);
	for (unsigned int i = 0; i < n; i++) {
		const char *b = strrchr(m[i].path, '/');

		fputs("<li>", f);
		esc(f, m[i].variant);
		fputs(": trace <code>", f);
		esc(f, m[i].trace);
		fputs("</code>, results <code>", f);
		esc(f, b ? b + 1 : m[i].path);
		fputs("</code></li>\n", f);
	}
	fputs("</ul>\n<h2>Figures</h2>\n", f);
	for (unsigned int i = 0; i < nfigs && !err; i++) {
		fprintf(f, "<figure id=\"fig%u\" class=\"zsfrag-figure\">\n", i + 1);
		err = inline_svg(f, figs[i].svg, i + 1);
		fprintf(f, "\n<figcaption>Figure %u. ", i + 1);
		esc(f, figs[i].caption);
		fputs("</figcaption>\n</figure>\n", f);
	}
	fputs("</body>\n</html>\n", f);
	if (err || (err = outfile_error(of))) {
		outfile_abort(of);
		return err;
	}
	return outfile_commit(of, NULL, 0);
}
