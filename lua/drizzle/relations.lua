-- drizzle.relations: relations() and db.query.<table>:findMany/findFirst.
-- (Placeholder until the relational query builder lands.)
local M = {}
local Relations = { __name = "drizzle.Relations" }
function M.relations(table, fn)
  return setmetatable({ table = table, config = fn }, Relations)
end
function M.isRelations(v) return getmetatable(v) == Relations end
function M.queryBuilder(db, schema)
  return setmetatable({}, { __index = function(_, k)
    error("drizzle: relational queries (db.query." .. tostring(k) .. ") are not implemented yet", 2)
  end })
end
return M
