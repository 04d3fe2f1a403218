# plots/timeseries.gp - one run over time: `zsfrag plot timeseries RUN.json`.
#
# gnuplot -c plots/timeseries.gp DATA.tsv COMPACTIONS.tsv OUTBASE TITLE PAGE_KIB NR_COMPACTIONS X
# writes OUTBASE.png (pngcairo) and OUTBASE.svg. DATA.tsv columns (tab-separated, one row per
# snapshot): 1 x (X = "time": simulated seconds; "events": events replayed), 2 events replayed,
# 3 pool pages, 4 ideal pages, 5 compressed data in pages, 6..10 free blocks of the Normal zone
# stacked (order 0, <=1, <=2, <=3, all), 11 order-2 unusable index of the Normal zone, 12 fork
# attempts, 13 fork failures, 14 the snapshot's label ("" for periodic samples), 15 its height
# slot (0..2, so neighbours do not overlap), 16 the label again where the full-width panels show
# it (thinned to stay legible). COMPACTIONS.tsv: 1 x as in DATA.tsv, 2 pool pages before,
# 3 after, 4 pages freed.
data = ARG1
comps = ARG2
out = ARG3
ttl = ARG4
pkib = ARG5
ncomp = int(ARG6)
bytime = ARG7 eq "time"
xlab = bytime ? "simulated time (s)" : "trace events replayed"
zoomfmt = bytime ? "%.0f-%.0f s" : "events %.0f-%.0f"

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
stats data using 13 nooutput
top3 = (STATS_max > 0 ? STATS_max * 1.4 : 1)
stats data using 12 nooutput
top3b = (STATS_max > 0 ? STATS_max * 1.4 : 1)
# the forks panel zooms onto the part of the run where forks happen
xf = 0
if (top3b > 1) {
	stats data using ($12 > 0 ? $1 : NaN) nooutput
	xf = STATS_min
}
xf0 = xf - 0.3 * (xmax - xf) - (bytime ? 0 : 1)
xf0 = xf0 < 0 ? 0 : xf0

# compaction runs as dotted vertical lines in every panel, when there are any
cm(t) = ncomp > 0 ? sprintf(', comps using 1:(0):(0):(%g) with vectors nohead dt 3 lc rgb "#d62728" title "zs_compact run"', t) : ""
cm_top1 = cm(top1)
cm_top2 = cm(top2)
cm_top3 = cm(top3)

do for [fmt in "png svg"] {
	if (fmt eq "png") {
		set terminal pngcairo noenhanced size 1100,1150 font "sans,10"
	} else {
		set terminal svg noenhanced size 1100,1150 font "sans,10" background "white"
	}
	set output out.".".fmt
	set multiplot layout 3,1 title ttl font ",13" margins 0.08,0.90,0.06,0.93 spacing 0,0.07
	set grid ytics lc rgb "#dddddd"
	set xrange [0:xmax > 0 ? xmax : 1]
	set format x (bytime ? "%g" : "%.0s%c")
	set xlabel xlab
	set key top left opaque box

	# 1. the pool against its bound and what it holds
	set title "zsmalloc pool: pages held vs the ideal (every class perfectly packed) vs compressed data"
	set ylabel sprintf("pages (%s KiB each)", pkib)
	set yrange [0:top1]
	set y2range [*:*]
	unset y2tics
	unset y2label
	plot data using 1:3 with lines lw 2 lc rgb "#1f77b4" title "pool pages", \
	     data using 1:4 with lines lw 2 dt 2 lc rgb "#2ca02c" title "ideal pages", \
	     data using 1:5 with lines lw 1 lc rgb "#ff7f0e" title "compressed data (in pages)", \
	     data using 1:(top1 * 0.93):16 with labels rotate by 90 right font ",8" tc rgb "#555555" notitle @cm_top1

	# 2. free memory in the zone a pgd comes from
	set title "Normal zone: free blocks by order (stacked) and the order-2 unusable free space index"
	set ylabel "free blocks"
	set yrange [0:top2]
	set y2range [0:1.5]
	set y2tics 0, 0.2, 1 nomirror
	set ytics nomirror
	set y2label "order-2 unusable index (0 good, 1 bad)"
	set key maxrows 4
	set style fill solid 1.0 noborder
	plot data using 1:10 with filledcurves x1 lc rgb "#c7e9c0" title "order >= 4", \
	     data using 1:9 with filledcurves x1 lc rgb "#74c476" title "order 3", \
	     data using 1:8 with filledcurves x1 lc rgb "#fdae6b" title "order 2 (a pgd on 32-bit ARM)", \
	     data using 1:7 with filledcurves x1 lc rgb "#9ecae1" title "order 1", \
	     data using 1:6 with filledcurves x1 lc rgb "#dadaeb" title "order 0", \
	     data using 1:11 axes x1y2 with lines lw 2 lc rgb "black" title "order-2 unusable index (right axis)" @cm_top2

	# 3. what a user sees: forks that found no order-2 block
	set title (xf0 > 0.02 * xmax ? sprintf("forks (zoomed to ".zoomfmt."): cumulative failures to get an order-2 page directory, and attempts", xf0, xmax) : "forks: cumulative failures to get an order-2 page directory, and attempts")
	set xrange [xf0:xmax > xf0 ? xmax : xf0 + 1]
	set format x (xf0 > 0.02 * xmax || bytime ? "%g" : "%.0s%c")
	set ylabel "forks failed (cumulative)"
	set yrange [0:top3]
	if (top3 <= 1) { set ytics 0, 1 nomirror } else { set ytics autofreq nomirror }
	set y2range [0:top3b]
	set y2tics auto nomirror
	set y2label "forks attempted (cumulative)"
	set key maxrows 5
	plot data using 1:13 with linespoints pt 7 ps 0.6 lw 2 lc rgb "#d62728" title "forks failed (at each snapshot)", \
	     data using 1:12 axes x1y2 with linespoints pt 6 ps 0.6 lw 1 dt 2 lc rgb "#555555" title "forks attempted (right axis)", \
	     data using 1:(top3 * (0.95 - 0.1 * $15)):14 with labels right offset -0.5,0 font ",8" tc rgb "#555555" notitle @cm_top3
	unset multiplot
	unset y2label
	unset y2tics
	set ytics mirror
	unset output
}
