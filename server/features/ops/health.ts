import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import { migrations } from '../../../db/migrations/index.js'

export type CheckName = 'database' | 'migrations' | 'listen' | 'draining'
export interface Readiness {
  status: 'ready' | 'not ready'
  /** Each check: ok, or what is wrong (never data). */
  checks: Partial<Record<CheckName, string>>
  /** The checks that failed. */
  failed: CheckName[]
}

const LATEST = Object.keys(migrations).sort().at(-1) ?? ''
const QUERY_TIMEOUT_MS = 2000

function timeout<T> (p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([p, new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error('timed out')), ms) })]).finally(() => clearTimeout(timer))
}

/**
 * Whether this instance should be sent traffic: the database answers (one indexed read, which
 * is also the migrations' check: the last one applied is the last this code knows), on
 * PostgreSQL the LISTEN connection that hears the other instances' commits is up, and no drain
 * has begun.
 */
export async function readiness (db: Kysely<Database>, opts: { listening: boolean | null, draining: boolean }): Promise<Readiness> {
  const checks: Readiness['checks'] = {}
  try {
    const row = await timeout(db.selectFrom('kysely_migration' as never).select('name' as never).orderBy('name' as never, 'desc').limit(1).executeTakeFirst(), QUERY_TIMEOUT_MS) as { name: string } | undefined
    checks.database = 'ok'
    const last = row?.name ?? '(none)'
    checks.migrations = last === LATEST ? 'ok' : `database at ${last}, this server expects ${LATEST}`
  } catch (err) {
    checks.database = `unreachable: ${err instanceof Error ? err.message.slice(0, 200) : 'error'}`
    checks.migrations = 'unknown'
  }
  if (opts.listening !== null) checks.listen = opts.listening ? 'ok' : 'LISTEN connection down: commits of other instances are not heard'
  checks.draining = opts.draining ? 'shutting down' : 'ok'
  const failed = (Object.entries(checks) as Array<[CheckName, string]>).filter(([, v]) => v !== 'ok').map(([k]) => k)
  return { status: failed.length === 0 ? 'ready' : 'not ready', checks, failed }
}
