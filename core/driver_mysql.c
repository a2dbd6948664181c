/*
** driver_mysql.c: the dz_driver over MariaDB Connector/C (Debian's
** libmariadb-dev; the libmysqlclient API), for MariaDB and MySQL servers.
**
** Why it looks the way it does:
**   - Every statement is a server-side prepared statement in the binary
**     protocol (mysql_stmt_*): values never become SQL text, cells arrive
**     typed (an int is 8 bytes, not digits to parse), and the Lua binding
**     caches dz_stmt objects per connection by SQL text, so a statement is
**     prepared once and executed many times.
**   - Multi-statements are off on the connection (a prepared statement can
**     only ever be one statement, and an injected "; drop table" can never
**     run). xExec, which runs migration scripts, scans the script (quotes,
**     comments and all) and, only when it holds more than one statement,
**     turns them on with mysql_set_server_option for that one call and off
**     again. We do not split scripts ourselves: a CREATE PROCEDURE body
**     (BEGIN ... ; ... END) holds semicolons only the server's parser knows
**     how to read. A one-statement xExec (begin, commit, savepoint) costs
**     one round trip, as it should.
**   - utf8mb4, and CLIENT_FOUND_ROWS: affected rows of an UPDATE count the
**     rows matched, not only those changed, as mysql2 (Drizzle's driver)
**     reports them.
**   - Results are buffered client-side (mysql_stmt_store_result) right
**     after execute, unless the caller asked for a stream (xStreamNext).
**     Buffered, the connection is free for the next statement even if the
**     caller stops reading half way, or runs another statement while
**     iterating. Streamed, rows are decoded while the server still sends
**     (on 100k rows the Lua read of every row went from 1.66 to 1.10-1.34
**     us/row); the binding streams only reads it finishes in C, with no
**     Lua decoder in between. A stream left open (an error half way) is
**     read to its end before the next command on the connection
**     (settleStream), and a statement finalized meanwhile by the garbage
**     collector is closed only when the stream ends (its COM_STMT_CLOSE
**     would otherwise go out in the middle of the rows).
**   - Cells are decoded in C by column type (see colKind()); long strings
**     grow their buffer once (MYSQL_DATA_TRUNCATED + mysql_stmt_fetch_column)
**     and keep it for the next rows. A cell's bytes live in per-column
**     buffers of the statement: valid until the next step, reset or
**     finalize, as driver.h promises.
**   - Lifetimes. A dz_stmt may outlive its dz_conn (Lua collects in any
**     order), so the connection struct is reference counted: one reference
**     for the open handle and one per statement. xClose closes the MYSQL
**     handle at once (Connector/C then detaches its statements, whose
**     mysql_stmt_close later frees memory only) and the struct goes with
**     the last reference.
**   - Lost connections (2006 server gone, 2013 lost, 1927 killed; MySQL 8
**     also 4031 for an idle timeout) are a
**     plain DZ_DRIVER error with that errno. Auto-reconnect of the client
**     library stays off: it would silently drop every prepared statement
**     and the transaction. xReconnect opens a new connection with the same
**     target and bumps a generation counter; a statement of an older
**     generation re-prepares from its kept SQL text on its next xBind.
**   - xColumnDbType: MYSQL_TYPE_* | DZ_MYSQL_UNSIGNED | DZ_MYSQL_BINARY |
**     DZ_MYSQL_JSON (dz_driver.h).
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>
#include <errmsg.h>

#include "dz_driver.h"

#if !defined(MARIADB_BASE_VERSION) && !defined(MARIADB_VERSION_ID) && MYSQL_VERSION_ID >= 80001
typedef bool my_bool;                 /* MySQL 8's libmysqlclient dropped my_bool */
#endif

#ifndef ER_CONNECTION_KILLED
#define ER_CONNECTION_KILLED 1927     /* MariaDB: "Connection was killed" */
#define ER_CLIENT_INTERACTION_TIMEOUT 4031  /* MySQL 8: idle session closed by the server */
#endif
#define BINARY_CHARSET 63             /* charsetnr of binary strings and blobs */
#define TEXT_START 256                /* first buffer size for a string cell */

/* ------------------------------------------------------------ structures */

struct dz_conn {
  MYSQL *db;              /* NULL once closed, or after a failed reconnect */
  int nRef;               /* 1 for the open handle + 1 per live dz_stmt */
  unsigned gen;           /* bumped by every reconnect */
  int bClosed;            /* xClose was called (only statements keep it alive) */
  int bBroken;            /* the server connection was lost (xBroken) */
  int64_t nChanges;       /* affected rows of the last non-SELECT */
  int64_t iLastId;        /* its insert id (first id of a multi-row insert) */
  dz_stmt *pStream;       /* the statement whose rows are streaming, or NULL */
  MYSQL_STMT **apLate;    /* statements finalized while a stream was open */
  unsigned nLate, nLateAlloc;
  /* the target, decoded, kept for xReconnect */
  char *zHost, *zUser, *zPass, *zDb, *zSocket;
  unsigned int iPort;
};

/* How a column's cells are decoded; chosen once per execute from the
** field's type, flags and charset. */
enum {
  K_INT,        /* signed integer types: bound LONGLONG */
  K_UINT,       /* unsigned integer types: LONGLONG unsigned; > INT64_MAX as text */
  K_FLOAT,      /* FLOAT: bound as float, widened through its shortest decimal */
  K_DOUBLE,
  K_TEXT,       /* strings, DECIMAL, JSON, ENUM/SET: bytes as text */
  K_BLOB,       /* binary charset strings/blobs, GEOMETRY */
  K_BIT,        /* BIT(n): big-endian bytes -> integer */
  K_DATE,       /* DATE / NEWDATE */
  K_DATETIME,   /* DATETIME / TIMESTAMP */
  K_TIME        /* TIME (signed, hours may exceed 24) */
};

typedef struct myCol {
  int eKind;
  int iDbType;            /* xColumnDbType's answer */
  unsigned nFsp;          /* fractional digits of a temporal column */
  my_bool isNull, isErr;
  unsigned long nLen;     /* byte length of a string cell */
  union { long long i; double f; float r; MYSQL_TIME tm; } u;
  char *zBuf;             /* string cells; grown, never shrunk */
  unsigned long nCap;
  char zFmt[48];          /* formatted dates, times, big unsigned ints */
  unsigned long nFmt;     /* its length (nLen stays the fetched length) */
} myCol;

enum { S_READY, S_ROWS, S_DONE, S_DROPPED };

struct dz_stmt {
  dz_conn *pConn;
  MYSQL_STMT *st;         /* NULL when a re-prepare failed */
  unsigned gen;           /* pConn->gen this statement was prepared under */
  char *zSql; size_t nSql;
  int eState;
  int bBound;             /* parameters bound since the last reset */
  int bStream;            /* xStreamNext: the next execute streams its rows */
  unsigned nParam;
  MYSQL_BIND *aParam;     /* nParam */
  union { long long i; double f; signed char b; } *aParamVal;
  unsigned nCol;
  MYSQL_RES *pMeta;       /* result metadata (column names, types) */
  MYSQL_BIND *aRes;       /* nCol */
  myCol *aCol;            /* nCol */
};

/* ------------------------------------------------------------ errors */

/* Fill *pErr with the server's (or the client library's) account of a
** failure: errno, SQLSTATE, message. Out-of-memory in the client library
** stays DZ_NOMEM; anything else is DZ_DRIVER. */
static int fillErr(unsigned iErrno, const char *zState, const char *zMsg, dz_dberr *pErr){
  int rc = iErrno==CR_OUT_OF_MEMORY ? DZ_NOMEM : DZ_DRIVER;
  if( pErr==NULL ) return rc;
  dz_dberr_clear(pErr);
  pErr->iCode = (int)iErrno;
  snprintf(pErr->zState, sizeof(pErr->zState), "%s", zState ? zState : "");
  snprintf(pErr->zMsg, sizeof(pErr->zMsg), "%s", zMsg && zMsg[0] ? zMsg : "mysql: unknown error");
  return rc;
}

/* A lost connection marks pConn broken (xBroken) until xReconnect. */
static void noteLost(dz_conn *pConn, unsigned iErrno){
  if( iErrno==CR_SERVER_GONE_ERROR || iErrno==CR_SERVER_LOST || iErrno==ER_CONNECTION_KILLED
   || iErrno==ER_CLIENT_INTERACTION_TIMEOUT ){
    pConn->bBroken = 1;
  }
}

static int connErr(dz_conn *pConn, MYSQL *db, dz_dberr *pErr){
  noteLost(pConn, mysql_errno(db));
  return fillErr(mysql_errno(db), mysql_sqlstate(db), mysql_error(db), pErr);
}

/* A statement's failure. An error that arrives in the middle of streamed
** rows (KILL QUERY, a lost connection) is recorded by Connector/C on the
** connection handle only, so that is where it is read from then. */
static int stmtErr(dz_conn *pConn, MYSQL_STMT *st, dz_dberr *pErr){
  if( mysql_stmt_errno(st)==0 && st->mysql && mysql_errno(st->mysql) ) return connErr(pConn, st->mysql, pErr);
  noteLost(pConn, mysql_stmt_errno(st));
  return fillErr(mysql_stmt_errno(st), mysql_stmt_sqlstate(st), mysql_stmt_error(st), pErr);
}

/* Why a connection without a handle refuses: closed by the caller (misuse),
** or the last reconnect failed (a lost connection, as the server would say). */
static int connGone(dz_conn *pConn, dz_dberr *pErr){
  if( pConn->bClosed ) return dz_dberr_set(pErr, DZ_MISUSE, "mysql: the connection is closed");
  return fillErr(CR_SERVER_GONE_ERROR, "HY000",
                 "mysql: not connected (the last reconnect failed; reconnect again)", pErr);
}

/* --------------------------------------------------------- target (URL) */

static int hexVal(int c){
  if( c>='0' && c<='9' ) return c-'0';
  if( c>='a' && c<='f' ) return c-'a'+10;
  if( c>='A' && c<='F' ) return c-'A'+10;
  return -1;
}

/* A NUL-terminated, percent-decoded copy of [z, z+n), or NULL on OOM.
** A '%' not followed by two hex digits is kept as it is. */
static char *decodeDup(const char *z, size_t n){
  char *zOut = dz_malloc(n+1);
  size_t i, j = 0;
  if( zOut==NULL ) return NULL;
  for(i=0; i<n; i++){
    int hi = -1, lo = -1;
    if( z[i]=='%' && i+2<n ){
      hi = hexVal((unsigned char)z[i+1]);
      lo = hexVal((unsigned char)z[i+2]);
    }
    if( hi>=0 && lo>=0 && (hi|lo)!=0 ){      /* %00 would end the C string: kept as is */
      zOut[j++] = (char)(hi*16 + lo);
      i += 2;
    }else{
      zOut[j++] = z[i];
    }
  }
  zOut[j] = 0;
  if( j<n ){    /* exact size, so freeStr's strlen()+1 is the allocated size */
    char *zNew = dz_realloc(zOut, n+1, j+1);
    if( zNew==NULL ){ dz_free(zOut, n+1); return NULL; }
    zOut = zNew;
  }
  return zOut;
}

static void freeStr(char **pz){
  if( *pz ){ dz_free(*pz, strlen(*pz)+1); *pz = NULL; }
}

static void freeTarget(dz_conn *p){
  freeStr(&p->zHost); freeStr(&p->zUser); freeStr(&p->zPass);
  freeStr(&p->zDb); freeStr(&p->zSocket);
}

/* Parse mysql://user:pass@host:port/db?socket=/path into p. Every part but
** the host is optional; "[::1]" is an IPv6 host; user, password, database
** and socket are percent-decoded. A host of "localhost" (or a socket=
** parameter) means the unix socket, as in every MySQL client. */
static int parseTarget(dz_conn *p, const char *zUrl, dz_dberr *pErr){
  const char *z = zUrl, *zEnd, *zAt, *zSlash, *zQ, *zHostEnd, *zColon;
  if( strncmp(z, "mysql://", 8)==0 ) z += 8;
  else if( strncmp(z, "mariadb://", 10)==0 ) z += 10;
  else return dz_dberr_set(pErr, DZ_MISUSE, "mysql: target must be a URL mysql://user:pass@host:port/db, got \"%.200s\"", zUrl);
  zEnd = z + strlen(z);
  zQ = strchr(z, '?'); if( zQ==NULL ) zQ = zEnd;
  zSlash = memchr(z, '/', (size_t)(zQ-z)); if( zSlash==NULL ) zSlash = zQ;
  /* userinfo: the last '@' before the path (a password may hold '@' encoded or not) */
  zAt = NULL;
  { const char *q; for(q=z; q<zSlash; q++) if( *q=='@' ) zAt = q; }
  if( zAt ){
    const char *zC = memchr(z, ':', (size_t)(zAt-z));
    if( zC ){
      p->zUser = decodeDup(z, (size_t)(zC-z));
      p->zPass = decodeDup(zC+1, (size_t)(zAt-zC-1));
      if( p->zUser==NULL || p->zPass==NULL ) goto nomem;
    }else{
      p->zUser = decodeDup(z, (size_t)(zAt-z));
      if( p->zUser==NULL ) goto nomem;
    }
    z = zAt+1;
  }
  /* host[:port] */
  if( *z=='[' ){
    const char *zB = memchr(z, ']', (size_t)(zSlash-z));
    if( zB==NULL ) return dz_dberr_set(pErr, DZ_MISUSE, "mysql: unterminated [ in host of \"%.200s\"", zUrl);
    p->zHost = decodeDup(z+1, (size_t)(zB-z-1));
    zHostEnd = zB+1;
    zColon = (zHostEnd<zSlash && *zHostEnd==':') ? zHostEnd : NULL;
  }else{
    zColon = memchr(z, ':', (size_t)(zSlash-z));
    zHostEnd = zColon ? zColon : zSlash;
    p->zHost = decodeDup(z, (size_t)(zHostEnd-z));
  }
  if( p->zHost==NULL ) goto nomem;
  if( zColon ){
    char *zE;
    long n;
    errno = 0;
    n = strtol(zColon+1, &zE, 10);
    if( zE!=zSlash || n<=0 || n>65535 || errno ){
      return dz_dberr_set(pErr, DZ_MISUSE, "mysql: bad port in \"%.200s\"", zUrl);
    }
    p->iPort = (unsigned)n;
  }
  if( zSlash<zQ && zQ-zSlash>1 ){
    p->zDb = decodeDup(zSlash+1, (size_t)(zQ-zSlash-1));
    if( p->zDb==NULL ) goto nomem;
  }
  /* ?name=value&... : only socket is known; anything else is refused, so a
  ** typo (?sslmode=) is not silently ignored. */
  z = zQ<zEnd ? zQ+1 : zEnd;
  while( z<zEnd ){
    const char *zAmp = strchr(z, '&'), *zEq;
    if( zAmp==NULL ) zAmp = zEnd;
    zEq = memchr(z, '=', (size_t)(zAmp-z));
    if( zEq && zEq-z==6 && memcmp(z, "socket", 6)==0 ){
      freeStr(&p->zSocket);
      p->zSocket = decodeDup(zEq+1, (size_t)(zAmp-zEq-1));
      if( p->zSocket==NULL ) goto nomem;
    }else if( zAmp>z ){
      return dz_dberr_set(pErr, DZ_MISUSE, "mysql: unknown URL parameter \"%.*s\" (known: socket)",
                          (int)(zAmp-z > 100 ? 100 : zAmp-z), z);
    }
    z = zAmp<zEnd ? zAmp+1 : zEnd;
  }
  return DZ_OK;
nomem:
  return dz_dberr_set(pErr, DZ_NOMEM, "mysql: out of memory");
}

/* ------------------------------------------------------------ connection */

/* A connected MYSQL handle for p's target, or NULL with *pErr filled. */
static MYSQL *connectTarget(dz_conn *p, int *pRc, dz_dberr *pErr){
  MYSQL *db = mysql_init(NULL);
  my_bool bOn = 1;
  my_bool bOff = 0;
  unsigned long mFlag = CLIENT_FOUND_ROWS;
  const char *zHost = p->zHost && p->zHost[0] ? p->zHost : "localhost";
  if( db==NULL ){
    *pRc = dz_dberr_set(pErr, DZ_NOMEM, "mysql: out of memory (mysql_init)");
    return NULL;
  }
  mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  mysql_options(db, MYSQL_REPORT_DATA_TRUNCATION, &bOn);
  mysql_options(db, MYSQL_OPT_RECONNECT, &bOff);
  if( p->zSocket ) zHost = "localhost";  /* a socket is only used for localhost */
  if( mysql_real_connect(db, zHost, p->zUser, p->zPass, p->zDb, p->iPort,
                         p->zSocket, mFlag)==NULL ){
    *pRc = connErr(p, db, pErr);
    mysql_close(db);
    return NULL;
  }
  *pRc = DZ_OK;
  return db;
}

/* ------------------------------------------------------------ streams */

/* Close the statements myFinalize kept while a stream was open. */
static void closeLate(dz_conn *p){
  unsigned i;
  for(i=0; i<p->nLate; i++) mysql_stmt_close(p->apLate[i]);
  p->nLate = 0;
}

/* The stream is over: read to its end, dropped, or its handle closed. */
static void endStream(dz_conn *p){
  p->pStream = NULL;
  closeLate(p);
}

/* Called before anything is sent on the connection for statement pNext
** (NULL: for the connection itself). A stream another statement left open
** is read to its end and dropped; that statement's next step says so. */
static void settleStream(dz_conn *p, dz_stmt *pNext){
  dz_stmt *s = p->pStream;
  if( s==NULL || s==pNext ) return;
  if( s->st ) mysql_stmt_free_result(s->st);
  s->eState = S_DROPPED;
  endStream(p);
}

/* Keep st to be closed when the stream ends. 0 when out of memory. */
static int closeLater(dz_conn *p, MYSQL_STMT *st){
  if( p->nLate==p->nLateAlloc ){
    unsigned nNew = p->nLateAlloc ? p->nLateAlloc*2 : 8;
    MYSQL_STMT **a = dz_realloc(p->apLate, sizeof(*a)*p->nLateAlloc, sizeof(*a)*nNew);
    if( a==NULL ) return 0;
    p->apLate = a;
    p->nLateAlloc = nNew;
  }
  p->apLate[p->nLate++] = st;
  return 1;
}

static void connRelease(dz_conn *p){
  if( --p->nRef>0 ) return;
  closeLate(p);
  dz_free(p->apLate, sizeof(*p->apLate)*p->nLateAlloc);
  freeTarget(p);
  dz_free(p, sizeof(*p));
}

static int myOpen(const char *zTarget, int flags, dz_conn **ppConn, dz_dberr *pErr){
  dz_conn *p;
  int rc;
  (void)flags;   /* read-only / no-create are sqlite notions */
  *ppConn = NULL;
  if( zTarget==NULL ) return dz_dberr_set(pErr, DZ_MISUSE, "mysql: no target URL");
  p = dz_malloc(sizeof(*p));
  if( p==NULL ) return dz_dberr_set(pErr, DZ_NOMEM, "mysql: out of memory");
  memset(p, 0, sizeof(*p));
  p->nRef = 1;
  rc = parseTarget(p, zTarget, pErr);
  if( rc==DZ_OK ) p->db = connectTarget(p, &rc, pErr);
  if( rc!=DZ_OK ){
    connRelease(p);
    return rc;
  }
  *ppConn = p;
  return DZ_OK;
}

static void myClose(dz_conn *p){
  if( p==NULL ) return;
  if( p->db ){ mysql_close(p->db); p->db = NULL; }
  endStream(p);   /* the handle's statements are detached: closing frees memory only */
  p->bClosed = 1;
  connRelease(p);
}

/* New connection, same target. The old handle is closed first (its
** statements are detached by the client library and re-prepare lazily). */
static int myReconnect(dz_conn *p, dz_dberr *pErr){
  int rc;
  MYSQL *db;
  if( p->bClosed ) return connGone(p, pErr);
  if( p->db ){ mysql_close(p->db); p->db = NULL; }
  endStream(p);
  p->gen++;
  p->bBroken = 1;
  db = connectTarget(p, &rc, pErr);
  if( db==NULL ) return rc;
  p->db = db;
  p->bBroken = 0;
  p->nChanges = 0;
  p->iLastId = 0;
  return DZ_OK;
}

/* ------------------------------------------------------------ SQL scanning */

/* The end of the first statement of [z, zEnd): the first ';' outside
** quotes and comments, or zEnd. Knows MySQL's lexical rules: '..' and
** ".." with backslash escapes and doubled quotes, `..` identifiers,
** "-- " and "#" line comments and C-style block comments. */
static const char *stmtEnd(const char *z, const char *zEnd){
  while( z<zEnd ){
    char c = *z;
    if( c==';' ) return z;
    if( c=='\'' || c=='"' || c=='`' ){
      z++;
      while( z<zEnd ){
        if( *z=='\\' && c!='`' ){ z += 2; continue; }
        if( *z==c ){
          if( z+1<zEnd && z[1]==c ){ z += 2; continue; }
          break;
        }
        z++;
      }
      z++;
    }else if( c=='#' || (c=='-' && z+2<=zEnd && z[1]=='-'
                         && (z+2==zEnd || z[2]==' ' || z[2]=='\t' || z[2]=='\n' || z[2]=='\r')) ){
      while( z<zEnd && *z!='\n' ) z++;
    }else if( c=='/' && z+1<zEnd && z[1]=='*' ){
      z += 2;
      while( z+1<zEnd && !(z[0]=='*' && z[1]=='/') ) z++;
      z += 2;
    }else{
      z++;
    }
  }
  return zEnd;
}

/* Is there anything other than whitespace, ';' and comments in [z, zEnd)? */
static int hasSql(const char *z, const char *zEnd){
  while( z<zEnd ){
    char c = *z;
    if( c==' ' || c=='\t' || c=='\n' || c=='\r' || c=='\f' || c=='\v' || c==';' ){
      z++;
    }else if( c=='#' || (c=='-' && z+1<zEnd && z[1]=='-') ){
      while( z<zEnd && *z!='\n' ) z++;
    }else if( c=='/' && z+1<zEnd && z[1]=='*' ){
      z += 2;
      while( z+1<zEnd && !(z[0]=='*' && z[1]=='/') ) z++;
      z += 2;
    }else{
      return 1;
    }
  }
  return 0;
}

/* ------------------------------------------------------------ statements */

/* Float cells: widen through the shortest decimal that reads back as the
** same float, so FLOAT 1.1 reads 1.1 (as the server's text protocol, and
** so mysql2, shows it) and not 1.100000023841858. */
static double widenFloat(float r){
  char z[32];
  int p;
  for(p=6; p<9; p++){
    snprintf(z, sizeof(z), "%.*g", p, (double)r);
    if( strtof(z, NULL)==r ) return strtod(z, NULL);
  }
  return (double)r;
}

static int colKind(const MYSQL_FIELD *f){
  switch( f->type ){
    case MYSQL_TYPE_TINY: case MYSQL_TYPE_SHORT: case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG: case MYSQL_TYPE_INT24: case MYSQL_TYPE_YEAR:
      return (f->flags & UNSIGNED_FLAG) ? K_UINT : K_INT;
    case MYSQL_TYPE_FLOAT:  return K_FLOAT;
    case MYSQL_TYPE_DOUBLE: return K_DOUBLE;
    case MYSQL_TYPE_BIT:    return K_BIT;
    case MYSQL_TYPE_DATE: case MYSQL_TYPE_NEWDATE: return K_DATE;
    case MYSQL_TYPE_DATETIME: case MYSQL_TYPE_TIMESTAMP: return K_DATETIME;
    case MYSQL_TYPE_TIME:   return K_TIME;
    case MYSQL_TYPE_DECIMAL: case MYSQL_TYPE_NEWDECIMAL: case MYSQL_TYPE_NULL:
      return K_TEXT;
#ifdef MYSQL_TYPE_JSON
    case MYSQL_TYPE_JSON:   return K_TEXT;   /* MySQL 8 marks JSON binary; it is text */
#endif
    default:
      return f->charsetnr==BINARY_CHARSET ? K_BLOB : K_TEXT;
  }
}

/* Is this MariaDB column JSON? (extended metadata, MariaDB 10.5+) */
static int isJsonField(const MYSQL_FIELD *f){
#ifdef MYSQL_TYPE_JSON
  if( f->type==MYSQL_TYPE_JSON ) return 1;
#endif
#ifdef MARIADB_FIELD_ATTR_LAST
  {
    MARIADB_CONST_STRING s;
    if( mariadb_field_attr(&s, f, MARIADB_FIELD_ATTR_FORMAT_NAME)==0
        && s.length==4 && memcmp(s.str, "json", 4)==0 ) return 1;
  }
#endif
  return 0;
}

/* Drop everything that depends on the result shape. */
static void freeResultShape(dz_stmt *p){
  unsigned i;
  if( p->aCol ){
    for(i=0; i<p->nCol; i++) if( p->aCol[i].zBuf ) dz_free(p->aCol[i].zBuf, p->aCol[i].nCap);
    dz_free(p->aCol, sizeof(myCol)*p->nCol);
    p->aCol = NULL;
  }
  if( p->aRes ){ dz_free(p->aRes, sizeof(MYSQL_BIND)*p->nCol); p->aRes = NULL; }
  if( p->pMeta ){ mysql_free_result(p->pMeta); p->pMeta = NULL; }
  p->nCol = 0;
}

/* Point aRes[i] at aCol[i]'s storage with the buffer type of its kind. */
static void bindCol(MYSQL_BIND *b, myCol *c){
  memset(b, 0, sizeof(*b));
  b->is_null = &c->isNull;
  b->error = &c->isErr;
  b->length = &c->nLen;
  switch( c->eKind ){
    case K_INT: case K_UINT:
      b->buffer_type = MYSQL_TYPE_LONGLONG;
      b->buffer = &c->u.i;
      b->is_unsigned = c->eKind==K_UINT;
      break;
    case K_FLOAT:  b->buffer_type = MYSQL_TYPE_FLOAT;  b->buffer = &c->u.r; break;
    case K_DOUBLE: b->buffer_type = MYSQL_TYPE_DOUBLE; b->buffer = &c->u.f; break;
    case K_DATE:   b->buffer_type = MYSQL_TYPE_DATE;     b->buffer = &c->u.tm; break;
    case K_DATETIME: b->buffer_type = MYSQL_TYPE_DATETIME; b->buffer = &c->u.tm; break;
    case K_TIME:   b->buffer_type = MYSQL_TYPE_TIME;     b->buffer = &c->u.tm; break;
    default:       /* K_TEXT, K_BLOB, K_BIT: raw bytes */
      b->buffer_type = c->eKind==K_TEXT ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
      b->buffer = c->zBuf;
      b->buffer_length = c->nCap;
      break;
  }
}

/* (Re)build the per-column decoding state from the statement's result
** metadata. Called after prepare and whenever an execute reports a
** different column count. */
static int setupResult(dz_stmt *p, dz_dberr *pErr){
  unsigned i, n;
  MYSQL_FIELD *aField;
  freeResultShape(p);
  n = mysql_stmt_field_count(p->st);
  if( n==0 ) return DZ_OK;
  p->pMeta = mysql_stmt_result_metadata(p->st);
  if( p->pMeta==NULL ) return stmtErr(p->pConn, p->st, pErr);
  p->aCol = dz_malloc(sizeof(myCol)*n);
  p->aRes = dz_malloc(sizeof(MYSQL_BIND)*n);
  if( p->aCol==NULL || p->aRes==NULL ){
    if( p->aCol ){ dz_free(p->aCol, sizeof(myCol)*n); p->aCol = NULL; }
    if( p->aRes ){ dz_free(p->aRes, sizeof(MYSQL_BIND)*n); p->aRes = NULL; }
    mysql_free_result(p->pMeta); p->pMeta = NULL;
    return dz_dberr_set(pErr, DZ_NOMEM, "mysql: out of memory");
  }
  memset(p->aCol, 0, sizeof(myCol)*n);
  p->nCol = n;
  aField = mysql_fetch_fields(p->pMeta);
  for(i=0; i<n; i++){
    myCol *c = &p->aCol[i];
    const MYSQL_FIELD *f = &aField[i];
    c->eKind = colKind(f);
    c->nFsp = f->decimals;
    c->iDbType = (int)f->type;
    if( (f->flags & UNSIGNED_FLAG) && (c->eKind==K_UINT) ) c->iDbType |= DZ_MYSQL_UNSIGNED;
    if( c->eKind==K_BLOB ) c->iDbType |= DZ_MYSQL_BINARY;
    if( isJsonField(f) ) c->iDbType |= DZ_MYSQL_JSON;
    if( c->eKind==K_TEXT || c->eKind==K_BLOB || c->eKind==K_BIT ){
      unsigned long nWant = f->length+1 < TEXT_START ? f->length+1 : TEXT_START;
      if( nWant<16 ) nWant = 16;
      c->zBuf = dz_malloc(nWant);
      if( c->zBuf==NULL ){ freeResultShape(p); return dz_dberr_set(pErr, DZ_NOMEM, "mysql: out of memory"); }
      c->nCap = nWant;
    }
    bindCol(&p->aRes[i], c);
  }
  if( mysql_stmt_bind_result(p->st, p->aRes) ) return stmtErr(p->pConn, p->st, pErr);
  return DZ_OK;
}

static void freeParams(dz_stmt *p){
  if( p->aParam ){ dz_free(p->aParam, sizeof(MYSQL_BIND)*p->nParam); p->aParam = NULL; }
  if( p->aParamVal ){ dz_free(p->aParamVal, sizeof(*p->aParamVal)*p->nParam); p->aParamVal = NULL; }
  p->nParam = 0;
}

/* Allocate the parameter arrays for the statement's parameter count. */
static int setupParams(dz_stmt *p, dz_dberr *pErr){
  unsigned n = (unsigned)mysql_stmt_param_count(p->st);
  freeParams(p);
  if( n==0 ) return DZ_OK;
  p->aParam = dz_malloc(sizeof(MYSQL_BIND)*n);
  p->aParamVal = dz_malloc(sizeof(*p->aParamVal)*n);
  if( p->aParam==NULL || p->aParamVal==NULL ){
    if( p->aParam ){ dz_free(p->aParam, sizeof(MYSQL_BIND)*n); p->aParam = NULL; }
    if( p->aParamVal ){ dz_free(p->aParamVal, sizeof(*p->aParamVal)*n); p->aParamVal = NULL; }
    return dz_dberr_set(pErr, DZ_NOMEM, "mysql: out of memory");
  }
  memset(p->aParam, 0, sizeof(MYSQL_BIND)*n);
  p->nParam = n;
  return DZ_OK;
}

/* Prepare p->zSql on the connection's current handle (first time, or
** again after a reconnect). */
static int prepareOn(dz_stmt *p, dz_dberr *pErr){
  dz_conn *pConn = p->pConn;
  int rc;
  settleStream(pConn, p);
  if( p->st ){ mysql_stmt_close(p->st); p->st = NULL; }
  if( pConn->pStream==p ) endStream(pConn);
  freeResultShape(p);
  p->eState = S_READY;
  p->bBound = 0;
  if( pConn->db==NULL ){
    return connGone(p->pConn, pErr);
  }
  p->st = mysql_stmt_init(pConn->db);
  if( p->st==NULL ) return dz_dberr_set(pErr, DZ_NOMEM, "mysql: out of memory (mysql_stmt_init)");
  if( mysql_stmt_prepare(p->st, p->zSql, (unsigned long)p->nSql) ){
    rc = stmtErr(p->pConn, p->st, pErr);
    mysql_stmt_close(p->st);
    p->st = NULL;
    return rc;
  }
  p->gen = pConn->gen;
  rc = setupParams(p, pErr);
  if( rc==DZ_OK ) rc = setupResult(p, pErr);
  return rc;
}

/* The garbage collector may finalize a statement while another one's rows
** stream: its close then waits for the stream to end (closeLater). */
static void myFinalize(dz_stmt *p){
  dz_conn *pConn;
  if( p==NULL ) return;
  pConn = p->pConn;
  if( p->st ){
    int bOther = pConn->pStream!=NULL && pConn->pStream!=p;
    if( !bOther || !closeLater(pConn, p->st) ){
      settleStream(pConn, p);
      mysql_stmt_close(p->st);   /* only frees memory if the connection is gone */
    }
  }
  if( pConn->pStream==p ) endStream(pConn);
  p->st = NULL;
  freeResultShape(p);
  freeParams(p);
  connRelease(p->pConn);
  dz_free(p->zSql, p->nSql+1);
  dz_free(p, sizeof(*p));
}

/* Compile exactly one statement; see driver.h. A trailing ';' (and
** comments after it) is dropped: the server's prepare refuses it. */
static int myPrepare(dz_conn *pConn, const char *zSql, size_t nSql,
                     dz_stmt **ppStmt, dz_dberr *pErr){
  const char *zStop;
  dz_stmt *p;
  int rc;
  *ppStmt = NULL;
  if( zSql==NULL ) return dz_dberr_set(pErr, DZ_MISUSE, "mysql: no SQL text");
  if( pConn->db==NULL ) return connGone(pConn, pErr);
  zStop = stmtEnd(zSql, zSql+nSql);
  if( !hasSql(zSql, zStop) ){
    return dz_dberr_set(pErr, DZ_MISUSE, "The supplied SQL string contains no statements");
  }
  if( hasSql(zStop, zSql+nSql) ){
    return dz_dberr_set(pErr, DZ_MISUSE,
        "The supplied SQL string contains more than one statement (use exec for scripts)");
  }
  if( nSql>ULONG_MAX-1 ) return dz_dberr_set(pErr, DZ_MISUSE, "mysql: SQL text too long");
  p = dz_malloc(sizeof(*p));
  if( p==NULL ) return dz_dberr_set(pErr, DZ_NOMEM, "mysql: out of memory");
  memset(p, 0, sizeof(*p));
  p->nSql = (size_t)(zStop-zSql);
  p->zSql = dz_strdup(zSql, p->nSql);
  if( p->zSql==NULL ){ dz_free(p, sizeof(*p)); return dz_dberr_set(pErr, DZ_NOMEM, "mysql: out of memory"); }
  p->pConn = pConn;
  pConn->nRef++;
  rc = prepareOn(p, pErr);
  if( rc!=DZ_OK ){ myFinalize(p); return rc; }
  *ppStmt = p;
  return DZ_OK;
}

/* Make p usable on the connection's current handle: re-prepare after a
** reconnect. */
static int ensureFresh(dz_stmt *p, dz_dberr *pErr){
  if( p->pConn->db==NULL ){
    return connGone(p->pConn, pErr);
  }
  if( p->st!=NULL && p->gen==p->pConn->gen ) return DZ_OK;
  return prepareOn(p, pErr);
}

/* Drop a pending result (buffered rows, or the rest of a stream). No
** round trip: COM_STMT_RESET is only needed for cursors and long data. */
static void dropResult(dz_stmt *p){
  if( p->eState==S_ROWS && p->st ) mysql_stmt_free_result(p->st);
  p->eState = S_READY;
  if( p->pConn->pStream==p ) endStream(p->pConn);
}

/* Bind one value to parameter i (0-based). Text and blob bytes are
** borrowed (the MYSQL_BIND points at them until execute sends them). */
static int bindOne(dz_stmt *p, unsigned i, const dz_value *v, dz_dberr *pErr){
  MYSQL_BIND *b = &p->aParam[i];
  memset(b, 0, sizeof(*b));
  switch( v->t ){
    case DZ_NULL:
      b->buffer_type = MYSQL_TYPE_NULL;
      break;
    case DZ_INT:
      p->aParamVal[i].i = v->u.i;
      b->buffer_type = MYSQL_TYPE_LONGLONG;
      b->buffer = &p->aParamVal[i].i;
      break;
    case DZ_FLOAT:
      p->aParamVal[i].f = v->u.f;
      b->buffer_type = MYSQL_TYPE_DOUBLE;
      b->buffer = &p->aParamVal[i].f;
      break;
    case DZ_BOOL:
      p->aParamVal[i].b = v->u.i!=0;
      b->buffer_type = MYSQL_TYPE_TINY;
      b->buffer = &p->aParamVal[i].b;
      break;
    case DZ_TEXT: case DZ_BLOB:
      if( v->u.s.n>ULONG_MAX ) return dz_dberr_set(pErr, DZ_MISUSE, "mysql: parameter %u too long", i+1);
      b->buffer_type = v->t==DZ_TEXT ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
      b->buffer = (void*)(v->u.s.z ? v->u.s.z : "");
      b->buffer_length = (unsigned long)v->u.s.n;
      break;
    case DZ_PLACEHOLDER:
      return dz_dberr_set(pErr, DZ_MISUSE, "placeholder not filled: \"%.*s\" (parameter %u)",
                          (int)(v->u.s.n > 200 ? 200 : v->u.s.n),
                          v->u.s.z ? v->u.s.z : "", i+1);
    default:
      return dz_dberr_set(pErr, DZ_MISUSE, "parameter %u has unknown value type %d", i+1, (int)v->t);
  }
  return DZ_OK;
}

static int myBind(dz_stmt *p, const dz_value *aVal, int nVal, dz_dberr *pErr){
  int rc;
  unsigned i;
  rc = ensureFresh(p, pErr);
  if( rc!=DZ_OK ) return rc;
  dropResult(p);
  p->bBound = 0;
  if( nVal<0 || (unsigned)nVal!=p->nParam ){
    return dz_dberr_set(pErr, DZ_MISUSE, "statement expects %u parameter%s, got %d",
                        p->nParam, p->nParam==1 ? "" : "s", nVal);
  }
  for(i=0; i<p->nParam; i++){
    rc = bindOne(p, i, &aVal[i], pErr);
    if( rc!=DZ_OK ) return rc;
  }
  if( p->nParam && mysql_stmt_bind_param(p->st, p->aParam) ) return stmtErr(p->pConn, p->st, pErr);
  p->bBound = 1;
  return DZ_OK;
}

/* Did the server's columns change under us (a table altered, or dropped
** and created again, between executes)? The server re-prepares the
** statement and sends the new column definitions with the execute; the
** client library copies them into the statement's fields. A changed count
** needs new buffers; so does a changed type: a varchar fetched into the
** int64 buffer of a former int column would be silently converted (to 0). */
static int resultChanged(dz_stmt *p){
  unsigned i;
  const MYSQL_FIELD *aField;
  if( mysql_stmt_field_count(p->st)!=p->nCol ) return 1;
  aField = p->st->fields;
  if( aField==NULL ) return 0;
  for(i=0; i<p->nCol; i++){
    const MYSQL_FIELD *f = &aField[i];
    const myCol *c = &p->aCol[i];
    if( colKind(f)!=c->eKind || (int)f->type!=DZ_MYSQL_TYPE(c->iDbType) || f->decimals!=c->nFsp ) return 1;
  }
  return 0;
}

/* Grow the buffers of the cells the last fetch truncated and fetch those
** cells again, whole. The grown buffers stay bound for the next rows. */
static int refetchTruncated(dz_stmt *p, dz_dberr *pErr){
  unsigned i;
  int bRebind = 0;
  for(i=0; i<p->nCol; i++){
    myCol *c = &p->aCol[i];
    if( c->isNull || c->zBuf==NULL || c->nLen<c->nCap ) continue;
    {
      unsigned long nNew = c->nLen+1;
      char *z = dz_realloc(c->zBuf, c->nCap, nNew);
      if( z==NULL ) return dz_dberr_set(pErr, DZ_NOMEM, "mysql: out of memory (a %lu byte cell)", c->nLen);
      c->zBuf = z;
      c->nCap = nNew;
      bindCol(&p->aRes[i], c);
      if( mysql_stmt_fetch_column(p->st, &p->aRes[i], i, 0) ) return stmtErr(p->pConn, p->st, pErr);
      bRebind = 1;
    }
  }
  if( bRebind && mysql_stmt_bind_result(p->st, p->aRes) ) return stmtErr(p->pConn, p->st, pErr);
  return DZ_OK;
}

/* The table under a cached statement changed its columns (ALTER TABLE, or
** dropped and created again): the server re-prepared it, and Connector/C
** refuses the execute with CR_NEW_STMT_METADATA when the column count no
** longer matches the bound result buffers (MariaDB caches result metadata
** and does not always flag the change). Prepare again, keep the parameters
** already bound (their bytes are borrowed from the caller until the step),
** and let the caller execute once more. Closing the statement also drops
** the result the refused execute left unread, which would otherwise put
** the connection out of sync. */
static int reprepareBound(dz_stmt *p, dz_dberr *pErr){
  MYSQL_BIND *aParam = p->aParam;
  void *aVal = p->aParamVal;
  unsigned nParam = p->nParam;
  int bBound = p->bBound, rc;
  p->aParam = NULL; p->aParamVal = NULL; p->nParam = 0;
  rc = prepareOn(p, pErr);
  if( rc==DZ_OK && p->nParam!=nParam ){
    rc = dz_dberr_set(pErr, DZ_MISUSE, "mysql: statement changed its parameter count on re-prepare");
  }
  if( rc!=DZ_OK ){
    if( aParam ){ dz_free(aParam, sizeof(MYSQL_BIND)*nParam); dz_free(aVal, sizeof(*p->aParamVal)*nParam); }
    return rc;
  }
  freeParams(p);
  p->aParam = aParam; p->aParamVal = aVal; p->nParam = nParam;
  if( nParam && bBound ){
    if( mysql_stmt_bind_param(p->st, p->aParam) ) return stmtErr(p->pConn, p->st, pErr);
    p->bBound = 1;
  }
  return DZ_OK;
}

/* First step: execute, record changes / insert id, buffer the rows (or
** start streaming them, xStreamNext). */
static int execute(dz_stmt *p, dz_dberr *pErr){
  dz_conn *pConn = p->pConn;
  int bStream = p->bStream;
  int rc;
  p->bStream = 0;
  rc = ensureFresh(p, pErr);
  if( rc!=DZ_OK ) return rc;
  settleStream(pConn, p);
  if( p->nParam && !p->bBound ){
    return dz_dberr_set(pErr, DZ_MISUSE, "mysql: statement has %u parameters and none are bound", p->nParam);
  }
  if( mysql_stmt_execute(p->st) ){
    if( mysql_stmt_errno(p->st)!=CR_NEW_STMT_METADATA ) return stmtErr(p->pConn, p->st, pErr);
    rc = reprepareBound(p, pErr);
    if( rc!=DZ_OK ) return rc;
    if( mysql_stmt_execute(p->st) ) return stmtErr(p->pConn, p->st, pErr);
  }
  if( mysql_stmt_field_count(p->st)==0 ){
    pConn->nChanges = (int64_t)mysql_stmt_affected_rows(p->st);
    pConn->iLastId = (int64_t)mysql_stmt_insert_id(p->st);
    p->eState = S_DONE;
    return DZ_DONE;
  }
  if( resultChanged(p) ){
    rc = setupResult(p, pErr);
    if( rc!=DZ_OK ){ mysql_stmt_free_result(p->st); return rc; }
  }
  p->eState = S_ROWS;
  if( bStream ){
    pConn->pStream = p;
    return DZ_ROW;
  }
  if( mysql_stmt_store_result(p->st) ){
    rc = stmtErr(p->pConn, p->st, pErr);
    dropResult(p);
    return rc;
  }
  return DZ_ROW;   /* "rows may follow": the caller's step fetches */
}

static int myStep(dz_stmt *p, dz_dberr *pErr){
  int rc;
  if( p->eState==S_DONE ) return DZ_DONE;
  if( p->eState==S_DROPPED ){
    return dz_dberr_set(pErr, DZ_MISUSE, "mysql: the rest of this statement's rows was dropped: "
                        "another statement ran on the connection before they were read");
  }
  if( p->eState==S_READY ){
    rc = execute(p, pErr);
    if( rc!=DZ_ROW ) return rc;
  }
  rc = mysql_stmt_fetch(p->st);
  if( rc==0 ) return DZ_ROW;
  if( rc==MYSQL_NO_DATA ){
    dropResult(p);
    p->eState = S_DONE;
    return DZ_DONE;
  }
  if( rc==MYSQL_DATA_TRUNCATED ){
    rc = refetchTruncated(p, pErr);
    return rc==DZ_OK ? DZ_ROW : rc;
  }
  rc = stmtErr(p->pConn, p->st, pErr);
  dropResult(p);
  p->eState = S_DONE;
  return rc;
}

static int myColumnCount(dz_stmt *p){
  return (int)p->nCol;
}

static const char *myColumnName(dz_stmt *p, int i){
  if( p->pMeta==NULL || i<0 || (unsigned)i>=p->nCol ) return NULL;
  return mysql_fetch_fields(p->pMeta)[i].name;
}

/* "HH:MM:SS[.ffffff]" of a MYSQL_TIME with nFsp fractional digits; an
** unknown fsp (an expression) shows six digits when there is a fraction,
** none otherwise. */
static int fmtFrac(char *z, size_t n, unsigned long us, unsigned nFsp){
  static const unsigned long aDiv[] = { 1000000, 100000, 10000, 1000, 100, 10, 1 };
  if( nFsp>6 ){ if( us==0 ) return 0; nFsp = 6; }
  if( nFsp==0 ) return 0;
  return snprintf(z, n, ".%0*lu", (int)nFsp, us / aDiv[nFsp]);
}

static void fmtTemporal(myCol *c){
  const MYSQL_TIME *t = &c->u.tm;
  char *z = c->zFmt;
  size_t n = sizeof(c->zFmt);
  int k;
  switch( c->eKind ){
    case K_DATE:
      k = snprintf(z, n, "%04u-%02u-%02u", t->year, t->month, t->day);
      break;
    case K_DATETIME:
      k = snprintf(z, n, "%04u-%02u-%02u %02u:%02u:%02u",
                   t->year, t->month, t->day, t->hour, t->minute, t->second);
      k += fmtFrac(z+k, n-(size_t)k, t->second_part, c->nFsp);
      break;
    default: /* K_TIME: the binary protocol splits hours into days + hours */
      k = snprintf(z, n, "%s%02u:%02u:%02u", t->neg ? "-" : "",
                   t->day*24 + t->hour, t->minute, t->second);
      k += fmtFrac(z+k, n-(size_t)k, t->second_part, c->nFsp);
      break;
  }
  c->nFmt = (unsigned long)k;
}

/* Hot path: one call per cell. Integers, doubles and strings are read in
** place; only temporals, BIT and huge unsigned values format into zFmt. */
static void myColumn(dz_stmt *p, int i, dz_value *pOut){
  myCol *c;
  if( i<0 || (unsigned)i>=p->nCol || p->eState!=S_ROWS ){ pOut->t = DZ_NULL; return; }
  c = &p->aCol[i];
  if( c->isNull ){ pOut->t = DZ_NULL; return; }
  switch( c->eKind ){
    case K_INT:
      pOut->t = DZ_INT; pOut->u.i = c->u.i; return;
    case K_UINT:
      if( c->u.i>=0 ){ pOut->t = DZ_INT; pOut->u.i = c->u.i; return; }
      c->nFmt = (unsigned long)snprintf(c->zFmt, sizeof(c->zFmt), "%llu", (unsigned long long)c->u.i);
      pOut->t = DZ_TEXT; pOut->u.s.z = c->zFmt; pOut->u.s.n = c->nFmt;
      return;
    case K_FLOAT:
      pOut->t = DZ_FLOAT; pOut->u.f = widenFloat(c->u.r); return;
    case K_DOUBLE:
      pOut->t = DZ_FLOAT; pOut->u.f = c->u.f; return;
    case K_TEXT: case K_BLOB:
      pOut->t = c->eKind==K_TEXT ? DZ_TEXT : DZ_BLOB;
      pOut->u.s.z = c->zBuf;
      pOut->u.s.n = c->nLen;
      return;
    case K_BIT: {
      unsigned long long u = 0;
      unsigned long k;
      for(k=0; k<c->nLen && k<8; k++) u = (u<<8) | (unsigned char)c->zBuf[k];
      if( u<=(unsigned long long)INT64_MAX ){ pOut->t = DZ_INT; pOut->u.i = (int64_t)u; return; }
      c->nFmt = (unsigned long)snprintf(c->zFmt, sizeof(c->zFmt), "%llu", u);
      pOut->t = DZ_TEXT; pOut->u.s.z = c->zFmt; pOut->u.s.n = c->nFmt;
      return;
    }
    default:
      fmtTemporal(c);
      pOut->t = DZ_TEXT; pOut->u.s.z = c->zFmt; pOut->u.s.n = c->nFmt;
      return;
  }
}

static int myColumnDbType(dz_stmt *p, int i){
  if( i<0 || (unsigned)i>=p->nCol ) return 0;
  return p->aCol[i].iDbType;
}

/* Ready to bind + step again; the bindings are dropped (they borrow the
** caller's bytes), so a statement with parameters must be bound again. */
static int myReset(dz_stmt *p){
  dropResult(p);
  p->bBound = 0;
  return DZ_OK;
}

/* See driver.h: the next execute skips mysql_stmt_store_result. */
static void myStreamNext(dz_stmt *p){
  p->bStream = 1;
}

static int64_t myChanges(dz_conn *p){ return p->nChanges; }

/* Lost (2006 / 2013 / 1927 / 4031 seen, or a reconnect failed) or closed. */
static int myBroken(dz_conn *p){ return p->bBroken || p->db==NULL; }
static int64_t myLastInsertId(dz_conn *p){ return p->iLastId; }

/* Run every result of the last query to its end, keeping changes / insert
** id of the last statement that had no rows. */
static int drainResults(dz_conn *p, dz_dberr *pErr){
  MYSQL *db = p->db;
  int st;
  do{
    MYSQL_RES *pRes = mysql_store_result(db);
    if( pRes ){
      mysql_free_result(pRes);
    }else if( mysql_field_count(db)==0 ){
      p->nChanges = (int64_t)mysql_affected_rows(db);
      p->iLastId = (int64_t)mysql_insert_id(db);
    }else{
      return connErr(p, db, pErr);
    }
    st = mysql_next_result(db);
    if( st>0 ) return connErr(p, db, pErr);
  }while( st==0 );
  return DZ_OK;
}

/* Scripts and transaction control. See the file header for why several
** statements are run by the server with multi-statements turned on for
** this call only. */
static int myExec(dz_conn *p, const char *zSql, dz_dberr *pErr){
  size_t n;
  const char *zStop;
  int bMulti, rc;
  if( zSql==NULL ) return dz_dberr_set(pErr, DZ_MISUSE, "mysql: no SQL text");
  if( p->db==NULL ) return connGone(p, pErr);
  settleStream(p, NULL);
  n = strlen(zSql);
  zStop = stmtEnd(zSql, zSql+n);
  if( !hasSql(zSql, zSql+n) ) return DZ_OK;
  bMulti = hasSql(zStop, zSql+n);
  if( !bMulti ) n = (size_t)(zStop-zSql);
  if( bMulti && mysql_set_server_option(p->db, MYSQL_OPTION_MULTI_STATEMENTS_ON) ){
    return connErr(p, p->db, pErr);
  }
  if( mysql_real_query(p->db, zSql, (unsigned long)n) ){
    rc = connErr(p, p->db, pErr);
  }else{
    rc = drainResults(p, pErr);
  }
  if( bMulti ){
    /* A failed statement stops the script; the rest is already discarded by
    ** the server. Turning the option off again must not hide the error. */
    while( mysql_more_results(p->db) && mysql_next_result(p->db)==0 ){}
    if( mysql_set_server_option(p->db, MYSQL_OPTION_MULTI_STATEMENTS_OFF) && rc==DZ_OK ){
      rc = connErr(p, p->db, pErr);
    }
  }
  return rc;
}

const dz_driver dz_driver_mysql = {
  "mysql",
  myOpen,
  myClose,
  myPrepare,
  myBind,
  myStep,
  myColumnCount,
  myColumnName,
  myColumn,
  myColumnDbType,
  myReset,
  myFinalize,
  myChanges,
  myLastInsertId,
  myExec,
  NULL,                 /* xSetNotice: MySQL has no asynchronous notices */
  myBroken,
  myReconnect,
  NULL,                 /* xBatch: statements run one at a time */
  myStreamNext,
};
