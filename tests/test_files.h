/*
 * test_files.h - files for tests and fuzz targets: a stream holding given
 * bytes, a whole file read into memory, and given bytes under a temporary
 * name (for readers that take a path). Header-only, like test_util.h.
 */
#ifndef ZSFRAG_TEST_FILES_H
#define ZSFRAG_TEST_FILES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* A stream holding exactly len bytes of s (tmpfile: fmemopen refuses size 0); NULL on failure. */
static inline FILE *tu_buf_file(const void *s, size_t len)
{
	FILE *f = tmpfile();

	if (!f)
		return NULL;
	if (len && fwrite(s, 1, len, f) != len) {
		fclose(f);
		return NULL;
	}
	rewind(f);
	return f;
}

/*
 * The whole file, NUL-terminated, in a malloc'd buffer (its length in *len
 * unless NULL); read until EOF, so a pipe or /dev/stdin works too. NULL when
 * it cannot be opened or read, or on out of memory.
 */
static inline char *tu_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *nb;
	size_t cap = 0, n = 0, got;
	bool failed = false;

	if (!f)
		return NULL;
	do {
		if (n + 1 >= cap) {
			nb = realloc(buf, cap ? 2 * cap : 65536);
			if (!nb) {
				failed = true;
				break;
			}
			buf = nb;
			cap = cap ? 2 * cap : 65536;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got);
	if (failed || ferror(f)) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		if (len)
			*len = n;
	}
	return buf;
}

/*
 * size bytes of data in a new file named after path, a mkstemp() template
 * ("/tmp/x-XXXXXX", rewritten to the name); 0, or -1 with no file left.
 * The caller unlinks it.
 */
static inline int tu_temp_file(char *path, const uint8_t *data, size_t size)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

#endif /* ZSFRAG_TEST_FILES_H */
