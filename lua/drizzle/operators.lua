-- drizzle.operators: conditions, ordering and aggregates, as Drizzle's
-- sql/expressions and sql/functions build them: each is an `sql` object of
-- text chunks around its operands, so the renderer needs no knowledge of
-- any operator. Values compared with a column are bound as params encoded
-- by that column (bindIfParam), so a boolean column binds 1/0 on SQLite.
local ast = require("drizzle.ast")

local select, type, error, setmetatable, getmetatable = select, type, error, setmetatable, getmetatable
local bind, kindOf, K = ast.bindIfParam, ast.kindOf, ast.K
local newSQL, sql3, sql5 = ast.newSQL, ast.sql3, ast.sql5
local SQL, Param, seqBox = ast.SQL, ast.Param, ast.seqBox
local K_PLACEHOLDER = K.PLACEHOLDER

-- The hot operators (comparisons, like, and/or of two, asc/desc) build
-- their node in one constructor, seq included, with bindIfParam inlined:
-- query building is dominated by calls and table allocations, and a table
-- made at its final size is never resized.

local M = {}

local function needExpr(v, fn, i)
  if v == nil then
    error(("bad argument #%d to '%s' (expression expected, got nil)"):format(i, fn), 3)
  end
end

local function binary(op)
  return function(left, right)
    if left == nil then needExpr(left, "comparison", 1) end
    -- bindIfParam(right, left): a node stays, a placeholder or a value
    -- becomes a param encoded by the left column
    local mt = getmetatable(right)
    local k = mt and mt.__dz
    if k == nil or k == K_PLACEHOLDER then
      right = setmetatable({ value = right, col = left }, Param)
    end
    local s = seqBox[1] + 1
    seqBox[1] = s
    return setmetatable({ left, op, right, seq = s }, SQL)
  end
end

M.eq = binary(" = ")
M.ne = binary(" <> ")
M.gt = binary(" > ")
M.gte = binary(" >= ")
M.lt = binary(" < ")
M.lte = binary(" <= ")

-- and(...)/or(...): nil conditions are dropped; none left gives nil (the
-- where is then dropped); one is not wrapped in parentheses.
local function junction(sep)
  return function(...)
    local n = select("#", ...)
    if n == 2 then
      -- the common and_(a, b): no lists, no select(i, ...) (which LuaJIT
      -- does not compile)
      local a, b = ...
      if a ~= nil and b ~= nil then
        local s = seqBox[1] + 1
        seqBox[1] = s
        return setmetatable({ "(", a, sep, b, ")", seq = s }, SQL)
      end
    end
    local args = { ... }
    local list, m = {}, 0
    for i = 1, n do
      local c = args[i]
      if c ~= nil then m = m + 1; list[m] = c end
    end
    if m == 0 then return nil end
    if m == 1 then return newSQL({ list[1] }, 1) end
    local out, j = { "(" }, 1
    for i = 1, m do
      j = j + 1; out[j] = list[i]
      if i < m then j = j + 1; out[j] = sep end
    end
    j = j + 1; out[j] = ")"
    return newSQL(out, j)
  end
end
M.and_ = junction(" and ")
M.or_ = junction(" or ")

function M.not_(cond)
  return newSQL({ "not ", cond }, 2)
end

local function isPlainList(v)
  return type(v) == "table" and kindOf(v) == nil
end

local function inList(op, emptyText)
  return function(col, values)
    needExpr(col, op, 1)
    if isPlainList(values) then
      local n = #values
      if n == 0 then return newSQL({ emptyText }, 1) end
      local list = {}
      for i = 1, n do
        local v = values[i]
        local mt = getmetatable(v)
        local k = mt and mt.__dz
        if k == nil or k == K_PLACEHOLDER then v = setmetatable({ value = v, col = col }, Param) end
        list[i] = v
      end
      return sql3(col, op, list)
    end
    return sql3(col, op, bind(values, col))
  end
end
M.inArray = inList(" in ", "false")
M.notInArray = inList(" not in ", "true")

function M.isNull(v) return newSQL({ v, " is null" }, 2) end
function M.isNotNull(v) return newSQL({ v, " is not null" }, 2) end
function M.exists(sq) return newSQL({ "exists ", sq }, 2) end
function M.notExists(sq) return newSQL({ "not exists ", sq }, 2) end

function M.between(col, lo, hi)
  return newSQL({ col, " between ", bind(lo, col), " and ", bind(hi, col) }, 5)
end
function M.notBetween(col, lo, hi)
  return newSQL({ col, " not between ", bind(lo, col), " and ", bind(hi, col) }, 5)
end

local function likeOp(op)
  return function(col, value)
    if type(value) == "string" then value = setmetatable({ value = value }, Param) end
    local s = seqBox[1] + 1
    seqBox[1] = s
    return setmetatable({ col, op, value, seq = s }, SQL)
  end
end
M.like = likeOp(" like ")
M.notLike = likeOp(" not like ")
M.ilike = likeOp(" ilike ")
M.notIlike = likeOp(" not ilike ")

-- A list is wrapped in an sql object (Drizzle's sql`${bindIfParam(...)}`),
-- so it binds as one array param rather than rendering as (a, b, c).
local function arrayOp(op)
  return function(col, values)
    if isPlainList(values) then
      return sql3(col, op, newSQL({ bind(values, col) }))
    end
    return sql3(col, op, bind(values, col))
  end
end
M.arrayContains = arrayOp(" @> ")
M.arrayContained = arrayOp(" <@ ")
M.arrayOverlaps = arrayOp(" && ")

function M.asc(v)
  local s = seqBox[1] + 1
  seqBox[1] = s
  return setmetatable({ v, " asc", seq = s }, SQL)
end
function M.desc(v)
  local s = seqBox[1] + 1
  seqBox[1] = s
  return setmetatable({ v, " desc", seq = s }, SQL)
end

-- Aggregates. Their decoders follow Drizzle: count is a number, avg/sum a
-- string (exact on every driver), max/min decode like their column.
local function agg(open, decoder)
  return function(expr)
    return newSQL({ open, expr, ")" }, 3):mapWith(decoder)
  end
end

function M.count(expr)
  if expr == nil then return newSQL({ "count(*)" }, 1):mapWith(tonumber) end
  return newSQL({ "count(", expr, ")" }, 3):mapWith(tonumber)
end
M.countDistinct = agg("count(distinct ", tonumber)
M.avg = agg("avg(", tostring)
M.avgDistinct = agg("avg(distinct ", tostring)
M.sum = agg("sum(", tostring)
M.sumDistinct = agg("sum(distinct ", tostring)

local function isColumn(v)
  local k = kindOf(v)
  return k == K.COLUMN or k == K.COLREF
end
function M.max(expr)
  return newSQL({ "max(", expr, ")" }, 3):mapWith(isColumn(expr) and expr or tostring)
end
function M.min(expr)
  return newSQL({ "min(", expr, ")" }, 3):mapWith(isColumn(expr) and expr or tostring)
end

-- pgvector distance helpers: sql`${column} <=> ${vector}`, the vector bound
-- through the column like any compared value.
local vecOp = binary
M.l2Distance = vecOp(" <-> ")
M.l1Distance = vecOp(" <+> ")
M.innerProduct = vecOp(" <#> ")
M.cosineDistance = vecOp(" <=> ")
M.hammingDistance = vecOp(" <~> ")
M.jaccardDistance = vecOp(" <%> ")

return M
