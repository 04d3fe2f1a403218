/*
 * bench_replay.cc - replay throughput: events per second of the replay
 * engine (sim/engine.c) on a fixed trace, as `zsfrag replay` runs it.
 *
 * The trace is generated in the benchmark's setup, deterministically (seed
 * 1), in memory: once as struct sim_event records and once as trace text
 * (written with trace_write_header()/trace_write_event(), so it is exactly
 * what a trace file would hold). It models a phone's zram swap in steady
 * state on the default machine (a 1 GiB 32-bit ARM phone):
 *   fill:  every slot of a 40000-slot working set written once (8.5%
 *          same-filled pages, the rest lognormal around 1.5 KiB, 10%
 *          incompressible), a quarter of them followed by a slab page (g u);
 *   churn: 400000 events: rewrites (w, z), discards (d), reads (r), other
 *          memory users getting and putting pages (g, p), forks and exits
 *          (k, x), and a compaction request (c) every 100000 events;
 *   end:   a full verification (v).
 * The "noverify" variant is the same stream without the r and v events
 * (reads verify the payload of the object they map; v verifies them all);
 * payload writes are always on, as they are in the engine.
 *
 *   replay/engine/P/{verify,noverify}      sim_event() over pre-parsed events
 *   replay/engine+lookahead/...            the same with the replay's look-ahead, per
 *                                          payload mode
 *   replay/text+engine/P/{verify,noverify} replay_loop() (replay/replay_job.h, the
 *                                          commands' event loop) over the text (fmemopen)
 *   replay/text_only/verify                the reader alone
 *   .../+prefault, .../+threads            as `zsfrag replay` runs by default: a second
 *                                          thread backs the host memory (and decodes the
 *                                          text, through replay_loop())
 *
 * Manual time (thread CPU time; elapsed time for +prefault and +threads)
 * covers the event loop (and the reader's open); creating and destroying
 * the emulated machine is not counted. Counters: events, events_per_s,
 * ns_per_event, cpu_per_event_ns (the process's CPU time, every thread), and
 * pool_pages at the end (a check that the trace really filled a pool).
 */
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "bench_util.h"
#include "trace_text.h"
#include "engine.h"
#include "replay_job.h"

namespace
{

struct trace_data {
	std::vector<struct sim_event> events;
	std::string text;
};

struct gen_sizes {
	uint64_t slots, churn, compact_every;
};

gen_sizes trace_sizes()
{
	if (zsb::options().smoke)
		return {400, 4000, 1000};
	return {40000, 400000, 100000};
}

uint32_t comp_len(zsb::rng &r)
{
	double u1 = r.unit(), u2 = r.unit();
	double z =
	    std::sqrt(-2.0 * std::log(u1 > 0 ? u1 : 1e-12)) * std::cos(6.283185307179586 * u2);
	double v = std::exp(7.3 + 0.45 * z);

	if (r.unit() < 0.1)
		return 4096;
	return (uint32_t)std::min(4096.0, std::max(64.0, v));
}

class generator
{
      public:
	explicit generator(bool verify) : r_(1), verify_(verify)
	{
	}

	std::vector<struct sim_event> run()
	{
		gen_sizes gs = trace_sizes();

		stored_.assign(gs.slots, 0);
		for (uint64_t s = 0; s < gs.slots; s++) {
			write(s);
			if (r_.below(4) == 0)
				get('u');
		}
		for (uint64_t k = 0; k < gs.churn; k++) {
			uint64_t c = r_.below(1000);

			if (k && k % gs.compact_every == 0)
				emit(SIM_OP_COMPACT, 0, 0);
			if (c < 400)
				write(r_.below(gs.slots));
			else if (c < 550)
				discard();
			else if (c < 750)
				read();
			else if (c < 990)
				other_memory();
			else
				process();
		}
		if (verify_)
			emit(SIM_OP_VERIFY, 0, 0);
		return std::move(ev_);
	}

      private:
	void emit(enum sim_op op, uint64_t id, uint32_t size, char mtype = 0)
	{
		struct sim_event e;

		memset(&e, 0, sizeof(e));
		e.op = op;
		e.has_time = true;
		t_ += 1000;
		e.time_ns = t_;
		e.id = id;
		e.size = size;
		e.mtype = mtype;
		e.line = ev_.size() + 1;
		ev_.push_back(e);
	}
	void write(uint64_t slot)
	{
		bool same = r_.below(1000) < 85;

		if (same)
			emit(SIM_OP_WRITE_SAME, slot, 0);
		else
			emit(SIM_OP_WRITE, slot, comp_len(r_));
		if (!stored_[slot]) {
			stored_[slot] = 1;
			live_slots_.push_back(slot);
		}
	}
	/* a random stored slot: swap out then in, or freed by its process */
	bool pick_stored(uint64_t *slot, size_t *pos)
	{
		if (live_slots_.empty())
			return false;
		*pos = (size_t)r_.below(live_slots_.size());
		*slot = live_slots_[*pos];
		return true;
	}
	void discard()
	{
		uint64_t slot;
		size_t pos;

		if (!pick_stored(&slot, &pos))
			return;
		emit(SIM_OP_DISCARD, slot, 0);
		stored_[slot] = 0;
		live_slots_[pos] = live_slots_.back();
		live_slots_.pop_back();
	}
	void read()
	{
		uint64_t slot;
		size_t pos;

		/* the draw happens in both variants, so the streams stay identical */
		if (pick_stored(&slot, &pos) && verify_)
			emit(SIM_OP_READ, slot, 0);
	}
	/* half gets, half puts, while at least 64 blocks are held */
	void other_memory()
	{
		if (r_.below(2) || blocks_.size() < 64)
			get(r_.below(2) ? 'u' : 'm');
		else
			put();
	}
	/* at most 16 processes: fork or exit */
	void process()
	{
		if (pids_.size() < 16 && (r_.below(2) || pids_.empty()))
			fork();
		else
			exit_one();
	}
	void get(char mtype)
	{
		uint64_t id = next_block_++;

		emit(SIM_OP_GET, id, 0, mtype);
		blocks_.push_back(id);
	}
	void put()
	{
		size_t pos = (size_t)r_.below(blocks_.size());

		emit(SIM_OP_PUT, blocks_[pos], 0);
		blocks_[pos] = blocks_.back();
		blocks_.pop_back();
	}
	void fork()
	{
		uint64_t pid = next_pid_++;

		emit(SIM_OP_FORK, pid, 0);
		pids_.push_back(pid);
	}
	void exit_one()
	{
		size_t pos = (size_t)r_.below(pids_.size());

		emit(SIM_OP_EXIT, pids_[pos], 0);
		pids_[pos] = pids_.back();
		pids_.pop_back();
	}

	zsb::rng r_;
	bool verify_;
	uint64_t t_ = 0, next_block_ = 0, next_pid_ = 1;
	std::vector<uint8_t> stored_;
	std::vector<uint64_t> live_slots_, blocks_, pids_;
	std::vector<struct sim_event> ev_;
};

int to_text(const std::vector<struct sim_event> &ev, std::string *out)
{
	static const struct trace_meta meta[] = {
	    {"source", "zsfrag_bench replay generator, seed 1"},
	    {"page_size", "4096"},
	};
	char *buf = nullptr;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int err;

	if (!f)
		return -ENOMEM;
	err = trace_write_header(f, meta, 2);
	for (size_t i = 0; !err && i < ev.size(); i++)
		err = trace_write_event(f, &ev[i]);
	if (fclose(f) && !err)
		err = -EIO;
	if (!err)
		out->assign(buf, len);
	free(buf);
	return err;
}

/* The two traces, built on first use and kept for the process (read-only after). */
const trace_data &trace(bool verify)
{
	static trace_data t[2];
	static bool built[2];
	trace_data &d = t[verify];

	if (!built[verify]) {
		d.events = generator(verify).run();
		if (to_text(d.events, &d.text))
			d.text.clear();
		built[verify] = true;
	}
	return d;
}

enum replay_mode { ENGINE, TEXT_ENGINE, TEXT_ONLY };

/* events ahead of the one replayed at which the ENGINE loop prefetches the array */
#define BENCH_EVENT_PREFETCH (SIM_LOOKAHEAD_DEFAULT * SIM_PREFETCH_DEPTHS + 16)

/* ENGINE: the pre-decoded events straight into sim_event(), with the replay's look-ahead. */
int run_engine(struct sim *sim, const std::vector<struct sim_event> &events, unsigned int lookahead,
	       char *msg, size_t len)
{
	const size_t n_ev = events.size();
	int err = 0;

	for (size_t i = 0; i < n_ev; i++) {
		/*
		 * The harness's own array (168 bytes an event, 75 MB) streamed
		 * from memory: bring its lines in ahead of the look-ahead's
		 * depth 0, as `zsfrag replay`'s 64-event ring has them in
		 * cache. Without it the look-ahead's first read of each event
		 * waited on memory: 7% of this benchmark's samples.
		 */
		if (i + BENCH_EVENT_PREFETCH < n_ev) {
			const char *e = (const char *)&events[i + BENCH_EVENT_PREFETCH];

			__builtin_prefetch(e);
			__builtin_prefetch(e + offsetof(struct sim_event, mtype));
		}
		/* as trace_lookahead: depth d for the event stride x (D - d) ahead */
		for (unsigned int d = 0; lookahead && d < SIM_PREFETCH_DEPTHS; d++) {
			size_t k = i + (size_t)lookahead * (SIM_PREFETCH_DEPTHS - d);

			if (k < n_ev)
				sim_prefetch(sim, &events[k], d);
		}
		if ((err = sim_event(sim, &events[i], msg, len)) != 0)
			break;
	}
	return err;
}

/* TEXT_ENGINE: the text trace through replay_loop(); TEXT_ONLY: through the reader alone. */
int run_text(struct sim *sim, const std::string &text, enum replay_mode mode, char *msg, size_t len)
{
	FILE *f = fmemopen(const_cast<char *>(text.data()), text.size(), "r");
	struct trace_reader *r = nullptr;
	struct sim_event ev;
	int err = f ? trace_reader_open_file(f, "<bench>", &r, msg, len) : -ENOMEM;
	int n = 0;

	if (!err && mode == TEXT_ENGINE) {
		/* the loop `zsfrag replay`, compare and sweep run (replay_job.h) */
		if (replay_loop(sim, r, "<bench>", nullptr, msg, len))
			err = -EINVAL;
	} else {
		while (!err && (n = trace_reader_next(r, &ev, msg, len)) == 1)
			;
		if (!err && n < 0)
			err = n;
	}
	trace_reader_close(r);
	if (f)
		fclose(f);
	return err;
}

void bm_replay(benchmark::State &state, enum replay_mode mode, const char *profile, bool verify,
	       unsigned int lookahead, enum sim_payload payload, bool threads)
{
	const trace_data &td = trace(verify);
	struct sim_config cfg;
	struct sim_sinks sinks = {};
	uint64_t events = 0, pool_pages = 0;
	double busy = 0, cpu = 0;
	char msg[512];

	if (td.text.empty()) {
		state.SkipWithError("trace generation failed");
		return;
	}
	sim_config_default(&cfg);
	cfg.pool.profile = profile;
	cfg.payload = payload;
	/*
	 * Without the host threads (sim/host_prefault.h, traces/trace_ahead.h)
	 * the measure is this thread's CPU time (the engine as it ran before
	 * they existed); with them, the work is split between threads, and
	 * what the replay gains is wall-clock time: the measure is then elapsed
	 * time, and the CPU time of every thread is counted apart
	 * (cpu_per_event_ns).
	 */
	cfg.mem.host_prefault = threads;
	cfg.reader_thread = threads;
	if (zsb::options().smoke) {
		/* a small machine: debug builds walk all of it after every event */
		cfg.mem.ram_bytes = 64ULL << 20;
		cfg.mem.lowmem_limit_bytes = 48ULL << 20;
	}
	for (auto _ : state) {
		struct sim *sim = nullptr;
		double t0, dt;
		int err;

		if (mode != TEXT_ONLY && sim_create(&cfg, &sinks, &sim, msg, sizeof(msg))) {
			state.SkipWithError(msg);
			return;
		}
		double c0 = zsb::process_cpu_seconds();

		t0 = threads ? zsb::wall_seconds() : zsb::cpu_seconds();
		err = mode == ENGINE ? run_engine(sim, td.events, lookahead, msg, sizeof(msg))
				     : run_text(sim, td.text, mode, msg, sizeof(msg));
		dt = (threads ? zsb::wall_seconds() : zsb::cpu_seconds()) - t0;
		cpu += zsb::process_cpu_seconds() - c0;
		state.SetIterationTime(dt);
		busy += dt;
		events += td.events.size();
		if (sim) {
			pool_pages = zs_get_total_pages(sim_pool(sim));
			sim_destroy(sim);
		}
		if (err) {
			state.SkipWithError(msg);
			return;
		}
	}
	state.counters["events"] = (double)td.events.size();
	state.counters["events_per_s"] = busy > 0 ? (double)events / busy : 0;
	state.counters["ns_per_event"] = events ? busy * 1e9 / (double)events : 0;
	state.counters["cpu_per_event_ns"] = events ? cpu * 1e9 / (double)events : 0;
	state.counters["pool_pages"] = (double)pool_pages;
}

} /* namespace */

void zsb_register_replay()
{
	static const struct {
		const char *name;
		enum replay_mode mode;
		const char *profile;
		bool verify;
		unsigned int lookahead;
		enum sim_payload payload;
		bool threads; /* the host threads on, elapsed time */
	} runs[] = {
	    {"replay/engine/v4.1/verify", ENGINE, "v4.1", true, 0, SIM_PAYLOAD_FULL, false},
	    {"replay/engine/v4.1/noverify", ENGINE, "v4.1", false, 0, SIM_PAYLOAD_FULL, false},
	    {"replay/engine/v6.12/verify", ENGINE, "v6.12", true, 0, SIM_PAYLOAD_FULL, false},
	    /* the look-ahead zsfrag replay runs with, and the payload modes (issue 15) */
	    {"replay/engine+lookahead/v4.1/verify", ENGINE, "v4.1", true, SIM_LOOKAHEAD_DEFAULT,
	     SIM_PAYLOAD_FULL, false},
	    {"replay/engine+lookahead/v4.1/verify/header", ENGINE, "v4.1", true,
	     SIM_LOOKAHEAD_DEFAULT, SIM_PAYLOAD_HEADER, false},
	    {"replay/engine+lookahead/v4.1/verify/none", ENGINE, "v4.1", true,
	     SIM_LOOKAHEAD_DEFAULT, SIM_PAYLOAD_NONE, false},
	    /* as `zsfrag replay` runs by default: the host threads on, elapsed time */
	    {"replay/engine+lookahead+prefault/v4.1/verify", ENGINE, "v4.1", true,
	     SIM_LOOKAHEAD_DEFAULT, SIM_PAYLOAD_FULL, true},
	    {"replay/text+engine+threads/v4.1/verify", TEXT_ENGINE, "v4.1", true,
	     SIM_LOOKAHEAD_DEFAULT, SIM_PAYLOAD_FULL, true},
	    {"replay/text+engine/v4.1/verify", TEXT_ENGINE, "v4.1", true, 0, SIM_PAYLOAD_FULL,
	     false},
	    {"replay/text+engine/v4.1/noverify", TEXT_ENGINE, "v4.1", false, 0, SIM_PAYLOAD_FULL,
	     false},
	    {"replay/text_only/verify", TEXT_ONLY, "v4.1", true, 0, SIM_PAYLOAD_FULL, false},
	};

	for (const auto &r : runs)
		benchmark::RegisterBenchmark(r.name, bm_replay, r.mode, r.profile, r.verify,
					     r.lookahead, r.payload, r.threads)
		    ->UseManualTime()
		    ->Unit(benchmark::kMillisecond);
}
