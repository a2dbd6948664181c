-- bench/drizzle_server.lua: drizzle-c's side of the server benchmarks
-- (bench/run_pg.sh, bench/run_mysql.sh): the peer benchmark's scenarios on the
-- users table those scripts load, through the public Lua API.
--   DIALECT=pg|mysql URL=... lua bench/drizzle_server.lua   -> one JSON line, microseconds
-- prepared_get: a prepared select by primary key (per execution);
-- read_all: select * of the whole table (per row);
-- insert_one / insert_batch (pg): 1000 inserts one at a time vs one db:batch (per row).
local d = require("drizzle")
local name = os.getenv("DIALECT") or "pg"
local m = require("drizzle." .. name)
local socket_ok, socket = pcall(require, "socket")
local function now() return socket_ok and socket.gettime() or os.clock() end

local int = m.integer or m.int
local tableFn = m.pgTable or m.mysqlTable
local users = tableFn("users", { id = int("id"):primaryKey(), name = m.text("name"):notNull(), email = m.text("email"):notNull(),
  age = int("age"), score = m.real("score"), city = m.text("city"), created = m.bigint("created", { mode = "number" }), active = m.boolean("active") })
local db = m.drizzle(os.getenv("URL"))
local n = db:count(users):execute()

local out = {}
local p = db:select():from(users):where(d.eq(users.id, d.sql.placeholder("id"))):prepare("byid")
local best = math.huge
for _ = 1, 3 do
  local s = now()
  for i = 0, 4999 do p:execute({ id = (i % n) + 1 }) end
  best = math.min(best, (now() - s) * 1e6 / 5000)
end
out.prepared_get = best

best = math.huge
for _ = 1, 3 do
  local s = now()
  local rows = db:select():from(users):execute()
  best = math.min(best, (now() - s) * 1e6 / #rows)
end
out.read_all = best

if name == "pg" then
  db:execute(d.sql("create temporary table bench_ins (id integer, name text, email text, age integer, score real)"))
  local ins = tableFn("bench_ins", { id = int("id"), name = m.text("name"), email = m.text("email"), age = int("age"), score = m.real("score") })
  local function row(i) return { id = i, name = "name" .. i, email = "e" .. i .. "@x.io", age = i % 90, score = i * 0.5 } end
  local s = now()
  for i = 1, 1000 do db:insert(ins):values(row(i)):execute() end
  out.insert_one = (now() - s) * 1e6 / 1000
  s = now()
  local qs = {}
  for i = 1, 1000 do qs[i] = db:insert(ins):values(row(i)) end
  db:batch(qs)
  out.insert_batch = (now() - s) * 1e6 / 1000
end

local keys = {}
for k in pairs(out) do keys[#keys + 1] = k end
table.sort(keys)
local parts = {}
for _, k in ipairs(keys) do parts[#parts + 1] = ('"%s":%.4f'):format(k, out[k]) end
print("{" .. table.concat(parts, ",") .. "}")
