/*
 * outfile.h - the one way zsfrag opens a file it writes (traces, results
 * JSON, merged sweeps, reports). README: "How outputs are written" is the
 * user's view of the same rules.
 *
 * What a name is decides how it is written:
 *   "-"                   stdout, straight through (never closed here)
 *   absent                a temporary file beside it, renamed to the name
 *                         when everything was written (outfile_commit)
 *   a regular file        the same; the old file stays whole until the
 *                         rename, and keeps its permission bits
 *   a symlink to a        the link is followed: the target is replaced
 *     regular file        atomically (temp in the target's directory), the
 *                         link itself stays a link
 *   a character device,   opened for writing and written straight through:
 *     block device, FIFO  never truncated, never replaced, never removed
 *   a dangling symlink,   refused (-ENOENT / -EISDIR / -EINVAL with a
 *     a directory,        message): nothing is created
 *     a socket
 * The temporary file is created with O_CREAT|O_EXCL (so it never follows a
 * link planted at its name) under a hidden name ".NAME.tmp-PID-N" that no
 * "*.json" listing picks up. outfile_abort() removes only that temporary
 * file: a failed run never deletes a file it did not create. Not done: an
 * fsync before the rename (the replace is atomic against a kill or a full
 * disk, not against a power cut).
 *
 * Write errors are remembered at the first failing write(2), so the
 * caller sees the real cause (-ENOSPC "No space left on device", not
 * "Input/output error") from outfile_commit().
 *
 * Libraries never print: functions return 0 or -errno and fill err.
 */
#ifndef ZSFRAG_OUTFILE_H
#define ZSFRAG_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct outfile;

/* Open path for writing as above. *out NULL on failure, err says why ("PATH: what"). */
int outfile_open(const char *path, struct outfile **out, char *err, size_t errlen);
/* The stream to write to (stdout for "-"). */
FILE *outfile_stream(const struct outfile *o);
/* The name for messages: the path as given, or "<stdout>". */
const char *outfile_name(const struct outfile *o);
/* The temporary file being written (to remove if a signal ends the process), or NULL. */
const char *outfile_temp_name(const struct outfile *o);
/* A write error seen so far (-errno), or 0. */
int outfile_error(const struct outfile *o);
/*
 * Finish: flush, close and (temporary file) rename over the final name.
 * Frees o. 0, or -errno with err filled; on failure the temporary file is
 * removed and the final name is left as it was.
 */
int outfile_commit(struct outfile *o, char *err, size_t errlen);
/* Give up: close, remove the temporary file (nothing else). Frees o; NULL is fine. */
void outfile_abort(struct outfile *o);

/*
 * Would writing to out overwrite the input in? Compares what the two names
 * lead to (st_dev + st_ino after following links, so "./x", a hard link
 * and a symlink to x all count), "-" meaning stdin for in and stdout for
 * out. Only regular files count: reading and writing the same device or
 * FIFO is not a loss. false when either does not exist.
 */
bool outfile_is_input(const char *out, const char *in);
/*
 * The check for a command: -EEXIST with err "OUT is the input IN (the same
 * file)" when outfile_is_input(out, ins[i]) for some i, else 0. NULL
 * entries in ins are skipped.
 */
int outfile_check_inputs(const char *out, const char *const *ins, size_t n, char *err,
			 size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_OUTFILE_H */
