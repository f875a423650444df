// Issue 12: the audit log is append-only, and its own retention purge (AUDIT_MONTHS, default
// 36) is the only deletion it ever sees: old entries go, recent ones stay, one entry per run
// says so, and an ordinary UPDATE or DELETE is still refused by the database itself.
import t from 'tap'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/types.js'
import { migrateToLatest } from '../db/migrate.js'
import { AUDIT_PURGE_CHUNK } from '../server/features/retention/audit-log-purge.js'
import { deleteAuditEntriesBefore } from '../server/features/retention/retention-repository.js'
import { ADMIN, build, signIn } from './helpers/build.js'
import { scratchDb, TEST_ENGINE } from './helpers/database.js'
import { territory } from './helpers/fixtures.js'

const OLD = '2023-01-10T08:00:00.000Z'
const RECENT = '2026-05-01T08:00:00.000Z'
const entry = (at: string, action = 'x.y') => ({ at, action, subject_type: 'test', user_id: null, subject_id: null, ip: null, detail: null })

t.test(`the database refuses every change of the audit log but the purge's (${TEST_ENGINE})`, async (t) => {
  const db = await scratchDb(t)
  await migrateToLatest(db)
  await db.insertInto('audit_log').values([entry(OLD), entry(OLD), entry(RECENT)]).execute()
  const count = async () => Number((await db.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)

  await t.rejects(db.deleteFrom('audit_log').execute(), /append-only/, 'a DELETE of everything is refused')
  await t.rejects(db.deleteFrom('audit_log').where('at', '<', RECENT).execute(), /append-only/, 'a DELETE of old entries outside the purge is refused')
  await t.rejects(db.updateTable('audit_log').set({ action: 'forged' }).execute(), /append-only/, 'an UPDATE is refused')
  if (TEST_ENGINE === 'postgres') await t.rejects(sql`TRUNCATE audit_log`.execute(db), /append-only/, 'TRUNCATE is refused')
  t.equal(await count(), 3, 'nothing changed')

  // With the window open, still only the rows below its bound may go, and never be changed.
  await t.rejects(db.transaction().execute(async (trx) => {
    await trx.updateTable('audit_purge_window').set({ before_at: '2024-01-01T00:00:00.000Z' }).where('id', '=', 1).execute()
    await trx.deleteFrom('audit_log').execute()
  }), /append-only/, 'a DELETE reaching above the bound is refused as a whole')
  await t.rejects(db.transaction().execute(async (trx) => {
    await trx.updateTable('audit_purge_window').set({ before_at: '2030-01-01T00:00:00.000Z' }).where('id', '=', 1).execute()
    await trx.updateTable('audit_log').set({ action: 'forged' }).execute()
  }), /append-only/, 'an UPDATE is refused even with the window open')
  t.equal(await count(), 3)

  const deleted = await db.transaction().execute(async (trx) => await deleteAuditEntriesBefore(trx, '2024-01-01T00:00:00.000Z', 100))
  t.equal(deleted, 2, 'the purge deletes the two old entries')
  t.same((await db.selectFrom('audit_log').select('at').execute()).map((r) => r.at), [RECENT], 'the recent one stays')
  t.same(await db.selectFrom('audit_purge_window').selectAll().execute(), [{ id: 1, before_at: null }], 'the window is closed again')
  await t.rejects(db.deleteFrom('audit_log').execute(), /append-only/, 'and a DELETE is refused again')
  await t.rejects(db.insertInto('audit_purge_window').values({ id: 2, before_at: null }).execute(), /constraint|check/i, 'there is one window only')
})

// Only PostgreSQL has other connections writing at the same time (SQLite has one writer, and
// touching `db` inside a transaction of its only connection would wait for ever).
if (TEST_ENGINE === 'postgres') {
  t.test('PostgreSQL: the window open in the purge\'s transaction is not open for anyone else', async (t) => {
    const db = await scratchDb(t) as Kysely<Database>
    await migrateToLatest(db)
    await db.insertInto('audit_log').values([entry(OLD), entry(RECENT)]).execute()
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('audit_purge_window').set({ before_at: RECENT }).where('id', '=', 1).execute()
      await t.rejects(db.deleteFrom('audit_log').where('at', '=', OLD).execute(), /append-only/, 'another connection may not delete meanwhile')
      await trx.updateTable('audit_purge_window').set({ before_at: null }).where('id', '=', 1).execute()
    })
    t.equal((await db.selectFrom('audit_log').selectAll().execute()).length, 2)
  })
}

t.test(`AUDIT_MONTHS: entries older are purged, recent ones kept, one entry per run (${TEST_ENGINE})`, async (t) => {
  const { app, db, clock } = await build(t, { AUDIT_MONTHS: '36' })
  const terr = await territory(app) // sign-ins, accounts and CPTS created on 2026-06-01
  await app.retention.runOnce() // the run of the start may still be going: wait for one of ours
  const atStart = await db.selectFrom('audit_log').select(['id', 'action']).orderBy('id').execute()
  t.ok(atStart.length > 10, `${atStart.length} entries written on the first day`)

  clock.set('2029-05-31T08:00:00Z') // a day short of 36 months
  const kept = (await app.retention.runOnce())!
  t.equal(kept.audit.entries, 0, 'nothing is older than 36 months yet')
  t.equal(kept.audit.cutoff, '2026-05-31T08:00:00.000Z')

  clock.set('2029-06-02T08:00:00Z') // 36 months and a day later
  const res = await app.inject({ method: 'GET', url: '/api/audit?limit=1', headers: { cookie: terr.adminCookie } })
  t.equal(res.statusCode, 401, 'the sessions of 2026 have expired') // so sign in again: a recent entry
  await signIn(app, ADMIN.email, ADMIN.password)
  const run = (await app.retention.runOnce())!
  t.equal(run.audit.entries, atStart.length, 'every entry of 2026 is deleted')

  const left = await db.selectFrom('audit_log').selectAll().orderBy('id').execute()
  t.ok(left.every((e) => e.at >= '2029-05-31T08:00:00.000Z'), 'what is left is recent')
  t.ok(left.some((e) => e.action === 'session.sign_in' && e.at.startsWith('2029-06-02')), 'the sign-in of 2029 is kept')
  const purges = left.filter((e) => e.action === 'audit_log.purge')
  t.same(purges.map((e) => JSON.parse(e.detail ?? '{}')), [
    { entries: 0, before: '2026-05-31T08:00:00.000Z', months: 36 },
    // The link of the hash chain (migration 0016): the last entry deleted, its seq and hash.
    { entries: atStart.length, before: '2026-06-02T08:00:00.000Z', months: 36, lastSeq: atStart.length, lastHash: left.find((e) => e.chain_seq === atStart.length + 1)?.prev_hash }
  ], 'one entry per run, with its count, bound and chain link, and no user')
  t.ok(purges.every((e) => e.user_id === null && e.subject_type === 'audit_log'))

  await t.rejects(db.deleteFrom('audit_log').execute(), /append-only/, 'after the purge a DELETE is refused again')
  await t.rejects(db.updateTable('audit_log').set({ detail: null }).execute(), /append-only/, 'and an UPDATE')
  t.same(await db.selectFrom('audit_purge_window').select('before_at').execute(), [{ before_at: null }])
})

t.test(`a purge of many entries goes in chunks and is still one entry (${TEST_ENGINE})`, async (t) => {
  // Started in 2023: the old entries are the oldest of the hash chain too (the purge deletes a prefix of it, migration 0016).
  const { app, db, clock } = await build(t, { AUDIT_MONTHS: '12' }, '2023-01-09T08:00:00.000Z')
  await app.retention.runOnce()
  const earlier = (await db.selectFrom('audit_log').select('id').execute()).length
  const many = AUDIT_PURGE_CHUNK * 2 + 17
  const rows = Array.from({ length: many }, (_, i) => entry(new Date(Date.parse(OLD) + i * 1000).toISOString(), 'bulk.old'))
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('audit_log').values(rows.slice(i, i + 500)).execute()
  clock.set('2026-06-02T08:00:00Z')
  const run = (await app.retention.runOnce())!
  t.equal(run.audit.entries, many + earlier, `${many} entries of 2023 deleted (and the ${earlier} of the start)`)
  t.equal((await db.selectFrom('audit_log').select('id').where('action', '=', 'bulk.old').execute()).length, 0)
  const purges = await db.selectFrom('audit_log').select('detail').where('action', '=', 'audit_log.purge').where('at', '=', '2026-06-02T08:00:00.000Z').execute()
  t.same(purges.map((p) => JSON.parse(p.detail ?? '{}').entries), [many + earlier], 'one audit entry for the whole run')
})

t.test('AUDIT_MONTHS is checked', async (t) => {
  await t.rejects(build(t, { AUDIT_MONTHS: '0' }), /AUDIT_MONTHS/)
})
