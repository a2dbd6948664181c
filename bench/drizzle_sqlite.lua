-- bench/drizzle_sqlite.lua: the drizzle-c side of `make bench`, the same four
-- scenarios as the peer benchmark (/work/shared/peerbench/drizzle_c.lua) and
-- bench/raw_sqlite.c, written to the public Lua API.
--
--   insert_row_builder  tx:insert(users):values(row):run() per row, one transaction (timed once)
--   build_render        four builder shapes built and rendered with toSQL(), per query
--   prepared_get        a prepared select by primary key, :get({ id = ... })
--   read_all            db:select():from(users):all(), per row
--
-- Prints one JSON line of microseconds per operation. Environment:
--   ROWS=100000         rows inserted and read back
--   BENCH_ONLY=a,b      run only these scenarios (the table is filled anyway), for profiling
--   BENCH_REPEAT=n      repeat the timed loops of the selected scenarios n times (profiling)
local d = require("drizzle")
local sqlite = require("drizzle.sqlite")

local users = sqlite.sqliteTable("users", {
  id = sqlite.integer("id"):primaryKey(),
  name = sqlite.text("name"):notNull(),
  email = sqlite.text("email"):notNull(),
  age = sqlite.integer("age"),
  score = sqlite.real("score"),
  city = sqlite.text("city"),
  created = sqlite.integer("created"),
  active = sqlite.integer("active", { mode = "boolean" }),
})
local posts = sqlite.sqliteTable("posts", {
  id = sqlite.integer("id"):primaryKey(),
  userId = sqlite.integer("user_id"),
  title = sqlite.text("title"),
})

local N = tonumber(os.getenv("ROWS") or "100000")
local REPEAT = tonumber(os.getenv("BENCH_REPEAT") or "1")
local only = nil
if os.getenv("BENCH_ONLY") and os.getenv("BENCH_ONLY") ~= "" then
  only = {}
  for name in os.getenv("BENCH_ONLY"):gmatch("[^,%s]+") do only[name] = true end
end
local function selected(name) return only == nil or only[name] == true end

local db = sqlite.drizzle(":memory:")
db:run(d.sql("create table users (id integer primary key, name text not null, email text not null, "
  .. "age integer, score real, city text, created integer, active integer)"))
db:run(d.sql("create table posts (id integer primary key, user_id integer, title text)"))

local clock = os.clock
local result = {}
local notes = {}

-- best of 3 runs of n calls of fn(i), i = 0 .. n-1; microseconds per call
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

local function userRow(i)
  return {
    id = i, name = "name" .. i, email = "e" .. i .. "@x.io", age = i % 90, score = i * 0.5,
    city = "city" .. (i % 100), created = 1700000000 + i, active = i % 2 == 1,
  }
end

-- insert_row_builder: one builder per row inside one transaction, timed once
do
  local t0 = clock()
  db:transaction(function(tx)
    for i = 1, N do tx:insert(users):values(userRow(i)):run() end
  end)
  local us = (clock() - t0) * 1e6 / N
  if selected("insert_row_builder") then result.insert_row_builder = us end
end

-- build_render: the four query shapes, built and rendered (no database work)
if selected("build_render") then
  local function shapes(i)
    db:select({ id = users.id, name = users.name }):from(users)
      :where(d.and_(d.gt(users.age, i), d.like(users.name, "a%")))
      :orderBy(d.desc(users.id)):limit(10):toSQL()
    db:insert(users):values({ name = "n", email = "e", age = i }):returning({ id = users.id }):toSQL()
    db:update(users):set({ age = d.sql("? + 1", users.age) }):where(d.eq(users.id, i)):toSQL()
    db:select():from(users):leftJoin(posts, d.eq(posts.userId, users.id))
      :where(d.inArray(users.id, { 1, 2, 3 })):toSQL()
  end
  for _ = 1, REPEAT do result.build_render = bestOf3(20000, shapes) / 4 end
end

-- prepared_get: a prepared select by primary key
if selected("prepared_get") then
  local p = db:select():from(users):where(d.eq(users.id, d.sql.placeholder("id"))):prepare()
  local get
  local ok = pcall(function() return p.get end)
  if ok and p.get then
    get = function(ph) return p:get(ph) end
  else
    -- the Prepared object has no methods yet: time the binding's own call
    local core = require("drizzle.core")
    get = function(ph) return core.prepExec(p, "get", ph) end
    notes[#notes + 1] = "prepared_get: Prepared has no :get(); timed core.prepExec(p, 'get', ...)"
  end
  local probe = get({ id = 1 })
  assert(probe and probe.id == 1 and probe.name == "name1", "prepared_get returned a wrong row")
  for _ = 1, REPEAT do result.prepared_get = bestOf3(100000, function(i) get({ id = (i % N) + 1 }) end) end
end

-- read_all: every row of the table into Lua tables, per row
if selected("read_all") then
  local q = function() return db:select():from(users):all() end
  local rows = q()
  assert(#rows == N and rows[N].active == (N % 2 == 1), "read_all returned wrong rows")
  rows = nil -- luacheck: ignore
  for _ = 1, REPEAT do result.read_all = bestOf3(3, q) / N end
end

for _, note in ipairs(notes) do io.stderr:write("note: ", note, "\n") end
local keys = {}
for k in pairs(result) do keys[#keys + 1] = k end
table.sort(keys)
local parts = {}
for _, k in ipairs(keys) do parts[#parts + 1] = string.format("%q:%.4f", k, result[k]) end
print("{" .. table.concat(parts, ",") .. "}")
