-- Relational queries against a real MySQL-protocol server (DZ_MYSQL_URL,
-- set by `make test` / scripts/with_servers.sh, which start MariaDB).
--
-- MariaDB and MySQL 8 differ here: MariaDB has no LATERAL and its derived
-- tables cannot reference outer columns, so Drizzle's own relational SQL
-- fails there (default mode: every `with`; planetscale mode: every one()
-- and every many() with limit/offset/orderBy). drizzle-c renders Drizzle's
-- text in toSQL() and, on MariaDB (detected with `select version()` once
-- per db, or forced with `db.mariadb = true | false`), runs correlated
-- scalar subqueries with json_arrayagg(... order by ... limit ? offset ?)
-- instead (relations.lua, dialects.mariadb). Against MySQL 8 Drizzle's SQL
-- runs as is.
local d = require("drizzle")
local mysql = require("drizzle.mysql")
local relations = require("drizzle.relations")

local URL = os.getenv("DZ_MYSQL_URL")
local BIG = math.type and tonumber("9007199254740993") or "9007199254740993"   -- > 2^53

local function makeSchema()
  local users = mysql.mysqlTable("rqb_users", {
    id = mysql.int("id"):primaryKey(),
    name = mysql.varchar("name", { length = 32 }):notNull(),
    verified = mysql.boolean("verified"):notNull():default(false),
    createdAt = mysql.datetime("created_at", { fsp = 3 }),
    seenAt = mysql.timestamp("seen_at", { mode = "string" }),
  })
  local profiles = mysql.mysqlTable("rqb_profiles", {
    id = mysql.int("id"):primaryKey(),
    userId = mysql.int("user_id"):notNull(),
    bio = mysql.text("bio"),
    birthday = mysql.date("birthday"),
  })
  local posts = mysql.mysqlTable("rqb_posts", {
    id = mysql.int("id"):primaryKey(),
    title = mysql.varchar("title", { length = 32 }):notNull(),
    authorId = mysql.int("author_id"),
    views = mysql.bigint("views", { mode = "bigint" }),
    price = mysql.decimal("price", { precision = 30, scale = 10 }),
    ratio = mysql.double("ratio"),
    meta = mysql.json("meta"),
    at = mysql.timestamp("at", { fsp = 3 }),
  })
  local comments = mysql.mysqlTable("rqb_comments", {
    id = mysql.int("id"):primaryKey(),
    postId = mysql.int("post_id"):notNull(),
    body = mysql.text("body"):notNull(),
  })
  return {
    users = users, profiles = profiles, posts = posts, comments = comments,
    usersRelations = d.relations(users, function(r) return {
      profile = r.one(profiles, { fields = { users.id }, references = { profiles.userId } }),
      posts = r.many(posts),
    } end),
    postsRelations = d.relations(posts, function(r) return {
      author = r.one(users, { fields = { posts.authorId }, references = { users.id } }),
      comments = r.many(comments),
    } end),
    commentsRelations = d.relations(comments, function(r) return {
      post = r.one(posts, { fields = { comments.postId }, references = { posts.id } }),
    } end),
  }
end

if not URL or URL == "" then
  describe("mysql relational queries against a server", function()
    it("needs DZ_MYSQL_URL", function()
      pending("DZ_MYSQL_URL is not set: run under `make test` or scripts/with_servers.sh to start MariaDB; skipped")
    end)
  end)
  return
end

describe("mysql relational queries against a server", function()
  local db, s, isMaria

  setup(function()
    s = makeSchema()
    db = mysql.drizzle({ connection = URL, schema = s, mode = "default" })
    for _, t in ipairs({ "rqb_users", "rqb_profiles", "rqb_posts", "rqb_comments" }) do
      db:execute(d.sql.raw("drop table if exists " .. t))
    end
    db:execute(d.sql.raw("create table rqb_users (id int primary key, name varchar(32) not null, verified boolean not null default false, created_at datetime(3), seen_at timestamp null)"))
    db:execute(d.sql.raw("create table rqb_profiles (id int primary key, user_id int not null, bio text, birthday date)"))
    db:execute(d.sql.raw("create table rqb_posts (id int primary key, title varchar(32) not null, author_id int, views bigint, price decimal(30,10), ratio double, meta json, at timestamp(3) null)"))
    db:execute(d.sql.raw("create table rqb_comments (id int primary key, post_id int not null, body text not null)"))
    db:execute(d.sql.raw("set time_zone = '+00:00'"))
    db:insert(s.users):values({
      { id = 1, name = "ann", verified = true, createdAt = 1700000000.5 },
      { id = 2, name = "bob" },
      { id = 3, name = "cy" },
    }):execute()
    db:insert(s.profiles):values({ { id = 1, userId = 1, bio = "hello", birthday = 946684800 } }):execute()
    db:insert(s.posts):values({
      { id = 1, title = "p1", authorId = 1, views = BIG, price = "12345678901234567890.1234567890", ratio = 0.25,
        meta = { k = 1.5, list = { 1, "x" } }, at = 1700000000.25 },
      { id = 2, title = "p2", authorId = 1, price = "0.5000000000" },
      { id = 3, title = "p3", authorId = 2 },
      { id = 4, title = "orphan" },
    }):execute()
    db:insert(s.comments):values({
      { id = 1, postId = 1, body = "c1" }, { id = 2, postId = 1, body = "c2" }, { id = 3, postId = 3, body = "c3" },
    }):execute()
    isMaria = relations.isMariaDB(db)
  end)

  teardown(function()
    if db then
      for _, t in ipairs({ "rqb_users", "rqb_profiles", "rqb_posts", "rqb_comments" }) do
        pcall(db.execute, db, d.sql.raw("drop table if exists " .. t))
      end
      db:close()
    end
  end)

  it("toSQL shows Drizzle's MySQL text whatever the server", function()
    local q = db.query.users:findMany({ columns = { id = true }, with = { profile = true } })
    assert.truthy(q:toSQL().sql:find("left join lateral", 1, true))
  end)

  it("one-to-one: an object, or nil when absent", function()
    local rows = db.query.users:findMany({
      columns = { id = true }, orderBy = function(u, o) return o.asc(u.id) end, with = { profile = true },
    }):execute()
    assert.are.same({
      { id = 1, profile = { id = 1, userId = 1, bio = "hello", birthday = 946684800 } },
      { id = 2 }, { id = 3 },
    }, rows)
  end)

  it("one-to-many: a list, empty when none; many-to-one from the other side", function()
    local rows = db.query.users:findMany({
      columns = { name = true }, orderBy = function(u, o) return o.asc(u.id) end,
      with = { posts = { columns = { id = true }, orderBy = function(p, o) return o.asc(p.id) end } },
    }):execute()
    assert.are.same({
      { name = "ann", posts = { { id = 1 }, { id = 2 } } },
      { name = "bob", posts = { { id = 3 } } },
      { name = "cy", posts = {} },
    }, rows)
    local post = db.query.posts:findFirst({
      columns = { title = true }, where = function(p, o) return o.eq(p.id, 3) end,
      with = { author = { columns = { name = true } } },
    }):execute()
    assert.are.same({ title = "p3", author = { name = "bob" } }, post)
    local orphan = db.query.posts:findFirst({ where = d.eq(s.posts.id, 4), columns = { id = true }, with = { author = true } }):execute()
    assert.are.same({ id = 4 }, orphan)
  end)

  it("nested two levels, with where, orderBy, limit and offset on a relation", function()
    local rows = db.query.users:findMany({
      columns = { id = true },
      where = function(u, o) return o.lt(u.id, 3) end,
      orderBy = function(u, o) return o.desc(u.id) end,
      with = { posts = {
        columns = { title = true },
        where = function(p, o) return o.ne(p.title, "zzz") end,
        orderBy = function(p, o) return o.desc(p.id) end,
        limit = 1,
        with = { comments = { columns = { body = true }, orderBy = function(c, o) return o.desc(c.id) end } },
      } },
    }):execute()
    -- the relation's order holds on MariaDB (json_arrayagg ... order by);
    -- Drizzle's MySQL form orders only the derived table's rows
    assert.are.same({
      { id = 2, posts = { { title = "p3", comments = { { body = "c3" } } } } },
      { id = 1, posts = { { title = "p2", comments = {} } } },
    }, rows)
    local u = db.query.users:findFirst({
      columns = { id = true }, where = d.eq(s.users.id, 1),
      with = { posts = { columns = { id = true }, orderBy = function(p, o) return o.asc(p.id) end, offset = 1 } },
    }):execute()
    assert.are.same({ id = 1, posts = { { id = 2 } } }, u)
  end)

  it("limit and offset at the top; extras at the top and in a relation", function()
    local rows = db.query.users:findMany({
      columns = { id = true },
      extras = { upper = d.sql("upper(?)", s.users.name):as("upper") },
      orderBy = function(u, o) return o.asc(u.id) end, limit = 2, offset = 1,
      with = { posts = { columns = {}, extras = function(p, o) return { len = o.sql("length(?)", p.title):mapWith(tonumber):as("len") } end } },
    }):execute()
    assert.are.same({ { id = 2, upper = "BOB", posts = { { len = 2 } } }, { id = 3, upper = "CY", posts = {} } }, rows)
  end)

  it("maps nested values by column: booleans from 1/0, bigint and decimal exact, json, timestamps", function()
    db:update(s.users):set({ seenAt = "2024-01-02 03:04:05" }):where(d.eq(s.users.id, 1)):execute()
    local c = db.query.comments:findFirst({
      columns = { id = true }, where = d.eq(s.comments.id, 1),
      with = { post = { with = { author = { with = { profile = true } } } } },
    }):execute()
    local p = c.post
    assert.are.equal(BIG, p.views)
    if math.type then assert.are.equal("integer", math.type(p.views)) end
    assert.are.equal("12345678901234567890.1234567890", p.price)
    assert.are.equal(0.25, p.ratio)
    assert.are.same({ k = 1.5, list = { 1, "x" } }, p.meta)
    assert.are.equal(1700000000.25, p.at)
    local a = p.author
    assert.is_true(a.verified)
    assert.are.equal(1700000000.5, a.createdAt)
    assert.are.equal("2024-01-02 03:04:05", a.seenAt)
    assert.are.equal(946684800, a.profile.birthday)
    local bob = db.query.users:findFirst({ columns = { verified = true }, where = d.eq(s.users.id, 2), with = { posts = { columns = { id = true }, with = { author = { columns = { verified = true } } } } } }):execute()
    assert.are.same({ verified = false, posts = { { id = 3, author = { verified = false } } } }, bob)
  end)

  it("prepare with placeholders, in the where and in a relation's limit", function()
    local q = db.query.users:findFirst({
      columns = { name = true },
      where = function(u, o) return o.eq(u.id, d.sql.placeholder("id")) end,
      with = { posts = { columns = { id = true }, orderBy = function(p, o) return o.asc(p.id) end, limit = d.sql.placeholder("n") } },
    }):prepare("rqb_user_posts")
    assert.are.same({ name = "ann", posts = { { id = 1 } } }, q:execute({ id = 1, n = 1 }))
    assert.are.same({ name = "ann", posts = { { id = 1 }, { id = 2 } } }, q:execute({ id = 1, n = 5 }))
    assert.is_nil(q:execute({ id = 99, n = 1 }))
  end)

  it("mode planetscale runs too (MariaDB: the same correlated form)", function()
    local pdb = mysql.drizzle({ connection = URL, schema = s, mode = "planetscale" })
    local u = pdb.query.users:findFirst({
      columns = { id = true }, where = d.eq(s.users.id, 1),
      with = { profile = { columns = { bio = true } }, posts = { columns = { id = true }, orderBy = function(p, o) return o.desc(p.id) end, limit = 1 } },
    }):execute()
    assert.are.same({ id = 1, profile = { bio = "hello" }, posts = { { id = 2 } } }, u)
    pdb:close()
  end)

  it("on MariaDB, Drizzle's own lateral SQL is refused (db.mariadb = false forces it)", function()
    if not isMaria then pending("the server is not MariaDB: Drizzle's SQL runs as is"); return end
    local fdb = mysql.drizzle({ connection = URL, schema = s, mode = "default" })
    fdb.mariadb = false
    assert.has_error(function()
      fdb.query.users:findMany({ columns = { id = true }, with = { profile = true } }):execute()
    end)
    fdb:close()
  end)
end)
