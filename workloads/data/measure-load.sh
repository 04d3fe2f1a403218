#!/bin/bash
# measure-load.sh: the extra real programs that ran while anon-4k.csv was measured (a kernel
# tarball decompressed, six python3 processes parsing the standard library into ASTs and word
# counts, gcc -O2 compiles, sort -R). Paths are those of the machine it ran on.
( xz -dc /tmp/ksrc/x/usr/src/linux-source-6.1.tar.xz | tar -x -O --wildcards '*/mm/*.c' > /tmp/wlm/mm.txt ) &
for i in 1 2 3 4 5 6; do
  python3 - <<'PY' &
import json, re, os, collections, time, ast
words = collections.Counter()
trees = []
for root, _, files in os.walk('/usr/lib/python3.11'):
    for f in files[:40]:
        if f.endswith('.py'):
            try:
                src = open(os.path.join(root, f)).read()
                trees.append(ast.parse(src))
                words.update(re.findall(r'\w+', src))
            except Exception: pass
    if len(trees) > 600: break
d = {k: [v, str(v) * 3] for k, v in words.items()}
time.sleep(20)
PY
  sleep 15
done &
for i in 1 2 3 4; do gcc -O2 -c -o /dev/null -I/work/main/sim -I/work/main/allocator /work/main/sim/physmem.c; sort -R /usr/share/common-licenses/GPL-3 /work/main/traces/FORMAT.md > /dev/null; sleep 10; done &
wait
