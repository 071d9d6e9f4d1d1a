// SPDX-License-Identifier: GPL-2.0
/*
 * autosel: enforcement and audit module of the automatic selection filter.
 *
 * Init builds the module bottom-up, exit tears it down in exactly the
 * reverse order: counters, sysfs, approvals, control, autosel0, kfuncs.
 * The kfuncs come last because they cannot be unregistered; once they are
 * registered, nothing can fail any more.  See Documentation/module.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "autosel.h"

static int __init autosel_init(void)
{
	int err;

	err = as_counters_init();
	if (err)
		return err;
	err = as_sysfs_init();
	if (err)
		goto err_counters;
	err = as_approvals_init();
	if (err)
		goto err_sysfs;
	err = as_control_init();
	if (err)
		goto err_approvals;
	err = as_netdev_init();
	if (err)
		goto err_control;
	err = as_kfuncs_init();
	if (err)
		goto err_netdev;
	pr_info("loaded: counters start at zero\n");
	return 0;

err_netdev:
	as_netdev_exit();
err_control:
	as_control_exit();
err_approvals:
	as_approvals_exit();
err_sysfs:
	as_sysfs_exit();
err_counters:
	as_counters_exit();
	pr_err("not loaded: %d\n", err);
	return err;
}

static void __exit autosel_exit(void)
{
	/* The counters end here: leave their last values in the log. */
	pr_info("unloading: seen %llu selected %llu deleted %llu records %llu enforced %llu\n",
		as_counter_read(AS_C_SEEN), as_counter_read(AS_C_SELECTED),
		as_counter_read(AS_C_DELETED), as_counter_read(AS_K_RECORDS),
		as_counter_read(AS_K_ENFORCED));
	as_netdev_exit();
	as_control_exit();
	as_approvals_exit();
	as_sysfs_exit();
	as_counters_exit();
}

module_init(autosel_init);
module_exit(autosel_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("autosel automatic selection: enforcement and audit");
MODULE_VERSION(AUTOSEL_VERSION);
