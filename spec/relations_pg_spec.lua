-- Relational queries on pg, rendered (toSQL, no server): the SQL of
-- drizzle-orm 0.45 pg-core/dialect.ts buildRelationalQueryWithoutPK. Each
-- expected string is derived by hand from that code:
--   * a relation is `left join lateral (<nested>) "<alias>_<key>" on true`,
--     selected as "<alias>_<key>"."data" as "<key>";
--   * a nested level selects json_build_array(<its fields>) as "data", and
--     for many: coalesce(json_agg(json_build_array(...) [order by ...]), '[]'::json);
--   * a nested level with limit/offset/orderBy reads from
--     (select * from "t" "alias" where ... order by ... limit $n) "alias";
--   * one() relations get limit 1; findFirst gets limit 1;
--   * columns are qualified unless the select has no join (a single table);
--     inside json_build_array (an sql.join) they are always qualified.
local d = require("drizzle")
local pg = require("drizzle.pg")

local function makeSchema()
  local users = pg.pgTable("users", {
    id = pg.serial("id"):primaryKey(),
    name = pg.text("name"):notNull(),
    createdAt = pg.timestamp("created_at"),
  })
  local profiles = pg.pgTable("profiles", {
    id = pg.serial("id"):primaryKey(),
    userId = pg.integer("user_id"):notNull(),
    bio = pg.text("bio"),
  })
  local posts = pg.pgTable("posts", {
    id = pg.serial("id"):primaryKey(),
    title = pg.text("title"):notNull(),
    authorId = pg.integer("author_id"),
    published = pg.boolean("published"):notNull():default(false),
  })
  local comments = pg.pgTable("comments", {
    id = pg.serial("id"):primaryKey(),
    postId = pg.integer("post_id"):notNull(),
    body = pg.text("body"):notNull(),
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

local s = makeSchema()
local function db() return pg.drizzle.mock({ schema = s }) end

local function check(q, sql, params)
  local r = q:toSQL()
  assert.are.equal(sql, r.sql)
  assert.are.same(params, r.params)
end

describe("pg relational queries (toSQL)", function()
  -- no relation, no join: a single-table select, bare columns; exclude mode
  -- keeps the rest in table order
  it("columns exclude mode on a single table", function()
    check(db().query.users:findMany({ columns = { name = false } }),
      'select "id", "created_at" from "users" "users"', {})
  end)

  -- one(): with = { profile = true } is { limit = 1 }: all columns of the
  -- relation, read through a derived table for the limit
  it("one-to-one with = true", function()
    check(db().query.users:findMany({ columns = { id = true, name = true }, with = { profile = true } }),
      'select "users"."id", "users"."name", "users_profile"."data" as "profile" from "users" "users" '
      .. 'left join lateral (select json_build_array("users_profile"."id", "users_profile"."user_id", "users_profile"."bio") as "data" '
      .. 'from (select * from "profiles" "users_profile" where "users_profile"."user_id" = "users"."id" limit $1) "users_profile") '
      .. '"users_profile" on true',
      { 1 })
  end)

  -- many() found through the one() on the other side (posts.author); the
  -- relation's where is and-ed after the join condition (parenthesised),
  -- its orderBy goes both into the derived table and into json_agg
  it("one-to-many with where, orderBy, limit and include columns", function()
    check(db().query.users:findMany({
      columns = { id = true },
      with = { posts = {
        columns = { title = true },
        where = function(p, ops) return ops.eq(p.published, true) end,
        orderBy = function(p, ops) return ops.desc(p.id) end,
        limit = 2,
      } },
    }),
      'select "users"."id", "users_posts"."data" as "posts" from "users" "users" '
      .. 'left join lateral (select coalesce(json_agg(json_build_array("users_posts"."title") order by "users_posts"."id" desc), \'[]\'::json) as "data" '
      .. 'from (select * from "posts" "users_posts" where ("users_posts"."author_id" = "users"."id" and "users_posts"."published" = $1) '
      .. 'order by "users_posts"."id" desc limit $2) "users_posts") "users_posts" on true',
      { true, 2 })
  end)

  -- many without limit/order: no derived table, json_agg without order by;
  -- where given as an expression (not a callback) is mapped to the alias
  it("one-to-many with a where expression and offset", function()
    check(db().query.users:findMany({
      columns = { id = true },
      with = { posts = { columns = { id = true }, where = d.eq(s.posts.published, false), offset = 3 } },
    }),
      'select "users"."id", "users_posts"."data" as "posts" from "users" "users" '
      .. 'left join lateral (select coalesce(json_agg(json_build_array("users_posts"."id")), \'[]\'::json) as "data" '
      .. 'from (select * from "posts" "users_posts" where ("users_posts"."author_id" = "users"."id" and "users_posts"."published" = $1) '
      .. 'offset $2) "users_posts") "users_posts" on true',
      { false, 3 })
  end)

  -- two levels: users -> posts -> comments; the inner relation's lateral
  -- join sits inside the posts level, its "data" inside posts'
  -- json_build_array; findFirst adds limit $n at the top
  it("nested two levels, findFirst", function()
    check(db().query.users:findFirst({
      columns = { id = true },
      with = { posts = { columns = { title = true }, with = { comments = true } } },
    }),
      'select "users"."id", "users_posts"."data" as "posts" from "users" "users" '
      .. 'left join lateral (select coalesce(json_agg(json_build_array("users_posts"."title", "users_posts_comments"."data")), \'[]\'::json) as "data" '
      .. 'from "posts" "users_posts" '
      .. 'left join lateral (select coalesce(json_agg(json_build_array("users_posts_comments"."id", "users_posts_comments"."post_id", "users_posts_comments"."body")), \'[]\'::json) as "data" '
      .. 'from "comments" "users_posts_comments" where "users_posts_comments"."post_id" = "users_posts"."id") "users_posts_comments" on true '
      .. 'where "users_posts"."author_id" = "users"."id") "users_posts" on true limit $1',
      { 1 })
  end)

  -- extras at the top (qualified: the select has a join) and inside a
  -- one() relation (given as a callback), after that level's columns
  it("extras at the top and inside a relation", function()
    check(db().query.posts:findMany({
      columns = { id = true },
      extras = { titleLen = d.sql("length(?)", s.posts.title):as("title_len") },
      with = { author = {
        columns = { name = true },
        extras = function(u, ops) return { lowerName = ops.sql("lower(?)", u.name):as("lower_name") } end,
      } },
    }),
      'select "posts"."id", length("posts"."title") as "title_len", "posts_author"."data" as "author" from "posts" "posts" '
      .. 'left join lateral (select json_build_array("posts_author"."name", lower("posts_author"."name")) as "data" '
      .. 'from (select * from "users" "posts_author" where "posts_author"."id" = "posts"."author_id" limit $1) "posts_author") '
      .. '"posts_author" on true',
      { 1 })
  end)

  -- top-level where/orderBy (a list)/limit/offset come after the joins; the
  -- lateral subquery's params are numbered first
  it("top-level where, orderBy list, limit and offset with a relation", function()
    check(db().query.users:findMany({
      where = function(u, ops) return ops.gt(u.id, 1) end,
      orderBy = function(u, ops) return { ops.asc(u.name), ops.desc(u.id) } end,
      limit = 5, offset = 10,
      with = { profile = { columns = { bio = true } } },
    }),
      'select "users"."id", "users"."name", "users"."created_at", "users_profile"."data" as "profile" from "users" "users" '
      .. 'left join lateral (select json_build_array("users_profile"."bio") as "data" '
      .. 'from (select * from "profiles" "users_profile" where "users_profile"."user_id" = "users"."id" limit $1) "users_profile") '
      .. '"users_profile" on true where "users"."id" > $2 order by "users"."name" asc, "users"."id" desc limit $3 offset $4',
      { 1, 1, 5, 10 })
  end)

  -- a column given bare to orderBy (not asc/desc) and a one() seen from the
  -- child: comments -> post -> author, each one() with its limit 1
  it("one() chain from the child side, bare orderBy column", function()
    check(db().query.comments:findMany({
      columns = { body = true },
      orderBy = function(c) return c.id end,
      with = { post = { columns = { title = true }, with = { author = { columns = { name = true } } } } },
    }),
      'select "comments"."body", "comments_post"."data" as "post" from "comments" "comments" '
      .. 'left join lateral (select json_build_array("comments_post"."title", "comments_post_author"."data") as "data" '
      .. 'from (select * from "posts" "comments_post" where "comments_post"."id" = "comments"."post_id" limit $1) "comments_post" '
      .. 'left join lateral (select json_build_array("comments_post_author"."name") as "data" '
      .. 'from (select * from "users" "comments_post_author" where "comments_post_author"."id" = "comments_post"."author_id" limit $2) "comments_post_author") '
      .. '"comments_post_author" on true) "comments_post" on true order by "comments"."id"',
      { 1, 1 })
  end)

  it("raises Drizzle's error when a level selects nothing", function()
    assert.has_error(function()
      db().query.users:findMany({ with = { profile = { columns = { id = false, userId = false, bio = false } } } }):toSQL()
    end)
  end)
end)

-- Mapping of nested JSON (no server): rows written by hand as pg's
-- json_build_array / json_agg write them, mapped through the query's
-- selection as mapRelationalRow does.
describe("pg relational results mapping (hand-written JSON)", function()
  local relations = require("drizzle.relations")
  local BIG = math.type and tonumber("9007199254740993") or "9007199254740993"

  local acc = pg.pgTable("acc", {
    id = pg.integer("id"):primaryKey(),
    active = pg.boolean("active"),
    at = pg.timestamp("at"),
    atz = pg.timestamp("atz", { withTimezone = true }),
    atStr = pg.timestamp("at_str", { mode = "string" }),
    day = pg.date("day", { mode = "date" }),
  })
  local ent = pg.pgTable("ent", {
    id = pg.integer("id"):primaryKey(),
    accId = pg.integer("acc_id"),
    big = pg.bigint("big", { mode = "bigint" }),
    amount = pg.numeric("amount", { precision = 40, scale = 10 }),
    amountNum = pg.numeric("amount_num", { mode = "number" }),
    ratio = pg.real("ratio"),
    meta = pg.jsonb("meta"),
    ints = pg.integer("ints"):array(),
    loc = pg.point("loc", { mode = "tuple" }),
    geo = pg.geometry("geo", { type = "point", mode = "xy", srid = 4326 }),
  })
  local sch = {
    acc = acc, ent = ent,
    accRel = d.relations(acc, function(r) return { ents = r.many(ent) } end),
    entRel = d.relations(ent, function(r) return { acc = r.one(acc, { fields = { ent.accId }, references = { acc.id } }) } end),
  }

  local function selectionOf(q)
    q:toSQL()
    return q._built.selection
  end

  it("many(): bigint and numeric exact, numbers, json, arrays, points, EWKB", function()
    local q = pg.drizzle.mock({ schema = sch }).query.acc:findMany({ columns = { id = true }, with = { ents = true } })
    local sel = selectionOf(q)
    -- an EWKB point with SRID 4326 at (1.5, -2): little endian
    local ewkb = "0101000020E6100000000000000000F83F00000000000000C0"
    local row = relations.mapTopRow(sel, {
      id = 1,
      ents = '[[1, 1, 9007199254740993, 12345678901234567890.1234567890, 2.50, 0.1, {"a": 1.25, "b": [1, null]}, [1, 2], "(1.5,-2)", "'
        .. ewkb .. '"], [2, 1, null, null, null, null, null, null, null, null]]',
    }, "pg")
    local e = row.ents[1]
    assert.are.equal(BIG, e.big)
    assert.are.equal("12345678901234567890.1234567890", e.amount)
    assert.are.equal(2.5, e.amountNum)
    assert.are.equal(0.1, e.ratio)
    assert.are.same({ a = 1.25, b = { 1, d.NULL } }, e.meta)
    assert.are.same({ 1, 2 }, e.ints)
    assert.are.same({ 1.5, -2 }, e.loc)
    assert.are.same({ x = 1.5, y = -2 }, e.geo)
    assert.are.same({ id = 2, accId = 1 }, row.ents[2])
  end)

  it("one(): booleans and timestamps by mode; null one() is absent", function()
    local q = pg.drizzle.mock({ schema = sch }).query.ent:findMany({ columns = { id = true }, with = { acc = true } })
    local sel = selectionOf(q)
    local row = relations.mapTopRow(sel, {
      id = 1,
      acc = '[1, true, "2023-11-14T22:13:20.5", "2023-11-15T00:13:20+02:00", "2023-11-14T22:13:20", "2000-01-01"]',
    }, "pg")
    assert.are.same({ id = 1, active = true, at = 1700000000.5, atz = 1700000000,
                      atStr = "2023-11-14T22:13:20", day = 946684800 }, row.acc)
    assert.are.same({ id = 2 }, relations.mapTopRow(sel, { id = 2 }, "pg"))
  end)

  it("parses the instants pg and MySQL write inside JSON", function()
    local p = relations.parseInstant
    assert.are.equal(0, p("1970-01-01"))
    assert.are.equal(1704067200.123, p("2024-01-01 00:00:00.123000"))
    assert.are.equal(1704067200, p("2024-01-01T05:30:00+05:30"))
    assert.are.equal(1704067200, p("2023-12-31T19:00:00-05"))
    assert.are.equal("not a date", p("not a date"))
  end)
end)
