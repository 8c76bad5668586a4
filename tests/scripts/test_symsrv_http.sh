#!/bin/bash
# test_symsrv_http.sh - the symbol path against a real HTTP symbol server.
#
# Builds a symbol store from the lab's PDBs (one plain PDB, one compressed
# to a .pd_ CAB with gcab, one file.ptr redirection, one file.ptr message,
# one corrupt .pd_), serves it with python3's http.server on a free
# loopback port, and looks each file up through sympath_probe (which calls
# ps_sympath_find_pdb): the file lands in the cache under its key, byte for
# byte the original. Then the server is stopped: a second lookup is served
# from the cache alone, and a file not in the cache gives a clear "cannot
# reach" line and PS_ENOTFOUND (exit status 2). The same store read as a
# local store and as a plain folder gives the same files.
set -u
BUILD=${PS_BUILD_DIR:-build}
PROBE="$BUILD/tests/sympath_probe"
IMAGES="$BUILD/lab/images/x86"
TMP=$(mktemp -d)
SERVER_PID=
cleanup() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
fails=0
passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

[ -x "$PROBE" ] || { echo "FAIL: $PROBE not built" >&2; exit 1; }
for tool in python3 gcab llvm-pdbutil curl; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool missing (scripts/deps.sh installs it)" >&2; exit 1; }
done
for p in ntoskrnl hal SIoctl ci; do
	[ -f "$IMAGES/$p.pdb" ] || { echo "FAIL: $IMAGES/$p.pdb not built (target lab_images)" >&2; exit 1; }
done

# GUID and age as llvm-pdbutil reads them, and the store key computed here
# independently of the library: the GUID's digits in the order printed
# (Data1-Data2-Data3-Data4), then the age in upper-case hex.
guid_of() { llvm-pdbutil dump -summary "$1" | sed -n 's/^ *GUID: *//p'; }
age_of() { llvm-pdbutil dump -summary "$1" | sed -n 's/^ *Age: *//p'; }
key_of() {
	local g a
	g=$(guid_of "$1" | tr -d '{}-' | tr a-f A-F)
	a=$(printf '%X' "$(age_of "$1")")
	echo "$(basename "$1")/$g$a/$(basename "$1")"
}

WWW="$TMP/www"
mkdir -p "$WWW" "$TMP/elsewhere"
# ntoskrnl.pdb: stored as is.
K_NT=$(key_of "$IMAGES/ntoskrnl.pdb")
mkdir -p "$WWW/$(dirname "$K_NT")" && cp "$IMAGES/ntoskrnl.pdb" "$WWW/$K_NT"
# hal.pdb: stored compressed, as hal.pd_ (a CAB holding hal.pdb).
K_HAL=$(key_of "$IMAGES/hal.pdb")
mkdir -p "$WWW/$(dirname "$K_HAL")"
(cd "$IMAGES" && gcab -cz "$WWW/$(dirname "$K_HAL")/hal.pd_" hal.pdb) || bad "gcab failed"
# SIoctl.pdb: a file.ptr pointing at a copy elsewhere on this machine.
K_SI=$(key_of "$IMAGES/SIoctl.pdb")
mkdir -p "$WWW/$(dirname "$K_SI")"
cp "$IMAGES/SIoctl.pdb" "$TMP/elsewhere/SIoctl.pdb"
printf 'PATH:%s\r\n' "$TMP/elsewhere/SIoctl.pdb" >"$WWW/$(dirname "$K_SI")/file.ptr"
# ci.pdb: a file.ptr carrying a message instead of a path.
K_CI=$(key_of "$IMAGES/ci.pdb")
mkdir -p "$WWW/$(dirname "$K_CI")"
printf 'MSG: ci.pdb was withdrawn by the lab\n' >"$WWW/$(dirname "$K_CI")/file.ptr"
# broken.pdb: a .pd_ that is not a cabinet.
K_BROKEN="broken.pdb/0123456789ABCDEF0123456789ABCDEF1/broken.pdb"
mkdir -p "$WWW/broken.pdb/0123456789ABCDEF0123456789ABCDEF1"
head -c 3000 "$IMAGES/ntoskrnl.pdb" >"$WWW/broken.pdb/0123456789ABCDEF0123456789ABCDEF1/broken.pd_"

# The library's key agrees with the one computed above.
got=$("$PROBE" key ntoskrnl.pdb "$(guid_of "$IMAGES/ntoskrnl.pdb")" "$(age_of "$IMAGES/ntoskrnl.pdb")")
[ "$got" = "$K_NT" ] && ok || bad "key: got '$got', expected '$K_NT'"

# The server: python3's http.server on a free loopback port, polled until
# it answers (no fixed sleep).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$WWW" "$PORT" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
up=0
for _ in $(seq 1 200); do
	if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then up=1; break; fi
	kill -0 "$SERVER_PID" 2>/dev/null || break
	sleep 0.05
done
[ "$up" = 1 ] || { echo "FAIL: the HTTP server did not start: $(cat "$TMP/server.log")" >&2; exit 1; }
URL="http://127.0.0.1:$PORT"
CACHE="$TMP/cache"
SYMPATH="srv*$CACHE*$URL"

# probe NAME PDB-FILE SYMPATH: run a lookup; sets $out, $log and $rc.
probe() {
	local name=$1 pdb=$2 path=$3 guid age
	guid=$(guid_of "$pdb")
	age=$(age_of "$pdb")
	out=$("$PROBE" pdb "$path" "$name" "$guid" "$age" 2>"$TMP/log")
	rc=$?
	log=$(cat "$TMP/log")
}
expect_found() { # what name pdb expected-path path
	local what=$1 name=$2 pdb=$3 want=$4 path=$5
	probe "$name" "$pdb" "$path"
	if [ "$rc" != 0 ]; then bad "$what: exit $rc: $log"; return; fi
	[ "$out" = "$want" ] && ok || bad "$what: found '$out', expected '$want'"
	cmp -s "$out" "$pdb" && ok || bad "$what: $out differs from $pdb"
}
has_line() { # what pattern
	if grep -qF -- "$2" <<<"$log"; then ok; else bad "$1: no '$2' in the log:"$'\n'"$log"; fi
}

# 1. Downloads into srv*CACHE*URL.
expect_found "plain download" ntoskrnl.pdb "$IMAGES/ntoskrnl.pdb" "$CACHE/$K_NT" "$SYMPATH"
has_line "plain download" "GET $URL/$K_NT - HTTP 200, $(stat -c %s "$IMAGES/ntoskrnl.pdb") bytes, saved to $CACHE/$K_NT"

expect_found ".pd_ download" hal.pdb "$IMAGES/hal.pdb" "$CACHE/$K_HAL" "$SYMPATH"
has_line ".pd_ download" "GET $URL/$K_HAL - HTTP 404, not found"
has_line ".pd_ download" "GET $URL/$(dirname "$K_HAL")/hal.pd_ - decompressed to $CACHE/$K_HAL"
[ ! -e "$CACHE/$(dirname "$K_HAL")/hal.pd_" ] && ok || bad ".pd_ download: the CAB was left in the cache"

expect_found "file.ptr download" SIoctl.pdb "$IMAGES/SIoctl.pdb" "$CACHE/$K_SI" "$SYMPATH"
has_line "file.ptr download" "GET $URL/$(dirname "$K_SI")/file.ptr - points at $TMP/elsewhere/SIoctl.pdb, copied to $CACHE/$K_SI"

# 2. What the server does not have, or only has a message for.
probe ci.pdb "$IMAGES/ci.pdb" "$SYMPATH"
[ "$rc" = 2 ] && ok || bad "MSG file.ptr: exit $rc, expected 2"
has_line "MSG file.ptr" "message from the server: ci.pdb was withdrawn by the lab"
has_line "MSG file.ptr" "error: $K_CI: not found on the symbol path"

out=$("$PROBE" pdb "$SYMPATH" nothere.pdb '{11111111-2222-3333-4444-555555555555}' 1 2>"$TMP/log"); rc=$?; log=$(cat "$TMP/log")
[ "$rc" = 2 ] && ok || bad "404: exit $rc, expected 2"
has_line "404" "GET $URL/nothere.pdb/11111111222233334444555555555555" # the prefix of all three
[ "$(grep -c 'HTTP 404, not found' <<<"$log")" = 3 ] && ok || bad "404: expected 3 attempts (file, .pd_, file.ptr):"$'\n'"$log"
[ ! -e "$CACHE/nothere.pdb" ] && ok || bad "404: empty directories left in the cache"

out=$("$PROBE" pdb "$SYMPATH" broken.pdb '{01234567-89AB-CDEF-0123-456789ABCDEF}' 1 2>"$TMP/log"); rc=$?; log=$(cat "$TMP/log")
[ "$rc" = 2 ] && ok || bad "corrupt .pd_: exit $rc, expected 2"
has_line "corrupt .pd_" "cannot decompress"
[ -z "$(find "$CACHE/broken.pdb" -type f 2>/dev/null)" ] && ok || bad "corrupt .pd_: files left in the cache"

# 3. srv*URL alone downloads into the default store under XDG_CACHE_HOME.
out=$(XDG_CACHE_HOME="$TMP/xdg" "$PROBE" pdb "srv*$URL" ntoskrnl.pdb "$(guid_of "$IMAGES/ntoskrnl.pdb")" "$(age_of "$IMAGES/ntoskrnl.pdb")" 2>"$TMP/log"); rc=$?
[ "$rc" = 0 ] && [ "$out" = "$TMP/xdg/poolscope/symbols/$K_NT" ] && ok || bad "default cache: exit $rc, '$out'"
# cache*DIR catches what a later srv*URL downloads.
out=$("$PROBE" pdb "cache*$TMP/c2;srv*$URL" hal.pdb "$(guid_of "$IMAGES/hal.pdb")" "$(age_of "$IMAGES/hal.pdb")" 2>"$TMP/log"); rc=$?
[ "$rc" = 0 ] && [ "$out" = "$TMP/c2/$K_HAL" ] && cmp -s "$out" "$IMAGES/hal.pdb" && ok || bad "cache*DIR: exit $rc, '$out'"

# 4. Stop the server: the cache answers alone, without a single request.
kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null
SERVER_PID=
expect_found "cached plain" ntoskrnl.pdb "$IMAGES/ntoskrnl.pdb" "$CACHE/$K_NT" "$SYMPATH"
expect_found "cached .pd_" hal.pdb "$IMAGES/hal.pdb" "$CACHE/$K_HAL" "$SYMPATH"
expect_found "cached file.ptr" SIoctl.pdb "$IMAGES/SIoctl.pdb" "$CACHE/$K_SI" "$SYMPATH"
grep -q "GET" <<<"$log" && bad "cached: a request was made:"$'\n'"$log" || ok

# 5. A refused connection: one attempt, a clear line, not found.
probe ci.pdb "$IMAGES/ci.pdb" "$SYMPATH"
[ "$rc" = 2 ] && ok || bad "refused: exit $rc, expected 2"
has_line "refused" "GET $URL/$K_CI - cannot reach the server:"
has_line "refused" "(no network?)"
[ "$(grep -c 'GET' <<<"$log")" = 1 ] && ok || bad "refused: expected one attempt:"$'\n'"$log"

# 6. The same store as a local store (srv*CACHE*DIR) and a plain folder.
LCACHE="$TMP/lcache"
expect_found "local plain" ntoskrnl.pdb "$IMAGES/ntoskrnl.pdb" "$LCACHE/$K_NT" "srv*$LCACHE*$WWW"
expect_found "local .pd_" hal.pdb "$IMAGES/hal.pdb" "$LCACHE/$K_HAL" "srv*$LCACHE*$WWW"
expect_found "local file.ptr" SIoctl.pdb "$IMAGES/SIoctl.pdb" "$LCACHE/$K_SI" "srv*$LCACHE*$WWW"
expect_found "folder as store" ntoskrnl.pdb "$IMAGES/ntoskrnl.pdb" "$WWW/$K_NT" "$WWW"
expect_found "flat folder" ntoskrnl.pdb "$IMAGES/ntoskrnl.pdb" "$IMAGES/ntoskrnl.pdb" " ; $TMP/empty ;$IMAGES/ "
has_line "flat folder" "$TMP/empty - no such folder"

# 7. A flat folder holding another build's PDB under the name: the plain
# lookup returns it (the caller checks identity), the verified one opens it,
# sees another GUID and goes on to the store.
mkdir -p "$TMP/wrong"
cp "$IMAGES/hal.pdb" "$TMP/wrong/ntoskrnl.pdb"
out=$("$PROBE" pdb "$TMP/wrong;srv*$TMP/vcache*$WWW" ntoskrnl.pdb "$(guid_of "$IMAGES/ntoskrnl.pdb")" "$(age_of "$IMAGES/ntoskrnl.pdb")" 2>/dev/null); rc=$?
[ "$rc" = 0 ] && [ "$out" = "$TMP/wrong/ntoskrnl.pdb" ] && ok || bad "unverified: exit $rc, '$out'"
out=$("$PROBE" pdbv "$TMP/wrong;srv*$TMP/vcache*$WWW" ntoskrnl.pdb "$(guid_of "$IMAGES/ntoskrnl.pdb")" "$(age_of "$IMAGES/ntoskrnl.pdb")" 2>"$TMP/log"); rc=$?; log=$(cat "$TMP/log")
[ "$rc" = 0 ] && [ "$out" = "$TMP/vcache/$K_NT" ] && cmp -s "$out" "$IMAGES/ntoskrnl.pdb" && ok || bad "verified: exit $rc, '$out':"$'\n'"$log"
has_line "verified" "$TMP/wrong/ntoskrnl.pdb - rejected by the caller (identity does not match)"

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
