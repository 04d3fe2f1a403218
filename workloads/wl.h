/*
 * wl.h - workload generators: realistic swap traces from a few models.
 *
 * A generator is a mix of models (appswitch, churn, filldrain, forkstorm,
 * pressure) that run side by side in simulated time and share one zram disk
 * (its slot numbers), one PID space, one block-ID space, one compressed-size
 * model and one seeded PRNG. It hands out struct sim_event one at a time, in
 * non-decreasing time order, every event stamped (has_time); the caller
 * writes them with trace_write_event() or feeds them to sim_event().
 *
 * Usage:
 *	wl_gen_create("appswitch,forkstorm", &g, err, len);
 *	wl_gen_set(g, "forkstorm.rate", "50", err, len);   (any number of times)
 *	wl_gen_start(g, seed, err, len);
 *	while ((n = wl_gen_next(g, &ev)) == 1) ...
 *	wl_gen_destroy(g);
 *
 * Parameters are KEY=VALUE: global keys (duration, snapshots, sizes...) and
 * per-model keys, spelled MODEL.KEY or plain KEY when only one model of the
 * mix has it (a plain KEY that is also a global key is the global one). The tables (wl_param_defs) carry defaults, ranges and help, so
 * the CLI prints them without the library printing anything.
 *
 * Determinism: the output depends only on the mix, the parameters and the
 * seed (the PRNG is xoshiro256** seeded through splitmix64; floating point
 * is only used for sampling and is the same on any IEEE-754 machine with the
 * same libm).
 */
#ifndef ZSFRAG_WL_H
#define ZSFRAG_WL_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "trace_text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- the PRNG: xoshiro256**, one per generator, passed to everything that draws --- */
struct wl_rng {
	uint64_t s[4];
};

void wl_rng_seed(struct wl_rng *r, uint64_t seed);
uint64_t wl_rng_u64(struct wl_rng *r);
double wl_rng_unit(struct wl_rng *r);		     /* [0, 1), 53 bits */
uint64_t wl_rng_below(struct wl_rng *r, uint64_t n); /* [0, n), unbiased; 0 when n == 0 */
double wl_rng_exp(struct wl_rng *r, double mean);    /* exponential with this mean */
double wl_rng_normal(struct wl_rng *r);		     /* standard normal */
double wl_rng_lognormal(struct wl_rng *r, double median, double sigma);

/* --- parameters --- */
enum wl_ptype {
	WL_P_INT,    /* integer value (stored as double, exact below 2^53) */
	WL_P_REAL,   /* real value */
	WL_P_CHOICE, /* one word of choices (value = its index) */
};

struct wl_param_def {
	const char *key;
	enum wl_ptype type;
	double def;		    /* default (choice: index) */
	double min, max;	    /* inclusive range (not for choices) */
	const char *const *choices; /* NULL-terminated, for WL_P_CHOICE */
	const char *help;	    /* one line, with the unit */
	unsigned int flags;	    /* WL_PF_* */
};

/*
 * 0 is also accepted and means "none"/"off"; min..max bounds the other
 * values. A time parameter's min is the resolution it is used at (1 ns on the
 * simulated clock, 1 ms for snapshot labels), so a value that would round to
 * 0 (a period of 1e-12 s) is an error rather than a silent "off" or a
 * division by zero.
 */
#define WL_PF_ZERO_OFF 1u

/* The largest machine a trace can be for (the config's ram_mb limit), MiB. */
#define WL_MAX_RAM_MB 1048576.0
/* The largest working set of one app (appswitch), MiB: a 32-bit process's address space. */
#define WL_MAX_APP_MB 4096.0
/* The kernel's PID_MAX_LIMIT on 64-bit (include/linux/threads.h): processes alive at once. */
#define WL_MAX_PROCESSES 4194304.0

/* --- compressed-size models --- */
enum wl_size_kind {
	WL_SIZES_EMPIRICAL, /* the histogram measured from real memory (workloads/data) */
	WL_SIZES_BIMODAL,   /* parametric: same-filled, incompressible, sparse and dense modes */
	WL_SIZES_FIXED,	    /* every page compresses to fixed_size bytes (tests) */
};

enum wl_compressor { WL_LZ4, WL_ZSTD, WL_LZO, WL_NR_COMPRESSORS };

struct wl_size_params {
	enum wl_size_kind kind;
	enum wl_compressor comp;
	size_t page_size;      /* bytes */
	double same_frac;      /* same-filled pages, of all pages; < 0 = the model's own */
	double incompressible; /* bimodal: of the other pages, stored whole (size = page) */
	double
	    ratio; /* bimodal: page / mean compressed size of the other pages; 0 = per compressor */
	double dense_share; /* bimodal: of the compressible pages, the dense mode's share */
	double sparse_mean; /* bimodal: mean size of the mostly-zero mode, bytes; 0 = page/10 */
	double spread;	    /* bimodal: half-width of each mode, as a fraction of its mean */
	size_t fixed_size;  /* fixed: bytes */
};

#define WL_HIST_BUCKET 32 /* bytes per empirical histogram bucket, at 4 KiB pages */

struct wl_sizes {
	struct wl_size_params p;
	double same_frac; /* effective */
	/* empirical: cumulative pages per bucket (scaled to p.page_size) */
	unsigned int nr_buckets;
	uint64_t cum[4096 / WL_HIST_BUCKET];
	/* bimodal: effective modes */
	double sparse_mean, dense_mean, sparse_half, dense_half; /* bytes */
};

/* Defaults of the published figures (see wl_sizes.c). */
void wl_size_params_default(struct wl_size_params *p);
/* 0, or -EINVAL with err saying why (e.g. a ratio the modes cannot reach). */
int wl_sizes_init(struct wl_sizes *s, const struct wl_size_params *p, char *err, size_t errlen);
/* One page: 0 = same-filled, else 1..page_size bytes (page_size = incompressible). */
uint32_t wl_sizes_sample(const struct wl_sizes *s, struct wl_rng *r);
/* Expected values of the model, for tests and metadata. */
double wl_sizes_mean(const struct wl_sizes *s);		  /* bytes, over non-same-filled pages */
double wl_sizes_incompressible(const struct wl_sizes *s); /* fraction of non-same-filled pages */
/* Probability that a non-same-filled page lands in [lo, hi] bytes. */
double wl_sizes_prob(const struct wl_sizes *s, uint32_t lo, uint32_t hi);
/* The measured histogram: pages of compressor c in 32-byte bucket b (sizes 32b+1..32b+32);
 * same-filled and zero pages (zero is part of same). */
#define WL_HIST_NR_BUCKETS (4096 / WL_HIST_BUCKET)
uint64_t wl_hist_count(enum wl_compressor c, unsigned int bucket);
uint64_t wl_hist_same(void);
uint64_t wl_hist_zero(void);
const char *wl_compressor_name(enum wl_compressor c);

/* --- models and the generator --- */
struct wl_gen;

/* The models, in table order; NULL past the end. */
const char *wl_model_name(unsigned int i);
const char *wl_model_summary(unsigned int i);
/* Parameter table of model name, or of the global keys when name is NULL. */
const struct wl_param_def *wl_param_defs(const char *name, size_t *n);

/* mix: comma-separated model names (each at most once). */
int wl_gen_create(const char *mix, struct wl_gen **g, char *err, size_t errlen);
/* KEY=VALUE, or key and value apart. 0 or -EINVAL with a one-line reason. */
int wl_gen_set(struct wl_gen *g, const char *key, const char *value, char *err, size_t errlen);
/* Check the parameters together, build the models. 0, -EINVAL, -ENOMEM. */
int wl_gen_start(struct wl_gen *g, uint64_t seed, char *err, size_t errlen);
/* Next event: 1, 0 at the end, -ENOMEM. */
int wl_gen_next(struct wl_gen *g, struct sim_event *ev);
/* Trace metadata (page_size, compressor, source, seed, mix, params); valid until destroy. */
size_t wl_gen_meta(struct wl_gen *g, const struct trace_meta **meta);
/* Value of a parameter after wl_gen_set (model NULL = global). */
double wl_gen_param(const struct wl_gen *g, const char *model, const char *key);
/* The size model in use (after start). */
const struct wl_sizes *wl_gen_sizes(const struct wl_gen *g);
void wl_gen_destroy(struct wl_gen *g);

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_WL_H */
