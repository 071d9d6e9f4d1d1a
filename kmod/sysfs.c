// SPDX-License-Identifier: GPL-2.0
/*
 * autosel: /sys/kernel/autosel and its global counters.
 *
 * One value per file, decimal, read-only.  The attributes have no store
 * method, so even root (who may open a 0444 file for writing by DAC
 * override) gets an error: kernfs refuses to open them for writing.
 */
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/build_bug.h>
#include <linux/timekeeping.h>
#include <linux/uuid.h>

#include "autosel.h"

struct kobject *as_kobj;
static u32 as_generation;

struct as_cattr {
	struct kobj_attribute attr;
	unsigned int idx;
};

static ssize_t as_counter_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	struct as_cattr *ca = container_of(attr, struct as_cattr, attr);

	return sysfs_emit(buf, "%llu\n", as_counter_read(ca->idx));
}

#define AS_CATTR(_name, _idx)						\
	static struct as_cattr as_cattr_##_name = {			\
		.attr = __ATTR(_name, 0444, as_counter_show, NULL),	\
		.idx = (_idx),						\
	}

AS_CATTR(seen, AS_C_SEEN);
AS_CATTR(seen_bytes, AS_C_SEEN_BYTES);
AS_CATTR(selected, AS_C_SELECTED);
AS_CATTR(selected_bytes, AS_C_SELECTED_BYTES);
AS_CATTR(kept_bytes, AS_C_KEPT_BYTES);
AS_CATTR(discarded_payload_bytes, AS_C_DISCARDED_PAYLOAD);
AS_CATTR(deleted, AS_C_DELETED);
AS_CATTR(deleted_bytes, AS_C_DELETED_BYTES);
/* In AS_REASON_NAMES order; the BUILD_BUG_ON below keeps them in step. */
AS_CATTR(deleted_no_match, AS_C_DEL_REASON + AS_DEL_NO_MATCH);
AS_CATTR(deleted_domestic, AS_C_DEL_REASON + AS_DEL_DOMESTIC);
AS_CATTR(deleted_direction, AS_C_DEL_REASON + AS_DEL_DIRECTION);
AS_CATTR(deleted_expired, AS_C_DEL_REASON + AS_DEL_EXPIRED);
AS_CATTR(deleted_malformed, AS_C_DEL_REASON + AS_DEL_MALFORMED);
AS_CATTR(deleted_non_ip, AS_C_DEL_REASON + AS_DEL_NON_IP);
AS_CATTR(deleted_fragment, AS_C_DEL_REASON + AS_DEL_FRAGMENT);
/* In AS_NAMES_EVENT_NAMES order: names_<event>. */
AS_CATTR(names_ech, AS_C_NAMES + AS_NE_ECH);
AS_CATTR(names_hello_split, AS_C_NAMES + AS_NE_HELLO_SPLIT);
AS_CATTR(names_hello_incomplete, AS_C_NAMES + AS_NE_HELLO_INCOMPLETE);
AS_CATTR(records, AS_K_RECORDS);
AS_CATTR(record_bytes, AS_K_RECORD_BYTES);
AS_CATTR(enforced, AS_K_ENFORCED);
AS_CATTR(records_dropped, AS_K_RECORDS_DROPPED);
AS_CATTR(stack_dropped, AS_K_STACK_DROPPED);
AS_CATTR(invalid_calls, AS_K_INVALID_CALLS);

u32 as_generation_read(void)
{
	return READ_ONCE(as_generation);
}

/* Caller holds as_control_lock. */
void as_generation_set(u32 gen)
{
	WRITE_ONCE(as_generation, gen);
}

/*
 * The counters' epoch: they start at zero when the module loads, so a
 * report names the load (a random id, and the wall-clock time) its counts
 * are since; a reload or a reboot is a new epoch, never a silent reset.
 */
static u64 as_load_time_ns;
static uuid_t as_load_id;

static ssize_t load_time_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", as_load_time_ns);
}

static ssize_t load_id_show(struct kobject *kobj,
			    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%pUb\n", &as_load_id);
}

static ssize_t version_show(struct kobject *kobj,
			    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", AUTOSEL_VERSION);
}

static ssize_t build_show(struct kobject *kobj,
			  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", AUTOSEL_BUILD);
}

static struct kobj_attribute as_load_time_attr = __ATTR_RO(load_time);
static struct kobj_attribute as_load_id_attr = __ATTR_RO(load_id);
static struct kobj_attribute as_version_attr = __ATTR_RO(version);
static struct kobj_attribute as_build_attr = __ATTR_RO(build);

static ssize_t generation_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", as_generation_read());
}

static struct kobj_attribute as_generation_attr = __ATTR_RO(generation);

static struct attribute *as_attrs[] = {
	&as_cattr_seen.attr.attr,
	&as_cattr_seen_bytes.attr.attr,
	&as_cattr_selected.attr.attr,
	&as_cattr_selected_bytes.attr.attr,
	&as_cattr_kept_bytes.attr.attr,
	&as_cattr_discarded_payload_bytes.attr.attr,
	&as_cattr_deleted.attr.attr,
	&as_cattr_deleted_bytes.attr.attr,
	&as_cattr_deleted_no_match.attr.attr,
	&as_cattr_deleted_domestic.attr.attr,
	&as_cattr_deleted_direction.attr.attr,
	&as_cattr_deleted_expired.attr.attr,
	&as_cattr_deleted_malformed.attr.attr,
	&as_cattr_deleted_non_ip.attr.attr,
	&as_cattr_deleted_fragment.attr.attr,
	&as_cattr_names_ech.attr.attr,
	&as_cattr_names_hello_split.attr.attr,
	&as_cattr_names_hello_incomplete.attr.attr,
	&as_cattr_records.attr.attr,
	&as_cattr_record_bytes.attr.attr,
	&as_cattr_enforced.attr.attr,
	&as_cattr_records_dropped.attr.attr,
	&as_cattr_stack_dropped.attr.attr,
	&as_cattr_invalid_calls.attr.attr,
	&as_generation_attr.attr,
	&as_load_time_attr.attr,
	&as_load_id_attr.attr,
	&as_version_attr.attr,
	&as_build_attr.attr,
	NULL,
};

static const struct attribute_group as_attr_group = {
	.attrs = as_attrs,
};

int as_sysfs_init(void)
{
	int err;

	/* A new reason needs its deleted_<reason> file above. */
	BUILD_BUG_ON(AS_DEL_MAX != 7);
	/* A new names event needs its names_<event> file above. */
	BUILD_BUG_ON(AS_NE_MAX != 3);

	/* The counters were zeroed just before (as_counters_init). */
	as_load_time_ns = ktime_get_real_ns();
	uuid_gen(&as_load_id);

	as_kobj = kobject_create_and_add("autosel", kernel_kobj);
	if (!as_kobj)
		return -ENOMEM;
	err = sysfs_create_group(as_kobj, &as_attr_group);
	if (err) {
		kobject_put(as_kobj);
		as_kobj = NULL;
	}
	return err;
}

void as_sysfs_exit(void)
{
	sysfs_remove_group(as_kobj, &as_attr_group);
	kobject_put(as_kobj);
	as_kobj = NULL;
}
