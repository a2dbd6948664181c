-- drizzle.kit.json: JSON as drizzle-kit writes it.
--
-- drizzle-kit writes its snapshots and journal with
-- JSON.stringify(value, null, 2), so key order is JavaScript's: integer-like
-- keys first in ascending order, then the others in insertion order. Lua
-- tables forget insertion order, so the kit builds objects with `obj()`,
-- which remembers it; plain Lua sequences are arrays (an empty plain table
-- is `[]`). `encode` writes either form; `decode` reads with the core's
-- codec (exact integers).
local core = require("drizzle.core")

local type, pairs, ipairs, setmetatable, getmetatable, tostring, tonumber, error =
  type, pairs, ipairs, setmetatable, getmetatable, tostring, tonumber, error
local floor, huge, format, concat, sort = math.floor, math.huge, string.format, table.concat, table.sort
local mathtype = math.type

local M = {}

------------------------------------------------------------ ordered objects

local Obj = { __name = "drizzle.kit.Object" }
local ORDER = setmetatable({}, { __mode = "k" })

-- obj("a", 1, "b", 2): an object remembering the order its keys were set.
function M.obj(...)
  local o = setmetatable({}, Obj)
  ORDER[o] = {}
  local n = select("#", ...)
  for i = 1, n, 2 do
    local k, v = select(i, ...)
    M.set(o, k, v)
  end
  return o
end

function M.isObj(v) return getmetatable(v) == Obj end

-- o[k] = v; a new key goes last; nil values are skipped (JS undefined).
function M.set(o, k, v)
  if v == nil then return o end
  if o[k] == nil then
    local ord = ORDER[o]
    ord[#ord + 1] = k
  end
  rawset(o, k, v)
  return o
end

local function isIndexKey(k)
  -- a canonical array index: "0", "1", ..., up to 2^32 - 2
  if type(k) ~= "string" or not k:match("^%d+$") then return false end
  if #k > 1 and k:sub(1, 1) == "0" then return false end
  return #k < 10 or (#k == 10 and tonumber(k) < 4294967295)
end

-- The keys of an object in JavaScript's property order.
function M.keys(o)
  local ord = ORDER[o]
  local ints, rest = {}, {}
  if ord then
    for _, k in ipairs(ord) do
      if rawget(o, k) ~= nil then
        if isIndexKey(k) then ints[#ints + 1] = k else rest[#rest + 1] = k end
      end
    end
  else
    for k in pairs(o) do
      if isIndexKey(k) then ints[#ints + 1] = k else rest[#rest + 1] = k end
    end
    sort(rest)
  end
  sort(ints, function(a, b) return tonumber(a) < tonumber(b) end)
  for _, k in ipairs(rest) do ints[#ints + 1] = k end
  return ints
end

-- Object.values(o)
function M.values(o)
  local out = {}
  for i, k in ipairs(M.keys(o)) do out[i] = o[k] end
  return out
end

-- An object with o's keys in o's order, each value f(value); nil o: {}.
function M.mapValues(o, f)
  local out = M.obj()
  for _, k in ipairs(M.keys(o or {})) do M.set(out, k, f(o[k])) end
  return out
end

-- Whether two JSON values are equal, key order aside.
function M.equal(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  for k, v in pairs(a) do if not M.equal(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

------------------------------------------------------------------ numbers

-- A number as JavaScript's String(n) writes it (shortest round trip).
function M.number(v)
  if mathtype and mathtype(v) == "integer" then return tostring(v) end
  if v ~= v then return "NaN" end
  if v == huge then return "Infinity" end
  if v == -huge then return "-Infinity" end
  if v == 0 then return "0" end
  if v == floor(v) and v > -1e21 and v < 1e21 then return format("%.0f", v) end
  local s
  for p = 1, 17 do
    s = format("%." .. (p - 1) .. "e", v)
    if tonumber(s) == v then break end
  end
  local sign, m, e = s:match("^(-?)([%d%.]+)e([-+]%d+)$")
  local digits = m:gsub("%.", ""):gsub("0+$", "")
  if digits == "" then digits = "0" end
  local k, n = #digits, tonumber(e) + 1
  local out
  if k <= n and n <= 21 then
    out = digits .. ("0"):rep(n - k)
  elseif 0 < n and n <= 21 then
    out = digits:sub(1, n) .. "." .. digits:sub(n + 1)
  elseif -6 < n and n <= 0 then
    out = "0." .. ("0"):rep(-n) .. digits
  else
    local ex = n - 1
    out = digits:sub(1, 1) .. (k > 1 and ("." .. digits:sub(2)) or "") ..
      "e" .. (ex >= 0 and "+" or "-") .. tostring(ex >= 0 and ex or -ex)
  end
  return sign .. out
end

-- `${v}` of a JSON value, as a JavaScript template writes it; nil when v
-- is undefined (nil).
function M.text(v)
  if v == nil then return nil end
  if type(v) == "number" then return M.number(v) end
  if type(v) == "boolean" then return v and "true" or "false" end
  return tostring(v)
end

------------------------------------------------------------------ strings

local ESC = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
              ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }

function M.string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return ESC[c] or format("\\u%04x", c:byte())
  end) .. '"'
end

------------------------------------------------------------------ encode

local NULL = core.NULL

local function isArray(t)
  if M.isObj(t) then return false end
  local n = #t
  for k in pairs(t) do
    if type(k) ~= "number" or k < 1 or k > n or k ~= floor(k) then return false end
  end
  return true
end

local function enc(v, indent, step, out)
  local t = type(v)
  if v == nil or v == NULL then out[#out + 1] = "null"
  elseif t == "boolean" then out[#out + 1] = v and "true" or "false"
  elseif t == "number" then
    if v ~= v or v == huge or v == -huge then out[#out + 1] = "null"
    else out[#out + 1] = M.number(v) end
  elseif t == "string" then out[#out + 1] = M.string(v)
  elseif t == "table" then
    local inner = indent .. step
    local nl = step ~= "" and "\n" or ""
    local colon = step ~= "" and ": " or ":"
    if isArray(v) then
      if #v == 0 then out[#out + 1] = "[]"; return end
      out[#out + 1] = "[" .. nl
      for i = 1, #v do
        if i > 1 then out[#out + 1] = "," .. nl end
        out[#out + 1] = inner
        enc(v[i], inner, step, out)
      end
      out[#out + 1] = nl .. indent .. "]"
    else
      local keys = M.keys(v)
      if #keys == 0 then out[#out + 1] = "{}"; return end
      out[#out + 1] = "{" .. nl
      for i, k in ipairs(keys) do
        if i > 1 then out[#out + 1] = "," .. nl end
        out[#out + 1] = inner .. M.string(tostring(k)) .. colon
        enc(v[k], inner, step, out)
      end
      out[#out + 1] = nl .. indent .. "}"
    end
  else
    error("drizzle.kit: cannot write a " .. t .. " as JSON", 0)
  end
end

-- JSON.stringify(v) (pretty == nil) or JSON.stringify(v, null, 2).
function M.encode(v, pretty)
  local out = {}
  enc(v, "", pretty and "  " or "", out)
  return concat(out)
end

function M.decode(s)
  local codec = core.json
  if codec and codec.decode then return codec.decode(s) end
  local ok, cjson = pcall(require, "cjson")
  if ok then return cjson.decode(s) end
  error("drizzle.kit: no JSON decoder (drizzle.core.json is missing)", 0)
end

-- JSON.stringify of a default value (objects with sorted keys, see
-- conformance README item 10); the core's codec when it is there.
function M.encodeValue(v)
  local codec = core.json
  if codec and codec.encode then return codec.encode(v) end
  return M.encode(v)
end

return M
