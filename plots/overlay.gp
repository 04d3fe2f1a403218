# plots/overlay.gp - the variants of a comparison on one time axis: `zsfrag plot overlay DIR`,
# `zsfrag compare --figures` (and the report).
#
# gnuplot -c plots/overlay.gp DATA.tsv FORKS.tsv OUTBASE TITLE "NR_RUNS X XMAX" ZONE
# writes OUTBASE.png (pngcairo) and OUTBASE.svg. Both files hold one block per run (gnuplot's
# index, blocks apart by two blank lines), each headed by the run's name. DATA.tsv rows, one per
# snapshot: 1 x (X = "time": simulated seconds; "events": events replayed), 2 pool pages, 3 the
# pgd zone's order-2 unusable index where it means something (NaN where the zone is at or below
# its low watermark). FORKS.tsv rows, per interval holding enough forks for a rate: 1 its
# middle, 2 forks in it, 3 the share (%) of them that did not get their pgd straight off the
# free lists (every outcome other than fast: stalls and failures).
data = ARG1
forks = ARG2
out = ARG3
ttl = ARG4
nrun = int(word(ARG5, 1))
bytime = word(ARG5, 2) eq "time"
xmax = real(word(ARG5, 3))
zone = ARG6
xlab = bytime ? "simulated time (s)" : "trace events replayed"

set encoding utf8
set datafile separator "\t"
# a colour and a dash pattern per run, so that 17 runs stay apart
pal(i) = word("#1f77b4 #d62728 #2ca02c #ff7f0e #9467bd #8c564b #e377c2 #7f7f7f #bcbd22 #17becf", i % 10 + 1)
dash(i) = (i / 10) % 3 + 1
keycols = nrun > 8 ? 3 : nrun > 4 ? 2 : 1

do for [fmt in "png svg"] {
	if (fmt eq "png") {
		set terminal pngcairo noenhanced size 1100,1250 font "sans,10"
	} else {
		set terminal svg noenhanced size 1100,1250 font "sans,10" background "white"
	}
	set output out.".".fmt
	set multiplot layout 3,1 title ttl font ",13"
	set grid ytics lc rgb "#dddddd"
	set xlabel xlab
	set format x (bytime ? "%g" : "%.0s%c")
	set xrange [0:xmax]
	set key outside right top vertical maxcols 1 font ",9"

	set title "zsmalloc pool pages"
	set ylabel "pages"
	stats data using 2 nooutput
	set yrange [0:STATS_max > 0 ? STATS_max * 1.05 : 1]
	set ytics autofreq
	set format y "%.0f"
	plot for [i = 0:nrun - 1] data index i using 1:2 with lines lw 1.5 dt dash(i) lc rgb pal(i) title columnheader(1)

	set title sprintf("%s zone: order-2 unusable free space index (gaps: the zone at or below its low watermark, where the index says nothing)", zone)
	set ylabel "index (0 good, 1 bad)"
	set yrange [0:1.05]
	set ytics 0, 0.2, 1
	set format y "%.1f"
	plot for [i = 0:nrun - 1] data index i using 1:3 with lines lw 1.5 dt dash(i) lc rgb pal(i) title columnheader(1)

	set title "forks that did not get their order-2 pgd straight off the free lists (stalled or failed), share of each interval"
	set ylabel "% of the forks in the interval"
	set yrange [0:105]
	set ytics 0, 20, 100
	set format y "%.0f%%"
	plot for [i = 0:nrun - 1] forks index i using 1:3 with linespoints pt 7 ps 0.4 lw 1.5 dt dash(i) lc rgb pal(i) title columnheader(1)
	unset multiplot
	unset output
}
