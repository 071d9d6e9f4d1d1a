// SPDX-License-Identifier: GPL-2.0
/*
 * bench: before timing anything, check that the flat prefix sets answer
 * exactly what a longest-prefix match does.  Random IPv4/IPv6 domestic and
 * indicator prefixes of every kind of length (/0, short, guarded, /48 and
 * longer), masks merged the way rules_lpm_entries() merges them, written
 * through selftests/host/xdp_env.c; random packets near and far from
 * them; the verdict and the slot of each must equal a brute-force LPM
 * over the same prefixes.  Prints TAP-ish lines, exits 1 on a mismatch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "xdp_env.h"
static unsigned long long rng = 0x1234567ULL;
static unsigned r32(void){ rng ^= rng<<13; rng ^= rng>>7; rng ^= rng<<17; return (unsigned)(rng>>11); }
struct P { int fam, len, dom; unsigned char a[16]; unsigned long long mask; };
static int covers(const struct P *p, int fam, const unsigned char *x){
	if (p->fam != fam) return 0;
	for (int b = 0; b < p->len; b++){ int i=b/8, m=0x80>>(b%8); if ((p->a[i]^x[i])&m) return 0; }
	return 1;
}
static void rnd_addr(int fam, unsigned char *x, const struct P *near){
	memset(x,0,16); int n = fam==4?4:16;
	for (int i=0;i<n;i++) x[i]=r32();
	if (near && near->fam==fam){ int keep = near->len - (r32()%3==0 ? (int)(r32()%8) : 0); if (keep<0) keep=0;
		for (int b=0;b<keep;b++){ int i=b/8,m=0x80>>(b%8); x[i]=(x[i]&~m)|(near->a[i]&m);} }
}
static int run(unsigned long long seed, int noroot){
	rng = seed;
	struct xenv e; int skip; char why[256]; static struct P ps[400]; int np=0; int bad=0, tot=0, sel=0;
	if (xenv_open(&e,&skip,why,sizeof why)){ printf("open: %s\n",why); return 1; }
	for (int s=0;s<64;s++) xenv_set_approval(&e,s,AS_DIR_FF,0,~0ULL,s+1,1);
	static const int l4[]={0,8,12,16,17,20,23,24,25,28,31,32}, l6[]={0,8,15,16,20,29,32,40,47,48,56,64,100,128};
	for (int i=0;i<300;i++){ struct P *p=&ps[np]; memset(p,0,sizeof *p); p->fam = r32()%2?4:6;
		p->len = p->fam==4? l4[r32()%12] : l6[r32()%14];
		if (p->len==0 && (noroot || r32()%4)) p->len = p->fam==4?24:48;
		p->dom = r32()%6==0;
		for (int k=0;k<16;k++) p->a[k]=r32();
		/* cluster: top byte from a small set */
		p->a[0] = p->fam==4 ? 10 + r32()%3 : 0x20; if (p->fam==6) p->a[1]=r32()%3;
		for (int b=p->len;b<(p->fam==4?32:128);b++){int k=b/8,m=0x80>>(b%8); p->a[k]&=~m;}
		for (int b=(p->fam==4?32:128);b<128;b++){int k=b/8,m=0x80>>(b%8); p->a[k]&=~m;}
		p->mask = 1ULL << (r32()%64);
		if (p->dom && p->len == 0) p->dom = 0;
		int dup = 0; for (int j=0;j<np;j++) if (ps[j].fam==p->fam && ps[j].len==p->len && !memcmp(ps[j].a,p->a,16)) dup=1;
		if (!dup) np++;
	}
	/* merged masks like rules_lpm_entries: mask |= masks of enclosing ind prefixes */
	static unsigned long long merged[400];
	for (int i=0;i<np;i++){ merged[i]=ps[i].mask; if (ps[i].dom) continue;
		for (int j=0;j<np;j++) if (!ps[j].dom && ps[j].len < ps[i].len && covers(&ps[j], ps[i].fam, ps[i].a)) merged[i]|=ps[j].mask; }
	for (int i=0;i<np;i++){
		int r = ps[i].dom ? xenv_add_domestic(&e,ps[i].fam,ps[i].a,ps[i].len) : xenv_add_indicator(&e,ps[i].fam,ps[i].a,ps[i].len,merged[i]);
		if (r){ printf("add: %d\n", r); return 1; } }
	for (int t=0;t<20000;t++){
		int fam = r32()%2?4:6; unsigned char s[16], d[16];
		rnd_addr(fam,s,&ps[r32()%np]); rnd_addr(fam,d,&ps[r32()%np]);
		int ds=0, dd=0, bl_s=-1, bl_d=-1; unsigned long long ms=0, md=0;
		for (int i=0;i<np;i++){ if (ps[i].dom){ ds|=covers(&ps[i],fam,s); dd|=covers(&ps[i],fam,d); continue; }
			if (covers(&ps[i],fam,s) && ps[i].len>bl_s){bl_s=ps[i].len; ms=merged[i];}
			if (covers(&ps[i],fam,d) && ps[i].len>bl_d){bl_d=ps[i].len; md=merged[i];} }
		unsigned long long m = (ds?0:ms)|(dd?0:md);
		int exp_sel = !(ds||dd) && m; int exp_slot = exp_sel ? __builtin_ctzll(m) : -1;
		/* frame */
		unsigned char f[128]; memset(f,0,sizeof f); size_t len; f[12]= fam==4?0x08:0x86; f[13]= fam==4?0x00:0xdd;
		if (fam==4){ f[14]=0x45; f[16]=0; f[17]=40; f[22]=64; f[23]=17; memcpy(f+26,s,4); memcpy(f+30,d,4); f[34]=t>>8; f[35]=t; f[36]=0; f[37]=53; f[38]=0; f[39]=20; len=14+40; }
		else { f[14]=0x60; f[18]=0; f[19]=20; f[20]=17; f[21]=64; memcpy(f+22,s,16); memcpy(f+38,d,16); f[54]=t>>8; f[55]=t; f[57]=53; f[59]=20; len=14+60; }
		struct xrun *r = malloc(sizeof *r); xenv_run(&e,f,len,r);
		int got_sel = r->retval == XENV_XDP_REDIRECT; int got_slot=-1;
		if (got_sel){ struct as_meta mm; memcpy(&mm, r->out, sizeof mm); got_slot = mm.magic==AS_META_MAGIC ? mm.slot : -2; }
		tot++; sel+=exp_sel;
		if (got_sel!=exp_sel || (exp_sel && got_slot!=exp_slot)){ if (bad<5) printf("# MISMATCH t=%d fam=%d: expected %d/%d, got %d/%d\n",t,fam,exp_sel,exp_slot,got_sel,got_slot); bad++; }
		free(r);
	}
	printf("%s - flat prefix sets = brute-force LPM: seed %llx%s, %d prefixes, %d packets, %d selected, %d mismatches\n",
	       bad ? "not ok" : "ok", seed, noroot ? "" : " (with /0)", np, tot, sel, bad);
	xenv_close(&e); return bad!=0;
}

int main(void)
{
	int fail = 0;

	fail |= run(88172645463325252ULL, 0);
	fail |= run(0x1234567ULL, 1);
	fail |= run(0xfeedULL, 1);
	return fail;
}
