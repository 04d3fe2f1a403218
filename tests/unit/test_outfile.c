/*
 * test_outfile.c - traces/outfile.c, the one way outputs are opened: in a
 * private temporary directory, a new file appears only at commit, abort
 * leaves an old file whole and removes only the temporary file, a symlink's
 * target is replaced and the link kept, a FIFO is written straight through
 * (read by a child), a dangling link and a directory are refused, the
 * errno of a failed write is kept (/dev/full: -ENOSPC), and the identity
 * check sees ./x, hard links and symlinks.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "outfile.h"
#include "test_util.h"

static char g_tmp[] = "/tmp/zsfrag_outfile_XXXXXX";

static const char *at(const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", g_tmp, name);
	return buf[i];
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "w");

	REQUIRE(f);
	fputs(text, f);
	fclose(f);
}

/* name's content (static buffer), "" when absent */
static const char *get(const char *name)
{
	static char buf[256];
	FILE *f = fopen(at(name), "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

/* Entries in the directory (., .. excluded): a temporary file left behind shows here. */
static int entries(void)
{
	DIR *d = opendir(g_tmp);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void test_new_file(void)
{
	struct outfile *o;
	char err[256];

	CHECK_EQ(outfile_open(at("new"), &o, err, sizeof(err)), 0);
	fputs("hello\n", outfile_stream(o));
	fflush(outfile_stream(o));
	CHECK_EQ(access(at("new"), F_OK), -1); /* not there before the commit */
	CHECK_EQ(entries(), 1);		       /* the temporary file */
	CHECK_EQ(outfile_commit(o, err, sizeof(err)), 0);
	CHECK_STR_EQ(get("new"), "hello\n");
	CHECK_EQ(entries(), 1);
	unlink(at("new"));
}

static void test_abort_keeps_old(void)
{
	struct outfile *o;
	struct stat st;

	put("old", "precious\n");
	chmod(at("old"), 0640);
	CHECK_EQ(outfile_open(at("old"), &o, NULL, 0), 0);
	fputs("half", outfile_stream(o));
	outfile_abort(o);
	CHECK_STR_EQ(get("old"), "precious\n");
	CHECK_EQ(entries(), 1);
	/* a replaced file keeps its mode */
	CHECK_EQ(outfile_open(at("old"), &o, NULL, 0), 0);
	fputs("new\n", outfile_stream(o));
	CHECK_EQ(outfile_commit(o, NULL, 0), 0);
	CHECK_STR_EQ(get("old"), "new\n");
	REQUIRE(stat(at("old"), &st) == 0);
	CHECK_EQ(st.st_mode & 07777, 0640);
	unlink(at("old"));
}

static void test_links(void)
{
	struct outfile *o;
	struct stat st;
	char err[256];

	put("target", "old\n");
	REQUIRE(symlink("target", at("link")) == 0);
	CHECK_EQ(outfile_open(at("link"), &o, err, sizeof(err)), 0);
	fputs("through\n", outfile_stream(o));
	CHECK_EQ(outfile_commit(o, err, sizeof(err)), 0);
	REQUIRE(lstat(at("link"), &st) == 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK_STR_EQ(get("target"), "through\n");
	/* a dangling link: refused, nothing created, the link kept */
	REQUIRE(symlink("nowhere", at("dangling")) == 0);
	CHECK_EQ(outfile_open(at("dangling"), &o, err, sizeof(err)), -ENOENT);
	CHECK(strstr(err, "missing file") != NULL);
	CHECK_EQ(access(at("nowhere"), F_OK), -1);
	REQUIRE(lstat(at("dangling"), &st) == 0);
	CHECK(S_ISLNK(st.st_mode));
	/* a directory */
	REQUIRE(mkdir(at("dir"), 0700) == 0);
	CHECK_EQ(outfile_open(at("dir"), &o, err, sizeof(err)), -EISDIR);
	CHECK_EQ(entries(), 4);
	unlink(at("link"));
	unlink(at("dangling"));
	unlink(at("target"));
	rmdir(at("dir"));
}

static void test_fifo(void)
{
	struct outfile *o;
	struct stat st;
	int status;
	pid_t pid;

	REQUIRE(mkfifo(at("fifo"), 0600) == 0);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		/* the reader: exit 0 when it read exactly the bytes written */
		char buf[64];
		int fd = open(at("fifo"), O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;

		_exit(n == 9 && !memcmp(buf, "via fifo\n", 9) ? 0 : 1);
	}
	CHECK_EQ(outfile_open(at("fifo"), &o, NULL, 0), 0);
	fputs("via fifo\n", outfile_stream(o));
	CHECK_EQ(outfile_commit(o, NULL, 0), 0);
	REQUIRE(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	REQUIRE(lstat(at("fifo"), &st) == 0);
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_EQ(entries(), 1);
	unlink(at("fifo"));
}

static void test_enospc(void)
{
	struct outfile *o;
	char err[256];

	if (access("/dev/full", W_OK)) {
		fprintf(stderr, "     no /dev/full: ENOSPC case skipped\n");
		return;
	}
	CHECK_EQ(outfile_open("/dev/full", &o, err, sizeof(err)), 0);
	fputs("x\n", outfile_stream(o));
	CHECK_EQ(outfile_commit(o, err, sizeof(err)), -ENOSPC);
	CHECK(strstr(err, "No space left on device") != NULL);
}

static void test_identity(void)
{
	char dot[300];

	put("in", "data\n");
	snprintf(dot, sizeof(dot), "%s/./in", g_tmp);
	CHECK(outfile_is_input(dot, at("in")));
	REQUIRE(link(at("in"), at("hard")) == 0);
	REQUIRE(symlink("in", at("soft")) == 0);
	CHECK(outfile_is_input(at("hard"), at("in")));
	CHECK(outfile_is_input(at("soft"), at("in")));
	CHECK(outfile_is_input(at("in"), at("soft")));
	CHECK(!outfile_is_input(at("other"), at("in"))); /* absent */
	put("other", "data\n");
	CHECK(!outfile_is_input(at("other"), at("in"))); /* same bytes, another file */
	CHECK(!outfile_is_input("/dev/null", "/dev/null")); /* not a regular file */
	{
		const char *ins[] = {NULL, at("other"), at("soft")};
		char err[600];

		CHECK_EQ(outfile_check_inputs(at("hard"), ins, 3, err, sizeof(err)), -EEXIST);
		CHECK(strstr(err, "(the same file)") != NULL);
		CHECK_EQ(outfile_check_inputs(at("new"), ins, 3, err, sizeof(err)), 0);
	}
	unlink(at("in"));
	unlink(at("hard"));
	unlink(at("soft"));
	unlink(at("other"));
}

int main(void)
{
	if (!mkdtemp(g_tmp)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_new_file);
	RUN(test_abort_keeps_old);
	RUN(test_links);
	RUN(test_fifo);
	RUN(test_enospc);
	RUN(test_identity);
	rmdir(g_tmp);
	return test_summary();
}
