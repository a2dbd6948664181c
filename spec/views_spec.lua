-- Views: pgView / pgMaterializedView / schema:view / mysqlView / sqliteView.
--
-- Queries on views render as drizzle-orm 0.45 renders them (expected text
-- derived from its source: a view renders as its (schema-qualified) name in
-- from/join (SQL.buildQueryFromSourceParams, View chunk), its columns go
-- through a table proxy aliased to the view's name, so they are "v"."c"
-- without a schema, and an aliased expression selected by the view is a
-- selection field, always its bare "alias"; PgDialect
-- .buildRefreshMaterializedViewQuery; $count).
--
-- drizzle.kit: the snapshot's "views" entries as pgSerializer /
-- mysqlSerializer build them (definition = dialect.sqlToQuery(
-- qb.getSQL().inlineParams()).sql) and the statements of sqlgenerator.ts's
-- PgCreateViewConvertor, MySqlCreateViewConvertor and the drop convertors,
-- in applyPgSnapshotsDiff's / applyMysqlSnapshotsDiff's order.
local d = require("drizzle")
local pg = require("drizzle.pg")
local mysql = require("drizzle.mysql")
local sqlite = require("drizzle.sqlite")
local kit = require("drizzle.kit")
local core = require("drizzle.core")
local kjson = require("drizzle.kit.json")

local BP = "--> statement-breakpoint\n"

local function tmpdir()
  local name = os.tmpname()
  os.remove(name)
  return name
end

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local function generate(dialect, ...)
  local dir = tmpdir()
  local out = {}
  for i, schema in ipairs({ ... }) do
    out[i] = kit.generate({ dialect = dialect, schema = schema, out = dir, name = "m" .. i, quiet = true })
    if out[i].snapshotPath then out[i].snapshotText = read(out[i].snapshotPath) end
  end
  os.execute('rm -rf "' .. dir .. '"')
  return out
end

------------------------------------------------------------------ pg

local function pgSchema()
  local users = pg.pgTable("users", {
    id = pg.serial("id"):primaryKey(),
    name = pg.text("name"):notNull(),
    age = pg.integer("age"),
  })
  local adults = pg.pgView("adults"):as(function(qb)
    return qb:select():from(users):where(d.gte(users.age, 18))
  end)
  local byAge = pg.pgMaterializedView("by_age"):as(function(qb)
    return qb:select({ age = users.age, n = d.sql("count(*)"):mapWith(tonumber):as("n") }):from(users):groupBy(users.age)
  end)
  return { users = users, adults = adults, byAge = byAge }
end

describe("pg views: queries", function()
  local s, db
  before_each(function()
    s = pgSchema()
    db = pg.drizzle.mock()
  end)

  it("selects every column of a view, unqualified", function()
    local q = db:select():from(s.adults):toSQL()
    assert.equal('select "id", "name", "age" from "adults"', q.sql)
  end)

  it("selects particular columns and filters on them", function()
    local q = db:select({ name = s.adults.name }):from(s.adults):where(d.eq(s.adults.id, 3)):toSQL()
    assert.equal('select "name" from "adults" where "adults"."id" = $1', q.sql)
    assert.same({ 3 }, q.params)
  end)

  it("joins a table with a view", function()
    local q = db:select():from(s.users):leftJoin(s.adults, d.eq(s.users.id, s.adults.id)):toSQL()
    assert.equal('select "users"."id", "users"."name", "users"."age", "adults"."id", "adults"."name", "adults"."age" '
      .. 'from "users" left join "adults" on "users"."id" = "adults"."id"', q.sql)
  end)

  it("renders a view's aliased expression as its bare name, in the selection and in conditions", function()
    local q = db:select():from(s.byAge):where(d.gt(s.byAge.n, 1)):toSQL()
    assert.equal('select "age", "n" from "by_age" where "n" > $1', q.sql)
    q = db:select():from(s.users):innerJoin(s.byAge, d.eq(s.users.age, s.byAge.age)):toSQL()
    assert.equal('select "users"."id", "users"."name", "users"."age", "by_age"."age", "n" '
      .. 'from "users" inner join "by_age" on "users"."age" = "by_age"."age"', q.sql)
  end)

  it("counts a view", function()
    local q = db:select({ n = db:count(s.adults, d.gt(s.adults.age, 30)) }):from(s.users):toSQL()
    assert.equal('select (select count(*) from "adults" where "adults"."age" > $1) from "users"', q.sql)
  end)

  it("qualifies a schema's view in from and join, not its columns", function()
    local auth = pg.pgSchema("auth")
    local v = auth:view("active"):as(function(qb) return qb:select():from(s.users) end)
    assert.equal('select "id", "name", "age" from "auth"."active"', db:select():from(v):toSQL().sql)
    local q = db:select({ id = s.users.id, name = v.name }):from(s.users):leftJoin(v, d.eq(s.users.id, v.id)):toSQL()
    assert.equal('select "users"."id", "active"."name" from "users" left join "auth"."active" on "users"."id" = "active"."id"', q.sql)
    -- with no field list, the view's columns too read "active"."c" (Drizzle's view proxy)
    q = db:select():from(s.users):leftJoin(v, d.eq(s.users.id, v.id)):toSQL()
    assert.equal('select "users"."id", "users"."name", "users"."age", "active"."id", "active"."name", "active"."age" '
      .. 'from "users" left join "auth"."active" on "users"."id" = "active"."id"', q.sql)
  end)

  it("refreshes a materialized view", function()
    assert.equal('refresh materialized view "by_age"', db:refreshMaterializedView(s.byAge):toSQL().sql)
    assert.equal('refresh materialized view concurrently "by_age"',
      db:refreshMaterializedView(s.byAge):concurrently():toSQL().sql)
    assert.equal('refresh materialized view "by_age" with no data',
      db:refreshMaterializedView(s.byAge):withNoData():toSQL().sql)
    assert.has_error(function() db:refreshMaterializedView(s.byAge):concurrently():withNoData() end,
      "drizzle: Cannot use concurrently and withNoData together")
    assert.has_error(function() db:refreshMaterializedView(s.adults) end,
      "bad argument #1 to 'refreshMaterializedView' (materialized view expected, got table)")
  end)

  it("builds a view from a query builder, a function or sql with columns", function()
    local viaQb = pg.pgView("v1"):as(db:select({ id = s.users.id }):from(s.users))
    assert.equal('select "id" from "v1"', db:select():from(viaQb):toSQL().sql)
    local viaSql = pg.pgView("v2", { id = pg.integer("id") }):as(d.sql("select id from users"))
    assert.equal('select "id" from "v2"', db:select():from(viaSql):toSQL().sql)
    local existing = pg.pgView("v3", { id = pg.integer("id") }):existing()
    assert.equal('select "id" from "v3"', db:select():from(existing):toSQL().sql)
    assert.has_error(function() pg.pgView("v4"):as(d.sql("select 1")) end)
  end)
end)

describe("pg views: drizzle.kit generate", function()
  it("writes CREATE VIEW / CREATE MATERIALIZED VIEW after the tables, params inlined", function()
    local s = pgSchema()
    local r = generate("postgresql", s)[1]
    assert.equal(
      'CREATE TABLE "users" (\n\t"id" serial PRIMARY KEY NOT NULL,\n\t"name" text NOT NULL,\n\t"age" integer\n);\n' .. BP ..
      'CREATE VIEW "public"."adults" AS (select "id", "name", "age" from "users" where "users"."age" >= 18);' .. BP ..
      'CREATE MATERIALIZED VIEW "public"."by_age" AS (select "age", count(*) as "n" from "users" group by "users"."age");',
      r.sql)
  end)

  it("stores views in the snapshot as pgSerializer does", function()
    local s = pgSchema()
    local r = generate("postgresql", s)[1]
    local snap = r.snapshot
    assert.same({ "public.adults", "public.by_age" }, kjson.keys(snap.views))
    local v = snap.views["public.adults"]
    assert.same({ "columns", "definition", "name", "schema", "isExisting", "materialized" }, kjson.keys(v))
    assert.equal('select "id", "name", "age" from "users" where "users"."age" >= 18', v.definition)
    assert.same({ "id", "name", "age" }, kjson.keys(v.columns))
    -- the columns keep what the table's columns say (Drizzle reads them through a proxy)
    assert.same({ name = "id", type = "serial", primaryKey = true, notNull = true }, v.columns.id)
    assert.same({ name = "name", type = "text", primaryKey = false, notNull = true }, v.columns.name)
    local m = snap.views["public.by_age"]
    assert.equal(true, m.materialized)
    -- an aliased expression is not a column of the snapshot
    assert.same({ "age" }, kjson.keys(m.columns))
  end)

  it("writes the view options: with, using, tablespace, with no data", function()
    local users = pg.pgTable("users", { id = pg.integer("id"), age = pg.integer("age") })
    local v = pg.pgView("v"):with({ securityInvoker = true, checkOption = "local", securityBarrier = false })
      :as(function(qb) return qb:select({ id = users.id }):from(users):where(d.eq(users.age, "x'y")) end)
    local m = pg.pgMaterializedView("m"):with({ fillfactor = 70, autovacuumEnabled = false }):using("heap")
      :tablespace("pg_default"):withNoData():as(function(qb) return qb:select():from(users) end)
    local r = generate("postgresql", { users = users, v = v, m = m })[1]
    local stmts = r.statements
    assert.equal('CREATE VIEW "public"."v" WITH (check_option = local, security_barrier = false, security_invoker = true) '
      .. 'AS (select "id" from "users" where "users"."age" = \'x\'\'y\');', stmts[2])
    assert.equal('CREATE MATERIALIZED VIEW "public"."m" USING "heap" WITH (fillfactor = 70, autovacuum_enabled = false) '
      .. 'TABLESPACE pg_default AS (select "id", "age" from "users") WITH NO DATA;', stmts[3])
    local snap = r.snapshot
    assert.same({ "columns", "definition", "name", "schema", "isExisting", "with", "withNoData", "materialized",
                  "tablespace", "using" }, kjson.keys(snap.views["public.m"]))
    assert.same({ "checkOption", "securityBarrier", "securityInvoker" }, kjson.keys(snap.views["public.v"].with))
  end)

  it("puts plain views before materialized ones, schema views qualified, existing views left out", function()
    local users = pg.pgTable("users", { id = pg.integer("id") })
    local auth = pg.pgSchema("auth")
    local a = pg.pgMaterializedView("a"):as(function(qb) return qb:select():from(users) end)
    local b = auth:view("b"):as(function(qb) return qb:select():from(users) end)
    local c = pg.pgView("c", { id = pg.integer("id") }):existing()
    local e = pg.pgView("e", { n = pg.integer("n") }):as(d.sql("select count(*) as n from users where id > ?", 1))
    local r = generate("postgresql", { auth = auth, users = users, a = a, b = b, c = c, e = e })[1]
    assert.same({
      'CREATE SCHEMA "auth";\n',
      'CREATE TABLE "users" (\n\t"id" integer\n);\n',
      'CREATE VIEW "auth"."b" AS (select "id" from "users");',
      'CREATE VIEW "public"."e" AS (select count(*) as n from users where id > 1);',
      'CREATE MATERIALIZED VIEW "public"."a" AS (select "id" from "users");',
    }, r.statements)
    local snap = r.snapshot
    assert.same({ "auth.b", "public.c", "public.e", "public.a" }, kjson.keys(snap.views))
    assert.equal(true, snap.views["public.c"].isExisting)
    assert.is_nil(snap.views["public.c"].definition)
  end)

  it("drops removed views in the next migration, recreates changed ones", function()
    local users = pg.pgTable("users", { id = pg.integer("id"), age = pg.integer("age") })
    local function v(min) return pg.pgView("v"):as(function(qb) return qb:select():from(users):where(d.gt(users.age, min)) end) end
    local m = pg.pgMaterializedView("m"):as(function(qb) return qb:select():from(users) end)
    local ext = pg.pgView("x", { id = pg.integer("id") }):existing()
    local r = generate("postgresql",
      { users = users, v = v(1), m = m, x = ext },
      { users = users, v = v(2) },
      { users = users })
    assert.same({ 'DROP MATERIALIZED VIEW "public"."m";', 'DROP VIEW "public"."v";',
                  'CREATE VIEW "public"."v" AS (select "id", "age" from "users" where "users"."age" > 2);' },
      r[2].statements)
    assert.same({ 'DROP VIEW "public"."v";' }, r[3].statements)
  end)

  it("writes nothing when the views did not change", function()
    local s = pgSchema()
    local r = generate("postgresql", s, pgSchema())
    assert.is_true(r[2].noChanges)
  end)

  it("refuses changes it cannot write yet", function()
    local users = pg.pgTable("users", { id = pg.integer("id") })
    local function m(ff) return pg.pgMaterializedView("m"):with({ fillfactor = ff }):as(function(qb) return qb:select():from(users) end) end
    assert.has_error(function() generate("postgresql", { users = users, m = m(10) }, { users = users, m = m(20) }) end)
  end)
end)

------------------------------------------------------------------ MySQL

describe("mysql views", function()
  local users, db
  before_each(function()
    users = mysql.mysqlTable("users", {
      id = mysql.serial("id"):primaryKey(),
      name = mysql.varchar("name", { length = 64 }):notNull(),
      age = mysql.int("age"),
    })
    db = mysql.drizzle.mock()
  end)

  it("renders queries on a view", function()
    local v = mysql.mysqlView("adults"):as(function(qb) return qb:select():from(users):where(d.gte(users.age, 18)) end)
    assert.equal("select `id`, `name`, `age` from `adults`", db:select():from(v):toSQL().sql)
    local q = db:select({ name = v.name }):from(users):innerJoin(v, d.eq(users.id, v.id)):where(d.eq(v.age, 20)):toSQL()
    assert.equal("select `adults`.`name` from `users` inner join `adults` on `users`.`id` = `adults`.`id` where `adults`.`age` = ?", q.sql)
    assert.same({ 20 }, q.params)
    assert.equal("select (select count(*) from `adults`) from `users`",
      db:select({ n = db:count(v) }):from(users):toSQL().sql)
    assert.has_error(function() db:refreshMaterializedView(v) end, "drizzle: refreshMaterializedView() is a PostgreSQL statement")
  end)

  it("generates CREATE VIEW with algorithm, sql security and check option", function()
    local adults = mysql.mysqlView("adults"):algorithm("merge"):sqlSecurity("invoker"):withCheckOption()
      :as(function(qb) return qb:select():from(users):where(d.gte(users.age, 18)) end)
    local names = mysql.mysqlView("names"):withCheckOption("local")
      :as(function(qb) return qb:select({ name = users.name }):from(users):where(d.ne(users.name, "it's")) end)
    local ext = mysql.mysqlView("ext", { id = mysql.int("id") }):existing()
    local r = generate("mysql", { users = users, adults = adults, names = names, ext = ext })[1]
    assert.same({
      "CREATE TABLE `users` (\n\t`id` serial AUTO_INCREMENT NOT NULL,\n\t`name` varchar(64) NOT NULL,\n\t`age` int,\n"
        .. "\tCONSTRAINT `users_id` PRIMARY KEY(`id`)\n);\n",
      "CREATE ALGORITHM = merge\nSQL SECURITY invoker\nVIEW `adults` AS (select `id`, `name`, `age` from `users` where `users`.`age` >= 18)\nWITH cascaded CHECK OPTION;",
      "CREATE ALGORITHM = undefined\nSQL SECURITY definer\nVIEW `names` AS (select `name` from `users` where `users`.`name` <> 'it''s')\nWITH local CHECK OPTION;",
    }, r.statements)
    local snap = r.snapshot
    assert.same({ "adults", "ext", "names" }, kjson.keys(snap.views))
    local a = snap.views.adults
    assert.same({ "columns", "name", "isExisting", "definition", "withCheckOption", "algorithm", "sqlSecurity" }, kjson.keys(a))
    assert.same({ name = "id", type = "serial", primaryKey = false, notNull = true, autoincrement = true }, a.columns.id)
    assert.same({ "columns", "name", "isExisting", "algorithm", "sqlSecurity" }, kjson.keys(snap.views.ext))
    assert.equal("undefined", snap.views.ext.algorithm)
    assert.equal("definer", snap.views.ext.sqlSecurity)
  end)

  it("drops removed views and replaces changed ones", function()
    local function v(min) return mysql.mysqlView("v"):as(function(qb) return qb:select():from(users):where(d.gt(users.age, min)) end) end
    local r = generate("mysql", { users = users, v = v(1) }, { users = users, v = v(5) }, { users = users })
    assert.same({ "CREATE OR REPLACE ALGORITHM = undefined\nSQL SECURITY definer\nVIEW `v` AS (select `id`, `name`, `age` from `users` where `users`.`age` > 5);" },
      r[2].statements)
    assert.same({ "DROP VIEW `v`;" }, r[3].statements)
  end)
end)

------------------------------------------------------------------ SQLite

describe("sqlite views", function()
  it("renders queries on a view", function()
    local users = sqlite.sqliteTable("users", { id = sqlite.integer("id"):primaryKey(), age = sqlite.integer("age") })
    local v = sqlite.sqliteView("old"):as(function(qb) return qb:select():from(users):where(d.gt(users.age, 60)) end)
    local db = sqlite.drizzle.mock()
    assert.equal('select "id", "age" from "old" where "old"."age" > ?', db:select():from(v):where(d.gt(v.age, 70)):toSQL().sql)
  end)
end)

------------------------------------------------------------------ core DDL

describe("core.ddl_create_view / ddl_drop_view", function()
  it("writes each dialect's convertor text", function()
    assert.equal('CREATE VIEW "s"."v" AS (select 1);', core.ddl_create_view("pg", { schema = "s", name = "v", definition = "select 1" }))
    assert.equal('CREATE VIEW "v" WITH () AS (select 1);', core.ddl_create_view("pg", { name = "v", definition = "select 1", withKeys = {}, withValues = {} }))
    assert.equal("CREATE VIEW `v` AS select 1;", core.ddl_create_view("sqlite", { name = "v", definition = "select 1" }))
    assert.equal("CREATE VIEW `v` AS (select 1);", core.ddl_create_view("mysql", { name = "v", definition = "select 1" }))
    assert.equal('DROP VIEW "v";', core.ddl_drop_view("pg", { name = "v" }))
    assert.equal("DROP VIEW `v`;", core.ddl_drop_view("mysql", { name = "v", materialized = true }))
    assert.equal("DROP VIEW `v`;", core.ddl_drop_view("sqlite", { name = "v" }))
    assert.has_error(function() core.ddl_create_view("pg", { name = "v" }) end)
  end)
end)
