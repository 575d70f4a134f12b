-- The `dossier` command line: a table of commands, each one entry with its name,
-- description, options (its argparse declarations) and the function it runs, so a new
-- subcommand is one more entry. main() maps errors to a message on stderr and a
-- non-zero exit status.
local argparse = require "argparse"
local dossier = require "dossier"

local M = {}

-- what the commands share
function M.eprintf(fmt, ...) io.stderr:write(string.format(fmt, ...)) end
local eprintf = M.eprintf

function M.open_existing(path, readonly)
  return dossier.open(path, {create = false, readonly = readonly})
end

------------------------------------------------------------------------------------
-- the commands, in the order of `dossier --help`: name, description, options(c) to
-- declare the argparse command c's arguments, run(a) with the parsed arguments (a
-- number it returns is the exit status). A `raw` command gets the whole argument list
-- unparsed (run: the script's arguments are its own). A `quick_exit` command leaves
-- nothing a finalizer must see to (its corpus is closed by its own <close>, on errors
-- too): its process ends without closing the Lua state, which frees every object one by
-- one and unloads the modules (0.15 ms of a 3.7 ms `dossier query --count`).
-- The built-in commands are in dossier/cli/commands.lua, but `query`, in
-- dossier/cli/query.lua; the analysis recipes (lua/dossier/recipes/) each have their
-- own entry, listed before `repl`. A file is compiled only when one of its commands is
-- wanted (a process that queries compiles none of the others).
local commands = {"index", "info", "query", "tag", "clean", "report", "extract", "search", "optimize",
                  "remove", "check", "repl", "run"}
local module_of = {query = "dossier.cli.query"}
for _, name in ipairs(commands) do module_of[name] = module_of[name] or "dossier.cli.commands" end
for _, name in ipairs(dossier.recipe_names) do
  module_of[name] = "dossier.recipes." .. name
  table.insert(commands, #commands - 1, name)
end

-- name -> command entry, its module loaded at the first lookup
local by_name = setmetatable({}, {__index = function(t, name)
  local mod = module_of[name]
  if not mod then return nil end
  local found = require(mod)
  if mod == "dossier.cli.commands" then        -- a list of entries
    for _, cmd in ipairs(found) do rawset(t, cmd.name, cmd) end
  else
    rawset(t, name, mod == "dossier.cli.query" and found or found.command)
  end
  return rawget(t, name)
end})

-- Every command entry, in the order `dossier --help` lists them (loads every module).
local function all_commands()
  local out = {}
  for i, name in ipairs(commands) do out[i] = by_name[name] end
  return out
end
M.commands_by_name = by_name
setmetatable(M, {__index = function(_, k) if k == "commands" then return all_commands() end end})

------------------------------------------------------------------------------------
-- argument parsing

-- The parser of every command, or of `only` alone (a command entry): a command's usage,
-- help and errors are its own, so the parser of one command gives the same as the whole
-- one, without loading the recipes' modules.
local function build_parser(only)
  local p = argparse("dossier", "A corpus toolkit: index documents, ask questions of them.")
    :epilog("Run 'dossier COMMAND --help' for a command's options.\n" ..
            "'dossier run SCRIPT.lua [ARGS...]' runs a Lua script with dossier on its path.")
  p:command_target("command")
  p:flag("--version", "Print the version and exit."):action(function()
    print("dossier " .. dossier.version); os.exit(0)
  end)
  for _, cmd in ipairs(only and {only} or all_commands()) do
    local c = p:command(cmd.name, cmd.description)
    if cmd.options then cmd.options(c) end
  end
  return p
end

-- (an entry loaded already: its module may be what failed)
local function quick_exit(name)
  local cmd = name and rawget(by_name, name)
  return cmd and cmd.quick_exit or false
end

-- Runs the command line argv: returns the exit status, and true when the process may
-- end without closing the Lua state (a `quick_exit` command).
function M.main(argv)
  argv = argv or {}
  dossier.core.ignore_file_size_signal()    -- past `ulimit -f`: an error message, not a silent kill
  -- Ctrl-C stops the running Lua code and the C loops (a query, an add) alike, with the
  -- error "interrupted" (exit status 130); a second Ctrl-C ends the process at once
  dossier.core.catch_interrupts(true, "once")
  local ok, res = xpcall(function()
    local cmd, status = by_name[argv[1]], nil
    if cmd and cmd.raw then
      status = cmd.run(argv)
    else
      local args = build_parser(cmd):parse({table.unpack(argv, 1, #argv)})
      status = by_name[args.command].run(args) or 0
    end
    dossier.core.catch_interrupts(false, "ignore")   -- (see below)
    return status
  end, function(e)
    if type(e) == "string" and os.getenv("DOSSIER_DEBUG") then return debug.traceback(e, 2) end
    return e
  end)
  -- the work is done: a Ctrl-C from here on, as the process closes and unloads the
  -- module whose handler would answer it, changes nothing
  dossier.core.catch_interrupts(false, "ignore")
  if not ok then
    res = tostring(res)
    -- a message for the user, not a place in dossier's Lua (DOSSIER_DEBUG=1 keeps it)
    if not os.getenv("DOSSIER_DEBUG") then res = res:gsub("^[^\n]-dossier/[%w_/]+%.lua:%d+: ", "") end
    if res:match("interrupted!?$") then
      -- (a command that writes says what became of its work; here it had stored nothing)
      local cmd = by_name[argv[1]]
      eprintf("dossier: %s\n", cmd and cmd.interrupted and cmd:interrupted() or "interrupted")
      return 130, quick_exit(argv[1])
    end
    eprintf("dossier: %s\n", res)
    return 1, quick_exit(argv[1])
  end
  return type(res) == "number" and res or 0, quick_exit(argv[1])
end

return M

