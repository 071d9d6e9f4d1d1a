/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef AUTOSEL_SELFTEST_NAMES_PCAP_H
#define AUTOSEL_SELFTEST_NAMES_PCAP_H

#include <stddef.h>
#include <stdint.h>

typedef void (*names_pcap_fn)(void *arg, const char *path,
			      const uint8_t *frame, size_t len, uint64_t ts_ns);

/* Every frame of every Ethernet capture in dir: files read, or -1. */
long names_pcap_each(const char *dir, names_pcap_fn fn, void *arg);

#endif
