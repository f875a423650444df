import { createRequire } from 'node:module'
import type pg from 'pg'
import { Kysely, PostgresDialect } from 'kysely'
import type { Db } from './connection.js'
import type { Database } from './types.js'

const require = createRequire(import.meta.url)
let pgModule: typeof pg | undefined
/**
 * The `pg` package, loaded the first time PostgreSQL is opened: a server on SQLite never needs
 * it, and it weighs ~10 MB of the process's memory (docs/performance.md, "Memory").
 */
export function loadPg (): typeof pg {
  pgModule ??= require('pg') as typeof pg
  return pgModule
}

/** PostgreSQL type OIDs whose parsing differs from what better-sqlite3 returns. */
const OID = { bool: 16, int8: 20, numeric: 1700, date: 1082, timestamp: 1114, timestamptz: 1184 } as const

/**
 * Values read as better-sqlite3 reads them, so that app code is the same on both engines:
 * - int8 (`count(*)`, `sum()` of integers, bigint columns) and numeric (`sum()` of bigints,
 *   `avg()`) become JS numbers, not strings;
 * - booleans (a comparison selected as a column) become 1 or 0, as SQLite has no boolean;
 * - dates and timestamps stay the text PostgreSQL sends: instants are stored as ISO text anyway,
 *   and a Date would not compare with them.
 * Set on each pool (not pg's global `types`), so that no other pg user in the process is changed.
 */
export const sqliteLikeTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format === undefined || format === 'text') {
      switch (oid) {
        case OID.bool: return (v: string) => (v === 't' ? 1 : 0)
        case OID.int8:
        case OID.numeric: return Number
        case OID.date:
        case OID.timestamp:
        case OID.timestamptz: return String
      }
    }
    return loadPg().types.getTypeParser(oid, format)
  }) as pg.CustomTypesConfig['getTypeParser']
}

export interface PostgresOptions {
  /** Connections kept by the pool (pg's default: 10). */
  max?: number
  /** Called when an idle connection fails (e.g. the server restarted); the pool replaces it. */
  onIdleError?: (err: Error) => void
}

/** pg sets it from the server's BackendKeyData at connect (not in @types/pg). */
const backendPid = (client: pg.PoolClient): number | null => (client as unknown as { processID: number | null }).processID

/** The server processes behind each pool's open connections, by the Kysely that owns the pool. */
const backendsByDb = new WeakMap<Kysely<Database>, ReadonlySet<number>>()

/**
 * The PostgreSQL backend process ids of `db`'s open pool connections (empty for a database not
 * opened by `openPostgres`). A NOTIFY carries the id of the process that sent it: one of these
 * means the notification comes from a commit of this very server.
 */
export function backendPidsOf (db: Kysely<Database>): ReadonlySet<number> {
  return backendsByDb.get(db) ?? new Set()
}

const poolsByDb = new WeakMap<Kysely<Database>, pg.Pool>()

/** The `pg` pool under `db` (metrics: connections in use, waiting); undefined on SQLite. */
export function poolOf (db: Kysely<Database>): pg.Pool | undefined {
  return poolsByDb.get(db)
}

/**
 * Opens PostgreSQL through a `pg` pool. The URL may carry pg's own options, e.g.
 * `postgres://u@host/db?options=-c%20search_path%3Dmy_schema` for a schema of one's own.
 * Every query still goes through kysely; only the dialect changes.
 */
export function openPostgres (url: string, opts: PostgresOptions = {}): Db {
  const pool = new (loadPg().Pool)({
    connectionString: url,
    application_name: 'creneaux',
    types: sqliteLikeTypes,
    ...(opts.max === undefined ? {} : { max: opts.max })
  })
  // Without a listener, an idle connection's error (server restart, network cut) would end the process.
  pool.on('error', opts.onIdleError ?? ((err) => { console.error(`PostgreSQL: idle connection lost: ${err.message}`) }))
  const pids = new Set<number>()
  pool.on('connect', (client) => { const pid = backendPid(client); if (pid !== null) pids.add(pid) })
  pool.on('remove', (client) => { const pid = backendPid(client); if (pid !== null) pids.delete(pid) })
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  backendsByDb.set(db, pids)
  poolsByDb.set(db, pool)
  return db
}
