#!/usr/bin/env python3
"""The markdown tables of docs/study-targeted.md from a compare's stats.json.

usage: study-targeted-table.py STATS.json REFERENCE VARIANTS

REFERENCE and VARIANTS as compare takes them (v4.1:on-pgd-failure; a comma-separated list).
Prints per variant the mean +- the half-width of the 95% interval of the study's metrics, then
each variant against REFERENCE seed by seed, then the other pairs the doc discusses.
"""
import json
import sys

COLS = [('fork stalls', 'forks_stalled', '{:,.0f}', 1),
        ('of which fragmentation', 'stalls_fragmentation', '{:,.0f}', 1),
        ('OOM kills', 'forks_oom_kill', '{:,.0f}', 1),
        ('zram writes failed', 'zram_failed', '{:,.0f}', 1),
        ('order-2 unusable, mean', 'unusable_mean', '{:.3f}', 1),
        ('MB copied', 'bytes_copied', '{:.2f}', 1e-6),
        ('compaction CPU ms (host)', 'cpu_ms', '{:,.1f}', 1)]
# pairs the doc's text quotes, besides every variant against the reference
EXTRA = [('v4.1 grouped+targeted', 'v4.1 targeted'), ('v4.1 grouped', 'v4.1 none'),
         ('v4.1 grouped+targeted', 'v6.12 manual+migration'),
         ('v4.1 grouped+on-pgd-failure', 'v4.1 on-pgd-failure'),
         ('v6.12 migration', 'v6.12 none'), ('v6.12 manual+migration', 'v6.12 manual')]


def name(v):
    return v.replace(':', ' ')


def interval(m, fmt, scale):
    if m['n'] == 0 or m['mean'] is None:
        return '-'
    half = (m['ci_high'] - m['mean']) * scale if m['ci_high'] is not None else 0.0
    return fmt.format(m['mean'] * scale) + ' ± ' + fmt.format(half)


def pair_cell(p, sgn, key, scale, fmt):
    """a minus b seed by seed: sgn 1 when the stored pair is (b, a), whose mean_diff is a - b"""
    m = p['metrics'][key]
    if m['n'] == 0 or m['mean_diff'] is None:
        return '-'
    if m['ci_low'] is None:  # every difference equal: no spread
        lo = hi = m['mean_diff'] * sgn * scale
    else:
        lo, hi = sorted((m['ci_low'] * sgn * scale, m['ci_high'] * sgn * scale))
    lower, higher = (m['b_lower'], m['b_higher']) if sgn > 0 else (m['b_higher'], m['b_lower'])
    pt = 'n/a' if m['p'] is None else '%.2g' % m['p']
    pw = 'n/a' if m['p_wilcoxon'] is None else '%.3g' % m['p_wilcoxon']
    return '%s [%s, %s], p %s, W %s, %d/%d' % (fmt.format(m['mean_diff'] * sgn * scale),
                                                fmt.format(lo), fmt.format(hi), pt, pw,
                                                lower, higher)


def main():
    stats, ref, order = sys.argv[1], name(sys.argv[2]), [name(v) for v in sys.argv[3].split(',')]
    w = json.load(open(stats))['workloads'][0]
    by = {v['variant']: v for v in w['variants']}
    order = [v for v in order if v in by]
    n = max(by[v]['metrics']['forks']['n'] for v in order)
    print('%s: %d seeds (mean ± half-width of the 95%% interval)\n' % (w['workload'], n))
    print('| variant | ' + ' | '.join(c[0] for c in COLS) + ' |')
    print('| --- ' * (len(COLS) + 1) + '|')
    for v in order:
        cells = [interval(by[v]['metrics'][c[1]], c[2], c[3]) for c in COLS]
        print('| %s | %s |' % (v, ' | '.join(cells)))
    pairs = {}
    for p in w['paired']:
        # stats.json's mean_diff is b - a and b_lower counts the seeds where b is lower
        pairs[(p['a'], p['b'])] = (p, -1)
        pairs[(p['b'], p['a'])] = (p, 1)
    print('\nother minus %s, seed by seed: mean difference [95%% interval], paired t-test p, '
          'Wilcoxon p, seeds lower/higher\n' % ref)
    print('| variant | OOM kills | MB copied |')
    print('| --- | --- | --- |')
    rows = [(v, ref) for v in order if v != ref and (v, ref) in pairs]
    rows += [(a, b) for a, b in EXTRA if (a, b) in pairs and b != ref]
    for i, (a, b) in enumerate(rows):
        if b != ref and (i == 0 or rows[i - 1][1] == ref):
            print('| **other pairs** | | |')
        p, sgn = pairs[(a, b)]
        label = a if b == ref else '%s − %s' % (a, b)
        print('| %s | %s | %s |' % (label, pair_cell(p, sgn, 'forks_oom_kill', 1, '{:+,.0f}'),
                                    pair_cell(p, sgn, 'bytes_copied', 1e-6, '{:+.2f}')))


if __name__ == '__main__':
    main()
