#!/usr/bin/env python3
"""zsfrag compare --report: a self-contained HTML page (no external resources) with the table
and one inline SVG per figure; opened in headless Chromium, every figure is displayed (laid out
with a real size, its drawing inside the page) and the table shows the runs' numbers.
The demo's seven variants (scripts/demo) on a small phone: the page stays under 5 MB (a stray
tick setting once made one figure 151 MB) and Chromium lays it out and draws it within a
generous 60 s more than it takes to open an empty page (it took minutes then; seconds now).

usage: report_test.py ZSFRAG
Skips (77) with the reason when gnuplot or chromium is missing or chromium cannot start here.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_common import *  # noqa: E402,F403

zsfrag = sys.argv[1]
if not shutil.which("gnuplot"):
    skip("gnuplot is not installed (Debian: gnuplot-nox)")
chromium = shutil.which("chromium") or shutil.which("chromium-browser")
if not chromium:
    skip("chromium is not installed (Debian: chromium)")
workdir()
gen_trace(zsfrag, "demo.trace")
small_phone("phone.json")
variants = ("v4.1:none,v4.1:manual,v4.1:on-pgd-failure,v6.12:none,v6.12:manual,v6.12:shrinker,"
            "v6.12:manual+migration")
run([zsfrag, "compare", "demo.trace", "--variants", variants, "--config", "phone.json",
     "--no-timing", "-o", "out", "--report", "out/index.html", "-q"])
with open("out/index.html") as f:
    html = f.read()
size = os.path.getsize("out/index.html")
check(size < 5 * 1024 * 1024, "the report is %d bytes, over 5 MB" % size)
print("report: %d bytes" % size)
check(not re.search(r'\b(src|href)\s*=\s*["\'](?!#)', html), "the report links something outside")
check("<script" not in html, "the report has no scripts")
nfig = html.count('class="zsfrag-figure"')
check_eq(nfig, 16, "figures: the comparison, the overlay, and per run a time series and a class view")
check_eq(html.count("<svg"), nfig, "one inline SVG per figure")
ids = re.findall(r'\bid="([^"]+)"', html)
check_eq(len(ids), len(set(ids)), "ids are unique across the inlined SVGs")

# What a browser shows: a copy of the page with a probe that measures each figure after load.
probe = """<script>
window.addEventListener('load', function () {
  var out = [];
  document.querySelectorAll('figure.zsfrag-figure').forEach(function (fig) {
    var svg = fig.querySelector('svg'), r = svg ? svg.getBoundingClientRect() : null;
    var st = svg ? getComputedStyle(svg) : null, bb = null;
    try { bb = svg.querySelector('g').getBBox(); } catch (e) {}
    var drawn = 0;
    if (svg) svg.querySelectorAll('path').forEach(function (p) {
      var b = p.getBBox(); if (b.width > 0 || b.height > 0) drawn++; });
    out.push([fig.id, r ? Math.round(r.width) : 0, r ? Math.round(r.height) : 0,
              st ? st.display + '/' + st.visibility : 'none',
              bb ? Math.round(bb.width) + 'x' + Math.round(bb.height) : '0x0', drawn].join(' '));
  });
  var rows = document.querySelectorAll('table tbody tr').length;
  var pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = 'rows ' + rows + '\\n' + out.join('\\n');
  document.body.appendChild(pre);
});
</script>"""
with open("out/probe.html", "w") as f:
    f.write(html.replace("</body>", probe + "</body>"))
prof = tempfile.mkdtemp(prefix="zsfrag-chromium-")
cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
       "--disable-background-networking", "--disable-component-update", "--disable-sync",
       "--user-data-dir=" + prof, "--window-size=1280,1024", "--virtual-time-budget=5000",
       "--dump-dom", "file://" + os.path.abspath("out/probe.html")]
# Chromium's own start on an empty page, on this machine now: the bound is on top of it
with open("out/empty.html", "w") as f:
    f.write("<!DOCTYPE html><html><body><p>empty</p></body></html>")
t0 = time.monotonic()
try:
    subprocess.run(cmd[:-1] + ["file://" + os.path.abspath("out/empty.html")],
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
except subprocess.TimeoutExpired:
    skip("chromium did not open an empty page within 300 s here")
start = time.monotonic() - t0
t0 = time.monotonic()
try:
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
except subprocess.TimeoutExpired:
    check(False, "chromium did not render the report within 300 s")
    done()
took = time.monotonic() - t0
print("chromium: %.1f s for the report, %.1f s for an empty page" % (took, start))
check(took - start < 60, "chromium took %.0f s more than for an empty page to lay out and draw "
      "the report (bound 60 s)" % (took - start))
m = re.search(r'<pre id="probe">(.*?)</pre>', p.stdout, re.S)
if p.returncode != 0 and not m:
    skip("chromium cannot run here (exit %d): %s" % (p.returncode, p.stderr.strip()[-300:]))
if not check(m, "the probe did not run", p.stdout[-500:], p.stderr[-500:]):
    done()
lines = m.group(1).strip().splitlines()
tbody = html[html.index("<tbody>"):html.index("</tbody>")]
check_eq(lines[0], "rows %d" % tbody.count("<tr"), "the table's rows in the browser")
check(tbody.count("<tr") >= 22, "a row per metric and per fork outcome")
shown = 0
for l in lines[1:]:
    fid, w, h, disp, bb, drawn = l.split(" ")
    bw, bh = (int(x) for x in bb.split("x"))
    # laid out at a readable size, visible, and with its lines, bars and axes drawn
    ok = (int(w) >= 600 and int(h) >= 300 and disp == "block/visible" and bw > 300 and bh > 200
          and int(drawn) >= 20)
    check(ok, "figure %s is not displayed: %s" % (fid, l))
    shown += ok
check_eq(shown, nfig, "figures displayed")
shutil.rmtree(prof, ignore_errors=True)
done()
