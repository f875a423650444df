// Issue 11: a report never holds up the live board. On SQLite it runs in a worker thread on a
// read-only connection of its own; on PostgreSQL in a REPEATABLE READ READ ONLY transaction of
// another connection. Either way it reads a snapshot of what is committed, and a write in
// progress neither waits for it nor shows in it.
import { join } from 'node:path'
import t from 'tap'
import { seasonReport } from '../server/features/reports/report-repository.js'
import { ReportWorker } from '../server/features/reports/report-in-worker.js'
import { build } from './helpers/build.js'
import { TEST_ENGINE } from './helpers/database.js'
import { publishSlot, territory } from './helpers/fixtures.js'

const MAJORATION = { euros: 15, weeklyCap: 20 }
const JUNE = { from: '2026-06-01', to: '2026-06-30' }

t.test('a report answers while a write is in progress, and counts what is committed only', async (t) => {
  const { app, db, config } = await build(t)
  const terr = await territory(app)
  await publishSlot(app, terr.users.gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const worker = TEST_ENGINE === 'sqlite' ? new ReportWorker(config.dbFile) : null
  t.teardown(async () => { await worker?.close() })
  const report = async (): Promise<Awaited<ReturnType<typeof seasonReport>>> =>
    worker !== null ? JSON.parse(await worker.reportJson(JUNE, MAJORATION)) : await seasonReport(db, JUNE, MAJORATION)

  const direct = await seasonReport(db, JUNE, MAJORATION)
  t.equal(direct.totals.offered, 1)
  t.same(await report(), direct, 'the same report as on the main connection')
  const route = await app.inject({ method: 'GET', url: `/api/reports/season?from=${JUNE.from}&to=${JUNE.to}`, headers: { cookie: terr.adminCookie } })
  t.same(route.json(), direct, 'and through the route')

  // A write transaction stays open (SQLite: the write lock is taken) while the report is asked.
  let during: Awaited<ReturnType<typeof seasonReport>> | undefined
  await db.transaction().execute(async (trx) => {
    const slot = await trx.selectFrom('slots').selectAll().executeTakeFirstOrThrow()
    await trx.insertInto('slots').values({ ...slot, id: 'uncommitted', start_at: '2026-06-03T10:00:00.000Z', end_at: '2026-06-03T10:15:00.000Z', local_date: '2026-06-03', local_hour: 12 }).execute()
    // On PostgreSQL `db` is the pool: the report gets another connection.
    during = await report()
  })
  t.equal(during?.totals.offered, 1, 'the report did not wait for the write, nor see it')
  t.equal((await report()).totals.offered, 2, 'once committed, the next report counts it')
})

t.test('a report worker that cannot start fails its reports, and starts again at the next', async (t) => {
  const worker = new ReportWorker(join(t.testdirName, 'missing.sqlite'))
  t.teardown(async () => { await worker.close() })
  await t.rejects(worker.reportJson(JUNE, MAJORATION), /worker|unable to open|directory/i, 'no database file: the report fails')
  await t.rejects(worker.reportJson(JUNE, MAJORATION), /worker|unable to open|directory/i, 'a new worker is tried, and fails the same')
  await worker.close()
  await worker.close()
})
