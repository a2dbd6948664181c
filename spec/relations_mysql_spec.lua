-- Relational queries on MySQL, rendered (toSQL, no server): the SQL of
-- drizzle-orm 0.45 mysql-core/dialect.ts, derived by hand from
--   * buildRelationalQuery (mode = "default"): a relation is
--     `left join lateral (<nested>) `<alias>_<key>` on true`, selected as
--     `<alias>_<key>`.`data` as `<key>`; a nested level selects
--     json_array(<its fields, qualified>) as `data`, for many
--     coalesce(json_arrayagg(json_array(...)), json_array()) as `data`; with
--     limit/offset/orderBy it reads from
--     (select *, row_number() over (order by ...) from `t` `alias` where ... limit ?) `alias`
--     and no order by is left anywhere else (json_arrayagg has none);
--   * buildRelationalQueryWithoutLateralSubqueries (mode = "planetscale"):
--     relations are correlated subqueries in the select list,
--     (select json_array(`bare`, ...) from ...) as `key` for one and
--     coalesce((select json_arrayagg(json_array(...)) from ...), json_array())
--     as `key` for many; the nested select's field has no `as`.
-- What MariaDB runs instead (it has no LATERAL) is in
-- spec/relations_mysql_integration_spec.lua and relations.lua; toSQL always
-- shows Drizzle's text.
local d = require("drizzle")
local mysql = require("drizzle.mysql")

local function makeSchema()
  local users = mysql.mysqlTable("users", {
    id = mysql.int("id"):primaryKey():autoincrement(),
    name = mysql.varchar("name", { length = 64 }):notNull(),
    createdAt = mysql.timestamp("created_at"),
  })
  local profiles = mysql.mysqlTable("profiles", {
    id = mysql.int("id"):primaryKey(),
    userId = mysql.int("user_id"):notNull(),
    bio = mysql.text("bio"),
  })
  local posts = mysql.mysqlTable("posts", {
    id = mysql.int("id"):primaryKey(),
    title = mysql.varchar("title", { length = 64 }):notNull(),
    authorId = mysql.int("author_id"),
    published = mysql.boolean("published"):notNull():default(false),
  })
  local comments = mysql.mysqlTable("comments", {
    id = mysql.int("id"):primaryKey(),
    postId = mysql.int("post_id"):notNull(),
    body = mysql.text("body"):notNull(),
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
local function db(mode) return mysql.drizzle.mock({ schema = s, mode = mode or "default" }) end

local function check(q, sql, params)
  local r = q:toSQL()
  assert.are.equal(sql, r.sql)
  assert.are.same(params, r.params)
end

describe("mysql relational queries (toSQL, mode default)", function()
  -- single table, no join: bare columns; include mode in table order
  it("columns include mode on a single table", function()
    check(db().query.users:findMany({ columns = { name = true, id = true } }),
      "select `id`, `name` from `users` `users`", {})
  end)

  -- one() with = true: { limit = 1 }, hence the derived table (no order by,
  -- so no row_number())
  it("one-to-one with = true", function()
    check(db().query.users:findMany({ columns = { id = true }, with = { profile = true } }),
      "select `users`.`id`, `users_profile`.`data` as `profile` from `users` `users` "
      .. "left join lateral (select json_array(`users_profile`.`id`, `users_profile`.`user_id`, `users_profile`.`bio`) as `data` "
      .. "from (select * from `profiles` `users_profile` where `users_profile`.`user_id` = `users`.`id` limit ?) `users_profile`) "
      .. "`users_profile` on true",
      { 1 })
  end)

  -- many with where/orderBy/limit: the order by becomes row_number() over
  -- (...) in the derived table and is dropped from the derived table and
  -- the outer select
  it("one-to-many with where, orderBy and limit", function()
    check(db().query.users:findMany({
      columns = { id = true },
      with = { posts = {
        columns = { title = true },
        where = function(p, ops) return ops.eq(p.published, true) end,
        orderBy = function(p, ops) return ops.desc(p.id) end,
        limit = 2,
      } },
    }),
      "select `users`.`id`, `users_posts`.`data` as `posts` from `users` `users` "
      .. "left join lateral (select coalesce(json_arrayagg(json_array(`users_posts`.`title`)), json_array()) as `data` "
      .. "from (select *, row_number() over (order by `users_posts`.`id` desc) from `posts` `users_posts` "
      .. "where (`users_posts`.`author_id` = `users`.`id` and `users_posts`.`published` = ?) limit ?) `users_posts`) "
      .. "`users_posts` on true",
      { true, 2 })
  end)

  -- two levels, many -> many, no limits: no derived tables; findFirst limit
  it("nested two levels, findFirst", function()
    check(db().query.users:findFirst({
      columns = { id = true },
      with = { posts = { columns = { title = true }, with = { comments = { columns = { body = true } } } } },
    }),
      "select `users`.`id`, `users_posts`.`data` as `posts` from `users` `users` "
      .. "left join lateral (select coalesce(json_arrayagg(json_array(`users_posts`.`title`, `users_posts_comments`.`data`)), json_array()) as `data` "
      .. "from `posts` `users_posts` "
      .. "left join lateral (select coalesce(json_arrayagg(json_array(`users_posts_comments`.`body`)), json_array()) as `data` "
      .. "from `comments` `users_posts_comments` where `users_posts_comments`.`post_id` = `users_posts`.`id`) `users_posts_comments` on true "
      .. "where `users_posts`.`author_id` = `users`.`id`) `users_posts` on true limit ?",
      { 1 })
  end)

  -- extras at the top and inside a one(); exclude-mode columns in the relation
  it("extras and exclude columns inside a relation", function()
    check(db().query.posts:findMany({
      columns = { id = true },
      extras = { titleLen = d.sql("length(?)", s.posts.title):as("title_len") },
      with = { author = {
        columns = { createdAt = false },
        extras = function(u, ops) return { lowerName = ops.sql("lower(?)", u.name):as("lower_name") } end,
      } },
    }),
      "select `posts`.`id`, length(`posts`.`title`) as `title_len`, `posts_author`.`data` as `author` from `posts` `posts` "
      .. "left join lateral (select json_array(`posts_author`.`id`, `posts_author`.`name`, lower(`posts_author`.`name`)) as `data` "
      .. "from (select * from `users` `posts_author` where `posts_author`.`id` = `posts`.`author_id` limit ?) `posts_author`) "
      .. "`posts_author` on true",
      { 1 })
  end)

  -- top-level where/orderBy/limit/offset after the lateral join
  it("top-level where, orderBy, limit and offset with a relation", function()
    check(db().query.users:findMany({
      columns = { id = true },
      where = function(u, ops) return ops.gt(u.id, 1) end,
      orderBy = function(u, ops) return ops.asc(u.name) end,
      limit = 5, offset = 10,
      with = { profile = { columns = { bio = true } } },
    }),
      "select `users`.`id`, `users_profile`.`data` as `profile` from `users` `users` "
      .. "left join lateral (select json_array(`users_profile`.`bio`) as `data` "
      .. "from (select * from `profiles` `users_profile` where `users_profile`.`user_id` = `users`.`id` limit ?) `users_profile`) "
      .. "`users_profile` on true where `users`.`id` > ? order by `users`.`name` asc limit ? offset ?",
      { 1, 1, 5, 10 })
  end)
end)

describe("mysql relational queries (toSQL, mode planetscale)", function()
  -- one(): a correlated subquery in the select list; the top select has no
  -- join so its columns are bare, and so are the nested level's
  it("one-to-one with = true", function()
    check(db("planetscale").query.users:findMany({ columns = { id = true, name = true }, with = { profile = true } }),
      "select `id`, `name`, (select json_array(`id`, `user_id`, `bio`) "
      .. "from (select * from `profiles` `users_profile` where `users_profile`.`user_id` = `users`.`id` limit ?) `users_profile`) "
      .. "as `profile` from `users` `users`",
      { 1 })
  end)

  -- many within coalesce(..., json_array()); nested two levels: the inner
  -- relation's coalesce((select ...)) is an item of the outer json_array
  it("nested two levels of many", function()
    check(db("planetscale").query.users:findMany({
      columns = { id = true },
      with = { posts = { columns = { title = true }, with = { comments = { columns = { body = true } } } } },
    }),
      "select `id`, coalesce((select json_arrayagg(json_array(`title`, coalesce((select json_arrayagg(json_array(`body`)) "
      .. "from `comments` `users_posts_comments` where `users_posts_comments`.`post_id` = `users_posts`.`id`), json_array()))) "
      .. "from `posts` `users_posts` where `users_posts`.`author_id` = `users`.`id`), json_array()) as `posts` from `users` `users`",
      {})
  end)

  -- orderBy/limit on a many: the derived table with row_number(), as in
  -- the default mode; extras inside stay qualified (an sql of their own)
  it("many with orderBy, limit and extras", function()
    check(db("planetscale").query.users:findMany({
      columns = { id = true },
      with = { posts = {
        columns = { title = true },
        extras = function(p, ops) return { len = ops.sql("length(?)", p.title):as("len") } end,
        orderBy = function(p, ops) return ops.desc(p.id) end,
        limit = 3,
      } },
    }),
      "select `id`, coalesce((select json_arrayagg(json_array(`title`, length(`users_posts`.`title`))) "
      .. "from (select *, row_number() over (order by `users_posts`.`id` desc) from `posts` `users_posts` "
      .. "where `users_posts`.`author_id` = `users`.`id` limit ?) `users_posts`), json_array()) as `posts` from `users` `users`",
      { 3 })
  end)
end)

-- What runs on MariaDB (relations.lua dialects.mariadb): no lateral join and
-- no correlated derived table; each relation a correlated scalar subquery,
-- a many() aggregating with json_arrayagg(... order by ... limit ? offset ?).
describe("mysql relational queries: the form run on MariaDB", function()
  -- one(): limit 1 straight on the correlated subquery
  it("one-to-one", function()
    local r = db().query.users:findMany({ columns = { id = true }, with = { profile = { columns = { bio = true } } } }):toMariaDBSQL()
    assert.are.equal("select `id`, (select json_array(`users_profile`.`bio`) from `profiles` `users_profile` "
      .. "where `users_profile`.`user_id` = `users`.`id` limit ?) as `profile` from `users` `users`", r.sql)
    assert.are.same({ 1 }, r.params)
  end)

  -- many() with where/orderBy/limit/offset, nested one() inside
  it("one-to-many with orderBy, limit, offset and a nested one()", function()
    local r = db().query.users:findMany({
      columns = { id = true },
      with = { posts = {
        columns = { title = true },
        where = function(p, ops) return ops.eq(p.published, true) end,
        orderBy = function(p, ops) return ops.desc(p.id) end,
        limit = 2, offset = 1,
        with = { author = { columns = { name = true } } },
      } },
    }):toMariaDBSQL()
    assert.are.equal("select `id`, (select coalesce(json_arrayagg(json_array(`users_posts`.`title`, "
      .. "(select json_array(`users_posts_author`.`name`) from `users` `users_posts_author` "
      .. "where `users_posts_author`.`id` = `users_posts`.`author_id` limit ?)) "
      .. "order by `users_posts`.`id` desc limit ? offset ?), json_array()) from `posts` `users_posts` "
      .. "where (`users_posts`.`author_id` = `users`.`id` and `users_posts`.`published` = ?)) as `posts` from `users` `users`", r.sql)
    assert.are.same({ 1, 2, 1, true }, r.params)
  end)

  -- offset without limit: MariaDB's LIMIT needs a count
  it("offset alone", function()
    local r = db().query.users:findFirst({ columns = {}, with = { posts = { columns = { id = true }, offset = 3 } } }):toMariaDBSQL()
    assert.are.equal("select (select coalesce(json_arrayagg(json_array(`users_posts`.`id`) limit 18446744073709551615 offset ?), json_array()) "
      .. "from `posts` `users_posts` where `users_posts`.`author_id` = `users`.`id`) as `posts` from `users` `users` limit ?", r.sql)
    assert.are.same({ 3, 1 }, r.params)
  end)
end)
