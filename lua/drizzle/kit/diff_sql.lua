-- drizzle.kit.diff_sql: two pg or MySQL snapshots in, the migration's SQL
-- statements out.
--
-- Follows drizzle-kit's applyPgSnapshotsDiff / applyMysqlSnapshotsDiff
-- (src/snapshotsDiffer.ts): the same JSON statements in the same order,
-- made into SQL text by the C core (core/ddl.c through core.ddl_*), repeated
-- texts dropped. Snapshots are squashed as drizzle-kit squashes them where
-- the squashed text decides what happens (an index or a foreign key is
-- "altered" when its squashed string changes; MySQL unique indexes become
-- unique constraints).
--
-- Supported changes: schemas, enums (created, dropped, values added),
-- sequences (created, dropped), tables (created, dropped), columns (added,
-- dropped; type, default and not-null changed), indexes (added, dropped,
-- changed), views (created, dropped, definition changed: pg drops and
-- creates, MySQL CREATE OR REPLACE). Where drizzle-kit would ask a question
-- (a rename?) or a change is not written yet (keys, checks, identity,
-- generated, ALTER VIEW options), generate refuses
-- with a message naming it.
local core = require("drizzle.core")
local json = require("drizzle.kit.json")
local snapshot = require("drizzle.kit.snapshot")
local diff = require("drizzle.kit.diff")

local type, pairs, ipairs, tostring, error = type, pairs, ipairs, tostring, error
local concat = table.concat
local fail = snapshot.fail
local keys, values = json.keys, json.values

local M = {}

------------------------------------------------------------ helpers

local text = json.text

-- `${v ?? ""}`
local function str(v) return text(v) or "" end

-- JavaScript truthiness of a snapshot value
local function truthy(v)
  return v ~= nil and v ~= false and v ~= 0 and v ~= "" and v ~= json.NULL
end

local deepEq = json.equal

local function list(v) return type(v) == "table" and v or {} end

local names, refuseRenames = diff.names, diff.refuseRenames

-- added / deleted / common keys of two maps (drizzle-kit's order: new map's, then old map's)
local function mapDiff(old, new)
  local added, deleted, common = {}, {}, {}
  for _, k in ipairs(keys(new)) do
    if old[k] == nil then added[#added + 1] = k else common[#common + 1] = k end
  end
  for _, k in ipairs(keys(old)) do
    if new[k] == nil then deleted[#deleted + 1] = k end
  end
  return added, deleted, common
end

------------------------------------------------------------ squashing

local S = {}
M.squash = S

-- PgSquasher.squashIdx
function S.pgIdx(x)
  local cols = {}
  for i, c in ipairs(list(x.columns)) do
    cols[i] = str(c.expression) .. "--" .. str(c.isExpression) .. "--" .. str(c.asc) .. "--" ..
      str(c.nulls) .. "--" .. (c.opclass and str(c.opclass) or "")
  end
  local w = x.with
  return str(x.name) .. ";" .. concat(cols, ",,") .. ";" .. str(x.isUnique) .. ";" .. str(x.concurrently) ..
    ";" .. str(x.method) .. ";" .. (x.where == nil and "undefined" or str(x.where)) .. ";" ..
    (w == nil and "undefined" or json.encode(w))
end

function S.pgFk(f)
  return str(f.name) .. ";" .. str(f.tableFrom) .. ";" .. concat(list(f.columnsFrom), ",") .. ";" ..
    str(f.tableTo) .. ";" .. concat(list(f.columnsTo), ",") .. ";" .. str(f.onUpdate) .. ";" ..
    str(f.onDelete) .. ";" .. (truthy(f.schemaTo) and str(f.schemaTo) or "public")
end

-- MySqlSquasher.squashIdx / squashFK
function S.myIdx(x)
  return str(x.name) .. ";" .. concat(list(x.columns), ",") .. ";" .. str(x.isUnique) .. ";" ..
    str(x.using) .. ";" .. str(x.algorithm) .. ";" .. str(x.lock)
end
function S.myFk(f)
  return str(f.name) .. ";" .. str(f.tableFrom) .. ";" .. concat(list(f.columnsFrom), ",") .. ";" ..
    str(f.tableTo) .. ";" .. concat(list(f.columnsTo), ",") .. ";" .. str(f.onUpdate) .. ";" .. str(f.onDelete)
end
function S.pk(k) return concat(list(k.columns), ",") .. ";" .. str(k.name) end
function S.unique(u) return str(u.name) .. ";" .. concat(list(u.columns), ",") .. ";" .. str(u.nullsNotDistinct) end
function S.check(c) return str(c.name) .. ";" .. str(c.value) end

local squashMap = json.mapValues

------------------------------------------------------------ the SQL of one statement

local ENUM_SCHEMA_PUBLIC = "public"

local function pgColumnDesc(col)
  local g, id = col.generated, col.identity
  local d = {
    name = col.name, type = col.type, primaryKey = col.primaryKey == true, notNull = col.notNull == true,
    default = text(col.default), typeSchema = col.typeSchema,
    generated = type(g) == "table" and { as = g.as, type = "stored" } or nil,
  }
  if type(id) == "table" then
    d.identity = { type = id.type, name = id.name, increment = id.increment, minValue = id.minValue,
      maxValue = id.maxValue, startWith = id.startWith, cache = id.cache, cycle = id.cycle == true }
  end
  return d
end

local function myColumnDesc(col)
  local d = diff.ddlColumn(col)
  d.onUpdate = col.onUpdate == true
  return d
end

local SQL = {}

function SQL.create_schema(d, s) return core.ddl_schema(d, s.name) end
function SQL.drop_schema(d, s) return core.ddl_schema(d, s.name, true) end
function SQL.create_type_enum(d, s) return core.ddl_create_enum(d, { name = s.name, schema = s.schema, values = s.values }) end
function SQL.drop_type_enum(d, s) return core.ddl_drop_enum(d, { name = s.name, schema = s.schema }) end
function SQL.alter_type_add_value(d, s)
  return core.ddl_enum_add_value(d, { name = s.name, schema = s.schema, value = s.value, before = s.before })
end
function SQL.create_sequence(d, s)
  local v = s.values
  return core.ddl_sequence(d, { name = s.name, schema = s.schema, increment = v.increment, minValue = v.minValue,
    maxValue = v.maxValue, startWith = v.startWith, cache = v.cache, cycle = v.cycle == true })
end
function SQL.drop_sequence(d, s) return core.ddl_sequence(d, { name = s.name, schema = s.schema }, true) end

function SQL.create_table(d, s)
  local t = s.table
  local desc = { name = t.name, schema = t.schema, columns = {}, compositePrimaryKeys = {},
                 uniqueConstraints = {}, checkConstraints = {} }
  local pg = d == "postgresql"
  for i, col in ipairs(values(t.columns)) do desc.columns[i] = pg and pgColumnDesc(col) or myColumnDesc(col) end
  local pk = values(t.compositePrimaryKeys)[1]
  if pk then desc.compositePrimaryKeys[1] = { name = pk.name, columns = pk.columns } end
  for i, u in ipairs(values(t.uniqueConstraints)) do
    local expr = {}
    local ix = s.internal and s.internal.indexes and s.internal.indexes[u.name]
    for j, c in ipairs(u.columns) do
      expr[j] = type(ix) == "table" and type(ix.columns) == "table" and type(ix.columns[c]) == "table"
        and ix.columns[c].isExpression == true or false
    end
    desc.uniqueConstraints[i] = { name = u.name, columns = u.columns, nullsNotDistinct = u.nullsNotDistinct == true,
                                  isExpression = expr }
  end
  for i, c in ipairs(values(t.checkConstraints or t.checkConstraint or {})) do
    desc.checkConstraints[i] = { name = c.name, value = c.value }
  end
  return core.ddl_create_table(d, desc)
end

function SQL.drop_table(d, s) return core.ddl_drop_table(d, s.tableName, s.schema) end

function SQL.create_reference(d, s)
  local f = s.data
  return core.ddl_add_foreign_key(d, { name = f.name, tableFrom = f.tableFrom, tableTo = f.tableTo,
    columnsFrom = f.columnsFrom, columnsTo = f.columnsTo, onDelete = f.onDelete, onUpdate = f.onUpdate,
    schemaTo = d == "postgresql" and (truthy(f.schemaTo) and f.schemaTo or "public") or nil,
    schema = s.schema })
end

function SQL.create_index(d, s)
  local x = s.data
  local desc = { name = x.name, table = s.tableName, schema = s.schema, isUnique = x.isUnique == true }
  local cols, expr = {}, {}
  if d == "postgresql" then
    local desc_, nulls, op = {}, {}, {}
    for i, c in ipairs(x.columns) do
      cols[i] = c.expression; expr[i] = c.isExpression == true
      desc_[i] = c.asc ~= true; nulls[i] = c.nulls or "last"; op[i] = c.opclass or false
    end
    for i = 1, #op do if op[i] == false then op[i] = nil end end
    desc.desc, desc.nulls, desc.opclass = desc_, nulls, op
    desc.method, desc.concurrently, desc.where = x.method, x.concurrently == true, x.where
    if type(x.with) == "table" then
      local wk, wv = {}, {}
      for i, k in ipairs(keys(x.with)) do wk[i] = k; wv[i] = text(x.with[k]) end
      desc.withKeys, desc.withValues = wk, wv
    end
  else
    local ix = s.internal and s.internal.indexes and s.internal.indexes[x.name]
    for i, c in ipairs(x.columns) do
      cols[i] = c
      expr[i] = type(ix) == "table" and type(ix.columns) == "table" and type(ix.columns[c]) == "table"
        and ix.columns[c].isExpression == true or false
    end
  end
  desc.columns, desc.isExpression = cols, expr
  return core.ddl_create_index(d, desc)
end

function SQL.drop_index(d, s)
  return core.ddl_drop_index(d, { name = s.data.name, table = s.tableName, schema = s.schema })
end

function SQL.alter_table_add_column(d, s)
  local col = d == "postgresql" and pgColumnDesc(s.column) or myColumnDesc(s.column)
  return core.ddl_add_column(d, s.tableName, col, nil, s.schema)
end

function SQL.alter_table_drop_column(d, s)
  return core.ddl_drop_column(d, s.tableName, s.columnName, s.schema)
end

-- pg: PgAlterTableAlterColumnSetTypeConvertor (one to three statements)
function SQL.pg_alter_table_alter_column_set_type(d, s)
  local base = { table = s.tableName, column = s.columnName, schema = s.schema }
  local function with(t) for k, v in pairs(base) do t[k] = v end return t end
  local old, new = s.oldDataType, s.newDataType
  local default = text(s.columnDefault)
  local setType = with({ kind = "set_type", type = new.name, typeSchema = s.typeSchema })
  local setDefault = truthy(s.columnDefault) and with({ kind = "set_default", default = default }) or nil
  local out = {}
  local function add(a) out[#out + 1] = core.ddl_alter_column(d, a) end
  if not new.isEnum then
    add(setType)
    if setDefault then add(setDefault) end
  elseif not old.isEnum then
    if setDefault then
      add(with({ kind = "set_default", default = default, cast = true, type = new.name, typeSchema = s.typeSchema }))
    end
    setType.using = 1
    add(setType)
  else
    setType.using = 2
    if new.name ~= old.name and setDefault then
      add(with({ kind = "drop_default" }))
      add(setType)
      add(setDefault)
    else
      add(setType)
    end
  end
  return out
end

function SQL.alter_table_alter_column_set_default(d, s)
  if d == "mysql" then return SQL.mysql_modify(d, s) end
  return core.ddl_alter_column(d, { kind = "set_default", table = s.tableName, column = s.columnName,
    schema = s.schema, default = text(s.newDefaultValue) })
end
function SQL.alter_table_alter_column_drop_default(d, s)
  if d == "mysql" then return SQL.mysql_modify(d, s) end
  return core.ddl_alter_column(d, { kind = "drop_default", table = s.tableName, column = s.columnName, schema = s.schema })
end
function SQL.alter_table_alter_column_set_notnull(d, s)
  if d == "mysql" then return SQL.mysql_modify(d, s) end
  return core.ddl_alter_column(d, { kind = "set_notnull", table = s.tableName, column = s.columnName, schema = s.schema })
end
function SQL.alter_table_alter_column_drop_notnull(d, s)
  if d == "mysql" then return SQL.mysql_modify(d, s) end
  return core.ddl_alter_column(d, { kind = "drop_notnull", table = s.tableName, column = s.columnName, schema = s.schema })
end
function SQL.alter_table_alter_column_set_type(d, s) return SQL.mysql_modify(d, s) end

-- MySqlModifyColumn: which parts each statement type writes
function SQL.mysql_modify(d, s)
  local def = { name = s.columnName, type = s.newDataType, autoincrement = s.columnAutoIncrement == true,
                onUpdate = s.columnOnUpdate == true, notNull = s.columnNotNull == true,
                default = truthy(s.columnDefault) and text(s.columnDefault) or nil }
  local t = s.type
  if t == "alter_table_alter_column_set_notnull" then def.notNull = true
  elseif t == "alter_table_alter_column_set_default" then def.default = text(s.newDefaultValue)
  elseif t == "alter_table_alter_column_drop_default" then def.default = nil
  elseif t == "alter_table_alter_column_set_type" then
    local g = s.columnGenerated
    def.generated = type(g) == "table" and { as = g.as, type = g.type } or nil
  end
  return core.ddl_alter_column(d, { kind = "modify", table = s.tableName, column = s.columnName, definition = def })
end

------------------------------------------------------------ statements

-- mapArraysDiff over an LCS of two lists: { type = "same"|"added"|"removed", value, before }
local function arraysDiff(a, b)
  local n, m = #a, #b
  local L = {}
  for i = 0, n do L[i] = {}; for j = 0, m do L[i][j] = 0 end end
  for i = n - 1, 0, -1 do
    for j = m - 1, 0, -1 do
      if a[i + 1] == b[j + 1] then L[i][j] = L[i + 1][j + 1] + 1
      else L[i][j] = L[i + 1][j] >= L[i][j + 1] and L[i + 1][j] or L[i][j + 1] end
    end
  end
  local seq, i, j = {}, 0, 0
  while i < n or j < m do
    if i < n and j < m and a[i + 1] == b[j + 1] then
      seq[#seq + 1] = { type = "same", value = a[i + 1] }; i = i + 1; j = j + 1
    elseif j < m and (i >= n or L[i][j + 1] >= L[i + 1][j]) then
      seq[#seq + 1] = { type = "added", value = b[j + 1], before = "" }; j = j + 1
    else
      seq[#seq + 1] = { type = "removed", value = a[i + 1] }; i = i + 1
    end
  end
  local prev
  for k = #seq, 1, -1 do
    local it = seq[k]
    if it.type == "same" then prev = it.value end
    if it.type == "added" and prev then it.before = prev end
  end
  return seq
end

------------------------------------------------------------ views

-- String.prototype.snake_case of drizzle-kit (its with-option keys)
local function snakeCase(k) return (k:gsub("%u", function(c) return "_" .. c:lower() end)) end

-- PgCreateViewConvertor / MySqlCreateViewConvertor / the drop convertors
function SQL.create_view(d, s)
  local v = { name = s.name, schema = s.schema, definition = s.definition, materialized = s.materialized,
              using = s.using, tablespace = s.tablespace, withNoData = s.withNoData }
  if s.with ~= nil then
    v.withKeys, v.withValues = {}, {}
    for _, k in ipairs(keys(s.with)) do
      local x = s.with[k]
      if x ~= nil and x ~= json.NULL then
        v.withKeys[#v.withKeys + 1] = snakeCase(k)
        v.withValues[#v.withValues + 1] = text(x)
      end
    end
  end
  return core.ddl_create_view(d, v)
end
function SQL.mysql_create_view(d, s)
  return core.ddl_create_view(d, { name = s.name, definition = s.definition, algorithm = s.algorithm,
    sqlSecurity = s.sqlSecurity, withCheckOption = s.withCheckOption, replace = s.replace })
end
function SQL.drop_view(d, s)
  return core.ddl_drop_view(d, { name = s.name, schema = s.schema, materialized = s.materialized })
end

-- MySqlSquasher.squashView / unsquashView, as prepareMySqlCreateViewJson
-- reads the meta back (withCheckOption "undefined" is none).
local function mysqlViewMeta(v)
  local meta = str(v.algorithm) .. ";" .. str(v.sqlSecurity) .. ";" .. (v.withCheckOption ~= nil and str(v.withCheckOption) or "undefined")
  local wco = v.withCheckOption
  return meta, { algorithm = str(v.algorithm), sqlSecurity = str(v.sqlSecurity), withCheckOption = wco }
end

local function createViewStatement(pg, v, replace)
  if pg then
    return { type = "create_view", name = v.name, schema = v.schema, definition = v.definition,
             with = v.with, materialized = v.materialized == true, withNoData = v.withNoData == true,
             using = v.using, tablespace = v.tablespace }
  end
  local _, m = mysqlViewMeta(v)
  return { type = "mysql_create_view", name = v.name, definition = v.definition, algorithm = m.algorithm,
           sqlSecurity = m.sqlSecurity, withCheckOption = m.withCheckOption, replace = replace or false }
end

local function dropViewStatement(pg, v, materialized)
  if pg then return { type = "drop_view", name = v.name, schema = v.schema, materialized = materialized == true } end
  return { type = "drop_view", name = v.name }
end

-- The views part of applyPgSnapshotsDiff / applyMysqlSnapshotsDiff: created
-- and dropped views (existing ones never), a changed definition (pg: drop
-- and create; MySQL: CREATE OR REPLACE), a view that stops being existing
-- (drop and create).
local function viewStatements(pg, prev, cur, push)
  local pv, cv = prev.views or {}, cur.views or {}
  local addV, delV, comV = mapDiff(pv, cv)
  refuseRenames("generate", "views", delV, addV)
  for _, k in ipairs(addV) do
    if not cv[k].isExisting then push("createViews", createViewStatement(pg, cv[k])) end
  end
  for _, k in ipairs(delV) do
    if not pv[k].isExisting then push("dropViews", dropViewStatement(pg, pv[k], pv[k].materialized)) end
  end
  for _, k in ipairs(comV) do
    local a, b = pv[k], cv[k]
    if not b.isExisting then
      local alteredExisting = (a.isExisting == true) ~= (b.isExisting == true)
      local alteredDefinition = a.definition ~= b.definition
      if pg then
        if alteredExisting or alteredDefinition then
          push("dropViews", dropViewStatement(pg, b, b.materialized))
          push("createViews", createViewStatement(pg, b))
        else
          if (a.materialized == true) ~= (b.materialized == true) then
            fail("view %q: turning a view into a materialized view (or back) is not supported yet", k)
          end
          for _, f in ipairs({ "with", "tablespace", "using" }) do
            if not deepEq(a[f], b[f]) then
              fail("view %q: changing %s (ALTER %sVIEW) is not supported yet", k, f, b.materialized and "MATERIALIZED " or "")
            end
          end
        end
      else
        if alteredExisting then
          push("dropViews", dropViewStatement(pg, b))
          push("createViews", createViewStatement(pg, b))
        elseif alteredDefinition then
          push("createViews", createViewStatement(pg, b, true))
        elseif mysqlViewMeta(a) ~= mysqlViewMeta(b) then
          fail("view %q: changing algorithm, sql security or check option (ALTER VIEW) is not supported yet", k)
        end
      end
    end
  end
end

local function tableLabel(t) return (t.schema and t.schema ~= "" and (t.schema .. ".") or "") .. t.name end

-- MySQL: unique indexes join the unique constraints (applyMysqlSnapshotsDiff)
local function mysqlUniques(t)
  local uniques = json.obj()
  for _, k in ipairs(keys(t.uniqueConstraints or {})) do json.set(uniques, k, t.uniqueConstraints[k]) end
  local indexes = json.obj()
  for _, k in ipairs(keys(t.indexes or {})) do
    local x = t.indexes[k]
    if x.isUnique then json.set(uniques, k, { name = x.name, columns = x.columns })
    else json.set(indexes, k, x) end
  end
  return uniques, indexes
end

-- The JSON statements turning snapshot `prev` into `cur`.
function M.statements(dialect, prev, cur)
  local pg = dialect == "postgresql"
  local st = {}
  local groups = {}
  local function group(name) local g = groups[name]; if not g then g = {}; groups[name] = g end; return g end
  local function push(name, s) local g = group(name); g[#g + 1] = s end

  -- schemas, enums, sequences (pg)
  if pg then
    local addS, delS = mapDiff(prev.schemas or {}, cur.schemas or {})
    for _, k in ipairs(addS) do push("createSchemas", { type = "create_schema", name = k }) end
    for _, k in ipairs(delS) do push("dropSchemas", { type = "drop_schema", name = k }) end
    local pe, ce = prev.enums or {}, cur.enums or {}
    local addE, delE, comE = mapDiff(pe, ce)
    refuseRenames("generate", "enums", delE, addE)
    for _, k in ipairs(addE) do
      local e = ce[k]
      push("createEnums", { type = "create_type_enum", name = e.name, schema = e.schema, values = e.values })
    end
    for _, k in ipairs(comE) do
      local e = ce[k]
      for _, it in ipairs(arraysDiff(list(pe[k].values), list(e.values))) do
        if it.type == "added" then
          push("alterEnums", { type = "alter_type_add_value", name = e.name, schema = e.schema, value = it.value, before = it.before })
        elseif it.type == "removed" then
          fail("enum %q: dropping the value %q needs drizzle-kit's type rebuild, which is not supported yet", k, it.value)
        end
      end
    end
    for _, k in ipairs(delE) do push("dropEnums", { type = "drop_type_enum", name = pe[k].name, schema = pe[k].schema }) end
    local pq, cq = prev.sequences or {}, cur.sequences or {}
    local addQ, delQ, comQ = mapDiff(pq, cq)
    refuseRenames("generate", "sequences", delQ, addQ)
    for _, k in ipairs(addQ) do
      local q = cq[k]
      push("createSequences", { type = "create_sequence", name = q.name, schema = q.schema, values = q })
    end
    for _, k in ipairs(comQ) do
      local a, b = pq[k], cq[k]
      for _, f in ipairs({ "increment", "minValue", "maxValue", "startWith", "cache", "cycle" }) do
        if not deepEq(a[f], b[f]) then
          fail("sequence %q: changing %s (ALTER SEQUENCE) is not supported yet", k, f)
        end
      end
    end
    for _, k in ipairs(delQ) do push("dropSequences", { type = "drop_sequence", name = pq[k].name, schema = pq[k].schema }) end
  end

  -- tables
  local pt, ct = prev.tables or {}, cur.tables or {}
  local addT, delT, comT = mapDiff(pt, ct)
  refuseRenames("generate", "tables", delT, addT)
  local internal = cur.internal
  for _, k in ipairs(addT) do
    local t = ct[k]
    local tt = t
    if not pg then
      local uniques, indexes = mysqlUniques(t)
      tt = {}
      for f, v in pairs(t) do tt[f] = v end
      tt.uniqueConstraints, tt.indexes = uniques, indexes
    end
    push("createTables", { type = "create_table", table = tt, internal = internal })
    for _, fk in ipairs(values(tt.foreignKeys or {})) do
      push("refsCreated", { type = "create_reference", tableName = t.name, schema = t.schema, data = fk })
    end
    for _, x in ipairs(values(tt.indexes or {})) do
      push("indexesCreated", { type = "create_index", tableName = t.name, schema = t.schema, data = x, internal = internal })
    end
  end
  for _, k in ipairs(delT) do
    push("dropTables", { type = "drop_table", tableName = pt[k].name, schema = pt[k].schema })
  end

  for _, k in ipairs(comT) do
    local a, b = pt[k], ct[k]
    local label = tableLabel(b)
    local ac, bc = a.columns or {}, b.columns or {}
    local addC, delC, comC = mapDiff(ac, bc)
    refuseRenames(("table %q"):format(label), "columns", delC, addC)
    -- column alterations (preparePgAlterColumns / prepareAlterColumnsMysql)
    for _, c in ipairs(comC) do
      local o, n = ac[c], bc[c]
      local base = { tableName = b.name, columnName = c, schema = b.schema,
                     newDataType = n.type, columnDefault = n.default, columnNotNull = n.notNull,
                     columnOnUpdate = n.onUpdate, columnAutoIncrement = n.autoincrement,
                     columnPk = n.primaryKey, columnGenerated = n.generated }
      local function stmt(t, extra)
        local s = { type = t }
        for f, v in pairs(base) do s[f] = v end
        for f, v in pairs(extra or {}) do s[f] = v end
        push("alterColumns", s)
      end
      for _, f in ipairs({ "primaryKey", "generated", "identity", "autoincrement", "onUpdate" }) do
        local x, y = o[f], n[f]
        if f == "primaryKey" or f == "autoincrement" or f == "onUpdate" then x, y = x == true, y == true end
        if not deepEq(x, y) then
          fail("table %q, column %q: changing %s is not supported yet", label, c, f)
        end
      end
      if n.type ~= o.type then
        if pg then
          local function enumKey(schemaName, t) return tostring(schemaName) .. "." .. t:gsub("%[%d*%]", "") end
          stmt("pg_alter_table_alter_column_set_type", {
            typeSchema = n.typeSchema,
            newDataType = { name = n.type, isEnum = (cur.enums or {})[enumKey(n.typeSchema, n.type)] ~= nil },
            oldDataType = { name = o.type, isEnum = (prev.enums or {})[enumKey(o.typeSchema, o.type)] ~= nil } })
        else
          stmt("alter_table_alter_column_set_type", { oldDataType = o.type })
        end
      end
      if not deepEq(o.default, n.default) then
        if n.default == nil then stmt("alter_table_alter_column_drop_default")
        else stmt("alter_table_alter_column_set_default", { newDefaultValue = n.default, oldDefaultValue = o.default }) end
      end
      if (o.notNull == true) ~= (n.notNull == true) then
        stmt(n.notNull and "alter_table_alter_column_set_notnull" or "alter_table_alter_column_drop_notnull")
      end
    end
    for _, c in ipairs(addC) do
      push("addColumns", { type = "alter_table_add_column", tableName = b.name, schema = b.schema, column = bc[c] })
    end
    for _, c in ipairs(delC) do
      push("dropColumns", { type = "alter_table_drop_column", tableName = b.name, schema = b.schema, columnName = c })
    end

    -- indexes
    local ai, bi = a.indexes or {}, b.indexes or {}
    local au, bu = a.uniqueConstraints or {}, b.uniqueConstraints or {}
    if not pg then
      au, ai = mysqlUniques(a)
      bu, bi = mysqlUniques(b)
    end
    local sq = pg and S.pgIdx or S.myIdx
    local addI, delI, comI = mapDiff(ai, bi)
    for _, x in ipairs(delI) do
      push("dropIndexes", { type = "drop_index", tableName = b.name, schema = b.schema, data = ai[x] })
    end
    for _, x in ipairs(comI) do
      if sq(ai[x]) ~= sq(bi[x]) then
        push("dropIndexes", { type = "drop_index", tableName = b.name, schema = b.schema, data = ai[x] })
        addI[#addI + 1] = x
      end
    end
    for _, x in ipairs(addI) do
      push("indexesAltered", { type = "create_index", tableName = b.name, schema = b.schema, data = bi[x], internal = internal })
    end

    -- foreign keys (added for new columns only), keys, uniques, checks
    local fsq = pg and S.pgFk or S.myFk
    local addF, delF, comF = mapDiff(a.foreignKeys or {}, b.foreignKeys or {})
    for _, f in ipairs(comF) do
      if fsq(a.foreignKeys[f]) ~= fsq(b.foreignKeys[f]) then delF[#delF + 1] = f end
    end
    if #delF > 0 then
      fail("table %q: dropping or changing foreign key %s is not supported yet", label, names(delF))
    end
    for _, f in ipairs(addF) do
      push("refsAltered", { type = "create_reference", tableName = b.name, schema = b.schema, data = b.foreignKeys[f] })
    end
    local function same(what, x, y, f)
      local p, q, r = mapDiff(x or {}, y or {})
      local changed = #p + #q > 0
      for _, k2 in ipairs(r) do if f(x[k2]) ~= f(y[k2]) then changed = true end end
      if changed then fail("table %q: changing %s is not supported yet", label, what) end
    end
    same("the primary key", a.compositePrimaryKeys, b.compositePrimaryKeys, S.pk)
    same("unique constraints", au, bu, S.unique)
    same("check constraints", a.checkConstraints or a.checkConstraint, b.checkConstraints or b.checkConstraint, S.check)
  end

  viewStatements(pg, prev, cur, push)

  local ORDER = pg and {
    "createSchemas", "createEnums", "alterEnums", "createSequences", "createTables", "dropViews", "dropTables",
    "dropIndexes", "alterColumns", "addColumns", "refsCreated", "indexesCreated", "refsAltered",
    "indexesAltered", "dropColumns", "createViews", "dropEnums", "dropSequences", "dropSchemas",
  } or {
    "createTables", "dropTables", "dropViews", "dropIndexes", "alterColumns", "addColumns", "refsCreated",
    "indexesCreated", "refsAltered", "indexesAltered", "dropColumns", "createViews",
  }
  for _, g in ipairs(ORDER) do
    for _, s in ipairs(groups[g] or {}) do st[#st + 1] = s end
  end

  -- pg: a set_default already written by a set_type is dropped
  if pg then
    local out = {}
    for _, s in ipairs(st) do
      local keep = true
      if s.type == "alter_table_alter_column_set_default" then
        for _, o in ipairs(st) do
          if o.type == "pg_alter_table_alter_column_set_type" and deepEq(o.columnDefault, s.newDefaultValue)
            and o.columnName == s.columnName and o.tableName == s.tableName and o.schema == s.schema then
            keep = false
          end
        end
      end
      if keep then out[#out + 1] = s end
    end
    st = out
  end
  return st
end

-- The SQL statements from prev to cur, each text once.
function M.run(dialect, prev, cur)
  local statements = M.statements(dialect, prev, cur)
  local out, seen = {}, {}
  local function add(sql)
    if not seen[sql] then seen[sql] = true; out[#out + 1] = sql end
  end
  for _, s in ipairs(statements) do
    local f = SQL[s.type]
    if not f then error("drizzle.kit: no SQL for statement " .. tostring(s.type), 0) end
    local sql = f(dialect, s)
    if type(sql) == "table" then for _, x in ipairs(sql) do add(x) end else add(sql) end
  end
  return out, statements
end

return M
