-- drizzle.kit.cli: the `drizzle-kit` command line (bin/drizzle-kit).
--
--   drizzle-kit generate --dialect sqlite --schema ./schema.lua --out ./drizzle [--name init]
--   drizzle-kit generate                      (reads ./drizzle.config.lua)
--   drizzle-kit generate --config other.config.lua
--
-- drizzle.config.lua returns the table defineConfig({...}) takes in
-- TypeScript: { dialect, schema, out, casing, breakpoints, migrations = { prefix } }.
-- Flags given on the command line win over the file. Commands other than
-- generate are listed but not implemented yet.
local kit = require("drizzle.kit")

local M = {}

local DEFAULT_CONFIG = "drizzle.config.lua"

local function fileExists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

-- The config table: the file (given, or drizzle.config.lua when present),
-- then the flags on top.
function M.loadConfig(path, required)
  if not path then
    if not fileExists(DEFAULT_CONFIG) then
      if required then error("drizzle.kit: " .. DEFAULT_CONFIG .. " not found", 0) end
      return {}
    end
    path = DEFAULT_CONFIG
  end
  if not fileExists(path) then error("drizzle.kit: config file " .. path .. " not found", 0) end
  local ok, res = pcall(dofile, path)
  if not ok then error("drizzle.kit: cannot load " .. path .. ": " .. tostring(res), 0) end
  if type(res) == "function" then res = res() end
  if type(res) ~= "table" then
    error("drizzle.kit: " .. path .. " must return a table (defineConfig's argument), got " .. type(res), 0)
  end
  return res
end

local function parser()
  local argparse = require("argparse")
  local p = argparse("drizzle-kit", "Drizzle Kit for drizzle-c: migrations for Lua schemas.")
  p:command_target("command")
  local g = p:command("generate", "Generate a migration from the schema's changes.")
  g:option("--config", "Path to the config file (default: ./drizzle.config.lua).")
  g:option("--dialect", "Database dialect."):choices({ "sqlite", "postgresql", "mysql", "turso", "singlestore", "gel" })
  g:option("--schema", "Path to a schema file or folder (repeatable).", nil, nil, "*"):count("*")
  g:option("--out", "Migrations folder (default: ./drizzle).")
  g:option("--name", "Migration name.")
  g:option("--prefix", "Migration prefix."):choices({ "index", "timestamp", "supabase", "unix", "none" })
  g:option("--casing", "Casing of keys used as column names."):choices({ "camelCase", "snake_case" })
  g:option("--breakpoints", "Write statement breakpoints (true/false)."):choices({ "true", "false" })
  g:flag("--custom", "Prepare an empty migration file for custom SQL.")
  for _, name in ipairs({ "migrate", "push", "pull", "introspect", "check", "up", "drop", "studio", "export" }) do
    local c = p:command(name, "(not implemented yet)")
    c:option("--config", "Path to the config file.")
    c:handle_options(false)
    c:argument("rest"):args("*")
  end
  return p
end

-- Runs the CLI with an argument list; returns the exit status.
function M.run(args)
  local p = parser()
  local ok, parsed = p:pparse(args)
  if not ok then
    io.stderr:write(p:get_usage(), "\n\nError: ", tostring(parsed), "\n")
    return 1
  end
  local command = parsed.command
  local function run()
    if command ~= "generate" then
      error("drizzle.kit: `" .. command .. "` is not implemented yet (only `generate` is)", 0)
    end
    local viaFlags = parsed.dialect or (parsed.schema and #parsed.schema > 0)
    local config = M.loadConfig(parsed.config, false)
    if parsed.dialect then config.dialect = parsed.dialect end
    if parsed.schema and #parsed.schema > 0 then
      local list = {}
      for _, group in ipairs(parsed.schema) do
        if type(group) == "table" then for _, s in ipairs(group) do list[#list + 1] = s end
        else list[#list + 1] = group end
      end
      config.schema = #list == 1 and list[1] or list
    end
    if parsed.out then config.out = parsed.out end
    if parsed.name then config.name = parsed.name end
    if parsed.casing then config.casing = parsed.casing end
    if parsed.prefix then config.prefix = parsed.prefix end
    if parsed.breakpoints then config.breakpoints = parsed.breakpoints == "true" end
    if parsed.custom then config.custom = true end
    if not viaFlags and config.dialect == nil and not parsed.config then
      error("drizzle.kit: no " .. DEFAULT_CONFIG .. " here; pass --config or --dialect and --schema", 0)
    end
    config.verbose = true
    return kit.generate(config)
  end
  local rok, err = pcall(run)
  if not rok then
    io.stderr:write(tostring(err), "\n")
    return 1
  end
  return 0
end

return M
