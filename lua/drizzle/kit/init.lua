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
-- shared with a TypeScript service. Only generate exists so far (sqlite,
-- postgresql, mysql); the other commands raise "not implemented yet".
-- SQLite goes through kit/snapshot.lua + kit/diff.lua, pg and MySQL through
-- kit/serialize.lua + kit/diff_sql.lua; the SQL text of every dialect comes
-- from core/ddl.c.
local snapshot = require("drizzle.kit.snapshot")
local diff = require("drizzle.kit.diff")
local diffSql = require("drizzle.kit.diff_sql")
local serialize = require("drizzle.kit.serialize")
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
  if dialect ~= "sqlite" and dialect ~= "postgresql" and dialect ~= "mysql" then
    fail("%s: dialect %q is not implemented yet (postgresql, mysql and sqlite are)", command, dialect)
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

-- The schema files a path or a list of paths names (nil when the schema
-- argument is a table of exports); none found is an error.
local function schemaPaths(schemaArg)
  if not (type(schemaArg) == "string" or isPathList(schemaArg)) then return nil end
  local paths = {}
  if type(schemaArg) == "string" then expandPath(schemaArg, paths)
  else for _, p in ipairs(schemaArg) do expandPath(p, paths) end end
  if #paths == 0 then fail("no schema files found in %s", tostring(schemaArg)) end
  return paths
end

-- The schema modules (export tables) named by the schema argument.
local function modules(schemaArg, dialect)
  local paths = schemaPaths(schemaArg)
  if paths then
    local out = {}
    for i, p in ipairs(paths) do out[i] = loadFile(p, dialect) end
    return out
  end
  if type(schemaArg) ~= "table" then
    fail("schema must be a path, a list of paths or a table of exports, got %s", type(schemaArg))
  end
  return { schemaArg }
end

-- pg / MySQL: tables, enums, schemas, sequences, views in drizzle-kit's order.
function M.objects(schemaArg, dialect)
  local parts = {}
  for i, m in ipairs(modules(schemaArg, dialect)) do parts[i] = serialize.collect(m, dialect) end
  return serialize.merge(parts)
end

-- The tables to serialize, in drizzle-kit's order.
function M.tables(schemaArg, dialect)
  local paths = schemaPaths(schemaArg)
  if paths then
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

local VERSION = { sqlite = "6", postgresql = "7", mysql = "5" }

local function dryPrev(dialect)
  if dialect == "postgresql" then
    return { version = "7", dialect = "postgresql", id = snapshot.ORIGIN_UUID, prevId = "", tables = {},
             enums = {}, schemas = {}, sequences = {}, roles = {}, policies = {}, views = {},
             _meta = { schemas = {}, tables = {}, columns = {} } }
  elseif dialect == "mysql" then
    return { version = "5", dialect = "mysql", id = snapshot.ORIGIN_UUID, prevId = "", tables = {},
             views = {}, _meta = { tables = {}, columns = {} } }
  end
  return { version = "6", dialect = "sqlite", id = snapshot.ORIGIN_UUID, prevId = "",
           tables = {}, views = {}, enums = {}, _meta = { tables = {}, columns = {} } }
end

local function readPrev(paths, dialect)
  if #paths == 0 then return dryPrev(dialect) end
  local path = paths[#paths]
  local text = journal.read(path)
  local ok, prev = pcall(json.decode, text or "")
  if not ok or type(prev) ~= "table" then fail("%s data is malformed: %s", path, tostring(prev)) end
  if prev.dialect ~= dialect then
    fail("%s is a %s snapshot, not a %s one", path, tostring(prev.dialect), dialect)
  end
  if prev.version ~= VERSION[dialect] then
    fail("%s is not of the latest version (%s, expected %s); run drizzle-kit up", path, tostring(prev.version),
      VERSION[dialect])
  end
  return prev
end

-- The current snapshot of a schema, without writing anything.
-- The snapshot document of a dialect: drizzle-kit's key order (pg puts id
-- and prevId first, MySQL after version and dialect).
local function document(dialect, config, id, prevId)
  if dialect == "postgresql" then
    local s = serialize.pg(M.objects(config.schema, dialect), config.casing)
    local out = json.obj("id", id, "prevId", prevId)
    for _, k in ipairs(json.keys(s)) do json.set(out, k, s[k]) end
    return out
  elseif dialect == "mysql" then
    local s = serialize.mysql(M.objects(config.schema, dialect), config.casing)
    local out = json.obj("version", s.version, "dialect", s.dialect, "id", id, "prevId", prevId)
    for _, k in ipairs(json.keys(s)) do json.set(out, k, s[k]) end
    return out
  end
  local tables, internal = snapshot.sqlite(M.tables(config.schema, dialect), config.casing)
  return snapshot.document(dialect, tables, internal, id, prevId)
end

function M.snapshot(config, prevId)
  local dialect = checkConfig(config, "snapshot")
  if dialect ~= "sqlite" then return document(dialect, config, journal.uuid(), prevId or snapshot.ORIGIN_UUID) end
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

  local jr, snapshotPaths, journalPath = journal.prepare(out, dialect)
  local prev = readPrev(snapshotPaths, dialect)
  local id = journal.uuid()
  local cur = document(dialect, config, id, prev.id)

  local sqlStatements, sql
  if config.custom then
    sqlStatements = {}
    if dialect == "sqlite" then
      cur = json.obj("id", id, "prevId", prev.id, "version", prev.version, "dialect", prev.dialect,
        "tables", prev.tables, "views", prev.views, "enums", prev.enums,
        "_meta", json.obj("columns", json.obj(), "schemas", json.obj(), "tables", json.obj()),
        "internal", prev.internal)
    else
      -- { id, prevId, ...prevRest }
      cur = json.obj("id", id, "prevId", prev.id)
      for _, k in ipairs(json.keys(prev)) do
        if k ~= "id" and k ~= "prevId" then json.set(cur, k, prev[k]) end
      end
    end
    sql = "-- Custom SQL migration file, put your code below! --"
  else
    if dialect == "sqlite" then sqlStatements = diff.run(dialect, prev, cur)
    else sqlStatements = diffSql.run(dialect, prev, cur) end
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
