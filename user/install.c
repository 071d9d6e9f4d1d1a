// SPDX-License-Identifier: GPL-2.0
/*
 * autoselctl install / remove, and expiry.
 *
 * A change is checked completely before anything is written: signatures
 * (quorum), window, serial (anti-rollback), slot, indicators against the
 * domestic map, and the map capacities.  Then, in this order:
 *
 *   1. the new state is written beside the old one (state.new, the new
 *      bundle copy);
 *   2. if the filter is attached: a fresh XDP object is loaded whose shared
 *      maps (flows, frags, counters, ...) are the pinned ones, its rule maps
 *      are filled and frozen (BPF_MAP_FREEZE), and the program on every
 *      attached port is replaced with XDP_FLAGS_REPLACE -- one atomic step
 *      per port, so every packet is judged by the old rule set or by the
 *      new one; the pins are moved to the new program and maps (rename(2)
 *      on bpffs); autosel.ko is told the approvals and the generation;
 *   3. state.new is renamed over state.
 *
 * Slots are stable: an approval keeps its slot and its uid for as long as
 * it is in force, so its flows continue across updates of other approvals
 * and across its own extensions.  A slot given to another approval gets a
 * new uid (generation * 64 + slot + 1), which ends the old approval's
 * flows in the data path.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "audit.h"
#include "bpfobj.h"
#include "bundle.h"
#include "cli.h"
#include "commands.h"
#include "control.h"
#include "encode.h"
#include "install.h"
#include "json.h"
#include "pins.h"
#include "state.h"
#include "timefmt.h"
#include "trust.h"

#define ERRLEN		(RULES_ERR_MAX + 512)
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

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t clock_offset(void)
{
	struct timespec mono;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	return now_ns() - ((uint64_t)mono.tv_sec * 1000000000ULL +
			   (uint64_t)mono.tv_nsec);
}

static int lock_fd = -1;

static int lock_take(void)
{
	int fd = open(AS_LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0 || flock(fd, LOCK_EX)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	lock_fd = fd;
	return 0;
}

static void lock_release(void)
{
	if (lock_fd >= 0)
		close(lock_fd);
	lock_fd = -1;
}

/* ---- pins -------------------------------------------------------------- */

/*
 * Attached: `attach` pinned a program.  Only then does install swap pins,
 * and those pins are on the bpffs attach mounted (pins.c), so install
 * itself never needs to mount one.
 */
static bool attached(void)
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

/* ---- rule sets from bundles ------------------------------------------- */

struct plan {
	struct bundle dom;
	bool have_dom;
	struct bundle b[AS_MAX_SLOTS];
	bool have[AS_MAX_SLOTS];
};

static void plan_free(struct plan *p)
{
	if (!p)
		return;
	bundle_free(&p->dom);
	for (int i = 0; i < AS_MAX_SLOTS; i++)
		bundle_free(&p->b[i]);
	free(p);
}

static int load_copy(const struct as_state *st, const struct st_slot *s,
		     struct bundle *b, char *err, size_t errlen)
{
	char p[PATH_MAX], sha[BUNDLE_SHA256_HEX];

	as_state_bundle_path(st, s->sha, p, sizeof(p));
	if (bundle_load(p, b, err, errlen))
		return -1;
	as_hex(b->sha256, BUNDLE_SHA256_LEN, sha);
	if (strcmp(sha, s->sha)) {
		snprintf(err, errlen, "%s: the installed copy of %s does not match its SHA-256 in the state",
			 p, s->id);
		return -1;
	}
	return 0;
}

/* The installed bundles, as the state lists them. */
static struct plan *plan_load(const struct as_state *st, char *err,
			      size_t errlen)
{
	struct plan *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (st->has_domestic) {
		if (load_copy(st, &st->domestic, &p->dom, err, errlen))
			goto fail;
		p->have_dom = true;
	}
	for (int i = 0; i < AS_MAX_SLOTS; i++) {
		if (!st->slots[i].used)
			continue;
		if (load_copy(st, &st->slots[i], &p->b[i], err, errlen))
			goto fail;
		p->have[i] = true;
	}
	return p;
fail:
	plan_free(p);
	return NULL;
}

/*
 * bundle_to_rules() gives slots 0..n-1 in order; move each approval to
 * its stable slot.  compact keeps them 0..n-1 (replay).
 */
static int plan_rules(const struct plan *p, struct rules *r, bool compact,
		      char *err, size_t errlen)
{
	const struct bundle *list[AS_MAX_SLOTS];
	int slot_of[AS_MAX_SLOTS];
	struct rules_approval *tmp;
	size_t n = 0;

	for (int i = 0; i < AS_MAX_SLOTS; i++)
		if (p->have[i]) {
			slot_of[n] = i;
			list[n++] = &p->b[i];
		}
	if (bundle_to_rules(p->have_dom ? &p->dom : NULL, list, n, r, err,
			    errlen))
		return -1;
	if (compact || !n)
		return 0;
	tmp = calloc(AS_MAX_SLOTS, sizeof(*tmp));
	if (!tmp) {
		rules_free(r);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t k = 0; k < n; k++)
		tmp[slot_of[k]] = r->approvals[k];
	memcpy(r->approvals, tmp, sizeof(r->approvals));
	free(tmp);
	r->n_approvals = (size_t)slot_of[n - 1] + 1;
	return 0;
}

int as_state_rules(const struct as_state *st, struct rules *r, bool compact,
		   char *err, size_t errlen)
{
	struct plan *p = plan_load(st, err, errlen);
	int ret;

	memset(r, 0, sizeof(*r));
	if (!p)
		return -1;
	ret = plan_rules(p, r, compact, err, errlen);
	plan_free(p);
	return ret;
}

int as_rules_from_state_dir(const char *dir, struct rules *r, char *err,
			    size_t errlen)
{
	struct as_state st;
	int ret;

	setenv("AUTOSEL_STATE_DIR", dir, 1);
	if (as_state_load(&st, err, errlen))
		return -1;
	ret = as_state_rules(&st, r, true, err, errlen);
	as_state_free(&st);
	return ret;
}

static const char *trust_path(const char *opt)
{
	const char *e = getenv("AUTOSEL_TRUST");

	if (opt)
		return opt;
	return e && *e ? e : AS_TRUST_DEFAULT;
}

int as_rules_from_bundles(const char *const *paths, size_t n,
			  const char *trust, struct rules *r, char *err,
			  size_t errlen)
{
	const struct bundle *list[AS_MAX_SLOTS];
	struct bundle *b = calloc(n ? n : 1, sizeof(*b));
	const struct bundle *dom = NULL;
	struct trust *t = calloc(1, sizeof(*t));
	size_t na = 0;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (!b || !t) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (trust_load(trust_path(trust), t, err, errlen))
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (bundle_load(paths[i], &b[i], err, errlen) ||
		    bundle_verify(&b[i], t, err, errlen))
			goto out;
		if (b[i].kind == BUNDLE_DOMESTIC) {
			if (dom) {
				snprintf(err, errlen, "%s: a second domestic map (the first is %s)",
					 paths[i], dom->name);
				goto out;
			}
			dom = &b[i];
		} else if (na == AS_MAX_SLOTS) {
			snprintf(err, errlen, "%s: more than %d approvals",
				 paths[i], AS_MAX_SLOTS);
			goto out;
		} else {
			list[na++] = &b[i];
		}
	}
	ret = bundle_to_rules(dom, list, na, r, err, errlen);
out:
	for (size_t i = 0; b && i < n; i++)
		bundle_free(&b[i]);
	free(b);
	free(t);
	return ret;
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

/* ---- autosel.ko ---------------------------------------------------------- */

static int control_write(const char *cmd)
{
	int fd = open(AS_CONTROL, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int e;

	if (fd < 0)
		return -errno;
	n = write(fd, cmd, strlen(cmd));
	e = n < 0 ? errno : 0;
	close(fd);
	return n < 0 ? -e : 0;
}

static const char *type_name(uint8_t t)
{
	static const char *const names[] = AS_DIR_NAMES;

	return t < AS_DIR_MAX ? names[t] : "?";
}

static void approval_cmd(char *buf, size_t len, int slot,
			 const struct st_slot *s)
{
	snprintf(buf, len, "approval %d %s %s %llu %llu %llu %s\n", slot,
		 s->id, type_name(s->type),
		 (unsigned long long)(s->from_ns / 1000000000ULL),
		 (unsigned long long)((s->until_ns + 999999999ULL) / 1000000000ULL),
		 (unsigned long long)s->serial, s->sha);
}

static bool same_slot(const struct st_slot *a, const struct st_slot *b)
{
	return a->used && b->used && !strcmp(a->id, b->id) &&
	       a->serial == b->serial && !strcmp(a->sha, b->sha);
}

int as_module_sync(const struct as_state *old, const struct as_state *st,
		   char *err, size_t errlen)
{
	char cmd[512];
	int e;

	if (!as_control_present())
		return 0;
	if (old)
		for (int i = 0; i < AS_MAX_SLOTS; i++) {
			const struct st_slot *o = &old->slots[i];

			if (o->used && (!st->slots[i].used ||
					strcmp(st->slots[i].id, o->id)))
				as_control_remove(o->id);
		}
	for (int i = 0; i < AS_MAX_SLOTS; i++) {
		const struct st_slot *s = &st->slots[i];

		if (!s->used || (old && same_slot(&old->slots[i], s)))
			continue;
		approval_cmd(cmd, sizeof(cmd), i, s);
		e = control_write(cmd);
		if (e && e != -EEXIST) {
			snprintf(err, errlen, "autosel.ko refused approval %s (slot %d): %s",
				 s->id, i, strerror(-e));
			return -1;
		}
	}
	snprintf(cmd, sizeof(cmd), "generation %u\n", st->generation);
	control_write(cmd);	/* EINVAL: the module's is higher already */
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
static int swap_in(const struct rules *r, const struct as_state *st,
		   int *nports, char *err, size_t errlen)
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
	if (as_obj_load(&o, err, errlen))
		goto out;
	cfg.clock_offset_ns = clock_offset();
	cfg.generation = st->generation;
	/*
	 * The flows the old rule set opened by address may have addresses the
	 * new one does not guard: test every flow mark for two idle times,
	 * which moves each live one to the marks its packets now test.
	 */
	cfg.marks_all_until_ns = now_ns() + 2 * AS_FLOW_IDLE_DEFAULT_NS;
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
	for (int i = 0; i < n; i++) {
		if (!ports[i].mode)
			continue;	/* gone or replaced by someone: skip */
		e = replace_prog(&ports[i], new_fd, ports[i].old_fd);
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

/* ---- applying a new state ---------------------------------------------- */

/*
 * Check that the rule set of st fits (always), then write it: prepare the
 * state files, swap if attached, tell the module, commit.  bundle/len/sha:
 * the new bundle copy, if any.  Returns 0, or -1 with err and nothing
 * changed.
 */
static int apply(const struct as_state *old, struct as_state *st,
		 const struct rules *r, const void *bundle, size_t len,
		 const char *sha, int *nports, char *err, size_t errlen)
{
	struct as_loadset ls;
	struct as_obj o;
	bool live = attached();

	*nports = 0;
	if (as_obj_open(&o, AS_OBJ_HOST, err, errlen))
		return -1;
	if (as_loadset_prepare(&ls, r, o.obj, err, errlen)) {
		as_obj_close(&o);
		return -1;
	}
	as_loadset_free(&ls);
	as_obj_close(&o);

	if (as_state_prepare(st, bundle, len, sha, err, errlen))
		return -1;
	if (live) {
		if (as_module_sync(old, st, err, errlen) ||
		    swap_in(r, st, nports, err, errlen)) {
			char e2[64];

			as_module_sync(st, old, e2, sizeof(e2));
			as_state_abort(st, bundle ? sha : NULL);
			return -1;
		}
	}
	if (as_state_commit(st, err, errlen))
		return -1;
	return 0;
}

static void signers_txt(const struct bundle *b, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < b->n_signers && off + BUNDLE_KEYID_HEX < len; i++) {
		char hex[BUNDLE_KEYID_HEX];

		as_hex(b->signers[i], BUNDLE_KEYID_LEN, hex);
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? "," : "", hex);
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

/* ---- install ----------------------------------------------------------- */

static void install_usage(FILE *f)
{
	fputs("Usage: autoselctl install BUNDLE [--trust FILE] [--json]\n"
	      "\n"
	      "Verify a signed approval or domestic-map bundle against the trust\n"
	      "file (default " AS_TRUST_DEFAULT ", AUTOSEL_TRUST overrides) and\n"
	      "put it in force: recorded in the state directory (default\n"
	      AS_STATE_DIR_DEFAULT ", AUTOSEL_STATE_DIR) and, if the filter is\n"
	      "attached, swapped in atomically on every port.  Anything wrong\n"
	      "(quorum, signature, window, serial, indicators, capacity) is\n"
	      "refused with one line and nothing changes.\n", f);
}

static void remove_usage(FILE *f)
{
	fputs("Usage: autoselctl remove ID [--json]\n"
	      "\n"
	      "Take approval ID out of force (swapped out atomically if attached).\n"
	      "Its serial stays recorded: it can come back only with a higher one.\n", f);
}

/* Everything about one refused or failed install, for the audit log. */
static int refuse(const char *result, const struct bundle *b,
		  const char *id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int refuse(const char *result, const struct bundle *b,
		  const char *id, const char *fmt, ...)
{
	char reason[ERRLEN], signers[AS_SIGNERS_TXT], sha[BUNDLE_SHA256_HEX];
	struct as_audit_ev ev = { .action = "install", .result = result };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	ev.reason = reason;
	ev.id = id;
	if (b && b->raw) {
		as_hex(b->sha256, BUNDLE_SHA256_LEN, sha);
		signers_txt(b, signers, sizeof(signers));
		ev.sha = sha;
		ev.signers = signers;
		ev.serial = b->serial;
		if (!id)
			ev.id = b->id;
	}
	as_audit(&ev);
	return as_err("%s", reason);
}

static int expire_locked(struct as_state *st, bool quiet);

int cmd_install(int argc, char **argv)
{
	char err[ERRLEN], sha[BUNDLE_SHA256_HEX], signers[AS_SIGNERS_TXT];
	const char *path = NULL, *trust_opt = NULL;
	struct as_state old = { 0 }, st = { 0 };
	struct bundle b = { 0 };
	struct trust *t = NULL;
	struct plan *p = NULL;
	struct rules r = { 0 };
	struct st_slot *s;
	int ret = EXIT_RUNTIME, slot = -1, nports = 0;
	bool json = false;
	uint64_t prev;

	for (int i = 0; i < argc; i++) {
		if (as_is_help(argv[i])) {
			install_usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--trust")) {
			if (i + 1 >= argc)
				return as_usage_err("install: --trust needs a value");
			trust_opt = argv[++i];
		} else if (as_is_json(argv[i])) {
			json = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return as_usage_err("install: unknown option '%s' (see 'autoselctl install help')",
					    argv[i]);
		} else if (!path) {
			path = argv[i];
		} else {
			return as_usage_err("install: unexpected argument '%s'",
					    argv[i]);
		}
	}
	as_audit_subject(path);
	if (!path)
		return as_usage_err("install: BUNDLE is required");
	if (as_audit_open(err, sizeof(err)))
		return as_err("%s", err);
	if (lock_take())
		return as_err("%s: %s", AS_LOCK_PATH, strerror(errno));
	if (as_state_load(&old, err, sizeof(err))) {
		ret = refuse("error", NULL, NULL, "%s", err);
		goto out;
	}
	expire_locked(&old, false);

	t = calloc(1, sizeof(*t));
	if (!t) {
		ret = refuse("error", NULL, NULL, "out of memory");
		goto out;
	}
	if (bundle_load(path, &b, err, sizeof(err)) ||
	    trust_load(trust_path(trust_opt), t, err, sizeof(err)) ||
	    bundle_verify(&b, t, err, sizeof(err)) ||
	    bundle_window_check(&b, now_ns(), err, sizeof(err))) {
		ret = refuse("refused", &b, NULL, "%s", err);
		goto out;
	}
	as_hex(b.sha256, BUNDLE_SHA256_LEN, sha);
	signers_txt(&b, signers, sizeof(signers));
	prev = as_state_serial(&old, b.id);
	if (b.serial <= prev) {
		ret = refuse("refused", &b, NULL,
			     "%s: serial %" PRIu64 " of %s is not above the installed serial %" PRIu64 " (rollback)",
			     path, b.serial, b.id, prev);
		goto out;
	}
	if (b.kind == BUNDLE_APPROVAL && !b.n_ips && !b.n_domains) {
		ret = refuse("refused", &b, NULL,
			     "%s: approval %s has no indicators", path, b.id);
		goto out;
	}
	if (b.kind == BUNDLE_APPROVAL && !old.has_domestic) {
		ret = refuse("refused", &b, NULL,
			     "%s: no domestic map is installed; install the domestic-map bundle first",
			     path);
		goto out;
	}
	if (b.kind == BUNDLE_DOMESTIC && old.has_domestic &&
	    strcmp(old.domestic.id, b.id)) {
		ret = refuse("refused", &b, NULL,
			     "%s: the domestic map in force is %s, not %s",
			     path, old.domestic.id, b.id);
		goto out;
	}

	/* The new state: the old one plus this bundle. */
	st = old;
	st.serials = NULL;
	st.n_serials = 0;
	for (size_t i = 0; i < old.n_serials; i++)
		if (as_state_set_serial(&st, old.serials[i].id,
					old.serials[i].serial,
					old.serials[i].last)) {
			ret = refuse("error", &b, NULL, "out of memory");
			goto out;
		}
	st.generation = old.generation + 1;
	if (b.kind == BUNDLE_DOMESTIC) {
		s = &st.domestic;
		st.has_domestic = true;
	} else {
		for (int i = 0; i < AS_MAX_SLOTS && slot < 0; i++)
			if (st.slots[i].used && !strcmp(st.slots[i].id, b.id))
				slot = i;
		for (int i = 0; i < AS_MAX_SLOTS && slot < 0; i++)
			if (!st.slots[i].used)
				slot = i;
		if (slot < 0) {
			ret = refuse("refused", &b, NULL,
				     "%s: no free approval slot: %d approvals are in force",
				     path, AS_MAX_SLOTS);
			goto out;
		}
		s = &st.slots[slot];
		/* A new binding gets a new uid; an extension keeps its flows. */
		if (!s->used || strcmp(s->id, b.id))
			s->uid = st.generation * AS_MAX_SLOTS + (uint32_t)slot + 1;
		s->type = b.type;
		s->from_ns = b.from_ns;
		s->until_ns = b.until_ns;
	}
	s->used = true;
	snprintf(s->id, sizeof(s->id), "%s", b.id);
	s->serial = b.serial;
	snprintf(s->sha, sizeof(s->sha), "%s", sha);
	snprintf(s->signers, sizeof(s->signers), "%s", signers);
	if (as_state_set_serial(&st, b.id, b.serial, "installed")) {
		ret = refuse("error", &b, NULL, "out of memory");
		goto out;
	}

	/* The rule set: installed copies, this bundle in its place. */
	p = plan_load(&old, err, sizeof(err));
	if (!p) {
		ret = refuse("error", &b, NULL, "%s", err);
		goto out;
	}
	if (b.kind == BUNDLE_DOMESTIC) {
		bundle_free(&p->dom);
		p->dom = b;
		p->have_dom = true;
	} else {
		bundle_free(&p->b[slot]);
		p->b[slot] = b;
		p->have[slot] = true;
	}
	memset(&b, 0, sizeof(b));	/* p owns it now */
	{
		const struct bundle *nb = slot < 0 ? &p->dom : &p->b[slot];

		if (plan_rules(p, &r, false, err, sizeof(err))) {
			ret = refuse("refused", nb, NULL, "%s", err);
			goto out;
		}
		if (apply(&old, &st, &r, nb->raw, nb->raw_len, sha, &nports,
			  err, sizeof(err))) {
			bool cap = !strncmp(err, "too many", 8);

			/* Capacity is the bundle's fault; the rest is ours. */
			ret = refuse(cap ? "refused" : "error", nb, NULL,
				     "%s%s%s", cap ? path : "", cap ? ": " : "",
				     err);
			goto out;
		}
		{
			struct as_audit_ev ev = {
				.action = "install", .result = "ok",
				.id = nb->id, .serial = nb->serial, .sha = sha,
				.signers = signers,
				.reason = slot < 0 ? "domestic map" : "approval",
				.has_slot = slot >= 0, .slot = slot,
			};

			as_audit(&ev);
		}
		if (json) {
			printf("{\"installed\":\"%s\",\"id\":",
			       slot < 0 ? "domestic-map" : "approval");
			as_json_str(stdout, nb->id);
			printf(",\"serial\":%" PRIu64 ",\"sha256\":\"%s\",\"signers\":",
			       nb->serial, sha);
			as_json_str(stdout, signers);
			if (slot < 0)
				printf(",\"slot\":null,\"vlan\":null");
			else
				printf(",\"slot\":%d,\"vlan\":%d", slot,
				       AS_SLOT_TO_VID(slot));
			printf(",\"generation\":%u,\"ports\":", st.generation);
			if (attached())
				printf("%d}\n", nports);
			else
				printf("null}\n");
		} else if (slot < 0)
			printf("installed domestic map %s serial %" PRIu64 " (sha256 %s), generation %u\n",
			       nb->id, nb->serial, sha, st.generation);
		else
			printf("installed approval %s serial %" PRIu64 " in slot %d (sha256 %s), generation %u\n",
			       nb->id, nb->serial, slot, sha, st.generation);
		if (!json && attached())
			printf("swapped in on %d port%s\n", nports,
			       nports == 1 ? "" : "s");
		else if (!json)
			printf("not attached: recorded in %s; the next attach loads it\n",
			       st.dir);
	}
	ret = 0;
out:
	rules_free(&r);
	plan_free(p);
	bundle_free(&b);
	free(t);
	as_state_free(&st);
	as_state_free(&old);
	lock_release();
	return ret;
}

/* ---- remove and expiry --------------------------------------------------- */

/* A copy of old without the approvals for which drop[slot] is set. */
static int without(const struct as_state *old, const bool drop[AS_MAX_SLOTS],
		   const char *last, struct as_state *st)
{
	*st = *old;
	st->serials = NULL;
	st->n_serials = 0;
	for (size_t i = 0; i < old->n_serials; i++)
		if (as_state_set_serial(st, old->serials[i].id,
					old->serials[i].serial,
					old->serials[i].last))
			return -1;
	for (int i = 0; i < AS_MAX_SLOTS; i++) {
		if (!drop[i])
			continue;
		if (as_state_set_serial(st, old->slots[i].id,
					old->slots[i].serial, last))
			return -1;
		memset(&st->slots[i], 0, sizeof(st->slots[i]));
	}
	st->generation = old->generation + 1;
	return 0;
}

/* Apply the state without the dropped approvals. */
static int drop_apply(struct as_state *old, const bool drop[AS_MAX_SLOTS],
		      const char *last, struct as_state *st, int *nports,
		      char *err, size_t errlen)
{
	struct rules r = { 0 };
	int ret;

	if (without(old, drop, last, st)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (as_state_rules(st, &r, false, err, errlen))
		return -1;
	ret = apply(old, st, &r, NULL, 0, NULL, nports, err, errlen);
	rules_free(&r);
	return ret;
}

/* Remove expired approvals from *st (which is updated); logs each. */
static int expire_locked(struct as_state *st, bool quiet)
{
	bool drop[AS_MAX_SLOTS] = { 0 };
	struct as_state nst = { 0 };
	char err[ERRLEN], until[40];
	uint64_t now = now_ns();
	int n = 0, nports;

	for (int i = 0; i < AS_MAX_SLOTS; i++)
		if (st->slots[i].used && st->slots[i].until_ns <= now) {
			drop[i] = true;
			n++;
		}
	if (!n)
		return 0;
	if (drop_apply(st, drop, "expired", &nst, &nports, err, sizeof(err))) {
		as_state_free(&nst);
		if (!quiet)
			as_err("cannot remove expired approvals: %s", err);
		return -1;
	}
	for (int i = 0; i < AS_MAX_SLOTS; i++) {
		const struct st_slot *s = &st->slots[i];
		struct as_audit_ev ev = {
			.action = "expire", .result = "ok", .id = s->id,
			.serial = s->serial, .sha = s->sha,
			.signers = s->signers, .reason = until,
			.has_slot = true, .slot = i,
		};

		if (!drop[i])
			continue;
		as_format_rfc3339(s->until_ns, until, sizeof(until));
		memmove(until + 12, until, strlen(until) + 1);
		memcpy(until, "valid-until ", 12);
		as_audit(&ev);
		fprintf(stderr, "autoselctl: approval %s expired (%s); removed from the rule set in force\n",
			s->id, until);
	}
	as_state_free(st);
	*st = nst;
	return n;
}

int as_expire_sweep(void)
{
	struct as_state st;
	char err[ERRLEN], p[PATH_MAX];
	int ret = 0;

	snprintf(p, sizeof(p), "%s/state", as_state_dir());
	if (access(p, R_OK | W_OK))
		return 0;
	if (lock_take())
		return 0;
	if (!as_state_load(&st, err, sizeof(err))) {
		bool any = false;

		for (int i = 0; i < AS_MAX_SLOTS; i++)
			any |= st.slots[i].used && st.slots[i].until_ns <= now_ns();
		if (any && !as_audit_open(err, sizeof(err)))
			expire_locked(&st, false);
		as_state_free(&st);
	} else {
		ret = as_err("%s", err);
	}
	lock_release();
	return ret;
}

static void expire_usage(FILE *f)
{
	fputs("Usage: autoselctl expire [--json]\n"
	      "\n"
	      "Take every approval past its valid-until out of force (state and\n"
	      "attached rule set), each logged as 'expire'.  Read-only commands\n"
	      "never do this; run it from a timer (admin-guide.rst).\n", f);
}

int cmd_expire(int argc, char **argv)
{
	struct as_state st = { 0 };
	char err[ERRLEN];
	bool json = false, first = true, before[AS_MAX_SLOTS];
	char ids[AS_MAX_SLOTS][RULES_ID_MAX];
	int ret, n;

	ret = as_json_only_args(argc, argv, "expire", expire_usage, &json);
	if (ret >= 0)
		return ret;
	if (as_audit_open(err, sizeof(err)))
		return as_err("%s", err);
	if (lock_take())
		return as_err("%s: %s", AS_LOCK_PATH, strerror(errno));
	if (as_state_load(&st, err, sizeof(err))) {
		ret = as_err("%s", err);
		goto out;
	}
	for (int i = 0; i < AS_MAX_SLOTS; i++) {
		before[i] = st.slots[i].used;
		snprintf(ids[i], sizeof(ids[i]), "%s", st.slots[i].id);
	}
	n = expire_locked(&st, false);
	if (n < 0) {
		ret = EXIT_RUNTIME;
		goto out;
	}
	if (json) {
		printf("{\"expired\":[");
		for (int i = 0; i < AS_MAX_SLOTS; i++) {
			if (!before[i] || st.slots[i].used)
				continue;
			printf("%s", first ? "" : ",");
			as_json_str(stdout, ids[i]);
			first = false;
		}
		printf("],\"generation\":%u}\n", st.generation);
	} else {
		printf("%d approval%s expired, generation %u\n", n,
		       n == 1 ? "" : "s", st.generation);
	}
	ret = 0;
out:
	as_state_free(&st);
	lock_release();
	return ret;
}

int cmd_remove(int argc, char **argv)
{
	bool drop[AS_MAX_SLOTS] = { 0 };
	struct as_state old = { 0 }, st = { 0 };
	const char *id = NULL;
	char err[ERRLEN];
	bool json = false;
	int ret = EXIT_RUNTIME, slot = -1, nports = 0;

	for (int i = 0; i < argc; i++) {
		if (as_is_help(argv[i])) {
			remove_usage(stdout);
			return 0;
		}
		if (as_is_json(argv[i])) {
			json = true;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1])
			return as_usage_err("remove: unknown option '%s' (see 'autoselctl remove help')",
					    argv[i]);
		if (id)
			return as_usage_err("remove: unexpected argument '%s'",
					    argv[i]);
		id = argv[i];
	}
	as_audit_subject(id);
	if (!id)
		return as_usage_err("remove: ID is required");
	if (as_audit_open(err, sizeof(err)))
		return as_err("%s", err);
	if (lock_take())
		return as_err("%s: %s", AS_LOCK_PATH, strerror(errno));
	if (as_state_load(&old, err, sizeof(err))) {
		struct as_audit_ev ev = { .action = "remove", .result = "error",
					  .id = id, .reason = err };

		as_audit(&ev);
		ret = as_err("%s", err);
		goto out;
	}
	expire_locked(&old, false);
	for (int i = 0; i < AS_MAX_SLOTS; i++)
		if (old.slots[i].used && !strcmp(old.slots[i].id, id))
			slot = i;
	if (slot < 0) {
		struct as_audit_ev ev = { .action = "remove", .result = "refused",
					  .id = id };

		if (old.has_domestic && !strcmp(old.domestic.id, id))
			snprintf(err, sizeof(err), "%s is the domestic map: it cannot be removed, only replaced by a higher serial",
				 id);
		else
			snprintf(err, sizeof(err), "%s: no such approval in force",
				 id);
		ev.reason = err;
		as_audit(&ev);
		ret = as_err("%s", err);
		goto out;
	}
	drop[slot] = true;
	{
		const struct st_slot *s = &old.slots[slot];
		struct as_audit_ev ev = {
			.action = "remove", .id = s->id, .serial = s->serial,
			.sha = s->sha, .signers = s->signers,
			.has_slot = true, .slot = slot,
		};

		if (drop_apply(&old, drop, "removed", &st, &nports, err,
			       sizeof(err))) {
			ev.result = "error";
			ev.reason = err;
			as_audit(&ev);
			ret = as_err("%s", err);
			goto out;
		}
		ev.result = "ok";
		ev.reason = "removed by the operator";
		as_audit(&ev);
		if (json) {
			printf("{\"removed\":");
			as_json_str(stdout, s->id);
			printf(",\"serial\":%" PRIu64 ",\"slot\":%d,\"vlan\":%d,\"generation\":%u,\"ports\":",
			       s->serial, slot, AS_SLOT_TO_VID(slot),
			       st.generation);
			if (attached())
				printf("%d}\n", nports);
			else
				printf("null}\n");
		} else {
			printf("removed approval %s (serial %" PRIu64 ", slot %d), generation %u\n",
			       s->id, s->serial, slot, st.generation);
		}
		if (!json && attached())
			printf("swapped out on %d port%s\n", nports,
			       nports == 1 ? "" : "s");
	}
	ret = 0;
out:
	as_state_free(&st);
	as_state_free(&old);
	lock_release();
	return ret;
}
