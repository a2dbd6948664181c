-- drizzle.mysql against a real server (MariaDB in the test command), from
-- Drizzle's documentation (the seeds): :returningId() in its three forms,
-- generated columns, onDuplicateKeyUpdate, insert ignore, timestamp and json
-- defaults, the case-insensitive unique email, pagination, increments,
-- toggles, bulk `case` updates, update/delete with orderBy/limit, row locks,
-- transactions (checked from a second connection), prepared statements, and
-- a connection killed under the session. Rows are read back, not only run.
--
-- Needs DZ_MYSQL_URL (scripts/with_servers.sh sets it); without it every
-- spec here reports itself pending, never passes silently.
--
-- Tables are created with plain SQL as Drizzle Kit writes them. Where
-- MariaDB and MySQL 8 differ the spec says so (README.md, "MariaDB and
-- MySQL 8", lists every difference).
local d = require("drizzle")
local mysql = require("drizzle.mysql")

local URL = os.getenv("DZ_MYSQL_URL")
local IS54 = math.type ~= nil

if not URL or URL == "" then
  describe("mysql integration", function()
    it("needs a server", function()
      pending("DZ_MYSQL_URL not set: start a server with scripts/with_servers.sh")
    end)
  end)
  return
end

local db = mysql.drizzle(URL)
local other = mysql.drizzle(URL)     -- a second connection, to see what is committed

local function exec(conn, text) return conn:execute(d.sql.raw(text)) end

local VERSION = exec(db, "select version() as v")[1].v
local MARIADB = VERSION:find("MariaDB", 1, true) ~= nil

-- drizzle-kit writes "`id` serial AUTO_INCREMENT NOT NULL"; MariaDB rejects
-- the redundant AUTO_INCREMENT after SERIAL (a syntax error), MySQL 8 takes it.
local function kitDDL(text)
  if MARIADB then text = text:gsub("serial AUTO_INCREMENT", "serial") end
  return text
end

local function fresh(name, ...)
  exec(db, "drop table if exists `" .. name .. "`")
  for _, stmt in ipairs({ ... }) do exec(db, kitDDL(stmt)) end
end

local function col(rows, key)
  local out = {}
  for i, r in ipairs(rows) do out[i] = r[key] end
  return out
end

local function queryError(fn)
  local ok, e = pcall(fn)
  assert.is_false(ok, "expected an error")
  assert.are.equal(d.QueryError, getmetatable(e), "expected a drizzle.QueryError, got " .. tostring(e))
  return e
end

-------------------------------------------------------------- returningId

describe("mysql :returningId()", function()
  local users = mysql.mysqlTable("rid_users", {
    id = mysql.int("id"):primaryKey():autoincrement(),
    name = mysql.text("name"):notNull(),
    verified = mysql.boolean("verified"):notNull():default(false),
  })
  local n = 0
  local function createId() n = n + 1; return ("cid-%03d"):format(n) end
  local usersDefFn = mysql.mysqlTable("rid_users_default_fn", {
    customId = mysql.varchar("id", { length = 256 }):primaryKey():defaultFn(createId),
    name = mysql.text("name"):notNull(),
  })
  local serials = mysql.mysqlTable("rid_serials", {
    id = mysql.serial("id"):primaryKey(),
    name = mysql.text("name"),
  })
  local nokey = mysql.mysqlTable("rid_nokey", { name = mysql.text("name") })

  setup(function()
    fresh("rid_users", [[CREATE TABLE `rid_users` (
	`id` int AUTO_INCREMENT NOT NULL,
	`name` text NOT NULL,
	`verified` boolean NOT NULL DEFAULT false,
	CONSTRAINT `rid_users_id` PRIMARY KEY(`id`)
);]])
    fresh("rid_users_default_fn", [[CREATE TABLE `rid_users_default_fn` (
	`id` varchar(256) NOT NULL,
	`name` text NOT NULL,
	CONSTRAINT `rid_users_default_fn_id` PRIMARY KEY(`id`)
);]])
    fresh("rid_serials", [[CREATE TABLE `rid_serials` (
	`id` serial AUTO_INCREMENT NOT NULL,
	`name` text,
	CONSTRAINT `rid_serials_id` PRIMARY KEY(`id`)
);]])
    fresh("rid_nokey", "CREATE TABLE `rid_nokey` (\n\t`name` text\n);")
  end)

  it("autoincrement: the id of every inserted row", function()
    local r = db:insert(users):values({ { name = "John" }, { name = "John1" } }):returningId()
    assert.are.same({ { id = 1 }, { id = 2 } }, r:execute())
    local more = db:insert(users):values({ { name = "A" }, { name = "B" }, { name = "C" } }):returningId():execute()
    assert.are.same({ { id = 3 }, { id = 4 }, { id = 5 } }, more)
    local rows = db:select():from(users):where(d.inArray(users.id, col(more, "id"))):orderBy(users.id):all()
    assert.are.same({ { id = 3, name = "A", verified = false }, { id = 4, name = "B", verified = false },
                      { id = 5, name = "C", verified = false } }, rows)
    if IS54 then assert.are.equal("integer", math.type(more[1].id)) end
  end)

  it("serial: the same, and :get() gives the first row's", function()
    assert.are.same({ id = 1 }, db:insert(serials):values({ name = "x" }):returningId():get())
    assert.are.same({ { id = 2 }, { id = 3 } }, db:insert(serials):values({ { name = "y" }, { name = "z" } }):returningId():execute())
    assert.are.same({ "x", "y", "z" }, col(db:select():from(serials):orderBy(serials.id):all(), "name"))
  end)

  it("$defaultFn primary key: the generated values, which are the ones stored", function()
    local r = db:insert(usersDefFn):values({ { name = "John" }, { name = "John1" } }):returningId():execute()
    assert.are.same({ { customId = "cid-001" }, { customId = "cid-002" } }, r)
    local rows = db:select():from(usersDefFn):orderBy(usersDefFn.customId):all()
    assert.are.same({ { customId = "cid-001", name = "John" }, { customId = "cid-002", name = "John1" } }, rows)
    -- a key given explicitly is returned as given
    assert.are.same({ { customId = "mine" } }, db:insert(usersDefFn):values({ customId = "mine", name = "M" }):returningId():execute())
  end)

  it("no primary key: {} per row", function()
    local r = db:insert(nokey):values({ { name = "a" }, { name = "b" } }):returningId():execute()
    assert.are.same({ {}, {} }, r)
    assert.are.equal(2, #db:select():from(nokey):all())
  end)
end)

-------------------------------------------------------- generated columns

describe("mysql generated columns", function()
  -- The seed writes the expression as `name || 'hello'`: in MySQL 8 and in
  -- MariaDB alike `||` is logical OR unless sql_mode has PIPES_AS_CONCAT, so
  -- on a default server that column holds 0/1 (and strict mode refuses a
  -- non-numeric name: "Truncated incorrect DECIMAL value"). concat() is what
  -- the seed means, on both servers.
  local users
  users = mysql.mysqlTable("gen_users", {
    id = mysql.int("id"),
    name = mysql.text("name"),
    storedGenerated = mysql.text("stored_gen"):generatedAlwaysAs(function()
      return d.sql("concat(?, 'hello')", users.name)
    end, { mode = "stored" }),
    virtualGenerated = mysql.text("virtual_gen"):generatedAlwaysAs(function()
      return d.sql("concat(?, 'hello')", users.name)
    end, { mode = "virtual" }),
    upper = mysql.varchar("upper_name", { length = 64 }):generatedAlwaysAs("upper(`name`)"),
  })

  setup(function()
    fresh("gen_users", [[CREATE TABLE `gen_users` (
	`id` int,
	`name` text,
	`stored_gen` text GENERATED ALWAYS AS (concat(`gen_users`.`name`, 'hello')) STORED,
	`virtual_gen` text GENERATED ALWAYS AS (concat(`gen_users`.`name`, 'hello')) VIRTUAL,
	`upper_name` varchar(64) GENERATED ALWAYS AS (upper(`name`)) VIRTUAL
);]])
  end)

  it("insert leaves generated columns out and reads them back computed", function()
    local q = db:insert(users):values({ id = 1, name = "Ada" }):toSQL()
    assert.are.equal("insert into `gen_users` (`id`, `name`) values (?, ?)", q.sql)
    db:insert(users):values({ { id = 1, name = "Ada" }, { id = 2, name = "Alan" } }):execute()
    local rows = db:select():from(users):orderBy(users.id):all()
    assert.are.same({
      { id = 1, name = "Ada", storedGenerated = "Adahello", virtualGenerated = "Adahello", upper = "ADA" },
      { id = 2, name = "Alan", storedGenerated = "Alanhello", virtualGenerated = "Alanhello", upper = "ALAN" },
    }, rows)
  end)

  it("update recomputes them", function()
    db:update(users):set({ name = "Grace" }):where(d.eq(users.id, 1)):execute()
    local r = db:select():from(users):where(d.eq(users.id, 1)):get()
    assert.are.same({ id = 1, name = "Grace", storedGenerated = "Gracehello", virtualGenerated = "Gracehello", upper = "GRACE" }, r)
    local hit = db:select({ id = users.id }):from(users):where(d.eq(users.virtualGenerated, "Alanhello")):all()
    assert.are.same({ { id = 2 } }, hit)
  end)

  it("the server refuses a value written into a generated column", function()
    local e = queryError(function() exec(db, "insert into `gen_users` (`id`, `stored_gen`) values (3, 'x')") end)
    assert.are.equal(MARIADB and 1906 or 3105, e.errno)
  end)
end)

---------------------------------------------------- upserts and ignore

describe("mysql onDuplicateKeyUpdate and ignore", function()
  local users = mysql.mysqlTable("odku_users", {
    id = mysql.int("id"):primaryKey(),
    name = mysql.varchar("name", { length = 64 }):notNull(),
    lastLogin = mysql.datetime("last_login", { fsp = 3 }),
    logins = mysql.int("logins"):notNull():default(0),
  })
  setup(function()
    fresh("odku_users", [[CREATE TABLE `odku_users` (
	`id` int NOT NULL,
	`name` varchar(64) NOT NULL,
	`last_login` datetime(3),
	`logins` int NOT NULL DEFAULT 0,
	CONSTRAINT `odku_users_id` PRIMARY KEY(`id`)
);]])
  end)

  it("one row: inserts, then updates the existing row", function()
    local function upsert()
      return db:insert(users):values({ id = 1, name = "John" }):onDuplicateKeyUpdate({ set = { name = "Super John" } })
    end
    assert.are.equal("insert into `odku_users` (`id`, `name`, `last_login`, `logins`) values (?, ?, default, default) on duplicate key update `name` = ?",
      upsert():toSQL().sql)
    assert.are.equal(1, upsert():execute().rowsAffected)
    assert.are.same({ id = 1, name = "John", logins = 0 }, db:select():from(users):where(d.eq(users.id, 1)):get())
    assert.are.equal(2, upsert():execute().rowsAffected)       -- MySQL counts an updated duplicate as 2
    assert.are.same({ id = 1, name = "Super John", logins = 0 }, db:select():from(users):where(d.eq(users.id, 1)):get())
  end)

  it("many rows with values(): each row takes its own new value", function()
    local T = 1700000000
    db:insert(users):values({ { id = 2, name = "B", lastLogin = T }, { id = 3, name = "C", lastLogin = T } }):execute()
    local values = {
      { id = 2, name = "B", lastLogin = T + 60.5 },
      { id = 3, name = "C", lastLogin = T + 3600 },
      { id = 4, name = "D", lastLogin = T + 7200.25 },
    }
    local q = db:insert(users):values(values):onDuplicateKeyUpdate({
      set = { lastLogin = d.sql("values(?)", users.lastLogin), logins = d.sql("? + 1", users.logins) },
    })
    assert.matches("on duplicate key update `last_login` = values%(`odku_users`.`last_login`%), `logins` = `odku_users`.`logins` %+ 1$", q:toSQL().sql)
    q:execute()
    local rows = db:select({ id = users.id, lastLogin = users.lastLogin, logins = users.logins }):from(users)
      :where(d.gte(users.id, 2)):orderBy(users.id):all()
    assert.are.same({
      { id = 2, lastLogin = T + 60.5, logins = 1 },
      { id = 3, lastLogin = T + 3600, logins = 1 },
      { id = 4, lastLogin = T + 7200.25, logins = 0 },
    }, rows)
  end)

  it("insert ignore skips the duplicate and keeps the rest", function()
    local r = db:insert(users):ignore():values({ { id = 1, name = "ignored" }, { id = 5, name = "E" } }):execute()
    assert.are.equal(1, r.rowsAffected)
    assert.are.same({ "Super John", "E" }, col(db:select({ name = users.name }):from(users)
      :where(d.inArray(users.id, { 1, 5 })):orderBy(users.id):all(), "name"))
    assert.matches("^insert ignore into `odku_users`", db:insert(users):ignore():values({ id = 9, name = "x" }):toSQL().sql)
  end)
end)

--------------------------------------------------------------- defaults

describe("mysql defaults", function()
  it("timestamp defaults with fsp: defaultNow, now(), now(3), unix_timestamp(), onUpdateNow", function()
    local users = mysql.mysqlTable("def_ts", {
      id = mysql.serial("id"):primaryKey(),
      timestamp1 = mysql.timestamp("timestamp1"):notNull():defaultNow(),
      timestamp2 = mysql.timestamp("timestamp2", { mode = "string" }):notNull():default(d.sql("now()")),
      timestamp3 = mysql.timestamp("timestamp3", { fsp = 3 }):notNull():default(d.sql("now(3)")),
      unixTimestamp = mysql.int("unix_timestamp"):notNull():default(d.sql("(unix_timestamp())")),
      updatedAt = mysql.timestamp("updated_at"):defaultNow():onUpdateNow(),
      createdDt = mysql.datetime("created_dt", { fsp = 6, mode = "string" }):default(d.sql("CURRENT_TIMESTAMP(6)")),
      note = mysql.text("note"),
    })
    fresh("def_ts", [[CREATE TABLE `def_ts` (
	`id` serial AUTO_INCREMENT NOT NULL,
	`timestamp1` timestamp NOT NULL DEFAULT (now()),
	`timestamp2` timestamp NOT NULL DEFAULT now(),
	`timestamp3` timestamp(3) NOT NULL DEFAULT now(3),
	`unix_timestamp` int NOT NULL DEFAULT (unix_timestamp()),
	`updated_at` timestamp DEFAULT (now()) ON UPDATE CURRENT_TIMESTAMP,
	`created_dt` datetime(6) DEFAULT CURRENT_TIMESTAMP(6),
	`note` text,
	CONSTRAINT `def_ts_id` PRIMARY KEY(`id`)
);]])
    -- the server's clock, pinned for this session (the sandbox clock is not to be trusted)
    local T = 1700000000
    exec(db, "set timestamp = " .. T .. ".123456")
    local ok, err = pcall(function()
      assert.are.same({ { id = 1 } }, db:insert(users):values({ note = "a" }):returningId():execute())
      local r = db:select():from(users):get()
      assert.are.same({
        id = 1, timestamp1 = T, timestamp2 = "2023-11-14 22:13:20", timestamp3 = T + 0.123, unixTimestamp = T,
        updatedAt = T, createdDt = "2023-11-14 22:13:20.123456", note = "a",
      }, r)
      exec(db, "set timestamp = " .. (T + 3600))
      db:update(users):set({ note = "b" }):where(d.eq(users.id, 1)):execute()
      r = db:select({ updatedAt = users.updatedAt, timestamp1 = users.timestamp1 }):from(users):get()
      assert.are.same({ updatedAt = T + 3600, timestamp1 = T }, r)
    end)
    exec(db, "set timestamp = default")
    if not ok then error(err, 0) end
  end)

  it("json array defaults: default({}), ('[]'), (JSON_ARRAY()) and an object default", function()
    local users = mysql.mysqlTable("def_json", {
      id = mysql.serial("id"):primaryKey(),
      tags1 = mysql.json("tags1"):notNull():default({}),
      tags2 = mysql.json("tags2"):notNull():default(d.sql("('[]')")),
      tags3 = mysql.json("tags3"):notNull():default(d.sql("(JSON_ARRAY())")),
      settings = mysql.json("settings"):default({ theme = "dark" }),
    })
    fresh("def_json", [[CREATE TABLE `def_json` (
	`id` serial AUTO_INCREMENT NOT NULL,
	`tags1` json NOT NULL DEFAULT ('[]'),
	`tags2` json NOT NULL DEFAULT ('[]'),
	`tags3` json NOT NULL DEFAULT (JSON_ARRAY()),
	`settings` json DEFAULT ('{"theme":"dark"}'),
	CONSTRAINT `def_json_id` PRIMARY KEY(`id`)
);]])
    -- a Drizzle default (a value, not sql) is sent by the insert itself; sql defaults are the server's
    db:insert(users):values({ {}, { tags1 = { "a", "b" }, tags3 = { 1, { 2 } } } }):execute()
    exec(db, "insert into `def_json` () values ()")
    local rows = db:select():from(users):orderBy(users.id):all()
    assert.are.same({
      { id = 1, tags1 = {}, tags2 = {}, tags3 = {}, settings = { theme = "dark" } },
      { id = 2, tags1 = { "a", "b" }, tags2 = {}, tags3 = { 1, { 2 } }, settings = { theme = "dark" } },
      { id = 3, tags1 = {}, tags2 = {}, tags3 = {}, settings = { theme = "dark" } },
    }, rows)
    assert.are.equal(0, exec(db, "select json_length(`tags3`) as n from `def_json` where `id` = 1")[1].n)
  end)
end)

------------------------------------------------ case-insensitive unique email

describe("mysql case-insensitive unique email", function()
  -- Drizzle's MySQL form of the seed: the expression in parentheses.
  local function lower(email) return d.sql("(lower(?))", email) end
  local users = mysql.mysqlTable("ci_users", {
    id = mysql.serial("id"):primaryKey(),
    name = mysql.varchar("name", { length = 255 }):notNull(),
    email = mysql.varchar("email", { length = 255 }):notNull(),
  }, function(t) return { mysql.uniqueIndex("emailUniqueIndex"):on(lower(t.email)) } end)

  -- MySQL 8.0.13+ DDL, as drizzle-kit writes it (the conformance corpus's
  -- unique-lower-email case). MariaDB has no functional index: this is a
  -- syntax error there.
  local MYSQL8_DDL = [[CREATE TABLE `ci_users` (
	`id` serial AUTO_INCREMENT NOT NULL,
	`name` varchar(255) NOT NULL,
	`email` varchar(255) NOT NULL,
	CONSTRAINT `ci_users_id` PRIMARY KEY(`id`),
	CONSTRAINT `emailUniqueIndex` UNIQUE((lower(`email`)))
);]]
  -- MariaDB's equivalent: an indexed virtual column holding lower(email).
  -- (The default collations, utf8mb4_general_ci on MariaDB and
  -- utf8mb4_0900_ai_ci on MySQL 8, already compare case-insensitively; the
  -- email column is utf8mb4_bin here so that the index, not the collation,
  -- is what refuses the case variant.)
  local MARIADB_DDL = [[CREATE TABLE `ci_users` (
	`id` serial AUTO_INCREMENT NOT NULL,
	`name` varchar(255) NOT NULL,
	`email` varchar(255) COLLATE utf8mb4_bin NOT NULL,
	`email_lower` varchar(255) COLLATE utf8mb4_bin GENERATED ALWAYS AS (lower(`email`)) VIRTUAL,
	CONSTRAINT `ci_users_id` PRIMARY KEY(`id`),
	CONSTRAINT `emailUniqueIndex` UNIQUE(`email_lower`)
);]]

  it("renders Drizzle's MySQL lookup: eq(lower(email), value) with the parenthesised expression", function()
    local q = db:select():from(users):where(d.eq(lower(users.email), ("Ada@Example.com"):lower())):toSQL()
    assert.are.equal("select `id`, `name`, `email` from `ci_users` where (lower(`ci_users`.`email`)) = ?", q.sql)
    assert.are.same({ "ada@example.com" }, q.params)
  end)

  it("the MySQL 8 DDL is drizzle-kit's (conformance corpus: unique-lower-email)", function()
    local dir = (os.getenv("DZ_CONFORMANCE_DIR") or "../shared/conformance") .. "/mysql/ddl/"
    local f = io.open(dir .. "unique-lower-email.sql")
    if f then
      local corpus = f:read("*a"); f:close()
      assert.are.equal(MYSQL8_DDL:gsub("ci_users", "users"), (corpus:gsub("\n$", "")))
    end
    -- the same through drizzle.kit, once it writes mysql DDL
    local kit = require("drizzle.kit")
    local corpusUsers = loadfile(dir .. "unique-lower-email.lua")
    local schemaUsers = corpusUsers and corpusUsers()(d, mysql).users or users
    local out = os.tmpname(); os.remove(out)
    local okGen, r = pcall(kit.generate, { dialect = "mysql", schema = { users = schemaUsers }, out = out, name = "init" })
    os.execute("rm -rf '" .. out .. "'")
    if not okGen then
      pending("drizzle.kit writes no mysql DDL yet (" .. tostring(r):sub(1, 70) .. "...): the DDL above is the corpus's")
      return
    end
    local want = corpusUsers and MYSQL8_DDL:gsub("ci_users", "users") or MYSQL8_DDL
    assert.are.equal(want, (r.sql:gsub("\n$", "")))
  end)

  it("on the server: a case-variant duplicate is refused, the lower() lookup finds the row", function()
    exec(db, "drop table if exists `ci_users`")
    if MARIADB then
      local e = queryError(function() exec(db, kitDDL(MYSQL8_DDL)) end)
      assert.are.equal(1064, e.errno)                  -- no functional indexes in MariaDB
      exec(db, kitDDL(MARIADB_DDL))
    else
      exec(db, MYSQL8_DDL)
    end
    db:insert(users):values({ name = "Ada", email = "Ada@Example.com" }):execute()
    local e = queryError(function() db:insert(users):values({ name = "Imposter", email = "ada@EXAMPLE.com" }):execute() end)
    assert.are.equal(1062, e.errno)
    assert.are.equal("23000", e.sqlstate)
    db:insert(users):values({ name = "Alan", email = "alan@example.com" }):execute()
    local found = db:select({ name = users.name, email = users.email }):from(users)
      :where(d.eq(lower(users.email), ("ADA@example.COM"):lower())):all()
    assert.are.same({ { name = "Ada", email = "Ada@Example.com" } }, found)
    -- the exact-case column compares case-sensitively here (utf8mb4_bin)
    assert.are.same({}, db:select({ id = users.id }):from(users):where(d.eq(users.email, "ada@example.com")):all())
  end)
end)

----------------------------------------------- pagination and updates

describe("mysql pagination, increments, toggles, bulk updates", function()
  local users = mysql.mysqlTable("pg_users", {
    id = mysql.int("id"):primaryKey(),
    firstName = mysql.varchar("first_name", { length = 64 }):notNull(),
    createdAt = mysql.datetime("created_at"):notNull(),
    counter = mysql.int("counter"):notNull():default(0),
    counter2 = mysql.int("counter2"):notNull():default(100),
    isActive = mysql.boolean("is_active"):notNull():default(true),
    city = mysql.varchar("city", { length = 64 }),
  })
  local T = 1700000000

  before_each(function()
    fresh("pg_users", [[CREATE TABLE `pg_users` (
	`id` int NOT NULL,
	`first_name` varchar(64) NOT NULL,
	`created_at` datetime NOT NULL,
	`counter` int NOT NULL DEFAULT 0,
	`counter2` int NOT NULL DEFAULT 100,
	`is_active` boolean NOT NULL DEFAULT true,
	`city` varchar(64),
	CONSTRAINT `pg_users_id` PRIMARY KEY(`id`)
);]], "CREATE INDEX `first_name_and_id_index` ON `pg_users` (`first_name`,`id`);")
    local rows = {}
    local names = { "Ann", "Bob", "Cid", "Ann", "Bob", "Cid", "Ann", "Bob", "Cid", "Dee" }
    for i = 1, 10 do
      -- created_at: three rows share each second, so (created_at, id) is the cursor
      rows[i] = { id = i, firstName = names[i], createdAt = T + math.floor((i - 1) / 3) }
    end
    db:insert(users):values(rows):execute()
  end)

  it("offset pagination: limit/offset over a stable order", function()
    local function page(n, size)
      return col(db:select({ id = users.id }):from(users):orderBy(d.asc(users.firstName), d.asc(users.id))
        :limit(size):offset((n - 1) * size):all(), "id")
    end
    assert.are.same({ 1, 4, 7 }, page(1, 3))
    assert.are.same({ 2, 5, 8 }, page(2, 3))
    assert.are.same({ 10 }, page(4, 3))
    assert.are.same({}, page(5, 3))
  end)

  it("cursor pagination: on a unique column, and on (createdAt, id)", function()
    local function nextPage(cursor, size)
      return col(db:select({ id = users.id }):from(users):where(cursor and d.gt(users.id, cursor) or nil)
        :limit(size):orderBy(d.asc(users.id)):all(), "id")
    end
    assert.are.same({ 1, 2, 3, 4 }, nextPage(nil, 4))
    assert.are.same({ 5, 6, 7, 8 }, nextPage(4, 4))
    assert.are.same({ 9, 10 }, nextPage(8, 4))

    local function byTime(cursor, size)
      return db:select({ id = users.id, createdAt = users.createdAt }):from(users)
        :where(cursor and d.or_(
          d.gt(users.createdAt, cursor.createdAt),
          d.and_(d.eq(users.createdAt, cursor.createdAt), d.gt(users.id, cursor.id))) or nil)
        :limit(size):orderBy(d.asc(users.createdAt), d.asc(users.id)):all()
    end
    local seen, cursor = {}, nil
    repeat
      local pageRows = byTime(cursor, 4)
      for _, r in ipairs(pageRows) do seen[#seen + 1] = r.id end
      cursor = pageRows[#pageRows]
    until #pageRows < 4
    assert.are.same({ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, seen)
  end)

  it("increments and decrements, inline and through helpers", function()
    db:update(users):set({ counter = d.sql("? + 1", users.counter) }):where(d.eq(users.id, 1)):execute()
    db:update(users):set({ counter = d.sql("? + 1", users.counter) }):where(d.eq(users.id, 1)):execute()
    local function increment(column, value) return d.sql("? + ?", column, value or 1) end
    local function decrement(column, value) return d.sql("? - ?", column, value or 1) end
    db:update(users):set({ counter = increment(users.counter, 5), counter2 = decrement(users.counter2, 10) })
      :where(d.eq(users.id, 1)):execute()
    assert.are.same({ counter = 7, counter2 = 90 },
      db:select({ counter = users.counter, counter2 = users.counter2 }):from(users):where(d.eq(users.id, 1)):get())
    assert.are.same({ counter = 0, counter2 = 100 },
      db:select({ counter = users.counter, counter2 = users.counter2 }):from(users):where(d.eq(users.id, 2)):get())
  end)

  it("toggles a boolean with not()", function()
    local q = db:update(users):set({ isActive = d.not_(users.isActive) }):where(d.eq(users.id, 1))
    assert.are.equal("update `pg_users` set `is_active` = not `pg_users`.`is_active` where `pg_users`.`id` = ?", q:toSQL().sql)
    q:execute()
    assert.is_false(db:select({ a = users.isActive }):from(users):where(d.eq(users.id, 1)):get().a)
    db:update(users):set({ isActive = d.not_(users.isActive) }):where(d.eq(users.id, 1)):execute()
    assert.is_true(db:select({ a = users.isActive }):from(users):where(d.eq(users.id, 1)):get().a)
  end)

  it("bulk update with different values through a case expression", function()
    local inputs = { { id = 1, city = "New York" }, { id = 2, city = "Los Angeles" }, { id = 3, city = "Chicago" } }
    local chunks, ids = { d.sql("(case") }, {}
    for _, input in ipairs(inputs) do
      chunks[#chunks + 1] = d.sql("when ? = ? then ?", users.id, input.id, input.city)
      ids[#ids + 1] = input.id
    end
    chunks[#chunks + 1] = d.sql("end)")
    local finalSql = d.sql.join(chunks, d.sql.raw(" "))
    local r = db:update(users):set({ city = finalSql }):where(d.inArray(users.id, ids)):execute()
    assert.are.equal(3, r.rowsAffected)
    local rows = db:select({ id = users.id, city = users.city }):from(users):where(d.lte(users.id, 4)):orderBy(users.id):all()
    assert.are.same({ { id = 1, city = "New York" }, { id = 2, city = "Los Angeles" }, { id = 3, city = "Chicago" }, { id = 4 } }, rows)
  end)

  it("update and delete with orderBy and limit", function()
    local r = db:update(users):set({ city = "last two" }):orderBy(d.desc(users.id)):limit(2):execute()
    assert.are.equal(2, r.rowsAffected)
    assert.are.same({ 9, 10 }, col(db:select({ id = users.id }):from(users):where(d.eq(users.city, "last two")):orderBy(users.id):all(), "id"))
    local q = db:delete(users):where(d.eq(users.firstName, "Ann")):orderBy(d.desc(users.id)):limit(1)
    assert.are.equal("delete from `pg_users` where `pg_users`.`first_name` = ? order by `pg_users`.`id` desc limit ?", q:toSQL().sql)
    assert.are.equal(1, q:execute().rowsAffected)
    assert.are.same({ 1, 4 }, col(db:select({ id = users.id }):from(users):where(d.eq(users.firstName, "Ann")):orderBy(users.id):all(), "id"))
  end)

  it("count() over the table and with a filter", function()
    assert.are.equal(10, db:count(users):execute())
    assert.are.equal(3, db:count(users, d.eq(users.firstName, "Bob")):execute())
  end)
end)

----------------------------------------------------------------- locks

describe("mysql row locks: for_(update) with noWait / skipLocked", function()
  local jobs = mysql.mysqlTable("lock_jobs", {
    id = mysql.int("id"):primaryKey(),
    state = mysql.varchar("state", { length = 16 }):notNull(),
  })
  setup(function()
    fresh("lock_jobs", "CREATE TABLE `lock_jobs` (\n\t`id` int NOT NULL,\n\t`state` varchar(16) NOT NULL,\n\t" ..
      "CONSTRAINT `lock_jobs_id` PRIMARY KEY(`id`)\n);")
    db:insert(jobs):values({ { id = 1, state = "new" }, { id = 2, state = "new" }, { id = 3, state = "new" } }):execute()
  end)

  it("renders Drizzle's locking clauses", function()
    assert.matches(" for update nowait$", db:select():from(jobs):for_("update", { noWait = true }):toSQL().sql)
    assert.matches(" for update skip locked$", db:select():from(jobs):for_("update", { skipLocked = true }):toSQL().sql)
    assert.matches(" for share$", db:select():from(jobs):for_("share"):toSQL().sql)
  end)

  it("a row locked by one connection: skipLocked passes it by, noWait fails at once", function()
    db:transaction(function(tx)
      local mine = tx:select():from(jobs):where(d.eq(jobs.id, 1)):for_("update"):all()
      assert.are.same({ { id = 1, state = "new" } }, mine)

      local free = other:transaction(function(otx)
        return otx:select():from(jobs):orderBy(jobs.id):for_("update", { skipLocked = true }):all()
      end)
      assert.are.same({ 2, 3 }, col(free, "id"))

      local e = queryError(function()
        other:transaction(function(otx)
          otx:select():from(jobs):where(d.eq(jobs.id, 1)):for_("update", { noWait = true }):all()
        end)
      end)
      -- MySQL 8: 3572 ER_LOCK_NOWAIT; MariaDB: 1205 lock wait timeout (a zero timeout)
      assert.are.equal(MARIADB and 1205 or 3572, e.errno)
      assert.matches("for update nowait$", e.sql)

      tx:update(jobs):set({ state = "taken" }):where(d.eq(jobs.id, 1)):execute()
    end)
    assert.are.equal("taken", other:select({ s = jobs.state }):from(jobs):where(d.eq(jobs.id, 1)):get().s)
  end)

  it("for_('share'): Drizzle writes `for share`, which MariaDB does not parse (it has LOCK IN SHARE MODE)", function()
    local q = db:select({ id = jobs.id }):from(jobs):where(d.eq(jobs.id, 2)):for_("share")
    if MARIADB then
      local e = queryError(function() q:all() end)
      assert.are.equal(1064, e.errno)
      assert.are.same({ { id = 2 } }, exec(db, "select `id` from `lock_jobs` where `id` = 2 lock in share mode"))
    else
      assert.are.same({ { id = 2 } }, q:all())
    end
  end)
end)

---------------------------------------------------------- transactions

describe("mysql transactions", function()
  local acct = mysql.mysqlTable("tx_accounts", {
    id = mysql.int("id"):primaryKey(),
    balance = mysql.int("balance"):notNull(),
  })
  before_each(function()
    fresh("tx_accounts", "CREATE TABLE `tx_accounts` (\n\t`id` int NOT NULL,\n\t`balance` int NOT NULL,\n\t" ..
      "CONSTRAINT `tx_accounts_id` PRIMARY KEY(`id`)\n);")
    db:insert(acct):values({ { id = 1, balance = 100 }, { id = 2, balance = 50 } }):execute()
  end)
  local function balances(conn)
    return col(conn:select({ b = acct.balance }):from(acct):orderBy(acct.id):all(), "b")
  end

  it("commits: invisible to a second connection until commit, visible after", function()
    local seenInside
    local r = db:transaction(function(tx)
      tx:update(acct):set({ balance = d.sql("? - 10", acct.balance) }):where(d.eq(acct.id, 1)):execute()
      tx:update(acct):set({ balance = d.sql("? + 10", acct.balance) }):where(d.eq(acct.id, 2)):execute()
      seenInside = balances(other)
      return balances(tx)
    end)
    assert.are.same({ 90, 60 }, r)
    assert.are.same({ 100, 50 }, seenInside)
    assert.are.same({ 90, 60 }, balances(other))
  end)

  it("rolls back on a Lua error, and on a database error (checked from a second connection)", function()
    local ok, e = pcall(db.transaction, db, function(tx)
      tx:update(acct):set({ balance = 0 }):where(d.eq(acct.id, 1)):execute()
      error("boom")
    end)
    assert.is_false(ok)
    assert.matches("boom", tostring(e))
    assert.are.same({ 100, 50 }, balances(other))

    local qe = queryError(function()
      db:transaction(function(tx)
        tx:insert(acct):values({ id = 3, balance = 1 }):execute()
        tx:insert(acct):values({ id = 1, balance = 1 }):execute()     -- duplicate key
      end)
    end)
    assert.are.equal(1062, qe.errno)
    assert.are.same({ 100, 50 }, balances(other))
    assert.are.same({ 100, 50 }, balances(db))      -- the session is usable after the rollback
  end)

  it("tx:rollback() returns nil and leaves nothing behind", function()
    local r = db:transaction(function(tx)
      tx:delete(acct):execute()
      tx:rollback()
      error("not reached")
    end)
    assert.is_nil(r)
    assert.are.same({ 100, 50 }, balances(other))
  end)

  it("nested savepoints: an inner rollback keeps the outer work", function()
    db:transaction(function(tx)
      tx:insert(acct):values({ id = 3, balance = 3 }):execute()
      tx:transaction(function(sp)
        sp:insert(acct):values({ id = 4, balance = 4 }):execute()
        sp:transaction(function(sp2)
          sp2:insert(acct):values({ id = 5, balance = 5 }):execute()
        end)
        sp:rollback()
      end)
      local ok = pcall(tx.transaction, tx, function(sp)
        sp:insert(acct):values({ id = 6, balance = 6 }):execute()
        sp:insert(acct):values({ id = 6, balance = 6 }):execute()    -- duplicate: this savepoint rolls back
      end)
      assert.is_false(ok)
      tx:transaction(function(sp)
        sp:insert(acct):values({ id = 7, balance = 7 }):execute()
      end)
    end)
    assert.are.same({ 1, 2, 3, 7 }, col(other:select({ id = acct.id }):from(acct):orderBy(acct.id):all(), "id"))
  end)

  it("isolationLevel: read uncommitted sees another connection's uncommitted row, read committed does not", function()
    other:transaction(function(otx)
      otx:insert(acct):values({ id = 9, balance = 9 }):execute()
      local dirty = db:transaction(function(tx)
        return tx:count(acct):execute()
      end, { isolationLevel = "read uncommitted" })
      local clean = db:transaction(function(tx)
        return tx:count(acct):execute()
      end, { isolationLevel = "read committed" })
      assert.are.equal(3, dirty)
      assert.are.equal(2, clean)
      otx:rollback()
    end)
    assert.are.equal(2, db:count(acct):execute())
  end)

  it("isolationLevel applies to that transaction only", function()
    local levelVar = MARIADB and "@@tx_isolation" or "@@transaction_isolation"
    local before = exec(db, "select " .. levelVar .. " as l")[1].l
    db:transaction(function(tx) tx:count(acct):execute() end, { isolationLevel = "serializable" })
    assert.are.equal(before, exec(db, "select " .. levelVar .. " as l")[1].l)
  end)

  it("accessMode read only: a write inside fails with errno 1792 and the transaction rolls back", function()
    local e = queryError(function()
      db:transaction(function(tx)
        assert.are.same({ 100, 50 }, balances(tx))
        tx:update(acct):set({ balance = 0 }):execute()
      end, { accessMode = "read only" })
    end)
    assert.are.equal(1792, e.errno)   -- ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
    assert.are.same({ 100, 50 }, balances(other))
    -- and the next transaction is read write again
    db:transaction(function(tx) tx:update(acct):set({ balance = 1 }):where(d.eq(acct.id, 1)):execute() end,
      { accessMode = "read write", isolationLevel = "repeatable read" })
    assert.are.same({ 1, 50 }, balances(other))
  end)

  it("withConsistentSnapshot: the snapshot is taken at start, not at the first read", function()
    local function run(config)
      return db:transaction(function(tx)
        other:insert(acct):values({ id = 10, balance = 10 }):execute()    -- autocommitted meanwhile
        local n = tx:count(acct):execute()
        other:delete(acct):where(d.eq(acct.id, 10)):execute()
        return n
      end, config)
    end
    assert.are.equal(2, run({ withConsistentSnapshot = true }))
    assert.are.equal(3, run({ isolationLevel = "repeatable read" }))
    assert.are.equal(2, run({ withConsistentSnapshot = true, accessMode = "read only" }))
  end)

  it("refuses options MySQL does not have", function()
    assert.has_error(function() db:transaction(function() end, { deferrable = true }) end)
    assert.has_error(function() db:transaction(function() end, { isolationLevel = "snapshot" }) end)
  end)
end)

------------------------------------------------------ prepared statements

describe("mysql prepared statements", function()
  local items = mysql.mysqlTable("prep_items", {
    id = mysql.int("id"):primaryKey(),
    name = mysql.varchar("name", { length = 32 }):notNull(),
    qty = mysql.int("qty"):notNull(),
  })
  setup(function()
    fresh("prep_items", "CREATE TABLE `prep_items` (\n\t`id` int NOT NULL,\n\t`name` varchar(32) NOT NULL,\n\t" ..
      "`qty` int NOT NULL,\n\tCONSTRAINT `prep_items_id` PRIMARY KEY(`id`)\n);")
  end)

  it("a prepared insert and a prepared select, each reused with placeholders", function()
    local ins = db:insert(items):values({ id = d.sql.placeholder("id"), name = d.sql.placeholder("name"), qty = d.sql.placeholder("qty") })
      :prepare("insItem")
    for i = 1, 20 do ins:execute({ id = i, name = "item" .. i, qty = i * 2 }) end
    local byId = db:select():from(items):where(d.eq(items.id, d.sql.placeholder("id"))):prepare("byId")
    for i = 1, 20 do
      assert.are.same({ id = i, name = "item" .. i, qty = i * 2 }, byId:get({ id = i }))
    end
    assert.is_nil(byId:get({ id = 999 }))
    local page = db:select({ id = items.id }):from(items):where(d.gt(items.qty, d.sql.placeholder("min")))
      :orderBy(items.id):limit(d.sql.placeholder("n")):prepare("page")
    assert.are.same({ 6, 7 }, col(page:all({ min = 10, n = 2 }), "id"))
    assert.are.same({ 16, 17, 18 }, col(page:all({ min = 30, n = 3 }), "id"))
    local upd = db:update(items):set({ qty = d.sql("? + ?", items.qty, d.sql.placeholder("by")) })
      :where(d.eq(items.id, d.sql.placeholder("id"))):prepare("bump")
    upd:execute({ id = 1, by = 100 })
    upd:execute({ id = 1, by = 1 })
    assert.are.equal(103, byId:get({ id = 1 }).qty)
  end)

  it("a missing placeholder value raises before the statement runs", function()
    local byId = db:select():from(items):where(d.eq(items.id, d.sql.placeholder("id"))):prepare("byId2")
    local ok, e = pcall(function() byId:execute({}) end)
    assert.is_false(ok)
    assert.matches("id", tostring(e))
  end)
end)

---------------------------------------------------- a killed connection

describe("mysql connection killed under the session", function()
  local t = mysql.mysqlTable("kill_t", { id = mysql.int("id"):primaryKey(), v = mysql.text("v") })
  setup(function()
    fresh("kill_t", "CREATE TABLE `kill_t` (\n\t`id` int NOT NULL,\n\t`v` text,\n\t" ..
      "CONSTRAINT `kill_t_id` PRIMARY KEY(`id`)\n);")
  end)

  local function connId(conn) return exec(conn, "select connection_id() as id")[1].id end

  it("gives a clean QueryError, then reconnects for the next statement; prepared statements survive", function()
    local victim = mysql.drizzle(URL)
    local byId = victim:select():from(t):where(d.eq(t.id, d.sql.placeholder("id"))):prepare("killById")
    victim:insert(t):values({ id = 1, v = "one" }):execute()
    assert.are.same({ id = 1, v = "one" }, byId:get({ id = 1 }))
    local before = connId(victim)

    exec(other, "KILL " .. before)

    local e = queryError(function() victim:select():from(t):all() end)
    assert.is_number(e.errno)
    assert.is_truthy(e.errno == 2006 or e.errno == 2013 or e.errno == 1927 or e.errno == 4031,
      "a lost-connection errno, got " .. tostring(e.errno) .. ": " .. tostring(e.message))
    assert.are.equal("select `id`, `v` from `kill_t`", e.sql)

    -- the next statement (outside a transaction) runs on a new connection
    assert.are.same({ { id = 1, v = "one" } }, victim:select():from(t):all())
    assert.are_not.equal(before, connId(victim))
    -- the prepared statement is re-prepared on the new connection
    assert.are.same({ id = 1, v = "one" }, byId:get({ id = 1 }))
    victim:insert(t):values({ id = 2, v = "two" }):execute()
    assert.are.same({ id = 2, v = "two" }, byId:get({ id = 2 }))
  end)

  it("a prepared statement as the first statement after the kill: error, then it works", function()
    local victim = mysql.drizzle(URL)
    local byId = victim:select():from(t):where(d.eq(t.id, d.sql.placeholder("id"))):prepare("killById2")
    assert.are.same({ id = 1, v = "one" }, byId:get({ id = 1 }))
    exec(other, "KILL " .. connId(victim))
    queryError(function() byId:get({ id = 1 }) end)
    assert.are.same({ id = 1, v = "one" }, byId:get({ id = 1 }))
  end)

  it("inside a transaction the error ends the transaction (no silent reconnect mid-transaction)", function()
    local victim = mysql.drizzle(URL)
    local e = queryError(function()
      victim:transaction(function(tx)
        tx:insert(t):values({ id = 3, v = "three" }):execute()
        exec(other, "KILL " .. connId(tx))
        tx:insert(t):values({ id = 4, v = "four" }):execute()
      end)
    end)
    assert.is_number(e.errno)
    assert.are.same({ 1, 2 }, col(other:select({ id = t.id }):from(t):orderBy(t.id):all(), "id"))
    -- and the session works again afterwards
    assert.are.same({ 1, 2 }, col(victim:select({ id = t.id }):from(t):orderBy(t.id):all(), "id"))
  end)
end)

describe("mysql statements killed in flight", function()
  -- KILL from another process while the statement runs (the mariadb/mysql
  -- client in the background), so the session is blocked in the server.
  local user, pass, host, port = URL:match("^mysql://([^:]+):([^@]*)@([^:/]+):(%d+)/")
  local client
  for _, c in ipairs({ "mariadb", "mysql" }) do
    if os.execute("command -v " .. c .. " >/dev/null 2>&1") then client = c; break end
  end
  local function killLater(what, id, secs)
    os.execute(("(sleep %s; %s --no-defaults -h%s -P%s -u%s -p%s -e '%s %d' >/dev/null 2>&1) &")
      :format(secs, client, host, port, user, pass, what, id))
  end
  local function connId(conn) return exec(conn, "select connection_id() as id")[1].id end

  it("KILL QUERY: errno 1317 and the same connection goes on", function()
    if not client or not user then pending("no mariadb/mysql client or URL not user:pass@host:port"); return end
    local victim = mysql.drizzle(URL)
    local id = connId(victim)
    killLater("KILL QUERY", id, 0.5)
    local e = queryError(function() exec(victim, "select sleep(20) as s") end)
    assert.are.equal(1317, e.errno)
    assert.are.equal("70100", e.sqlstate)
    assert.are.equal(id, connId(victim))
  end)

  it("KILL of the connection mid-statement: a clean QueryError, then a new connection", function()
    if not client or not user then pending("no mariadb/mysql client or URL not user:pass@host:port"); return end
    local victim = mysql.drizzle(URL)
    local byOne = victim:select({ one = d.sql("1"):mapWith(tonumber) }):from(d.sql.raw("dual")):prepare("one")
    local id = connId(victim)
    killLater("KILL", id, 0.5)
    local e = queryError(function() exec(victim, "select sleep(20) as s") end)
    assert.is_truthy(e.errno == 2013 or e.errno == 2006 or e.errno == 1927 or e.errno == 4031,
      "a lost-connection errno, got " .. tostring(e.errno) .. ": " .. tostring(e.message))
    assert.are.equal("select sleep(20) as s", e.sql)
    assert.are.same({ { one = 1 } }, byOne:all())
    assert.are_not.equal(id, connId(victim))
  end)
end)

describe("mysql queries: joins, aggregates, raw rows, big blobs", function()
  local authors = mysql.mysqlTable("q_authors", {
    id = mysql.int("id"):primaryKey(),
    name = mysql.varchar("name", { length = 32 }):notNull(),
  })
  local books = mysql.mysqlTable("q_books", {
    id = mysql.int("id"):primaryKey(),
    authorId = mysql.int("author_id"),
    title = mysql.varchar("title", { length = 64 }):notNull(),
    pages = mysql.int("pages"):notNull(),
    price = mysql.decimal("price", { precision = 8, scale = 2 }),
  })
  local longblob = mysql.customType({ dataType = function() return "longblob" end })
  local blobs = mysql.mysqlTable("q_blobs", { id = mysql.int("id"):primaryKey(), data = longblob("data") })
  setup(function()
    fresh("q_authors", "CREATE TABLE `q_authors` (\n\t`id` int NOT NULL,\n\t`name` varchar(32) NOT NULL,\n\t" ..
      "CONSTRAINT `q_authors_id` PRIMARY KEY(`id`)\n);")
    fresh("q_books", "CREATE TABLE `q_books` (\n\t`id` int NOT NULL,\n\t`author_id` int,\n\t`title` varchar(64) NOT NULL,\n\t" ..
      "`pages` int NOT NULL,\n\t`price` decimal(8,2),\n\tCONSTRAINT `q_books_id` PRIMARY KEY(`id`)\n);")
    fresh("q_blobs", "CREATE TABLE `q_blobs` (\n\t`id` int NOT NULL,\n\t`data` longblob,\n\tCONSTRAINT `q_blobs_id` PRIMARY KEY(`id`)\n);")
    db:insert(authors):values({ { id = 1, name = "Ann" }, { id = 2, name = "Bob" }, { id = 3, name = "Cy" } }):execute()
    db:insert(books):values({
      { id = 1, authorId = 1, title = "A1", pages = 100, price = "9.99" },
      { id = 2, authorId = 1, title = "A2", pages = 250, price = "20.01" },
      { id = 3, authorId = 2, title = "B1", pages = 50, price = "5.00" },
      { id = 4, title = "orphan", pages = 1 },
    }):execute()
  end)

  it("left join nests partial selects and leaves the absent side nil", function()
    local rows = db:select({ author = { id = authors.id, name = authors.name }, book = { title = books.title } })
      :from(authors):leftJoin(books, d.eq(books.authorId, authors.id)):orderBy(authors.id, books.id):all()
    assert.are.same({
      { author = { id = 1, name = "Ann" }, book = { title = "A1" } },
      { author = { id = 1, name = "Ann" }, book = { title = "A2" } },
      { author = { id = 2, name = "Bob" }, book = { title = "B1" } },
      { author = { id = 3, name = "Cy" } },
    }, rows)
  end)

  it("aggregates map as Drizzle's: count a number, sum/avg strings, max/min the column's type", function()
    local r = db:select({
      n = d.count(), total = d.sum(books.pages), mean = d.avg(books.pages),
      most = d.max(books.pages), cheapest = d.min(books.price),
    }):from(books):where(d.isNotNull(books.authorId)):get()
    assert.are.same({ n = 3, total = "400", mean = "133.3333", most = 250, cheapest = "5.00" }, r)
    if IS54 then assert.are.equal("integer", math.type(r.n)) end
    local g = db:select({ authorId = books.authorId, n = d.count(books.id) }):from(books)
      :groupBy(books.authorId):having(d.gt(d.count(books.id), 1)):all()
    assert.are.same({ { authorId = 1, n = 2 } }, g)
  end)

  it("raw SQL rows are keyed by column name; :values() gives arrays", function()
    local rows = db:all(d.sql("select `id` as a, `title` from ? where ? = ?", books, books.id, 3))
    assert.are.same({ { a = 3, title = "B1" } }, rows)
    -- a bare parameter in the select list: prepared, the server types it a
    -- string; executed, by the value bound (as mysql2's interpolated text
    -- gives it): the execute's column types win
    assert.are.same({ { a = 1 } }, db:all(d.sql("select ? as a", 1)))
    assert.are.same({ { a = "x" } }, db:all(d.sql("select ? as a", "x")))
    assert.are.same({ { a = 2.5 } }, db:all(d.sql("select ? as a", 2.5)))
    local vals = db:select({ id = books.id, price = books.price }):from(books):where(d.lte(books.id, 2)):orderBy(books.id):values()
    assert.are.same({ { 1, "9.99" }, { 2, "20.01" } }, vals)
  end)

  it("a 3 MB blob with every byte value round-trips", function()
    local parts = {}
    for i = 0, 255 do parts[#parts + 1] = string.char(i) end
    local chunk = table.concat(parts)
    local big = string.rep(chunk, 3 * 4096)        -- 3 MiB
    db:insert(blobs):values({ { id = 1, data = big }, { id = 2, data = "" } }):execute()
    local got = db:select():from(blobs):orderBy(blobs.id):all()
    assert.are.equal(#big, #got[1].data)
    assert.is_true(got[1].data == big)
    assert.are.equal("", got[2].data)
  end)
end)

describe("mysql cached statements and a table that changes under them", function()
  -- Statements are prepared once per connection and cached by SQL text. An
  -- ALTER TABLE (or a drop and create) between two runs of the same text
  -- makes the server re-prepare it with other columns.
  local function show(rows)
    local out = {}
    for i, r in ipairs(rows) do
      local keys = {}
      for k, v in pairs(r) do keys[#keys + 1] = k .. "=" .. tostring(v) end
      table.sort(keys)
      out[i] = table.concat(keys, " ")
    end
    return out
  end

  it("raw select *: columns added, dropped and retyped are read as they now are", function()
    fresh("alt_t", "CREATE TABLE `alt_t` (\n\t`id` int NOT NULL,\n\t`a` int,\n\tCONSTRAINT `alt_t_id` PRIMARY KEY(`id`)\n);")
    exec(db, "insert into `alt_t` values (1, 10)")
    local q = "select * from `alt_t`"
    assert.are.same({ "a=10 id=1" }, show(exec(db, q)))
    exec(db, "alter table `alt_t` add column `b` varchar(10) default 'bee'")
    assert.are.same({ "a=10 b=bee id=1" }, show(exec(db, q)))
    exec(db, "alter table `alt_t` drop column `a`")
    assert.are.same({ "b=bee id=1" }, show(exec(db, q)))
    exec(db, "update `alt_t` set `b` = '42'")
    exec(db, "alter table `alt_t` modify column `b` int")
    assert.are.same({ "b=42 id=1" }, show(exec(db, q)))
    local v = db:values(d.sql.raw(q))
    assert.are.same({ { 1, 42 } }, v)
  end)

  it("a builder query whose column changed type reads the new values, not a conversion", function()
    fresh("alt_u", "CREATE TABLE `alt_u` (\n\t`id` int NOT NULL,\n\t`b` int,\n\tCONSTRAINT `alt_u_id` PRIMARY KEY(`id`)\n);")
    local t = mysql.mysqlTable("alt_u", { id = mysql.int("id"):primaryKey(), b = mysql.int("b") })
    db:insert(t):values({ id = 1, b = 7 }):execute()
    local byId = db:select():from(t):where(d.eq(t.id, d.sql.placeholder("id"))):prepare("altById")
    assert.are.same({ { id = 1, b = 7 } }, db:select():from(t):all())
    assert.are.same({ id = 1, b = 7 }, byId:get({ id = 1 }))
    exec(db, "alter table `alt_u` modify column `b` varchar(20)")
    exec(db, "update `alt_u` set `b` = 'now text'")
    assert.are.same({ { id = 1, b = "now text" } }, db:select():from(t):all())
    assert.are.same({ id = 1, b = "now text" }, byId:get({ id = 1 }))
    -- dropped and created again with a different shape
    fresh("alt_u", "CREATE TABLE `alt_u` (\n\t`id` int NOT NULL,\n\t`b` datetime(3),\n\tCONSTRAINT `alt_u_id` PRIMARY KEY(`id`)\n);")
    exec(db, "insert into `alt_u` values (2, '2023-11-14 22:13:20.5')")
    assert.are.same({ id = 2, b = "2023-11-14 22:13:20.500" }, byId:get({ id = 2 }))
    assert.are.same({ { n = 1 } }, exec(db, "select count(*) as n from `alt_u`"))
  end)
end)

------------------------------------------------------ streamed long reads

-- Reads that finish in C with no Lua decoder stream their rows from the
-- server (driver.h, xStreamNext); the others are buffered first. Either way
-- the connection must stay usable whatever happens half way.
describe("mysql long reads, streamed and buffered", function()
  local docs = mysql.mysqlTable("st_docs", {
    id = mysql.int("id"):primaryKey(),
    body = mysql.text("body"),
    meta = mysql.json("meta"),
  })
  local small = mysql.mysqlTable("st_small", { id = mysql.int("id"):primaryKey() })
  local lookups = 0
  -- a decoder that queries the same connection while rows are read
  local labelled = mysql.customType({
    dataType = function() return "int" end,
    fromDriver = function(v)
      lookups = lookups + 1
      local n = exec(db, "select count(*) as n from `st_small`")[1].n
      return ("%d of %d"):format(v, n)
    end,
  })
  local docsLabelled = mysql.mysqlTable("st_docs", { id = labelled("id"):primaryKey() })
  setup(function()
    -- meta is longtext, not json: row 1500 holds text that is not JSON
    fresh("st_docs", "CREATE TABLE `st_docs` (\n\t`id` int NOT NULL,\n\t`body` text,\n\t`meta` longtext,\n\t" ..
      "CONSTRAINT `st_docs_id` PRIMARY KEY(`id`)\n);")
    fresh("st_small", "CREATE TABLE `st_small` (\n\t`id` int NOT NULL,\n\tCONSTRAINT `st_small_id` PRIMARY KEY(`id`)\n);")
    exec(db, "insert into `st_docs` select seq, repeat('b', seq % 700), concat('{\"n\":', seq, '}') from seq_1_to_3000")
    exec(db, "insert into `st_small` values (1), (2), (3)")
  end)
  local function body(i) return ("b"):rep(i % 700) end

  it("3000 rows with text past the first buffer arrive in order, shaped, raw and as values", function()
    local rows = db:select():from(docs):orderBy(docs.id):execute()
    assert.are.equal(3000, #rows)
    for i = 1, 3000, 7 do
      assert.are.same({ id = i, body = body(i), meta = { n = i } }, rows[i])
    end
    assert.are.same({ id = 3000, body = body(3000), meta = { n = 3000 } }, rows[3000])
    local raw = exec(db, "select id, body from st_docs order by id")
    assert.are.equal(3000, #raw)
    assert.are.same({ id = 699, body = body(699) }, raw[699])
    local values = db:select({ id = docs.id, body = docs.body }):from(docs):orderBy(docs.id):values()
    assert.are.same({ 2999, body(2999) }, values[2999])
  end)

  it("a decode error half way raises, and the connection and the statement go on", function()
    exec(db, "update `st_docs` set `meta` = 'not json' where `id` = 1500")
    local ok, err = pcall(function() return db:select():from(docs):orderBy(docs.id):execute() end)
    exec(db, "update `st_docs` set `meta` = '{\"n\":1500}' where `id` = 1500")
    assert.is_false(ok)
    assert.matches("invalid JSON", tostring(err))
    -- another statement first: the rest of the abandoned rows is read off the wire
    assert.are.same({ { id = 1 }, { id = 2 }, { id = 3 } }, db:select():from(small):orderBy(small.id):execute())
    local rows = db:select():from(docs):orderBy(docs.id):execute()
    assert.are.equal(3000, #rows)
    assert.are.same({ n = 1500 }, rows[1500].meta)
    -- the same statement straight after an abandoned stream
    exec(db, "update `st_docs` set `meta` = 'not json' where `id` = 10")
    assert.is_false(pcall(function() return db:select():from(docs):orderBy(docs.id):execute() end))
    exec(db, "update `st_docs` set `meta` = '{\"n\":10}' where `id` = 10")
    assert.are.equal(3000, #db:select():from(docs):orderBy(docs.id):execute())
  end)

  it("a decoder that queries the same connection reads every row (those rows are buffered)", function()
    lookups = 0
    local rows = db:select():from(docsLabelled):orderBy(docsLabelled.id):execute()
    assert.are.equal(3000, #rows)
    assert.are.equal(3000, lookups)
    assert.are.same({ id = "2999 of 3" }, rows[2999])
  end)

  it("prepared statements collected while rows stream leave the read intact", function()
    local before = collectgarbage("count")
    for r = 1, 3 do
      for i = 1, 40 do db:select():from(small):where(d.eq(small.id, i)):prepare("st_gc" .. r .. "_" .. i) end
      collectgarbage("setpause", 100)
      local rows = db:select():from(docs):orderBy(docs.id):execute()
      collectgarbage("setpause", 200)
      assert.are.equal(3000, #rows)
      assert.are.same({ id = 2048, body = body(2048), meta = { n = 2048 } }, rows[2048])
    end
    collectgarbage()
    assert.are.same({ { id = 2 } }, db:select():from(small):where(d.eq(small.id, 2)):execute())
    assert.is_true(collectgarbage("count") < before + 4096)
  end)
end)
