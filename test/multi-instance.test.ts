// Issue 10: two server instances on one PostgreSQL database (the same schema), each with its own
// pool, listening on a real port. 50 regulators, half on each, race for the same slot over the
// websocket and over HTTP, round after round: exactly one wins each round, and every socket on
// both instances sees every event, in seq order, with no gap. `?since=` replays on the other
// instance, and a listening connection that drops reconnects and reads what it missed.
// PostgreSQL only (scripts/test.mjs runs it in the PostgreSQL pass alone).
import t from 'tap'
import { sql } from 'kysely'
import type { AddressInfo } from 'node:net'
import { build, type TestApp } from './helpers/build.js'
import { TEST_ENGINE } from './helpers/database.js'
import { addRegulator, territory } from './helpers/fixtures.js'
import { openLiveAt, type LiveProbe } from './helpers/live.js'

const REGULATORS = 50
const ROUNDS = 20
const BOOKING = { patient: { lastName: 'Martin', firstName: 'Anne', birthDate: '1980-01-02', phone: '06 12 34 56 78' }, hasTreatingGp: 'no' }
// 50 sockets and their HTTP requests come from one address and send many commands a second.
const ENV = { LIVE_COMMANDS_PER_SECOND: '1000', MAX_CONNECTIONS_PER_ADDRESS: '0', LIVE_MAX_SOCKETS_PER_ACCOUNT: '100' }

interface Instance { name: string, built: TestApp, url: string }

async function listen (name: string, built: TestApp): Promise<Instance> {
  await built.app.listen({ port: 0, host: '127.0.0.1' })
  return { name, built, url: `http://127.0.0.1:${(built.app.server.address() as AddressInfo).port}` }
}

async function http (base: string, method: string, path: string, cookie: string, body?: unknown): Promise<{ status: number, json: any }> {
  const res = await fetch(base + path, {
    method,
    headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body)
  })
  const text = await res.text()
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text) }
}

/** The event seqs a socket received, in the order received. */
const eventSeqs = (s: LiveProbe): number[] => s.frames.filter((f) => f.type === 'event').map((f) => f.seq as number)

/** Whether the socket's events follow its snapshot (or `since`) one by one up to `last`. */
function gapless (s: LiveProbe, from: number, last: number): boolean {
  const seqs = eventSeqs(s)
  return seqs.length === last - from && seqs.every((seq, i) => seq === from + 1 + i)
}

if (TEST_ENGINE !== 'postgres') {
  t.plan(0, 'PostgreSQL only: instances share the database and hear each other through LISTEN/NOTIFY')
} else {
  t.test('two instances on one database', async (t) => {
    const builtA = await build(t, ENV)
    const builtB = await build(t, ENV, undefined, { sameDatabaseAs: builtA })
    const instances = [await listen('A', builtA), await listen('B', builtB)] as const
    const [A, B] = instances
    t.ok(builtA.app.liveFanout?.listening === true && builtB.app.liveFanout?.listening === true, 'each instance listens for the other\'s commits')
    const maxSeq = async (): Promise<number> => {
      const r = await builtA.db.selectFrom('events').select((eb) => eb.fn.max<number | null>('seq').as('max')).executeTakeFirstOrThrow()
      return Number(r.max ?? 0)
    }

    const terr = await territory(A.built.app)
    const gp = terr.users.gp
    const regs = await Promise.all(Array.from({ length: REGULATORS }, async (_, i) => await addRegulator(A.built.app, terr.adminCookie, `racer${i}`)))
    const home = (i: number): Instance => instances[i % 2] as Instance

    // Regulator i on instance i % 2; two of the GP's pages on each instance.
    const sockets = await Promise.all(regs.map(async (r, i) => await openLiveAt(home(i).url, r.cookie)))
    const pages = await Promise.all([A, A, B, B].map(async (inst) => await openLiveAt(inst.url, gp.cookie)))
    const all = [...sockets, ...pages]
    t.teardown(() => { for (const s of all) s.close() })
    const snapshots = await Promise.all(all.map(async (s) => await s.waitFor((f) => f.type === 'snapshot', 'snapshot')))
    const from = snapshots.map((f) => f.seq as number)

    t.test(`${ROUNDS} rounds: ${REGULATORS} regulators on two instances race for one slot`, async (t) => {
      for (let round = 0; round < ROUNDS; round++) {
        // The slot is published on either instance in turn.
        const start = new Date(Date.parse('2026-06-03T08:00:00+02:00') + round * 15 * 60_000)
        const published = await http(home(round).url, 'POST', '/api/slots', gp.cookie,
          { start: start.toISOString(), end: new Date(start.getTime() + 15 * 60_000).toISOString(), kind: 'snp', mode: 'office' })
        if (published.status !== 201) throw new Error(`publish: ${published.status} ${JSON.stringify(published.json)}`)
        const slotId = published.json.id as string
        await Promise.all(all.map(async (s) => await s.waitFor((f) => f.event === 'slot.published' && f.slot.id === slotId, 'slot.published')))

        // Everyone at once: a quarter each by websocket hold, websocket book, HTTP hold, HTTP book.
        const attempts = await Promise.all(regs.map(async (r, i) => {
          const base = home(i).url
          switch (i % 4) {
            case 0: return { i, how: 'ws hold', ok: (await sockets[i]!.command({ type: 'hold', slotId })).ok === true }
            case 1: return { i, how: 'ws book', ok: (await sockets[i]!.command({ type: 'book', slotId, booking: BOOKING })).ok === true }
            case 2: return { i, how: 'http hold', ok: (await http(base, 'POST', `/api/slots/${slotId}/hold`, r.cookie)).status === 200 }
            default: return { i, how: 'http book', ok: (await http(base, 'POST', `/api/slots/${slotId}/booking`, r.cookie, BOOKING)).status === 201 }
          }
        }))
        const winners = attempts.filter((a) => a.ok)
        if (winners.length !== 1) {
          t.fail(`round ${round}: ${winners.length} winners (${winners.map((w) => w.how).join(', ')})`)
          return
        }
        const winner = winners[0]!
        // A winning hold goes on to book, the way it held.
        if (winner.how === 'ws hold') {
          const booked = await sockets[winner.i]!.command({ type: 'book', slotId, booking: BOOKING })
          if (booked.ok !== true) t.fail(`round ${round}: the holder could not book: ${JSON.stringify(booked)}`)
        } else if (winner.how === 'http hold') {
          const booked = await http(home(winner.i).url, 'POST', `/api/slots/${slotId}/booking`, regs[winner.i]!.cookie, BOOKING)
          if (booked.status !== 201) t.fail(`round ${round}: the holder could not book: ${booked.status}`)
        }
        const seen = await Promise.all(all.map(async (s) => await s.waitFor((f) => f.event === 'slot.booked' && f.slot.id === slotId, 'slot.booked')))
        if (new Set(seen.map((f) => f.slot.bookingId)).size !== 1) t.fail(`round ${round}: sockets disagree on the booking`)
        const live = await builtA.db.selectFrom('bookings').select((eb) => eb.fn.countAll<number>().as('n'))
          .where('slot_id', '=', slotId).where('status', '!=', 'cancelled').executeTakeFirstOrThrow()
        if (Number(live.n) !== 1) t.fail(`round ${round}: ${Number(live.n)} bookings in the database`)
      }
      t.pass(`exactly one winner in each of the ${ROUNDS} rounds, one booking each in the database`)

      const last = await maxSeq()
      await Promise.all(all.map(async (s) => await s.waitFor((f) => f.type === 'event' && f.seq === last, `seq ${last}`)))
      const broken = all.map((s, i) => ({ i, ok: gapless(s, from[i]!, last) })).filter((x) => !x.ok)
      t.same(broken.map((b) => b.i), [], `every socket on both instances saw every event up to ${last}, in order, with no gap`)
      // The log itself: as many events as seqs, so the sockets saw all of them.
      const count = await builtA.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
      t.equal(Number(count.n), last, 'the log has no hole either')
      t.ok(last - Math.max(...from) >= ROUNDS * 2, 'a publication and a booking at least in every round')
    })

    t.test('?since= on the other instance replays what the socket missed', async (t) => {
      const page = pages[0]! // on A
      const left = await maxSeq()
      page.close()
      // Changes made on both instances while the page is away.
      const made: string[] = []
      for (const [k, inst] of instances.entries()) {
        const start = new Date(Date.parse('2026-06-04T08:00:00+02:00') + k * 15 * 60_000)
        const res = await http(inst.url, 'POST', '/api/slots', gp.cookie, { start: start.toISOString(), end: new Date(start.getTime() + 15 * 60_000).toISOString(), kind: 'snp', mode: 'office' })
        made.push(res.json.id)
      }
      const upTo = await maxSeq()
      const again = await openLiveAt(B.url, gp.cookie, `?since=${left}`)
      t.teardown(() => { again.close() })
      await again.waitFor((f) => f.type === 'event' && f.seq === upTo, `replay up to ${upTo}`)
      t.notOk(again.frames.some((f) => f.type === 'snapshot'), 'a replay, not a snapshot')
      t.ok(gapless(again, left, upTo), 'every event after ?since=, in order, none twice')
      t.same(again.frames.filter((f) => f.type === 'event' && f.event === 'slot.published').map((f) => f.slot.id), made)
      // Then live, from either instance.
      const res = await http(A.url, 'POST', `/api/slots/${made[0]!}/hold`, regs[0]!.cookie)
      t.equal(res.status, 200)
      await again.waitFor((f) => f.event === 'slot.held' && f.slot.id === made[0], 'slot.held from A, live on B')
      t.ok(gapless(again, left, upTo + 1), 'and goes on live with no gap')
    })

    t.test('a listening connection that drops reconnects and reads what it missed', async (t) => {
      const fanout = builtB.app.liveFanout
      const pid = fanout?.backendPid
      if (fanout === null || pid === null || pid === undefined) throw new Error('instance B does not listen')
      const page = pages[2]! // on B
      const before = eventSeqs(page).at(-1) ?? from[sockets.length + 2]!
      await sql`SELECT pg_terminate_backend(${pid})`.execute(builtA.db)
      // Committed on A while B may not be listening.
      const start = new Date(Date.parse('2026-06-05T08:00:00+02:00'))
      const res = await http(A.url, 'POST', '/api/slots', gp.cookie, { start: start.toISOString(), end: new Date(start.getTime() + 15 * 60_000).toISOString(), kind: 'snp', mode: 'office' })
      t.equal(res.status, 201)
      await page.waitFor((f) => f.event === 'slot.published' && f.slot.id === res.json.id, 'the slot published on A, on B')
      t.ok(fanout.listening && fanout.backendPid !== pid, 'B listens again, on a new connection')
      const seqs = eventSeqs(page).filter((s) => s > before)
      t.same(seqs, Array.from({ length: seqs.length }, (_, i) => before + 1 + i), 'nothing lost, no gap')
    })
  })
}
