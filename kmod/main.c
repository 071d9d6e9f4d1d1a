// SPDX-License-Identifier: GPL-2.0
/* autosel: placeholder module skeleton (being replaced by the real module). */
#include <linux/module.h>
#include <linux/kobject.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>

static struct kobject *autosel_kobj;

__diag_push();
__diag_ignore_all("-Wmissing-prototypes",
		  "kfuncs are called from BPF programs only");
noinline void autosel_kf_deleted(u32 reason, u32 bytes)
{
}
__diag_pop();

BTF_SET8_START(autosel_kfunc_ids)
BTF_ID_FLAGS(func, autosel_kf_deleted)
BTF_SET8_END(autosel_kfunc_ids)

static const struct btf_kfunc_id_set autosel_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &autosel_kfunc_ids,
};

static int __init autosel_init(void)
{
	int err;

	autosel_kobj = kobject_create_and_add("autosel", kernel_kobj);
	if (!autosel_kobj)
		return -ENOMEM;
	err = register_btf_kfunc_id_set(BPF_PROG_TYPE_XDP, &autosel_kfunc_set);
	if (err) {
		kobject_put(autosel_kobj);
		return err;
	}
	return 0;
}

static void __exit autosel_exit(void)
{
	kobject_put(autosel_kobj);
}

module_init(autosel_init);
module_exit(autosel_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("autosel automatic selection: enforcement and audit");
