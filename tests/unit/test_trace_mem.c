/*
 * test_trace_mem.c - traces from real memory (traces/procmem.c).
 *
 * Compressors on pages of known content; the tracker's diff on hand-made
 * snapshots; and a real process: the test forks a child that maps 64 pages
 * of known content (16 zero, 16 same-filled with a pattern, 16 random, 16
 * text), snapshots it through /proc (root needed: without it the test says
 * so and skips that part with exit 77 only if nothing else ran), lets the
 * child rewrite 4 text pages and unmap the random ones, snapshots again and
 * checks the events: 32 z + 32 w, then 4 overwrites in the same slots and 16
 * discards.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procmem.h"
#include "test_util.h"

#define PS 4096

struct rec {
	struct sim_event ev[256];
	int n;
};

static int rec_emit(void *ctx, const struct sim_event *ev)
{
	struct rec *r = ctx;

	if (r->n < 256)
		r->ev[r->n] = *ev;
	r->n++;
	return 0;
}

static void fill_random(unsigned char *p, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		p[i] = (unsigned char)(seed >> 56);
	}
}

static void fill_text(unsigned char *p, size_t n, int salt)
{
	size_t o = 0;

	for (int i = 0; o < n; i++) {
		char line[64];
		int l =
		    snprintf(line, sizeof(line), "line %d of the swap test, salt %d\n", i, salt);

		for (int j = 0; j < l && o < n; j++)
			p[o++] = (unsigned char)line[j];
	}
}

static void test_compressors(void)
{
	static unsigned char page[PS];
	static const enum mem_compressor comps[] = {MEM_COMP_LZ4, MEM_COMP_ZSTD, MEM_COMP_LZO};

	for (int i = 0; i < 3; i++) {
		struct mem_compress *c;
		uint32_t size;

		REQUIRE(mem_compress_new(comps[i], PS, &c) == 0);
		memset(page, 0, PS);
		CHECK_EQ(mem_compress_page(c, page, &size), 0);
		CHECK_EQ(size, 0); /* zero page: same-filled */
		for (int w = 0; w < PS / 8; w++)
			memcpy(page + w * 8, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
		CHECK_EQ(mem_compress_page(c, page, &size), 0);
		CHECK_EQ(size, 0); /* one repeated word: same-filled */
		page[PS - 1] ^= 1;
		CHECK_EQ(mem_compress_page(c, page, &size), 0);
		CHECK(size > 0 && size < 200); /* nearly same: tiny, but stored */
		fill_random(page, PS, 42);
		CHECK_EQ(mem_compress_page(c, page, &size), 0);
		CHECK_EQ(size, PS); /* incompressible: capped at the page size */
		fill_text(page, PS, 1);
		CHECK_EQ(mem_compress_page(c, page, &size), 0);
		CHECK(size > 100 && size < PS / 2);
		mem_compress_free(c);
	}
}

static void test_tracker(void)
{
	struct mem_page a[] = {{0x1000, 11, 100}, {0x2000, 22, 0}, {0x3000, 33, 300}};
	struct mem_page b[] = {{0x1000, 11, 100}, {0x3000, 34, 350}, {0x5000, 55, 500}};
	struct mem_page c[] = {{0x6000, 66, 600}};
	struct mem_snapshot s = {0};
	struct mem_tracker t;
	struct rec r = {.n = 0};

	mem_tracker_init(&t);
	s.pages = a;
	s.n = 3;
	REQUIRE(mem_tracker_apply(&t, &s, 0, rec_emit, &r) == 0);
	REQUIRE(r.n == 4);
	CHECK(r.ev[0].op == SIM_OP_WRITE && r.ev[0].id == 0 && r.ev[0].size == 100);
	CHECK(r.ev[1].op == SIM_OP_WRITE_SAME && r.ev[1].id == 1);
	CHECK(r.ev[2].op == SIM_OP_WRITE && r.ev[2].id == 2 && r.ev[2].size == 300);
	CHECK(r.ev[3].op == SIM_OP_SNAPSHOT && !strcmp(r.ev[3].label, "snapshot_1"));
	/* 0x1000 unchanged: nothing; 0x3000 changed: overwrite slot 2; 0x5000 new: slot 3;
	 * 0x2000 gone: discard slot 1 */
	r.n = 0;
	s.pages = b;
	REQUIRE(mem_tracker_apply(&t, &s, 1000, rec_emit, &r) == 0);
	REQUIRE(r.n == 4);
	CHECK(r.ev[0].op == SIM_OP_WRITE && r.ev[0].id == 2 && r.ev[0].size == 350);
	CHECK(r.ev[1].op == SIM_OP_WRITE && r.ev[1].id == 3 && r.ev[1].size == 500);
	CHECK(r.ev[2].op == SIM_OP_DISCARD && r.ev[2].id == 1);
	CHECK(r.ev[3].op == SIM_OP_SNAPSHOT && r.ev[3].time_ns == 1000);
	/* everything goes but a new page, which takes the lowest free slot: 1 */
	r.n = 0;
	s.pages = c;
	s.n = 1;
	REQUIRE(mem_tracker_apply(&t, &s, 2000, rec_emit, &r) == 0);
	REQUIRE(r.n == 5);
	CHECK(r.ev[0].op == SIM_OP_WRITE && r.ev[0].id == 1 && r.ev[0].size == 600);
	CHECK(r.ev[1].op == SIM_OP_DISCARD && r.ev[1].id == 0);
	CHECK(r.ev[2].op == SIM_OP_DISCARD && r.ev[2].id == 2);
	CHECK(r.ev[3].op == SIM_OP_DISCARD && r.ev[3].id == 3);
	CHECK_U64_EQ(t.writes, 5);
	CHECK_U64_EQ(t.overwrites, 1);
	CHECK_U64_EQ(t.discards, 4);
	mem_tracker_free(&t);
}

/* The child: 64 pages of known content; on a byte from the parent, change them. */
static void child_main(int to_parent, int from_parent)
{
	unsigned char *m =
	    mmap(NULL, 64 * PS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t addr = (uint64_t)(uintptr_t)m;
	char b;

	if (m == MAP_FAILED)
		_exit(1);
	memset(m, 0, 16 * PS);
	for (int i = 0; i < 16 * PS / 8; i++)
		memcpy(m + 16 * PS + i * 8, "zsfrag!!", 8);
	fill_random(m + 32 * PS, 16 * PS, 7);
	fill_text(m + 48 * PS, 16 * PS, 0);
	for (int i = 0; i < 16; i++) /* touch the zero pages so they are resident */
		((volatile unsigned char *)m)[i * PS] = 0;
	if (write(to_parent, &addr, sizeof(addr)) != sizeof(addr))
		_exit(1);
	if (read(from_parent, &b, 1) != 1)
		_exit(1);
	fill_text(m + 48 * PS, 4 * PS, 99);
	munmap(m + 32 * PS, 16 * PS);
	if (write(to_parent, &addr, sizeof(addr)) != sizeof(addr))
		_exit(1);
	pause();
	_exit(0);
}

static void test_process(void)
{
	int up[2], down[2];
	uint64_t addr;
	struct mem_compress *c;
	struct mem_snapshot s1, s2;
	struct mem_tracker t;
	struct mem_range range;
	struct rec r = {.n = 0};
	char err[512];
	int same = 0, full = 0, small = 0, rc;
	pid_t pid;

	if (geteuid() != 0) {
		fprintf(stderr, "     not root: skipping the live-process part\n");
		return;
	}
	REQUIRE(pipe(up) == 0 && pipe(down) == 0);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		child_main(up[1], down[0]);
	}
	close(up[1]);
	close(down[0]);
	REQUIRE(read(up[0], &addr, sizeof(addr)) == sizeof(addr));
	range.lo = addr;
	range.hi = addr + 64 * PS;
	REQUIRE(mem_compress_new(MEM_COMP_LZ4, PS, &c) == 0);
	mem_snapshot_init(&s1);
	rc = mem_snapshot_process(pid, c, PS, &range, &s1, err, sizeof(err));
	CHECK_EQ(rc, 0);
	if (rc)
		fprintf(stderr, "     %s\n", err);
	CHECK_EQ(s1.n, 64);
	CHECK(s1.pagemap);
	for (size_t i = 0; i < s1.n; i++) {
		same += s1.pages[i].size == 0;
		full += s1.pages[i].size == PS;
		small += s1.pages[i].size > 0 && s1.pages[i].size < PS / 2;
	}
	CHECK_EQ(same, 32);
	CHECK_EQ(full, 16);
	CHECK_EQ(small, 16);
	CHECK_U64_EQ(s1.n ? s1.pages[0].addr : 0, addr);
	mem_tracker_init(&t);
	REQUIRE(mem_tracker_apply(&t, &s1, 0, rec_emit, &r) == 0);
	CHECK_EQ(r.n, 65);
	CHECK_U64_EQ(t.same, 32);
	/* the child changes 4 text pages and unmaps the 16 random ones */
	REQUIRE(write(down[1], "x", 1) == 1);
	REQUIRE(read(up[0], &addr, sizeof(addr)) == sizeof(addr));
	mem_snapshot_init(&s2);
	CHECK_EQ(mem_snapshot_process(pid, c, PS, &range, &s2, err, sizeof(err)), 0);
	CHECK_EQ(s2.n, 48);
	r.n = 0;
	REQUIRE(mem_tracker_apply(&t, &s2, 5, rec_emit, &r) == 0);
	CHECK_EQ(r.n, 4 + 16 + 1);
	for (int i = 0; i < 4 && r.n == 21; i++) /* text pages 48..51 live in slots 48..51 */
		CHECK(r.ev[i].op == SIM_OP_WRITE && r.ev[i].id == (uint64_t)(48 + i));
	for (int i = 4; i < 20 && r.n == 21; i++)
		CHECK(r.ev[i].op == SIM_OP_DISCARD && r.ev[i].id == (uint64_t)(32 + i - 4));
	CHECK_U64_EQ(t.overwrites, 4);
	CHECK_U64_EQ(t.discards, 16);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* a process that is gone */
	mem_snapshot_free(&s1);
	CHECK_EQ(mem_snapshot_process(pid, c, PS, NULL, &s1, err, sizeof(err)), -ENOENT);
	mem_snapshot_free(&s1);
	mem_snapshot_free(&s2);
	mem_tracker_free(&t);
	mem_compress_free(c);
	close(up[0]);
	close(down[1]);
}

static void test_core_errors(void)
{
	char path[] = "/tmp/zsfrag-core-XXXXXX", err[512];
	struct mem_compress *c;
	struct mem_snapshot s;
	unsigned char elf[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
	int fd = mkstemp(path);

	REQUIRE(fd >= 0);
	REQUIRE(mem_compress_new(MEM_COMP_LZ4, PS, &c) == 0);
	mem_snapshot_init(&s);
	REQUIRE(write(fd, "hello", 5) == 5);
	CHECK_EQ(mem_snapshot_core(path, c, PS, NULL, &s, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, ": offset 0: not an ELF file") != NULL);
	REQUIRE(ftruncate(fd, 0) == 0 && pwrite(fd, elf, sizeof(elf), 0) == sizeof(elf));
	CHECK_EQ(mem_snapshot_core(path, c, PS, NULL, &s, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "not a core dump") != NULL);
	elf[16] = 4; /* ET_CORE, program headers claimed far outside the file */
	elf[32] = 0xff;
	elf[54] = 56;
	elf[56] = 3;
	REQUIRE(pwrite(fd, elf, sizeof(elf), 0) == sizeof(elf));
	CHECK_EQ(mem_snapshot_core(path, c, PS, NULL, &s, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "program headers outside the file") != NULL);
	close(fd);
	unlink(path);
	mem_snapshot_free(&s);
	mem_compress_free(c);
}

int main(void)
{
	RUN(test_compressors);
	RUN(test_tracker);
	RUN(test_process);
	RUN(test_core_errors);
	return test_summary();
}
