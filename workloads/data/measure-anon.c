/*
 * measure-anon.c - measure the compressed sizes of real anonymous memory.
 *
 * Walks every process on the machine (or the PIDs given), reads the
 * resident pages of its private anonymous mappings (heap, stack, anonymous
 * mmaps; /proc/PID/maps with no backing file) through /proc/PID/pagemap and
 * /proc/PID/mem, and for every page records what zram would see:
 *   - same-filled (every unsigned long of the page equal; zero pages apart),
 *   - else the compressed length with lz4 (LZ4_compress_default, as zram's
 *     lz4 backend at its default acceleration), zstd (level 3, the kernel's
 *     default) and lzo1x-1 (lzo-rle, the kernel's default, has no userspace
 *     library; plain lzo1x-1 is within a few bytes of it), capped at the page
 *     size (zram stores such pages uncompressed).
 * Only resident pages are read (pagemap bit 63), so untouched anonymous
 * memory, which would read as the zero page, is not counted. At most
 * --max-pages pages are taken from one process (evenly spread over its
 * resident pages), so that one large process does not make the histogram.
 * Mappings over 4 GiB of address space (sanitizer shadow memory, reserved
 * heaps) are skipped: they are almost all untouched and too big to walk.
 *
 * Output: the CSV read by workloads/CMakeLists.txt (see workloads/data/README.md):
 *   "# " comment lines, then "upper,lz4,zstd,lzo" with one row per 32-byte
 *   bucket (sizes upper-31 .. upper), and two rows "same" and "zero" (zero is
 *   part of same) whose count is in every column.
 *
 * Needs root (ptrace access to every process). Build:
 *   cc -O2 -o measure-anon measure-anon.c -llz4 -lzstd -llzo2
 * Run:
 *   ./measure-anon [--max-pages N] [--passes N] [--interval S] [PID...] > anon-4k.csv
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <lz4.h>
#include <lzo/lzo1x.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#define PAGE 4096
#define BUCKET 32
#define NR_BUCKETS (PAGE / BUCKET)
#define MAX_SEEN 65536
#define MAX_MAPPING (1UL << 32) /* bytes: larger anonymous mappings (sanitizer shadows, reserved arenas) are skipped */

enum { C_LZ4, C_ZSTD, C_LZO, NR_COMP };

struct hist {
	uint64_t bucket[NR_COMP][NR_BUCKETS]; /* pages per 32-byte bucket, by compressor */
	uint64_t same, zero;                  /* same-filled pages; zero pages among them */
	uint64_t pages, procs;
};

struct comp {
	char lz4_out[LZ4_COMPRESSBOUND(PAGE)];
	char zstd_out[PAGE * 2];
	unsigned char lzo_out[PAGE + PAGE / 16 + 64 + 3];
	unsigned char lzo_wrk[LZO1X_1_MEM_COMPRESS];
	ZSTD_CCtx *zc;
};

static unsigned int bucket_of(size_t len)
{
	if (len >= PAGE)
		len = PAGE;
	if (len == 0)
		len = 1;
	return (unsigned int)((len - 1) / BUCKET);
}

static void account(struct hist *h, struct comp *c, const unsigned char *page)
{
	const unsigned long *w = (const unsigned long *)page;
	size_t i, n = PAGE / sizeof(long);
	lzo_uint lzo_len = sizeof(c->lzo_out);
	int lz4_len;
	size_t zlen;

	h->pages++;
	for (i = 1; i < n && w[i] == w[0]; i++)
		;
	if (i == n) {
		h->same++;
		if (w[0] == 0)
			h->zero++;
		return;
	}
	lz4_len = LZ4_compress_default((const char *)page, c->lz4_out, PAGE, sizeof(c->lz4_out));
	h->bucket[C_LZ4][bucket_of(lz4_len > 0 ? (size_t)lz4_len : PAGE)]++;
	zlen = ZSTD_compressCCtx(c->zc, c->zstd_out, sizeof(c->zstd_out), page, PAGE, 3);
	h->bucket[C_ZSTD][bucket_of(ZSTD_isError(zlen) ? PAGE : zlen)]++;
	if (lzo1x_1_compress(page, PAGE, c->lzo_out, &lzo_len, c->lzo_wrk) != LZO_E_OK)
		lzo_len = PAGE;
	h->bucket[C_LZO][bucket_of(lzo_len)]++;
}

/* An anonymous private mapping: no path, or [heap] / [stack]. */
static int anon_line(const char *line, unsigned long *lo, unsigned long *hi)
{
	char perms[8] = "", path[256] = "";
	unsigned long off, ino;
	unsigned int maj, min;
	int n = sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %255s", lo, hi, perms, &off, &maj, &min,
		       &ino, path);

	if (n < 7 || perms[0] != 'r' || perms[1] != 'w' || perms[3] != 'p' || ino != 0)
		return 0;
	return n == 7 || !strcmp(path, "[heap]") || !strcmp(path, "[stack]");
}

static void measure_pid(struct hist *h, struct comp *c, int pid, unsigned long max_pages)
{
	char path[64], line[512];
	unsigned long *vaddr = NULL;
	size_t nr = 0, cap = 0;
	unsigned char page[PAGE];
	FILE *maps;
	int pm, mem;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = fopen(path, "r");
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	pm = open(path, O_RDONLY);
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	mem = open(path, O_RDONLY);
	if (!maps || pm < 0 || mem < 0)
		goto out;
	/* first the resident anonymous pages, then an even sample of them */
	while (fgets(line, sizeof(line), maps)) {
		unsigned long lo, hi;

		if (!anon_line(line, &lo, &hi) || hi - lo > MAX_MAPPING)
			continue;
		for (unsigned long a = lo; a < hi;) {
			uint64_t ent[512];
			size_t want = (hi - a) / PAGE < 512 ? (hi - a) / PAGE : 512;
			ssize_t got = pread(pm, ent, want * 8, (off_t)(a / PAGE * 8));

			if (got <= 0)
				break;
			for (size_t k = 0; k < (size_t)got / 8; k++, a += PAGE) {
				if (!(ent[k] >> 63 & 1))
					continue;
				if (nr == cap) {
					cap = cap ? cap * 2 : 4096;
					vaddr = realloc(vaddr, cap * sizeof(*vaddr));
					if (!vaddr)
						goto out;
				}
				vaddr[nr++] = a;
			}
		}
	}
	if (!nr)
		goto out;
	h->procs++;
	for (unsigned long i = 0; i < max_pages && i < nr; i++) {
		size_t k = nr <= max_pages ? i : (size_t)((double)i * (double)nr / (double)max_pages);

		if (pread(mem, page, PAGE, (off_t)vaddr[k]) == PAGE)
			account(h, c, page);
	}
out:
	free(vaddr);
	if (maps)
		fclose(maps);
	if (pm >= 0)
		close(pm);
	if (mem >= 0)
		close(mem);
}

/* "pid:starttime" keys of processes already measured, so passes add only new ones. */
static int seen_before(uint64_t *seen, size_t *nseen, int pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	uint64_t key;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	p = strrchr(buf, ')');
	/* field 22 is starttime; after ")" comes field 3 */
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p)
		start = strtoull(p + 1, NULL, 10);
	key = (uint64_t)pid << 40 ^ start;
	for (size_t i = 0; i < *nseen; i++)
		if (seen[i] == key)
			return 1;
	if (*nseen < MAX_SEEN)
		seen[(*nseen)++] = key;
	return 0;
}

int main(int argc, char **argv)
{
	static struct hist h;
	static uint64_t seen[MAX_SEEN];
	struct comp c;
	unsigned long max_pages = 8192, passes = 1, interval = 10;
	size_t nseen = 0;
	int self = getpid(), first_pid = 0;
	struct utsname u;
	time_t now;
	char date[64];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--max-pages") && i + 1 < argc)
			max_pages = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--passes") && i + 1 < argc)
			passes = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--interval") && i + 1 < argc)
			interval = strtoul(argv[++i], NULL, 10);
		else if (isdigit((unsigned char)argv[i][0]) && !first_pid)
			first_pid = i;
		else if (!isdigit((unsigned char)argv[i][0])) {
			fprintf(stderr, "usage: %s [--max-pages N] [--passes N] [--interval S] [PID...]\n",
				argv[0]);
			return 2;
		}
	}
	if (lzo_init() != LZO_E_OK)
		return 1;
	c.zc = ZSTD_createCCtx();
	for (unsigned long pass = 0; pass < passes; pass++) {
		if (pass)
			sleep((unsigned int)interval);
		if (first_pid) {
			for (int i = first_pid; i < argc; i++)
				if (!seen_before(seen, &nseen, atoi(argv[i])))
					measure_pid(&h, &c, atoi(argv[i]), max_pages);
			continue;
		}
		DIR *d = opendir("/proc");
		struct dirent *de;

		while (d && (de = readdir(d))) {
			int pid = atoi(de->d_name);

			if (pid > 0 && pid != self && !seen_before(seen, &nseen, pid))
				measure_pid(&h, &c, pid, max_pages);
		}
		if (d)
			closedir(d);
	}
	ZSTD_freeCCtx(c.zc);

	now = time(NULL);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	uname(&u);
	printf("# compressed sizes of resident private anonymous pages (4 KiB), workloads/data/measure-anon.c\n");
	printf("# measured %s on %s %s (%s), lz4 %s, zstd %s, lzo %s\n", date, u.sysname,
	       u.release, u.machine, LZ4_versionString(), ZSTD_versionString(),
	       lzo_version_string());
	printf("# %" PRIu64 " pages from %" PRIu64 " processes (at most %lu per process, %lu passes)\n",
	       h.pages, h.procs, max_pages, passes);
	printf("# rows: bucket upper bound in bytes (sizes upper-31..upper), pages per compressor;\n");
	printf("# 'same' = same-filled pages (not compressed), 'zero' = the zero pages among them\n");
	printf("upper,lz4,zstd,lzo\n");
	printf("same,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n", h.same, h.same, h.same);
	printf("zero,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n", h.zero, h.zero, h.zero);
	for (unsigned int b = 0; b < NR_BUCKETS; b++)
		printf("%u,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n", (b + 1) * BUCKET,
		       h.bucket[C_LZ4][b], h.bucket[C_ZSTD][b], h.bucket[C_LZO][b]);
	return 0;
}
