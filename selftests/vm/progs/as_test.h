/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by as_test.bpf.c and astest.c: the test program's rule table. */
#ifndef AS_TEST_H
#define AS_TEST_H

#include <linux/types.h>

#define AST_FAM_NON_IP		0	/* key.port = ethertype */
#define AST_FAM_MALFORMED	0xff	/* key.port = ethertype */

struct ast_key {
	__u8 family;	/* 4, 6, AST_FAM_NON_IP or AST_FAM_MALFORMED */
	__u8 proto;	/* IP protocol, 0 otherwise */
	__u16 port;	/* destination port, ICMP type, or ethertype */
};

enum { AST_SELECT = 1, AST_DELETE = 2 };

struct ast_rule {
	__u32 action;	/* AST_SELECT or AST_DELETE */
	__u32 arg;	/* slot or reason, passed to the kfunc unchecked */
};

#endif
