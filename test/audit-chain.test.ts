// Issue 24 (3): the audit log is tamper-evident. Entries are hash-chained (migration 0016), the
// retention purge leaves a verifiable link, and an entry edited, deleted, reordered or inserted
// by plain SQL (the append-only triggers dropped first) is reported: by GET /api/audit/chain (the
// indicator of /admin/journal) and `npm run audit:verify`, at the first entry where it breaks.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/types.js'
import { projectRoot } from '../server/config.js'
import { GENESIS, chainHash, verifyAuditChain } from '../server/features/audit/audit-chain.js'
import { build, type TestApp } from './helpers/build.js'
import { TEST_ENGINE } from './helpers/database.js'
import { territory } from './helpers/fixtures.js'

const pg = TEST_ENGINE === 'postgres'

/** What an owner of the database can do: drop the triggers that refuse UPDATE and DELETE. */
async function dropGuards (db: Kysely<Database>): Promise<void> {
  for (const name of ['audit_log_no_update', 'audit_log_no_delete', ...(pg ? ['audit_log_no_truncate', 'audit_log_chain'] : [])]) {
    await sql.raw(pg ? `DROP TRIGGER IF EXISTS ${name} ON audit_log` : `DROP TRIGGER IF EXISTS ${name}`).execute(db)
  }
}

async function chainOf (db: Kysely<Database>) {
  return await db.selectFrom('audit_log').select(['id', 'chain_seq', 'prev_hash', 'hash', 'action', 'at']).orderBy('chain_seq').execute()
}

/** An app with a few dozen audit entries (sign-ins, accounts, CPTS). */
async function withEntries (t: { teardown: (fn: () => unknown) => void }): Promise<TestApp & { cookie: string }> {
  const built = await build(t)
  const terr = await territory(built.app)
  return { ...built, cookie: terr.adminCookie }
}

t.test('every entry is chained, in order, and the PostgreSQL trigger hashes as the application does', async (t) => {
  const { app, db, cookie } = await withEntries(t)
  const rows = await chainOf(db)
  t.ok(rows.length > 10)
  t.same(rows.map((r) => Number(r.chain_seq)), rows.map((_, i) => i + 1), 'seq 1, 2, 3… with no gap')
  t.equal(rows[0]?.prev_hash, GENESIS)
  for (let i = 1; i < rows.length; i++) if (rows[i]?.prev_hash !== rows[i - 1]?.hash) t.fail(`entry ${i + 1} does not follow ${i}`)
  const full = await db.selectFrom('audit_log').selectAll().orderBy('chain_seq').execute()
  t.ok(full.every((r) => chainHash(r.prev_hash ?? '', Number(r.chain_seq), r) === r.hash), 'each hash recomputed in JS matches')
  const res = await app.inject({ method: 'GET', url: '/api/audit/chain', headers: { cookie } })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { ok: true, entries: rows.length, headSeq: rows.length })
  const other = await app.inject({ method: 'GET', url: '/api/audit/chain', headers: { cookie: (await territory(app).catch(() => null))?.users.regulator.cookie ?? '' } })
  t.not(other.statusCode, 200, 'admins only')
})

type Tamper = (db: Kysely<Database>, rows: Awaited<ReturnType<typeof chainOf>>) => Promise<number | null>

const TAMPERS: Array<[string, Tamper, RegExp]> = [
  ['an entry edited', async (db, rows) => {
    const victim = rows[5]!
    await db.updateTable('audit_log').set({ action: 'nothing.happened' }).where('id', '=', victim.id).execute()
    return Number(victim.id)
  }, /edited/],
  ['an entry edited and its hash recomputed', async (db, rows) => {
    const victim = (await db.selectFrom('audit_log').selectAll().where('id', '=', rows[5]!.id).executeTakeFirstOrThrow())
    const forged = { ...victim, ip: '10.6.6.6' }
    await db.updateTable('audit_log').set({ ip: forged.ip, hash: chainHash(victim.prev_hash ?? '', Number(victim.chain_seq), forged) }).where('id', '=', victim.id).execute()
    return Number(rows[6]!.id)
  }, /does not follow/],
  ['an entry deleted', async (db, rows) => {
    await db.deleteFrom('audit_log').where('id', '=', rows[4]!.id).execute()
    return Number(rows[5]!.id)
  }, /missing/],
  ['the oldest entries deleted (outside the purge)', async (db, rows) => {
    await db.deleteFrom('audit_log').where('chain_seq', '<=', 3).execute()
    return Number(rows[3]!.id)
  }, /deleted, not by the retention purge/],
  ['the newest entries deleted', async (db, rows) => {
    await db.deleteFrom('audit_log').where('chain_seq', '>', rows.length - 2).execute()
    return null
  }, /last entries were deleted/],
  ['every entry deleted', async (db) => {
    await db.deleteFrom('audit_log').execute()
    return null
  }, /last entries were deleted/],
  ['two entries swapped', async (db, rows) => {
    const [a, b] = [rows[3]!, rows[4]!]
    await db.updateTable('audit_log').set({ chain_seq: -1 }).where('id', '=', a.id).execute()
    await db.updateTable('audit_log').set({ chain_seq: a.chain_seq }).where('id', '=', b.id).execute()
    await db.updateTable('audit_log').set({ chain_seq: b.chain_seq }).where('id', '=', a.id).execute()
    return Number(b.id)
  }, /does not follow|edited/],
  ['an entry inserted without its chain', async (db) => {
    await db.insertInto('audit_log').values({ at: '2026-06-01T08:00:00.000Z', action: 'forged', subject_type: 'user' }).execute()
    const row = await db.selectFrom('audit_log').select('id').where('action', '=', 'forged').executeTakeFirstOrThrow()
    return Number(row.id)
  }, /outside the chain/],
  ['an entry inserted in the middle, seq shifted after it', async (db, rows) => {
    // Renumber the tail, then slip a forged entry in at seq 6 with a well-formed hash of its own.
    for (const r of [...rows].reverse().filter((r) => Number(r.chain_seq) >= 6)) {
      await db.updateTable('audit_log').set({ chain_seq: Number(r.chain_seq) + 1 }).where('id', '=', r.id).execute()
    }
    const content = { at: rows[4]!.at, user_id: null, action: 'forged', subject_type: 'user', subject_id: null, ip: null, detail: null }
    await db.insertInto('audit_log').values({ ...content, chain_seq: 6, prev_hash: rows[4]!.hash, hash: chainHash(rows[4]!.hash ?? '', 6, content) }).execute()
    return Number(rows[5]!.id)
  }, /does not follow|edited/]
]

for (const [what, tamper, reason] of TAMPERS) {
  t.test(`tampering detected: ${what} (triggers dropped)`, async (t) => {
    const { app, db, cookie } = await withEntries(t)
    t.ok((await verifyAuditChain(db)).ok, 'intact before')
    await dropGuards(db)
    const expected = await tamper(db, await chainOf(db))
    const report = await verifyAuditChain(db)
    t.equal(report.ok, false, 'the break is found')
    if (!report.ok) {
      t.match(report.reason, reason)
      t.equal(report.brokenAt.id, expected, 'at the first entry where the chain breaks')
    }
    const res = (await app.inject({ method: 'GET', url: '/api/audit/chain', headers: { cookie } }))
    // The admin's check may itself be refused once everything is gone (no session left to audit); the function says it.
    if (res.statusCode === 200) t.equal(res.json().ok, false, 'the journal\'s indicator says so')
  })
}

t.test('the retention purge leaves a verifiable link; deleting more than it did is detected', async (t) => {
  const { app, db, clock } = await build(t, { AUDIT_MONTHS: '1' }, '2026-01-01T08:00:00.000Z')
  await territory(app)
  const before = (await chainOf(db)).length
  clock.set('2026-06-01T08:00:00.000Z')
  await territory(app).catch(() => {}) // new entries after the cutoff (accounts exist: some creations are refused, still audited sign-ins)
  const run = (await app.retention.runOnce())!
  t.equal(run.audit.entries, before, `the ${before} entries of January are purged`)
  const purge = await db.selectFrom('audit_log').select('detail').where('action', '=', 'audit_log.purge').executeTakeFirstOrThrow()
  const link = JSON.parse(purge.detail ?? '{}')
  t.equal(link.lastSeq, before, 'the purge records the last seq it deleted')
  t.match(link.lastHash, /^[0-9a-f]{64}$/, 'and its hash')
  t.same(await verifyAuditChain(db), { ok: true, entries: (await chainOf(db)).length, headSeq: before + (await chainOf(db)).length }, 'the chain still verifies from its new first entry')

  await dropGuards(db)
  const first = (await chainOf(db))[0]!
  await db.deleteFrom('audit_log').where('id', '=', first.id).execute()
  const report = await verifyAuditChain(db)
  t.equal(report.ok, false, 'one more deleted at the start: detected')
  if (!report.ok) t.match(report.reason, /not by the retention purge/)
})

t.test('npm run audit:verify says intact, then where it breaks', async (t) => {
  const { db, storageEnv } = await withEntries(t)
  const run = promisify(execFile)
  const base = { ...process.env }
  delete base.DATABASE_URL
  const verify = async (): Promise<{ code: number, out: string }> => {
    try {
      const r = await run(process.execPath, ['--import', 'tsx', join(projectRoot(), 'scripts', 'audit-verify.ts')], { env: { ...base, _TAPJS_PROCESSINFO_COVERAGE_: '0', ...storageEnv } })
      return { code: 0, out: r.stdout }
    } catch (err) {
      const e = err as { code: number, stdout: string }
      return { code: e.code, out: e.stdout }
    }
  }
  const ok = await verify()
  t.equal(ok.code, 0)
  t.match(ok.out, /intact/)
  await dropGuards(db)
  const victim = (await chainOf(db))[2]!
  await db.updateTable('audit_log').set({ detail: '{"forged":true}' }).where('id', '=', victim.id).execute()
  const bad = await verify()
  t.equal(bad.code, 1)
  t.match(bad.out, new RegExp(`BROKEN at entry id ${victim.id} .*edited`))
})

t.test('PostgreSQL: entries of concurrent transactions chain in commit order, with no gap', { skip: !pg && 'PostgreSQL only' }, async (t) => {
  const { app, db, cookie } = await withEntries(t)
  const { appendAudit } = await import('../server/features/audit/audit-repository.js')
  await Promise.all(Array.from({ length: 40 }, async (_, i) => {
    await db.transaction().execute(async (trx) => {
      await appendAudit(trx, { at: new Date(), userId: null, action: 'concurrent.test', subjectType: 'test', detail: { i } })
      await new Promise((resolve) => setTimeout(resolve, i % 7))
      await appendAudit(trx, { at: new Date(), userId: null, action: 'concurrent.test', subjectType: 'test', detail: { i, second: true } })
    })
  }))
  const report = (await app.inject({ method: 'GET', url: '/api/audit/chain', headers: { cookie } })).json()
  t.equal(report.ok, true)
  const rows = await chainOf(db)
  t.same(rows.map((r) => Number(r.chain_seq)), rows.map((_, i) => i + 1))
})
