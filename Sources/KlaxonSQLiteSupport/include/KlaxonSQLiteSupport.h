#ifndef KLAXON_SQLITE_SUPPORT_H
#define KLAXON_SQLITE_SUPPORT_H

#include "sqlite_nio_sqlite3.h"

/// Turns on SQLite's query planner stability guarantee for a connection, so a cached prepared statement keeps
/// its plan whatever values are bound. Without it SQLite re-plans a statement whenever a bound integer changes
/// to or from 0 or 1 (organisation 1 is the default one), which cost more than the query itself.
/// `sqlite3_db_config` is variadic, and Swift cannot call variadic C functions; hence this wrapper.
int klaxon_sqlite_enable_qpsg(sqlite3 *db);

#endif
