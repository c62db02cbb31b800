#!/usr/bin/env bash
# pool_submit_bounds.sh — a SUBMIT the judging engine would refuse is
# refused at intake (bad_request), never acknowledged: a source over
# JP_SOURCE_MAX_BYTES, a source name outside jp_safe_name (the broker used
# to take any jp_check_path name, "dir/main.c" or ".x.c"), a SUBMIT whose
# JOB would not fit in a frame. Each used to be ACKed, then refused by
# every worker in turn (3 attempts) before ending IE.
. "$(dirname "$0")/lib.sh"
start_broker
MAX=$((4 * 1024 * 1024))
out=$("$BIN/pool_rawclient" "$CLIENTS" "subx:sb-1:c:main.c:$MAX" "subx:sb-2:c:main.c:$((MAX + 1))" \
  "subx:sb-3:c:dir/main.c:10" "subx:sb-4:c:.x.c:10" "subx:sb-5:c:a%b.c:10" "subx:sb-6:c:Main+x_1-2.c:10") ||
  fail "unanswered: $out"
[ "$out" = "1 ACK dup=0
2 ERROR bad_request
3 ERROR bad_request
4 ERROR bad_request
5 ERROR bad_request
6 ACK dup=0" ] || fail "source bounds: $out"
# a SUBMIT frame 30 bytes under the cap: it arrives, but its JOB (header up
# to JP_PROTO_JOB_HEADER_MAX) might not fit
out=$("$BIN/pool_rawclient" "$CLIENTS" "fill:sb-7:$((64 * 1024 * 1024 - 30))") || fail "unanswered: $out"
[ "$out" = "1 ERROR bad_request" ] || fail "a SUBMIT whose JOB would not fit: $out"
kill -0 $BROKER_PID || fail "broker died"
[ "$(sqlite3 "$T/data/journal.db" "select group_concat(id) from (select id from subs order by id)")" = "sb-1,sb-6" ] ||
  fail "journaled: $(sqlite3 "$T/data/journal.db" "select id from subs")"
echo "pool_submit_bounds: ok"
