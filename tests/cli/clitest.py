"""clitest.py - the little the CLI tests share: run zsfrag, fail with a
message, a scratch directory that is removed afterwards.

Each test script takes the zsfrag binary as its first argument (ctest passes
$<TARGET_FILE:zsfrag>), prints one line per check that fails, and exits 1 if
any did (0 otherwise).
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


class Checker:
    def __init__(self):
        if len(sys.argv) < 2:
            sys.exit("usage: %s ZSFRAG" % sys.argv[0])
        self.zsfrag = os.path.abspath(sys.argv[1])
        self.failures = 0
        self.checks = 0
        self.tmp = tempfile.mkdtemp(prefix="zsfrag-cli-")

    def run(self, *args, timeout=280):
        """Run zsfrag with args in the scratch directory; (rc, stdout, stderr).

        The timeout only guards against a hang: the test's ctest TIMEOUT is its
        budget. (At 60 s a debug build's single replay on a loaded CI host could
        exceed it while the test as a whole was well inside its budget.)"""
        p = subprocess.run([self.zsfrag] + [str(a) for a in args], cwd=self.tmp,
                           capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr

    def check(self, cond, what):
        self.checks += 1
        if not cond:
            self.failures += 1
            print("FAIL: %s" % what)
        return cond

    def eq(self, got, want, what):
        return self.check(got == want, "%s: got %r, want %r" % (what, got, want))

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)
        return self.path(name)

    def finish(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
        print("%d checks, %d failed" % (self.checks, self.failures))
        sys.exit(1 if self.failures else 0)


def data(name):
    """A file kept beside the tests (tests/cli/NAME)."""
    return os.path.join(HERE, name)
