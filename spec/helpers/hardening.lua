-- Shared by the PostgreSQL and MySQL hardening specs (spec/hardening_*_spec.lua):
--   local HH = dofile("spec/helpers/hardening.lua")
local d = require("drizzle")
local kit = require("drizzle.kit")

local M = {}

M.H = dofile("spec/hostile_strings.lua")

-- the message of the error f(...) raises (fails when it does not); a
-- QueryError gives its message, marked so callers can tell (M.isQueryError)
function M.errOf(f, ...)
  local where = debug.traceback("", 2)
  local ok, e = pcall(f, ...)
  assert(not ok, "expected an error, got success at" .. where)
  if type(e) == "table" then return tostring(e.message or e), e end
  return tostring(e), e
end

function M.isQueryError(e) return type(e) == "table" and getmetatable(e) == d.QueryError end

-- a string shown in a failure message: 40 bytes, control and high bytes escaped
function M.show(s)
  s = s:sub(1, 40):gsub("[%z\1-\31\127-\255]", function(c) return ("\\%d"):format(c:byte()) end)
  return s
end

function M.tmpdir()
  local name = os.tmpname()
  os.remove(name)
  return name
end

-- the statements drizzle.kit.generate writes for schema (a map of objects)
function M.kitStatements(dialect, schema)
  local dir = M.tmpdir()
  local ok, r = pcall(kit.generate, { dialect = dialect, schema = schema, out = dir, quiet = true })
  os.execute("rm -rf '" .. dir .. "' 2>/dev/null")
  if not ok then error(r, 0) end
  return r.statements
end

-- valid UTF-8 (what a utf8 text column and JSON can hold)?
function M.utf8ok(s)
  if utf8 and utf8.len then return utf8.len(s) ~= nil and not s:find("\237[\160-\191]") end
  local i, n = 1, #s
  while i <= n do
    local c = s:byte(i)
    local len, lo
    if c < 0x80 then len = 1
    elseif c >= 0xC2 and c <= 0xDF then len = 2
    elseif c >= 0xE0 and c <= 0xEF then len = 3
    elseif c >= 0xF0 and c <= 0xF4 then len = 4
    else return false end
    for k = 1, len - 1 do
      local b = s:byte(i + k)
      if not b or b < 0x80 or b > 0xBF then return false end
    end
    if len == 3 then
      local b = s:byte(i + 1)
      if (c == 0xE0 and b < 0xA0) or (c == 0xED and b > 0x9F) then return false end
    elseif len == 4 then
      local b = s:byte(i + 1)
      if (c == 0xF0 and b < 0x90) or (c == 0xF4 and b > 0x8F) then return false end
    end
    i = i + len
  end
  return true
end

-- the number of UTF-8 characters of a valid string
function M.ulen(s)
  local _, n = s:gsub("[^\128-\191]", "")
  return n
end

-- the URL with its database path replaced by dbname
function M.withDatabase(url, dbname)
  local base, query = url:match("^([^?]*)(%??.*)$")
  base = base:gsub("/[^/]*$", "")
  return base .. "/" .. dbname .. query
end

-- append "<label> values N names M faults F" to $DZ_HOSTILE_COUNTS
function M.report(label, counts)
  local f = os.getenv("DZ_HOSTILE_COUNTS")
  if f and f ~= "" then
    local fh = io.open(f, "a")
    if fh then
      fh:write(("%s hostile values %d names %d faults %d\n"):format(label, counts.values, counts.names, counts.faults))
      fh:close()
    end
  end
end

return M
