import { sql } from 'kysely'
import type { Db } from '../../../db/connection.js'
import { isPostgres } from '../../../db/dialect.js'

/**
 * After patient data were erased: on SQLite, the erased values are already overwritten in the
 * file (`secure_delete`, set on the connection), but the write-ahead log still holds the old
 * pages until a checkpoint, which this forces and truncates. PostgreSQL's dead tuples go with
 * its (auto)VACUUM.
 */
export async function flushErasedPages (db: Db): Promise<void> {
  if (!isPostgres(db)) await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db)
}
