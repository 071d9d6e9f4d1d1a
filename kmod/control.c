// SPDX-License-Identifier: GPL-2.0
/*
 * autosel: the control attribute, /sys/kernel/autosel/control.
 *
 * Write-only (0200) and CAP_SYS_ADMIN only.  One command per write(2):
 *
 *   approval SLOT ID TYPE VALID_FROM VALID_UNTIL SERIAL SHA256
 *   remove ID
 *   generation N
 *
 * Fields are separated by exactly one space; one trailing newline is
 * allowed.  Numbers are unsigned decimal; times are seconds since the
 * epoch (UTC), VALID_UNTIL exclusive; SHA256 is 64 hex digits.  A command
 * is parsed completely before anything changes, so a refused write (any
 * error) changes nothing.  Every change is logged; refusals are logged
 * rate-limited.  The full contract is in
 * Documentation/ABI/testing/sysfs-kernel-autosel.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "autosel.h"

#define AS_CMD_MAX	255
#define AS_FIELDS_MAX	8

/* Unsigned decimal, digits only (no sign, no space, no 0x). */
static int as_parse_u64(const char *s, u64 *val)
{
	const char *p;

	if (!*s || strlen(s) > 20)
		return -EINVAL;
	for (p = s; *p; p++)
		if (!isdigit(*p))
			return -EINVAL;
	return kstrtou64(s, 10, val);
}

static int as_parse_u32(const char *s, u32 *val)
{
	u64 v;
	int err;

	err = as_parse_u64(s, &v);
	if (err)
		return err;
	if (v > U32_MAX)
		return -EINVAL;
	*val = v;
	return 0;
}

/* 1..63 of [A-Za-z0-9._-], not starting with '.' (no "." or ".."). */
static int as_parse_id(const char *s, char *id)
{
	size_t len = strlen(s), i;

	if (!len || len > AS_ID_MAX || s[0] == '.')
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!isalnum(s[i]) && s[i] != '.' && s[i] != '_' &&
		    s[i] != '-')
			return -EINVAL;
	memcpy(id, s, len + 1);
	return 0;
}

static int as_parse_type(const char *s, u8 *type)
{
	static const char * const names[] = AS_DIR_NAMES;
	int i;

	for (i = 0; i < AS_DIR_MAX; i++) {
		if (i == AS_DIR_DD)	/* dd is never selected */
			continue;
		if (!strcmp(s, names[i])) {
			*type = i;
			return 0;
		}
	}
	return -EINVAL;
}

static int as_parse_sha256(const char *s, u8 *sha)
{
	if (strlen(s) != 64)
		return -EINVAL;
	return hex2bin(sha, s, 32);
}

static int as_cmd_approval(char **f)
{
	struct as_approval_req req = {};

	if (as_parse_u32(f[1], &req.slot) || req.slot >= AS_MAX_SLOTS ||
	    as_parse_id(f[2], req.id) || as_parse_type(f[3], &req.type) ||
	    as_parse_u64(f[4], &req.valid_from) ||
	    as_parse_u64(f[5], &req.valid_until) ||
	    req.valid_from >= req.valid_until ||
	    as_parse_u64(f[6], &req.serial) ||
	    as_parse_sha256(f[7], req.sha256))
		return -EINVAL;
	return as_approval_set(&req);
}

static int as_cmd_remove(char **f)
{
	char id[AS_ID_MAX + 1];

	if (as_parse_id(f[1], id))
		return -EINVAL;
	return as_approval_remove(id);
}

/* The generation never goes back; writing the current one is a no-op. */
static int as_cmd_generation(char **f)
{
	u32 gen, old = as_generation_read();

	if (as_parse_u32(f[1], &gen) || gen < old)
		return -EINVAL;
	if (gen != old) {
		as_generation_set(gen);
		pr_info("generation %u (was %u)\n", gen, old);
	}
	return 0;
}

/* Split buf in place at single spaces; empty fields are an error. */
static int as_split(char *buf, char **f)
{
	int n = 0;
	char *p;

	while ((p = strsep(&buf, " "))) {
		if (!*p || n == AS_FIELDS_MAX)
			return -EINVAL;
		f[n++] = p;
	}
	return n;
}

static int as_control(char *buf)
{
	char *f[AS_FIELDS_MAX];
	int n;

	n = as_split(buf, f);
	if (n < 0)
		return n;
	if (n == 8 && !strcmp(f[0], "approval"))
		return as_cmd_approval(f);
	if (n == 2 && !strcmp(f[0], "remove"))
		return as_cmd_remove(f);
	if (n == 2 && !strcmp(f[0], "generation"))
		return as_cmd_generation(f);
	return -EINVAL;
}

static ssize_t control_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *data, size_t count)
{
	char buf[AS_CMD_MAX + 1];
	size_t len = count, i;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (len && data[len - 1] == '\n')
		len--;
	if (!len || len > AS_CMD_MAX)
		return -EINVAL;
	/* Printable ASCII only: no NUL, tab, newline or control bytes. */
	for (i = 0; i < len; i++)
		if (data[i] < 0x20 || data[i] > 0x7e)
			return -EINVAL;
	memcpy(buf, data, len);
	buf[len] = '\0';

	mutex_lock(&as_control_lock);
	err = as_control(buf);
	mutex_unlock(&as_control_lock);
	if (err) {
		pr_notice_ratelimited("control command refused (%d)\n", err);
		return err;
	}
	return count;
}

static struct kobj_attribute as_control_attr = __ATTR_WO(control);

int as_control_init(void)
{
	return sysfs_create_file(as_kobj, &as_control_attr.attr);
}

/* Waits for writes in progress; none can start afterwards. */
void as_control_exit(void)
{
	sysfs_remove_file(as_kobj, &as_control_attr.attr);
}
