# plots/compare_ci.gp - variants across seeds: `zsfrag plot compare DIR` and `compare --figures`
# when a variant has several runs of one workload (compare --seeds).
#
# gnuplot -c plots/compare_ci.gp DATA.tsv OUTBASE TITLE
#         "NR_VARIANTS PAGE_KIB HAS_CPU MAX_1 .. MAX_6"
# writes OUTBASE.png (pngcairo) and OUTBASE.svg. Six panels, one row per variant (top to
# bottom in the comparison's order): a bar to the mean over the seeds, an error bar over the
# 95% Student t interval (none for a variant with one run), labelled "mean ± half-width".
# DATA.tsv: a "#" header line, then per variant its name ("VARIANT (RUNS)") and per panel four columns:
# mean, interval low, interval high (NaN: no interval), label. Panels: fork stalls, fork OOM
# kills, order-2 unusable index (mean over the snapshots), MiB copied by compaction, its host
# CPU ms, pool pages at the end. MAX_i: the largest end of panel i's bars and intervals.
data = ARG1
out = ARG2
ttl = ARG3
nvar = int(word(ARG4, 1))
pkib = word(ARG4, 2)
hascpu = int(word(ARG4, 3))
mx(i) = real(word(ARG4, 3 + i))
top(i, f) = mx(i) > 0 ? mx(i) * f : 1

set encoding utf8
set datafile separator "\t"
set datafile missing "NaN"
Y(r) = nvar - 1 - r
rowpx = nvar * 26 > 160 ? nvar * 26 : 160
height = 3 * (rowpx + 110) + 60
pal(j) = word("#d62728 #ff7f0e #9467bd #bcbddc #636363 #1f77b4", j + 1)
ptitle(j) = j == 0 ? "fork stalls (compaction, reclaim or the OOM killer)" : j == 1 ? "fork OOM kills" : j == 2 ? "order-2 unusable index of the pgd zone, mean over the snapshots" : j == 3 ? "bytes copied by compaction (zs_compact and targeted clearing)" : j == 4 ? "compaction: host CPU time (measured on the host)" : "zsmalloc pool pages at the end"
xlab(j) = j == 0 || j == 1 ? "forks" : j == 2 ? "index (0: all free memory could serve an order-2 request, 1: none)" : j == 3 ? "MiB" : j == 4 ? "ms" : sprintf("pages (%s KiB each)", pkib)

do for [fmt in "png svg"] {
	if (fmt eq "png") {
		set terminal pngcairo noenhanced size 1500,height font "sans,10"
	} else {
		set terminal svg noenhanced size 1500,height font "sans,10" background "white"
	}
	set output out.".".fmt
	set multiplot layout 3,2 title ttl."\nbars: mean over the seeds; error bars: 95% Student t interval" font ",12"
	set style fill solid 0.85 border -1
	set grid xtics lc rgb "#dddddd"
	set yrange [-0.6:nvar - 0.4]
	set ytics scale 0 nomirror
	set xtics autofreq nomirror
	set format x "%g"
	unset key
	do for [j = 0:5] {
		c = 2 + 4 * j
		set title ptitle(j)
		set xlabel xlab(j)
		set xrange [0:(j == 2 ? 1.3 : top(j + 1, 1.45))]
		if (j == 4 && !hascpu) { set label 1 "no CPU times: the runs were made with --no-timing" at graph 0.5, 0.5 center }
		plot data using (column(c) / 2):(Y($0)):(column(c) / 2):(0.3) with boxxyerror fc rgb pal(j), \
		     data using (column(c)):(Y($0)):(column(c + 1)):(column(c + 2)) with xerrorbars lc rgb "black" pt 7 ps 0.5 lw 1.2, \
		     data using ((valid(c + 2) ? column(c + 2) : column(c))):(Y($0)):(stringcolumn(c + 3)) with labels left offset 0.6,0 font ",8", \
		     data using (0):(Y($0)):ytic(1) with points ps 0
		unset label 1
	}
	unset multiplot
	unset output
}
