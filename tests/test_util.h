/*
 * test_util.h - the smallest assertion kit that prints both operands.
 *
 * A test file defines static void test_x(void) functions and a main() that
 * runs them with RUN(test_x) and returns test_summary(). A failed CHECK keeps
 * going (so one run shows every broken case); REQUIRE returns from the test.
 */
#ifndef ZSFRAG_TEST_UTIL_H
#define ZSFRAG_TEST_UTIL_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int tu_failures;
static int tu_checks;
static const char *tu_current = "?";

#define TU_FAIL_(fmt, ...)                                                                 \
	do {                                                                               \
		tu_failures++;                                                             \
		fprintf(stderr, "%s:%d: %s: " fmt "\n", __FILE__, __LINE__, tu_current,   \
			__VA_ARGS__);                                                      \
	} while (0)

/* Integer comparisons; both sides are widened to long long / unsigned long long. */
#define CHECK_EQ(a, b)                                                                     \
	do {                                                                               \
		long long va_ = (long long)(a), vb_ = (long long)(b);                     \
		tu_checks++;                                                               \
		if (va_ != vb_)                                                            \
			TU_FAIL_("CHECK_EQ(%s, %s): %lld != %lld", #a, #b, va_, vb_);      \
	} while (0)
#define CHECK_NE(a, b)                                                                     \
	do {                                                                               \
		long long va_ = (long long)(a), vb_ = (long long)(b);                     \
		tu_checks++;                                                               \
		if (va_ == vb_)                                                            \
			TU_FAIL_("CHECK_NE(%s, %s): both %lld", #a, #b, va_);              \
	} while (0)
#define CHECK_U64_EQ(a, b)                                                                 \
	do {                                                                               \
		unsigned long long va_ = (unsigned long long)(a);                          \
		unsigned long long vb_ = (unsigned long long)(b);                          \
		tu_checks++;                                                               \
		if (va_ != vb_)                                                            \
			TU_FAIL_("CHECK_U64_EQ(%s, %s): %llu != %llu", #a, #b, va_, vb_);  \
	} while (0)
#define CHECK_LT(a, b)                                                                     \
	do {                                                                               \
		long long va_ = (long long)(a), vb_ = (long long)(b);                     \
		tu_checks++;                                                               \
		if (!(va_ < vb_))                                                          \
			TU_FAIL_("CHECK_LT(%s, %s): %lld >= %lld", #a, #b, va_, vb_);      \
	} while (0)
#define CHECK_LE(a, b)                                                                     \
	do {                                                                               \
		long long va_ = (long long)(a), vb_ = (long long)(b);                     \
		tu_checks++;                                                               \
		if (!(va_ <= vb_))                                                         \
			TU_FAIL_("CHECK_LE(%s, %s): %lld > %lld", #a, #b, va_, vb_);       \
	} while (0)
#define CHECK(cond)                                                                        \
	do {                                                                               \
		tu_checks++;                                                               \
		if (!(cond))                                                               \
			TU_FAIL_("CHECK(%s) failed", #cond);                               \
	} while (0)
#define CHECK_STR_EQ(a, b)                                                                 \
	do {                                                                               \
		const char *sa_ = (a), *sb_ = (b);                                         \
		tu_checks++;                                                               \
		if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0)                                 \
			TU_FAIL_("CHECK_STR_EQ(%s, %s): \"%s\" != \"%s\"", #a, #b,         \
				 sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");              \
	} while (0)
#define CHECK_DBL_NEAR(a, b, eps)                                                          \
	do {                                                                               \
		double va_ = (double)(a), vb_ = (double)(b);                               \
		tu_checks++;                                                               \
		if (!(va_ - vb_ <= (eps) && vb_ - va_ <= (eps)))                           \
			TU_FAIL_("CHECK_DBL_NEAR(%s, %s): %.9g vs %.9g", #a, #b, va_, vb_); \
	} while (0)
/* Stop the current test when a precondition fails. */
#define REQUIRE(cond)                                                                      \
	do {                                                                               \
		tu_checks++;                                                               \
		if (!(cond)) {                                                             \
			TU_FAIL_("REQUIRE(%s) failed", #cond);                             \
			return;                                                            \
		}                                                                          \
	} while (0)

#define RUN(fn)                                                                            \
	do {                                                                               \
		int before_ = tu_failures;                                                 \
		tu_current = #fn;                                                          \
		fn();                                                                      \
		fprintf(stderr, "%s %s\n", tu_failures == before_ ? "ok  " : "FAIL", #fn); \
	} while (0)

static inline int test_summary(void)
{
	fprintf(stderr, "%d checks, %d failed\n", tu_checks, tu_failures);
	return tu_failures ? 1 : 0;
}

#endif /* ZSFRAG_TEST_UTIL_H */
