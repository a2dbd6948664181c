-- Hardening against a real PostgreSQL server (issue 5, items 4-6):
--   * every string of spec/hostile_strings.lua as a value (text, bytea, json,
--     jsonb; bound, prepared, in an sql template) round-trips exactly, or,
--     when PostgreSQL cannot store it (NUL in text/jsonb, invalid UTF-8 in
--     text), raises a clear error and stores nothing;
--   * as table, column, alias, index and schema name (DDL from
--     drizzle.kit.generate): the object is created, written and read by that
--     name; a canary table and the catalog show nothing else ran.
--     Names longer than 63 bytes: PostgreSQL truncates every identifier to
--     63 bytes (NAMEDATALEN - 1, at a character boundary) when it creates
--     and when it looks up an object, as it does for Drizzle. drizzle-c
--     passes the name through unchanged; the spec asserts the catalog holds
--     the truncated name and that the object works by its full name;
--   * faults: transactions, savepoints, pg_terminate_backend mid-transaction
--     and outside one (reconnect, prepared statements again), a db collected
--     with a transaction open, a closed db;
--   * the bad input catalog of every column mode of drizzle.pg.
-- Runs in its own database (dz_hardening_pg), created and dropped here.
-- DZ_PG_URL names the server; without it this spec is pending.
local d = require("drizzle")
local pg = require("drizzle.pg")
local core = require("drizzle.core")
local HH = dofile("spec/helpers/hardening.lua")

local URL = os.getenv("DZ_PG_URL")
if not URL then
  describe("pg hardening", function()
    pending("DZ_PG_URL not set: run under scripts/with_servers.sh (make test does)")
  end)
  return
end

local H, errOf, show = HH.H, HH.errOf, HH.show
local IS54 = math.type ~= nil
local DBNAME = "dz_hardening_pg"
local counts = { values = 0, names = 0, faults = 0 }

local function raw(db, text) return db:execute(d.sql.raw(text)) end
local function count(db, tbl) return tonumber(db:get(d.sql.raw("select count(*) as n from " .. tbl)).n) end
local function connect() return pg.drizzle(HH.withDatabase(URL, DBNAME)) end

-- the canary: injections aim at it; it keeps its one row throughout
local function withCanary(db)
  raw(db, "create table if not exists canary (id integer primary key, note text)")
  raw(db, "insert into canary values (1, 'alive') on conflict do nothing")
end

-- user relations (tables, indexes, sequences) and schemas of the database
local OBJECTS = "(select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace" ..
  " where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')) o"
local SCHEMAS = "(select nspname from pg_namespace where nspname not like 'pg\\_%' and nspname <> 'information_schema') s"
local function snapshot(db) return { count(db, OBJECTS), count(db, SCHEMAS) } end
local CANARY = "canary"
local function assertIntact(db, want, ctx)
  assert.are.equal(1, count(db, CANARY), ctx .. ": canary rows")
  assert.are.same(want, snapshot(db), ctx .. ": catalog (relations, schemas)")
end

local admin
setup(function()
  admin = pg.drizzle(URL)
  raw(admin, "drop database if exists " .. DBNAME .. " with (force)")
  raw(admin, "create database " .. DBNAME)
end)
teardown(function()
  raw(admin, "drop database if exists " .. DBNAME .. " with (force)")
  admin:close()
  HH.report("pg", counts)
end)

------------------------------------------------------------------- values

describe("pg: hostile strings as values", function()
  local vals = pg.pgTable("vals", {
    id = pg.integer("id"):primaryKey(),
    t = pg.text("t"), b = pg.bytea("b"), j = pg.json("j"), jb = pg.jsonb("jb"),
  })
  local db
  setup(function()
    db = connect()
    withCanary(db)
    raw(db, "create table vals (id integer primary key, t text, b bytea, j json, jb jsonb)")
  end)
  teardown(function() db:close() end)

  it("round-trip exactly, or a clear error and nothing stored (" .. #H .. " strings)", function()
    local base = snapshot(db)
    local byT = db:select({ id = vals.id }):from(vals):where(d.eq(vals.t, d.sql.placeholder("t"))):prepare("byT")
    local byB = db:select({ id = vals.id }):from(vals):where(d.eq(vals.b, d.sql.placeholder("b"))):prepare("byB")
    for i, h in ipairs(H) do
      local s = h.s
      local ctx = ("string %d (%s) %q"):format(i, h.tag, show(s))
      local utf8ok, hasNul = HH.utf8ok(s), s:find("%z") ~= nil
      local textOk = utf8ok and not hasNul
      local row = { id = i, b = s }
      if textOk then row.t = s; row.jb = { s } end
      if utf8ok then row.j = { v = s, [s] = 1 } end
      db:insert(vals):values(row):run()
      local got = db:select():from(vals):where(d.eq(vals.id, i)):get()
      assert.are.equal(s, got.b, ctx .. ": bytea")
      if textOk then
        assert.are.equal(s, got.t, ctx .. ": text")
        assert.are.same({ s }, got.jb, ctx .. ": jsonb")
      end
      if utf8ok then assert.are.same({ v = s, [s] = 1 }, got.j, ctx .. ": json") end
      -- what PostgreSQL cannot store: a clear error, nothing written
      local n0 = count(db, "vals")
      if hasNul then
        local e, qe = errOf(function() db:insert(vals):values({ id = -i, t = s }):run() end)
        assert.matches('invalid byte sequence for encoding "UTF8": 0x00 %(parameter 2; bind binary data as a blob%)', e, nil, false, ctx)
        assert.is_true(HH.isQueryError(qe), ctx .. ": a QueryError")
        assert.are.equal("22021", qe.sqlstate, ctx)
        e = errOf(function() db:update(vals):set({ t = s }):where(d.eq(vals.id, i)):run() end)
        assert.matches("0x00", e, nil, false, ctx)
        e = errOf(function() return byT:all({ t = s }) end)
        assert.matches("0x00", e, nil, false, ctx)
        if utf8ok then
          e = errOf(function() db:insert(vals):values({ id = -i, jb = { s } }):run() end)
          assert.matches("unsupported Unicode escape sequence", e, nil, false, ctx)
        end
      end
      if not utf8ok then
        local e, qe = errOf(function() db:insert(vals):values({ id = -i, t = s }):run() end)
        if not hasNul then
          assert.matches('invalid byte sequence for encoding "UTF8"', e, nil, false, ctx)
          assert.are.equal("22021", qe.sqlstate, ctx)
        end
        e = errOf(function() db:insert(vals):values({ id = -i, j = { s } }):run() end)
        assert.matches("invalid UTF%-8", e, nil, false, ctx)
        e = errOf(function() db:insert(vals):values({ id = -i, jb = { v = s } }):run() end)
        assert.matches("invalid UTF%-8", e, nil, false, ctx)
      end
      assert.are.equal(n0, count(db, "vals"), ctx .. ": nothing written by the refused statements")
      assert.is_nil(db:select():from(vals):where(d.eq(vals.t, "never")):get())
      -- by value: a bound parameter, a prepared placeholder, an sql template
      if textOk then
        local found = db:select({ id = vals.id }):from(vals):where(d.eq(vals.t, s)):all()
        assert.are.equal(i, found[#found].id, ctx .. ": where text")
        assert.are.equal(i, byT:all({ t = s })[1].id, ctx .. ": prepared text")
        local viaSql = db:get(d.sql("select ? as v, length(?) as n", s, s))
        assert.are.equal(s, viaSql.v, ctx .. ": sql template")
      end
      local foundB = db:select({ id = vals.id }):from(vals):where(d.eq(vals.b, s)):all()
      assert.are.equal(i, foundB[#foundB].id, ctx .. ": where bytea")
      local pb = byB:all({ b = s })
      assert.are.equal(i, pb[#pb].id, ctx .. ": prepared bytea")
      counts.values = counts.values + 1
    end
    assertIntact(db, base, "after values")
    assert.are.equal(#H, count(db, "vals"))
  end)
end)

-------------------------------------------------------------------- names

-- PostgreSQL's truncation of an identifier: at most 63 bytes, whole characters
local function pgTruncated(s)
  if #s <= 63 then return s end
  local n = 63
  while n > 0 and s:byte(n + 1) and s:byte(n + 1) >= 0x80 and s:byte(n + 1) < 0xC0 do n = n - 1 end
  return s:sub(1, n)
end

-- Why PostgreSQL refuses s as a name (nil: it takes it)
local function refusal(s)
  if s == "" then return "zero%-length delimited identifier" end
  if not HH.utf8ok(s) then return 'invalid byte sequence for encoding "UTF8"' end
  return nil
end

local function tryName(db, s, ctx)
  if s == "canary" and CANARY == "canary" then
    -- the canary's own name: the other canary watches while it is away
    assert.are.equal(1, count(db, "canary"), ctx)
    raw(db, "drop table canary")
    CANARY = "canary_other"
    local ok, e = pcall(tryName, db, s, ctx)
    CANARY = "canary"
    withCanary(db)
    if not ok then error(e, 0) end
    return
  end
  local colName, idxName, aliasName = s, "i_" .. s, "a_" .. s
  if s:find("%z") then
    local e = errOf(pg.pgTable, s, { id = pg.integer("id") })
    assert.matches('table name ".*" contains a NUL byte', e, nil, false, ctx)
    e = errOf(pg.pgTable, "t", { v = pg.text(s) })
    assert.matches('column name ".*" contains a NUL byte', e, nil, false, ctx)
    e = errOf(function() return pg.pgSchema(s):table("t", { id = pg.integer("id") }) end)
    assert.matches('schema name ".*" contains a NUL byte', e, nil, false, ctx)
    local t = pg.pgTable("t", { id = pg.integer("id") })
    e = errOf(pg.alias, t, s)
    assert.matches('table alias ".*" contains a NUL byte', e, nil, false, ctx)
    e = errOf(function() return db:select({ x = d.sql("?", d.sql.identifier(s)) }):from(t):toSQL() end)
    assert.matches('name ".*" contains a NUL byte', e, nil, false, ctx)
    e = errOf(function() return db:select({ x = d.sql("1"):as(s) }):from(t):toSQL() end)
    assert.matches('name ".*" contains a NUL byte', e, nil, false, ctx)
    return
  end
  local base = snapshot(db)
  local tbl = pg.pgTable(s, {
    id = pg.integer("id"):primaryKey(),
    v = pg.text(colName),
  }, function(t) return { pg.index(idxName):on(t.v) } end)
  local schemaObj, inSchema
  if s == "public" then
    assert.matches("You can't specify 'public' as schema name", errOf(pg.pgSchema, s))
  else
    schemaObj = pg.pgSchema(s)
    inSchema = schemaObj:table("t", { id = pg.integer("id"):primaryKey(), v = pg.text(colName) })
  end
  local stmts = HH.kitStatements("postgresql", { t = tbl, sch = schemaObj, t2 = inSchema })
  local why = refusal(s)
  if why then
    -- the first statement naming it fails with the server's error; nothing else ran
    local e, qe = errOf(function() for _, st in ipairs(stmts) do raw(db, st) end end)
    assert.matches(why, e, nil, false, ctx)
    assert.is_true(HH.isQueryError(qe), ctx .. ": a QueryError")
    assertIntact(db, base, ctx .. " after the refused DDL")
    return
  end
  for _, st in ipairs(stmts) do raw(db, st) end
  -- table (+ pkey index) + index [+ table + pkey in the schema], and the schema
  local want = { base[1] + 3 + (inSchema and 2 or 0), base[2] + (inSchema and 1 or 0) }
  assertIntact(db, want, ctx .. " after DDL")
  -- the catalog holds the name PostgreSQL made of it
  local names = db:all(d.sql("select relname from pg_class where relname = ?", pgTruncated(s)))
  assert.are.equal((inSchema and s == "t") and 2 or 1, #names, ctx .. ": catalog name")
  local cols = db:all(d.sql("select attname from pg_attribute where attrelid = ?::regclass and attname = ?",
    '"' .. (pgTruncated(s):gsub('"', '""')) .. '"', pgTruncated(colName)))
  assert.are.equal(1, #cols, ctx .. ": column in the catalog")
  db:insert(tbl):values({ { id = 1, v = s }, { id = 2, v = "other" } }):run()
  db:update(tbl):set({ v = s .. "!" }):where(d.eq(tbl.id, 2)):run()
  local ret = db:insert(tbl):values({ id = 3, v = "three" }):returning():all()
  assert.are.same({ { id = 3, v = "three" } }, ret, ctx .. ": returning")
  local a = pg.alias(tbl, aliasName)
  local rows = db:select({ id = a.id, val = a.v, named = d.sql("?::text", a.v):as(s) })
    :from(a):where(d.eq(a.v, s)):orderBy(a.id):all()
  assert.are.equal(1, #rows, ctx .. ": rows by alias")
  assert.are.equal(s, rows[1].val, ctx .. ": value by alias")
  assert.are.equal(s, rows[1].named, ctx .. ": field alias")
  local j = db:select({ x = tbl.v, y = a.v }):from(tbl):innerJoin(a, d.eq(a.id, tbl.id)):orderBy(tbl.id):all()
  assert.are.equal(3, #j, ctx .. ": self join through the alias")
  assert.are.equal(s .. "!", j[2].y)
  local sq = db:select({ v = tbl.v }):from(tbl):as("sq_" .. s)
  assert.are.equal(3, #db:select():from(sq):all(), ctx .. ": subquery alias")
  local viaId = db:all(d.sql("select ? from ?", d.sql.identifier(colName), d.sql.identifier(s)))
  assert.are.equal(3, #viaId, ctx .. ": sql.identifier")
  if inSchema then
    db:insert(inSchema):values({ id = 1, v = s }):run()
    local r2 = db:select():from(inSchema):where(d.eq(inSchema.v, s)):all()
    assert.are.same({ { id = 1, v = s } }, r2, ctx .. ": table in the schema")
    db:update(inSchema):set({ v = "x" }):run()
    db:delete(inSchema):run()
  end
  db:delete(tbl):where(d.eq(tbl.id, 2)):run()
  assert.are.equal(2, #db:select():from(tbl):all(), ctx .. ": after delete")
  assertIntact(db, want, ctx .. " at the end")
  db:execute(d.sql("drop table ?", tbl))
  if inSchema then db:execute(d.sql("drop schema ? cascade", d.sql.identifier(s))) end
  assertIntact(db, base, ctx .. " after drop")
  counts.names = counts.names + 1
end

describe("pg: hostile strings as names", function()
  it("table, column, alias, index, schema names: created, written and read, nothing else ran (" .. #H .. " strings)", function()
    local db = connect()
    withCanary(db)
    raw(db, "create table if not exists canary_other (id integer)")
    raw(db, "insert into canary_other values (1)")
    for i, h in ipairs(H) do
      local ctx = ("name %d (%s) %q"):format(i, h.tag, show(h.s))
      local ok, e = pcall(tryName, db, h.s, ctx)
      if not ok then error(ctx .. ": " .. tostring(type(e) == "table" and e.message or e), 0) end
    end
    -- two names sharing their first 63 bytes are one object to PostgreSQL
    local long1, long2 = ("n"):rep(63) .. "1", ("n"):rep(63) .. "2"
    raw(db, 'create table "' .. long1 .. '" (id integer)')
    local e = errOf(raw, db, 'create table "' .. long2 .. '" (id integer)')
    assert.matches("already exists", e)
    local t2 = pg.pgTable(long2, { id = pg.integer("id") })
    db:insert(t2):values({ id = 5 }):run()
    assert.are.same({ { id = 5 } }, db:select():from(pg.pgTable(long1, { id = pg.integer("id") })):all())
    db:close()
  end)
end)

------------------------------------------------------------------- faults

describe("pg: faults", function()
  local items = pg.pgTable("items", { id = pg.integer("id"):primaryKey(), v = pg.text("v") })
  local db, other

  before_each(function()
    db = connect()
    other = connect()   -- a second connection: what others see
    raw(db, "drop table if exists items")
    raw(db, "create table items (id integer primary key, v text)")
  end)
  after_each(function() pcall(db.close, db); pcall(other.close, other) end)

  local function pid(conn) return tonumber(conn:get(d.sql("select pg_backend_pid() as pid")).pid) end
  local function terminate(p)
    assert.is_true(other:get(d.sql("select pg_terminate_backend(?::int) as ok", p)).ok)
    -- wait until the backend is gone
    for _ = 1, 200 do
      if tonumber(other:get(d.sql("select count(*) as n from pg_stat_activity where pid = ?::int", p)).n) == 0 then return end
      os.execute("sleep 0.05")
    end
    error("backend " .. p .. " still there")
  end

  it("an error inside db:transaction leaves nothing behind (seen from a second connection)", function()
    local e = errOf(db.transaction, db, function(tx)
      tx:insert(items):values({ { id = 1, v = "a" }, { id = 2, v = "b" } }):run()
      tx:update(items):set({ v = "c" }):run()
      error("boom")
    end)
    assert.matches("boom", e)
    assert.are.equal(0, count(other, "items"))
    db:insert(items):values({ id = 1, v = "kept" }):run()
    local qe, err = errOf(db.transaction, db, function(tx)
      tx:insert(items):values({ id = 2, v = "x" }):run()
      tx:insert(items):values({ id = 1, v = "dup" }):run()
    end)
    assert.matches("duplicate key value violates unique constraint", qe)
    assert.is_true(HH.isQueryError(err))
    assert.are.equal("23505", err.sqlstate)
    assert.are.same({ { id = 1, v = "kept" } }, other:select():from(items):all())
    counts.faults = counts.faults + 2
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
      -- a failing statement inside a savepoint: the savepoint rolls back, the transaction goes on
      pcall(tx.transaction, tx, function(sp)
        sp:insert(items):values({ id = 1, v = "duplicate" }):run()
      end)
      tx:insert(items):values({ id = 4, v = "after" }):run()
    end)
    assert.are.same({ { id = 1, v = "outer" }, { id = 4, v = "after" } },
      other:select():from(items):orderBy(items.id):all())
    counts.faults = counts.faults + 3
  end)

  it("a backend terminated mid-transaction: a clean QueryError, nothing committed, reconnect with prepared statements", function()
    local p = db:select():from(items):where(d.eq(items.id, d.sql.placeholder("id"))):prepare("byId")
    db:insert(items):values({ id = 1, v = "before" }):run()
    assert.are.equal("before", p:get({ id = 1 }).v)
    local e, err = errOf(db.transaction, db, function(tx)
      tx:insert(items):values({ id = 2, v = "half" }):run()
      tx:update(items):set({ v = "changed" }):where(d.eq(items.id, 1)):run()
      terminate(pid(tx))
      tx:insert(items):values({ id = 3, v = "after kill" }):run()
    end)
    assert.is_true(HH.isQueryError(err), "a QueryError, got: " .. e)
    assert.matches("terminat", e)
    assert.are.same({ { id = 1, v = "before" } }, other:select():from(items):orderBy(items.id):all())
    -- the next statement outside a transaction reconnects; prepared statements work again
    assert.are.equal("before", p:get({ id = 1 }).v)
    db:insert(items):values({ id = 5, v = "reconnected" }):run()
    assert.are.equal(2, count(other, "items"))
    -- and again: terminated between statements, outside a transaction
    terminate(pid(db))
    local e2, err2 = errOf(function() return p:get({ id = 1 }) end)
    assert.is_true(HH.isQueryError(err2), "a QueryError, got: " .. e2)
    assert.are.equal("before", p:get({ id = 1 }).v)
    assert.are.equal(2, #db:select():from(items):all())
    -- core.reconnect forces one
    local before = pid(db)
    core.reconnect(db)
    assert.are_not.equal(before, pid(db))
    assert.are.equal("reconnected", p:get({ id = 5 }).v)
    -- terminated inside a transaction whose fn then returns: the commit raises
    local e3, err3 = errOf(db.transaction, db, function(tx)
      tx:insert(items):values({ id = 6, v = "lost" }):run()
      terminate(pid(tx))
    end)
    assert.is_true(HH.isQueryError(err3), "a QueryError, got: " .. e3)
    assert.are.equal(2, count(other, "items"))
    assert.are.equal(2, count(db, "items"))
    counts.faults = counts.faults + 3
  end)

  it("a db collected with a transaction open rolls it back", function()
    local thePid
    local function openAndDrop()
      local db2 = connect()
      raw(db2, "begin")
      db2:insert(items):values({ id = 7, v = "uncommitted" }):run()
      raw(db2, "lock table items in access exclusive mode")
      local p = db2:select():from(items):prepare("p")
      assert.are.equal(1, #p:all())
      thePid = pid(db2)
    end
    openAndDrop()
    collectgarbage(); collectgarbage()
    for _ = 1, 200 do
      if tonumber(other:get(d.sql("select count(*) as n from pg_stat_activity where pid = ?::int", thePid)).n) == 0 then break end
      os.execute("sleep 0.05")
    end
    assert.are.equal(0, tonumber(other:get(d.sql("select count(*) as n from pg_stat_activity where pid = ?::int", thePid)).n))
    assert.are.equal(0, count(other, "items"))
    other:insert(items):values({ id = 8, v = "after" }):run()   -- the lock is gone
    assert.are.equal(1, count(db, "items"))
    counts.faults = counts.faults + 1
  end)

  it("a closed db raises a clear error for every way of running", function()
    local p = db:select():from(items):prepare("p")
    db:close()
    local function expectClosed(f) assert.matches("closed", (errOf(f))) end
    expectClosed(function() return db:select():from(items):all() end)
    expectClosed(function() return db:insert(items):values({ id = 1, v = "x" }):run() end)
    expectClosed(function() return db:update(items):set({ v = "x" }):run() end)
    expectClosed(function() return db:delete(items):run() end)
    expectClosed(function() return db:execute(d.sql("select 1")) end)
    expectClosed(function() return db:transaction(function() end) end)
    expectClosed(function() return db:batch({ db:select():from(items) }) end)
    expectClosed(function() return p:all() end)
    expectClosed(function() return core.reconnect(db) end)
    db:close()
    assert.are.equal(0, count(other, "items"))
    counts.faults = counts.faults + 1
  end)
end)

------------------------------------------------------------ bad input catalog

describe("pg: bad input catalog (every column mode of drizzle.pg)", function()
  local role = pg.pgEnum("role_h", { "a", "b" })
  local t = pg.pgTable("modes", {
    id = pg.integer("id"):primaryKey(), i = pg.integer("i"), si = pg.smallint("si"), bo = pg.boolean("bo"),
    re = pg.real("re"), dp = pg.doublePrecision("dp"), js = pg.json("js"), jb = pg.jsonb("jb"),
    inet = pg.inet("inet"), ser = pg.serial("ser"), bn = pg.bigint("bn"), bb = pg.bigint("bb", { mode = "bigint" }),
    tx = pg.text("tx"), vc = pg.varchar("vc", { length = 5 }), ch = pg.char("ch", { length = 2 }),
    ns = pg.numeric("ns"), nn = pg.numeric("nn", { mode = "number" }), nbi = pg.numeric("nbi", { mode = "bigint" }),
    uu = pg.uuid("uu"), ds = pg.date("ds"), dd = pg.date("dd", { mode = "date" }), tm = pg.time("tm"),
    ts = pg.timestamp("ts"), tss = pg.timestamp("tss", { mode = "string" }), iv = pg.interval("iv"),
    pxy = pg.point("pxy"), ptu = pg.point("ptu", { mode = "tuple" }), labc = pg.line("labc", { mode = "abc" }),
    ltu = pg.line("ltu"), gxy = pg.geometry("gxy", { mode = "xy", srid = 4326 }), gtu = pg.geometry("gtu"),
    arr = pg.integer("arr"):array(), tarr = pg.text("tarr"):array(), en = role("en"), by = pg.bytea("by"),
    bsn = pg.bigserial("bsn"), bsb = pg.bigserial("bsb", { mode = "bigint" }),
  })
  -- pgvector is not on the test server: its encoder refuses before any SQL
  local vt = pg.pgTable("vecs", { id = pg.integer("id"), v = pg.vector("v", { dimensions = 3 }),
    h = pg.halfvec("h", { dimensions = 2 }) })
  local db
  setup(function()
    db = connect()
    withCanary(db)
    raw(db, "create extension if not exists postgis")
    for _, st in ipairs(HH.kitStatements("postgresql", { role = role, t = t })) do raw(db, st) end
  end)
  teardown(function() db:close() end)

  local nan, inf = 0 / 0, 1 / 0
  local NOTBIND, NOTFIN = "cannot bind a table as a parameter", "cannot bind NaN or infinity as a parameter"
  local CASES = {
    { "i", {}, NOTBIND }, { "i", print, "cannot bind a function" }, { "i", nan, NOTFIN }, { "i", inf, NOTFIN },
    { "i", -inf, NOTFIN }, { "i", 2 ^ 31, "out of range for type integer" }, { "i", "x", 'invalid input syntax for type integer: "x"' },
    { "si", 2 ^ 15, "out of range for type smallint" }, { "si", {}, NOTBIND },
    { "bo", "maybe", 'invalid input syntax for type boolean: "maybe"' }, { "bo", nan, NOTFIN },
    { "re", {}, NOTBIND }, { "re", "x", "invalid input syntax for type real" }, { "dp", print, "cannot bind a function" },
    { "js", print, "cannot encode function as JSON" }, { "js", nan, "cannot encode NaN or infinity as JSON" },
    { "js", { a = inf }, "cannot encode NaN or infinity as JSON" }, { "js", { "\255" }, "invalid UTF%-8" },
    { "js", { [1] = 1, x = 2 }, "mixed or non%-string keys" },
    { "jb", { "a\0b" }, "unsupported Unicode escape sequence" }, { "jb", { -inf }, "cannot encode NaN or infinity as JSON" },
    { "jb", { "\192\128" }, "invalid UTF%-8" },
    { "inet", "999.1.1.1", 'invalid input syntax for type inet: "999.1.1.1"' }, { "inet", {}, NOTBIND },
    { "ser", nan, NOTFIN }, { "ser", {}, NOTBIND },
    { "bn", 2 ^ 64, "invalid input syntax for type bigint" }, { "bn", "99999999999999999999", "out of range for type bigint" },
    { "bn", nan, NOTFIN },
    { "bb", "99999999999999999999", "out of range for type bigint" }, { "bb", 2 ^ 70, "bigint value must be an integer" },
    { "bb", nan, "bigint value must be an integer" }, { "bb", 1.5, "bigint value must be an integer" },
    { "bb", "12abc", "bigint value must be an integer" }, { "bb", {}, "bigint value must be an integer" },
    { "bsn", {}, NOTBIND }, { "bsb", -2 ^ 64, "bigint value must be an integer" },
    { "tx", {}, NOTBIND }, { "tx", nan, NOTFIN }, { "tx", "a\0b", "0x00" }, { "tx", "\255", 'invalid byte sequence for encoding "UTF8"' },
    { "vc", "toolong", "value too long for type character varying%(5%)" }, { "ch", "abc", "value too long for type character%(2%)" },
    { "ns", {}, NOTBIND }, { "ns", "1e", 'invalid input syntax for type numeric: "1e"' },
    { "nn", {}, NOTBIND }, { "nn", nan, NOTFIN },
    { "nbi", "99999999999999999999x", "bigint value must be an integer" }, { "nbi", 1.5, "bigint value must be an integer" },
    { "nbi", nan, "bigint value must be an integer" },
    { "uu", "x", 'invalid input syntax for type uuid: "x"' }, { "uu", {}, NOTBIND },
    { "ds", "2020-13-01", "date/time field value out of range" }, { "ds", inf, NOTFIN },
    { "dd", "x", 'invalid input syntax for type date: "x"' }, { "dd", nan, "timestamp value must be finite" },
    { "tm", "25:99", "date/time field value out of range" }, { "tm", {}, NOTBIND },
    { "ts", "x", 'invalid input syntax for type timestamp: "x"' }, { "ts", inf, "timestamp value must be finite" },
    { "ts", {}, "timestamp value must be a number of seconds since the epoch" },
    { "tss", "not a time", 'invalid input syntax for type timestamp: "not a time"' }, { "tss", -inf, NOTFIN },
    { "iv", "forever", 'invalid input syntax for type interval: "forever"' }, { "iv", nan, NOTFIN },
    { "pxy", 1, "a table expected for a point/line/vector value, got number" }, { "pxy", { x = nan, y = 1 }, "point coordinates must be finite" },
    { "pxy", { x = 1 }, "point coordinates must be numbers, got nil" },
    { "ptu", { 1 }, "point coordinates must be numbers, got nil" }, { "ptu", { inf, 1 }, "point coordinates must be finite" },
    { "labc", { a = 1, b = 2 }, "line coefficients must be numbers, got nil" }, { "labc", { a = 1, b = 2, c = nan }, "must be finite" },
    { "ltu", "x", 'invalid input syntax for type line: "x"' }, { "ltu", { 1, 2, inf }, "must be finite" },
    { "gxy", { x = "a", y = 1 }, "point coordinates must be numbers" }, { "gtu", { nan, 0 }, "point coordinates must be finite" },
    { "arr", 1, "an array column takes a Lua sequence, got number" }, { "arr", { 1, nan }, NOTFIN },
    { "arr", { a = 1 }, 'an array column takes a Lua sequence, got a table with key "a"' },
    { "arr", { 1, x = 2 }, 'an array column takes a Lua sequence, got a table with key "x"' },
    { "arr", { "x" }, 'invalid input syntax for type integer: "x"' },
    { "tarr", { "\255" }, 'invalid byte sequence for encoding "UTF8"' }, { "tarr", { {} , print }, "cannot bind a function" },
    { "en", "c", 'invalid input value for enum role_h: "c"' }, { "en", {}, NOTBIND },
    { "by", {}, NOTBIND }, { "by", nan, NOTFIN },
  }
  if IS54 then
    CASES[#CASES + 1] = { "bb", "9223372036854775808", "out of range for type bigint" }
    CASES[#CASES + 1] = { "i", math.maxinteger, "out of range for type integer" }
  end

  it("wrong types, NaN/inf, integers beyond int64, bad JSON: a clear error and nothing written (" .. #CASES .. " cases)", function()
    local failed = {}
    for _, c in ipairs(CASES) do
     local ok, why = pcall(function()
      local ctx = ("column %s value %s"):format(c[1], tostring(c[2]))
      local e1, err1 = errOf(function() db:insert(t):values({ id = 1, [c[1]] = c[2] }):run() end)
      assert.matches(c[3], e1, nil, false, ctx .. " (insert)")
      if not HH.isQueryError(err1) then   -- refused before SQL: the message names the column
        assert.matches('(column "modes"."' .. c[1] .. '")', e1, nil, true, ctx .. " (names the column)")
      end
      db:insert(t):values({ id = 100 }):run()
      local e2 = errOf(function() db:update(t):set({ [c[1]] = c[2] }):run() end)
      assert.matches(c[3], e2, nil, false, ctx .. " (update)")
      local e3 = errOf(function()
        db:insert(t):values({ { id = 2, tx = "fine" }, { id = 3, [c[1]] = c[2] } }):run()
      end)
      assert.matches(c[3], e3, nil, false, ctx .. " (second row)")
      local e4 = errOf(function()
        db:transaction(function(tx)
          tx:insert(t):values({ id = 4 }):run()
          tx:insert(t):values({ id = 5, [c[1]] = c[2] }):run()
        end)
      end)
      assert.matches(c[3], e4, nil, false, ctx .. " (in a transaction)")
      assert.are.same({ { id = 100 } }, db:select({ id = t.id }):from(t):all(), ctx .. ": nothing written")
      db:delete(t):run()
      counts.faults = counts.faults + 4
     end)
     if not ok then failed[#failed + 1] = tostring(why); db:delete(t):run() end
    end
    assert(#failed == 0, table.concat(failed, "\n"))
    for _, c in ipairs({ { "v", { 1, 2, nan }, "vector elements must be finite" }, { "v", true, "a table expected" },
                         { "h", { inf, 1 }, "vector elements must be finite" }, { "v", { 1, "a", 3 }, "vector elements must be numbers" } }) do
      assert.matches(c[3], errOf(function() db:insert(vt):values({ id = 1, [c[1]] = c[2] }):run() end), nil, false, c[1])
    end
    assertIntact(db, snapshot(db), "catalog")
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
    assert.matches("unknown mode \"nope\"", errOf(pg.timestamp, "x", { mode = "nope" }))
    assert.matches("the dimensions option is required", errOf(pg.vector, "x"))
    assert.are.equal(0, count(db, "modes"))
  end)

  it("JSON the server holds but Lua cannot: reading raises a clear error", function()
    assert.matches("invalid input syntax for type json", errOf(raw, db, "insert into modes (id, js) values (1, '{bad')"))
    assert.are.equal(0, count(db, "modes"))
    -- json (not jsonb) keeps its text: a lone surrogate is valid JSON to PostgreSQL, not UTF-8
    raw(db, [[insert into modes (id, js) values (1, '"\ud800"')]])
    assert.matches("lone surrogate", errOf(function() return db:select({ js = t.js }):from(t):all() end))
  end)
end)
