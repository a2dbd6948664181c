-- Conformance: runs the shared corpus (../shared/conformance, next to the repo)
-- exactly as its README ("Running the query cases", "Comparison", "DDL") says.
--
-- Corpus location: $DZ_CONFORMANCE_DIR if set (e.g. a held-out set in the same
-- format), else <repo>/../shared/conformance, where <repo> is found from this
-- file's own path (not from the cwd).
--
-- Known failures: spec/conformance_pending.lua
--   return { sqlite = { ["case-id"] = "reason", ["ddl/<name>"] = "reason" }, pg = {...}, mysql = {...} }
-- A pending case still runs: a failure is reported as pending (skipped), a
-- pass fails the spec so the entry gets removed.

-- ------------------------------------------------------------ paths
local function dirname(p)
  return (p:gsub("[/\\]+$", ""):match("^(.*)[/\\][^/\\]*$")) or "."
end

local function this_file()
  local src = debug.getinfo(1, "S").source
  src = src:gsub("^@", "")
  if src:sub(1, 1) ~= "/" then
    local ok, lfs = pcall(require, "lfs")
    if ok and lfs.currentdir then src = lfs.currentdir() .. "/" .. src end
  end
  return (src:gsub("/%./", "/"))
end

local SPEC_DIR = dirname(this_file())
local ROOT = dirname(SPEC_DIR)
local CORPUS = os.getenv("DZ_CONFORMANCE_DIR")
if not CORPUS or CORPUS == "" then CORPUS = ROOT .. "/../shared/conformance" end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

local function is_dir(path)
  local ok, lfs = pcall(require, "lfs")
  if ok then return lfs.attributes(path, "mode") == "directory" end
  return exists(path .. "/README.md")
end

local function list_dir(path, suffix)
  local out = {}
  local ok, lfs = pcall(require, "lfs")
  if ok then
    if lfs.attributes(path, "mode") == "directory" then
      for name in lfs.dir(path) do
        if name:sub(-#suffix) == suffix then out[#out + 1] = name end
      end
    end
  else
    local p = io.popen('ls "' .. path .. '" 2>/dev/null')
    for name in p:lines() do
      if name:sub(-#suffix) == suffix then out[#out + 1] = name end
    end
    p:close()
  end
  table.sort(out)
  return out
end

local function make_tmpdir()
  local name = os.tmpname()
  os.remove(name)
  os.execute('mkdir -p "' .. name .. '"')
  return name
end

local function rm_rf(path)
  if path and path:match("^/tmp/") then os.execute('rm -rf "' .. path .. '"') end
end

-- ------------------------------------------------------------ values
local cjson = require("cjson")

local function is_null(v, d)
  return v == cjson.null or (d and d.NULL ~= nil and v == d.NULL)
end

local function field(v, k)
  local tv = type(v)
  if tv ~= "table" and tv ~= "userdata" then return nil end
  local ok, r = pcall(function() return v[k] end)
  if ok then return r end
  return nil
end

local function repr(v, d, depth)
  depth = depth or 0
  if v == nil then return "nil" end
  if is_null(v, d) then return "NULL" end
  local tv = type(v)
  if tv == "string" then return string.format("%q", v) end
  if tv == "number" then
    if math.type and math.type(v) == "integer" then return tostring(v) end
    if v == math.floor(v) and v > -1e15 and v < 1e15 then return string.format("%.0f", v) end
    local s = string.format("%.15g", v)
    if tonumber(s) ~= v then s = string.format("%.17g", v) end
    return s
  end
  if tv == "boolean" then return tostring(v) end
  if tv == "table" and getmetatable(v) == nil then
    if depth > 4 then return "{...}" end
    local parts, n = {}, #v
    for i = 1, n do parts[#parts + 1] = repr(v[i], d, depth + 1) end
    local keys = {}
    for k in pairs(v) do
      if not (type(k) == "number" and k >= 1 and k <= n and k == math.floor(k)) then keys[#keys + 1] = k end
    end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    for _, k in ipairs(keys) do parts[#parts + 1] = tostring(k) .. " = " .. repr(v[k], d, depth + 1) end
    return "{ " .. table.concat(parts, ", ") .. " }"
  end
  local name = field(v, "name")
  local ok, s = pcall(tostring, v)
  s = ok and s or tv
  if type(name) == "string" then return "<" .. s .. " name=" .. string.format("%q", name) .. ">" end
  return "<" .. s .. ">"
end

-- ISO 8601 UTC ("2024-01-01T00:00:00.000Z") -> seconds since the epoch.
local function iso_to_seconds(iso)
  local y, m, dd, hh, mi, ss, frac = iso:match("^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)%.?(%d*)Z$")
  assert(y, "bad ISO date in expected.json: " .. tostring(iso))
  y, m, dd = tonumber(y), tonumber(m), tonumber(dd)
  -- days from civil (Howard Hinnant)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = math.floor((153 * mp + 2) / 5) + dd - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  local days = era * 146097 + doe - 719468
  local secs = days * 86400 + tonumber(hh) * 3600 + tonumber(mi) * 60 + tonumber(ss)
  if frac ~= "" then secs = secs + tonumber("0." .. frac) end
  return secs
end

local HAS_INTEGERS = math.type ~= nil -- Lua 5.3+

-- Is the decimal string s exactly representable as a Lua number literal on this VM?
local function bigint_exact_here(s)
  if HAS_INTEGERS then return true end
  local n = tonumber(s)
  return n ~= nil and string.format("%.0f", n) == s
end

-- Compare one actual param with one decoded expected param; returns ok, why.
local function param_equal(actual, expected, d)
  if is_null(expected) then
    if is_null(actual, d) then return true end
    return false, "expected NULL (d.NULL)"
  end
  local te = type(expected)
  if te == "string" or te == "boolean" then
    if actual == expected then return true end
    return false, "expected " .. repr(expected, d)
  end
  if te == "number" then
    if type(actual) == "number" and actual == expected then return true end
    return false, "expected the number " .. repr(expected, d)
  end
  if te == "table" then
    if type(expected.placeholder) == "string" then
      local name = field(actual, "name")
      if type(actual) ~= "string" and name == expected.placeholder then return true end
      return false, "expected placeholder " .. string.format("%q", expected.placeholder)
    end
    if type(expected.bigint) == "string" then
      local s = expected.bigint
      if HAS_INTEGERS then
        local want = math.tointeger(tonumber(s))
        if type(actual) == "number" and math.type(actual) == "integer" and actual == want then return true end
        return false, "expected the Lua integer " .. s
      else
        if actual == s then return true end
        if type(actual) == "number" and string.format("%.0f", actual) == s then return true end
        return false, "expected bigint " .. s .. " (decimal string on 5.1/LuaJIT)"
      end
    end
    if type(expected.date) == "string" then
      local want = iso_to_seconds(expected.date)
      if type(actual) == "number" and math.abs(actual - want) < 0.0005 then return true end
      if actual == expected.date then return true end
      -- a MySQL datetime string (UTC) denotes an instant too: Drizzle hands
      -- mysql2 the Date, which writes it as such a string
      if type(actual) == "string" then
        local iso = actual:match("^(%d+%-%d+%-%d+ %d+:%d+:%d+%.?%d*)$")
        if iso and math.abs(iso_to_seconds(iso:gsub(" ", "T") .. "Z") - want) < 0.0005 then return true end
      end
      return false, "expected the instant " .. expected.date .. " (" .. string.format("%.3f", want) .. " s)"
    end
    -- any other JSON structure: deep equality
    if type(actual) ~= "table" then return false, "expected a table" end
    for k, v in pairs(expected) do
      local ok, why = param_equal(actual[k], v, d)
      if not ok then return false, "[" .. tostring(k) .. "] " .. why end
    end
    for k in pairs(actual) do
      if expected[k] == nil then return false, "unexpected key " .. tostring(k) end
    end
    return true
  end
  return false, "unsupported expected value " .. tostring(expected)
end

local function expected_needs_exact_bigint(exp)
  for _, p in ipairs(exp.params or {}) do
    if type(p) == "table" and type(p.bigint) == "string" and not bigint_exact_here(p.bigint) then
      return p.bigint
    end
  end
  return nil
end

local function compare(id, q, exp, d)
  local function fail(why)
    local lines = {
      "case " .. id .. ": " .. why,
      "  expected sql:    " .. tostring(exp.sql),
      "  actual sql:      " .. tostring(q and q.sql),
      "  expected params: " .. repr(exp.params, nil),
      "  actual params:   " .. repr(q and q.params, d),
    }
    return false, table.concat(lines, "\n")
  end
  if type(q) ~= "table" then return fail("toSQL() returned " .. type(q) .. ", not a table") end
  if q.sql ~= exp.sql then return fail("sql differs") end
  local ap, ep = q.params or {}, exp.params or {}
  if type(ap) ~= "table" then return fail("params is not a table") end
  if #ap ~= #ep then return fail(string.format("params: %d expected, %d given", #ep, #ap)) end
  for i = 1, #ep do
    local ok, why = param_equal(ap[i], ep[i], d)
    if not ok then return fail(string.format("param %d is %s; %s", i, repr(ap[i], d), why)) end
  end
  return true
end

local function traceback(e)
  if type(e) ~= "string" then
    local ok, s = pcall(tostring, e)
    e = ok and s or type(e)
  end
  -- keep the frames of the case, drop busted's own
  local tb = debug.traceback(e, 2)
  local cut = tb:find("\n%s*%[C%]: in function 'xpcall'")
  return cut and tb:sub(1, cut - 1) or tb
end

-- ------------------------------------------------------------ pending list
local PENDING = {}
do
  local path = SPEC_DIR .. "/conformance_pending.lua"
  if exists(path) then PENDING = assert(dofile(path)) end
end

-- ------------------------------------------------------------ the specs
local DIALECTS = {
  { name = "sqlite", kit = "sqlite" },
  { name = "pg", kit = "postgresql" },
  { name = "mysql", kit = "mysql" },
}

local function module_missing(err, modname)
  return type(err) == "string" and err:find("module '" .. modname .. "' not found", 1, true) ~= nil
end

describe("conformance", function()
  if not is_dir(CORPUS) then
    it("corpus", function()
      pending("conformance corpus not found at " .. CORPUS .. " (set DZ_CONFORMANCE_DIR): skipped")
    end)
    return
  end

  local report = {}

  for _, dia in ipairs(DIALECTS) do
    local name = dia.name
    local dir = CORPUS .. "/" .. name
    local plist = PENDING[name] or {}
    local stats = { queries = 0, queries_ok = 0, ddl = 0, ddl_ok = 0, pending = 0 }
    report[#report + 1] = { name = name, stats = stats }

    describe(name, function()
      if not is_dir(dir) then
        it("corpus", function() pending("no " .. dir .. ": skipped") end)
        return
      end

      local text = read_file(dir .. "/expected.json")
      if not text then error("cannot read " .. dir .. "/expected.json", 0) end
      local expected = cjson.decode(text)
      local cases_ok, cases = pcall(dofile, dir .. "/cases.lua")
      local ids, seen = {}, {}
      for id in pairs(expected) do ids[#ids + 1] = id; seen[id] = true end
      if cases_ok and type(cases) == "table" then
        for id in pairs(cases) do if not seen[id] then ids[#ids + 1] = id end end
      end
      table.sort(ids)
      local ddl_files = list_dir(dir .. "/ddl", ".lua")
      stats.queries, stats.ddl = #ids, #ddl_files

      -- Load the modules at definition time only to decide "not written yet".
      local d_ok, d = pcall(require, "drizzle")
      local m_ok, dialect = pcall(require, "drizzle." .. name)
      local missing_reason
      if not d_ok and module_missing(d, "drizzle") then
        missing_reason = "module drizzle not written yet"
      elseif d_ok and not m_ok and module_missing(dialect, "drizzle." .. name) then
        missing_reason = "module drizzle." .. name .. " not written yet"
      end

      -- Shared schema, loaded once (lazily) per dialect.
      local schema_state
      local function get_schema()
        if not schema_state then
          if not d_ok then schema_state = { false, "require('drizzle') failed: " .. tostring(d) }
          elseif not m_ok then schema_state = { false, "require('drizzle." .. name .. "') failed: " .. tostring(dialect) }
          else
            local ok, r = xpcall(function() return dofile(dir .. "/schema.lua")(d, dialect) end, traceback)
            schema_state = { ok, r }
          end
        end
        if not schema_state[1] then error("schema.lua failed: " .. tostring(schema_state[2]), 0) end
        return schema_state[2]
      end

      -- Runs check() (returns ok, message) under the pending rules.
      local function run_case(key, check, counter)
        local reason = plist[key]
        local ok, okres, msg = xpcall(check, traceback)
        if ok and okres == true then
          if reason then
            error("case " .. key .. " passes now: remove it from spec/conformance_pending.lua", 0)
          end
          stats[counter] = stats[counter] + 1
          return
        end
        local why = ok and msg or ("case " .. key .. " raised an error: " .. tostring(okres))
        if reason then
          stats.pending = stats.pending + 1
          local first = tostring(why):match("^[^\n]*") or ""
          pending("pending (" .. tostring(reason) .. "): " .. first)
          return
        end
        error(why, 0)
      end

      describe("queries", function()
        if not cases_ok then
          it("cases.lua loads", function() error("cannot load " .. dir .. "/cases.lua: " .. tostring(cases), 0) end)
          return
        end
        for _, id in ipairs(ids) do
          it(id, function()
            if missing_reason then
              stats.pending = stats.pending + 1
              pending(missing_reason)
              return
            end
            local exp = expected[id]
            local big = exp and expected_needs_exact_bigint(exp)
            if big then
              stats.pending = stats.pending + 1
              pending("bigint " .. big .. " cannot be an exact Lua literal on " .. _VERSION .. (jit and " (LuaJIT)" or "") .. " (README item 9)")
              return
            end
            run_case(id, function()
              if not exp then return false, "case " .. id .. " is in cases.lua but not in expected.json" end
              local c = cases[id]
              if c == nil then return false, "case " .. id .. " is in expected.json but not in cases.lua" end
              local s = get_schema()
              local build, options = c, {}
              if type(c) == "table" then build, options = c.build, c.options or {} end
              local opts = { schema = s, casing = options.casing }
              if name == "mysql" then opts.mode = "default" end
              local db = dialect.drizzle.mock(opts)
              local q = build(d, dialect, db, s):toSQL()
              return compare(id, q, exp, d)
            end, "queries_ok")
          end)
        end
      end)

      describe("ddl", function()
        local kit_ok, kit = pcall(require, "drizzle.kit")
        local kit_missing = (not kit_ok) and module_missing(kit, "drizzle.kit")
        for _, file in ipairs(ddl_files) do
          local base = file:gsub("%.lua$", "")
          local key = "ddl/" .. base
          it(key, function()
            if missing_reason or kit_missing then
              stats.pending = stats.pending + 1
              pending(missing_reason or "module drizzle.kit not written yet")
              return
            end
            run_case(key, function()
              if not kit_ok then error("require('drizzle.kit') failed: " .. tostring(kit), 0) end
              if not (d_ok and m_ok) then get_schema() end -- raises the load error
              local want = read_file(dir .. "/ddl/" .. base .. ".sql")
              if not want then return false, "missing " .. dir .. "/ddl/" .. base .. ".sql" end
              local imports = dofile(dir .. "/ddl/" .. file)(d, dialect)
              local tmp = make_tmpdir()
              local ok, r = pcall(kit.generate, { dialect = dia.kit, schema = imports, out = tmp, name = "x" })
              rm_rf(tmp)
              if not ok then error(r, 0) end
              local got = type(r) == "table" and r.sql or nil
              if got == want then return true end
              return false, "case " .. key .. ": generated sql differs\n--- expected:\n" .. want ..
                "\n--- actual:\n" .. tostring(got)
            end, "ddl_ok")
          end)
        end
      end)
    end)
  end

  teardown(function()
    io.stderr:write("\n")
    for _, r in ipairs(report) do
      local s = r.stats
      io.stderr:write(string.format("conformance %s: queries %d/%d, ddl %d/%d (pending %d)\n",
        r.name, s.queries_ok, s.queries, s.ddl_ok, s.ddl, s.pending))
    end
  end)
end)
