#!/bin/sh
# scripts/check_memory.sh: `make check-memory`.
#
#   1. builds the core, the binding (lua5.4) and spec/c under
#      -fsanitize=address,undefined into build/asan/ (build/ is untouched),
#      runs spec/c there and the whole busted suite on lua5.4 with the
#      sanitizer runtime preloaded into the interpreter (leaks detected);
#   2. runs the SQLite specs under valgrind memcheck against the ordinary
#      build (build/lua5.4): zero errors, zero definite leaks.
#
# How build/asan is made without a second copy of the Makefile rules:
# build/asan/tree holds symlinks to core/, lua/, spec/, scripts/ and the
# Makefile, and `make -C build/asan/tree` builds there with the sanitizer
# flags, so every rule (and any driver block added later) applies as is.
#
# Counts ("passed failed skipped" lines, summed by `make test`) go to
# build/counts/: memcheck-asan-ctest, memcheck-asan-busted, memcheck-valgrind
# (the busted counts of the valgrind run) and memcheck-verdict (one line per
# tool: 1 passed when the tool found nothing, 1 failed otherwise).
#
# Environment: CHECK_MEMORY_CC (default clang, else gcc), VALGRIND_SPECS
# (default: every spec/*sqlite*_spec.lua), SKIP_VALGRIND=1, SKIP_ASAN=1.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
LUA=lua5.4
BUSTED=${BUSTED:-$(command -v busted || echo /usr/bin/busted)}
COUNTS=$ROOT/build/counts
mkdir -p "$COUNTS"
rm -f "$COUNTS"/memcheck-*
rc=0

verdict() {   # verdict <name> <ok 0|1>
  if [ "$2" -eq 0 ]; then echo "1 0 0" >> "$COUNTS/memcheck-verdict"; echo "check-memory: $1: ok"
  else echo "0 1 0" >> "$COUNTS/memcheck-verdict"; echo "check-memory: $1: FAILED"; rc=1; fi
}

LUA_PATH_RUN="$ROOT/lua/?.lua;$ROOT/lua/?/init.lua;;"

# ------------------------------------------------------------------ ASan/UBSan
if [ -z "${SKIP_ASAN:-}" ]; then
  CC_SAN=${CHECK_MEMORY_CC:-$(command -v clang >/dev/null 2>&1 && echo clang || echo gcc)}
  case "$CC_SAN" in
    *clang*) RT=$($CC_SAN -print-file-name=libclang_rt.asan-x86_64.so) ;;
    *)       RT=$($CC_SAN -print-file-name=libasan.so) ;;
  esac
  if [ ! -f "$RT" ]; then
    echo "check-memory: no ASan runtime for $CC_SAN ($RT); install libclang-rt-14-dev (scripts/deps.sh)" >&2
    verdict "asan runtime" 1
  else
    TREE=$ROOT/build/asan/tree
    mkdir -p "$TREE"
    for f in core lua spec scripts examples Makefile; do ln -sfn "$ROOT/$f" "$TREE/$f"; done
    SANFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -DDZ_DEBUG"
    # -shared-libasan: the module resolves the runtime from the preloaded copy
    case "$CC_SAN" in *clang*) LINKSAN="-shared -fsanitize=address,undefined -shared-libasan" ;;
                      *)       LINKSAN="-shared -fsanitize=address,undefined" ;; esac
    if ! make -C "$TREE" --no-print-directory build LUA=$LUA CC="$CC_SAN" OPTFLAGS="$SANFLAGS" LIBFLAG="$LINKSAN" >"$ROOT/build/asan/build.log" 2>&1; then
      cat "$ROOT/build/asan/build.log"
      verdict "asan build" 1
    else
      export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:exitcode=86:detect_stack_use_after_return=0:suppressions=$ROOT/scripts/asan.supp"
      export LSAN_OPTIONS="suppressions=$ROOT/scripts/lsan.supp:print_suppressions=0"
      export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
      # spec/c under the sanitizers (the C alloc-failure test among them)
      make -C "$TREE" --no-print-directory ctest CC="$CC_SAN" OPTFLAGS="$SANFLAGS" >"$ROOT/build/asan/ctest.log" 2>&1
      crc=$?
      grep -E '^ctest ' "$ROOT/build/asan/ctest.log"
      if [ -s "$TREE/build/counts/ctest" ]; then cp "$TREE/build/counts/ctest" "$COUNTS/memcheck-asan-ctest"
      else echo "0 1 0" > "$COUNTS/memcheck-asan-ctest"; fi
      if [ $crc -ne 0 ]; then tail -n 60 "$ROOT/build/asan/ctest.log"; fi
      verdict "asan+ubsan spec/c" $crc
      # the busted suite, interpreter preloaded with the runtime
      echo "== busted on $LUA under ASan+UBSan (preload $RT) =="
      # MariaDB Connector/C allocates its one-time globals under pthread_once
      # and frees them only in mysql_library_end(), which a module cannot call
      # safely (Lua unloads it before exit). Preloading the library keeps it
      # mapped, so those blocks stay attributed to it and scripts/lsan.supp
      # can name them; nothing of drizzle-c's is suppressed.
      MARIADB_SO=$(ldconfig -p 2>/dev/null | awk '/libmariadb\.so\.3 /{print $NF; exit}')
      LD_PRELOAD="$RT${MARIADB_SO:+:$MARIADB_SO}" LUA_PATH="$LUA_PATH_RUN" LUA_CPATH="$TREE/build/$LUA/?.so;;" \
        DZ_BUSTED_COUNTS="$COUNTS/memcheck-asan-busted" DZ_ASAN=1 \
        $LUA "$BUSTED" --pattern=_spec -o "$ROOT/scripts/busted_counts.lua" spec >"$ROOT/build/asan/busted.log" 2>&1
      brc=$?
      tail -n 3 "$ROOT/build/asan/busted.log"
      if [ $brc -ne 0 ]; then
        grep -n -A40 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$ROOT/build/asan/busted.log" | head -120
        grep -E '^(Failure|Error) ->' -A6 "$ROOT/build/asan/busted.log" | head -60
      fi
      [ -s "$COUNTS/memcheck-asan-busted" ] || echo "0 1 0" > "$COUNTS/memcheck-asan-busted"
      verdict "asan+ubsan busted ($LUA, exit $brc)" $brc
    fi
  fi
fi

# -------------------------------------------------------------------- valgrind
if [ -z "${SKIP_VALGRIND:-}" ]; then
  if ! command -v valgrind >/dev/null 2>&1; then
    echo "check-memory: valgrind not installed (scripts/deps.sh)" >&2
    verdict "valgrind" 1
  elif ! make --no-print-directory build LUA=$LUA >/dev/null; then
    verdict "valgrind build" 1
  else
    SPECS=${VALGRIND_SPECS:-$(ls spec/*sqlite*_spec.lua | tr '\n' ' ')}
    echo "== busted on $LUA under valgrind memcheck: $SPECS =="
    LUA_PATH="$LUA_PATH_RUN" LUA_CPATH="$ROOT/build/$LUA/?.so;;" \
      DZ_BUSTED_COUNTS="$COUNTS/memcheck-valgrind" DZ_VALGRIND=1 \
      valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite \
        --error-exitcode=1 --num-callers=30 --log-file="$ROOT/build/valgrind.log" \
        $LUA "$BUSTED" -o "$ROOT/scripts/busted_counts.lua" $SPECS >"$ROOT/build/valgrind-busted.log" 2>&1
    vrc=$?
    tail -n 3 "$ROOT/build/valgrind-busted.log"
    grep -E 'ERROR SUMMARY|definitely lost' "$ROOT/build/valgrind.log"
    if [ $vrc -ne 0 ]; then grep -B2 -A30 -E '^==[0-9]+== (Invalid|Conditional|Use of|[0-9,]+ bytes in [0-9,]+ blocks are definitely)' "$ROOT/build/valgrind.log" | head -150; fi
    [ -s "$COUNTS/memcheck-valgrind" ] || echo "0 1 0" > "$COUNTS/memcheck-valgrind"
    verdict "valgrind memcheck (exit $vrc)" $vrc
  fi
fi
exit $rc
