#!/bin/sh
# scripts/fuzz.sh: `make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="render json"]`.
#
# Builds every fuzz/fuzz_<name>.c as a libFuzzer binary (clang
# -fsanitize=fuzzer,address,undefined) into build/fuzz/, linked with the
# core's sources (core/*.c except the drivers, so pg/mysql dialect files are
# picked up as they land), and runs each for FUZZ_SECONDS seconds, FUZZ_JOBS
# at a time (default: the number of cores), on a working corpus in
# build/fuzz/work/<name> seeded from fuzz/corpus/<name> (the repo's seeds are
# only read). A crash leaves its input in build/fuzz/artifacts/.
#
# fuzz_json also needs the static Lua 5.4 library (liblua5.4-dev).
# Counts: build/counts/fuzz gets "passed failed 0" over the targets;
# build/fuzz/stats has one line per target: "<name> <executions> <status>".
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECONDS_EACH=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
CC_FUZZ=${FUZZ_CC:-clang}
OUT=$ROOT/build/fuzz
mkdir -p "$OUT/artifacts" "$OUT/work" "$ROOT/build/counts"
: > "$OUT/stats"

if ! command -v "$CC_FUZZ" >/dev/null 2>&1; then
  echo "fuzz: $CC_FUZZ not found (scripts/deps.sh installs clang)" >&2
  echo "0 1 0" > "$ROOT/build/counts/fuzz"; exit 1
fi

FLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -DDZ_DEBUG"
CORE_SRCS=$(ls core/*.c | grep -v '/driver')
LUA_INC=$(pkg-config --cflags lua5.4 2>/dev/null || echo -I/usr/include/lua5.4)
LUA_A=$(for d in $(pkg-config --variable=libdir lua5.4 2>/dev/null) /usr/lib/x86_64-linux-gnu /usr/lib; do
          [ -f "$d/liblua5.4.a" ] && echo "$d/liblua5.4.a" && break; done)

TARGETS=${FUZZ_TARGETS:-$(ls fuzz/fuzz_*.c | sed 's|fuzz/fuzz_||; s|\.c$||' | tr '\n' ' ')}
pass=0; fail=0

build() {  # build <name>
  src=fuzz/fuzz_$1.c
  case "$1" in
    json) [ -n "$LUA_A" ] || { echo "fuzz: no liblua5.4.a for fuzz_json" >&2; return 1; }
          $CC_FUZZ $FLAGS $LUA_INC -Ilua/drizzle -o "$OUT/fuzz_$1" "$src" lua/drizzle/json.c "$LUA_A" -lm ;;
    *)    $CC_FUZZ $FLAGS -Icore/include -Icore -o "$OUT/fuzz_$1" "$src" $CORE_SRCS ;;
  esac
}

run() {    # run <name>: writes $OUT/<name>.log and $OUT/<name>.rc
  mkdir -p "$OUT/work/$1"
  seeds=fuzz/corpus/$1; [ -d "$seeds" ] || seeds=
  "$OUT/fuzz_$1" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -timeout=20 -rss_limit_mb=2048 \
    -max_len=16384 -artifact_prefix="$OUT/artifacts/$1-" "$OUT/work/$1" $seeds >"$OUT/$1.log" 2>&1
  echo $? > "$OUT/$1.rc"
}

built=""
for t in $TARGETS; do
  if build "$t" >"$OUT/$t.build.log" 2>&1; then built="$built $t"
  else cat "$OUT/$t.build.log"; echo "fuzz $t: BUILD FAILED"; echo "$t 0 build-failed" >> "$OUT/stats"; fail=$((fail+1)); fi
done

echo "== fuzz: $SECONDS_EACH s per target, $JOBS at a time:$built =="
set -- $built
while [ $# -gt 0 ]; do
  i=0; batch=""
  while [ $# -gt 0 ] && [ $i -lt "$JOBS" ]; do run "$1" & batch="$batch $1"; shift; i=$((i+1)); done
  wait
  for t in $batch; do
    rc=$(cat "$OUT/$t.rc" 2>/dev/null || echo 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/$t.log" | tail -n 1)
    if [ "$rc" -eq 0 ]; then
      echo "fuzz $t: ok, ${execs:-?} executions"; pass=$((pass+1)); echo "$t ${execs:-0} ok" >> "$OUT/stats"
    else
      echo "fuzz $t: FAILED (exit $rc), ${execs:-?} executions; log $OUT/$t.log"
      grep -E -A30 'ERROR: |runtime error|deadly signal' "$OUT/$t.log" | head -60
      fail=$((fail+1)); echo "$t ${execs:-0} failed" >> "$OUT/stats"
    fi
  done
done
echo "$pass $fail 0" > "$ROOT/build/counts/fuzz"
echo "fuzz: $pass passed, $fail failed"
[ $fail -eq 0 ]
