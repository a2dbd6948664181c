-- drizzle.pg: pg-core (`drizzle-orm/pg-core`) and the libpq driver
-- (`drizzle-orm/node-postgres`).
--
--   local pg = require("drizzle.pg")
--   local users = pg.pgTable("users", { id = pg.serial("id"):primaryKey() })
--   local db = pg.drizzle("postgres://user@127.0.0.1/db")
--
-- Column functions set the SQL type as Drizzle's getSQLType() writes it,
-- Drizzle's column class name (drizzle.kit reads it) and a codec: how the C
-- binding maps Lua values to the driver and back (see lua/drizzle/codec.c:
-- timestamps as ISO text, arrays as array literals, points as "(x,y)").
local ast = require("drizzle.ast")
local schema = require("drizzle.schema")
local session = require("drizzle.session")
local views = require("drizzle.views")

local type, error, setmetatable, tostring, pairs = type, error, setmetatable, tostring, pairs
local nameAndConfig, Column = schema.nameAndConfig, schema.Column

local M = {}
local elementKind

------------------------------------------------------------------ columns

local column = schema.columnFor("pg")

local pickMode = schema.pickMode

-- A column function with a fixed type and codec: pg.integer, pg.uuid, ...
local function simple(fn, columnType, sqlType, codec)
  M[fn] = schema.fixedColumnFor("pg", fn, columnType, sqlType, codec or "none")
end

-- A column function with a fixed SQL type whose mode picks class and codec: pg.date, ...
local function moded(fn, modes)
  M[fn] = schema.modedColumnFor("pg", fn, fn, modes)
end

simple("integer", "PgInteger", "integer")
simple("smallint", "PgSmallInt", "smallint")
simple("boolean", "PgBoolean", "boolean")
simple("real", "PgReal", "real")
simple("doublePrecision", "PgDoublePrecision", "double precision")
simple("json", "PgJson", "json", "json")
simple("jsonb", "PgJsonb", "jsonb", "json")
simple("inet", "PgInet", "inet")
simple("cidr", "PgCidr", "cidr")
simple("macaddr", "PgMacaddr", "macaddr")
simple("macaddr8", "PgMacaddr8", "macaddr8")
simple("serial", "PgSerial", "serial")
simple("smallserial", "PgSmallSerial", "smallserial")

-- serial columns are not null and have a default (the sequence)
for _, fn in pairs({ "serial", "smallserial" }) do
  local make = M[fn]
  M[fn] = function(a, b)
    local c = make(a, b)
    c.isNotNull, c.hasDefault = true, true
    return c
  end
end

-- bigint(name?, { mode = "number" | "bigint" }), bigserial(...)
local function bigint(fn, class53, class64)
  return schema.modedColumnFor("pg", fn, fn, { { "number", class53, "none" }, { "bigint", class64, "bigint" } })
end
M.bigint = bigint("bigint", "PgBigInt53", "PgBigInt64")
local makeBigserial = bigint("bigserial", "PgBigSerial53", "PgBigSerial64")
function M.bigserial(a, b)
  local c = makeBigserial(a, b)
  c.isNotNull, c.hasDefault = true, true
  return c
end

-- bytea(name?): bytes, bound in binary format (any byte, NUL included, and
-- never read as the server's escape syntax: "\\x41" stays those 4 bytes)
simple("bytea", "PgBytea", "bytea", "blob")

-- text(name?, { enum = {...} })
function M.text(a, b)
  local name, config = nameAndConfig("text", a, b)
  return column({ columnType = "PgText", sqlType = "text", codec = "none", enumValues = config.enum }, name, config)
end

-- varchar(name?, { length = n, enum = {...} }), char(...)
local function sized(fn, columnType)
  M[fn] = function(a, b)
    local name, config = nameAndConfig(fn, a, b)
    local sqlType = config.length and (fn .. "(" .. config.length .. ")") or fn
    return column({ columnType = columnType, sqlType = sqlType, codec = "none", enumValues = config.enum }, name, config)
  end
end
sized("varchar", "PgVarchar")
sized("char", "PgChar")

-- numeric(name?, { precision = p, scale = s, mode = "string" | "number" | "bigint" })
function M.numeric(a, b)
  local name, config = nameAndConfig("numeric", a, b)
  local p, s = config.precision, config.scale
  local sqlType = "numeric"
  if p ~= nil and s ~= nil then sqlType = ("numeric(%s, %s)"):format(p, s)
  elseif p ~= nil then sqlType = ("numeric(%s)"):format(p) end
  local columnType, codec, mode = pickMode("numeric", name, config.mode, {
    { "string", "PgNumeric", "numeric_string" }, { "number", "PgNumericNumber", "numeric_number" },
    { "bigint", "PgNumericBigInt", "numeric_bigint" } })
  return column({ columnType = columnType, sqlType = sqlType, codec = codec, mode = mode }, name, config)
end
M.decimal = M.numeric

-- uuid(name?):defaultRandom()
simple("uuid", "PgUUID", "uuid")

function Column:defaultRandom()
  return self:default(ast.sql("gen_random_uuid()"))
end


-- date(name?, { mode = "string" | "date" })
moded("date", { { "string", "PgDateString", "none" }, { "date", "PgDate", "timestamp_iso" } })

-- time(name?, { precision = p, withTimezone = bool })
function M.time(a, b)
  local name, config = nameAndConfig("time", a, b)
  local sqlType = "time" .. (config.precision ~= nil and ("(" .. config.precision .. ")") or "")
    .. (config.withTimezone and " with time zone" or "")
  return column({ columnType = "PgTime", sqlType = sqlType, codec = "none" }, name, config)
end

-- timestamp(name?, { precision = p, withTimezone = bool, mode = "date" | "string" })
function M.timestamp(a, b)
  local name, config = nameAndConfig("timestamp", a, b)
  local sqlType = "timestamp" .. (config.precision ~= nil and (" (" .. config.precision .. ")") or "")
    .. (config.withTimezone and " with time zone" or "")
  local columnType, codec, mode = pickMode("timestamp", name, config.mode,
    { { "date", "PgTimestamp", "timestamp_iso" }, { "string", "PgTimestampString", "none" } })
  return column({ columnType = columnType, sqlType = sqlType, codec = codec, mode = mode,
                  withTimezone = config.withTimezone or false }, name, config)
end

-- interval(name?, { fields = "day to second", precision = p })
function M.interval(a, b)
  local name, config = nameAndConfig("interval", a, b)
  local sqlType = "interval" .. (config.fields and (" " .. config.fields) or "")
    .. (config.precision and ("(" .. config.precision .. ")") or "")
  return column({ columnType = "PgInterval", sqlType = sqlType, codec = "none" }, name, config)
end

-- point(name?, { mode = "xy" | "tuple" })
moded("point", { { "xy", "PgPointObject", "point_xy" }, { "tuple", "PgPointTuple", "point_tuple" } })

-- line(name?, { mode = "abc" | "tuple" })
moded("line", { { "tuple", "PgLine", "line_tuple" }, { "abc", "PgLineABC", "line_abc" } })

-- geometry(name?, { type = "point", mode = "tuple" | "xy", srid = n }) (PostGIS)
function M.geometry(a, b)
  local name, config = nameAndConfig("geometry", a, b)
  local sqlType = "geometry(point" .. (config.srid ~= nil and ("," .. config.srid) or "") .. ")"
  local columnType, codec, mode = pickMode("geometry", name, config.mode,
    { { "tuple", "PgGeometry", "geometry_tuple" }, { "xy", "PgGeometryObject", "geometry_xy" } })
  return column({ columnType = columnType, sqlType = sqlType, codec = codec, mode = mode, srid = config.srid }, name, config)
end

-- pgvector: vector/halfvec/sparsevec/bit(name?, { dimensions = n })
local function dimensioned(fn, columnType, codec)
  M[fn] = function(a, b)
    local name, config = nameAndConfig(fn, a, b)
    if config.dimensions == nil then
      error(("%s(%s): the dimensions option is required"):format(fn, name or ""), 2)
    end
    return column({ columnType = columnType, sqlType = fn .. "(" .. config.dimensions .. ")", codec = codec,
                    dimensions = config.dimensions }, name, config)
  end
end
dimensioned("vector", "PgVector", "vector")
dimensioned("halfvec", "PgHalfVector", "vector")
dimensioned("sparsevec", "PgSparseVector", "none")
dimensioned("bit", "PgBinaryVector", "none")

-- customType({ dataType = function(config) return "text" end, toDriver = f, fromDriver = g })
M.customType = schema.customTypeFor("pg", "PgCustomColumn")

-- How an element of an array of this column reads from the array literal.
local intTypes = { PgInteger = true, PgSmallInt = true, PgBigInt53 = true, PgBigInt64 = true, PgSerial = true,
                   PgSmallSerial = true, PgBigSerial53 = true, PgBigSerial64 = true }
local floatTypes = { PgReal = true, PgDoublePrecision = true }
elementKind = function(base)
  if intTypes[base.columnType] then return "int" end
  if floatTypes[base.columnType] then return "float" end
  if base.columnType == "PgBoolean" then return "bool" end
  return "text"
end

-- col:array(size?): an array of the column's type; chains (matrix = integer():array():array()).
function Column:array(size)
  if self.dialect ~= "pg" then
    error(("array(): %s columns have no arrays (PostgreSQL only)"):format(self.dialect or "?"), 2)
  end
  local base = self
  local sqlType = function(config, col)
    local t = schema.sqlTypeOf(base)
    return t .. "[" .. (size ~= nil and tostring(size) or "") .. "]"
  end
  local c = column({ columnType = "PgArray", sqlType = sqlType, codec = "pg_array",
                     elemCodec = base.codec == "pg_array" and base.elemCodec or base.codec,
                     elemKind = base.codec == "pg_array" and base.elemKind or elementKind(base),
                     dims = (base.dims or 1) + (base.codec == "pg_array" and 1 or 0),
                     baseColumn = base, size = size, enumValues = base.enumValues, enum = base.enum,
                     toDriver = base.toDriver, fromDriver = base.fromDriver },
                   base.name, base.config)
  c.seq = base.seq
  return c
end

-- Identity columns: generatedAlwaysAsIdentity({ startWith = 1000, ... })
local function identity(kind)
  return function(self, options)
    self.identity = { type = kind, sequenceOptions = options or {} }
    self.hasDefault = true
    self.isNotNull = true
    return self
  end
end
Column.generatedAlwaysAsIdentity = identity("always")
Column.generatedByDefaultAsIdentity = identity("byDefault")

------------------------------------------------------------------- enums

-- pgEnum("role", { "admin", "editor" }): callable, makes enum columns.
local EnumMT = { __name = "drizzle.PgEnum" }
EnumMT.__index = EnumMT
EnumMT.__call = function(e, a, b)
  local name, config = nameAndConfig(e.enumName, a, b)
  return column({ columnType = "PgEnumColumn", sqlType = e.schema and ('"' .. e.schema .. '"."' .. e.enumName .. '"') or e.enumName,
                  codec = "none", enum = e, enumValues = e.enumValues }, name, config)
end

local function newEnum(name, values, schemaName)
  if type(name) ~= "string" then error("bad argument #1 to 'pgEnum' (enum name expected, got " .. type(name) .. ")", 3) end
  if type(values) ~= "table" or #values == 0 then
    error(("pgEnum(%q): bad argument #2 (a non-empty list of values expected)"):format(name), 3)
  end
  return setmetatable({ kind = "enum", enumName = name, enumValues = values, schema = schemaName }, EnumMT)
end

function M.pgEnum(name, values) return newEnum(name, values, nil) end
function M.isPgEnum(v) return getmetatable(v) == EnumMT end

--------------------------------------------------------------- sequences

-- pgSequence("name", { startWith, increment, minValue, maxValue, cache, cycle })
local function newSequence(name, options, schemaName)
  if type(name) ~= "string" then error("bad argument #1 to 'pgSequence' (sequence name expected, got " .. type(name) .. ")", 3) end
  return { kind = "sequence", seqName = name, seqOptions = options or {}, schema = schemaName }
end
function M.pgSequence(name, options) return newSequence(name, options, nil) end

------------------------------------------------------------------- tables

local function newTable(name, columns, extra, schemaName)
  return schema.newTable("pgTable", name, columns, extra, { dialect = "pg", schema = schemaName })
end

function M.pgTable(name, columns, extra) return newTable(name, columns, extra, nil) end


------------------------------------------------------------------- views

function M.pgView(name, columns) return views.builder("pg", name, columns, nil, false) end
function M.pgMaterializedView(name, columns) return views.builder("pg", name, columns, nil, true) end

----------------------------------------------------------------- schemas

-- pgSchema("auth"): schema:table(...), :enum(...), :sequence(...), :view(...)
local SchemaMT = { __name = "drizzle.PgSchema" }
SchemaMT.__index = SchemaMT
function SchemaMT:table(name, columns, extra) return newTable(name, columns, extra, self.schemaName) end
function SchemaMT:enum(name, values) return newEnum(name, values, self.schemaName) end
function SchemaMT:sequence(name, options) return newSequence(name, options, self.schemaName) end
function SchemaMT:view(name, columns) return views.builder("pg", name, columns, self.schemaName, false) end
function SchemaMT:materializedView(name, columns) return views.builder("pg", name, columns, self.schemaName, true) end

function M.pgSchema(name)
  if type(name) ~= "string" then error("bad argument #1 to 'pgSchema' (schema name expected, got " .. type(name) .. ")", 2) end
  if name == "public" then
    error("You can't specify 'public' as schema name. Postgres is using public schema by default. If you want to use 'public' schema, just use pgTable() instead of creating a schema", 2)
  end
  return setmetatable({ kind = "schema", schemaName = name }, SchemaMT)
end

schema.exportCommon(M, "pgTableCreator", function(name, columns, extra) return newTable(name, columns, extra, nil) end)

------------------------------------------------------------------ queries

local setops = session.setOperators("pg")
for k, v in pairs(setops) do M[k] = v end

-- drizzle("postgres://...") | drizzle({ connection = url | { host = ..., ... }, schema = ..., logger = ..., casing = ... })
M.drizzle = session.serverFactory("pg", session.conninfo)

return M
