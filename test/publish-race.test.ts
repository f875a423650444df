// Overlap checks under concurrent transactions: several identical publishes of one practitioner
// at once make exactly one slot, on either engine (on PostgreSQL the check runs under a lock of
// the practitioner's row; SQLite has one writer at a time).
import t from 'tap'
import { build } from './helpers/build.js'
import { territory } from './helpers/fixtures.js'

t.test('five identical publishes at once: one slot, four SLOT_OVERLAP, every round', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)
  for (let round = 0; round < 5; round++) {
    const start = `2026-06-${String(2 + round).padStart(2, '0')}T12:00:00+02:00`
    const replies = await Promise.all(Array.from({ length: 5 }, async () => await app.inject({
      method: 'POST', url: '/api/slots', headers: { cookie: terr.users.gp.cookie },
      payload: { start, end: start.replace('12:00', '12:15'), kind: 'snp', mode: 'office' }
    })))
    t.same(replies.map((r) => r.statusCode).sort(), [201, 409, 409, 409, 409], `round ${round}`)
    t.ok(replies.filter((r) => r.statusCode === 409).every((r) => r.json().code === 'SLOT_OVERLAP'))
  }
  const slots = (await app.inject({ method: 'GET', url: '/api/slots', headers: { cookie: terr.users.gp.cookie } })).json()
  t.equal(slots.length, 5, 'one slot a round')
})
