-- drizzle.mysql: mysql-core (`drizzle-orm/mysql-core`) and the driver over
-- libmysqlclient / MariaDB Connector/C (`drizzle-orm/mysql2`).
--
--   local mysql = require("drizzle.mysql")
--   local users = mysql.mysqlTable("users", { id = mysql.serial("id"):primaryKey() })
--   local db = mysql.drizzle("mysql://user:pass@127.0.0.1:3306/db")
--
-- Column functions set the SQL type as Drizzle's getSQLType() writes it,
-- Drizzle's column class name (drizzle.kit reads it) and a codec (see
-- lua/drizzle/codec.c): datetimes travel as 'YYYY-MM-DD hh:mm:ss.mmm',
-- booleans come back from tinyint(1) as true/false, JSON as text.
local schema = require("drizzle.schema")
local session = require("drizzle.session")
local views = require("drizzle.views")

local type, error, setmetatable, tostring, pairs, ipairs = type, error, setmetatable, tostring, pairs, ipairs
local nameAndConfig, Column = schema.nameAndConfig, schema.Column

local M = {}

------------------------------------------------------------------ columns

local column = schema.columnFor("mysql")

local pickMode = schema.pickMode

-- int/tinyint/smallint/mediumint(name?, { unsigned = bool })
local function integer(fn, columnType)
  M[fn] = function(a, b)
    local name, config = nameAndConfig(fn, a, b)
    return column({ columnType = columnType, sqlType = fn .. (config.unsigned and " unsigned" or ""), codec = "none",
                    unsigned = config.unsigned }, name, config)
  end
end
integer("int", "MySqlInt")
integer("tinyint", "MySqlTinyInt")
integer("smallint", "MySqlSmallInt")
integer("mediumint", "MySqlMediumInt")

-- bigint(name?, { mode = "number" | "bigint", unsigned = bool })
function M.bigint(a, b)
  local name, config = nameAndConfig("bigint", a, b)
  local columnType, codec, mode = pickMode("bigint", name, config.mode,
    { { "number", "MySqlBigInt53", "none" }, { "bigint", "MySqlBigInt64", "bigint" } })
  return column({ columnType = columnType, sqlType = "bigint" .. (config.unsigned and " unsigned" or ""), codec = codec,
                  mode = mode, unsigned = config.unsigned }, name, config)
end

-- serial (the type means bigint unsigned not null auto_increment unique)
function M.serial(a, b)
  local name, config = nameAndConfig("serial", a, b)
  local c = column({ columnType = "MySqlSerial", sqlType = "serial", codec = "none" }, name, config)
  c.hasDefault, c.autoIncrement = true, true   -- not NOT NULL: drizzle-orm's MySqlSerial sets only these two
  return c
end

M.boolean = schema.fixedColumnFor("mysql", "boolean", "MySqlBoolean", "boolean", "boolean")

-- float/double/decimal(p, s) spelling: "t(p,s)", "t(p)" or "t", then " unsigned".
local function precise(base, config, sep)
  local p, s = config.precision, config.scale
  local t = base
  if p ~= nil and s ~= nil then t = ("%s(%s%s%s)"):format(base, p, sep, s)
  elseif p ~= nil then t = ("%s(%s)"):format(base, p) end
  if config.unsigned then t = t .. " unsigned" end
  return t
end

function M.float(a, b)
  local name, config = nameAndConfig("float", a, b)
  return column({ columnType = "MySqlFloat", sqlType = precise("float", config, ","), codec = "none" }, name, config)
end

function M.double(a, b)
  local name, config = nameAndConfig("double", a, b)
  return column({ columnType = "MySqlDouble", sqlType = precise("double", config, ","), codec = "none" }, name, config)
end

function M.real(a, b)
  local name, config = nameAndConfig("real", a, b)
  local c = { precision = config.precision, scale = config.scale }
  return column({ columnType = "MySqlReal", sqlType = precise("real", c, ", "), codec = "none" }, name, config)
end

-- decimal(name?, { precision, scale, unsigned, mode = "string" | "number" | "bigint" })
function M.decimal(a, b)
  local name, config = nameAndConfig("decimal", a, b)
  local columnType, codec, mode = pickMode("decimal", name, config.mode, {
    { "string", "MySqlDecimal", "numeric_string" }, { "number", "MySqlDecimalNumber", "numeric_number" },
    { "bigint", "MySqlDecimalBigInt", "numeric_bigint" } })
  return column({ columnType = columnType, sqlType = precise("decimal", config, ","), codec = codec, mode = mode }, name, config)
end

-- char/varchar(name?, { length = n, enum = {...} }), binary/varbinary(name?, { length = n })
local function sized(fn, columnType, required)
  M[fn] = function(a, b)
    local name, config = nameAndConfig(fn, a, b)
    if required and config.length == nil then
      error(("%s(%s): the length option is required"):format(fn, name or ""), 2)
    end
    local sqlType = config.length ~= nil and (fn .. "(" .. config.length .. ")") or fn
    return column({ columnType = columnType, sqlType = sqlType, codec = "none", enumValues = config.enum }, name, config)
  end
end
sized("char", "MySqlChar")
sized("varchar", "MySqlVarChar", true)
sized("binary", "MySqlBinary")
sized("varbinary", "MySqlVarBinary", true)

-- text/tinytext/mediumtext/longtext(name?, { enum = {...} })
for _, fn in ipairs({ "text", "tinytext", "mediumtext", "longtext" }) do
  M[fn] = function(a, b)
    local name, config = nameAndConfig(fn, a, b)
    return column({ columnType = "MySqlText", sqlType = fn, codec = "none", enumValues = config.enum }, name, config)
  end
end

M.json = schema.fixedColumnFor("mysql", "json", "MySqlJson", "json", "json")
M.year = schema.fixedColumnFor("mysql", "year", "MySqlYear", "year", "none")

-- date(name?, { mode = "date" | "string" })
M.date = schema.modedColumnFor("mysql", "date", "date",
  { { "date", "MySqlDate", "mysql_date" }, { "string", "MySqlDateString", "none" } })

-- datetime/timestamp(name?, { mode = "date" | "string", fsp = 0..6 }), time(name?, { fsp })
local function temporal(fn, dateClass, stringClass)
  M[fn] = function(a, b)
    local name, config = nameAndConfig(fn, a, b)
    local sqlType = fn .. (config.fsp ~= nil and ("(" .. config.fsp .. ")") or "")
    local modes = { { "string", stringClass, "none" } }
    if dateClass then table.insert(modes, 1, { "date", dateClass, "mysql_datetime" }) end
    local columnType, codec, mode = pickMode(fn, name, config.mode, modes)
    return column({ columnType = columnType, sqlType = sqlType, codec = codec, mode = mode, fsp = config.fsp }, name, config)
  end
end
temporal("datetime", "MySqlDateTime", "MySqlDateTimeString")
temporal("timestamp", "MySqlTimestamp", "MySqlTimestampString")
temporal("time", nil, "MySqlTime")

-- mysqlEnum(name?, { "a", "b" })
function M.mysqlEnum(a, b)
  local name, values = a, b
  if type(a) == "table" then name, values = nil, a end
  if type(values) ~= "table" or #values == 0 then
    error(("mysqlEnum(%s): a non-empty list of values expected"):format(name or ""), 2)
  end
  local quoted = {}
  for i, v in ipairs(values) do quoted[i] = "'" .. v .. "'" end
  return column({ columnType = "MySqlEnumColumn", sqlType = "enum(" .. table.concat(quoted, ",") .. ")", codec = "none",
                  enumValues = values }, name, {})
end

-- customType({ dataType = function(config) return "text" end, toDriver = f, fromDriver = g })
M.customType = schema.customTypeFor("mysql", "MySqlCustomColumn")

-- autoincrement(), onUpdateNow({ fsp })
function Column:autoincrement()
  self.autoIncrement = true
  self.hasDefault = true
  return self
end

function Column:onUpdateNow(config)
  self.hasOnUpdateNow = true
  self.onUpdateNowFsp = config and config.fsp
  self.hasDefault = true
  return self
end

------------------------------------------------------------------- tables

local function newTable(name, columns, extra, schemaName)
  return schema.newTable("mysqlTable", name, columns, extra, { dialect = "mysql", schema = schemaName })
end

function M.mysqlTable(name, columns, extra) return newTable(name, columns, extra, nil) end


function M.mysqlView(name, columns) return views.builder("mysql", name, columns, nil, false) end

local SchemaMT = { __name = "drizzle.MySqlSchema" }
SchemaMT.__index = SchemaMT
function SchemaMT:table(name, columns, extra) return newTable(name, columns, extra, self.schemaName) end
function SchemaMT:view(name, columns) return views.builder("mysql", name, columns, self.schemaName, false) end

function M.mysqlSchema(name)
  if type(name) ~= "string" then error("bad argument #1 to 'mysqlSchema' (schema name expected, got " .. type(name) .. ")", 2) end
  return setmetatable({ kind = "schema", schemaName = name }, SchemaMT)
end
M.mysqlDatabase = M.mysqlSchema

schema.exportCommon(M, "mysqlTableCreator", function(name, columns, extra) return newTable(name, columns, extra, nil) end)

------------------------------------------------------------------ queries

local setops = session.setOperators("mysql")
for k, v in pairs(setops) do M[k] = v end

-- drizzle("mysql://user:pass@host:port/db") | drizzle({ connection = url | { host, port, user, password, database }, schema, mode, logger, casing })
M.drizzle = session.serverFactory("mysql", session.mysqlUrl)

return M
