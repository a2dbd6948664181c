-- drizzle.kit: Drizzle Kit's commands as functions (LUA_API.md section 8).
--
--   local kit = require("drizzle.kit")
--   local r = kit.generate({ dialect = "sqlite", schema = "./schema.lua", out = "./drizzle", name = "init" })
--   r.sql          -- exactly the text written to <out>/0000_init.sql
--   r.statements   -- the statements, one string each
--   r.path         -- the migration file; r.snapshotPath, r.journalPath
--   r.snapshot     -- the snapshot written (a Lua table)
--
-- `schema` is the schema itself (a table of exports), a path, or a list of
-- paths; a path names a Lua file returning that table (or a function
-- (d, dialectModule) returning it, as the conformance corpus writes them),
-- or a folder whose *.lua files are all read. Entries are walked in sorted
-- key order, as drizzle-kit walks a module's exports; entries that are not
-- tables of the dialect are ignored.
--
-- Files and formats are drizzle-kit 0.31's, so a migrations folder can be
-- shared with a TypeScript service. Only generate exists so far, for
-- SQLite; the other commands raise "not implemented yet".
local snapshot = require("drizzle.kit.snapshot")
local diff = require("drizzle.kit.diff")
local journal = require("drizzle.kit.journal")
local json = require("drizzle.kit.json")

local type, pairs, ipairs, tostring, error, pcall, require, dofile =
  type, pairs, ipairs, tostring, error, pcall, require, dofile
local concat = table.concat
local fail = snapshot.fail

local M = {}

local DIALECTS = { sqlite = true, postgresql = true, mysql = true, turso = true, singlestore = true, gel = true }
local LUA_MODULE = { sqlite = "drizzle.sqlite", postgresql = "drizzle.pg", mysql = "drizzle.mysql" }

local function checkConfig(config, command)
  if type(config) ~= "table" then
    fail("%s: config table expected, got %s", command, type(config))
  end
  local dialect = config.dialect
  if dialect == nil then
    fail("%s: please specify 'dialect' param in config, either of 'postgresql', 'mysql' or 'sqlite'", command)
  end
  if not DIALECTS[dialect] then
    fail("%s: unknown dialect %q (postgresql, mysql, sqlite)", command, tostring(dialect))
  end
  if dialect ~= "sqlite" then
    fail("%s: dialect %q is not implemented yet (sqlite only for now)", command, dialect)
  end
  local casing = config.casing
  if casing ~= nil and casing ~= "snake_case" and casing ~= "camelCase" then
    fail("%s: casing must be 'snake_case' or 'camelCase', got %q", command, tostring(casing))
  end
  if config.schema == nil then
    fail("%s: please specify 'schema' param in config (a path, a list of paths or the schema table)", command)
  end
  return dialect
end

------------------------------------------------------------ schema loading

local function isPathList(v)
  return type(v) == "table" and type(v[1]) == "string"
end

local function loadFile(path, dialect)
  local ok, res = pcall(dofile, path)
  if not ok then fail("cannot load schema file %s: %s", path, tostring(res)) end
  if type(res) == "function" then
    local d = require("drizzle")
    local mod = require(LUA_MODULE[dialect])
    ok, res = pcall(res, d, mod)
    if not ok then fail("schema file %s failed: %s", path, tostring(res)) end
  end
  if type(res) ~= "table" then
    fail("schema file %s must return a table of tables (got %s)", path, type(res))
  end
  return res
end

local function expandPath(path, out)
  if journal.isDir(path) then
    for _, name in ipairs(journal.list(path)) do
      if name:match("%.lua$") then out[#out + 1] = path .. "/" .. name end
    end
  else
    out[#out + 1] = path
  end
end

-- The tables to serialize, in drizzle-kit's order.
function M.tables(schemaArg, dialect)
  if type(schemaArg) == "string" or isPathList(schemaArg) then
    local paths = {}
    if type(schemaArg) == "string" then expandPath(schemaArg, paths)
    else for _, p in ipairs(schemaArg) do expandPath(p, paths) end end
    if #paths == 0 then fail("no schema files found in %s", tostring(schemaArg)) end
    local tables = {}
    for _, p in ipairs(paths) do
      for _, t in ipairs(snapshot.collectTables(loadFile(p, dialect), dialect)) do tables[#tables + 1] = t end
    end
    return tables
  end
  if type(schemaArg) ~= "table" then
    fail("schema must be a path, a list of paths or a table of exports, got %s", type(schemaArg))
  end
  return snapshot.collectTables(schemaArg, dialect)
end

------------------------------------------------------------ snapshots

local function dryPrev()
  return { version = "6", dialect = "sqlite", id = snapshot.ORIGIN_UUID, prevId = "",
           tables = {}, views = {}, enums = {}, _meta = { tables = {}, columns = {} } }
end

local function readPrev(paths)
  if #paths == 0 then return dryPrev() end
  local path = paths[#paths]
  local text = journal.read(path)
  local ok, prev = pcall(json.decode, text or "")
  if not ok or type(prev) ~= "table" then fail("%s data is malformed: %s", path, tostring(prev)) end
  if prev.dialect ~= "sqlite" then
    fail("%s is a %s snapshot, not a sqlite one", path, tostring(prev.dialect))
  end
  if prev.version ~= "6" then
    fail("%s is not of the latest version (%s, expected 6); run drizzle-kit up", path, tostring(prev.version))
  end
  return prev
end

-- The current snapshot of a schema, without writing anything.
function M.snapshot(config, prevId)
  local dialect = checkConfig(config, "snapshot")
  local tables, internal = snapshot.sqlite(M.tables(config.schema, dialect), config.casing)
  return snapshot.document(dialect, tables, internal, journal.uuid(), prevId or snapshot.ORIGIN_UUID)
end

------------------------------------------------------------ generate

-- drizzle-kit generate. Returns { sql, statements, path, snapshotPath,
-- journalPath, snapshot, tag, idx }, or { sql = "", statements = {},
-- snapshot = ..., noChanges = true } when nothing changed (nothing is
-- written then, as drizzle-kit prints "No schema changes").
function M.generate(config)
  local dialect = checkConfig(config, "generate")
  local out = (config.out or "drizzle"):gsub("/+$", "")
  if out == "" then out = "/" end
  local breakpoints = config.breakpoints
  if breakpoints == nil then breakpoints = true end
  local prefixMode = config.prefix or (type(config.migrations) == "table" and config.migrations.prefix) or "index"
  if config.name ~= nil and type(config.name) ~= "string" then
    fail("generate: name must be a string, got %s", type(config.name))
  end

  local tables = M.tables(config.schema, dialect)
  local jr, snapshotPaths, journalPath = journal.prepare(out, dialect)
  local prev = readPrev(snapshotPaths)
  local curTables, internal = snapshot.sqlite(tables, config.casing)
  local id = journal.uuid()
  local cur = snapshot.document(dialect, curTables, internal, id, prev.id)

  local sqlStatements, sql
  if config.custom then
    sqlStatements = {}
    cur = json.obj("id", id, "prevId", prev.id, "version", prev.version, "dialect", prev.dialect,
      "tables", prev.tables, "views", prev.views, "enums", prev.enums,
      "_meta", json.obj("columns", json.obj(), "schemas", json.obj(), "tables", json.obj()),
      "internal", prev.internal)
    sql = "-- Custom SQL migration file, put your code below! --"
  else
    sqlStatements = diff.run(dialect, prev, cur)
    if #sqlStatements == 0 then
      if not config.quiet then io.stdout:write("No schema changes, nothing to migrate 😴\n") end
      return { sql = "", statements = {}, snapshot = cur, noChanges = true }
    end
    sql = concat(sqlStatements, breakpoints and journal.BREAKPOINT or "\n")
  end

  local entries = jr.entries or {}
  jr.entries = entries
  local last = entries[#entries]
  local idx = last and (tonumber(last.idx) or #entries - 1) + 1 or 0
  local now = journal.now()
  local prefix, tag = journal.tag(idx, prefixMode, config.name, now)

  local snapshotPath = out .. "/meta/" .. prefix .. "_snapshot.json"
  journal.write(snapshotPath, json.encode(cur, true))
  entries[#entries + 1] = json.obj("idx", idx, "version", cur.version, "when", now, "tag", tag,
                                   "breakpoints", breakpoints and true or false)
  journal.write(journalPath, json.encode(journal.ordered(jr), true))
  local path = out .. "/" .. tag .. ".sql"
  journal.write(path, sql)
  if not config.quiet and config.verbose then
    io.stdout:write("[✓] Your SQL migration file ➜ " .. path .. " 🚀\n")
  end
  return { sql = sql, statements = sqlStatements, path = path, snapshotPath = snapshotPath,
           journalPath = journalPath, snapshot = cur, tag = tag, idx = idx }
end

------------------------------------------------------------ the rest

local function notYet(command)
  return function()
    error("drizzle.kit: `" .. command .. "` is not implemented yet (only `generate` is)", 2)
  end
end

for _, command in ipairs({ "migrate", "push", "pull", "introspect", "check", "up", "drop", "studio", "export" }) do
  M[command] = notYet(command)
end

-- defineConfig({...}) returns its argument, as in TypeScript.
function M.defineConfig(config) return config end

M.fail = fail
return M
