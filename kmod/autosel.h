/* SPDX-License-Identifier: GPL-2.0 */
/*
 * autosel.ko internal interfaces.  One file per concern:
 *
 *   counters.c   per-CPU audit counters (the only place they are changed)
 *   kfuncs.c     the BPF kfuncs through which XDP programs account verdicts
 *   netdev.c     the collection device autosel0 (header-only records)
 *   approvals.c  the approvals in force and their sysfs directories
 *   control.c    the root-only control attribute and its command parser
 *   sysfs.c      /sys/kernel/autosel and the global counter attributes
 *   main.c       module init and exit
 */
#ifndef _AUTOSEL_H
#define _AUTOSEL_H

#include <linux/types.h>
#include <linux/kobject.h>
#include <linux/mutex.h>

#include <autosel/abi.h>

/*
 * Counters the module keeps in addition to enum as_counter (abi.h).  They
 * are numbered after AS_C_MAX so that one per-CPU array holds all of them.
 */
enum as_kcounter {
	AS_K_RECORDS = AS_C_MAX,	/* records autosel0 delivered to taps */
	AS_K_RECORD_BYTES,		/* their length, 802.1Q tag included */
	AS_K_ENFORCED,			/* frames autosel0 deleted: unparsable */
	AS_K_RECORDS_DROPPED,		/* frames deleted: no memory for a record */
	AS_K_STACK_DROPPED,		/* packets the stack tried to send */
	AS_K_INVALID_CALLS,		/* kfunc calls with out-of-range arguments */
	AS_K_MAX,
};

/* Per-slot counters, indexed like struct as_slot_counters (abi.h). */
enum as_scounter {
	AS_S_PACKETS = 0,
	AS_S_FLOWS,
	AS_S_BYTES,
	AS_S_KEPT_BYTES,
	AS_S_FLOWS_KIND,		/* + enum as_kind: flows by what opened them */
	AS_S_FLOWS_EVICTED = AS_S_FLOWS_KIND + AS_KIND_NR,
	AS_S_MAX,
};

/* VID of records whose frame carried no valid struct as_meta. */
#define AS_VID_UNKNOWN	4094

/* counters.c */
int as_counters_init(void);
void as_counters_exit(void);
void as_count(unsigned int idx, u64 val);
void as_count_slot(unsigned int slot, unsigned int idx, u64 val);
u64 as_counter_read(unsigned int idx);
u64 as_slot_read(unsigned int slot, unsigned int idx);

/* kfuncs.c */
int as_kfuncs_init(void);

/* netdev.c */
int as_netdev_init(void);
void as_netdev_exit(void);

/* sysfs.c */
extern struct kobject *as_kobj;
int as_sysfs_init(void);
void as_sysfs_exit(void);
u32 as_generation_read(void);
void as_generation_set(u32 gen);

/* approvals.c: all but the _read functions need as_control_lock held. */
#define AS_ID_MAX	63

struct as_approval_req {
	char id[AS_ID_MAX + 1];
	u32 slot;
	u8 type;		/* enum as_dir: AS_DIR_FF, _FD or _DF */
	u64 valid_from;		/* seconds since the epoch, UTC */
	u64 valid_until;	/* exclusive */
	u64 serial;
	u8 sha256[32];
};

extern struct mutex as_control_lock;
int as_approvals_init(void);
void as_approvals_exit(void);
int as_approval_set(const struct as_approval_req *req);
int as_approval_remove(const char *id);

/* control.c */
int as_control_init(void);
void as_control_exit(void);

#endif /* _AUTOSEL_H */
