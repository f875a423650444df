import { openSqlite, type Db } from './connection.js'
import { openPostgres } from './postgres.js'

/** Where the data lives, as `loadConfig` reads it (`DATABASE_URL`, else the SQLite file of `DATA_DIR`). */
export interface DatabaseSettings {
  databaseUrl: string | null
  dbFile: string
}

/** Opens the database the settings name: PostgreSQL with `DATABASE_URL`, else the SQLite file. */
export function openDatabase (settings: DatabaseSettings): Db {
  return settings.databaseUrl === null ? openSqlite(settings.dbFile) : openPostgres(settings.databaseUrl)
}

/** The database for a log line: the SQLite file, or the PostgreSQL URL without its password. */
export function describeDatabase (settings: DatabaseSettings): string {
  if (settings.databaseUrl === null) return settings.dbFile
  try {
    const url = new URL(settings.databaseUrl)
    if (url.password !== '') url.password = '***'
    return url.toString()
  } catch {
    return 'PostgreSQL (DATABASE_URL)'
  }
}
