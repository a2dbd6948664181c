-- drizzle.schema: tables, columns and table extras, shared by the dialects.
--
-- A column builder (`sqlite.integer("id"):primaryKey()`) is a plain Lua
-- object; a table takes its builders, orders them by creation (Lua tables
-- forget key order, LUA_API.md §4), names them, and registers them with the
-- C core, which keeps what the renderer needs (names, casing forms, flags)
-- in one dz_table. Each read of a column from its table (`users.id`) is a
-- fresh reference carrying the next sequence number, so field maps sort as
-- written (§5).
local ast = require("drizzle.ast")
local core = require("drizzle.core")

local setmetatable, getmetatable, rawget, type, pairs, ipairs, error, tostring =
  setmetatable, getmetatable, rawget, type, pairs, ipairs, error, tostring
local sort, nextSeq, K, kindOf = table.sort, ast.nextSeq, ast.K, ast.kindOf

local M = {}

------------------------------------------------------------------ columns

local Column = {}
local ColumnMT = { __dz = K.COLUMN, [0] = K.COLUMN, __index = Column, __name = "drizzle.Column" }
ColumnMT.__tostring = function(c)
  return ("drizzle.Column(%s.%s)"):format(c.table and rawget(c.table, 1).name or "?", c.name or c.key or "?")
end
M.Column = Column
M.ColumnMT = ColumnMT

-- Split the (name, config) arguments every column function takes; either
-- may be omitted.
function M.nameAndConfig(fn, a, b)
  if type(a) == "table" then return nil, a end
  if a ~= nil and type(a) ~= "string" then
    error(("bad argument #1 to '%s' (column name or options table expected, got %s)"):format(fn, type(a)), 3)
  end
  if b ~= nil and type(b) ~= "table" then
    error(("bad argument #2 to '%s' (options table expected, got %s)"):format(fn, type(b)), 3)
  end
  return a, b or {}
end

-- The class and codec a column's mode selects. modes lists
-- { mode, columnType, codec } with the default first. Raises, naming the
-- column function and the modes it knows, at the caller's caller (the user).
function M.pickMode(fn, name, mode, modes)
  mode = mode or modes[1][1]
  local known = {}
  for i, m in ipairs(modes) do
    if m[1] == mode then return m[2], m[3], mode end
    known[i] = m[1]
  end
  error(("%s(%s): unknown mode %q (%s)"):format(fn, name or "", tostring(mode), table.concat(known, ", ")), 3)
end

-- A new column builder. spec: dialect, columnType (Drizzle's class name),
-- sqlType (string or function(config) -> string), codec, name, config.
function M.newColumn(spec)
  spec.config = spec.config or {}
  spec.seq = nextSeq()
  return setmetatable(spec, ColumnMT)
end

-- The column builder of a dialect's column functions: spec (columnType,
-- sqlType, codec and any extra fields) made a column of that dialect.
function M.columnFor(dialect)
  return function(spec, name, config)
    spec.dialect = dialect
    spec.name = name
    spec.config = config
    return M.newColumn(spec)
  end
end

-- A column function of a dialect with a fixed class, SQL type and codec
-- (pg.integer, mysql.json, sqlite.real, ...).
function M.fixedColumnFor(dialect, fn, columnType, sqlType, codec)
  local column = M.columnFor(dialect)
  return function(a, b)
    local name, config = M.nameAndConfig(fn, a, b)
    return column({ columnType = columnType, sqlType = sqlType, codec = codec }, name, config)
  end
end

-- A column function of a dialect with a fixed SQL type, whose class and
-- codec its mode option picks among modes (see pickMode): pg.date,
-- mysql.date, sqlite.blob, ...
function M.modedColumnFor(dialect, fn, sqlType, modes)
  local column = M.columnFor(dialect)
  return function(a, b)
    local name, config = M.nameAndConfig(fn, a, b)
    local columnType, codec, mode = M.pickMode(fn, name, config.mode, modes)
    return column({ columnType = columnType, sqlType = sqlType, codec = codec, mode = mode }, name, config)
  end
end

function M.isColumn(v)
  local k = kindOf(v)
  return k == K.COLUMN or k == K.COLREF
end

-- The column object behind a reference (or the column itself).
function M.columnOf(v)
  local k = kindOf(v)
  if k == K.COLREF then return v[1] end
  if k == K.COLUMN then return v end
  return nil
end

-- Builder state lives in fields named apart from the builder methods
-- (isNotNull, defaultValue, defaultFunc, onUpdateFunc), so a chain may call
-- a method again after another set the same state: primaryKey():notNull().
function Column:notNull()
  self.isNotNull = true
  return self
end

function Column:default(value)
  self.defaultValue = value
  self.hasDefault = true
  return self
end

function Column:defaultFn(fn)
  if type(fn) ~= "function" then
    error("bad argument #1 to 'defaultFn' (function expected, got " .. type(fn) .. ")", 2)
  end
  self.defaultFunc = fn
  self.hasDefault = true
  return self
end
Column["$defaultFn"] = Column.defaultFn

function Column:onUpdateFn(fn)
  if type(fn) ~= "function" then
    error("bad argument #1 to 'onUpdateFn' (function expected, got " .. type(fn) .. ")", 2)
  end
  self.onUpdateFunc = fn
  self.hasDefault = true
  return self
end
Column["$onUpdateFn"] = Column.onUpdateFn
Column["$onUpdate"] = Column.onUpdateFn
Column.onUpdate = Column.onUpdateFn

function Column:primaryKey(opts)
  self.primary = true
  self.isNotNull = true
  if type(opts) == "table" then
    if opts.autoIncrement then self.autoIncrement = true end
    self.onConflict = opts.onConflict
  end
  return self
end

-- references(function() return users.id end, { onDelete = "cascade" })
function Column:references(fn, actions)
  if type(fn) ~= "function" then
    error("bad argument #1 to 'references' (function returning a column expected, got " .. type(fn) .. ")", 2)
  end
  self.refs = self.refs or {}
  self.refs[#self.refs + 1] = { fn = fn, actions = actions or {} }
  return self
end

function Column:unique(name, config)
  if type(name) == "table" then name, config = nil, name end
  self.isUnique = true
  self.uniqueName = name
  self.uniqueType = config and config.nulls
  return self
end

-- generatedAlwaysAs("sql text" | d.sql(...) | function() return d.sql(...) end, { mode = "stored" })
function Column:generatedAlwaysAs(as, config)
  local t = type(as)
  if t ~= "string" and t ~= "function" and kindOf(as) ~= K.SQL then
    error("bad argument #1 to 'generatedAlwaysAs' (string, sql or function expected, got " .. t .. ")", 2)
  end
  self.generated = { as = as, mode = (config and config.mode) or "virtual", type = "always" }
  return self
end

-- defaultNow(): now() on PostgreSQL, (now()) on MySQL, as Drizzle writes them.
function Column:defaultNow()
  return self:default(ast.sql(self.dialect == "mysql" and "(now())" or "now()"))
end

-- $type<T>() has no Lua counterpart: accepted, does nothing.
function Column:type() return self end
Column["$type"] = Column.type

-- Index column modifiers, used inside a table's extras callback.
local IndexColumnMT = { __name = "drizzle.IndexColumn" }
IndexColumnMT.__index = IndexColumnMT
M.IndexColumnMT = IndexColumnMT
local function indexColumn(ref)
  if getmetatable(ref) == IndexColumnMT then return ref end
  return setmetatable({ column = ref }, IndexColumnMT)
end
function IndexColumnMT:asc() self.order = "asc"; return self end
function IndexColumnMT:desc() self.order = "desc"; return self end
function IndexColumnMT:nullsFirst() self.nulls = "first"; return self end
function IndexColumnMT:nullsLast() self.nulls = "last"; return self end
function IndexColumnMT:op(opclass) self.opclass = opclass; return self end
function Column:asc() return indexColumn(self):asc() end
function Column:desc() return indexColumn(self):desc() end
function Column:nullsFirst() return indexColumn(self):nullsFirst() end
function Column:nullsLast() return indexColumn(self):nullsLast() end
function Column:op(opclass) return indexColumn(self):op(opclass) end

-- Column names under casing: Drizzle's toSnakeCase / toCamelCase.
local function words(s)
  local out = {}
  -- split on separators and lower-to-upper / acronym boundaries
  s = s:gsub("([%l%d])(%u)", "%1 %2"):gsub("(%u)(%u%l)", "%1 %2"):gsub("[_%-%s]+", " ")
  for w in s:gmatch("%S+") do out[#out + 1] = w end
  return out
end
function M.toSnakeCase(s)
  local w = words(s)
  for i = 1, #w do w[i] = w[i]:lower() end
  return table.concat(w, "_")
end
function M.toCamelCase(s)
  local w = words(s)
  for i = 1, #w do
    local lw = w[i]:lower()
    w[i] = i == 1 and lw or (lw:sub(1, 1):upper() .. lw:sub(2))
  end
  return table.concat(w)
end

------------------------------------------------------------------- tables

local TableMT = { __dz = K.TABLE, [0] = K.TABLE, __name = "drizzle.Table" }
M.TableMT = TableMT

-- users.id: a fresh reference, numbered for field order; an unknown name
-- raises, naming the table. Each table gets its own metatable whose
-- __index closes over the column map: a column read is one of the hottest
-- operations of query building.
local seqBox = ast.seqBox
local function tableMeta(info)
  local columns, alias = info.columns, info.aliasName
  local mt = {}
  for k, v in pairs(TableMT) do mt[k] = v end
  mt.__index = function(_, key)
    local col = columns[key]
    if col then
      local s = seqBox[1] + 1
      seqBox[1] = s
      return setmetatable({ col, s, alias }, col.refmt)
    end
    error(("table %q has no column %q"):format(info.name, tostring(key)), 2)
  end
  return mt
end
TableMT.__index = function(t, key)
  return tableMeta(rawget(t, 1)).__index(t, key)
end
TableMT.__newindex = function(t, key)
  error(("table %q is read-only (assigning %q)"):format(rawget(t, 1).name, tostring(key)), 2)
end
TableMT.__tostring = function(t) return "drizzle.Table(" .. rawget(t, 1).name .. ")" end

local function refTostring(r)
  return ("drizzle.ColumnRef(%s.%s)"):format(r[3] or rawget(r[1].table, 1).name, r[1].name)
end

local function flagsOf(col)
  local f = 0
  if col.isNotNull then f = f + core.COL_NOTNULL end
  if col.primary then f = f + core.COL_PRIMARY end
  if col.autoIncrement then f = f + core.COL_AUTOINC end
  if col.isUnique then f = f + core.COL_UNIQUE end
  if col.hasDefault then f = f + core.COL_HASDEFAULT end
  if col.generated and not col.identity then f = f + core.COL_GENERATED end
  if col.keyAsName then f = f + core.COL_KEYASNAME end
  if col.columnType == "SQLiteNumericBigInt" then f = f + core.COL_NUMERIC_BIGINT end
  if col.identity then f = f + core.COL_IDENTITY end
  if col.columnType == "ViewAliasedField" then f = f + core.COL_SELECTION_FIELD end
  return f
end

local function sqlTypeOf(col)
  local t = col.sqlType
  if type(t) == "function" then t = t(col.config, col) end
  return t
end
M.sqlTypeOf = sqlTypeOf

-- Register the table's columns with the core, one dz_table for the lot.
local function registerWithCore(info)
  local specs = {}
  for i, col in ipairs(info.list) do
    specs[i] = {
      name = col.name,
      snake = col.keyAsName and M.toSnakeCase(col.name) or nil,
      camel = col.keyAsName and M.toCamelCase(col.name) or nil,
      key = col.key,
      sqlType = sqlTypeOf(col) or "",
      flags = flagsOf(col),
      codec = col.codec or "none",
      elemCodec = col.elemCodec,
      elemKind = col.elemKind,
      column = col,
    }
  end
  info.c = core.newTable(info.name, info.schema, specs)
  for i, col in ipairs(info.list) do
    col.ptr = core.columnPtr(info.c, i)
    -- a reference's metatable carries its column's C pointer at [0] (where
    -- other nodes keep their kind): the binding reads both in one look
    col.refmt[0] = col.ptr
  end
end

-- A table object from column builders: the heart of sqliteTable/pgTable/
-- mysqlTable. opts: dialect, schema (name), extra (the third argument).
function M.newTable(fn, name, columns, extra, opts)
  if type(name) ~= "string" then
    error(("bad argument #1 to '%s' (table name expected, got %s)"):format(fn, type(name)), 3)
  end
  if type(columns) ~= "table" or kindOf(columns) then
    error(("bad argument #2 to '%s' (table of columns expected, got %s)"):format(fn, type(columns)), 3)
  end
  if extra ~= nil and type(extra) ~= "function" then
    error(("bad argument #3 to '%s' (function expected, got %s)"):format(fn, type(extra)), 3)
  end
  local list = {}
  for key, col in pairs(columns) do
    if type(key) ~= "string" then
      error(("%s(%q): column keys must be strings, got %s"):format(fn, name, type(key)), 3)
    end
    if kindOf(col) ~= K.COLUMN then
      error(("%s(%q): field %q is not a column (got %s)"):format(fn, name, key, type(col)), 3)
    end
    if col.table then           -- a builder reused in a second table: copy it
      local copy = {}
      for k, v in pairs(col) do copy[k] = v end
      col = setmetatable(copy, ColumnMT)
    end
    col.key = key
    list[#list + 1] = col
  end
  sort(list, function(a, b) return a.seq < b.seq end)

  local tbl = {}
  local info = {
    name = name, originalName = name, baseName = name, schema = opts.schema,
    dialect = opts.dialect, columns = {}, list = list, extra = extra,
    seq = nextSeq(), isAlias = false, table = tbl,
  }
  for i, col in ipairs(list) do
    if col.name == nil then col.name = col.key; col.keyAsName = true end
    col.table = tbl
    col.order = i
    col.refmt = { __dz = K.COLREF, [0] = K.COLREF, __index = col, __tostring = refTostring, __name = "drizzle.ColumnRef" }
    info.columns[col.key] = col
  end
  tbl[1] = info
  setmetatable(tbl, tableMeta(info))
  registerWithCore(info)
  return tbl
end

function M.isTable(v) return kindOf(v) == K.TABLE end

function M.info(t)
  if kindOf(t) ~= K.TABLE then return nil end
  return rawget(t, 1)
end

-- alias(users, "u"): the same columns, rendered through another name.
function M.alias(t, aliasName)
  local base = M.info(t)
  if not base then error("bad argument #1 to 'alias' (table expected, got " .. type(t) .. ")", 2) end
  if type(aliasName) ~= "string" then
    error("bad argument #2 to 'alias' (alias name expected, got " .. type(aliasName) .. ")", 2)
  end
  local tbl = {}
  local info = {}
  for k, v in pairs(base) do info[k] = v end
  info.name = aliasName
  info.aliasName = aliasName
  info.isAlias = true
  info.originalName = base.originalName
  info.base = base
  info.seq = nextSeq()
  info.table = tbl
  info.c = core.aliasTable(base.c, aliasName)
  tbl[1] = info
  return setmetatable(tbl, tableMeta(info))
end

function M.getTableName(t)
  local info = M.info(t)
  if not info then error("bad argument #1 to 'getTableName' (table expected, got " .. type(t) .. ")", 2) end
  return info.name
end

function M.getTableUniqueName(t)
  local info = M.info(t)
  return (info.schema or "public") .. "." .. info.name
end

-- A fresh table of references in table order (LUA_API.md §5); changing it
-- leaves the table alone.
function M.getTableColumns(t)
  local info = M.info(t)
  if not info then error("bad argument #1 to 'getTableColumns' (table expected, got " .. type(t) .. ")", 2) end
  local out = {}
  for _, col in ipairs(info.list) do
    out[col.key] = setmetatable({ col, nextSeq(), info.aliasName }, col.refmt)
  end
  return out
end

------------------------------------------------------------ table extras

-- index("name"):on(t.a, t.b):where(...), uniqueIndex, primaryKey({...}),
-- foreignKey({...}), unique("name"):on(...), check("name", sql): plain
-- descriptions that drizzle.kit turns into DDL.
local Extra = {}
Extra.__index = Extra
M.Extra = Extra

local function collect(...)
  local out = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if v ~= nil then out[#out + 1] = v end
  end
  return out
end

function Extra:on(...)
  self.columns = collect(...)
  return self
end
function Extra:onOnly(...)
  self.columns = collect(...)
  self.only = true
  return self
end
function Extra:where(cond) self.where_ = cond; return self end
function Extra:using(method, ...)
  self.method = method
  if select("#", ...) > 0 then self.columns = collect(...) end
  return self
end
function Extra:concurrently() self.concurrently = true; return self end
function Extra:with(params) self.with_ = params; return self end
function Extra:nullsNotDistinct() self.nullsNotDistinct = true; return self end
function Extra:algorithm(a) self.algorithm_ = a; return self end
function Extra:lock(l) self.lock_ = l; return self end
function Extra:onDelete(a) self.onDelete = a; return self end
function Extra:onUpdate(a) self.onUpdate = a; return self end
function Extra:references(...) self.foreignColumns = collect(...); return self end

function M.index(name) return setmetatable({ kind = "index", name = name }, Extra) end
function M.uniqueIndex(name) return setmetatable({ kind = "index", name = name, unique = true }, Extra) end
function M.unique(name) return setmetatable({ kind = "unique", name = name }, Extra) end
function M.check(name, cond) return setmetatable({ kind = "check", name = name, value = cond }, Extra) end

-- primaryKey({ columns = {...}, name = "..." }) or primaryKey(a, b, ...)
function M.primaryKey(first, ...)
  if kindOf(first) == nil and type(first) == "table" then
    return setmetatable({ kind = "primaryKey", columns = first.columns, name = first.name }, Extra)
  end
  return setmetatable({ kind = "primaryKey", columns = collect(first, ...) }, Extra)
end

-- foreignKey({ columns = {...}, foreignColumns = {...}, name = "..." })
function M.foreignKey(cfg)
  if type(cfg) ~= "table" then
    error("bad argument #1 to 'foreignKey' (options table expected, got " .. type(cfg) .. ")", 2)
  end
  return setmetatable({ kind = "foreignKey", columns = cfg.columns, foreignColumns = cfg.foreignColumns, name = cfg.name }, Extra)
end

-- customType({ dataType = function(config) return "text" end, toDriver = f,
-- fromDriver = g }) for a dialect: columns of columnType (PgCustomColumn...).
function M.customTypeFor(dialect, columnType)
  return function(cfg)
    if type(cfg) ~= "table" or type(cfg.dataType) ~= "function" then
      error("bad argument #1 to 'customType' (table with a dataType function expected)", 2)
    end
    return function(a, b)
      local name, config = M.nameAndConfig("customType", a, b)
      return M.newColumn({ dialect = dialect, columnType = columnType, sqlType = function(c) return cfg.dataType(c) end,
                           codec = (cfg.toDriver or cfg.fromDriver) and "custom" or "none",
                           toDriver = cfg.toDriver, fromDriver = cfg.fromDriver, name = name, config = config })
    end
  end
end

-- What every dialect module exports alike (alias, index, uniqueIndex,
-- unique, check, primaryKey, foreignKey) and its <dialect>TableCreator.
function M.exportCommon(module, creatorName, newTable)
  for _, k in ipairs({ "alias", "index", "uniqueIndex", "unique", "check", "primaryKey", "foreignKey" }) do
    module[k] = M[k]
  end
  -- <dialect>TableCreator(function(name) return "app_" .. name end)
  module[creatorName] = function(customize)
    if type(customize) ~= "function" then
      error(("bad argument #1 to '%s' (function expected, got %s)"):format(creatorName, type(customize)), 2)
    end
    return function(name, columns, extra) return newTable(customize(name), columns, extra) end
  end
end

return M
