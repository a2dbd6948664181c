-- Transactions against a real SQLite file, checked from a SECOND connection
-- to the same file: commit, rollback on error, tx:rollback(), savepoints.
local d = require("drizzle")
local sqlite = require("drizzle.sqlite")

local accounts = sqlite.sqliteTable("accounts", {
  id = sqlite.integer("id"):primaryKey(),
  name = sqlite.text("name"):notNull():unique(),
  balance = sqlite.integer("balance"):notNull(),
})

local function names(db)
  local out = {}
  for i, r in ipairs(db:select({ name = accounts.name }):from(accounts):orderBy(accounts.id):all()) do out[i] = r.name end
  return out
end

describe("sqlite transactions", function()
  local path, db, other

  before_each(function()
    path = os.tmpname()
    os.remove(path)
    db = sqlite.drizzle(path)
    db:run(d.sql.raw("create table accounts (id integer primary key, name text not null unique, balance integer not null)"))
    db:insert(accounts):values({ name = "base", balance = 100 }):run()
    other = sqlite.drizzle(path)     -- a second connection to the same file
  end)

  after_each(function()
    other:close()
    db:close()
    os.remove(path)
    os.remove(path .. "-journal")
  end)

  it("commits when the function returns, and returns its value", function()
    local result = db:transaction(function(tx)
      tx:insert(accounts):values({ name = "a", balance = 1 }):run()
      tx:update(accounts):set({ balance = 90 }):where(d.eq(accounts.name, "base")):run()
      return "done"
    end)
    assert.equal("done", result)
    assert.same({ "base", "a" }, names(other))
    assert.same({ balance = 90 }, other:select({ balance = accounts.balance }):from(accounts)
      :where(d.eq(accounts.name, "base")):get())
  end)

  it("work inside an open transaction is not visible to the second connection until commit", function()
    local seenInside
    db:transaction(function(tx)
      tx:insert(accounts):values({ name = "a", balance = 1 }):run()
      assert.same({ "base", "a" }, names(tx))
      seenInside = names(other)
    end)
    assert.same({ "base" }, seenInside)
    assert.same({ "base", "a" }, names(other))
  end)

  it("an error inside rolls back and is re-raised", function()
    local ok, err = pcall(db.transaction, db, function(tx)
      tx:insert(accounts):values({ name = "a", balance = 1 }):run()
      error("boom", 0)
    end)
    assert.is_false(ok)
    assert.equal("boom", err)
    assert.same({ "base" }, names(other))
    assert.same({ "base" }, names(db))
  end)

  it("a database error inside rolls back and re-raises the QueryError", function()
    local ok, err = pcall(db.transaction, db, function(tx)
      tx:insert(accounts):values({ name = "a", balance = 1 }):run()
      tx:insert(accounts):values({ name = "base", balance = 1 }):run()    -- unique violation
    end)
    assert.is_false(ok)
    assert.equal(d.QueryError, getmetatable(err))
    assert.equal("SQLITE_CONSTRAINT_UNIQUE", err.code)
    assert.same({ "base" }, names(other))
    -- the connection is usable afterwards (no transaction left open)
    db:insert(accounts):values({ name = "after", balance = 2 }):run()
    assert.same({ "base", "after" }, names(other))
  end)

  it("tx:rollback() returns nil and writes nothing", function()
    local reached = false
    local result = db:transaction(function(tx)
      tx:insert(accounts):values({ name = "a", balance = 1 }):run()
      tx:delete(accounts):where(d.eq(accounts.name, "base")):run()
      tx:rollback()
      reached = true
    end)
    assert.is_nil(result)
    assert.is_false(reached)
    assert.same({ "base" }, names(other))
    assert.same({ "base" }, names(db))
  end)

  it("rollback() outside a transaction raises", function()
    local ok, err = pcall(db.rollback, db)
    assert.is_false(ok)
    assert.matches("rollback() outside a transaction", tostring(err), 1, true)
  end)

  it("a nested transaction uses a savepoint: inner rollback keeps the outer work", function()
    local inner
    db:transaction(function(tx)
      tx:insert(accounts):values({ name = "outer", balance = 1 }):run()
      inner = tx:transaction(function(tx2)
        tx2:insert(accounts):values({ name = "inner", balance = 2 }):run()
        assert.same({ "base", "outer", "inner" }, names(tx2))
        tx2:rollback()
      end)
      assert.same({ "base", "outer" }, names(tx))
      tx:insert(accounts):values({ name = "outer2", balance = 3 }):run()
    end)
    assert.is_nil(inner)
    assert.same({ "base", "outer", "outer2" }, names(other))
  end)

  it("a nested transaction commits into the outer one", function()
    db:transaction(function(tx)
      tx:insert(accounts):values({ name = "outer", balance = 1 }):run()
      local r = tx:transaction(function(tx2)
        tx2:insert(accounts):values({ name = "inner", balance = 2 }):run()
        return 42
      end)
      assert.equal(42, r)
      assert.same({ "base" }, names(other))
    end)
    assert.same({ "base", "outer", "inner" }, names(other))
  end)

  it("an inner error caught by pcall in the outer keeps the outer work", function()
    db:transaction(function(tx)
      tx:insert(accounts):values({ name = "outer", balance = 1 }):run()
      local ok, err = pcall(tx.transaction, tx, function(tx2)
        tx2:insert(accounts):values({ name = "inner", balance = 2 }):run()
        tx2:insert(accounts):values({ name = "outer", balance = 3 }):run()   -- unique violation
      end)
      assert.is_false(ok)
      assert.equal(d.QueryError, getmetatable(err))
      assert.same({ "base", "outer" }, names(tx))
    end)
    assert.same({ "base", "outer" }, names(other))
  end)

  it("an error in the outer after a committed savepoint rolls back everything", function()
    local ok = pcall(db.transaction, db, function(tx)
      tx:transaction(function(tx2) tx2:insert(accounts):values({ name = "inner", balance = 2 }):run() end)
      error("late failure")
    end)
    assert.is_false(ok)
    assert.same({ "base" }, names(other))
  end)

  it("outer tx:rollback() from inside a nested transaction discards all", function()
    local outerTx
    local r = db:transaction(function(tx)
      outerTx = tx
      tx:insert(accounts):values({ name = "outer", balance = 1 }):run()
      tx:transaction(function(tx2)
        tx2:insert(accounts):values({ name = "inner", balance = 2 }):run()
        outerTx:rollback()
      end)
      error("not reached")
    end)
    assert.is_nil(r)
    assert.same({ "base" }, names(other))
  end)

  it("behavior option: immediate / exclusive / invalid", function()
    db:transaction(function(tx) tx:insert(accounts):values({ name = "imm", balance = 1 }):run() end, { behavior = "immediate" })
    db:transaction(function(tx) tx:insert(accounts):values({ name = "exc", balance = 1 }):run() end, { behavior = "exclusive" })
    assert.same({ "base", "imm", "exc" }, names(other))
    local ok, err = pcall(db.transaction, db, function() end, { behavior = "sometimes" })
    assert.is_false(ok)
    assert.matches("transaction behavior must be deferred, immediate or exclusive, got 'sometimes'", tostring(err), 1, true)
  end)

  it("db:batch is one transaction: a failing query rolls back the earlier ones", function()
    local ok, err = pcall(db.batch, db, {
      db:insert(accounts):values({ name = "b1", balance = 1 }),
      db:insert(accounts):values({ name = "base", balance = 1 }),      -- unique violation
    })
    assert.is_false(ok)
    assert.equal("SQLITE_CONSTRAINT_UNIQUE", err.code)
    assert.same({ "base" }, names(other))
  end)

  it("a transaction function must be a function", function()
    local ok, err = pcall(db.transaction, db, "nope")
    assert.is_false(ok)
    assert.matches("bad argument #1 to 'transaction' (function expected, got string)", tostring(err), 1, true)
  end)
end)
