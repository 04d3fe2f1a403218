# plots/compare.gp - runs side by side as grouped bars: `zsfrag plot compare DIR`,
# `zsfrag compare --figures`.
#
# gnuplot -c plots/compare.gp DATA.tsv OUTBASE TITLE PAGE_KIB HAS_CPU_TIMES(0|1)
# writes OUTBASE.png (pngcairo) and OUTBASE.svg. DATA.tsv columns (tab-separated, one row per
# run, "" where a run has no such number): 1 run name, 2 pool pages before compaction, 3 pool
# pages at end, 4 ideal pages at end, 5 fork attempts, 6 fork failures, 7 order-2 unusable
# index mean, 8 worst, 9 objects migrated (thousands), 10 bytes copied (MiB), 11 compaction
# CPU time (ms). One panel per unit.
data = ARG1
out = ARG2
ttl = ARG3
pkib = ARG4
hascpu = int(ARG5)

set datafile separator "\t"
set datafile missing ""
stats data using 5 nooutput
nrun = STATS_records
width = nrun > 6 ? 1500 + 90 * (nrun - 6) : 1500
# each panel's top: its largest bar plus room for the key (1 when every bar is 0 or missing)
do for [panel in "pool forks objs mib cpu"] {
	cols = panel eq "pool" ? "2 3 4" : panel eq "forks" ? "5 6" : panel eq "objs" ? "9" : panel eq "mib" ? "10" : "11"
	t = 0
	do for [c in cols] {
		stats data using (valid(int(c)) ? column(int(c)) : 0) nooutput
		t = STATS_max > t ? STATS_max : t
	}
	eval sprintf("top_%s = %.17g", panel, t > 0 ? t * (panel eq "objs" ? 1400 : 1.4) : 1)
}

do for [fmt in "png svg"] {
	if (fmt eq "png") {
		set terminal pngcairo noenhanced size width,1000 font "sans,10"
	} else {
		set terminal svg noenhanced size width,1000 font "sans,10" background "white"
	}
	set output out.".".fmt
	set multiplot layout 2,3 title ttl font ",13" margins 0.06,0.98,0.16,0.91 spacing 0.06,0.2
	set style data histograms
	set style histogram clustered gap 1
	set style fill solid 0.85 border -1
	set boxwidth 0.9
	set grid ytics lc rgb "#dddddd"
	set xtics rotate by 30 right nomirror
	set key top left opaque box

	set title "zsmalloc pool size"
	set yrange [0:top_pool]
	set ylabel sprintf("pages (%s KiB each)", pkib)
	plot data using 2:xtic(1) lc rgb "#9ecae1" title "before compaction", \
	     data using 3 lc rgb "#1f77b4" title "at end", \
	     data using 4 lc rgb "#2ca02c" title "ideal at end"

	set title "forks (each needs an order-2 page directory)"
	set yrange [0:top_forks]
	set ylabel "forks"
	plot data using 5:xtic(1) lc rgb "#bbbbbb" title "attempted", \
	     data using 6 lc rgb "#d62728" title "failed"

	set title "order-2 unusable free space index, Normal zone"
	set ylabel "index (0 = all free memory usable, 1 = none)"
	set yrange [0:1.3]
	set ytics 0, 0.2, 1
	plot data using 7:xtic(1) lc rgb "#fdae6b" title "mean over snapshots", \
	     data using 8 lc rgb "#e6550d" title "worst"
	set ytics auto

	set title "zs_compact: objects migrated"
	set yrange [0:top_objs]
	set ylabel "objects (all compaction runs)"
	plot data using ($9 * 1000):xtic(1) lc rgb "#756bb1" title "objects migrated"

	set title "zs_compact: bytes copied"
	set yrange [0:top_mib]
	set ylabel "MiB (all compaction runs)"
	plot data using 10:xtic(1) lc rgb "#bcbddc" title "bytes copied"

	set title "zs_compact: host CPU time"
	set yrange [0:top_cpu]
	set ylabel "ms (all compaction runs)"
	if (hascpu) {
		plot data using 11:xtic(1) lc rgb "#636363" title "CPU time"
	} else {
		set label 1 "no CPU times: the runs were made with --no-timing" at graph 0.5, 0.5 center
		set yrange [0:1]
		unset key
		plot data using (0):xtic(1) lc rgb "white" notitle
		unset label 1
	}
	unset multiplot
	unset output
}
