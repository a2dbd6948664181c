-- Errors against real SQLite databases: misuse raises before any SQL runs,
-- database failures raise drizzle.QueryError objects, mock and closed dbs
-- refuse to run.
local d = require("drizzle")
local sqlite = require("drizzle.sqlite")

local users = sqlite.sqliteTable("users", {
  id = sqlite.integer("id"):primaryKey(),
  name = sqlite.text("name"):notNull():unique(),
  age = sqlite.integer("age"),
})
local posts = sqlite.sqliteTable("posts", {
  id = sqlite.integer("id"):primaryKey(),
  authorId = sqlite.integer("author_id"),
})

local function errorOf(fn, ...)
  local ok, err = pcall(fn, ...)
  assert.is_false(ok, "expected an error")
  return err
end

local function newDb(target)
  local db = sqlite.drizzle(target or ":memory:")
  db:run(d.sql.raw("create table users (id integer primary key, name text not null unique, age integer)"))
  db:run(d.sql.raw("create table posts (id integer primary key, author_id integer)"))
  return db
end

describe("sqlite errors: misuse is caught before any SQL runs", function()
  local db, queries
  before_each(function()
    queries = {}
    db = sqlite.drizzle({ filename = ":memory:", logger = function(sql) queries[#queries + 1] = sql end })
    db:run(d.sql.raw("create table users (id integer primary key, name text not null unique, age integer)"))
    queries = {}
  end)
  after_each(function() db:close() end)

  it("an unknown field in values() names the table and the field", function()
    local err = errorOf(function() return db:insert(users):values({ name = "a", nmae = "b" }):run() end)
    assert.matches('insert into "users": unknown field "nmae"', tostring(err), 1, true)
    local err2 = errorOf(function() return db:insert(users):values({ { name = "a" }, { name = "b", agee = 3 } }):run() end)
    assert.matches('insert into "users": unknown field "agee"', tostring(err2), 1, true)
    assert.same({}, queries)
    assert.equal(0, db:count(users):execute())
  end)

  it("a values() list whose row is not a table names the row", function()
    local err = errorOf(function() return db:insert(users):values({ { name = "a" }, "b" }):run() end)
    assert.matches('insert into "users": row 2 is a string, not a table', tostring(err), 1, true)
    assert.same({}, queries)
  end)

  it("a field naming a generated column is accepted and left out, as Drizzle leaves it out", function()
    local gen = sqlite.sqliteTable("gen", {
      id = sqlite.integer("id"):primaryKey(),
      name = sqlite.text("name"),
      upper = sqlite.text("upper"):generatedAlwaysAs(d.sql("upper(name)"), { mode = "virtual" }),
    })
    db:run(d.sql.raw("create table gen (id integer primary key, name text, upper text generated always as (upper(name)) virtual)"))
    local q = db:insert(gen):values({ name = "a", upper = "ignored" })
    assert.equal('insert into "gen" ("id", "name") values (null, ?)', q:toSQL().sql)
    q:run()
    assert.same({ { id = 1, name = "a", upper = "A" } }, db:select():from(gen):all())
    local err = errorOf(function() return db:insert(gen):values({ { name = "b" }, { name = "c", uper = 1 } }):run() end)
    assert.matches('insert into "gen": unknown field "uper"', tostring(err), 1, true)
  end)

  it("an unknown field in set() names the table and the field", function()
    db:insert(users):values({ id = 1, name = "a" }):run()
    queries = {}
    local err = errorOf(function() return db:update(users):set({ nmae = "b" }):where(d.eq(users.id, 1)):run() end)
    assert.matches('update "users": unknown field "nmae"', tostring(err), 1, true)
    local err2 = errorOf(function()
      return db:insert(users):values({ name = "a" }):onConflictDoUpdate({ target = users.id, set = { bogus = 1 } }):run()
    end)
    assert.matches('"users": unknown field "bogus"', tostring(err2), 1, true)
    assert.same({}, queries)
    assert.same({ { id = 1, name = "a" } }, db:select():from(users):all())
  end)

  it("reading a column a table does not have raises", function()
    local err = errorOf(function() return users.nmae end)
    assert.matches('table "users" has no column "nmae"', tostring(err), 1, true)
  end)

  it("selecting a column of a table not in the query: did you forget to join it?", function()
    local err = errorOf(function()
      return db:select({ id = users.id, postId = posts.id }):from(users):all()
    end)
    assert.matches('Your "postId" field references a column "posts"."id", but the table "posts" is not part of the query! Did you forget to join it?',
      tostring(err), 1, true)
    assert.same({}, queries)
  end)

  it("NaN and infinity are refused as params", function()
    local err = errorOf(function() return db:select():from(users):where(d.eq(users.age, 0 / 0)):all() end)
    assert.matches("cannot bind NaN or infinity as a parameter", tostring(err), 1, true)
    local err2 = errorOf(function() return db:insert(users):values({ name = "x", age = math.huge }):run() end)
    assert.matches("cannot bind NaN or infinity as a parameter", tostring(err2), 1, true)
    assert.same({}, queries)
    assert.equal(0, db:count(users):execute())
  end)

  it("a table or function value is refused as a param", function()
    local err = errorOf(function() return db:select():from(users):where(d.eq(users.name, print)):all() end)
    assert.matches("cannot bind a function as a parameter", tostring(err), 1, true)
  end)
end)

describe("sqlite errors: database failures raise drizzle.QueryError", function()
  local db
  before_each(function() db = newDb() end)
  after_each(function() db:close() end)

  it("unique violation", function()
    db:insert(users):values({ name = "a" }):run()
    local err = errorOf(function() return db:insert(users):values({ name = "a", age = 5 }):run() end)
    assert.equal(require("drizzle").QueryError, getmetatable(err))
    assert.equal("SQLITE_CONSTRAINT_UNIQUE", err.code)
    assert.equal('insert into "users" ("id", "name", "age") values (null, ?, ?)', err.sql)
    assert.same({ "a", 5 }, err.params)
    assert.equal("UNIQUE constraint failed: users.name", err.message)
    local text = tostring(err)
    assert.equal("Failed query: ", text:sub(1, 14))
    assert.equal('Failed query: insert into "users" ("id", "name", "age") values (null, ?, ?)\nparams: "a", 5\n'
      .. "UNIQUE constraint failed: users.name [SQLITE_CONSTRAINT_UNIQUE]", text)
  end)

  it("primary key violation", function()
    db:insert(users):values({ id = 1, name = "a" }):run()
    local err = errorOf(function() return db:insert(users):values({ id = 1, name = "b" }):execute() end)
    assert.equal(d.QueryError, getmetatable(err))
    assert.equal("SQLITE_CONSTRAINT_PRIMARYKEY", err.code)
    assert.same({ 1, "b" }, err.params)
  end)

  it("not-null violation", function()
    local err = errorOf(function() return db:insert(users):values({ name = d.NULL, age = 1 }):run() end)
    assert.equal(d.QueryError, getmetatable(err))
    assert.equal("SQLITE_CONSTRAINT_NOTNULL", err.code)
    assert.equal("NOT NULL constraint failed: users.name", err.message)
    assert.same({ d.NULL, 1 }, err.params)
    assert.equal("Failed query: ", tostring(err):sub(1, 14))
  end)

  it("syntax error through d.sql", function()
    local err = errorOf(function() return db:run(d.sql("selec ? from users", 1)) end)
    assert.equal(d.QueryError, getmetatable(err))
    assert.equal("SQLITE_ERROR", err.code)
    assert.equal("selec ? from users", err.sql)
    assert.equal('near "selec": syntax error', err.message)
    assert.same({ 1 }, err.params)
    assert.equal('Failed query: selec ? from users\nparams: 1\nnear "selec": syntax error [SQLITE_ERROR]', tostring(err))
  end)

  it("a missing table", function()
    local ghosts = sqlite.sqliteTable("ghosts", { id = sqlite.integer("id") })
    local err = errorOf(function() return db:select():from(ghosts):where(d.eq(ghosts.id, 3)):all() end)
    assert.equal(d.QueryError, getmetatable(err))
    assert.equal("SQLITE_ERROR", err.code)
    assert.equal('select "id" from "ghosts" where "ghosts"."id" = ?', err.sql)
    assert.equal("no such table: ghosts", err.message)
  end)

  it("an error from a prepared statement is a QueryError too", function()
    db:insert(users):values({ name = "a" }):run()
    local p = db:insert(users):values({ name = d.sql.placeholder("n") }):prepare()
    p:run({ n = "b" })
    local err = errorOf(p.run, p, { n = "a" })
    assert.equal(d.QueryError, getmetatable(err))
    assert.equal("SQLITE_CONSTRAINT_UNIQUE", err.code)
    assert.equal('insert into "users" ("id", "name", "age") values (null, ?, null)', err.sql)
    assert.equal(2, db:count(users):execute())
  end)

  it("the connection keeps working after a failed statement", function()
    pcall(function() return db:run(d.sql("selec 1")) end)
    db:insert(users):values({ name = "ok" }):run()
    assert.same({ { name = "ok" } }, db:select({ name = users.name }):from(users):all())
  end)

  it("opening a path that cannot be a database raises a QueryError", function()
    local err = errorOf(sqlite.drizzle, "/nonexistent-dir-drizzle/x/y.db")
    assert.equal(d.QueryError, getmetatable(err))
    assert.equal("SQLITE_CANTOPEN", err.code)
  end)
end)

describe("sqlite errors: mock and closed dbs", function()
  it("a mock db renders but refuses to execute", function()
    local db = sqlite.drizzle.mock()
    local q = db:select():from(users):where(d.eq(users.id, 1))
    assert.same({ sql = 'select "id", "name", "age" from "users" where "users"."id" = ?', params = { 1 } }, q:toSQL())
    local err = errorOf(q.execute, q)
    assert.equal("drizzle: this db was made with drizzle.mock(): it renders SQL but cannot run execute()", tostring(err))
    assert.matches("cannot run all%(%)", tostring(errorOf(q.all, q)))
    assert.matches("cannot run prepare%(%)", tostring(errorOf(q.prepare, q)))
    assert.matches("cannot run run%(%)", tostring(errorOf(db.run, db, d.sql("select 1"))))
    assert.matches("cannot run transaction%(%)", tostring(errorOf(db.transaction, db, function() end)))
    assert.matches("cannot run count%(%)", tostring(errorOf(function() return db:count(users):execute() end)))
  end)

  it("a closed db refuses, and so do statements prepared on it", function()
    local path = os.tmpname()
    os.remove(path)
    local db = newDb(path)
    db:insert(users):values({ name = "a" }):run()
    local p = db:select():from(users):prepare()
    assert.equal(1, #p:all())
    db:close()
    assert.equal("drizzle: execute() on a closed db", tostring(errorOf(function() return db:select():from(users):execute() end)))
    assert.equal("drizzle: run() on a closed db", tostring(errorOf(function() return db:insert(users):values({ name = "b" }):run() end)))
    assert.equal("drizzle: transaction() on a closed db", tostring(errorOf(db.transaction, db, function() end)))
    assert.matches("the db is closed", tostring(errorOf(p.all, p)), 1, true)
    -- nothing was written after close
    local db2 = sqlite.drizzle(path)
    assert.equal(1, db2:count(users):execute())
    db2:close()
    os.remove(path)
  end)
end)

describe("sqlite errors: wrong argument types name the method", function()
  local db
  before_each(function() db = newDb() end)
  after_each(function() db:close() end)

  local cases = {
    { "from", function() return db:select():from(5) end, "bad argument #1 to 'from' (table, subquery or sql expected, got number)" },
    { "leftJoin", function() return db:select():from(users):leftJoin("posts", d.sql("1")) end,
      "bad argument #1 to 'leftJoin' (table, subquery or sql expected, got string)" },
    { "insert", function() return db:insert("users") end, "bad argument #1 to 'insert' (table expected, got string)" },
    { "update", function() return db:update(nil) end, "bad argument #1 to 'update' (table expected, got nil)" },
    { "delete", function() return db:delete(42) end, "bad argument #1 to 'delete' (table expected, got number)" },
    { "values", function() return db:insert(users):values("a") end, "bad argument #1 to 'values' (table of values expected, got string)" },
    { "set", function() return db:update(users):set(1) end, "bad argument #1 to 'set' (table of values expected, got number)" },
    { "limit", function() return db:select():from(users):limit("10") end, "bad argument #1 to 'limit' (number or placeholder expected, got string)" },
    { "offset", function() return db:select():from(users):offset({}) end, "bad argument #1 to 'offset' (number or placeholder expected, got table)" },
    { "select", function() return db:select("id") end, "bad argument #1 to 'select' (table of fields expected, got string)" },
    { "count", function() return db:count("users") end, "bad argument #1 to 'count' (table, view or sql expected, got string)" },
    { "run", function() return db:run("select 1") end, "bad argument #1 to 'run' (sql expected, got string)" },
    { "batch", function() return db:batch(nil) end, "bad argument #1 to 'batch' (list of queries expected, got nil)" },
    { "sql", function() return d.sql(1) end, "bad argument #1 to 'sql' (template string expected, got number)" },
    { "placeholder", function() return d.sql.placeholder(1) end, "bad argument #1 to 'sql.placeholder' (string expected, got number)" },
    { "union", function() return db:select():from(users):union("x") end, "bad argument #1 to 'union' (select query expected, got string)" },
    { "cte", function() return db:cte(1) end, "bad argument #1 to 'cte' (alias name expected, got number)" },
  }
  for _, c in ipairs(cases) do
    it(c[1], function()
      local err = errorOf(c[2])
      assert.matches(c[3], tostring(err), 1, true)
    end)
  end

  it("the sql template checks its value count", function()
    local err = errorOf(d.sql, "a = ? and b = ?", 1)
    assert.matches("has 2 '?' marks but 1 values were given", tostring(err), 1, true)
  end)

  it("a second where() on a non-dynamic query raises", function()
    local err = errorOf(function() return db:select():from(users):where(d.eq(users.id, 1)):where(d.eq(users.id, 2)) end)
    assert.matches("where() was already called on this query", tostring(err), 1, true)
    local q = db:select():from(users):dynamic()
    q:where(d.eq(users.id, 1)):where(d.eq(users.id, 2))
    assert.same({ 2 }, q:toSQL().params)
  end)

  it("a select without from() raises when run", function()
    local err = errorOf(function() return db:select({ id = users.id }):all() end)
    assert.matches("select without from()", tostring(err), 1, true)
  end)
end)
