-- Hostile strings: data for every dialect's hardening spec (sqlite now,
-- pg and mysql as they land). Returns a list of { s = <bytes>, tag = <why> }
-- entries, at least 200, each distinct:
--
--   local H = dofile("spec/hostile_strings.lua")
--   for _, h in ipairs(H) do ... h.s ... h.tag ... end
--
-- Tags say what a string attacks, so a dialect spec can pick: "nul" (a
-- NUL byte: impossible in most identifiers), "utf8bad" (invalid UTF-8:
-- PostgreSQL refuses it in text, JSON cannot carry it), "long" (100k
-- bytes), "empty". Every other entry should round-trip everywhere as a value
-- and as a name.
--
-- Pure data (Lua 5.1 compatible: byte escapes are decimal "\ddd").
local list, seen = {}, {}

local function add(s, tag)
  if not seen[s] then
    seen[s] = true
    list[#list + 1] = { s = s, tag = tag or "plain" }
  end
end

-- quote characters of every dialect, alone, doubled, escaped, unbalanced
local quotes = { '"', "'", "`", "[", "]", "\\" }
for _, q in ipairs(quotes) do
  add(q, "quote")
  add(q .. q, "quote")
  add("a" .. q .. "b", "quote")
  add(q .. "a", "quote")
  add("a" .. q, "quote")
  add(q .. q .. q, "quote")
  add("\\" .. q, "quote")
  add(q .. " or 1=1 --", "injection")
end
add([[it's]], "quote")
add([["users"]], "quote")
add([[`users`]], "quote")
add([["a"."b"]], "quote")
add([[a"".""b]], "quote")
add([[\']], "quote")
add([[\\']], "quote")
add([[\"]], "quote")
add([[\\]], "quote")
add([[\\\]], "quote")
add([[\n]], "quote")
add([[\0]], "quote")
add([[\x00]], "quote")
add([[\u0000]], "quote")
add([[''']], "quote")
add([[""""]], "quote")
add("'\"`", "quote")
add("`'\"", "quote")
add("E'\\''", "quote")
add("$$", "quote")
add("$tag$ x $tag$", "quote")
add("$$; drop table canary; $$", "injection")
add("N'x'", "quote")
add("X'00ff'", "quote")
add("B'01'", "quote")

-- placeholders and template marks
for _, p in ipairs({ "?", "??", "???", "?1", "$1", "$2", "$0", "$", "$1$", ":name", ":1", "@p1",
                     "@", "%s", "%d", "%%", "%", "%n%n%n", "{}", "{0}", "${x}", "?::int", "$1::text",
                     "? ?", "a ? b", "'?'", "\"?\"", "`?`", "-- ?", "/* ? */" }) do
  add(p, "placeholder")
end

-- comments and statement separators
for _, c in ipairs({ "--", "-- x", "--\n", "/*", "*/", "/* x */", "/*/", "#", "# x", ";", ";;",
                     "; --", "a;b", "/*!50000 x*/", "--'", "/*'*/'", "\n", "\r\n", "\r", "\t", " ",
                     "   ", "\f", "\v" }) do
  add(c, "comment")
end

-- statement injection attempts
for _, s in ipairs({
  "'; drop table canary; --",
  "\"; drop table canary; --",
  "`; drop table canary; --",
  "x'); drop table canary; --",
  "x\"); drop table canary; --",
  "1; delete from canary",
  "1 or 1=1",
  "' or '1'='1",
  "\" or \"1\"=\"1",
  "') or ('1'='1",
  "admin'--",
  "1' union select * from canary --",
  "\" union select * from canary --",
  "'||(select count(*) from canary)||'",
  "\"||(select 1)||\"",
  "x\" , \"y",
  "x`, `y",
  "a\") values (1); drop table canary; --",
  "'; attach database '/tmp/x' as x; --",
  "'; pragma writable_schema=1; --",
  "\"; pragma foreign_keys=off; --",
  "'; vacuum; --",
  "'; commit; drop table canary; --",
  "'; rollback; --",
  "1); insert into canary values (666); --",
  "'; select pg_sleep(10); --",
  "'; select sleep(10); --",
  "'; load_extension('x'); --",
  "\\'; drop table canary; --",
  "\\\"; drop table canary; --",
  "%27%3B%20drop%20table%20canary",
  "&#39;; drop table canary",
  "canary",
  "sqlite_master",
  "sqlite_sequence",
  "main",
  "temp",
  "rowid",
  "oid",
  "_rowid_",
  "select",
  "from",
  "where",
  "table",
  "order",
  "group",
  "null",
  "NULL",
  "true",
  "default",
  "returning",
  "user",
  "key",
  "index",
  "limit",
  "values",
}) do
  add(s, "injection")
end

-- NUL bytes
for _, s in ipairs({ "\0", "a\0b", "\0\0", "\0'", "'\0", "x\0; drop table canary", "\0\"", "abc\0" }) do
  add(s, "nul")
end

-- invalid UTF-8
for _, s in ipairs({
  "\255", "\254", "\192\128", "\192\175", "\224\128\128", "\237\160\128", "\237\191\191",
  "\244\144\128\128", "\248\136\128\128\128", "\128", "\191", "a\128b", "\194", "\226\130",
  "\240\159\152", "'\255'", "\"\255\"", "\195\40", "\160\161", "\226\40\161",
}) do
  add(s, "utf8bad")
end

-- Unicode: look-alikes of quotes and keywords, RTL, zero-width, emoji, combining
for _, s in ipairs({
  "\202\188",                 -- U+02BC modifier apostrophe
  "\226\128\152", "\226\128\153", "\226\128\156", "\226\128\157",   -- curly quotes
  "\239\188\130", "\239\188\135", "\239\189\128",                    -- fullwidth " ' `
  "\239\188\155",             -- fullwidth ;
  "\205\190",                 -- U+037E greek question mark (looks like ;)
  "\239\188\159",             -- fullwidth ?
  "\239\185\150",             -- small question mark
  "\226\128\139",             -- zero width space
  "a\226\128\139b",
  "\226\128\141",             -- zero width joiner
  "\239\187\191",             -- BOM
  "\239\187\191users",
  "\226\128\174abc",          -- RTL override
  "\226\128\174; drop table canary",
  "\209\131sers",             -- Cyrillic u + "sers"
  "\208\176dmin",             -- Cyrillic a
  "\206\159R 1=1",            -- Greek Omicron
  "\240\159\152\128",         -- emoji
  "\240\159\145\168\226\128\141\240\159\145\169\226\128\141\240\159\145\167",   -- family ZWJ sequence
  "e\204\129",                -- e + combining acute
  "\195\169",                 -- precomposed e acute
  "\239\188\141\239\188\141", -- fullwidth --
  "\226\129\132",             -- fraction slash
  "\226\136\151",             -- asterisk operator (looks like *)
  "\226\136\149",             -- division slash
  "\194\160",                 -- no-break space
  "\227\128\128",             -- ideographic space
  "\226\128\168",             -- line separator U+2028 (breaks JS)
  "\226\128\169",             -- paragraph separator U+2029
  "\244\143\191\191",         -- U+10FFFF
  "\239\191\189",             -- replacement char
  "\239\191\190",             -- U+FFFE noncharacter
  "\230\151\165\230\156\172\232\170\158",   -- Japanese
  "\217\133\216\177\216\173\216\168\216\167",   -- Arabic
  "\225\186\158",             -- capital sharp s
  "\196\177",                 -- dotless i (case-folding traps)
  "\196\176",                 -- dotted capital I
}) do
  add(s, "unicode")
end

-- JSON-breaking text
for _, s in ipairs({
  "{", "}", "[", "]", "{\"a\":", "\"", "\\u0000", "\\ud800", "\\", "\"}", "\"]",
  "{\"a\":1}", "[1,2]", "null", "true", "1e999", "-0", "NaN", "Infinity", "\b\f\n\r\t",
  "\1\2\3\31", "\127", "</script>", "\226\128\168\226\128\169", "{\"__proto__\":1}",
}) do
  add(s, "json")
end

-- control characters, one of each
for b = 1, 31 do add(string.char(b), "control") end
add("\127", "control")

-- long strings
add(string.rep("a", 100000), "long")
add(string.rep("'", 100000), "long")
add(string.rep("\"", 100001), "long")
add(string.rep("?", 100000), "long")
add(string.rep("\240\159\152\128", 25000), "long")
add(string.rep("x", 1024), "plain")
add(string.rep("y", 4096), "plain")

-- empty
add("", "empty")

-- ordinary ones, so a failure points at the hostile part and not the harness
add("plain", "plain")
add("with space", "plain")
add("MixedCase", "plain")
add("snake_case", "plain")
add("123", "plain")
add("1abc", "plain")
add("a.b", "plain")
add("a-b", "plain")
add("a+b", "plain")
add("a(b)", "plain")
add("a,b", "plain")
add("a=b", "plain")
add("a*b", "plain")
add("a|b", "plain")
add("a<b>", "plain")

return list
