/*
 * outfile.c - see outfile.h for the rules. The stream handed out is a
 * fopencookie() FILE over our own fd, so that the first failing write(2)'s
 * errno is kept (stdio's ferror() only says "some write failed", and a
 * later fflush() may report nothing or EIO).
 *
 * Race notes: the type of the name is looked at once (stat), then acted
 * on. A straight-through open re-checks with fstat that it opened the
 * device or FIFO it looked at; the temporary file is O_EXCL in the final
 * name's directory; rename() replaces a directory entry, never writes
 * through a link, so a link swapped in at the last moment is replaced as a
 * name, its target untouched.
 */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUTFILE_TMP_TRIES 100 /* names tried before giving up on a temporary file */

enum outfile_kind {
	OUTFILE_STDOUT,	  /* "-" */
	OUTFILE_STRAIGHT, /* device or FIFO, written in place */
	OUTFILE_TEMP,	  /* temporary file renamed over final at commit */
};

struct outfile {
	enum outfile_kind kind;
	FILE *f;
	int fd;	      /* ours, closed by the cookie's close; -1 for stdout */
	int err;      /* first write error, -errno */
	char *name;   /* as given, for messages */
	char *final;  /* OUTFILE_TEMP: the name renamed to (a symlink resolved) */
	char *tmp;    /* OUTFILE_TEMP: the temporary file, ours to remove */
};

static ssize_t cookie_write(void *c, const char *buf, size_t size)
{
	struct outfile *o = c;
	size_t done = 0;

	while (done < size) {
		ssize_t n = write(o->fd, buf + done, size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!o->err)
				o->err = n < 0 ? -errno : -EIO;
			/* glibc: a short count marks the stream as failed */
			return done ? (ssize_t)done : 0;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static int cookie_close(void *c)
{
	struct outfile *o = c;
	int rc = close(o->fd);

	o->fd = -1;
	if (rc && !o->err)
		o->err = -errno;
	return rc ? -1 : 0;
}

static void outfile_free(struct outfile *o)
{
	free(o->name);
	free(o->final);
	free(o->tmp);
	free(o);
}

/* The temporary file's name: DIR/.BASE.tmp-PID-N, BASE cut so the name stays under NAME_MAX. */
static int make_tmp(struct outfile *o, mode_t keep_mode, bool keep, char *err, size_t errlen)
{
	const char *slash = strrchr(o->final, '/');
	const char *base = slash ? slash + 1 : o->final;
	int dirlen = slash ? (int)(slash - o->final) + 1 : 0;
	size_t len = strlen(o->final) + 64;

	o->tmp = malloc(len);
	if (!o->tmp) {
		snprintf(err, errlen, "%s: out of memory", o->name);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < OUTFILE_TMP_TRIES; i++) {
		snprintf(o->tmp, len, "%.*s.%.200s.tmp-%ld-%u", dirlen, o->final, base,
			 (long)getpid(), i);
		/* 0666: the umask applies, as for any new file */
		o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
		if (o->fd >= 0)
			break;
		if (errno != EEXIST) {
			int rc = -errno;

			snprintf(err, errlen, "%s: cannot create a temporary file beside it: %s",
				 o->name, strerror(-rc));
			free(o->tmp);
			o->tmp = NULL;
			return rc;
		}
	}
	if (o->fd < 0) {
		snprintf(err, errlen, "%s: no free temporary name beside it", o->name);
		free(o->tmp);
		o->tmp = NULL;
		return -EEXIST;
	}
	/* replacing a file keeps its permission bits (chmod may fail on odd filesystems: harmless) */
	if (keep && fchmod(o->fd, keep_mode & 07777)) {
		/* nothing to do: the umask's bits are a safe default */
	}
	return 0;
}

/* Decide how path is written; fill o->kind, o->final, o->fd. */
static int outfile_prepare(struct outfile *o, const char *path, char *err, size_t errlen)
{
	struct stat st, lst;
	int rc;

	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s: is a directory", path);
			return -EISDIR;
		}
		if (S_ISREG(st.st_mode)) {
			/* follow links: the target is replaced, the link stays */
			o->final = realpath(path, NULL);
			if (!o->final) {
				rc = -errno;
				snprintf(err, errlen, "%s: cannot resolve: %s", path,
					 strerror(-rc));
				return rc;
			}
			o->kind = OUTFILE_TEMP;
			return make_tmp(o, st.st_mode, true, err, errlen);
		}
		if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
			struct stat fst;

			/* no O_CREAT, no O_TRUNC: write into what is there */
			o->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
			if (o->fd < 0) {
				rc = -errno;
				snprintf(err, errlen, "%s: cannot open: %s", path, strerror(-rc));
				return rc;
			}
			if (fstat(o->fd, &fst) || fst.st_dev != st.st_dev ||
			    fst.st_ino != st.st_ino) {
				close(o->fd);
				o->fd = -1;
				snprintf(err, errlen, "%s: changed while being opened", path);
				return -EAGAIN;
			}
			o->kind = OUTFILE_STRAIGHT;
			return 0;
		}
		snprintf(err, errlen, "%s: not a file, device or FIFO (a socket?)", path);
		return -EINVAL;
	}
	rc = -errno;
	if (rc != -ENOENT) {
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(-rc));
		return rc;
	}
	if (lstat(path, &lst) == 0) {
		/* the name exists but leads nowhere: a dangling link, never replaced */
		snprintf(err, errlen, "%s: a symbolic link to a missing file (not replacing the link)",
			 path);
		return -ENOENT;
	}
	o->final = strdup(path);
	if (!o->final) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	o->kind = OUTFILE_TEMP;
	return make_tmp(o, 0, false, err, errlen);
}

int outfile_open(const char *path, struct outfile **out, char *err, size_t errlen)
{
	static const cookie_io_functions_t fns = {.write = cookie_write, .close = cookie_close};
	struct outfile *o;
	char dummy[1];
	int rc;

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	*out = NULL;
	if (!path || !*path) {
		snprintf(err, errlen, "empty output name");
		return -EINVAL;
	}
	o = calloc(1, sizeof(*o));
	if (!o || !(o->name = strdup(path))) {
		free(o);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	o->fd = -1;
	if (!strcmp(path, "-")) {
		o->kind = OUTFILE_STDOUT;
		o->f = stdout;
		*out = o;
		return 0;
	}
	rc = outfile_prepare(o, path, err, errlen);
	if (rc) {
		outfile_free(o);
		return rc;
	}
	o->f = fopencookie(o, "w", fns);
	if (!o->f) {
		close(o->fd);
		if (o->tmp)
			unlink(o->tmp);
		outfile_free(o);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	*out = o;
	return 0;
}

FILE *outfile_stream(const struct outfile *o)
{
	return o->f;
}

const char *outfile_name(const struct outfile *o)
{
	return o->kind == OUTFILE_STDOUT ? "<stdout>" : o->name;
}

const char *outfile_temp_name(const struct outfile *o)
{
	return o->kind == OUTFILE_TEMP ? o->tmp : NULL;
}

int outfile_error(const struct outfile *o)
{
	return o->err;
}

int outfile_commit(struct outfile *o, char *err, size_t errlen)
{
	char dummy[1];
	int rc;

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	if (o->kind == OUTFILE_STDOUT) {
		errno = 0;
		rc = fflush(stdout) || ferror(stdout) ? (errno ? -errno : -EIO) : 0;
		if (rc)
			snprintf(err, errlen, "<stdout>: write error: %s", strerror(-rc));
		outfile_free(o);
		return rc;
	}
	if (fclose(o->f) && !o->err)
		o->err = -EIO;
	o->f = NULL;
	rc = o->err;
	if (!rc && o->kind == OUTFILE_TEMP && rename(o->tmp, o->final))
		rc = -errno;
	if (rc) {
		snprintf(err, errlen, "%s: write error: %s", o->name, strerror(-rc));
		if (o->kind == OUTFILE_TEMP)
			unlink(o->tmp);
	}
	outfile_free(o);
	return rc;
}

void outfile_abort(struct outfile *o)
{
	if (!o)
		return;
	if (o->kind == OUTFILE_STDOUT) {
		fflush(stdout);
	} else {
		fclose(o->f);
		if (o->kind == OUTFILE_TEMP)
			unlink(o->tmp);
	}
	outfile_free(o);
}

bool outfile_is_input(const char *out, const char *in)
{
	struct stat so, si;

	if (!out || !in)
		return false;
	if (strcmp(in, "-") ? stat(in, &si) : fstat(STDIN_FILENO, &si))
		return false;
	if (strcmp(out, "-") ? stat(out, &so) : fstat(STDOUT_FILENO, &so))
		return false;
	return S_ISREG(si.st_mode) && si.st_dev == so.st_dev && si.st_ino == so.st_ino;
}

int outfile_check_inputs(const char *out, const char *const *ins, size_t n, char *err,
			 size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		if (ins[i] && outfile_is_input(out, ins[i])) {
			if (err && errlen)
				snprintf(err, errlen, "%s is the input %s (the same file)",
					 strcmp(out, "-") ? out : "stdout", ins[i]);
			return -EEXIST;
		}
	}
	return 0;
}
