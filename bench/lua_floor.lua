-- bench/lua_floor.lua: times bench/lua_floor.c (the Lua C-API floor, no
-- drizzle-c) and drizzle-c on prepared_get and read_all, in ONE process,
-- alternately, with the loops of bench/drizzle_sqlite.lua (os.clock; 100000
-- gets, one read of every row). Prints one JSON line: floor_* and dc_*.
--
-- Why one process, a full collection before each timed section and best of
-- ROUNDS (default 7) rather than best of 3 in separate processes: the GC, not
-- the binding, decides most of the spread. Measured on lua5.4 (2-core VM),
-- read_all of 100k rows:
--   * without a collection first, the same read takes 0.94 .. 1.9 us/row for
--     either side from one run to the next, depending on where the incremental
--     collector's cycle stands and how much of the previous read's 100k-row
--     list it still has to sweep; with the collector stopped, 1.12 .. 1.21;
--     with collectgarbage() before each read, 0.89 .. 1.0 (both sides);
--   * the first read in a fresh process also pays for growing the heap (page
--     faults on ~40 MB): +20..60%. drizzle_sqlite.lua's process has grown its
--     heap already (100k builder inserts come first); the old standalone floor
--     had not, which is how it once printed 3.05 us/row beside drizzle-c's 1.9.
local floor = require("lua_floor")
local d = require("drizzle")
local sqlite = require("drizzle.sqlite")
local N = tonumber(os.getenv("ROWS") or "100000")
local ROUNDS = tonumber(os.getenv("ROUNDS") or "7")
local GETS = 100000
floor.setup(N)

-- drizzle-c on its own database with the same rows (filled in SQL: the
-- builder's inserts are drizzle_sqlite.lua's business, not this file's)
local users = sqlite.sqliteTable("users", {
  id = sqlite.integer("id"):primaryKey(), name = sqlite.text("name"):notNull(),
  email = sqlite.text("email"):notNull(), age = sqlite.integer("age"), score = sqlite.real("score"),
  city = sqlite.text("city"), created = sqlite.integer("created"),
  active = sqlite.integer("active", { mode = "boolean" }),
})
local db = sqlite.drizzle(":memory:")
db:run(d.sql("create table users (id integer primary key, name text not null, email text not null, "
  .. "age integer, score real, city text, created integer, active integer)"))
db:run(d.sql("with recursive s(i) as (select 1 union all select i + 1 from s where i < " .. N .. ") "
  .. "insert into users select i, 'name' || i, 'e' || i || '@x.io', i % 90, i * 0.5, 'city' || (i % 100), "
  .. "1700000000 + i, i % 2 from s"))
local p = db:select():from(users):where(d.eq(users.id, d.sql.placeholder("id"))):prepare()

local side = {
  floor = { get = floor.get, all = floor.all },
  dc = { get = function(ph) return p:get(ph) end, all = function() return db:select():from(users):all() end },
}
do
  local a, b = side.floor.get({ id = 2 }), side.dc.get({ id = 2 })
  assert(a and a.id == 2 and a.name == "name2" and a.active == false, "lua_floor: wrong row")
  for k, v in pairs(b) do assert(a[k] == v, "lua_floor: floor and drizzle-c differ on " .. k) end
end

local clock = os.clock
local best = {}
local function keep(key, us) if not best[key] or us < best[key] then best[key] = us end end
for r = 1, ROUNDS do
  for _, name in ipairs(r % 2 == 1 and { "floor", "dc" } or { "dc", "floor" }) do
    local s = side[name]
    local get, all = s.get, s.all
    collectgarbage("collect")
    local t0 = clock()
    for i = 0, GETS - 1 do get({ id = (i % N) + 1 }) end
    keep(name .. "_prepared_get", (clock() - t0) * 1e6 / GETS)
    collectgarbage("collect")
    t0 = clock()
    local rows = all()
    keep(name .. "_read_all", (clock() - t0) * 1e6 / N)
    assert(#rows == N, name .. ": wrong row count")
    rows = nil -- luacheck: ignore
  end
end
print(string.format('{"dc_prepared_get":%.4f,"dc_read_all":%.4f,"floor_prepared_get":%.4f,"floor_read_all":%.4f}',
  best.dc_prepared_get, best.dc_read_all, best.floor_prepared_get, best.floor_read_all))
