#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
The import graph of one source directory (default user/): files as rooms,
arrows from a unit to the units it needs, and the circles among them.

A unit is NAME.c with its NAME.h.  Two kinds of arrow:

  include  NAME.c or NAME.h has #include "OTHER.h" (OTHER != NAME)
  call     NAME.o uses a symbol that OTHER.o defines (nm: U in one,
           T/D/B/R in the other), i.e. a non-static function or object

Calls are read from the objects, so build first (make -C user).  A
header without a .c of its own (autoselctl.h) is a unit too.

  scripts/import-graph.py [--dir user] [--obj build/user] [--dot]

Prints the arrows, then every strongly connected component of more than
one unit ("circle"); exits 1 if there is one.  --dot writes Graphviz.
"""
import argparse
import os
import re
import subprocess
import sys

INC = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def units(src):
	names = set()
	for f in os.listdir(src):
		base, ext = os.path.splitext(f)
		if ext in ('.c', '.h'):
			names.add(base)
	return names


def includes(src, names):
	arrows = {}
	for f in sorted(os.listdir(src)):
		base, ext = os.path.splitext(f)
		if ext not in ('.c', '.h'):
			continue
		with open(os.path.join(src, f), encoding='utf-8') as fh:
			for line in fh:
				m = INC.match(line)
				if not m:
					continue
				inc = os.path.basename(m.group(1))
				other = os.path.splitext(inc)[0]
				# only this directory's own headers
				if (m.group(1) != inc or other not in names or
				    other == base):
					continue
				arrows.setdefault((base, other), set()).add(inc)
	return arrows


def nm(path):
	out = subprocess.run(['nm', path], check=True, capture_output=True,
			     text=True).stdout
	defined, used = set(), set()
	for line in out.splitlines():
		parts = line.split()
		if len(parts) == 2 and parts[0] == 'U':
			used.add(parts[1])
		elif len(parts) == 3 and parts[1] in 'TDBRV':
			defined.add(parts[2])
	return defined, used


def calls(obj, names):
	defs, uses = {}, {}
	for f in sorted(os.listdir(obj)):
		base, ext = os.path.splitext(f)
		if ext == '.o' and base in names:
			defs[base], uses[base] = nm(os.path.join(obj, f))
	owner = {}
	for u, syms in defs.items():
		for s in syms:
			owner[s] = u
	arrows = {}
	for u, syms in uses.items():
		for s in syms:
			o = owner.get(s)
			if o and o != u:
				arrows.setdefault((u, o), set()).add(s)
	return arrows


def circles(nodes, edges):
	"""Tarjan: strongly connected components of more than one node."""
	succ = {n: sorted({b for a, b in edges if a == n}) for n in nodes}
	index, low, stack, on, out = {}, {}, [], set(), []
	counter = [0]

	def visit(v):
		index[v] = low[v] = counter[0]
		counter[0] += 1
		stack.append(v)
		on.add(v)
		for w in succ[v]:
			if w not in index:
				visit(w)
				low[v] = min(low[v], low[w])
			elif w in on:
				low[v] = min(low[v], index[w])
		if low[v] == index[v]:
			comp = []
			while True:
				w = stack.pop()
				on.discard(w)
				comp.append(w)
				if w == v:
					break
			if len(comp) > 1:
				out.append(sorted(comp))

	sys.setrecursionlimit(10000)
	for n in sorted(nodes):
		if n not in index:
			visit(n)
	return sorted(out)


def main():
	ap = argparse.ArgumentParser(description=__doc__.split('\n')[1])
	ap.add_argument('--dir', default='user')
	ap.add_argument('--obj', default='build/user')
	ap.add_argument('--dot', action='store_true')
	a = ap.parse_args()

	names = units(a.dir)
	inc = includes(a.dir, names)
	cal = calls(a.obj, names)
	edges = set(inc) | set(cal)

	if a.dot:
		print('digraph "%s" {' % a.dir)
		for e in sorted(edges):
			style = '' if e in cal else ' [style=dashed]'
			print('\t"%s" -> "%s"%s;' % (e[0], e[1], style))
		print('}')
	else:
		for e in sorted(edges):
			what = []
			if e in inc:
				what.append('include ' + ','.join(sorted(inc[e])))
			if e in cal:
				syms = sorted(cal[e])
				more = ' +%d' % (len(syms) - 4) if len(syms) > 4 else ''
				what.append('call ' + ','.join(syms[:4]) + more)
			print('%-12s -> %-12s %s' % (e[0], e[1], '; '.join(what)))
	found = circles(names, edges)
	for c in found:
		print('circle: ' + ' '.join(c), file=sys.stderr)
	if not found:
		print('no circle', file=sys.stderr)
	return 1 if found else 0


if __name__ == '__main__':
	sys.exit(main())
