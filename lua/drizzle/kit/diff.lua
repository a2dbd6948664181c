-- drizzle.kit.diff: two snapshots in, the migration's SQL statements out.
--
-- Follows drizzle-kit's applySqliteSnapshotsDiff (src/snapshotsDiffer.ts):
-- snapshots are squashed (indexes, foreign keys, keys and checks become the
-- same ';'-joined strings drizzle-kit compares and splits again), the JSON
-- statements are made in drizzle-kit's order, grouped per table as its
-- sqliteCombineStatements does, turned into SQL by the C core (core/ddl.c
-- through core.ddl_*), and repeated texts dropped.
--
-- Supported changes: created and dropped tables, added and dropped columns,
-- added, dropped and changed indexes. Changes for which drizzle-kit asks a
-- question (a rename?) or rebuilds a table (a changed column, key, foreign
-- key or check) are refused with a message saying what and why.
local core = require("drizzle.core")
local json = require("drizzle.kit.json")
local snapshot = require("drizzle.kit.snapshot")

local type, ipairs, tostring, error = type, ipairs, tostring, error
local concat = table.concat
local fail = snapshot.fail

local M = {}

------------------------------------------------------------ squashing

-- String.prototype.split(sep) for a one-character separator.
local function split(s, sep)
  local out, pos = {}, 1
  while true do
    local i = s:find(sep, pos, true)
    if not i then out[#out + 1] = s:sub(pos); return out end
    out[#out + 1] = s:sub(pos, i - 1)
    pos = i + 1
  end
end

-- `${v ?? ""}`
local function str(v) return json.text(v) or "" end

local function list(v) return type(v) == "table" and v or {} end

-- drizzle-kit keeps indexes, keys and checks in its snapshot as ';'-joined
-- strings (column lists ','-joined) and splits them again, so a name holding
-- a separator would come back as other names and the DDL would be wrong
-- (real drizzle-kit writes it so). Refuse such a name, naming it.
local function whole(what, v, seps)
  v = str(v)
  local c = v:match("[" .. seps .. "]")
  if c then
    fail("generate: %s %q contains '%s', which drizzle-kit's snapshot format cannot hold (it splits on ';' and ',')",
      what, v, c)
  end
  return v
end
local function wholeList(what, l, seps)
  l = list(l)
  for i = 1, #l do whole(what, l[i], seps) end
  return l
end

local S = {}
function S.idx(x)
  return whole("index name", x.name, ";") .. ";" .. concat(wholeList("index column", x.columns, ";"), ",") .. ";" ..
    tostring(x.isUnique == true) .. ";" .. whole("index where", x.where, ";")
end
function S.unidx(s)
  local p = split(s, ";")
  return { name = p[1], columns = split(p[2] or "", ","), isUnique = p[3] == "true", where = p[4] }
end
function S.fk(f)
  return whole("foreign key name", f.name, ";") .. ";" .. whole("foreign key table", f.tableFrom, ";") .. ";" ..
    concat(wholeList("foreign key column", f.columnsFrom, ";,"), ",") .. ";" ..
    whole("foreign key table", f.tableTo, ";") .. ";" .. concat(wholeList("foreign key column", f.columnsTo, ";,"), ",") ..
    ";" .. str(f.onUpdate) .. ";" .. str(f.onDelete)
end
function S.unfk(s)
  local p = split(s, ";")
  return { name = p[1], tableFrom = p[2], columnsFrom = split(p[3] or "", ","), tableTo = p[4],
           columnsTo = split(p[5] or "", ","), onUpdate = p[6], onDelete = p[7] }
end
function S.pk(k) return concat(wholeList("primary key column", k.columns, ","), ",") end
function S.unpk(s) return split(s, ",") end
function S.unique(u)
  return whole("unique constraint name", u.name, ";") .. ";" .. concat(wholeList("unique column", u.columns, ";,"), ",")
end
function S.ununique(s)
  local p = split(s, ";")
  return { name = p[1], columns = split(p[2] or "", ",") }
end
function S.check(c) return whole("check name", c.name, ";") .. ";" .. c.value end
function S.uncheck(s)
  local p = split(s, ";")
  return { name = p[1], value = p[2] }
end
M.squash = S

local squashMap = json.mapValues

local function squashTable(t)
  return {
    name = t.name,
    columns = t.columns or {},
    indexes = squashMap(t.indexes, S.idx),
    foreignKeys = squashMap(t.foreignKeys, S.fk),
    compositePrimaryKeys = squashMap(t.compositePrimaryKeys, S.pk),
    uniqueConstraints = squashMap(t.uniqueConstraints, S.unique),
    checkConstraints = squashMap(t.checkConstraints, S.check),
  }
end

------------------------------------------------------------ comparing

local COLUMN_FIELDS = { "name", "type", "primaryKey", "notNull", "autoincrement", "default", "generated" }

local function columnChanges(a, b)
  local out = {}
  for _, f in ipairs(COLUMN_FIELDS) do
    local x, y = a[f], b[f]
    if f == "autoincrement" then x, y = x == true, y == true end
    if not json.equal(x, y) then out[#out + 1] = f end
  end
  return out
end

-- added / deleted / altered (same key, other value) of two squashed maps
local function mapDiff(old, new)
  local added, deleted, altered = {}, {}, {}
  for _, k in ipairs(json.keys(new)) do
    if old[k] == nil then added[#added + 1] = k
    elseif old[k] ~= new[k] then altered[#altered + 1] = k end
  end
  for _, k in ipairs(json.keys(old)) do
    if new[k] == nil then deleted[#deleted + 1] = k end
  end
  return added, deleted, altered
end

local function names(t) return '"' .. concat(t, '", "') .. '"' end
M.names = names

local function refuse(what, why)
  fail("%s: %s", what, why)
end

-- Some objects of a kind removed and others added: drizzle-kit asks whether
-- that is a rename, which drizzle-c cannot ask, so generate refuses (every
-- differ, for tables, columns, views, enums and sequences alike).
local function refuseRenames(where, what, removed, added)
  if #removed > 0 and #added > 0 then
    refuse(where, ("%s %s were removed and %s added; drizzle-kit asks whether that is a rename, " ..
      "which drizzle-c cannot ask yet: make the two changes in two migrations"):format(what, names(removed), names(added)))
  end
end
M.refuseRenames = refuseRenames

------------------------------------------------------------ statements

-- The JSON statements turning snapshot `prev` into `cur` (both documents).
function M.statements(prev, cur)
  local prevTables, curTables = prev.tables or {}, cur.tables or {}
  local p, c = json.obj(), json.obj()
  for _, k in ipairs(json.keys(prevTables)) do json.set(p, k, squashTable(prevTables[k])) end
  for _, k in ipairs(json.keys(curTables)) do json.set(c, k, squashTable(curTables[k])) end

  local created, deleted, common = {}, {}, {}
  for _, k in ipairs(json.keys(c)) do
    if p[k] == nil then created[#created + 1] = k else common[#common + 1] = k end
  end
  for _, k in ipairs(json.keys(p)) do
    if c[k] == nil then deleted[#deleted + 1] = k end
  end
  refuseRenames("generate", "tables", deleted, created)

  local altered = {}
  for _, k in ipairs(common) do
    local a, b = p[k], c[k]
    local addedCols, deletedCols = {}, {}
    for _, col in ipairs(json.keys(b.columns)) do
      if a.columns[col] == nil then addedCols[#addedCols + 1] = col
      else
        local ch = columnChanges(a.columns[col], b.columns[col])
        if #ch > 0 then
          refuse(("table %q, column %q"):format(k, col),
            ("changing %s needs drizzle-kit's table rebuild, which is not supported yet"):format(concat(ch, ", ")))
        end
      end
    end
    for _, col in ipairs(json.keys(a.columns)) do
      if b.columns[col] == nil then deletedCols[#deletedCols + 1] = col end
    end
    refuseRenames(("table %q"):format(k), "columns", deletedCols, addedCols)
    local addedSet = {}
    for _, col in ipairs(addedCols) do
      addedSet[col] = true
      if b.columns[col].primaryKey then
        refuse(("table %q, column %q"):format(k, col), "adding a primary key column needs a table rebuild, which is not supported yet")
      end
    end
    local fkAdded, fkDeleted, fkAltered = mapDiff(a.foreignKeys, b.foreignKeys)
    if #fkDeleted > 0 or #fkAltered > 0 then
      refuse(("table %q"):format(k), "changing or dropping a foreign key needs a table rebuild, which is not supported yet")
    end
    local addedFks = {}
    for _, name in ipairs(fkAdded) do
      local fk = S.unfk(b.foreignKeys[name])
      if not (#fk.columnsFrom == 1 and addedSet[fk.columnsFrom[1]]) then
        refuse(("table %q, foreign key %q"):format(k, name), "adding a foreign key to existing columns needs a table rebuild, which is not supported yet")
      end
      addedFks[#addedFks + 1] = fk
    end
    for _, what in ipairs({ "compositePrimaryKeys", "uniqueConstraints", "checkConstraints" }) do
      local x, y, z = mapDiff(a[what], b[what])
      if #x > 0 or #y > 0 or #z > 0 then
        refuse(("table %q"):format(k), ("changing %s needs a table rebuild, which is not supported yet"):format(what))
      end
    end
    local ixAdded, ixDeleted, ixAltered = mapDiff(a.indexes, b.indexes)
    if #addedCols + #deletedCols + #ixAdded + #ixDeleted + #ixAltered > 0 then
      altered[#altered + 1] = { name = k, old = a, new = b, addedCols = addedCols, deletedCols = deletedCols,
                                addedFks = addedFks, ixAdded = ixAdded, ixDeleted = ixDeleted, ixAltered = ixAltered }
    end
  end

  local st = {}
  local function push(s) st[#st + 1] = s end
  -- a statement for each index in list `which` of every altered table, the
  -- index as the `side` ("old" or "new") snapshot has it: drizzle-kit makes
  -- them list by list, not table by table
  local function pushIndexes(which, kind, side)
    for _, t in ipairs(altered) do
      for _, ix in ipairs(t[which]) do push({ type = kind, tableName = t.name, data = t[side].indexes[ix] }) end
    end
  end
  for _, k in ipairs(created) do push({ type = "sqlite_create_table", tableName = k, table = c[k] }) end
  for _, k in ipairs(deleted) do push({ type = "drop_table", tableName = k }) end
  pushIndexes("ixDeleted", "drop_index", "old")
  pushIndexes("ixAltered", "drop_index", "old")
  for _, t in ipairs(altered) do
    for _, col in ipairs(t.addedCols) do
      local column = t.new.columns[col]
      if type(column.generated) == "table" and column.generated.type == "stored" then
        io.stderr:write('Warning: As SQLite docs mention: "It is not possible to ALTER TABLE ADD COLUMN a STORED column. ' ..
          'One can add a VIRTUAL column, however", source: "https://www.sqlite.org/gencol.html"\n')
      else
        local ref
        for _, fk in ipairs(t.addedFks) do
          for _, from in ipairs(fk.columnsFrom) do
            if from == col and not ref then ref = fk end
          end
        end
        push({ type = "sqlite_alter_table_add_column", tableName = t.name, column = column, referenceData = ref })
      end
    end
  end
  for _, k in ipairs(created) do
    for _, ix in ipairs(json.keys(c[k].indexes)) do
      push({ type = "create_index", tableName = k, data = c[k].indexes[ix] })
    end
  end
  pushIndexes("ixAdded", "create_index", "new")
  pushIndexes("ixAltered", "create_index", "new")
  for _, t in ipairs(altered) do
    for _, col in ipairs(t.deletedCols) do
      push({ type = "alter_table_drop_column", tableName = t.name, columnName = col })
    end
  end

  -- sqliteCombineStatements: grouped per table, in order of first mention
  local groups = json.obj()
  for _, s in ipairs(st) do
    local g = groups[s.tableName]
    if not g then g = {}; json.set(groups, s.tableName, g) end
    g[#g + 1] = s
  end
  local out = {}
  for _, g in ipairs(json.values(groups)) do
    for _, s in ipairs(g) do out[#out + 1] = s end
  end
  return out
end

------------------------------------------------------------ SQL

-- A snapshot column as core.ddl_* reads it (SQLite; MySQL adds onUpdate).
local function ddlColumn(col)
  local g = col.generated
  return {
    name = col.name, type = col.type, primaryKey = col.primaryKey == true, notNull = col.notNull == true,
    autoincrement = col.autoincrement == true, default = json.text(col.default),
    generated = type(g) == "table" and { as = g.as, type = g.type } or nil,
  }
end

local function isExpression(internal, indexName, column)
  local ix = internal and internal.indexes and internal.indexes[indexName]
  local c = ix and ix.columns and ix.columns[column]
  return type(c) == "table" and c.isExpression == true
end

-- The SQL text of one JSON statement (fromJson of sqlgenerator.ts).
function M.sql(dialect, s, internal)
  if s.type == "sqlite_create_table" then
    local t = s.table
    local desc = { name = t.name, columns = {}, compositePrimaryKeys = {}, foreignKeys = {},
                   uniqueConstraints = {}, checkConstraints = {} }
    for i, col in ipairs(json.values(t.columns)) do desc.columns[i] = ddlColumn(col) end
    for i, v in ipairs(json.values(t.compositePrimaryKeys)) do desc.compositePrimaryKeys[i] = { columns = S.unpk(v) } end
    for i, v in ipairs(json.values(t.foreignKeys)) do desc.foreignKeys[i] = S.unfk(v) end
    for i, v in ipairs(json.values(t.uniqueConstraints)) do desc.uniqueConstraints[i] = S.ununique(v) end
    for i, v in ipairs(json.values(t.checkConstraints)) do desc.checkConstraints[i] = S.uncheck(v) end
    return core.ddl_create_table(dialect, desc)
  elseif s.type == "create_index" then
    local x = S.unidx(s.data)
    local expr = {}
    for i, col in ipairs(x.columns) do expr[i] = isExpression(internal, x.name, col) end
    return core.ddl_create_index(dialect, { name = x.name, table = s.tableName, columns = x.columns,
      isExpression = expr, isUnique = x.isUnique, where = x.where })
  elseif s.type == "drop_index" then
    return core.ddl_drop_index(dialect, { name = S.unidx(s.data).name, table = s.tableName })
  elseif s.type == "drop_table" then
    return core.ddl_drop_table(dialect, s.tableName)
  elseif s.type == "sqlite_alter_table_add_column" then
    return core.ddl_add_column(dialect, s.tableName, ddlColumn(s.column), s.referenceData)
  elseif s.type == "alter_table_drop_column" then
    return core.ddl_drop_column(dialect, s.tableName, s.columnName)
  end
  error("drizzle.kit: no SQL for statement " .. tostring(s.type), 0)
end

M.ddlColumn = ddlColumn

-- The SQL statements from prev to cur, each text once.
function M.run(dialect, prev, cur)
  local statements = M.statements(prev, cur)
  local out, seen = {}, {}
  for _, s in ipairs(statements) do
    local sql = M.sql(dialect, s, cur.internal)
    if not seen[sql] then
      seen[sql] = true
      out[#out + 1] = sql
    end
  end
  return out, statements
end

return M
