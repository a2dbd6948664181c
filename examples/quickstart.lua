-- quickstart.lua: a tour of drizzle-c on embedded SQLite (`make demo`).
--
-- The examples are the SQLite parts of Drizzle's guides, translated by the
-- rules of LUA_API.md: each TypeScript line becomes the Lua line below it.
local d = require("drizzle")
local sqlite = require("drizzle.sqlite")
local kit = require("drizzle.kit")
local json = require("drizzle.core").json

local function show(title, value)
  print(("\n== %s"):format(title))
  print(json.encode(value))
end

---------------------------------------------------------------- the schema

-- Generated columns: a stored one and a virtual one (guide: Generated Columns)
local people
people = sqlite.sqliteTable("people", {
  id = sqlite.integer("id"):primaryKey(),
  firstName = sqlite.text("first_name"):notNull(),
  lastName = sqlite.text("last_name"):notNull(),
  fullName = sqlite.text("full_name"):generatedAlwaysAs(function()
    return d.sql("? || ' ' || ?", people.firstName, people.lastName)
  end, { mode = "stored" }),
  initials = sqlite.text("initials"):generatedAlwaysAs(function()
    return d.sql("substr(?, 1, 1) || substr(?, 1, 1)", people.firstName, people.lastName)
  end, { mode = "virtual" }),
})

local posts = sqlite.sqliteTable("posts", {
  id = sqlite.integer("id"):primaryKey({ autoIncrement = true }),
  title = sqlite.text("title"):notNull(),
  content = sqlite.text("content"),
  category = sqlite.text("category"),
  views = sqlite.integer("views"):notNull():default(0),
  published = sqlite.integer("published", { mode = "boolean" }):notNull():default(false),
})

local counters = sqlite.sqliteTable("counters", {
  id = sqlite.integer("id"):primaryKey(),
  counter = sqlite.integer("counter"):notNull():default(0),
  isActive = sqlite.integer("is_active", { mode = "boolean" }):notNull():default(true),
  city = sqlite.text("city"),
})

-- The DDL drizzle-kit would write for this schema, applied to a fresh file.
local dir = os.tmpname()
os.remove(dir)
local migration = kit.generate({ dialect = "sqlite", schema = { people = people, posts = posts, counters = counters },
                                 out = dir, name = "init" })
print("== migration written by drizzle.kit.generate\n" .. migration.sql)

local dbfile = dir .. ".db"
local db = sqlite.drizzle(dbfile)
for _, stmt in ipairs(migration.statements) do db:run(d.sql.raw(stmt)) end

---------------------------------------------------------------- inserts

db:insert(people):values({ { firstName = "Ada", lastName = "Lovelace" }, { firstName = "Alan", lastName = "Turing" } }):run()
show("generated columns read back", db:select():from(people):all())

db:insert(people):values({ firstName = "Grace", lastName = "Hopper" }):run()
db:update(people):set({ lastName = "Brewster Hopper" }):where(d.eq(people.firstName, "Grace")):run()
show("stored column after an update", db:select({ fullName = people.fullName }):from(people):where(d.eq(people.id, 3)):get())

local titles = { "AI in 2025", "Drizzle for Lua", "Cooking with AI", "SQLite tips", "Lua tables" }
local cats = { "tech", "tech", "food", "tech", "lua" }
for i, t in ipairs(titles) do
  db:insert(posts):values({ title = t, category = cats[i], views = i * 10, published = i % 2 == 1 }):run()
end

---------------------------------------------------------------- filters

local term = "%AI%"
show("conditional filter (like)", db:select({ id = posts.id, title = posts.title }):from(posts)
  :where(term and d.like(posts.title, term) or nil):all())

local categories = { "tech", "lua" }
show("combined filters", db:select({ id = posts.id, title = posts.title }):from(posts):where(d.and_(
  term and d.like(posts.title, term) or nil,
  #categories > 0 and d.inArray(posts.category, categories) or nil
)):all())

local function lenlt(column, value) return d.sql("length(?) < ?", column, value) end
show("custom operator length(title) < 12", db:select({ title = posts.title }):from(posts):where(lenlt(posts.title, 12)):all())

---------------------------------------------------------------- counting

show("count()", db:select({ count = d.count() }):from(posts):get())
show("count() where views > 20", db:select({ count = d.count() }):from(posts):where(d.gt(posts.views, 20)):get())
show("db:count(posts, published)", db:count(posts, d.eq(posts.published, true)):execute())

---------------------------------------------------------------- columns

local rest = d.getTableColumns(posts)
rest.content = nil                                   -- const { content, ...rest } = getTableColumns(posts)
show("getTableColumns without content", db:select(rest):from(posts):limit(2):all())

---------------------------------------------------------------- pagination

local page, pageSize = 2, 2
show("offset pagination, page 2", db:select({ id = posts.id }):from(posts)
  :orderBy(d.asc(posts.id)):limit(pageSize):offset((page - 1) * pageSize):all())

local function nextPage(cursor, size)
  return db:select({ id = posts.id, title = posts.title }):from(posts)
    :where(cursor and d.gt(posts.id, cursor) or nil):limit(size or 3):orderBy(d.asc(posts.id)):all()
end
local first = nextPage(nil, 2)
show("cursor pagination, first page", first)
show("cursor pagination, next page", nextPage(first[#first].id, 2))

---------------------------------------------------------------- mutations

db:insert(counters):values({ { id = 1, city = "Paris" }, { id = 2, city = "Oslo" }, { id = 3, city = "Rome" } }):run()

-- upsert: insert or update on the primary key
db:insert(counters):values({ id = 1, counter = 5 })
  :onConflictDoUpdate({ target = counters.id, set = { counter = 100 } }):run()
show("upsert", db:select():from(counters):where(d.eq(counters.id, 1)):get())

-- increment
db:update(counters):set({ counter = d.sql("? + 1", counters.counter) }):where(d.eq(counters.id, 1)):run()
show("increment", db:select({ counter = counters.counter }):from(counters):where(d.eq(counters.id, 1)):get())

-- toggle a boolean
db:update(counters):set({ isActive = d.not_(counters.isActive) }):where(d.eq(counters.id, 2)):run()
show("toggle", db:select({ id = counters.id, isActive = counters.isActive }):from(counters):orderBy(counters.id):all())

-- bulk update with a case expression
local inputs = { { id = 1, city = "New York" }, { id = 2, city = "Los Angeles" }, { id = 3, city = "Chicago" } }
local chunks, ids = { d.sql("(case") }, {}
for _, input in ipairs(inputs) do
  table.insert(chunks, d.sql("when ? = ? then ?", counters.id, input.id, input.city))
  table.insert(ids, input.id)
end
table.insert(chunks, d.sql("end)"))
local finalSql = d.sql.join(chunks, d.sql.raw(" "))
local q = db:update(counters):set({ city = finalSql }):where(d.inArray(counters.id, ids))
print("\n== bulk case update SQL\n" .. q:toSQL().sql)
q:run()
show("bulk case update", db:select({ id = counters.id, city = counters.city }):from(counters):orderBy(counters.id):all())

db:close()
os.remove(dbfile)
os.execute("rm -rf '" .. dir .. "'")
print("\ndone")
