# plots/timeseries.gp - one run over time: `zsfrag plot timeseries RUN.json`.
#
# gnuplot -c plots/timeseries.gp DATA.tsv COMPACTIONS.tsv FORKS.tsv OUTBASE TITLE ZONE INDEX_LIMIT
#         "PAGE_KIB NR_COMPACTIONS X NR_OUTCOMES NR_FORK_ROWS COMPACTION_MODE"
# (the last six in one argument: gnuplot -c takes nine)
# writes OUTBASE.png (pngcairo) and OUTBASE.svg.
# DATA.tsv (tab-separated, one row per snapshot): 1 x (X = "time": simulated seconds;
# "events": events replayed), 2 events replayed, 3 pool pages, 4 ideal pages, 5 compressed data
# in pages, 6..10 free PAGES of the pgd zone stacked (in blocks of order 0, <=1, <=2, <=3, all),
# 11 the zone's order-2 unusable index where it means something, 12 the same where it does not
# (the zone at or below INDEX_LIMIT: short of memory itself), 13 the zone's low and 14 min
# watermark ("" when the results have none), 15 the snapshot's label from the trace, quoted
# ("" for periodic samples), 16 its height slot (0..2), 17 the label again where the
# full-width panels show it (thinned).
# COMPACTIONS.tsv: 1 x, 2 runs (COMPACTION_MODE "lines": one row per zs_compact run; "bins":
# one row per bin of the run holding any, at its middle).
# FORKS.tsv: a header row, then per interval (merged to hold enough forks for a rate) 1 its
# middle, 2 forks in it, 3.. the share (%) of them with each outcome other than "fast"; the
# header names the outcomes and their totals.
#
# No straight quote or apostrophe inside a string here: gnuplot's macro expansion would take
# it for the end of the string and leave the @ macros after it unexpanded.
# Every panel sets its own tics: a setting left over from the last panel of the PNG pass once
# gave the SVG pass one y tick per page (160,000 labels, 151 MB).
data = ARG1
comps = ARG2
forks = ARG3
out = ARG4
ttl = ARG5
zone = ARG6
idxlimit = ARG7
pkib = word(ARG8, 1)
ncomp = int(word(ARG8, 2))
bytime = word(ARG8, 3) eq "time"
nout = int(word(ARG8, 4))
nfr = int(word(ARG8, 5))
binned = word(ARG8, 6) eq "bins"
xlab = bytime ? "simulated time (s)" : "trace events replayed"
zoomfmt = bytime ? "%.0f-%.0f s" : "events %.0f-%.0f"

set encoding utf8
set datafile separator "\t"
set datafile missing ""
stats data using 1 nooutput
xmax = STATS_max
stats data using 3 nooutput
top1 = STATS_max
stats data using 5 nooutput
# headroom: the keys sit in the top third of each panel, above the data
top1 = (STATS_max > top1 ? STATS_max : top1) * 1.5 + 1
stats data using 10 nooutput
top2 = STATS_max * 1.5 + 1
# the forks panel zooms onto the part of the run where forks happen, and is as tall as the
# largest rate needs (at most 100%)
xf = 0
top4 = 10
if (nfr > 0) {
	stats forks using 1 skip 1 nooutput
	xf = STATS_min
	do for [c = 3:nout + 2] {
		stats forks using c skip 1 nooutput
		top4 = STATS_max * 1.4 > top4 ? STATS_max * 1.4 : top4
	}
}
top4 = top4 > 100 ? 100 : top4
xf0 = xf - 0.3 * (xmax - xf) - (bytime ? 0 : 1)
xf0 = xf0 < 0 ? 0 : xf0

# compaction runs: a dotted line each when there are few; when many, a short mark at the
# top of each panel per bin of the run holding any
cmt = binned ? sprintf("%d zs_compact runs (marks at the top: where they ran)", ncomp) : "zs_compact run"
cm(t) = ncomp == 0 ? "" : binned ? \
	sprintf(', comps using 1:(%g):(0):(%g) with vectors nohead lw 2 lc rgb "#d62728" title cmt', t * 0.96, t * 0.04) : \
	sprintf(', comps using 1:(0):(0):(%g) with vectors nohead dt 3 lc rgb "#d62728" title cmt', t)
cm_top1 = cm(top1)
cm_top2 = cm(top2)
cm_top3 = cm(1.3)
cm_top4 = cm(top4)
# forks: one line per outcome other than fast, colours in order
oc(j) = word("#d62728 #ff7f0e #9467bd #8c564b #e377c2 #17becf #bcbd22 #7f7f7f #1f77b4 #2ca02c", (j - 1) % 10 + 1)

do for [fmt in "png svg"] {
	if (fmt eq "png") {
		set terminal pngcairo noenhanced size 1100,1450 font "sans,10"
	} else {
		set terminal svg noenhanced size 1100,1450 font "sans,10" background "white"
	}
	set output out.".".fmt
	set multiplot layout 4,1 title ttl font ",13" margins 0.08,0.96,0.05,0.94 spacing 0,0.06
	set grid ytics lc rgb "#dddddd"
	set xrange [0:xmax > 0 ? xmax : 1]
	set format x (bytime ? "%g" : "%.0s%c")
	set xlabel xlab
	set key top left opaque box
	unset y2tics
	unset y2label

	# 1. the pool against its bound and what it holds
	set title "zsmalloc pool: pages held vs the ideal (every class perfectly packed) vs compressed data; “quoted”: snapshot labels written in the trace"
	set ylabel sprintf("pages (%s KiB each)", pkib)
	set yrange [0:top1]
	set ytics autofreq mirror
	set format y "%.0f"
	set key maxrows 4
	plot data using 1:3 with lines lw 2 lc rgb "#1f77b4" title "pool pages", \
	     data using 1:4 with lines lw 2 dt 2 lc rgb "#2ca02c" title "ideal pages", \
	     data using 1:5 with lines lw 1 lc rgb "#ff7f0e" title "compressed data (in pages)", \
	     data using 1:(top1 * 0.93):17 with labels rotate by 90 right font ",8" tc rgb "#555555" notitle @cm_top1

	# 2. free memory in the zone a pgd comes from, in pages
	set title sprintf("%s zone: free pages, by the order of the free block they are in (stacked), and its watermarks", zone)
	set ylabel sprintf("free pages (%s KiB each)", pkib)
	set yrange [0:top2]
	set ytics autofreq mirror
	set key maxrows 4
	set style fill solid 1.0 noborder
	plot data using 1:10 with filledcurves x1 lc rgb "#c7e9c0" title "in blocks of order >= 4", \
	     data using 1:9 with filledcurves x1 lc rgb "#74c476" title "order 3", \
	     data using 1:8 with filledcurves x1 lc rgb "#fdae6b" title "order 2 (a pgd on 32-bit ARM)", \
	     data using 1:7 with filledcurves x1 lc rgb "#9ecae1" title "order 1", \
	     data using 1:6 with filledcurves x1 lc rgb "#dadaeb" title "order 0", \
	     data using 1:13 with lines lw 1.5 dt 2 lc rgb "#333333" title "low watermark", \
	     data using 1:14 with lines lw 1 dt 3 lc rgb "#333333" title "min watermark" @cm_top2

	# 3. the order-2 unusable index, only where the zone has free memory to speak of
	set title sprintf("%s zone: order-2 unusable free space index (0: every free page could serve an order-2 request, 1: none)", zone)
	set ylabel "unusable index"
	set yrange [0:1.3]
	set ytics 0, 0.2, 1 mirror
	set format y "%.1f"
	set key maxrows 3
	plot data using 1:11 with lines lw 2 lc rgb "black" title "order-2 unusable index", \
	     data using 1:12 with points pt 6 ps 0.5 lc rgb "#999999" title sprintf("not meaningful: the zone %s (short of memory, not fragmented)", idxlimit) @cm_top3

	# 4. what a user sees: how forks got (or did not get) their order-2 page directory
	set title (xf0 > 0.02 * xmax ? sprintf("forks (zoomed to ".zoomfmt."): share of the forks in each interval that did not get their order-2 pgd straight off the free lists", xf0, xmax) : "forks: share of the forks in each interval that did not get their order-2 pgd straight off the free lists")
	set xrange [xf0:xmax > xf0 ? xmax : xf0 + 1]
	set format x (xf0 > 0.02 * xmax || bytime ? "%g" : "%.0s%c")
	set ylabel "% of the forks in each interval"
	set yrange [0:top4]
	set ytics autofreq mirror
	set format y "%.0f%%"
	set key maxrows 5
	set label 1 (nfr == 0 ? "no forks in this trace" : nout == 0 ? "every fork got its pgd straight off the free lists" : "") at graph 0.5, 0.5 center
	plot data using 1:(top4 * (0.95 - 0.1 * $16)):15 with labels right offset -0.5,0 font ",8" tc rgb "#555555" notitle @cm_top4, \
	     for [c = 3:(nfr > 0 ? nout + 2 : 2)] forks using 1:c with linespoints pt 7 ps 0.5 lw 2 lc rgb oc(c - 2) title columnheader(c)
	unset label 1
	unset multiplot
	set format y "%g"
	set ytics autofreq mirror
	unset output
}
