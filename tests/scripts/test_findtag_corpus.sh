#!/usr/bin/env bash
# test_findtag_corpus.sh - `poolscope findtag` over the findtag corpus
# (lab/images/findtag/findtag_drv.c built by clang and mingw-w64 gcc at
# -O0, -O2 and -Os for x86 and x64: twelve drivers).
#
# For every tag of the corpus and every build, the site the source holds
# must be confirmed with its allocator, pool type, size and loop flag, and
# the hits that are no allocation must be listed apart with their reason.
# One case cannot be found by any byte search and is checked as such: at
# -O2 and -Os both compilers compute `Which & 1 ? 'FtR1' : 'FtR2'` as
# 'FtR1' + (carry ? 0x1000000 : 0), so the bytes of FtR2 are nowhere in
# those images (its FtR1 twin is still confirmed, through the sbb/sete
# arithmetic). Then the whole report for every tag is compared with
# tests/golden/findtag/corpus.txt (PS_UPDATE_GOLDEN=1 to refresh, then
# review the diff).
set -u

build=${PS_BUILD_DIR:?PS_BUILD_DIR not set}
src=${PS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin="$build/poolscope"
corpus="$build/lab/images/findtag"
golden="$src/tests/golden/findtag/corpus.txt"

[ -x "$bin" ] || { echo "FAIL: $bin not built"; exit 1; }
builds=()
for cc in clang gcc; do
	for arch in x86 x64; do
		for opt in O0 O2 Os; do
			builds+=("${cc}_${arch}_${opt}")
			[ -f "$corpus/findtag_${cc}_${arch}_${opt}.sys" ] ||
				{ echo "FAIL: corpus image findtag_${cc}_${arch}_${opt}.sys not built"; exit 1; }
		done
	done
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Relative names, so the report does not depend on the build directory.
mkdir "$work/corpus"
cp "$corpus"/findtag_*.sys "$corpus"/findtag_*.pdb "$work/corpus/"
cd "$work" || exit 1

fail=0 checks=0
run() { # TAG -> out-TAG.txt, exit status checked against $2
	"$bin" findtag "$1" corpus >"out-$1.txt" 2>"err-$1.txt"
	local rc=$?
	if [ "$rc" != "$2" ]; then
		echo "FAIL: findtag $1 exited $rc, expected $2"
		cat "err-$1.txt"
		fail=$((fail + 1))
	fi
}

# expect TAG BUILD COUNT TEXT: the report has COUNT lines for BUILD's image
# containing TEXT.
expect() {
	local n
	n=$(grep -F "corpus/findtag_$2.sys " "out-$1.txt" | grep -cF -- "$4")
	checks=$((checks + 1))
	if [ "$n" != "$3" ]; then
		echo "FAIL: $1 in findtag_$2.sys: $n lines with '$4', expected $3"
		grep -F "corpus/findtag_$2.sys " "out-$1.txt" | sed 's/^/    /'
		fail=$((fail + 1))
	fi
}

# lines TAG BUILD COUNT: BUILD's image has COUNT lines in all.
lines() {
	local n
	n=$(grep -cF "corpus/findtag_$2.sys " "out-$1.txt")
	checks=$((checks + 1))
	if [ "$n" != "$3" ]; then
		echo "FAIL: $1 in findtag_$2.sys: $n lines, expected $3"
		fail=$((fail + 1))
	fi
}

site() { # TAG DESCRIPTION LOOP(yes|no): one site per build, nothing else
	local tag=$1 desc=$2 loop=$3 b
	run "$tag" 0
	for b in "${builds[@]}"; do
		if [ "$loop" = yes ]; then
			expect "$tag" "$b" 1 "$desc  in a loop"
		else
			expect "$tag" "$b" 1 "$desc"
			expect "$tag" "$b" 0 "in a loop"
		fi
	done
}

site FtWr "ExAllocatePoolWithTag(NonPagedPool, ?, 'FtWr')" no
site FtPt "ExAllocatePoolWithTag(PagedPool, 0x80, 'FtPt')  via " no
site FtNl "ExInitializeNPagedLookasideList(NonPagedPool, 0x40, 'FtNl')" no
site FtPl "ExInitializePagedLookasideList(PagedPool, 0x60, 'FtPl')" no
site FtQu "ExAllocatePoolWithQuotaTag(PagedPool, 0x30, 'FtQu')" no
site FtPr "ExAllocatePoolWithTagPriority(NonPagedPool, 0x50, 'FtPr')" no
site FtP2 "ExAllocatePool2(POOL_FLAG_PAGED, 0x70, 'FtP2')" no
site FtR1 "ExAllocatePoolWithTag(NonPagedPool, 0x20, 'FtR1')" no
for t in FtWr FtPt FtNl FtPl FtQu FtPr FtP2 FtR1; do
	for b in "${builds[@]}"; do lines "$t" "$b" 1; done
done

# The wrapper FtAllocTag is named from the PDB where there is one.
for b in clang_x86_O0 clang_x86_O2 clang_x86_Os clang_x64_O0 clang_x64_O2 clang_x64_Os; do
	expect FtPt "$b" 1 "via findtag_$b!FtAllocTag"
	expect FtWr "$b" 1 "findtag_$b!FtAlloc"
done

# The loop: one allocation site in a loop per build; the frees of the same
# tag are hits apart (clang -O2 unrolls the free loop: one per buffer).
run FtLp 0
for b in "${builds[@]}"; do
	expect FtLp "$b" 1 "ExAllocatePoolWithTag(PagedPool, 0x1000, 'FtLp')  in a loop"
	expect FtLp "$b" 0 "ExAllocatePoolWithTag(PagedPool, 0x1000, 'FtLp')  via"
done
for b in clang_x86_O0 clang_x86_Os clang_x64_O0 clang_x64_Os gcc_x86_O0 gcc_x86_O2 gcc_x86_Os \
	gcc_x64_O0 gcc_x64_O2 gcc_x64_Os; do
	expect FtLp "$b" 1 "code: passed to ExFreePoolWithTag, not an allocator"
done
for b in clang_x86_O2 clang_x64_O2; do
	expect FtLp "$b" 16 "code: passed to ExFreePoolWithTag, not an allocator"
done

# FtR2: found at -O0; at -O2/-Os the compilers fold it away (see the top).
run FtR2 0
for b in clang_x86_O0 clang_x64_O0 gcc_x86_O0 gcc_x64_O0; do
	expect FtR2 "$b" 1 "ExAllocatePoolWithTag(NonPagedPool, 0x20, 'FtR2')"
done
for b in clang_x86_O2 clang_x86_Os clang_x64_O2 clang_x64_Os gcc_x86_O2 gcc_x86_Os gcc_x64_O2 gcc_x64_Os; do
	lines FtR2 "$b" 0
	if LC_ALL=C grep -q 'FtR2' "corpus/findtag_$b.sys"; then
		echo "FAIL: findtag_$b.sys holds the bytes FtR2: the folded case is no longer folded, test it as a site"
		fail=$((fail + 1))
	fi
done

# No allocation: a comparison in code, and a string table.
run FtCt 1
run FtDt 1
for b in "${builds[@]}"; do
	expect FtCt "$b" 1 "code: reaches no allocator's Tag argument"
	lines FtCt "$b" 1
	expect FtDt "$b" 1 "data in .rdata"
	lines FtDt "$b" 1
done
grep -q "^Tag FtCt (0x74437446) in 12 images: no confirmed allocation site, 12 unconfirmed hits$" out-FtCt.txt ||
	{ echo "FAIL: FtCt summary line"; head -1 out-FtCt.txt; fail=$((fail + 1)); }

# A single file, a numeric tag, and the usage errors.
"$bin" findtag 0x704C7446 corpus/findtag_gcc_x86_O2.sys >one.txt 2>&1
grep -qF "corpus/findtag_gcc_x86_O2.sys  findtag_gcc_x86_O2+0x1060  ExAllocatePoolWithTag(PagedPool, 0x1000, 'FtLp')  in a loop" one.txt ||
	{ echo "FAIL: numeric tag on one file"; cat one.txt; fail=$((fail + 1)); }
"$bin" findtag TOOLONG corpus >/dev/null 2>&1; [ $? = 2 ] || { echo "FAIL: a 7-character tag is no usage error"; fail=$((fail + 1)); }
"$bin" findtag MSKK no-such-dir >/dev/null 2>&1; [ $? = 2 ] || { echo "FAIL: a missing path is no usage error"; fail=$((fail + 1)); }
"$bin" findtag MSKK >/dev/null 2>&1; [ $? = 2 ] || { echo "FAIL: no path is no usage error"; fail=$((fail + 1)); }

# The whole report, byte for byte.
: >all.txt
for t in FtLp FtWr FtPt FtNl FtPl FtQu FtPr FtP2 FtR1 FtR2 FtCt FtDt; do
	cat "out-$t.txt" >>all.txt
done
if [ "${PS_UPDATE_GOLDEN:-0}" = 1 ]; then
	cp all.txt "$golden"
	echo "updated $golden"
elif ! diff -u "$golden" all.txt; then
	echo "FAIL: the corpus report differs from $golden"
	fail=$((fail + 1))
fi

echo "$((checks - fail)) passed, $fail failed"
[ "$fail" = 0 ]
