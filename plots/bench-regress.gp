# plots/bench-regress.gp - the benchmark regression figure drawn by scripts/bench-compare.
#
# gnuplot -c plots/bench-regress.gp DATA.dat OUTBASE TITLE
# writes OUTBASE.png (pngcairo) and OUTBASE.svg. DATA.dat (whitespace-separated, '#' comments,
# one row per benchmark): 1 row (0 = bottom), 2 change of the median time in percent (NEW over
# BASE), 3 and 4 min and max of the per-repetition changes, 5 U-test p-value (-1 when unknown),
# 6 class (0 not significant, 1 significantly slower, 2 significantly faster, 3 significant but
# within the noise floor: see scripts/bench-compare), 7 name (quoted).
data = ARG1
out = ARG2
ttl = ARG3

stats data using 1 nooutput
nrows = STATS_records
stats data using 2 nooutput
xlo = STATS_min
xhi = STATS_max
# symmetric range around 0 fitted to the bars (whiskers beyond it are clipped), 10 to 100 %
lim = (abs(xlo) > abs(xhi) ? abs(xlo) : abs(xhi)) * 1.5
lim = lim < 10 ? 10 : (lim > 100 ? 100 : lim)
# 14 px per benchmark plus room for the title and the axis
height = 140 + 14 * nrows

colour(c) = c == 1 ? 0xd62728 : (c == 2 ? 0x2ca02c : (c == 3 ? 0xd8c48f : 0x9a9a9a))

do for [fmt in "png svg"] {
	if (fmt eq "png") {
		set terminal pngcairo noenhanced size 1000,height font "sans,9"
	} else {
		set terminal svg noenhanced size 1000,height font "sans,9" background "white"
	}
	set output out.".".fmt
	set title ttl font ",12"
	set xlabel "change of the median time, NEW against BASE (%); whiskers: min..max over repetition pairs"
	set xrange [-lim:lim]
	set yrange [-0.7:nrows - 0.3]
	set ytics nomirror scale 0 font ",8"
	set xtics nomirror
	set grid xtics lc rgb "#dddddd"
	set lmargin 44
	set key bottom right opaque box
	set style fill solid 0.85 noborder
	set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb "#333333" lw 1 front
	plot data using (0):1:(0):2:($1 - 0.38):($1 + 0.38):(colour($6)):ytic(7) \
		     with boxxyerror lc rgb variable notitle, \
	     '' using 2:1:3:4 with xerrorbars pt -1 lc rgb "#333333" lw 0.8 notitle, \
	     NaN with boxes lc rgb "#d62728" title "slower (significant)", \
	     NaN with boxes lc rgb "#2ca02c" title "faster (significant)", \
	     NaN with boxes lc rgb "#d8c48f" title "significant, within the noise floor", \
	     NaN with boxes lc rgb "#9a9a9a" title "not significant"
	unset arrow 1
}
