# plots/regress.gp - new results against base results, metric by metric:
# `zsfrag plot regress BASE_DIR NEW_DIR`.
#
# gnuplot -c plots/regress.gp DATA.tsv OUTBASE TITLE THRESHOLD
# writes OUTBASE.png (pngcairo) and OUTBASE.svg. DATA.tsv columns (tab-separated, one row per
# metric): 1 position, 2 the metric as a reader knows it, with its unit ("[gated] " in front
# when the check fails on it), 3 ratio new/base (geometric mean over the pairs of runs),
# 4 smallest ratio, 5 largest ratio, 6 verdict (1 worse beyond the threshold, 2 better beyond
# it, 3 within it, 4 not judged: no good or bad direction, or a host time not asked for),
# 7 a label such as "+12.5%" ("*" when pairs 0 in both were left out), 8 1 for a host time.
# Ratios are clamped to [1/50, 50] so that a metric that went from 0 to something still shows.
data = ARG1
out = ARG2
ttl = ARG3
thr = real(ARG4)

set datafile separator "\t"
set datafile missing ""
stats data using 1 nooutput
nm = STATS_max
stats data using 5 nooutput
hi = STATS_max
stats data using 4 nooutput
lo = STATS_min
hi = hi < 1.5 * (1 + thr) ? 1.5 * (1 + thr) : hi * 1.5
lo = lo > 1 / (1.5 * (1 + thr)) ? 1 / (1.5 * (1 + thr)) : lo / 1.5

vc(v) = v == 1 ? 0xd62728 : v == 2 ? 0x2ca02c : v == 3 ? 0x1f77b4 : 0x999999
set encoding utf8

do for [fmt in "png svg"] {
	if (fmt eq "png") {
		set terminal pngcairo noenhanced size 1200,760 font "sans,10"
	} else {
		set terminal svg noenhanced size 1200,760 font "sans,10" background "white"
	}
	set output out.".".fmt
	set title ttl font ",12"
	set logscale y
	set yrange [lo:hi]
	set xrange [0.3:nm + 0.7]
	set ylabel "ratio new / base (log scale; bars: smallest to largest over the runs)"
	set xtics rotate by 30 right nomirror
	set grid ytics lc rgb "#dddddd"
	set key top left opaque box
	set bmargin 14
	set rmargin 12
	set ytics ("1/50" 0.02, "1/20" 0.05, "1/10" 0.1, "1/5" 0.2, "1/2" 0.5, "0.67" 0.667, 0.8, 0.9, 0.95, 1, 1.05, 1.1, 1.25, 1.5, 2, 5, 10, 20, 50)
	set label 1 sprintf("+%.0f%%", thr * 100) at graph 1.01, first (1 + thr) left tc rgb "#d62728"
	set label 2 sprintf("1/(1+%.2g)", thr) at graph 1.01, first 1 / (1 + thr) left tc rgb "#d62728"
	set arrow 1 from graph 0, first (1 + thr) to graph 1, first (1 + thr) nohead dt 2 lc rgb "#d62728"
	set arrow 2 from graph 0, first 1 / (1 + thr) to graph 1, first 1 / (1 + thr) nohead dt 2 lc rgb "#d62728"
	set arrow 3 from graph 0, first 1 to graph 1, first 1 nohead lc rgb "#555555"
	plot data using 1:3:4:5:(vc($6)):xtic(2) with yerrorbars pt 7 ps 1.4 lc rgb variable notitle, \
	     data using 1:3:7 with labels offset 0,1.3 font ",9" notitle, \
	     NaN with points pt 7 lc rgb "#d62728" title sprintf("worse beyond the threshold (%.0f%%)", thr * 100), \
	     NaN with points pt 7 lc rgb "#2ca02c" title "better beyond the threshold", \
	     NaN with points pt 7 lc rgb "#1f77b4" title "within the threshold", \
	     NaN with points pt 7 lc rgb "#999999" title "not judged (no good or bad direction; host CPU time unless named)", \
	     NaN with points pt -1 title "[gated]: the check fails when it gets worse; *: pairs 0 in both left out"
	unset arrow
	unset label
	unset output
}
