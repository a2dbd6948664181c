-- drizzle.kit: generate (files, journal, snapshots, diffs), the DDL
-- functions of drizzle.core and the error messages.
local d = require("drizzle")
local sqlite = require("drizzle.sqlite")
local kit = require("drizzle.kit")
local core = require("drizzle.core")
local kjson = require("drizzle.kit.json")

local function tmpdir()
  local name = os.tmpname()
  os.remove(name)
  os.execute('mkdir -p "' .. name .. '"')
  return name
end

local function rm_rf(path) os.execute('rm -rf "' .. path .. '"') end

local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

local function exists(path) return read(path) ~= nil end

local function errorOf(fn, ...)
  local ok, err = pcall(fn, ...)
  assert.is_false(ok, "expected an error")
  return tostring(err)
end

-- v1: users; v2: users + age column, posts with a foreign key, an index
local function schemaV1()
  local users = sqlite.sqliteTable("users", {
    id = sqlite.integer("id"):primaryKey({ autoIncrement = true }),
    name = sqlite.text("name"):notNull(),
    email = sqlite.text("email"):unique(),
  })
  return { users = users }
end

local function schemaV2()
  local users = sqlite.sqliteTable("users", {
    id = sqlite.integer("id"):primaryKey({ autoIncrement = true }),
    name = sqlite.text("name"):notNull(),
    email = sqlite.text("email"):unique(),
    age = sqlite.integer("age"):default(18),
  }, function(t) return {
    sqlite.index("users_name_idx"):on(t.name),
  } end)
  local posts = sqlite.sqliteTable("posts", {
    id = sqlite.integer("id"):primaryKey(),
    authorId = sqlite.integer("author_id"):notNull():references(function() return users.id end, { onDelete = "cascade" }),
    title = sqlite.text("title"):default("it's"),
  })
  return { users = users, posts = posts, helper = function() end, answer = 42 }
end

describe("drizzle.kit.generate", function()
  local dir
  before_each(function() dir = tmpdir() end)
  after_each(function() rm_rf(dir) end)

  it("writes the migration, the journal and the snapshot as drizzle-kit does", function()
    local r = kit.generate({ dialect = "sqlite", schema = schemaV1(), out = dir, name = "init" })
    local want = "CREATE TABLE `users` (\n" ..
      "\t`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,\n" ..
      "\t`name` text NOT NULL,\n" ..
      "\t`email` text\n" ..
      ");\n" ..
      "--> statement-breakpoint\n" ..
      "CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);"
    assert.are.equal(want, r.sql)
    assert.are.equal(dir .. "/0000_init.sql", r.path)
    assert.are.equal(want, read(dir .. "/0000_init.sql"))
    assert.are.equal(2, #r.statements)
    assert.are.equal("0000_init", r.tag)

    local journal = read(dir .. "/meta/_journal.json")
    local when = journal:match('"when": (%d+)')
    assert.is_truthy(when)
    assert.are.equal('{\n  "version": "7",\n  "dialect": "sqlite",\n  "entries": [\n    {\n' ..
      '      "idx": 0,\n      "version": "6",\n      "when": ' .. when .. ',\n' ..
      '      "tag": "0000_init",\n      "breakpoints": true\n    }\n  ]\n}', journal)

    local snap = read(dir .. "/meta/0000_snapshot.json")
    assert.is_truthy(snap:find('^{\n  "version": "6",\n  "dialect": "sqlite",\n  "id": "%x+%-%x+%-4%x+%-[89ab]%x+%-%x+",\n' ..
      '  "prevId": "00000000%-0000%-0000%-0000%-000000000000",\n  "tables": {\n'))
    assert.is_truthy(snap:find('"users_email_unique": {\n          "name": "users_email_unique",\n' ..
      '          "columns": [\n            "email"\n          ],\n          "isUnique": true\n        }', 1, true))
    assert.is_truthy(snap:find('\n  "views": {},\n  "enums": {},\n  "_meta": {\n    "schemas": {},\n' ..
      '    "tables": {},\n    "columns": {}\n  },\n  "internal": {\n    "indexes": {}\n  }\n}$'))
    local decoded = kjson.decode(snap)
    assert.are.equal(r.snapshot.id, decoded.id)
    assert.is_true(decoded.tables.users.columns.id.autoincrement)
  end)

  it("writes nothing when nothing changed", function()
    kit.generate({ dialect = "sqlite", schema = schemaV1(), out = dir, name = "init" })
    local journal = read(dir .. "/meta/_journal.json")
    local r = kit.generate({ dialect = "sqlite", schema = schemaV1(), out = dir, name = "again", quiet = true })
    assert.is_true(r.noChanges)
    assert.are.equal("", r.sql)
    assert.are.same({}, r.statements)
    assert.is_false(exists(dir .. "/0001_again.sql"))
    assert.is_false(exists(dir .. "/meta/0001_snapshot.json"))
    assert.are.equal(journal, read(dir .. "/meta/_journal.json"))
  end)

  it("adds tables, columns and indexes in drizzle-kit's order", function()
    local r1 = kit.generate({ dialect = "sqlite", schema = schemaV1(), out = dir, name = "init" })
    local r = kit.generate({ dialect = "sqlite", schema = schemaV2(), out = dir, name = "more" })
    assert.are.equal(
      "CREATE TABLE `posts` (\n" ..
      "\t`id` integer PRIMARY KEY NOT NULL,\n" ..
      "\t`author_id` integer NOT NULL,\n" ..
      "\t`title` text DEFAULT 'it''s',\n" ..
      "\tFOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade\n" ..
      ");\n" ..
      "--> statement-breakpoint\n" ..
      "ALTER TABLE `users` ADD `age` integer DEFAULT 18;--> statement-breakpoint\n" ..
      "CREATE INDEX `users_name_idx` ON `users` (`name`);", r.sql)
    assert.are.equal(dir .. "/0001_more.sql", r.path)
    assert.are.equal(1, r.idx)
    local snap = kjson.decode(read(dir .. "/meta/0001_snapshot.json"))
    assert.are.equal(r1.snapshot.id, snap.prevId)
    local fk = snap.tables.posts.foreignKeys.posts_author_id_users_id_fk
    assert.are.equal("cascade", fk.onDelete)
    assert.are.equal("no action", fk.onUpdate)
    local journal = kjson.decode(read(dir .. "/meta/_journal.json"))
    assert.are.equal(2, #journal.entries)
    assert.are.equal("0001_more", journal.entries[2].tag)
    assert.are.equal(1, journal.entries[2].idx)
  end)

  it("adds a column with a reference inline and drops columns, tables and indexes", function()
    kit.generate({ dialect = "sqlite", schema = schemaV2(), out = dir, name = "a" })
    local users
    users = sqlite.sqliteTable("users", {
      id = sqlite.integer("id"):primaryKey({ autoIncrement = true }),
      name = sqlite.text("name"):notNull(),
      email = sqlite.text("email"):unique(),
      age = sqlite.integer("age"):default(18),
      bossId = sqlite.integer("boss_id"):references(function() return users.id end),
    })
    local r = kit.generate({ dialect = "sqlite", schema = { users = users }, out = dir, name = "b" })
    assert.are.equal(
      "DROP TABLE `posts`;--> statement-breakpoint\n" ..
      "DROP INDEX `users_name_idx`;--> statement-breakpoint\n" ..
      "ALTER TABLE `users` ADD `boss_id` integer REFERENCES users(id);", r.sql)

    local users3
    users3 = sqlite.sqliteTable("users", {
      id = sqlite.integer("id"):primaryKey({ autoIncrement = true }),
      name = sqlite.text("name"):notNull(),
      email = sqlite.text("email"),
      bossId = sqlite.integer("boss_id"):references(function() return users3.id end),
    })
    local r3 = kit.generate({ dialect = "sqlite", schema = { users = users3 }, out = dir, name = "c", breakpoints = false })
    assert.are.equal("DROP INDEX `users_email_unique`;\nALTER TABLE `users` DROP COLUMN `age`;", r3.sql)

    -- dropping the column that holds a foreign key is a table rebuild in drizzle-kit
    local users4 = sqlite.sqliteTable("users", {
      id = sqlite.integer("id"):primaryKey({ autoIncrement = true }),
      name = sqlite.text("name"):notNull(),
      email = sqlite.text("email"),
    })
    assert.are.equal('drizzle.kit: table "users": changing or dropping a foreign key needs a table rebuild, which is not supported yet',
      errorOf(kit.generate, { dialect = "sqlite", schema = { users = users4 }, out = dir }))
    local journal = kjson.decode(read(dir .. "/meta/_journal.json"))
    assert.is_false(journal.entries[3].breakpoints)
  end)

  it("refuses what drizzle-kit would ask about or rebuild", function()
    kit.generate({ dialect = "sqlite", schema = schemaV1(), out = dir, name = "a" })
    local renamed = sqlite.sqliteTable("users", {
      id = sqlite.integer("id"):primaryKey({ autoIncrement = true }),
      fullName = sqlite.text("full_name"):notNull(),
      email = sqlite.text("email"):unique(),
    })
    local err = errorOf(kit.generate, { dialect = "sqlite", schema = { users = renamed }, out = dir })
    assert.are.equal('drizzle.kit: table "users": columns "name" were removed and "full_name" added; ' ..
      "drizzle-kit asks whether that is a rename, which drizzle-c cannot ask yet: make the two changes in two migrations", err)
    local retyped = sqlite.sqliteTable("users", {
      id = sqlite.integer("id"):primaryKey({ autoIncrement = true }),
      name = sqlite.integer("name"):notNull(),
      email = sqlite.text("email"):unique(),
    })
    err = errorOf(kit.generate, { dialect = "sqlite", schema = { users = retyped }, out = dir })
    assert.are.equal('drizzle.kit: table "users", column "name": changing type needs drizzle-kit\'s table rebuild, ' ..
      "which is not supported yet", err)
    assert.is_false(exists(dir .. "/meta/0001_snapshot.json"))
  end)

  it("reads the schema from a file and applies casing to unnamed columns", function()
    local path = dir .. "/schema.lua"
    local f = assert(io.open(path, "w"))
    f:write([[
      return function(d, sqlite)
        local t = sqlite.sqliteTable("people", {
          personId = sqlite.integer():primaryKey(),
          firstName = sqlite.text():notNull(),
          createdAt = sqlite.integer({ mode = "timestamp" }):default(d.sql("(unixepoch())")),
          active = sqlite.integer({ mode = "boolean" }):default(true),
          ratio = sqlite.real():default(0.5),
          data = sqlite.text({ mode = "json" }):default({}),
        }, function(t) return {
          sqlite.check("ratio_check", d.sql("? < 1", t.ratio)),
          sqlite.unique():on(t.firstName, t.createdAt),
        } end)
        return { people = t }
      end
    ]])
    f:close()
    local r = kit.generate({ dialect = "sqlite", schema = path, out = dir .. "/out", name = "p", casing = "snake_case" })
    assert.are.equal(
      "CREATE TABLE `people` (\n" ..
      "\t`person_id` integer PRIMARY KEY NOT NULL,\n" ..
      "\t`first_name` text NOT NULL,\n" ..
      "\t`created_at` integer DEFAULT (unixepoch()),\n" ..
      "\t`active` integer DEFAULT true,\n" ..
      "\t`ratio` real DEFAULT 0.5,\n" ..
      "\t`data` text DEFAULT '[]',\n" ..
      "\tCONSTRAINT \"ratio_check\" CHECK(\"people\".\"ratio\" < 1)\n" ..
      ");\n" ..
      "--> statement-breakpoint\n" ..
      "CREATE UNIQUE INDEX `people_firstName_createdAt_unique` ON `people` (`first_name`,`created_at`);", r.sql)
  end)

  it("names migrations by the prefix mode and draws a name when none is given", function()
    local r = kit.generate({ dialect = "sqlite", schema = schemaV1(), out = dir, migrations = { prefix = "unix" } })
    local prefix, name = r.tag:match("^(%d+)_(.+)$")
    assert.is_truthy(prefix)
    assert.is_truthy(name:match("^%l+_[%l_]+$"))
    assert.is_true(exists(dir .. "/meta/" .. prefix .. "_snapshot.json"))
  end)

  it("explains bad configurations", function()
    assert.are.equal("drizzle.kit: generate: please specify 'dialect' param in config, either of 'postgresql', 'mysql' or 'sqlite'",
      errorOf(kit.generate, { schema = {}, out = dir }))
    assert.are.equal('drizzle.kit: generate: unknown dialect "oracle" (postgresql, mysql, sqlite)',
      errorOf(kit.generate, { dialect = "oracle", schema = {}, out = dir }))
    assert.are.equal('drizzle.kit: generate: dialect "gel" is not implemented yet (postgresql, mysql and sqlite are)',
      errorOf(kit.generate, { dialect = "gel", schema = {}, out = dir }))
    assert.are.equal("drizzle.kit: generate: please specify 'schema' param in config (a path, a list of paths or the schema table)",
      errorOf(kit.generate, { dialect = "sqlite", out = dir }))
    assert.is_truthy(errorOf(kit.migrate, {}):find("drizzle.kit: `migrate` is not implemented yet", 1, true))
    local bad = sqlite.sqliteTable("bad", { id = sqlite.integer("id"):default(d.sql("?", 1)) })
    assert.are.equal("drizzle.kit: we don't support params for `sql` default values",
      errorOf(kit.generate, { dialect = "sqlite", schema = { bad = bad }, out = dir }))
  end)
end)

describe("drizzle.core DDL functions", function()
  it("write drizzle-kit's SQLite statements", function()
    assert.are.equal("CREATE TABLE `t` (\n\t`a` integer PRIMARY KEY DEFAULT 5 NOT NULL\n);\n",
      core.ddl_create_table("sqlite", { name = "t", columns = {
        { name = "a", type = "integer", primaryKey = true, notNull = true, default = "5" } } }))
    assert.are.equal("CREATE INDEX `i` ON `t` (`a`,lower(\"b\")) WHERE \"t\".\"a\" > 0;",
      core.ddl_create_index("sqlite", { name = "i", table = "t", columns = { "a", 'lower("b")' },
        isExpression = { false, true }, where = '"t"."a" > 0' }))
    assert.are.equal("DROP TABLE `t`;", core.ddl_drop_table("sqlite", "t"))
    assert.are.equal("DROP INDEX `i`;", core.ddl_drop_index("sqlite", { name = "i" }))
    assert.are.equal("ALTER TABLE `t` DROP COLUMN `c`;", core.ddl_drop_column("sqlite", "t", "c"))
  end)

  it("name what is wrong in a description", function()
    assert.are.equal("ddl_create_table: columns[1].type: string expected, got nil",
      errorOf(core.ddl_create_table, "sqlite", { name = "t", columns = { { name = "a" } } }))
    assert.are.equal("ddl_create_table: table.name: string expected, got number",
      errorOf(core.ddl_create_table, "sqlite", { name = 1 }))
    assert.is_truthy(errorOf(core.ddl_create_table, "oracle", { name = "t" })
      :find('ddl_create_table: unknown dialect "oracle"', 1, true))
  end)
end)
