#!/usr/bin/env python3
"""What zsfrag plot will not do, whatever names it is given (issue 12, items 5 and 6):
- an output name gnuplot would read as a pipe ("|cmd" for the figure, "<cmd" for the data
  file beside it) is written as a file of that name, and the command never runs; a name with a
  control character is refused (exit 64) before gnuplot starts;
- the data files beside the figure (NAME.tsv, NAME-forks.tsv...) are opened like every other
  output: a dangling link is refused and nothing is left half-written;
- the templates come from the build or install location compiled in (or $ZSFRAG_PLOTS_DIR when
  set), never from the working directory: a binary copied out of the tree, run in a directory
  holding a planted plots/timeseries.gp, draws with the real template and the planted one never
  runs.

usage: plot_safety_test.py ZSFRAG
"""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_common import *  # noqa: E402,F403

zsfrag = os.path.abspath(sys.argv[1])
if not shutil.which("gnuplot"):
    skip("gnuplot is not installed (Debian: gnuplot-nox)")
work = workdir()
with open("t.trace", "w") as f:
    f.write("zsfrag-trace 1\n! page_size 4096\n" + "".join("a %d 300\n" % i for i in range(1, 400))
            + "s half\n" + "".join("f %d\n" % i for i in range(1, 400, 2)) + "k 1\n")
run([zsfrag, "replay", "t.trace", "--json", "run.json", "--no-timing", "-q"])

# --- output names that gnuplot would take for commands ---
for name in ("|touch PWNED;echo", "<touch PWNED2;echo", "~x"):
    p = run([zsfrag, "plot", "timeseries", "run.json", "-o", name])
    check(not os.path.exists("PWNED") and not os.path.exists("PWNED2"),
          "the name %r ran a command" % name)
    check(os.path.exists(name + ".png") and os.path.exists(name + ".svg"),
          "%r: the figure is a file of that name" % name, os.listdir("."))
    check(os.path.exists(name + ".tsv"), "%r: the data file too" % name)
for name in ("|touch PWNED3;echo", "a\nb"):
    run([zsfrag, "plot", "classes", "run.json", "-o", name], ok=(0, 64))
    run([zsfrag, "plot", "compare", "run.json", "-o", name], ok=(0, 64))
check(not os.path.exists("PWNED3"), "plot classes / compare ran a command")
p = run([zsfrag, "plot", "timeseries", "run.json", "-o", "bad\nname"], ok=(64,))
check("control character" in p.stderr and p.stderr.count("\n") == 1, "one line saying why", p.stderr)
check(not [n for n in os.listdir(".") if n.startswith("bad")], "nothing written for a refused name")
# the regression figure's name too
os.makedirs("b")
shutil.copy("run.json", "b/run.json")
run([zsfrag, "plot", "regress", "b", "b", "-o", "|touch PWNED4;echo"])
check(not os.path.exists("PWNED4") and os.path.exists("|touch PWNED4;echo.svg"), "regress -o")

# --- the data files beside the figure: opened like every output (traces/outfile.h) ---
# a dangling link as the third data file: refused before anything is drawn, the two opened
# before it are given up (no half-written data left), and the link's target never created
os.symlink("planted-target", "dl-forks.tsv")
p = run([zsfrag, "plot", "timeseries", "run.json", "-o", "dl"], ok=(73,))
check("dl-forks.tsv" in p.stderr, "the refusal names the file", p.stderr)
check(not os.path.exists("planted-target"), "a dangling link's target was created")
check(os.path.islink("dl-forks.tsv"), "the link was replaced")
left = [n for n in os.listdir(".") if n.startswith("dl") or n.startswith(".dl")]
check(left == ["dl-forks.tsv"], "nothing else written", left)
# a link to a regular file: the target gets the data, the link stays a link
with open("real.tsv", "w") as f:
    f.write("old\n")
os.symlink("real.tsv", "lk.tsv")
run([zsfrag, "plot", "classes", "run.json", "-o", "lk"])
check(os.path.islink("lk.tsv") and open("real.tsv").read() != "old\n", "link kept, target written")

# --- templates: never from the working directory ---
os.makedirs("elsewhere/bin")
shutil.copy(zsfrag, "elsewhere/bin/zsfrag")
os.makedirs("cwd/plots")
planted = ('system("touch %s/PLANTED")\nprint "planted template ran"\n' % work)
for t in ("timeseries", "classes", "compare", "regress"):
    with open("cwd/plots/%s.gp" % t, "w") as f:
        f.write(planted)
env = dict(os.environ)
env.pop("ZSFRAG_PLOTS_DIR", None)
p = run([os.path.abspath("elsewhere/bin/zsfrag"), "plot", "timeseries", os.path.abspath("run.json"),
         "-o", "fig"], cwd="cwd", env=env)
check(not os.path.exists("PLANTED"), "a template planted in the working directory ran")
check(os.path.getsize("cwd/fig.svg") > 1000, "the real template drew the figure")
# the build tree's binary, run from that directory: the same
p = run([zsfrag, "plot", "timeseries", os.path.abspath("run.json"), "-o", "fig2"], cwd="cwd",
        env=env)
check(not os.path.exists("PLANTED") and os.path.getsize("cwd/fig2.svg") > 1000, "build binary")
# an explicit ZSFRAG_PLOTS_DIR is honoured, and one without templates is an error, not a fallback
p = run([zsfrag, "plot", "timeseries", "run.json", "-o", "fig3"], ok=(78,),
        env=dict(env, ZSFRAG_PLOTS_DIR=os.path.abspath("elsewhere")))
check("ZSFRAG_PLOTS_DIR" in p.stderr and "holds no templates" in p.stderr, p.stderr)
p = run([zsfrag, "plot", "timeseries", "run.json", "-o", "fig4"], ok=(0, 70),
        env=dict(env, ZSFRAG_PLOTS_DIR=os.path.abspath("cwd/plots")))
check(os.path.exists("PLANTED"), "ZSFRAG_PLOTS_DIR, when set on purpose, is used")
done()
