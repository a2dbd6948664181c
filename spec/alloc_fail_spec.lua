-- Allocation failure (issue 5, item 2): for a set of builds, renders and
-- SQLite queries, fail the Nth allocation for N = 1, 2, ... until the
-- operation succeeds with nothing injected. Every step must end in success
-- with the same result as a run without failures, or in a clean Lua error
-- that mentions memory; never a crash, and nothing the core allocated is
-- left once a full collectgarbage() ran (core.debug_allocStats().live).
--
-- Two kinds of failure:
--   core  the core's allocator hook (dz_set_allocator): arenas, render
--         buffers, params, the statement cache, prepared copies. One-shot:
--         the Nth fails, later ones succeed.
--   lua   the Lua state's allocator (Lua 5.2+): from the Nth on, every
--         growing allocation fails until the step ends (Lua retries a failed
--         allocation after an emergency collection, so one-shot would be
--         absorbed). This is the longjmp test: a Lua error raised in the
--         middle of the binding must not leak what the core holds.
-- SQLite's own allocations go through sqlite3_malloc and are not hooked.
--
-- DZ_ALLOC_FAIL_COUNTS=<file> appends "<kind> <op> <steps>" lines (the
-- counts of the closing report).
local d = require("drizzle")
local sqlite = require("drizzle.sqlite")
local core = require("drizzle.core")

local HAS_LUA_ALLOC = (_VERSION ~= "Lua 5.1") and not rawget(_G, "jit")
-- Under valgrind every step is ~50x slower: sample every kth N past 60.
local SLOW = os.getenv("DZ_VALGRIND") ~= nil

local function live() return core.debug_allocStats().live end

-- A full collection. LuaJIT finalizes a userdata reachable only from another
-- finalized one (a prepared statement's uservalue holds the connection) one
-- cycle later, so collect until the core's live count stops changing.
local function full_gc()
  local n
  for _ = 1, 8 do
    collectgarbage()
    local m = live()
    if m == n then return end
    n = m
  end
end

-- A plain-data picture of a result, so runs can be compared.
local function dump(v, seen)
  local t = type(v)
  if t == "table" then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    local out = {}
    for _, k in ipairs(keys) do out[#out + 1] = tostring(k) .. "=" .. dump(v[k]) end
    return "{" .. table.concat(out, ",") .. "}"
  elseif t == "userdata" then
    return v == d.NULL and "NULL" or "<ud>"
  end
  return t .. ":" .. tostring(v)
end

local stepCounts = {}

-- Run op with the Nth allocation failing, N = 1.. until a step succeeds with
-- nothing injected. Returns the number of steps.
local function failLoop(kind, name, op)
  full_gc()
  local base = live()
  local ref = dump(op())
  full_gc()
  assert.are.equal(base, live(), name .. ": the reference run left core allocations")
  local n, step, nErrors = 0, 1, 0
  while true do
    n = n + step
    if SLOW and n > 60 then step = 7 end
    full_gc()
    base = live()
    local failed, ok, res = core.debug_withFailAlloc(n, kind, op)
    local picture = ok and dump(res) or nil
    if not ok then
      local m = type(res) == "table" and (res.message or tostring(res)) or tostring(res)
      if not m:find("memory", 1, true) then
        error(("%s: %s allocation %d failing raised an error that does not mention memory: %s"):format(name, kind, n, m))
      end
      nErrors = nErrors + 1
    end
    res = nil
    full_gc()
    if live() ~= base then
      error(("%s: %s allocation %d failing left %d core allocations live"):format(name, kind, n, live() - base))
    end
    if ok then
      if picture ~= ref then
        error(("%s: %s allocation %d failed yet the operation succeeded with another result:\n%s\nexpected\n%s")
          :format(name, kind, n, picture, ref))
      end
      if failed == 0 then break end
    end
    if n > 100000 then error(name .. ": no success after 100000 steps") end
  end
  stepCounts[#stepCounts + 1] = ("%s %s %d"):format(kind, name, n)
  return n, nErrors
end

------------------------------------------------------------------ operations

local function schema()
  local users = sqlite.sqliteTable("users", {
    id = sqlite.integer("id"):primaryKey(),
    name = sqlite.text("name"):notNull(),
    age = sqlite.integer("age"),
    prefs = sqlite.text("prefs", { mode = "json" }),
  })
  local posts = sqlite.sqliteTable("posts", {
    id = sqlite.integer("id"):primaryKey(),
    authorId = sqlite.integer("author_id"),
    title = sqlite.text("title"):notNull(),
  })
  return users, posts
end

local function renders()
  local users, posts = schema()
  local db = sqlite.drizzle.mock()
  local out = {}
  local p = sqlite.alias(posts, "p")
  out[1] = db:select({ id = users.id, title = p.title, n = d.sql("length(?) + ?", users.name, 1) })
    :from(users):leftJoin(p, d.eq(p.authorId, users.id))
    :where(d.and_(d.gt(users.age, 18), d.like(users.name, "a%"), d.inArray(users.id, { 1, 2, 3 })))
    :orderBy(d.desc(users.id)):limit(10):offset(2):toSQL()
  local rows = {}
  for i = 1, 40 do rows[i] = { name = "user" .. i, age = i, prefs = { i = i, tags = { "a", "b" } } } end
  out[2] = db:insert(users):values(rows):returning({ id = users.id })
    :onConflictDoUpdate({ target = users.id, set = { name = "x" } }):toSQL()
  out[3] = db:update(users):set({ name = "bob", age = d.sql("? + 1", users.age) })
    :where(d.eq(users.id, 7)):returning():toSQL()
  out[4] = db:delete(posts):where(d.or_(d.isNull(posts.authorId), d.eq(posts.title, "t"))):toSQL()
  out[5] = sqlite.union(db:select({ id = users.id }):from(users), db:select({ id = posts.id }):from(posts)):toSQL()
  local sq = db:select({ id = users.id }):from(users):where(d.eq(users.age, 3)):as("sq")
  out[6] = db:select():from(sq):toSQL()
  -- names longer than an arena block: every string is an allocation of its own
  local long = sqlite.sqliteTable(("t"):rep(5000), {
    [("k"):rep(3000)] = sqlite.text(("c"):rep(6000)),
    id = sqlite.integer("id"),
  })
  local la = sqlite.alias(long, ("a"):rep(9000))
  out[7] = db:select():from(la):where(d.eq(la.id, 1)):toSQL()
  out[8] = db:insert(long):values({ id = 1 }):toSQL()
  return out
end

local function queries()
  local users, posts = schema()
  local db = sqlite.drizzle(":memory:")
  db:run(d.sql.raw("create table users (id integer primary key, name text not null, age integer, prefs text)"))
  db:run(d.sql.raw("create table posts (id integer primary key, author_id integer, title text not null)"))
  local out = {}
  local rows = {}
  for i = 1, 30 do rows[i] = { name = "user" .. i, age = i % 7, prefs = { i = i } } end
  out.ins = db:insert(users):values(rows):returning({ id = users.id, prefs = users.prefs }):all()
  db:insert(posts):values({ { authorId = 1, title = "a" }, { authorId = 2, title = "b" }, { title = "c" } }):run()
  out.join = db:select({ id = users.id, name = users.name, title = posts.title })
    :from(users):innerJoin(posts, d.eq(posts.authorId, users.id))
    :where(d.and_(d.lt(users.id, 10), d.ne(users.name, "zz"))):orderBy(users.id):all()
  out.upd = db:update(users):set({ age = 99 }):where(d.gt(users.id, 25)):returning({ id = users.id }):all()
  out.del = db:delete(posts):where(d.isNull(posts.authorId)):run().rowsAffected
  local byId = db:select():from(users):where(d.eq(users.id, d.sql.placeholder("id"))):prepare("byId")
  out.prep = { byId:get({ id = 3 }), byId:get({ id = 4 }) }
  out.tx = pcall(db.transaction, db, function(tx)
    tx:insert(posts):values({ title = "in tx" }):run()
    tx:transaction(function(sp)
      sp:insert(posts):values({ title = "sp" }):run()
      sp:rollback()
    end)
    error("boom")
  end)
  db:transaction(function(tx) tx:insert(posts):values({ title = "kept" }):run() end)
  out.count = db:select({ n = d.count() }):from(posts):get()
  db:close()
  return out
end

local function ddlAndKit()
  local users = sqlite.sqliteTable("users", {
    id = sqlite.integer("id"):primaryKey({ autoIncrement = true }),
    email = sqlite.text("email"):notNull():unique(),
    at = sqlite.integer("at", { mode = "timestamp" }),
  }, function(t) return { sqlite.index("by_at"):on(t.at) } end)
  return require("drizzle.kit").tables({ users = users }, "sqlite") and true
end

------------------------------------------------------------------ specs

describe("allocation failure", function()
  local report = os.getenv("DZ_ALLOC_FAIL_COUNTS")

  teardown(function()
    core.debug_failAlloc(0)
    if report and report ~= "" then
      local f = io.open(report, "a")
      if f then f:write(table.concat(stepCounts, "\n"), "\n"); f:close() end
    end
  end)

  it("the counting allocator sees core allocations and a full collect frees them", function()
    full_gc()
    local base = live()
    local users = schema()
    local db = sqlite.drizzle(":memory:")
    db:run(d.sql.raw("create table users (id integer primary key, name text not null, age integer, prefs text)"))
    db:insert(users):values({ { name = "a" } }):run()
    assert.is_true(live() > base)
    db:close()
    db, users = nil, nil
    full_gc()
    assert.are.equal(base, live())
  end)

  it("core: renders of select/insert/update/delete/setop/subquery", function()
    local n, nErr = failLoop("core", "renders", renders)
    assert.is_true(n > 1 and nErr > 0)
  end)

  it("core: sqlite queries (joins, insert returning, update, delete, prepared, transaction)", function()
    local n, nErr = failLoop("core", "queries", queries)
    assert.is_true(n > 1 and nErr > 0)
  end)

  it("core: tables and the DDL description", function()
    failLoop("core", "kit.tables", ddlAndKit)
  end)

  if HAS_LUA_ALLOC then
    it("lua: renders", function()
      local n = failLoop("lua", "renders", renders)
      assert.is_true(n > 50)
    end)
    it("lua: sqlite queries", function()
      local n = failLoop("lua", "queries", queries)
      assert.is_true(n > 50)
    end)
  else
    pending("lua allocation failures need Lua 5.2+ (lua_setallocf)")
  end
end)
