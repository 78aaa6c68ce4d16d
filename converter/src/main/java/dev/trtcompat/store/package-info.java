/** The database: SQLite or PostgreSQL, connection pool, migrations and transactions. */
package dev.trtcompat.store;
