// SPDX-License-Identifier: GPL-2.0
/*
 * autosel: the audit counters.
 *
 * Every counter is a per-CPU u64 that is only ever added to; a read sums
 * all possible CPUs.  Since each per-CPU value only grows, two reads of the
 * sum never go backwards.  Nothing can reset them: they are allocated when
 * the module loads and freed when it unloads, after every writer is gone.
 * Torn 64-bit reads are excluded by depending on 64BIT (see Kconfig).
 */
#include <linux/percpu.h>
#include <linux/cpumask.h>
#include <linux/errno.h>

#include "autosel.h"

struct as_pcpu {
	u64 c[AS_K_MAX];
	u64 slot[AS_MAX_SLOTS][AS_S_MAX];
};

static struct as_pcpu __percpu *as_pcpu;

int as_counters_init(void)
{
	as_pcpu = alloc_percpu(struct as_pcpu);
	return as_pcpu ? 0 : -ENOMEM;
}

void as_counters_exit(void)
{
	free_percpu(as_pcpu);
	as_pcpu = NULL;
}

/* Callers are kfuncs and ndo_xdp_xmit: softirq context, any CPU. */
void as_count(unsigned int idx, u64 val)
{
	if (WARN_ON_ONCE(idx >= AS_K_MAX))
		return;
	this_cpu_add(as_pcpu->c[idx], val);
}

void as_count_slot(unsigned int slot, unsigned int idx, u64 val)
{
	if (WARN_ON_ONCE(slot >= AS_MAX_SLOTS || idx >= AS_S_MAX))
		return;
	this_cpu_add(as_pcpu->slot[slot][idx], val);
}

u64 as_counter_read(unsigned int idx)
{
	u64 sum = 0;
	int cpu;

	if (WARN_ON_ONCE(idx >= AS_K_MAX))
		return 0;
	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(as_pcpu, cpu)->c[idx]);
	return sum;
}

u64 as_slot_read(unsigned int slot, unsigned int idx)
{
	u64 sum = 0;
	int cpu;

	if (WARN_ON_ONCE(slot >= AS_MAX_SLOTS || idx >= AS_S_MAX))
		return 0;
	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(as_pcpu, cpu)->slot[slot][idx]);
	return sum;
}
