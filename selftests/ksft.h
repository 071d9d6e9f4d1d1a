/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * autosel: a small TAP test harness in the spirit of the kernel's
 * kselftest_harness.h (written for autosel, not copied from it).
 *
 *	#include "ksft.h"
 *
 *	TEST(parses_vlan)
 *	{
 *		ASSERT_EQ(2, count);		// stops the test on failure
 *		EXPECT_NE(NULL, ptr);		// records the failure, goes on
 *		if (!have_bpf)
 *			SKIP(return, "no BPF: %s", why);
 *	}
 *
 *	KSFT_MAIN()				// or call ksft_run() yourself
 *
 * Each test runs in a child process of its own (so that a crash, an
 * abort or a hang fails that test only and the others still run) under a
 * timeout of KSFT_TIMEOUT seconds (environment, default 60).  State a test
 * must share with others -- BPF map fds, totals -- lives in the parent,
 * set up before ksft_run(); file descriptors and kernel objects are
 * inherited by the children.  Tests can also be added at run time with
 * ksft_add_test(), e.g. one per input file.
 *
 * Output is TAP version 13 with kselftest's conventions; the process exits
 * with 0 when nothing failed, KSFT_FAIL when something did and KSFT_SKIP
 * when every test was skipped.
 */
#ifndef AUTOSEL_KSFT_H
#define AUTOSEL_KSFT_H

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

#define KSFT_MAX_TESTS	4096

struct ksft_ctx {
	const char *name;
	void *arg;		/* ksft_add_test()'s argument */
	int failed;
	int skipped;
	char skip_reason[256];
	jmp_buf stop;		/* ASSERT_* and SKIP() leave the test here */
};

typedef void (*ksft_fn)(struct ksft_ctx *_ksft, void *arg);

struct ksft_test {
	const char *name;
	ksft_fn fn;
	void *arg;
};

/* One registry per test program: the header is included by its main file. */
static struct ksft_test ksft_tests[KSFT_MAX_TESTS];
static int ksft_ntests;

static inline void ksft_add_test(const char *name, ksft_fn fn, void *arg)
{
	if (ksft_ntests >= KSFT_MAX_TESTS) {
		fprintf(stderr, "ksft: more than %d tests\n", KSFT_MAX_TESTS);
		exit(KSFT_FAIL);
	}
	ksft_tests[ksft_ntests].name = name;
	ksft_tests[ksft_ntests].fn = fn;
	ksft_tests[ksft_ntests].arg = arg;
	ksft_ntests++;
}

#define TEST(tname)							\
	static void tname(struct ksft_ctx *_ksft, void *_arg);		\
	static void __attribute__((constructor)) _ksft_reg_##tname(void) \
	{								\
		ksft_add_test(#tname, tname, NULL);			\
	}								\
	static void tname(struct ksft_ctx *_ksft,			\
			  void *_arg __attribute__((unused)))

/* Diagnostics go to stdout as TAP comments, in order with the results. */
#define ksft_print(...) do { printf("# " __VA_ARGS__); fflush(stdout); } while (0)

#define ksft_failed()	(_ksft->failed)

/*
 * Comparisons.  Values are compared as intmax_t or uintmax_t according to
 * the signedness of the expected value, printed in decimal and hex.
 */
#define _KSFT_IS_SIGNED(x)	((__typeof__(x))-1 < (__typeof__(x))1)

#define _KSFT_CMP(is_assert, exp, op, seen) do {				\
	__typeof__(exp) _e = (exp);						\
	__typeof__(seen) _s = (seen);						\
	int _ok;								\
	if (_KSFT_IS_SIGNED(_e) || _KSFT_IS_SIGNED(_s))			\
		_ok = (intmax_t)_e op (intmax_t)_s;				\
	else									\
		_ok = (uintmax_t)_e op (uintmax_t)_s;				\
	if (!_ok) {								\
		printf("# %s:%d expected %s (%jd, 0x%jx) %s %s but got %jd (0x%jx)\n", \
		       __FILE__, __LINE__, #exp, (intmax_t)_e, (uintmax_t)_e, \
		       #op, #seen, (intmax_t)_s, (uintmax_t)_s);		\
		fflush(stdout);							\
		_ksft->failed = 1;						\
		if (is_assert)							\
			longjmp(_ksft->stop, 1);				\
	}									\
} while (0)

#define ASSERT_EQ(exp, seen)	_KSFT_CMP(1, exp, ==, seen)
#define ASSERT_NE(exp, seen)	_KSFT_CMP(1, exp, !=, seen)
#define ASSERT_LT(exp, seen)	_KSFT_CMP(1, exp, <, seen)
#define ASSERT_LE(exp, seen)	_KSFT_CMP(1, exp, <=, seen)
#define ASSERT_GT(exp, seen)	_KSFT_CMP(1, exp, >, seen)
#define ASSERT_GE(exp, seen)	_KSFT_CMP(1, exp, >=, seen)
#define EXPECT_EQ(exp, seen)	_KSFT_CMP(0, exp, ==, seen)
#define EXPECT_NE(exp, seen)	_KSFT_CMP(0, exp, !=, seen)
#define EXPECT_LT(exp, seen)	_KSFT_CMP(0, exp, <, seen)
#define EXPECT_LE(exp, seen)	_KSFT_CMP(0, exp, <=, seen)
#define EXPECT_GT(exp, seen)	_KSFT_CMP(0, exp, >, seen)
#define EXPECT_GE(exp, seen)	_KSFT_CMP(0, exp, >=, seen)

#define _KSFT_BOOL(is_assert, cond, want) do {				\
	if (!!(cond) != (want)) {						\
		printf("# %s:%d expected %s to be %s\n", __FILE__, __LINE__,	\
		       #cond, (want) ? "true" : "false");			\
		fflush(stdout);							\
		_ksft->failed = 1;						\
		if (is_assert)							\
			longjmp(_ksft->stop, 1);				\
	}									\
} while (0)

#define ASSERT_TRUE(c)		_KSFT_BOOL(1, c, 1)
#define ASSERT_FALSE(c)		_KSFT_BOOL(1, c, 0)
#define EXPECT_TRUE(c)		_KSFT_BOOL(0, c, 1)
#define EXPECT_FALSE(c)		_KSFT_BOOL(0, c, 0)

/* Fail with a message of one's own; FAIL stops the test, FAIL_SOFT goes on. */
#define FAIL_SOFT(...) do {							\
	printf("# %s:%d ", __FILE__, __LINE__);				\
	printf(__VA_ARGS__);							\
	printf("\n");								\
	fflush(stdout);								\
	_ksft->failed = 1;							\
} while (0)

#define FAIL(...) do { FAIL_SOFT(__VA_ARGS__); longjmp(_ksft->stop, 1); } while (0)

/*
 * SKIP(statement, fmt, ...): mark the test skipped with a reason.  The
 * statement is kept for the kernel harness's spelling (SKIP(return, ...));
 * the test stops here whatever it is.
 */
#define SKIP(statement, ...) do {						\
	snprintf(_ksft->skip_reason, sizeof(_ksft->skip_reason), __VA_ARGS__); \
	_ksft->skipped = 1;							\
	longjmp(_ksft->stop, 1);						\
	statement;								\
} while (0)

/*
 * A child reports through its exit status and, for a skip, the reason
 * through a pipe.
 */
static inline int ksft_run_child(const struct ksft_test *t, int wfd)
{
	/* static: it must survive longjmp() unchanged (C11 7.13.2.1) */
	static struct ksft_ctx ctx;
	unsigned int timeout = 60;
	const char *env = getenv("KSFT_TIMEOUT");

	if (env && atoi(env) > 0)
		timeout = (unsigned int)atoi(env);
	memset(&ctx, 0, sizeof(ctx));
	ctx.name = t->name;
	ctx.arg = t->arg;
	alarm(timeout);
	if (setjmp(ctx.stop) == 0)
		t->fn(&ctx, t->arg);
	alarm(0);
	fflush(stdout);
	if (ctx.failed)
		return KSFT_FAIL;
	if (ctx.skipped) {
		ssize_t n = write(wfd, ctx.skip_reason, strlen(ctx.skip_reason));

		(void)n;
		return KSFT_SKIP;
	}
	return KSFT_PASS;
}

static inline int ksft_run(void)
{
	int pass = 0, fail = 0, skip = 0, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%d\n", ksft_ntests);
	for (i = 0; i < ksft_ntests; i++) {
		const struct ksft_test *t = &ksft_tests[i];
		char reason[256] = "";
		int pfd[2], status = 0, ret;
		ssize_t n;
		pid_t pid;

		printf("# RUN %s\n", t->name);
		fflush(stdout);
		fflush(stderr);
		if (pipe(pfd)) {
			printf("not ok %d %s # pipe: %s\n", i + 1, t->name,
			       strerror(errno));
			fail++;
			continue;
		}
		pid = fork();
		if (pid < 0) {
			printf("not ok %d %s # fork: %s\n", i + 1, t->name,
			       strerror(errno));
			close(pfd[0]);
			close(pfd[1]);
			fail++;
			continue;
		}
		if (pid == 0) {
			close(pfd[0]);
			ret = ksft_run_child(t, pfd[1]);
			close(pfd[1]);
			exit(ret);
		}
		close(pfd[1]);
		n = read(pfd[0], reason, sizeof(reason) - 1);
		reason[n > 0 ? n : 0] = '\0';
		close(pfd[0]);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (WIFSIGNALED(status)) {
			printf("# %s: killed by signal %d (%s)%s\n", t->name,
			       WTERMSIG(status), strsignal(WTERMSIG(status)),
			       WTERMSIG(status) == SIGALRM ? ": timeout" : "");
			ret = KSFT_FAIL;
		} else {
			ret = WEXITSTATUS(status);
		}
		if (ret == KSFT_PASS) {
			printf("ok %d %s\n", i + 1, t->name);
			pass++;
		} else if (ret == KSFT_SKIP) {
			printf("ok %d %s # SKIP %s\n", i + 1, t->name, reason);
			skip++;
		} else {
			printf("not ok %d %s\n", i + 1, t->name);
			fail++;
		}
		fflush(stdout);
	}
	printf("# Totals: pass:%d fail:%d skip:%d\n", pass, fail, skip);
	if (fail)
		return KSFT_FAIL;
	if (skip && !pass)
		return KSFT_SKIP;
	return KSFT_PASS;
}

#define KSFT_MAIN()						\
	int main(void)						\
	{							\
		return ksft_run();				\
	}

#endif /* AUTOSEL_KSFT_H */
