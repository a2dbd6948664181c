-- busted output handler: the usual plainTerminal output, plus a line
-- "<passed> <failed> <skipped>" written to the file named by $DZ_BUSTED_COUNTS
-- when the suite ends (errors count as failures, pendings as skipped).
-- `make spec` / `make test` use it:  busted -o scripts/busted_counts.lua spec
return function(options)
  local busted = require("busted")
  local inner = os.getenv("DZ_BUSTED_OUTPUT") or "plainTerminal"
  local handler = require("busted.outputHandlers." .. inner)(options)
  local path = os.getenv("DZ_BUSTED_COUNTS")
  busted.subscribe({ "suite", "end" }, function()
    if path and path ~= "" then
      local f = assert(io.open(path, "w"))
      f:write(string.format("%d %d %d\n", handler.successesCount,
        handler.failuresCount + handler.errorsCount, handler.pendingsCount))
      f:close()
    end
    return nil, true
  end)
  return handler
end
