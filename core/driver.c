/*
** driver.c: the table of compiled-in drivers, and the dz_dberr helpers
** every driver shares.
**
** Why a table: the binding asks for a driver by the name the user wrote
** ("sqlite", "pg", "mysql"); which ones exist is decided at build time
** (DZ_HAVE_PG, DZ_HAVE_MYSQL), so a build without libpq still renders pg
** SQL and simply reports the pg driver as absent.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dz_driver.h"

#ifdef DZ_HAVE_PG
extern const dz_driver dz_driver_pg;
#endif
#ifdef DZ_HAVE_MYSQL
extern const dz_driver dz_driver_mysql;
#endif

static const dz_driver *const aDriver[] = {
  &dz_driver_sqlite,
#ifdef DZ_HAVE_PG
  &dz_driver_pg,
#endif
#ifdef DZ_HAVE_MYSQL
  &dz_driver_mysql,
#endif
};

/* Linear search: there are at most three, and it runs once per connect. */
const dz_driver *dz_driver_find(const char *zName){
  size_t i;
  if( zName==NULL ) return NULL;
  for(i=0; i<sizeof(aDriver)/sizeof(aDriver[0]); i++){
    if( strcmp(aDriver[i]->zName, zName)==0 ) return aDriver[i];
  }
  return NULL;
}

/* Empty every field, so a reused dz_dberr never shows a stale message. */
void dz_dberr_clear(dz_dberr *pErr){
  if( pErr==NULL ) return;
  pErr->iCode = 0;
  pErr->zState[0] = 0;
  pErr->zCodeName[0] = 0;
  pErr->zMsg[0] = 0;
  pErr->zDetail[0] = 0;
  pErr->zConstraint[0] = 0;
}

/* Report a failure that is ours, not the database's (misuse, out of
** memory). vsnprintf into the fixed buffer: no allocation, so this works
** when memory has run out. Returns rc so callers can `return dz_dberr_set(..)`. */
int dz_dberr_set(dz_dberr *pErr, int rc, const char *zFmt, ...){
  va_list ap;
  if( pErr==NULL ) return rc;
  dz_dberr_clear(pErr);
  va_start(ap, zFmt);
  vsnprintf(pErr->zMsg, sizeof(pErr->zMsg), zFmt, ap);
  va_end(ap);
  return rc;
}
