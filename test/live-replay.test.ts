// Issue 3: the live feed. Reconnecting with ?since=N replays exactly what was missed; every
// socket sees seq strictly increasing with no gap, even under a burst of concurrent changes;
// malformed frames get an error and the socket stays open.
import t from 'tap'
import { build } from './helpers/build.js'
import { addRegulator, publishSlot, territory } from './helpers/fixtures.js'
import { openLive, type LiveProbe } from './helpers/live.js'

const BOOKING = { patient: { lastName: 'Bernard', firstName: 'Lucie', birthDate: '1990-11-30', phone: '+33 6 12 34 56 78' }, hasTreatingGp: 'unknown' }

async function lastSeq (db: any): Promise<number> {
  const r = await db.selectFrom('events').select((eb: any) => eb.fn.max('seq').as('m')).executeTakeFirstOrThrow()
  return Number(r.m ?? 0)
}

const seqFrames = (s: LiveProbe): any[] => s.frames.filter((f) => f.type === 'snapshot' || f.type === 'event')

/** The seq of one socket's frames (snapshot or replay start, then events) that do not follow the previous by +1. */
function seqBreaks (s: LiveProbe, startAfter?: number): number[] {
  const seqs = seqFrames(s).map((f) => f.seq as number)
  if (startAfter !== undefined) seqs.unshift(startAfter)
  return seqs.slice(1).filter((q, i) => q !== seqs[i]! + 1)
}

t.test('reconnect with ?since=N: exactly the events after N, in order, no snapshot', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const gp = terr.users.gp
  const reg = terr.users.regulator
  const other = await addRegulator(app, terr.adminCookie, 'reg2')
  const a = await publishSlot(app, gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const b = await publishSlot(app, gp.cookie, '2026-06-02T12:15:00+02:00', '2026-06-02T12:30:00+02:00')
  const c = await publishSlot(app, terr.users.gp2.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')

  const first = await openLive(app, reg.cookie)
  const snap = await first.waitFor((f) => f.type === 'snapshot')
  t.equal(snap.seq, 3, 'the snapshot carries the seq of the last event')
  t.same(snap.slots.map((s: any) => s.id).sort(), [a.id, b.id, c.id].sort())
  const d = await publishSlot(app, gp.cookie, '2026-06-02T13:00:00+02:00', '2026-06-02T13:15:00+02:00')
  const seen = await first.waitFor((f) => f.event === 'slot.published' && f.slot.id === d.id)
  t.equal(seen.seq, 4)
  const n = seen.seq as number
  first.close()

  // While disconnected: publish, hold, book, withdraw, hold elsewhere (releases), cancel.
  const e = await publishSlot(app, gp.cookie, '2026-06-02T14:00:00+02:00', '2026-06-02T14:15:00+02:00')
  t.equal((await app.inject({ method: 'POST', url: `/api/slots/${a.id}/hold`, headers: { cookie: reg.cookie } })).statusCode, 200)
  const booked = await app.inject({ method: 'POST', url: `/api/slots/${b.id}/booking`, headers: { cookie: other.cookie }, payload: BOOKING })
  t.equal(booked.statusCode, 201, 'HTTP 201', { body: booked.body })
  t.equal((await app.inject({ method: 'DELETE', url: `/api/slots/${c.id}`, headers: { cookie: terr.users.gp2.cookie } })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: `/api/slots/${e.id}/hold`, headers: { cookie: reg.cookie } })).statusCode, 200)
  const cancel = await app.inject({ method: 'POST', url: `/api/bookings/${booked.json().id}/cancel`, headers: { cookie: other.cookie }, payload: { reason: 'patient a rappelé' } })
  t.equal(cancel.statusCode, 200, 'HTTP 200', { body: cancel.body })
  const m = await lastSeq(db)
  t.equal(m, n + 7)

  const back = await openLive(app, reg.cookie, `?since=${n}`)
  await back.waitFor((f) => f.seq === m, `event ${m}`)
  const expected = [
    ['slot.published', e.id], ['slot.held', a.id], ['slot.booked', b.id], ['slot.withdrawn', c.id],
    ['slot.released', a.id], ['slot.held', e.id], ['booking.cancelled', b.id]
  ]
  t.same(back.frames.map((f) => [f.type, f.seq, f.event, f.slot?.id]), expected.map(([ev, id], i) => ['event', n + 1 + i, ev, id]),
    'the missed events, in order, seq contiguous, nothing else')
  t.notOk(back.frames.some((f) => f.type === 'snapshot'), 'no snapshot')
  const heldA = back.frames.find((f) => f.event === 'slot.held' && f.slot.id === a.id)
  t.same(heldA.slot.hold.by, 'me', 'replayed holds are seen from this viewer: its own hold is "me"')
  t.equal(back.frames.find((f) => f.event === 'booking.cancelled').slot.status, 'free')

  // Then live, still contiguous, no duplicate.
  const f = await publishSlot(app, gp.cookie, '2026-06-02T15:00:00+02:00', '2026-06-02T15:15:00+02:00')
  await back.waitFor((x) => x.event === 'slot.published' && x.slot.id === f.id)
  t.same(seqBreaks(back, n), [], 'replay then live: no gap, no duplicate')

  // A second replay socket from the same N sees the same events; one from the current seq sees none.
  const again = await openLive(app, reg.cookie, `?since=${n}`)
  await again.waitFor((x) => x.seq === m + 1)
  t.same(again.frames.map((x) => x.seq), back.frames.map((x) => x.seq))
  const upToDate = await openLive(app, reg.cookie, `?since=${m + 1}`)
  const ping = await upToDate.command({ type: 'release', slotId: d.id })
  t.equal(ping.ok, true, 'commands work on a replayed socket')
  t.same(upToDate.frames.filter((x) => x.type !== 'reply'), [], 'nothing to replay when up to date, no snapshot either')
  const g = await publishSlot(app, gp.cookie, '2026-06-02T16:00:00+02:00', '2026-06-02T16:15:00+02:00')
  const live = await upToDate.waitFor((x) => x.event === 'slot.published' && x.slot.id === g.id)
  t.equal(live.seq, m + 2)

  // since in the future: a fresh snapshot.
  const future = await openLive(app, reg.cookie, `?since=${m + 1000}`)
  const fsnap = await future.waitFor((x) => x.type === 'snapshot')
  t.equal(fsnap.seq, m + 2)
  t.same(fsnap.slots.map((s: any) => [s.id, s.status, s.hold?.by]).sort(),
    [[a.id, 'free', undefined], [b.id, 'free', undefined], [d.id, 'free', undefined], [e.id, 'held', 'me'], [f.id, 'free', undefined], [g.id, 'free', undefined]].sort(),
    'free and held slots not yet ended; withdrawn ones are not in it')
  t.equal(future.frames.filter((x) => x.type === 'event').length, 0)

  // since below what the log still holds (a trimmed log): a fresh snapshot.
  await db.deleteFrom('events').where('seq', '<=', n + 2).execute()
  const old = await openLive(app, reg.cookie, `?since=${n}`)
  const osnap = await old.waitFor((x) => x.type === 'snapshot')
  t.equal(osnap.seq, m + 2)
  t.equal(old.frames.filter((x) => x.type === 'event').length, 0)
  const ok = await openLive(app, reg.cookie, `?since=${n + 2}`)
  await ok.waitFor((x) => x.seq === m + 2)
  t.equal(ok.frames[0].seq, n + 3, 'since = first kept seq − 1 still replays')

  for (const s of [back, again, upToDate, future, old, ok]) s.close()

  const bad = await app.inject({ method: 'GET', url: '/api/live?since=-1', headers: { cookie: reg.cookie } })
  t.equal(bad.statusCode, 400, 'a negative since is refused')
})

t.test('a burst of concurrent changes: every socket sees seq strictly increasing, no gap', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const gp = terr.users.gp
  const regs = [terr.users.regulator, ...await Promise.all([1, 2, 3, 4].map(async (i) => await addRegulator(app, terr.adminCookie, `burst${i}`)))]
  const series = await app.inject({
    method: 'POST', url: '/api/slots/series', headers: { cookie: gp.cookie },
    payload: { from: '2026-06-02', to: '2026-06-05', weekdays: [1, 2, 3, 4, 5], startTime: '09:00', slotMinutes: 15, count: 6, kind: 'snp', mode: 'office' }
  })
  t.equal(series.statusCode, 201, 'HTTP 201', { body: series.body })
  const slots: any[] = series.json().created
  t.equal(slots.length, 24)

  const sockets = await Promise.all([...regs.map((r) => r.cookie), gp.cookie, terr.adminCookie].map(async (c) => await openLive(app, c)))
  t.teardown(() => { for (const s of sockets) s.close() })
  await Promise.all(sockets.map(async (s) => await s.waitFor((f) => f.type === 'snapshot')))
  const s0 = await lastSeq(db)

  // Each regulator works through the slots at once: holds (over HTTP or the socket), books some.
  let joinedMidway: LiveProbe | undefined
  let resumedMidway: LiveProbe | undefined
  const work = regs.map(async (r, i) => {
    const ws = sockets[i]!
    for (let k = 0; k < slots.length; k++) {
      const slot = slots[(k + i * 5) % slots.length]
      if (k % 3 === 0) {
        await ws.command({ type: 'hold', slotId: slot.id })
      } else if (k % 3 === 1) {
        await app.inject({ method: 'POST', url: `/api/slots/${slot.id}/hold`, headers: { cookie: r.cookie } })
      } else if (k % 4 === 0) {
        await ws.command({ type: 'book', slotId: slot.id, booking: BOOKING })
      } else {
        await app.inject({ method: 'DELETE', url: `/api/slots/${slot.id}/hold`, headers: { cookie: r.cookie } })
      }
      if (i === 0 && k === 8) {
        joinedMidway = await openLive(app, r.cookie)
        resumedMidway = await openLive(app, r.cookie, `?since=${s0 + 3}`)
      }
    }
  })
  const withdrawals = slots.filter((_, k) => k % 5 === 4).map(async (s) => await app.inject({ method: 'DELETE', url: `/api/slots/${s.id}`, headers: { cookie: gp.cookie } }))
  const publications = [10, 11, 12].map(async (h) => await publishSlot(app, gp.cookie, `2026-06-08T${h}:00:00+02:00`, `2026-06-08T${h}:20:00+02:00`))
  await Promise.all([...work, ...withdrawals, ...publications])
  const end = await lastSeq(db)
  t.ok(end - s0 > 60, `a real burst: ${end - s0} events`)

  const probes = [...sockets, joinedMidway!, resumedMidway!]
  t.teardown(() => { joinedMidway?.close(); resumedMidway?.close() })
  await Promise.all(probes.map(async (s) => await s.waitFor((f) => f.seq === end, `seq ${end}`)))
  sockets.forEach((s, i) => {
    const frames = seqFrames(s)
    t.equal(frames[0].type, 'snapshot')
    t.same(seqBreaks(s), [], `socket ${i}: seq +1 each frame from the snapshot to ${end}`)
  })
  t.same(seqBreaks(joinedMidway!), [], 'a socket opened during the burst: snapshot then contiguous events')
  t.same(seqBreaks(resumedMidway!, s0 + 3), [], 'a socket resumed during the burst: contiguous from since')
  t.notOk(resumedMidway!.frames.some((f) => f.type === 'snapshot'))

  // Every socket saw the same events for the same seq, and the log agrees.
  const log = await db.selectFrom('events').select(['seq', 'type', 'slot_id']).where('seq', '>', s0).orderBy('seq').execute()
  const want = log.map((r) => `${r.seq}:${r.type}:${r.slot_id}`)
  for (const s of sockets) {
    t.same(s.frames.filter((f) => f.type === 'event').map((f) => `${f.seq as number}:${f.event as string}:${f.slot.id as string}`), want)
  }
  // What the sockets last saw of each slot is what the database says.
  const lastView = new Map<string, string>()
  for (const f of sockets[5]!.frames.filter((x) => x.type === 'event')) lastView.set(f.slot.id, f.slot.status)
  const rows = await db.selectFrom('slots').select(['id', 'status', 'hold_expires_at']).execute()
  for (const r of rows) {
    if (lastView.has(r.id)) t.equal(lastView.get(r.id), r.status, `slot ${r.id} ends ${r.status} for the sockets too`)
  }
  const bookings = await db.selectFrom('bookings').select(['slot_id']).where('status', '!=', 'cancelled').execute()
  t.equal(new Set(bookings.map((b) => b.slot_id)).size, bookings.length, 'never two bookings for one slot')
})

t.test('the snapshot is the first frame, even when a command is sent at once', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)
  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const s = await openLive(app, terr.users.regulator.cookie)
  t.teardown(() => s.close())
  s.send('garbage')
  const reply = await s.command({ type: 'hold', slotId: slot.id })
  t.equal(reply.ok, true)
  await s.waitFor((f) => f.event === 'slot.held')
  t.same(s.frames.slice(0, 2).map((f) => f.type), ['snapshot', 'error'], 'server first: the snapshot, then the answers in the order asked')
  t.same(s.frames.slice(2).map((f) => f.type).sort(), ['event', 'reply'])
  t.equal(s.frames[0].slots[0].status, 'free')
  const r = await openLive(app, terr.users.regulator.cookie, '?since=0')
  t.teardown(() => r.close())
  const release = await r.command({ type: 'release', slotId: slot.id })
  t.equal(release.ok, true)
  await r.waitFor((f) => f.event === 'slot.released')
  t.same(r.frames.slice(0, 2).map((f) => [f.type, f.event]), [['event', 'slot.published'], ['event', 'slot.held']], 'a replay too comes before any reply')
})

t.test('malformed frames get an error; the socket stays open', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)
  const slot = await publishSlot(app, terr.users.gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const s = await openLive(app, terr.users.regulator.cookie)
  t.teardown(() => s.close())
  await s.waitFor((f) => f.type === 'snapshot')

  s.send('not json {')
  const e1 = await s.waitFor((f) => f.type === 'error')
  t.same(e1.error.statusCode, 400)
  t.equal(e1.error.code, 'VALIDATION')
  t.equal(e1.requestId, undefined)

  const r1 = await s.command({ type: 'explode', slotId: slot.id })
  t.equal(r1.type, 'reply')
  t.equal(r1.ok, false)
  t.equal(r1.error.code, 'VALIDATION', 'unknown type with a requestId: an error reply')
  t.equal(r1.error.statusCode, 400)
  t.ok(Array.isArray(r1.error.details) && r1.error.details.length > 0, 'with the zod issues')

  const r2 = await s.command({ type: 'hold' })
  t.equal(r2.ok, false)
  t.equal(r2.error.code, 'VALIDATION', 'a hold without slotId')
  const r3 = await s.command({ type: 'book', slotId: slot.id, booking: { patient: { lastName: 'X' }, hasTreatingGp: 'maybe' } })
  t.equal(r3.ok, false)
  t.equal(r3.error.code, 'VALIDATION', 'a book with a bad booking')
  t.ok(r3.error.details.some((d: any) => d.path.includes('hasTreatingGp')))
  const r4 = await s.command({ type: 'hold', slotId: 'no-such-slot' })
  t.equal(r4.ok, false)
  t.equal(r4.error.code, 'NOT_FOUND')
  t.equal(r4.error.statusCode, 404)

  for (const junk of ['null', '42', '[]', '{"type":"hold"}', '""']) s.send(junk)
  await s.waitFor(() => s.frames.filter((f) => f.type === 'error').length === 6, 'five more error frames')
  t.ok(s.frames.filter((f) => f.type === 'error').every((f) => f.error.code === 'VALIDATION'))

  t.equal(s.ws.readyState, s.ws.OPEN, 'still open')
  const r5 = await s.command({ type: 'hold', slotId: slot.id })
  t.equal(r5.ok, true, 'a later command still gets its reply')
  t.equal(r5.result.slot.hold.by, 'me')
  const held = await s.waitFor((f) => f.event === 'slot.held')
  t.equal(held.slot.hold.by, 'me')
  t.notOk(s.frames.some((f) => f.event !== undefined && f.event !== 'slot.held'), 'refused commands sent no event')
})

t.test('an event logged before places (no place, no cptsIds) is replayed in today\'s shape', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const reg = terr.users.regulator
  const a = await publishSlot(app, terr.users.gp.cookie, '2026-06-02T12:00:00+02:00', '2026-06-02T12:15:00+02:00')
  const seq = await lastSeq(db)
  // The payload as the log kept it before migration 0019.
  const row = await db.selectFrom('events').select('payload').where('seq', '=', seq).executeTakeFirstOrThrow()
  const { place: _place, cptsIds: _cptsIds, ...old } = JSON.parse(row.payload)
  await db.updateTable('events').set({ payload: JSON.stringify(old) }).where('seq', '=', seq).execute()

  const back = await openLive(app, reg.cookie, `?since=${seq - 1}`)
  const replayed = await back.waitFor((f) => f.seq === seq)
  t.same(replayed.slot.cptsIds, [a.cptsId], 'offered to its own CPTS')
  t.same(replayed.slot.place, {
    id: terr.users.gp.id, label: 'Saint-Jean-de-Monts', address: '1 rue de la Plage', postalCode: '85160', commune: 'Saint-Jean-de-Monts',
    communeCode: a.practitioner.communeCode, epci: a.practitioner.epci, departement: a.practitioner.departement
  }, 'at its practitioner\'s place (the id 0019 gave it), from the practitioner\'s fields')
  t.same(replayed.slot, a, 'the same view as the slot published at its home place')
})
