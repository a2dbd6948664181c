-- bench/lua_floor.lua: times bench/lua_floor.c (the Lua C-API floor, no
-- drizzle-c) on prepared_get and read_all, exactly as bench/drizzle_sqlite.lua
-- times drizzle-c: os.clock, best of 3, the same loops. Prints one JSON line.
local floor = require("lua_floor")
local N = tonumber(os.getenv("ROWS") or "100000")
floor.setup(N)

local clock = os.clock
local function bestOf3(n, fn)
  local best = math.huge
  for _ = 1, 3 do
    local t0 = clock()
    for i = 0, n - 1 do fn(i) end
    local us = (clock() - t0) * 1e6 / n
    if us < best then best = us end
  end
  return best
end

local get, all = floor.get, floor.all
local probe = get({ id = 1 })
assert(probe and probe.id == 1 and probe.name == "name1" and probe.active == true, "lua_floor: wrong row")
local result = {
  prepared_get = bestOf3(100000, function(i) get({ id = (i % N) + 1 }) end),
  read_all = bestOf3(3, function() all() end) / N,
}
print(string.format('{"prepared_get":%.4f,"read_all":%.4f}', result.prepared_get, result.read_all))
