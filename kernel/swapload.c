/*
 * swapload.c - the live capture check's workload (scripts/capture-check): processes whose
 * anonymous pages, more of them than the guest's RAM, make the kernel swap to zram.
 *
 *	swapload NPROC MB [TRACE_MARKER] [ZRAM]
 *
 * NPROC children each map MB MiB of anonymous memory and fill it page by page with a mix
 * of content (by a hash of the page's index, so every run writes the same bytes):
 *   10% zero pages, 5% pages filled with one repeated word (zram stores both as same-filled
 *   pages, no zsmalloc object), 10% random bytes (incompressible: zram's huge pages), and
 *   75% text-like pages with a share of random 64-byte runs between 0 and 100% (its square,
 *   so most compress well), so the compressed sizes spread over zsmalloc's size classes.
 * Then, one step at a time, the parent has them touch their pages again (rewrite a quarter,
 * read a quarter: swap-ins and new swap-outs), fork (the grandchild dirties an eighth of the
 * pages, copy on write, and exits), asks zram to compact (/sys/block/ZRAM/compact), and has
 * two of them exit (their swap slots are freed); the others touch again while the parent
 * has zram compact, so other tasks' swapping lands between a compaction's steps. Around
 * every step it puts zram's mm_stat into the trace stream through TRACE_MARKER ("zsfrag
 * mm_stat LABEL <mm_stat>"), the read points the capture check compares zsfrag with. Last line on stdout: pswpout, pswpin and the
 * seconds the steps took, for the capture's overhead (BENCHMARKS.md).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE	 4096
#define MAXPROC 16

static const char words[] = "the quick brown fox jumps over a lazy dog while zram compresses "
			    "anonymous memory into zsmalloc objects of many size classes ";

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

/* Fill one page; key picks its kind and bytes. */
static void fill(unsigned char *p, uint64_t key)
{
	uint64_t h = mix(key), r = h | 1;
	unsigned kind = (unsigned)(h % 100), share = (unsigned)((h >> 8) % 101);

	share = share * share / 100; /* most pages compress well, a few hardly */

	if (kind < 10) {
		memset(p, 0, PAGE);
	} else if (kind < 15) { /* 5%: one repeated word */
		uint64_t w = h | 0x0101010101010101ULL;

		for (int i = 0; i < PAGE; i += 8)
			memcpy(p + i, &w, 8);
	} else {
		for (int c = 0; c < PAGE; c += 64) {
			r ^= r << 13, r ^= r >> 7, r ^= r << 17;
			if (kind < 25 || r % 100 < share) { /* 10%: all random */
				for (int i = 0; i < 64; i += 8) {
					r ^= r << 13, r ^= r >> 7, r ^= r << 17;
					memcpy(p + c + i, &r, 8);
				}
			} else {
				size_t off = (size_t)(r % (sizeof(words) - 65));

				memcpy(p + c, words + off, 64);
			}
		}
	}
}

static unsigned char *mem;
static size_t npages;

static void touch(unsigned id, unsigned round, unsigned every, unsigned rewrite)
{
	volatile unsigned char sink = 0;

	for (size_t j = 0; j < npages; j++) {
		uint64_t h = mix((uint64_t)id << 40 ^ (uint64_t)round << 32 ^ j) % every;

		if (h < rewrite)
			fill(mem + j * PAGE, (uint64_t)id << 48 ^ (uint64_t)round << 36 ^ j);
		else if (h < 2 * rewrite)
			sink ^= mem[j * PAGE + (j % PAGE)];
	}
	(void)sink;
}

static void child(unsigned id, size_t mb, int cmd, int done)
{
	unsigned round = 1;
	char c;

	npages = mb * 1024 * 1024 / PAGE;
	mem = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		   0);
	if (mem == MAP_FAILED)
		_exit(2);
	for (size_t j = 0; j < npages; j++)
		fill(mem + j * PAGE, (uint64_t)id << 48 ^ j);
	if (write(done, "f", 1) != 1)
		_exit(3);
	while (read(cmd, &c, 1) == 1) {
		if (c == 'x')
			_exit(0);
		if (c == 't') {
			touch(id, round++, 4, 1);
		} else if (c == 'k') {
			pid_t g = fork();

			if (g == 0) {
				touch(id, 1000 + round, 8, 1);
				_exit(0);
			}
			if (g > 0)
				waitpid(g, NULL, 0);
			round++;
		}
		if (write(done, "d", 1) != 1)
			_exit(3);
	}
	_exit(0);
}

static int marker = -1;
static const char *zram = "zram0";

/* zram's mm_stat line into st (size len), without its newline; 0 on failure. */
static ssize_t read_mm_stat(char *st, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/block/%s/mm_stat", zram);
	fd = open(path, O_RDONLY);
	n = fd >= 0 ? read(fd, st, len - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	st[n] = '\0';
	st[strcspn(st, "\n")] = '\0';
	return n;
}

/*
 * A read point: mm_stat into the trace stream. kswapd may swap between our read and the
 * marker's write (seen on 6.12: 43 pages), so the reading counts only when a second read,
 * after the marker, gives the same line; otherwise the marker is written again
 * (tests/kernel/capture-compare.py keeps a label's last reading).
 */
static void mark(const char *label)
{
	char st[512], again[512], line[700];
	int n;

	for (int tries = 0; tries < 20; tries++) {
		if (!read_mm_stat(st, sizeof(st)))
			return;
		n = snprintf(line, sizeof(line), "zsfrag mm_stat %s %s", label, st);
		if (marker < 0 || write(marker, line, (size_t)n) != n) {
			printf("%s\n", line);
			return;
		}
		if (read_mm_stat(again, sizeof(again)) && !strcmp(st, again))
			return;
	}
}

static long vmstat(const char *key)
{
	char k[64];
	long v, found = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	while (f && fscanf(f, "%63s %ld", k, &v) == 2)
		if (!strcmp(k, key))
			found = v;
	if (f)
		fclose(f);
	return found;
}

static int cmd[MAXPROC], done[MAXPROC];
static pid_t pids[MAXPROC];

static void gone(unsigned i)
{
	fprintf(stderr, "swapload: child %u is gone\n", i);
	exit(1);
}

static void ask(unsigned i, char c)
{
	if (write(cmd[i], &c, 1) != 1)
		gone(i);
}

static void answer(unsigned i)
{
	char r;

	if (read(done[i], &r, 1) != 1)
		gone(i);
}

static void tell(unsigned i, char c)
{
	ask(i, c);
	if (c == 'x')
		waitpid(pids[i], NULL, 0);
	else
		answer(i);
}

static void compact(void)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/sys/block/%s/compact", zram);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1)
		fprintf(stderr, "swapload: cannot write %s\n", path);
	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 0;
	size_t mb = argc > 2 ? (size_t)atol(argv[2]) : 0;
	struct timespec t0, t1;
	long out0, in0;

	if (n < 2 || n > MAXPROC || mb < 1) {
		fprintf(stderr, "usage: swapload NPROC(2..16) MB [TRACE_MARKER] [ZRAM]\n");
		return 64;
	}
	if (argc > 3 && argv[3][0])
		marker = open(argv[3], O_WRONLY);
	if (argc > 4)
		zram = argv[4];
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* the parent's own page faults must not swap between a reading and its marker */
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		perror("swapload: mlockall");
	out0 = vmstat("pswpout"), in0 = vmstat("pswpin");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	mark("start");
	for (unsigned i = 0; i < n; i++) {
		int c[2], d[2];
		char r;

		if (pipe(c) || pipe(d))
			return 71;
		pids[i] = fork();
		if (pids[i] == 0) {
			close(c[1]), close(d[0]);
			child(i, mb, c[0], d[1]);
		}
		close(c[0]), close(d[1]);
		cmd[i] = c[1], done[i] = d[0];
		if (read(done[i], &r, 1) != 1) {
			fprintf(stderr, "swapload: child %u died filling its memory\n", i);
			return 1;
		}
	}
	mark("filled");
	for (unsigned i = 0; i < n; i++)
		tell(i, 't');
	mark("touched");
	tell(0, 'k');
	tell(1, 'k');
	mark("forked");
	compact();
	mark("compacted");
	tell(0, 'x');
	tell(1, 'x');
	mark("exited");
	/*
	 * The others touch their pages while zram compacts: a compaction with other tasks'
	 * swap-outs and -ins between its steps (6.12 may reschedule after each destination
	 * it fills, 6.1 after each source), which the replay must take at those points.
	 */
	for (unsigned i = 2; i < n; i++)
		ask(i, 't');
	compact();
	for (unsigned i = 2; i < n; i++)
		answer(i);
	mark("touched2");
	compact();
	mark("compacted2");
	for (unsigned i = 2; i < n; i++)
		tell(i, 'x');
	mark("end");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("swapload pswpout=%ld pswpin=%ld seconds=%.3f\n", vmstat("pswpout") - out0,
	       vmstat("pswpin") - in0,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
