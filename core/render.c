/*
** render.c: the dialect-independent walk from AST to SQL text and params.
**
** This is Drizzle's two layers in one file: the chunk flattener of sql.ts
** (buildQueryFromSourceParams) and the statement builders of dialect.ts
** (buildSelectQuery, buildInsertQuery, ...). What differs between dialects
** is asked of the dz_dialect: quoting, placeholders, feature bits, and the
** conflict clause. The spelling of every clause follows Drizzle to the byte,
** because the conformance corpus compares our output with real Drizzle's.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "dz_int.h"

/* Chunk flags: how the chunks of one list render. */
#define RF_BARE_COLUMNS 0x1u   /* columns as "name" only (single-table selection) */
#define RF_INLINE       0x2u   /* params inlined as literals (sql.inlineParams) */
#define RF_NAME_ONLY    0x4u   /* columns by their declared name, ignoring casing (pg setop order by) */

static void renderChunkF(dz_render *r, const dz_chunk *c, unsigned f);
static void renderSelect(dz_render *r, const dz_select *s);
static void renderInsert(dz_render *r, const dz_insert *s);
static void renderUpdate(dz_render *r, const dz_update *s);
static void renderDelete(dz_render *r, const dz_delete *s);

/* ------------------------------------------------------------- lifecycle */

void dz_render_init(dz_render *r, const dz_dialect *d, dz_casing casing) {
  memset(r, 0, sizeof *r);
  r->pDialect = d;
  r->eCasing = casing;
  dz_buf_init(&r->sql);
}

void dz_render_reset(dz_render *r) {
  r->mFlags = 0;
  dz_buf_reset(&r->sql);
  r->nParam = 0;
  r->rc = DZ_OK;
  r->zErr[0] = 0;
}

void dz_render_free(dz_render *r) {
  dz_buf_free(&r->sql);
  dz_free(r->aParam, sizeof(dz_param) * (size_t)r->nParamAlloc);
  r->aParam = NULL;
  r->nParam = r->nParamAlloc = 0;
}

/* Record the first error; later ones would only describe its fallout. */
void dz_render_error(dz_render *r, int rc, const char *zFmt, ...) {
  va_list ap;
  if (r->rc) return;
  r->rc = rc;
  va_start(ap, zFmt);
  vsnprintf(r->zErr, sizeof r->zErr, zFmt, ap);
  va_end(ap);
}

static int finish(dz_render *r) {
  if (!r->rc && r->sql.err) dz_render_error(r, DZ_NOMEM, "out of memory while rendering SQL");
  return r->rc;
}

/* ----------------------------------------------------------------- names */

const char *dz_dialect_name(const dz_dialect *d) { return d->zName; }
unsigned dz_dialect_features(const dz_dialect *d) { return d->mFeature; }

/* Quote an identifier, doubling the quote character inside it. */
void dz_quote_ident(const dz_dialect *d, dz_buf *b, const char *z, size_t n) {
  dz_buf_add_quoted(b, d->cQuote, z, n);
}

/* Quote a string literal, doubling single quotes (escapeString of dialect.ts). */
void dz_quote_string(const dz_dialect *d, dz_buf *b, const char *z, size_t n) {
  size_t i, iStart = 0;
  (void)d;
  dz_buf_addc(b, '\'');
  for (i = 0; i < n; i++) {
    if (z[i] == '\'') {
      dz_buf_add(b, z + iStart, i - iStart + 1);
      dz_buf_addc(b, '\'');
      iStart = i + 1;
    }
  }
  dz_buf_add(b, z + iStart, n - iStart);
  dz_buf_addc(b, '\'');
}

static void quoteName(dz_render *r, const char *z) {
  dz_quote_ident(r->pDialect, &r->sql, z, strlen(z));
}

/* The column's name under the db's casing (CasingCache.getColumnCasing). */
static const char *columnName(const dz_render *r, const dz_column *pCol) {
  if (!(pCol->mFlags & DZ_COL_KEYASNAME)) return pCol->zName;
  switch (r->eCasing) {
    case DZ_CASING_SNAKE: return pCol->zSnake ? pCol->zSnake : pCol->zName;
    case DZ_CASING_CAMEL: return pCol->zCamel ? pCol->zCamel : pCol->zName;
    default: return pCol->zName;
  }
}

void dz_render_column_name(dz_render *r, const dz_column *pCol) {
  quoteName(r, columnName(r, pCol));
}

/* "table"."col", "schema"."table"."col", or "alias"."col". */
static void renderColumn(dz_render *r, const dz_chunk *c, unsigned f) {
  const dz_column *pCol = c->u.c.pCol;
  const dz_table *pTab = pCol->pTable;
  if ((f & RF_NAME_ONLY) || (pCol->mFlags & DZ_COL_SELECTION_FIELD)) { quoteName(r, pCol->zName); return; }
  if ((f & RF_BARE_COLUMNS) || (r->mFlags & DZ_RENDER_BARE_COLUMNS)) { dz_render_column_name(r, pCol); return; }
  if (c->u.c.zAlias) {
    quoteName(r, c->u.c.zAlias);
  } else {
    if (pTab->zSchema && !pTab->bAlias) {
      quoteName(r, pTab->zSchema);
      dz_buf_putc(&r->sql, '.');
    }
    quoteName(r, pTab->zName);
  }
  dz_buf_putc(&r->sql, '.');
  dz_render_column_name(r, pCol);
}

static void renderTable(dz_render *r, const dz_table *pTab) {
  if (pTab->zSchema && !pTab->bAlias) {
    quoteName(r, pTab->zSchema);
    dz_buf_putc(&r->sql, '.');
  }
  quoteName(r, pTab->zName);
}

/* ---------------------------------------------------------------- params */

static void addParam(dz_render *r, const dz_value *v, int iTag) {
  if (r->nParam == r->nParamAlloc) {
    int nNew = r->nParamAlloc ? r->nParamAlloc * 2 : 16;
    dz_param *a = dz_realloc(r->aParam, sizeof(dz_param) * (size_t)r->nParamAlloc,
                             sizeof(dz_param) * (size_t)nNew);
    if (!a) { dz_render_error(r, DZ_NOMEM, "out of memory while rendering SQL"); return; }
    r->aParam = a;
    r->nParamAlloc = nNew;
  }
  r->aParam[r->nParam].v = *v;
  r->aParam[r->nParam].iTag = iTag;
  r->nParam++;
}

/* A value written into the SQL text (mapInlineParam of sql.ts). */
static void inlineParam(dz_render *r, const dz_value *v) {
  char a[40];
  switch (v->t) {
    case DZ_NULL: dz_render_text(r, "null"); break;
    case DZ_INT: dz_buf_addi(&r->sql, v->u.i); break;
    case DZ_BOOL: dz_buf_adds(&r->sql, v->u.i ? "true" : "false"); break;
    case DZ_FLOAT:
      dz_double_to_text(a, sizeof a, 17, v->u.f);
      dz_buf_adds(&r->sql, a);
      break;
    case DZ_TEXT:
    case DZ_BLOB:
      dz_quote_string(r->pDialect, &r->sql, v->u.s.z, v->u.s.n);
      break;
    case DZ_PLACEHOLDER:
      dz_render_error(r, DZ_MISUSE, "cannot inline placeholder \"%.*s\"", (int)v->u.s.n, v->u.s.z);
      break;
  }
}

static void renderParam(dz_render *r, const dz_chunk *c, unsigned f) {
  if (((f & RF_INLINE) || (r->mFlags & DZ_RENDER_INLINE)) && c->u.v.t != DZ_PLACEHOLDER) {
    inlineParam(r, &c->u.v);
    return;
  }
  r->pDialect->xParam(&r->sql, r->nParam);
  addParam(r, &c->u.v, c->iParamTag);
}

/* ---------------------------------------------------------------- chunks */

/* The chunks of a list; flags apply to this level only, except inlining,
** which Drizzle passes down to nested SQL. */
static void renderList(dz_render *r, const dz_sql *p, unsigned f) {
  int i;
  if (!p) return;
  if (p->bInline) f |= RF_INLINE;
  for (i = 0; i < p->n; i++) renderChunkF(r, &p->a[i], f);
}

void dz_render_sql_list(dz_render *r, const dz_sql *p) { renderList(r, p, 0); }

static void renderChunkF(dz_render *r, const dz_chunk *c, unsigned f) {
  unsigned fDown = f & RF_INLINE;   /* what nested lists inherit */
  switch (c->k) {
    case DZ_K_TEXT: dz_buf_add(&r->sql, c->s.z, c->s.n); break;
    case DZ_K_NAME: dz_quote_ident(r->pDialect, &r->sql, c->s.z, c->s.n); break;
    case DZ_K_COLUMN: renderColumn(r, c, f); break;
    case DZ_K_TABLE: renderTable(r, c->u.pTab); break;
    case DZ_K_PARAM: renderParam(r, c, f); break;
    case DZ_K_SQL: renderList(r, c->u.p, fDown); break;
    case DZ_K_LIST: {
      int i;
      dz_buf_putc(&r->sql, '(');
      for (i = 0; c->u.p && i < c->u.p->n; i++) {
        if (i) dz_render_text(r, ", ");
        renderChunkF(r, &c->u.p->a[i], fDown);
      }
      dz_buf_putc(&r->sql, ')');
      break;
    }
    case DZ_K_ALIASED: dz_quote_ident(r->pDialect, &r->sql, c->s.z, c->s.n); break;
    case DZ_K_SUBQUERY:
      if (!c->bWith) {
        dz_buf_putc(&r->sql, '(');
        renderSelect(r, c->u.pSel);
        dz_render_text(r, ") ");
      }
      dz_quote_ident(r->pDialect, &r->sql, c->s.z, c->s.n);
      break;
    case DZ_K_SELECT:
      dz_buf_putc(&r->sql, '(');
      renderSelect(r, c->u.pSel);
      dz_buf_putc(&r->sql, ')');
      break;
    case DZ_K_SELECT_SQL: renderSelect(r, c->u.pSel); break;
    case DZ_K_WRAPPED:
      dz_buf_putc(&r->sql, '(');
      renderList(r, c->u.p, fDown);
      dz_buf_putc(&r->sql, ')');
      break;
    case DZ_K_INSERT: case DZ_K_UPDATE: case DZ_K_DELETE:
      if (!c->bBare) dz_buf_putc(&r->sql, '(');
      if (c->k == DZ_K_INSERT) renderInsert(r, c->u.pIns);
      else if (c->k == DZ_K_UPDATE) renderUpdate(r, c->u.pUpd);
      else renderDelete(r, c->u.pDel);
      if (!c->bBare) dz_buf_putc(&r->sql, ')');
      break;
    default:
      dz_render_error(r, DZ_MISUSE, "unknown AST chunk kind %d", c->k);
  }
}

void dz_render_chunk(dz_render *r, const dz_chunk *c) { renderChunkF(r, c, 0); }

/* An expression chunk whose own top-level columns follow flags f. */
static void renderTop(dz_render *r, const dz_chunk *c, unsigned f) {
  if (c->k == DZ_K_SQL) renderList(r, c->u.p, f);
  else renderChunkF(r, c, f);
}

int dz_render_sql(dz_render *r, const dz_sql *p) {
  unsigned f = 0;
  if (r->mFlags & DZ_RENDER_INLINE) f |= RF_INLINE;
  renderList(r, p, f);
  return finish(r);
}

/* ------------------------------------------------------------- selection */

/* buildSelection: fields separated by ", "; in a single-table query a
** column (and a column directly inside a field's SQL) is unqualified. */
static void renderSelection(dz_render *r, const dz_field *a, int n, int bSingle) {
  int i;
  for (i = 0; i < n; i++) {
    const dz_field *pF = &a[i];
    const dz_chunk *e = &pF->expr;
    if (i) dz_render_text(r, ", ");
    if (pF->zAlias && pF->bSelectionField) {
      quoteName(r, pF->zAlias);
      continue;
    }
    if (e->k == DZ_K_COLUMN) {
      const dz_column *pCol = e->u.c.pCol;
      int bCast = (pCol->mFlags & DZ_COL_NUMERIC_BIGINT) != 0;
      if (bCast) dz_render_text(r, "cast(");
      if (bSingle || (pCol->mFlags & DZ_COL_SELECTION_FIELD)) {
        dz_render_column_name(r, pCol);
      } else if (r->pDialect->mFeature & DZ_F_SCHEMA_IN_SELECTION) {
        renderColumn(r, e, 0);
      } else {
        quoteName(r, e->u.c.zAlias ? e->u.c.zAlias : pCol->pTable->zName);
        dz_buf_putc(&r->sql, '.');
        dz_render_column_name(r, pCol);
      }
      if (bCast) dz_render_text(r, " as text)");
    } else {
      renderTop(r, e, bSingle ? RF_BARE_COLUMNS : 0);
    }
    if (pF->zAlias) {
      dz_render_text(r, " as ");
      quoteName(r, pF->zAlias);
    }
  }
}

static void renderWith(dz_render *r, const dz_cte *a, int n) {
  int i;
  if (n == 0) return;
  dz_render_text(r, "with ");
  for (i = 0; i < n; i++) {
    if (i) dz_render_text(r, ", ");
    quoteName(r, a[i].zName);
    dz_render_text(r, " as (");
    dz_render_chunk(r, &a[i].body);
    dz_buf_putc(&r->sql, ')');
  }
  dz_buf_putc(&r->sql, ' ');
}

static void renderChunkList(dz_render *r, const dz_chunk *a, int n, const char *zSep) {
  int i;
  for (i = 0; i < n; i++) {
    if (i) dz_buf_adds(&r->sql, zSep);
    dz_render_chunk(r, &a[i]);
  }
}

static void renderOrderBy(dz_render *r, const dz_chunk *a, int n) {
  if (n == 0) return;
  dz_render_text(r, " order by ");
  renderChunkList(r, a, n, ", ");
}

static void renderLimit(dz_render *r, const dz_chunk *pLimit) {
  if (!pLimit->k) return;
  dz_render_text(r, " limit ");
  dz_render_chunk(r, pLimit);
}

static void renderOffset(dz_render *r, const dz_chunk *pOffset) {
  if (!pOffset->k) return;
  dz_render_text(r, " offset ");
  dz_render_chunk(r, pOffset);
}

static void renderWhere(dz_render *r, const dz_sql *pWhere) {
  if (!pWhere) return;
  dz_render_text(r, " where ");
  renderList(r, pWhere, 0);
}

/* bSingle: columns bare, as in a one-table select (Drizzle's isSingleTable;
** false for update ... from, whose returning names both tables). */
static void renderReturning(dz_render *r, const dz_field *a, int n, int bReturning, int bSingle) {
  if (!bReturning) return;
  if (!(r->pDialect->mFeature & DZ_F_RETURNING)) {
    dz_render_error(r, DZ_UNSUPPORTED, "returning() is not supported by the %s dialect", r->pDialect->zName);
    return;
  }
  dz_render_text(r, " returning ");
  renderSelection(r, a, n, bSingle);
}

/* buildFromTable: an aliased table renders as "orig" "alias". */
static void renderFrom(dz_render *r, const dz_chunk *c) {
  if (c->k == DZ_K_TABLE && c->u.pTab->bAlias) {
    const dz_table *pTab = c->u.pTab;
    if (pTab->zSchema) { quoteName(r, pTab->zSchema); dz_buf_putc(&r->sql, '.'); }
    quoteName(r, pTab->zOrigName);
    dz_buf_putc(&r->sql, ' ');
    quoteName(r, pTab->zName);
    return;
  }
  dz_render_chunk(r, c);
}

static const char *joinKeyword(int eKind) {
  switch (eKind) {
    case DZ_JOIN_LEFT: return "left";
    case DZ_JOIN_RIGHT: return "right";
    case DZ_JOIN_INNER: return "inner";
    case DZ_JOIN_FULL: return "full";
    default: return "cross";
  }
}

static void renderJoins(dz_render *r, const dz_join *a, int n) {
  int i;
  for (i = 0; i < n; i++) {
    const dz_join *j = &a[i];
    dz_buf_putc(&r->sql, ' ');
    if (j->eKind == DZ_JOIN_FULL && !(r->pDialect->mFeature & DZ_F_FULL_JOIN)) {
      dz_render_error(r, DZ_UNSUPPORTED, "full join is not supported by the %s dialect", r->pDialect->zName);
    }
    dz_buf_adds(&r->sql, joinKeyword(j->eKind));
    dz_render_text(r, " join ");
    if (j->bLateral) dz_render_text(r, "lateral ");
    renderFrom(r, &j->src);
    if (j->pOn) {
      dz_render_text(r, " on ");
      renderList(r, j->pOn, 0);
    }
  }
}

/* The name the from-clause gives its source, for the "did you forget to
** join it?" check of buildSelectQuery. */
static const char *sourceName(const dz_chunk *c) {
  switch (c->k) {
    case DZ_K_TABLE: return c->u.pTab->zName;
    case DZ_K_SUBQUERY: return c->s.z;
    default: return NULL;
  }
}

/* Every selected column must come from the from-table or a joined one. */
static void checkFieldSources(dz_render *r, const dz_select *s) {
  const char *zFrom = sourceName(&s->from);
  int i, j;
  for (i = 0; i < s->nField; i++) {
    const dz_chunk *e = &s->aField[i].expr;
    const char *zTab;
    int bFound;
    if (e->k != DZ_K_COLUMN || s->aField[i].bSelectionField) continue;
    zTab = e->u.c.zAlias ? e->u.c.zAlias : e->u.c.pCol->pTable->zName;
    if (zFrom && (zTab == zFrom || strcmp(zTab, zFrom) == 0)) continue;
    if (!zFrom && s->from.k == DZ_K_SQL) continue;
    bFound = 0;
    for (j = 0; j < s->nJoin && !bFound; j++) {
      const char *zJ = sourceName(&s->aJoin[j].src);
      bFound = zJ && strcmp(zJ, zTab) == 0;
    }
    if (!bFound) {
      const dz_field *pF = &s->aField[i];
      dz_render_error(r, DZ_MISUSE,
        "Your \"%s%s%s\" field references a column \"%s\".\"%s\", but the table \"%s\" is not part of the query! Did you forget to join it?",
        pF->zPathPrefix ? pF->zPathPrefix : "", pF->zPathPrefix ? "->" : "",
        pF->zPath ? pF->zPath : "?", zTab, e->u.c.pCol->zName, zTab);
      return;
    }
  }
}

static void renderLock(dz_render *r, const dz_lock *l) {
  int i;
  if (!l->zStrength) return;
  if (!(r->pDialect->mFeature & DZ_F_LOCKING)) {
    dz_render_error(r, DZ_UNSUPPORTED, "for(\"%s\") is not supported by the %s dialect", l->zStrength, r->pDialect->zName);
    return;
  }
  dz_render_text(r, " for ");
  dz_buf_adds(&r->sql, l->zStrength);
  if (l->nOf) {
    dz_render_text(r, " of ");
    for (i = 0; i < l->nOf; i++) {
      if (i) dz_render_text(r, ", ");
      quoteName(r, l->apOf[i]->zName);
    }
  }
  if (l->bNoWait) dz_render_text(r, " nowait");
  else if (l->bSkipLocked) dz_render_text(r, " skip locked");
}

/* One select without its set operations. */
static void renderSelectCore(dz_render *r, const dz_select *s) {
  int bSingle = s->nJoin == 0;
  checkFieldSources(r, s);
  renderWith(r, s->aWith, s->nWith);
  dz_render_text(r, "select");
  if (s->nDistinctOn) {
    if (!(r->pDialect->mFeature & DZ_F_DISTINCT_ON)) {
      dz_render_error(r, DZ_UNSUPPORTED, "DISTINCT ON is not supported by the %s dialect", r->pDialect->zName);
    }
    dz_render_text(r, " distinct on (");
    renderChunkList(r, s->aDistinctOn, s->nDistinctOn, ", ");
    dz_buf_putc(&r->sql, ')');
  } else if (s->bDistinct) {
    dz_render_text(r, " distinct");
  }
  dz_buf_putc(&r->sql, ' ');
  renderSelection(r, s->aField, s->nField, bSingle);
  if (s->from.k) {
    dz_render_text(r, " from ");
    renderFrom(r, &s->from);
  }
  renderJoins(r, s->aJoin, s->nJoin);
  renderWhere(r, s->pWhere);
  if (s->nGroupBy) {
    dz_render_text(r, " group by ");
    renderChunkList(r, s->aGroupBy, s->nGroupBy, ", ");
  }
  if (s->pHaving) {
    dz_render_text(r, " having ");
    renderList(r, s->pHaving, 0);
  }
  renderOrderBy(r, s->aOrderBy, s->nOrderBy);
  renderLimit(r, &s->limit);
  renderOffset(r, &s->offset);
  renderLock(r, &s->lock);
}

/* The order by of a set operation: columns of either side are referred to
** by bare name (the table of one side is not visible to the whole). */
static void renderSetOpOrderBy(dz_render *r, const dz_setop *op) {
  int i;
  int bPg = (r->pDialect->mFeature & DZ_F_SETOP_PARENS) != 0;
  if (op->nOrderBy == 0) return;
  dz_render_text(r, " order by ");
  for (i = 0; i < op->nOrderBy; i++) {
    const dz_chunk *c = &op->aOrderBy[i];
    if (i) dz_render_text(r, ", ");
    if (c->k == DZ_K_COLUMN) quoteName(r, c->u.c.pCol->zName);
    else renderTop(r, c, bPg ? RF_NAME_ONLY : RF_BARE_COLUMNS);
  }
  if (bPg) dz_buf_putc(&r->sql, ' ');
}

/* buildSetOperations: each operator wraps everything to its left. */
static void renderSetOps(dz_render *r, const dz_select *s, int n) {
  const dz_setop *op;
  int bParens = (r->pDialect->mFeature & DZ_F_SETOP_PARENS) != 0;
  if (n == 0) { renderSelectCore(r, s); return; }
  op = &s->aSetOp[n - 1];
  if (op->bAll && op->eKind != DZ_SET_UNION && !(r->pDialect->mFeature & DZ_F_SETOP_ALL_EXCEPT)) {
    dz_render_error(r, DZ_UNSUPPORTED, "%s all is not supported by the %s dialect",
                    op->eKind == DZ_SET_INTERSECT ? "intersect" : "except", r->pDialect->zName);
  }
  if (bParens) dz_buf_putc(&r->sql, '(');
  renderSetOps(r, s, n - 1);
  dz_buf_adds(&r->sql, bParens ? ") " : " ");
  dz_buf_adds(&r->sql, op->eKind == DZ_SET_UNION ? "union " : op->eKind == DZ_SET_INTERSECT ? "intersect " : "except ");
  if (op->bAll) dz_render_text(r, "all ");
  if (bParens) dz_buf_putc(&r->sql, '(');
  renderSelect(r, op->pRight);
  if (bParens) dz_buf_putc(&r->sql, ')');
  renderSetOpOrderBy(r, op);
  renderLimit(r, &op->limit);
  renderOffset(r, &op->offset);
}

static void renderSelect(dz_render *r, const dz_select *s) {
  if (!s) { dz_render_error(r, DZ_MISUSE, "missing select"); return; }
  renderSetOps(r, s, s->nSetOp);
}

int dz_render_select(dz_render *r, const dz_select *s) {
  renderSelect(r, s);
  return finish(r);
}

/* ---------------------------------------------------------------- insert */

/* "col" = value, ... (buildUpdateSet). */
void dz_render_set_items(dz_render *r, const dz_set_item *a, int n) {
  int i;
  for (i = 0; i < n; i++) {
    if (i) dz_render_text(r, ", ");
    dz_render_column_name(r, a[i].pCol);
    dz_render_text(r, " = ");
    dz_render_chunk(r, &a[i].value);
  }
}

static void renderInsertValues(dz_render *r, const dz_insert *s) {
  int iRow, iCol;
  if (s->pSelect) { renderSelect(r, s->pSelect); return; }
  if (s->pSelectSql) { renderList(r, s->pSelectSql, 0); return; }
  dz_render_text(r, "values ");
  for (iRow = 0; iRow < s->nRow; iRow++) {
    if (iRow) dz_render_text(r, ", ");
    dz_buf_putc(&r->sql, '(');
    for (iCol = 0; iCol < s->nCol; iCol++) {
      if (iCol) dz_render_text(r, ", ");
      dz_render_chunk(r, &s->aCell[iRow * s->nCol + iCol]);
    }
    dz_buf_putc(&r->sql, ')');
  }
}

static void renderInsert(dz_render *r, const dz_insert *s) {
  int i;
  renderWith(r, s->aWith, s->nWith);
  dz_render_text(r, "insert ");
  if (s->bIgnore) dz_render_text(r, "ignore ");
  dz_render_text(r, "into ");
  renderTable(r, s->pTable);
  dz_render_text(r, " (");
  for (i = 0; i < s->nCol; i++) {
    if (i) dz_render_text(r, ", ");
    dz_render_column_name(r, s->apCol[i]);
  }
  dz_render_text(r, ") ");
  renderInsertValues(r, s);
  for (i = 0; i < s->nConflict; i++) r->pDialect->xConflict(r, s, &s->aConflict[i]);
  renderReturning(r, s->aReturning, s->nReturning, s->bReturning, 1);
}

int dz_render_insert(dz_render *r, const dz_insert *s) {
  renderInsert(r, s);
  return finish(r);
}

/* ---------------------------------------------------------- update/delete */

static void checkDmlOrderLimit(dz_render *r, int nOrderBy, const dz_chunk *pLimit, const char *zStmt) {
  if ((nOrderBy || pLimit->k) && !(r->pDialect->mFeature & DZ_F_ORDER_LIMIT_DML)) {
    dz_render_error(r, DZ_UNSUPPORTED, "%s with orderBy/limit is not supported by the %s dialect", zStmt, r->pDialect->zName);
  }
}

static void renderUpdate(dz_render *r, const dz_update *s) {
  renderWith(r, s->aWith, s->nWith);
  dz_render_text(r, "update ");
  renderTable(r, s->pTable);
  dz_render_text(r, " set ");
  dz_render_set_items(r, s->aSet, s->nSet);
  if (s->from.k) {
    if (!(r->pDialect->mFeature & DZ_F_UPDATE_FROM)) {
      dz_render_error(r, DZ_UNSUPPORTED, "update ... from is not supported by the %s dialect", r->pDialect->zName);
    }
    dz_render_text(r, " from ");
    renderFrom(r, &s->from);
  }
  renderJoins(r, s->aJoin, s->nJoin);
  renderWhere(r, s->pWhere);
  renderReturning(r, s->aReturning, s->nReturning, s->bReturning, !s->from.k);
  checkDmlOrderLimit(r, s->nOrderBy, &s->limit, "update");
  renderOrderBy(r, s->aOrderBy, s->nOrderBy);
  renderLimit(r, &s->limit);
}

int dz_render_update(dz_render *r, const dz_update *s) {
  renderUpdate(r, s);
  return finish(r);
}

static void renderDelete(dz_render *r, const dz_delete *s) {
  renderWith(r, s->aWith, s->nWith);
  dz_render_text(r, "delete from ");
  renderTable(r, s->pTable);
  renderWhere(r, s->pWhere);
  renderReturning(r, s->aReturning, s->nReturning, s->bReturning, 1);
  checkDmlOrderLimit(r, s->nOrderBy, &s->limit, "delete");
  renderOrderBy(r, s->aOrderBy, s->nOrderBy);
  renderLimit(r, &s->limit);
}

int dz_render_delete(dz_render *r, const dz_delete *s) {
  renderDelete(r, s);
  return finish(r);
}

/* ------------------------------------------------------------- dialects */

const dz_dialect *dz_dialect_find(const char *zName) {
  static const dz_dialect *const aDialect[] = { &dz_dialect_sqlite, &dz_dialect_pg, &dz_dialect_mysql };
  size_t i;
  for (i = 0; i < sizeof aDialect / sizeof aDialect[0]; i++) {
    if (strcmp(aDialect[i]->zName, zName) == 0) return aDialect[i];
  }
  return NULL;
}
