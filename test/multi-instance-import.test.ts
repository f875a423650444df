// Issue 10: the season import's overlap check on two instances sharing one PostgreSQL schema.
// The same file sent to both at once, round after round (an admin's double click through a load
// balancer): one import goes in whole, the other is refused whole (IMPORT_INVALID, overlaps), and
// no practitioner ever has two slots at once. Files that overlap only in part behave the same.
// PostgreSQL only (scripts/test.mjs runs it in the PostgreSQL pass alone).
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build } from './helpers/build.js'
import { TEST_ENGINE } from './helpers/database.js'
import { territory } from './helpers/fixtures.js'

const NOW = '2020-09-15T08:00:00.000Z'
const HEADER = 'rpps,start,end,kind,mode,withdrawn_at,booked_at,outcome,has_treating_gp'
const ROUNDS = 8
const LINES = 20

/** LINES quarter-hours of the GP on day `day` of July 2020 from `fromMinute` past 08:00 (Paris). */
function file (rpps: string, day: number, fromMinute: number): string {
  const lines = Array.from({ length: LINES }, (_, i) => {
    const start = new Date(Date.parse(`2020-07-${String(day).padStart(2, '0')}T08:00:00+02:00`) + (fromMinute + i * 15) * 60_000)
    const end = new Date(start.getTime() + 15 * 60_000)
    return `${rpps},${start.toISOString()},${end.toISOString()},snp,office,,${start.toISOString()},honored,no`
  })
  return [HEADER, ...lines].join('\n')
}

if (TEST_ENGINE !== 'postgres') {
  t.plan(0, 'PostgreSQL only: two instances share the database')
} else {
  t.test('the same or overlapping files imported on two instances at once: one goes in, never an overlap', async (t) => {
    const A = await build(t, {}, NOW)
    const B = await build(t, {}, NOW, { sameDatabaseAs: A })
    const terr = await territory(A.app)
    const rpps = terr.users.gp.rpps ?? ''
    const send = async (app: FastifyInstance, csv: string): Promise<{ status: number, code: string | undefined }> => {
      const res = await app.inject({ method: 'POST', url: '/api/import/season', headers: { cookie: terr.adminCookie, 'content-type': 'text/csv' }, payload: csv })
      return { status: res.statusCode, code: res.statusCode === 201 ? undefined : res.json().code }
    }
    const outcomes: string[] = []
    for (let round = 0; round < ROUNDS; round++) {
      // Even rounds: the very same file; odd rounds: the second file starts half-way through the first.
      const day = round + 1
      const [a, b] = await Promise.all([send(A.app, file(rpps, day, 0)), send(B.app, file(rpps, day, round % 2 === 0 ? 0 : (LINES / 2) * 15))])
      outcomes.push([a, b].map((r) => r.code ?? String(r.status)).sort().join('/'))
    }
    t.same(outcomes, Array(ROUNDS).fill('201/IMPORT_INVALID'), 'each round: one import in, the other refused whole')

    const slots = await A.db.selectFrom('slots').select(['start_at', 'end_at']).where('practitioner_id', '=', terr.users.gp.id).orderBy('start_at').execute()
    t.equal(slots.length, ROUNDS * LINES, `${ROUNDS * LINES} slots: one file's worth a round`)
    const overlaps = slots.filter((s, i) => i > 0 && s.start_at < slots[i - 1]!.end_at)
    t.same(overlaps, [], 'no two slots of the practitioner overlap')
    const imports = await A.db.selectFrom('audit_log').select('id').where('action', '=', 'season.import').execute()
    t.equal(imports.length, ROUNDS, 'one season.import audit entry a round')
  })
}
