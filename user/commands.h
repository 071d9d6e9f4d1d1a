/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The subcommands main.c dispatches to, one entry point each:
 * argc/argv after the command's name; returns the exit status (cli.h).
 */
#ifndef AUTOSEL_COMMANDS_H
#define AUTOSEL_COMMANDS_H

int cmd_replay(int argc, char **argv);		/* replay.c */
int cmd_attach(int argc, char **argv);		/* attach.c */
int cmd_detach(int argc, char **argv);		/* attach.c */
int cmd_stats(int argc, char **argv);		/* attach.c */
int cmd_rules(int argc, char **argv);		/* rules_cmd.c */
int cmd_bundle(int argc, char **argv);		/* bundle_cmd.c */
int cmd_install(int argc, char **argv);		/* install.c */
int cmd_remove(int argc, char **argv);		/* install.c */
int cmd_expire(int argc, char **argv);		/* install.c */
int cmd_recover(int argc, char **argv);		/* install.c */
int cmd_status(int argc, char **argv);		/* report.c */
int cmd_report(int argc, char **argv);		/* report.c */
int cmd_audit(int argc, char **argv);		/* audit_cmd.c */
int cmd_version(int argc, char **argv);		/* version.c */

#endif
