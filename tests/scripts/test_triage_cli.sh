#!/usr/bin/env bash
# test_triage_cli.sh - the poolscope program's options, errors and
# interactive mode (stdin not a terminal) on the real triage dump.
set -u

build=${PS_BUILD_DIR:?PS_BUILD_DIR not set}
shared=${PS_SHARED_DIR:?PS_SHARED_DIR not set}
dump="$shared/data/triage_x64.dmp"
bin="$build/poolscope"
fail=0

check() { # name, condition result
	if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}

export TZ=UTC

out=$("$bin" --version); check "--version prints the version" $([[ "$out" =~ ^poolscope\ [0-9]+\.[0-9]+\.[0-9]+$ ]]; echo $?)
out=$("$bin" --help); check "--help shows usage" $([[ "$out" == usage:\ poolscope\ -z* ]]; echo $?)

"$bin" >/dev/null 2>&1; rc=$?
check "no dump is a usage error (exit 2)" $([ $rc -eq 2 ]; echo $?)

err=$("$bin" -z /nonexistent.dmp -c q 2>&1 >/dev/null); rc=$?
check "a missing file fails (exit 1)" $([ $rc -eq 1 ]; echo $?)
check "and names the file" $([[ "$err" == *"/nonexistent.dmp"* ]]; echo $?)

# -c echoes each command with the prompt before its output.
out=$("$bin" -z "$dump" -c ".bugcheck ; q; .bugcheck")
expected='0: kd> .bugcheck
Bugcheck code 1000007E
Arguments ffffffff`c0000005 fffff804`8b58334c ffff8504`29891ee8 ffff8504`29891720
0: kd> q
quit:'
check "-c runs commands in order and stops at q" $([ "$out" = "$expected" ]; echo $?)

# Interactive mode reads stdin; without a terminal it echoes like a kd log.
out=$(printf '.bugcheck\nq\n.bugcheck\n' | "$bin" -z "$dump")
check "interactive mode prints the banner" $([[ "$out" == *"Mini Kernel Dump File: Only registers and stack trace are available"* ]]; echo $?)
check "interactive mode echoes the prompt and command" $([[ "$out" == *"0: kd> .bugcheck
Bugcheck code 1000007E"* ]]; echo $?)
n=$(printf '%s\n' "$out" | grep -c '^Bugcheck code')
check "interactive mode stops at q" $([ "$n" -eq 1 ]; echo $?)

# End of input ends the session too, and no history file is needed.
out=$(printf 'r rip\n' | HOME= "$bin" -z "$dump")
check "end of input ends the session" $([[ "$out" == *"rip=fffff8048b58334c"* ]]; echo $?)

exit $fail
