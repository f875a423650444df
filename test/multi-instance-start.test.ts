// Issue 10: instances started at once on one empty PostgreSQL schema. Each migrates and creates
// the first admin, as `npm start` does: they take turns (an advisory lock of the schema), so one
// migrates and the others find the schema up to date, one admin is created, and none fails.
// PostgreSQL only (scripts/test.mjs runs it in the PostgreSQL pass alone).
import t from 'tap'
import { migrateToLatest } from '../db/migrate.js'
import { migrations } from '../db/migrations/index.js'
import { openPostgres } from '../db/postgres.js'
import { bootstrapAdmin } from '../server/bootstrap.js'
import { TEST_ENGINE, testStorage } from './helpers/database.js'

const ROUNDS = 5
const INSTANCES = 3

if (TEST_ENGINE !== 'postgres') {
  t.plan(0, 'PostgreSQL only: instances share the schema')
} else {
  t.test(`${INSTANCES} instances started at once on an empty schema, ${ROUNDS} times`, async (t) => {
    const problems: string[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const storage = await testStorage(t)
      const pools = Array.from({ length: INSTANCES }, () => openPostgres(storage.env.DATABASE_URL as string))
      try {
        const starts = await Promise.allSettled(pools.map(async (db) => {
          const migrated = await migrateToLatest(db)
          const admin = await bootstrapAdmin(db, {}, new Date('2026-06-01T08:00:00Z'))
          return { migrated: migrated.length, admin: admin !== null }
        }))
        const failed = starts.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason))
        const done = starts.flatMap((s) => s.status === 'fulfilled' ? [s.value] : [])
        if (failed.length > 0) problems.push(`round ${round}: ${failed.join('; ')}`)
        else if (done.map((d) => d.migrated).sort().join() !== [...Array(INSTANCES - 1).fill(0), Object.keys(migrations).length].join()) problems.push(`round ${round}: migrated ${done.map((d) => d.migrated).join(', ')}`)
        else if (done.filter((d) => d.admin).length !== 1) problems.push(`round ${round}: ${done.filter((d) => d.admin).length} admins created`)
        const admins = await pools[0]!.selectFrom('users').select('email').execute()
        if (admins.length !== 1) problems.push(`round ${round}: ${admins.length} accounts`)
      } finally {
        for (const db of pools) await db.destroy()
      }
    }
    t.same(problems, [], `every round: no start failed, one instance migrated (${Object.keys(migrations).length} migrations), the others found nothing to do, one admin`)
  })
}
