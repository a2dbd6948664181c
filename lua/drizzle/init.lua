-- drizzle: the dialect-independent API (`drizzle-orm` of TypeScript).
--
--   local d = require("drizzle")
--   d.eq(users.id, 1)   d.and_(a, nil, b)   d.sql("length(?) < ?", col, 10)
--
-- Names keep Drizzle's spelling; Lua's reserved words take a trailing
-- underscore (and_, or_, not_). See LUA_API.md for the translation rules.
local ast = require("drizzle.ast")
local ops = require("drizzle.operators")
local schema = require("drizzle.schema")
local errors = require("drizzle.errors")

local d = {}

d.NULL = ast.NULL
d.sql = ast.sql
for k, v in pairs(ops) do d[k] = v end

d.getTableColumns = schema.getTableColumns
d.getTableName = schema.getTableName
d.getTableUniqueName = schema.getTableUniqueName
d.isTable = schema.isTable

d.QueryError = errors.QueryError
d.DrizzleError = errors.DrizzleError

-- relations(table, function(r) return { posts = r.many(posts) } end)
function d.relations(table, fn)
  return require("drizzle.relations").relations(table, fn)
end

-- drizzle.debug: what the AST of an expression holds, for people and specs.
d.debug = {
  kind = ast.kindOf,
  K = ast.K,
}

d._VERSION = "drizzle-c scm"
return d
