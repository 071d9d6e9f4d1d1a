// SPDX-License-Identifier: GPL-2.0
/*
 * autosel: the approvals in force, as user space declared them through the
 * control attribute, one sysfs directory each: approvals/<id>/.
 *
 * An approval is bound to one slot (the index the XDP program uses and the
 * VID of its records minus one).  Its counters are the slot's counters
 * since the approval was bound: the slot's values at binding time are kept
 * as a base, so a slot reused by a later approval starts that approval at
 * zero without resetting anything.  Removing an approval removes its
 * directory; its final counts go to the kernel log.
 *
 * Locking: as_control_lock serialises every change (control.c holds it).
 * The show methods never take it (kobject_del() under it waits for them);
 * they copy the fields under as_approvals_data_lock instead.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/build_bug.h>

#include "autosel.h"

/* What show methods copy out under as_approvals_data_lock. */
struct as_appr_data {
	struct as_approval_req r;
	u64 base[AS_S_MAX];	/* the slot's counts when it was bound */
};

struct as_appr {
	struct kobject kobj;
	struct as_appr_data d;
};

/* Serializes control commands: each is checked whole, then applied. */
DEFINE_MUTEX(as_control_lock);
static DEFINE_SPINLOCK(as_approvals_data_lock);
static struct kobject *as_approvals_kobj;
static struct as_appr *as_slots[AS_MAX_SLOTS];
static const char * const as_dir_names[] = AS_DIR_NAMES;

static struct as_appr *to_approval(struct kobject *kobj)
{
	return container_of(kobj, struct as_appr, kobj);
}

static void as_approval_copy(struct kobject *kobj, struct as_appr_data *out)
{
	spin_lock(&as_approvals_data_lock);
	*out = to_approval(kobj)->d;
	spin_unlock(&as_approvals_data_lock);
}

static ssize_t type_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	struct as_appr_data a;

	as_approval_copy(kobj, &a);
	return sysfs_emit(buf, "%s\n", as_dir_names[a.r.type]);
}

static ssize_t valid_from_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	struct as_appr_data a;

	as_approval_copy(kobj, &a);
	return sysfs_emit(buf, "%llu\n", a.r.valid_from);
}

static ssize_t valid_until_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	struct as_appr_data a;

	as_approval_copy(kobj, &a);
	return sysfs_emit(buf, "%llu\n", a.r.valid_until);
}

static ssize_t serial_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	struct as_appr_data a;

	as_approval_copy(kobj, &a);
	return sysfs_emit(buf, "%llu\n", a.r.serial);
}

static ssize_t sha256_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	struct as_appr_data a;

	as_approval_copy(kobj, &a);
	return sysfs_emit(buf, "%32phN\n", a.r.sha256);
}

static ssize_t slot_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	struct as_appr_data a;

	as_approval_copy(kobj, &a);
	return sysfs_emit(buf, "%u\n", a.r.slot);
}

/* pending: before valid_from; active: in the window; expired: after it. */
static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	time64_t now = ktime_get_real_seconds();
	struct as_appr_data a;
	const char *state;

	as_approval_copy(kobj, &a);
	if (now < 0 || (u64)now < a.r.valid_from)
		state = "pending";
	else if ((u64)now >= a.r.valid_until)
		state = "expired";
	else
		state = "active";
	return sysfs_emit(buf, "%s\n", state);
}

static ssize_t as_slot_show(struct kobject *kobj, char *buf, unsigned int idx)
{
	struct as_appr_data a;

	as_approval_copy(kobj, &a);
	return sysfs_emit(buf, "%llu\n",
			  as_slot_read(a.r.slot, idx) - a.base[idx]);
}

static ssize_t selected_packets_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return as_slot_show(kobj, buf, AS_S_PACKETS);
}

static ssize_t selected_flows_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return as_slot_show(kobj, buf, AS_S_FLOWS);
}

#define AS_KIND_SHOW(_kind, _idx)					\
static ssize_t selected_flows_##_kind##_show(struct kobject *kobj,	\
					     struct kobj_attribute *attr, \
					     char *buf)			\
{									\
	return as_slot_show(kobj, buf, AS_S_FLOWS_KIND + (_idx));	\
}									\
static struct kobj_attribute as_flows_##_kind##_attr =			\
	__ATTR_RO(selected_flows_##_kind)

/* In AS_KIND_NAMES order. */
AS_KIND_SHOW(ip, AS_KIND_IP);
AS_KIND_SHOW(dns, AS_KIND_DNS);
AS_KIND_SHOW(sni, AS_KIND_SNI);
AS_KIND_SHOW(http, AS_KIND_HTTP);
AS_KIND_SHOW(quic, AS_KIND_QUIC);

static ssize_t flows_evicted_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return as_slot_show(kobj, buf, AS_S_FLOWS_EVICTED);
}

static ssize_t selected_bytes_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return as_slot_show(kobj, buf, AS_S_BYTES);
}

static ssize_t kept_bytes_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return as_slot_show(kobj, buf, AS_S_KEPT_BYTES);
}

static struct kobj_attribute as_type_attr = __ATTR_RO(type);
static struct kobj_attribute as_valid_from_attr = __ATTR_RO(valid_from);
static struct kobj_attribute as_valid_until_attr = __ATTR_RO(valid_until);
static struct kobj_attribute as_serial_attr = __ATTR_RO(serial);
static struct kobj_attribute as_sha256_attr = __ATTR_RO(sha256);
static struct kobj_attribute as_slot_attr = __ATTR_RO(slot);
static struct kobj_attribute as_state_attr = __ATTR_RO(state);
static struct kobj_attribute as_packets_attr = __ATTR_RO(selected_packets);
static struct kobj_attribute as_flows_attr = __ATTR_RO(selected_flows);
static struct kobj_attribute as_bytes_attr = __ATTR_RO(selected_bytes);
static struct kobj_attribute as_evicted_attr = __ATTR_RO(flows_evicted);
static struct kobj_attribute as_kept_attr = __ATTR_RO(kept_bytes);

static struct attribute *as_approval_attrs[] = {
	&as_type_attr.attr,
	&as_valid_from_attr.attr,
	&as_valid_until_attr.attr,
	&as_serial_attr.attr,
	&as_sha256_attr.attr,
	&as_slot_attr.attr,
	&as_state_attr.attr,
	&as_packets_attr.attr,
	&as_flows_attr.attr,
	&as_flows_ip_attr.attr,
	&as_flows_dns_attr.attr,
	&as_flows_sni_attr.attr,
	&as_flows_http_attr.attr,
	&as_flows_quic_attr.attr,
	&as_evicted_attr.attr,
	&as_bytes_attr.attr,
	&as_kept_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(as_approval);

static void as_approval_release(struct kobject *kobj)
{
	kfree(to_approval(kobj));
}

static const struct kobj_type as_approval_ktype = {
	.release = as_approval_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = as_approval_groups,
};

static struct as_appr *as_approval_find(const char *id)
{
	int i;

	lockdep_assert_held(&as_control_lock);
	for (i = 0; i < AS_MAX_SLOTS; i++)
		if (as_slots[i] && !strcmp(as_slots[i]->d.r.id, id))
			return as_slots[i];
	return NULL;
}

static void as_approval_log(const char *what, const struct as_approval_req *r)
{
	pr_info("approval %s %s: slot %u type %s valid %llu..%llu serial %llu sha256 %32phN\n",
		r->id, what, r->slot, as_dir_names[r->type], r->valid_from,
		r->valid_until, r->serial, r->sha256);
}

/*
 * Install a new approval, or extend one: same id, same slot, a higher
 * serial.  Returns -EBUSY if the slot belongs to another approval and
 * -EINVAL for a changed slot or a serial that does not increase.
 */
int as_approval_set(const struct as_approval_req *req)
{
	struct as_appr *a;
	int err, i;

	lockdep_assert_held(&as_control_lock);
	a = as_approval_find(req->id);
	if (a) {
		if (a->d.r.slot != req->slot || req->serial <= a->d.r.serial)
			return -EINVAL;
		spin_lock(&as_approvals_data_lock);
		a->d.r = *req;
		spin_unlock(&as_approvals_data_lock);
		as_approval_log("updated", req);
		return 0;
	}
	if (as_slots[req->slot])
		return -EBUSY;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->d.r = *req;
	for (i = 0; i < AS_S_MAX; i++)
		a->d.base[i] = as_slot_read(req->slot, i);
	err = kobject_init_and_add(&a->kobj, &as_approval_ktype,
				   as_approvals_kobj, "%s", req->id);
	if (err) {
		kobject_put(&a->kobj);
		return err;
	}
	as_slots[req->slot] = a;
	kobject_uevent(&a->kobj, KOBJ_ADD);
	as_approval_log("installed", req);
	return 0;
}

/* A counter of the approval's slot since it was bound. */
static u64 as_approval_count(const struct as_appr *a, unsigned int idx)
{
	return as_slot_read(a->d.r.slot, idx) - a->d.base[idx];
}

static void as_approval_del(struct as_appr *a)
{
	as_slots[a->d.r.slot] = NULL;
	pr_info("approval %s removed: slot %u selected_packets %llu selected_flows %llu (ip %llu dns %llu sni %llu http %llu quic %llu) flows_evicted %llu\n",
		a->d.r.id, a->d.r.slot, as_approval_count(a, AS_S_PACKETS),
		as_approval_count(a, AS_S_FLOWS),
		as_approval_count(a, AS_S_FLOWS_KIND + AS_KIND_IP),
		as_approval_count(a, AS_S_FLOWS_KIND + AS_KIND_DNS),
		as_approval_count(a, AS_S_FLOWS_KIND + AS_KIND_SNI),
		as_approval_count(a, AS_S_FLOWS_KIND + AS_KIND_HTTP),
		as_approval_count(a, AS_S_FLOWS_KIND + AS_KIND_QUIC),
		as_approval_count(a, AS_S_FLOWS_EVICTED));
	kobject_del(&a->kobj);
	kobject_put(&a->kobj);
}

int as_approval_remove(const char *id)
{
	struct as_appr *a = as_approval_find(id);

	if (!a)
		return -ENOENT;
	as_approval_del(a);
	return 0;
}

int as_approvals_init(void)
{
	/* A new kind needs its selected_flows_<kind> file above. */
	BUILD_BUG_ON(AS_KIND_NR != 5);

	as_approvals_kobj = kobject_create_and_add("approvals", as_kobj);
	return as_approvals_kobj ? 0 : -ENOMEM;
}

/* Control is gone by now (as_control_exit), so nothing races with this. */
void as_approvals_exit(void)
{
	int i;

	mutex_lock(&as_control_lock);
	for (i = 0; i < AS_MAX_SLOTS; i++)
		if (as_slots[i])
			as_approval_del(as_slots[i]);
	mutex_unlock(&as_control_lock);
	kobject_put(as_approvals_kobj);
	as_approvals_kobj = NULL;
}
