// Issue 26: a rolling restart of two real server processes on one PostgreSQL schema (SIGTERM,
// the drain, a new process, then the other one) while regulators hold and book over their live
// sockets and over HTTP. A stand-in for the load balancer sends new requests and sockets only to
// instances whose /health/ready says 200. No regulator sees an error, no socket sees a gap in
// seq, every acknowledged booking is in the database, and each process exits 0 in time.
// PostgreSQL only (scripts/test.mjs runs it in the PostgreSQL pass alone).
import t from 'tap'
import { DateTime } from 'luxon'
import { WebSocket } from 'ws'
import { openPostgres } from '../db/postgres.js'
import { LIVE_CLOSE } from '../shared/schemas/live.js'
import { ADMIN } from './helpers/build.js'
import { TEST_ENGINE, testStorage } from './helpers/database.js'
import { PASSWORD, practitionerProfile } from './helpers/fixtures.js'
import { http, must, startServerProcess, type ServerProcess } from './helpers/server-process.js'

const REGULATORS = 4
const BEFORE = 8
const AFTER = 8
const DRAIN_SECONDS = 20

/** The load balancer's part: instances in rotation while their readiness probe answers 200 (asked every 100 ms). */
class Balancer {
  readonly members = new Set<ServerProcess>()
  readonly #ready = new Set<ServerProcess>()
  #timer: NodeJS.Timeout | undefined
  #next = 0

  start (): void {
    this.#timer = setInterval(() => {
      for (const m of this.members) {
        fetch(m.url + '/health/ready', { signal: AbortSignal.timeout(1000) })
          .then((r) => { if (r.status === 200) this.#ready.add(m); else this.#ready.delete(m) }, () => { this.#ready.delete(m) })
      }
    }, 100)
  }

  stop (): void { clearInterval(this.#timer); this.#stopped = true }
  #stopped = false

  async waitReady (m: ServerProcess): Promise<void> {
    while (!this.#ready.has(m)) await new Promise((resolve) => setTimeout(resolve, 50))
  }

  remove (m: ServerProcess): void { this.members.delete(m); this.#ready.delete(m) }

  /** A ready instance, round robin; waits while none is. */
  async pick (): Promise<string> {
    for (;;) {
      if (this.#stopped) throw new Error('the balancer has stopped')
      const ready = [...this.#ready].filter((m) => this.members.has(m))
      if (ready.length > 0) return (ready[this.#next++ % ready.length] as ServerProcess).url
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}

/**
 * A page's live socket as web/lib/live.ts keeps it: on LIVE_CLOSE.draining it reconnects at once
 * (through the balancer, with `?since=`) and sends again the commands left unanswered. Any other
 * close, a gap in seq or a failed reconnect is an error the regulator would see.
 */
class PageSocket {
  readonly errors: string[] = []
  readonly seqs: number[] = []
  snapshots = 0
  reconnects = 0
  #ws: WebSocket | null = null
  #seq: number | null = null
  #stopped = false
  #n = 0
  readonly #pending = new Map<string, { frame: string, resolve: (f: any) => void }>()

  constructor (readonly lb: Balancer, readonly cookie: string, readonly name: string) {}

  async open (): Promise<void> {
    const base = await this.lb.pick()
    const url = base.replace(/^http/, 'ws') + '/api/live' + (this.#seq === null ? '' : `?since=${this.#seq}`)
    const ws = new WebSocket(url, { headers: { cookie: this.cookie }, perMessageDeflate: false })
    this.#ws = ws
    ws.on('message', (d) => { this.#onFrame(JSON.parse(d.toString())) })
    ws.on('close', (code) => {
      if (this.#ws !== ws || this.#stopped) return
      this.#ws = null
      if (code !== LIVE_CLOSE.draining) { this.errors.push(`${this.name}: socket closed ${code}`); return }
      this.reconnects++
      this.open().catch((err: unknown) => this.errors.push(`${this.name}: reconnect failed: ${String(err)}`))
    })
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => {
        for (const p of this.#pending.values()) ws.send(p.frame)
        resolve()
      })
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)))
      ws.once('error', reject)
    })
  }

  #onFrame (f: any): void {
    if (f.type === 'snapshot') { this.snapshots++; this.#seq = f.seq; return }
    if (f.type === 'event') {
      if (this.#seq !== null && f.seq !== this.#seq + 1) this.errors.push(`${this.name}: seq ${f.seq} after ${this.#seq}`)
      this.#seq = f.seq
      this.seqs.push(f.seq)
      return
    }
    if (f.type === 'reply') {
      const p = this.#pending.get(f.requestId)
      if (p === undefined) return
      this.#pending.delete(f.requestId)
      p.resolve(f)
    }
  }

  async command (cmd: Record<string, unknown>): Promise<any> {
    const requestId = `${this.name}-${++this.#n}`
    const frame = JSON.stringify({ ...cmd, requestId })
    return await new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(requestId)
        resolve({ ok: false, error: { code: 'NO_REPLY', message: `no reply within 20 s (socket ${this.#ws?.readyState ?? 'none'})` } })
      }, 20_000)
      this.#pending.set(requestId, { frame, resolve: (f) => { clearTimeout(timer); resolve(f) } })
      if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(frame)
    })
  }

  get lastSeq (): number | null { return this.#seq }

  close (): void { this.#stopped = true; this.#ws?.terminate() }
}

if (TEST_ENGINE !== 'postgres') {
  t.plan(0, 'PostgreSQL only: several server processes share the database')
} else {
  t.test('a rolling restart of two instances under booking load: no error, no gap, no booking lost', async (t) => {
    const storage = await testStorage(t)
    const env = {
      ...storage.env as Record<string, string>,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOGIN_RATE_LIMIT: '1000',
      LOGIN_ADDRESS_RATE_LIMIT: '1000',
      MAX_CONNECTIONS_PER_ADDRESS: '0',
      LIVE_COMMANDS_PER_SECOND: '1000',
      DRAIN_GRACE_MS: '800',
      DRAIN_SECONDS: String(DRAIN_SECONDS)
    }
    const a = await startServerProcess(t, env)
    const b = await startServerProcess(t, env)
    const db = openPostgres(storage.env.DATABASE_URL as string)
    t.teardown(() => db.destroy())
    const lb = new Balancer()
    lb.members.add(a)
    lb.members.add(b)
    lb.start()
    t.teardown(() => { lb.stop() })
    await lb.waitReady(a)
    await lb.waitReady(b)

    const admin = (await must(a.url, 'POST', '/api/session', null, { email: ADMIN.email, password: ADMIN.password })).cookie as string
    const cpts = (await must(a.url, 'POST', '/api/cpts', admin, { name: 'CPTS Côte de Lumière' })).json
    await must(a.url, 'POST', '/api/users', admin, { email: 'gp@cpts.test', name: 'Dr Généraliste', password: PASSWORD, role: 'practitioner', cptsId: cpts.id, practitioner: practitionerProfile(1) })
    const gp = (await must(a.url, 'POST', '/api/session', null, { email: 'gp@cpts.test', password: PASSWORD })).cookie as string
    const from = DateTime.now().setZone('Europe/Paris').plus({ days: 1 })
    const series = (await must(a.url, 'POST', '/api/slots/series', gp, {
      from: from.toISODate(), to: from.plus({ days: 4 }).toISODate(), weekdays: [1, 2, 3, 4, 5, 6, 7],
      startTime: '08:00', slotMinutes: 10, count: 48, kind: 'snp', mode: 'office'
    })).json
    const slotIds = (series.created as Array<{ id: string }>).map((s) => s.id)
    const regulators = await Promise.all(Array.from({ length: REGULATORS }, async (_, r) => {
      const email = `regulator${r}@cpts.test`
      await must(a.url, 'POST', '/api/users', admin, { email, name: `Régulateur ${r}`, password: PASSWORD, role: 'regulator' })
      const cookie = (await must(a.url, 'POST', '/api/session', null, { email, password: PASSWORD })).cookie as string
      const page = new PageSocket(lb, cookie, `regulator${r}`)
      await page.open()
      return { r, cookie, page }
    }))
    const watcher = new PageSocket(lb, gp, 'gp page')
    await watcher.open()
    t.teardown(() => { watcher.close(); for (const { page } of regulators) page.close() })

    // Even regulators hold then book over their socket; odd ones book over HTTP. Each its own slots: no contention.
    const acknowledged: Array<{ bookingId: string, slotId: string }> = []
    const errors: string[] = []
    let stop = false
    let done = false
    const load = Promise.all(regulators.map(async ({ r, cookie, page }) => {
      for (let k = r; k < slotIds.length && !stop; k += REGULATORS) {
        const slotId = slotIds[k] as string
        const booking = { patient: { lastName: 'Martin', firstName: `Patient ${k}`, birthDate: '1980-01-02', phone: '06 12 34 56 78' }, hasTreatingGp: 'no', idempotencyKey: `roll-${k}` }
        try {
          if (r % 2 === 0) {
            const held = await page.command({ type: 'hold', slotId })
            if (!held.ok) { errors.push(`hold ${k}: ${JSON.stringify(held.error)}`); continue }
            const booked = await page.command({ type: 'book', slotId, booking })
            if (!booked.ok) { errors.push(`book ${k}: ${JSON.stringify(booked.error)}`); continue }
            acknowledged.push({ bookingId: booked.result.id, slotId })
          } else {
            const res = await http(await lb.pick(), 'POST', `/api/slots/${slotId}/booking`, cookie, booking)
            if (res.status !== 201) { errors.push(`HTTP book ${k}: ${res.status} ${JSON.stringify(res.json)}`); continue }
            acknowledged.push({ bookingId: res.json.id, slotId })
          }
        } catch (err) {
          errors.push(`${k}: ${String(err)}`)
        }
        // A steady load rather than a burst: it must still run while each instance drains and starts.
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    })).finally(() => { done = true })

    const until = async (n: number): Promise<void> => {
      const deadline = Date.now() + 60_000
      while (acknowledged.length < n && !stop && !done) {
        if (Date.now() > deadline) { errors.push(`stuck at ${acknowledged.length} acknowledged bookings`); stop = true }
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      t.comment(`${acknowledged.length} bookings acknowledged`)
    }
    const restart = async (old: ServerProcess): Promise<ServerProcess> => {
      const started = Date.now()
      const code = await old.terminate()
      t.equal(code, 0, `the drained process exits 0 (after ${Date.now() - started} ms)`)
      t.ok(Date.now() - started < DRAIN_SECONDS * 1000, 'within DRAIN_SECONDS')
      t.match(old.output(), /Créneaux stopped: drained/, 'it drained')
      lb.remove(old)
      const fresh = await startServerProcess(t, env)
      lb.members.add(fresh)
      await lb.waitReady(fresh)
      return fresh
    }
    await until(BEFORE)
    const a2 = await restart(a)
    await until(acknowledged.length + 4)
    await restart(b)
    await until(acknowledged.length + AFTER)
    t.notOk(done, 'the load was still running after the second restart')
    stop = true
    await load

    t.same(errors, [], 'no regulator saw an error')
    for (const p of [watcher, ...regulators.map((x) => x.page)]) {
      t.same(p.errors, [], `${p.name}: reconnected ${p.reconnects} times, no other close, no gap`)
    }
    t.ok(regulators.some(({ page }) => page.reconnects > 0), 'sockets were moved by the drains')

    const rows = await db.selectFrom('bookings').select(['id', 'slot_id', 'status']).where('id', 'in', acknowledged.map((x) => x.bookingId)).execute()
    const found = new Map(rows.map((x) => [x.id, x]))
    t.same(acknowledged.filter((x) => found.get(x.bookingId)?.status !== 'booked' || found.get(x.bookingId)?.slot_id !== x.slotId), [],
      `every one of the ${acknowledged.length} acknowledged bookings is in the database`)
    const last = Number((await db.selectFrom('events').select((eb) => eb.fn.max<number>('seq').as('max')).executeTakeFirstOrThrow()).max)
    const deadline = Date.now() + 10_000
    while ((watcher.lastSeq ?? 0) < last && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    t.equal(watcher.lastSeq, last, 'the practitioner\'s page reached the last seq')
    t.equal(watcher.snapshots, 1, 'one snapshot: every reconnect replayed from ?since=')
    const undelivered = await db.selectFrom('deliveries').select('id').where('claimed_until', 'is not', null).where('sent_at', 'is', null).execute()
    t.same(undelivered, [], 'no delivery left claimed by a drained process')
    void a2
    watcher.close()
    for (const { page } of regulators) page.close()
    lb.stop()
  })
}
