// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_names: read the Ethernet captures of a directory (libpcap's
 * <pcap/bpf.h> and <linux/bpf.h> cannot share a file).
 */
#include <dirent.h>
#include <stdio.h>
#include <pcap/pcap.h>

#include "names_pcap.h"

long names_pcap_each(const char *dir, names_pcap_fn fn, void *arg)
{
	struct dirent *de;
	long files = 0;
	DIR *dh = opendir(dir);

	if (!dh)
		return -1;
	while ((de = readdir(dh))) {
		char path[4096], err[PCAP_ERRBUF_SIZE];
		struct pcap_pkthdr *h;
		const u_char *data;
		pcap_t *pc;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		pc = pcap_open_offline(path, err);
		if (!pc)
			continue;
		if (pcap_datalink(pc) != DLT_EN10MB) {
			pcap_close(pc);
			continue;
		}
		files++;
		while (pcap_next_ex(pc, &h, &data) == 1)
			fn(arg, path, data, h->caplen,
			   (uint64_t)h->ts.tv_sec * 1000000000ULL +
			   (uint64_t)h->ts.tv_usec * 1000);
		pcap_close(pc);
	}
	closedir(dh);
	return files;
}
