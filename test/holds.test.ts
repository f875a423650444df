// Issue 3: holds. A short HOLD_SECONDS and a fast sweeper; the clock is moved by hand, the
// sweeper notices on its own (no client action) and every socket is told `slot.released`.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build } from './helpers/build.js'
import { addRegulator, publishSlot, territory } from './helpers/fixtures.js'
import { openLive, type LiveProbe } from './helpers/live.js'

const ENV = { HOLD_SECONDS: '5', HOLD_SWEEP_MS: '20' }
const BOOKING = { patient: { lastName: 'Durand', firstName: 'Paul', birthDate: '1975-05-06', phone: '02 51 58 12 34' }, hasTreatingGp: 'yes' }

const hold = async (app: FastifyInstance, cookie: string, id: string) => await app.inject({ method: 'POST', url: `/api/slots/${id}/hold`, headers: { cookie } })
const release = async (app: FastifyInstance, cookie: string, id: string) => await app.inject({ method: 'DELETE', url: `/api/slots/${id}/hold`, headers: { cookie } })

async function slotAs (app: FastifyInstance, cookie: string, id: string): Promise<any> {
  const res = await app.inject({ method: 'GET', url: '/api/slots', headers: { cookie } })
  return res.json().find((s: any) => s.id === id)
}

/** The seq of one socket's frames (snapshot, then events) that do not follow the previous by +1. */
function seqBreaks (s: LiveProbe): number[] {
  const seqs = s.frames.filter((f) => f.type === 'snapshot' || f.type === 'event').map((f) => f.seq as number)
  return seqs.slice(1).filter((q, i) => q !== seqs[i]! + 1)
}

t.test('holds: conflict, extension, expiry by the sweeper, release, one hold per regulator', async (t) => {
  const { app, clock, db } = await build(t, ENV)
  const terr = await territory(app)
  const gp = terr.users.gp
  const a = terr.users.regulator
  const b = await addRegulator(app, terr.adminCookie, 'regb')
  const slot1 = await publishSlot(app, gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const slot2 = await publishSlot(app, gp.cookie, '2026-06-02T12:30:00+02:00', '2026-06-02T12:45:00+02:00')

  const sA = await openLive(app, a.cookie)
  const sB = await openLive(app, b.cookie)
  const sGp = await openLive(app, gp.cookie)
  const all = [sA, sB, sGp]
  t.teardown(() => { for (const s of all) s.close() })
  for (const s of all) await s.waitFor((f) => f.type === 'snapshot')

  // A holds: 5 seconds from now (10:00:00 in Paris).
  const h1 = await hold(app, a.cookie, slot1.id)
  t.equal(h1.statusCode, 200, 'HTTP 200', { body: h1.body })
  t.equal(h1.json().expiresAt, '2026-06-01T10:00:05+02:00')
  t.same(h1.json().slot.hold, { by: 'me', expiresAt: '2026-06-01T10:00:05+02:00' })
  t.equal(h1.json().slot.status, 'held')
  const seenHeld = await Promise.all(all.map(async (s) => await s.waitFor((f) => f.event === 'slot.held' && f.slot.id === slot1.id)))
  t.same(seenHeld.map((e) => e.slot.hold.by), ['me', 'other', 'other'], 'the holder sees "me", the others "other"')

  // B is refused while A holds it, for a hold and for a booking.
  const hb = await hold(app, b.cookie, slot1.id)
  t.equal(hb.statusCode, 409)
  t.equal(hb.json().code, 'SLOT_HELD')
  const bb = await app.inject({ method: 'POST', url: `/api/slots/${slot1.id}/booking`, headers: { cookie: b.cookie }, payload: BOOKING })
  t.equal(bb.statusCode, 409)
  t.equal(bb.json().code, 'SLOT_HELD')

  // Holding again extends.
  clock.advance(3000)
  const h2 = await hold(app, a.cookie, slot1.id)
  t.equal(h2.statusCode, 200, 'HTTP 200', { body: h2.body })
  t.equal(h2.json().expiresAt, '2026-06-01T10:00:08+02:00', 'a second hold extends expiresAt')
  await sB.waitFor((f) => f.event === 'slot.held' && f.slot.id === slot1.id && f.slot.hold.expiresAt === '2026-06-01T10:00:08+02:00', 'extended hold seen')

  // Past the first expiry, before the extended one: still held.
  clock.advance(3000)
  const hb2 = await hold(app, b.cookie, slot1.id)
  t.equal(hb2.json().code, 'SLOT_HELD', 'the extension holds past the first expiry')
  t.same((await slotAs(app, b.cookie, slot1.id)).hold, { by: 'other', expiresAt: '2026-06-01T10:00:08+02:00' })

  // Past the extended expiry, nobody does anything: the sweeper releases, every socket is told.
  clock.advance(3000)
  const released = await Promise.all(all.map(async (s) => await s.waitFor((f) => f.event === 'slot.released' && f.slot.id === slot1.id, 'slot.released by the sweeper')))
  for (const e of released) {
    t.equal(e.slot.status, 'free')
    t.equal(e.slot.hold, undefined)
  }
  const row = await db.selectFrom('slots').select(['status', 'hold_by', 'hold_expires_at']).where('id', '=', slot1.id).executeTakeFirstOrThrow()
  t.same(row, { status: 'free', hold_by: null, hold_expires_at: null }, 'written free by the sweeper')

  // B can hold now.
  const hb3 = await hold(app, b.cookie, slot1.id)
  t.equal(hb3.statusCode, 200, 'HTTP 200', { body: hb3.body })
  t.equal(hb3.json().slot.hold.by, 'me')

  // Only the holder releases.
  const ra = await release(app, a.cookie, slot1.id)
  t.equal(ra.statusCode, 403)
  t.equal(ra.json().code, 'FORBIDDEN')
  const raWs = await sA.command({ type: 'release', slotId: slot1.id })
  t.equal(raWs.ok, false)
  t.equal(raWs.error.code, 'FORBIDDEN')
  t.equal((await slotAs(app, b.cookie, slot1.id)).hold.by, 'me', 'still held by B')
  const rb = await release(app, b.cookie, slot1.id)
  t.equal(rb.statusCode, 200, 'HTTP 200', { body: rb.body })
  t.equal(rb.json().status, 'free')
  t.equal(rb.json().hold, undefined)
  await Promise.all(all.map(async (s) => await s.waitFor((f) => f.event === 'slot.released' && f.slot.id === slot1.id && f.seq > released[0].seq, 'slot.released by B')))
  const rb2 = await release(app, b.cookie, slot1.id)
  t.equal(rb2.statusCode, 200, 'releasing a free slot again is harmless')
  t.equal(rb2.json().status, 'free')

  // One hold per regulator: holding slot2 releases slot1.
  const lastSeen = Math.max(0, ...sB.frames.filter((f) => f.type === 'event').map((f) => f.seq as number))
  t.equal((await hold(app, a.cookie, slot1.id)).statusCode, 200)
  // Events go out just after the reply: wait for this one before counting what comes next.
  await sB.waitFor((f) => f.event === 'slot.held' && f.slot.id === slot1.id && f.seq > lastSeen)
  const before = sB.frames.length
  const h3 = await hold(app, a.cookie, slot2.id)
  t.equal(h3.statusCode, 200, 'HTTP 200', { body: h3.body })
  await sB.waitFor((f) => f.event === 'slot.held' && f.slot.id === slot2.id)
  const after = sB.frames.slice(before).map((f) => `${f.event as string}:${f.slot.id === slot1.id ? 'slot1' : 'slot2'}`)
  t.same(after, ['slot.released:slot1', 'slot.held:slot2'], 'the first hold is released, then the second is held')
  t.equal((await slotAs(app, a.cookie, slot1.id)).status, 'free')
  t.equal((await slotAs(app, a.cookie, slot2.id)).hold.by, 'me')
  t.equal((await hold(app, b.cookie, slot1.id)).statusCode, 200, 'the released slot can be held by another')

  // The holder books its own hold.
  const book = await app.inject({ method: 'POST', url: `/api/slots/${slot2.id}/booking`, headers: { cookie: a.cookie }, payload: BOOKING })
  t.equal(book.statusCode, 201, 'HTTP 201', { body: book.body })
  const booked = await sGp.waitFor((f) => f.event === 'slot.booked' && f.slot.id === slot2.id)
  t.equal(booked.slot.hold, undefined, 'a booked slot has no hold')

  // Holds of slots that cannot be held.
  const withdrawn = await publishSlot(app, gp.cookie, '2026-06-02T13:00:00+02:00', '2026-06-02T13:15:00+02:00')
  t.equal((await app.inject({ method: 'DELETE', url: `/api/slots/${withdrawn.id}`, headers: { cookie: gp.cookie } })).statusCode, 200)
  const hw = await hold(app, a.cookie, withdrawn.id)
  t.equal(hw.statusCode, 409)
  t.equal(hw.json().code, 'SLOT_TAKEN')
  const hu = await hold(app, a.cookie, 'no-such-slot')
  t.equal(hu.statusCode, 404)
  t.equal(hu.json().code, 'NOT_FOUND')
  const hp = await hold(app, gp.cookie, slot1.id)
  t.equal(hp.statusCode, 403, 'practitioners do not hold')

  await Promise.all(all.map(async (s) => await s.waitFor((f) => f.event === 'slot.withdrawn')))
  for (const [s, label] of [[sA, 'A'], [sB, 'B'], [sGp, 'gp']] as const) t.same(seqBreaks(s), [], `${label}: seq contiguous`)
})

t.test('a hold over the websocket: reply says "me", the others see "other"; expiry frees it', async (t) => {
  const { app, clock } = await build(t, ENV)
  const terr = await territory(app)
  const a = terr.users.regulator
  const b = await addRegulator(app, terr.adminCookie, 'regb')
  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-06-03T09:00:00+02:00', '2026-06-03T09:20:00+02:00')
  const sA = await openLive(app, a.cookie)
  const sA2 = await openLive(app, a.cookie)
  const sB = await openLive(app, b.cookie)
  const sAdmin = await openLive(app, terr.adminCookie)
  const all = [sA, sA2, sB, sAdmin]
  t.teardown(() => { for (const s of all) s.close() })
  for (const s of all) await s.waitFor((f) => f.type === 'snapshot')

  const reply = await sA.command({ type: 'hold', slotId: slot.id })
  t.equal(reply.ok, true, JSON.stringify(reply))
  t.equal(reply.result.slot.id, slot.id)
  t.equal(reply.result.slot.status, 'held')
  t.same(reply.result.slot.hold, { by: 'me', expiresAt: '2026-06-01T10:00:05+02:00' })
  t.equal(reply.result.expiresAt, '2026-06-01T10:00:05+02:00')
  const seen = await Promise.all(all.map(async (s) => await s.waitFor((f) => f.event === 'slot.held')))
  t.same(seen.map((e) => e.slot.hold.by), ['me', 'me', 'other', 'other'], "the holder's sockets see me, others see other")

  const refused = await sB.command({ type: 'hold', slotId: slot.id })
  t.equal(refused.ok, false)
  t.same(refused.error.statusCode, 409)
  t.equal(refused.error.code, 'SLOT_HELD')
  const adminHold = await sAdmin.command({ type: 'hold', slotId: slot.id })
  t.equal(adminHold.ok, false)
  t.equal(adminHold.error.code, 'FORBIDDEN', 'only regulators hold')

  clock.advance(5000) // exactly at expiry: the hold is over
  const rel = await Promise.all(all.map(async (s) => await s.waitFor((f) => f.event === 'slot.released', 'released at expiry')))
  t.ok(rel.every((e) => e.slot.status === 'free'))
  const again = await sB.command({ type: 'hold', slotId: slot.id })
  t.equal(again.ok, true, 'B holds once the hold expired')
  const snap = await openLive(app, a.cookie)
  all.push(snap)
  const s2 = await snap.waitFor((f) => f.type === 'snapshot')
  t.same(s2.slots.map((s: any) => [s.id, s.status, s.hold?.by]), [[slot.id, 'held', 'other']], 'a new snapshot shows the hold as "other" to A')
  const mine = await openLive(app, b.cookie)
  all.push(mine)
  const s3 = await mine.waitFor((f) => f.type === 'snapshot')
  t.same(s3.slots.map((s: any) => [s.id, s.status, s.hold?.by, s.hold?.expiresAt]), [[slot.id, 'held', 'me', '2026-06-01T10:00:10+02:00']], 'and as "me" to B')
})
