-- drizzle.kit.serialize: a pg or MySQL schema module as a drizzle-kit
-- snapshot.
--
-- Mirrors drizzle-kit's generatePgSnapshot (src/serializer/pgSerializer.ts)
-- and generateMySqlSnapshot (mysqlSerializer.ts): the same objects, keys in
-- the same order (JSON.stringify drops undefined ones), the same names for
-- unnamed constraints, defaults as the same SQL text. Expressions are
-- rendered by the C core (core.renderSQL): index expressions with bare column
-- names (Drizzle's invokeSource 'indexes'), generated columns, checks and
-- partial-index conditions qualified, as Drizzle's sqlToQuery writes them.
local ast = require("drizzle.ast")
local schema = require("drizzle.schema")
local json = require("drizzle.kit.json")
local snapshot = require("drizzle.kit.snapshot")

local type, pairs, ipairs, tostring, tonumber, getmetatable, rawget, next =
  type, pairs, ipairs, tostring, tonumber, getmetatable, rawget, next
local concat, sort = table.concat, table.sort
local obj, set, kindOf, K = json.obj, json.set, ast.kindOf, ast.K
local fail, columnName, columnOf, extrasOf, extrasOfKind, sqlToStr, render =
  snapshot.fail, snapshot.columnName, snapshot.columnOf, snapshot.extrasOf,
  snapshot.extrasOfKind, snapshot.sqlToStr, snapshot.render
local uniqueOf, compositeKeyOf, foreignKeysObj, checksOf, indexColumnsOf =
  snapshot.uniqueOf, snapshot.compositeKeyOf, snapshot.foreignKeysObj, snapshot.checksOf, snapshot.indexColumnsOf

local M = {}

------------------------------------------------------------ collecting

-- prepareFromExports: the module's entries by sorted key, split by kind.
function M.collect(exports, dialect)
  local want = snapshot.TABLE_DIALECT[dialect]
  local out = { tables = {}, enums = {}, schemas = {}, sequences = {}, views = {} }
  for _, k in ipairs(snapshot.sortedKeys(exports)) do
    local v = exports[k]
    local info = schema.info(v)
    if info then
      if not info.isAlias and (info.dialect == nil or info.dialect == want) then
        if info.isView then out.views[#out.views + 1] = v else out.tables[#out.tables + 1] = v end
      end
    elseif type(v) == "table" and dialect == "postgresql" then
      if v.kind == "enum" and v.enumName then out.enums[#out.enums + 1] = v
      elseif v.kind == "sequence" and v.seqName then out.sequences[#out.sequences + 1] = v
      elseif v.kind == "schema" and v.schemaName and getmetatable(v) then out.schemas[#out.schemas + 1] = v end
    end
  end
  return out
end

-- Several modules (a list of paths) in one: their parts concatenated.
function M.merge(parts)
  local out = { tables = {}, enums = {}, schemas = {}, sequences = {}, views = {} }
  for _, p in ipairs(parts) do
    for k, list in pairs(p) do
      for _, v in ipairs(list) do out[k][#out[k] + 1] = v end
    end
  end
  return out
end

------------------------------------------------------------ shared

local function str(v)
  if v == nil then return nil end
  if type(v) == "number" then return json.number(v) end
  return tostring(v)
end

-- generated.as: the string as is, or the sql rendered (columns qualified).
local function generatedAs(col, dialect, casing)
  local as = col.generated.as
  if type(as) == "function" then as = as() end
  if kindOf(as) == K.SQL then return render(dialect, as, { casing = casing }) end
  return tostring(as)
end

-- A table extra's state field (not the builder method of the same name).
local function field(ex, k)
  local v = rawget(ex, k)
  if type(v) == "function" then return nil end
  return v
end

local function isoDate(seconds) return snapshot.isoDate(seconds) end

-- The primaryKey() extras into compositePrimaryKeys, alike for pg and
-- MySQL; MySQL also makes their columns not null (pass its columns).
local function compositeKeysInto(keys, extras, tableName, casing, notNullColumns)
  for _, ex in ipairs(extrasOfKind(extras, "primaryKey")) do
    local name, names = compositeKeyOf(ex, tableName, casing)
    set(keys, name, obj("name", name, "columns", names))
    if notNullColumns then
      for _, n in ipairs(names) do if notNullColumns[n] then notNullColumns[n].notNull = true end end
    end
  end
end

-- The unique() extras into uniqueConstraints, alike for pg and MySQL but
-- for MySQL's default names (of the cased columns) and pg's nullsNotDistinct.
local function uniqueConstraintsInto(out, extras, tableName, casing, isMysql)
  for _, ex in ipairs(extrasOfKind(extras, "unique")) do
    local name, cols = uniqueOf(ex, tableName, casing, isMysql)
    if out[name] then
      fail("We've found duplicated unique constraint names in %s table. The unique constraint %s on the %s columns is confilcting with a unique constraint name already defined for %s columns",
        tableName, name, concat(cols, ","), concat(out[name].columns, ","))
    end
    local nullsNotDistinct
    if not isMysql then nullsNotDistinct = field(ex, "nullsNotDistinct") == true end
    set(out, name, obj("name", name, "nullsNotDistinct", nullsNotDistinct, "columns", cols))
  end
end

------------------------------------------------------------ pg

local function baseOf(col)
  while col.columnType == "PgArray" and col.baseColumn do col = col.baseColumn end
  return col
end

-- column.getSQLType() as drizzle-orm writes it (an enum column is its bare
-- name, a geometry has no srid).
local function pgSqlType(col)
  local ct = col.columnType
  if ct == "PgArray" and col.baseColumn then
    return pgSqlType(col.baseColumn) .. "[" .. (col.size ~= nil and tostring(col.size) or "") .. "]"
  end
  if ct == "PgEnumColumn" and col.enum then return col.enum.enumName end
  if ct == "PgGeometry" or ct == "PgGeometryObject" then return "geometry(point)" end
  return schema.sqlTypeOf(col)
end
M.pgSqlType = pgSqlType

local function isPgArrayType(t) return t:match("%[%d*%]$") ~= nil end

-- buildArrayString of pgSerializer.ts
local function buildArrayString(array, sqlType)
  sqlType = sqlType:match("^[^%[]*")
  local vals = {}
  for i, v in ipairs(array) do
    local t = type(v)
    if t == "number" then vals[i] = json.number(v)
    elseif t == "boolean" then vals[i] = v and "true" or "false"
    elseif t == "table" and (#v > 0 or next(v) == nil) and not json.isObj(v) then vals[i] = buildArrayString(v, sqlType)
    elseif t == "table" then vals[i] = '"' .. json.encodeValue(v):gsub('"', '\\"') .. '"'
    else vals[i] = '"' .. tostring(v) .. '"' end
  end
  return "{" .. concat(vals, ",") .. "}"
end

local PG_DATE_TYPES = { PgTimestamp = true, PgDate = true }

local function pgDefault(col, sqlType)
  local v = col.defaultValue
  if v == nil then return nil end
  if kindOf(v) == K.SQL then return sqlToStr(v) end
  local t = type(v)
  local lowered = sqlType:lower()
  if t == "string" then return "'" .. v:gsub("'", "''") .. "'" end
  if lowered == "jsonb" or lowered == "json" then
    return "'" .. json.encodeValue(v) .. "'::" .. lowered
  end
  if t == "number" and PG_DATE_TYPES[baseOf(col).columnType] and not isPgArrayType(lowered) then
    local iso = isoDate(v)
    if lowered == "date" then return "'" .. iso:sub(1, 10) .. "'" end
    if lowered == "timestamp" then return "'" .. iso:gsub("T", " "):sub(1, 23) .. "'" end
    return "'" .. iso .. "'"
  end
  if isPgArrayType(lowered) and t == "table" then return "'" .. buildArrayString(v, lowered) .. "'" end
  if t == "number" or t == "boolean" then return v end
  if t == "table" then return "'" .. json.encodeValue(v) .. "'" end
  fail("column %q: cannot use a %s as a default", col.name, t)
end

local function maxRange(sqlType)
  if sqlType == "integer" then return "2147483647" end
  if sqlType == "bigint" then return "9223372036854775807" end
  return "32767"
end
local function minRange(columnType)
  -- drizzle-kit compares the column class name with SQL type names here, so
  -- this is always the smallint range (as drizzle-kit writes it)
  if columnType == "integer" then return "-2147483648" end
  if columnType == "bigint" then return "-9223372036854775808" end
  return "-32768"
end

-- The identity object (pgSerializer's columnToSet.identity).
local function pgIdentity(col, tableName, name, tableSchema)
  local id = col.identity
  local o = id.sequenceOptions or {}
  local increment = str(o.increment) or "1"
  local neg = (tonumber(increment) or 0) < 0
  local minValue = str(o.minValue) or (neg and minRange(col.columnType) or "1")
  local maxValue = str(o.maxValue) or (neg and "-1" or maxRange(pgSqlType(col)))
  local startWith = str(o.startWith) or (neg and maxValue or minValue)
  local cache = str(o.cache) or "1"
  return obj("type", id.type, "name", o.name or (tableName .. "_" .. name .. "_seq"),
    "schema", tableSchema or "public", "increment", increment, "startWith", startWith,
    "minValue", minValue, "maxValue", maxValue, "cache", cache, "cycle", o.cycle or false)
end

-- The entries of a with() table as an object: the keys of `order` first, in
-- that order, then the others sorted (a Lua table forgets the order its keys
-- were written in; indexes and views each fix their own).
local function orderedWith(w, order)
  local o, known, rest = obj(), {}, {}
  for _, k in ipairs(order) do
    known[k] = true
    if w[k] ~= nil then set(o, k, w[k]) end
  end
  for k in pairs(w) do if not known[k] then rest[#rest + 1] = tostring(k) end end
  sort(rest)
  for _, k in ipairs(rest) do set(o, k, w[k]) end
  return o
end

-- The storage parameters of an index's with(), in the order LUA_API.md §5
-- fixes (PostgreSQL's documented order, then pgvector's), others sorted.
local WITH_ORDER = { "fillfactor", "deduplicate_items", "buffering", "fastupdate", "gin_pending_list_limit",
                     "pages_per_range", "autosummarize", "lists", "m", "ef_construction" }

local function withOf(w)
  if type(w) ~= "table" then return obj() end
  return orderedWith(w, WITH_ORDER)
end

-- A pg column of a table or a view as pgSerializer writes both, but for
-- its default, which the caller sets last (a table checks its unique name
-- first); also returns the column's SQL type. owner and ownerSchema name
-- an identity's default sequence.
local function pgColumn(col, name, primary, owner, ownerSchema, casing)
  local sqlType = pgSqlType(col)
  local base = baseOf(col)
  local typeSchema = base.columnType == "PgEnumColumn" and base.enum and (base.enum.schema or "public") or nil
  local c = obj("name", name, "type", sqlType, "typeSchema", typeSchema,
    "primaryKey", primary and true or false, "notNull", col.isNotNull == true)
  if col.generated and not col.identity then
    set(c, "generated", obj("as", generatedAs(col, "pg", casing), "type", "stored"))
  end
  if col.identity then set(c, "identity", pgIdentity(col, owner, name, ownerSchema)) end
  return c, sqlType
end

local function pgTable(tbl, casing, indexesInSchema)
  local info = schema.info(tbl)
  local tableName, tableSchema = info.name, info.schema
  local columns, indexes = obj(), obj()
  local compositePrimaryKeys, uniqueConstraints = obj(), obj()

  for _, col in ipairs(info.list) do
    local name = columnName(col, casing)
    local c, sqlType = pgColumn(col, name, col.primary, tableName, tableSchema, casing)
    if col.isUnique then
      local uname = col.uniqueName or (tableName .. "_" .. col.name .. "_unique")
      if uniqueConstraints[uname] then
        fail("We've found duplicated unique constraint names in %s table. The unique constraint %s on the %s column is conflicting with a unique constraint name already defined for %s columns",
          tableName, uname, name, concat(uniqueConstraints[uname].columns, ","))
      end
      set(uniqueConstraints, uname, obj("name", uname, "nullsNotDistinct", col.uniqueType == "not distinct",
        "columns", { name }))
    end
    set(c, "default", pgDefault(col, sqlType))
    set(columns, name, c)
  end

  local extras = extrasOf(info, tbl)
  compositeKeysInto(compositePrimaryKeys, extras, tableName, casing)
  uniqueConstraintsInto(uniqueConstraints, extras, tableName, casing, false)
  local foreignKeys = foreignKeysObj(info, extras, tableName, casing, true)

  for _, ex in ipairs(extrasOfKind(extras, "index")) do
    local cols, names = {}, {}
    for i, c in ipairs(ex.columns or {}) do
      if kindOf(c) == K.SQL then
        if type(ex.name) ~= "string" then
          fail("Please specify an index name in %s table that has \"%s\" expression. We can generate index names for indexes on columns only; for expressions in indexes, you need to specify the name yourself.",
            tableName, render("pg", c, { casing = casing }))
        end
        cols[i] = obj("expression", render("pg", c, { casing = casing, bareColumns = true }),
          "asc", true, "isExpression", true, "nulls", "last")
      else
        local col = columnOf(c)
        if not col then fail("index of table %q: column %d is neither a column nor sql", tableName, i) end
        local cfg = getmetatable(c) == schema.IndexColumnMT and c or {}
        local cname = columnName(col, casing)
        if col.columnType == "PgVector" and cfg.opclass == nil then
          fail("You are specifying an index on the %s column inside the %s table with the vector type without specifying an operator class. Vector extension doesn't have a default operator class, so you need to specify one of the available options.",
            cname, tableName)
        end
        names[#names + 1] = cname
        cols[i] = obj("expression", cname, "isExpression", false, "asc", cfg.order ~= "desc",
          "nulls", cfg.nulls or "last", "opclass", cfg.opclass)
      end
    end
    local name = ex.name or (tableName .. "_" .. concat(names, "_") .. "_index")
    local key = tableSchema or "public"
    indexesInSchema[key] = indexesInSchema[key] or {}
    if indexesInSchema[key][name] then
      fail("We've found duplicated index name across %s schema. Please rename your index in either the %s table or the table with the duplicated index name",
        key, tableName)
    end
    indexesInSchema[key][name] = true
    local where
    if kindOf(ex.where_) == K.SQL then where = render("pg", ex.where_, { casing = casing }) end
    set(indexes, name, obj("name", name, "columns", cols, "isUnique", ex.unique and true or false,
      "where", where, "concurrently", field(ex, "concurrently") == true,
      "method", ex.method or "btree", "with", withOf(ex.with_)))
  end

  return obj("name", tableName, "schema", tableSchema or "", "columns", columns, "indexes", indexes,
    "foreignKeys", foreignKeys, "compositePrimaryKeys", compositePrimaryKeys,
    "uniqueConstraints", uniqueConstraints, "policies", obj(),
    "checkConstraints", checksOf(extras, "pg", casing, tableName), "isRLSEnabled", false)
end

local function pgSequence(seq)
  local o = seq.seqOptions or {}
  local increment = str(o.increment) or "1"
  local neg = (tonumber(increment) or 0) < 0
  local minValue = str(o.minValue) or (neg and "-9223372036854775808" or "1")
  local maxValue = str(o.maxValue) or (neg and "-1" or "9223372036854775807")
  local startWith = str(o.startWith) or (neg and maxValue or minValue)
  return obj("name", seq.seqName, "schema", seq.schema or "public", "increment", increment,
    "startWith", startWith, "minValue", minValue, "maxValue", maxValue,
    "cache", str(o.cache) or "1", "cycle", o.cycle or false)
end

------------------------------------------------------------ views

local SELECT_SQL_MT = { __dz = K.SELECT_SQL, [0] = K.SELECT_SQL }

-- A view's definition: dialect.sqlToQuery(query).sql, where the query is
-- qb.getSQL().inlineParams() (a select, without parentheses) or the sql
-- given to as(), params inlined.
local function viewDefinition(dialect, info, casing)
  local q = info.viewQuery
  local node = q
  if kindOf(q) ~= K.SQL then node = setmetatable({ sel = q }, SELECT_SQL_MT) end
  return render(dialect, node, { casing = casing, inline = true })
end
M.viewDefinition = viewDefinition

-- The with() of a view as drizzle-kit stores it. A TypeScript object keeps
-- the order its keys were written in; a Lua table has none, so the keys go
-- in the order of drizzle-kit's own schema (pgSchema.ts viewWithOption,
-- then matViewWithOption), unknown ones sorted after them.
local VIEW_WITH_ORDER = {
  "checkOption", "securityBarrier", "securityInvoker",
  "fillfactor", "toastTupleTarget", "parallelWorkers", "autovacuumEnabled", "vacuumIndexCleanup",
  "vacuumTruncate", "autovacuumVacuumThreshold", "autovacuumVacuumScaleFactor",
  "autovacuumVacuumCostDelay", "autovacuumVacuumCostLimit", "autovacuumFreezeMinAge",
  "autovacuumFreezeMaxAge", "autovacuumFreezeTableAge", "autovacuumMultixactFreezeMinAge",
  "autovacuumMultixactFreezeMaxAge", "autovacuumMultixactFreezeTableAge", "logAutovacuumMinDuration",
  "userCatalogTable",
}
local function viewWithOf(w)
  if type(w) ~= "table" then return nil end
  return orderedWith(w, VIEW_WITH_ORDER)
end

local function viewColumns(info)
  local out = {}
  for _, col in ipairs(info.list) do
    if col.columnType ~= "ViewAliasedField" then out[#out + 1] = col end
  end
  return out
end

-- pgSerializer's view loop: { columns, definition, name, schema, isExisting,
-- with, withNoData, materialized, tablespace, using }.
local function pgView(v, casing)
  local info = schema.info(v)
  local viewName, viewSchema = info.name, info.schema or "public"
  local cfg = info.existing and {} or (info.viewConfig or {})
  local columns = obj()
  for _, col in ipairs(viewColumns(info)) do
    local name = col.name
    local c, sqlType = pgColumn(col, name, (col.viewSource or col).primary, viewName, info.schema, casing)
    set(c, "default", pgDefault(col, sqlType))
    set(columns, name, c)
  end
  return obj("columns", columns,
    "definition", (not info.existing) and viewDefinition("pg", info, casing) or nil,
    "name", viewName, "schema", viewSchema, "isExisting", info.existing and true or false,
    "with", viewWithOf(cfg.with), "withNoData", info.materialized and cfg.withNoData or nil,
    "materialized", info.materialized and true or false,
    "tablespace", info.materialized and cfg.tablespace or nil, "using", info.materialized and cfg.using or nil)
end

-- generatePgSnapshot: { version, dialect, tables, enums, schemas, sequences,
-- roles, policies, views, _meta }.
function M.pg(parts, casing)
  local tables, indexesInSchema = obj(), {}
  for _, t in ipairs(parts.tables) do
    local s = pgTable(t, casing, indexesInSchema)
    set(tables, (s.schema ~= "" and s.schema or "public") .. "." .. s.name, s)
  end
  local sequences = obj()
  for _, q in ipairs(parts.sequences) do
    local key = (q.schema or "public") .. "." .. q.seqName
    if sequences[key] == nil then set(sequences, key, pgSequence(q)) end
  end
  local enums = obj()
  for _, e in ipairs(parts.enums) do
    local s = e.schema or "public"
    local values = {}
    for i, v in ipairs(e.enumValues) do values[i] = v end
    set(enums, s .. "." .. e.enumName, obj("name", e.enumName, "schema", s, "values", values))
  end
  local schemas = obj()
  for _, s in ipairs(parts.schemas) do
    if s.schemaName ~= "public" then set(schemas, s.schemaName, s.schemaName) end
  end
  -- [...views, ...matViews]: plain views first, each kind in module order
  local ordered = {}
  for pass = 1, 2 do
    for _, v in ipairs(parts.views or {}) do
      if (schema.info(v).materialized and 2 or 1) == pass then ordered[#ordered + 1] = v end
    end
  end
  local views = obj()
  for _, v in ipairs(ordered) do
    local s = pgView(v, casing)
    local key = s.schema .. "." .. s.name
    if views[key] then
      fail("We've found duplicated view name across %s schema. Please rename your view", s.schema)
    end
    set(views, key, s)
  end
  return obj("version", "7", "dialect", "postgresql", "tables", tables, "enums", enums,
    "schemas", schemas, "sequences", sequences, "roles", obj(), "policies", obj(), "views", views,
    "_meta", obj("schemas", obj(), "tables", obj(), "columns", obj()))
end

------------------------------------------------------------ MySQL

local MYSQL_DATE_TYPES = { MySqlDate = true, MySqlDateTime = true, MySqlTimestamp = true }

local function mysqlDefault(col, sqlType)
  local v = col.defaultValue
  if v == nil then return nil end
  if kindOf(v) == K.SQL then return sqlToStr(v) end
  local lowered = sqlType:lower()
  local t, d = type(v), nil
  if t == "string" then d = "'" .. v:gsub("'", "''") .. "'"
  elseif lowered == "json" then d = "'" .. json.encodeValue(v) .. "'"
  elseif t == "number" and MYSQL_DATE_TYPES[col.columnType] then
    local iso = isoDate(v)
    if lowered == "date" then d = "'" .. iso:sub(1, 10) .. "'"
    elseif lowered:match("^datetime") or lowered:match("^timestamp") then d = "'" .. iso:gsub("T", " "):sub(1, 23) .. "'"
    else d = v end
  elseif t == "number" or t == "boolean" then d = v
  elseif t == "table" then d = "'" .. json.encodeValue(v) .. "'"
  else fail("column %q: cannot use a %s as a default", col.name, t) end
  if sqlType == "blob" or sqlType == "text" or sqlType == "json" then
    d = "(" .. (type(d) == "number" and json.number(d) or tostring(d)) .. ")"
  end
  return d
end

-- handleEnumType: enum('a','b') with quotes inside values doubled.
local function mysqlType(sqlType)
  if not sqlType:match("^enum") then return sqlType end
  local inner = sqlType:match("%((.*)%)$") or ""
  local vals = {}
  for v in (inner .. ","):gmatch("([^,]*),") do
    vals[#vals + 1] = "'" .. v:sub(2, -2):gsub("'", "''") .. "'"
  end
  return "enum(" .. concat(vals, ",") .. ")"
end

local function mysqlTable(tbl, casing, internal)
  local info = schema.info(tbl)
  local tableName = info.name
  local columns, indexes = obj(), obj()
  local compositePrimaryKeys, uniqueConstraints = obj(), obj()

  for _, col in ipairs(info.list) do
    local name = columnName(col, casing)
    local sqlType = schema.sqlTypeOf(col)
    local c = obj("name", name, "type", mysqlType(sqlType), "primaryKey", false,
      "notNull", col.isNotNull == true, "autoincrement", col.autoIncrement and true or false,
      "onUpdate", col.hasOnUpdateNow and true or nil)
    if col.generated then
      set(c, "generated", obj("as", generatedAs(col, "mysql", casing), "type", col.generated.mode or "stored"))
    end
    if col.primary then
      set(compositePrimaryKeys, tableName .. "_" .. name, obj("name", tableName .. "_" .. name, "columns", { name }))
    end
    if col.isUnique then
      local uname = col.uniqueName or (tableName .. "_" .. col.name .. "_unique")
      if uniqueConstraints[uname] then
        fail("We've found duplicated unique constraint names in %s table. The unique constraint %s on the %s column is confilcting with a unique constraint name already defined for %s columns",
          tableName, uname, name, concat(uniqueConstraints[uname].columns, ","))
      end
      set(uniqueConstraints, uname, obj("name", uname, "columns", { name }))
    end
    set(c, "default", mysqlDefault(col, sqlType))
    set(columns, name, c)
  end

  local extras = extrasOf(info, tbl)
  compositeKeysInto(compositePrimaryKeys, extras, tableName, casing, columns)
  uniqueConstraintsInto(uniqueConstraints, extras, tableName, casing, true)
  local foreignKeys = foreignKeysObj(info, extras, tableName, casing)

  for _, ex in ipairs(extrasOfKind(extras, "index")) do
    local name = ex.name
    if type(name) ~= "string" then fail("table %q: an index needs a name", tableName) end
    local cols = indexColumnsOf(ex, name, tableName, "mysql", casing, internal, false)
    if ex.unique then
      if uniqueConstraints[name] then
        fail("We've found duplicated unique constraint names in %s table. The unique index %s on the %s columns is confilcting with a unique constraint name already defined for %s columns",
          tableName, name, concat(cols, ","), concat(uniqueConstraints[name].columns, ","))
      end
    elseif foreignKeys[name] then
      fail("In MySQL, when creating a foreign key, an index is automatically generated with the same name as the foreign key constraint. We have encountered a collision between the index name on columns %s and the foreign key on columns %s. Please change either the index name or the foreign key name.",
        concat(cols, ","), concat(foreignKeys[name].columnsFrom, ","))
    end
    set(indexes, name, obj("name", name, "columns", cols, "isUnique", ex.unique and true or false,
      "using", ex.method, "algorithm", ex.algorithm_, "lock", ex.lock_))
  end

  return obj("name", tableName, "columns", columns, "indexes", indexes, "foreignKeys", foreignKeys,
    "compositePrimaryKeys", compositePrimaryKeys, "uniqueConstraints", uniqueConstraints,
    "checkConstraint", checksOf(extras, "mysql", casing, tableName))
end

-- mysqlSerializer's view loop: { columns, name, isExisting, definition,
-- withCheckOption, algorithm, sqlSecurity }.
local function mysqlView(v, casing)
  local info = schema.info(v)
  local cfg = info.existing and {} or (info.viewConfig or {})
  local columns = obj()
  for _, col in ipairs(viewColumns(info)) do
    local sqlType = schema.sqlTypeOf(col)
    local c = obj("name", col.name, "type", sqlType, "primaryKey", false,
      "notNull", col.isNotNull == true, "autoincrement", col.autoIncrement and true or false,
      "onUpdate", col.hasOnUpdateNow and true or nil)
    if col.generated then
      set(c, "generated", obj("as", generatedAs(col, "mysql", casing), "type", col.generated.mode or "stored"))
    end
    local dv = col.defaultValue
    if dv ~= nil then
      if kindOf(dv) == K.SQL then set(c, "default", sqlToStr(dv)) else set(c, "default", mysqlDefault(col, sqlType)) end
    end
    set(columns, col.name, c)
  end
  return obj("columns", columns, "name", info.name, "isExisting", info.existing and true or false,
    "definition", (not info.existing) and viewDefinition("mysql", info, casing) or nil,
    "withCheckOption", cfg.withCheckOption, "algorithm", cfg.algorithm or "undefined",
    "sqlSecurity", cfg.sqlSecurity or "definer")
end

-- generateMySqlSnapshot: { version, dialect, tables, views, _meta, internal }
-- (tables in a schema are left out, as drizzle-kit does).
function M.mysql(parts, casing)
  local tables = obj()
  local internal = obj("tables", obj(), "indexes", obj())
  for _, t in ipairs(parts.tables) do
    local info = schema.info(t)
    local s = mysqlTable(t, casing, internal)
    if not info.schema then set(tables, s.name, s) end
  end
  local views = obj()
  for _, v in ipairs(parts.views or {}) do
    local s = mysqlView(v, casing)
    if views[s.name] then
      fail("We've found duplicated view name across %s schema. Please rename your view", schema.info(v).schema or "public")
    end
    set(views, s.name, s)
  end
  return obj("version", "5", "dialect", "mysql", "tables", tables, "views", views,
    "_meta", obj("tables", obj(), "columns", obj()), "internal", internal)
end

return M
