# drizzle-c build (GNU make).
#
#   make [build] [LUA=lua5.4|lua5.1|luajit]  build/libdzcore.a + build/$(LUA)/drizzle/core.so
#   make all-vms                             the same for lua5.4, lua5.1 and luajit
#   make env LUA=...                         prints LUA_PATH=... / LUA_CPATH=... (shell-evalable)
#   make deps                                installs missing Debian packages (scripts/deps.sh)
#   make ctest                               builds and runs every spec/c/*.c against libdzcore.a
#                                            (with a PostgreSQL server started for the run)
#   make spec LUA=...                        busted over spec/ on one VM
#   make test                                deps, all VMs, ctest, busted on the three VMs;
#                                            last line: "N passed, N failed, N skipped"
#   make check-memory                        spec/c + busted (lua5.4) under ASan+UBSan in build/asan/,
#                                            the SQLite specs under valgrind memcheck (scripts/check_memory.sh)
#   make fuzz [FUZZ_SECONDS=60]              each libFuzzer target of fuzz/ for FUZZ_SECONDS (scripts/fuzz.sh)
#   make demo | bench | install | clean
#
# Layout contract:
#   core/*.c          -> build/core/*.o -> build/libdzcore.a   (pure C11, never Lua headers)
#   lua/drizzle/*.c   -> build/$(LUA)/obj/*.o -> build/$(LUA)/drizzle/core.so (luaopen_drizzle_core)
#   spec/c/*.c        -> build/ctest/<name> (exit status != 0 means failure)

MAKEFLAGS += --no-print-directory
.SUFFIXES:
.DELETE_ON_ERROR:

ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))

# --------------------------------------------------------------- Lua VM
# LUA is a VM name (lua5.4 | lua5.1 | luajit) or, under luarocks, the full
# path of the interpreter (/usr/bin/lua5.4); the VM name is its basename.
LUA     ?= lua5.4
VMS     := lua5.4 lua5.1 luajit
LUA_VM  := $(notdir $(LUA))
LUA_BIN ?= $(LUA)
LUA_PKG ?= $(LUA_VM)
# LUA_INCDIR (set by luarocks) overrides pkg-config.
LUA_INCDIR ?=
ifneq ($(strip $(LUA_INCDIR)),)
LUA_CFLAGS ?= -I$(LUA_INCDIR)
else
LUA_CFLAGS ?= $(shell pkg-config --cflags $(LUA_PKG) 2>/dev/null)
endif
# Lua ABI version (5.4 / 5.1; LuaJIT is 5.1), used for install paths.
LUA_ABI ?= $(shell $(LUA_BIN) -e 'io.write((_VERSION:gsub("Lua ","")))' 2>/dev/null)
BUSTED  ?= $(or $(shell command -v busted 2>/dev/null),/usr/bin/busted)

# --------------------------------------------------------------- compilers
CC       ?= cc
AR       ?= ar
OPTFLAGS ?= -O2 -g
# The core's flags are part of the contract: -std=c11 -O2 -g -fPIC -Wall -Wextra -Icore/include
CORE_CFLAGS = -std=c11 $(OPTFLAGS) -fPIC -Wall -Wextra -Icore/include $(SQLITE_CFLAGS) $(DRIVER_CFLAGS) $(EXTRA_CFLAGS)
BIND_CFLAGS = -std=c11 $(OPTFLAGS) -fPIC -Wall -Wextra -Icore/include $(LUA_CFLAGS) $(SQLITE_CFLAGS) $(EXTRA_CFLAGS)
CTEST_CFLAGS = -std=c11 $(OPTFLAGS) -Wall -Wextra -Wno-missing-field-initializers -Icore/include -Icore $(SQLITE_CFLAGS) $(DRIVER_CFLAGS) $(EXTRA_CFLAGS)
LIBFLAG  ?= -shared
DEPFLAGS  = -MMD -MP

# SQLite (luarocks passes SQLITE_INCDIR / SQLITE_LIBDIR)
SQLITE_INCDIR ?=
SQLITE_LIBDIR ?=
SQLITE_CFLAGS ?= $(if $(strip $(SQLITE_INCDIR)),-I$(SQLITE_INCDIR),$(shell pkg-config --cflags sqlite3 2>/dev/null))
SQLITE_LIBS   ?= $(if $(strip $(SQLITE_LIBDIR)),-L$(SQLITE_LIBDIR),) -lsqlite3

# --------------------------------------------------------------- per-driver flags
# Each optional driver file gets its own compile flags (target-specific, only
# for its object) and adds its libraries to every link. Flags are computed
# only when the file exists, so libpq / mariadb are not needed before then.
# To add a driver: copy a block.
DRIVER_CFLAGS =
DRIVER_LIBS   =

# The driver.o rules below are the first rules of this file: without this,
# a bare `make` would build only build/core/driver.o.
.DEFAULT_GOAL := default

ifneq ($(wildcard core/driver_pg.c),)
PG_CFLAGS ?= $(addprefix -I,$(shell pg_config --includedir 2>/dev/null))
PG_LIBS   ?= $(addprefix -L,$(shell pg_config --libdir 2>/dev/null)) -lpq
build/core/driver_pg.o: DRIVER_CFLAGS += $(PG_CFLAGS)
build/core/driver.o: DRIVER_CFLAGS += -DDZ_HAVE_PG
build/core/driver.o: core/driver_pg.c
DRIVER_LIBS += $(PG_LIBS)
endif

ifneq ($(wildcard core/driver_mysql.c),)
MYSQL_CFLAGS ?= $(shell mariadb_config --cflags 2>/dev/null || mysql_config --cflags 2>/dev/null)
MYSQL_LIBS   ?= $(or $(shell mariadb_config --libs 2>/dev/null || mysql_config --libs 2>/dev/null),-lmariadb)
build/core/driver_mysql.o: DRIVER_CFLAGS += $(MYSQL_CFLAGS)
build/core/driver.o: DRIVER_CFLAGS += -DDZ_HAVE_MYSQL
build/core/driver.o: core/driver_mysql.c
DRIVER_LIBS += $(MYSQL_LIBS)
endif

LIBS = build/libdzcore.a $(SQLITE_LIBS) $(DRIVER_LIBS) -lm

# --------------------------------------------------------------- sources
CORE_SRCS  := $(sort $(wildcard core/*.c))
CORE_OBJS  := $(patsubst core/%.c,build/core/%.o,$(CORE_SRCS))
BIND_SRCS  := $(sort $(wildcard lua/drizzle/*.c))
BIND_DIR   := build/$(LUA_VM)
BIND_OBJS  := $(patsubst lua/drizzle/%.c,$(BIND_DIR)/obj/%.o,$(BIND_SRCS))
CORE_SO    := $(BIND_DIR)/drizzle/core.so
CTEST_SRCS := $(sort $(wildcard spec/c/*.c))
CTEST_BINS := $(patsubst spec/c/%.c,build/ctest/%,$(CTEST_SRCS))
CORE_HDRS  := $(wildcard core/*.h core/include/*.h)

# --------------------------------------------------------------- install paths
PREFIX      ?= /usr/local
INST_LUADIR ?=
INST_LIBDIR ?=
INST_BINDIR ?=
LUA_LIBDIR  ?= $(if $(strip $(INST_LUADIR)),$(INST_LUADIR),$(PREFIX)/share/lua/$(LUA_ABI))
LUA_CLIBDIR ?= $(if $(strip $(INST_LIBDIR)),$(INST_LIBDIR),$(PREFIX)/lib/lua/$(LUA_ABI))
BINDIR      ?= $(if $(strip $(INST_BINDIR)),$(INST_BINDIR),$(PREFIX)/bin)
INSTALL     ?= install

.PHONY: default build all-vms env deps ctest ctest-run check-memory spec test test-run demo bench install clean check-core-no-lua
default: build

# --------------------------------------------------------------- core
check-core-no-lua:
	@if grep -rlE 'lua\.h|lauxlib\.h|lualib\.h' core/ 2>/dev/null; then \
	  echo "error: core/ must not include Lua headers (files above)" >&2; exit 1; fi

build/core/%.o: core/%.c | check-core-no-lua
	@mkdir -p $(@D)
	$(CC) $(CORE_CFLAGS) $(DEPFLAGS) -c $< -o $@

build/libdzcore.a: $(CORE_OBJS) | check-core-no-lua
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

# --------------------------------------------------------------- binding (per VM)
$(BIND_DIR)/obj/%.o: lua/drizzle/%.c
	@mkdir -p $(@D)
	@if [ -z "$(strip $(LUA_CFLAGS))" ]; then echo "error: no Lua headers for $(LUA_VM) (pkg-config $(LUA_PKG) failed; run make deps or set LUA_INCDIR)" >&2; exit 1; fi
	$(CC) $(BIND_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(CORE_SO): $(BIND_OBJS) build/libdzcore.a
	@mkdir -p $(@D)
	$(CC) $(LIBFLAG) -o $@ $(BIND_OBJS) $(LIBS)

ifneq ($(BIND_SRCS),)
build: check-core-no-lua build/libdzcore.a $(CORE_SO)
else
build: check-core-no-lua build/libdzcore.a
	@echo "note: no lua/drizzle/*.c yet: $(CORE_SO) not built"
endif

all-vms:
	@set -e; for vm in $(VMS); do $(MAKE) build LUA=$$vm; done

# --------------------------------------------------------------- env
env:
	@echo "LUA_PATH='$(ROOT)/lua/?.lua;$(ROOT)/lua/?/init.lua;;'"
	@echo "LUA_CPATH='$(ROOT)/$(BIND_DIR)/?.so;;'"

SPEC_ENV = LUA_PATH='$(ROOT)/lua/?.lua;$(ROOT)/lua/?/init.lua;;' LUA_CPATH='$(ROOT)/$(BIND_DIR)/?.so;;'

# --------------------------------------------------------------- deps
SKIP_DEPS ?=
deps:
	@if [ -n "$(SKIP_DEPS)" ]; then echo "deps: skipped (SKIP_DEPS set)"; else sh scripts/deps.sh; fi

# --------------------------------------------------------------- C tests
# Counts go to build/counts/ctest as "passed failed skipped".
build/ctest/%: spec/c/%.c build/libdzcore.a $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CTEST_CFLAGS) -o $@ $< $(LIBS)

# Database servers: ctest and test run under scripts/with_servers.sh (one
# PostgreSQL, and MariaDB once scripts/mysql_server.sh exists, for the whole
# run; always stopped), unless DZ_PG_URL is already set (servers of your own,
# or the inner make of with_servers.sh itself).
WITH_SERVERS = bash scripts/with_servers.sh

# CTEST_RUNNER runs each C test binary (e.g. CTEST_RUNNER='$(VALGRIND)').
CTEST_RUNNER ?=
VALGRIND = valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1

ctest: build/libdzcore.a
	@if [ -z "$$DZ_PG_URL" ]; then exec $(WITH_SERVERS) $(MAKE) ctest-run; else exec $(MAKE) ctest-run; fi

ctest-run: build/libdzcore.a
	@mkdir -p build/counts build/ctest; \
	pass=0; fail=0; \
	for src in $(CTEST_SRCS); do \
	  name=$$(basename $$src .c); bin=build/ctest/$$name; \
	  if ! $(MAKE) $$bin; then echo "ctest $$name: BUILD FAILED"; fail=$$((fail+1)); continue; fi; \
	  if $(CTEST_RUNNER) ./$$bin; then echo "ctest $$name: ok"; pass=$$((pass+1)); \
	  else echo "ctest $$name: FAILED (exit $$?)"; fail=$$((fail+1)); fi; \
	done; \
	echo "$$pass $$fail 0" > build/counts/ctest; \
	echo "ctest: $$pass passed, $$fail failed"; \
	[ $$fail -eq 0 ]

# --------------------------------------------------------------- busted
# scripts/busted_counts.lua is a busted output handler (plainTerminal output)
# that also writes "passed failed skipped" to $DZ_BUSTED_COUNTS.
spec: build
	@mkdir -p build/counts; rm -f build/counts/busted-$(LUA_VM); \
	echo "== busted on $(LUA_VM) =="; \
	rc=0; $(SPEC_ENV) DZ_BUSTED_COUNTS='$(ROOT)/build/counts/busted-$(LUA_VM)' \
	  $(LUA_BIN) $(BUSTED) --pattern=_spec -o '$(ROOT)/scripts/busted_counts.lua' spec || rc=$$?; \
	if [ ! -s build/counts/busted-$(LUA_VM) ]; then \
	  echo "busted on $(LUA_VM) wrote no counts (crashed?)"; echo "0 1 0" > build/counts/busted-$(LUA_VM); rc=1; fi; \
	exit $$rc

# --------------------------------------------------------------- test
test: deps
	@rm -rf build/counts; \
	if ! $(MAKE) all-vms; then echo "make test: build failed"; echo "0 passed, 1 failed, 0 skipped"; exit 1; fi; \
	if [ -n "$$DZ_PG_URL" ]; then exec $(MAKE) test-run; fi; \
	rc=0; $(WITH_SERVERS) $(MAKE) test-run || rc=$$?; \
	if [ $$rc -eq 125 ]; then echo "make test: a database server did not start (log above)"; echo "0 passed, 1 failed, 0 skipped"; fi; \
	exit $$rc

# The body of make test, with the servers up (DZ_PG_URL set).
test-run:
	@rm -rf build/counts; mkdir -p build/counts; \
	rc=0; \
	$(MAKE) ctest-run || rc=1; \
	for vm in $(VMS); do $(MAKE) spec LUA=$$vm || rc=1; done; \
	$(MAKE) check-memory || rc=1; \
	$(MAKE) fuzz || rc=1; \
	echo; \
	for f in build/counts/*; do printf '%-16s ' "$$(basename $$f):"; awk '{printf "%d passed, %d failed, %d skipped\n", $$1, $$2, $$3}' $$f; done; \
	cat build/counts/* | awk '{p+=$$1; f+=$$2; s+=$$3} END {printf "%d passed, %d failed, %d skipped\n", p, f, s; exit (f > 0)}' || rc=1; \
	exit $$rc

# --------------------------------------------------------------- hardening
# Both are part of `make test`; their counts land in build/counts/ as well.
FUZZ_SECONDS ?= 60
.PHONY: check-memory fuzz
check-memory:
	@sh scripts/check_memory.sh

fuzz:
	@FUZZ_SECONDS='$(FUZZ_SECONDS)' sh scripts/fuzz.sh

# --------------------------------------------------------------- demo / bench
demo: deps
	@$(MAKE) build LUA=lua5.4
	@if [ ! -f examples/quickstart.lua ]; then echo "examples/quickstart.lua does not exist yet" >&2; exit 1; fi
	cd $(ROOT) && LUA_PATH='$(ROOT)/lua/?.lua;$(ROOT)/lua/?/init.lua;;' LUA_CPATH='$(ROOT)/build/lua5.4/?.so;;' lua5.4 examples/quickstart.lua

bench: deps build
	@if [ ! -f bench/run.sh ]; then echo "bench/run.sh does not exist yet" >&2; exit 1; fi
	$(SPEC_ENV) LUA='$(LUA)' bash bench/run.sh

# --------------------------------------------------------------- install
install: build
	@if [ ! -f $(CORE_SO) ]; then echo "install: $(CORE_SO) was not built" >&2; exit 1; fi
	$(INSTALL) -d '$(DESTDIR)$(LUA_LIBDIR)/drizzle' '$(DESTDIR)$(LUA_CLIBDIR)/drizzle'
	@cd lua && find drizzle -type f -name '*.lua' | sort | while read -r f; do \
	  echo "$(INSTALL) -m 644 lua/$$f $(DESTDIR)$(LUA_LIBDIR)/$$f"; \
	  $(INSTALL) -D -m 644 "$$f" '$(DESTDIR)$(LUA_LIBDIR)'/"$$f" || exit 1; done
	$(INSTALL) -m 755 $(CORE_SO) '$(DESTDIR)$(LUA_CLIBDIR)/drizzle/core.so'
	@if [ -f bin/drizzle-kit ]; then \
	  echo "$(INSTALL) -D -m 755 bin/drizzle-kit $(DESTDIR)$(BINDIR)/drizzle-kit"; \
	  $(INSTALL) -D -m 755 bin/drizzle-kit '$(DESTDIR)$(BINDIR)/drizzle-kit'; fi

clean:
	rm -rf build

-include $(CORE_OBJS:.o=.d) $(BIND_OBJS:.o=.d)
