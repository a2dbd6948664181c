-- Relational queries (db.query.<table>:findMany/findFirst) against a real
-- SQLite database: nested rows read back as Drizzle's mapRelationalRow
-- builds them.
local d = require("drizzle")
local sqlite = require("drizzle.sqlite")

local is54 = math.type ~= nil and _VERSION ~= "Lua 5.1"

local function makeSchema()
  local users = sqlite.sqliteTable("users", {
    id = sqlite.integer("id"):primaryKey(),
    name = sqlite.text("name"):notNull(),
    verified = sqlite.integer("verified", { mode = "boolean" }):notNull():default(false),
    createdAt = sqlite.integer("created_at", { mode = "timestamp" }),
    lastLogin = sqlite.integer("last_login", { mode = "timestamp_ms" }),
    prefs = sqlite.text("prefs", { mode = "json" }),
    score = sqlite.integer("score"),
  })
  local profiles = sqlite.sqliteTable("profiles", {
    id = sqlite.integer("id"):primaryKey(),
    userId = sqlite.integer("user_id"):notNull(),
    bio = sqlite.text("bio"),
  })
  local posts = sqlite.sqliteTable("posts", {
    id = sqlite.integer("id"):primaryKey(),
    title = sqlite.text("title"):notNull(),
    authorId = sqlite.integer("author_id"),
    published = sqlite.integer("published", { mode = "boolean" }):notNull():default(false),
    meta = sqlite.text("meta", { mode = "json" }),
  })
  local comments = sqlite.sqliteTable("comments", {
    id = sqlite.integer("id"):primaryKey(),
    postId = sqlite.integer("post_id"):notNull(),
    body = sqlite.text("body"):notNull(),
  })
  local usersRelations = d.relations(users, function(r) return {
    profile = r.one(profiles, { fields = { users.id }, references = { profiles.userId } }),
    posts = r.many(posts),
  } end)
  local postsRelations = d.relations(posts, function(r) return {
    author = r.one(users, { fields = { posts.authorId }, references = { users.id } }),
    comments = r.many(comments),
  } end)
  local commentsRelations = d.relations(comments, function(r) return {
    post = r.one(posts, { fields = { comments.postId }, references = { posts.id } }),
  } end)
  return {
    users = users, profiles = profiles, posts = posts, comments = comments,
    usersRelations = usersRelations, postsRelations = postsRelations, commentsRelations = commentsRelations,
  }
end

local function setup()
  local s = makeSchema()
  local db = sqlite.drizzle({ filename = ":memory:", schema = s })
  db:run(d.sql.raw("create table users (id integer primary key, name text not null, verified integer not null default 0, created_at integer, last_login integer, prefs text, score integer)"))
  db:run(d.sql.raw("create table profiles (id integer primary key, user_id integer not null, bio text)"))
  db:run(d.sql.raw("create table posts (id integer primary key, title text not null, author_id integer, published integer not null default 0, meta text)"))
  db:run(d.sql.raw("create table comments (id integer primary key, post_id integer not null, body text not null)"))
  db:insert(s.users):values({
    { id = 1, name = "ann", verified = true, createdAt = 1700000000, lastLogin = 1700000000.5,
      prefs = { theme = "dark", n = { 1, 2 } }, score = 10 },
    { id = 2, name = "bob", verified = false, createdAt = 1600000000 },
    { id = 3, name = "cy" },
  }):execute()
  db:insert(s.profiles):values({ { id = 1, userId = 1, bio = "hello" } }):execute()
  db:insert(s.posts):values({
    { id = 1, title = "p1", authorId = 1, published = true, meta = { tags = { "a", "b" } } },
    { id = 2, title = "p2", authorId = 1 },
    { id = 3, title = "p3", authorId = 2, published = true },
    { id = 4, title = "orphan" },
  }):execute()
  db:insert(s.comments):values({
    { id = 1, postId = 1, body = "c1" },
    { id = 2, postId = 1, body = "c2" },
    { id = 3, postId = 3, body = "c3" },
  }):execute()
  return db, s
end

local function ids(list, key)
  local out = {}
  for i, r in ipairs(list) do out[i] = r[key or "id"] end
  return out
end

describe("relational queries on sqlite", function()
  local db, s
  before_each(function() db, s = setup() end)
  after_each(function() db:close() end)

  it("findMany with no config returns every column, decoded", function()
    local rows = db.query.users:findMany():execute()
    assert.equal(3, #rows)
    assert.same({
      id = 1, name = "ann", verified = true, createdAt = 1700000000, lastLogin = 1700000000.5,
      prefs = { theme = "dark", n = { 1, 2 } }, score = 10,
    }, rows[1])
    assert.same({ id = 3, name = "cy", verified = false }, rows[3])
  end)

  it("one-to-one: an object, or nil when absent", function()
    local rows = db.query.users:findMany({
      columns = { id = true },
      with = { profile = true },
      orderBy = function(u, ops) return ops.asc(u.id) end,
    }):execute()
    assert.same({
      { id = 1, profile = { id = 1, userId = 1, bio = "hello" } },
      { id = 2 },
      { id = 3 },
    }, rows)
    assert.is_nil(rows[2].profile)
  end)

  it("one-to-many: a list (empty when none), via the inverse relation", function()
    local rows = db.query.users:findMany({
      columns = { name = true },
      with = { posts = { columns = { id = true, title = true } } },
    }):execute()
    assert.same({
      { name = "ann", posts = { { id = 1, title = "p1" }, { id = 2, title = "p2" } } },
      { name = "bob", posts = { { id = 3, title = "p3" } } },
      { name = "cy", posts = {} },
    }, rows)
  end)

  it("many-to-one from the other side", function()
    local rows = db.query.posts:findMany({
      columns = { title = true },
      with = { author = { columns = { name = true } } },
    }):execute()
    assert.same({
      { title = "p1", author = { name = "ann" } },
      { title = "p2", author = { name = "ann" } },
      { title = "p3", author = { name = "bob" } },
      { title = "orphan" },
    }, rows)
  end)

  it("nested with: users -> posts -> comments -> post", function()
    local rows = db.query.users:findMany({
      columns = { id = true },
      where = function(u, ops) return ops.eq(u.id, 1) end,
      with = {
        posts = {
          columns = { title = true },
          with = { comments = { columns = { body = true }, with = { post = { columns = { id = true } } } } },
        },
      },
    }):execute()
    assert.same({
      { id = 1, posts = {
        { title = "p1", comments = { { body = "c1", post = { id = 1 } }, { body = "c2", post = { id = 1 } } } },
        { title = "p2", comments = {} },
      } },
    }, rows)
  end)

  it("limit and orderBy on a relation", function()
    local q = db.query.users:findMany({
      columns = { id = true },
      where = function(u, ops) return ops.eq(u.id, 1) end,
      with = { posts = {
        columns = { id = true },
        orderBy = function(p, ops) return ops.desc(p.id) end,
        limit = 1,
      } },
    })
    assert.same({ { id = 1, posts = { { id = 2 } } } }, q:execute())
    assert.equal('select "id", (select coalesce(json_group_array(json_array("id")), json_array()) as "data" from '
      .. '(select * from "posts" "users_posts" where "users_posts"."author_id" = "users"."id" order by "users_posts"."id" desc limit ?) "users_posts") as "posts" '
      .. 'from "users" "users" where "users"."id" = ?', q:toSQL().sql)
  end)

  it("columns: include and exclude modes keep table order", function()
    local row = db.query.users:findFirst({ columns = { score = true, id = true } }):execute()
    assert.same({ id = 1, score = 10 }, row)
    row = db.query.users:findFirst({ columns = { prefs = false, lastLogin = false, createdAt = false } }):execute()
    assert.same({ id = 1, name = "ann", verified = true, score = 10 }, row)
    assert.equal('select "id", "name", "verified", "score" from "users" "users" limit ?',
      db.query.users:findFirst({ columns = { prefs = false, lastLogin = false, createdAt = false } }):toSQL().sql)
  end)

  it("extras, as a table and as a function, also inside a relation", function()
    local rows = db.query.posts:findMany({
      columns = { id = true },
      extras = function(p, ops) return { upper = ops.sql("upper(?)", p.title):as("upper") } end,
      where = function(p, ops) return ops.lt(p.id, 3) end,
      with = { author = { columns = {}, extras = { len = d.sql("length(?)", s.users.name):mapWith(tonumber):as("len") } } },
    }):execute()
    assert.same({
      { id = 1, upper = "P1", author = { len = 3 } },
      { id = 2, upper = "P2", author = { len = 3 } },
    }, rows)
  end)

  it("where as an expression, findFirst nil when nothing matches", function()
    local row = db.query.users:findFirst({ where = d.eq(s.users.name, "nobody") }):execute()
    assert.is_nil(row)
    row = db.query.users:findFirst({ where = d.eq(s.users.name, "bob"), columns = { id = true } }):execute()
    assert.same({ id = 2 }, row)
  end)

  it("where callbacks get every operator; limit and offset at the top", function()
    local rows = db.query.posts:findMany({
      columns = { id = true },
      where = function(p, ops) return ops["and"](ops.isNotNull(p.authorId), ops.inArray(p.id, { 1, 2, 3 })) end,
      orderBy = function(p, ops) return { ops.desc(p.id) } end,
      limit = 2,
      offset = 1,
    }):execute()
    assert.same({ 2, 1 }, ids(rows))
  end)

  it("booleans, timestamps and json decode inside nested results", function()
    local row = db.query.posts:findFirst({
      columns = { id = true },
      where = function(p, ops) return ops.eq(p.id, 1) end,
      with = { author = true },
    }):execute()
    assert.same({ id = 1, author = {
      id = 1, name = "ann", verified = true, createdAt = 1700000000, lastLogin = 1700000000.5,
      prefs = { theme = "dark", n = { 1, 2 } }, score = 10,
    } }, row)
    local u = db.query.users:findFirst({
      columns = { id = true },
      with = { posts = { columns = { published = true, meta = true } } },
    }):execute()
    assert.same({ id = 1, posts = {
      { published = true, meta = { tags = { "a", "b" } } },
      { published = false },
    } }, u)
    assert.is_true(u.posts[1].published)
    assert.is_false(u.posts[2].published)
  end)

  it("keeps a big integer exact inside nested JSON", function()
    local big = is54 and math.tointeger(9007199254740993) or nil
    if not big then
      -- 5.1/LuaJIT: the column codec gives such integers as decimal strings
      db:run(d.sql.raw("update users set score = 9007199254740993 where id = 1"))
      local row = db.query.posts:findFirst({ columns = { id = true }, with = { author = { columns = { score = true } } } }):execute()
      assert.equal("9007199254740993", tostring(row.author.score))
      return
    end
    db:update(s.users):set({ score = big }):where(d.eq(s.users.id, 1)):execute()
    local row = db.query.posts:findFirst({ columns = { id = true }, with = { author = { columns = { score = true } } } }):execute()
    assert.equal(big, row.author.score)
    assert.equal("integer", math.type(row.author.score))
    local top = db.query.users:findFirst({ columns = { score = true } }):execute()
    assert.equal(big, top.score)
  end)

  it("prepare with placeholders", function()
    local p = db.query.users:findFirst({
      columns = { name = true },
      where = function(u, ops) return ops.eq(u.id, d.sql.placeholder("id")) end,
      with = { posts = { columns = { id = true } } },
    }):prepare("userById")
    assert.same({ name = "bob", posts = { { id = 3 } } }, p:execute({ id = 2 }))
    assert.same({ name = "cy", posts = {} }, p:execute({ id = 3 }))
    assert.is_nil(p:execute({ id = 99 }))
    local many = db.query.posts:findMany({ columns = { id = true }, limit = d.sql.placeholder("n") }):prepare()
    assert.same({ { id = 1 }, { id = 2 } }, many:execute({ n = 2 }))
  end)

  it("findMany inside a transaction", function()
    local n = db:transaction(function(tx)
      return #tx.query.comments:findMany():execute()
    end)
    assert.equal(3, n)
  end)

  it("raises Drizzle's errors", function()
    local ok, err = pcall(function() return db.query.users:findMany({ columns = { id = false, name = false, verified = false,
      createdAt = false, lastLogin = false, prefs = false, score = false } }):toSQL() end)
    assert.is_false(ok)
    assert.matches('No fields selected for table "users" %("users"%)', tostring(err))
    ok, err = pcall(function() return db.query.users:findMany({ with = { nope = true } }):toSQL() end)
    assert.is_false(ok)
    assert.matches('no relation "nope"', tostring(err))
    ok, err = pcall(function() return db.query.nope end)
    assert.is_false(ok)
    assert.matches("no table", tostring(err))
  end)

  it("infers nothing without a one() on the other side", function()
    local a = sqlite.sqliteTable("a", { id = sqlite.integer("id"):primaryKey() })
    local b = sqlite.sqliteTable("b", { id = sqlite.integer("id"):primaryKey(), aId = sqlite.integer("a_id") })
    local ar = d.relations(a, function(r) return { bs = r.many(b) } end)
    local mock = sqlite.drizzle.mock({ schema = { a = a, b = b, ar = ar } })
    local ok, err = pcall(function() return mock.query.a:findMany({ with = { bs = true } }):toSQL() end)
    assert.is_false(ok)
    assert.matches('There is not enough information to infer relation "a.bs"', tostring(err))
    -- two relations between the same tables need a relation name
    local br = d.relations(b, function(r) return {
      x = r.one(a, { fields = { b.aId }, references = { a.id } }),
      y = r.one(a, { fields = { b.aId }, references = { a.id } }),
    } end)
    mock = sqlite.drizzle.mock({ schema = { a = a, b = b, ar = ar, br = br } })
    ok, err = pcall(function() return mock.query.a:findMany({ with = { bs = true } }):toSQL() end)
    assert.is_false(ok)
    assert.matches('There are multiple relations between "b" and "a". Please specify relation name', tostring(err))
  end)

  it("relation names pick the inverse relation; with follows definition order", function()
    local people = sqlite.sqliteTable("people", { id = sqlite.integer("id"):primaryKey(), name = sqlite.text("name") })
    local msgs = sqlite.sqliteTable("msgs", {
      id = sqlite.integer("id"):primaryKey(),
      fromId = sqlite.integer("from_id"), toId = sqlite.integer("to_id"),
    })
    local pr = d.relations(people, function(r) return {
      sent = r.many(msgs, { relationName = "sender" }),
      received = r.many(msgs, { relationName = "receiver" }),
    } end)
    local mr = d.relations(msgs, function(r) return {
      sender = r.one(people, { fields = { msgs.fromId }, references = { people.id }, relationName = "sender" }),
      receiver = r.one(people, { fields = { msgs.toId }, references = { people.id }, relationName = "receiver" }),
    } end)
    local mdb = sqlite.drizzle({ schema = { people = people, msgs = msgs, pr = pr, mr = mr } })
    mdb:run(d.sql.raw("create table people (id integer primary key, name text)"))
    mdb:run(d.sql.raw("create table msgs (id integer primary key, from_id integer, to_id integer)"))
    mdb:insert(people):values({ { id = 1, name = "a" }, { id = 2, name = "b" } }):execute()
    mdb:insert(msgs):values({ { id = 1, fromId = 1, toId = 2 }, { id = 2, fromId = 1, toId = 1 } }):execute()
    local q = mdb.query.people:findFirst({ columns = { name = true }, with = { received = true, sent = true } })
    assert.equal('select "name", (select coalesce(json_group_array(json_array("id", "from_id", "to_id")), json_array()) as "data" '
      .. 'from "msgs" "people_sent" where "people_sent"."from_id" = "people"."id") as "sent", '
      .. '(select coalesce(json_group_array(json_array("id", "from_id", "to_id")), json_array()) as "data" '
      .. 'from "msgs" "people_received" where "people_received"."to_id" = "people"."id") as "received" '
      .. 'from "people" "people" limit ?', q:toSQL().sql)
    assert.same({ name = "a",
      sent = { { id = 1, fromId = 1, toId = 2 }, { id = 2, fromId = 1, toId = 1 } },
      received = { { id = 2, fromId = 1, toId = 1 } } }, q:execute())
    mdb:close()
  end)
end)
