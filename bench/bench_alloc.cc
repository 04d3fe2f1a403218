/*
 * bench_alloc.cc - the cost of handle indirection: zs_malloc + zs_free and
 * zs_map_object + zs_unmap_object with direct handles (v3.18, the handle is
 * the object's location) against indirect handles (v4.1, v6.12: the handle
 * names a slot that holds the location, and every object starts with a
 * header naming its handle).
 *
 * Every profile runs the same request sizes and the same access pattern, so
 * the ratio of two profiles' times at one size is the cost of the layer:
 *
 *   malloc_free      steady state: K live objects of SIZE bytes, each
 *                    operation frees the oldest and allocates one (a FIFO
 *                    ring); time per pair.
 *   map_touch        map an object inside one page, read its first word,
 *                    unmap: handle -> location -> address alone, what the
 *                    indirection adds without the payload's cache misses.
 *   map_{ro,wo}_{inside,straddle}
 *                    map, copy the whole payload out (RO) or in (WO), unmap,
 *                    as zram's read and write paths do; objects visited in a
 *                    fixed shuffled order (zram's slots are hit at random),
 *                    either only objects inside one page or only objects
 *                    straddling two.
 *
 * Two families run those operations:
 *   alloc/OP/P/A/SIZE   one profile per benchmark (what scripts/bench-compare
 *                       tracks from run to run);
 *   alloc/ratio/OP/SIZE the three profiles (arm32) in one benchmark, in
 *                       alternating batches of 32768 operations (rotating
 *                       which goes first), each batch timed: the ratio comes
 *                       from one stretch of time in which all three saw the
 *                       same machine, which on a shared machine is far
 *                       steadier than the ratio of two separate benchmarks.
 *
 * Which objects straddle is found by mapping each once: the pointer lies in
 * the pool's pages for an object inside a page and in the copy buffer
 * otherwise. The same SIZE lands in different classes with and without the
 * header, so the two sets differ between profiles; the access pattern (one
 * random object of the set per operation) does not.
 *
 * Counters: ns_per_op (thread CPU time, see cpu_seconds()), objects (size
 * of the visited set), and the memory the indirection costs:
 * meta_B_per_obj (handle slot + header), meta_share (of pool memory plus
 * the handle slots kept outside it), pool_B_per_obj (pool pages per live
 * object, where class rounding of the larger request shows). The ratio
 * family reports ns_v3.18, ns_v4.1, ns_v6.12 and ratio_v4.1, ratio_v6.12
 * (over v3.18).
 */
#include <algorithm>
#include <cstring>

#include "bench_util.h"

namespace
{

using zsb::bench_pool;

const char *const k_profiles[] = {"v3.18", "v4.1", "v6.12"};
const size_t k_sizes[] = {100, 300, 700, 1400, 3000}; /* bytes, requests */
const uint64_t k_batch = 32768;			      /* operations per batch, ratio family */

enum map_kind { MAP_INSIDE, MAP_STRADDLE };

/* One operation of the suite. */
struct op_desc {
	const char *name;
	bool map;   /* false: malloc + free */
	bool touch; /* read one word instead of copying the payload */
	enum zs_mapmode mode;
	enum map_kind kind;
};

const op_desc k_ops[] = {
    {"malloc_free", false, false, ZS_MM_RW, MAP_INSIDE},
    {"map_touch", true, true, ZS_MM_RO, MAP_INSIDE},
    {"map_ro_inside", true, false, ZS_MM_RO, MAP_INSIDE},
    {"map_ro_straddle", true, false, ZS_MM_RO, MAP_STRADDLE},
    {"map_wo_inside", true, false, ZS_MM_WO, MAP_INSIDE},
    {"map_wo_straddle", true, false, ZS_MM_WO, MAP_STRADDLE},
};

unsigned long live_objects()
{
	return zsb::options().smoke ? 256 : 16384;
}

/* A pool of K live objects of one size and the operation to repeat on it. */
struct alloc_fixture {
	bench_pool bp;
	op_desc op = {};
	size_t size = 0;		/* bytes, request */
	std::vector<unsigned long> h;	/* live handles, allocation order */
	std::vector<unsigned long> set; /* handles the map operations visit, shuffled */
	std::vector<uint8_t> buf;	/* payload copied in or out */
	size_t i = 0;			/* next position in h or set */

	/* nullptr, or what went wrong */
	const char *init(const char *profile, enum zs_arch arch, size_t sz, const op_desc &o)
	{
		unsigned long n = live_objects();
		/* pool pages for n objects, with room to spare */
		unsigned long pages = (unsigned long)((n * (sz + 64)) / 4096 * 2 + 256);

		op = o;
		size = sz;
		h.assign(n, 0);
		buf.assign(sz, 0);
		zsb::fill_bytes(buf.data(), sz, 42);
		if (bp.init(profile, arch, pages))
			return "pool setup failed";
		for (auto &hd : h) {
			if (zs_malloc(bp.pool, sz, 0, &hd))
				return "zs_malloc failed while filling the pool";
			memcpy(zs_map_object(bp.pool, hd, ZS_MM_WO), buf.data(), sz);
			zs_unmap_object(bp.pool, hd);
		}
		if (!op.map)
			return nullptr;
		for (unsigned long hd : h) {
			bool inside = bp.tp.in_pages(zs_map_object(bp.pool, hd, ZS_MM_RO));

			zs_unmap_object(bp.pool, hd);
			if (inside == (op.kind == MAP_INSIDE))
				set.push_back(hd);
		}
		if (set.empty())
			return "no object of this kind at this size";
		zsb::rng r(7);
		for (size_t k = set.size(); k > 1; k--)
			std::swap(set[k - 1], set[r.below(k)]);
		return nullptr;
	}

	/* n operations; false when zs_malloc failed */
	bool run(uint64_t n)
	{
		if (!op.map) {
			for (uint64_t k = 0; k < n; k++) {
				zs_free(bp.pool, h[i]);
				if (zs_malloc(bp.pool, size, 0, &h[i]))
					return false;
				if (++i == h.size())
					i = 0;
			}
			return true;
		}
		for (uint64_t k = 0; k < n; k++) {
			unsigned long hd = set[i];
			auto *p = static_cast<uint8_t *>(zs_map_object(bp.pool, hd, op.mode));

			if (op.touch)
				memcpy(buf.data(), p,
				       8); /* the first word: the translation alone */
			else if (op.mode == ZS_MM_WO)
				memcpy(p, buf.data(), size);
			else
				memcpy(buf.data(), p, size);
			zs_unmap_object(bp.pool, hd);
			benchmark::DoNotOptimize(buf.data());
			benchmark::ClobberMemory();
			if (++i == set.size())
				i = 0;
		}
		return true;
	}

	size_t objects() const
	{
		return op.map ? set.size() : h.size();
	}
};

void set_meta_counters(benchmark::State &state, const struct zs_pool *pool, uint64_t live)
{
	zsb::meta_cost m = zsb::pool_meta_cost(pool, live);

	state.counters["meta_B_per_obj"] = m.bytes_per_obj;
	state.counters["meta_share"] = m.share;
	state.counters["pool_B_per_obj"] = m.pool_bytes_per_obj;
}

void bm_op(benchmark::State &state, const char *profile, enum zs_arch arch, size_t size, op_desc op)
{
	alloc_fixture fx;
	const char *err = fx.init(profile, arch, size, op);
	uint64_t ops = 0;
	double t0, t1;

	if (err) {
		state.SkipWithError(err);
		return;
	}
	t0 = zsb::cpu_seconds();
	for (auto _ : state) {
		if (!fx.run(1)) {
			state.SkipWithError("zs_malloc failed");
			break;
		}
		ops++;
	}
	t1 = zsb::cpu_seconds();
	state.counters["ns_per_op"] = ops ? (t1 - t0) * 1e9 / (double)ops : 0;
	state.counters["objects"] = (double)fx.objects();
	set_meta_counters(state, fx.bp.pool, fx.h.size());
}

/* The three profiles interleaved: see the head of the file. */
void bm_ratio(benchmark::State &state, size_t size, op_desc op)
{
	alloc_fixture fx[3];
	double t[3] = {0, 0, 0};
	uint64_t batches = 0, batch = zsb::options().smoke ? 16 : k_batch;
	unsigned int first = 0;

	for (int k = 0; k < 3; k++) {
		const char *err = fx[k].init(k_profiles[k], ZS_ARCH_ARM32, size, op);

		if (err) {
			state.SkipWithError(err);
			return;
		}
	}
	for (auto _ : state) {
		for (unsigned int j = 0; j < 3; j++) {
			unsigned int k = (first + j) % 3;
			double t0 = zsb::cpu_seconds();

			if (!fx[k].run(batch)) {
				state.SkipWithError("zs_malloc failed");
				return;
			}
			t[k] += zsb::cpu_seconds() - t0;
		}
		first = (first + 1) % 3;
		batches++;
	}
	double n = (double)(batches * batch);

	for (int k = 0; k < 3; k++)
		state.counters[std::string("ns_") + k_profiles[k]] = n > 0 ? t[k] * 1e9 / n : 0;
	state.counters["ratio_v4.1"] = t[0] > 0 ? t[1] / t[0] : 0;
	state.counters["ratio_v6.12"] = t[0] > 0 ? t[2] / t[0] : 0;
	state.counters["objects"] = (double)fx[0].objects();
}

std::string name(const char *op, const char *profile, enum zs_arch arch, size_t size)
{
	return std::string("alloc/") + op + "/" + profile + "/" + zs_arch_name(arch) + "/" +
	       std::to_string(size);
}

} /* namespace */

void zsb_register_alloc()
{
	for (size_t size : k_sizes) {
		for (const char *p : k_profiles) {
			for (const op_desc &op : k_ops)
				benchmark::RegisterBenchmark(
				    name(op.name, p, ZS_ARCH_ARM32, size).c_str(), bm_op, p,
				    ZS_ARCH_ARM32, size, op);
			/* x86_64: what the 8-byte words cost in memory (and time) */
			benchmark::RegisterBenchmark(
			    name("malloc_free", p, ZS_ARCH_X86_64, size).c_str(), bm_op, p,
			    ZS_ARCH_X86_64, size, k_ops[0]);
		}
	}
	for (const op_desc &op : k_ops)
		for (size_t size : k_sizes)
			benchmark::RegisterBenchmark(
			    (std::string("alloc/ratio/") + op.name + "/" + std::to_string(size))
				.c_str(),
			    bm_ratio, size, op);
}
