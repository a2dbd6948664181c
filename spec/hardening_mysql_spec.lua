-- Hardening against a real MariaDB server (issue 5, items 4-6):
--   * every string of spec/hostile_strings.lua as a value (longtext utf8mb4,
--     longblob, varbinary, json; bound, prepared, in an sql template)
--     round-trips exactly, or, when MariaDB cannot store it (invalid UTF-8 in
--     a utf8mb4 column, invalid UTF-8 in JSON), raises a clear error and
--     stores nothing (strict sql_mode: never truncated);
--   * as table, column, alias, index and database (schema) name: the object
--     is created (tables by the SQL drizzle.kit.generate writes), written
--     and read by that name; a canary table and the catalog show nothing
--     else ran. Names MariaDB refuses (empty, over 64 characters, a trailing
--     space, invalid UTF-8) give its clear error at the CREATE;
--   * faults: transactions, savepoints, KILL of the connection mid-transaction
--     and outside one (reconnect, prepared statements again), a db collected
--     with a transaction open, a closed db;
--   * the bad input catalog of every column mode of drizzle.mysql.
-- Runs in its own database (dz_hardening_my), created and dropped here.
-- DZ_MYSQL_URL names the server; without it this spec is pending.
local d = require("drizzle")
local mysql = require("drizzle.mysql")
local core = require("drizzle.core")
local HH = dofile("spec/helpers/hardening.lua")

local URL = os.getenv("DZ_MYSQL_URL")
if not URL then
  describe("mysql hardening", function()
    pending("DZ_MYSQL_URL not set: run under scripts/with_servers.sh (make test does)")
  end)
  return
end

local H, errOf, show = HH.H, HH.errOf, HH.show
local IS54 = math.type ~= nil
local DBNAME = "dz_hardening_my"
local counts = { values = 0, names = 0, faults = 0 }

local function raw(db, text) return db:execute(d.sql.raw(text)) end
local function count(db, tbl) return tonumber(db:get(d.sql.raw("select count(*) as n from " .. tbl)).n) end
local function connect() return mysql.drizzle(HH.withDatabase(URL, DBNAME)) end

local CANARY = "canary"
local function withCanary(db)
  raw(db, "create table if not exists canary (id integer primary key, note text)")
  raw(db, "insert ignore into canary values (1, 'alive')")
end

-- tables and indexes of every database but the system ones, and the databases
local SYS = "('mysql', 'information_schema', 'performance_schema', 'sys')"
local OBJECTS = "(select 1 from information_schema.statistics where table_schema not in " .. SYS ..
  " union all select 1 from information_schema.tables where table_schema not in " .. SYS .. ") o"
local SCHEMAS = "information_schema.schemata where schema_name not in " .. SYS
local function snapshot(db) return { count(db, OBJECTS), count(db, SCHEMAS) } end
local function assertIntact(db, want, ctx)
  assert.are.equal(1, count(db, CANARY), ctx .. ": canary rows")
  assert.are.same(want, snapshot(db), ctx .. ": catalog (tables + index columns, databases)")
end

local admin
setup(function()
  admin = mysql.drizzle(URL)
  raw(admin, "drop database if exists " .. DBNAME)
  raw(admin, "create database " .. DBNAME .. " character set utf8mb4")
end)
teardown(function()
  raw(admin, "drop database if exists " .. DBNAME)
  admin:close()
  HH.report("mysql", counts)
end)

------------------------------------------------------------------- values

describe("mysql: hostile strings as values", function()
  local longblob = mysql.customType({ dataType = function() return "longblob" end })
  local vals = mysql.mysqlTable("vals", {
    id = mysql.int("id"):primaryKey(),
    t = mysql.longtext("t"), b = longblob("b"), vb = mysql.varbinary("vb", { length = 1024 }), j = mysql.json("j"),
  })
  local db
  setup(function()
    db = connect()
    withCanary(db)
    for _, st in ipairs(HH.kitStatements("mysql", { vals = vals })) do raw(db, st) end
  end)
  teardown(function() db:close() end)

  it("round-trip exactly, or a clear error and nothing stored (" .. #H .. " strings)", function()
    local base = snapshot(db)
    local byT = db:select({ id = vals.id }):from(vals):where(d.eq(vals.t, d.sql.placeholder("t"))):orderBy(vals.id):prepare("byT")
    local byB = db:select({ id = vals.id }):from(vals):where(d.eq(vals.b, d.sql.placeholder("b"))):orderBy(vals.id):prepare("byB")
    for i, h in ipairs(H) do
      local s = h.s
      local ctx = ("string %d (%s) %q"):format(i, h.tag, show(s))
      local utf8ok = HH.utf8ok(s)
      -- MariaDB's utf8mb4 takes UTF-8-encoded surrogates (ED A0 80) and keeps them exactly
      local textOk = HH.utf8ok((s:gsub("\237[\160-\191][\128-\191]", "x")))
      local row = { id = i, b = s }
      if textOk then row.t = s end
      if utf8ok then row.j = { v = s, [s] = 1 } end
      if #s <= 1024 then row.vb = s end
      db:insert(vals):values(row):run()
      local got = db:select():from(vals):where(d.eq(vals.id, i)):get()
      assert.are.equal(s, got.b, ctx .. ": longblob")
      if #s <= 1024 then assert.are.equal(s, got.vb, ctx .. ": varbinary") end
      if textOk then assert.are.equal(s, got.t, ctx .. ": text") end
      if utf8ok then assert.are.same({ v = s, [s] = 1 }, got.j, ctx .. ": json") end
      -- what MariaDB cannot store: a clear error, nothing written, never truncated
      local n0 = count(db, "vals")
      if not textOk then
        local e, qe = errOf(function() db:insert(vals):values({ id = -i, t = s }):run() end)
        assert.matches("Incorrect string value", e, nil, false, ctx)
        assert.is_true(HH.isQueryError(qe), ctx .. ": a QueryError")
        assert.are.equal(1366, qe.errno, ctx)
        e = errOf(function() db:update(vals):set({ t = s }):where(d.eq(vals.id, i)):run() end)
        assert.matches("Incorrect string value", e, nil, false, ctx)
      end
      if not utf8ok then
        local e = errOf(function() db:insert(vals):values({ id = -i, j = { s } }):run() end)
        assert.matches('invalid UTF%-8 in JSON string %(column "vals"."j"%)', e, nil, false, ctx)
      end
      if #s > 1024 then
        local e = errOf(function() db:insert(vals):values({ id = -i, vb = s }):run() end)
        assert.matches("Data too long for column 'vb'", e, nil, false, ctx)
      end
      assert.are.equal(n0, count(db, "vals"), ctx .. ": nothing written by the refused statements")
      -- by value: a bound parameter, a prepared placeholder, an sql template
      if textOk then
        local found = db:select({ id = vals.id }):from(vals):where(d.eq(vals.t, s)):orderBy(vals.id):all()
        assert.are.equal(i, found[#found].id, ctx .. ": where text")
        local pt = byT:all({ t = s })
        assert.are.equal(i, pt[#pt].id, ctx .. ": prepared text")
      end
      local viaSql = db:get(d.sql("select ? as v", s))
      assert.are.equal(s, viaSql.v, ctx .. ": sql template")
      local foundB = db:select({ id = vals.id }):from(vals):where(d.eq(vals.b, s)):orderBy(vals.id):all()
      assert.are.equal(i, foundB[#foundB].id, ctx .. ": where blob")
      local pb = byB:all({ b = s })
      assert.are.equal(i, pb[#pb].id, ctx .. ": prepared blob")
      counts.values = counts.values + 1
    end
    assertIntact(db, base, "after values")
    assert.are.equal(#H, count(db, "vals"))
  end)
end)

-------------------------------------------------------------------- names

-- Why MariaDB refuses s as a table/column/index/database name (nil: it takes
-- it): its own messages, given at the CREATE, before anything is written.
-- Names over 64 characters read "Incorrect table name '...'" (MariaDB 10.11).
local function refusal(s)
  if s == "" then return "Incorrect %a+ name ''" end
  if not HH.utf8ok((s:gsub("\237[\160-\191][\128-\191]", "x"))) then return "Invalid utf8%w* character string" end
  -- identifiers are utf8mb3 inside the server: no 4-byte characters (emoji)
  if s:find("[\240-\244]") then return "Invalid utf8mb4 character string" end
  if HH.ulen(s) > 64 then return "Incorrect %a+ name '" end
  if s:find("[ \t\n\r\f\v]$") then return "Incorrect %a+ name '" end
  return nil
end

local function tryName(db, s, ctx)
  local colName, idxName, aliasName = s, "i_" .. s, "a_" .. s
  if s:find("%z") then
    local e = errOf(mysql.mysqlTable, s, { id = mysql.int("id") })
    assert.matches('table name ".*" contains a NUL byte', e, nil, false, ctx)
    e = errOf(mysql.mysqlTable, "t", { v = mysql.text(s) })
    assert.matches('column name ".*" contains a NUL byte', e, nil, false, ctx)
    e = errOf(function() return mysql.mysqlSchema(s):table("t", { id = mysql.int("id") }) end)
    assert.matches('schema name ".*" contains a NUL byte', e, nil, false, ctx)
    local t = mysql.mysqlTable("t", { id = mysql.int("id") })
    e = errOf(mysql.alias, t, s)
    assert.matches('table alias ".*" contains a NUL byte', e, nil, false, ctx)
    e = errOf(function() return db:select({ x = d.sql("?", d.sql.identifier(s)) }):from(t):toSQL() end)
    assert.matches('name ".*" contains a NUL byte', e, nil, false, ctx)
    return
  end
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
  local base = snapshot(db)
  local tbl = mysql.mysqlTable(s, {
    id = mysql.int("id"):primaryKey(),
    v = mysql.varchar(colName, { length = 255 }),
  }, function(t) return { mysql.index(idxName):on(t.v) } end)
  local stmts = HH.kitStatements("mysql", { t = tbl })
  local why = refusal(s)
  if why then
    local e, qe = errOf(function() for _, st in ipairs(stmts) do raw(db, st) end end)
    assert.matches(why, e, nil, false, ctx)
    assert.is_true(HH.isQueryError(qe), ctx .. ": a QueryError")
    e = errOf(function() db:execute(d.sql("create database ?", d.sql.identifier(s))) end)
    local whyDb = why:gsub("%%a%+", "database")
    assert(e:find(whyDb) or e:find("is too long"), ctx .. " (database): " .. e)
    assertIntact(db, base, ctx .. " after the refused DDL")
    return
  end
  for _, st in ipairs(stmts) do raw(db, st) end
  -- the table, its primary key and index
  local want = { base[1] + 3, base[2] }
  assertIntact(db, want, ctx .. " after DDL")
  local names = db:all(d.sql("select table_name from information_schema.tables where table_schema = database() and table_name = ?", s))
  assert.are.equal(1, #names, ctx .. ": catalog name")
  db:insert(tbl):values({ { id = 1, v = s }, { id = 2, v = "other" } }):run()
  db:update(tbl):set({ v = s .. "!" }):where(d.eq(tbl.id, 2)):run()
  local a = mysql.alias(tbl, aliasName)
  local rows = db:select({ id = a.id, val = a.v, named = d.sql("?", a.v):as(s) })
    :from(a):where(d.eq(a.id, 1)):orderBy(a.id):all()
  assert.are.equal(1, #rows, ctx .. ": rows by alias")
  assert.are.equal(s, rows[1].val, ctx .. ": value by alias")
  assert.are.equal(s, rows[1].named, ctx .. ": field alias")
  local j = db:select({ x = tbl.v, y = a.v }):from(tbl):innerJoin(a, d.eq(a.id, tbl.id)):orderBy(tbl.id):all()
  assert.are.equal(2, #j, ctx .. ": self join through the alias")
  assert.are.equal(s .. "!", j[2].y)
  local sq = db:select({ v = tbl.v }):from(tbl):as("sq_" .. s)
  assert.are.equal(2, #db:select():from(sq):all(), ctx .. ": subquery alias")
  local viaId = db:all(d.sql("select ? from ?", d.sql.identifier(colName), d.sql.identifier(s)))
  assert.are.equal(2, #viaId, ctx .. ": sql.identifier")
  db:delete(tbl):where(d.eq(tbl.id, 2)):run()
  assert.are.equal(1, #db:select():from(tbl):all(), ctx .. ": after delete")
  assertIntact(db, want, ctx .. " at the end")
  -- a database by that name, a table in it through mysqlSchema
  if s ~= DBNAME then
    db:execute(d.sql("create database ?", d.sql.identifier(s)))
    local inSchema = mysql.mysqlSchema(s):table(s, { id = mysql.int("id"):primaryKey(), v = mysql.text(colName) })
    db:execute(d.sql("create table ?.? (id int primary key, ? text)", d.sql.identifier(s), d.sql.identifier(s), d.sql.identifier(colName)))
    db:insert(inSchema):values({ id = 1, v = s }):run()
    assert.are.same({ { id = 1, v = s } }, db:select():from(inSchema):where(d.eq(inSchema.v, s)):all(), ctx .. ": table in the database")
    db:update(inSchema):set({ v = "x" }):run()
    db:delete(inSchema):run()
    db:execute(d.sql("drop database ?", d.sql.identifier(s)))
  end
  db:execute(d.sql("drop table ?", tbl))
  assertIntact(db, base, ctx .. " after drop")
  counts.names = counts.names + 1
end

describe("mysql: hostile strings as names", function()
  it("table, column, alias, index, database names: created, written and read, nothing else ran (" .. #H .. " strings)", function()
    local db = connect()
    withCanary(db)
    raw(db, "create table if not exists canary_other (id integer)")
    raw(db, "insert into canary_other values (1)")
    local failed = {}
    for i, h in ipairs(H) do
      local ctx = ("name %d (%s) %q"):format(i, h.tag, show(h.s))
      local ok, e = pcall(tryName, db, h.s, ctx)
      if not ok then failed[#failed + 1] = ctx .. ": " .. tostring(type(e) == "table" and e.message or e) end
    end
    db:close()
    assert(#failed == 0, #failed .. " names failed:\n" .. table.concat(failed, "\n"))
  end)
end)

------------------------------------------------------------------- faults

describe("mysql: faults", function()
  local items = mysql.mysqlTable("items", { id = mysql.int("id"):primaryKey(), v = mysql.text("v") })
  local db, other

  before_each(function()
    db = connect()
    other = connect()
    raw(db, "drop table if exists items")
    raw(db, "create table items (id int primary key, v text) engine=InnoDB")
  end)
  after_each(function() pcall(db.close, db); pcall(other.close, other) end)

  local function connId(conn) return tonumber(conn:get(d.sql("select connection_id() as id")).id) end
  local function gone(id)
    for _ = 1, 200 do
      if tonumber(other:get(d.sql("select count(*) as n from information_schema.processlist where id = ?", id)).n) == 0 then return true end
      os.execute("sleep 0.05")
    end
    return false
  end
  local function kill(id)
    other:execute(d.sql.raw("kill " .. math.floor(id)))
    assert(gone(id), "connection " .. id .. " still there")
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
    assert.matches("Duplicate entry '1' for key 'PRIMARY'", qe)
    assert.is_true(HH.isQueryError(err))
    assert.are.equal(1062, err.errno)
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
      pcall(tx.transaction, tx, function(sp)
        sp:insert(items):values({ id = 1, v = "duplicate" }):run()
      end)
      tx:insert(items):values({ id = 4, v = "after" }):run()
    end)
    assert.are.same({ { id = 1, v = "outer" }, { id = 4, v = "after" } },
      other:select():from(items):orderBy(items.id):all())
    counts.faults = counts.faults + 3
  end)

  it("a connection killed mid-transaction: a clean QueryError, nothing committed, reconnect with prepared statements", function()
    local p = db:select():from(items):where(d.eq(items.id, d.sql.placeholder("id"))):prepare("byId")
    db:insert(items):values({ id = 1, v = "before" }):run()
    assert.are.equal("before", p:get({ id = 1 }).v)
    local e, err = errOf(db.transaction, db, function(tx)
      tx:insert(items):values({ id = 2, v = "half" }):run()
      tx:update(items):set({ v = "changed" }):where(d.eq(items.id, 1)):run()
      kill(connId(tx))
      tx:insert(items):values({ id = 3, v = "after kill" }):run()
    end)
    assert.is_true(HH.isQueryError(err), "a QueryError, got: " .. e)
    assert(e:find("Lost connection to server") or e:find("server has gone away"), e)
    assert.are.same({ { id = 1, v = "before" } }, other:select():from(items):orderBy(items.id):all())
    assert.are.equal("before", p:get({ id = 1 }).v)
    db:insert(items):values({ id = 5, v = "reconnected" }):run()
    assert.are.equal(2, count(other, "items"))
    -- killed between statements, outside a transaction
    kill(connId(db))
    local e2, err2 = errOf(function() return p:get({ id = 1 }) end)
    assert.is_true(HH.isQueryError(err2), "a QueryError, got: " .. e2)
    assert.are.equal("before", p:get({ id = 1 }).v)
    assert.are.equal(2, #db:select():from(items):all())
    local before = connId(db)
    core.reconnect(db)
    assert.are_not.equal(before, connId(db))
    assert.are.equal("reconnected", p:get({ id = 5 }).v)
    -- killed inside a transaction whose fn then returns: the commit raises
    local e3, err3 = errOf(db.transaction, db, function(tx)
      tx:insert(items):values({ id = 6, v = "lost" }):run()
      kill(connId(tx))
    end)
    assert.is_true(HH.isQueryError(err3), "a QueryError, got: " .. e3)
    assert.are.equal(2, count(other, "items"))
    assert.are.equal(2, count(db, "items"))
    counts.faults = counts.faults + 3
  end)

  it("a db collected with a transaction open rolls it back", function()
    local theId
    local function openAndDrop()
      local db2 = connect()
      raw(db2, "start transaction")
      db2:insert(items):values({ id = 7, v = "uncommitted" }):run()
      db2:select():from(items):where(d.eq(items.id, 7)):for_("update"):all()
      local p = db2:select():from(items):prepare("p")
      assert.are.equal(1, #p:all())
      theId = connId(db2)
    end
    openAndDrop()
    collectgarbage(); collectgarbage()
    assert.is_true(gone(theId), "the collected db's connection is closed")
    assert.are.equal(0, count(other, "items"))
    other:insert(items):values({ id = 7, v = "after" }):run()   -- the row lock is gone
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
    expectClosed(function() return p:all() end)
    expectClosed(function() return core.reconnect(db) end)
    db:close()
    assert.are.equal(0, count(other, "items"))
    counts.faults = counts.faults + 1
  end)
end)

------------------------------------------------------------ bad input catalog

describe("mysql: bad input catalog (every column mode of drizzle.mysql)", function()
  local t = mysql.mysqlTable("modes", {
    id = mysql.int("id"):primaryKey(), i = mysql.int("i"), ti = mysql.tinyint("ti"), si = mysql.smallint("si"),
    mi = mysql.mediumint("mi"), iu = mysql.int("iu", { unsigned = true }),
    bn = mysql.bigint("bn"), bb = mysql.bigint("bb", { mode = "bigint" }), bu = mysql.bigint("bu", { mode = "bigint", unsigned = true }),
    bo = mysql.boolean("bo"), fl = mysql.float("fl"), db = mysql.double("db"), re = mysql.real("re"),
    ds = mysql.decimal("ds", { precision = 10, scale = 2 }), dn = mysql.decimal("dn", { mode = "number" }),
    dbi = mysql.decimal("dbi", { precision = 30, mode = "bigint" }),
    ch = mysql.char("ch", { length = 2 }), vc = mysql.varchar("vc", { length = 5 }), bi = mysql.binary("bi", { length = 2 }),
    vb = mysql.varbinary("vb", { length = 3 }), tx = mysql.text("tx"), tt = mysql.tinytext("tt"),
    js = mysql.json("js"), yr = mysql.year("yr"), dd = mysql.date("dd"), dst = mysql.date("dst", { mode = "string" }),
    dt = mysql.datetime("dt"), dts = mysql.datetime("dts", { mode = "string" }),
    ts = mysql.timestamp("ts"), tss = mysql.timestamp("tss", { mode = "string" }), tm = mysql.time("tm"),
    en = mysql.mysqlEnum("en", { "a", "b" }),
  })
  local db
  setup(function()
    db = connect()
    withCanary(db)
    for _, st in ipairs(HH.kitStatements("mysql", { t = t })) do raw(db, st) end
  end)
  teardown(function() db:close() end)

  local nan, inf = 0 / 0, 1 / 0
  local NOTBIND, NOTFIN = "cannot bind a table as a parameter", "cannot bind NaN or infinity as a parameter"
  local RANGE = "Out of range value for column"
  local CASES = {
    { "i", {}, NOTBIND }, { "i", print, "cannot bind a function" }, { "i", nan, NOTFIN }, { "i", inf, NOTFIN },
    { "i", -inf, NOTFIN }, { "i", 2 ^ 31, RANGE }, { "i", "x", "Incorrect integer value: 'x' for" },
    { "ti", 128, RANGE }, { "si", 2 ^ 15, RANGE }, { "mi", 2 ^ 23, RANGE }, { "iu", -1, RANGE },
    { "bn", 2 ^ 64, RANGE }, { "bn", "99999999999999999999", RANGE }, { "bn", nan, NOTFIN }, { "bn", {}, NOTBIND },
    { "bb", 2 ^ 70, "bigint value must be an integer" }, { "bb", nan, "bigint value must be an integer" },
    { "bb", 1.5, "bigint value must be an integer" }, { "bb", "12abc", "bigint value must be an integer" },
    { "bb", "99999999999999999999", RANGE }, { "bu", "-1", RANGE }, { "bu", "18446744073709551616", RANGE },
    { "bo", {}, NOTBIND }, { "bo", nan, NOTFIN }, { "bo", "maybe", "Incorrect integer value: 'maybe'" },
    { "fl", {}, NOTBIND }, { "fl", inf, NOTFIN }, { "db", nan, NOTFIN }, { "db", "x", "Incorrect double value: 'x'" },
    { "re", -inf, NOTFIN },
    { "ds", "1e", "Data truncated for column 'ds'" }, { "ds", 1e20, RANGE }, { "ds", {}, NOTBIND },
    { "dn", nan, NOTFIN }, { "dn", inf, NOTFIN }, { "dn", {}, NOTBIND },
    { "dbi", 1.5, "bigint value must be an integer" }, { "dbi", "1x", "bigint value must be an integer" },
    { "ch", "abc", "Data too long for column 'ch'" }, { "vc", "toolong", "Data too long for column 'vc'" },
    { "bi", "abc", "Data too long for column 'bi'" }, { "vb", "abcd", "Data too long for column 'vb'" },
    { "tx", {}, NOTBIND }, { "tx", nan, NOTFIN }, { "tx", "\255", "Incorrect string value" },
    { "tt", ("x"):rep(256), "Data too long for column 'tt'" },
    { "js", print, "cannot encode function as JSON" }, { "js", nan, "cannot encode NaN or infinity as JSON" },
    { "js", { a = inf }, "cannot encode NaN or infinity as JSON" }, { "js", { "\255" }, "invalid UTF%-8" },
    { "js", { [1] = 1, x = 2 }, "mixed or non%-string keys" },
    { "yr", 1800, RANGE }, { "yr", {}, NOTBIND },
    { "dd", nan, "must be finite" }, { "dd", {}, "must be a number of seconds since the epoch" },
    { "dst", "2020-13-01", "Incorrect date value" }, { "dst", inf, NOTFIN },
    { "dt", -inf, "must be finite" }, { "dt", true, "must be a number of seconds since the epoch" },
    { "dts", "not a time", "Incorrect datetime value" },
    { "ts", nan, "must be finite" }, { "ts", 2 ^ 40, "Incorrect datetime value" },
    { "tss", "x", "Incorrect datetime value" }, { "tm", "99:99", "Incorrect time value" }, { "tm", {}, NOTBIND },
    { "en", "c", "Data truncated for column 'en'" }, { "en", {}, NOTBIND },
  }
  if IS54 then
    CASES[#CASES + 1] = { "i", math.maxinteger, RANGE }
  end

  it("wrong types, NaN/inf, integers beyond int64, bad JSON: a clear error and nothing written (" .. #CASES .. " cases)", function()
    local failed = {}
    for _, c in ipairs(CASES) do
      local ok, why = pcall(function()
        local ctx = ("column %s value %s"):format(c[1], tostring(c[2]))
        local e1, err1 = errOf(function() db:insert(t):values({ id = 1, [c[1]] = c[2] }):run() end)
        assert.matches(c[3], e1, nil, false, ctx .. " (insert)")
        if not HH.isQueryError(err1) then
          assert.matches('(column "modes"."' .. c[1] .. '")', e1, nil, true, ctx .. " (names the column)")
        elseif c[3] == RANGE or c[3]:find("^Data") or c[3]:find("^Incorrect") then
          assert(e1:find("[`']" .. c[1] .. "[`']"), ctx .. " (the server names the column): " .. e1)
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
        counts.faults = counts.faults + 4
      end)
      db:delete(t):run()
      if not ok then failed[#failed + 1] = tostring(why) end
    end
    assert(#failed == 0, #failed .. " cases failed:\n" .. table.concat(failed, "\n"))
    assert.are.equal(1, count(db, "canary"))
  end)

  it("unknown fields in insert and update values name the table and the field", function()
    assert.matches('insert into "modes": unknown field "nope"',
      errOf(function() db:insert(t):values({ id = 1, nope = 1 }):run() end))
    assert.matches('update "modes": unknown field "nope"', errOf(function() db:update(t):set({ nope = 1 }):run() end))
    assert.are.equal(0, count(db, "modes"))
  end)

  it("builder methods called out of order or twice, and what MySQL has not", function()
    assert.matches("select without from%(%)", errOf(function() return db:select():where(d.eq(t.id, 1)):all() end))
    assert.matches('update "modes": call :set', errOf(function() return db:update(t):where(d.eq(t.id, 1)):run() end))
    assert.matches('insert into "modes": call :values', errOf(function() return db:insert(t):run() end))
    assert.matches("where%(%) was already called", errOf(function()
      return db:select():from(t):where(d.eq(t.id, 1)):where(d.eq(t.id, 2))
    end))
    assert.matches("returning", errOf(function() return db:insert(t):values({ id = 1 }):returning():all() end))
    assert.matches("the length option is required", errOf(mysql.varchar, "x"))
    assert.matches('unknown mode "nope"', errOf(mysql.datetime, "x", { mode = "nope" }))
    assert.are.equal(0, count(db, "modes"))
  end)

  it("invalid JSON written by raw SQL: the json column's check refuses it", function()
    assert.matches("CONSTRAINT `modes.js` failed", errOf(raw, db, "insert into modes (id, js) values (1, '{bad')"))
    assert.matches("CONSTRAINT `modes.js` failed", errOf(raw, db, [[insert into modes (id, js) values (1, '"\\ud800"')]]))
    assert.are.equal(0, count(db, "modes"))
  end)
end)
