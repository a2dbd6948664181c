-- drizzle.kit.journal: the migrations folder, as drizzle-kit lays it out.
--
--   <out>/<tag>.sql                the migration (tag = <prefix>_<name>)
--   <out>/meta/_journal.json       { version = "7", dialect, entries = { { idx, version, when, tag, breakpoints } } }
--   <out>/meta/<prefix>_snapshot.json
--
-- (drizzle-kit: prepareOutFolder / prepareMigrationMetadata / writeResult.)
local json = require("drizzle.kit.json")
local words = require("drizzle.kit.words")

local io, os, type, ipairs, pairs, tostring, error, pcall, require =
  io, os, type, ipairs, pairs, tostring, error, pcall, require
local floor, random, format, sort = math.floor, math.random, string.format, table.sort

local M = {}

M.JOURNAL_VERSION = "7"     -- snapshotVersion of drizzle-kit
M.BREAKPOINT = "--> statement-breakpoint\n"

local function fail(fmt, ...) error("drizzle.kit: " .. fmt:format(...), 0) end

------------------------------------------------------------ files

local lfs do
  local ok, m = pcall(require, "lfs")
  lfs = ok and m or nil
end

local function shellQuote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

function M.isDir(path)
  if lfs then return lfs.attributes(path, "mode") == "directory" end
  local ok = os.execute("test -d " .. shellQuote(path))
  return ok == true or ok == 0
end

function M.mkdirs(path)
  if M.isDir(path) then return end
  if lfs then
    local acc = path:sub(1, 1) == "/" and "/" or ""
    for part in path:gmatch("[^/]+") do
      acc = acc .. part
      if not M.isDir(acc) then
        local ok, err = lfs.mkdir(acc)
        if not ok and not M.isDir(acc) then fail("cannot create folder %s: %s", acc, tostring(err)) end
      end
      acc = acc .. "/"
    end
  else
    os.execute("mkdir -p " .. shellQuote(path))
    if not M.isDir(path) then fail("cannot create folder %s", path) end
  end
end

function M.list(path)
  local out = {}
  if lfs then
    for name in lfs.dir(path) do
      if name ~= "." and name ~= ".." then out[#out + 1] = name end
    end
  else
    local p = io.popen("ls -1A " .. shellQuote(path) .. " 2>/dev/null")
    for name in p:lines() do out[#out + 1] = name end
    p:close()
  end
  sort(out)
  return out
end

function M.read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

function M.write(path, text)
  local f, err = io.open(path, "wb")
  if not f then fail("cannot write %s: %s", path, tostring(err)) end
  f:write(text)
  f:close()
end

------------------------------------------------------------ ids, time, names

local seeded = false
local function seed()
  if seeded then return end
  seeded = true
  local s = os.time() + floor((os.clock() * 1e6) % 1e6)
  local addr = tostring({}):match("0x(%x+)")
  if addr then s = s + tonumber(addr:sub(-7), 16) end
  math.randomseed(s)
end

-- crypto.randomUUID(): a version 4 UUID.
function M.uuid()
  seed()
  local t = {}
  for i = 1, 16 do t[i] = random(0, 255) end
  t[7] = t[7] % 16 + 64            -- version 4
  t[9] = t[9] % 64 + 128           -- variant 10xx
  local h = {}
  for i = 1, 16 do h[i] = format("%02x", t[i]) end
  local s = table.concat(h)
  return s:sub(1, 8) .. "-" .. s:sub(9, 12) .. "-" .. s:sub(13, 16) .. "-" .. s:sub(17, 20) .. "-" .. s:sub(21, 32)
end

-- Date.now(): milliseconds since the epoch (whole seconds without luasocket).
function M.now()
  local ok, socket = pcall(require, "socket")
  if ok and type(socket) == "table" and socket.gettime then return floor(socket.gettime() * 1000) end
  return os.time() * 1000
end

-- prepareMigrationMetadata: the prefix and tag of migration number idx.
function M.tag(idx, prefixMode, name, nowMs)
  prefixMode = prefixMode or "index"
  local prefix
  if prefixMode == "index" then
    prefix = format("%04d", idx)
  elseif prefixMode == "timestamp" or prefixMode == "supabase" then
    prefix = os.date("!%Y%m%d%H%M%S", floor(nowMs / 1000))
  elseif prefixMode == "unix" then
    prefix = tostring(floor(nowMs / 1000))
  elseif prefixMode == "none" then
    prefix = ""
  else
    fail("unknown migrations prefix %q (index, timestamp, supabase, unix, none)", tostring(prefixMode))
  end
  if name == nil or name == "" then
    seed()
    name = words.adjectives[random(#words.adjectives)] .. "_" .. words.heroes[random(#words.heroes)]
  end
  return prefix, prefix .. "_" .. name
end

------------------------------------------------------------ journal

function M.dry(dialect)
  return json.obj("version", M.JOURNAL_VERSION, "dialect", dialect, "entries", {})
end

-- prepareOutFolder: creates <out>/meta and an empty journal if missing;
-- returns the journal and the snapshot paths (sorted).
function M.prepare(out, dialect)
  local meta = out .. "/meta"
  local journalPath = meta .. "/_journal.json"
  if not M.isDir(meta) then
    M.mkdirs(meta)
    M.write(journalPath, json.encode(M.dry(dialect)))
  end
  local text = M.read(journalPath)
  if not text then fail("%s is missing (the meta folder exists without a journal)", journalPath) end
  local ok, journal = pcall(json.decode, text)
  if not ok or type(journal) ~= "table" then fail("%s is not valid JSON: %s", journalPath, tostring(journal)) end
  if journal.dialect ~= nil and journal.dialect ~= dialect then
    fail("%s was written for dialect %q, not %q", journalPath, tostring(journal.dialect), dialect)
  end
  local snapshots = {}
  for _, name in ipairs(M.list(meta)) do
    if name:sub(1, 1) ~= "_" then snapshots[#snapshots + 1] = meta .. "/" .. name end
  end
  sort(snapshots)
  return journal, snapshots, journalPath
end

local ENTRY_KEYS = { "idx", "version", "when", "tag", "breakpoints" }

-- The journal in drizzle-kit's key order (entries rebuilt: decoding forgets order).
function M.ordered(journal)
  local entries = {}
  for i, e in ipairs(journal.entries or {}) do
    local o = json.obj()
    local known = {}
    for _, k in ipairs(ENTRY_KEYS) do known[k] = true; json.set(o, k, e[k]) end
    local extra = {}
    for k in pairs(e) do if not known[k] then extra[#extra + 1] = k end end
    sort(extra)
    for _, k in ipairs(extra) do json.set(o, k, e[k]) end
    entries[i] = o
  end
  local o = json.obj("version", journal.version or M.JOURNAL_VERSION, "dialect", journal.dialect, "entries", entries)
  for k, v in pairs(journal) do
    if k ~= "version" and k ~= "dialect" and k ~= "entries" then json.set(o, k, v) end
  end
  return o
end

return M
