-- drizzle.views: pgView / pgMaterializedView / mysqlView / sqliteView.
--
-- A view is a table object (it renders as its name, its columns as
-- "view"."column") that also carries its definition for drizzle.kit:
-- info.isView, info.viewQuery (the select builder or sql), info.materialized,
-- info.viewConfig (with / algorithm / sqlSecurity / ...), info.existing.
-- Its columns come from the query's selection, in selection order, as in
-- Drizzle's view builders (a selected column keeps its class and codec; an
-- aliased expression becomes a column named by its alias).
local ast = require("drizzle.ast")
local schema = require("drizzle.schema")

local setmetatable, getmetatable, type, error, ipairs, pairs, rawget = setmetatable, getmetatable, type, error, ipairs, pairs, rawget
local K, kindOf, nextSeq = ast.K, ast.kindOf, ast.nextSeq

local M = {}

local tableFn = { pg = "pgView", mysql = "mysqlView", sqlite = "sqliteView" }

-- A column for a view, copied from what the query selects.
local function columnFor(dialect, key, v)
  local k = kindOf(v)
  local base = schema.columnOf(v)
  local col = {}
  if base then
    for f, x in pairs(base) do col[f] = x end
    col.table, col.ptr, col.refmt, col.key, col.order = nil, nil, nil, nil, nil
    col.primary, col.refs = nil, nil
    col.viewSource = base       -- drizzle-kit reads primary etc. through the proxy
  elseif k == K.ALIASED then
    col = { dialect = dialect, columnType = "ViewAliasedField", sqlType = "", codec = "none", name = v.alias, config = {} }
  else
    error(("%s: field %q needs an alias (use d.sql(...):as(%q))"):format(tableFn[dialect], key, key), 4)
  end
  col.seq = nextSeq()
  return setmetatable(col, schema.ColumnMT)
end

-- The selection of a select builder as { {key, value}, ... }, in order.
local function selection(q)
  local session = require("drizzle.session")
  local fields = q.cfg.fields
  if kindOf(fields) == K.TABLE then
    local out = {}
    for _, col in ipairs(rawget(fields, 1).list) do out[#out + 1] = { col.key, col } end
    return out
  end
  if getmetatable(fields) == session.Ordered then
    local out = {}
    for _, e in ipairs(fields) do
      if kindOf(e[2]) == K.TABLE then
        for _, col in ipairs(rawget(e[2], 1).list) do out[#out + 1] = { col.key, col } end
      else
        out[#out + 1] = { e[1], e[2] }
      end
    end
    return out
  end
  return session.orderedEntries(fields)
end

local Builder = {}
Builder.__index = Builder

function Builder:with(config) self.viewConfig.with = config; return self end
function Builder:algorithm(a) self.viewConfig.algorithm = a; return self end
function Builder:sqlSecurity(s) self.viewConfig.sqlSecurity = s; return self end
function Builder:withCheckOption(o) self.viewConfig.withCheckOption = o or "cascaded"; return self end
function Builder:tablespace(t) self.viewConfig.tablespace = t; return self end
function Builder:using(u) self.viewConfig.using = u; return self end
function Builder:withNoData() self.viewConfig.withNoData = true; return self end

local function finish(self, columns, query, existing)
  local t = schema.newTable(tableFn[self.dialect], self.name, columns, nil, { dialect = self.dialect, schema = self.schema })
  local info = rawget(t, 1)
  info.isView = true
  info.materialized = self.materialized
  info.viewQuery = query
  info.viewConfig = self.viewConfig
  info.existing = existing
  if info.schema then
    -- its columns render as "view"."column", never with the schema: Drizzle
    -- reaches them through a table proxy aliased to the view's name
    info.aliasName = info.name
    setmetatable(t, nil)
    setmetatable(t, schema.TableMT)
  end
  return t
end

-- :as(select | function(qb) return qb:select()... end | d.sql(...))
function Builder:as(q)
  if type(q) == "function" then
    q = q(require("drizzle.session").newDB(self.dialect, {}))
  end
  local k = kindOf(q)
  if k == K.SQL then
    if not self.columns then
      error(("%s(%q): a view defined by sql needs its columns: %s(name, { ... })"):format(tableFn[self.dialect], self.name, tableFn[self.dialect]), 2)
    end
    return finish(self, self.columns, q, false)
  end
  if k ~= K.SELECT then
    error(("bad argument #1 to 'as' (select query, function or sql expected, got %s)"):format(type(q)), 2)
  end
  local columns = {}
  for _, e in ipairs(selection(q)) do columns[e[1]] = columnFor(self.dialect, e[1], e[2]) end
  return finish(self, columns, q, false)
end

-- :existing(): a view that exists in the database, known by its columns.
function Builder:existing()
  if not self.columns then
    error(("%s(%q): existing() needs the view's columns"):format(tableFn[self.dialect], self.name), 2)
  end
  return finish(self, self.columns, nil, true)
end

function M.builder(dialect, name, columns, schemaName, materialized)
  if type(name) ~= "string" then
    error(("bad argument #1 to '%s' (view name expected, got %s)"):format(tableFn[dialect], type(name)), 3)
  end
  return setmetatable({ dialect = dialect, name = name, columns = columns, schema = schemaName,
                        materialized = materialized, viewConfig = {} }, Builder)
end

return M
