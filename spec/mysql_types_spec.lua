-- drizzle.mysql against a real server (MariaDB in the test command): every
-- mysql-core column type and mode written through the builders, read back
-- through select, compared value for value; the errors a MySQL session
-- raises.
--
-- Needs DZ_MYSQL_URL (scripts/with_servers.sh sets it); without it every
-- spec here reports itself pending, never passes silently.
--
-- Tables are created with plain SQL, as Drizzle Kit writes them.
local d = require("drizzle")
local mysql = require("drizzle.mysql")

local URL = os.getenv("DZ_MYSQL_URL")
local IS54 = math.type ~= nil   -- Lua integers on 5.3+; decimal strings beyond 2^53 on 5.1/LuaJIT

if not URL or URL == "" then
  describe("mysql types", function()
    it("needs a server", function()
      pending("DZ_MYSQL_URL not set: start a server with scripts/with_servers.sh")
    end)
  end)
  return
end

local db = mysql.drizzle(URL)
local MARIADB = db:execute(d.sql("select version() as v"))[1].v:find("MariaDB", 1, true) ~= nil

local function exec(text) return db:execute(d.sql.raw(text)) end

-- drizzle-kit writes a serial column as "`id` serial AUTO_INCREMENT NOT
-- NULL": MySQL 8 takes it, MariaDB rejects it as a syntax error (its SERIAL
-- already says AUTO_INCREMENT and may not say it twice), so on MariaDB the
-- redundant keyword goes. README, "MariaDB and MySQL 8".
local function kitDDL(text)
  return (text:gsub("serial AUTO_INCREMENT", "serial"))
end

local function fresh(name, body)
  exec("drop table if exists `" .. name .. "`")
  exec(kitDDL("CREATE TABLE `" .. name .. "` (\n\t" .. body .. "\n);\n"))
end

-- 2^63-1 and -2^63 as a bigint-mode value on this VM
local MAX63 = IS54 and math.maxinteger or "9223372036854775807"
local MIN63 = IS54 and math.mininteger or "-9223372036854775808"

describe("mysql types: integers", function()
  local t = mysql.mysqlTable("ty_ints", {
    id = mysql.int("id"):primaryKey(),
    i = mysql.int("i"),
    iu = mysql.int("iu", { unsigned = true }),
    ti = mysql.tinyint("ti"),
    tiu = mysql.tinyint("tiu", { unsigned = true }),
    si = mysql.smallint("si"),
    siu = mysql.smallint("siu", { unsigned = true }),
    mi = mysql.mediumint("mi"),
    miu = mysql.mediumint("miu", { unsigned = true }),
  })
  setup(function()
    fresh("ty_ints", table.concat({
      "`id` int NOT NULL,", "`i` int,", "`iu` int unsigned,", "`ti` tinyint,", "`tiu` tinyint unsigned,",
      "`si` smallint,", "`siu` smallint unsigned,", "`mi` mediumint,", "`miu` mediumint unsigned,",
      "CONSTRAINT `ty_ints_id` PRIMARY KEY(`id`)" }, "\n\t"))
  end)

  it("round-trips the limits of every width, signed and unsigned", function()
    local rows = {
      { id = 1, i = 2147483647, iu = 4294967295, ti = 127, tiu = 255, si = 32767, siu = 65535, mi = 8388607, miu = 16777215 },
      { id = 2, i = -2147483648, iu = 0, ti = -128, tiu = 0, si = -32768, siu = 0, mi = -8388608, miu = 0 },
      { id = 3 },
    }
    db:insert(t):values(rows):execute()
    local got = db:select():from(t):orderBy(t.id):all()
    assert.are.same(rows, got)
    if IS54 then assert.are.equal("integer", math.type(got[1].iu)) end
  end)

  it("refuses an out-of-range value as a QueryError (strict mode)", function()
    local ok, e = pcall(function() db:insert(t):values({ id = 9, ti = 128 }):execute() end)
    assert.is_false(ok)
    assert.are.equal(d.QueryError, getmetatable(e))
    assert.are.equal(1264, e.errno)   -- ER_WARN_DATA_OUT_OF_RANGE
    assert.are.same({ 9, 128 }, e.params)
  end)
end)

describe("mysql types: bigint and serial", function()
  local t = mysql.mysqlTable("ty_bigint", {
    id = mysql.serial("id"):primaryKey(),
    num = mysql.bigint("num", { mode = "number" }),
    big = mysql.bigint("big", { mode = "bigint" }),
    ubig = mysql.bigint("ubig", { mode = "bigint", unsigned = true }),
    unum = mysql.bigint("unum", { unsigned = true }),
  })
  setup(function()
    fresh("ty_bigint", table.concat({
      "`id` serial AUTO_INCREMENT NOT NULL,", "`num` bigint,", "`big` bigint,", "`ubig` bigint unsigned,",
      "`unum` bigint unsigned,", "CONSTRAINT `ty_bigint_id` PRIMARY KEY(`id`)" }, "\n\t"))
  end)

  it("serial numbers rows from 1 and reads back as an integer", function()
    local r = db:insert(t):values({ { num = 1 }, { num = 2 } }):execute()
    assert.are.equal(2, r.rowsAffected)
    assert.are.equal(1, r.insertId)
    local got = db:select({ id = t.id, num = t.num }):from(t):orderBy(t.id):all()
    assert.are.same({ { id = 1, num = 1 }, { id = 2, num = 2 } }, got)
    if IS54 then assert.are.equal("integer", math.type(got[2].id)) end
  end)

  it("mode bigint keeps 2^63-1 and -2^63 exact (Lua integer on 5.4, decimal string on 5.1/LuaJIT)", function()
    db:insert(t):values({ { id = 10, big = MAX63 }, { id = 11, big = MIN63 } }):execute()
    local got = db:select({ big = t.big }):from(t):where(d.inArray(t.id, { 10, 11 })):orderBy(t.id):all()
    assert.are.same({ { big = MAX63 }, { big = MIN63 } }, got)
    if IS54 then assert.are.equal("integer", math.type(got[1].big)) end
  end)

  it("mode bigint takes the decimal string on any VM", function()
    db:insert(t):values({ id = 12, big = "9223372036854775806" }):execute()
    local r = db:select({ big = t.big }):from(t):where(d.eq(t.id, 12)):get()
    assert.are.equal(IS54 and 9223372036854775806 or "9223372036854775806", r.big)
  end)

  it("unsigned bigint keeps 18446744073709551615 exact (a decimal string: no Lua number holds it)", function()
    db:insert(t):values({ id = 13, ubig = "18446744073709551615", unum = "18446744073709551615" }):execute()
    local r = db:select({ ubig = t.ubig, unum = t.unum }):from(t):where(d.eq(t.id, 13)):get()
    assert.are.equal("18446744073709551615", r.ubig)
    assert.are.equal("18446744073709551615", r.unum)
    -- and where-clauses bind it too
    local n = db:select({ id = t.id }):from(t):where(d.eq(t.ubig, "18446744073709551615")):all()
    assert.are.same({ { id = 13 } }, n)
  end)

  it("unsigned bigint up to 2^63-1 reads back as a number", function()
    db:insert(t):values({ id = 14, ubig = MAX63, unum = 9007199254740991 }):execute()
    local r = db:select({ ubig = t.ubig, unum = t.unum }):from(t):where(d.eq(t.id, 14)):get()
    assert.are.same({ ubig = MAX63, unum = 9007199254740991 }, r)
  end)

  it("mode number: exact up to 2^53 everywhere, and beyond on 5.4 (a decimal string on LuaJIT, never rounded)", function()
    db:insert(t):values({ { id = 15, num = 9007199254740991 }, { id = 16, num = MAX63 } }):execute()
    local got = db:select({ num = t.num }):from(t):where(d.inArray(t.id, { 15, 16 })):orderBy(t.id):all()
    assert.are.same({ { num = 9007199254740991 }, { num = MAX63 } }, got)
  end)

  it("mode bigint refuses a non-integer before any SQL runs", function()
    local ok, e = pcall(function() db:insert(t):values({ id = 17, big = 1.5 }):execute() end)
    assert.is_false(ok)
    assert.matches("bigint value must be an integer", tostring(e))
    ok, e = pcall(function() db:insert(t):values({ id = 17, big = "12abc" }):execute() end)
    assert.is_false(ok)
    assert.matches("bigint value must be an integer", tostring(e))
    assert.is_nil(db:select():from(t):where(d.eq(t.id, 17)):get())
  end)
end)

describe("mysql types: boolean, float, double, real, decimal", function()
  local t = mysql.mysqlTable("ty_num", {
    id = mysql.int("id"):primaryKey(),
    b = mysql.boolean("b"),
    f = mysql.float("f"),
    fp = mysql.float("fp", { precision = 10, scale = 2 }),
    db_ = mysql.double("db"),
    dp = mysql.double("dp", { precision = 12, scale = 4 }),
    r = mysql.real("r"),
    rp = mysql.real("rp", { precision = 10, scale = 3 }),
    dec = mysql.decimal("dec", { precision = 12, scale = 2 }),
    decn = mysql.decimal("decn", { precision = 10, scale = 3, mode = "number" }),
    decb = mysql.decimal("decb", { precision = 20, scale = 0, mode = "bigint" }),
    decd = mysql.decimal("decd"),
  })
  setup(function()
    fresh("ty_num", table.concat({
      "`id` int NOT NULL,", "`b` boolean,", "`f` float,", "`fp` float(10,2),", "`db` double,",
      "`dp` double(12,4),", "`r` real,", "`rp` real(10, 3),", "`dec` decimal(12,2),",
      "`decn` decimal(10,3),", "`decb` decimal(20,0),", "`decd` decimal,",
      "CONSTRAINT `ty_num_id` PRIMARY KEY(`id`)" }, "\n\t"))
  end)

  it("boolean is true/false (tinyint(1) on the server)", function()
    db:insert(t):values({ { id = 1, b = true }, { id = 2, b = false }, { id = 3 } }):execute()
    local got = db:select({ id = t.id, b = t.b }):from(t):where(d.lte(t.id, 3)):orderBy(t.id):all()
    assert.are.same({ { id = 1, b = true }, { id = 2, b = false }, { id = 3 } }, got)
    local raw = exec("select `b` from `ty_num` where `id` = 1")
    assert.are.equal(1, raw[1].b)
    assert.are.same({ { id = 1 } }, db:select({ id = t.id }):from(t):where(d.eq(t.b, true)):all())
  end)

  it("float, double and real keep their values", function()
    db:insert(t):values({ id = 10, f = 1.5, fp = 12345.67, db_ = 0.1, dp = 12345678.1234, r = -2.5e300, rp = 1234.567 }):execute()
    local r = db:select():from(t):where(d.eq(t.id, 10)):get()
    assert.are.equal(1.5, r.f)
    assert.are.equal(0.1, r.db_)
    assert.are.equal(12345678.1234, r.dp)
    assert.are.equal(-2.5e300, r.r)
    assert.are.equal(1234.567, r.rp)
    assert.is_true(math.abs(r.fp - 12345.67) < 0.01)
  end)

  it("float reads back as the server shows it (0.1, not 0.10000000149011612)", function()
    db:insert(t):values({ id = 11, f = 0.1 }):execute()
    local r = db:select({ f = t.f }):from(t):where(d.eq(t.id, 11)):get()
    local raw = exec("select `f` from `ty_num` where `id` = 11")[1].f
    assert.are.equal(0.1, r.f)
    assert.are.equal(0.1, raw)
  end)

  it("decimal: string mode keeps the scale, number mode gives numbers, bigint mode exact integers", function()
    db:insert(t):values({ id = 20, dec = "1234567890.12", decn = 3.25, decb = "99999999999999999999", decd = 42 }):execute()
    db:insert(t):values({ id = 21, dec = 7, decn = -0.125, decb = MAX63, decd = "-7" }):execute()
    local got = db:select({ dec = t.dec, decn = t.decn, decb = t.decb, decd = t.decd }):from(t)
      :where(d.inArray(t.id, { 20, 21 })):orderBy(t.id):all()
    assert.are.same({ dec = "1234567890.12", decn = 3.25, decb = "99999999999999999999", decd = "42" }, got[1])
    assert.are.same({ dec = "7.00", decn = -0.125, decb = MAX63, decd = "-7" }, got[2])
  end)

  it("decimal rounds to its scale on the server, and refuses NaN before SQL runs", function()
    db:insert(t):values({ id = 22, dec = "1.005" }):execute()
    assert.are.equal("1.01", db:select({ v = t.dec }):from(t):where(d.eq(t.id, 22)):get().v)
    local ok, e = pcall(function() db:insert(t):values({ id = 23, db_ = 0 / 0 }):execute() end)
    assert.is_false(ok)
    assert.is_nil(getmetatable(e) == d.QueryError and e or nil)
    assert.is_nil(db:select():from(t):where(d.eq(t.id, 23)):get())
  end)
end)

describe("mysql types: strings and bytes", function()
  local t = mysql.mysqlTable("ty_str", {
    id = mysql.int("id"):primaryKey(),
    c = mysql.char("c", { length = 5 }),
    c1 = mysql.char("c1"),
    vc = mysql.varchar("vc", { length = 255 }),
    ve = mysql.varchar("ve", { length = 10, enum = { "red", "green" } }),
    tx = mysql.text("tx"),
    tt = mysql.tinytext("tt"),
    mt = mysql.mediumtext("mt"),
    lt = mysql.longtext("lt"),
    bn = mysql.binary("bn", { length = 4 }),
    vb = mysql.varbinary("vb", { length = 64 }),
  })
  setup(function()
    fresh("ty_str", table.concat({
      "`id` int NOT NULL,", "`c` char(5),", "`c1` char,", "`vc` varchar(255),", "`ve` varchar(10),", "`tx` text,",
      "`tt` tinytext,", "`mt` mediumtext,", "`lt` longtext,", "`bn` binary(4),", "`vb` varbinary(64),",
      "CONSTRAINT `ty_str_id` PRIMARY KEY(`id`)" }, "\n\t"))
  end)

  it("char, varchar and the text family keep text (utf8mb4, 4-byte characters too)", function()
    local big = string.rep("0123456789", 10000)            -- 100 kB, beyond text's 64 kB
    local row = { id = 1, c = "ab", c1 = "x", vc = "héllo wörld ✓ 😀", ve = "green",
                  tx = "line1\nline2\t'quoted' \"dq\" \\", tt = "", mt = string.rep("é", 40000), lt = big }
    db:insert(t):values(row):execute()
    local got = db:select():from(t):where(d.eq(t.id, 1)):get()
    row.bn, row.vb = nil, nil
    assert.are.same(row, got)
    assert.are.equal(100000, #got.lt)
  end)

  it("CHAR drops trailing spaces on the server (both MySQL and MariaDB)", function()
    db:insert(t):values({ id = 2, c = "ab  " }):execute()
    assert.are.equal("ab", db:select({ c = t.c }):from(t):where(d.eq(t.id, 2)):get().c)
  end)

  it("binary and varbinary keep bytes, NUL and high bytes included (binary pads with NUL)", function()
    local bytes = "a\0b\0\255\254\0"
    db:insert(t):values({ id = 3, bn = "\0\1", vb = bytes }):execute()
    local got = db:select({ bn = t.bn, vb = t.vb }):from(t):where(d.eq(t.id, 3)):get()
    assert.are.equal("\0\1\0\0", got.bn)
    assert.are.equal(bytes, got.vb)
    assert.are.equal(7, #got.vb)
    local hit = db:select({ id = t.id }):from(t):where(d.eq(t.vb, bytes)):all()
    assert.are.same({ { id = 3 } }, hit)
  end)
end)

describe("mysql types: json", function()
  local t = mysql.mysqlTable("ty_json", {
    id = mysql.int("id"):primaryKey(),
    j = mysql.json("j"),
  })
  setup(function()
    fresh("ty_json", "`id` int NOT NULL,\n\t`j` json,\n\tCONSTRAINT `ty_json_id` PRIMARY KEY(`id`)")
  end)

  it("round-trips nested objects, arrays, JSON null, empty arrays and exact integers", function()
    local docs = {
      { id = 1, j = { name = "Ada", tags = { "a", "b" }, nested = { deep = { n = 1, f = 1.5, t = true, f2 = false } } } },
      { id = 2, j = { 1, 2, { 3, { 4 } }, "x" } },
      { id = 3, j = { a = d.NULL } },
      { id = 4, j = {} },
      { id = 5, j = { big = MAX63 } },
      { id = 6, j = "just a string" },
      { id = 7, j = 42 },
      { id = 8 },
    }
    db:insert(t):values(docs):execute()
    local got = db:select():from(t):orderBy(t.id):all()
    assert.are.same(docs, got)
  end)

  it("the server sees real JSON (json_extract on the stored document)", function()
    local r = exec("select json_extract(`j`, '$.nested.deep.n') as n, json_length(`j`) as len from `ty_json` where `id` = 1")
    assert.are.equal("1", tostring(r[1].n))
    assert.are.equal(3, r[1].len)
    -- MariaDB's json is longtext with a json_valid check: invalid text is refused
    local ok, e = pcall(exec, "insert into `ty_json` values (99, '{bad')")
    assert.is_false(ok)
    assert.are.equal(d.QueryError, getmetatable(e))
  end)
end)

describe("mysql types: date, datetime, time, timestamp, year", function()
  local t = mysql.mysqlTable("ty_time", {
    id = mysql.int("id"):primaryKey(),
    dt = mysql.date("dt"),
    ds = mysql.date("ds", { mode = "string" }),
    dtm = mysql.datetime("dtm"),
    dtm3 = mysql.datetime("dtm3", { fsp = 3 }),
    dts = mysql.datetime("dts", { mode = "string", fsp = 6 }),
    tm = mysql.time("tm"),
    tm3 = mysql.time("tm3", { fsp = 3 }),
    ts = mysql.timestamp("ts"),
    ts3 = mysql.timestamp("ts3", { fsp = 3 }),
    tss = mysql.timestamp("tss", { mode = "string", fsp = 2 }),
    yr = mysql.year("yr"),
  })
  setup(function()
    fresh("ty_time", table.concat({
      "`id` int NOT NULL,", "`dt` date,", "`ds` date,", "`dtm` datetime,", "`dtm3` datetime(3),",
      "`dts` datetime(6),", "`tm` time,", "`tm3` time(3),", "`ts` timestamp NULL,", "`ts3` timestamp(3) NULL,",
      "`tss` timestamp(2) NULL,", "`yr` year,", "CONSTRAINT `ty_time_id` PRIMARY KEY(`id`)" }, "\n\t"))
  end)

  local T = 1700000000          -- 2023-11-14 22:13:20 UTC

  it("date mode: seconds since the epoch, UTC; a date keeps midnight", function()
    db:insert(t):values({ id = 1, dt = T, dtm = T, dtm3 = T + 0.123, ts = T, ts3 = T + 0.456 }):execute()
    local r = db:select():from(t):where(d.eq(t.id, 1)):get()
    assert.are.equal(1699920000, r.dt)          -- 2023-11-14 00:00:00
    assert.are.equal(T, r.dtm)
    assert.are.equal(T + 0.123, r.dtm3)
    assert.are.equal(T, r.ts)
    assert.are.equal(T + 0.456, r.ts3)
    local raw = exec("select cast(`dt` as char) a, cast(`dtm3` as char) b, cast(`ts3` as char) c from `ty_time` where `id` = 1")[1]
    assert.are.same({ a = "2023-11-14", b = "2023-11-14 22:13:20.123", c = "2023-11-14 22:13:20.456" }, raw)
  end)

  it("date mode: a datetime without fsp drops the fraction on the server (MariaDB truncates, MySQL 8 rounds)", function()
    db:insert(t):values({ id = 2, dtm = T + 0.6, dt = "2024-02-29" }):execute()
    local r = db:select({ dtm = t.dtm, dt = t.dt }):from(t):where(d.eq(t.id, 2)):get()
    assert.are.equal(MARIADB and T or T + 1, r.dtm)
    assert.are.equal(1709164800, r.dt)          -- a string passes through as the server's text
  end)

  it("date mode: before 1970 and far ahead", function()
    db:insert(t):values({ id = 3, dtm3 = -86400 * 365.25 * 30 + 0.5, dt = -86400 * 10, dtm = 253402300799 }):execute()
    local r = db:select({ dtm3 = t.dtm3, dt = t.dt, dtm = t.dtm }):from(t):where(d.eq(t.id, 3)):get()
    assert.are.equal(-86400 * 365.25 * 30 + 0.5, r.dtm3)
    assert.are.equal(-86400 * 10, r.dt)
    assert.are.equal(253402300799, r.dtm)       -- 9999-12-31 23:59:59
  end)

  it("string mode: the server's text, with the column's fractional digits", function()
    db:insert(t):values({ id = 4, ds = "2024-02-29", dts = "2024-02-29 23:59:59.123456", tss = "2024-02-29 12:00:00.5" }):execute()
    local r = db:select({ ds = t.ds, dts = t.dts, tss = t.tss }):from(t):where(d.eq(t.id, 4)):get()
    assert.are.same({ ds = "2024-02-29", dts = "2024-02-29 23:59:59.123456", tss = "2024-02-29 12:00:00.50" }, r)
  end)

  it("time (string): negative, beyond 24 hours and with fsp", function()
    db:insert(t):values({ { id = 5, tm = "12:34:56", tm3 = "01:02:03.456" }, { id = 6, tm = "-838:59:59", tm3 = "100:00:00" } }):execute()
    local got = db:select({ tm = t.tm, tm3 = t.tm3 }):from(t):where(d.inArray(t.id, { 5, 6 })):orderBy(t.id):all()
    assert.are.same({ { tm = "12:34:56", tm3 = "01:02:03.456" }, { tm = "-838:59:59", tm3 = "100:00:00.000" } }, got)
  end)

  it("year: a number", function()
    db:insert(t):values({ { id = 7, yr = 2024 }, { id = 8, yr = 1901 } }):execute()
    local got = db:select({ yr = t.yr }):from(t):where(d.inArray(t.id, { 7, 8 })):orderBy(t.id):all()
    assert.are.same({ { yr = 2024 }, { yr = 1901 } }, got)
  end)

  it("comparisons bind instants as the server's text", function()
    local got = db:select({ id = t.id }):from(t):where(d.and_(d.gt(t.dtm3, T), d.lt(t.dtm3, T + 1))):all()
    assert.are.same({ { id = 1 } }, got)
  end)
end)

describe("mysql types: mysqlEnum and customType", function()
  local point = mysql.customType({
    dataType = function() return "varchar(64)" end,
    toDriver = function(v) return ("%d,%d"):format(v.x, v.y) end,
    fromDriver = function(s) local x, y = s:match("^(-?%d+),(-?%d+)$"); return { x = tonumber(x), y = tonumber(y) } end,
  })
  local plain = mysql.customType({ dataType = function() return "int" end })
  local t = mysql.mysqlTable("ty_misc", {
    id = mysql.int("id"):primaryKey(),
    mood = mysql.mysqlEnum("mood", { "sad", "ok", "happy" }),
    p = point("p"),
    n = plain("n"),
  })
  setup(function()
    fresh("ty_misc", table.concat({ "`id` int NOT NULL,", "`mood` enum('sad','ok','happy'),", "`p` varchar(64),",
      "`n` int,", "CONSTRAINT `ty_misc_id` PRIMARY KEY(`id`)" }, "\n\t"))
  end)

  it("mysqlEnum round-trips its values and the server refuses others", function()
    db:insert(t):values({ { id = 1, mood = "happy" }, { id = 2, mood = "sad" } }):execute()
    local got = db:select({ mood = t.mood }):from(t):orderBy(t.id):all()
    assert.are.same({ { mood = "happy" }, { mood = "sad" } }, got)
    local ok, e = pcall(function() db:insert(t):values({ id = 3, mood = "angry" }):execute() end)
    assert.is_false(ok)
    assert.are.equal(d.QueryError, getmetatable(e))
    assert.are.equal(1265, e.errno)             -- data truncated for column 'mood'
  end)

  it("customType maps through toDriver / fromDriver, in values and in where", function()
    db:insert(t):values({ id = 4, p = { x = 3, y = -4 }, n = 7 }):execute()
    local r = db:select({ p = t.p, n = t.n }):from(t):where(d.eq(t.p, { x = 3, y = -4 })):get()
    assert.are.same({ p = { x = 3, y = -4 }, n = 7 }, r)
    assert.are.equal("3,-4", exec("select `p` from `ty_misc` where `id` = 4")[1].p)
  end)
end)

describe("mysql errors", function()
  local t = mysql.mysqlTable("ty_err", {
    id = mysql.serial("id"):primaryKey(),
    email = mysql.varchar("email", { length = 128 }):notNull(),
  }, function(tb) return { mysql.uniqueIndex("ty_err_email").on(tb.email) } end)
  setup(function()
    fresh("ty_err", "`id` serial AUTO_INCREMENT NOT NULL,\n\t`email` varchar(128) NOT NULL,\n\t" ..
      "CONSTRAINT `ty_err_id` PRIMARY KEY(`id`),\n\tCONSTRAINT `ty_err_email` UNIQUE(`email`)")
  end)

  it("a duplicate key is a QueryError with errno 1062, SQLSTATE 23000, the SQL and params", function()
    db:insert(t):values({ email = "a@x" }):execute()
    local ok, e = pcall(function() db:insert(t):values({ email = "a@x" }):execute() end)
    assert.is_false(ok)
    assert.are.equal(d.QueryError, getmetatable(e))
    assert.are.equal(1062, e.errno)
    assert.are.equal("23000", e.sqlstate)
    assert.are.equal("insert into `ty_err` (`id`, `email`) values (default, ?)", e.sql)
    assert.are.same({ "a@x" }, e.params)
    assert.matches("Duplicate entry", e.message)
    assert.matches("Failed query: insert into `ty_err`", tostring(e))
    -- the connection is still usable
    assert.are.equal(1, #db:select():from(t):all())
  end)

  it("an unknown field raises before any SQL runs", function()
    local seen = {}
    local logged = mysql.drizzle({ connection = URL, logger = function(q) seen[#seen + 1] = q end })
    local ok, e = pcall(function() logged:insert(t):values({ emial = "b@x" }):execute() end)
    assert.is_false(ok)
    assert.matches('unknown field "emial"', tostring(e))
    ok, e = pcall(function() logged:update(t):set({ nope = 1 }):execute() end)
    assert.is_false(ok)
    assert.matches('unknown field "nope"', tostring(e))
    assert.are.same({}, seen)
  end)

  it("returning() raises naming the mysql dialect; returningId() is the way", function()
    local ok, e = pcall(function() return db:insert(t):values({ email = "c@x" }):returning() end)
    assert.is_false(ok)
    assert.matches("mysql", tostring(e))
    assert.matches("returningId", tostring(e))
    assert.is_nil(db:select():from(t):where(d.eq(t.email, "c@x")):get())
  end)

  it("bad SQL is a QueryError with errno 1064 and SQLSTATE 42000", function()
    local ok, e = pcall(exec, "selec 1")
    assert.is_false(ok)
    assert.are.equal(1064, e.errno)
    assert.are.equal("42000", e.sqlstate)
    assert.are.equal("selec 1", e.sql)
  end)
end)
