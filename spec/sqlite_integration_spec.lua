-- Integration against real SQLite databases (":memory:" and a temp file):
-- every operator run against data, every column mode round-tripped, the
-- insert/update/delete/select builders and their result shapes.
local d = require("drizzle")
local sqlite = require("drizzle.sqlite")

local IS54 = math.type ~= nil   -- integers are exact on 5.3+

local function ddl(db, text) db:run(d.sql.raw(text)) end

local function ids(rows)
  local out = {}
  for i, r in ipairs(rows) do out[i] = r.id end
  return out
end

local function tmpfile()
  local name = os.tmpname()
  os.remove(name)
  return name
end

local function defineSchema()
  local users = sqlite.sqliteTable("users", {
    id = sqlite.integer("id"):primaryKey(),
    name = sqlite.text("name"):notNull(),
    age = sqlite.integer("age"),
    city = sqlite.text("city"),
  })
  local posts = sqlite.sqliteTable("posts", {
    id = sqlite.integer("id"):primaryKey(),
    authorId = sqlite.integer("author_id"),
    title = sqlite.text("title"):notNull(),
    views = sqlite.integer("views"):notNull():default(0),
  })
  return users, posts
end

local users, posts = defineSchema()

-- users: 1 alice 30 paris | 2 bob 20 london | 3 carol nil paris | 4 dave 40 nil | 5 eve 20 london
-- posts: 1 (alice) hello 10 | 2 (alice) world 20 | 3 (bob) bob post 5
local function seeded(target)
  local db = sqlite.drizzle(target or ":memory:")
  ddl(db, "create table users (id integer primary key, name text not null, age integer, city text)")
  ddl(db, "create table posts (id integer primary key, author_id integer, title text not null, views integer not null default 0)")
  db:insert(users):values({
    { id = 1, name = "alice", age = 30, city = "paris" },
    { id = 2, name = "bob", age = 20, city = "london" },
    { id = 3, name = "carol", city = "paris" },
    { id = 4, name = "dave", age = 40 },
    { id = 5, name = "eve", age = 20, city = "london" },
  }):run()
  db:insert(posts):values({
    { id = 1, authorId = 1, title = "hello", views = 10 },
    { id = 2, authorId = 1, title = "world", views = 20 },
    { id = 3, authorId = 2, title = "bob post", views = 5 },
  }):run()
  return db
end

describe("sqlite integration: operators against data", function()
  local db
  before_each(function() db = seeded() end)
  after_each(function() db:close() end)

  local function whereIds(cond)
    return ids(db:select({ id = users.id }):from(users):where(cond):orderBy(users.id):all())
  end

  it("eq / ne", function()
    local q = db:select({ id = users.id }):from(users):where(d.eq(users.id, 2))
    assert.same({ sql = 'select "id" from "users" where "users"."id" = ?', params = { 2 } }, q:toSQL())
    assert.same({ 2 }, ids(q:all()))
    assert.same({ 2, 5 }, whereIds(d.ne(users.city, "paris")))   -- NULL city is neither
  end)

  it("gt / gte / lt / lte", function()
    assert.same({ 4 }, whereIds(d.gt(users.age, 30)))
    assert.same({ 1, 4 }, whereIds(d.gte(users.age, 30)))
    assert.same({ 2, 5 }, whereIds(d.lt(users.age, 30)))
    assert.same({ 1, 2, 5 }, whereIds(d.lte(users.age, 30)))
    assert.equal('select "id" from "users" where "users"."age" >= ?',
      db:select({ id = users.id }):from(users):where(d.gte(users.age, 30)):toSQL().sql)
  end)

  it("and_ / or_ skip nil conditions", function()
    local c = d.and_(d.gt(users.age, 20), nil, d.eq(users.city, "paris"))
    local q = db:select({ id = users.id }):from(users):where(c)
    assert.same({ sql = 'select "id" from "users" where ("users"."age" > ? and "users"."city" = ?)',
                  params = { 20, "paris" } }, q:toSQL())
    assert.same({ 1 }, ids(q:all()))
    assert.same({ 1, 3 }, whereIds(d.or_(d.eq(users.id, 1), nil, d.eq(users.id, 3))))
    -- one condition left: not wrapped
    local one = db:select({ id = users.id }):from(users):where(d.and_(nil, d.eq(users.id, 4), nil))
    assert.equal('select "id" from "users" where "users"."id" = ?', one:toSQL().sql)
    assert.same({ 4 }, ids(one:all()))
  end)

  it("and_ / or_ of only nils drop the where", function()
    assert.is_nil(d.and_(nil, nil))
    assert.is_nil(d.or_())
    local q = db:select({ id = users.id }):from(users):where(d.and_(nil, nil)):orderBy(users.id)
    assert.equal('select "id" from "users" order by "users"."id"', q:toSQL().sql)
    assert.same({ 1, 2, 3, 4, 5 }, ids(q:all()))
  end)

  it("not_", function()
    local q = db:select({ id = users.id }):from(users):where(d.not_(d.eq(users.city, "paris")))
    assert.equal('select "id" from "users" where not "users"."city" = ?', q:toSQL().sql)
    assert.same({ 2, 5 }, whereIds(d.not_(d.eq(users.city, "paris"))))
  end)

  it("exists / notExists with a correlated subquery", function()
    local sub = db:select({ one = d.sql("1") }):from(posts):where(d.eq(posts.authorId, users.id))
    local q = db:select({ id = users.id }):from(users):where(d.exists(sub)):orderBy(users.id)
    assert.equal('select "id" from "users" where exists (select 1 from "posts" where "posts"."author_id" = "users"."id") order by "users"."id"',
      q:toSQL().sql)
    assert.same({ 1, 2 }, ids(q:all()))
    local sub2 = db:select({ one = d.sql("1") }):from(posts):where(d.eq(posts.authorId, users.id))
    assert.same({ 3, 4, 5 }, whereIds(d.notExists(sub2)))
  end)

  it("between / notBetween", function()
    local q = db:select({ id = users.id }):from(users):where(d.between(users.age, 20, 30))
    assert.same({ sql = 'select "id" from "users" where "users"."age" between ? and ?', params = { 20, 30 } }, q:toSQL())
    assert.same({ 1, 2, 5 }, whereIds(d.between(users.age, 20, 30)))
    assert.same({ 4 }, whereIds(d.notBetween(users.age, 20, 30)))
  end)

  it("like / notLike", function()
    local q = db:select({ id = users.id }):from(users):where(d.like(users.name, "%o%"))
    assert.same({ sql = 'select "id" from "users" where "users"."name" like ?', params = { "%o%" } }, q:toSQL())
    assert.same({ 2, 3 }, whereIds(d.like(users.name, "%o%")))
    assert.same({ 1, 4, 5 }, whereIds(d.notLike(users.name, "%o%")))
  end)

  it("inArray / notInArray with lists", function()
    local q = db:select({ id = users.id }):from(users):where(d.inArray(users.id, { 1, 3 }))
    assert.same({ sql = 'select "id" from "users" where "users"."id" in (?, ?)', params = { 1, 3 } }, q:toSQL())
    assert.same({ 1, 3 }, whereIds(d.inArray(users.id, { 1, 3 })))
    assert.same({ 2, 4, 5 }, whereIds(d.notInArray(users.id, { 1, 3 })))
  end)

  it("inArray of an empty list is false, notInArray true", function()
    local q = db:select({ id = users.id }):from(users):where(d.inArray(users.id, {}))
    assert.same({ sql = 'select "id" from "users" where false', params = {} }, q:toSQL())
    assert.same({}, q:all())
    local q2 = db:select({ id = users.id }):from(users):where(d.notInArray(users.id, {})):orderBy(users.id)
    assert.equal('select "id" from "users" where true order by "users"."id"', q2:toSQL().sql)
    assert.same({ 1, 2, 3, 4, 5 }, ids(q2:all()))
  end)

  it("inArray / notInArray with a subquery", function()
    local sub = db:select({ a = posts.authorId }):from(posts)
    local q = db:select({ id = users.id }):from(users):where(d.inArray(users.id, sub)):orderBy(users.id)
    assert.equal('select "id" from "users" where "users"."id" in (select "author_id" from "posts") order by "users"."id"',
      q:toSQL().sql)
    assert.same({ 1, 2 }, ids(q:all()))
    assert.same({ 3, 4, 5 }, whereIds(d.notInArray(users.id, db:select({ a = posts.authorId }):from(posts))))
  end)

  it("isNull / isNotNull", function()
    assert.equal('select "id" from "users" where "users"."age" is null',
      db:select({ id = users.id }):from(users):where(d.isNull(users.age)):toSQL().sql)
    assert.same({ 3 }, whereIds(d.isNull(users.age)))
    assert.same({ 1, 2, 3, 5 }, whereIds(d.isNotNull(users.city)))
  end)

  it("asc / desc", function()
    local q = db:select({ id = users.id }):from(users):orderBy(d.desc(users.age), d.asc(users.id))
    assert.equal('select "id" from "users" order by "users"."age" desc, "users"."id" asc', q:toSQL().sql)
    assert.same({ 4, 1, 2, 5, 3 }, ids(q:all()))
    assert.same({ 3, 5, 2, 1, 4 },
      ids(db:select({ id = users.id }):from(users):orderBy(d.asc(users.age), d.desc(users.id)):all()))
  end)

  it("count / countDistinct / avg / avgDistinct / sum / sumDistinct / max / min", function()
    local q = db:select({
      n = d.count(), nAge = d.count(users.age), nDistinct = d.countDistinct(users.age),
      avg = d.avg(users.age), avgD = d.avgDistinct(users.age),
      sum = d.sum(users.age), sumD = d.sumDistinct(users.age),
      max = d.max(users.age), min = d.min(users.name),
    }):from(users)
    assert.equal('select count(*), count("age"), count(distinct "age"), avg("age"), avg(distinct "age"), '
      .. 'sum("age"), sum(distinct "age"), max("age"), min("name") from "users"', q:toSQL().sql)
    local r = q:get()
    assert.same({ n = 5, nAge = 4, nDistinct = 3, avg = "27.5", avgD = "30", sum = "110", sumD = "90",
                  max = 40, min = "alice" }, r)
    if IS54 then
      assert.equal("integer", math.type(r.n))
      assert.equal("integer", math.type(r.max))
    end
  end)

  it("aggregates over no rows: count 0, the others absent", function()
    local r = db:select({ n = d.count(), s = d.sum(users.age), m = d.max(users.age) })
      :from(users):where(d.gt(users.id, 100)):get()
    assert.same({ n = 0 }, r)
  end)
end)

describe("sqlite integration: column modes round-trip", function()
  local t = sqlite.sqliteTable("modes", {
    id = sqlite.integer("id"):primaryKey(),
    n = sqlite.integer("n"),
    b = sqlite.integer("b", { mode = "boolean" }),
    ts = sqlite.integer("ts", { mode = "timestamp" }),
    tms = sqlite.integer("tms", { mode = "timestamp_ms" }),
    tx = sqlite.text("tx"),
    en = sqlite.text("en", { enum = { "red", "green" } }),
    js = sqlite.text("js", { mode = "json" }),
    r = sqlite.real("r"),
    ns = sqlite.numeric("ns"),
    nn = sqlite.numeric("nn", { mode = "number" }),
    nb = sqlite.numeric("nb", { mode = "bigint" }),
    bb = sqlite.blob("bb"),
    bj = sqlite.blob("bj", { mode = "json" }),
    bi = sqlite.blob("bi", { mode = "bigint" }),
  })
  local db, path

  before_each(function()
    path = tmpfile()
    db = sqlite.drizzle(path)
    ddl(db, "create table modes (id integer primary key, n integer, b integer, ts integer, tms integer, tx text, "
      .. "en text, js text, r real, ns numeric, nn numeric, nb numeric, bb blob, bj blob, bi blob)")
  end)
  after_each(function()
    db:close()
    os.remove(path)
  end)

  local function roundTrip(row)
    db:insert(t):values(row):run()
    return db:select():from(t):where(d.eq(t.id, row.id)):get()
  end

  it("integer number, boolean, timestamps", function()
    local back = roundTrip({ id = 1, n = -42, b = true, ts = 1719791999, tms = 1719791999.123 })
    assert.same({ id = 1, n = -42, b = true, ts = 1719791999, tms = 1719791999.123 }, back)
    if IS54 then assert.equal("integer", math.type(back.n)) end
    local back2 = roundTrip({ id = 2, b = false, ts = 0, tms = 0.5 })
    assert.same({ id = 2, b = false, ts = 0, tms = 0.5 }, back2)
    -- stored forms: 1/0, epoch seconds, epoch milliseconds
    assert.same({ { 1, 1719791999, 1719791999123 } },
      db:select({ b = t.b, ts = t.ts, tms = t.tms }):from(t):where(d.eq(t.id, 1)):values())
  end)

  it("boolean and timestamp params are encoded by the compared column", function()
    roundTrip({ id = 1, b = true, ts = 1000 })
    roundTrip({ id = 2, b = false, ts = 2000 })
    local q = db:select({ id = t.id }):from(t):where(d.eq(t.b, true))
    assert.same({ 1 }, q:toSQL().params)
    assert.same({ 1 }, ids(q:all()))
    assert.same({ 2 }, ids(db:select({ id = t.id }):from(t):where(d.gt(t.ts, 1500)):all()))
  end)

  it("text, text enum, real", function()
    local back = roundTrip({ id = 1, tx = "héllo ☃ 'quoted' \"dq\"", en = "green", r = 1.25 })
    assert.same({ id = 1, tx = "héllo ☃ 'quoted' \"dq\"", en = "green", r = 1.25 }, back)
    local back2 = roundTrip({ id = 2, tx = "", r = -0.1 })
    assert.same({ id = 2, tx = "", r = -0.1 }, back2)
  end)

  it("text json: nested tables, arrays, d.NULL inside", function()
    local value = { a = { 1, 2, { x = d.NULL, y = "z" } }, s = "q", t = true, f = false, e = {}, n = 1.5 }
    local back = roundTrip({ id = 1, js = value })
    assert.same({ id = 1, js = value }, back)
    assert.equal(d.NULL, back.js.a[3].x)
    local raw = db:select({ js = d.sql("js") }):from(t):get()
    assert.equal("string", type(raw.js))
    assert.same(value, require("drizzle.core").json.decode(raw.js))
    local arr = roundTrip({ id = 2, js = { "a", d.NULL, 3 } })
    assert.same({ "a", d.NULL, 3 }, arr.js)
  end)

  it("numeric: string / number / bigint", function()
    local back = roundTrip({ id = 1, ns = "12.5", nn = 3.25, nb = IS54 and math.tointeger(123456789012) or "123456789012" })
    assert.same({ id = 1, ns = "12.5", nn = 3.25, nb = IS54 and math.tointeger(123456789012) or 123456789012 }, back)
    assert.equal("string", type(back.ns))
    assert.equal("number", type(back.nn))
    -- a numeric string SQLite stores as an integer still reads back as a string
    assert.same({ id = 2, ns = "7" }, roundTrip({ id = 2, ns = "7" }))
  end)

  it("blob buffer keeps every byte (NUL included)", function()
    local bytes = "a\0b\255\0" .. string.char(1, 2, 3)
    local back = roundTrip({ id = 1, bb = bytes })
    assert.equal(bytes, back.bb)
    assert.equal(8, #back.bb)
    assert.same({ { "blob" } }, db:select({ ty = d.sql("typeof(bb)") }):from(t):values())
  end)

  it("blob json and blob bigint", function()
    local big = IS54 and math.tointeger(9007199254740993) or "9007199254740993"
    local back = roundTrip({ id = 1, bj = { k = { 1, d.NULL, "x" } }, bi = big })
    assert.same({ k = { 1, d.NULL, "x" } }, back.bj)
    assert.equal(big, back.bi)
    assert.same({ { "blob", "blob" } },
      db:select({ a = d.sql("typeof(bj)"), b = d.sql("typeof(bi)") }):from(t):values())
  end)

  it("integers near and beyond 2^53 stay exact", function()
    local near = 9007199254740992        -- 2^53, exact as a double
    local back = roundTrip({ id = 1, n = near })
    assert.equal(near, back.n)
    if IS54 then
      local beyond = math.tointeger(9007199254740993)
      local max = math.maxinteger
      assert.equal(beyond, roundTrip({ id = 2, n = beyond, nb = beyond }).n)
      local r3 = roundTrip({ id = 3, n = max, nb = max, bi = max })
      assert.same({ id = 3, n = max, nb = max, bi = max }, r3)
      assert.equal("integer", math.type(r3.nb))
      -- exact comparison in SQL: only the row holding 2^53+1
      assert.same({ 2 }, ids(db:select({ id = t.id }):from(t):where(d.eq(t.n, beyond)):all()))
    else
      -- 5.1 / LuaJIT: beyond 2^53 reads back as a decimal string, never rounded
      local r2 = roundTrip({ id = 2, n = "9007199254740993", nb = "9007199254740993" })
      assert.equal("9007199254740993", r2.n)
      assert.equal("9007199254740993", r2.nb)
      local r3 = roundTrip({ id = 3, n = "9223372036854775807", bi = "-9223372036854775808" })
      assert.equal("9223372036854775807", r3.n)
      assert.equal("-9223372036854775808", r3.bi)
      assert.same({ { "integer" } }, db:select({ ty = d.sql("typeof(n)") }):from(t):where(d.eq(t.id, 2)):values())
    end
  end)

  it("NULL reads back as an absent field; d.NULL is accepted as an input", function()
    local back = roundTrip({ id = 1, n = d.NULL, tx = d.NULL, js = d.NULL, bb = d.NULL, b = d.NULL })
    assert.same({ id = 1 }, back)
    local q = db:insert(t):values({ id = 2, tx = d.NULL })
    local s = q:toSQL()
    assert.equal(d.NULL, s.params[2])
    q:run()
    assert.same({ id = 2 }, db:select():from(t):where(d.eq(t.id, 2)):get())
    -- update to NULL with d.NULL
    roundTrip({ id = 3, tx = "x" })
    db:update(t):set({ tx = d.NULL }):where(d.eq(t.id, 3)):run()
    assert.same({ id = 3 }, db:select():from(t):where(d.eq(t.id, 3)):get())
    assert.same({ 1, 2, 3 }, ids(db:select({ id = t.id }):from(t):where(d.isNull(t.tx)):orderBy(t.id):all()))
  end)
end)

describe("sqlite integration: insert", function()
  local counter = 0
  local items = sqlite.sqliteTable("items", {
    id = sqlite.integer("id"):primaryKey(),
    name = sqlite.text("name"):notNull():unique(),
    role = sqlite.text("role"):default("user"),
    createdAt = sqlite.integer("created_at"):default(d.sql("(40 + 2)")),
    token = sqlite.text("token"):defaultFn(function() counter = counter + 1; return "tok" .. counter end),
    updatedAt = sqlite.integer("updated_at"):onUpdateFn(function() return 777 end),
  })
  local db
  before_each(function()
    counter = 0
    db = sqlite.drizzle(":memory:")
    ddl(db, "create table items (id integer primary key, name text not null unique, role text, created_at integer, "
      .. "token text, updated_at integer)")
  end)
  after_each(function() db:close() end)

  it("one row: literal default, sql default, defaultFn, onUpdateFn", function()
    local q = db:insert(items):values({ name = "a" })
    assert.same({
      sql = 'insert into "items" ("id", "name", "role", "created_at", "token", "updated_at") values (null, ?, ?, (40 + 2), ?, ?)',
      params = { "a", "user", "tok1", 777 },
    }, q:toSQL())
    local r = q:execute()
    assert.same({ rowsAffected = 1, insertId = 1 }, r)
    assert.same({ { id = 1, name = "a", role = "user", createdAt = 42, token = "tok2", updatedAt = 777 } },
      db:select():from(items):all())
  end)

  it("many rows; given values win over defaults", function()
    local r = db:insert(items):values({ { name = "a" }, { name = "b", role = "admin", token = "mine" } }):execute()
    assert.same({ rowsAffected = 2, insertId = 2 }, r)
    assert.same({
      { id = 1, name = "a", role = "user", createdAt = 42, token = "tok1", updatedAt = 777 },
      { id = 2, name = "b", role = "admin", createdAt = 42, token = "mine", updatedAt = 777 },
    }, db:select():from(items):orderBy(items.id):all())
  end)

  it("returning: full and partial", function()
    local full = db:insert(items):values({ name = "a", role = "r" }):returning()
    assert.equal('insert into "items" ("id", "name", "role", "created_at", "token", "updated_at") values (null, ?, ?, (40 + 2), ?, ?) '
      .. 'returning "id", "name", "role", "created_at", "token", "updated_at"', full:toSQL().sql)
    assert.same({ { id = 1, name = "a", role = "r", createdAt = 42, token = "tok2", updatedAt = 777 } }, full:execute())
    local part = db:insert(items):values({ { name = "b" }, { name = "c" } }):returning({ id = items.id, n = items.name })
    assert.equal('insert into "items" ("id", "name", "role", "created_at", "token", "updated_at") values '
      .. '(null, ?, ?, (40 + 2), ?, ?), (null, ?, ?, (40 + 2), ?, ?) returning "id", "name"', part:toSQL().sql)
    assert.same({ { id = 2, n = "b" }, { id = 3, n = "c" } }, part:all())
    assert.same({ id = 4, n = "d" }, db:insert(items):values({ name = "d" }):returning({ id = items.id, n = items.name }):get())
  end)

  it("onConflictDoNothing", function()
    db:insert(items):values({ name = "a" }):run()
    local q = db:insert(items):values({ name = "a", role = "x" }):onConflictDoNothing()
    assert.matches(' on conflict do nothing$', q:toSQL().sql)
    assert.same({ rowsAffected = 0, insertId = 1 }, q:execute())
    local q2 = db:insert(items):values({ name = "a" }):onConflictDoNothing({ target = items.name }):returning()
    assert.matches(' on conflict %("items"%."name"%) do nothing returning ', q2:toSQL().sql)
    assert.same({}, q2:all())
    assert.same({ { id = 1, name = "a", role = "user" } },
      db:select({ id = items.id, name = items.name, role = items.role }):from(items):all())
  end)

  it("onConflictDoUpdate: target, set (values and d.sql), setWhere / where", function()
    db:insert(items):values({ { name = "a" }, { name = "b", role = "admin" } }):run()
    local q = db:insert(items):values({ name = "a" })
      :onConflictDoUpdate({ target = items.name, set = { role = "dup" }, setWhere = d.eq(items.role, "user") })
    assert.same({
      sql = 'insert into "items" ("id", "name", "role", "created_at", "token", "updated_at") values (null, ?, ?, (40 + 2), ?, ?) '
        .. 'on conflict ("items"."name") do update set "role" = ?, "updated_at" = ? where "items"."role" = ?',
      params = { "a", "user", "tok3", 777, "dup", 777, "user" },
    }, q:toSQL())
    assert.same({ { id = 1, role = "dup" } }, q:returning({ id = items.id, role = items.role }):all())
    -- setWhere false: nothing is updated
    local none = db:insert(items):values({ name = "b" })
      :onConflictDoUpdate({ target = items.name, set = { role = "dup" }, where = d.eq(items.role, "user") })
      :returning({ id = items.id })
    assert.same({}, none:all())
    -- set with d.sql reading excluded
    db:insert(items):values({ name = "b", role = "guest" })
      :onConflictDoUpdate({ target = items.name, set = { role = d.sql("excluded.role || '!'") } }):run()
    assert.same({ { name = "a", role = "dup" }, { name = "b", role = "guest!" } },
      db:select({ name = items.name, role = items.role }):from(items):orderBy(items.id):all())
  end)

  it("insert ... select", function()
    db:insert(items):values({ { name = "a" }, { name = "b" } }):run()
    local sel = db:select({
      id = d.sql("id + 10"), name = d.sql("name || '2'"), role = items.role, createdAt = items.createdAt,
      token = items.token, updatedAt = items.updatedAt,
    }):from(items)
    local q = db:insert(items):select(sel)
    assert.equal('insert into "items" ("id", "name", "role", "created_at", "token", "updated_at") '
      .. 'select id + 10, name || \'2\', "role", "created_at", "token", "updated_at" from "items"', q:toSQL().sql)
    assert.same({ rowsAffected = 2, insertId = 12 }, q:execute())
    assert.same({ { id = 1, name = "a" }, { id = 2, name = "b" }, { id = 11, name = "a2" }, { id = 12, name = "b2" } },
      db:select({ id = items.id, name = items.name }):from(items):orderBy(items.id):all())
  end)
end)

describe("sqlite integration: update and delete", function()
  local db
  before_each(function() db = seeded() end)
  after_each(function() db:close() end)

  it("update with set values, where, execute result", function()
    local q = db:update(users):set({ city = "rome", age = 31 }):where(d.eq(users.id, 1))
    assert.same({ sql = 'update "users" set "age" = ?, "city" = ? where "users"."id" = ?', params = { 31, "rome", 1 } },
      q:toSQL())
    local r = q:execute()
    assert.equal(1, r.rowsAffected)
    assert.same({ id = 1, name = "alice", age = 31, city = "rome" }, db:select():from(users):where(d.eq(users.id, 1)):get())
    assert.equal(2, db:update(users):set({ city = "oslo" }):where(d.eq(users.city, "london")):execute().rowsAffected)
  end)

  it("update with d.sql and returning", function()
    local q = db:update(users):set({ age = d.sql("? + 1", users.age) }):where(d.isNotNull(users.age))
      :returning({ id = users.id, age = users.age })
    assert.equal('update "users" set "age" = "users"."age" + 1 where "users"."age" is not null returning "id", "age"',
      q:toSQL().sql)
    local rows = q:all()
    table.sort(rows, function(a, b) return a.id < b.id end)
    assert.same({ { id = 1, age = 31 }, { id = 2, age = 21 }, { id = 4, age = 41 }, { id = 5, age = 21 } }, rows)
    assert.same({ id = 3, name = "carol", city = "paris" },
      db:update(users):set({ name = "carol" }):where(d.eq(users.id, 3)):returning():get())
  end)

  it("update with orderBy / limit", function()
    local q = db:update(users):set({ city = "x" }):orderBy(d.desc(users.id)):limit(2)
    assert.same({ sql = 'update "users" set "city" = ? order by "users"."id" desc limit ?', params = { "x", 2 } },
      q:toSQL())
    assert.equal(2, q:execute().rowsAffected)
    assert.same({ 4, 5 }, ids(db:select({ id = users.id }):from(users):where(d.eq(users.city, "x")):orderBy(users.id):all()))
  end)

  it("delete with where, returning, execute result", function()
    local q = db:delete(users):where(d.eq(users.city, "london")):returning({ id = users.id })
    assert.same({ sql = 'delete from "users" where "users"."city" = ? returning "id"', params = { "london" } }, q:toSQL())
    local rows = q:all()
    table.sort(rows, function(a, b) return a.id < b.id end)
    assert.same({ { id = 2 }, { id = 5 } }, rows)
    local r = db:delete(users):where(d.gt(users.id, 3)):execute()
    assert.equal(1, r.rowsAffected)
    assert.same({ 1, 3 }, ids(db:select({ id = users.id }):from(users):orderBy(users.id):all()))
    assert.equal(2, db:delete(users):execute().rowsAffected)
    assert.same({}, db:select():from(users):all())
  end)
end)

describe("sqlite integration: result methods", function()
  local db
  before_each(function() db = seeded() end)
  after_each(function() db:close() end)

  it(":get() gives the first row or nil", function()
    assert.same({ id = 1, name = "alice", age = 30, city = "paris" }, db:select():from(users):orderBy(users.id):get())
    assert.is_nil(db:select():from(users):where(d.eq(users.id, 99)):get())
  end)

  it(":all() and :execute() give every row", function()
    assert.same({ 1, 2, 3, 4, 5 }, ids(db:select():from(users):orderBy(users.id):all()))
    assert.same({ 1, 2, 3, 4, 5 }, ids(db:select():from(users):orderBy(users.id):execute()))
  end)

  it(":values() gives arrays in select order, NULL as d.NULL", function()
    assert.same({ { 3, "carol", d.NULL }, { 4, "dave", 40 } },
      db:select({ id = users.id, name = users.name, age = users.age }):from(users)
        :where(d.inArray(users.id, { 3, 4 })):orderBy(users.id):values())
  end)

  it(":run() gives rowsAffected and insertId", function()
    assert.same({ rowsAffected = 1, insertId = 6 }, db:insert(users):values({ name = "frank" }):run())
    assert.equal(5, db:update(users):set({ city = "c" }):where(d.ne(users.name, "frank")):run().rowsAffected)
  end)

  it("db:run / db:all / db:get / db:values on raw sql", function()
    assert.same({ { n = 5 } }, db:all(d.sql("select count(*) as n from users")))
    assert.same({ name = "bob" }, db:get(d.sql("select name from users where id = ?", 2)))
    assert.same({ { 2, "bob" } }, db:values(d.sql("select id, name from users where id = ?", 2)))
    assert.same({ rowsAffected = 1, insertId = 6 }, db:run(d.sql("insert into users (name) values (?)", "zed")))
  end)
end)

describe("sqlite integration: selects", function()
  local db, path
  before_each(function()
    path = tmpfile()
    db = seeded(path)
  end)
  after_each(function()
    db:close()
    os.remove(path)
  end)

  it("partial and nested selects", function()
    local q = db:select({ id = users.id, info = { name = users.name, age = users.age } }):from(users)
      :where(d.inArray(users.id, { 1, 3 })):orderBy(users.id)
    assert.equal('select "id", "name", "age" from "users" where "users"."id" in (?, ?) order by "users"."id"', q:toSQL().sql)
    assert.same({ { id = 1, info = { name = "alice", age = 30 } }, { id = 3, info = { name = "carol" } } }, q:all())
  end)

  it("left join: the absent side is nil", function()
    local q = db:select({ user = { id = users.id, name = users.name }, post = { id = posts.id, title = posts.title } })
      :from(users):leftJoin(posts, d.eq(posts.authorId, users.id)):orderBy(users.id, posts.id)
    assert.equal('select "users"."id", "users"."name", "posts"."id", "posts"."title" from "users" left join "posts" '
      .. 'on "posts"."author_id" = "users"."id" order by "users"."id", "posts"."id"', q:toSQL().sql)
    assert.same({
      { user = { id = 1, name = "alice" }, post = { id = 1, title = "hello" } },
      { user = { id = 1, name = "alice" }, post = { id = 2, title = "world" } },
      { user = { id = 2, name = "bob" }, post = { id = 3, title = "bob post" } },
      { user = { id = 3, name = "carol" } },
      { user = { id = 4, name = "dave" } },
      { user = { id = 5, name = "eve" } },
    }, q:all())
  end)

  it("left join of whole tables nests by table name", function()
    local rows = db:select():from(users):leftJoin(posts, d.eq(posts.authorId, users.id))
      :where(d.inArray(users.id, { 2, 4 })):orderBy(users.id):all()
    assert.same({
      { users = { id = 2, name = "bob", age = 20, city = "london" }, posts = { id = 3, authorId = 2, title = "bob post", views = 5 } },
      { users = { id = 4, name = "dave", age = 40 } },
    }, rows)
  end)

  it("inner join", function()
    local rows = db:select({ name = users.name, title = posts.title }):from(posts)
      :innerJoin(users, d.eq(users.id, posts.authorId)):orderBy(posts.id):all()
    assert.same({ { name = "alice", title = "hello" }, { name = "alice", title = "world" }, { name = "bob", title = "bob post" } }, rows)
  end)

  it("distinct", function()
    local q = db:selectDistinct({ city = users.city }):from(users):orderBy(users.city)
    assert.equal('select distinct "city" from "users" order by "users"."city"', q:toSQL().sql)
    assert.same({ {}, { city = "london" }, { city = "paris" } }, q:all())
  end)

  it("groupBy / having", function()
    local q = db:select({ city = users.city, n = d.count() }):from(users):groupBy(users.city)
      :having(d.gt(d.count(), 1)):orderBy(users.city)
    assert.same({ sql = 'select "city", count(*) from "users" group by "users"."city" having count(*) > ? order by "users"."city"',
                  params = { 1 } }, q:toSQL())
    assert.same({ { city = "london", n = 2 }, { city = "paris", n = 2 } }, q:all())
  end)

  it("orderBy / limit / offset", function()
    local q = db:select({ id = users.id }):from(users):orderBy(users.id):limit(2):offset(1)
    assert.same({ sql = 'select "id" from "users" order by "users"."id" limit ? offset ?', params = { 2, 1 } }, q:toSQL())
    assert.same({ 2, 3 }, ids(q:all()))
    assert.same({ 5 }, ids(db:select({ id = users.id }):from(users):orderBy(d.desc(users.id)):limit(1):all()))
  end)

  it("subquery in from", function()
    local sq = db:select({ id = users.id, name = users.name }):from(users):where(d.gte(users.age, 30)):as("sq")
    local q = db:select():from(sq):orderBy(sq.id)
    assert.equal('select "id", "name" from (select "id", "name" from "users" where "users"."age" >= ?) "sq" order by "sq"."id"',
      q:toSQL().sql)
    assert.same({ { id = 1, name = "alice" }, { id = 4, name = "dave" } }, q:all())
  end)

  it("subquery in where (scalar) and in select", function()
    local maxAge = db:select({ m = d.max(users.age) }):from(users)
    assert.same({ 4 }, ids(db:select({ id = users.id }):from(users):where(d.eq(users.age, maxAge)):all()))
    local postCount = d.sql("(?)", db:select({ c = d.count() }):from(posts):where(d.eq(posts.authorId, users.id)))
      :mapWith(tonumber):as("postCount")
    local rows = db:select({ id = users.id, postCount = postCount }):from(users):orderBy(users.id):all()
    assert.same({ { id = 1, postCount = 2 }, { id = 2, postCount = 1 }, { id = 3, postCount = 0 },
                  { id = 4, postCount = 0 }, { id = 5, postCount = 0 } }, rows)
  end)

  it("db:cte + db:with", function()
    local adults = db:cte("adults"):as(db:select({ id = users.id, name = users.name }):from(users):where(d.gte(users.age, 30)))
    local q = db:with(adults):select():from(adults):orderBy(adults.id)
    assert.same({
      sql = 'with "adults" as (select "id", "name" from "users" where "users"."age" >= ?) select "id", "name" from "adults" order by "adults"."id"',
      params = { 30 },
    }, q:toSQL())
    assert.same({ { id = 1, name = "alice" }, { id = 4, name = "dave" } }, q:all())
  end)

  it("union / unionAll / intersect / except", function()
    local function cityNames(city) return db:select({ name = users.name }):from(users):where(d.eq(users.city, city)) end
    local u = cityNames("paris"):union(cityNames("london")):orderBy(users.name)
    assert.equal('select "name" from "users" where "users"."city" = ? union select "name" from "users" where "users"."city" = ? order by "name"',
      u:toSQL().sql)
    assert.same({ { name = "alice" }, { name = "bob" }, { name = "carol" }, { name = "eve" } }, u:all())

    local function cityOf(id) return db:select({ city = users.city }):from(users):where(d.eq(users.id, id)) end
    assert.same({ { city = "paris" } }, cityOf(1):union(cityOf(3)):all())
    assert.same({ { city = "paris" }, { city = "paris" } }, cityOf(1):unionAll(cityOf(3)):all())
    assert.same({ { city = "paris" }, { city = "paris" } }, sqlite.unionAll(cityOf(1), cityOf(3)):all())

    local function idsWhere(c) return db:select({ id = users.id }):from(users):where(c) end
    assert.same({ 1 }, ids(idsWhere(d.gte(users.age, 20)):intersect(idsWhere(d.eq(users.city, "paris"))):all()))
    assert.same({ 2, 4, 5 }, ids(idsWhere(nil):except(idsWhere(d.eq(users.city, "paris"))):orderBy(users.id):all()))
  end)

  it("db:count(table, filter):execute()", function()
    assert.equal(5, db:count(users):execute())
    assert.equal(2, db:count(users, d.eq(users.city, "paris")):execute())
    assert.equal(0, db:count(users, d.gt(users.id, 100)):execute())
    local rows = db:select({ id = users.id, posts = db:count(posts, d.eq(posts.authorId, users.id)) })
      :from(users):where(d.lte(users.id, 2)):orderBy(users.id):all()
    assert.same({ { id = 1, posts = 2 }, { id = 2, posts = 1 } }, rows)
  end)

  it("db:batch runs every query and returns each result", function()
    local out = db:batch({
      db:insert(users):values({ name = "frank", age = 50 }),
      db:update(users):set({ age = 51 }):where(d.eq(users.name, "frank")),
      db:select({ name = users.name, age = users.age }):from(users):where(d.eq(users.name, "frank")),
      d.sql("delete from posts"),
    })
    assert.same({
      { rowsAffected = 1, insertId = 6 },
      { rowsAffected = 1, insertId = 6 },
      { { name = "frank", age = 51 } },
      { rowsAffected = 3, insertId = 6 },
    }, out)
    assert.equal(0, db:count(posts):execute())
  end)
end)

describe("sqlite integration: prepared statements", function()
  local db
  before_each(function() db = seeded() end)
  after_each(function() db:close() end)

  it("placeholder in where, run repeatedly with different values", function()
    local p = db:select():from(users):where(d.eq(users.id, d.sql.placeholder("id"))):prepare("byId")
    assert.same({ { id = 2, name = "bob", age = 20, city = "london" } }, p:execute({ id = 2 }))
    assert.same({ { id = 4, name = "dave", age = 40 } }, p:execute({ id = 4 }))
    assert.same({ id = 1, name = "alice", age = 30, city = "paris" }, p:get({ id = 1 }))
    assert.same({}, p:all({ id = 99 }))
    assert.same({ { 3, "carol", d.NULL, "paris" } }, p:values({ id = 3 }))
  end)

  it("placeholders in limit / offset", function()
    local q = db:select({ id = users.id }):from(users):orderBy(users.id)
      :limit(d.sql.placeholder("lim")):offset(d.sql.placeholder("off"))
    local s = q:toSQL()
    assert.equal('select "id" from "users" order by "users"."id" limit ? offset ?', s.sql)
    assert.equal("lim", s.params[1].name)
    assert.equal("off", s.params[2].name)
    local p = q:prepare()
    assert.same({ 1, 2 }, ids(p:execute({ lim = 2, off = 0 })))
    assert.same({ 3, 4, 5 }, ids(p:execute({ lim = 10, off = 2 })))
    assert.same({ 5 }, ids(p:execute({ lim = 1, off = 4 })))
  end)

  it("prepared insert / update with placeholders", function()
    local ins = db:insert(users):values({ name = d.sql.placeholder("name"), age = d.sql.placeholder("age") }):prepare()
    assert.same({ rowsAffected = 1, insertId = 6 }, ins:execute({ name = "f", age = 1 }))
    assert.same({ rowsAffected = 1, insertId = 7 }, ins:run({ name = "g", age = 2 }))
    local upd = db:update(users):set({ age = d.sql.placeholder("age") }):where(d.eq(users.name, d.sql.placeholder("name"))):prepare()
    assert.equal(1, upd:execute({ name = "f", age = 10 }).rowsAffected)
    assert.same({ { name = "f", age = 10 }, { name = "g", age = 2 } },
      db:select({ name = users.name, age = users.age }):from(users):where(d.gt(users.id, 5)):orderBy(users.id):all())
  end)

  it("a missing placeholder value raises a clear error", function()
    local p = db:select():from(users):where(d.eq(users.id, d.sql.placeholder("id"))):prepare()
    local ok, err = pcall(p.execute, p, { other = 1 })
    assert.is_false(ok)
    assert.matches('no value for placeholder "id"', tostring(err), 1, true)
    local ok2, err2 = pcall(p.execute, p)
    assert.is_false(ok2)
    assert.matches('placeholder "id" has no value', tostring(err2), 1, true)
    -- also on a plain (unprepared) execute
    local ok3, err3 = pcall(function()
      return db:select():from(users):where(d.eq(users.id, d.sql.placeholder("uid"))):execute({})
    end)
    assert.is_false(ok3)
    assert.matches('no value for placeholder "uid"', tostring(err3), 1, true)
  end)
end)

describe("sqlite integration: logger", function()
  it("logger = true prints Query: ... -- params: [...]", function()
    local printed = {}
    local realPrint = print
    _G.print = function(...) printed[#printed + 1] = table.concat({ ... }, "\t") end
    local ok, err = pcall(function()
      local users2 = defineSchema()
      local db = sqlite.drizzle({ filename = ":memory:", logger = true })
      ddl(db, "create table users (id integer primary key, name text not null, age integer, city text)")
      db:select({ id = users2.id }):from(users2):where(d.and_(d.eq(users2.name, "a"), d.gt(users2.age, 3))):all()
      db:close()
    end)
    _G.print = realPrint
    assert(ok, err)
    assert.same({
      "Query: create table users (id integer primary key, name text not null, age integer, city text)",
      'Query: select "id" from "users" where ("users"."name" = ? and "users"."age" > ?) -- params: ["a",3]',
    }, printed)
  end)

  it("a custom logger function receives (sql, params)", function()
    local seen = {}
    local db = sqlite.drizzle({ filename = ":memory:", logger = function(sql, params) seen[#seen + 1] = { sql, params } end })
    ddl(db, "create table users (id integer primary key, name text not null, age integer, city text)")
    db:insert(users):values({ name = "x", age = 7 }):run()
    assert.same({
      { "create table users (id integer primary key, name text not null, age integer, city text)", {} },
      { 'insert into "users" ("id", "name", "age", "city") values (null, ?, ?, null)', { "x", 7 } },
    }, seen)
    db:close()
  end)

  it("a logger object with logQuery receives every query", function()
    local logger = { seen = {} }
    function logger:logQuery(sql, params) self.seen[#self.seen + 1] = sql .. " | " .. #params end
    local db = sqlite.drizzle({ filename = ":memory:", logger = logger })
    db:run(d.sql("select ?", 1))
    assert.same({ "select ? | 1" }, logger.seen)
    db:close()
  end)
end)

-- A long result arrives whole and in order, in every result form.
describe("sqlite integration: long results", function()
  local items, db
  local failAt = nil
  before_each(function()
    local counted = sqlite.customType({
      dataType = function() return "integer" end,
      fromDriver = function(v)
        if v == failAt then error("decoder failed at " .. v) end
        return v * 10
      end,
    })
    items = sqlite.sqliteTable("items", {
      id = sqlite.integer("id"):primaryKey(),
      label = sqlite.text("label"),
      tens = counted("tens"),
    })
    db = sqlite.drizzle(":memory:")
    ddl(db, "create table items (id integer primary key, label text, tens integer)")
    db:transaction(function(tx)
      for i = 1, 1000 do tx:insert(items):values({ id = i, label = "item" .. i, tens = i }):run() end
    end)
  end)
  after_each(function() failAt = nil; db:close() end)

  it("every row of a 1000-row read, shaped, raw and as values, arrives in order", function()
    local rows = db:select({ id = items.id, inner = { label = items.label, tens = items.tens } }):from(items)
      :orderBy(items.id):all()
    assert.equal(1000, #rows)
    for i = 1, 1000 do
      assert.same({ id = i, inner = { label = "item" .. i, tens = i * 10 } }, rows[i])
    end
    local raw = db:all(d.sql("select id, label from items order by id"))
    assert.equal(1000, #raw)
    assert.same({ id = 777, label = "item777" }, raw[777])
    local values = db:select({ id = items.id }):from(items):orderBy(items.id):values()
    assert.equal(1000, #values)
    assert.same({ 1000 }, values[1000])
  end)

  it("a decoder error half way propagates, and the statement runs again afterwards", function()
    failAt = 500
    local ok, err = pcall(function() return db:select():from(items):orderBy(items.id):all() end)
    assert.is_false(ok)
    assert.matches("decoder failed at 500", tostring(err))
    failAt = nil
    assert.equal(1000, #db:select():from(items):orderBy(items.id):all())
  end)
end)

-- User functions called while a statement is built or read (defaultFn,
-- customType fromDriver/toDriver, a logger) may query the same db: the
-- statement around them keeps its render buffers, its bound values and its
-- statement (binding.h, dzl_call_user).
describe("sqlite integration: queries from inside user functions", function()
  local db, counters, items, labelled, sameQuery
  local function makeItems(codeFn)
    return sqlite.sqliteTable("items", {
      id = sqlite.integer("id"):primaryKey(),
      code = sqlite.text("code"):defaultFn(codeFn),
      label = sqlite.text("label"),
    })
  end
  before_each(function()
    db = sqlite.drizzle(":memory:")
    counters = sqlite.sqliteTable("counters", { name = sqlite.text("name"):primaryKey(), n = sqlite.integer("n") })
    ddl(db, "create table counters (name text primary key, n integer)")
    ddl(db, "create table items (id integer primary key, code text, label text)")
    db:insert(counters):values({ name = "items", n = 41 }):run()
  end)
  after_each(function() db:close() end)

  it("a defaultFn that reads and bumps a counter in the same db, for one row and for many", function()
    items = makeItems(function()
      local n = db:select({ n = counters.n }):from(counters):where(d.eq(counters.name, "items")):get().n
      db:update(counters):set({ n = n + 1 }):where(d.eq(counters.name, "items")):run()
      return "code-" .. n
    end)
    db:insert(items):values({ id = 1, label = "first label, longer than the code" }):run()
    db:insert(items):values({ { id = 2, label = "second" }, { id = 3, label = "third" } }):run()
    assert.are.same({
      { id = 1, code = "code-41", label = "first label, longer than the code" },
      { id = 2, code = "code-42", label = "second" },
      { id = 3, code = "code-43", label = "third" },
    }, db:select():from(items):orderBy(items.id):all())
    local q = db:insert(items):values({ id = 4, label = "x" }):toSQL()
    assert.are.equal('insert into "items" ("id", "code", "label") values (?, ?, ?)', q.sql)
    assert.are.same({ 4, "code-44", "x" }, q.params)
  end)

  it("a decoder that runs the very query being read: the outer read still gets every row", function()
    local nested = 0
    labelled = sqlite.customType({
      dataType = function() return "text" end,
      fromDriver = function(v)
        nested = nested + #sameQuery()
        return v:upper()
      end,
    })
    local t = sqlite.sqliteTable("items", { id = sqlite.integer("id"):primaryKey(), label = labelled("label") })
    sameQuery = function() return db:select({ id = t.id }):from(t):where(d.like(t.label, "n%")):all() end
    for i = 1, 20 do db:insert(t):values({ id = i, label = "n" .. (i % 2) }):run() end
    local rows = db:select():from(t):where(d.like(t.label, "n%")):orderBy(t.id):all()
    assert.are.equal(20, #rows)
    assert.are.same({ id = 7, label = "N1" }, rows[7])
    assert.are.equal(400, nested)
    -- and through one prepared statement, executed inside its own decoder
    local p = db:select():from(t):where(d.eq(t.id, d.sql.placeholder("id"))):prepare("byId")
    local inner, got = 0, nil
    sameQuery = function()
      inner = inner + 1
      if inner == 1 then got = p:get({ id = 4 }) end   -- its own label decodes without going deeper
      return {}
    end
    local r = p:get({ id = 5 })
    assert.are.same({ id = 5, label = "N1" }, r)
    assert.are.same({ id = 4, label = "N0" }, got)
    assert.are.equal(2, inner)
  end)

  it("a failing query inside a decoder raises its QueryError, and the db goes on as before", function()
    local fail = true
    labelled = sqlite.customType({
      dataType = function() return "text" end,
      fromDriver = function(v)
        if fail then db:all(d.sql.raw("select nope from nowhere")) end
        return v
      end,
    })
    local t = sqlite.sqliteTable("items", { id = sqlite.integer("id"):primaryKey(), label = labelled("label") })
    db:insert(t):values({ { id = 1, label = "a" }, { id = 2, label = "b" } }):run()
    local ok, e = pcall(function() return db:select():from(t):all() end)
    assert.is_false(ok)
    assert.are.equal(d.QueryError, getmetatable(e))
    assert.matches("no such table: nowhere", e.message, 1, true)
    assert.are.equal("select nope from nowhere", e.sql)
    fail = false
    assert.are.same({ { id = 1, label = "a" }, { id = 2, label = "b" } }, db:select():from(t):orderBy(t.id):all())
  end)

  it("db:close() from inside a decoder is refused by name, and the db goes on", function()
    local closeIt = true
    labelled = sqlite.customType({
      dataType = function() return "text" end,
      fromDriver = function(v)
        if closeIt then db:close() end
        return v
      end,
    })
    local t = sqlite.sqliteTable("items", { id = sqlite.integer("id"):primaryKey(), label = labelled("label") })
    db:insert(t):values({ { id = 1, label = "a" }, { id = 2, label = "b" } }):run()
    local ok, err = pcall(function() return db:select():from(t):all() end)
    assert.is_false(ok)
    assert.matches("db:close() cannot run inside a function a query calls", tostring(err), 1, true)
    closeIt = false
    assert.are.same({ { id = 1, label = "a" }, { id = 2, label = "b" } }, db:select():from(t):orderBy(t.id):all())
  end)

  it("a logger that writes each query into a table of the same db", function()
    local logT = sqlite.sqliteTable("log", { sql = sqlite.text("sql") })
    local logging = true   -- quiet while the tables are made
    local ldb
    ldb = sqlite.drizzle({ logger = function(sql)
      if logging then return end
      logging = true
      ldb:insert(logT):values({ sql = sql }):run()
      logging = false
    end })
    ddl(ldb, "create table log (sql text)")
    ddl(ldb, "create table counters (name text primary key, n integer)")
    logging = false
    ldb:insert(counters):values({ name = "other", n = 1 }):run()
    assert.are.same({ { name = "other", n = 1 } }, ldb:select():from(counters):where(d.eq(counters.name, "other")):all())
    logging = true
    assert.are.same({
      { sql = 'insert into "counters" ("name", "n") values (?, ?)' },
      { sql = 'select "name", "n" from "counters" where "counters"."name" = ?' },
    }, ldb:select():from(logT):all())
    ldb:close()
  end)
end)
