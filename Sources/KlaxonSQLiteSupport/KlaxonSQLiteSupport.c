#include "KlaxonSQLiteSupport.h"

int klaxon_sqlite_enable_qpsg(sqlite3 *db) {
    int enabled = 0;
    int status = sqlite_nio_sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_QPSG, 1, &enabled);
    return status == SQLITE_OK && enabled ? SQLITE_OK : (status == SQLITE_OK ? SQLITE_ERROR : status);
}
