-- bench/lua_floor_server.lua: raw C, the Lua C-API floor (bench/lua_floor_server.c)
-- and drizzle-c on the server scenarios, timed in ONE process, alternately.
--
--   DIALECT=pg|mysql URL=... lua bench/lua_floor_server.lua   -> one JSON line, microseconds
--
-- prepared_get: 5000 executions of a prepared select by primary key, us per get;
-- read_all: select * of the whole table into a list, us per row. The loops are
-- ../shared/peerbench/raw_server.c's (raw C, run in C inside the floor module)
-- and ../shared/peerbench/drizzle_c_server.lua's (drizzle-c).
--
-- Noise: this VM varies +-30% between runs, and separate processes differ in
-- heap state, so each of ROUNDS rounds (default 7) times every side once, in a
-- rotating order, and the best of each side is kept. A full collectgarbage()
-- comes before every timed section, so no side pays for another's garbage
-- (the peer bench does not do this; it flatters every Lua side the same way).
--
-- Keys: raw_*, floor_*, dc_* for prepared_get and read_all; and the variants
--   pg:    floor_prepared_get_bin     the floor's get with binary results (resultFormat 1)
--          floor_read_all_prep_text   read-all through a prepared statement, text results
--          floor_read_all_prep_bin    the same, binary results
--   mysql: floor_read_all_bin         read-all in the binary protocol, stored (as the
--                                     drizzle-c driver reads; floor_read_all is the text
--                                     protocol, as raw_server.c reads)
local F = require("lua_floor_server")
local dialect = os.getenv("DIALECT") or "pg"
local url = assert(os.getenv("URL"), "URL not set")
local N = tonumber(os.getenv("ROWS") or "100000")
local ROUNDS = tonumber(os.getenv("ROUNDS") or "7")
local GETS = 5000
local now = F.now

-- ------------------------------------------------------------ the three sides
local side = {}   -- side[name] = { get = fn(i) | nil, getLoop = fn() | nil, all = fn() -> nRows }

if dialect == "pg" then
  F.pgConnect((url:gsub("^postgres://", "postgresql://")))
  side.raw = { getLoop = function() F.rawPgGet(GETS, N) end, all = F.rawPgAll }
  side.floor = { get = F.pgGet, all = function() return #F.pgAll() end }
  side.floor_bin = { get = F.pgGetBin }
  side.floor_prep_text = { all = function() return #F.pgAllText() end }
  side.floor_prep_bin = { all = function() return #F.pgAllBin() end }
else
  local u, pw, h, port, db = url:match("^mysql://([^:]+):([^@]*)@([^:/]+):(%d+)/(.+)$")
  assert(u, "bad mysql url: " .. url)
  F.myConnect(h, tonumber(port), u, pw, db)
  side.raw = { getLoop = function() F.rawMyGet(GETS, N) end, all = F.rawMyAll }
  side.floor = { get = F.myGet, all = function() return #F.myAll() end }
  side.floor_bin = { all = function() return #F.myAllBin() end }
end

-- drizzle-c, as ../shared/peerbench/drizzle_c_server.lua uses it
do
  local d = require("drizzle")
  local m = require("drizzle." .. dialect)
  local int = m.integer or m.int
  local users = (m.pgTable or m.mysqlTable)("users", {
    id = int("id"):primaryKey(), name = m.text("name"):notNull(), email = m.text("email"):notNull(),
    age = int("age"), score = m.real("score"), city = m.text("city"),
    created = m.bigint("created", { mode = "number" }), active = m.boolean("active") })
  local db = m.drizzle(url)
  local p = db:select():from(users):where(d.eq(users.id, d.sql.placeholder("id"))):prepare("byid")
  side.dc = {
    get = function(ph) return p:execute(ph)[1] end,
    all = function() return #db:select():from(users):execute() end,
  }
end

-- The floor must hand back what drizzle-c hands back: same keys, values and Lua types.
do
  local a, b = side.floor.get({ id = 1 }), side.dc.get({ id = 1 })
  assert(a and b and a.id == 1 and a.name == "name1" and a.active == true, "floor: wrong row")
  for _, k in ipairs({ "id", "name", "email", "age", "score", "city", "created", "active" }) do
    local ta, tb = type(a[k]), type(b[k])
    if math.type then ta, tb = math.type(a[k]) or ta, math.type(b[k]) or tb end
    if ta ~= tb or a[k] ~= b[k] then
      io.stderr:write(("note: %s differs: floor %s (%s), drizzle-c %s (%s)\n"):format(k, tostring(a[k]), ta, tostring(b[k]), tb))
    end
  end
end

-- ------------------------------------------------------------------- timing
local best = {}
local function keep(key, us) if not best[key] or us < best[key] then best[key] = us end end

local function timeGet(name, s)
  if not (s.get or s.getLoop) then return end
  collectgarbage("collect")
  local t0 = now()
  if s.getLoop then
    s.getLoop()
  else
    local get = s.get
    for i = 0, GETS - 1 do get({ id = (i % N) + 1 }) end
  end
  keep(name .. "_prepared_get", (now() - t0) / GETS)
end

local function timeAll(name, s)
  if not s.all then return end
  collectgarbage("collect")
  local t0 = now()
  local n = s.all()
  local us = (now() - t0) / n
  assert(n == N, name .. ": read " .. n .. " rows, expected " .. N)
  keep(name .. "_read_all", us)
end

local order = {}
for name in pairs(side) do order[#order + 1] = name end
table.sort(order)
for r = 1, ROUNDS do
  for j = 1, #order do                       -- rotate the order each round
    local name = order[(j + r - 2) % #order + 1]
    timeGet(name, side[name])
    timeAll(name, side[name])
  end
end

-- floor_bin -> floor_prepared_get_bin etc.: name the variants after the floor
local out = {}
for k, v in pairs(best) do
  local variant, scen = k:match("^floor_(%a[%w_]-)_(prepared_get)$")
  if not variant then variant, scen = k:match("^floor_(%a[%w_]-)_(read_all)$") end
  if variant then out["floor_" .. scen .. "_" .. variant] = v else out[k] = v end
end
local keys = {}
for k in pairs(out) do keys[#keys + 1] = k end
table.sort(keys)
local parts = {}
for _, k in ipairs(keys) do parts[#parts + 1] = ('"%s":%.4f'):format(k, out[k]) end
print("{" .. table.concat(parts, ",") .. "}")
