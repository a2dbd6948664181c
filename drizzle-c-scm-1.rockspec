-- drizzle-c: Drizzle ORM for Lua with a pure-C11 core.
-- Build type "make": the Makefile is the single source of truth. luarocks
-- passes the rock's Lua interpreter/headers and install dirs:
--   build:   make build LUA=<interpreter path> LUA_INCDIR=... SQLITE_INCDIR=... SQLITE_LIBDIR=...
--   install: make install ... INST_LUADIR=<rock lua dir> INST_LIBDIR=<rock lib dir> INST_BINDIR=<rock bin dir>
-- Example: luarocks --lua-version 5.4 make --tree /tmp/rt drizzle-c-scm-1.rockspec
rockspec_format = "3.0"
package = "drizzle-c"
version = "scm-1"
source = {
   url = "git+file:///dev/null",
}
description = {
   summary = "Drizzle ORM for Lua, with a pure-C11 core",
   detailed = [[
Drizzle ORM's TypeScript API mirrored in Lua (5.1, 5.4, LuaJIT): schema
declaration, a fluent query builder rendering the same SQL as drizzle-orm,
SQLite / PostgreSQL / MySQL drivers, drizzle-kit migrations.
]],
   license = "MIT",
}
dependencies = {
   "lua >= 5.1",
}
-- No JSON rock: lua-cjson 2.1 decodes every number as a double (1 becomes
-- 1.0 on Lua 5.4, 2^53+1 is rounded) and encodes keys in hash order, while
-- drizzle-c must keep integers exact and render JSON params exactly as
-- JSON.stringify does; the binding carries its own codec (lua/drizzle/json.c).
external_dependencies = {
   SQLITE = {
      header = "sqlite3.h",
      library = "sqlite3",
   },
}
build = {
   type = "make",
   build_target = "build",
   build_variables = {
      LUA = "$(LUA)",
      LUA_INCDIR = "$(LUA_INCDIR)",
      SQLITE_INCDIR = "$(SQLITE_INCDIR)",
      SQLITE_LIBDIR = "$(SQLITE_LIBDIR)",
      CC = "$(CC)",
      OPTFLAGS = "$(CFLAGS)",
      LIBFLAG = "$(LIBFLAG)",
   },
   install_target = "install",
   install_variables = {
      LUA = "$(LUA)",
      LUA_INCDIR = "$(LUA_INCDIR)",
      SQLITE_INCDIR = "$(SQLITE_INCDIR)",
      SQLITE_LIBDIR = "$(SQLITE_LIBDIR)",
      CC = "$(CC)",
      OPTFLAGS = "$(CFLAGS)",
      LIBFLAG = "$(LIBFLAG)",
      PREFIX = "$(PREFIX)",
      INST_LUADIR = "$(LUADIR)",
      INST_LIBDIR = "$(LIBDIR)",
      INST_BINDIR = "$(BINDIR)",
   },
}
