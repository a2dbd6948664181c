-- drizzle.relations: relations() and db.query.<table>:findMany/findFirst,
-- Drizzle's "v1" relational query builder (relations.ts, alias.ts and the
-- dialects' buildRelationalQuery).
--
--   local usersRelations = d.relations(users, function(r) return {
--     posts = r.many(posts),
--     author = r.one(users, { fields = { posts.userId }, references = { users.id } }),
--   } end)
--   local db = sqlite.drizzle({ schema = { users = users, posts = posts, usersRelations = usersRelations } })
--   db.query.users:findMany({ with = { posts = { limit = 3 } } }):execute()
--
-- The statements are built from the ordinary AST pieces: an aliased table
-- (schema.alias) per level, column references carrying the level's alias,
-- `sql` chunk lists for json_array(...), Aliased nodes for `as "data"`,
-- Subquery objects for derived tables and session's select builder for
-- every select. What differs between dialects sits in the `dialects` table
-- below (SQLite: correlated json_array subqueries; pg: lateral joins with
-- json_build_array/json_agg; MySQL: lateral joins with json_array/
-- json_arrayagg, or correlated subqueries in mode "planetscale"; MariaDB,
-- at run time only: correlated subqueries without derived tables); the
-- rest is shared.
--
-- MariaDB: toSQL() always renders Drizzle's MySQL text. execute()/prepare()
-- on a MariaDB server run dialects.mariadb's form instead (MariaDB rejects
-- LEFT JOIN LATERAL and outer references inside derived tables). The server
-- is detected once per db with `select version()` at the first relational
-- query run; set `db.mariadb = true | false` to decide without asking.
-- `query:toMariaDBSQL()` shows that form.
local ast = require("drizzle.ast")
local core = require("drizzle.core")
local schema = require("drizzle.schema")
local operators = require("drizzle.operators")
local errors = require("drizzle.errors")

local setmetatable, getmetatable, rawget, type, pairs, ipairs, error, tostring, tonumber =
  setmetatable, getmetatable, rawget, type, pairs, ipairs, error, tostring, tonumber
local sort, format, floor = table.sort, string.format, math.floor
local K, kindOf, nextSeq, NULL = ast.K, ast.kindOf, ast.nextSeq, ast.NULL
local mathtype = math.type

local M = {}

local function session() return require("drizzle.session") end

------------------------------------------------------------------ relations

local Relations = { __name = "drizzle.Relations" }
Relations.__index = Relations
M.Relations = Relations

local Relation = { __name = "drizzle.Relation" }
Relation.__index = Relation
M.Relation = Relation

local function tableOf(v, fn, i)
  if kindOf(v) ~= K.TABLE then
    error(("bad argument #%d to '%s' (table expected, got %s)"):format(i, fn, type(v)), 3)
  end
  return v
end

-- relations(table, function(r) return { key = r.one(...) | r.many(...) } end)
-- The callback runs when a db first needs the relations (Drizzle runs it
-- when the db is made), so it may name tables defined after this call.
function M.relations(tbl, fn)
  tableOf(tbl, "relations", 1)
  if type(fn) ~= "function" then
    error("bad argument #2 to 'relations' (function expected, got " .. type(fn) .. ")", 2)
  end
  return setmetatable({ table = tbl, config = fn, seq = nextSeq() }, Relations)
end

function M.isRelations(v) return getmetatable(v) == Relations end

-- The r of relations(t, function(r) ... end): one/many for source table t,
-- called with a dot. Each call takes the next sequence number: the callback
-- returns a Lua table, whose key order is lost, and the relations keep the
-- order they were written in (LUA_API.md §5).
local function helpers(source)
  local r = {}
  function r.one(tbl, config)
    tableOf(tbl, "one", 1)
    if config ~= nil and type(config) ~= "table" then
      error("bad argument #2 to 'one' (options table expected, got " .. type(config) .. ")", 2)
    end
    local isNullable = false
    if config and config.fields then
      isNullable = true
      for _, f in ipairs(config.fields) do
        local col = schema.columnOf(f)
        isNullable = isNullable and (col and col.notNull) and true or false
      end
    end
    return setmetatable({
      kind = "one", sourceTable = source, referencedTable = tbl, config = config,
      relationName = config and config.relationName, isNullable = isNullable, seq = nextSeq(),
    }, Relation)
  end
  function r.many(tbl, config)
    tableOf(tbl, "many", 1)
    if config ~= nil and type(config) ~= "table" then
      error("bad argument #2 to 'many' (options table expected, got " .. type(config) .. ")", 2)
    end
    return setmetatable({
      kind = "many", sourceTable = source, referencedTable = tbl, config = config,
      relationName = config and config.relationName, seq = nextSeq(),
    }, Relation)
  end
  return r
end
M.createTableRelationsHelpers = helpers

function Relation:withFieldName(name)
  local copy = {}
  for k, v in pairs(self) do copy[k] = v end
  copy.fieldName = name
  return setmetatable(copy, Relation)
end

local function tableName(t) return rawget(t, 1).name end
local function uniqueName(t) return schema.getTableUniqueName(t) end

-- The entries of a map sorted by the seq of their values (tables by their
-- definition, relations objects by their creation).
local function seqOfValue(v)
  local k = kindOf(v)
  if k == K.TABLE then return rawget(v, 1).seq end
  if type(v) == "table" and rawget(v, "seq") then return rawget(v, "seq") end
  return math.huge
end

-- extractTablesRelationalConfig: { tables = { [tsKey] = tableConfig }, tableNamesMap = { [uniqueName] = tsKey } }
-- tableConfig: { tsName, dbName, schema, table, columns (key -> column),
-- columnList (table order), relations (key -> relation), relationList
-- (definition order), primaryKey }
local function extractTablesRelationalConfig(fullSchema)
  if type(fullSchema) ~= "table" then
    error("drizzle: schema must be a table of tables and relations, got " .. type(fullSchema), 3)
  end
  local entries = {}
  for key, value in pairs(fullSchema) do
    if type(key) == "string" and (kindOf(value) == K.TABLE or getmetatable(value) == Relations) then
      entries[#entries + 1] = { key, value, seqOfValue(value) }
    end
  end
  if #entries == 0 and fullSchema.default ~= nil and kindOf(fullSchema.default) ~= K.TABLE then
    return extractTablesRelationalConfig(fullSchema.default)
  end
  sort(entries, function(a, b)
    if a[3] ~= b[3] then return a[3] < b[3] end
    return a[1] < b[1]
  end)

  local tableNamesMap, tables, buffer = {}, {}, {}
  for _, e in ipairs(entries) do
    local key, value = e[1], e[2]
    if kindOf(value) == K.TABLE then
      local info = rawget(value, 1)
      local dbName = uniqueName(value)
      local buffered = buffer[dbName]
      tableNamesMap[dbName] = key
      local tc = {
        tsName = key, dbName = info.name, schema = info.schema, table = value,
        columns = info.columns, columnList = info.list,
        relations = buffered and buffered.relations or {}, primaryKey = {},
      }
      tables[key] = tc
      for _, col in ipairs(info.list) do
        if col.primary then tc.primaryKey[#tc.primaryKey + 1] = col end
      end
    else
      local dbName = uniqueName(value.table)
      local tsName = tableNamesMap[dbName]
      local rels = value.config(helpers(value.table))
      if type(rels) ~= "table" then
        error(("drizzle: the relations callback of table %q must return a table, got %s")
          :format(tableName(value.table), type(rels)), 3)
      end
      local target
      if tsName then
        target = tables[tsName].relations
      else
        buffer[dbName] = buffer[dbName] or { relations = {} }
        target = buffer[dbName].relations
      end
      for name, rel in pairs(rels) do
        if getmetatable(rel) ~= Relation then
          error(("drizzle: relation %q of table %q is not made by one() or many() (got %s)")
            :format(tostring(name), tableName(value.table), type(rel)), 3)
        end
        target[name] = rel:withFieldName(name)
      end
    end
  end
  for _, tc in pairs(tables) do
    local list = {}
    for name, rel in pairs(tc.relations) do list[#list + 1] = { name, rel } end
    sort(list, function(a, b)
      if a[2].seq ~= b[2].seq then return a[2].seq < b[2].seq end
      return a[1] < b[1]
    end)
    tc.relationList = list
  end
  return { tables = tables, tableNamesMap = tableNamesMap }
end
M.extractTablesRelationalConfig = extractTablesRelationalConfig

-- normalizeRelation: the columns a relation joins on, from its own config
-- or from the one() on the other side.
local function normalizeRelation(rc, relation)
  if relation.kind == "one" and relation.config then
    return { fields = relation.config.fields or {}, references = relation.config.references or {} }
  end
  local tables, names = rc.tables, rc.tableNamesMap
  local refTsName = names[uniqueName(relation.referencedTable)]
  if not refTsName then
    error(('Table "%s" not found in schema'):format(tableName(relation.referencedTable)), 0)
  end
  local refConfig = tables[refTsName]
  if not refConfig then error(('Table "%s" not found in schema'):format(refTsName), 0) end
  local sourceTsName = names[uniqueName(relation.sourceTable)]
  if not sourceTsName then
    error(('Table "%s" not found in schema'):format(tableName(relation.sourceTable)), 0)
  end
  local reverse = {}
  for _, e in ipairs(refConfig.relationList) do
    local other = e[2]
    if (relation.relationName and relation ~= other and other.relationName == relation.relationName)
      or (not relation.relationName and other.referencedTable == relation.sourceTable) then
      reverse[#reverse + 1] = other
    end
  end
  if #reverse > 1 then
    if relation.relationName then
      error(('There are multiple relations with name "%s" in table "%s"'):format(relation.relationName, refTsName), 0)
    end
    error(('There are multiple relations between "%s" and "%s". Please specify relation name')
      :format(refTsName, tableName(relation.sourceTable)), 0)
  end
  local r = reverse[1]
  if r and r.kind == "one" and r.config then
    return { fields = r.config.references or {}, references = r.config.fields or {} }
  end
  error(('There is not enough information to infer relation "%s.%s"'):format(sourceTsName, tostring(relation.fieldName)), 0)
end
M.normalizeRelation = normalizeRelation

------------------------------------------------------------------ aliasing

-- aliasedTableColumn: a reference that renders "alias"."column".
local function aliasedColumn(v, alias)
  local col = schema.columnOf(v)
  return setmetatable({ col, nextSeq(), alias }, col.refmt)
end

-- aliasedTable, one per (table, alias): the core's alias table is reused.
local aliasCache = setmetatable({}, { __mode = "k" })
local function aliasedTable(t, alias)
  local byAlias = aliasCache[t]
  if not byAlias then byAlias = {}; aliasCache[t] = byAlias end
  local a = byAlias[alias]
  if not a then a = schema.alias(t, alias); byAlias[alias] = a end
  return a
end

-- mapColumnsInSQLToAlias: every column in the expression, at any depth,
-- renders through the alias. Like Drizzle's (sql.join of the mapped
-- chunks), the copy does not inline params; it keeps the decoder.
local function mapToAlias(node, alias)
  local k = kindOf(node)
  if k == K.COLUMN or k == K.COLREF then return aliasedColumn(node, alias) end
  if k == K.SQL then
    local n = #node
    local out = { seq = rawget(node, "seq"), decoder = rawget(node, "decoder") }
    for i = 1, n do out[i] = mapToAlias(node[i], alias) end
    return setmetatable(out, ast.SQL)
  end
  if k == K.ALIASED then
    return setmetatable({ sql = mapToAlias(node.sql, alias), alias = node.alias, seq = node.seq,
                          isSelectionField = node.isSelectionField }, ast.Aliased)
  end
  return node
end
M.mapColumnsInSQLToAlias = mapToAlias

-- The columns a where/orderBy/extras callback receives: references through
-- the level's alias; an unknown name raises as a table does.
local function aliasedColumns(tc, alias)
  local out = {}
  for _, col in ipairs(tc.columnList) do out[col.key] = aliasedColumn(col, alias) end
  return setmetatable(out, { __index = function(_, key)
    error(("table %q has no column %q"):format(tc.dbName, tostring(key)), 2)
  end })
end

-- getOperators() / getOrderByOperators()
local whereOps = {}
for k, v in pairs(operators) do whereOps[k] = v end
whereOps.sql = ast.sql
whereOps["and"], whereOps["or"], whereOps["not"] = operators.and_, operators.or_, operators.not_
local orderByOps = { sql = ast.sql, asc = operators.asc, desc = operators.desc }

------------------------------------------------------------------ building

local Ordered = nil
local function ordered(list)
  Ordered = Ordered or session().Ordered
  return setmetatable(list, Ordered)
end

local function aliased(sqlNode, alias)
  return setmetatable({ sql = sqlNode, alias = alias, seq = nextSeq() }, ast.Aliased)
end

-- A select builder from parts (Drizzle's buildSelectQuery arguments).
local function newSelect(db, fields, from, where, orderBy, limit, offset, joins)
  local sel = session().newSelect(db, ordered(fields))
  sel:from(from)
  local cfg = sel.cfg
  cfg.withList = nil
  cfg.where = where
  if orderBy and #orderBy > 0 then cfg.orderBy = orderBy end
  cfg.limit = limit
  cfg.offset = offset
  if joins and #joins > 0 then cfg.joins = joins end
  return sel
end

local function copyConfig(config, limit)
  local out = {}
  if config ~= true then for k, v in pairs(config) do out[k] = v end end
  out.limit = limit
  return out
end

-- The parts of one level shared by every dialect: what to select, where,
-- order, limit, offset. Relations are built through the dialect.
-- p: { tableConfig, queryConfig, tableAlias, nestedQueryRelation, joinOn }
local function buildLevel(ctx, p)
  local dialect, tc, config, alias = ctx.dialect, p.tableConfig, p.queryConfig, p.tableAlias
  local lvl = { selection = {}, orderBy = {}, joins = {}, tableConfig = tc, tableAlias = alias }
  local selection = lvl.selection
  local where
  if config == true then
    for _, col in ipairs(tc.columnList) do
      selection[#selection + 1] = { tsKey = col.key, field = aliasedColumn(col, alias), column = col }
    end
  else
    if type(config) ~= "table" then
      error(("drizzle: query config of %q must be a table or true, got %s"):format(tc.tsName, type(config)), 0)
    end
    local cols = aliasedColumns(tc, alias)
    if config.where ~= nil then
      local w = config.where
      if type(w) == "function" then w = w(cols, whereOps) end
      if w ~= nil then where = mapToAlias(w, alias) end
    end

    -- which columns: include mode when any is true, else exclude mode
    local selected = {}
    if config.columns ~= nil then
      local cc = config.columns
      local include, any = false, false
      for _, col in ipairs(tc.columnList) do
        local v = cc[col.key]
        if v ~= nil then
          any = true
          if v == true then include = true end
        end
      end
      if any then
        for _, col in ipairs(tc.columnList) do
          local v = cc[col.key]
          if include then
            if v == true then selected[#selected + 1] = col end
          elseif v == nil then
            selected[#selected + 1] = col
          end
        end
      end
    else
      for i, col in ipairs(tc.columnList) do selected[i] = col end
    end
    for _, col in ipairs(selected) do
      selection[#selection + 1] = { tsKey = col.key, field = aliasedColumn(col, alias), column = col }
    end

    -- extras
    if config.extras ~= nil then
      local extras = config.extras
      if type(extras) == "function" then extras = extras(cols, { sql = ast.sql }) end
      if type(extras) ~= "table" then
        error(("drizzle: extras of %q must be a table (or a function returning one), got %s")
          :format(tc.tsName, type(extras)), 0)
      end
      for _, e in ipairs(session().orderedEntries(extras)) do
        local key, value = e[1], e[2]
        local k = kindOf(value)
        if k ~= K.ALIASED then
          if k == K.SQL then
            value = aliased(value, key)
          else
            error(("drizzle: extras field %q of %q must be sql(...):as(name), got %s")
              :format(tostring(key), tc.tsName, type(value)), 0)
          end
        end
        local f = mapToAlias(value, alias)
        selection[#selection + 1] = { tsKey = key, field = f, decoder = rawget(value.sql, "decoder") }
      end
    end

    -- orderBy
    local ob = config.orderBy
    if type(ob) == "function" then ob = ob(cols, orderByOps) end
    if ob ~= nil then
      if kindOf(ob) then ob = { ob } end
      for _, v in ipairs(ob) do
        local k = kindOf(v)
        if k == K.COLUMN or k == K.COLREF then lvl.orderBy[#lvl.orderBy + 1] = aliasedColumn(v, alias)
        else lvl.orderBy[#lvl.orderBy + 1] = mapToAlias(v, alias) end
      end
    end
    lvl.limit = config.limit
    lvl.offset = config.offset

    -- relations, in the order they were defined
    if config.with ~= nil then
      local with = config.with
      if type(with) ~= "table" then
        error(("drizzle: with of %q must be a table, got %s"):format(tc.tsName, type(with)), 0)
      end
      for key, value in pairs(with) do
        if value and tc.relations[key] == nil then
          error(('drizzle: table "%s" has no relation "%s"'):format(tc.tsName, tostring(key)), 0)
        end
      end
      for _, e in ipairs(tc.relationList) do
        local key, relation = e[1], e[2]
        local value = with[key]
        if value then
          local norm = normalizeRelation(ctx.rc, relation)
          local relTsName = ctx.rc.tableNamesMap[uniqueName(relation.referencedTable)]
          local relAlias = alias .. "_" .. key
          local conds = {}
          for i, field in ipairs(norm.fields) do
            conds[i] = operators.eq(aliasedColumn(norm.references[i], relAlias), aliasedColumn(field, alias))
          end
          local joinOn = operators.and_((table.unpack or unpack)(conds, 1, #norm.fields))
          local relConfig = value
          if relation.kind == "one" then relConfig = copyConfig(value, 1) end
          local built = ctx.build(ctx, {
            tableConfig = ctx.rc.tables[relTsName], queryConfig = relConfig, tableAlias = relAlias,
            joinOn = joinOn, nestedQueryRelation = relation,
          })
          local field, join = dialect.relationField(ctx, lvl, key, relAlias, built, relation)
          if join then lvl.joins[#lvl.joins + 1] = join end
          selection[#selection + 1] = {
            tsKey = key, field = field, isJson = true, isOne = relation.kind == "one",
            relationTableTsKey = relTsName, selection = built.selection,
          }
        end
      end
    end
  end

  if #selection == 0 then
    errors.drizzleError(('No fields selected for table "%s" ("%s"). You need to have at least one item in "columns", "with" or "extras". If you need to select all columns, omit the "columns" key or set it to undefined.')
      :format(tc.tsName, alias), 0)
  end
  lvl.where = operators.and_(p.joinOn, where)
  return lvl
end

-- buildRelationalQuery: { sql = select builder, selection = ... }
local function build(ctx, p)
  local dialect, db = ctx.dialect, ctx.db
  local lvl = buildLevel(ctx, p)
  local tc, alias = p.tableConfig, p.tableAlias
  local tbl = aliasedTable(tc.table, alias)
  local selection = lvl.selection
  local result
  if p.nestedQueryRelation then
    local isMany = p.nestedQueryRelation.kind == "many"
    if dialect.nestedQuery then
      -- a dialect that builds a nested level its own way (MariaDB)
      result = dialect.nestedQuery(ctx, lvl, tbl, isMany)
    else
      local data = dialect.nestedData(ctx, lvl, isMany)
      local where, orderBy, limit, offset = lvl.where, lvl.orderBy, lvl.limit, lvl.offset
      local from = tbl
      if limit ~= nil or offset ~= nil or #orderBy > 0 then
        -- the level's rows in a derived table of the same alias; the
        -- dialect says what it selects and whether it keeps the order
        local fields, innerOrder = { { "*", ast.sql.raw("*") } }, orderBy
        if dialect.innerFields then fields, innerOrder = dialect.innerFields(ctx, lvl) end
        local inner = newSelect(db, fields, tbl, where, innerOrder, limit, offset)
        from = setmetatable({ sel = inner, alias = alias, seq = nextSeq() }, session().SubqueryMT)
        where, orderBy, limit, offset = nil, nil, nil, nil
      end
      result = newSelect(db, { { "data", data } }, from, where, orderBy, limit, offset, lvl.joins)
    end
  else
    local fields = {}
    for i, item in ipairs(selection) do fields[i] = { item.tsKey, item.field } end
    result = newSelect(db, fields, tbl, lvl.where, lvl.orderBy, lvl.limit, lvl.offset, lvl.joins)
  end
  return { tableTsKey = tc.tsName, sql = result, selection = selection }
end

------------------------------------------------------------------ dialects

-- Per dialect:
--   relationField(ctx, lvl, tsKey, relationAlias, built) -> the parent's
--     selection field for a built relation, and a join to add (or nil);
--   nestedData(ctx, lvl, isMany) -> the one field a nested level selects;
--   innerFields(ctx, lvl) (optional) -> the fields of the derived table a
--     nested level with limit/offset/orderBy reads from, and the order by
--     that derived table keeps (default: `*`, the level's order by);
--   nestedQuery(ctx, lvl, aliasedTable, isMany) (optional) -> the whole
--     select of a nested level, for a dialect that does not use the shared
--     derived-table form (MariaDB).
local dialects = {}
M.dialects = dialects

local ident = ast.sql.identifier
local raw = ast.sql.raw

-- sql.join(list, ", ") as one nested sql node: its columns stay qualified
-- ("alias"."col") even in a single-table select, as in Drizzle, where the
-- renderer only unqualifies columns that are top-level chunks of a field.
local function joinList(list)
  local chunks = {}
  for i, v in ipairs(list) do
    if i > 1 then chunks[#chunks + 1] = ", " end
    chunks[#chunks + 1] = v
  end
  return ast.newSQL(chunks)
end

-- The nested level's selection as the items of json_array(...): a column
-- as its aliased reference, an extra as its sql, a relation as its field's
-- sql ("alias_key"."data" for the lateral forms, "(select ...)" otherwise).
local function selectionItems(lvl)
  local items = {}
  for i, item in ipairs(lvl.selection) do
    local f = item.field
    if kindOf(f) == K.ALIASED then f = f.sql end
    items[i] = f
  end
  return items
end

local function subquery(sel, alias)
  return setmetatable({ sel = sel, alias = alias, seq = nextSeq() }, session().SubqueryMT)
end

-- pg and MySQL (default mode): each relation is a derived table joined
-- `left join lateral (select ... as "data" ...) "alias" on true`, selected
-- as "alias"."data" (buildRelationalQueryWithoutPK / buildRelationalQuery).
-- The relation's cell is read as text (decoder tostring: the binding then
-- leaves the json cell undecoded), so that mapRelation decodes it keeping
-- numeric values exact.
local function lateralField(_, _, tsKey, relAlias, built)
  local f = ast.chunks(ident(relAlias), ".", ident("data"))
  f.decoder = tostring
  local field = aliased(f, tsKey)
  local join = { type = "left", table = subquery(built.sql, relAlias), on = raw("true"),
                 lateral = true, alias = relAlias }
  return field, join
end

dialects.sqlite = {
  -- (select json_array(...) as "data" from ...) as "key"
  relationField = function(_, _, tsKey, _, built)
    return aliased(ast.chunks(built.sql), tsKey), nil
  end,
  -- json_array("a", "b", <extra sql>, (select ...)), within
  -- coalesce(json_group_array(...), json_array()) for many. The columns are
  -- top-level chunks, so they render bare (Drizzle's sql.identifier).
  nestedData = function(_, lvl, isMany)
    local chunks = { isMany and "coalesce(json_group_array(json_array(" or "json_array(" }
    for i, f in ipairs(selectionItems(lvl)) do
      if i > 1 then chunks[#chunks + 1] = ", " end
      chunks[#chunks + 1] = f
    end
    chunks[#chunks + 1] = isMany and ")), json_array())" or ")"
    return aliased(ast.newSQL(chunks), "data")
  end,
}

-- pg-core/dialect.ts buildRelationalQueryWithoutPK:
--   json_build_array("t"."a", ..., "t_rel"."data") as "data"
--   coalesce(json_agg(json_build_array(...) order by ...), '[]'::json) as "data"
-- The derived table of a level with limit/offset/orderBy keeps its order by
-- (and json_agg repeats it).
dialects.pg = {
  relationField = lateralField,
  nestedData = function(_, lvl, isMany)
    local field = ast.chunks("json_build_array(", joinList(selectionItems(lvl)), ")")
    if isMany then
      local ob = #lvl.orderBy > 0 and ast.chunks(" order by ", joinList(lvl.orderBy)) or nil
      field = ast.chunks("coalesce(json_agg(", field, ob, "), '[]'::json)")
    end
    return aliased(field, "data")
  end,
}

-- mysql-core/dialect.ts buildRelationalQuery (mode "default"):
--   json_array(`t`.`a`, ..., `t_rel`.`data`) as `data`
--   coalesce(json_arrayagg(json_array(...)), json_array()) as `data`
-- The derived table of a level with limit/offset/orderBy selects
-- `*, row_number() over (order by ...)` and drops the order by itself; the
-- outer select has none either (json_arrayagg gets no order: Drizzle's).
dialects.mysql = {
  relationField = lateralField,
  nestedData = function(_, lvl, isMany)
    local field = ast.chunks("json_array(", joinList(selectionItems(lvl)), ")")
    if isMany then field = ast.chunks("coalesce(json_arrayagg(", field, "), json_array())") end
    return aliased(field, "data")
  end,
  innerFields = function(_, lvl)
    local fields = { { "*", raw("*") } }
    if #lvl.orderBy > 0 then
      fields[2] = { "row_number", ast.chunks("row_number() over (order by ", joinList(lvl.orderBy), ")") }
    end
    return fields, nil
  end,
}

-- mysql-core/dialect.ts buildRelationalQueryWithoutLateralSubqueries (mode
-- "planetscale"): relations are correlated subqueries in the select list,
--   (select json_array(`a`, ...) from ...) as `key`
--   coalesce((select json_arrayagg(json_array(`a`, ...)) from ...), json_array()) as `key`
-- with the nested level's columns bare (sql.identifier: top-level chunks of
-- a single-table select render bare here too) and no alias on its field.
dialects.mysql_planetscale = {
  relationField = function(_, _, tsKey, _, built, relation)
    local f
    if relation.kind == "many" then f = ast.chunks("coalesce(", built.sql, ", json_array())")
    else f = ast.chunks(built.sql) end
    f.decoder = tostring
    return aliased(f, tsKey), nil
  end,
  nestedData = function(_, lvl, isMany)
    local chunks = { isMany and "json_arrayagg(json_array(" or "json_array(" }
    for i, f in ipairs(selectionItems(lvl)) do
      if i > 1 then chunks[#chunks + 1] = ", " end
      chunks[#chunks + 1] = f
    end
    chunks[#chunks + 1] = isMany and "))" or ")"
    return ast.newSQL(chunks)
  end,
  innerFields = dialects.mysql.innerFields,
}

-- MariaDB (what drizzle-c runs there; toSQL still shows Drizzle's MySQL
-- text). Where MariaDB and MySQL 8 differ:
--   * MariaDB has no LATERAL: Drizzle's default mode fails for every `with`
--     ("left join lateral" is a syntax error);
--   * a derived table in MariaDB cannot see the outer query's columns
--     (MySQL 8.0.14+ can): Drizzle's planetscale mode fails for every one()
--     (always limit 1, hence a derived table) and for every many() with
--     limit/offset/orderBy ("Unknown column ... in 'WHERE'");
--   * MariaDB (10.5+) has JSON_ARRAYAGG(... ORDER BY ... LIMIT n OFFSET m),
--     which MySQL 8 lacks (MySQL has no ORDER BY/LIMIT inside it).
-- So each relation is a correlated scalar subquery in the select list, with
-- no derived table at all:
--   one:  (select json_array(`t`.`a`, ...) from `t` `t` where <join> and <where> order by ... limit ? offset ?)
--   many: (select coalesce(json_arrayagg(json_array(`t`.`a`, ...) order by ... limit ? offset ?), json_array())
--          from `t` `t` where <join> and <where>)
-- A nested level's items are its columns (qualified), extras, and its own
-- relations' subqueries, correlated to it by alias; JSON from a subquery is
-- embedded as JSON (MariaDB keeps JSON-ness through json_array), and json
-- columns are text to it (decoded by mapping).
local MAX_ROWS = "18446744073709551615"   -- MariaDB's LIMIT for "no limit"

dialects.mariadb = {
  relationField = function(_, _, tsKey, _, built)
    local f = ast.chunks(built.sql)
    f.decoder = tostring
    return aliased(f, tsKey), nil
  end,
  nestedQuery = function(ctx, lvl, tbl, isMany)
    local arr = ast.chunks("json_array(", joinList(selectionItems(lvl)), ")")
    if not isMany then
      return newSelect(ctx.db, { { "data", arr } }, tbl, lvl.where, lvl.orderBy, lvl.limit, lvl.offset)
    end
    local ob = #lvl.orderBy > 0 and ast.chunks(" order by ", joinList(lvl.orderBy)) or nil
    local lim
    if lvl.limit ~= nil or lvl.offset ~= nil then
      local function bound(v)
        if kindOf(v) == K.PLACEHOLDER then return v end
        return ast.param(v)
      end
      lim = ast.chunks(" limit ", lvl.limit ~= nil and bound(lvl.limit) or raw(MAX_ROWS),
                       lvl.offset ~= nil and " offset " or nil, lvl.offset ~= nil and bound(lvl.offset) or nil)
    end
    local data = ast.chunks("coalesce(json_arrayagg(", arr, ob, lim, "), json_array())")
    return newSelect(ctx.db, { { "data", data } }, tbl, lvl.where)
  end,
}

-- Is this db's server MariaDB? `db.mariadb = true | false` set by the user
-- decides; else it is asked once per db at the first relational query run
-- (select version()), and remembered.
local serverIsMariaDB = setmetatable({}, { __mode = "k" })
local function isMariaDB(db)
  if db.dialect ~= "mysql" then return false end
  local forced = db.mariadb
  if forced ~= nil then return forced and true or false end
  local v = serverIsMariaDB[db]
  if v == nil then
    local ok, row = pcall(db.get, db, ast.sql.raw("select version() as v"))
    v = ok and type(row) == "table" and type(row.v) == "string" and row.v:lower():find("mariadb", 1, true) ~= nil or false
    serverIsMariaDB[db] = v
  end
  return v
end
M.isMariaDB = isMariaDB

------------------------------------------------------------------ results

-- Nested rows come back as JSON text (sqlite json_array, pg json_agg /
-- json_build_array, mysql json_arrayagg / json_array): decoded here with
-- json.decode(text, Num), which keeps integers exact and leaves every other
-- number literal as its text, setmetatable({ "12.50" }, Num), so that a
-- numeric/decimal value stays exact; each value is then mapped by its
-- column as Drizzle's mapRelationalRow does (mapFromDriverValue).
local json = core.json
local Num = { __name = "drizzle.JsonNumber" }

local function isNum(v) return type(v) == "table" and getmetatable(v) == Num end

-- A decoded JSON value with every number literal made a Lua number.
local function plain(v)
  if type(v) ~= "table" then return v end
  if getmetatable(v) == Num then return tonumber(v[1]) end
  for k, x in pairs(v) do
    if type(x) == "table" then v[k] = plain(x) end
  end
  return v
end

local function decodeJSON(text) return json.decode(text, Num) end

-- JavaScript's String(n) for a number (sqlite numeric inside JSON, as
-- Drizzle's String(JSON.parse(...)) gives it).
local function jsNumber(v)
  if mathtype and mathtype(v) == "integer" then return tostring(v) end
  if v == floor(v) and v > -1e21 and v < 1e21 then
    local s = format("%.0f", v)
    return s == "-0" and "0" or s
  end
  for prec = 15, 17 do
    local s = format("%." .. prec .. "g", v)
    if tonumber(s) == v then return s end
  end
  return tostring(v)
end

-- An integer given as text: exact (a Lua integer on 5.3+; on 5.1/LuaJIT a
-- number up to 2^53, else the decimal string).
local function toInteger(v)
  if isNum(v) then v = v[1] end
  if type(v) == "string" then
    local n = tonumber(v)
    if n == nil then return v end
    if mathtype then return math.tointeger(n) or n end
    -- 5.1/LuaJIT: a number only when it is that integer exactly (|v| < 2^53)
    if n > -9007199254740992 and n < 9007199254740992 and format("%.0f", n) == v then return n end
    return v
  end
  return v
end

-- An instant in text as JSON carries it -> seconds since the epoch: pg
-- "2024-01-01T10:00:00.5", "2024-01-01T10:00:00+02:00", "2024-01-01"; MySQL
-- 8 "2024-01-01 10:00:00.000000"; MariaDB "2024-01-01 10:00:00". Read by
-- the same C reader as a top-level cell (UTC without an offset, as Drizzle
-- appends '+0000' / 'Z'; milliseconds, as a JS Date keeps them); text that
-- is no instant stays as it is.
local decodeText = core.decodeText
local function parseInstant(v)
  if type(v) ~= "string" then return v end
  local ok, secs = pcall(decodeText, "timestamp_iso", v)
  if ok then return secs end
  return v
end
M.parseInstant = parseInstant

local decodeColumn

-- A pg array inside JSON is a JSON array: each element by the element codec.
local function decodeArray(col, v, dialectName)
  if type(v) ~= "table" or isNum(v) then return plain(v) end
  local elem = { codec = col.elemCodec, fromDriver = col.fromDriver, dialect = col.dialect }
  local out = {}
  for i = 1, #v do
    local x = v[i]
    if type(x) == "table" and not isNum(x) then out[i] = decodeArray(col, x, dialectName)
    elseif x == NULL then out[i] = NULL
    else out[i] = decodeColumn(elem, x, dialectName) end
  end
  return out
end

local exactNumeric = { pg = true, mysql = true }

-- mapFromDriverValue of a column, for a value that came back inside JSON.
function decodeColumn(col, v, dialectName)
  local codec = col.codec or "none"
  if codec == "none" or codec == "blob" then return plain(v) end
  if codec == "boolean_int" or codec == "boolean" then
    if isNum(v) then v = tonumber(v[1]) end
    if type(v) == "number" then return v ~= 0 end
    return v == true or v == "1" or v == "true"
  end
  if codec == "timestamp_s" then return plain(v) end
  if codec == "timestamp_ms" then return (tonumber(plain(v)) or 0) / 1000 end
  if codec == "timestamp_iso" or codec == "mysql_datetime" or codec == "mysql_date" then
    return parseInstant(v)
  end
  if codec == "json" or codec == "blob_json" then
    -- pg/MySQL 8 embed json values as JSON; SQLite and MariaDB hand them
    -- over as JSON text (a string that is not JSON stays, as Drizzle's
    -- try { JSON.parse } does)
    if type(v) == "string" then
      local ok, r = pcall(json.decode, v)
      if ok then return r end
      return v
    end
    return plain(v)
  end
  if codec == "numeric_string" then
    if isNum(v) then
      if exactNumeric[dialectName] then return v[1] end
      return jsNumber(tonumber(v[1]))
    end
    if type(v) == "number" then return jsNumber(v) end
    return v
  end
  if codec == "numeric_number" then return tonumber(plain(v)) or v end
  if codec == "numeric_bigint" or codec == "blob_bigint" or codec == "bigint" then return toInteger(v) end
  if codec == "pg_array" then return decodeArray(col, v, dialectName) end
  if codec == "point_xy" or codec == "point_tuple" or codec == "line_abc" or codec == "line_tuple"
    or codec == "vector" or codec == "geometry_xy" or codec == "geometry_tuple" then
    -- the server's text form (EWKB hex for PostGIS), read as a top-level cell is
    if type(v) ~= "string" then return plain(v) end
    return decodeText(codec, v)
  end
  if codec == "custom" then
    v = plain(v)
    if col.fromDriver then return col.fromDriver(v) end
    return v
  end
  return plain(v)
end
M.decodeColumn = decodeColumn

local function decodeWith(decoder, v, dialectName)
  if decoder == nil then return plain(v) end
  if decoder == tostring and isNum(v) then return v[1] end
  if type(decoder) == "function" then return decoder(plain(v)) end
  local col = schema.columnOf(decoder)
  if col then return decodeColumn(col, v, dialectName) end
  if type(decoder) == "table" and decoder.mapFromDriverValue then return decoder:mapFromDriverValue(plain(v)) end
  return plain(v)
end

local mapRow

-- A relation's value: JSON text (or an already decoded value), NULL for an
-- absent one(). MariaDB may hand a nested relation over as a JSON string
-- inside the JSON: decoded again.
local function mapRelation(item, raw, dialectName)
  if raw == nil or raw == NULL then return nil end
  local rows = raw
  if type(rows) == "string" then rows = decodeJSON(rows) end
  if rows == NULL or rows == nil then return nil end
  if item.isOne then return mapRow(item.selection, rows, dialectName) end
  local out = {}
  for i, sub in ipairs(rows) do
    if type(sub) == "string" then sub = decodeJSON(sub) end
    out[i] = mapRow(item.selection, sub, dialectName)
  end
  return out
end

-- mapRelationalRow over a row that came back as a JSON array.
function mapRow(selection, arr, dialectName)
  local out = {}
  for i, item in ipairs(selection) do
    local v = arr[i]
    if item.isJson then
      out[item.tsKey] = mapRelation(item, v, dialectName)
    elseif v ~= nil and v ~= NULL then
      if item.column then out[item.tsKey] = decodeColumn(item.column, v, dialectName)
      else out[item.tsKey] = decodeWith(item.decoder, v, dialectName) end
    end
  end
  return out
end
M.mapRow = mapRow

-- A top-level row from the binding: columns and extras already decoded,
-- relations still JSON text.
local function mapTopRow(selection, row, dialectName)
  for _, item in ipairs(selection) do
    if item.isJson then row[item.tsKey] = mapRelation(item, row[item.tsKey], dialectName) end
  end
  return row
end
M.mapTopRow = mapTopRow

------------------------------------------------------------------ queries

local Query = { __name = "drizzle.RelationalQuery" }
Query.__index = Query
M.Query = Query

local function built(self)
  local b = rawget(self, "_built")
  if not b then
    local ctx = self.ctx
    b = build(ctx, { tableConfig = self.tableConfig, queryConfig = self.config, tableAlias = self.tableConfig.tsName })
    self._built = b
  end
  return b
end

function Query:toSQL()
  local sql, params = core.render(self.ctx.db, "select", built(self).sql)
  return { sql = sql, params = params }
end

-- The statement a MariaDB server runs for this query (toSQL() is always
-- Drizzle's MySQL text); for specs and for logging.
function Query:toMariaDBSQL()
  local ctx = self.ctx
  local mctx = { db = ctx.db, build = build, rc = ctx.rc, dialect = dialects.mariadb }
  local b = build(mctx, { tableConfig = self.tableConfig, queryConfig = self.config, tableAlias = self.tableConfig.tsName })
  local sql, params = core.render(ctx.db, "select", b.sql)
  return { sql = sql, params = params }
end

function Query:getSQL()
  return ast.chunks(built(self).sql)
end

local function finish(self, result, selection)
  local dialectName = self.ctx.db.dialect
  if self.mode == "first" then
    if result == nil then return nil end
    return mapTopRow(selection, result, dialectName)
  end
  for i, row in ipairs(result) do result[i] = mapTopRow(selection, row, dialectName) end
  return result
end

-- What runs: Drizzle's statement, or on MariaDB the form above.
local function builtToRun(self)
  local ctx = self.ctx
  if not isMariaDB(ctx.db) then return built(self) end
  local b = rawget(self, "_builtMariaDB")
  if not b then
    local mctx = { db = ctx.db, build = build, rc = ctx.rc, dialect = dialects.mariadb }
    b = build(mctx, { tableConfig = self.tableConfig, queryConfig = self.config, tableAlias = self.tableConfig.tsName })
    self._builtMariaDB = b
  end
  return b
end

function Query:execute(placeholders)
  local db = self.ctx.db
  session().requireConn(db, "execute()")
  local b = builtToRun(self)
  local result = core.execute(db, "select", b.sql, self.mode == "first" and "get" or "all", placeholders)
  return finish(self, result, b.selection)
end
Query.all = Query.execute
Query.get = Query.execute
Query.sync = Query.execute

-- prepare(name): rendered once, run many times with placeholders filled.
local Prepared = { __name = "drizzle.PreparedRelationalQuery" }
Prepared.__index = Prepared

function Query:prepare(name)
  local db = self.ctx.db
  session().requireConn(db, "prepare()")
  local b = builtToRun(self)
  local p = core.prepare(db, "select", b.sql, name)
  return setmetatable({ query = self, p = p, selection = b.selection, name = name }, Prepared)
end

function Prepared:execute(placeholders)
  local q = self.query
  local result = core.prepExec(self.p, q.mode == "first" and "get" or "all", placeholders)
  return finish(q, result, self.selection)
end
Prepared.all = Prepared.execute
Prepared.get = Prepared.execute

function Prepared:toSQL()
  local sql, params = core.prepSQL(self.p)
  return { sql = sql, params = params }
end

Query.__tostring = function(q)
  local ok, s = pcall(Query.toSQL, q)
  return "drizzle.RelationalQuery(" .. (ok and s.sql or "?") .. ")"
end

-- db.query.<tsKey>
local Finder = { __name = "drizzle.RelationalQueryBuilder" }
Finder.__index = Finder

local function newQuery(finder, config, mode)
  if config ~= nil and type(config) ~= "table" then
    error(("bad argument #1 to '%s' (options table expected, got %s)")
      :format(mode == "first" and "findFirst" or "findMany", type(config)), 3)
  end
  if mode == "first" then config = copyConfig(config or {}, 1) else config = config or {} end
  return setmetatable({ ctx = finder.ctx, tableConfig = finder.tableConfig, config = config, mode = mode }, Query)
end

function Finder:findMany(config) return newQuery(self, config, "many") end
function Finder:findFirst(config) return newQuery(self, config, "first") end

-- The relational config of a schema, made once per schema table.
local configCache = setmetatable({}, { __mode = "k" })

function M.queryBuilder(db, fullSchema)
  local ctx = { db = db, build = build }
  local finders = {}
  return setmetatable({}, { __index = function(_, key)
    local f = finders[key]
    if f then return f end
    local rc = ctx.rc
    if not rc then
      rc = configCache[fullSchema]
      if not rc then
        rc = extractTablesRelationalConfig(fullSchema)
        configCache[fullSchema] = rc
      end
      ctx.rc = rc
    end
    local dialect = dialects[db.dialect]
    if db.dialect == "mysql" and db.mode == "planetscale" then dialect = dialects.mysql_planetscale end
    if not dialect then
      error(("drizzle: relational queries (db.query) are not implemented for the %s dialect yet"):format(tostring(db.dialect)), 2)
    end
    ctx.dialect = dialect
    local tc = rc.tables[key]
    if not tc then
      error(("drizzle: db.query.%s: the schema has no table %q"):format(tostring(key), tostring(key)), 2)
    end
    f = setmetatable({ ctx = ctx, tableConfig = tc }, Finder)
    finders[key] = f
    return f
  end })
end

return M
