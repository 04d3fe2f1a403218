/*
 * procmem.c - snapshots of real memory and the swap-device view of them
 * (see procmem.h).
 *
 * Process: /proc/PID/maps gives the mappings; private ones are read, every
 * page's pagemap entry (bit 63 present, 62 swapped, 61 file page or shared
 * anon) says whether it is an anonymous page worth taking, and
 * /proc/PID/mem gives its bytes (pread at the virtual address; reading a
 * swapped page swaps it in, which is the price of looking). Reads go a
 * chunk at a time; a chunk that fails is retried page by page so one
 * unreadable page does not lose its neighbours.
 *
 * Core dumps: procmem_core.c.
 */
#include "procmem.h"
#include "procmem_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <lz4.h>
#include <lzo/lzo1x.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#define MEM_CHUNK_PAGES 256 /* pages per pread of /proc/PID/mem */
#define MEM_ZSTD_LEVEL	3   /* zram's zstd default */
#define PM_PRESENT	(1ULL << 63)
#define PM_SWAPPED	(1ULL << 62)
#define PM_FILE		(1ULL << 61)
#define PM_PFN_MASK	((1ULL << 55) - 1)

/* ---- compressors ---- */

struct mem_compress {
	enum mem_compressor comp;
	size_t page_size;
	unsigned char *dst; /* worst-case output of one page */
	size_t dst_cap;
	void *lzo_wrk; /* LZO1X_1_MEM_COMPRESS bytes */
	ZSTD_CCtx *zc;
};

const char *mem_compressor_name(enum mem_compressor comp)
{
	switch (comp) {
	case MEM_COMP_ZSTD:
		return "zstd";
	case MEM_COMP_LZO:
		return "lzo";
	default:
		return "lz4";
	}
}

int mem_compressor_parse(const char *s, enum mem_compressor *comp)
{
	if (!strcmp(s, "lz4"))
		*comp = MEM_COMP_LZ4;
	else if (!strcmp(s, "zstd"))
		*comp = MEM_COMP_ZSTD;
	else if (!strcmp(s, "lzo"))
		*comp = MEM_COMP_LZO;
	else
		return -EINVAL;
	return 0;
}

void mem_compress_free(struct mem_compress *c)
{
	if (!c)
		return;
	free(c->dst);
	free(c->lzo_wrk);
	ZSTD_freeCCtx(c->zc);
	free(c);
}

int mem_compress_new(enum mem_compressor comp, size_t page_size, struct mem_compress **out)
{
	struct mem_compress *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return -ENOMEM;
	c->comp = comp;
	c->page_size = page_size;
	/* room for every codec's worst case: lzo's is len + len/16 + 64 + 3 */
	c->dst_cap = page_size + page_size / 16 + 64 + 3;
	if (c->dst_cap < (size_t)LZ4_compressBound((int)page_size))
		c->dst_cap = (size_t)LZ4_compressBound((int)page_size);
	if (c->dst_cap < ZSTD_compressBound(page_size))
		c->dst_cap = ZSTD_compressBound(page_size);
	c->dst = malloc(c->dst_cap);
	if (!c->dst)
		goto nomem;
	if (comp == MEM_COMP_LZO) {
		if (lzo_init() != LZO_E_OK)
			goto nomem;
		c->lzo_wrk = malloc(LZO1X_1_MEM_COMPRESS);
		if (!c->lzo_wrk)
			goto nomem;
	} else if (comp == MEM_COMP_ZSTD) {
		c->zc = ZSTD_createCCtx();
		if (!c->zc)
			goto nomem;
	}
	*out = c;
	return 0;
nomem:
	mem_compress_free(c);
	return -ENOMEM;
}

/* A word of a page that may sit at any address (a core's segments need not be aligned). */
static inline uint64_t mem_word(const unsigned char *p, size_t i)
{
	uint64_t w;

	memcpy(&w, p + i * sizeof(w), sizeof(w));
	return w;
}

static bool mem_same_filled(const void *page, size_t page_size)
{
	size_t n = page_size / sizeof(uint64_t);
	uint64_t first = mem_word(page, 0);

	for (size_t i = 1; i < n; i++)
		if (mem_word(page, i) != first)
			return false;
	return true;
}

int mem_compress_page(struct mem_compress *c, const void *page, uint32_t *size)
{
	size_t out;

	if (mem_same_filled(page, c->page_size)) {
		*size = 0;
		return 0;
	}
	switch (c->comp) {
	case MEM_COMP_LZ4: {
		int n =
		    LZ4_compress_default(page, (char *)c->dst, (int)c->page_size, (int)c->dst_cap);

		if (n <= 0)
			return -EIO;
		out = (size_t)n;
		break;
	}
	case MEM_COMP_ZSTD:
		out = ZSTD_compressCCtx(c->zc, c->dst, c->dst_cap, page, c->page_size,
					MEM_ZSTD_LEVEL);
		if (ZSTD_isError(out))
			return -EIO;
		break;
	default: {
		lzo_uint n = c->dst_cap;

		if (lzo1x_1_compress(page, c->page_size, c->dst, &n, c->lzo_wrk) != LZO_E_OK)
			return -EIO;
		out = n;
		break;
	}
	}
	*size = (uint32_t)(out > c->page_size ? c->page_size : out);
	return 0;
}

/* 64-bit content hash: a multiply-xorshift over the page's words. */
static uint64_t mem_hash(const void *page, size_t page_size)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ page_size;

	for (size_t i = 0; i < page_size / 8; i++) {
		h ^= mem_word(page, i);
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	return h;
}

/* ---- snapshots ---- */

void mem_snapshot_init(struct mem_snapshot *s)
{
	memset(s, 0, sizeof(*s));
}

void mem_snapshot_free(struct mem_snapshot *s)
{
	free(s->pages);
	mem_snapshot_init(s);
}

int mem_add(struct mem_snapshot *s, struct mem_compress *c, uint64_t addr, const void *page)
{
	struct mem_page *p;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		struct mem_page *np = realloc(s->pages, cap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		s->pages = np;
		s->cap = cap;
	}
	p = &s->pages[s->n];
	p->addr = addr;
	p->hash = mem_hash(page, c->page_size);
	if (mem_compress_page(c, page, &p->size))
		return -EIO;
	s->n++;
	return 0;
}

int mem_page_cmp(const void *a, const void *b)
{
	const struct mem_page *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Read the pages of [lo, hi) that want[] selects from /proc/PID/mem. */
/*
 * Read the pages of [lo, hi) that want[] selects from /proc/PID/mem, a run
 * of consecutive wanted pages per pread: reading a page the process never
 * touched would map the zero page into it, and the next snapshot would
 * count that as the process's memory.
 */
static int mem_read_range(int memfd, struct mem_compress *c, uint64_t lo, uint64_t hi,
			  const bool *want, unsigned char *buf, struct mem_snapshot *s)
{
	size_t ps = c->page_size, npages = (size_t)((hi - lo) / ps);
	int rc;

	for (size_t i = 0; i < npages;) {
		size_t j = i;
		ssize_t got;

		if (!want[i]) {
			i++;
			continue;
		}
		while (j < npages && want[j])
			j++;
		got = pread(memfd, buf + i * ps, (j - i) * ps, (off_t)(lo + i * ps));
		for (size_t k = i; k < j; k++) {
			if (got != (ssize_t)((j - i) * ps) &&
			    pread(memfd, buf + k * ps, ps, (off_t)(lo + k * ps)) != (ssize_t)ps) {
				s->unreadable++;
				continue;
			}
			if ((rc = mem_add(s, c, lo + k * ps, buf + k * ps)))
				return rc;
		}
		i = j;
	}
	return 0;
}

/*
 * The page frame of the shared zero page, as pagemap shows it (root only;
 * 0 when unknown): a read fault on anonymous memory maps it, and it is not
 * the process's memory (the kernel never swaps it). Found by read-faulting
 * a page of our own.
 */
static uint64_t mem_zero_pfn(size_t page_size)
{
	volatile unsigned char *p = mmap(NULL, page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
					 -1, 0);
	uint64_t ent = 0;
	int fd;

	if (p == MAP_FAILED)
		return 0;
	(void)p[0];
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd >= 0) {
		if (pread(fd, &ent, sizeof(ent), (off_t)((uintptr_t)p / page_size * sizeof(ent))) !=
		    sizeof(ent))
			ent = 0;
		close(fd);
	}
	munmap((void *)p, page_size);
	return (ent & PM_PRESENT) ? ent & PM_PFN_MASK : 0;
}

/*
 * Is pid a kernel thread (PF_KTHREAD in /proc/PID/stat's flags)? Its
 * /proc/PID/mem does not open (ESRCH, even for root): it has no user memory.
 */
static bool mem_is_kthread(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long flags = 0;
	const char *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold blanks and parentheses */
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
		return false;
	return flags & 0x00200000UL; /* PF_KTHREAD, include/linux/sched.h */
}

/* What the reading of one process's mappings needs. */
struct proc_read {
	pid_t pid;
	int memfd, pmfd;    /* /proc/PID/mem, /proc/PID/pagemap (-1: none) */
	uint64_t zero_pfn;  /* the shared zero page's pfn, 0 unknown */
	unsigned char *buf; /* MEM_CHUNK_PAGES pages */
	uint64_t *pm;	    /* their pagemap entries */
	size_t page_size;
};

/* "PATH: error", with a hint where only root may read another process's memory. */
static void mem_open_error(char *err, size_t errlen, const char *path, int rc)
{
	snprintf(err, errlen, "%s: %s%s", path, strerror(-rc),
		 (rc == -EACCES || rc == -EPERM) && geteuid() != 0
		     ? " (reading another process's memory needs root)"
		     : "");
}

/* Open /proc/PID/mem (a kernel thread has none) and, if readable, /proc/PID/pagemap. */
static int mem_open_proc(struct proc_read *pr, struct mem_snapshot *s, char *err, size_t errlen)
{
	char path[64];
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pr->pid);
	pr->memfd = open(path, O_RDONLY);
	if (pr->memfd < 0) {
		rc = -errno;
		if (rc == -ESRCH && mem_is_kthread(pr->pid)) {
			snprintf(err, errlen, "pid %d is a kernel thread: it has no user memory",
				 (int)pr->pid);
			return -EINVAL;
		}
		mem_open_error(err, errlen, path, rc);
		return rc;
	}
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pr->pid);
	pr->pmfd = open(path, O_RDONLY);
	s->pagemap = pr->pmfd >= 0;
	pr->zero_pfn = s->pagemap ? mem_zero_pfn(pr->page_size) : 0;
	return 0;
}

/* A line of /proc/PID/maps: 1 with [*lo, *hi) when it is a private readable mapping to read
 * (within range), 0 to skip it. */
static int mem_maps_line(const char *line, const struct mem_snapshot *s, size_t page_size,
			 const struct mem_range *range, uint64_t *lo_out, uint64_t *hi_out)
{
	unsigned long long lo, hi, off, inode;
	char perms[8] = "", name[4096] = "";
	int n = 0;

	if (sscanf(line, "%llx-%llx %7s %llx %*s %llu %n", &lo, &hi, perms, &off, &inode, &n) < 5)
		return 0;
	if (n > 0)
		sscanf(line + n, "%4095[^\n]", name);
	/* private and readable; never the kernel's special mappings */
	if (perms[0] != 'r' || perms[3] != 'p' || !strcmp(name, "[vvar]") ||
	    !strcmp(name, "[vdso]") || !strcmp(name, "[vsyscall]") ||
	    !strcmp(name, "[vvar_vclock]") || !strcmp(name, "[uprobes]"))
		return 0;
	/* without pagemap a file mapping's pages cannot be told apart: skip them */
	if (!s->pagemap && inode != 0)
		return 0;
	if (range) {
		lo = lo > range->lo ? lo : range->lo;
		hi = hi < range->hi ? hi : range->hi;
		lo = (lo + page_size - 1) / page_size * page_size;
		if (lo >= hi)
			return 0;
	}
	*lo_out = lo;
	*hi_out = hi;
	return 1;
}

/* The pages of [lo, hi) worth a snapshot, chunk by chunk: with pagemap, the present anonymous
 * ones other than the zero page, and the swapped ones; without, all. */
static int mem_read_mapping(struct proc_read *pr, struct mem_compress *c, uint64_t lo, uint64_t hi,
			    struct mem_snapshot *s)
{
	size_t page_size = pr->page_size;
	bool want[MEM_CHUNK_PAGES];

	for (uint64_t a = lo; a < hi; a += MEM_CHUNK_PAGES * page_size) {
		uint64_t end =
		    hi - a > MEM_CHUNK_PAGES * page_size ? a + MEM_CHUNK_PAGES * page_size : hi;
		size_t np = (size_t)((end - a) / page_size);
		uint64_t *pm = pr->pm;
		int rc;

		for (size_t i = 0; i < np; i++)
			want[i] = true;
		if (s->pagemap) {
			off_t po = (off_t)(a / page_size * sizeof(uint64_t));

			if (pread(pr->pmfd, pm, np * sizeof(*pm), po) !=
			    (ssize_t)(np * sizeof(*pm)))
				memset(pm, 0, np * sizeof(*pm));
			for (size_t i = 0; i < np; i++)
				want[i] =
				    ((pm[i] & PM_PRESENT) && !(pm[i] & PM_FILE) &&
				     !(pr->zero_pfn && (pm[i] & PM_PFN_MASK) == pr->zero_pfn)) ||
				    (pm[i] & PM_SWAPPED);
		}
		if ((rc = mem_read_range(pr->memfd, c, a, end, want, pr->buf, s)))
			return rc;
	}
	return 0;
}

int mem_snapshot_process(pid_t pid, struct mem_compress *c, size_t page_size,
			 const struct mem_range *range, struct mem_snapshot *s, char *err,
			 size_t errlen)
{
	struct proc_read pr = {.pid = pid, .memfd = -1, .pmfd = -1, .page_size = page_size};
	char path[64], line[4096 + 256];
	uint64_t lo, hi;
	FILE *maps;
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "r");
	if (!maps) {
		rc = -errno;
		mem_open_error(err, errlen, path, rc);
		return rc;
	}
	if ((rc = mem_open_proc(&pr, s, err, errlen)))
		goto out;
	pr.buf = malloc(MEM_CHUNK_PAGES * page_size);
	pr.pm = malloc(MEM_CHUNK_PAGES * sizeof(*pr.pm));
	if (!pr.buf || !pr.pm) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	while (fgets(line, sizeof(line), maps)) {
		if (!mem_maps_line(line, s, page_size, range, &lo, &hi))
			continue;
		s->regions++;
		if ((rc = mem_read_mapping(&pr, c, lo, hi, s))) {
			snprintf(err, errlen, "pid %d: %s", (int)pid,
				 rc == -ENOMEM ? "out of memory" : "compressor failed");
			goto out;
		}
	}
	if (s->n) /* qsort(NULL, 0) is undefined */
		qsort(s->pages, s->n, sizeof(*s->pages), mem_page_cmp);
out:
	free(pr.buf);
	free(pr.pm);
	if (pr.pmfd >= 0)
		close(pr.pmfd);
	if (pr.memfd >= 0)
		close(pr.memfd);
	fclose(maps);
	return rc;
}

/* ---- tracker ---- */

void mem_tracker_init(struct mem_tracker *t)
{
	memset(t, 0, sizeof(*t));
	trace_map_init(&t->pages);
	trace_map_init(&t->hashes);
}

void mem_tracker_free(struct mem_tracker *t)
{
	trace_map_destroy(&t->pages);
	trace_map_destroy(&t->hashes);
	free(t->free_slots);
	memset(t, 0, sizeof(*t));
}

/* Min-heap of free slots: the lowest free slot is reused first. */
static int slot_release(struct mem_tracker *t, uint64_t slot)
{
	size_t i;

	if (t->nfree == t->free_cap) {
		size_t cap = t->free_cap ? t->free_cap * 2 : 256;
		uint64_t *n = realloc(t->free_slots, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->free_slots = n;
		t->free_cap = cap;
	}
	for (i = t->nfree++; i && t->free_slots[(i - 1) / 2] > slot; i = (i - 1) / 2)
		t->free_slots[i] = t->free_slots[(i - 1) / 2];
	t->free_slots[i] = slot;
	return 0;
}

static uint64_t slot_take(struct mem_tracker *t)
{
	uint64_t top, last;
	size_t i = 0;

	if (!t->nfree)
		return t->next_slot++;
	top = t->free_slots[0];
	last = t->free_slots[--t->nfree];
	for (;;) {
		size_t k = 2 * i + 1;

		if (k >= t->nfree)
			break;
		if (k + 1 < t->nfree && t->free_slots[k + 1] < t->free_slots[k])
			k++;
		if (last <= t->free_slots[k])
			break;
		t->free_slots[i] = t->free_slots[k];
		i = k;
	}
	if (t->nfree)
		t->free_slots[i] = last;
	return top;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int mem_tracker_apply(struct mem_tracker *t, const struct mem_snapshot *s, uint64_t time_ns,
		      mem_emit_fn emit, void *ctx)
{
	struct sim_event ev = {.has_time = true, .time_ns = time_ns};
	uint64_t key, val, *gone = NULL;
	size_t pos = 0, ngone = 0;
	int rc = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct mem_page *p = &s->pages[i];
		uint64_t slot, old_hash;
		bool known = trace_map_get(&t->pages, p->addr, &val);

		if (known) {
			slot = val >> 1;
			trace_map_get(&t->hashes, p->addr, &old_hash);
			if (trace_map_put(&t->pages, p->addr, slot << 1 | 1))
				return -ENOMEM;
			if (old_hash == p->hash)
				continue;
			t->overwrites++;
		} else {
			slot = slot_take(t);
			if (trace_map_put(&t->pages, p->addr, slot << 1 | 1))
				return -ENOMEM;
			t->writes++;
		}
		if (trace_map_put(&t->hashes, p->addr, p->hash))
			return -ENOMEM;
		ev.id = slot;
		ev.op = p->size ? SIM_OP_WRITE : SIM_OP_WRITE_SAME;
		ev.size = p->size;
		t->same += !p->size;
		if ((rc = emit(ctx, &ev)))
			return rc;
	}
	/* what was not seen this time is gone; the seen mark is cleared for the next round */
	gone = malloc((t->pages.count + 1) * sizeof(*gone));
	if (!gone)
		return -ENOMEM;
	while (trace_map_next(&t->pages, &pos, &key, &val)) {
		if (val & 1)
			t->pages.vals[pos - 1] = val & ~1ULL;
		else
			gone[ngone++] = key;
	}
	qsort(gone, ngone, sizeof(*gone), u64_cmp);
	for (size_t i = 0; i < ngone && !rc; i++) {
		trace_map_del(&t->pages, gone[i], &val);
		trace_map_del(&t->hashes, gone[i], NULL);
		ev.op = SIM_OP_DISCARD;
		ev.id = val >> 1;
		ev.size = 0;
		t->discards++;
		rc = slot_release(t, val >> 1);
		if (!rc)
			rc = emit(ctx, &ev);
	}
	free(gone);
	if (rc)
		return rc;
	t->snapshots++;
	ev.op = SIM_OP_SNAPSHOT;
	ev.id = 0;
	snprintf(ev.label, sizeof(ev.label), "snapshot_%" PRIu64, t->snapshots);
	return emit(ctx, &ev);
}
