-- drizzle.errors: the error objects drizzle-c raises.
--
-- A database failure raises a QueryError (Drizzle's DrizzleQueryError), so
-- `pcall` hands back an object with the database's own code, the SQL and the
-- params, and `tostring` of it reads like Drizzle's message. Misuse raises a
-- plain string naming the method and argument at fault.
local setmetatable, tostring, type, concat = setmetatable, tostring, type, table.concat

local M = {}

local QueryError = { __name = "drizzle.QueryError" }
QueryError.__index = QueryError
M.QueryError = QueryError

local function showParam(v)
  if type(v) == "string" then return ("%q"):format(v) end
  if type(v) == "userdata" then return "null" end
  if type(v) == "table" and v.name then return ":" .. tostring(v.name) end
  return tostring(v)
end

function QueryError.__tostring(e)
  local ps = {}
  for i = 1, #(e.params or {}) do ps[i] = showParam(e.params[i]) end
  local code = e.code and (" [" .. tostring(e.code) .. "]") or ""
  return ("Failed query: %s\nparams: %s\n%s%s"):format(e.sql or "?", concat(ps, ", "), e.message or "?", code)
end

-- fields: message, code (sqlite code name / SQLSTATE / errno), sqlstate,
-- errno, detail, constraint, driver, sql, params
function M.newQueryError(fields)
  return setmetatable(fields, QueryError)
end

function M.isQueryError(v)
  return getmetatable(v) == QueryError
end

local DrizzleError = { __name = "drizzle.DrizzleError" }
DrizzleError.__index = DrizzleError
DrizzleError.__tostring = function(e) return e.message end
M.DrizzleError = DrizzleError

function M.drizzleError(message, level)
  error(setmetatable({ message = message }, DrizzleError), (level or 1) + 1)
end

-- A rollback requested with tx:rollback(): unwinds the transaction function.
local Rollback = { __name = "drizzle.TransactionRollbackError" }
Rollback.__index = Rollback
Rollback.__tostring = function() return "Rollback" end
M.Rollback = Rollback

return M
