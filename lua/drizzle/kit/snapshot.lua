-- drizzle.kit.snapshot: a schema module's tables as a drizzle-kit snapshot.
--
-- Mirrors drizzle-kit's serializer (src/serializer/sqliteSerializer.ts,
-- generateSqliteSnapshot): the same objects, keys in the same order, the
-- same names for unnamed constraints, defaults and expressions rendered as
-- the same SQL text. Expressions are rendered by the C core
-- (core.renderSQL): generated columns and index expressions with bare
-- column names (Drizzle's invokeSource 'indexes'), checks and partial-index
-- conditions qualified.
local core = require("drizzle.core")
local ast = require("drizzle.ast")
local schema = require("drizzle.schema")
local json = require("drizzle.kit.json")

local type, pairs, ipairs, error, tostring, getmetatable, rawget, next =
  type, pairs, ipairs, error, tostring, getmetatable, rawget, next
local floor, format, concat, sort = math.floor, string.format, table.concat, table.sort
local obj, set, kindOf, K = json.obj, json.set, ast.kindOf, ast.K

local M = {}

M.ORIGIN_UUID = "00000000-0000-0000-0000-000000000000"

-- Which Lua dialect tag (info.dialect) belongs to a kit dialect.
local TABLE_DIALECT = { sqlite = "sqlite", postgresql = "pg", mysql = "mysql" }
M.TABLE_DIALECT = TABLE_DIALECT

local function fail(fmt, ...)
  error("drizzle.kit: " .. fmt:format(...), 0)
end
M.fail = fail

-- getColumnCasing of drizzle-kit.
local function columnName(col, casing)
  if not col.name or col.name == "" then return "" end
  if not col.keyAsName or casing == nil then return col.name end
  if casing == "camelCase" then return schema.toCamelCase(col.name) end
  return schema.toSnakeCase(col.name)
end
M.columnName = columnName

-- The column behind a column, a column reference or an IndexColumn.
local function columnOf(v)
  local c = schema.columnOf(v)
  if c then return c end
  if type(v) == "table" and getmetatable(v) == schema.IndexColumnMT then
    return schema.columnOf(v.column)
  end
  return nil
end

local function render(dialect, node, opts)
  local sql = core.renderSQL(dialect, node, opts)
  return sql
end

-- sqlToStr: a default's SQL, text chunks only (drizzle-kit refuses params,
-- names and columns there).
local function sqlToStr(node)
  local out = {}
  local function walk(v)
    if type(v) == "string" then out[#out + 1] = v; return end
    if kindOf(v) == K.SQL then
      for i = 1, #v do walk(v[i]) end
      return
    end
    fail("we don't support params for `sql` default values")
  end
  walk(node)
  return concat(out)
end

-- new Date(seconds).toISOString()
local function isoDate(seconds)
  local ms = floor(seconds * 1000 + 0.5)
  local s = floor(ms / 1000)
  return os.date("!%Y-%m-%dT%H:%M:%S", s) .. format(".%03dZ", ms - s * 1000)
end
M.isoDate = isoDate

local DATE_TYPES = { SQLiteTimestamp = true }

-- The default as the snapshot stores it: SQL text for strings, sql and
-- objects; the raw value for numbers and booleans.
local function defaultOf(col)
  local v = col.defaultValue
  if v == nil then return nil end
  if kindOf(v) == K.SQL then return sqlToStr(v) end
  local t = type(v)
  if t == "string" then return "'" .. v:gsub("'", "''") .. "'" end
  if v == ast.NULL then return "'null'" end
  if t == "number" and DATE_TYPES[col.columnType] then
    -- a JS Date default: typeof 'object', so '${JSON.stringify(date)}'
    return "'" .. json.string(isoDate(v)) .. "'"
  end
  if t == "table" then return "'" .. json.encodeValue(v) .. "'" end
  if t == "number" or t == "boolean" then return v end
  fail("column %q: cannot use a %s as a default", col.name, t)
end

-- generated.as: "(expr)" with bare column names.
local function generatedOf(col, dialect, casing)
  local g = col.generated
  if not g or col.identity then return nil end
  local as = g.as
  local text
  if type(as) == "function" then as = as() end
  if kindOf(as) == K.SQL then
    text = "(" .. render(dialect, as, { casing = casing, bareColumns = true }) .. ")"
  else
    text = "(" .. tostring(as) .. ")"
  end
  return obj("as", text, "type", g.mode or "virtual")
end

local INTEGER_TYPES = { SQLiteInteger = true, SQLiteTimestamp = true, SQLiteBoolean = true }

-- The table's extras as a list, in the order written (a list), or by key
-- (the older object form: Lua forgets its order, so keys sort).
local function extrasOf(info, tbl)
  if not info.extra then return {} end
  local res = info.extra(tbl)
  if res == nil then return {} end
  if type(res) ~= "table" then
    fail("table %q: the extras callback must return a table, got %s", info.name, type(res))
  end
  local list = {}
  if #res > 0 or next(res) == nil then
    for _, v in ipairs(res) do
      if type(v) == "table" and getmetatable(v) == nil then      -- .flat(1)
        for _, w in ipairs(v) do list[#list + 1] = w end
      else
        list[#list + 1] = v
      end
    end
  else
    local keys = {}
    for k in pairs(res) do keys[#keys + 1] = k end
    sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    for _, k in ipairs(keys) do list[#list + 1] = res[k] end
  end
  return list
end

-- The extras of one kind ("index", "unique", ...), in the order written.
local function extrasOfKind(extras, kind)
  local out = {}
  for _, ex in ipairs(extras) do
    if type(ex) == "table" and ex.kind == kind then out[#out + 1] = ex end
  end
  return out
end

local function refList(v, what, tname)
  if type(v) ~= "table" then fail("table %q: %s must be a list of columns", tname, what) end
  local out = {}
  for i, c in ipairs(v) do
    local col = columnOf(c)
    if not col then fail("table %q: %s[%d] is not a column", tname, what, i) end
    out[i] = col
  end
  return out
end

local function replaceFirst(s, from, to)
  local i, j = s:find(from, 1, true)
  if not i then return s end
  return s:sub(1, i - 1) .. to .. s:sub(j + 1)
end

-- A unique(...) extra's columns under casing and its name; drizzle-kit's
-- default name joins the columns as written (pg, sqlite) or, for MySQL,
-- as cased (bCasedName).
local function uniqueOf(ex, tableName, casing, bCasedName)
  local cols, orig = {}, {}
  for i, c in ipairs(refList(ex.columns or {}, "unique columns", tableName)) do
    cols[i] = columnName(c, casing); orig[i] = c.name
  end
  return ex.name or (tableName .. "_" .. concat(bCasedName and cols or orig, "_") .. "_unique"), cols
end

-- A primaryKey(...) extra's name and cased columns; a default name follows
-- the casing of the columns it is made of, as drizzle-kit's does.
local function compositeKeyOf(ex, tableName, casing)
  local names, orig = {}, {}
  for i, c in ipairs(refList(ex.columns or {}, "primaryKey columns", tableName)) do
    names[i] = columnName(c, casing); orig[i] = c.name
  end
  local name = ex.name or (tableName .. "_" .. concat(orig, "_") .. "_pk")
  if casing ~= nil then
    for i = 1, #orig do name = replaceFirst(name, orig[i], names[i]) end
  end
  return name, names
end

-- The foreign keys of a table: the columns' references(), then foreignKey()
-- extras, as { name?, columns, foreignColumns, onDelete?, onUpdate? }.
local function foreignKeysOf(info, extras, tableName)
  local fks = {}
  for _, col in ipairs(info.list) do
    for _, ref in ipairs(col.refs or {}) do
      local target = columnOf(ref.fn())
      if not target then fail("table %q: references() of column %q must return a column", tableName, col.name) end
      fks[#fks + 1] = { columns = { col }, foreignColumns = { target },
                        onDelete = ref.actions.onDelete, onUpdate = ref.actions.onUpdate }
    end
  end
  for _, ex in ipairs(extrasOfKind(extras, "foreignKey")) do
    fks[#fks + 1] = { name = ex.name, columns = refList(ex.columns, "foreignKey columns", tableName),
                      foreignColumns = refList(ex.foreignColumns, "foreignKey foreignColumns", tableName),
                      onDelete = type(rawget(ex, "onDelete")) == "string" and ex.onDelete or nil,
                      onUpdate = type(rawget(ex, "onUpdate")) == "string" and ex.onUpdate or nil }
  end
  return fks
end

-- ForeignKey.getName() with drizzle-kit's casing replacement; also the
-- referenced table's info and the cased columns on both sides.
local function fkName(fk, tableName, casing)
  local tableTo = rawget(fk.foreignColumns[1].table, 1)
  local from, to, origFrom, origTo = {}, {}, {}, {}
  for i, c in ipairs(fk.columns) do from[i] = columnName(c, casing); origFrom[i] = c.name end
  for i, c in ipairs(fk.foreignColumns) do to[i] = columnName(c, casing); origTo[i] = c.name end
  local name = fk.name
  if name == nil then
    local chunks = { tableName }
    for _, n in ipairs(origFrom) do chunks[#chunks + 1] = n end
    chunks[#chunks + 1] = tableTo.name
    for _, n in ipairs(origTo) do chunks[#chunks + 1] = n end
    name = concat(chunks, "_") .. "_fk"
  end
  if casing ~= nil then
    for i = 1, #origFrom do name = replaceFirst(name, origFrom[i], from[i]) end
    for i = 1, #origTo do name = replaceFirst(name, origTo[i], to[i]) end
  end
  return name, tableTo, from, to
end

-- The snapshot's foreignKeys object of a table, the same for every dialect
-- but for pg's schemaTo (withSchemaTo).
local function foreignKeysObj(info, extras, tableName, casing, withSchemaTo)
  local out = obj()
  for _, fk in ipairs(foreignKeysOf(info, extras, tableName)) do
    if #fk.foreignColumns == 0 then fail("table %q: a foreign key needs foreign columns", tableName) end
    local name, to, from, toCols = fkName(fk, tableName, casing)
    set(out, name, obj("name", name, "tableFrom", tableName, "tableTo", to.name,
      "schemaTo", withSchemaTo and to.schema or nil, "columnsFrom", from, "columnsTo", toCols,
      "onDelete", fk.onDelete or "no action", "onUpdate", fk.onUpdate or "no action"))
  end
  return out
end

-- The check() extras of a table as the snapshot's checkConstraints.
local function checksOf(extras, dialect, casing, tableName)
  local out = obj()
  for _, ex in ipairs(extrasOfKind(extras, "check")) do
    local name = ex.name
    if type(name) ~= "string" then fail("table %q: a check needs a name", tableName) end
    if out[name] then
      fail("We've found duplicated check constraint name in %s. Please rename your check constraint in the %s table",
        tableName, tableName)
    end
    if kindOf(ex.value) ~= K.SQL then fail("check %q of table %q: sql expected", name, tableName) end
    set(out, name, obj("name", name, "value", render(dialect, ex.value, { casing = casing })))
  end
  return out
end

-- An index's columns as SQLite and MySQL snapshots hold them: cased names,
-- and expressions rendered with bare columns and noted in
-- internal.indexes[name].columns[sql].isExpression. SQLite's snapshot format
-- cannot hold a column name with ',' (rejectCommas).
local function indexColumnsOf(ex, name, tableName, dialect, casing, internal, rejectCommas)
  local cols = {}
  for i, c in ipairs(ex.columns or {}) do
    if kindOf(c) == K.SQL then
      local sql = render(dialect, c, { casing = casing, bareColumns = true })
      if internal.indexes[name] == nil then set(internal.indexes, name, obj("columns", obj())) end
      set(internal.indexes[name].columns, sql, obj("isExpression", true))
      cols[i] = sql
    else
      local col = columnOf(c)
      if not col then fail("index %q of table %q: column %d is neither a column nor sql", name, tableName, i) end
      cols[i] = columnName(col, casing)
      -- drizzle-kit joins index columns with ',' in its snapshot and splits them again
      if rejectCommas and cols[i]:find(",", 1, true) then
        fail("generate: index column %q of index %q contains ',', which drizzle-kit's snapshot format cannot hold (it splits on ';' and ',')",
          cols[i], name)
      end
    end
  end
  return cols
end

M.columnOf, M.extrasOf, M.extrasOfKind, M.refList, M.replaceFirst, M.sqlToStr, M.render =
  columnOf, extrasOf, extrasOfKind, refList, replaceFirst, sqlToStr, render
M.uniqueOf, M.compositeKeyOf, M.foreignKeysObj, M.checksOf, M.indexColumnsOf =
  uniqueOf, compositeKeyOf, foreignKeysObj, checksOf, indexColumnsOf

-- One table as the snapshot's table object; `internal` gets the index
-- expressions (internal.indexes[name].columns[sql].isExpression).
function M.table(tbl, dialect, casing, internal)
  local info = schema.info(tbl)
  local tableName = info.name
  local columns, indexes = obj(), obj()
  local compositePrimaryKeys, uniqueConstraints = obj(), obj()

  for _, col in ipairs(info.list) do
    local name = columnName(col, casing)
    local c = obj(
      "name", name,
      "type", schema.sqlTypeOf(col),
      "primaryKey", col.primary and true or false,
      "notNull", col.isNotNull == true,
      "autoincrement", INTEGER_TYPES[col.columnType] and (col.autoIncrement and true or false) or false)
    set(c, "generated", generatedOf(col, dialect, casing))
    set(c, "default", defaultOf(col))
    set(columns, name, c)
    if col.isUnique then
      local uname = col.uniqueName or (tableName .. "_" .. col.name .. "_unique")
      if indexes[uname] then
        fail("We've found duplicated unique constraint names in %s table. The unique constraint %s on the %s column is conflicting with a unique constraint name already defined for %s columns",
          tableName, uname, name, concat(indexes[uname].columns, ","))
      end
      set(indexes, uname, obj("name", uname, "columns", { name }, "isUnique", true))
    end
  end

  local extras = extrasOf(info, tbl)

  local foreignKeys = foreignKeysObj(info, extras, tableName, casing)

  -- indexes
  for _, ex in ipairs(extrasOfKind(extras, "index")) do
    local name = ex.name
    if type(name) ~= "string" then fail("table %q: an index needs a name", tableName) end
    local cols = indexColumnsOf(ex, name, tableName, dialect, casing, internal, true)
    local where
    if kindOf(ex.where_) == K.SQL then where = render(dialect, ex.where_, { casing = casing }) end
    set(indexes, name, obj("name", name, "columns", cols, "isUnique", ex.unique and true or false, "where", where))
  end

  -- unique constraints become unique indexes in SQLite
  for _, ex in ipairs(extrasOfKind(extras, "unique")) do
    local name, cols = uniqueOf(ex, tableName, casing)
    if indexes[name] then
      fail("We've found duplicated unique constraint names in %s table. The unique constraint %s on the %s columns is conflicting with a unique constraint name already defined for %s columns",
        tableName, name, concat(cols, ","), concat(indexes[name].columns, ","))
    end
    set(indexes, name, obj("name", name, "columns", cols, "isUnique", true))
  end

  -- primary keys: one column marks the column, more make a composite key
  for _, ex in ipairs(extrasOfKind(extras, "primaryKey")) do
    local name, names = compositeKeyOf(ex, tableName, casing)
    if #names > 1 then
      set(compositePrimaryKeys, name, obj("columns", names, "name", name))
    elseif #names == 1 then
      local c = columns[names[1]]
      if c then c.primaryKey = true end
    end
  end

  local checkConstraints = checksOf(extras, dialect, casing, tableName)

  return obj("name", tableName, "columns", columns, "indexes", indexes, "foreignKeys", foreignKeys,
    "compositePrimaryKeys", compositePrimaryKeys, "uniqueConstraints", uniqueConstraints,
    "checkConstraints", checkConstraints)
end

-- A module's keys in the order of an ES module namespace (sorted by export
-- name; Lua keys of different types apart, by type name).
local function sortedKeys(exports)
  local keys = {}
  for k in pairs(exports) do keys[#keys + 1] = k end
  sort(keys, function(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta < tb end
    return a < b
  end)
  return keys
end
M.sortedKeys = sortedKeys

-- The tables of a schema module for a dialect, in drizzle-kit's order:
-- entries by sorted key (an ES module namespace is sorted by export name).
function M.collectTables(exports, dialect)
  local want = TABLE_DIALECT[dialect]
  local out = {}
  for _, k in ipairs(sortedKeys(exports)) do
    local v = exports[k]
    local info = schema.info(v)
    if info and not info.isAlias and (info.dialect == nil or info.dialect == want) then
      out[#out + 1] = v
    end
  end
  return out
end

-- The sqlite snapshot (without id/prevId) of a list of tables.
function M.sqlite(tables, casing)
  local result = obj()
  local internal = obj("indexes", obj())
  for _, tbl in ipairs(tables) do
    local t = M.table(tbl, "sqlite", casing, internal)
    set(result, t.name, t)
  end
  return result, internal
end

-- The snapshot document: { version, dialect, id, prevId, tables, views,
-- enums, _meta, internal }, the key order drizzle-kit writes.
function M.document(dialect, tables, internal, id, prevId)
  if dialect ~= "sqlite" then fail("dialect %q is not implemented yet (sqlite only for now)", dialect) end
  return obj("version", "6", "dialect", "sqlite", "id", id, "prevId", prevId,
    "tables", tables, "views", obj(), "enums", obj(),
    "_meta", obj("schemas", obj(), "tables", obj(), "columns", obj()),
    "internal", internal)
end

return M
