// The database a test runs on: SQLite files in a temporary folder (the default), or, with
// TEST_ENGINE=postgres (scripts/test.mjs sets it for its second pass), a PostgreSQL schema of
// the test's own in TEST_DATABASE_URL's database. Either way it is new, empty and removed in teardown.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { openSqlite, type Db } from '../../db/connection.js'
import { openPostgres } from '../../db/postgres.js'

export type TestEngine = 'sqlite' | 'postgres'

function engineFromEnv (): TestEngine {
  const v = process.env.TEST_ENGINE ?? 'sqlite'
  if (v !== 'sqlite' && v !== 'postgres') throw new Error(`TEST_ENGINE must be sqlite or postgres, not ${v}`)
  return v
}

export const TEST_ENGINE: TestEngine = engineFromEnv()

/** The database in which each test gets a schema of its own (TEST_DATABASE_URL). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

interface Teardown { teardown: (fn: () => unknown) => void }

export interface TestStorage {
  /** Settings for `loadConfig`: DATA_DIR, and on PostgreSQL a DATABASE_URL to the test's schema. */
  env: { DATA_DIR: string, DATABASE_URL?: string }
  dataDir: string
  /** The PostgreSQL schema (null on SQLite). */
  schema: string | null
}

async function admin (sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, application_name: 'creneaux-test' })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

/** TEST_DATABASE_URL with `search_path` set to `schema`: every connection of the pool lands there. */
function urlOfSchema (schema: string): string {
  const url = new URL(TEST_DATABASE_URL)
  url.searchParams.set('options', `-c search_path=${schema}`)
  return url.toString()
}

/**
 * A new, empty place for one test's data: a temporary DATA_DIR, plus on PostgreSQL a schema
 * `t_<random>` that teardown drops. Call it before opening the database: teardown runs last
 * to first, so the schema is dropped after the test has closed its connections.
 */
export async function testStorage (t: Teardown, prefix = 'creneaux-test-'): Promise<TestStorage> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix))
  t.teardown(() => { rmSync(dataDir, { recursive: true, force: true }) })
  if (TEST_ENGINE === 'sqlite') return { env: { DATA_DIR: dataDir }, dataDir, schema: null }
  const schema = `t_${randomBytes(6).toString('hex')}`
  await admin(`CREATE SCHEMA ${schema}`)
  t.teardown(async () => { await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`) })
  return { env: { DATA_DIR: dataDir, DATABASE_URL: urlOfSchema(schema) }, dataDir, schema }
}

/** A throwaway empty database, closed (and dropped) in teardown: `:memory:` on SQLite. */
export async function scratchDb (t: Teardown): Promise<Db> {
  if (TEST_ENGINE === 'sqlite') {
    const db = openSqlite(':memory:')
    t.teardown(() => db.destroy())
    return db
  }
  const storage = await testStorage(t)
  const db = openPostgres(storage.env.DATABASE_URL ?? '')
  t.teardown(() => db.destroy())
  return db
}
