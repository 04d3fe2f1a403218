/*
 * test_stress.c - a seeded randomized stress test of the allocator.
 *
 * For every profile and both emulated architectures (or the one chosen on
 * the command line) a pool is driven through a random mix of operations:
 *   malloc  sizes from a mix: small, mid, around huge_class_size, exactly a
 *           page, uniform; the payload is a pattern derived from the object's
 *           id, written through a WO or RW mapping;
 *   free    a random live object;
 *   map     a random live object, verified through RO, sometimes rewritten
 *           (RW or WO) with a new id;
 *   compact (profiles with compaction) then every live payload is verified;
 *   migrate (profiles with migration) a random zspage page: isolate, then
 *           migrate now, put back now, or leave isolated for a while and
 *           resolve later (exercises the deferred free);
 *   check   zs_pool_check() plus the provider's page accounting, every
 *           --check-every operations.
 * The live population swings between growth and shrink phases so the pool
 * fragments. A recording page provider checks the provider contract (fresh
 * pages have a NULL private word, pages leave the pool non-movable and
 * unowned, only owned frames are made movable).
 *
 * usage: test_stress [--seed N] [--ops N] [--profile NAME] [--arch NAME]
 *                    [--page-size N] [--check-every N] [--quiet]
 * --ops is per profile/arch configuration. The defaults (14 configurations
 * x 200000 operations = 2.8 million) run in well under a minute in a Debug
 * build. On failure the seed, profile, arch and operation number are
 * printed with a command line that replays the failing configuration; an
 * assertion inside the allocator prints the same through a SIGABRT handler.
 *
 * The PRNG is splitmix64 seeded per configuration from --seed, the profile
 * and the arch; rand() is never used.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pattern.h"
#include "rec_pages.h"
#include "zsmalloc.h"

#define MAXF 16384       /* provider frames (64 MiB, touched lazily) */
#define MAXLIVE 3000     /* live objects at most */
#define MAXPENDING 4     /* isolations left open at once */

/* ---- PRNG and payloads ---- */

static uint64_t below(uint64_t *s, uint64_t n)
{
	return splitmix64(s) % n;
}

/* ---- one configuration ---- */

struct obj {
	unsigned long handle;
	size_t size;  /* bytes requested */
	uint64_t id;  /* payload seed */
};

struct pending {
	unsigned long pfn;
	uint64_t due; /* op number at which to resolve the isolation */
};

struct counts {
	uint64_t malloc, free, map, rewrite, compact, migrate, putback, deferred, check;
	unsigned long peak_pages;
};

struct run {
	const char *profile;
	enum zs_arch arch;
	size_t page_size;   /* bytes */
	uint64_t seed;      /* base seed from the command line */
	uint64_t rng;
	uint64_t op;        /* current operation number */
	struct zs_pool *pool;
	struct zs_profile_info info;
	struct rec *rec;
	struct obj *objs;
	unsigned int live;
	uint64_t next_id;
	struct pending pend[MAXPENDING];
	unsigned int npend;
	struct counts n;
	char failure[256];
};

/* What the SIGABRT handler reports (an allocator assertion aborts). */
static const struct run *current_run;
static uint64_t base_seed_for_abort;

static void on_abort(int sig)
{
	char buf[256];
	int len;

	(void)sig;
	if (current_run) {
		len = snprintf(buf, sizeof(buf),
			       "ABORT in seed %llu profile %s arch %s at op %llu\n"
			       "replay: test_stress --seed %llu --profile %s --arch %s --page-size %zu "
			       "--ops %llu\n",
			       (unsigned long long)base_seed_for_abort, current_run->profile,
			       zs_arch_name(current_run->arch), (unsigned long long)current_run->op,
			       (unsigned long long)base_seed_for_abort, current_run->profile,
			       zs_arch_name(current_run->arch), current_run->page_size,
			       (unsigned long long)current_run->op + 1);
		if (len > 0)
			(void)!write(2, buf, (size_t)len);
	}
	signal(SIGABRT, SIG_DFL);
}

#define FAILF(r, ...)                                                                      \
	do {                                                                               \
		snprintf((r)->failure, sizeof((r)->failure), __VA_ARGS__);                 \
		return -1;                                                                 \
	} while (0)

static size_t draw_size(struct run *r)
{
	size_t page = zs_page_size(r->pool), huge = zs_huge_class_size(r->pool), s;
	uint64_t k = below(&r->rng, 100);

	if (k < 35)
		s = 1 + below(&r->rng, 128);
	else if (k < 65)
		s = 129 + below(&r->rng, 1920);
	else if (k < 80)
		s = huge - 32 + below(&r->rng, 65); /* huge - 32 .. huge + 32 */
	else if (k < 85)
		s = page;
	else
		s = 1 + below(&r->rng, page);
	return s > page ? page : s;
}

static int write_obj(struct run *r, struct obj *o, enum zs_mapmode mm)
{
	uint8_t *p = zs_map_object(r->pool, o->handle, mm);

	if (!p)
		FAILF(r, "zs_map_object(%#lx) returned NULL", o->handle);
	pattern_fill(p, o->size, o->id);
	zs_unmap_object(r->pool, o->handle);
	return 0;
}

static int verify_obj(struct run *r, const struct obj *o)
{
	const uint8_t *p = zs_map_object(r->pool, o->handle, ZS_MM_RO);
	bool ok;

	if (!p)
		FAILF(r, "zs_map_object(%#lx) returned NULL", o->handle);
	ok = pattern_ok(p, o->size, o->id);
	zs_unmap_object(r->pool, o->handle);
	if (!ok)
		FAILF(r, "payload of object id %llu (%zu bytes, handle %#lx) corrupted",
		      (unsigned long long)o->id, o->size, o->handle);
	return 0;
}

static int verify_all(struct run *r)
{
	for (unsigned int i = 0; i < r->live; i++)
		if (verify_obj(r, &r->objs[i]))
			return -1;
	return 0;
}

static int do_check(struct run *r)
{
	char msg[200];
	struct zs_pool_stats st;

	r->n.check++;
	if (zs_pool_check(r->pool, msg, sizeof(msg)) != 0)
		FAILF(r, "zs_pool_check: %s", msg);
	if (r->rec->violations)
		FAILF(r, "provider contract: %s", r->rec->what);
	if (r->rec->in_use != zs_get_total_pages(r->pool))
		FAILF(r, "provider has %lu pages out, pool counts %lu", r->rec->in_use,
		      zs_get_total_pages(r->pool));
	zs_pool_stats(r->pool, &st);
	if (r->info.indirect_handles && st.handles_allocated != r->live)
		FAILF(r, "%llu handles for %u live objects",
		      (unsigned long long)st.handles_allocated, r->live);
	if (r->info.has_shrinker) {
		unsigned long want = 0, got = 0;

		for (unsigned int i = 0; i < zs_class_count(r->pool); i++) {
			struct zs_class_info ci;
			struct zs_class_stats cs;

			zs_class_info(r->pool, i, &ci);
			if (ci.merged_into != i)
				continue;
			zs_class_stats(r->pool, i, &cs);
			want += cs.freeable;
		}
		if (zs_shrinker_count(r->pool, &got) != 0 || got != want)
			FAILF(r, "zs_shrinker_count %lu, classes' freeable sum %lu", got, want);
	}
	return 0;
}

static int do_malloc(struct run *r)
{
	struct obj o = { .size = draw_size(r), .id = r->next_id++ };
	int err;

	if (r->live == MAXLIVE)
		return 0;
	err = zs_malloc(r->pool, o.size, 0, &o.handle);
	if (err)
		FAILF(r, "zs_malloc(%zu) = %d", o.size, err);
	r->n.malloc++;
	if (write_obj(r, &o, below(&r->rng, 2) ? ZS_MM_WO : ZS_MM_RW))
		return -1;
	r->objs[r->live++] = o;
	if (zs_get_total_pages(r->pool) > r->n.peak_pages)
		r->n.peak_pages = zs_get_total_pages(r->pool);
	return 0;
}

static int do_free(struct run *r)
{
	unsigned int i;

	if (!r->live)
		return 0;
	i = (unsigned int)below(&r->rng, r->live);
	/* verify before freeing now and then: the last look at this payload */
	if (below(&r->rng, 4) == 0 && verify_obj(r, &r->objs[i]))
		return -1;
	zs_free(r->pool, r->objs[i].handle);
	r->objs[i] = r->objs[--r->live];
	r->n.free++;
	return 0;
}

static int do_map(struct run *r)
{
	struct obj *o;
	uint64_t k;

	if (!r->live)
		return 0;
	o = &r->objs[below(&r->rng, r->live)];
	r->n.map++;
	if (verify_obj(r, o))
		return -1;
	k = below(&r->rng, 8);
	if (k < 2) {
		o->id = r->next_id++;
		r->n.rewrite++;
		return write_obj(r, o, k ? ZS_MM_RW : ZS_MM_WO);
	}
	return 0;
}

static int do_compact(struct run *r)
{
	struct zs_compact_result res;
	struct zs_pool_stats before, after;
	unsigned long pages = zs_get_total_pages(r->pool);
	int err;

	zs_pool_stats(r->pool, &before);
	err = below(&r->rng, 4) == 0 && r->info.has_shrinker ? zs_shrinker_scan(r->pool, &res)
							      : zs_compact(r->pool, &res);
	if (err)
		FAILF(r, "zs_compact = %d", err);
	r->n.compact++;
	zs_pool_stats(r->pool, &after);
	if (after.pages_compacted != before.pages_compacted + res.pages_freed)
		FAILF(r, "pages_compacted went %llu -> %llu for %lu pages freed",
		      (unsigned long long)before.pages_compacted,
		      (unsigned long long)after.pages_compacted, res.pages_freed);
	/* deferred frees (an isolated page) keep pages until the isolation ends */
	if (r->npend == 0 ? zs_get_total_pages(r->pool) != pages - res.pages_freed
			  : zs_get_total_pages(r->pool) < pages - res.pages_freed)
		FAILF(r, "compaction freed %lu pages but the pool went %lu -> %lu", res.pages_freed,
		      pages, zs_get_total_pages(r->pool));
	return verify_all(r);
}

static bool is_pending(const struct run *r, unsigned long pfn)
{
	for (unsigned int i = 0; i < r->npend; i++)
		if (r->pend[i].pfn == pfn)
			return true;
	return false;
}

/* Finish an isolation: migrate to a new frame (the core then frees the old one) or put back. */
static int resolve(struct run *r, unsigned long pfn, bool migrate)
{
	unsigned long newpfn;
	int err;

	if (!migrate) {
		zs_page_putback(r->pool, pfn);
		r->n.putback++;
		return 0;
	}
	err = rec_alloc(r->rec, 0, &newpfn);
	if (err)
		FAILF(r, "provider out of frames for a migration target");
	err = zs_page_migrate(r->pool, newpfn, pfn);
	if (err)
		FAILF(r, "zs_page_migrate(%lu -> %lu) = %d", pfn, newpfn, err);
	rec_free(r->rec, pfn);
	r->n.migrate++;
	return 0;
}

static int do_migrate(struct run *r)
{
	unsigned long pfn = 0;
	bool found = false;
	uint64_t k;

	for (int tries = 0; tries < 32 && r->rec->high; tries++) {
		pfn = below(&r->rng, r->rec->high);
		if (r->rec->movable[pfn] == r->pool && !is_pending(r, pfn)) {
			found = true;
			break;
		}
	}
	if (!found)
		return 0;
	if (!zs_page_isolate(r->pool, pfn))
		FAILF(r, "zs_page_isolate(%lu) refused a movable pool page", pfn);
	k = below(&r->rng, 10);
	if (k < 7)
		return resolve(r, pfn, true);
	if (k < 8 || r->npend == MAXPENDING)
		return resolve(r, pfn, false);
	r->pend[r->npend].pfn = pfn;
	r->pend[r->npend].due = r->op + 1 + below(&r->rng, 200);
	r->npend++;
	r->n.deferred++;
	return 0;
}

static int resolve_due(struct run *r, bool all)
{
	for (unsigned int i = 0; i < r->npend;) {
		if (all || r->pend[i].due <= r->op) {
			unsigned long pfn = r->pend[i].pfn;

			r->pend[i] = r->pend[--r->npend];
			if (resolve(r, pfn, below(&r->rng, 2) == 0))
				return -1;
		} else {
			i++;
		}
	}
	return 0;
}

static int run_ops(struct run *r, uint64_t ops, uint64_t check_every)
{
	/* growth and shrink phases: the chance of a malloc among malloc/free */
	const uint64_t phase_len = 20000;

	for (r->op = 0; r->op < ops; r->op++) {
		bool grow = (r->op / phase_len) % 2 == 0;
		uint64_t k = below(&r->rng, 1000);
		int err = 0;

		if (r->npend && resolve_due(r, false))
			return -1;
		if (k < 450)
			err = below(&r->rng, 100) < (grow ? 62 : 38) ? do_malloc(r) : do_free(r);
		else if (k < 720)
			err = do_malloc(r);
		else if (k < 990)
			err = do_free(r);
		else if (k < 999) {
			if (r->info.has_migration)
				err = do_migrate(r);
			else
				err = do_map(r);
		} else if (r->info.has_compaction && below(&r->rng, 4) == 0)
			err = do_compact(r);
		else
			err = do_map(r);
		/* a slice of map traffic on top of the mix */
		if (!err && k % 4 == 0)
			err = do_map(r);
		if (!err && check_every && r->op % check_every == check_every - 1)
			err = do_check(r);
		if (err)
			return -1;
	}
	if (resolve_due(r, true) || do_check(r) || verify_all(r))
		return -1;
	/* drain: the pool and the provider must end at zero */
	while (r->live)
		zs_free(r->pool, r->objs[--r->live].handle);
	if (zs_get_total_pages(r->pool) != 0 || r->rec->in_use != 0)
		FAILF(r, "after freeing everything: pool %lu pages, provider %lu",
		      zs_get_total_pages(r->pool), r->rec->in_use);
	return do_check(r);
}

static uint64_t mix_name(uint64_t h, const char *s)
{
	while (*s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ULL;
	return h;
}

static int run_config(const char *profile, enum zs_arch arch, size_t page_size, uint64_t seed,
		      uint64_t ops, uint64_t check_every, bool quiet)
{
	struct zs_pool_config cfg = { .profile = profile, .arch = arch, .page_size = page_size };
	struct run *r = calloc(1, sizeof(*r));
	struct rec *rec = calloc(1, sizeof(*rec));
	struct timespec t0, t1;
	int ret = -1;

	if (!r || !rec)
		goto out;
	r->profile = profile;
	r->arch = arch;
	r->page_size = page_size;
	r->seed = seed;
	r->rng = mix_name(seed * 0x9e3779b97f4a7c15ULL + (uint64_t)arch, profile);
	r->rec = rec;
	r->objs = calloc(MAXLIVE, sizeof(*r->objs));
	if (!r->objs || rec_init(rec, page_size, MAXF) != 0 ||
	    zs_profile_lookup(profile, &r->info) != 0 ||
	    zs_create_pool(&cfg, &rec_ops, rec, &r->pool) != 0) {
		fprintf(stderr, "setup failed for %s %s\n", profile, zs_arch_name(arch));
		goto out;
	}
	current_run = r;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = run_ops(r, ops, check_every);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	current_run = NULL;
	if (ret) {
		fprintf(stderr,
			"FAIL seed %llu profile %s arch %s op %llu: %s\n"
			"replay: test_stress --seed %llu --profile %s --arch %s --page-size %zu "
			"--ops %llu\n",
			(unsigned long long)seed, profile, zs_arch_name(arch),
			(unsigned long long)r->op, r->failure, (unsigned long long)seed, profile,
			zs_arch_name(arch), page_size, (unsigned long long)ops);
	} else if (!quiet) {
		fprintf(stderr,
			"ok   %-7s %-6s %llu ops: %llu malloc %llu free %llu map (%llu rewrites) "
			"%llu compact %llu migrate %llu putback %llu deferred %llu checks, "
			"peak %lu pages, %.2f s\n",
			profile, zs_arch_name(arch), (unsigned long long)ops,
			(unsigned long long)r->n.malloc, (unsigned long long)r->n.free,
			(unsigned long long)r->n.map, (unsigned long long)r->n.rewrite,
			(unsigned long long)r->n.compact, (unsigned long long)r->n.migrate,
			(unsigned long long)r->n.putback, (unsigned long long)r->n.deferred,
			(unsigned long long)r->n.check, r->n.peak_pages,
			(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	}
out:
	if (r && r->pool)
		zs_destroy_pool(r->pool);
	if (rec)
		rec_fini(rec);
	if (r)
		free(r->objs);
	free(r);
	free(rec);
	return ret;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-')
		return -1;
	*v = x;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "ops", required_argument, NULL, 'n' },
		{ "profile", required_argument, NULL, 'p' },
		{ "arch", required_argument, NULL, 'a' },
		{ "check-every", required_argument, NULL, 'c' },
		{ "page-size", required_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t seed = 20261126, ops = 200000, check_every = 500, page_size = 4096;
	const char *only_profile = NULL;
	int only_arch = -1, c, failures = 0, runs = 0;
	bool quiet = false;
	struct timespec t0, t1;

	while ((c = getopt_long(argc, argv, "s:n:p:a:c:P:qh", longopts, NULL)) != -1) {
		enum zs_arch a;

		switch (c) {
		case 's':
			if (parse_u64(optarg, &seed))
				goto usage;
			break;
		case 'n':
			if (parse_u64(optarg, &ops))
				goto usage;
			break;
		case 'c':
			if (parse_u64(optarg, &check_every))
				goto usage;
			break;
		case 'P':
			if (parse_u64(optarg, &page_size))
				goto usage;
			break;
		case 'p':
			if (zs_profile_lookup(optarg, NULL) != 0)
				goto usage;
			only_profile = optarg;
			break;
		case 'a':
			if (zs_arch_lookup(optarg, &a) != 0)
				goto usage;
			only_arch = (int)a;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;

	base_seed_for_abort = seed;
	signal(SIGABRT, on_abort);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (const char *const *n = zs_profile_names(); *n; n++) {
		if (only_profile && strcmp(*n, only_profile) != 0)
			continue;
		for (int a = ZS_ARCH_X86_64; a <= ZS_ARCH_ARM32; a++) {
			if (only_arch >= 0 && a != only_arch)
				continue;
			runs++;
			if (run_config(*n, (enum zs_arch)a, (size_t)page_size, seed, ops, check_every,
				       quiet))
				failures++;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "seed %llu, %llu-byte pages: %d configurations x %llu ops, %d failed, %.1f s\n",
		(unsigned long long)seed, (unsigned long long)page_size, runs, (unsigned long long)ops, failures,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return failures ? 1 : 0;

usage:
	fprintf(stderr, "usage: %s [--seed N] [--ops N per configuration] [--profile NAME]\n"
			"       [--arch x86_64|arm32] [--page-size 4096|16384|65536] [--check-every N]\n"
			"       [--quiet]\n",
		argv[0]);
	return 2;
}
