// Issue 23: the events of one turn of the event loop go out together, in one write per socket.
// What a user would notice stays as before: every socket gets every event, in seq order, once;
// a holder sees its own hold as `me`; a socket too slow to follow is cut; one that goes away
// mid-turn takes nothing from the others.
import t from 'tap'
import type { Kysely } from 'kysely'
import type { Duplex } from 'node:stream'
import type { WebSocket } from 'ws'
import type { Database } from '../db/types.js'
import type { EventType } from '../shared/schemas/slots.js'
import { appendEvent } from '../server/features/slots/event-log.js'
import type { NeutralSlot } from '../server/features/slots/slot-repository.js'
import { build } from './helpers/build.js'
import { territory } from './helpers/fixtures.js'
import { openLive, type LiveProbe } from './helpers/live.js'

const slot = (id: string, extra: Partial<NeutralSlot> = {}): NeutralSlot => ({ id, status: 'free', ...extra } as unknown as NeutralSlot)

/** Logs events as changes would (one transaction each), without handing them to the hub. */
async function logEvents (db: Kysely<Database>, slots: NeutralSlot[], now: Date, type: EventType = 'slot.published'): Promise<Array<{ seq: number, type: EventType, slot: NeutralSlot }>> {
  const out = []
  for (const s of slots) out.push({ seq: await db.transaction().execute(async (trx) => await appendEvent(trx, type, s, now, { actorId: null })), type, slot: s })
  return out
}

const eventsOf = (p: LiveProbe): any[] => p.frames.filter((f) => f.type === 'event')
const streamOf = (ws: WebSocket): Duplex => (ws as unknown as { _socket: Duplex })._socket

t.test('many events committed in one turn reach every socket complete, in seq order, once; the holder sees its hold as me', async (t) => {
  const { app, db, clock } = await build(t)
  const terr = await territory(app)
  const probes: LiveProbe[] = []
  for (let i = 0; i < 12; i++) probes.push(await openLive(app, (i % 3 === 0 ? terr.users.regulator : i % 3 === 1 ? terr.users.gp : terr.users.gp2).cookie))
  t.teardown(() => { for (const p of probes) p.close() })
  for (const p of probes) await p.waitFor((f) => f.type === 'snapshot')
  const from = probes[0]!.frames[0].seq as number
  // PostgreSQL: the hub hears each commit's NOTIFY and reads the log when its publish() is late;
  // here the events are handed over only once all are logged, so the listening is stopped.
  await app.liveFanout?.close()

  // Counts the writes of each socket's server side from now on.
  const writes = new Map<WebSocket, number>()
  for (const c of app.liveHub.clients) {
    const stream = streamOf(c.socket)
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean
    writes.set(c.socket, 0)
    stream.write = ((...args: unknown[]) => { writes.set(c.socket, (writes.get(c.socket) ?? 0) + 1); return write(...args) }) as typeof stream.write
  }

  const held = slot('held-by-regulator', { status: 'held', hold: { holderId: terr.users.regulator.id, expiresAt: '2026-06-01T10:10:00+02:00' } } as Partial<NeutralSlot>)
  const logged = [
    ...await logEvents(db, Array.from({ length: 40 }, (_, i) => slot(`s${i}`)), clock.now()),
    ...await logEvents(db, [held], clock.now(), 'slot.held'),
    ...await logEvents(db, Array.from({ length: 40 }, (_, i) => slot(`t${i}`)), clock.now())
  ]
  // Handed over in one turn, out of order: sent in seq order, each once.
  app.liveHub.publish(logged.slice(60))
  app.liveHub.publish(logged.slice(0, 60))
  app.liveHub.publish(logged.slice(10, 20))
  const expected = logged.map((e) => e.seq)
  t.same(expected, Array.from({ length: 81 }, (_, i) => from + 1 + i), 'the log has them one after the other')
  for (const p of probes) await p.waitFor(() => eventsOf(p).length >= expected.length, 'every event')

  for (const [i, p] of probes.entries()) {
    t.same(eventsOf(p).map((f) => f.seq), expected, `socket ${i}: every event, in seq order, once`)
    const hold = eventsOf(p).find((f) => f.slot.id === 'held-by-regulator')
    t.equal(hold.slot.hold.by, i % 3 === 0 ? 'me' : 'other', `socket ${i}: the hold is ${i % 3 === 0 ? 'its own' : 'another\'s'}`)
  }
  const sockets = [...writes.keys()]
  const holderSockets = [...app.liveHub.clients].filter((c) => c.userId === terr.users.regulator.id).map((c) => c.socket)
  t.ok(sockets.filter((s) => !holderSockets.includes(s)).every((s) => writes.get(s) === 1), 'one write per socket for the 81 events of the turn')

  // And the next turn's event after them.
  const [next] = await logEvents(db, [slot('next')], clock.now())
  app.liveHub.publish([next!])
  for (const p of probes) t.same((await p.waitFor((f) => f.type === 'event' && f.slot.id === 'next')).seq, next!.seq)
})

t.test('a socket that does not read is cut at its buffer limit; the others get every event', async (t) => {
  const { app, db, clock } = await build(t)
  const terr = await territory(app)
  const slow = await openLive(app, terr.users.gp.cookie)
  const fast = await openLive(app, terr.users.gp2.cookie)
  t.teardown(() => { slow.close(); fast.close() })
  await slow.waitFor((f) => f.type === 'snapshot')
  await fast.waitFor((f) => f.type === 'snapshot')
  app.liveHub.maxBuffered = 64 * 1024
  streamOf(slow.ws).pause() // the page stops reading
  const slowServer = [...app.liveHub.clients].find((c) => c.userId === terr.users.gp.id)!.socket

  const big = 'x'.repeat(8 * 1024)
  const sent: number[] = []
  for (let turn = 0; turn < 12; turn++) {
    const events = await logEvents(db, Array.from({ length: 4 }, (_, i) => slot(`big-${turn}-${i}`, { note: big } as Partial<NeutralSlot>)), clock.now())
    app.liveHub.publish(events)
    sent.push(...events.map((e) => e.seq))
    await new Promise((resolve) => setImmediate(resolve))
  }
  t.not(slowServer.readyState, slowServer.OPEN, 'the server closed the socket that let 64 KiB pile up')
  await fast.waitFor(() => eventsOf(fast).length >= sent.length, 'every event on the other socket')
  t.same(eventsOf(fast).map((f) => f.seq), sent, 'in seq order, once')

  streamOf(slow.ws).resume()
  t.equal(await slow.closed, 1013, 'the slow page is told to reconnect (1013)')
  const got = eventsOf(slow).map((f) => f.seq)
  t.ok(got.length < sent.length, 'it did not get everything')
  t.same(got, sent.slice(0, got.length), 'what it got is in order, with no gap: it resumes with ?since=')
})

t.test('a socket that goes away in the middle of a turn takes nothing from the others', async (t) => {
  const { app, db, clock } = await build(t)
  const terr = await territory(app)
  const probes: LiveProbe[] = []
  for (const u of [terr.users.gp, terr.users.gp2, terr.users.psy, terr.users.regulator]) probes.push(await openLive(app, u.cookie))
  t.teardown(() => { for (const p of probes) p.close() })
  for (const p of probes) await p.waitFor((f) => f.type === 'snapshot')
  const events = await logEvents(db, Array.from({ length: 10 }, (_, i) => slot(`m${i}`)), clock.now())
  app.liveHub.publish(events.slice(0, 5))
  // Its connection is gone before the turn's write, and ws has not heard yet.
  const gone = [...app.liveHub.clients].find((c) => c.userId === terr.users.gp2.id)!
  streamOf(gone.socket).destroy()
  app.liveHub.publish(events.slice(5))
  const others = probes.filter((_, i) => i !== 1)
  for (const p of others) await p.waitFor(() => eventsOf(p).length >= events.length, 'every event')
  for (const p of others) t.same(eventsOf(p).map((f) => f.seq), events.map((e) => e.seq), 'every event, in order')
  t.ok(await probes[1]!.closed > 0, 'the one gone is closed')
  t.equal(app.liveHub.clients.size, 3, 'and forgotten')
  const [after] = await logEvents(db, [slot('after')], clock.now())
  app.liveHub.publish([after!])
  for (const p of others) t.equal((await p.waitFor((f) => f.type === 'event' && f.slot.id === 'after')).seq, after!.seq, 'the next turn goes out as well')
})
