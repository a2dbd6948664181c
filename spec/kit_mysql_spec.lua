-- drizzle.kit for MySQL: snapshot and journal files in drizzle-kit's
-- format, and second migrations (the diff), with the exact text
-- drizzle-kit 0.31's sqlgenerator.ts writes for each change.
local d = require("drizzle")
local mysql = require("drizzle.mysql")
local kit = require("drizzle.kit")
local core = require("drizzle.core")
local kjson = require("drizzle.kit.json")

local function tmpdir()
  local name = os.tmpname()
  os.remove(name)
  return name
end

local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

local function migrate(v1, v2)
  local dir = tmpdir()
  kit.generate({ dialect = "mysql", schema = v1, out = dir, name = "one", quiet = true })
  local r = kit.generate({ dialect = "mysql", schema = v2, out = dir, name = "two", quiet = true })
  os.execute('rm -rf "' .. dir .. '"')
  return r.statements, r
end

local function users(extra)
  local cols = { id = mysql.int("id"):primaryKey():autoincrement(), name = mysql.text("name") }
  for k, v in pairs(extra or {}) do cols[k] = v end
  return cols
end

describe("drizzle.kit mysql files", function()
  it("writes the snapshot and journal in drizzle-kit's version 5 format", function()
    local dir = tmpdir()
    local t = mysql.mysqlTable("users", users(), function(x) return {
      mysql.index("name_idx"):on(d.sql("(lower(?))", x.name)) } end)
    local r1 = kit.generate({ dialect = "mysql", schema = { users = t }, out = dir, name = "init", quiet = true })
    local snap = read(dir .. "/meta/0000_snapshot.json")
    assert.is_truthy(snap:find('^{\n  "version": "5",\n  "dialect": "mysql",\n  "id": "[%x-]+",\n  "prevId": "00000000%-0000%-0000%-0000%-000000000000",\n  "tables": {\n    "users": {\n      "name": "users",\n      "columns": {'))
    assert.is_truthy(snap:find('"compositePrimaryKeys": {\n        "users_id": {\n          "name": "users_id",\n          "columns": [\n            "id"\n          ]\n        }\n      },\n      "uniqueConstraints": {},\n      "checkConstraint": {}', 1, true))
    assert.is_truthy(snap:find('"internal": {\n    "tables": {},\n    "indexes": {\n      "name_idx": {\n        "columns": {\n          "(lower(`name`))": {\n            "isExpression": true\n          }', 1, true))
    local j = kjson.decode(read(dir .. "/meta/_journal.json"))
    assert.are.equal("7", j.version)
    assert.are.equal("mysql", j.dialect)
    assert.are.equal("5", j.entries[1].version)
    local r2 = kit.generate({ dialect = "mysql", schema = { users = t }, out = dir, quiet = true })
    assert.is_true(r2.noChanges)
    os.execute('rm -rf "' .. dir .. '"')
    assert.is_truthy(r1.sql:find("CREATE INDEX `name_idx` ON `users` ((lower(`name`)));", 1, true))
  end)
end)

describe("drizzle.kit mysql diffs", function()
  it("creates and drops tables", function()
    local u = mysql.mysqlTable("users", users())
    local p = mysql.mysqlTable("posts", { id = mysql.serial("id"):primaryKey(),
      authorId = mysql.int("author_id"):references(function() return u.id end, { onDelete = "cascade" }) })
    assert.are.same({
      "CREATE TABLE `posts` (\n\t`id` serial AUTO_INCREMENT NOT NULL,\n\t`author_id` int,\n\tCONSTRAINT `posts_id` PRIMARY KEY(`id`)\n);\n",
      "ALTER TABLE `posts` ADD CONSTRAINT `posts_author_id_users_id_fk` FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON DELETE cascade ON UPDATE no action;",
    }, (migrate({ users = u }, { users = u, posts = p })))
    assert.are.same({ "DROP TABLE `posts`;" }, (migrate({ users = u, posts = p }, { users = u })))
  end)

  it("adds and drops columns", function()
    local v1 = mysql.mysqlTable("users", users())
    local v2 = mysql.mysqlTable("users", users({
      age = mysql.int("age"):notNull():default(18),
      seen = mysql.timestamp("seen"):defaultNow():onUpdateNow() }))
    assert.are.same({
      "ALTER TABLE `users` ADD `age` int DEFAULT 18 NOT NULL;",
      "ALTER TABLE `users` ADD `seen` timestamp DEFAULT (now()) ON UPDATE CURRENT_TIMESTAMP;",
    }, (migrate({ users = v1 }, { users = v2 })))
    assert.are.same({ "ALTER TABLE `users` DROP COLUMN `age`;", "ALTER TABLE `users` DROP COLUMN `seen`;" },
      (migrate({ users = v2 }, { users = v1 })))
  end)

  it("adds and drops indexes", function()
    local v1 = mysql.mysqlTable("users", users())
    local v2 = mysql.mysqlTable("users", users(), function(t) return {
      mysql.index("users_name_idx"):on(t.name) } end)
    assert.are.same({ "CREATE INDEX `users_name_idx` ON `users` (`name`);" }, (migrate({ users = v1 }, { users = v2 })))
    assert.are.same({ "DROP INDEX `users_name_idx` ON `users`;" }, (migrate({ users = v2 }, { users = v1 })))
  end)

  it("alters columns with MODIFY COLUMN", function()
    local v1 = mysql.mysqlTable("users", users({ age = mysql.int("age") }))
    local v2 = mysql.mysqlTable("users", users({ age = mysql.bigint("age"):notNull():default(7) }))
    -- one MODIFY per change, repeated texts dropped
    assert.are.same({
      "ALTER TABLE `users` MODIFY COLUMN `age` bigint NOT NULL DEFAULT 7;",
    }, (migrate({ users = v1 }, { users = v2 })))
    assert.are.same({
      "ALTER TABLE `users` MODIFY COLUMN `age` int;",
    }, (migrate({ users = v2 }, { users = v1 })))
    local v3 = mysql.mysqlTable("users", users({ age = mysql.int("age"):default(3) }))
    assert.are.same({ "ALTER TABLE `users` MODIFY COLUMN `age` int DEFAULT 3;" }, (migrate({ users = v1 }, { users = v3 })))
  end)
end)

describe("drizzle.core mysql DDL functions", function()
  it("write drizzle-kit's MySQL statements", function()
    assert.are.equal("ALTER TABLE `t` DROP COLUMN `c`;", core.ddl_drop_column("mysql", "t", "c"))
    assert.are.equal("DROP INDEX `i` ON `t`;", core.ddl_drop_index("mysql", { name = "i", table = "t" }))
    assert.are.equal("ALTER TABLE `t` MODIFY COLUMN `c` int AUTO_INCREMENT NOT NULL;",
      core.ddl_alter_column("mysql", { kind = "modify", table = "t", column = "c",
        definition = { name = "c", type = "int", autoincrement = true, notNull = true } }))
    assert.has_error(function() core.ddl_alter_column("mysql", { kind = "set_notnull", table = "t", column = "c" }) end,
      "ddl_alter_column: not supported for the mysql dialect yet")
  end)
end)
