# plots/compare.gp - runs side by side: `zsfrag plot compare DIR`, `zsfrag compare --figures`.
#
# gnuplot -c plots/compare.gp DATA.tsv FORKS.tsv OUTBASE TITLE
#         "PAGE_KIB NR_RUNS NR_OUTCOMES HAS_CPU MAX_POOL MAX_FORKS MAX_INDEX MAX_ZRAM MAX_MIB MAX_CPU"
#         NEVER (the fork outcomes no run had, "; "-separated, named under the forks panel)
# writes OUTBASE.png (pngcairo) and OUTBASE.svg. Horizontal bars, one row of bars per run (runs
# top to bottom, so that many runs stay legible), each bar labelled with its value: a zero shows
# as "0", a number the run does not have as "n/a". Both files: a header row naming the series,
# then one row per run: 1 its name, then per series a pair of columns, the bar length and its
# label. DATA.tsv series: pool pages before compaction, at end, ideal at end (2-7); order-2
# unusable index mean, worst (8-11); zram writes failed, of which zs_malloc found no page, of
# which over mem_limit (12-17); MiB copied by zs_compact (18-19); its host CPU ms (20-21).
# FORKS.tsv: one series per fork outcome other than fast that some run had, forks (with % of
# the run's forks).
data = ARG1
forks = ARG2
out = ARG3
ttl = ARG4
pkib = word(ARG5, 1)
nrun = int(word(ARG5, 2))
nout = int(word(ARG5, 3))
hascpu = int(word(ARG5, 4))
never = ARG6
mx(i) = real(word(ARG5, 4 + i))
# an axis longer than the longest bar by f leaves room for its label; 1 when every bar is 0
top(i, f) = mx(i) > 0 ? mx(i) * f : 1

set encoding utf8
set datafile separator "\t"
set key autotitle columnhead
# run r's row is y = nrun-1-r (the first run at the top); series j of k: a bar of height h(k)
h(k) = 0.8 / k
Y(r, j, k) = nrun - 1 - r + 0.4 - h(k) * (j + 0.5)
pal(j) = word("#1f77b4 #9ecae1 #2ca02c #d62728 #ff7f0e #9467bd #8c564b #e377c2 #17becf #7f7f7f", j % 10 + 1)

# a run's row tall enough for its largest group of bars
kmax = nout > 3 ? nout : 3
rowpx = nrun * (12 + 9 * kmax) > 200 ? nrun * (12 + 9 * kmax) : 200
height = 3 * (rowpx + 150) + 60
do for [fmt in "png svg"] {
	if (fmt eq "png") {
		set terminal pngcairo noenhanced size 1500,height font "sans,10"
	} else {
		set terminal svg noenhanced size 1500,height font "sans,10" background "white"
	}
	set output out.".".fmt
	set multiplot layout 3,2 title ttl font ",13"
	set style fill solid 0.85 border -1
	set grid xtics lc rgb "#dddddd"
	set yrange [-0.6:nrun - 0.4]
	set ytics scale 0 nomirror
	set xtics autofreq nomirror
	set format x "%g"
	set key below horizontal maxcols 2 samplen 1.5 font ",9" width -2

	# one panel: k series from column c0 (pairs: length, label)
	set title "zsmalloc pool size"
	set xrange [0:top(1, 1.3)]
	set xlabel sprintf("pages (%s KiB each)", pkib)
	k = 3
	c0 = 2
	plot for [j = 0:k - 1] data using (column(c0 + 2 * j) / 2):(Y($0, j, k)):(column(c0 + 2 * j) / 2):(h(k) / 2) with boxxyerror fc rgb pal(j) title columnhead(c0 + 2 * j), \
	     for [j = 0:k - 1] data using (column(c0 + 2 * j)):(Y($0, j, k)):(stringcolumn(c0 + 2 * j + 1)) with labels left offset 0.4,0 font ",8" notitle, \
	     data using (0):(nrun - 1 - $0):ytic(1) with points ps 0 notitle

	set title "forks that did not get their order-2 pgd straight off the free lists, by outcome"
	set xrange [0:top(2, 1.5)]
	set xlabel (strlen(never) > 0 ? "forks (% of the run attempts)\nno run had: ".never : "forks (% of the run attempts)")
	k = nout > 0 ? nout : 1
	if (nout == 0) { set label 1 "no fork outcomes other than fast" at graph 0.5, 0.5 center }
	plot for [j = 0:nout - 1] forks using (column(2 + 2 * j) / 2):(Y($0, j, k)):(column(2 + 2 * j) / 2):(h(k) / 2) with boxxyerror fc rgb pal(j + 3) title columnhead(2 + 2 * j), \
	     for [j = 0:nout - 1] forks using (column(2 + 2 * j)):(Y($0, j, k)):(stringcolumn(3 + 2 * j)) with labels left offset 0.4,0 font ",8" notitle, \
	     data using (0):(nrun - 1 - $0):ytic(1) with points ps 0 notitle
	unset label 1

	set title "order-2 unusable free space index of the pgd zone (snapshots with the zone below its low watermark left out)"
	set xrange [0:1.35]
	set xtics 0, 0.2, 1
	set xlabel "index (0: all free memory could serve an order-2 request, 1: none)"
	k = 2
	c0 = 8
	plot for [j = 0:k - 1] data using (column(c0 + 2 * j) / 2):(Y($0, j, k)):(column(c0 + 2 * j) / 2):(h(k) / 2) with boxxyerror fc rgb pal(j + 4) title columnhead(c0 + 2 * j), \
	     for [j = 0:k - 1] data using (column(c0 + 2 * j)):(Y($0, j, k)):(stringcolumn(c0 + 2 * j + 1)) with labels left offset 0.4,0 font ",8" notitle, \
	     data using (0):(nrun - 1 - $0):ytic(1) with points ps 0 notitle
	set xtics autofreq

	set title "zram writes refused, and why"
	set xrange [0:top(4, 2.0)]
	set xlabel "writes"
	k = 3
	c0 = 12
	plot for [j = 0:k - 1] data using (column(c0 + 2 * j) / 2):(Y($0, j, k)):(column(c0 + 2 * j) / 2):(h(k) / 2) with boxxyerror fc rgb pal(j + 6) title columnhead(c0 + 2 * j), \
	     for [j = 0:k - 1] data using (column(c0 + 2 * j)):(Y($0, j, k)):(stringcolumn(c0 + 2 * j + 1)) with labels left offset 0.4,0 font ",8" notitle, \
	     data using (0):(nrun - 1 - $0):ytic(1) with points ps 0 notitle

	set title "zs_compact: bytes copied (all compaction runs)"
	set xrange [0:top(5, 1.8)]
	set xlabel "MiB"
	k = 1
	c0 = 18
	plot data using (column(c0) / 2):(Y($0, 0, k)):(column(c0) / 2):(h(k) / 2) with boxxyerror fc rgb "#bcbddc" title columnhead(c0), \
	     data using (column(c0)):(Y($0, 0, k)):(stringcolumn(c0 + 1)) with labels left offset 0.4,0 font ",8" notitle, \
	     data using (0):(nrun - 1 - $0):ytic(1) with points ps 0 notitle

	set title "zs_compact: host CPU time (measured on the host, not by the model)"
	set xrange [0:top(6, 1.3)]
	set xlabel "ms (all compaction runs)"
	c0 = 20
	if (!hascpu) { set label 1 "no CPU times: the runs were made with --no-timing" at graph 0.5, 0.5 center }
	plot data using (column(c0) / 2):(Y($0, 0, k)):(column(c0) / 2):(h(k) / 2) with boxxyerror fc rgb "#636363" title columnhead(c0), \
	     data using (column(c0)):(Y($0, 0, k)):(stringcolumn(c0 + 1)) with labels left offset 0.4,0 font ",8" notitle, \
	     data using (0):(nrun - 1 - $0):ytic(1) with points ps 0 notitle
	unset label 1
	unset multiplot
	unset output
}
