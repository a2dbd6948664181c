/*
** bind_template.c: core.parseTemplate(text) -> { part1, ..., partK+1 },
** the literal parts of an sql template around its "?" marks, split by the
** core's dz_template_split (ast.lua caches the result per text).
**
** Longjmp rule: the split buffer belongs to a userdata with a __gc from
** before the first core allocation, so a Lua error while pushing a part
** (out of memory) leaks nothing.
*/
#include "binding.h"

#define TPLBUF_MT "drizzle.TemplateBuf"

typedef struct TplCtx { lua_State *L; int iOut; int n; } TplCtx;

static int tplbufGc(lua_State *L) {
  dz_buf *b = (dz_buf *)luaL_checkudata(L, 1, TPLBUF_MT);
  dz_buf_free(b);
  return 0;
}

/* [-0,+0,m] */
static int addPart(void *pCtx, const char *z, size_t n) {
  TplCtx *c = (TplCtx *)pCtx;
  lua_pushlstring(c->L, z, n);
  lua_rawseti(c->L, c->iOut, ++c->n);
  return 0;
}

/* parseTemplate(text) -> parts [-0,+1,e] */
static int l_parseTemplate(lua_State *L) {
  size_t n;
  const char *z = luaL_checklstring(L, 1, &n);
  dz_buf *b;
  TplCtx c;
  int rc;
  lua_settop(L, 1);
  lua_newtable(L);
  b = (dz_buf *)lua_newuserdata(L, sizeof(dz_buf));
  dz_buf_init(b);
  luaL_getmetatable(L, TPLBUF_MT);
  lua_setmetatable(L, -2);
  c.L = L; c.iOut = 2; c.n = 0;
  rc = dz_template_split(z, n, b, addPart, &c);
  dz_buf_free(b);
  if (rc) return luaL_error(L, "drizzle: out of memory while parsing an sql template");
  lua_settop(L, 2);
  return 1;
}

static const luaL_Reg aTplFns[] = {
  { "parseTemplate", l_parseTemplate },
  { NULL, NULL }
};

void dzl_register_template(lua_State *L) {
  if (luaL_newmetatable(L, TPLBUF_MT)) {
    lua_pushcfunction(L, tplbufGc);
    lua_setfield(L, -2, "__gc");
  }
  lua_pop(L, 1);
  dzl_setfuncs(L, aTplFns);
}
