// Issue 10: holds and booking changes on two server instances sharing one PostgreSQL schema.
// Two sweepers release each expired hold once (one `slot.released` per slot); a regulator
// holding on both instances at the same moment ends with one live hold; a move and a cancel of
// one booking racing on the two instances never fail with a deadlock, and one of them wins.
// PostgreSQL only (scripts/test.mjs runs it in the PostgreSQL pass alone).
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, type TestApp } from './helpers/build.js'
import { TEST_ENGINE } from './helpers/database.js'
import { addRegulator, publishSlot, territory, type Territory } from './helpers/fixtures.js'

interface Teardown { teardown: (fn: () => unknown) => void }
const BOOKING = { patient: { lastName: 'Martin', firstName: 'Anne', birthDate: '1980-01-02', phone: '06 12 34 56 78' }, hasTreatingGp: 'no' }
// The sweeper's timer (its longest period) does not fire during a test: each sweep is called by hand, on both instances at once.
const ENV = { HOLD_SECONDS: '60', HOLD_SWEEP_MS: '60000', SESSION_HOURS: '2160' }

async function post (app: FastifyInstance, cookie: string, url: string, payload?: object): Promise<{ status: number, json: any }> {
  const res = await app.inject({ method: 'POST', url, headers: { cookie }, ...(payload !== undefined ? { payload } : {}) })
  return { status: res.statusCode, json: res.body === '' ? undefined : res.json() }
}

async function twoInstances (t: Teardown): Promise<{ A: TestApp, B: TestApp, terr: Territory }> {
  const A = await build(t, ENV)
  const B = await build(t, ENV, undefined, { sameDatabaseAs: A })
  return { A, B, terr: await territory(A.app) }
}

/** Slot i of the test: 15 minutes each from 3 June 2026, 08:00 in Paris. */
async function slotsOf (app: FastifyInstance, cookie: string, n: number, from = 0): Promise<string[]> {
  const ids: string[] = []
  for (let i = from; i < from + n; i++) {
    const start = new Date(Date.parse('2026-06-03T08:00:00+02:00') + i * 15 * 60_000)
    ids.push((await publishSlot(app, cookie, start.toISOString(), new Date(start.getTime() + 15 * 60_000).toISOString())).id)
  }
  return ids
}

if (TEST_ENGINE !== 'postgres') {
  t.plan(0, 'PostgreSQL only: two instances share the database')
} else {
  t.test('two sweepers release each expired hold once, one slot.released each', async (t) => {
    const { A, B, terr } = await twoInstances(t)
    const HOLDS = 24
    const slots = await slotsOf(A.app, terr.users.gp.cookie, HOLDS)
    const regs = await Promise.all(slots.map(async (_, i) => await addRegulator(A.app, terr.adminCookie, `sweep${i}`)))
    await Promise.all(slots.map(async (id, i) => {
      const res = await post([A.app, B.app][i % 2]!, regs[i]!.cookie, `/api/slots/${id}/hold`)
      if (res.status !== 200) throw new Error(`hold: ${res.status}`)
    }))
    t.equal(await A.app.slots.holds.expireHolds(), 0, 'nothing to release before the holds run out')
    A.clock.advance(61_000)
    B.clock.advance(61_000)
    const released = await Promise.all([A.app.slots.holds.expireHolds(), B.app.slots.holds.expireHolds(), A.app.slots.holds.expireHolds(), B.app.slots.holds.expireHolds()])
    t.equal(released.reduce((a, b) => a + b, 0), HOLDS, `${HOLDS} releases between the two instances (${released.join(' + ')})`)
    const events = await A.db.selectFrom('events').select('slot_id').where('type', '=', 'slot.released').execute()
    t.same(events.map((e) => e.slot_id).sort(), [...slots].sort(), 'one slot.released per slot, none twice')
    const held = await A.db.selectFrom('slots').select('id').where('status', '=', 'held').execute()
    t.same(held, [], 'no slot left written held')
  })

  t.test('a regulator holding on both instances at once ends with one live hold', async (t) => {
    const { A, B, terr } = await twoInstances(t)
    const ROUNDS = 30
    const slots = await slotsOf(A.app, terr.users.gp.cookie, ROUNDS * 2)
    const reg = terr.users.regulator
    let doubles = 0
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = await Promise.all([
        post(A.app, reg.cookie, `/api/slots/${slots[2 * round]!}/hold`),
        post(B.app, reg.cookie, `/api/slots/${slots[2 * round + 1]!}/hold`)
      ])
      if (a.status !== 200 || b.status !== 200) t.fail(`round ${round}: ${a.status} ${b.status}`)
      const held = await A.db.selectFrom('slots').select('id').where('status', '=', 'held').where('hold_by', '=', reg.id).execute()
      if (held.length !== 1) doubles++
      // Released before the next round: both claims then start with no hold to release, the race at its closest.
      for (const h of held) await A.app.inject({ method: 'DELETE', url: `/api/slots/${h.id}/hold`, headers: { cookie: reg.cookie } })
    }
    t.equal(doubles, 0, `one live hold after each of the ${ROUNDS} rounds`)
    const holds = await A.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', 'slot.held').executeTakeFirstOrThrow()
    const releases = await A.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', 'slot.released').executeTakeFirstOrThrow()
    t.equal(Number(holds.n), 2 * ROUNDS, 'two holds a round')
    t.equal(Number(releases.n), 2 * ROUNDS, 'the log agrees: of the two holds of each round, one released by the other claim, the other by the regulator')
  })

  t.test('a move and a cancel of one booking racing on two instances: one wins, no deadlock', async (t) => {
    const { A, B, terr } = await twoInstances(t)
    const ROUNDS = 20
    const slots = await slotsOf(A.app, terr.users.gp.cookie, ROUNDS * 2)
    const mover = terr.users.regulator
    const canceller = await addRegulator(A.app, terr.adminCookie, 'canceller')
    const outcomes: string[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const [from, to] = round % 2 === 0 ? [slots[2 * round]!, slots[2 * round + 1]!] : [slots[2 * round + 1]!, slots[2 * round]!]
      const booked = await post(A.app, canceller.cookie, `/api/slots/${from}/booking`, BOOKING)
      if (booked.status !== 201) throw new Error(`booking: ${booked.status}`)
      const id = booked.json.id as string
      const [moved, cancelled] = await Promise.all([
        post(A.app, mover.cookie, `/api/bookings/${id}/move`, { slotId: to }),
        post(B.app, canceller.cookie, `/api/bookings/${id}/cancel`, { reason: 'le patient annule' })
      ])
      outcomes.push(`${moved.status}/${cancelled.status}`)
    }
    const bad = outcomes.filter((o) => o !== '200/409' && o !== '409/200')
    t.same(bad, [], `each of the ${ROUNDS} rounds: one of the two succeeds, the other is refused (409), never an error`)
    const live = await A.db.selectFrom('bookings').select('slot_id').where('status', '=', 'booked').execute()
    const booked = await A.db.selectFrom('slots').select('id').where('status', '=', 'booked').execute()
    t.same(live.map((b) => b.slot_id).sort(), booked.map((s) => s.id).sort(), 'the slots written booked are exactly those of the live bookings')
  })
}
