/*
 * test_results_json.c - the results writer streams (cli/results_json.c).
 *
 * Memory must not grow with the number of snapshots, so the writer may not
 * hold them: after each snapshot handed to the sink, all but at most one
 * stdio buffer of what it produced must already be in the temporary file on
 * disk (outfile_temp_name), and PATH itself must not exist until
 * results_json_finish(). The finished document must parse, hold every
 * snapshot, compaction and verification in order, and leave no temporary
 * file; an abandoned one leaves nothing at all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"
#include "results_json.h"
#include "test_util.h"

#define N_SNAP 2000

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void snapshot_at(struct sim_snapshot *s, uint64_t i)
{
	memset(s, 0, sizeof(*s));
	s->label = "sample";
	s->event_index = i;
	s->time_ns = i * 1000;
	s->pool_pages = i % 97;
}

static void test_streams(void)
{
	char dir[] = "/tmp/zsfrag-rj-XXXXXX", path[256], tmp[300];
	struct results_json rj;
	struct sim_sinks sinks;
	struct sim_snapshot s;
	long long grew_at = -1, last = 0;
	json_t *doc, *snaps;
	json_error_t jerr;
	bool lagging = false;

	REQUIRE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/run.json", dir);
	REQUIRE(results_json_open(&rj, path, json_pack("{s:s}", "trace", "t"), false) == 0);
	REQUIRE(rj.of && outfile_temp_name(rj.of));
	snprintf(tmp, sizeof(tmp), "%s", outfile_temp_name(rj.of));
	results_json_sinks(&rj, &sinks);
	CHECK(file_size(tmp) >= 0);
	CHECK_EQ(file_size(path), -1);
	for (uint64_t i = 0; i < N_SNAP; i++) {
		long long now;

		snapshot_at(&s, i);
		sinks.snapshot(sinks.ctx, &s);
		if (i % 10 == 0) {
			struct sim_compaction c = {.event_index = i, .trigger = "manual"};

			sinks.compaction(sinks.ctx, &c);
		}
		now = file_size(tmp);
		if (grew_at < 0 && now > 0)
			grew_at = (long long)i;
		/* what is not on disk yet is at most one stdio buffer (BUFSIZ-ish, < 64 KiB) */
		if (i > 0 && (i % 100) == 0) {
			long long per = now / (long long)i; /* bytes per snapshot so far */

			if (now < last || (per > 0 && (long long)i * per - now > 65536))
				lagging = true;
			last = now;
		}
	}
	CHECK(grew_at >= 0 && grew_at < 200); /* the file grows while the run goes on */
	CHECK(!lagging);
	CHECK(file_size(tmp) > 100LL * N_SNAP); /* every snapshot's bytes, not held back */
	CHECK_EQ(file_size(path), -1);		/* no results under the name before the end */
	{
		struct sim_verify v = {.event_index = 7, .objects_checked = 3};

		sinks.verify(sinks.ctx, &v);
	}
	REQUIRE(results_json_finish(&rj) == 0);
	CHECK_EQ(file_size(tmp), -1);
	doc = json_load_file(path, 0, &jerr);
	REQUIRE(doc != NULL);
	snaps = json_object_get(doc, "snapshots");
	CHECK_EQ(json_array_size(snaps), N_SNAP);
	CHECK_EQ(json_integer_value(json_object_get(json_array_get(snaps, 1234), "event_index")),
		 1234);
	CHECK_EQ(json_integer_value(json_object_get(json_array_get(snaps, 1234), "pool_pages")),
		 1234 % 97);
	CHECK_EQ(json_array_size(json_object_get(doc, "compactions")), N_SNAP / 10);
	CHECK_EQ(json_integer_value(json_object_get(
		     json_array_get(json_object_get(doc, "compactions"), 5), "event_index")),
		 50);
	CHECK_EQ(json_array_size(json_object_get(doc, "verify")), 1);
	CHECK_STR_EQ(json_string_value(json_object_get(json_object_get(doc, "inputs"), "trace")),
		     "t");
	json_decref(doc);
	unlink(path);
	rmdir(dir);
}

static void test_abort_leaves_nothing(void)
{
	char dir[] = "/tmp/zsfrag-rj-XXXXXX", path[256], tmp[300];
	struct results_json rj;
	struct sim_sinks sinks;
	struct sim_snapshot s;

	REQUIRE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/run.json", dir);
	REQUIRE(results_json_open(&rj, path, json_object(), false) == 0);
	REQUIRE(rj.of && outfile_temp_name(rj.of));
	snprintf(tmp, sizeof(tmp), "%s", outfile_temp_name(rj.of));
	results_json_sinks(&rj, &sinks);
	snapshot_at(&s, 1);
	sinks.snapshot(sinks.ctx, &s);
	results_json_abort(&rj); /* a bad trace: the replay gives up */
	results_json_abort(&rj);
	CHECK_EQ(file_size(tmp), -1);
	CHECK_EQ(file_size(path), -1);
	/* a directory that does not exist: the error comes at once, not after the run */
	snprintf(path, sizeof(path), "%s/no/run.json", dir);
	CHECK_EQ(results_json_open(&rj, path, json_object(), false), -ENOENT);
	rmdir(dir);
}

int main(void)
{
	RUN(test_streams);
	RUN(test_abort_leaves_nothing);
	return test_summary();
}
