import type { FastifyInstance } from 'fastify'
import type { Db } from '../../db/connection.js'
import { migrateToLatest } from '../../db/migrate.js'
import { openDatabase } from '../../db/open.js'
import { buildApp } from '../../server/app.js'
import { bootstrapAdmin } from '../../server/bootstrap.js'
import { ManualClock } from '../../server/clock.js'
import { loadConfig, type Config } from '../../server/config.js'
import { testStorage } from './database.js'

/** The methods the tests send (fastify's HTTPMethods also lists verbs light-my-request's types lack). */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface TestApp {
  app: FastifyInstance
  db: Db
  clock: ManualClock
  config: Config
  dataDir: string
  /** The storage settings it was built on (DATA_DIR, DATABASE_URL): `sameDatabaseAs` reuses them. */
  storageEnv: Record<string, string>
}

export const ADMIN = { email: 'admin@cpts.test', password: 'admin-password-1' }

/** Tests start at a fixed instant, never today: 2026-06-01 10:00 in Paris. */
export const T0 = '2026-06-01T08:00:00.000Z'

interface Teardown { teardown: (fn: () => unknown) => void }

export interface BuildOptions {
  /** Runs on the built app before `ready()`: tests may register extra routes or hooks here. */
  beforeReady?: (app: FastifyInstance) => void | Promise<void>
  /**
   * A second instance of the server on the database of this one (the same PostgreSQL schema,
   * or the same SQLite file), with a pool and a clock of its own: the multi-instance tests.
   */
  sameDatabaseAs?: TestApp
}

/**
 * The whole server on a real database of its own (a SQLite file in a temporary folder, or a
 * PostgreSQL schema with TEST_ENGINE=postgres: see helpers/database.ts), migrated, with the
 * bootstrap admin, and a clock the test moves by hand. Closed and removed in teardown.
 */
export async function build (t: Teardown, env: Record<string, string> = {}, start: string = T0, opts: BuildOptions = {}): Promise<TestApp> {
  const { dataDir, env: storageEnv } = opts.sameDatabaseAs === undefined
    ? await testStorage(t)
    : { dataDir: opts.sameDatabaseAs.dataDir, env: opts.sameDatabaseAs.storageEnv }
  const config = loadConfig({ ...storageEnv, LOGIN_RATE_LIMIT: '1000', LOGIN_ADDRESS_RATE_LIMIT: '1000', ...env })
  const db = openDatabase(config)
  await migrateToLatest(db)
  const clock = new ManualClock(start)
  await bootstrapAdmin(db, { adminEmail: ADMIN.email, adminPassword: ADMIN.password }, clock.now())
  const app = await buildApp({ config, db, clock })
  if (opts.beforeReady !== undefined) await opts.beforeReady(app)
  await app.ready()
  t.teardown(async () => {
    await app.close()
    await db.destroy()
  })
  return { app, db, clock, config, dataDir, storageEnv }
}

/** Signs in through the API and returns the `cookie` header to send with later requests. */
export async function signIn (app: FastifyInstance, email: string, password: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/session', payload: { email, password } })
  if (res.statusCode !== 200) throw new Error(`sign-in of ${email} failed: ${res.statusCode} ${res.body}`)
  const sid = res.cookies.find((c) => c.name === 'sid')
  if (sid === undefined) throw new Error('no sid cookie')
  return `sid=${sid.value}`
}
