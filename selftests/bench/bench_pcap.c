// SPDX-License-Identifier: GPL-2.0
/*
 * bench: libpcap's classic BPF, what a user would try first.  A separate
 * file because <pcap/bpf.h> and <linux/bpf.h> both define struct bpf_insn.
 *
 * pcap_compile (optimized) of "host 10.0.0.0 or host 10.0.0.1 ..." with
 * `hosts` hosts, then pcap_offline_filter on a packet that matches none of
 * them, so that every test runs.  The work runs in a child with a time
 * limit of limit_s seconds (pcap_compile's optimizer is superlinear).
 * Returns 0 with r = { compile s, ns per packet, instructions }, 1 when
 * the child ran out of time, -1 on another failure.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <pcap/pcap.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void child(const unsigned char *pkt, size_t len, int hosts,
		  int rounds, long iters, int out)
{
	size_t cap = (size_t)hosts * 24 + 16, n = 0;
	char *expr = malloc(cap);
	struct bpf_program prog;
	struct pcap_pkthdr h = { .caplen = (bpf_u_int32)len,
				 .len = (bpf_u_int32)len };
	pcap_t *pc = pcap_open_dead(DLT_EN10MB, 65535);
	double r[3], t0, t[16];
	int i, a, b;

	if (!expr || !pc)
		_exit(2);
	for (i = 0; i < hosts; i++)
		n += (size_t)snprintf(expr + n, cap - n, "%shost 10.%d.%d.%d",
				      i ? " or " : "", (i >> 16) & 255,
				      (i >> 8) & 255, i & 255);
	t0 = now_s();
	if (pcap_compile(pc, &prog, expr, 1, PCAP_NETMASK_UNKNOWN))
		_exit(2);
	r[0] = now_s() - t0;
	r[2] = prog.bf_len;
	for (i = 0; i < rounds && i < 16; i++) {
		volatile int m = 0;

		t0 = now_s();
		for (long j = 0; j < iters; j++)
			m += pcap_offline_filter(&prog, &h, pkt);
		t[i] = (now_s() - t0) * 1e9 / (double)iters;
	}
	for (a = 0; a < i; a++)
		for (b = a + 1; b < i; b++)
			if (t[b] < t[a]) {
				double x = t[a];

				t[a] = t[b];
				t[b] = x;
			}
	r[1] = t[i / 2];
	if (write(out, r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(3);
	_exit(0);
}

int bench_pcap_run(const unsigned char *pkt, size_t len, int hosts,
		   int limit_s, int rounds, long iters, double r[3])
{
	int fd[2], st = 0;
	ssize_t got;
	pid_t pid;

	if (pipe(fd))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fd[0]);
		alarm((unsigned int)limit_s);
		child(pkt, len, hosts, rounds, iters, fd[1]);
	}
	close(fd[1]);
	if (pid < 0) {
		close(fd[0]);
		return -1;
	}
	got = read(fd[0], r, 3 * sizeof(double));
	close(fd[0]);
	waitpid(pid, &st, 0);
	if (got == (ssize_t)(3 * sizeof(double)))
		return 0;
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM ? 1 : -1;
}
