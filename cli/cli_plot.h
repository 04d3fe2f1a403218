/*
 * cli_plot.h - what the figure files share (cli_plot.c: the templates,
 * gnuplot, the time series and class views; cli_plot_compare.c: the
 * comparison's bars and overlay; cli_plot_cmd.c: the command).
 */
#ifndef ZSFRAG_CLI_PLOT_H
#define ZSFRAG_CLI_PLOT_H

#include <jansson.h>
#include <limits.h>
#include <stdio.h>

struct outfile;

/* Fork outcome rates: intervals merged until each holds 1/TS_FORK_BINS of the forks. */
#define TS_FORK_BINS 60

/* A results file with at least one snapshot; NULL with msg otherwise. */
json_t *plot_load(const char *path, char *msg, size_t msglen);
/* o[key] as a number, 0 when absent. */
double plot_num(json_t *o, const char *key);

/*
 * gnuplot's data files, BASE.tsv and BASE-SUFFIX.tsv beside the figure, opened
 * like every other output (traces/outfile.h: a device or FIFO written through,
 * a regular file replaced whole once written, never a link replaced).
 */
struct tsv_files {
	struct outfile *o[3];
	char path[3][PATH_MAX + 32];
	unsigned int n;
};

void plot_tsv_abort(struct tsv_files *t);
/* Open BASE SUFFIX[i].tsv for i < n (n <= 3): 0, or EX_CANTCREAT with msg and nothing left open. */
int plot_tsv_open(struct tsv_files *t, const char *outbase, const char *const *suffix,
		  unsigned int n, char *msg, size_t msglen);
FILE *plot_tsv_stream(const struct tsv_files *t, unsigned int i);
/* Finish every file: 0, or EX_CANTCREAT with msg (the first failure's cause). */
int plot_tsv_commit(struct tsv_files *t, char *msg, size_t msglen);

#endif /* ZSFRAG_CLI_PLOT_H */
