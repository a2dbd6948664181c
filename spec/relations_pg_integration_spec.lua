-- Relational queries against a real PostgreSQL (DZ_PG_URL, set by
-- `make test` / scripts/with_servers.sh): the SQL of Drizzle's pg dialect
-- (lateral joins, json_build_array / json_agg) runs, and nested rows come
-- back mapped by column as Drizzle's mapRelationalRow does, with bigint and
-- numeric exact (LUA_API.md §5).
local d = require("drizzle")
local pg = require("drizzle.pg")

local URL = os.getenv("DZ_PG_URL")
local BIG = math.type and tonumber("9007199254740993") or "9007199254740993"   -- > 2^53

local function makeSchema()
  local users = pg.pgTable("rqb_users", {
    id = pg.integer("id"):primaryKey(),
    name = pg.text("name"):notNull(),
    verified = pg.boolean("verified"):notNull():default(false),
    createdAt = pg.timestamp("created_at", { precision = 3 }),
    seenAt = pg.timestamp("seen_at", { withTimezone = true, mode = "string" }),
  })
  local profiles = pg.pgTable("rqb_profiles", {
    id = pg.integer("id"):primaryKey(),
    userId = pg.integer("user_id"):notNull(),
    bio = pg.text("bio"),
    birthday = pg.date("birthday", { mode = "date" }),
  })
  local posts = pg.pgTable("rqb_posts", {
    id = pg.integer("id"):primaryKey(),
    title = pg.text("title"):notNull(),
    authorId = pg.integer("author_id"),
    views = pg.bigint("views", { mode = "bigint" }),
    price = pg.numeric("price", { precision = 30, scale = 10 }),
    ratio = pg.doublePrecision("ratio"),
    tags = pg.text("tags"):array(),
    scores = pg.integer("scores"):array(),
    meta = pg.jsonb("meta"),
    at = pg.timestamp("at", { withTimezone = true }),
    loc = pg.point("loc", { mode = "xy" }),
  })
  local comments = pg.pgTable("rqb_comments", {
    id = pg.integer("id"):primaryKey(),
    postId = pg.integer("post_id"):notNull(),
    body = pg.text("body"):notNull(),
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
  describe("pg relational queries against a server", function()
    it("needs DZ_PG_URL", function()
      pending("DZ_PG_URL is not set: run under `make test` or scripts/with_servers.sh to start PostgreSQL; skipped")
    end)
  end)
  return
end

describe("pg relational queries against a server", function()
  local db, s

  setup(function()
    s = makeSchema()
    db = pg.drizzle({ connection = URL, schema = s })
    db:execute(d.sql.raw("drop table if exists rqb_users, rqb_profiles, rqb_posts, rqb_comments"))
    db:execute(d.sql.raw("create table rqb_users (id integer primary key, name text not null, verified boolean not null default false, created_at timestamp(3), seen_at timestamptz)"))
    db:execute(d.sql.raw("create table rqb_profiles (id integer primary key, user_id integer not null, bio text, birthday date)"))
    db:execute(d.sql.raw("create table rqb_posts (id integer primary key, title text not null, author_id integer, views bigint, price numeric(30,10), ratio double precision, tags text[], scores integer[], meta jsonb, at timestamptz, loc point)"))
    db:execute(d.sql.raw("create table rqb_comments (id integer primary key, post_id integer not null, body text not null)"))
    db:execute(d.sql.raw("set time zone 'UTC'"))
    db:insert(s.users):values({
      { id = 1, name = "ann", verified = true, createdAt = 1700000000.5 },
      { id = 2, name = "bob" },
      { id = 3, name = "cy" },
    }):execute()
    db:insert(s.profiles):values({ { id = 1, userId = 1, bio = "hello", birthday = 946684800 } }):execute()
    db:insert(s.posts):values({
      { id = 1, title = "p1", authorId = 1, views = BIG, price = "12345678901234567890.1234567890", ratio = 0.25,
        tags = { "a", "b" }, scores = { 1, 2 }, meta = { k = 1.5, list = { 1, "x" } }, at = 1700000000, loc = { x = 1.5, y = -2 } },
      { id = 2, title = "p2", authorId = 1, price = "0.5000000000" },
      { id = 3, title = "p3", authorId = 2 },
      { id = 4, title = "orphan" },
    }):execute()
    db:insert(s.comments):values({
      { id = 1, postId = 1, body = "c1" }, { id = 2, postId = 1, body = "c2" }, { id = 3, postId = 3, body = "c3" },
    }):execute()
  end)

  teardown(function()
    if db then
      pcall(db.execute, db, d.sql.raw("drop table if exists rqb_users, rqb_profiles, rqb_posts, rqb_comments"))
      db:close()
    end
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

  it("nested two levels, with where, orderBy and limit on a relation", function()
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
    assert.are.same({
      { id = 2, posts = { { title = "p3", comments = { { body = "c3" } } } } },
      { id = 1, posts = { { title = "p2", comments = {} } } },
    }, rows)
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

  it("columns exclude mode inside a relation", function()
    local u = db.query.users:findFirst({
      columns = { name = true }, where = d.eq(s.users.id, 1),
      with = { profile = { columns = { id = false, userId = false, birthday = false } } },
    }):execute()
    assert.are.same({ name = "ann", profile = { bio = "hello" } }, u)
  end)

  it("maps nested values by column: bigint and numeric exact, arrays, json, timestamps, points", function()
    local u = db.query.users:findFirst({
      columns = { id = true, verified = true, createdAt = true },
      where = d.eq(s.users.id, 1),
      with = { posts = { where = d.eq(s.posts.id, 1) } },
    }):execute()
    assert.are.equal(1700000000.5, u.createdAt)
    assert.is_true(u.verified)
    local p = u.posts[1]
    assert.are.equal(BIG, p.views)
    if math.type then assert.are.equal("integer", math.type(p.views)) end
    assert.are.equal("12345678901234567890.1234567890", p.price)
    assert.are.equal(0.25, p.ratio)
    assert.are.same({ "a", "b" }, p.tags)
    assert.are.same({ 1, 2 }, p.scores)
    assert.are.same({ k = 1.5, list = { 1, "x" } }, p.meta)
    assert.are.equal(1700000000, p.at)
    assert.are.same({ x = 1.5, y = -2 }, p.loc)
  end)

  it("a one() carries booleans, timestamps (date and string modes) and dates", function()
    db:update(s.users):set({ seenAt = "2024-01-02 03:04:05+00" }):where(d.eq(s.users.id, 1)):execute()
    local c = db.query.comments:findFirst({
      columns = { id = true }, where = d.eq(s.comments.id, 1),
      with = { post = { columns = { id = true }, with = { author = { with = { profile = true } } } } },
    }):execute()
    local a = c.post.author
    assert.is_true(a.verified)
    assert.are.equal(1700000000.5, a.createdAt)
    assert.are.equal("2024-01-02T03:04:05+00:00", a.seenAt)   -- string mode: as pg's JSON writes it (Drizzle's behaviour)
    assert.are.equal(946684800, a.profile.birthday)
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

  it("runs inside a transaction", function()
    db:transaction(function(tx)
      tx:insert(s.comments):values({ id = 10, postId = 2, body = "tx" }):execute()
      local p = db.query.posts:findFirst({ columns = { id = true }, where = d.eq(s.posts.id, 2), with = { comments = true } }):execute()
      assert.are.same({ id = 2, comments = { { id = 10, postId = 2, body = "tx" } } }, p)
      tx:rollback()
    end)
  end)
end)
