/*
 * results_fields.h - the counters of a snapshot and a compaction run, each
 * once, as X-macro lists: X(KEY, MEMBER) with KEY the name in the results
 * JSON (the kernel's where it has one: zram's mm_stat and io_stat, the
 * debugfs class columns, /proc/vmstat) and MEMBER where the engine keeps it.
 * The results writer (replay/results_json.c) writes them in this order and
 * readers name them through RESULTS_KEY (cli/cli_report_metrics.c), so a
 * new counter is added in one place: here, beside its struct member. The
 * order is the documents' and must not change (byte-
 * identical results across versions).
 */
#ifndef ZSFRAG_SIM_RESULTS_FIELDS_H
#define ZSFRAG_SIM_RESULTS_FIELDS_H

/* Top-level counters of a snapshot (struct sim_snapshot), before "pool_bytes". */
#define RESULTS_SNAPSHOT_HEAD(X)                                                                   \
	X(event_index, event_index)                                                                \
	X(time_ns, time_ns)                                                                        \
	X(pool_pages, pool_pages)                                                                  \
	X(ideal_pages, ideal_pages)                                                                \
	X(pages_compacted, pages_compacted)                                                        \
	X(compactions, compactions)                                                                \
	X(stored_bytes, stored_bytes)

/* One size class (struct sim_class_snap), the debugfs classes columns; "fullness" follows. */
#define RESULTS_CLASS(X)                                                                           \
	X(index, index)                                                                            \
	X(size, size)                                                                              \
	X(pages_per_zspage, pages_per_zspage)                                                      \
	X(objs_per_zspage, objs_per_zspage)                                                        \
	X(obj_allocated, obj_allocated)                                                            \
	X(obj_used, obj_used)                                                                      \
	X(pages_used, pages_used)                                                                  \
	X(freeable, freeable)

/* "mm_stat": zram's /sys/block/zramN/mm_stat (struct zram_mm_stat). */
#define RESULTS_MM_STAT(X)                                                                         \
	X(orig_data_size, orig_data_size)                                                          \
	X(compr_data_size, compr_data_size)                                                        \
	X(mem_used_total, mem_used_total)                                                          \
	X(mem_limit, mem_limit)                                                                    \
	X(mem_used_max, mem_used_max)                                                              \
	X(same_pages, same_pages)                                                                  \
	X(pages_compacted, pages_compacted)                                                        \
	X(huge_pages, huge_pages)                                                                  \
	X(huge_pages_since, huge_pages_since)

/* "io_stat": zram's io_stat and the failed writes by reason (struct zram_io_stat);
 * failed_writes_alloc + failed_writes_mem_limit = failed_writes. */
#define RESULTS_IO_STAT(X)                                                                         \
	X(failed_reads, failed_reads)                                                              \
	X(failed_writes, failed_writes)                                                            \
	X(failed_writes_alloc, failed_writes_alloc)                                                \
	X(failed_writes_mem_limit, failed_writes_mem_limit)                                        \
	X(notify_free, notify_free)                                                                \
	X(writes, writes)                                                                          \
	X(reads, reads)

/* "forks": the counters before "outcomes" and after "stall_reasons" (struct sim_fork_stats). */
#define RESULTS_FORKS_HEAD(X)                                                                      \
	X(attempted, attempted)                                                                    \
	X(succeeded, succeeded)                                                                    \
	X(stalls, stalls)                                                                          \
	X(oom_kills, oom_kills)                                                                    \
	X(failed, failed)
#define RESULTS_FORKS_TAIL(X)                                                                      \
	X(exits, exits)                                                                            \
	X(live, live)                                                                              \
	X(pages_live, pages_live)                                                                  \
	X(free_pages_at_last_stall, free_at_last_stall)                                            \
	X(lowmem_free_pages_at_last_stall, lowmem_free_at_last_stall)

/* "forks" "probe_pcp" (struct sim_fork_stats), only after a fork probe (F) ran: the probes so
 * far, then the latest one's per-CPU lists. */
#define RESULTS_FORKS_PROBE_PCP(X)                                                                 \
	X(probes, probes)                                                                          \
	X(high, probe_pcp_high)                                                                    \
	X(pages_max, probe_pcp_max)                                                                \
	X(rise_max, probe_pcp_rise_max)

/* "vmstat": /proc/vmstat's names (struct page_alloc_stats). */
#define RESULTS_VMSTAT(X)                                                                          \
	X(allocstall, allocstall)                                                                  \
	X(compact_stall, compact_stall)                                                            \
	X(compact_success, compact_success)                                                        \
	X(compact_fail, compact_fail)                                                              \
	X(oom_kill, oom_kill)                                                                      \
	X(pageoutrun, pageoutrun)                                                                  \
	X(kswapd_wakeups, kswapd_wakeups)                                                          \
	X(kswapd_freed, kswapd_freed)                                                              \
	X(direct_reclaim_freed, direct_freed)                                                      \
	X(kcompactd_wake, kcompactd_wake)                                                          \
	X(kswapd_failures, kswapd_failures)

/* "kcompact": kernel memory compaction (struct page_alloc_stats). */
#define RESULTS_KCOMPACT(X)                                                                        \
	X(runs, kc_runs)                                                                           \
	X(successes, kc_successes)                                                                 \
	X(deferred, kc_deferred)                                                                   \
	X(pages_migrated, pages_migrated)                                                          \
	X(zs_pages_migrated, zs_pages_migrated)                                                    \
	X(bytes_copied, bytes_copied)                                                              \
	X(migrate_scanned, migrate_scanned)                                                        \
	X(free_scanned, free_scanned)

/* "other": raw objects, blocks and requests (struct sim_other_stats). */
#define RESULTS_OTHER(X)                                                                           \
	X(objects_live, objects_live)                                                              \
	X(object_bytes, object_bytes)                                                              \
	X(alloc_failures, alloc_failures)                                                          \
	X(blocks_live, blocks_live)                                                                \
	X(block_failures, block_failures)                                                          \
	X(compact_requests_ignored, compact_requests_ignored)                                      \
	X(verify_mismatches, verify_mismatches)                                                    \
	X(zs_slab_pages, zs_slab_pages)

/* "other" "swapouts" (struct sim_other_stats), only when the trace named its swapped-out
 * pages (`p ID s SLOT`): such puts, those kept because their write had failed, the pages kept
 * now, and reads served by a kept page (engine_swapout.c). */
#define RESULTS_OTHER_SWAPOUTS(X)                                                                  \
	X(puts, swapout_puts)                                                                      \
	X(kept, swapout_kept)                                                                      \
	X(kept_live, swapout_kept_live)                                                            \
	X(cache_reads, swapout_cache_reads)

/* One compaction run (struct sim_compaction), after "trigger"; "cpu_ns" follows with timing. */
#define RESULTS_COMPACTION(X)                                                                      \
	X(pool_pages_before, pool_pages_before)                                                    \
	X(pool_pages_after, pool_pages_after)                                                      \
	X(pages_freed, result.pages_freed)                                                         \
	X(zspages_freed, result.zspages_freed)                                                     \
	X(objs_migrated, result.objs_migrated)                                                     \
	X(bytes_copied, result.bytes_copied)

/*
 * A key's name for a reader, checked when it builds: RESULTS_KEY(io_stat, writes) is "writes"
 * if RESULTS_IO_STAT lists writes, and does not compile if it does not (a typo, a counter
 * renamed or removed). One enum of names per list makes the check.
 */
#define RESULTS_E_snapshot(key, member)	  RESULTS_snapshot_##key,
#define RESULTS_E_class(key, member)	  RESULTS_class_##key,
#define RESULTS_E_mm_stat(key, member)	  RESULTS_mm_stat_##key,
#define RESULTS_E_io_stat(key, member)	  RESULTS_io_stat_##key,
#define RESULTS_E_forks(key, member)	  RESULTS_forks_##key,
#define RESULTS_E_probe_pcp(key, member) RESULTS_probe_pcp_##key,
#define RESULTS_E_vmstat(key, member)	  RESULTS_vmstat_##key,
#define RESULTS_E_kcompact(key, member)	  RESULTS_kcompact_##key,
#define RESULTS_E_other(key, member)	  RESULTS_other_##key,
#define RESULTS_E_swapouts(key, member)	  RESULTS_swapouts_##key,
#define RESULTS_E_compaction(key, member) RESULTS_compaction_##key,
enum results_snapshot_key { RESULTS_SNAPSHOT_HEAD(RESULTS_E_snapshot) };
enum results_class_key { RESULTS_CLASS(RESULTS_E_class) };
enum results_mm_stat_key { RESULTS_MM_STAT(RESULTS_E_mm_stat) };
enum results_io_stat_key { RESULTS_IO_STAT(RESULTS_E_io_stat) };
enum results_forks_key { RESULTS_FORKS_HEAD(RESULTS_E_forks) RESULTS_FORKS_TAIL(RESULTS_E_forks) };
enum results_probe_pcp_key { RESULTS_FORKS_PROBE_PCP(RESULTS_E_probe_pcp) };
enum results_vmstat_key { RESULTS_VMSTAT(RESULTS_E_vmstat) };
enum results_kcompact_key { RESULTS_KCOMPACT(RESULTS_E_kcompact) };
enum results_other_key { RESULTS_OTHER(RESULTS_E_other) };
enum results_swapouts_key { RESULTS_OTHER_SWAPOUTS(RESULTS_E_swapouts) };
enum results_compaction_key { RESULTS_COMPACTION(RESULTS_E_compaction) };
#define RESULTS_KEY(group, key) ((void)RESULTS_##group##_##key, #key)

#endif /* ZSFRAG_SIM_RESULTS_FIELDS_H */
