// SPDX-License-Identifier: GPL-2.0
/*
 * Building the rule maps and swapping them in (swap.h).
 *
 * If the filter is attached, a fresh XDP object is loaded whose shared
 * maps (flows, frags, counters, ...) are the pinned ones, its rule maps
 * are filled and frozen (BPF_MAP_FREEZE), and the program on every
 * attached port is replaced with XDP_FLAGS_REPLACE -- one atomic step per
 * port, so every packet is judged by the old rule set or by the new one;
 * then the pins are moved to the new program and maps (rename(2) on
 * bpffs).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfobj.h"
#include "fault.h"
#include "pins.h"
#include "swap.h"
#include "timefmt.h"

#define ID_LEN		64

/*
 * The maps that hold a rule set (as_rule_maps(): approvals, the domestic
 * map, the indicators) are fresh in every swap and frozen once filled;
 * config is fresh too (generation, clock) but stays writable.  Every other
 * map of the object is run-time state (flows, fragments, counters, the
 * devmap, ...) and is reused from the pins, so it survives the swap.
 */
static bool is_rule_map(struct bpf_object *obj, const struct bpf_map *m)
{
	struct bpf_map *maps[16];
	int n = as_rule_maps(obj, maps, 16);

	for (int i = 0; i < n; i++)
		if (maps[i] == m)
			return true;
	return false;
}

static bool is_fresh_map(struct bpf_object *obj, const struct bpf_map *m)
{
	return is_rule_map(obj, m) || !strcmp(bpf_map__name(m), "config");
}

/*
 * A pinned run-time map is shared only if this build declares it alike:
 * bpf_map__reuse_fd() would take on an older build's size without a word.
 */
static int same_layout(int fd, const struct bpf_map *m, char *err,
		       size_t errlen)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		snprintf(err, errlen, "cannot read the pinned map %s: %s",
			 bpf_map__name(m), strerror(errno));
		return -1;
	}
	if (info.type == bpf_map__type(m) &&
	    info.key_size == bpf_map__key_size(m) &&
	    info.value_size == bpf_map__value_size(m) &&
	    info.max_entries == bpf_map__max_entries(m))
		return 0;
	snprintf(err, errlen,
		 "the pinned map %s has %u entries of %u bytes, this build's %u of %u: detach and attach again",
		 bpf_map__name(m), info.max_entries, info.value_size,
		 bpf_map__max_entries(m), bpf_map__value_size(m));
	return -1;
}

static uint64_t clock_offset(void)
{
	struct timespec mono;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	return as_now_ns() - ((uint64_t)mono.tv_sec * 1000000000ULL +
			   (uint64_t)mono.tv_nsec);
}

/* ---- pins -------------------------------------------------------------- */

/*
 * Attached: `attach` pinned a program.  Only then does install swap pins,
 * and those pins are on the bpffs attach mounted (pins.c), so install
 * itself never needs to mount one.
 */
bool as_attached(void)
{
	char p[PATH_MAX];

	return as_pins_on_bpffs() &&
	       !access(as_pin_path(p, sizeof(p), "prog"), F_OK);
}

static uint32_t obj_id(int fd)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

/* The id of the pinned map NAME (maps/NAME), 0 if none. */
static uint32_t pinned_map_id(const char *name)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/maps/%s", as_pin_dir(), name);
	fd = bpf_obj_get(p);
	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		info.id = 0;
	close(fd);
	return info.id;
}

/* Does the program fd use the map with this id? */
static bool uses_map(int fd, uint32_t map_id)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info), ids[64];

	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)ids;
	if (!map_id || bpf_obj_get_info_by_fd(fd, &info, &len))
		return false;
	for (__u32 i = 0; i < info.nr_map_ids && i < 64; i++)
		if (ids[i] == map_id)
			return true;
	return false;
}

/*
 * The XDP program on ifindex, if it is ours: one whose collection devmap
 * is the pinned maps/tx_port.  Every program attach or a swap loads shares
 * it, so this also finds the program of a swap that was interrupted
 * between replacing a port's program and moving the pins (the pin still
 * names the one before).  A new fd and *mode, or -1.
 */
int as_port_prog(int ifindex, __u32 *mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	uint32_t tx = pinned_map_id("tx_port");
	struct {
		uint32_t id;
		__u32 mode;
	} cand[2];
	int fd;

	if (!ifindex || !tx || bpf_xdp_query(ifindex, 0, &q))
		return -1;
	cand[0].id = q.drv_prog_id;
	cand[0].mode = XDP_FLAGS_DRV_MODE;
	cand[1].id = q.skb_prog_id;
	cand[1].mode = XDP_FLAGS_SKB_MODE;
	for (int i = 0; i < 2; i++) {
		if (!cand[i].id)
			continue;
		fd = bpf_prog_get_fd_by_id(cand[i].id);
		if (fd < 0)
			continue;
		if (uses_map(fd, tx)) {
			*mode = cand[i].mode;
			return fd;
		}
		close(fd);
	}
	return -1;
}

bool as_any_port_ours(void)
{
	struct if_nameindex *ifs = if_nameindex();
	bool found = false;

	if (!ifs)
		return true;	/* cannot tell: assume so, remove nothing */
	for (struct if_nameindex *i = ifs; i->if_index && !found; i++) {
		__u32 mode;
		int fd = as_port_prog((int)i->if_index, &mode);

		if (fd >= 0) {
			close(fd);
			found = true;
		}
	}
	if_freenameindex(ifs);
	return found;
}

/* The generation in the config map of the program fd; 0 if unreadable. */
uint32_t as_prog_generation(int fd)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info), ids[64], zero = 0;
	uint32_t gen = 0;

	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	for (__u32 i = 0; i < info.nr_map_ids && i < 64 && !gen; i++) {
		struct bpf_map_info mi = { 0 };
		__u32 mlen = sizeof(mi);
		struct as_config cfg;
		int mfd = bpf_map_get_fd_by_id(ids[i]);

		if (mfd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(mfd, &mi, &mlen) &&
		    !strcmp(mi.name, "config") &&
		    mi.value_size == sizeof(cfg) &&
		    !bpf_map_lookup_elem(mfd, &zero, &cfg))
			gen = cfg.generation;
		close(mfd);
	}
	return gen;
}

/* The pinned program counts in maps (host) unless it does not use them. */
static enum as_flavour pinned_flavour(void)
{
	struct bpf_prog_info info = { 0 };
	struct bpf_map_info mi = { 0 };
	__u32 len = sizeof(info), mlen = sizeof(mi), ids[64];
	enum as_flavour fl = AS_OBJ_KFUNCS;
	char p[PATH_MAX];
	int pfd, cfd;

	snprintf(p, sizeof(p), "%s/prog", as_pin_dir());
	pfd = bpf_obj_get(p);
	snprintf(p, sizeof(p), "%s/maps/counters", as_pin_dir());
	cfd = bpf_obj_get(p);
	if (pfd < 0 || cfd < 0 || bpf_obj_get_info_by_fd(cfd, &mi, &mlen)) {
		fl = AS_OBJ_HOST;
		goto out;
	}
	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)ids;
	if (!bpf_obj_get_info_by_fd(pfd, &info, &len))
		for (__u32 i = 0; i < info.nr_map_ids && i < 64; i++)
			if (ids[i] == mi.id)
				fl = AS_OBJ_HOST;
out:
	if (pfd >= 0)
		close(pfd);
	if (cfd >= 0)
		close(cfd);
	return fl;
}

/* ---- the data path's approval slots ------------------------------------ */

int as_state_fix_approvals(struct bpf_object *obj, const struct as_state *st,
			   char *err, size_t errlen)
{
	struct bpf_map *m = as_map(obj, "approvals");

	if (!m) {
		snprintf(err, errlen, "the XDP object has no map approvals");
		return -1;
	}
	for (__u32 i = 0; i < AS_MAX_SLOTS; i++) {
		const struct st_slot *s = &st->slots[i];
		struct as_approval a = { 0 };

		if (s->used) {
			a.valid_from_ns = s->from_ns;
			a.valid_until_ns = s->until_ns;
			a.uid = s->uid;
			a.type = s->type;
			a.active = 1;
		}
		if (bpf_map_update_elem(bpf_map__fd(m), &i, &a, BPF_ANY)) {
			snprintf(err, errlen, "cannot update map approvals: %s",
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* ---- the swap ------------------------------------------------------------ */

struct port {
	char name[IF_NAMESIZE];
	int ifindex;
	__u32 mode;
	int old_fd;
};

static int list_ports(struct port *ports, int max)
{
	char p[PATH_MAX / 2];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(p, sizeof(p), "%s/dev", as_pin_dir());
	d = opendir(p);
	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);
		struct port *pt = &ports[n];
		char pp[PATH_MAX];
		uint32_t id;

		if (e->d_name[0] == '.' || strlen(e->d_name) >= IF_NAMESIZE)
			continue;
		memset(pt, 0, sizeof(*pt));
		strcpy(pt->name, e->d_name);
		snprintf(pp, sizeof(pp), "%s/%s", p, e->d_name);
		pt->old_fd = bpf_obj_get(pp);
		if (pt->old_fd < 0)
			continue;
		id = obj_id(pt->old_fd);
		pt->ifindex = (int)if_nametoindex(pt->name);
		if (pt->ifindex && !bpf_xdp_query(pt->ifindex, 0, &q)) {
			if (q.drv_prog_id == id)
				pt->mode = XDP_FLAGS_DRV_MODE;
			else if (q.skb_prog_id == id)
				pt->mode = XDP_FLAGS_SKB_MODE;
		}
		if (!pt->mode) {
			/* an interrupted swap left the pin behind: ours still */
			int fd = as_port_prog(pt->ifindex, &pt->mode);

			if (fd >= 0) {
				close(pt->old_fd);
				pt->old_fd = fd;
			}
		}
		n++;
	}
	closedir(d);
	return n;
}

static int replace_prog(const struct port *pt, int new_fd, int old_fd)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, ao);

	ao.old_prog_fd = old_fd;
	return bpf_xdp_attach(pt->ifindex, new_fd, pt->mode | XDP_FLAGS_REPLACE,
			      &ao) ? -errno : 0;
}

/*
 * Pin fd at dir/name by pinning it in pin_dir/swap (bpffs refuses names
 * with a dot) and renaming it over the old pin: readers of the pin see
 * the old object or the new one, never none.
 */
static int repin(int fd, const char *dir, const char *name)
{
	char tmp[PATH_MAX], dst[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s/swap", as_pin_dir());
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s/swap/%s", as_pin_dir(), name);
	snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	unlink(tmp);
	if (bpf_obj_pin(fd, tmp))
		return -1;
	if (rename(tmp, dst)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int make_ids(const struct as_state *st)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "autosel_ids", 4, ID_LEN,
				AS_MAX_SLOTS, NULL);

	if (fd < 0)
		return -1;
	for (__u32 i = 0; i < AS_MAX_SLOTS; i++) {
		char id[ID_LEN] = { 0 };

		if (!st->slots[i].used)
			continue;
		snprintf(id, sizeof(id), "%s", st->slots[i].id);
		if (bpf_map_update_elem(fd, &i, id, BPF_ANY)) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

/*
 * Load r into a fresh object sharing the pinned state maps, freeze its
 * rule maps and replace the program on every attached port.  On error
 * nothing attached has changed.  *nports: ports switched.
 */
int as_swap_in(const struct rules *r, const struct as_state *st, int *nports,
	       char *err, size_t errlen)
{
	char maps[PATH_MAX / 2], p[PATH_MAX];
	struct port ports[64];
	struct as_config cfg = { 0 };
	struct as_loadset ls = { 0 };
	struct as_obj o = { 0 };
	struct bpf_map *m;
	int n, done = 0, ret = -1, e, new_fd, ids_fd = -1;

	*nports = 0;
	snprintf(maps, sizeof(maps), "%s/maps", as_pin_dir());
	if (as_obj_open(&o, pinned_flavour(), err, errlen) ||
	    as_loadset_prepare(&ls, r, o.obj, err, errlen))
		goto out;
	bpf_object__for_each_map(m, o.obj) {
		const char *name = bpf_map__name(m);
		int fd;

		if (bpf_map__is_internal(m) || is_fresh_map(o.obj, m))
			continue;
		snprintf(p, sizeof(p), "%s/%s", maps, name);
		fd = bpf_obj_get(p);
		if (fd < 0)
			continue;	/* a map new in this build: fresh */
		if (same_layout(fd, m, err, errlen)) {
			close(fd);
			goto out;
		}
		e = bpf_map__reuse_fd(m, fd);
		close(fd);
		if (e) {
			snprintf(err, errlen, "cannot reuse the pinned map %s: %s",
				 name, strerror(-e));
			goto out;
		}
	}
	if (AS_FAULT_FAIL("swap-load")) {
		snprintf(err, errlen, "cannot load the XDP object: %s",
			 strerror(errno));
		goto out;
	}
	if (as_obj_load(&o, err, errlen))
		goto out;
	cfg.clock_offset_ns = clock_offset();
	cfg.generation = st->generation;
	/*
	 * The flows the old rule set opened by address may have addresses the
	 * new one does not guard: test every flow mark for two idle times,
	 * which moves each live one to the marks its packets now test.
	 */
	cfg.marks_all_until_ns = as_now_ns() + 2 * AS_FLOW_IDLE_DEFAULT_NS;
	if (as_maps_fill(o.obj, r, &ls, &cfg, err, errlen) ||
	    as_state_fix_approvals(o.obj, st, err, errlen))
		goto out;
	if (as_rule_maps(o.obj, (struct bpf_map *[16]){ 0 }, 16) < 0) {
		snprintf(err, errlen, "the XDP object lacks a rule-set map");
		goto out;
	}
	bpf_object__for_each_map(m, o.obj) {
		if (!is_rule_map(o.obj, m))
			continue;
		if (bpf_map_freeze(bpf_map__fd(m))) {
			snprintf(err, errlen, "cannot freeze map %s: %s",
				 bpf_map__name(m), strerror(errno));
			goto out;
		}
	}
	ids_fd = make_ids(st);
	if (ids_fd < 0) {
		snprintf(err, errlen, "cannot create the approval id map: %s",
			 strerror(errno));
		goto out;
	}

	new_fd = bpf_program__fd(o.prog);
	n = list_ports(ports, 64);
	AS_CRASH_POINT("swap-loaded");
	for (int i = 0; i < n; i++) {
		if (!ports[i].mode)
			continue;	/* gone or replaced by someone: skip */
		e = AS_FAULT_FAIL("swap-replace") ? -EIO :
		    replace_prog(&ports[i], new_fd, ports[i].old_fd);
		if (e) {
			snprintf(err, errlen, "cannot replace the program on %.16s: %.200s",
				 ports[i].name, strerror(-e));
			while (i-- > 0)
				if (ports[i].mode)
					replace_prog(&ports[i], ports[i].old_fd,
						     new_fd);
			done = 0;
			goto close_ports;
		}
		done++;
		AS_CRASH_POINT("swap-replaced");
	}
	/* In force now.  The pins follow; the old objects go with them. */
	bpf_object__for_each_map(m, o.obj) {
		const char *name = bpf_map__name(m);

		if (bpf_map__is_internal(m))
			continue;
		snprintf(p, sizeof(p), "%s/%s", maps, name);
		if (!is_fresh_map(o.obj, m) && !access(p, F_OK))
			continue;	/* shared, pinned already */
		if (repin(bpf_map__fd(m), maps, name))
			fprintf(stderr, "autoselctl: warning: cannot pin %s: %s\n",
				p, strerror(errno));
	}
	snprintf(p, sizeof(p), "%s/dev", as_pin_dir());
	for (int i = 0; i < n; i++)
		if (ports[i].mode && repin(new_fd, p, ports[i].name))
			fprintf(stderr, "autoselctl: warning: cannot pin %s/%s: %s\n",
				p, ports[i].name, strerror(errno));
	if (repin(ids_fd, as_pin_dir(), "ids") || repin(new_fd, as_pin_dir(), "prog"))
		fprintf(stderr, "autoselctl: warning: cannot update the pins in %s: %s\n",
			as_pin_dir(), strerror(errno));
	snprintf(p, sizeof(p), "%s/swap", as_pin_dir());
	rmdir(p);
	AS_CRASH_POINT("swap-pinned");
	ret = 0;
close_ports:
	for (int i = 0; i < n; i++)
		close(ports[i].old_fd);
out:
	*nports = done;
	if (ids_fd >= 0)
		close(ids_fd);
	as_loadset_free(&ls);
	as_obj_close(&o);
	return ret;
}

/* ---- does it fit -------------------------------------------------------- */

int as_rules_fit(const struct rules *r, char *err, size_t errlen)
{
	struct as_loadset ls;
	struct as_obj o;

	if (as_obj_open(&o, AS_OBJ_HOST, err, errlen))
		return -1;
	if (as_loadset_prepare(&ls, r, o.obj, err, errlen)) {
		as_obj_close(&o);
		return -1;
	}
	as_loadset_free(&ls);
	as_obj_close(&o);
	return 0;
}
