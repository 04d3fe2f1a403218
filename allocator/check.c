/*
 * check.c - what a failed check says (zs_check.h): the BUG report every
 * module's cheap checks end in, and the message helper of the invariant
 * walkers (zs_pool_check here, physmem_check in sim/).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "zs_check.h"

void zs_check_bug(const char *who, const char *file, int line, const char *what)
{
	fprintf(stderr, "%s BUG at %s:%d: %s\n", who, file, line, what);
	fflush(stderr);
	abort();
}

int zs_check_fail(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (msg && len) {
		va_start(ap, fmt);
		vsnprintf(msg, len, fmt, ap);
		va_end(ap);
	}
	return -EUCLEAN;
}
