-- Views against real servers (DZ_PG_URL / DZ_MYSQL_URL, set by `make test`
-- or scripts/with_servers.sh): the tables and views are created by running
-- the statements drizzle.kit generate writes, one by one; then rows go in,
-- and the views are read back through the query builders (select, join,
-- count) and a materialized view is refreshed.
local d = require("drizzle")
local pg = require("drizzle.pg")
local mysql = require("drizzle.mysql")
local kit = require("drizzle.kit")

local PG_URL = os.getenv("DZ_PG_URL")
local MYSQL_URL = os.getenv("DZ_MYSQL_URL")

-- kit.generate's statements for a schema (a fresh folder: the first migration)
local function statements(dialect, schema)
  local dir = os.tmpname()
  os.remove(dir)
  local r = kit.generate({ dialect = dialect, schema = schema, out = dir, name = "views", quiet = true })
  os.execute('rm -rf "' .. dir .. '"')
  return r.statements
end

local function ids(rows, key)
  local out = {}
  for i, r in ipairs(rows) do out[i] = r[key or "id"] end
  return out
end

------------------------------------------------------------------ pg

if not PG_URL or PG_URL == "" then
  describe("pg views against a server", function()
    it("needs DZ_PG_URL", function()
      pending("DZ_PG_URL is not set: run under `make test` or scripts/with_servers.sh to start PostgreSQL; skipped")
    end)
  end)
else
  describe("pg views against a server", function()
    local db, s

    setup(function()
      local users = pg.pgTable("vw_users", {
        id = pg.integer("id"):primaryKey(),
        name = pg.text("name"):notNull(),
        age = pg.integer("age"),
      })
      local adults = pg.pgView("vw_adults"):with({ securityBarrier = true })
        :as(function(qb) return qb:select():from(users):where(d.gte(users.age, 18)) end)
      local byAge = pg.pgMaterializedView("vw_by_age"):withNoData():as(function(qb)
        return qb:select({ age = users.age, n = d.sql("count(*)"):mapWith(tonumber):as("n") })
          :from(users):groupBy(users.age)
      end)
      local named = pg.pgView("vw_named", { id = pg.integer("id"), name = pg.text("name") })
        :as(d.sql("select id, name from vw_users where name <> ?", "nobody"))
      s = { users = users, adults = adults, byAge = byAge, named = named }
      db = pg.drizzle({ connection = PG_URL })
      db:execute(d.sql.raw("drop materialized view if exists vw_by_age"))
      db:execute(d.sql.raw("drop view if exists vw_adults, vw_named"))
      db:execute(d.sql.raw("drop table if exists vw_users cascade"))
      for _, stmt in ipairs(statements("postgresql", s)) do db:execute(d.sql.raw(stmt)) end
      db:insert(users):values({
        { id = 1, name = "ann", age = 30 }, { id = 2, name = "bob", age = 12 },
        { id = 3, name = "cid", age = 30 }, { id = 4, name = "dee", age = 45 },
      }):execute()
    end)

    teardown(function()
      if db then
        pcall(db.execute, db, d.sql.raw("drop materialized view if exists vw_by_age"))
        pcall(db.execute, db, d.sql.raw("drop view if exists vw_adults, vw_named"))
        pcall(db.execute, db, d.sql.raw("drop table if exists vw_users cascade"))
        db:close()
      end
    end)

    it("selects from a view", function()
      local rows = db:select():from(s.adults):orderBy(s.adults.id):all()
      assert.same({ { id = 1, name = "ann", age = 30 }, { id = 3, name = "cid", age = 30 }, { id = 4, name = "dee", age = 45 } }, rows)
      rows = db:select({ name = s.adults.name }):from(s.adults):where(d.gt(s.adults.age, 40)):all()
      assert.same({ { name = "dee" } }, rows)
    end)

    it("selects from a view defined by sql", function()
      assert.same({ 1, 2, 3, 4 }, ids(db:select():from(s.named):orderBy(s.named.id):all()))
    end)

    it("joins a table with a view", function()
      local rows = db:select({ id = s.users.id, adult = s.adults.name }):from(s.users)
        :leftJoin(s.adults, d.eq(s.users.id, s.adults.id)):orderBy(s.users.id):all()
      assert.same({ { id = 1, adult = "ann" }, { id = 2 }, { id = 3, adult = "cid" }, { id = 4, adult = "dee" } }, rows)
    end)

    it("counts a view", function()
      assert.equal(3, db:count(s.adults):execute())
      assert.equal(2, db:count(s.adults, d.eq(s.adults.age, 30)):execute())
    end)

    it("refreshes a materialized view created with no data", function()
      -- WITH NO DATA: unreadable until refreshed
      assert.has_error(function() db:select():from(s.byAge):all() end)
      db:refreshMaterializedView(s.byAge):execute()
      local rows = db:select():from(s.byAge):orderBy(s.byAge.age):all()
      assert.same({ { age = 12, n = 1 }, { age = 30, n = 2 }, { age = 45, n = 1 } }, rows)
      db:insert(s.users):values({ id = 5, name = "eve", age = 45 }):execute()
      db:execute(d.sql.raw("create unique index if not exists vw_by_age_age on vw_by_age (age)"))
      db:refreshMaterializedView(s.byAge):concurrently():execute()
      rows = db:select({ n = s.byAge.n }):from(s.byAge):where(d.eq(s.byAge.age, 45)):all()
      assert.same({ { n = 2 } }, rows)
      db:refreshMaterializedView(s.byAge):withNoData():execute()
      assert.has_error(function() db:select():from(s.byAge):all() end)
    end)
  end)
end

------------------------------------------------------------------ MySQL

if not MYSQL_URL or MYSQL_URL == "" then
  describe("mysql views against a server", function()
    it("needs DZ_MYSQL_URL", function()
      pending("DZ_MYSQL_URL is not set: run under `make test` or scripts/with_servers.sh to start MariaDB; skipped")
    end)
  end)
else
  describe("mysql views against a server", function()
    local db, s

    setup(function()
      local users = mysql.mysqlTable("vw_users", {
        id = mysql.int("id"):primaryKey(),
        name = mysql.varchar("name", { length = 32 }):notNull(),
        age = mysql.int("age"),
      })
      local adults = mysql.mysqlView("vw_adults"):algorithm("merge"):sqlSecurity("invoker"):withCheckOption()
        :as(function(qb) return qb:select():from(users):where(d.gte(users.age, 18)) end)
      local names = mysql.mysqlView("vw_names"):as(function(qb)
        return qb:select({ id = users.id, name = users.name }):from(users):where(d.ne(users.name, "it's"))
      end)
      s = { users = users, adults = adults, names = names }
      db = mysql.drizzle({ connection = MYSQL_URL })
      db:execute(d.sql.raw("drop view if exists vw_adults, vw_names"))
      db:execute(d.sql.raw("drop table if exists vw_users"))
      for _, stmt in ipairs(statements("mysql", s)) do db:execute(d.sql.raw(stmt)) end
      db:insert(users):values({
        { id = 1, name = "ann", age = 30 }, { id = 2, name = "bob", age = 12 },
        { id = 3, name = "it's", age = 50 },
      }):execute()
    end)

    teardown(function()
      if db then
        pcall(db.execute, db, d.sql.raw("drop view if exists vw_adults, vw_names"))
        pcall(db.execute, db, d.sql.raw("drop table if exists vw_users"))
        db:close()
      end
    end)

    it("selects from views", function()
      assert.same({ { id = 1, name = "ann", age = 30 }, { id = 3, name = "it's", age = 50 } },
        db:select():from(s.adults):orderBy(s.adults.id):all())
      assert.same({ 1, 2 }, ids(db:select():from(s.names):orderBy(s.names.id):all()))
    end)

    it("joins views and counts them", function()
      local rows = db:select({ id = s.names.id, age = s.adults.age }):from(s.names)
        :innerJoin(s.adults, d.eq(s.names.id, s.adults.id)):all()
      assert.same({ { id = 1, age = 30 } }, rows)
      assert.equal(2, db:count(s.adults):execute())
    end)

    it("keeps the view's check option", function()
      -- WITH CASCADED CHECK OPTION: a row the view would not show is refused
      assert.has_error(function()
        db:execute(d.sql.raw("insert into vw_adults (id, name, age) values (9, 'kid', 5)"))
      end)
      db:execute(d.sql.raw("insert into vw_adults (id, name, age) values (9, 'grown', 25)"))
      assert.equal(3, db:count(s.adults):execute())
    end)
  end)
end
