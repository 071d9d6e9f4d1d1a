// SPDX-License-Identifier: GPL-2.0
/*
 * autoselctl attach / detach / stats: the filter on live capture ports.
 *
 * The first `attach` loads the program, writes the rule set into its maps
 * and pins the lot under the pin directory (default /sys/fs/bpf/autosel):
 *
 *   prog            the loaded XDP program
 *   maps/NAME       every map of the object
 *   ids             approval ids by slot (an ARRAY map made here; the
 *                   data path does not use it, `stats` does)
 *   dev/IFACE       the program again, once per interface it is attached to
 *
 * Later attaches attach the same pinned program, so every capture port
 * shares one rule set and one set of counters.  `detach` removes dev/IFACE
 * and, with the last interface, everything else.
 *
 * When autosel.ko is loaded (/sys/kernel/autosel/control exists), the first
 * attach also binds the rule set's approvals to their slots in the module
 * (serial 1, the SHA-256 of the rules file) and declares the generation,
 * before the program is attached, so the module's per-approval counts
 * cover every packet; the last detach removes them again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "audit.h"
#include "autoselctl.h"
#include "bpfobj.h"
#include "cli.h"
#include "commands.h"
#include "control.h"
#include "counters.h"
#include "encode.h"
#include "fault.h"
#include "install.h"
#include "json.h"
#include "metrics.h"
#include "pins.h"
#include "report.h"
#include "rules.h"
#include "state.h"
#include "swap.h"
#include "verify.h"

#define AS_COLLECT_DEFAULT	"autosel0"
#define ID_LEN			64

/* One autoselctl at a time changes the pins. */
static int take_lock(void)
{
	if (as_state_lock()) {
		as_err("%s: %s", AS_LOCK_PATH, strerror(errno));
		return -1;
	}
	return 0;	/* released when the process exits */
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static void rm_dir_files(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static void rm_pins(void)
{
	char p[PATH_MAX];

	rm_dir_files(as_pin_path(p, sizeof(p), "dev"));
	rm_dir_files(as_pin_path(p, sizeof(p), "maps"));
	unlink(as_pin_path(p, sizeof(p), "prog"));
	unlink(as_pin_path(p, sizeof(p), "ids"));
	rmdir(as_pin_dir());
}

static int count_dir(const char *dir, char ***names)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	if (names)
		*names = NULL;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (names) {
			char **nv = realloc(*names, (size_t)(n + 1) * sizeof(char *));

			if (!nv)
				break;
			*names = nv;
			nv[n] = strdup(e->d_name);
			if (!nv[n])
				break;
		}
		n++;
	}
	closedir(d);
	return n;
}

static uint32_t map_id(int fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

static int devmap_set(struct bpf_map *m, uint32_t ifindex)
{
	uint8_t val[16] = { 0 };	/* __u32 ifindex or struct bpf_devmap_val */
	__u32 zero = 0;

	if (bpf_map__value_size(m) > sizeof(val))
		return -EINVAL;
	memcpy(val, &ifindex, sizeof(ifindex));
	return bpf_map_update_elem(bpf_map__fd(m), &zero, val, BPF_ANY) ?
	       -errno : 0;
}

/*
 * Decapsulation of one port (abi.h AS_NODECAP_PORTS): the entry of a
 * --no-decap port holds its ifindex.  Before the port is attached, so its
 * first packet is judged as asked.  An entry another port holds is never
 * overwritten, nor silently shared.
 */
static int nodecap_set(int fd, const char *dev, uint32_t ifindex, bool off)
{
	__u32 k = ifindex % AS_NODECAP_PORTS, cur = 0, v = off ? ifindex : 0;

	if (bpf_map_lookup_elem(fd, &k, &cur))
		return as_err("cannot read the nodecap map: %s", strerror(errno));
	if (cur && cur != ifindex)
		return as_err("%s: another port (ifindex %u) holds its decapsulation entry; detach it first",
			      dev, cur);
	if (cur == ifindex && !off)
		return as_err("%s: its ifindex %u is marked --no-decap by a port that was never detached; detach it first",
			      dev, cur);
	if (cur != v && bpf_map_update_elem(fd, &k, &v, BPF_ANY))
		return as_err("cannot write the nodecap map: %s", strerror(errno));
	return 0;
}

/* Detached: a --no-decap port's entry is free again. */
static void nodecap_clear(uint32_t ifindex)
{
	__u32 k = ifindex % AS_NODECAP_PORTS, cur = 0, zero = 0;
	char p[PATH_MAX];
	int fd = bpf_obj_get(as_pin_path(p, sizeof(p), "maps/nodecap"));

	if (fd < 0)
		return;
	if (!bpf_map_lookup_elem(fd, &k, &cur) && cur == ifindex)
		bpf_map_update_elem(fd, &k, &zero, BPF_ANY);
	close(fd);
}

static uint64_t clock_offset_ns(void)
{
	struct timespec rt, mono;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return ((uint64_t)rt.tv_sec * 1000000000ULL + (uint64_t)rt.tv_nsec) -
	       ((uint64_t)mono.tv_sec * 1000000000ULL + (uint64_t)mono.tv_nsec);
}

struct attach_opts {
	const char *dev, *rules, *collect;
	bool generic, no_decap, json;
};

static void attach_usage(FILE *f)
{
	fputs("Usage: autoselctl attach dev IFACE [--rules FILE] [--generic] [--collect DEV]\n"
	      "                              [--no-decap] [--json]\n"
	      "\n"
	      "Attach the filter to the capture interface IFACE (native XDP; generic\n"
	      "with --generic).  Tunnelled packets (ERSPAN, GRE, VXLAN, Geneve,\n"
	      "GTP-U, IP in IP) are judged by their innermost headers; with\n"
	      "--no-decap, on this port, by their outer headers.\n"
	      "Selected records go to DEV (default autosel0).  The\n"
	      "first attach loads the rule set from FILE (none: everything is\n"
	      "deleted) and pins it; later attaches share it, its counters and its\n"
	      "collection device.  Uses autosel_kf.bpf.o when autosel.ko is loaded,\n"
	      "autosel.bpf.o otherwise.  AUTOSEL_PIN_DIR overrides the pin\n"
	      "directory (default " AS_PIN_DIR_DEFAULT "); if its parent is not\n"
	      "on a BPF file system, attach mounts one there (an empty directory).\n", f);
}

static void detach_usage(FILE *f)
{
	fputs("Usage: autoselctl detach dev IFACE [--json]\n"
	      "\n"
	      "Detach the filter from IFACE.  With the last interface, the pinned\n"
	      "rule set and counters are removed.\n", f);
}

static void stats_usage(FILE *f)
{
	fputs("Usage: autoselctl stats [--json | --prometheus [--output FILE]]\n"
	      "\n"
	      "Print the counters of the attached filter (summed over CPUs).\n"
	      "--prometheus prints them in the Prometheus text format; --output FILE\n"
	      "writes that to FILE atomically (for node_exporter: textfile collector).\n", f);
}

/* Parse "dev IFACE" plus options; returns 0, EXIT_USAGE, or -1 for help. */
static int parse_dev_args(int argc, char **argv, struct attach_opts *o,
			  bool attach)
{
	const char *cmd = attach ? "attach" : "detach";

	memset(o, 0, sizeof(*o));
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char **val = NULL;

		if (as_is_help(a)) {
			(attach ? attach_usage : detach_usage)(stdout);
			return -1;
		}
		if (!strcmp(a, "dev"))
			val = &o->dev;
		else if (attach && !strcmp(a, "--rules"))
			val = &o->rules;
		else if (attach && !strcmp(a, "--collect"))
			val = &o->collect;
		else if (attach && !strcmp(a, "--generic")) {
			o->generic = true;
			continue;
		} else if (attach && !strcmp(a, "--no-decap")) {
			o->no_decap = true;
			continue;
		} else if (as_is_json(a)) {
			o->json = true;
			continue;
		} else
			return as_usage_err("%s: unknown argument '%s' (see 'autoselctl %s help')",
					    cmd, a, cmd);
		if (i + 1 >= argc)
			return as_usage_err("%s: %s needs a value", cmd, a);
		if (*val)
			return as_usage_err("%s: %s given twice", cmd, a);
		*val = argv[++i];
	}
	if (!o->dev)
		return as_usage_err("%s: dev IFACE is required", cmd);
	if (strlen(o->dev) >= IF_NAMESIZE || strchr(o->dev, '/'))
		return as_usage_err("%s: bad interface name '%s'", cmd, o->dev);
	return 0;
}

static int write_ids(int fd, const struct rules *r)
{
	for (__u32 i = 0; i < r->n_approvals; i++) {
		char id[ID_LEN] = { 0 };

		snprintf(id, sizeof(id), "%s", r->approvals[i].id);
		if (bpf_map_update_elem(fd, &i, id, BPF_ANY))
			return -1;
	}
	return 0;
}

/* Attach prog_fd to the port (not over another program): 0, or -1 said. */
static int xdp_attach_port(int ifindex, int prog_fd, __u32 xdp_mode,
			   const char *dev)
{
	if (AS_FAULT_FAIL("attach-xdp") ||
	    bpf_xdp_attach(ifindex, prog_fd,
			   xdp_mode | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL)) {
		as_err("cannot attach to %s: %s%s", dev, strerror(errno),
		       errno == EBUSY || errno == EEXIST ?
		       " (another XDP program is attached)" : "");
		return -1;
	}
	return 0;
}

/* First attach: load, fill, attach, pin.  Any failure undoes it all. */
static int attach_first(const struct attach_opts *o, int ifindex,
			__u32 xdp_mode)
{
	enum as_flavour fl = access(AS_MODULE_BTF, F_OK) ? AS_OBJ_HOST :
							   AS_OBJ_KFUNCS;
	char err[RULES_ERR_MAX + 256], p[PATH_MAX], sha[65];
	const char *collect = o->collect ? o->collect : AS_COLLECT_DEFAULT;
	struct as_config cfg = { 0 };
	struct as_loadset ls = { 0 };
	struct as_obj obj = { 0 };
	struct rules r = { 0 };
	struct as_state st = { 0 };
	struct bpf_map *m;
	bool attached = false, in_module = false, from_state = false;
	bool made_dir = false;
	size_t n_appr = 0;
	int ret = EXIT_RUNTIME, ids_fd = -1, prog_fd, cidx;

	cidx = (int)if_nametoindex(collect);
	if (!cidx) {
		if (o->collect)
			return as_err("%s: no such collection device", collect);
		return as_usage_err("attach: no collection device: %s does not exist, give --collect DEV",
				    AS_COLLECT_DEFAULT);
	}
	if (cidx == ifindex)
		return as_usage_err("attach: the collection device cannot be the capture interface");
	as_sha256_hex("", 0, sha);
	if (o->rules && as_rules_load_hashed(&r, o->rules, sha, err, sizeof(err)))
		return as_err("%s", err);
	/* Without --rules: what `install` put in force (install.c). */
	if (!o->rules) {
		if (as_state_load(&st, err, sizeof(err)) ||
		    as_state_rules(&st, &r, false, err, sizeof(err))) {
			as_state_free(&st);
			return as_err("%s", err);
		}
		from_state = st.generation > 0;
	}
	for (size_t i = 0; i < r.n_approvals; i++)
		n_appr += r.approvals[i].id[0] != '\0';	/* vacant slots */

	if (as_obj_open(&obj, fl, err, sizeof(err)) ||
	    as_loadset_prepare(&ls, &r, obj.obj, err, sizeof(err)) ||
	    as_obj_load(&obj, err, sizeof(err))) {
		as_err("%s", err);
		goto out;
	}
	cfg.clock_offset_ns = clock_offset_ns();
	cfg.generation = from_state ? st.generation : 1;
	if (as_maps_fill(obj.obj, &r, &ls, &cfg, err, sizeof(err)) ||
	    (from_state && as_state_fix_approvals(obj.obj, &st, err, sizeof(err)))) {
		as_err("%s", err);
		goto out;
	}
	m = as_map(obj.obj, "tx_port");
	if (!m || devmap_set(m, (uint32_t)cidx)) {
		as_err("cannot point tx_port at %s: %s", collect,
		       m ? strerror(errno) : "no such map");
		goto out;
	}
	m = as_map(obj.obj, "nodecap");
	if (!m) {
		as_err("the program has no nodecap map");
		goto out;
	}
	if (nodecap_set(bpf_map__fd(m), o->dev, (uint32_t)ifindex, o->no_decap))
		goto out;

	ids_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "autosel_ids", 4, ID_LEN,
				AS_MAX_SLOTS, NULL);
	if (ids_fd < 0 || write_ids(ids_fd, &r)) {
		as_err("cannot create the approval id map: %s", strerror(errno));
		goto out;
	}

	/*
	 * Everything is checked and loaded: only now the first visible
	 * change, a bpffs for the pins if none is mounted (pins.c), so bad
	 * input leaves the machine as it was.
	 */
	AS_CRASH_POINT("attach-loaded");
	if (as_pins_mount())
		goto out;

	/* Bound before the first packet, so their counts miss none. */
	if (as_control_present()) {
		if (AS_FAULT_FAIL("attach-module")) {
			as_err("cannot tell autosel.ko the approvals: %s",
			       strerror(errno));
			goto out;
		}
		if (from_state ? as_module_sync(NULL, &st, err, sizeof(err)) :
		    as_control_install(&r, sha, cfg.generation, err,
				       sizeof(err))) {
			as_err("%s", err);
			goto out;
		}
		in_module = true;
	}

	AS_CRASH_POINT("attach-module-bound");

	/*
	 * The pins first, the port after: a process that dies in between
	 * leaves pins without a port, which the next attach or detach
	 * recognises and removes (stale_pins()); never a port running a
	 * program nothing names.
	 */
	prog_fd = bpf_program__fd(obj.prog);
	if (mkdir(as_pin_dir(), 0700)) {
		as_err("cannot create %s: %s", as_pin_dir(), strerror(errno));
		goto out;
	}
	made_dir = true;
	if (mkdir(as_pin_path(p, sizeof(p), "maps"), 0700) ||
	    mkdir(as_pin_path(p, sizeof(p), "dev"), 0700)) {
		as_err("cannot create %s: %s", p, strerror(errno));
		goto out;
	}
	bpf_object__for_each_map(m, obj.obj) {
		char mp[PATH_MAX];

		if (bpf_map__is_internal(m))
			continue;
		snprintf(mp, sizeof(mp), "%s/maps/%s", as_pin_dir(),
			 bpf_map__name(m));
		if (AS_FAULT_FAIL("attach-pin") || bpf_map__pin(m, mp)) {
			as_err("cannot pin %s: %s", mp, strerror(errno));
			goto out;
		}
		AS_CRASH_POINT("attach-map-pinned");
	}
	if (bpf_obj_pin(ids_fd, as_pin_path(p, sizeof(p), "ids")) ||
	    bpf_obj_pin(prog_fd, as_pin_path(p, sizeof(p), "prog"))) {
		as_err("cannot pin %s: %s", p, strerror(errno));
		goto out;
	}
	AS_CRASH_POINT("attach-pinned");
	if (xdp_attach_port(ifindex, prog_fd, xdp_mode, o->dev))
		goto out;
	attached = true;
	AS_CRASH_POINT("attach-xdp-attached");
	snprintf(p, sizeof(p), "%s/dev/%s", as_pin_dir(), o->dev);
	if (AS_FAULT_FAIL("attach-dev-pin") || bpf_obj_pin(prog_fd, p)) {
		as_err("cannot pin %s: %s", p, strerror(errno));
		goto out;
	}
	AS_CRASH_POINT("attach-dev-pinned");
	printf("attached %s to %s (%s mode%s), collection device %s, %zu approvals, %zu domestic prefixes\n",
	       as_flavour_file(fl), o->dev,
	       xdp_mode == XDP_FLAGS_SKB_MODE ? "generic" : "native",
	       o->no_decap ? ", no decapsulation" : "", collect,
	       n_appr, r.n_domestic);
	if (from_state)
		printf("rule set from %s, generation %u\n", st.dir, cfg.generation);
	if (in_module && !from_state)
		printf("autosel.ko: %zu approvals bound (serial 1, sha256 %s), generation %u declared\n",
		       r.n_approvals, sha, cfg.generation);
	else if (in_module)
		printf("autosel.ko: %zu approvals bound, generation %u declared\n",
		       n_appr, cfg.generation);
	ret = 0;
out:
	if (ret) {
		if (attached)
			bpf_xdp_detach(ifindex, xdp_mode, NULL);
		if (in_module)
			for (size_t i = 0; i < r.n_approvals; i++)
				if (r.approvals[i].id[0])
					as_control_remove(r.approvals[i].id);
		if (made_dir)	/* never someone else's directory */
			rm_pins();
	}
	if (ids_fd >= 0)
		close(ids_fd);
	as_loadset_free(&ls);
	as_obj_close(&obj);
	rules_free(&r);
	as_state_free(&st);
	return ret;
}

/* A later attach: the same pinned program on one more interface. */
static int attach_more(const struct attach_opts *o, int ifindex,
		       __u32 xdp_mode)
{
	char p[PATH_MAX];
	uint32_t cur = 0;
	__u32 zero = 0;
	int prog_fd, tx_fd, nd_fd, ret = EXIT_RUNTIME;

	if (o->rules)
		return as_err("a rule set is already in force (pinned in %s); detach every interface to load another",
			      as_pin_dir());
	snprintf(p, sizeof(p), "%s/dev/%s", as_pin_dir(), o->dev);
	if (exists(p))
		return as_err("%s: autosel is already attached", o->dev);
	prog_fd = as_port_prog(ifindex, &cur);
	if (prog_fd >= 0) {
		/* an attach that died between the port and its pin */
		ret = bpf_obj_pin(prog_fd, p) ?
		      as_err("cannot pin %s: %s", p, strerror(errno)) : 0;
		close(prog_fd);
		if (!ret)
			printf("%s: autosel was attached already (an interrupted attach); its pin is restored\n",
			       o->dev);
		return ret;
	}
	tx_fd = bpf_obj_get(as_pin_path(p, sizeof(p), "maps/tx_port"));
	if (tx_fd < 0)
		return as_err("%s: %s", p, strerror(errno));
	if (bpf_map_lookup_elem(tx_fd, &zero, &cur))
		cur = 0;
	close(tx_fd);
	if (o->collect && if_nametoindex(o->collect) != cur) {
		char name[IF_NAMESIZE] = "?";

		if_indextoname(cur, name);
		return as_err("the collection device is already %s; detach every interface to change it",
			      name);
	}
	nd_fd = bpf_obj_get(as_pin_path(p, sizeof(p), "maps/nodecap"));
	if (nd_fd < 0)
		return as_err("%s: %s", p, strerror(errno));
	ret = nodecap_set(nd_fd, o->dev, (uint32_t)ifindex, o->no_decap);
	close(nd_fd);
	if (ret)
		return ret;
	ret = EXIT_RUNTIME;
	prog_fd = bpf_obj_get(as_pin_path(p, sizeof(p), "prog"));
	if (prog_fd < 0) {
		as_err("%s: %s", p, strerror(errno));
		goto undo;
	}
	if (xdp_attach_port(ifindex, prog_fd, xdp_mode, o->dev))
		goto out;
	AS_CRASH_POINT("attach-xdp-attached");
	snprintf(p, sizeof(p), "%s/dev/%s", as_pin_dir(), o->dev);
	if (AS_FAULT_FAIL("attach-dev-pin") || bpf_obj_pin(prog_fd, p)) {
		as_err("cannot pin %s: %s", p, strerror(errno));
		bpf_xdp_detach(ifindex, xdp_mode, NULL);
		goto out;
	}
	printf("attached to %s (%s mode%s), sharing the rule set in force\n",
	       o->dev, xdp_mode == XDP_FLAGS_SKB_MODE ? "generic" : "native",
	       o->no_decap ? ", no decapsulation" : "");
	ret = 0;
out:
	close(prog_fd);
undo:
	if (ret)
		nodecap_clear((uint32_t)ifindex);
	return ret;
}

/* attach and detach go to the audit log (audit.rst). */
static int audit_port(const char *action, const char *dev, int ret)
{
	char reason[PATH_MAX];
	struct as_audit_ev ev = {
		.action = action, .id = dev, .reason = reason,
		.result = !ret ? "ok" : ret == EXIT_USAGE ? "refused" : "error",
	};

	if (ret && *as_last_error())
		snprintf(reason, sizeof(reason), "%s", as_last_error());
	else if (ret)
		snprintf(reason, sizeof(reason), "failed (exit %d)", ret);
	else
		snprintf(reason, sizeof(reason), "pins in %s", as_pin_dir());
	return as_audit(&ev);
}

/*
 * After a first attach: which approval the loaded rule set has in which
 * slot, so that the VLAN id of a record on the collection device leads
 * to an approval (and, through its SHA-256, to the bundle).
 */
static void audit_slots(const char *dev)
{
	char p[PATH_MAX], err[RULES_ERR_MAX], reason[128];
	struct as_state st;
	bool have_st;
	int fd;

	fd = bpf_obj_get(as_pin_path(p, sizeof(p), "ids"));
	if (fd < 0)
		return;
	have_st = !as_state_load(&st, err, sizeof(err));
	snprintf(reason, sizeof(reason), "rule set attached on %s", dev);
	for (__u32 i = 0; i < AS_MAX_SLOTS; i++) {
		char id[ID_LEN] = { 0 };
		struct as_audit_ev ev = {
			.action = "bind", .result = "ok", .id = id,
			.has_slot = true, .slot = (int)i, .reason = reason,
		};

		if (bpf_map_lookup_elem(fd, &i, id) || !id[0])
			continue;
		id[ID_LEN - 1] = '\0';
		if (have_st && st.slots[i].used && !strcmp(st.slots[i].id, id)) {
			ev.serial = st.slots[i].serial;
			ev.sha = st.slots[i].sha;
			ev.signers = st.slots[i].signers;
		}
		as_audit(&ev);
	}
	if (have_st)
		as_state_free(&st);
	close(fd);
}

/*
 * --json: the human lines that attach and detach print on the way go to a
 * memory file instead of stdout, and come back as the "messages" array.
 */
struct json_out {
	int saved;		/* the real stdout; -1: not capturing */
	int mfd;
};

static void json_begin(struct json_out *j)
{
	fflush(stdout);
	j->saved = dup(STDOUT_FILENO);
	j->mfd = memfd_create("autoselctl-out", MFD_CLOEXEC);
	if (j->saved < 0 || j->mfd < 0 || dup2(j->mfd, STDOUT_FILENO) < 0) {
		if (j->saved >= 0)
			close(j->saved);
		if (j->mfd >= 0)
			close(j->mfd);
		j->saved = j->mfd = -1;
	}
}

/* Back to the real stdout. */
static void json_restore(struct json_out *j)
{
	if (j->saved < 0)
		return;
	fflush(stdout);
	dup2(j->saved, STDOUT_FILENO);
	close(j->saved);
	j->saved = -1;
}

/* ,"messages":[the captured lines]} and the end of the object. */
static void json_messages(struct json_out *j)
{
	char line[1024];
	bool first = true;
	FILE *f = j->mfd >= 0 ? fdopen(j->mfd, "r") : NULL;

	printf(",\"messages\":[");
	if (f) {
		rewind(f);
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			printf("%s", first ? "" : ",");
			as_json_str(stdout, line);
			first = false;
		}
		fclose(f);
		j->mfd = -1;
	}
	printf("]}\n");
}

static void json_close(struct json_out *j)
{
	json_restore(j);
	if (j->mfd >= 0)
		close(j->mfd);
	j->mfd = -1;
}

static void control_remove_ids(void);

/*
 * Pins that an interrupted attach or detach left: a pin directory with no
 * port in dev/ and no interface running one of our programs.  Removed,
 * with the approvals they bound in the module, so that the next attach
 * starts afresh.  True if they were there and are gone.
 */
static bool clear_stale_pins(void)
{
	char p[PATH_MAX], reason[PATH_MAX + 96];
	struct as_audit_ev ev = { .action = "recover", .result = "ok",
				  .reason = reason };

	if (!as_pins_on_bpffs() || !exists(as_pin_dir()) ||
	    count_dir(as_pin_path(p, sizeof(p), "dev"), NULL) > 0 ||
	    as_any_port_ours())
		return false;
	control_remove_ids();
	rm_pins();
	if (exists(as_pin_dir()))
		return false;	/* not only ours in there: left alone */
	snprintf(reason, sizeof(reason),
		 "removed the pins in %s that an interrupted attach or detach left (no port attached)",
		 as_pin_dir());
	as_audit(&ev);
	fprintf(stderr, "autoselctl: %s\n", reason);
	return true;
}

static int do_attach(const struct attach_opts *o, bool *first)
{
	char p[PATH_MAX];
	bool bpffs;
	__u32 mode;
	int ret, ifindex;

	/* attach changes what runs: put the state right first */
	ret = as_expire_sweep();
	if (ret)
		return ret;
	mode = o->generic ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	ifindex = (int)if_nametoindex(o->dev);
	if (!ifindex)
		return as_err("%s: no such device", o->dev);
	/* Under the lock: two first attaches must not mount two bpffs. */
	if (take_lock() < 0)
		return EXIT_RUNTIME;
	if (as_audit_reserve(AS_AUDIT_RESERVE, p, sizeof(p)))
		return as_err("%s", p);
	/* No bpffs yet: nothing is pinned, this is the first attach. */
	bpffs = as_pins_on_bpffs();
	if (bpffs)
		clear_stale_pins();
	if (bpffs && exists(as_pin_path(p, sizeof(p), "prog")))
		return attach_more(o, ifindex, mode);
	if (bpffs && exists(as_pin_dir()))
		return as_err("%s exists but holds no program; remove it first",
			      as_pin_dir());
	ret = attach_first(o, ifindex, mode);
	*first = !ret;
	return ret;
}

static int do_detach(const struct attach_opts *o, bool quiet);

int cmd_attach(int argc, char **argv)
{
	struct json_out j = { .saved = -1, .mfd = -1 };
	struct attach_opts o;
	bool first = false;
	int ret;

	ret = parse_dev_args(argc, argv, &o, true);
	as_audit_subject(o.dev);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (o.json)
		json_begin(&j);
	ret = do_attach(&o, &first);
	if (audit_port("attach", o.dev, ret) && !ret) {
		/* Nothing in force without its audit line: undone. */
		int e = errno;

		do_detach(&o, true);
		ret = as_err("cannot write the audit log: %s; the attach to %s is undone",
			     strerror(e), o.dev);
		first = false;
	}
	if (first)
		audit_slots(o.dev);
	json_restore(&j);
	if (o.json && !ret) {
		printf("{\"attached\":");
		as_json_str(stdout, o.dev);
		printf(",\"mode\":\"%s\",\"decap\":%s,\"first\":%s,\"pin_dir\":",
		       o.generic ? "generic" : "native",
		       o.no_decap ? "false" : "true", first ? "true" : "false");
		as_json_str(stdout, as_pin_dir());
		json_messages(&j);
	}
	json_close(&j);
	return ret;
}

/* Last detach: the module forgets the approvals the rule set bound. */
static void control_remove_ids(void)
{
	char p[PATH_MAX];
	int fd;

	if (!as_control_present())
		return;
	fd = bpf_obj_get(as_pin_path(p, sizeof(p), "ids"));
	if (fd < 0)
		return;
	for (__u32 i = 0; i < AS_MAX_SLOTS; i++) {
		char id[ID_LEN] = { 0 };

		if (bpf_map_lookup_elem(fd, &i, id) || !id[0])
			continue;
		id[ID_LEN - 1] = '\0';
		as_control_remove(id);
	}
	close(fd);
}

static int do_detach(const struct attach_opts *o, bool quiet)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, ao);
	char p[PATH_MAX], dev[PATH_MAX];
	__u32 mode = 0;
	int ret, fd, own, ifindex;
	bool last;

	if (take_lock() < 0)
		return EXIT_RUNTIME;
	if (as_audit_reserve(AS_AUDIT_RESERVE, p, sizeof(p)))
		return as_err("%s", p);
	/*
	 * An interrupted install first, while the pins are there.  If it
	 * cannot be completed, its error is said and the detach goes on:
	 * taking the filter off a port never depends on the state.
	 */
	as_recover();
	/* Never mounts: without a bpffs nothing is pinned, bpf_obj_get fails. */
	snprintf(dev, sizeof(dev), "%s/dev/%s", as_pin_dir(), o->dev);
	fd = bpf_obj_get(dev);
	ifindex = (int)if_nametoindex(o->dev);
	/* ours on the port: the pinned program, or one a swap left */
	own = as_port_prog(ifindex, &mode);
	if (fd < 0 && own < 0) {
		if (clear_stale_pins()) {
			printf("%s: not attached; the pins an interrupted detach left are removed\n",
			       o->dev);
			return 0;
		}
		return as_err("%s: autosel is not attached", o->dev);
	}
	if (own >= 0) {
		ao.old_prog_fd = own;
		if (AS_FAULT_FAIL("detach-xdp") ||
		    bpf_xdp_detach(ifindex, mode | XDP_FLAGS_REPLACE, &ao)) {
			ret = as_err("cannot detach from %s: %s", o->dev,
				     strerror(errno));
			close(own);
			if (fd >= 0)
				close(fd);
			return ret;
		}
		close(own);
		AS_CRASH_POINT("detach-xdp-detached");
	}
	if (fd >= 0)
		close(fd);
	unlink(dev);
	if (ifindex)
		nodecap_clear((uint32_t)ifindex);
	AS_CRASH_POINT("detach-unpinned");
	last = count_dir(as_pin_path(p, sizeof(p), "dev"), NULL) == 0;
	if (last) {
		control_remove_ids();
		rm_pins();
	}
	if (quiet)
		;
	else if (own >= 0)
		printf("detached from %s%s\n", o->dev,
		       last ? "; that was the last interface: rule set and counters removed" : "");
	else
		printf("%s: the program was no longer attached; forgot it%s\n",
		       o->dev,
		       last ? "; that was the last interface: rule set and counters removed" : "");
	return 0;
}

int cmd_detach(int argc, char **argv)
{
	struct json_out j = { .saved = -1, .mfd = -1 };
	struct attach_opts o;
	int ret;

	ret = parse_dev_args(argc, argv, &o, false);
	as_audit_subject(o.dev);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (o.json)
		json_begin(&j);
	ret = do_detach(&o, false);
	/* a failure after the detach itself is logged by main() */
	if (!ret && audit_port("detach", o.dev, 0))
		ret = as_err("detached from %s, but the audit log could not be written: %s",
			     o.dev, strerror(errno));
	json_restore(&j);
	if (o.json && !ret) {
		printf("{\"detached\":");
		as_json_str(stdout, o.dev);
		json_messages(&j);
	}
	json_close(&j);
	return ret;
}

/* stats [--json | --prometheus [--output FILE]]: -1 to go on, else the exit status. */
static int stats_args(int argc, char **argv, bool *json, bool *prom,
		      const char **output)
{
	for (int i = 0; i < argc; i++) {
		if (as_is_help(argv[i])) {
			stats_usage(stdout);
			return 0;
		} else if (as_is_json(argv[i])) {
			*json = true;
		} else if (!strcmp(argv[i], "--prometheus")) {
			*prom = true;
		} else if (!strcmp(argv[i], "--output")) {
			if (i + 1 >= argc || !*argv[i + 1])
				return as_usage_err("stats: --output needs a file name");
			*output = argv[++i];
		} else {
			return as_usage_err("stats: unknown argument '%s' (see 'autoselctl stats help')",
					    argv[i]);
		}
	}
	if (*json && *prom)
		return as_usage_err("stats: --json and --prometheus exclude each other");
	if (*output && !*prom)
		return as_usage_err("stats: --output needs --prometheus");
	return -1;
}

int cmd_stats(int argc, char **argv)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info), ids[64];
	struct as_report rep = { 0 };
	char p[PATH_MAX];
	const char *output = NULL;
	bool json = false, prom = false;
	int cfd = -1, sfd = -1, afd = -1, ifd = -1, pfd = -1;
	int ret = EXIT_RUNTIME;
	uint32_t cid;

	ret = stats_args(argc, argv, &json, &prom, &output);
	if (ret >= 0)
		return ret;
	ret = EXIT_RUNTIME;
	/* Read-only: no bpffs, nothing pinned; never mounts one. */
	if (!as_pins_on_bpffs() || !exists(as_pin_path(p, sizeof(p), "prog")))
		return as_err("autosel is not attached (nothing pinned in %s)",
			      as_pin_dir());
	cfd = bpf_obj_get(as_pin_path(p, sizeof(p), "maps/counters"));
	sfd = bpf_obj_get(as_pin_path(p, sizeof(p), "maps/slot_counters"));
	afd = bpf_obj_get(as_pin_path(p, sizeof(p), "maps/approvals"));
	ifd = bpf_obj_get(as_pin_path(p, sizeof(p), "ids"));
	pfd = bpf_obj_get(as_pin_path(p, sizeof(p), "prog"));
	if (cfd < 0 || sfd < 0 || afd < 0 || ifd < 0 || pfd < 0 ||
	    as_counters_read(cfd, rep.c) ||
	    as_slot_counters_read(sfd, rep.slots)) {
		as_err("cannot read the pinned maps in %s: %s", as_pin_dir(),
		       strerror(errno));
		goto out;
	}
	for (__u32 i = 0; i < AS_MAX_SLOTS; i++) {
		struct as_report_slot *s = &rep.slots[i];
		struct as_approval a;
		char id[ID_LEN] = { 0 };

		if (bpf_map_lookup_elem(afd, &i, &a) || !a.active)
			continue;
		if (!bpf_map_lookup_elem(ifd, &i, id))
			memcpy(s->id, id, sizeof(s->id) - 1);
		s->active = true;
		s->type = a.type;
		s->from_ns = a.valid_from_ns;
		s->until_ns = a.valid_until_ns;
	}
	/* The kfunc flavour does not use the counters map. */
	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)ids;
	cid = map_id(cfd);
	rep.in_module = true;
	if (!bpf_obj_get_info_by_fd(pfd, &info, &len)) {
		for (__u32 i = 0; i < info.nr_map_ids && i < 64; i++)
			if (ids[i] == cid)
				rep.in_module = false;
	}
	if (rep.in_module && !access(AS_SYSFS "/seen", R_OK)) {
		memset(rep.slots, 0, sizeof(rep.slots));
		rep.from_module = !as_report_from_module(&rep);
	}
	rep.stats = true;
	rep.n_ifaces = (size_t)count_dir(as_pin_path(p, sizeof(p), "dev"),
					 &rep.ifaces);
	ret = 0;
	if (output) {
		char err[PATH_MAX + 128];

		if (as_metrics_write(output, &rep, err, sizeof(err)))
			ret = as_err("stats: cannot write %s", err);
	} else if (prom) {
		as_metrics_print(stdout, &rep);
	} else {
		as_report_print(stdout, &rep, json);
	}
	for (size_t i = 0; i < rep.n_ifaces; i++)
		free(rep.ifaces[i]);
	free(rep.ifaces);
out:
	if (cfd >= 0)
		close(cfd);
	if (sfd >= 0)
		close(sfd);
	if (afd >= 0)
		close(afd);
	if (ifd >= 0)
		close(ifd);
	if (pfd >= 0)
		close(pfd);
	return ret;
}
