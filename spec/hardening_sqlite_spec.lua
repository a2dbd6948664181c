-- Hardening against real SQLite (issue 5, items 4-6 and the GC part of 1):
--   * every string of spec/hostile_strings.lua as a value (text, blob, json
--     modes; bound, prepared, in an sql template) round-trips exactly, and
--     as table, column, alias and index name (DDL from drizzle.kit.generate)
--     the object is created, written and read by that name; a canary table
--     and the schema show that nothing beyond the intended statement ran;
--   * faults: transactions, savepoints, a db collected mid-transaction, a
--     closed db;
--   * the bad input catalog of every column mode: a clear error, nothing
--     written;
--   * memory only the GC frees is freed by a full collectgarbage().
-- DZ_HOSTILE_COUNTS=<file> appends "hostile values N names M" for the report.
local d = require("drizzle")
local sqlite = require("drizzle.sqlite")
local kit = require("drizzle.kit")
local core = require("drizzle.core")

local H = dofile("spec/hostile_strings.lua")
local IS54 = math.type ~= nil

local function raw(db, text) return db:run(d.sql.raw(text)) end
local function count(db, tbl) return db:get(d.sql.raw("select count(*) as n from " .. tbl)).n end

local function errOf(f, ...)
  local where = debug.traceback("", 2)
  local ok, e = pcall(f, ...)
  assert(not ok, "expected an error, got success at" .. where)
  if type(e) == "table" then return tostring(e.message or e) end
  return tostring(e)
end

local function tmpfile()
  local name = os.tmpname()
  os.remove(name)
  return name
end

-- the table injection attempts aim at (another one when a name is "canary")
local CANARY = "canary"
local function withCanary(db)
  raw(db, "create table " .. CANARY .. " (id integer primary key, note text)")
  raw(db, "insert into " .. CANARY .. " (note) values ('alive')")
end

-- the canary has its one row, and the schema holds exactly nObjects objects
local function assertIntact(db, nObjects, ctx)
  assert.are.equal(1, count(db, CANARY), ctx .. ": canary rows")
  assert.are.equal(nObjects, count(db, "sqlite_master"), ctx .. ": schema objects")
end

local function show(s)
  s = s:sub(1, 40):gsub("[%z\1-\31\127-\255]", function(c) return ("\\%d"):format(c:byte()) end)
  return s
end

local nValues, nNames = 0, 0

------------------------------------------------------------------- values

describe("hostile strings as values", function()
  local vals = sqlite.sqliteTable("vals", {
    id = sqlite.integer("id"):primaryKey(),
    t = sqlite.text("t"),
    b = sqlite.blob("b"),
    j = sqlite.text("j", { mode = "json" }),
    bj = sqlite.blob("bj", { mode = "json" }),
  })
  local db

  setup(function()
    db = sqlite.drizzle(":memory:")
    withCanary(db)
    raw(db, "create table vals (id integer primary key, t text, b blob, j text, bj blob)")
  end)
  teardown(function() db:close() end)

  it("round-trip exactly through insert/select, prepared statements and sql templates (" .. #H .. " strings)", function()
    local byT = db:select({ id = vals.id }):from(vals):where(d.eq(vals.t, d.sql.placeholder("t"))):prepare("byT")
    for i, h in ipairs(H) do
      local s = h.s
      local ctx = ("string %d (%s) %q"):format(i, h.tag, show(s))
      local jsonOk = h.tag ~= "utf8bad"
      local row = { id = i, t = s, b = s }
      if jsonOk then row.j = { v = s, [s] = 1 }; row.bj = { s } end
      db:insert(vals):values(row):run()
      local got = db:select():from(vals):where(d.eq(vals.id, i)):get()
      assert.are.equal(s, got.t, ctx .. ": text")
      assert.are.equal(s, got.b, ctx .. ": blob")
      if jsonOk then
        assert.are.same({ v = s, [s] = 1 }, got.j, ctx .. ": json")
        assert.are.same({ s }, got.bj, ctx .. ": blob json")
      else
        assert.matches("invalid UTF%-8", errOf(function() db:insert(vals):values({ j = { v = s } }):run() end), nil, false, ctx)
      end
      -- by value: a bound parameter, a prepared placeholder, an sql template
      local found = db:select({ id = vals.id }):from(vals):where(d.eq(vals.t, s)):all()
      assert.are.equal(i, found[#found].id, ctx .. ": where")
      assert.are.equal(i, byT:all({ t = s })[1].id, ctx .. ": prepared")
      local viaSql = db:get(d.sql("select ? as v, length(?) as n", s, s))
      assert.are.equal(s, viaSql.v == nil and "" or viaSql.v, ctx .. ": sql template")
      nValues = nValues + 1
    end
    assertIntact(db, 2, "after values")
    assert.are.equal(#H, count(db, "vals"))
  end)
end)

-------------------------------------------------------------------- names

-- What a name can be in SQLite through drizzle: NUL never (a clear error
-- before SQL); sqlite_* is reserved by SQLite (its QueryError); a ';' or ','
-- cannot be in an index name or indexed column name (drizzle-kit's snapshot
-- splits on them: a clear error from kit.generate).
local function tryName(s, ctx)
  CANARY = s:lower() == "canary" and "canary_other" or "canary"
  local db = sqlite.drizzle(":memory:")
  withCanary(db)
  local colName, idxName, aliasName = s, s .. "_i", s .. "_a"
  if s:find("%z") then
    local e = errOf(sqlite.sqliteTable, s, { id = sqlite.integer("id") })
    assert.matches('table name ".*" contains a NUL byte', e, nil, false, ctx)
    e = errOf(sqlite.sqliteTable, "t", { v = sqlite.text(s) })
    assert.matches('column name ".*" contains a NUL byte', e, nil, false, ctx)
    local t = sqlite.sqliteTable("t", { id = sqlite.integer("id") })
    e = errOf(sqlite.alias, t, s)
    assert.matches('table alias ".*" contains a NUL byte', e, nil, false, ctx)
    e = errOf(function() return db:select({ x = d.sql("?", d.sql.identifier(s)) }):from(t):toSQL() end)
    assert.matches('name ".*" contains a NUL byte', e, nil, false, ctx)
    e = errOf(function() return db:select({ x = d.sql("1"):as(s) }):from(t):toSQL() end)
    assert.matches('name ".*" contains a NUL byte', e, nil, false, ctx)
    assertIntact(db, 1, ctx)
    db:close()
    return
  end
  local withIndex = not s:find("[;,]")
  local tbl = sqlite.sqliteTable(s, {
    id = sqlite.integer("id"):primaryKey(),
    v = sqlite.text(colName),
  }, withIndex and function(t) return { sqlite.index(idxName):on(t.v) } end or nil)
  local dir = tmpfile()
  local ok, r = pcall(kit.generate, { dialect = "sqlite", schema = { t = tbl }, out = dir, quiet = true })
  os.execute("rm -rf '" .. dir .. "' 2>/dev/null")
  assert(ok, ctx .. ": kit.generate: " .. tostring(r))
  if not withIndex then
    local t2 = sqlite.sqliteTable("t2", { v = sqlite.text(colName) }, function(t) return { sqlite.index(idxName):on(t.v) } end)
    local dir2 = tmpfile()
    local e = errOf(kit.generate, { dialect = "sqlite", schema = { t2 = t2 }, out = dir2, quiet = true })
    os.execute("rm -rf '" .. dir2 .. "' 2>/dev/null")
    assert.matches("index .* contains '[;,]', which drizzle%-kit's snapshot format cannot hold", e, nil, false, ctx)
  end
  if s:lower():sub(1, 7) == "sqlite_" then
    local e = errOf(raw, db, r.statements[1])
    assert.matches("reserved", e, nil, false, ctx)
    assertIntact(db, 1, ctx)
    db:close()
    return
  end
  for _, st in ipairs(r.statements) do raw(db, st) end
  local nObj = 2 + (withIndex and 1 or 0)
  assertIntact(db, nObj, ctx .. " after DDL")
  db:insert(tbl):values({ { id = 1, v = s }, { id = 2, v = "other" } }):run()
  db:update(tbl):set({ v = s .. "!" }):where(d.eq(tbl.id, 2)):run()
  local a = sqlite.alias(tbl, aliasName)
  local rows = db:select({ id = a.id, val = a.v, named = d.sql("?", a.v):as(s) })
    :from(a):where(d.eq(a.v, s)):orderBy(a.id):all()
  assert.are.equal(1, #rows, ctx .. ": rows by alias")
  assert.are.equal(s, rows[1].val, ctx .. ": value by alias")
  assert.are.equal(s, rows[1].named, ctx .. ": field alias")
  local j = db:select({ x = tbl.v, y = a.v }):from(tbl):innerJoin(a, d.eq(a.id, tbl.id)):orderBy(tbl.id):all()
  assert.are.equal(2, #j, ctx .. ": self join through the alias")
  assert.are.equal(s .. "!", j[2].y)
  -- SQLite quirk: a column named true/false read through a subquery resolves
  -- to the TRUE/FALSE literal inside it ("no such column: true" outside)
  if s:lower() ~= "true" and s:lower() ~= "false" then
    local sq = db:select({ v = tbl.v }):from(tbl):as(aliasName .. "sq")
    assert.are.equal(2, #db:select():from(sq):all(), ctx .. ": subquery alias")
  end
  local viaId = db:all(d.sql("select ? from ?", d.sql.identifier(colName), d.sql.identifier(s)))
  assert.are.equal(2, #viaId, ctx .. ": sql.identifier")
  db:delete(tbl):where(d.eq(tbl.id, 2)):run()
  assert.are.equal(1, #db:select():from(tbl):all(), ctx .. ": after delete")
  assertIntact(db, nObj, ctx .. " at the end")
  db:close()
  nNames = nNames + 1
end

describe("hostile strings as names", function()
  it("table, column, alias, index names: created, written and read, nothing else ran (" .. #H .. " strings)", function()
    for i, h in ipairs(H) do
      local ctx = ("name %d (%s) %q"):format(i, h.tag, show(h.s))
      local ok, e = pcall(tryName, h.s, ctx)
      if not ok then error(ctx .. ": " .. tostring(e), 0) end
    end
    local f = os.getenv("DZ_HOSTILE_COUNTS")
    if f and f ~= "" then
      local fh = io.open(f, "a")
      if fh then fh:write(("hostile values %d names %d\n"):format(nValues, nNames)); fh:close() end
    end
  end)
end)

------------------------------------------------------------------- faults

describe("faults", function()
  local items = sqlite.sqliteTable("items", { id = sqlite.integer("id"):primaryKey(), v = sqlite.text("v") })
  local path, db, other

  before_each(function()
    path = tmpfile()
    db = sqlite.drizzle(path)
    raw(db, "create table items (id integer primary key, v text)")
    other = sqlite.drizzle(path)   -- a second connection to the same file
  end)
  after_each(function()
    pcall(db.close, db); pcall(other.close, other)
    os.remove(path); os.remove(path .. "-journal"); os.remove(path .. "-wal")
  end)

  it("an error inside db:transaction leaves nothing behind (seen from a second connection)", function()
    local e = errOf(db.transaction, db, function(tx)
      tx:insert(items):values({ { v = "a" }, { v = "b" } }):run()
      tx:update(items):set({ v = "c" }):run()
      error("boom")
    end)
    assert.matches("boom", e)
    assert.are.equal(0, count(other, "items"))
    -- and a failing statement inside (a constraint) rolls back the earlier ones
    db:insert(items):values({ id = 1, v = "kept" }):run()
    local qe = errOf(db.transaction, db, function(tx)
      tx:insert(items):values({ id = 2, v = "x" }):run()
      tx:insert(items):values({ id = 1, v = "dup" }):run()
    end)
    assert.matches("UNIQUE constraint failed", qe)
    assert.are.same({ { id = 1, v = "kept" } }, other:select():from(items):all())
  end)

  it("a nested savepoint rolled back keeps the outer work", function()
    db:transaction(function(tx)
      tx:insert(items):values({ id = 1, v = "outer" }):run()
      tx:transaction(function(sp)
        sp:insert(items):values({ id = 2, v = "inner" }):run()
        sp:rollback()
      end)
      pcall(tx.transaction, tx, function(sp)
        sp:insert(items):values({ id = 3, v = "inner error" }):run()
        error("inner boom")
      end)
      tx:insert(items):values({ id = 4, v = "after" }):run()
    end)
    assert.are.same({ { id = 1, v = "outer" }, { id = 4, v = "after" } },
      other:select():from(items):orderBy(items.id):all())
  end)

  it("a db collected with a transaction open rolls it back", function()
    local function openAndDrop()
      local db2 = sqlite.drizzle(path)
      raw(db2, "begin immediate")
      db2:insert(items):values({ id = 7, v = "uncommitted" }):run()
      local p = db2:select():from(items):prepare("p")
      assert.are.equal(1, #p:all())
      -- db2 and p go out of scope with the transaction open
    end
    openAndDrop()
    collectgarbage(); collectgarbage()
    assert.are.equal(0, count(other, "items"))
    -- the write lock is gone too: the other connection can write
    other:insert(items):values({ id = 8, v = "after" }):run()
    assert.are.equal(1, count(db, "items"))
  end)

  it("a closed db raises a clear error for every way of running", function()
    local p = db:select():from(items):prepare("p")
    db:close()
    local function expectClosed(f)
      local e = errOf(f)
      assert.matches("closed", e)
    end
    expectClosed(function() return db:select():from(items):all() end)
    expectClosed(function() return db:insert(items):values({ v = "x" }):run() end)
    expectClosed(function() return db:update(items):set({ v = "x" }):run() end)
    expectClosed(function() return db:delete(items):run() end)
    expectClosed(function() return db:run(d.sql("select 1")) end)
    expectClosed(function() return db:transaction(function() end) end)
    expectClosed(function() return p:all() end)
    db:close()                                    -- twice is fine
    assert.are.equal(0, count(other, "items"))
  end)
end)

------------------------------------------------------------ bad input catalog

describe("bad input catalog (every sqlite column mode)", function()
  local t = sqlite.sqliteTable("modes", {
    id = sqlite.integer("id"):primaryKey(),
    n = sqlite.integer("n"), b = sqlite.integer("b", { mode = "boolean" }),
    ts = sqlite.integer("ts", { mode = "timestamp" }), tms = sqlite.integer("tms", { mode = "timestamp_ms" }),
    tx = sqlite.text("tx"), tj = sqlite.text("tj", { mode = "json" }), r = sqlite.real("r"),
    ns = sqlite.numeric("ns"), nn = sqlite.numeric("nn", { mode = "number" }), nb = sqlite.numeric("nb", { mode = "bigint" }),
    bb = sqlite.blob("bb"), bj = sqlite.blob("bj", { mode = "json" }), bi = sqlite.blob("bi", { mode = "bigint" }),
  })
  local db
  before_each(function()
    db = sqlite.drizzle(":memory:")
    withCanary(db)
    raw(db, "create table modes (id integer primary key, n integer, b integer, ts integer, tms integer, tx text, tj text," ..
      " r real, ns numeric, nn numeric, nb numeric, bb blob, bj blob, bi blob)")
  end)
  after_each(function() db:close() end)

  -- each case: column, value, pattern of the message
  local nan, inf = 0 / 0, 1 / 0
  local CASES = {
    { "n", {}, "cannot bind a table" }, { "n", print, "cannot bind a function" },
    { "n", nan, "NaN or infinity" }, { "n", inf, "NaN or infinity" }, { "n", -inf, "NaN or infinity" },
    { "b", {}, "cannot bind a table" }, { "b", nan, "NaN or infinity" },
    { "ts", "x", "timestamp value must be a number" }, { "ts", nan, "timestamp value must be finite" },
    { "ts", inf, "timestamp value must be finite" }, { "ts", {}, "timestamp value must be a number" },
    { "tms", true, "timestamp_ms value must be a number" }, { "tms", -inf, "timestamp_ms value must be finite" },
    { "tx", {}, "cannot bind a table" }, { "tx", nan, "NaN or infinity" },
    { "tj", print, "cannot encode function as JSON" }, { "tj", nan, "cannot encode NaN or infinity as JSON" },
    { "tj", { a = inf }, "cannot encode NaN or infinity as JSON" }, { "tj", { "\255" }, "invalid UTF%-8" },
    { "tj", { [1] = 1, x = 2 }, "mixed or non%-string keys" },
    { "r", {}, "cannot bind a table" }, { "r", nan, "NaN or infinity" },
    { "ns", {}, "cannot bind a table" }, { "ns", inf, "NaN or infinity" },
    { "nb", "99999999999999999999", "bigint value must be an integer" }, { "nb", 2 ^ 70, "bigint value must be an integer" },
    { "nb", nan, "bigint value must be an integer" }, { "nb", 1.5, "bigint value must be an integer" },
    { "nb", "12abc", "bigint value must be an integer" },
    { "bb", {}, "cannot bind a table" }, { "bb", -inf, "NaN or infinity" },
    { "bj", print, "cannot encode function as JSON" }, { "bj", { "\192\128" }, "invalid UTF%-8" },
    { "bi", -2 ^ 64, "bigint value must be an integer" },
  }
  if IS54 then
    CASES[#CASES + 1] = { "nb", "9223372036854775808", "bigint value must be an integer" }
  end

  -- A blob in bigint mode holds what Drizzle's BigInt holds: integers beyond
  -- int64 given as decimal strings travel as their digits and read back as
  -- that exact string. (A numeric column cannot: SQLite's numeric affinity
  -- would store 1e20 as a REAL, so there they are refused above.)
  it("blob bigint mode keeps integers beyond int64 given as decimal strings, exactly", function()
    local big = { "99999999999999999999", "-99999999999999999999", "9223372036854775808" }
    for i, v in ipairs(big) do
      db:insert(t):values({ id = 10 + i, bi = v }):run()
      local row = db:select({ bi = t.bi }):from(t):where(d.eq(t.id, 10 + i)):get()
      assert.are.equal(v, row.bi)
    end
  end)

  it("wrong types, NaN/inf, integers beyond int64, bad JSON: a clear error and nothing written (" .. #CASES .. " cases)", function()
    for _, c in ipairs(CASES) do
      local ctx = ("column %s value %s"):format(c[1], tostring(c[2]))
      local e1 = errOf(function() db:insert(t):values({ id = 1, [c[1]] = c[2] }):run() end)
      assert.matches(c[3], e1, nil, false, ctx .. " (insert)")
      assert.matches('(column "modes"."' .. c[1] .. '")', e1, nil, true, ctx .. " (insert names the column)")
      local e2 = errOf(function() db:update(t):set({ [c[1]] = c[2] }):run() end)
      assert.matches(c[3], e2, nil, false, ctx .. " (update)")
      assert.matches('(column "modes"."' .. c[1] .. '")', e2, nil, true, ctx .. " (update names the column)")
      local e3 = errOf(function()
        db:insert(t):values({ { id = 2, tx = "fine" }, { id = 3, [c[1]] = c[2] } }):run()
      end)
      assert.matches(c[3], e3, nil, false, ctx .. " (second row)")
      assert.are.equal(0, count(db, "modes"), ctx .. ": nothing written")
    end
    assertIntact(db, 2, "catalog")
  end)

  it("unknown fields in insert and update values name the table and the field", function()
    assert.matches('insert into "modes": unknown field "nope"',
      errOf(function() db:insert(t):values({ id = 1, nope = 1 }):run() end))
    assert.matches('insert into "modes": unknown field "nope"',
      errOf(function() db:insert(t):values({ { id = 1 }, { id = 2, nope = 1 } }):run() end))
    assert.matches('update "modes": unknown field "nope"', errOf(function() db:update(t):set({ nope = 1 }):run() end))
    assert.are.equal(0, count(db, "modes"))
  end)

  it("builder methods called out of order or twice", function()
    assert.matches("select without from%(%)", errOf(function() return db:select():where(d.eq(t.id, 1)):all() end))
    assert.matches('update "modes": call :set', errOf(function() return db:update(t):where(d.eq(t.id, 1)):run() end))
    assert.matches('insert into "modes": call :values', errOf(function() return db:insert(t):run() end))
    assert.matches("where%(%) was already called", errOf(function()
      return db:select():from(t):where(d.eq(t.id, 1)):where(d.eq(t.id, 2))
    end))
    assert.matches("has 1 '%?' marks but 2 values", errOf(function() return d.sql("a ?", 1, 2) end))
    assert.are.equal(0, count(db, "modes"))
  end)

  it("invalid JSON stored by someone else: reading raises a clear error", function()
    raw(db, "insert into modes (id, tj) values (1, '{bad')")
    assert.matches("invalid JSON at position 1", errOf(function() return db:select():from(t):all() end))
    raw(db, "update modes set tj = null, bj = x'7bff7d' where id = 1")
    assert.matches("invalid", errOf(function() return db:select({ bj = t.bj }):from(t):all() end))
  end)
end)

------------------------------------------------------------------- memory

describe("memory only the GC frees", function()
  it("open/close dbs and prepare statements in a loop: a full collect returns to the baseline", function()
    local t = sqlite.sqliteTable("m", { id = sqlite.integer("id"):primaryKey(), v = sqlite.text("v") })
    local function round(closeIt)
      local db = sqlite.drizzle(":memory:")
      raw(db, "create table m (id integer primary key, v text)")
      db:insert(t):values({ { v = "a" }, { v = "b" } }):run()
      local p = db:select():from(t):where(d.eq(t.id, d.sql.placeholder("id"))):prepare("p")
      assert.are.equal("a", p:get({ id = 1 }).v)
      db:transaction(function(tx) tx:update(t):set({ v = "c" }):run() end)
      if closeIt then db:close() end
    end
    -- LuaJIT finalizes a userdata held only by another finalized one a
    -- cycle later: collect until the live count is stable
    local function full_gc()
      local n
      for _ = 1, 8 do
        collectgarbage()
        local m = core.debug_allocStats().live
        if m == n then return end
        n = m
      end
    end
    for _ = 1, 20 do round(true); round(false) end      -- warm caches (templates, names)
    full_gc()
    local kb0, live0 = collectgarbage("count"), core.debug_allocStats().live
    for i = 1, 200 do round(i % 2 == 0) end
    full_gc()
    assert.are.equal(live0, core.debug_allocStats().live, "core allocations live after a full collect")
    assert.is_true(collectgarbage("count") < kb0 + 64, ("Lua heap grew from %.0f KB to %.0f KB"):format(kb0, collectgarbage("count")))
  end)
end)
