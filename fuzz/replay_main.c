/*
 * replay_main.c - run a libFuzzer target's corpus without libFuzzer.
 *
 * Built with the target's LLVMFuzzerTestOneInput under any compiler (gcc in
 * the normal build), so every corpus file replays as a ctest: a crash, a
 * sanitizer report or a leak found by the fuzzer stays fixed. Arguments are
 * files or directories (one level, sorted, dot files skipped). Exit 0 when
 * every input ran, 1 when an argument could not be read (a corpus that
 * silently vanished must not pass), 2 without arguments.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	size_t len;
	char *buf = tu_slurp(path, &len);
	uint8_t *exact;

	if (!buf) {
		perror(path);
		return -1;
	}
	/* Copy to an exact-size block so an over-read trips ASan as it would under libFuzzer. */
	exact = malloc(len ? len : 1);
	if (!exact) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *dir, int *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (!d) {
		perror(dir);
		return -1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn;

			cap = cap ? cap * 2 : 64;
			nn = realloc(names, cap * sizeof(*names));
			if (!nn) {
				rc = -1;
				break;
			}
			names = nn;
		}
		names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
		if (!names[n]) {
			rc = -1;
			break;
		}
		sprintf(names[n], "%s/%s", dir, e->d_name);
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		if (!rc && replay_file(names[i]))
			rc = -1;
		else if (!rc)
			(*count)++;
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	int count = 0, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st)) {
			perror(argv[i]);
			rc = 1;
		} else if (S_ISDIR(st.st_mode)	  ? replay_dir(argv[i], &count)
			   : replay_file(argv[i]) ? 1
						  : (count++, 0)) {
			rc = 1;
		}
	}
	printf("%d inputs replayed\n", count);
	return rc;
}
