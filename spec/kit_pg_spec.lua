-- drizzle.kit for PostgreSQL: snapshot and journal files in drizzle-kit's
-- format, and second migrations (the diff), with the exact text
-- drizzle-kit 0.31's sqlgenerator.ts writes for each change.
local d = require("drizzle")
local pg = require("drizzle.pg")
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
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

-- generate v1 then v2 into one folder; the second migration's statements
local function migrate(v1, v2)
  local dir = tmpdir()
  kit.generate({ dialect = "postgresql", schema = v1, out = dir, name = "one", quiet = true })
  local r = kit.generate({ dialect = "postgresql", schema = v2, out = dir, name = "two", quiet = true })
  os.execute('rm -rf "' .. dir .. '"')
  return r.statements, r
end

local function users(extra)
  local cols = { id = pg.serial("id"):primaryKey(), name = pg.text("name") }
  for k, v in pairs(extra or {}) do cols[k] = v end
  return cols
end

describe("drizzle.kit postgresql files", function()
  it("writes the snapshot and journal in drizzle-kit's version 7 format", function()
    local dir = tmpdir()
    local mood = pg.pgEnum("mood", { "sad", "ok" })
    local t = pg.pgTable("users", { id = pg.serial("id"):primaryKey(), m = mood("m") })
    local r1 = kit.generate({ dialect = "postgresql", schema = { mood = mood, users = t }, out = dir, name = "init", quiet = true })
    assert.are.equal(dir .. "/0000_init.sql", r1.path)
    local snap = read(dir .. "/meta/0000_snapshot.json")
    assert.is_truthy(snap:find('^{\n  "id": "[%x-]+",\n  "prevId": "00000000%-0000%-0000%-0000%-000000000000",\n  "version": "7",\n  "dialect": "postgresql",\n  "tables": {\n    "public.users": {\n      "name": "users",\n      "schema": "",'))
    assert.is_truthy(snap:find('"m": {\n          "name": "m",\n          "type": "mood",\n          "typeSchema": "public",\n          "primaryKey": false,\n          "notNull": false\n        }', 1, true))
    assert.is_truthy(snap:find('"enums": {\n    "public.mood": {\n      "name": "mood",\n      "schema": "public",\n      "values": [\n        "sad",\n        "ok"\n      ]\n    }\n  },\n  "schemas": {},\n  "sequences": {},\n  "roles": {},\n  "policies": {},\n  "views": {},\n  "_meta": {', 1, true))
    local j = kjson.decode(read(dir .. "/meta/_journal.json"))
    assert.are.equal("7", j.version)
    assert.are.equal("postgresql", j.dialect)
    assert.are.equal("0000_init", j.entries[1].tag)
    assert.are.equal("7", j.entries[1].version)
    -- the second snapshot points at the first
    local mood2 = pg.pgEnum("mood", { "sad", "ok", "happy" })
    local t2 = pg.pgTable("users", { id = pg.serial("id"):primaryKey(), m = mood2("m") })
    local r2 = kit.generate({ dialect = "postgresql", schema = { mood = mood2, users = t2 }, out = dir, name = "more", quiet = true })
    assert.are.equal(r1.snapshot.id, r2.snapshot.prevId)
    assert.are.equal(dir .. "/meta/0001_snapshot.json", r2.snapshotPath)
    assert.are.equal("ALTER TYPE \"public\".\"mood\" ADD VALUE 'happy';", r2.sql)
    -- nothing changed: nothing written
    local r3 = kit.generate({ dialect = "postgresql", schema = { mood = mood2, users = t2 }, out = dir, quiet = true })
    assert.is_true(r3.noChanges)
    os.execute('rm -rf "' .. dir .. '"')
  end)
end)

describe("drizzle.kit postgresql diffs", function()
  it("creates and drops tables", function()
    local u = pg.pgTable("users", users())
    local p = pg.pgTable("posts", { id = pg.serial("id"):primaryKey(),
      authorId = pg.integer("author_id"):references(function() return u.id end) })
    assert.are.same({
      'CREATE TABLE "posts" (\n\t"id" serial PRIMARY KEY NOT NULL,\n\t"author_id" integer\n);\n',
      'ALTER TABLE "posts" ADD CONSTRAINT "posts_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;',
    }, (migrate({ users = u }, { users = u, posts = p })))
    assert.are.same({ 'DROP TABLE "posts" CASCADE;' }, (migrate({ users = u, posts = p }, { users = u })))
  end)

  it("adds and drops columns", function()
    local v1 = pg.pgTable("users", users())
    local v2 = pg.pgTable("users", users({ age = pg.integer("age"):notNull():default(18),
      role = pg.text("role") }))
    assert.are.same({
      'ALTER TABLE "users" ADD COLUMN "age" integer DEFAULT 18 NOT NULL;',
      'ALTER TABLE "users" ADD COLUMN "role" text;',
    }, (migrate({ users = v1 }, { users = v2 })))
    assert.are.same({ 'ALTER TABLE "users" DROP COLUMN "age";', 'ALTER TABLE "users" DROP COLUMN "role";' },
      (migrate({ users = v2 }, { users = v1 })))
  end)

  it("adds an identity column with NOT NULL (unlike CREATE TABLE)", function()
    local v1 = pg.pgTable("t", { name = pg.text("name") })
    local v2 = pg.pgTable("t", { name = pg.text("name"), id = pg.integer("id"):generatedAlwaysAsIdentity() })
    assert.are.same({
      'ALTER TABLE "t" ADD COLUMN "id" integer NOT NULL GENERATED ALWAYS AS IDENTITY (sequence name "t_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1);',
    }, (migrate({ t = v1 }, { t = v2 })))
  end)

  it("adds and drops indexes, and recreates a changed one", function()
    local v1 = pg.pgTable("users", users())
    local v2 = pg.pgTable("users", users(), function(t) return {
      pg.index("users_name_idx"):on(t.name:desc()),
      pg.uniqueIndex("users_lower_idx"):on(d.sql("lower(?)", t.name)):where(d.sql("? is not null", t.name)),
    } end)
    local v3 = pg.pgTable("users", users(), function(t) return {
      pg.index("users_name_idx"):on(t.name),
    } end)
    assert.are.same({
      'CREATE INDEX "users_name_idx" ON "users" USING btree ("name" DESC NULLS LAST);',
      'CREATE UNIQUE INDEX "users_lower_idx" ON "users" USING btree (lower("name")) WHERE "users"."name" is not null;',
    }, (migrate({ users = v1 }, { users = v2 })))
    assert.are.same({
      'DROP INDEX "users_lower_idx";',
      'DROP INDEX "users_name_idx";',
      'CREATE INDEX "users_name_idx" ON "users" USING btree ("name");',
    }, (migrate({ users = v2 }, { users = v3 })))
  end)

  it("creates, extends and drops enums", function()
    local u = pg.pgTable("users", users())
    local e1 = pg.pgEnum("mood", { "sad", "ok" })
    local e2 = pg.pgEnum("mood", { "sad", "meh", "ok", "happy" })
    assert.are.same({ "CREATE TYPE \"public\".\"mood\" AS ENUM('sad', 'ok');" },
      (migrate({ users = u }, { users = u, mood = e1 })))
    assert.are.same({
      "ALTER TYPE \"public\".\"mood\" ADD VALUE 'meh' BEFORE 'ok';",
      "ALTER TYPE \"public\".\"mood\" ADD VALUE 'happy';",
    }, (migrate({ users = u, mood = e1 }, { users = u, mood = e2 })))
    assert.are.same({ 'DROP TYPE "public"."mood";' }, (migrate({ users = u, mood = e1 }, { users = u })))
  end)

  it("creates and drops sequences and schemas", function()
    local u = pg.pgTable("users", users())
    local s = pg.pgSchema("billing")
    local q = s:sequence("invoice_no", { startWith = 100 })
    assert.are.same({
      'CREATE SCHEMA "billing";\n',
      'CREATE SEQUENCE "billing"."invoice_no" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 100 CACHE 1;',
    }, (migrate({ users = u }, { users = u, billing = s, invoiceNo = q })))
    assert.are.same({ 'DROP SEQUENCE "billing"."invoice_no";', 'DROP SCHEMA "billing";\n' },
      (migrate({ users = u, billing = s, invoiceNo = q }, { users = u })))
  end)

  it("alters a column's type, default and not null", function()
    local v1 = pg.pgTable("users", users({ age = pg.integer("age") }))
    local v2 = pg.pgTable("users", users({ age = pg.bigint("age", { mode = "number" }):notNull():default(5) }))
    assert.are.same({
      'ALTER TABLE "users" ALTER COLUMN "age" SET DATA TYPE bigint;',
      'ALTER TABLE "users" ALTER COLUMN "age" SET DEFAULT 5;',
      'ALTER TABLE "users" ALTER COLUMN "age" SET NOT NULL;',
    }, (migrate({ users = v1 }, { users = v2 })))
    -- drizzle-kit's oddity: with a type change a default of 0 is lost (the
    -- set_type convertor skips a falsy default, and the set_default statement
    -- is filtered out because the set_type one carries the same default)
    local v0 = pg.pgTable("users", users({ age = pg.bigint("age", { mode = "number" }):default(0) }))
    assert.are.same({ 'ALTER TABLE "users" ALTER COLUMN "age" SET DATA TYPE bigint;' },
      (migrate({ users = v1 }, { users = v0 })))
    assert.are.same({
      'ALTER TABLE "users" ALTER COLUMN "age" SET DATA TYPE integer;',
      'ALTER TABLE "users" ALTER COLUMN "age" DROP DEFAULT;',
      'ALTER TABLE "users" ALTER COLUMN "age" DROP NOT NULL;',
    }, (migrate({ users = v2 }, { users = v1 })))
    -- a non-native type is written after "undefined". as drizzle-kit does
    local v3 = pg.pgTable("users", users({ age = pg.inet("age") }))
    assert.are.same({ 'ALTER TABLE "users" ALTER COLUMN "age" SET DATA TYPE "undefined"."inet";' },
      (migrate({ users = v1 }, { users = v3 })))
  end)

  it("casts when a column becomes an enum", function()
    local mood = pg.pgEnum("mood", { "sad", "ok" })
    local v1 = pg.pgTable("users", users({ m = pg.text("m"):default("ok") }))
    local v2 = pg.pgTable("users", users({ m = mood("m"):default("ok") }))
    assert.are.same({
      "ALTER TABLE \"users\" ALTER COLUMN \"m\" SET DEFAULT 'ok'::\"public\".\"mood\";",
      'ALTER TABLE "users" ALTER COLUMN "m" SET DATA TYPE "public"."mood" USING "m"::"public"."mood";',
    }, (migrate({ users = v1, mood = mood }, { users = v2, mood = mood })))
  end)

  it("refuses what it cannot write yet, naming it", function()
    local v1 = pg.pgTable("users", users())
    local v2 = pg.pgTable("people", users())
    local ok, err = pcall(migrate, { users = v1 }, { people = v2 })
    assert.is_false(ok)
    assert.is_truthy(tostring(err):find('tables "public.users" were removed and "public.people" added', 1, true))
  end)
end)

describe("drizzle.core pg DDL functions", function()
  it("write drizzle-kit's pg statements", function()
    assert.are.equal('ALTER TABLE "s"."t" DROP COLUMN "c";', core.ddl_drop_column("pg", "t", "c", "s"))
    assert.are.equal('DROP INDEX "s"."i";', core.ddl_drop_index("pg", { name = "i", schema = "s" }))
    assert.are.equal("CREATE TYPE \"e\" AS ENUM('it''s');", core.ddl_create_enum("postgresql", { name = "e", values = { "it's" } }))
    assert.are.equal('CREATE INDEX CONCURRENTLY "i" ON "t" USING gist ("a" NULLS FIRST,"b" DESC NULLS FIRST) WITH (fillfactor=70);',
      core.ddl_create_index("pg", { name = "i", table = "t", columns = { "a", "b" }, desc = { false, true },
        nulls = { "first", "first" }, method = "gist", concurrently = true, withKeys = { "fillfactor" }, withValues = { 70 } }))
    assert.has_error(function() core.ddl_schema("sqlite", "x") end, "ddl_schema: not supported for the sqlite dialect yet")
  end)
end)
