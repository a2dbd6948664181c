-- drizzle.session: the db object and its query builders, for every dialect.
--
-- Builders only collect a config (Drizzle's select.ts / insert.ts ...); the
-- C binding turns the config into the core's AST, renders it with the
-- dialect, runs it on the driver and converts the rows (core.c). Builders
-- are mutable and return self, as Drizzle's do; a second :where() on a
-- builder that was not made :dynamic() raises, the runtime form of
-- Drizzle's type-level "method already called" check.
local ast = require("drizzle.ast")
local core = require("drizzle.core")
local schema = require("drizzle.schema")
local errors = require("drizzle.errors")

local setmetatable, getmetatable, rawget, type, pairs, ipairs, error, select, tostring, pcall, next =
  setmetatable, getmetatable, rawget, type, pairs, ipairs, error, select, tostring, pcall, next
local K, kindOf, nextSeq, seqBox = ast.K, ast.kindOf, ast.nextSeq, ast.seqBox

local M = {}
local beginSQL

-- The logger: true prints as Drizzle's DefaultLogger does; a function or an
-- object with logQuery(query, params) receives every query.
local function log(logger, query, params)
  if type(logger) == "function" then return logger(query, params) end
  if type(logger) == "table" and logger.logQuery then return logger:logQuery(query, params) end
  local text = "Query: " .. query
  if #params > 0 then
    local ok, json = pcall(core.json.encode, params)
    text = text .. " -- params: " .. (ok and json or "?")
  end
  print(text)
end

core.setHooks({ newQueryError = errors.newQueryError, log = log })

local function argError(method, i, expected, got)
  error(("bad argument #%d to '%s' (%s expected, got %s)"):format(i, method, expected, got), 3)
end

-- The name a from/join source goes by (Drizzle's getTableName / alias).
local function sourceName(src)
  local k = kindOf(src)
  if k == K.TABLE then return rawget(src, 1).name end
  if k == K.SUBQUERY or k == K.VIEW then return src.alias end
  return nil
end

-- Field maps that are not user-written keep an explicit order.
local Ordered = { __name = "drizzle.OrderedFields" }
M.Ordered = Ordered
local function ordered(list) return setmetatable(list, Ordered) end

-- The seq that places a selection value among its siblings.
local function seqOf(v)
  local k = kindOf(v)
  if k == K.COLREF then return v[2] end
  if k == K.TABLE then return rawget(v, 1).seq end
  if k then return rawget(v, "seq") or 0 end
  if type(v) == "table" then
    local m = math.huge
    for _, x in pairs(v) do
      local s = seqOf(x)
      if s < m then m = s end
    end
    return m
  end
  return 0
end
M.seqOf = seqOf

-- A map's entries as an ordered list of { key, value }, as written.
local function orderedEntries(map)
  if getmetatable(map) == Ordered then return map end
  local list = {}
  for key, v in pairs(map) do list[#list + 1] = { key, v, seqOf(v) } end
  table.sort(list, function(a, b) return a[3] < b[3] end)
  return list
end
M.orderedEntries = orderedEntries

------------------------------------------------------------------ runner

-- The parts shared by every builder: rendering and running.
local Runnable = {}

function Runnable:toSQL()
  local sql, params = core.render(self.db, self.kind, self)
  return { sql = sql, params = params }
end

function Runnable:getSQL()
  return ast.chunks(self)
end

local function requireConn(db, what)
  if db.closed then error("drizzle: " .. what .. " on a closed db", 3) end
  if not db.conn then
    error("drizzle: this db was made with drizzle.mock(): it renders SQL but cannot run " .. what, 3)
  end
end

-- method: "all" | "get" | "run" | "values" | "execute"
local runReturningId
local function run(self, method, placeholders)
  local db = self.db
  if db.closed or not db.conn then requireConn(db, method .. "()") end
  if self.cfg.returningId and method ~= "run" then return runReturningId(self, method, placeholders) end
  return core.execute(self.db, self.kind, self, method, placeholders)
end

function Runnable:execute(placeholders) return run(self, "execute", placeholders) end
function Runnable:all(placeholders) return run(self, "all", placeholders) end
function Runnable:get(placeholders) return run(self, "get", placeholders) end
function Runnable:run(placeholders) return run(self, "run", placeholders) end
function Runnable:values(placeholders) return run(self, "values", placeholders) end

-- prepare(name?): render once, keep the driver statement, run many times.
-- The prepared userdata's methods: p:execute(placeholders), :all, :get,
-- :run, :values (C functions of the binding: one call per execution) and
-- :toSQL().
local function preparedToSQL(self)
  local sql, params = core.prepSQL(self)
  return { sql = sql, params = params }
end

function Runnable:prepare(name)
  requireConn(self.db, "prepare()")
  local p = core.prepare(self.db, self.kind, self, name)
  local methods = getmetatable(p).__index
  if methods.toSQL == nil then methods.toSQL = preparedToSQL end
  return p
end

function Runnable:dynamic()
  self.isDynamic = true
  return self
end
Runnable["$dynamic"] = Runnable.dynamic

local function once(self, key, method)
  if self.cfg[key] ~= nil and not self.isDynamic then
    error(("drizzle: %s() was already called on this query; make the query :dynamic() to call it again"):format(method), 3)
  end
end

local function builderClass(kind)
  local methods = {}
  for k, v in pairs(Runnable) do methods[k] = v end
  local mt = { __index = methods, __dz = kind, [0] = kind, __name = "drizzle.Query" }
  mt.__tostring = function(b)
    local ok, q = pcall(Runnable.toSQL, b)
    return "drizzle.Query(" .. (ok and q.sql or "?") .. ")"
  end
  return methods, mt
end

------------------------------------------------------------------ select

local Select, SelectMT = builderClass(K.SELECT)
M.SelectMT = SelectMT

-- Builders and their configs are made at the size the usual chain fills
-- (the keys set to nil reserve their slots): a table that grows after its
-- constructor is rehashed.
local function newSelect(db, fields, distinct, distinctOn)
  if fields ~= nil and (type(fields) ~= "table" or kindOf(fields)) then
    error(("bad argument #1 to 'select' (table of fields expected, got %s)"):format(type(fields)), 3)
  end
  local s = seqBox[1] + 1
  seqBox[1] = s
  return setmetatable({ db = db, kind = "select", isPartial = fields ~= nil, cfg = {
    fields = fields, distinct = distinct, distinctOn = distinctOn, withList = db.withList,
    table = nil, where = nil, orderBy = nil, limit = nil,
  }, seq = s, isDynamic = nil }, SelectMT)
end
M.newSelect = newSelect

-- The fields a source offers when select() named none.
local function sourceFields(src)
  local k = kindOf(src)
  if k == K.TABLE then return src end
  if k == K.SUBQUERY or k == K.VIEW then return src:fieldsOrdered() end
  return ordered({})
end

function Select:from(src)
  local mt = getmetatable(src)
  local k = mt and mt.__dz
  if k ~= K.TABLE and k ~= K.SUBQUERY and k ~= K.SQL and k ~= K.VIEW then
    argError("from", 1, "table, subquery or sql", type(src))
  end
  local cfg = self.cfg
  cfg.table = src
  if not self.isPartial then cfg.fields = sourceFields(src) end
  return self
end

local function join(joinType, lateral)
  return function(self, src, on)
    local k = kindOf(src)
    if k ~= K.TABLE and k ~= K.SUBQUERY and k ~= K.SQL and k ~= K.VIEW then
      argError(joinType .. "Join", 1, "table, subquery or sql", type(src))
    end
    local cfg = self.cfg
    local baseName = sourceName(cfg.table)
    local name = sourceName(src)
    local joins = cfg.joins
    local first = joins == nil
    if first then
      -- the first join: the from source is not nullable (joinsNotNullableMap)
      joins = {}
      cfg.joins = joins
      cfg.nullable = baseName and { [baseName] = true } or {}
    end
    if not self.isPartial then
      local entry = name and k ~= K.SQL and { name, sourceFields(src) } or nil
      if first and baseName then
        -- the from source's fields and this one's, in one list made at its size
        cfg.fields = ordered({ { baseName, cfg.fields }, entry })
      elseif entry then
        local f = cfg.fields
        f[#f + 1] = entry
      end
    end
    local nullable = cfg.nullable
    if joinType == "left" then
      if name then nullable[name] = false end
    elseif joinType == "right" then
      for key in pairs(nullable) do nullable[key] = false end
      if name then nullable[name] = true end
    elseif joinType == "inner" or joinType == "cross" then
      if name then nullable[name] = true end
    elseif joinType == "full" then
      for key in pairs(nullable) do nullable[key] = false end
      if name then nullable[name] = false end
    end
    joins[#joins + 1] = { type = joinType, table = src, on = on, lateral = lateral, alias = name }
    return self
  end
end
Select.leftJoin = join("left")
Select.rightJoin = join("right")
Select.innerJoin = join("inner")
Select.fullJoin = join("full")
Select.crossJoin = function(self, src) return join("cross")(self, src, nil) end
Select.leftJoinLateral = join("left", true)
Select.innerJoinLateral = join("inner", true)
Select.crossJoinLateral = function(self, src) return join("cross", true)(self, src, nil) end

-- where(cond | function(fields, ops) ... end); nil drops the where.
local function condition(self, value)
  if type(value) == "function" then
    value = value(self.cfg.fields, require("drizzle.operators"))
  end
  return value
end

function Select:where(cond)
  local cfg = self.cfg
  if cfg.where ~= nil then once(self, "where", "where") end
  if type(cond) == "function" then cond = condition(self, cond) end
  cfg.where = cond
  return self
end

function Select:having(cond)
  once(self, "having", "having")
  self.cfg.having = condition(self, cond)
  return self
end

local function list(...)
  local n = select("#", ...)
  local out = {}
  for i = 1, n do
    local v = select(i, ...)
    if v ~= nil then out[#out + 1] = v end
  end
  return out
end

local function listOrCallback(self, ...)
  local first = ...
  if select("#", ...) == 1 and type(first) == "table" and kindOf(first) then return { first } end
  if type(first) == "function" then
    local r = first(self.cfg.fields, require("drizzle.operators"))
    if type(r) == "table" and not kindOf(r) then return r end
    return { r }
  end
  return list(...)
end

function Select:groupBy(...)
  self.cfg.groupBy = listOrCallback(self, ...)
  return self
end

function Select:orderBy(...)
  local items
  local first = ...
  if select("#", ...) == 1 and type(first) == "table" then
    -- the common orderBy(node), as listOrCallback makes it
    local mt = getmetatable(first)
    if mt and mt.__dz then items = { first } end
  end
  if items == nil then items = listOrCallback(self, ...) end
  local setOps = self.cfg.setOps
  if setOps and #setOps > 0 then
    setOps[#setOps].orderBy = items
  else
    self.cfg.orderBy = items
  end
  return self
end

local function limitValue(method, n)
  if n == nil then return nil end
  local k = kindOf(n)
  if k == K.PLACEHOLDER then return n end
  if type(n) ~= "number" then argError(method, 1, "number or placeholder", type(n)) end
  return n
end

function Select:limit(n)
  if type(n) ~= "number" then n = limitValue("limit", n) end
  local setOps = self.cfg.setOps
  if setOps and #setOps > 0 then setOps[#setOps].limit = n else self.cfg.limit = n end
  return self
end

function Select:offset(n)
  n = limitValue("offset", n)
  local setOps = self.cfg.setOps
  if setOps and #setOps > 0 then setOps[#setOps].offset = n else self.cfg.offset = n end
  return self
end

-- for_("update" | "no key update" | "share" | "key share", { of = t, noWait = true, skipLocked = true })
function Select:for_(strength, config)
  if type(strength) ~= "string" then argError("for_", 1, "lock strength", type(strength)) end
  config = config or {}
  local of = config.of
  if of ~= nil and kindOf(of) then of = { of } end
  self.cfg.lock = { strength = strength, of = of, noWait = config.noWait, skipLocked = config.skipLocked }
  return self
end

local function setOp(kind, all)
  return function(self, right)
    if kindOf(right) ~= K.SELECT then argError(kind, 1, "select query", type(right)) end
    local cfg = self.cfg
    cfg.setOps = cfg.setOps or {}
    cfg.setOps[#cfg.setOps + 1] = { type = kind, all = all, right = right }
    return self
  end
end
Select.union = setOp("union", false)
Select.unionAll = setOp("union", true)
Select.intersect = setOp("intersect", false)
Select.intersectAll = setOp("intersect", true)
Select.except = setOp("except", false)
Select.exceptAll = setOp("except", true)

-- union(a, b, c...): the function form, nesting to the left.
function M.setOperators(_dialect)
  local function fn(name)
    return function(first, ...)
      for i = 1, select("#", ...) do Select[name](first, (select(i, ...))) end
      return first
    end
  end
  return {
    union = fn("union"), unionAll = fn("unionAll"), intersect = fn("intersect"),
    intersectAll = fn("intersectAll"), except = fn("except"), exceptAll = fn("exceptAll"),
  }
end

------------------------------------------------------------------ subquery

local Subquery = {}
local SubqueryMT = { __dz = K.SUBQUERY, [0] = K.SUBQUERY, __name = "drizzle.Subquery" }
M.SubqueryMT = SubqueryMT

-- sq.field: a column of the subquery renders through its alias; an aliased
-- expression renders as its alias name (Drizzle's SelectionProxyHandler).
local function proxyField(sq, v)
  local k = kindOf(v)
  if k == K.COLREF then
    return setmetatable({ v[1], nextSeq(), sq.alias }, getmetatable(v))
  elseif k == K.COLUMN then
    return setmetatable({ v, nextSeq(), sq.alias }, v.refmt)
  elseif k == K.ALIASED then
    return setmetatable({ sql = v.sql, alias = v.alias, isSelectionField = true, seq = nextSeq() }, ast.Aliased)
  elseif k == K.TABLE then
    local out = {}
    for _, col in ipairs(rawget(v, 1).list) do
      out[col.key] = setmetatable({ col, nextSeq(), sq.alias }, col.refmt)
    end
    return out
  elseif k == nil and type(v) == "table" then
    local out = {}
    for key, x in pairs(v) do out[key] = proxyField(sq, x) end
    return out
  end
  return v
end

local function selectedFields(sq)
  local sel = sq.sel
  if kindOf(sel) == K.SELECT then return sel.cfg.fields end
  return sq.fields or {}
end

SubqueryMT.__index = function(sq, key)
  local m = Subquery[key]
  if m then return m end
  local fields = selectedFields(sq)
  local v
  if getmetatable(fields) == Ordered then
    for _, e in ipairs(fields) do if e[1] == key then v = e[2] end end
  elseif kindOf(fields) == K.TABLE then
    v = rawget(fields, 1).columns[key]
  else
    v = fields[key]
  end
  if v == nil then
    error(("subquery %q has no field %q"):format(rawget(sq, "alias"), tostring(key)), 2)
  end
  return proxyField(sq, v)
end

function Subquery:fieldsOrdered()
  local fields = selectedFields(self)
  local out = {}
  if kindOf(fields) == K.TABLE then
    for _, col in ipairs(rawget(fields, 1).list) do
      out[#out + 1] = { col.key, setmetatable({ col, nextSeq(), self.alias }, col.refmt) }
    end
    return ordered(out)
  end
  for _, e in ipairs(orderedEntries(fields)) do out[#out + 1] = { e[1], proxyField(self, e[2]) } end
  return ordered(out)
end

function Select:as(alias)
  if type(alias) ~= "string" then argError("as", 1, "alias name", type(alias)) end
  return setmetatable({ sel = self, alias = alias, seq = nextSeq() }, SubqueryMT)
end

------------------------------------------------------------------ with / cte

-- db:cte("sq"):as(select) — Drizzle's db.$with('sq').as(...)
local WithBuilder = {}
WithBuilder.__index = WithBuilder
function WithBuilder:as(q)
  if type(q) == "function" then q = q(self.db) end
  local k = kindOf(q)
  if k ~= K.SELECT and k ~= K.SQL then argError("as", 1, "select query or sql", type(q)) end
  local sq = { sel = q, alias = self.alias, isWith = true, seq = nextSeq() }
  if k == K.SQL then sq.fields = self.fields or {} end
  return setmetatable(sq, SubqueryMT)
end

------------------------------------------------------------------ insert

local Insert, InsertMT = builderClass(K.SELECT + 100)
M.InsertMT = InsertMT

local function newInsert(db, tbl)
  if kindOf(tbl) ~= K.TABLE then argError("insert", 1, "table", type(tbl)) end
  return setmetatable({ db = db, kind = "insert", cfg = { table = tbl, withList = db.withList, values = nil, returning = nil } }, InsertMT)
end

-- The field check of set() and of the conflict clauses' set (unknown keys
-- raise naming the table and the field; insert values are checked while
-- they are converted, convert.c checkRows). A plain Lua loop over the keys
-- costs more than the C one.
local checkFields = core.checkFields

-- values(row) | values({ row, row, ... }): a sequence is several rows. The
-- table is kept as given (convert.c tells one row from a list by its first
-- element, as rowList does here) and its fields are checked when it renders.
local function rowList(values)
  local first = values[1]
  if type(first) == "table" and not kindOf(first) then return values end
  return { values }
end

function Insert:values(rows)
  if type(rows) ~= "table" or kindOf(rows) then argError("values", 1, "table of values", type(rows)) end
  self.cfg.values = rows
  return self
end

-- select(query | function(qb) ... end): insert ... select
function Insert:select(q)
  if type(q) == "function" then q = q(self.db) end
  local k = kindOf(q)
  if k ~= K.SELECT and k ~= K.SQL then argError("select", 1, "select query or sql", type(q)) end
  self.cfg.select = q
  return self
end

function Insert:returning(fields)
  if self.db.dialect == "mysql" then
    error(("drizzle: insert into %q: returning() is not supported by the mysql dialect (MySQL has no RETURNING; use :returningId())"):format(rawget(self.cfg.table, 1).name), 2)
  end
  if fields == nil then fields = self.cfg.table end
  self.cfg.returning = fields
  return self
end

-- MySQL's $returningId(): the primary keys of the inserted rows, computed as
-- Drizzle's mysql2 session does: an autoincrement key from the insert id and
-- the affected rows, a $defaultFn key from the values generated for the
-- insert, and {} per row when the table has no primary key.
function Insert:returningId()
  self.cfg.returningId = true
  return self
end

runReturningId = function(self, method, placeholders)
  local cfg = self.cfg
  local keys = {}
  for _, col in ipairs(rawget(cfg.table, 1).list) do
    if col.primary then keys[#keys + 1] = col end
  end
  local generated, rows = {}, cfg.values
  if rows then
    local filled = {}
    for i, row in ipairs(rowList(rows)) do
      local copy = {}
      for k, v in pairs(row) do copy[k] = v end
      generated[i] = {}
      for _, col in ipairs(keys) do
        if copy[col.key] == nil and col.defaultFunc then copy[col.key] = col.defaultFunc() end
        generated[i][col.key] = copy[col.key]
      end
      filled[i] = copy
    end
    cfg.values = filled
  end
  local ok, res = pcall(core.execute, self.db, self.kind, self, "run", placeholders)
  cfg.values = rows
  if not ok then error(res, 0) end
  local out = {}
  local first = res.insertId or 0
  for i = 1, res.rowsAffected or 0 do
    local entry = {}
    for _, col in ipairs(keys) do
      local given = generated[i] and generated[i][col.key]
      if col.defaultFunc and given ~= nil then entry[col.key] = given
      elseif col.autoIncrement or (given == nil and first ~= 0) then entry[col.key] = first + i - 1
      else entry[col.key] = given end
    end
    out[i] = entry
  end
  if method == "get" then return out[1] end
  return out
end

function Insert:ignore()
  self.cfg.ignore = true
  return self
end

local function targetList(target)
  if target == nil then return nil end
  if kindOf(target) then return { target } end
  return target
end

function Insert:onConflictDoNothing(config)
  config = config or {}
  local c = self.cfg
  c.onConflict = c.onConflict or {}
  c.onConflict[#c.onConflict + 1] = { target = targetList(config.target), where = config.where }
  return self
end

function Insert:onConflictDoUpdate(config)
  if type(config) ~= "table" then argError("onConflictDoUpdate", 1, "options table", type(config)) end
  if config.where and (config.targetWhere or config.setWhere) then
    error('You cannot use both "where" and "targetWhere"/"setWhere" at the same time - "where" is deprecated, use "targetWhere" or "setWhere" instead.', 2)
  end
  if type(config.set) ~= "table" then
    error(("drizzle: insert into %q: onConflictDoUpdate needs a set table"):format(rawget(self.cfg.table, 1).name), 2)
  end
  checkFields(self.cfg.table, { config.set }, "onConflictDoUpdate on")
  local c = self.cfg
  c.onConflict = c.onConflict or {}
  c.onConflict[#c.onConflict + 1] = {
    update = true, target = targetList(config.target), set = config.set,
    targetWhere = config.targetWhere, where = config.where, setWhere = config.setWhere,
  }
  return self
end

-- MySQL: on duplicate key update
function Insert:onDuplicateKeyUpdate(config)
  if type(config) ~= "table" or type(config.set) ~= "table" then
    argError("onDuplicateKeyUpdate", 1, "{ set = {...} }", type(config))
  end
  checkFields(self.cfg.table, { config.set }, "onDuplicateKeyUpdate on")
  local c = self.cfg
  c.onConflict = c.onConflict or {}
  c.onConflict[#c.onConflict + 1] = { update = true, duplicateKey = true, set = config.set }
  return self
end

------------------------------------------------------------------ update

local Update, UpdateMT = builderClass(K.SELECT + 101)
M.UpdateMT = UpdateMT

local function newUpdate(db, tbl)
  if kindOf(tbl) ~= K.TABLE then argError("update", 1, "table", type(tbl)) end
  return setmetatable({ db = db, kind = "update", cfg = { table = tbl, joins = {}, withList = db.withList, set = nil, where = nil } }, UpdateMT)
end

function Update:set(values)
  if type(values) ~= "table" or kindOf(values) then argError("set", 1, "table of values", type(values)) end
  checkFields(self.cfg.table, { values }, "update")
  self.cfg.set = values
  return self
end

function Update:where(cond)
  local cfg = self.cfg
  if cfg.where ~= nil then once(self, "where", "where") end
  cfg.where = cond
  return self
end

function Update:from(src)
  self.cfg.from = src
  return self
end
Update.leftJoin = function(self, src, on) local j = self.cfg.joins; j[#j + 1] = { type = "left", table = src, on = on }; return self end
Update.innerJoin = function(self, src, on) local j = self.cfg.joins; j[#j + 1] = { type = "inner", table = src, on = on }; return self end
Update.rightJoin = function(self, src, on) local j = self.cfg.joins; j[#j + 1] = { type = "right", table = src, on = on }; return self end
Update.fullJoin = function(self, src, on) local j = self.cfg.joins; j[#j + 1] = { type = "full", table = src, on = on }; return self end

function Update:returning(fields)
  if self.db.dialect == "mysql" then
    error(("drizzle: %s %q: returning() is not supported by the mysql dialect (MySQL has no RETURNING)"):format(self.kind, rawget(self.cfg.table, 1).name), 2)
  end
  if fields == nil then fields = self.cfg.table end
  self.cfg.returning = fields
  return self
end

function Update:orderBy(...)
  self.cfg.orderBy = listOrCallback(self, ...)
  return self
end

function Update:limit(n)
  self.cfg.limit = limitValue("limit", n)
  return self
end

------------------------------------------------------------------ delete

local Delete, DeleteMT = builderClass(K.SELECT + 102)
M.DeleteMT = DeleteMT

local function newDelete(db, tbl)
  if kindOf(tbl) ~= K.TABLE then argError("delete", 1, "table", type(tbl)) end
  return setmetatable({ db = db, kind = "delete", cfg = { table = tbl, withList = db.withList } }, DeleteMT)
end
Delete.where = Update.where
Delete.returning = Update.returning
Delete.orderBy = Update.orderBy
Delete.limit = Update.limit

------------------------------------------------------------------ db

local DB = {}
local DBMT = { __index = DB, __name = "drizzle.DB" }
M.DB = DB
M.DBMT = DBMT
DBMT.__tostring = function(db)
  return ("drizzle.DB(%s%s)"):format(db.dialect, db.closed and ", closed" or (db.conn and "" or ", mock"))
end

function DB:select(fields) return newSelect(self, fields) end
function DB:selectDistinct(fields) return newSelect(self, fields, true) end
function DB:selectDistinctOn(on, fields)
  if type(on) ~= "table" then argError("selectDistinctOn", 1, "list of columns", type(on)) end
  if kindOf(on) then on = { on } end
  return newSelect(self, fields, false, on)
end
function DB:insert(t) return newInsert(self, t) end
function DB:update(t) return newUpdate(self, t) end
DB["delete"] = function(self, t) return newDelete(self, t) end

-- db:cte("sq"):as(...) — Drizzle's db.$with
function DB:cte(alias, fields)
  if type(alias) ~= "string" then argError("cte", 1, "alias name", type(alias)) end
  return setmetatable({ db = self, alias = alias, fields = fields }, WithBuilder)
end
DB["$with"] = DB.cte

-- db:with(sq1, sq2):select(...) — a db view whose builders carry the CTEs
function DB:with(...)
  local view = setmetatable({}, { __index = self })
  view.withList = list(...)
  return view
end

-- db:count(table, filters): an embedded (select count(*) ...) that also runs
local Count = {}
for k, v in pairs(ast.SQL) do Count[k] = v end
local CountMT = { __dz = K.SQL, [0] = K.SQL, __index = Count, __name = "drizzle.Count" }
Count.__index = nil
function Count:execute()
  requireConn(self.db, "count()")
  local row = core.execute(self.db, "count", self, "get")
  return row and row.count or 0
end
Count.get = Count.execute

function DB:count(source, filters)
  local k = kindOf(source)
  if k ~= K.TABLE and k ~= K.SQL and k ~= K.VIEW and k ~= K.SUBQUERY then
    argError("count", 1, "table, view or sql", type(source))
  end
  local c
  if filters ~= nil then
    c = { "(select count(*) from ", source, " where ", filters, ")" }
  else
    c = { "(select count(*) from ", source, ")" }
  end
  c.n = #c
  c.seq = nextSeq()
  c.db = self
  c.decoder = tonumber
  c.countSource, c.countFilters = source, filters
  return setmetatable(c, CountMT)
end
DB["$count"] = DB.count

-- db:refreshMaterializedView(view)[:concurrently() | :withNoData()] (pg):
-- refresh materialized view[ concurrently] "v"[ with no data]
-- (PgDialect.buildRefreshMaterializedViewQuery).
local Refresh = {}
local RefreshMT = { __index = Refresh, __name = "drizzle.RefreshMaterializedView" }
function Refresh:concurrently()
  if self.noData then error("drizzle: Cannot use concurrently and withNoData together", 2) end
  self.conc = true
  return self
end
function Refresh:withNoData()
  if self.conc then error("drizzle: Cannot use concurrently and withNoData together", 2) end
  self.noData = true
  return self
end
function Refresh:getSQL()
  local c = { "refresh materialized view" }
  if self.conc then c[#c + 1] = " concurrently" end
  c[#c + 1] = " "
  c[#c + 1] = self.view
  if self.noData then c[#c + 1] = " with no data" end
  c.n = #c
  return ast.newSQL(c)
end
function Refresh:toSQL()
  local sql, params = core.render(self.db, "raw", self:getSQL())
  return { sql = sql, params = params }
end
for _, m in ipairs({ "execute", "run", "all" }) do
  Refresh[m] = function(self)
    requireConn(self.db, "refreshMaterializedView()")
    return core.execute(self.db, "raw", self:getSQL(), m)
  end
end

function DB:refreshMaterializedView(view)
  if self.dialect ~= "pg" then
    error("drizzle: refreshMaterializedView() is a PostgreSQL statement", 2)
  end
  local info = kindOf(view) == K.TABLE and rawget(view, 1)
  if not (info and info.isView and info.materialized) then
    argError("refreshMaterializedView", 1, "materialized view", type(view))
  end
  return setmetatable({ db = self, view = view }, RefreshMT)
end

-- db:run(d.sql(...)) / db:all / db:get / db:values / db:execute on raw SQL
local function rawRun(method)
  return function(self, q)
    requireConn(self, method .. "()")
    if kindOf(q) ~= K.SQL then argError(method, 1, "sql", type(q)) end
    return core.execute(self, "raw", q, method)
  end
end
DB.run = rawRun("run")
DB.all = rawRun("all")
DB.get = rawRun("get")
DB.values = rawRun("values")
DB.execute = rawRun("execute")

-- The statement that opens a transaction, as Drizzle's drivers write it:
--   pg:    begin [isolation level L] [read only|read write] [[not] deferrable]
--   mysql: set transaction isolation level L; start transaction [with consistent snapshot][, read only]
--   sqlite: begin [deferred|immediate|exclusive] (the config goes to the binding)
local isolationLevels = { ["read uncommitted"] = true, ["read committed"] = true, ["repeatable read"] = true, serializable = true }
local accessModes = { ["read only"] = true, ["read write"] = true }
local txOptions = {
  pg = { isolationLevel = true, accessMode = true, deferrable = true },
  mysql = { isolationLevel = true, accessMode = true, withConsistentSnapshot = true },
}
beginSQL = function(dialect, config)
  if dialect == "sqlite" or config == nil then return dialect == "sqlite" and config or "begin" end
  if type(config) ~= "table" then argError("transaction", 2, "options table", type(config)) end
  for k in pairs(config) do
    if not txOptions[dialect][k] then
      error(("drizzle: transaction: unknown option %q for %s"):format(tostring(k), dialect), 4)
    end
  end
  local level, mode = config.isolationLevel, config.accessMode
  if level ~= nil and not isolationLevels[level] then
    error(("drizzle: transaction: isolationLevel must be read uncommitted, read committed, repeatable read or serializable, got %q"):format(tostring(level)), 4)
  end
  if mode ~= nil and not accessModes[mode] then
    error(("drizzle: transaction: accessMode must be 'read only' or 'read write', got %q"):format(tostring(mode)), 4)
  end
  local parts = {}
  if dialect == "pg" then
    if level then parts[#parts + 1] = "isolation level " .. level end
    if mode then parts[#parts + 1] = mode end
    if type(config.deferrable) == "boolean" then parts[#parts + 1] = config.deferrable and "deferrable" or "not deferrable" end
    return #parts > 0 and ("begin " .. table.concat(parts, " ")) or "begin"
  end
  if config.withConsistentSnapshot then parts[#parts + 1] = "with consistent snapshot" end
  if mode then parts[#parts + 1] = mode end
  local start = #parts > 0 and ("start transaction " .. table.concat(parts, ", ")) or "begin"
  if level then return "set transaction isolation level " .. level, start end
  return start
end

-- db:transaction(function(tx) ... end, config): commit on return, rollback
-- on any error (re-raised) or tx:rollback(); nested calls use savepoints.
function DB:transaction(fn, config)
  requireConn(self, "transaction()")
  if type(fn) ~= "function" then argError("transaction", 1, "function", type(fn)) end
  local depth = (self.txDepth or 0)
  local tx = setmetatable({ txDepth = depth + 1, parentDb = self }, { __index = self, __tostring = DBMT.__tostring })
  local name = "sp" .. (depth + 1)
  if depth == 0 then
    core.begin(self, beginSQL(self.dialect, config))
  else
    core.exec(self, "savepoint " .. name)
  end
  local ok, result = pcall(fn, tx)
  if ok then
    if depth == 0 then core.finish(self, "commit") else core.exec(self, "release savepoint " .. name) end
    return result
  end
  if depth == 0 then
    pcall(core.finish, self, "rollback")
  else
    pcall(core.exec, self, "rollback to savepoint " .. name)
    pcall(core.exec, self, "release savepoint " .. name)
  end
  if getmetatable(result) == errors.Rollback and result.tx == tx then return nil end
  error(result, 0)
end

function DB:rollback()
  if not self.txDepth then error("drizzle: rollback() outside a transaction", 2) end
  error(setmetatable({ tx = self }, errors.Rollback), 0)
end

-- db:batch({ q1, q2, ... }): all in one transaction; returns each result.
function DB:batch(queries)
  if type(queries) ~= "table" then argError("batch", 1, "list of queries", type(queries)) end
  requireConn(self, "batch()")
  if core.hasPipeline(self) then
    -- one round trip (libpq pipeline mode): atomic as one implicit
    -- transaction outside db:transaction, part of the open one inside it
    local items = {}
    for i, q in ipairs(queries) do
      local k = kindOf(q)
      if k == K.SQL then items[i] = { "raw", q }
      elseif type(q) == "table" and q.kind and q.cfg then
        if q.cfg.returningId then error("drizzle: batch(): returningId() queries cannot be batched", 2) end
        items[i] = { q.kind, q }
      else argError("batch", 1, "list of queries", type(q)) end
    end
    return core.batch(self, items)
  end
  return self:transaction(function(tx)
    local out = {}
    for i, q in ipairs(queries) do
      local r
      if kindOf(q) == K.SQL then r = tx:run(q) else r = q:execute() end
      out[i] = r
    end
    return out
  end)
end

function DB:close()
  if self.conn then core.close(self) end
  self.closed = true
end

------------------------------------------------------------------ factory

local function casingOf(opts)
  local c = opts.casing
  if c == nil then return 0 end
  if c == "snake_case" then return 1 end
  if c == "camelCase" then return 2 end
  error(("drizzle: unknown casing %q (snake_case, camelCase)"):format(tostring(c)), 4)
end

local function newDB(dialect, opts)
  -- closed is set (false) so that the check of every run finds it in the
  -- db itself, not after a miss through the DB class (and a tx's proxy)
  local db = setmetatable({
    dialect = dialect, casing = casingOf(opts), schema = opts.schema, mode = opts.mode, mariadb = opts.mariadb,
    logger = opts.logger, closed = false,
  }, DBMT)
  db.core = core.newSession(dialect, db.casing)
  if opts.schema then
    db.query = require("drizzle.relations").queryBuilder(db, opts.schema)
  else
    db.query = setmetatable({}, { __index = function(_, k)
      error(("drizzle: db.query.%s: pass { schema = ... } to drizzle() to use relational queries"):format(tostring(k)), 2)
    end })
  end
  return db
end
M.newDB = newDB

-- A libpq conninfo string from an option table (node-postgres' names):
-- { host, port, user, password, database, ssl = bool | mode, options, application_name, connectionTimeoutMillis }
local conninfoKeys = {
  { "host", "host" }, { "port", "port" }, { "user", "user" }, { "password", "password" },
  { "database", "dbname" }, { "dbname", "dbname" }, { "options", "options" },
  { "application_name", "application_name" }, { "sslmode", "sslmode" },
}
function M.conninfo(t)
  local parts = {}
  local function add(key, v)
    v = tostring(v):gsub("\\", "\\\\"):gsub("'", "\\'")
    parts[#parts + 1] = key .. "='" .. v .. "'"
  end
  if t.connectionString or t.url then add("dbname", t.connectionString or t.url) end
  for _, kv in ipairs(conninfoKeys) do
    if t[kv[1]] ~= nil then add(kv[2], t[kv[1]]) end
  end
  if t.ssl ~= nil and t.sslmode == nil then add("sslmode", t.ssl == true and "require" or (t.ssl == false and "disable" or t.ssl)) end
  if t.connectionTimeoutMillis then add("connect_timeout", math.max(1, math.ceil(t.connectionTimeoutMillis / 1000))) end
  return table.concat(parts, " ")
end

-- A mysql:// URL from an option table { host, port, user, password, database, socketPath }.
local function urlEscape(v)
  return (tostring(v):gsub("[^%w%-%._~]", function(c) return ("%%%02X"):format(c:byte()) end))
end
function M.mysqlUrl(t)
  local auth = t.user and (urlEscape(t.user) .. (t.password and (":" .. urlEscape(t.password)) or "") .. "@") or ""
  local url = "mysql://" .. auth .. (t.host or "localhost") .. (t.port and (":" .. t.port) or "") .. "/" .. urlEscape(t.database or "")
  if t.socketPath then url = url .. "?socket=" .. urlEscape(t.socketPath) end
  return url
end

-- The dialect module's drizzle(...) and drizzle.mock(...).
function M.factory(dialect, parseTarget)
  local f = {}
  function f.mock(opts)
    return newDB(dialect, opts or {})
  end
  return setmetatable(f, { __call = function(_, target, ...)
    local t, opts = parseTarget(target, ...)
    local db = newDB(dialect, opts or {})
    -- server notices go to opts.onNotice(msg) or logger:logNotice(msg); never to stderr
    local logger = db.logger
    db.onNotice = opts and opts.onNotice
    if not db.onNotice and type(logger) == "table" and logger.logNotice then
      db.onNotice = function(msg) return logger:logNotice(msg) end
    end
    db.conn = core.connect(dialect, t, db)
    return db
  end })
end

-- drizzle(url) | drizzle({ connection = url | { host, port, ... }, schema, logger, casing, ... })
-- for a server dialect; toTarget turns a connection table into the
-- driver's target string (a libpq conninfo, a mysql:// URL).
function M.serverFactory(dialect, toTarget)
  return M.factory(dialect, function(target)
    if type(target) == "string" then return target, {} end
    if type(target) == "table" then
      local conn = target.connection or target.client
      if type(conn) == "string" then return conn, target end
      if type(conn) == "table" then return toTarget(conn), target end
      error(("%s.drizzle: options need a connection (URL string or table of host, port, user, password, database)"):format(dialect), 3)
    end
    error("bad argument #1 to 'drizzle' (connection URL or options table expected, got " .. type(target) .. ")", 3)
  end)
end

M.Select, M.Insert, M.Update, M.Delete = Select, Insert, Update, Delete
M.requireConn = requireConn
return M
