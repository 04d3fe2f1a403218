/*
 * zs_check.h - the check tiers every module shares (mimalloc's assertion
 * levels): the build's ZSFRAG_CHECK_LEVEL decides, not NDEBUG, so a release
 * build at level 1 keeps the cheap checks its level advertises.
 *
 *   level 0  no checks; compiled out, they still type-check
 *   level 1  cheap checks (ZS_CHECK_BUG_ON): a broken one reports
 *            "WHO BUG at FILE:LINE: condition" on stderr and aborts
 *   level 2  also whole-structure walks (zs_pool_check, physmem_check) after
 *            the operations each module names
 *
 * The invariant walkers themselves are API and report through
 * zs_check_fail(): a message in the caller's buffer and -EUCLEAN.
 */
#ifndef ZSFRAG_ZS_CHECK_H
#define ZSFRAG_ZS_CHECK_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ZSFRAG_CHECK_LEVEL
#define ZSFRAG_CHECK_LEVEL 1
#endif

/*
 * SIM: the one place a library writes: a broken invariant is reported on
 * stderr and the process aborts, as the kernel's BUG() stops the machine.
 */
__attribute__((noreturn, cold)) void zs_check_bug(const char *who, const char *file, int line,
						  const char *what);

/* Format the walker's message into msg (when msg and len are given); returns -EUCLEAN. */
__attribute__((format(printf, 3, 4))) int zs_check_fail(char *msg, size_t len, const char *fmt,
							 ...);

#if ZSFRAG_CHECK_LEVEL >= 1
#define ZS_CHECK_BUG_ON(who, cond)                                                                 \
	(__builtin_expect(!!(cond), 0) ? zs_check_bug(who, __FILE__, __LINE__, #cond) : (void)0)
#else
#define ZS_CHECK_BUG_ON(who, cond) ((void)sizeof(!(cond)))
#endif

#ifdef __cplusplus
}
#endif

#endif /* ZSFRAG_ZS_CHECK_H */
