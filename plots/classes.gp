# plots/classes.gp - where the pool's waste is, class by class, at one snapshot:
# `zsfrag plot classes RUN.json [--snapshot LABEL]`.
#
# gnuplot -c plots/classes.gp DATA.tsv OUTBASE TITLE PAGE_KIB
# writes OUTBASE.png (pngcairo) and OUTBASE.svg. DATA.tsv columns (tab-separated, one row per
# size class in use): 1 class index, 2 object size in bytes, 3 obj_allocated, 4 obj_used,
# 5 pages used, 6 ideal pages (ceil(obj_used / objs per zspage) * pages per zspage), 7 pages
# above the ideal (what perfect compaction of the class would free).
data = ARG1
out = ARG2
ttl = ARG3
pkib = ARG4

set datafile separator "\t"
stats data using 2 nooutput
xmax = STATS_max
nclass = STATS_records
stats data using 3 nooutput
top1 = STATS_max * 1.1 + 1
stats data using 7 nooutput
top2 = STATS_max > 0 ? STATS_max * 1.15 : 1
waste = STATS_sum
stats data using 5 nooutput
used = STATS_sum
# bars a little narrower than the smallest gap between classes
bw = xmax > 0 ? xmax / (nclass > 40 ? nclass * 1.6 : 60.0) : 16

do for [fmt in "png svg"] {
	if (fmt eq "png") {
		set terminal pngcairo noenhanced size 1100,800 font "sans,10"
	} else {
		set terminal svg noenhanced size 1100,800 font "sans,10" background "white"
	}
	set output out.".".fmt
	set multiplot layout 2,1 title ttl font ",13" margins 0.08,0.97,0.08,0.91 spacing 0,0.12
	set grid ytics lc rgb "#dddddd"
	set xrange [0:xmax + 2 * bw]
	set xlabel "size class (bytes per object)"
	set key top left opaque box
	set boxwidth bw absolute
	set style fill solid 1.0 noborder

	set title "objects allocated (slots in zspages) vs objects in use, per size class"
	set ylabel "objects"
	set yrange [0:top1]
	plot data using 2:3 with boxes lc rgb "#9ecae1" title "obj_allocated", \
	     data using 2:4 with boxes lc rgb "#08519c" title "obj_used"

	set title sprintf("pages above the ideal per class: %d of %d pool pages could be freed by perfect compaction", waste, used)
	set ylabel sprintf("pages (%s KiB each)", pkib)
	set yrange [0:top2]
	plot data using 2:7 with boxes lc rgb "#d62728" title "pages used - ideal pages"
	unset multiplot
	unset output
}
