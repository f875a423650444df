// Issue 21: a publish reads the practitioner's places and CPTS before its transaction; an admin
// archiving that place, or taking the practitioner out of that CPTS, may commit in between. The
// publish confirms both once it holds the practitioner's account, so no slot is published at
// an archived place or offered to a CPTS the practitioner has left.
import t from 'tap'
import { sql } from 'kysely'
import { build, type TestApp } from './helpers/build.js'
import { TEST_ENGINE } from './helpers/database.js'
import { territory } from './helpers/fixtures.js'

const PORT = { label: 'Cabinet du port', address: '3 quai du Port', postalCode: '85800', commune: 'saint-gilles-croix-de-vie' }

/** Runs `change` on the practitioner's locked account while `publish` waits for that lock, then commits. */
async function whilePublishWaits (B: TestApp, practitionerId: string, publish: () => Promise<any>, change: string): Promise<any> {
  return await B.db.connection().execute(async (c) => {
    await sql`BEGIN`.execute(c)
    await sql`SELECT id FROM users WHERE id = ${practitionerId} FOR NO KEY UPDATE`.execute(c)
    const reply = publish()
    for (let i = 0; ; i++) {
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))`.execute(c)
      if (rows[0]!.n > 0) break
      if (i > 600) throw new Error('the publish never waited for the account')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    await sql.raw(change).execute(c)
    await sql`COMMIT`.execute(c)
    return await reply
  })
}

t.test('a place archived, or a CPTS left, while a publish waits refuses that publish', {
  skip: TEST_ENGINE !== 'postgres' && 'PostgreSQL only: the window is a lock wait between two instances\' transactions'
}, async (t) => {
  const A = await build(t)
  const B = await build(t, {}, undefined, { sameDatabaseAs: A })
  const terr = await territory(A.app)
  const gp = terr.users.gp
  const [c1, c2] = [terr.cpts[0]!.id, terr.cpts[1]!.id]
  const admin = { cookie: terr.adminCookie }
  const place = (await A.app.inject({ method: 'POST', url: `/api/users/${gp.id}/places`, headers: admin, payload: PORT })).json().place
  const cpts = await A.app.inject({ method: 'PUT', url: `/api/users/${gp.id}/cpts`, headers: admin, payload: { cptsIds: [c1, c2], homeCptsId: c1 } })
  t.equal(cpts.statusCode, 200, cpts.body)
  const publish = (payload: object) => async () => await A.app.inject({
    method: 'POST', url: '/api/slots', headers: { cookie: gp.cookie },
    payload: { start: '2026-06-02T09:00:00.000Z', end: '2026-06-02T09:15:00.000Z', kind: 'snp', mode: 'office', ...payload }
  })

  const atPlace = await whilePublishWaits(B, gp.id, publish({ placeId: place.id }),
    `UPDATE practitioner_places SET archived_at = '2026-06-01T08:00:00.000Z' WHERE id = '${String(place.id)}'`)
  t.equal(atPlace.statusCode, 400, 'refused: the place was archived meanwhile')
  t.same(atPlace.json().details.map((d: any) => d.path.join('.')), ['placeId'])

  const toBoth = await whilePublishWaits(B, gp.id, publish({ cptsIds: [c1, c2] }),
    `DELETE FROM cpts_memberships WHERE practitioner_id = '${gp.id}' AND cpts_id = '${String(c2)}'`)
  t.equal(toBoth.statusCode, 400, 'refused: the practitioner left that CPTS meanwhile')
  t.same(toBoth.json().details.map((d: any) => d.path.join('.')), ['cptsIds'])

  t.equal(Number((await A.db.selectFrom('slots').select((eb) => eb.fn.countAll().as('n')).where('practitioner_id', '=', gp.id).executeTakeFirstOrThrow()).n), 0, 'nothing was published')
})
