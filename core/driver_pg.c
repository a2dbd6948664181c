/*
** driver_pg.c: the dz_driver over libpq (PostgreSQL).
**
** Why it looks the way it does:
**   - A dz_conn wraps the PGconn with what libpq does not keep for us: a
**     reference count (a statement may outlive xClose, driver.h
**     "Lifetimes": the wrapper lives until the last statement is
**     finalized, the PGconn is finished at xClose), the statement-name
**     counter, a generation number bumped by xReconnect, and the names of
**     finalized statements still to DEALLOCATE.
**   - xOpen takes a conninfo string or a postgres:// URL (PQconnectdbParams
**     with expand_dbname). client_encoding defaults to UTF8 (Lua strings are
**     UTF-8) unless the target names another. DZ_OPEN_READONLY sets
**     default_transaction_read_only. Connection failures report SQLSTATE
**     08001, since libpq has no code of its own for them.
**   - Notices never reach stderr: a notice receiver drops them, or hands
**     them to the xSetNotice callback (a logger).
**   - xPrepare makes a server-side named statement "dz<N>" (unique per
**     connection) and describes it, both in one round trip (pipeline mode):
**     the description gives the parameter count xBind checks and the result
**     columns (count, names, type OIDs), so xColumnCount/xColumnName work
**     before the first step, as the binding uses them. The SQL text is kept
**     so the statement can prepare itself again after xReconnect
**     (generation mismatch, checked on bind/step/batch).
**   - xFinalize cannot DEALLOCATE at once: inside a failed transaction
**     every command but ROLLBACK is refused, and a failing DEALLOCATE would
**     abort the caller's transaction (libpq 15 has no PQsendClosePrepared).
**     So the name is queued and deallocated at the next safe moment: before
**     the next xPrepare (in the same pipeline, no extra round trip) or after
**     the next xExec, whenever the session is not in a failed transaction.
**     Prepared statements are not transactional, so a later rollback cannot
**     bring them back. After xReconnect the queue is dropped (the new
**     session has none of them).
**   - Parameters are sent in text format with type OID 0, so the server
**     infers each type from its context, as node-postgres does. Exceptions:
**     blobs go in binary format (no escaping; the bytes are borrowed, as
**     driver.h allows); booleans are "t"/"f"; integers and doubles are
**     formatted into a per-statement scratch buffer (doubles in the
**     shortest form that reads back exactly; NaN, Infinity, -Infinity as
**     PostgreSQL spells them). Text is copied into the scratch buffer too,
**     because libpq reads text parameters up to a NUL and dz_value text is
**     not NUL-terminated; text holding a NUL byte is refused with the
**     SQLSTATE the server would give (22021), never silently cut short.
**   - Results are requested in text format and walked row by row from the
**     PGresult. xColumn decodes by type OID in C: int2/int4/int8/oid to
**     exact int64, float4/float8 (NaN, Infinity) to double, bool, bytea
**     (hex form, decoded into a per-column buffer of the statement, valid
**     until the next step) to a blob; every other type is the server's text
**     (numeric stays exact, json, arrays, timestamps, geometry...), and
**     xColumnDbType gives the OID so the binding can decode further.
**   - A lost connection (server restart, pg_terminate_backend) is DZ_DRIVER
**     with the server's SQLSTATE (57P01) or 08006/08003, never a crash;
**     xBroken reports it and xReconnect (PQreset) recovers.
**   - xBatch runs bound statements in pipeline mode with one sync at the
**     end: one round trip, and atomic outside a transaction block (the
**     statements between two syncs form one implicit transaction). A
**     blocking connection is fine here: when its send buffer is full,
**     libpq reads pending input while it waits, so the server never stalls
**     writing results we are not reading.
*/
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "dz_driver.h"

/* Type OIDs from pg_type.h (catalog/pg_type_d.h is a server header). */
#define OID_BOOL    16
#define OID_BYTEA   17
#define OID_INT8    20
#define OID_INT2    21
#define OID_INT4    23
#define OID_OID     26
#define OID_FLOAT4 700
#define OID_FLOAT8 701

typedef struct PgConn PgConn;
typedef struct PgStmt PgStmt;

struct PgConn {
  PGconn *pg;                  /* NULL once xClose ran */
  int nRef;                    /* 1 while open + 1 per live statement */
  unsigned iGen;               /* bumped by xReconnect */
  unsigned iNextName;          /* statement names dz1, dz2, ... */
  int64_t nChanges;            /* rows changed by the last command */
  unsigned *aDealloc;          /* finalized statement numbers to DEALLOCATE */
  int nDealloc, nDeallocAlloc;
  void (*xNotice)(void*, const char*);
  void *pNoticeArg;
  /* Results of the last xBatch not yet read, in order (see pgBatch). */
  PGresult **apBatchRes;
  PgStmt **apBatchStmt;
  int nBatch, iBatchNext;
};

/* Where a statement is between bind and reset. */
enum { S_READY = 0,     /* not run since the last bind/reset */
       S_RESULT };      /* pRes holds its result; iRow is the current row */

typedef struct PgBlob { char *z; size_t nAlloc; } PgBlob;

struct PgStmt {
  PgConn *pConn;
  char *zSql;                  /* owned copy, for re-preparing */
  size_t nSql;
  unsigned iName;              /* server name "dz<iName>"; 0: not prepared */
  unsigned iGen;               /* pConn->iGen when prepared */
  char zName[16];
  PGresult *pDesc;             /* PQdescribePrepared: params, columns */
  int nParam, nCol;
  Oid *aType;                  /* nCol result column types */
  /* Bindings, nParam each, one allocation. */
  const char **azVal;
  int *anLen, *anFmt;
  size_t *aOff;                /* offset into scratch, or (size_t)-1 */
  dz_buf scratch;              /* formatted numbers, NUL-terminated text */
  int bBound;
  int eState;
  PGresult *pRes;
  int iRow, nRow;
  PgBlob *aBlob;               /* nCol decode buffers for bytea, lazily */
};

#define CONN(p) ((PgConn*)(p))
#define STMT(p) ((PgStmt*)(p))

/* ---------------------------------------------------------------- errors */

/* Copy z into a fixed field, dropping trailing newlines libpq adds. */
static void setField(char *zOut, size_t nOut, const char *z){
  size_t n;
  if( z==NULL ){ zOut[0] = 0; return; }
  n = strlen(z);
  while( n>0 && (z[n-1]=='\n' || z[n-1]=='\r') ) n--;
  if( n>=nOut ) n = nOut-1;
  memmove(zOut, z, n);              /* zOut may be z itself (trimming in place) */
  zOut[n] = 0;
}

/* Fill *pErr from a failed result res (may be NULL) or, lacking one, from
** the connection's message. A lost connection gets SQLSTATE 08006 when the
** server sent none, and its message says so. Returns DZ_DRIVER, or
** DZ_NOMEM when libpq returned no result on a healthy connection (its
** documented out-of-memory case). */
static int pgErr(PgConn *c, const PGresult *res, dz_dberr *pErr){
  const char *zState = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  const char *zMsg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  int bBad = c->pg==NULL || PQstatus(c->pg)==CONNECTION_BAD;
  if( res==NULL && !bBad ){
    const char *z = PQerrorMessage(c->pg);
    if( z==NULL || z[0]==0 ) return dz_dberr_set(pErr, DZ_NOMEM, "pg: out of memory");
  }
  if( pErr==NULL ) return DZ_DRIVER;
  dz_dberr_clear(pErr);
  if( zMsg==NULL ){
    zMsg = res ? PQresultErrorMessage(res) : NULL;
    if( zMsg==NULL || zMsg[0]==0 ) zMsg = c->pg ? PQerrorMessage(c->pg) : "connection closed";
  }
  if( bBad ){
    char zBuf[sizeof(pErr->zMsg)];
    setField(zBuf, sizeof(zBuf), zMsg);
    snprintf(pErr->zMsg, sizeof(pErr->zMsg), "pg: connection to the server lost: %.900s", zBuf);
    if( zState==NULL || zState[0]==0 ) zState = "08006";
  }else{
    setField(pErr->zMsg, sizeof(pErr->zMsg), zMsg);
  }
  setField(pErr->zState, sizeof(pErr->zState), zState);
  if( res ){
    setField(pErr->zDetail, sizeof(pErr->zDetail), PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
    setField(pErr->zConstraint, sizeof(pErr->zConstraint), PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME));
  }
  return DZ_DRIVER;
}

/* Refuse to talk over a closed or lost connection, with a clear message
** (libpq would only say "no connection to the server"). */
static int connUsable(PgConn *c, dz_dberr *pErr){
  if( c->pg==NULL ) return dz_dberr_set(pErr, DZ_MISUSE, "pg: the connection is closed");
  if( PQstatus(c->pg)==CONNECTION_BAD ){
    int rc = dz_dberr_set(pErr, DZ_DRIVER,
        "pg: the connection to the server was lost (reconnect to continue)");
    if( pErr ) memcpy(pErr->zState, "08003", 6);
    return rc;
  }
  return DZ_OK;
}

/* Statement-status results that mean success. */
static int resultOk(const PGresult *res){
  ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  return st==PGRES_COMMAND_OK || st==PGRES_TUPLES_OK || st==PGRES_EMPTY_QUERY;
}

/* ------------------------------------------------------------ connection */

/* Notices go to the caller's callback or nowhere; never to stderr. */
static void noticeReceiver(void *pArg, const PGresult *res){
  PgConn *c = (PgConn*)pArg;
  char zBuf[1024];
  if( c->xNotice==NULL ) return;
  setField(zBuf, sizeof(zBuf), PQresultErrorMessage(res));
  c->xNotice(c->pNoticeArg, zBuf);
}

/* Forget the unread results of the last batch. */
static void dropBatch(PgConn *c){
  int i;
  if( c->apBatchRes==NULL ) return;
  for(i=c->iBatchNext; i<c->nBatch; i++) PQclear(c->apBatchRes[i]);
  dz_free(c->apBatchRes, (sizeof(PGresult*)+sizeof(PgStmt*))*(size_t)c->nBatch);
  c->apBatchRes = NULL;
  c->apBatchStmt = NULL;
  c->nBatch = c->iBatchNext = 0;
}

static void connFree(PgConn *c){
  dropBatch(c);
  dz_free(c->aDealloc, sizeof(unsigned)*(size_t)c->nDeallocAlloc);
  dz_free(c, sizeof(*c));
}

/* Drop one reference; the wrapper goes with the last. */
static void connRelease(PgConn *c){
  if( --c->nRef==0 ) connFree(c);
}

static int pgOpen(const char *zTarget, int flags, dz_conn **ppConn, dz_dberr *pErr){
  /* Later keywords override earlier ones, and the expanded dbname (the
  ** caller's conninfo or URL) comes last: its settings win. */
  static const char *const azKey[] = { "client_encoding", "fallback_application_name", "options", "dbname", NULL };
  const char *azVal[5];
  PgConn *c;
  *ppConn = NULL;
  c = dz_malloc(sizeof(*c));
  if( c==NULL ) return dz_dberr_set(pErr, DZ_NOMEM, "pg: out of memory");
  memset(c, 0, sizeof(*c));
  c->nRef = 1;
  azVal[0] = "UTF8";
  azVal[1] = "drizzle-c";
  /* DZ_OPEN_READONLY: every transaction read-only (the server refuses
  ** writes with 25006). DZ_OPEN_NOCREATE means nothing here: a pg
  ** database is never created by connecting. */
  azVal[2] = (flags & DZ_OPEN_READONLY) ? "-c default_transaction_read_only=on" : "";
  azVal[3] = zTarget ? zTarget : "";
  azVal[4] = NULL;
  c->pg = PQconnectdbParams(azKey, azVal, 1);
  if( c->pg==NULL ){
    connFree(c);
    return dz_dberr_set(pErr, DZ_NOMEM, "pg: out of memory");
  }
  if( PQstatus(c->pg)!=CONNECTION_OK ){
    int rc = dz_dberr_set(pErr, DZ_DRIVER, "pg: could not connect: %s", PQerrorMessage(c->pg));
    if( pErr ){
      setField(pErr->zMsg, sizeof(pErr->zMsg), pErr->zMsg);
      memcpy(pErr->zState, "08001", 6);
    }
    PQfinish(c->pg);
    connFree(c);
    return rc;
  }
  PQsetNoticeReceiver(c->pg, noticeReceiver, c);
  *ppConn = (dz_conn*)c;
  return DZ_OK;
}

/* Finish the PGconn now; the wrapper stays while statements live. */
static void pgClose(dz_conn *p){
  PgConn *c = CONN(p);
  if( c==NULL ) return;
  if( c->pg ){ PQfinish(c->pg); c->pg = NULL; }
  connRelease(c);
}

static void pgSetNotice(dz_conn *p, void (*xFn)(void*, const char*), void *pArg){
  CONN(p)->xNotice = xFn;
  CONN(p)->pNoticeArg = pArg;
}

static int pgBroken(dz_conn *p){
  PgConn *c = CONN(p);
  return c->pg==NULL || PQstatus(c->pg)==CONNECTION_BAD;
}

/* PQreset keeps the PGconn object, hence its parameters and notice
** receiver. Every statement is now of an older generation. */
static int pgReconnect(dz_conn *p, dz_dberr *pErr){
  PgConn *c = CONN(p);
  if( c->pg==NULL ) return dz_dberr_set(pErr, DZ_MISUSE, "pg: the connection is closed");
  PQreset(c->pg);
  c->iGen++;
  c->nDealloc = 0;
  /* A connection lost in the middle of a pipeline may still say so. */
  if( PQstatus(c->pg)==CONNECTION_OK && PQpipelineStatus(c->pg)!=PQ_PIPELINE_OFF ){
    PQexitPipelineMode(c->pg);
  }
  if( PQstatus(c->pg)!=CONNECTION_OK ){
    int rc = dz_dberr_set(pErr, DZ_DRIVER, "pg: could not reconnect: %s", PQerrorMessage(c->pg));
    if( pErr ){
      setField(pErr->zMsg, sizeof(pErr->zMsg), pErr->zMsg);
      memcpy(pErr->zState, "08001", 6);
    }
    return rc;
  }
  return DZ_OK;
}

/* Queue statement number iName for DEALLOCATE; on OOM it just stays on
** the server until the session ends, which is harmless. */
static void queueDealloc(PgConn *c, unsigned iName){
  if( c->nDealloc==c->nDeallocAlloc ){
    int nNew = c->nDeallocAlloc ? c->nDeallocAlloc*2 : 8;
    unsigned *a = dz_realloc(c->aDealloc, sizeof(unsigned)*(size_t)c->nDeallocAlloc,
                             sizeof(unsigned)*(size_t)nNew);
    if( a==NULL ) return;
    c->aDealloc = a;
    c->nDeallocAlloc = nNew;
  }
  c->aDealloc[c->nDealloc++] = iName;
}

/* May DEALLOCATE run now without harming the session? Not inside a failed
** transaction (it would be refused), nor with a command in flight. */
static int deallocSafe(PgConn *c){
  PGTransactionStatusType t;
  if( c->nDealloc==0 || c->pg==NULL ) return 0;
  t = PQtransactionStatus(c->pg);
  return t==PQTRANS_IDLE || t==PQTRANS_INTRANS;
}

/* DEALLOCATE the queued names in one simple-query round trip. Failure is
** ignored beyond keeping the queue: it cannot happen for names we made in
** this session, and a lost connection loses them anyway. */
static void flushDealloc(PgConn *c){
  char zSql[64*24];
  size_t n = 0;
  int i, nDone = 0;
  PGresult *res;
  if( !deallocSafe(c) ) return;
  for(i=0; i<c->nDealloc && n+32<sizeof(zSql); i++, nDone++){
    n += (size_t)snprintf(zSql+n, sizeof(zSql)-n, "DEALLOCATE dz%u;", c->aDealloc[i]);
  }
  res = PQexec(c->pg, zSql);
  if( resultOk(res) ){
    memmove(c->aDealloc, c->aDealloc+nDone, sizeof(unsigned)*(size_t)(c->nDealloc-nDone));
    c->nDealloc -= nDone;
  }
  PQclear(res);
}

/* ------------------------------------------------------------- pipelines */

/* Collect the results of nQuery pipelined queries up to the sync. xTake
** receives each query's result (or NULL when none came) and owns it.
** Results beyond nQuery are cleared. Returns 0 if the sync arrived. */
static int collectPipeline(PgConn *c, int nQuery,
                           void (*xTake)(void *pArg, int iQuery, PGresult *res), void *pArg){
  int iQuery = 0, bGot = 0, bSync = 0;
  for(;;){
    PGresult *res = PQgetResult(c->pg);
    if( res==NULL ){
      /* End of one query's results; two NULLs in a row mean nothing more
      ** is coming (a lost connection). */
      if( !bGot || PQstatus(c->pg)==CONNECTION_BAD ) break;
      iQuery++;
      bGot = 0;
      continue;
    }
    if( PQresultStatus(res)==PGRES_PIPELINE_SYNC ){
      PQclear(res);
      bSync = 1;
      break;
    }
    if( bGot || iQuery>=nQuery ){
      PQclear(res);                /* extra results of one query: keep the first */
    }else{
      xTake(pArg, iQuery, res);
    }
    bGot = 1;
  }
  if( !bSync ) return 1;
  (void)nQuery;
  return 0;
}

/* ------------------------------------------------------------ statements */

/* Is there nothing but whitespace, ';' and comments in z[0..n)? */
static int isEmptySql(const char *z, size_t n){
  const char *zEnd = z+n;
  while( z<zEnd ){
    char ch = *z;
    if( ch==' ' || ch=='\t' || ch=='\n' || ch=='\r' || ch=='\f' || ch=='\v' || ch==';' ){
      z++;
    }else if( ch=='-' && z+1<zEnd && z[1]=='-' ){
      while( z<zEnd && *z!='\n' ) z++;
    }else if( ch=='/' && z+1<zEnd && z[1]=='*' ){
      z += 2;
      while( z+1<zEnd && !(z[0]=='*' && z[1]=='/') ) z++;
      z += 2;
    }else{
      return 0;
    }
  }
  return 1;
}

/* Free what depends on the server-side description (columns, bindings). */
static void stmtClearShape(PgStmt *p){
  int i;
  if( p->aBlob ){
    for(i=0; i<p->nCol; i++) dz_free(p->aBlob[i].z, p->aBlob[i].nAlloc);
    dz_free(p->aBlob, sizeof(PgBlob)*(size_t)p->nCol);
    p->aBlob = NULL;
  }
  dz_free(p->aType, sizeof(Oid)*(size_t)p->nCol);
  p->aType = NULL;
  if( p->azVal ){
    size_t nEach = sizeof(char*) + 2*sizeof(int) + sizeof(size_t);
    dz_free((void*)p->azVal, nEach*(size_t)p->nParam);
    p->azVal = NULL;
  }
  PQclear(p->pDesc);
  p->pDesc = NULL;
  p->nParam = p->nCol = 0;
}

/* Take the description: parameter count, column types; allocate the
** binding arrays. */
static int stmtSetShape(PgStmt *p, PGresult *pDesc, dz_dberr *pErr){
  int i;
  p->pDesc = pDesc;
  p->nParam = PQnparams(pDesc);
  p->nCol = PQnfields(pDesc);
  if( p->nCol>0 ){
    p->aType = dz_malloc(sizeof(Oid)*(size_t)p->nCol);
    if( p->aType==NULL ) goto nomem;
    for(i=0; i<p->nCol; i++) p->aType[i] = PQftype(pDesc, i);
  }
  if( p->nParam>0 ){
    /* One block: pointers first (strictest alignment), then size_t, ints. */
    size_t n = (size_t)p->nParam;
    char *pBlock = dz_malloc((sizeof(char*) + sizeof(size_t) + 2*sizeof(int))*n);
    if( pBlock==NULL ) goto nomem;
    p->azVal = (const char**)pBlock;
    p->aOff = (size_t*)(pBlock + sizeof(char*)*n);
    p->anLen = (int*)(pBlock + (sizeof(char*)+sizeof(size_t))*n);
    p->anFmt = p->anLen + n;
  }
  return DZ_OK;
nomem:
  stmtClearShape(p);
  return dz_dberr_set(pErr, DZ_NOMEM, "pg: out of memory");
}

typedef struct PrepCtx {
  int nDealloc;                /* DEALLOCATEs sent ahead of the prepare */
  int nDeallocOk;              /* how many of them succeeded, from the first */
  int bDeallocFail;            /* one failed: the rest of the pipeline is aborted */
  PGresult *pPrep, *pDesc;
} PrepCtx;

static void takePrep(void *pArg, int iQuery, PGresult *res){
  PrepCtx *x = (PrepCtx*)pArg;
  if( iQuery<x->nDealloc ){
    if( resultOk(res) && !x->bDeallocFail ) x->nDeallocOk++;
    else x->bDeallocFail = 1;
    PQclear(res);
  }
  else if( iQuery==x->nDealloc ) x->pPrep = res;
  else if( iQuery==x->nDealloc+1 ) x->pDesc = res;
  else PQclear(res);
}

/* Drop the first n names from the DEALLOCATE queue. */
static void dequeueDealloc(PgConn *c, int n){
  if( n<=0 ) return;
  memmove(c->aDealloc, c->aDealloc+n, sizeof(unsigned)*(size_t)(c->nDealloc-n));
  c->nDealloc -= n;
}

/* Prepare p on the server under a fresh name and describe it, in one
** round trip, after DEALLOCATEs of finalized statements when that is safe
** (see the file header). */
static int stmtPrepareOnServer(PgStmt *p, dz_dberr *pErr){
  PgConn *c = p->pConn;
  PGconn *pg = c->pg;
  PrepCtx x;
  int i, rc, bRetry = 0;
  char zDealloc[32];
  rc = connUsable(c, pErr);
  if( rc ) return rc;
  stmtClearShape(p);
  p->iName = 0;
again:
  x.nDealloc = deallocSafe(c) ? c->nDealloc : 0;
  if( x.nDealloc>64 ) x.nDealloc = 64;
  x.nDeallocOk = x.bDeallocFail = 0;
  x.pPrep = x.pDesc = NULL;
  snprintf(p->zName, sizeof(p->zName), "dz%u", ++c->iNextName);
  if( !PQenterPipelineMode(pg) ) return pgErr(c, NULL, pErr);
  for(i=0; i<x.nDealloc; i++){
    snprintf(zDealloc, sizeof(zDealloc), "DEALLOCATE dz%u", c->aDealloc[i]);
    if( !PQsendQueryParams(pg, zDealloc, 0, NULL, NULL, NULL, NULL, 0) ) goto sendfail;
  }
  if( !PQsendPrepare(pg, p->zName, p->zSql, 0, NULL)
   || !PQsendDescribePrepared(pg, p->zName)
   || !PQpipelineSync(pg) ) goto sendfail;
  collectPipeline(c, x.nDealloc+2, takePrep, &x);
  PQexitPipelineMode(pg);
  /* The queue loses exactly the names the server let go of, whatever
  ** became of the prepare (a prepare refused after successful DEALLOCATEs
  ** must not leave those names queued: a second DEALLOCATE of one would
  ** fail and abort every later prepare's pipeline). A name the server
  ** refused to DEALLOCATE is not there to free: drop it too, and prepare
  ** again, since the failure aborted the rest of that pipeline. */
  dequeueDealloc(c, x.nDeallocOk + x.bDeallocFail);
  if( x.bDeallocFail && !bRetry
   && PQtransactionStatus(pg)==PQTRANS_IDLE && PQstatus(pg)==CONNECTION_OK ){
    PQclear(x.pPrep);
    PQclear(x.pDesc);
    bRetry = 1;
    goto again;
  }
  if( !resultOk(x.pPrep) ){
    const char *zMsg = x.pPrep ? PQresultErrorField(x.pPrep, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if( zMsg && strstr(zMsg, "cannot insert multiple commands into a prepared statement") ){
      rc = dz_dberr_set(pErr, DZ_MISUSE,
          "The supplied SQL string contains more than one statement (use exec for scripts)");
    }else{
      rc = pgErr(c, x.pPrep, pErr);
    }
    PQclear(x.pPrep);
    PQclear(x.pDesc);
    return rc;
  }
  PQclear(x.pPrep);
  if( !resultOk(x.pDesc) ){
    rc = pgErr(c, x.pDesc, pErr);
    PQclear(x.pDesc);
    return rc;
  }
  rc = stmtSetShape(p, x.pDesc, pErr);
  if( rc ) return rc;
  p->iName = c->iNextName;
  p->iGen = c->iGen;
  return DZ_OK;

sendfail:
  rc = pgErr(c, NULL, pErr);
  /* Drain whatever was queued so the connection leaves pipeline mode. */
  if( PQpipelineSync(pg) ) collectPipeline(c, x.nDealloc+2, takePrep, &x);
  PQclear(x.pPrep);
  PQclear(x.pDesc);
  PQexitPipelineMode(pg);
  return rc;
}

/* Prepared in this session? If not (xReconnect ran), prepare again. */
static int stmtEnsurePrepared(PgStmt *p, dz_dberr *pErr){
  int rc = connUsable(p->pConn, pErr);
  if( rc ) return rc;
  if( p->iName!=0 && p->iGen==p->pConn->iGen ) return DZ_OK;
  return stmtPrepareOnServer(p, pErr);
}

static void stmtFree(PgStmt *p){
  stmtClearShape(p);
  PQclear(p->pRes);
  dz_buf_free(&p->scratch);
  dz_free(p->zSql, p->nSql+1);
  dz_free(p, sizeof(*p));
}

static int pgPrepare(dz_conn *pConn, const char *zSql, size_t nSql,
                     dz_stmt **ppStmt, dz_dberr *pErr){
  PgConn *c = CONN(pConn);
  PgStmt *p;
  int rc;
  *ppStmt = NULL;
  if( zSql==NULL ) return dz_dberr_set(pErr, DZ_MISUSE, "pg: no SQL text");
  rc = connUsable(c, pErr);
  if( rc ) return rc;
  dropBatch(c);
  if( isEmptySql(zSql, nSql) ){
    return dz_dberr_set(pErr, DZ_MISUSE, "The supplied SQL string contains no statements");
  }
  if( memchr(zSql, 0, nSql) ){
    return dz_dberr_set(pErr, DZ_MISUSE, "pg: SQL text contains a NUL byte");
  }
  p = dz_malloc(sizeof(*p));
  if( p==NULL ) return dz_dberr_set(pErr, DZ_NOMEM, "pg: out of memory");
  memset(p, 0, sizeof(*p));
  dz_buf_init(&p->scratch);
  p->pConn = c;
  p->zSql = dz_strdup(zSql, nSql);
  p->nSql = nSql;
  if( p->zSql==NULL ){
    dz_free(p, sizeof(*p));
    return dz_dberr_set(pErr, DZ_NOMEM, "pg: out of memory");
  }
  rc = stmtPrepareOnServer(p, pErr);
  if( rc ){
    stmtFree(p);
    return rc;
  }
  c->nRef++;
  *ppStmt = (dz_stmt*)p;
  return DZ_OK;
}

/* Back to "bound or not, not run": drop the result. */
static void stmtDropResult(PgStmt *p){
  PQclear(p->pRes);
  p->pRes = NULL;
  p->eState = S_READY;
  p->iRow = -1;
  p->nRow = 0;
}

/* int64 to decimal, no printf; returns the length. z needs 21 bytes. */
static int formatInt(char *z, int64_t v){
  char aTmp[24];
  uint64_t u = v<0 ? (uint64_t)0-(uint64_t)v : (uint64_t)v;
  int n = 0, i = 0;
  do{ aTmp[n++] = (char)('0' + u%10); u /= 10; }while( u );
  if( v<0 ) z[i++] = '-';
  while( n>0 ) z[i++] = aTmp[--n];
  z[i] = 0;
  return i;
}

/* The shortest %.Ng that reads back as exactly f (15 digits cover most
** values, 17 always do), so 0.1 binds as "0.1", not "0.10000000000000001";
** NaN and the infinities as PostgreSQL's float8in spells them. */
static int formatFloat(char *z, size_t nz, double f){
  if( isnan(f) ) return snprintf(z, nz, "NaN");
  if( isinf(f) ) return snprintf(z, nz, f>0 ? "Infinity" : "-Infinity");
  return dz_double_to_text(z, nz, 15, f);
}

/* The refusals of bindOne, on their own: xBatch checks every item before
** it sends the first, so a bad value means nothing ran. */
static int checkValue(const dz_value *pVal, int i, dz_dberr *pErr){
  switch( pVal->t ){
    case DZ_NULL: case DZ_BOOL: case DZ_INT: case DZ_FLOAT:
      return DZ_OK;
    case DZ_TEXT:
      if( pVal->u.s.n>0 && memchr(pVal->u.s.z, 0, pVal->u.s.n) ){
        int rc = dz_dberr_set(pErr, DZ_DRIVER,
            "invalid byte sequence for encoding \"UTF8\": 0x00 (parameter %d; bind binary data as a blob)", i+1);
        if( pErr ) memcpy(pErr->zState, "22021", 6);
        return rc;
      }
      return DZ_OK;
    case DZ_BLOB:
      if( pVal->u.s.n>(size_t)INT_MAX ){
        return dz_dberr_set(pErr, DZ_MISUSE, "pg: blob parameter %d too long (%zu bytes)", i+1, pVal->u.s.n);
      }
      return DZ_OK;
    case DZ_PLACEHOLDER:
      return dz_dberr_set(pErr, DZ_MISUSE, "placeholder not filled: \"%.*s\" (parameter %d)",
                          (int)(pVal->u.s.n > 200 ? 200 : pVal->u.s.n),
                          pVal->u.s.z ? pVal->u.s.z : "", i+1);
    default:
      return dz_dberr_set(pErr, DZ_MISUSE, "parameter %d has unknown value type %d",
                          i+1, (int)pVal->t);
  }
}

/* Bind value i (0-based), already checked, into the arrays; see the file
** header. An allocation failure is left in the scratch buffer's sticky
** error. */
static void bindOne(PgStmt *p, int i, const dz_value *pVal){
  char zNum[40];
  int n;
  p->aOff[i] = (size_t)-1;
  p->anLen[i] = 0;
  p->anFmt[i] = 0;
  p->azVal[i] = NULL;
  switch( pVal->t ){
    case DZ_NULL:
      return;
    case DZ_BOOL:
      p->azVal[i] = pVal->u.i ? "t" : "f";
      return;
    case DZ_INT:
      n = formatInt(zNum, pVal->u.i);
      p->aOff[i] = p->scratch.n;
      dz_buf_add(&p->scratch, zNum, (size_t)n+1);
      return;
    case DZ_FLOAT:
      n = formatFloat(zNum, sizeof(zNum), pVal->u.f);
      p->aOff[i] = p->scratch.n;
      dz_buf_add(&p->scratch, zNum, (size_t)n+1);
      return;
    case DZ_TEXT:
      p->aOff[i] = p->scratch.n;
      dz_buf_add(&p->scratch, pVal->u.s.n ? pVal->u.s.z : "", pVal->u.s.n);
      dz_buf_addc(&p->scratch, 0);
      return;
    case DZ_BLOB:
      p->azVal[i] = pVal->u.s.z ? pVal->u.s.z : "";
      p->anLen[i] = (int)pVal->u.s.n;
      p->anFmt[i] = 1;
      return;
    default:
      return;                      /* checkValue refused it already */
  }
}

/* Parameter count and every value acceptable? */
static int checkValues(PgStmt *p, const dz_value *aVal, int nVal, dz_dberr *pErr){
  int i, rc;
  if( nVal!=p->nParam ){
    return dz_dberr_set(pErr, DZ_MISUSE, "pg: statement takes %d parameters, %d given",
                        p->nParam, nVal);
  }
  for(i=0; i<nVal; i++){
    rc = checkValue(&aVal[i], i, pErr);
    if( rc ) return rc;
  }
  return DZ_OK;
}

static int stmtBind(PgStmt *p, const dz_value *aVal, int nVal, dz_dberr *pErr){
  int i, rc;
  stmtDropResult(p);
  p->bBound = 0;
  rc = stmtEnsurePrepared(p, pErr);
  if( rc ) return rc;
  rc = checkValues(p, aVal, nVal, pErr);
  if( rc ) return rc;
  dz_buf_reset(&p->scratch);
  for(i=0; i<nVal; i++){
    bindOne(p, i, &aVal[i]);
  }
  if( p->scratch.err ) return dz_dberr_set(pErr, DZ_NOMEM, "pg: out of memory");
  /* The scratch buffer may have moved while growing: pointers last. */
  for(i=0; i<nVal; i++){
    if( p->aOff[i]!=(size_t)-1 ) p->azVal[i] = p->scratch.z + p->aOff[i];
  }
  p->bBound = 1;
  return DZ_OK;
}

static int pgBind(dz_stmt *pS, const dz_value *aVal, int nVal, dz_dberr *pErr){
  dropBatch(STMT(pS)->pConn);      /* a new operation: unread batch results go */
  return stmtBind(STMT(pS), aVal, nVal, pErr);
}

/* Parse PQcmdTuples ("" for commands without a count). */
static int64_t cmdCount(PGresult *res){
  const char *z = PQcmdTuples(res);
  int64_t n = 0;
  while( *z>='0' && *z<='9' ) n = n*10 + (*z++ - '0');
  return n;
}

/* Can p run now? Prepared in this session and bound (or parameterless). */
static int stmtReadyToRun(PgStmt *p, dz_dberr *pErr){
  int rc = stmtEnsurePrepared(p, pErr);
  if( rc ) return rc;
  if( !p->bBound && p->nParam>0 ){
    return dz_dberr_set(pErr, DZ_MISUSE, "pg: statement run before its %d parameters were bound", p->nParam);
  }
  return DZ_OK;
}

/* Install a result (from PQexecPrepared or a batch) as the current one. */
static void stmtTakeResult(PgStmt *p, PGresult *res){
  PQclear(p->pRes);
  p->pRes = res;
  p->eState = S_RESULT;
  p->iRow = -1;
  p->nRow = (res && PQresultStatus(res)==PGRES_TUPLES_OK) ? PQntuples(res) : 0;
}

/* Hot path: one call per row; the first runs the statement. */
static int pgStep(dz_stmt *pS, dz_dberr *pErr){
  PgStmt *p = STMT(pS);
  ExecStatusType st;
  if( p->eState==S_READY ){
    PgConn *c = p->pConn;
    PGresult *res;
    int rc;
    if( c->iBatchNext<c->nBatch && c->apBatchStmt[c->iBatchNext]==p ){
      /* The next unread result of a batch is this statement's. */
      res = c->apBatchRes[c->iBatchNext];
      c->apBatchRes[c->iBatchNext++] = NULL;
      if( c->iBatchNext==c->nBatch ) dropBatch(c);
      stmtTakeResult(p, res);
    }else{
      dropBatch(c);
      rc = stmtReadyToRun(p, pErr);
      if( rc ) return rc;
      res = PQexecPrepared(c->pg, p->zName, p->nParam,
                           p->nParam ? p->azVal : NULL, p->nParam ? p->anLen : NULL,
                           p->nParam ? p->anFmt : NULL, 0);
      stmtTakeResult(p, res);
    }
  }
  if( p->iRow+1<p->nRow ){
    p->iRow++;
    return DZ_ROW;
  }
  st = p->pRes ? PQresultStatus(p->pRes) : PGRES_FATAL_ERROR;
  if( st==PGRES_TUPLES_OK || st==PGRES_COMMAND_OK || st==PGRES_EMPTY_QUERY ){
    p->iRow = p->nRow;
    p->pConn->nChanges = cmdCount(p->pRes);
    return DZ_DONE;
  }
  if( st==PGRES_PIPELINE_ABORTED ){
    int rc = dz_dberr_set(pErr, DZ_DRIVER, "pg: not run: an earlier statement of the batch failed");
    if( pErr ) memcpy(pErr->zState, "25P02", 6);
    return rc;
  }
  return pgErr(p->pConn, p->pRes, pErr);
}

static int pgColumnCount(dz_stmt *pS){
  return STMT(pS)->nCol;
}

static const char *pgColumnName(dz_stmt *pS, int i){
  PgStmt *p = STMT(pS);
  if( p->pDesc==NULL || i<0 || i>=p->nCol ) return NULL;
  return PQfname(p->pDesc, i);
}

/* Decimal text to int64, exactly (INT64_MIN included). The server's
** output is well-formed; no overflow checks needed. */
static int64_t parseInt(const char *z){
  int bNeg = *z=='-';
  uint64_t u = 0;
  if( bNeg ) z++;
  while( *z>='0' && *z<='9' ) u = u*10 + (uint64_t)(*z++ - '0');
  return bNeg ? -(int64_t)(u-1) - 1 : (int64_t)u;
}

static int hexVal(char ch){
  if( ch>='0' && ch<='9' ) return ch-'0';
  if( ch>='a' && ch<='f' ) return ch-'a'+10;
  return ch-'A'+10;
}

/* Decode a bytea cell into column i's buffer, so every bytea cell of a
** row stays valid at once. Hex form ("\x...") decoded here; the legacy
** escape form (bytea_output = escape) through PQunescapeBytea. */
static void decodeBytea(PgStmt *p, int i, const char *z, size_t n, dz_value *pOut){
  PgBlob *b;
  size_t nOut, k;
  unsigned char *zFree = NULL;
  if( p->aBlob==NULL ){
    p->aBlob = dz_malloc(sizeof(PgBlob)*(size_t)p->nCol);
    if( p->aBlob==NULL ) goto nomem;
    memset(p->aBlob, 0, sizeof(PgBlob)*(size_t)p->nCol);
  }
  b = &p->aBlob[i];
  if( n>=2 && z[0]=='\\' && z[1]=='x' ){
    nOut = (n-2)/2;
  }else{
    zFree = PQunescapeBytea((const unsigned char*)z, &nOut);
    if( zFree==NULL ) goto nomem;
  }
  if( nOut+1>b->nAlloc ){
    char *zNew = dz_realloc(b->z, b->nAlloc, nOut+1);
    if( zNew==NULL ){ PQfreemem(zFree); goto nomem; }
    b->z = zNew;
    b->nAlloc = nOut+1;
  }
  if( zFree ){
    memcpy(b->z, zFree, nOut);
    PQfreemem(zFree);
  }else{
    for(k=0; k<nOut; k++){
      b->z[k] = (char)((hexVal(z[2+2*k])<<4) | hexVal(z[3+2*k]));
    }
  }
  b->z[nOut] = 0;
  pOut->t = DZ_BLOB;
  pOut->u.s.z = b->z;
  pOut->u.s.n = nOut;
  return;
nomem:
  /* No error channel in xColumn: a cell we could not decode reads as NULL,
  ** as sqlite's driver does for its one out-of-memory case. */
  pOut->t = DZ_NULL;
}

/* Hot path: one call per cell. */
static void pgColumn(dz_stmt *pS, int i, dz_value *pOut){
  PgStmt *p = STMT(pS);
  PGresult *res = p->pRes;
  const char *z;
  if( res==NULL || p->iRow<0 || p->iRow>=p->nRow || i<0 || i>=p->nCol
   || PQgetisnull(res, p->iRow, i) ){
    pOut->t = DZ_NULL;
    return;
  }
  z = PQgetvalue(res, p->iRow, i);
  switch( p->aType[i] ){
    case OID_INT2: case OID_INT4: case OID_INT8: case OID_OID:
      pOut->t = DZ_INT;
      pOut->u.i = parseInt(z);
      return;
    case OID_FLOAT4: case OID_FLOAT8:
      pOut->t = DZ_FLOAT;
      pOut->u.f = dz_text_to_double(z);
      return;
    case OID_BOOL:
      pOut->t = DZ_BOOL;
      pOut->u.i = z[0]=='t';
      return;
    case OID_BYTEA:
      decodeBytea(p, i, z, (size_t)PQgetlength(res, p->iRow, i), pOut);
      return;
    default:
      pOut->t = DZ_TEXT;
      pOut->u.s.z = z;
      pOut->u.s.n = (size_t)PQgetlength(res, p->iRow, i);
      return;
  }
}

static int pgColumnDbType(dz_stmt *pS, int i){
  PgStmt *p = STMT(pS);
  if( i<0 || i>=p->nCol ) return 0;
  return (int)p->aType[i];
}

/* Drop the result and the bindings (the caller may now release the bytes
** they borrowed). */
static int pgReset(dz_stmt *pS){
  PgStmt *p = STMT(pS);
  stmtDropResult(p);
  p->bBound = 0;
  return DZ_OK;
}

static void pgFinalize(dz_stmt *pS){
  PgStmt *p = STMT(pS);
  PgConn *c;
  if( p==NULL ) return;
  c = p->pConn;
  dropBatch(c);                    /* it may be among them */
  if( c->pg && p->iName!=0 && p->iGen==c->iGen ) queueDealloc(c, p->iName);
  stmtFree(p);
  connRelease(c);
}

static int64_t pgChanges(dz_conn *p){
  return CONN(p)->nChanges;
}

static int64_t pgLastInsertId(dz_conn *p){
  (void)p;
  return 0;                     /* pg has no such thing: use returning */
}

/* Scripts and transaction control through the simple query protocol
** (several statements allowed); rows are discarded. */
static int pgExec(dz_conn *pConn, const char *zSql, dz_dberr *pErr){
  PgConn *c = CONN(pConn);
  PGresult *res;
  int rc;
  if( zSql==NULL ) return dz_dberr_set(pErr, DZ_MISUSE, "pg: no SQL text");
  rc = connUsable(c, pErr);
  if( rc ) return rc;
  dropBatch(c);
  res = PQexec(c->pg, zSql);
  if( !resultOk(res) ){
    rc = pgErr(c, res, pErr);
  }else{
    c->nChanges = cmdCount(res);
    rc = DZ_OK;
  }
  PQclear(res);
  if( rc==DZ_OK ) flushDealloc(c);
  return rc;
}

/* ----------------------------------------------------------------- batch */

static void takeBatch(void *pArg, int iQuery, PGresult *res){
  ((PgConn*)pArg)->apBatchRes[iQuery] = res;
}

/* Bind and send statement i of a batch. libpq copies the parameters into
** its output buffer, so the same statement can be bound again for a later
** item at once. */
static int batchSend(PgConn *c, PgStmt *p, const dz_value *aVal, int nVal, dz_dberr *pErr){
  int rc = stmtBind(p, aVal, nVal, pErr);
  if( rc ) return rc;
  p->bBound = 0;                   /* consumed: the batch result is what remains */
  if( !PQsendQueryPrepared(c->pg, p->zName, p->nParam,
                           p->nParam ? p->azVal : NULL, p->nParam ? p->anLen : NULL,
                           p->nParam ? p->anFmt : NULL, 0) ){
    return pgErr(c, NULL, pErr);
  }
  return DZ_OK;
}

/* See driver.h. Statements are prepared (again, after a reconnect) before
** the pipeline starts, since preparing uses a pipeline of its own. */
static int pgBatch(dz_conn *pConn, int nStmt, dz_stmt *const *apStmt,
                   const dz_value *const *aaVal, const int *anVal, dz_dberr *pErr){
  PgConn *c = CONN(pConn);
  PgStmt *const *ap = (PgStmt *const*)apStmt;
  int i, nSent, rc;
  void *pBlock;
  rc = connUsable(c, pErr);
  if( rc ) return rc;
  dropBatch(c);
  if( nStmt<=0 ) return DZ_OK;
  for(i=0; i<nStmt; i++){
    if( ap[i]->pConn!=c ) return dz_dberr_set(pErr, DZ_MISUSE, "pg: batch item %d: statement of another connection", i+1);
    rc = stmtEnsurePrepared(ap[i], pErr);
    if( rc==DZ_OK ) rc = checkValues(ap[i], aaVal ? aaVal[i] : NULL, anVal ? anVal[i] : 0, pErr);
    if( rc ) return rc;
  }
  pBlock = dz_malloc((sizeof(PGresult*)+sizeof(PgStmt*))*(size_t)nStmt);
  if( pBlock==NULL ) return dz_dberr_set(pErr, DZ_NOMEM, "pg: out of memory");
  memset(pBlock, 0, (sizeof(PGresult*)+sizeof(PgStmt*))*(size_t)nStmt);
  if( !PQenterPipelineMode(c->pg) ){
    dz_free(pBlock, (sizeof(PGresult*)+sizeof(PgStmt*))*(size_t)nStmt);
    return pgErr(c, NULL, pErr);
  }
  c->apBatchRes = (PGresult**)pBlock;
  c->apBatchStmt = (PgStmt**)(c->apBatchRes + nStmt);
  c->nBatch = nStmt;
  c->iBatchNext = 0;
  rc = DZ_OK;
  for(nSent=0; nSent<nStmt && rc==DZ_OK; nSent++){
    rc = batchSend(c, ap[nSent], aaVal ? aaVal[nSent] : NULL, anVal ? anVal[nSent] : 0, pErr);
    c->apBatchStmt[nSent] = ap[nSent];
  }
  if( rc ) nSent--;                /* the failed one was not sent */
  /* Even after a failed send, sync and drain: the connection must leave
  ** pipeline mode with nothing pending. */
  if( PQpipelineSync(c->pg) ) collectPipeline(c, nSent, takeBatch, c);
  PQexitPipelineMode(c->pg);
  if( rc ){
    dropBatch(c);
    return rc;
  }
  for(i=0; i<nStmt; i++){
    PGresult *res = c->apBatchRes[i];
    if( res==NULL ) return pgErr(c, NULL, pErr);
    if( PQresultStatus(res)==PGRES_FATAL_ERROR ) return pgErr(c, res, pErr);
  }
  return DZ_OK;
}

const dz_driver dz_driver_pg = {
  "pg",
  pgOpen,
  pgClose,
  pgPrepare,
  pgBind,
  pgStep,
  pgColumnCount,
  pgColumnName,
  pgColumn,
  pgColumnDbType,
  pgReset,
  pgFinalize,
  pgChanges,
  pgLastInsertId,
  pgExec,
  pgSetNotice,
  pgBroken,
  pgReconnect,
  pgBatch,
  NULL,            /* xStreamNext: libpq's single-row mode costs a PGresult per row */
};
