// The hub on its own: events handed over out of order still go out in seq order, and an event
// that is committed but never handed over is read from the log instead of leaving a gap.
import t from 'tap'
import type { Kysely } from 'kysely'
import type { Database } from '../db/types.js'
import type { EventType } from '../shared/schemas/slots.js'
import { appendEvent } from '../server/features/slots/event-log.js'
import { LiveHub, type LiveClient } from '../server/features/live/live-hub.js'
import type { NeutralSlot } from '../server/features/slots/slot-repository.js'
import { build } from './helpers/build.js'

function fakeClient (userId: string): LiveClient & { frames: any[] } {
  const frames: any[] = []
  const socket = { OPEN: 1, readyState: 1, bufferedAmount: 0, send: (b: Buffer) => frames.push(JSON.parse(b.toString())), close: () => {}, terminate: () => {} }
  return { socket: socket as any, userId, role: 'regulator', credential: { kind: 'session', hash: userId }, lastSeq: 0, ready: false, frames }
}

// Today's shape as far as the hub reads it (a logged slot without a place is one logged before
// places, upgraded from its practitioner: event-log.ts upgradeSlotPayload).
const slot = (id: string): NeutralSlot => ({ id, status: 'free', place: { id: 'p' }, cptsIds: ['c'] } as unknown as NeutralSlot)

/** Appends an event in a transaction of its own, as a change does (appendEvent takes only a transaction). */
const append = async (db: Kysely<Database>, type: EventType, s: NeutralSlot, now: Date): Promise<number> =>
  await db.transaction().execute(async (trx) => await appendEvent(trx, type, s, now, { actorId: null }))

/** The events published in a turn of the event loop go out at its end. */
const nextTurn = async (): Promise<void> => { await new Promise((resolve) => setImmediate(resolve)) }

async function waitFor (pred: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !pred(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
}

t.test('events handed over out of order are sent in seq order, once', async (t) => {
  const { db, clock } = await build(t)
  const hub = new LiveHub(db, clock)
  await hub.start()
  const c = fakeClient('u1')
  await hub.attach(c, undefined)
  t.equal(c.frames[0].type, 'snapshot')
  const seqs = []
  for (const id of ['a', 'b', 'c']) seqs.push(await append(db, 'slot.published', slot(id), clock.now()))
  hub.publish([{ seq: seqs[2]!, type: 'slot.published', slot: slot('c') }])
  await nextTurn()
  t.equal(c.frames.length, 1, 'the third waits for the first two')
  hub.publish([{ seq: seqs[0]!, type: 'slot.published', slot: slot('a') }, { seq: seqs[1]!, type: 'slot.published', slot: slot('b') }])
  await nextTurn()
  t.same(c.frames.slice(1).map((f) => f.slot.id), ['a', 'b', 'c'])
  hub.publish([{ seq: seqs[1]!, type: 'slot.published', slot: slot('b') }])
  await nextTurn()
  t.equal(c.frames.length, 4, 'an event handed over twice is sent once')
})

t.test('a committed event never handed over is read from the log', async (t) => {
  const { db, clock } = await build(t)
  const hub = new LiveHub(db, clock)
  await hub.start()
  const c = fakeClient('u1')
  await hub.attach(c, undefined)
  const s1 = await append(db, 'slot.published', slot('lost'), clock.now())
  const s2 = await append(db, 'slot.published', slot('next'), clock.now())
  hub.publish([{ seq: s2, type: 'slot.published', slot: slot('next') }])
  await waitFor(() => c.frames.length >= 3)
  t.same(c.frames.slice(1).map((f) => [f.seq, f.slot.id]), [[s1, 'lost'], [s2, 'next']])
})

t.test('sockets attaching together share one snapshot and then get every event', async (t) => {
  const { db, clock } = await build(t)
  const hub = new LiveHub(db, clock)
  await hub.start()
  const clients = [fakeClient('u1'), fakeClient('u2'), fakeClient('u3')]
  const started = Promise.all(clients.map((c) => hub.attach(c, undefined)))
  const seq = await append(db, 'slot.published', slot('during'), clock.now())
  hub.publish([{ seq, type: 'slot.published', slot: slot('during') }])
  await started
  const after = await append(db, 'slot.published', slot('after'), clock.now())
  hub.publish([{ seq: after, type: 'slot.published', slot: slot('after') }])
  await nextTurn()
  for (const c of clients) {
    t.equal(c.frames[0].type, 'snapshot')
    const seen = c.frames.filter((f) => f.type === 'event').map((f) => f.seq)
    // `during` is either in the snapshot's seq or sent after it: never lost, never twice.
    t.ok(c.frames[0].seq >= seq || seen.includes(seq), 'the event sent while starting is not lost')
    t.same(seen, [...new Set(seen)].sort((a, b) => a - b), 'no duplicate, in order')
    t.ok(seen.includes(after))
  }
})

t.test('seqs committed by another instance (a NOTIFY) are read from the log, each sent once, in order', async (t) => {
  const { db, clock } = await build(t)
  const hub = new LiveHub(db, clock)
  await hub.start()
  const c = fakeClient('u1')
  await hub.attach(c, undefined)
  // Written by another server: this hub is told their seqs only, in a burst.
  const seqs = []
  for (const id of ['x', 'y', 'z']) seqs.push(await append(db, 'slot.published', slot(id), clock.now()))
  for (const seq of seqs) hub.notified(seq, false)
  hub.notified(seqs[0]!, false) // told twice
  await hub.flush()
  t.same(c.frames.slice(1).map((f) => [f.seq, f.slot.id]), [[seqs[0], 'x'], [seqs[1], 'y'], [seqs[2], 'z']])
})

t.test('a NOTIFY of its own commit waits for publish(); the log is read only if publish() never comes', async (t) => {
  const { db, clock } = await build(t)
  const hub = new LiveHub(db, clock)
  await hub.start()
  const c = fakeClient('u1')
  await hub.attach(c, undefined)
  const s1 = await append(db, 'slot.published', slot('mine'), clock.now())
  hub.notified(s1, true)
  await nextTurn()
  t.equal(c.frames.length, 1, 'not read from the log: publish() follows')
  hub.publish([{ seq: s1, type: 'slot.published', slot: slot('mine') }])
  // A commit whose publish() is lost (its reply never came back): read from the log after a while.
  const s2 = await append(db, 'slot.published', slot('lost reply'), clock.now())
  hub.notified(s2, true)
  await waitFor(() => c.frames.length >= 3)
  await hub.flush()
  t.same(c.frames.slice(1).map((f) => [f.seq, f.slot.id]), [[s1, 'mine'], [s2, 'lost reply']], 'each once, in order')
})
