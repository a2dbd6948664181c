-- drizzle.sqlite: sqlite-core (`drizzle-orm/sqlite-core`) and the sqlite3
-- driver (`drizzle-orm/better-sqlite3`).
--
--   local sqlite = require("drizzle.sqlite")
--   local users = sqlite.sqliteTable("users", { id = sqlite.integer("id"):primaryKey() })
--   local db = sqlite.drizzle("app.db")
--
-- Column functions set the SQL type, Drizzle's column class name (used by
-- drizzle.kit) and a codec: how the C binding maps Lua values to the driver
-- and back (booleans as 1/0, timestamps as epoch seconds, JSON as text).
local schema = require("drizzle.schema")
local session = require("drizzle.session")

local type, error = type, error
local nameAndConfig, pickMode = schema.nameAndConfig, schema.pickMode
local column = schema.columnFor("sqlite")

local M = {}

------------------------------------------------------------------ columns

-- A column function with a fixed SQL type whose mode picks class and codec.
local function moded(fn, modes)
  M[fn] = schema.modedColumnFor("sqlite", fn, fn, modes)
end

-- integer(name?, { mode = "number" | "boolean" | "timestamp" | "timestamp_ms" })
moded("integer", {
  { "number", "SQLiteInteger", "none" }, { "boolean", "SQLiteBoolean", "boolean_int" },
  { "timestamp", "SQLiteTimestamp", "timestamp_s" }, { "timestamp_ms", "SQLiteTimestamp", "timestamp_ms" } })
M.int = M.integer

-- text(name?, { mode = "text" | "json", enum = {...}, length = n })
function M.text(a, b)
  local name, config = nameAndConfig("text", a, b)
  local columnType, codec, mode = pickMode("text", name, config.mode,
    { { "text", "SQLiteText", "none" }, { "json", "SQLiteTextJson", "json" } })
  return column({ columnType = columnType, codec = codec, mode = mode,
                  sqlType = config.length and ("text(" .. config.length .. ")") or "text",
                  enumValues = mode == "text" and config.enum or nil }, name, config)
end

M.real = schema.fixedColumnFor("sqlite", "real", "SQLiteReal", "real", "none")

-- numeric(name?, { mode = "string" | "number" | "bigint" })
moded("numeric", {
  { "string", "SQLiteNumeric", "numeric_string" }, { "number", "SQLiteNumericNumber", "numeric_number" },
  { "bigint", "SQLiteNumericBigInt", "numeric_bigint64" } })

-- blob(name?, { mode = "buffer" | "json" | "bigint" })
moded("blob", {
  { "buffer", "SQLiteBlobBuffer", "blob" }, { "json", "SQLiteBlobJson", "blob_json" },
  { "bigint", "SQLiteBigInt", "blob_bigint" } })

-- customType({ dataType = function(config) return "text" end, toDriver = f, fromDriver = g })
M.customType = schema.customTypeFor("sqlite", "SQLiteCustomColumn")

------------------------------------------------------------------- tables

function M.sqliteTable(name, columns, extra)
  return schema.newTable("sqliteTable", name, columns, extra, { dialect = "sqlite" })
end
local sqliteTable = M.sqliteTable

-- sqliteView("v"):as(qb | function(qb) ... end | d.sql(...)), sqliteView("v", { cols }):existing()
function M.sqliteView(name, columns)
  return require("drizzle.views").builder("sqlite", name, columns, nil, false)
end


schema.exportCommon(M, "sqliteTableCreator", sqliteTable)

------------------------------------------------------------------ queries

local setops = session.setOperators("sqlite")
M.union, M.unionAll = setops.union, setops.unionAll
M.intersect, M.except = setops.intersect, setops.except

-- drizzle("app.db") | drizzle({ filename = ..., schema = ..., logger = ..., casing = ... })
M.drizzle = session.factory("sqlite", function(target)
  if type(target) == "string" then return target, {} end
  if type(target) == "table" then
    local conn = target.connection
    local filename = target.filename or (type(conn) == "string" and conn) or (type(conn) == "table" and conn.filename)
    return filename or ":memory:", target
  end
  if target == nil then return ":memory:", {} end
  error("bad argument #1 to 'drizzle' (filename or options table expected, got " .. type(target) .. ")", 3)
end)

return M
