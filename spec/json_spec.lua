-- JSON codec (lua/drizzle/json.c): output must equal JavaScript's
-- JSON.stringify byte for byte (object keys sorted), integers stay exact.
--
-- The codec is reached as require("drizzle.core").json.  Until the binding
-- exposes it, a hand-built test module "dzjson" (luaopen_dzjson -> dzj_open)
-- is used if it is on LUA_CPATH; otherwise every test here is pending.

local function load_codec()
  local ok, core = pcall(require, "drizzle.core")
  if ok and type(core) == "table" and type(core.json) == "table" then return core.json end
  local ok2, j = pcall(require, "dzjson")
  if ok2 and type(j) == "table" then return j end
  return nil
end

local json = load_codec()
local HAS_INT = math.type ~= nil                 -- Lua 5.3+; false on 5.1 / LuaJIT
local NULL = json and json.null

-- pcall f(...) and return its error message; fails the test if f succeeded.
local function err_of(f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok, "expected an error")
  return err
end

local function deep_equal(a, b)
  if type(a) ~= type(b) then return false end
  if type(a) ~= "table" then
    if HAS_INT and type(a) == "number" and math.type(a) ~= math.type(b) then return false end
    return a == b
  end
  for k, v in pairs(a) do if not deep_equal(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

if not json then
  describe("json codec", function()
    pending("drizzle.core has no json field yet (and no dzjson test module on LUA_CPATH)")
  end)
  return
end

local encode, decode = json.encode, json.decode

describe("json.encode", function()
  it("writes scalars like JSON.stringify", function()
    assert.are.equal("true", encode(true))
    assert.are.equal("false", encode(false))
    assert.are.equal("null", encode(NULL))
    assert.are.equal('"abc"', encode("abc"))
    assert.are.equal('""', encode(""))
  end)

  it("writes arrays and empty tables as arrays", function()
    assert.are.equal("[]", encode({}))
    assert.are.equal("[1,2,3]", encode({ 1, 2, 3 }))
    assert.are.equal('[1,null,"x",[]]', encode({ 1, NULL, "x", {} }))
    assert.are.equal("[[[]]]", encode({ { {} } }))
  end)

  it("writes objects with keys sorted bytewise", function()
    assert.are.equal('{"a":[],"b":1}', encode({ b = 1, a = {} }))
    assert.are.equal('{"":0,"a":1,"ab":2,"b":3,"é":4}',
      encode({ ["é"] = 4, b = 3, ab = 2, a = 1, [""] = 0 }))
    assert.are.equal('{"B":1,"a":2}', encode({ a = 2, B = 1 }))         -- uppercase first
    assert.are.equal('{"x":{"m":null,"n":[true,false]}}',
      encode({ x = { n = { true, false }, m = NULL } }))
    assert.are.equal('{"10":1,"9":2}', encode({ ["9"] = 2, ["10"] = 1 })) -- strings, not numbers
  end)

  it("is deterministic however the table was built", function()
    local a, b = {}, {}
    for i = 1, 200 do a["k" .. i] = i end
    for i = 200, 1, -1 do b["k" .. i] = i end
    assert.are.equal(encode(a), encode(b))
  end)

  it("ignores metatables", function()
    local t = setmetatable({ a = 1 }, { __index = function() return 9 end, __pairs = error })
    assert.are.equal('{"a":1}', encode(t))
  end)

  it("rejects mixed, sparse and non-string keys", function()
    local msg = "cannot encode table with mixed or non-string keys as JSON"
    assert.are.equal(msg, err_of(encode, { 1, 2, x = 3 }))
    assert.are.equal(msg, err_of(encode, { [1] = 1, [3] = 3 }))      -- hole
    assert.are.equal(msg, err_of(encode, { [0] = 1 }))
    assert.are.equal(msg, err_of(encode, { [2] = 1 }))
    assert.are.equal(msg, err_of(encode, { [-1] = 1 }))
    assert.are.equal(msg, err_of(encode, { [1.5] = 1 }))
    assert.are.equal(msg, err_of(encode, { [true] = 1 }))
    assert.are.equal(msg, err_of(encode, { [{}] = 1 }))
    assert.are.equal(msg, err_of(encode, { a = { [true] = 1 } }))   -- nested
  end)

  it("rejects values JSON cannot hold", function()
    assert.are.equal("cannot encode nil as JSON", err_of(encode, nil))
    assert.are.equal("cannot encode function as JSON", err_of(encode, print))
    assert.are.equal("cannot encode function as JSON", err_of(encode, { f = print }))
    assert.are.equal("cannot encode userdata as JSON", err_of(encode, io.stdout))
    assert.are.equal("cannot encode thread as JSON", err_of(encode, coroutine.create(function() end)))
  end)

  describe("numbers", function()
    local cases = {                -- value, JSON.stringify(value) from node
      { 0.1, "0.1" }, { 0.1 + 0.2, "0.30000000000000004" },
      { 1e21, "1e+21" }, { 1e20, "100000000000000000000" },
      { 1.5e-7, "1.5e-7" }, { 1e-7, "1e-7" }, { 1e-6, "0.000001" },
      { 1.25e-6, "0.00000125" },
      { 123456789.125, "123456789.125" }, { -1.5, "-1.5" },
      { 3.0, "3" }, { -0.0, "0" }, { 0.0, "0" }, { 100.0, "100" },
      { 2 ^ 53, "9007199254740992" }, { 2 ^ 60, "1152921504606847000" },
      { 2 ^ 64, "18446744073709552000" }, { 2 ^ 70, "1.1805916207174113e+21" },
      { 123e-20, "1.23e-18" }, { 5e-324, "5e-324" }, { 2.5e-323, "2.5e-323" },
      { 1.7976931348623157e308, "1.7976931348623157e+308" },
      { 2.2250738585072014e-308, "2.2250738585072014e-308" },
      { 1 / 3, "0.3333333333333333" }, { 2 / 3, "0.6666666666666666" },
      { 5e-7, "5e-7" }, { 123456.789e3, "123456789" },
    }
    for _, c in ipairs(cases) do
      it(("writes %.17g as %s"):format(c[1], c[2]), function()
        assert.are.equal(c[2], encode(c[1]))
      end)
    end

    it("writes Lua integers exactly", function()
      if not HAS_INT then return end
      assert.are.equal("1", encode(1))
      assert.are.equal("-42", encode(-42))
      assert.are.equal("9007199254740993", encode(9007199254740993))
      assert.are.equal("9223372036854775807", encode(math.maxinteger))
      assert.are.equal("-9223372036854775808", encode(math.mininteger))
    end)

    it("rejects NaN and infinity", function()
      local msg = "cannot encode NaN or infinity as JSON"
      assert.are.equal(msg, err_of(encode, 0 / 0))
      assert.are.equal(msg, err_of(encode, math.huge))
      assert.are.equal(msg, err_of(encode, { -math.huge }))
    end)
  end)

  describe("strings", function()
    it("escapes like JSON.stringify", function()
      assert.are.equal([["a\"b\\c/d"]], encode('a"b\\c/d'))
      assert.are.equal([["\b\f\n\r\t"]], encode("\b\f\n\r\t"))
      assert.are.equal([["\u0000\u0001\u001f\u000b"]], encode("\0\1\31\11"))
      assert.are.equal('"\127"', encode("\127"))                       -- DEL raw
      assert.are.equal('"é€😀\226\128\168"', encode("é€😀\226\128\168"))   -- U+2028 raw
    end)

    it("escapes object keys too", function()
      assert.are.equal([[{"a\nb":1}]], encode({ ["a\nb"] = 1 }))
    end)

    it("rejects invalid UTF-8", function()
      local msg = "invalid UTF-8 in JSON string"
      for _, s in ipairs({
        "\255", "a\128", "\192\128", "\193\191",   -- bad lead, stray continuation, overlong
        "\224\128\128", "\240\128\128\128",         -- overlong 3 and 4 bytes
        "\237\160\128",                             -- U+D800 (surrogate)
        "\244\144\128\128",                         -- U+110000
        "\226\130", "\240\159\152",                 -- truncated
      }) do
        assert.are.equal(msg, err_of(encode, s))
      end
      assert.are.equal(msg, err_of(encode, { ["\255"] = 1 }))
      assert.are.equal(msg, err_of(encode, { "ok", "\255" }))
    end)

    it("accepts the UTF-8 boundary code points", function()
      for _, s in ipairs({ "\194\128", "\223\191", "\224\160\128", "\237\159\191",
                           "\238\128\128", "\239\191\191", "\240\144\128\128", "\244\143\191\191" }) do
        assert.are.equal('"' .. s .. '"', encode(s))
      end
    end)
  end)

  describe("depth", function()
    local function nest(n)
      local t = {}
      for _ = 2, n do t = { t } end
      return t
    end

    it("accepts 1000 levels", function()
      assert.are.equal(("["):rep(1000) .. ("]"):rep(1000), encode(nest(1000)))
    end)

    it("rejects 1001 levels and cycles without crashing", function()
      local msg = "cannot encode JSON nested deeper than 1000 levels (cyclic table?)"
      assert.are.equal(msg, err_of(encode, nest(1001)))
      local cyc = {}
      cyc[1] = cyc
      assert.are.equal(msg, err_of(encode, cyc))
      local obj = {}
      obj.self = obj
      assert.are.equal(msg, err_of(encode, obj))
    end)
  end)

  it("grows its buffer for large output", function()
    local t = {}
    for i = 1, 20000 do t[i] = ("item %d \"q\""):format(i) end
    local s = encode(t)
    assert.is_true(#s > 300000)
    assert.is_true(deep_equal(t, decode(s)))
  end)
end)

describe("json.decode", function()
  it("reads scalars", function()
    assert.are.equal(true, decode("true"))
    assert.are.equal(false, decode(" false "))
    assert.are.equal(NULL, decode("null"))
    assert.are.equal("userdata", type(decode("null")))             -- the NULL light userdata
    assert.are.equal("hi", decode('"hi"'))
    assert.are.equal(-0.25, decode("\t\r\n -0.25 "))
    assert.are.equal(1500, decode("1.5e3"))
    assert.are.equal(0.015, decode("1.5E-2"))
    assert.are.equal(12, decode("1.2e+1"))
  end)

  it("keeps nulls inside arrays and objects", function()
    local a = decode("[1,null,3]")
    assert.are.equal(3, #a)
    assert.are.equal(NULL, a[2])
    assert.are.equal(3, a[3])
    local o = decode('{"a":null,"b":[null]}')
    assert.are.equal(NULL, o.a)
    assert.are.equal(1, #o.b)
  end)

  it("reads objects and arrays", function()
    local v = decode(' { "a" : [ 1 , { "b" : "c" } ] , "d" : { } , "e" : [ ] } ')
    assert.is_true(deep_equal({ a = { 1, { b = "c" } }, d = {}, e = {} }, v))
    assert.are.equal(2, decode('{"k":1,"k":2}').k)               -- last one wins
  end)

  describe("integers", function()
    it("are exact", function()
      local v = decode("9007199254740993")
      if HAS_INT then
        assert.are.equal("integer", math.type(v))
        assert.are.equal(9007199254740993, v)
        assert.are.equal("integer", math.type(decode("1")))
        assert.are.equal("float", math.type(decode("1.0")))
        assert.are.equal("float", math.type(decode("1e2")))
        assert.are.equal(math.mininteger, decode("-9223372036854775808"))
        assert.are.equal(math.maxinteger, decode("9223372036854775807"))
      else
        assert.are.equal("9007199254740993", v)
        assert.are.equal("-9007199254740993", decode("-9007199254740993"))
        assert.are.equal("-9223372036854775808", decode("-9223372036854775808"))
        assert.are.equal(9007199254740992, decode("9007199254740992"))
        assert.are.equal(-9007199254740992, decode("-9007199254740992"))
        assert.are.equal("number", type(decode("42")))
      end
    end)

    it("outside int64: float on 5.3+, the literal's string on 5.1", function()
      local v = decode("9223372036854775808")
      local w = decode("-123456789012345678901234567890")
      if HAS_INT then
        assert.are.equal("float", math.type(v))
        assert.are.equal(2 ^ 63, v)
        assert.are.equal(-1.2345678901234568e29, w)
      else
        assert.are.equal("9223372036854775808", v)
        assert.are.equal("-123456789012345678901234567890", w)
      end
    end)
  end)

  it("reads long and extreme number literals", function()
    assert.are.equal(1, decode("1." .. ("0"):rep(500)))
    assert.are.equal(0.1, decode("0." .. ("0"):rep(300) .. "1e300"))
    assert.are.equal(math.huge, decode("1e400"))
    assert.are.equal(0, decode("1e-400"))
    assert.are.equal(math.huge, decode("1e99999999999999999999"))
  end)

  it("reads escapes and surrogate pairs", function()
    assert.are.equal('"\\/\b\f\n\r\t', decode([["\"\\\/\b\f\n\r\t"]]))
    assert.are.equal("é€😀\0", decode([["\u00e9\u20AC\ud83d\ude00\u0000"]]))
    assert.are.equal("aé😀b", decode('"aé😀b"'))
  end)

  describe("errors", function()
    local cases = {
      { "", "invalid JSON at position 0: unexpected end of input" },
      { "   ", "invalid JSON at position 3: unexpected end of input" },
      { "[1,]", "invalid JSON at position 3: unexpected ']'" },
      { "[1 2]", "invalid JSON at position 3: unexpected '2', expected ',' or ']'" },
      { "[1", "invalid JSON at position 2: unexpected end of input" },
      { '{"a" 1}', "invalid JSON at position 5: unexpected '1', expected ':'" },
      { '{"a":1,}', "invalid JSON at position 7: unexpected '}', expected a string key" },
      { "{a:1}", "invalid JSON at position 1: unexpected 'a', expected a string key" },
      { '{"a":1 "b":2}', "invalid JSON at position 7: unexpected '\"', expected ',' or '}'" },
      { "[1] x", "invalid JSON at position 4: unexpected 'x', expected end of input" },
      { "01", "invalid JSON at position 0: leading zeros are not allowed" },
      { "-", "invalid JSON at position 1: unexpected end of input" },
      { "-a", "invalid JSON at position 1: unexpected 'a', expected a digit" },
      { "1.", "invalid JSON at position 2: unexpected end of input" },
      { "1.e5", "invalid JSON at position 2: unexpected 'e', expected a digit after '.'" },
      { "1e", "invalid JSON at position 2: unexpected end of input" },
      { "+1", "invalid JSON at position 0: unexpected '+'" },
      { ".5", "invalid JSON at position 0: unexpected '.'" },
      { "tru", "invalid JSON at position 0: unexpected 't'" },
      { "nul", "invalid JSON at position 0: unexpected 'n'" },
      { "NaN", "invalid JSON at position 0: unexpected 'N'" },
      { '"abc', "invalid JSON at position 0: unterminated string" },
      { '"a\nb"', "invalid JSON at position 2: control character in string (escape it)" },
      { '"\\x"', "invalid JSON at position 1: invalid escape" },
      { '"\\u12"', "invalid JSON at position 1: invalid \\u escape" },
      { '"\\u12g4"', "invalid JSON at position 1: invalid \\u escape" },
      { '"\\ud800"', "invalid JSON at position 1: lone surrogate in \\u escape" },
      { '"\\ud800\\u0041"', "invalid JSON at position 1: lone surrogate in \\u escape" },
      { '"\\udc00"', "invalid JSON at position 1: lone surrogate in \\u escape" },
      { '"a\255"', "invalid JSON at position 2: invalid UTF-8 in string" },
      { '"\237\160\128"', "invalid JSON at position 1: invalid UTF-8 in string" },
      { "\255", "invalid JSON at position 0: unexpected byte 0xff" },
    }
    for _, c in ipairs(cases) do
      it(("rejects %q"):format(c[1]), function()
        assert.are.equal(c[2], err_of(decode, c[1]))
      end)
    end

    it("rejects non-string arguments", function()
      assert.has_error(function() decode({}) end)
    end)
  end)

  describe("depth", function()
    it("accepts 1000 levels", function()
      local v = decode(("["):rep(1000) .. ("]"):rep(1000))
      for _ = 1, 999 do v = v[1] end
      assert.is_true(deep_equal({}, v))
      assert.is_table(decode(('{"a":'):rep(999) .. "{}" .. ("}"):rep(999)))
    end)

    it("rejects deeper input without crashing", function()
      assert.are.equal("invalid JSON at position 1000: nested deeper than 1000 levels",
        err_of(decode, ("["):rep(1001) .. ("]"):rep(1001)))
      assert.is_truthy(err_of(decode, ("["):rep(200000)):find("nested deeper than 1000", 1, true))
      assert.is_truthy(err_of(decode, ('{"a":'):rep(200000)):find("nested deeper than 1000", 1, true))
    end)
  end)
end)

describe("json round trips", function()
  it("decode(encode(v)) == v", function()
    local values = {
      { 1, 2, 3 }, {}, { a = { b = { c = { NULL, true, false } } } },
      "é😀\0\1\"\\", { ["key with \"quotes\""] = { 0.5, -2.25e-10, 1e300 } },
      0.1, 123456789.125, -0.5,
    }
    if HAS_INT then
      values[#values + 1] = { math.maxinteger, math.mininteger, 0, -1 }
    else
      values[#values + 1] = { 9007199254740992, -9007199254740992, 0, -1 }
    end
    for _, v in ipairs(values) do
      assert.is_true(deep_equal(v, decode(encode(v))), encode(v))
    end
  end)

  it("encode(decode(s)) == s for canonical JSON", function()
    for _, s in ipairs({
      '{"a":[1,2,{"b":null}],"c":"d\\n","e":true}', "[]", "[[],[1]]",
      '[0.1,1e+21,1.5e-7,-0.000001,100]', '"\\u0000\\u001f"', '{"":""}',
    }) do
      assert.are.equal(s, encode(decode(s)))
    end
    local big = "[9007199254740993,-9223372036854775808]"
    if HAS_INT then
      assert.are.equal(big, encode(decode(big)))
    else                                   -- kept exact, as strings
      assert.are.equal('["9007199254740993","-9223372036854775808"]', encode(decode(big)))
    end
  end)

  it("turns an empty object into [] (an empty Lua table is an array)", function()
    assert.are.equal("[[],[]]", encode(decode("[{},[]]")))
  end)

  it("does not depend on the C locale's decimal point", function()
    local old = os.setlocale(nil, "numeric")
    local changed = os.setlocale("de_DE.UTF-8", "numeric") or os.setlocale("fr_FR.UTF-8", "numeric")
    local ok, err = pcall(function()
      assert.are.equal("1.5", encode(1.5))
      assert.are.equal(1.5, decode("1.5"))
      assert.are.equal(0.125, decode("12.5e-2"))
    end)
    os.setlocale(old, "numeric")
    assert(ok, err)
    if not changed then pending("no comma-decimal locale installed; ran in " .. tostring(old)) end
  end)
end)
