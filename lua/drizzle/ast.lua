-- drizzle.ast: the expression nodes every builder produces and the C
-- binding renders (lua/drizzle/core.c reads them; keep the kinds in step
-- with the K_* numbers there).
--
-- Drizzle's model, kept as is: an expression is an `sql` object, a list of
-- chunks. A Lua string chunk is SQL text; every other chunk is a value
-- (bound as a parameter) or a node: a column reference, a table, a param
-- with its encoding column, a placeholder, a name, an aliased expression, a
-- subquery, a select builder. The kind of a node is the `__dz` field of its
-- metatable, so one look tells the binding what it holds.
local core = require("drizzle.core")

local setmetatable, getmetatable, type, select, rawget = setmetatable, getmetatable, type, select, rawget
local error, tostring, string_find, string_sub = error, tostring, string.find, string.sub

local M = {}

local K = {
  COLUMN = 1,       -- a column object (the builder from pg.text() etc.)
  COLREF = 2,       -- one read of a column from its table: { column, seq[, alias] }
  SQL = 3,          -- { chunk1, chunk2, ..., n = count }
  PARAM = 4,        -- { value = v, col = encoderColumn | nil }
  PLACEHOLDER = 5,  -- { name = "id" }
  NAME = 6,         -- { value = "identifier" }
  ALIASED = 7,      -- { sql = SQL, alias = "x", isSelectionField = bool }
  TABLE = 8,        -- a table object ([1] holds its info)
  SUBQUERY = 9,     -- { sel = builder | SQL, alias = "sq", isWith = bool }
  SELECT = 10,      -- a select builder used as an expression
  SELECT_SQL = 11,  -- { sel = builder }: a select inlined without parentheses
  VIEW = 12,
}
M.K = K

-- One sequence numbers column reads and expressions, so that a field map
-- written as a Lua table constructor can be put back in the order written
-- (LUA_API.md section 5).
-- The counter lives in a table shared by the modules that number things on
-- hot paths (column reads, sql objects): an index and a store are cheaper
-- than a call.
local seqBox = { 0 }
M.seqBox = seqBox
function M.nextSeq()
  local s = seqBox[1] + 1
  seqBox[1] = s
  return s
end

-- NULL: the light userdata that cjson.null and ngx.null are too.
M.NULL = core.NULL

local function kindOf(v)
  local mt = getmetatable(v)
  return mt and mt.__dz
end
M.kindOf = kindOf

---------------------------------------------------------------- SQL objects

local SQL = { __dz = K.SQL, [0] = K.SQL }
SQL.__index = SQL
M.SQL = SQL

-- sql`...`.as(alias)
function SQL:as(alias)
  if alias == nil then return self end
  return setmetatable({ sql = self, alias = alias, seq = M.nextSeq() }, M.Aliased)
end

-- .mapWith(Number) / .mapWith(column): how a selected value is decoded.
function SQL:mapWith(decoder)
  self.decoder = decoder
  return self
end

function SQL:inlineParams()
  self.inline = true
  return self
end

function SQL:append(other)
  local n = #self
  for i = 1, #other do self[n + i] = other[i] end
  return self
end

-- sql`...`.if(cond): Lua's reserved word gets the trailing underscore.
function SQL:if_(cond)
  if cond then return self end
  return nil
end

function SQL:getSQL() return self end

SQL.__tostring = function(self) return "drizzle.SQL (" .. #self .. " chunks)" end

local Aliased = { __dz = K.ALIASED, [0] = K.ALIASED }
Aliased.__index = Aliased
M.Aliased = Aliased
function Aliased:mapWith(decoder) self.sql.decoder = decoder; return self end
function Aliased:getSQL() return self.sql end

local Param = { __dz = K.PARAM, [0] = K.PARAM }
M.Param = Param
local Placeholder = { __dz = K.PLACEHOLDER, [0] = K.PLACEHOLDER }
Placeholder.__index = Placeholder
Placeholder.__tostring = function(p) return "drizzle.Placeholder(" .. p.name .. ")" end
M.Placeholder = Placeholder
local Name = { __dz = K.NAME, [0] = K.NAME }
M.Name = Name

-- An sql object: its chunks are its array part (no holes: nil chunks are
-- left out), its seq places it in a field map.
local function newSQL(chunks)
  local s = seqBox[1] + 1
  seqBox[1] = s
  chunks.seq = s
  return setmetatable(chunks, SQL)
end
M.newSQL = newSQL

-- The same for the fixed shapes the operators build: seq goes in the
-- constructor, so the table is made at its final size (setting a hash key
-- on an array-only table afterwards resizes it).
function M.sql3(a, b, c)
  local s = seqBox[1] + 1
  seqBox[1] = s
  return setmetatable({ a, b, c, seq = s }, SQL)
end
function M.sql5(a, b, c, d, e)
  local s = seqBox[1] + 1
  seqBox[1] = s
  return setmetatable({ a, b, c, d, e, seq = s }, SQL)
end

-- A value bound as a param, encoded by `col` (bindIfParam of Drizzle).
function M.param(value, col)
  return setmetatable({ value = value, col = col }, Param)
end

-- What a value becomes when it stands where an expression may: nodes stay,
-- everything else is a param encoded like `col`.
function M.bindIfParam(value, col)
  local k = kindOf(value)
  -- a placeholder is filled at execution and encoded by col as the value it
  -- stands for would be (a bytea column binds the bytes as a blob)
  if k == K.PLACEHOLDER and col ~= nil then return setmetatable({ value = value, col = col }, Param) end
  if k and k ~= K.PARAM then return value end
  if k == K.PARAM then return value end
  return setmetatable({ value = value, col = col }, Param)
end

---------------------------------------------------------------- templates

-- Parsed templates, by their text: "?" marks a value, "??" a literal "?".
local templateCache = {}
local cacheSize = 0

local coreParseTemplate = core.parseTemplate   -- core/template.c (fuzzed: fuzz/fuzz_template.c)

local function parseTemplate(text)
  local parts = templateCache[text]
  if parts then return parts end
  parts = coreParseTemplate(text)
  if cacheSize < 4096 then
    templateCache[text] = parts
    cacheSize = cacheSize + 1
  end
  return parts
end
M.parseTemplate = parseTemplate

-- A template argument as a chunk: strings are params (never text), plain
-- sequences are lists, nodes and other values stay as they are.
local function argChunk(v)
  if type(v) == "string" then
    return setmetatable({ value = v }, Param)
  end
  return v
end

-- d.sql("length(?) < ?", col, 10)
local function sql(text, ...)
  if type(text) ~= "string" then
    error("bad argument #1 to 'sql' (template string expected, got " .. type(text) .. ")", 2)
  end
  local parts = parseTemplate(text)
  local nArg = select("#", ...)
  local nMark = #parts - 1
  if nArg ~= nMark then
    error(("sql: template %q has %d '?' marks but %d values were given (write '??' for a literal '?')")
      :format(text, nMark, nArg), 2)
  end
  if nMark == 1 then
    -- the common one-value template in one constructor: the chunks that
    -- are there (empty text and nil values are left out), in order
    local p1, p2, v = parts[1], parts[2], ...
    if type(v) == "string" then v = setmetatable({ value = v }, Param) end
    local c1, c2, c3
    if p1 ~= "" then c1 = p1 end
    if v ~= nil then if c1 == nil then c1 = v else c2 = v end end
    if p2 ~= "" then
      if c1 == nil then c1 = p2 elseif c2 == nil then c2 = p2 else c3 = p2 end
    end
    local s = seqBox[1] + 1
    seqBox[1] = s
    return setmetatable({ c1, c2, c3, seq = s }, SQL)
  end
  local chunks, n = {}, 0
  for i = 1, nMark do
    local p = parts[i]
    if p ~= "" then n = n + 1; chunks[n] = p end
    local v = select(i, ...)
    if v ~= nil then n = n + 1; chunks[n] = argChunk(v) end
  end
  local last = parts[nMark + 1]
  if last ~= "" then n = n + 1; chunks[n] = last end
  return newSQL(chunks, n)
end

-- Build an SQL object from already-made chunks (strings are text).
function M.chunks(...)
  local n = select("#", ...)
  local chunks, j = {}, 0
  for i = 1, n do
    local v = select(i, ...)
    if v ~= nil then j = j + 1; chunks[j] = v end
  end
  return newSQL(chunks, j)
end

local sqlmod = setmetatable({}, { __call = function(_, ...) return sql(...) end })

function sqlmod.raw(text)
  if type(text) ~= "string" then
    error("bad argument #1 to 'sql.raw' (string expected, got " .. type(text) .. ")", 2)
  end
  if text == "" then return newSQL({}, 0) end
  return newSQL({ text }, 1)
end

function sqlmod.empty()
  return newSQL({}, 0)
end

function sqlmod.identifier(value)
  if type(value) ~= "string" then
    error("bad argument #1 to 'sql.identifier' (string expected, got " .. type(value) .. ")", 2)
  end
  return setmetatable({ value = value }, Name)
end

function sqlmod.placeholder(name)
  if type(name) ~= "string" then
    error("bad argument #1 to 'sql.placeholder' (string expected, got " .. type(name) .. ")", 2)
  end
  return setmetatable({ name = name }, Placeholder)
end

function sqlmod.param(value, col)
  return setmetatable({ value = value, col = col }, Param)
end

-- sql.join(chunks, separator): separator is an SQL object or a string of text.
function sqlmod.join(list, sep)
  local chunks, n = {}, 0
  local count = #list
  for i = 1, count do
    local v = list[i]
    n = n + 1
    chunks[n] = argChunk(v)
    if sep ~= nil and i < count then
      n = n + 1
      chunks[n] = sep
    end
  end
  return newSQL(chunks, n)
end

M.sql = sqlmod
M.tostring = tostring
return M
