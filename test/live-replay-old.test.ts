// Issue 3: reconnecting with a ?since=N so old that replaying would mean thousands of events
// gets a fresh snapshot instead; just within the limit, the replay is complete and in order.
import t from 'tap'
import { isPostgres } from '../db/dialect.js'
import { build } from './helpers/build.js'
import { territory } from './helpers/fixtures.js'
import { openLive } from './helpers/live.js'

const REPLAY_LIMIT = 5000


t.test('since far too old: a fresh snapshot; just within the limit: the whole replay', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const gp = terr.users.gp
  const reg = terr.users.regulator
  const lastSeq = async (): Promise<number> => Number((await db.selectFrom('events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirstOrThrow()).m ?? 0)

  const first = await openLive(app, reg.cookie)
  t.equal((await first.waitFor((f) => f.type === 'snapshot')).seq, 0, 'an empty log: seq 0')
  const pub = await app.inject({ method: 'POST', url: '/api/slots', headers: { cookie: gp.cookie }, payload: { start: '2026-06-01T20:00:00+02:00', end: '2026-06-01T20:15:00+02:00', kind: 'snp', mode: 'home' } })
  t.equal(pub.statusCode, 201)
  const slot = pub.json()
  const n = (await first.waitFor((f) => f.event === 'slot.published')).seq as number
  t.equal(n, 1)
  first.close()

  // A long busy day: the slot is held and released thousands of times. Two real cycles go
  // through the API; the log's history in between is written straight into the events table
  // as copies of the first one (publishing or holding 5000 times through the API would take
  // tens of seconds, and the hub decides from seq numbers only).
  const cycle = async (): Promise<void> => {
    t.equal((await app.inject({ method: 'POST', url: `/api/slots/${slot.id}/hold`, headers: { cookie: reg.cookie } })).statusCode, 200)
    t.equal((await app.inject({ method: 'DELETE', url: `/api/slots/${slot.id}/hold`, headers: { cookie: reg.cookie } })).statusCode, 200)
  }
  await cycle()
  const real = await db.selectFrom('events').select(['at', 'type', 'slot_id', 'payload']).where('seq', '>', n).orderBy('seq').execute()
  t.same(real.map((e) => e.type), ['slot.held', 'slot.released'])
  // With explicit seqs (PostgreSQL hands them out from events_counter, which is moved on to match).
  let seq = await lastSeq()
  for (let i = 0; i < REPLAY_LIMIT; i += 1000) {
    await db.insertInto('events').values(Array.from({ length: 1000 }, (_, k) => ({ ...real[k % 2]!, seq: ++seq }))).execute()
  }
  if (isPostgres(db)) await db.updateTable('events_counter').set({ last: seq }).execute()
  await cycle()
  const more = await app.inject({
    method: 'POST', url: '/api/slots/series', headers: { cookie: gp.cookie },
    payload: { from: '2026-06-02', to: '2026-06-03', weekdays: [1, 2, 3, 4, 5, 6, 7], startTime: '09:00', slotMinutes: 15, count: 4, kind: 'snp', mode: 'office' }
  })
  t.equal(more.statusCode, 201)
  const max = await lastSeq()
  t.equal(max, n + 2 + REPLAY_LIMIT + 2 + 8)

  const old = await openLive(app, reg.cookie, `?since=${n}`)
  t.teardown(() => old.close())
  const snap = await old.waitFor((f) => f.type === 'snapshot', 'snapshot', 15_000)
  t.equal(snap.seq, max, 'the snapshot is as of the last event')
  t.same(snap.slots.map((s: any) => s.status), Array(9).fill('free'), 'every slot not yet ended, as it is now')
  t.equal(old.frames.filter((f) => f.type === 'event').length, 0, 'no event replayed')

  const tooOld = await openLive(app, reg.cookie, `?since=${max - REPLAY_LIMIT - 1}`)
  t.teardown(() => tooOld.close())
  t.equal((await tooOld.waitFor((f) => f.type === 'snapshot', 'snapshot', 15_000)).seq, max, '5001 behind: a snapshot')

  const within = await openLive(app, reg.cookie, `?since=${max - REPLAY_LIMIT}`)
  t.teardown(() => within.close())
  await within.waitFor((f) => f.seq === max, `event ${max}`, 15_000)
  const seqs = within.frames.map((f) => f.seq as number)
  t.equal(seqs.length, REPLAY_LIMIT, '5000 behind: the 5000 events are replayed')
  t.notOk(within.frames.some((f) => f.type !== 'event'), 'and nothing else')
  t.ok(seqs.every((s, i) => s === max - REPLAY_LIMIT + 1 + i), 'in order, no gap, no duplicate')
  t.same(within.frames.slice(-8).map((f) => f.event), Array(8).fill('slot.published'))

  // After either, live events follow on.
  const last = await app.inject({ method: 'POST', url: '/api/slots', headers: { cookie: gp.cookie }, payload: { start: '2026-06-01T21:00:00+02:00', end: '2026-06-01T21:15:00+02:00', kind: 'snp', mode: 'home' } })
  t.equal(last.statusCode, 201)
  for (const s of [old, tooOld, within]) t.equal((await s.waitFor((f) => f.seq === max + 1)).slot.id, last.json().id)
})
