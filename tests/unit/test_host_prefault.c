/*
 * test_host_prefault.c - the thread that backs the frames' host memory ahead
 * of the replay: which regions it populates (mincore() says what is
 * resident), that it leaves the bytes already there alone, and that a
 * machine with it and one without compute the same thing.
 *
 * Exits 77 (skipped) when the host kernel has no MADV_POPULATE_WRITE.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "host_prefault.h"
#include "physmem.h"
#include "physmem_internal.h"
#include "test_util.h"

#define REGION HOST_PREFAULT_REGION

/* An aligned mapping of n regions, nothing resident; *map is what to munmap. */
static uint8_t *map_regions(size_t n, void **map)
{
	uint8_t *p;

	*map = mmap(NULL, (n + 1) * REGION, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (*map == MAP_FAILED)
		return NULL;
	p = (uint8_t *)(((uintptr_t)*map + REGION - 1) & ~(uintptr_t)(REGION - 1));
	/* small pages, so that "resident" is page by page whatever the host's THP */
	(void)madvise(p, n * REGION, MADV_NOHUGEPAGE);
	return p;
}

/* Resident pages of region r. */
static size_t resident(const uint8_t *base, size_t r)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n = REGION / page, k = 0;
	unsigned char *vec = malloc(n);

	if (!vec)
		return 0;
	if (mincore((void *)(base + r * REGION), REGION, vec) == 0)
		for (size_t i = 0; i < n; i++)
			k += vec[i] & 1;
	free(vec);
	return k;
}

static bool supported(void)
{
	void *map;
	uint8_t *base = map_regions(1, &map);
	struct host_prefault *hp;
	int err;

	if (!base)
		return false;
	err = host_prefault_start(base, REGION, &hp);
	host_prefault_stop(hp);
	munmap(map, 2 * REGION);
	return err == 0;
}

/*
 * Four regions. A write announced in region 0 hands on region 1, and only
 * it, however often it is announced; region 2 follows the first write
 * announced in region 1; the last region hands on nothing. A page written
 * before its region is populated keeps its byte.
 */
static void test_regions(void)
{
	const size_t pages = REGION / (size_t)sysconf(_SC_PAGESIZE);
	void *map;
	uint8_t *base = map_regions(4, &map);
	struct host_prefault *hp;
	struct host_prefault_stats st;

	REQUIRE(base);
	REQUIRE(host_prefault_start(base, 4 * REGION, &hp) == 0);
	CHECK_EQ(resident(base, 1), 0);
	base[2 * REGION + 100] = 0x5a; /* one page of region 2 written by the replay */
	CHECK_EQ(resident(base, 2), 1);

	base[0] = 1; /* the replay's first write, announced */
	host_prefault_touching(hp, 0);
	host_prefault_touching(hp, 4096); /* the same region again: nothing more */
	host_prefault_sync(hp);
	CHECK_EQ(resident(base, 1), pages);
	CHECK_EQ(resident(base, 2), 1);
	CHECK_EQ(resident(base, 3), 0);
	host_prefault_stats(hp, &st);
	CHECK_U64_EQ(st.posted, 1);
	CHECK_U64_EQ(st.populated, 1);
	CHECK_U64_EQ(st.dropped, 0);

	host_prefault_touching(hp, REGION + 5); /* region 1: hands on 2 */
	host_prefault_sync(hp);
	CHECK_EQ(resident(base, 2), pages);
	CHECK_EQ(base[2 * REGION + 100], 0x5a);
	CHECK_EQ(resident(base, 3), 0);

	host_prefault_touching(hp, 3 * REGION); /* the last region: nothing after it */
	host_prefault_touching(hp, 0);		 /* region 1 was handed on already */
	host_prefault_sync(hp);
	host_prefault_stats(hp, &st);
	CHECK_U64_EQ(st.posted, 2);
	CHECK_U64_EQ(st.populated, 2);
	host_prefault_stop(hp);
	munmap(map, 5 * REGION);
}

/* A region written before its predecessor is never handed on. */
static void test_written_region_not_handed_on(void)
{
	void *map;
	uint8_t *base = map_regions(3, &map);
	struct host_prefault *hp;
	struct host_prefault_stats st;

	REQUIRE(base);
	REQUIRE(host_prefault_start(base, 3 * REGION, &hp) == 0);
	host_prefault_touching(hp, REGION);	/* region 1 first: hands on 2 */
	host_prefault_touching(hp, 0);		/* region 0: its successor is being written */
	host_prefault_sync(hp);
	host_prefault_stats(hp, &st);
	CHECK_U64_EQ(st.posted, 1);
	CHECK_EQ(resident(base, 2), REGION / (size_t)sysconf(_SC_PAGESIZE));
	host_prefault_stop(hp);
	munmap(map, 4 * REGION);
}

/* Bad arguments: no thread. */
static void test_refused(void)
{
	void *map;
	uint8_t *base = map_regions(2, &map);
	struct host_prefault *hp = (struct host_prefault *)&map;

	REQUIRE(base);
	CHECK_EQ(host_prefault_start(base + 4096, REGION, &hp), -EINVAL);
	CHECK(hp == NULL);
	CHECK_EQ(host_prefault_start(base, 0, &hp), -EINVAL);
	CHECK_EQ(host_prefault_start(NULL, REGION, &hp), -EINVAL);
	host_prefault_stop(NULL);
	munmap(map, 3 * REGION);
}

/*
 * A machine with the thread: a frame announced through
 * physmem_host_touching() gets the next region of the machine's frames
 * resident, and the frames handed out are those of a machine without it.
 */
static void test_physmem(void)
{
	const size_t pages = REGION / (size_t)sysconf(_SC_PAGESIZE);
	struct physmem_config cfg;
	struct physmem *with = NULL, *without = NULL;
	unsigned long a = 0, b = 0;
	size_t r;
	uint8_t *p;

	physmem_config_default(&cfg);
	cfg.ram_bytes = 64ull << 20;
	cfg.lowmem_limit_bytes = 48ull << 20;
	cfg.host_thp = false;
	REQUIRE(physmem_create(&cfg, &with) == 0);
	cfg.host_prefault = false;
	REQUIRE(physmem_create(&cfg, &without) == 0);
	REQUIRE(with->prefault);
	CHECK(without->prefault == NULL);
	CHECK_EQ((uintptr_t)with->host % REGION, 0);
	for (int i = 0; i < 600; i++) {
		CHECK_EQ(physmem_alloc(with, 0, PHYSMEM_MT_MOVABLE, 0, &a), 0);
		CHECK_EQ(physmem_alloc(without, 0, PHYSMEM_MT_MOVABLE, 0, &b), 0);
		CHECK_U64_EQ(a, b);
		physmem_host_touching(with, a);
		physmem_host_touching(without, b);
		p = physmem_page_address(with, a);
		REQUIRE(p);
		p[0] = (uint8_t)i;
	}
	/* the last frame's region is the machine's 31st of 32 at most: its successor is resident */
	r = (size_t)(p - with->host) / REGION;
	REQUIRE(r + 1 < with->host_len / REGION);
	host_prefault_sync(with->prefault);
	CHECK_EQ(resident(with->host, r + 1), pages);
	physmem_destroy(with);
	physmem_destroy(without);
}

int main(void)
{
	if (!supported()) {
		printf("skipped: the host kernel has no MADV_POPULATE_WRITE\n");
		return 77;
	}
	RUN(test_regions);
	RUN(test_written_region_not_handed_on);
	RUN(test_refused);
	RUN(test_physmem);
	return test_summary();
}
