// SPDX-License-Identifier: GPL-2.0
/*
 * autoselctl bundle keygen|create|sign|verify: the Commission's side of
 * the signed bundles (Documentation/bundle-format.rst).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "cli.h"
#include "commands.h"
#include "encode.h"
#include "fileio.h"
#include "json.h"
#include "sign.h"
#include "timefmt.h"
#include "trust.h"

static void bundle_usage(FILE *f)
{
	fputs("Usage: autoselctl bundle keygen --out PREFIX [--name NAME] [--json]\n"
	      "       autoselctl bundle create --kind approval --id ID --type ff|fd|df\n"
	      "                 --from TIME --until TIME --serial N\n"
	      "                 [--indicators FILE] --out FILE [--json]\n"
	      "       autoselctl bundle create --kind domestic-map --id ID --serial N\n"
	      "                 [--indicators FILE] --out FILE [--json]\n"
	      "       autoselctl bundle sign --key PREFIX.key BUNDLE [--json]\n"
	      "       autoselctl bundle verify --trust TRUST BUNDLE [--json]\n"
	      "\n"
	      "keygen  make a member key pair: PREFIX.key (secret, mode 0600) and\n"
	      "        PREFIX.pub (a trust-file 'member' line); prints the key id\n"
	      "create  write an unsigned bundle; indicators ('ip PREFIX', 'domain NAME',\n"
	      "        'domain .SUFFIX', one a line, '#' comments) from FILE or stdin\n"
	      "sign    append this key's signature to BUNDLE (once per key)\n"
	      "verify  check syntax and signatures against TRUST; exit 0 only if the\n"
	      "        quorum is reached.  Writes nothing.\n"
	      "\n"
	      "Format: Documentation/bundle-format.rst.\n", f);
}

/* "--opt VALUE": stores VALUE, returns 1 if argv[*i] is opt, -1 if VALUE is missing. */
static int opt_val(int argc, char **argv, int *i, const char *opt,
		   const char **val)
{
	if (strcmp(argv[*i], opt))
		return 0;
	if (*i + 1 >= argc) {
		as_usage_err("%s needs a value", opt);
		return -1;
	}
	*val = argv[++*i];
	return 1;
}

static int cmd_keygen(int argc, char **argv)
{
	const char *out = NULL, *name = NULL;
	char hex[BUNDLE_KEYID_HEX], err[RULES_ERR_MAX];
	bool json = false;

	for (int i = 0; i < argc; i++) {
		int r;

		if ((r = opt_val(argc, argv, &i, "--out", &out)) ||
		    (r = opt_val(argc, argv, &i, "--name", &name))) {
			if (r < 0)
				return EXIT_USAGE;
		} else if (as_is_json(argv[i])) {
			json = true;
		} else {
			return as_usage_err("unexpected argument '%s' (see 'autoselctl bundle help')",
					    argv[i]);
		}
	}
	if (!out)
		return as_usage_err("bundle keygen needs --out PREFIX");
	if (bundle_keygen(out, name, hex, err, sizeof(err)))
		return as_err("%s", err);
	if (json) {
		char path[PATH_MAX];

		printf("{\"keyid\":\"%s\",\"secret\":", hex);
		snprintf(path, sizeof(path), "%s.key", out);
		as_json_str(stdout, path);
		printf(",\"public\":");
		snprintf(path, sizeof(path), "%s.pub", out);
		as_json_str(stdout, path);
		printf("}\n");
	} else
		printf("%s\n", hex);
	return 0;
}

struct ind {
	char text[BUNDLE_DOMAIN_MAX + 8];	/* canonical "ip P" / "domain N" */
	unsigned int line;
};

static int cmp_ind(const void *x, const void *y)
{
	const struct ind *a = x, *b = y;
	int c = strcmp(a->text, b->text);

	return c ? c : (a->line > b->line) - (a->line < b->line);
}

/*
 * Read the indicator list: one "ip PREFIX" / "domain NAME" a line, '#'
 * comments, blank lines, any spacing, CR LF.  Prefixes are written in
 * canonical form, domain names lower-cased without a trailing dot.
 */
static int read_indicators(const char *path, struct ind **out, size_t *nout,
			   char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len, pos = 0, n = 0, cap = 0;
	unsigned int line = 0;
	struct ind *v = NULL;

	if (as_read_file(path, BUNDLE_FILE_MAX, &buf, &len, err, errlen))
		return -1;
	while (pos < len) {
		const uint8_t *nl = memchr(buf + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		char s[BUNDLE_LINE_MAX + 1], *kw, *val, *rest;
		struct ind *d;

		line++;
		if (l > BUNDLE_LINE_MAX) {
			snprintf(err, errlen, "%s:%u: line longer than %d bytes",
				 path, line, BUNDLE_LINE_MAX);
			goto fail;
		}
		memcpy(s, buf + pos, l);
		s[l] = '\0';
		pos += l + 1;
		if (memchr(s, '\0', l)) {
			snprintf(err, errlen, "%s:%u: NUL byte in a text file",
				 path, line);
			goto fail;
		}
		if (strchr(s, '#'))
			*strchr(s, '#') = '\0';
		kw = strtok_r(s, " \t\r", &rest);
		if (!kw)
			continue;
		val = strtok_r(NULL, " \t\r", &rest);
		if (!val || strtok_r(NULL, " \t\r", &rest) ||
		    (strcmp(kw, "ip") && strcmp(kw, "domain"))) {
			snprintf(err, errlen,
				 "%s:%u: expected 'ip PREFIX' or 'domain NAME'",
				 path, line);
			goto fail;
		}
		if (n == cap) {
			size_t nc = cap ? 2 * cap : 64;
			struct ind *nv = realloc(v, nc * sizeof(*nv));

			if (!nv) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto fail;
			}
			v = nv;
			cap = nc;
		}
		if (n >= BUNDLE_IND_MAX) {
			snprintf(err, errlen, "%s:%u: more than %u indicators",
				 path, line, BUNDLE_IND_MAX);
			goto fail;
		}
		d = &v[n];
		d->line = line;
		if (!strcmp(kw, "ip")) {
			struct rules_prefix p;
			const char *e = rules_parse_prefix(val, &p);
			char c[64];

			if (e) {
				snprintf(err, errlen, "%s:%u: %s in '%.64s'", path,
					 line, e, val);
				goto fail;
			}
			rules_format_prefix(&p, c, sizeof(c));
			snprintf(d->text, sizeof(d->text), "ip %s", c);
		} else {
			size_t vl = strlen(val);
			bool suffix;

			for (char *c = val; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			if (vl > 1 && val[vl - 1] == '.')
				val[--vl] = '\0';
			if (vl >= BUNDLE_DOMAIN_MAX) {
				snprintf(err, errlen, "%s:%u: bad domain name '%.64s'",
					 path, line, val);
				goto fail;
			}
			(void)suffix;
			snprintf(d->text, sizeof(d->text), "domain %s", val);
		}
		n++;
	}
	free(buf);
	*out = v;
	*nout = n;
	return 0;
fail:
	free(buf);
	free(v);
	return -1;
}

static int cmd_create(int argc, char **argv)
{
	const char *kind = NULL, *id = NULL, *type = NULL, *from = NULL,
		   *until = NULL, *serial = NULL, *inds = "-", *out = NULL;
	char err[RULES_ERR_MAX];
	bool json = false;
	struct ind *v = NULL, *sorted = NULL;
	size_t n = 0, len = 0, cap;
	char *text = NULL;
	struct bundle b;
	int fd, ret = EXIT_RUNTIME;

	for (int i = 0; i < argc; i++) {
		int r;

		if ((r = opt_val(argc, argv, &i, "--kind", &kind)) ||
		    (r = opt_val(argc, argv, &i, "--id", &id)) ||
		    (r = opt_val(argc, argv, &i, "--type", &type)) ||
		    (r = opt_val(argc, argv, &i, "--from", &from)) ||
		    (r = opt_val(argc, argv, &i, "--until", &until)) ||
		    (r = opt_val(argc, argv, &i, "--serial", &serial)) ||
		    (r = opt_val(argc, argv, &i, "--indicators", &inds)) ||
		    (r = opt_val(argc, argv, &i, "--out", &out))) {
			if (r < 0)
				return EXIT_USAGE;
		} else if (as_is_json(argv[i])) {
			json = true;
		} else {
			return as_usage_err("unexpected argument '%s' (see 'autoselctl bundle help')",
					    argv[i]);
		}
	}
	if (!kind || !id || !serial || !out)
		return as_usage_err("bundle create needs --kind, --id, --serial and --out");
	if (!strcmp(kind, "approval")) {
		if (!type || !from || !until)
			return as_usage_err("an approval needs --type, --from and --until");
	} else if (!strcmp(kind, "domestic-map")) {
		if (type || from || until)
			return as_usage_err("a domestic map has no --type, --from or --until");
	} else {
		return as_usage_err("bad kind '%s' (approval or domestic-map)", kind);
	}
	if (read_indicators(inds, &v, &n, err, sizeof(err)))
		return as_err("%s", err);

	/* Duplicates are reported against the input, where they can be fixed. */
	sorted = malloc((n ? n : 1) * sizeof(*sorted));
	if (!sorted) {
		as_err("out of memory");
		goto out;
	}
	if (n)
		memcpy(sorted, v, n * sizeof(*v));
	qsort(sorted, n, sizeof(*sorted), cmp_ind);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(sorted[i - 1].text, sorted[i].text)) {
			as_err("%s:%u: duplicate indicator %s (first at line %u)",
			       inds, sorted[i].line, sorted[i].text,
			       sorted[i - 1].line);
			goto out;
		}

	cap = 512 + n * sizeof(v->text);
	text = malloc(cap);
	if (!text) {
		as_err("out of memory");
		goto out;
	}
	len = (size_t)snprintf(text, cap, "autosel-bundle 1\nkind %s\nid %s\n",
			       kind, id);
	if (type)
		len += (size_t)snprintf(text + len, cap - len,
					"type %s\nvalid-from %s\nvalid-until %s\n",
					type, from, until);
	len += (size_t)snprintf(text + len, cap - len, "serial %s\nindicators\n",
				serial);
	for (size_t i = 0; i < n && len < cap; i++)
		len += (size_t)snprintf(text + len, cap - len, "%s\n", v[i].text);
	len += (size_t)snprintf(text + len, cap - len, "end\n");
	if (len >= cap) {
		as_err("bundle text too long");
		goto out;
	}
	/* The result must parse; errors name the option or indicator line. */
	if (bundle_parse(&b, text, len, out, err, sizeof(err))) {
		/* Map "OUT:LINE: msg" to the option or the input line. */
		const char *msg = strchr(err + strlen(out) + 1, ' ');
		unsigned int l = 0, hdr = type ? 8 : 5;

		sscanf(err + strlen(out), ":%u:", &l);
		if (l > hdr && l - hdr - 1 < n)
			as_err("%s:%u:%s", inds, v[l - hdr - 1].line, msg);
		else if (l && msg)
			as_err("%s", msg + 1);
		else
			as_err("%s", err);
		goto out;
	}
	bundle_free(&b);
	fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		as_err("%s: %s", out, strerror(errno));
		goto out;
	}
	if (write(fd, text, len) != (ssize_t)len || fsync(fd)) {
		as_err("%s: %s", out, strerror(errno));
		close(fd);
		unlink(out);
		goto out;
	}
	if (close(fd)) {
		as_err("%s: %s", out, strerror(errno));
		unlink(out);
		goto out;
	}
	if (json) {
		printf("{\"bundle\":");
		as_json_str(stdout, out);
		printf(",\"indicators\":%zu}\n", n);
	}
	ret = 0;
out:
	free(text);
	free(sorted);
	free(v);
	return ret;
}

static int cmd_sign(int argc, char **argv)
{
	const char *key = NULL, *path = NULL;
	char hex[BUNDLE_KEYID_HEX], err[RULES_ERR_MAX];
	bool json = false;

	for (int i = 0; i < argc; i++) {
		int r = opt_val(argc, argv, &i, "--key", &key);

		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		if (as_is_json(argv[i])) {
			json = true;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1])
			return as_usage_err("unknown option '%s' (see 'autoselctl bundle help')",
					    argv[i]);
		if (path)
			return as_usage_err("unexpected argument '%s'", argv[i]);
		path = argv[i];
	}
	if (!key || !path)
		return as_usage_err("bundle sign needs --key KEYFILE and a BUNDLE");
	if (bundle_sign_file(key, path, hex, err, sizeof(err)))
		return as_err("%s", err);
	if (json) {
		printf("{\"bundle\":");
		as_json_str(stdout, path);
		printf(",\"signed_by\":\"%s\"}\n", hex);
	} else {
		printf("%s: signed by %s\n", path, hex);
	}
	return 0;
}

static int cmd_verify(int argc, char **argv)
{
	static const char *const dir_names[] = AS_DIR_NAMES;
	const char *tpath = NULL, *path = NULL;
	char err[RULES_ERR_MAX], sha[BUNDLE_SHA256_HEX], fsha[BUNDLE_SHA256_HEX];
	char from[48], until[48];
	struct trust *t;
	struct bundle b;
	bool json = false;

	for (int i = 0; i < argc; i++) {
		int r = opt_val(argc, argv, &i, "--trust", &tpath);

		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		if (as_is_json(argv[i]))
			json = true;
		else if (argv[i][0] == '-' && argv[i][1])
			return as_usage_err("unknown option '%s' (see 'autoselctl bundle help')",
					    argv[i]);
		else if (path)
			return as_usage_err("unexpected argument '%s'", argv[i]);
		else
			path = argv[i];
	}
	if (!tpath || !path)
		return as_usage_err("bundle verify needs --trust TRUST and a BUNDLE");
	t = malloc(sizeof(*t));
	if (!t)
		return as_err("out of memory");
	if (trust_load(tpath, t, err, sizeof(err)) ||
	    bundle_load(path, &b, err, sizeof(err))) {
		free(t);
		return as_err("%s", err);
	}
	if (bundle_verify(&b, t, err, sizeof(err))) {
		bundle_free(&b);
		free(t);
		return as_err("%s", err);
	}
	as_hex(b.sha256, BUNDLE_SHA256_LEN, sha);
	as_hex(b.file_sha256, BUNDLE_SHA256_LEN, fsha);
	as_format_rfc3339(b.from_ns, from, sizeof(from));
	as_format_rfc3339(b.until_ns, until, sizeof(until));
	if (json) {
		printf("{\"bundle\":");
		as_json_str(stdout, path);
		printf(",\"valid\":true,\"kind\":\"%s\",\"id\":",
		       b.kind == BUNDLE_APPROVAL ? "approval" : "domestic-map");
		as_json_str(stdout, b.id);
		if (b.kind == BUNDLE_APPROVAL)
			printf(",\"type\":\"%s\",\"valid_from\":\"%s\",\"valid_until\":\"%s\"",
			       dir_names[b.type], from, until);
		printf(",\"serial\":%llu,\"ip_indicators\":%zu,\"domain_indicators\":%zu,"
		       "\"sha256\":\"%s\",\"file_sha256\":\"%s\",\"quorum\":%u,\"signers\":[",
		       (unsigned long long)b.serial, b.n_ips, b.n_domains, sha,
		       fsha, t->quorum);
		for (size_t i = 0; i < b.n_signers; i++) {
			const struct trust_member *m = trust_find(t, b.signers[i]);
			char hx[BUNDLE_KEYID_HEX];

			as_hex(b.signers[i], BUNDLE_KEYID_LEN, hx);
			printf("%s{\"keyid\":\"%s\",\"name\":", i ? "," : "", hx);
			as_json_str(stdout, m->name);
			printf("}");
		}
		printf("],\"unknown_signatures\":%zu,\"duplicate_signatures\":%zu}\n",
		       b.n_unknown, b.n_duplicate);
	} else {
		printf("%s: valid, %zu of %u member signatures\n", path,
		       b.n_signers, t->quorum);
		if (b.kind == BUNDLE_APPROVAL)
			printf("approval %s, type %s, serial %llu, %s .. %s\n",
			       b.id, dir_names[b.type],
			       (unsigned long long)b.serial, from, until);
		else
			printf("domestic map %s, serial %llu\n", b.id,
			       (unsigned long long)b.serial);
		printf("indicators: %zu ip, %zu domain\n", b.n_ips, b.n_domains);
		printf("sha256 %s\n", sha);
		for (size_t i = 0; i < b.n_signers; i++) {
			const struct trust_member *m = trust_find(t, b.signers[i]);
			char hx[BUNDLE_KEYID_HEX];

			as_hex(b.signers[i], BUNDLE_KEYID_LEN, hx);
			printf("signer %s%s%s\n", hx, m->name[0] ? " " : "",
			       m->name);
		}
		if (b.n_unknown)
			printf("ignored: %zu signatures by keys not in the trust file\n",
			       b.n_unknown);
		if (b.n_duplicate)
			printf("ignored: %zu duplicate signatures\n", b.n_duplicate);
	}
	bundle_free(&b);
	free(t);
	return 0;
}

int cmd_bundle(int argc, char **argv)
{
	if (argc < 1 || as_is_help(argv[0])) {
		bundle_usage(argc < 1 ? stderr : stdout);
		return argc < 1 ? EXIT_USAGE : 0;
	}
	for (int i = 1; i < argc; i++)
		if (as_is_help(argv[i])) {
			bundle_usage(stdout);
			return 0;
		}
	if (!strcmp(argv[0], "keygen"))
		return cmd_keygen(argc - 1, argv + 1);
	if (!strcmp(argv[0], "create"))
		return cmd_create(argc - 1, argv + 1);
	if (!strcmp(argv[0], "sign"))
		return cmd_sign(argc - 1, argv + 1);
	if (!strcmp(argv[0], "verify"))
		return cmd_verify(argc - 1, argv + 1);
	return as_usage_err("unknown bundle command '%s' (see 'autoselctl bundle help')",
			    argv[0]);
}
