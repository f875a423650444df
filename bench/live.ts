// `npm run bench:live`: figures of the live board under load, next to a bare `ws` server doing
// the same broadcasts on the same machine. Prints figures; asserts nothing (docs/performance.md).
//
// 1. Créneaux runs in a child process (bench/server-child.ts, bundled, run with npm start's runtime settings, scripts/server-runtime.mjs): a first
//    process creates 10 GPs, 50 regulators and 2,400 future slots on a temporary SQLite file,
//    then the server starts afresh on it. This process opens 500 listening sockets and 50
//    regulator sockets (550) and waits for every snapshot.
// 2. A bare `ws` server (bench/raw-child.ts, another child) gets 550 sockets of its own; it
//    answers `hold` and `book` at once and broadcasts frames of the real size: the raw ceiling.
// 3. On each server, the 50 regulators hold and book their own distinct slots:
//    - saturated: each regulator back to back (`hold` → reply, `book` → reply, next): bookings/s;
//    - paced: BENCH_PACED_RATE bookings/s in all (default 10), evenly spread: latencies.
//    Rounds alternate between the two servers (A B B A…) so that the load of other processes
//    weighs on both alike. Every `slot.booked` is timed from the `book` command to the last of
//    the 500 listeners. Then plain broadcasts by the bare server: one at a time, 50 in flight.
// 4. Memory with the 550 sockets open; then the scale line: a short saturated round on each
//    server with 100, 250, 550 and 1,050 sockets (listeners opened or closed), CPU per booking
//    at each, and the fitted cost of one event to one socket (µs).
//
// PostgreSQL mode (BENCH_POSTGRES=1, or DATABASE_URL / TEST_DATABASE_URL set; BENCH_POSTGRES=0
// never): SQLite, PostgreSQL with one server and with two on one database, side by side, in
// place of the bare ws comparison (bench/live-postgres.ts).
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { assignSlots, bookingBody, cpuOf, memoryOf, regulatorLoops, selfCpu, stopChild, type Phase } from './cycles.js'
import { Fleet } from './fleet.js'
import { BENCH_PASSWORD, bundleChildren, forkChild, mb, median, ms, nextMessage, percentile, perSecond, ratio, sleep, table, type MemoryReport, type ParentMessage, type Templates } from './lib.js'

/** Commit → write of each event of the Créneaux server since the last ask (ms). */
async function lagsOf (child: ChildProcess): Promise<number[]> {
  const answer = nextMessage(child, 'lag', 10_000)
  child.send({ type: 'lag' } satisfies ParentMessage)
  return (await answer).lags
}

const postgresMode = process.env.BENCH_POSTGRES === '1' ||
  (process.env.BENCH_POSTGRES !== '0' && [process.env.DATABASE_URL, process.env.TEST_DATABASE_URL].some((v) => v !== undefined && v !== ''))
if (postgresMode) {
  await import('./live-postgres.js')
  process.exit(0)
}

const LISTENERS = Number(process.env.BENCH_LISTENERS ?? 500)
const REGULATORS = Number(process.env.BENCH_REGULATORS ?? 50)
/** Saturated phase, on each server: rounds of at most this many bookings per regulator or this long. */
const SATURATED_ROUNDS = 4
const SATURATED_ROUND_COUNT = 8
const SATURATED_ROUND_MS = 2_500
/** Paced phase: bookings per second for all regulators together; rounds of this long. */
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 10)
const PACED_ROUNDS = 2
const PACED_ROUND_MS = 7_500
const WARMUP_PER_REGULATOR = 1
const BROADCAST_PHASE_MS = 3_000
// BENCH_WATCHDOG_S: a longer limit on a loaded machine (the figures are then not comparable with docs/performance.md).
const WATCHDOG_MS = Number(process.env.BENCH_WATCHDOG_S ?? 300) * 1000
/** Scale line: sockets in all (listeners + regulators) at each level, in the order run; bookings per regulator at each. */
const SCALE_LEVELS = (process.env.BENCH_SCALE ?? '550,1050,250,100').split(',').filter((v) => v !== '').map(Number)
const SCALE_COUNT = 2

const children = new Set<ChildProcess>()
const started = performance.now()
const dataDir = mkdtempSync(join(os.tmpdir(), 'creneaux-bench-live-'))
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL')
  rmSync(dataDir, { recursive: true, force: true })
})
const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${WATCHDOG_MS / 1000} s: stopped`)
  process.exit(1)
}, WATCHDOG_MS)
watchdog.unref()

const log = (line: string): void => { console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`) }

interface CycleResult {
  bookings: number
  errors: number
  firstError: string | undefined
  /** From the first command to the last reply. */
  elapsedMs: number
  holdReply: number[]
  bookReply: number[]
  /** `book` sent → the last of the listeners has its slot.booked. */
  toLastListener: number[]
  /** Bookings whose event had not reached every listener within 15 s. */
  undelivered: number
  /** CPU used by the server and by this process during the phase (ms). */
  serverCpu: number
  clientCpu: number
}

/** Every regulator holds then books its own slots: `hold` → reply, `book` → reply. */
async function cycles (fleet: Fleet, server: ChildProcess, slots: string[][], phase: Phase): Promise<CycleResult> {
  const out: CycleResult = { bookings: 0, errors: 0, firstError: undefined, elapsedMs: 0, holdReply: [], bookReply: [], toLastListener: [], undelivered: 0, serverCpu: 0, clientCpu: 0 }
  const deliveries: Array<Promise<number>> = []
  const cpu0 = [await cpuOf(server), selfCpu()] as const
  const start = performance.now()
  const fail = (what: string): void => { out.errors++; out.firstError ??= what }
  await regulatorLoops(fleet.regulators.length, slots, phase, start, fail, async (r, k, slotId) => {
    const reg = fleet.regulators[r]!
    const t0 = performance.now()
    const held = await reg.command({ type: 'hold', slotId })
    out.holdReply.push(performance.now() - t0)
    if (held.ok !== true) { fail(`hold: ${JSON.stringify(held.error)}`); return }
    const delivered = fleet.expect(slotId)
    const t1 = performance.now()
    const booked = await reg.command({ type: 'book', slotId, booking: bookingBody(r, k) })
    out.bookReply.push(performance.now() - t1)
    if (booked.ok !== true) { fail(`book: ${JSON.stringify(booked.error)}`); return }
    out.bookings++
    deliveries.push(delivered)
  })
  out.elapsedMs = performance.now() - start
  for (const latency of await Promise.all(deliveries)) {
    if (Number.isNaN(latency)) out.undelivered++
    else out.toLastListener.push(latency)
  }
  out.serverCpu = await cpuOf(server) - cpu0[0]
  out.clientCpu = selfCpu() - cpu0[1]
  return out
}

/** Broadcasts through the bare server with `inFlight` triggers, each waiting for its last listener. */
async function broadcasts (fleet: Fleet, inFlight: number, label: string): Promise<{ count: number, elapsedMs: number, latency: number[], lost: number }> {
  const latency: number[] = []
  let lost = 0
  const start = performance.now()
  const deadline = start + BROADCAST_PHASE_MS
  await Promise.all(fleet.regulators.slice(0, inFlight).map(async (reg, r) => {
    for (let k = 0; performance.now() < deadline; k++) {
      const id = `${label}-${r}-${k}`
      const delivered = fleet.expect(id, 5_000)
      reg.send({ type: 'bcast', slotId: id })
      const l = await delivered
      if (Number.isNaN(l)) { lost++; return }
      latency.push(l)
    }
  }))
  return { count: latency.length, elapsedMs: performance.now() - start, latency, lost }
}

function summary (name: string, c: CycleResult, fleet: Fleet): string {
  return `${name}: ${c.bookings} bookings in ${(c.elapsedMs / 1000).toFixed(1)} s, ${c.errors} errors${c.firstError !== undefined ? ` (${c.firstError})` : ''}, ${c.undelivered} not delivered to every listener, ${fleet.gaps} seq gaps so far`
}

function memoryLine (label: string, m: MemoryReport): string {
  return `${label}: RSS ${mb(m.rss)}, heap used ${mb(m.heapUsed)} (${mb(m.heapUsedAfterGc)} after GC) of ${mb(m.heapTotal)}, external ${mb(m.external)}, peak RSS ${mb(m.maxRss)}, ${m.sockets} sockets`
}

/** The rounds of one phase put together. */
function merge (rounds: CycleResult[]): CycleResult {
  const out: CycleResult = { bookings: 0, errors: 0, firstError: undefined, elapsedMs: 0, holdReply: [], bookReply: [], toLastListener: [], undelivered: 0, serverCpu: 0, clientCpu: 0 }
  for (const r of rounds) {
    out.bookings += r.bookings
    out.errors += r.errors
    out.firstError ??= r.firstError
    out.elapsedMs += r.elapsedMs
    out.holdReply.push(...r.holdReply)
    out.bookReply.push(...r.bookReply)
    out.toLastListener.push(...r.toLastListener)
    out.undelivered += r.undelivered
    out.serverCpu += r.serverCpu
    out.clientCpu += r.clientCpu
  }
  return out
}

interface Side { name: string, fleet: Fleet, child: ChildProcess, next: number, rounds: CycleResult[], frames: number }

const cpuPerBooking = (c: CycleResult): number => c.serverCpu / c.bookings

/** Least squares y = a + b·x. */
function fit (points: Array<[number, number]>): { a: number, b: number } {
  const n = points.length
  const mx = points.reduce((s, [x]) => s + x, 0) / n
  const my = points.reduce((s, [, y]) => s + y, 0) / n
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0)
  const b = sxx === 0 ? NaN : points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx
  return { a: my - b * mx, b }
}

/**
 * Runs `rounds` rounds of a phase on each side, in the order A B B A A B B A…, so that the load
 * of other processes on the machine weighs on both sides alike.
 */
async function alternate (sides: [Side, Side], rounds: number, phase: Omit<Phase, 'from'>): Promise<[CycleResult, CycleResult]> {
  for (const side of sides) { side.rounds = []; side.frames = 0 }
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? sides : [sides[1], sides[0]]
    for (const side of order) {
      const frames = side.fleet.framesReceived
      const result = await cycles(side.fleet, side.child, slots, { ...phase, from: side.next })
      side.frames += side.fleet.framesReceived - frames
      side.next += phase.count
      side.rounds.push(result)
    }
  }
  return [merge(sides[0].rounds), merge(sides[1].rounds)]
}

// ---------------------------------------------------------------- the run

const pacedPeriod = (1000 * REGULATORS) / PACED_RATE
log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
log(`plan: ${LISTENERS} listeners + ${REGULATORS} regulators on each server; saturated ${SATURATED_ROUNDS} × ${SATURATED_ROUND_MS / 1000} s, paced (${PACED_RATE} bookings/s) ${PACED_ROUNDS} × ${PACED_ROUND_MS / 1000} s, alternating Créneaux and bare ws`)

// 1. Créneaux: accounts and slots made by a first process, then the server started afresh.
await bundleChildren()
const setupChild = forkChild('server-child', { BENCH_STEP: 'setup', BENCH_DATA_DIR: dataDir })
children.add(setupChild)
const made = await nextMessage(setupChild, 'setup', WATCHDOG_MS)
log(`setup: ${made.regulators.length} regulators, ${made.listeners.length / 2} GPs and ${made.slotIds.length} slots in ${(made.setupMs / 1000).toFixed(1)} s`)
if (setupChild.exitCode === null) await new Promise((resolve) => setupChild.once('exit', resolve))
const server = forkChild('server-child', { BENCH_STEP: 'serve', BENCH_DATA_DIR: dataDir })
children.add(server)
const ready = await nextMessage(server, 'ready', 120_000)
const slots = assignSlots(made.slotIds, REGULATORS)
const memIdle = await memoryOf(server)
log(`Créneaux listening on 127.0.0.1:${ready.port}`)

const real = new Fleet(ready.port)
let t = performance.now()
await real.open(LISTENERS, made.listeners, made.regulators.slice(0, REGULATORS))
const snapshotBytes = real.bytesReceived / Math.max(1, real.listeners.length)
log(`Créneaux: ${real.listeners.length + real.regulators.length} sockets open with their snapshot in ${((performance.now() - t) / 1000).toFixed(1)} s (snapshot ≈ ${(snapshotBytes / 1024).toFixed(0)} KiB each)`)
const memAfterSnapshots = await memoryOf(server)
const warm = await cycles(real, server, slots, { from: 0, count: WARMUP_PER_REGULATOR, maxMs: SATURATED_ROUND_MS })
log(summary('Créneaux warm-up', warm, real))

// 2. The bare ws server: same sockets, frames of the real size (captured above).
const cap = real.captured
if (cap.holdReply === undefined || cap.bookReply === undefined || cap.held === undefined || cap.booked === undefined) {
  throw new Error('no frame captured from Créneaux: nothing for the bare server to imitate')
}
const templates: Templates = {
  holdResult: cap.holdReply.result,
  bookResult: cap.bookReply.result,
  heldSlot: JSON.parse(cap.held).slot,
  bookedSlot: JSON.parse(cap.booked).slot
}
const sizes = {
  held: Buffer.byteLength(cap.held),
  booked: Buffer.byteLength(cap.booked),
  holdReply: Buffer.byteLength(JSON.stringify(cap.holdReply)),
  bookReply: Buffer.byteLength(JSON.stringify(cap.bookReply))
}
const raw = forkChild('raw-child')
children.add(raw)
const rawReady = await nextMessage(raw, 'ready', 30_000)
raw.send({ type: 'templates', templates } satisfies ParentMessage)
const bare = new Fleet(rawReady.port)
t = performance.now()
await bare.open(LISTENERS, [{ cookie: '' }], made.regulators.slice(0, REGULATORS))
log(`bare ws: ${bare.listeners.length + bare.regulators.length} sockets open in ${((performance.now() - t) / 1000).toFixed(1)} s`)
await cycles(bare, raw, slots, { from: 0, count: WARMUP_PER_REGULATOR, maxMs: SATURATED_ROUND_MS })

// 3. The two phases, alternating the servers.
const sides: [Side, Side] = [
  { name: 'Créneaux', fleet: real, child: server, next: WARMUP_PER_REGULATOR, rounds: [], frames: 0 },
  { name: 'bare ws', fleet: bare, child: raw, next: WARMUP_PER_REGULATOR, rounds: [], frames: 0 }
]
server.send({ type: 'profile', on: true } satisfies ParentMessage)
await lagsOf(server)
const [sat, rawSat] = await alternate(sides, SATURATED_ROUNDS, { count: SATURATED_ROUND_COUNT, maxMs: SATURATED_ROUND_MS })
const satLags = await lagsOf(server)
server.send({ type: 'profile', on: false } satisfies ParentMessage)
const eventsPerSocket = sides[0].frames / LISTENERS
log(summary('Créneaux saturated', sat, real))
log(summary('bare ws saturated', rawSat, bare))
await lagsOf(server)
const [pace, rawPace] = await alternate(sides, PACED_ROUNDS, { count: Math.ceil(PACED_ROUND_MS / pacedPeriod), maxMs: PACED_ROUND_MS, periodMs: pacedPeriod })
const paceLags = await lagsOf(server)
log(summary('Créneaux paced', pace, real))
log(summary('bare ws paced', rawPace, bare))
const single = await broadcasts(bare, 1, 'one')
const flood = await broadcasts(bare, REGULATORS, 'flood')
log(`bare ws broadcasts: one at a time ${single.count} in ${(single.elapsedMs / 1000).toFixed(1)} s; ${REGULATORS} in flight ${flood.count} in ${(flood.elapsedMs / 1000).toFixed(1)} s; lost ${single.lost + flood.lost}`)

// 4. Memory, with every socket still open.
await sleep(200)
const memAfterRun = await memoryOf(server)
const rawMem = await memoryOf(raw)
// Sign-ins run scrypt (N = 2^15, r = 8: 32 MiB each) on libuv's threads: memory after 4 at once.
await Promise.all([0, 1, 2, 3].map(async (i) => {
  const res = await fetch(`http://127.0.0.1:${ready.port}/api/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `gp${i}@bench.test`, password: BENCH_PASSWORD })
  })
  if (res.status !== 200) log(`sign-in of gp${i}: ${res.status}`)
}))
const memAfterSignIns = await memoryOf(server)

// 5. The scale line: the same saturated cycles with fewer or more listeners on both servers.
interface ScalePoint { sockets: number, cpu: [number, number], bookings: [number, number] }
const scale: ScalePoint[] = []
for (const level of SCALE_LEVELS) {
  const listeners = Math.max(0, level - REGULATORS)
  t = performance.now()
  for (const side of sides) {
    const have = side.fleet.listeners.length
    if (listeners > have) await side.fleet.open(listeners - have, side === sides[0] ? made.listeners : [{ cookie: '' }], [])
    else if (listeners < have) await side.fleet.dropListeners(have - listeners)
  }
  const setUpMs = performance.now() - t
  const [a, b] = await alternate(sides, 1, { count: SCALE_COUNT, maxMs: SATURATED_ROUND_MS })
  scale.push({ sockets: listeners + REGULATORS, cpu: [cpuPerBooking(a), cpuPerBooking(b)], bookings: [a.bookings, b.bookings] })
  log(`scale: ${listeners + REGULATORS} sockets (set up in ${(setUpMs / 1000).toFixed(1)} s): Créneaux ${a.bookings} bookings, ${ms(cpuPerBooking(a))} CPU each, ${a.errors} errors, ${a.undelivered} undelivered; bare ws ${b.bookings}, ${ms(cpuPerBooking(b))}`)
}
await Promise.all([real.close(), bare.close()])
await Promise.all([stopChild(server, children), stopChild(raw, children)])

// ---------------------------------------------------------------- figures

function scaleLines (): string {
  if (scale.length === 0) return 'Scale line: not run (BENCH_SCALE empty).'
  const sorted = [...scale].sort((x, y) => x.sockets - y.sockets)
  // Each booking sends two events (slot.held, slot.booked) to every socket.
  const perEvent = (side: 0 | 1): string => {
    const { b } = fit(sorted.map((p) => [p.sockets, p.cpu[side]]))
    return Number.isFinite(b) ? `${(b * 1000 / 2).toFixed(2)} µs` : 'n/a'
  }
  return `Scale line: server CPU per booking, saturated, ${SCALE_COUNT} bookings per regulator on each server at each level (${sorted.map((p) => `${p.bookings[0]}/${p.bookings[1]}`).join(', ')} bookings):
` + table(['sockets', ...sorted.map((p) => String(p.sockets)), 'µs per event per socket (fit)'], [
    ['Créneaux', ...sorted.map((p) => ms(p.cpu[0])), perEvent(0)],
    ['bare ws', ...sorted.map((p) => ms(p.cpu[1])), perEvent(1)],
    ['ratio', ...sorted.map((p) => ratio(p.cpu[0], p.cpu[1])), '']
  ])
}

const rate = sat.bookings / (sat.elapsedMs / 1000)
const rawRate = rawSat.bookings / (rawSat.elapsedMs / 1000)
const floodRate = flood.count / (flood.elapsedMs / 1000)
const met = (ok: boolean): string => ok ? 'yes' : 'MISSED'
const row = (label: string, a: number[], b: number[], p: number, target = '', ok?: boolean): string[] => {
  const x = percentile(a, p)
  const y = percentile(b, p)
  return [label, ms(x), ms(y), ratio(x, y), target, ok === undefined ? '' : met(ok)]
}

console.log(`
Live board: ${LISTENERS} listeners + ${REGULATORS} regulators = ${LISTENERS + REGULATORS} sockets; every socket receives every event.
Frames: slot.booked ${sizes.booked} B, slot.held ${sizes.held} B, hold reply ${sizes.holdReply} B, book reply ${sizes.bookReply} B; snapshot ≈ ${(snapshotBytes / 1024).toFixed(0)} KiB.
"bare ws" = a bare ws server on the same machine, same sockets, same commands, frames of the same size, no app.

Saturated: each of the ${REGULATORS} regulators holds and books back to back, ${SATURATED_ROUNDS} rounds of ≤ ${SATURATED_ROUND_MS / 1000} s on each server (${sat.bookings} bookings; bare ws ${rawSat.bookings}).`)
console.log(table(['figure', 'Créneaux', 'bare ws', 'ratio', 'target', 'met'], [
  ['bookings/s', perSecond(rate), perSecond(rawRate), ratio(rate, rawRate), '≥ 1.50×', met(rate >= 1.5 * rawRate)],
  row('hold → reply, median', sat.holdReply, rawSat.holdReply, 50),
  row('hold → reply, p99', sat.holdReply, rawSat.holdReply, 99),
  row('book sent → last of 500 listeners, median', sat.toLastListener, rawSat.toLastListener, 50),
  row('book sent → last of 500 listeners, p99', sat.toLastListener, rawSat.toLastListener, 99),
  ['server CPU per booking', ms(cpuPerBooking(sat)), ms(cpuPerBooking(rawSat)), ratio(cpuPerBooking(sat), cpuPerBooking(rawSat)), '≤ 0.60×', met(cpuPerBooking(sat) <= 0.6 * cpuPerBooking(rawSat))],
  ['commit → write of an event, median', ms(median(satLags)), '', '', '', ''],
  ['commit → write of an event, p99', ms(percentile(satLags, 99)), '', '', '', '']
]))
console.log(`
Paced: ${PACED_RATE} bookings/s in all, each regulator one every ${(pacedPeriod / 1000).toFixed(1)} s, staggered (${pace.bookings} bookings; bare ws ${rawPace.bookings}).`)
console.log(table(['figure', 'Créneaux', 'bare ws', 'ratio', 'target', 'met'], [
  row('hold → reply, median', pace.holdReply, rawPace.holdReply, 50),
  row('hold → reply, p99', pace.holdReply, rawPace.holdReply, 99, '< 25 ms', percentile(pace.holdReply, 99) < 25),
  row('book → reply, median', pace.bookReply, rawPace.bookReply, 50),
  row('book sent → last of 500 listeners, median', pace.toLastListener, rawPace.toLastListener, 50),
  row('book sent → last of 500 listeners, p99', pace.toLastListener, rawPace.toLastListener, 99, '≤ 1.20×', percentile(pace.toLastListener, 99) <= 1.2 * percentile(rawPace.toLastListener, 99)),
  ['server CPU per booking', ms(cpuPerBooking(pace)), ms(cpuPerBooking(rawPace)), ratio(cpuPerBooking(pace), cpuPerBooking(rawPace)), '', ''],
  ['commit → write of an event, median', ms(median(paceLags)), '', '', '', ''],
  ['commit → write of an event, p99', ms(percentile(paceLags, 99)), '', '', '', '']
]))
console.log(`
Memory of the server process with ${memAfterRun.sockets} sockets open, after both phases:`)
console.log(table(['figure', 'Créneaux', 'bare ws', 'ratio', 'target', 'met'], [
  ['RSS', mb(memAfterRun.rss), mb(rawMem.rss), ratio(memAfterRun.rss, rawMem.rss), '< 130 MB', met(memAfterRun.rss < 130 * 1024 * 1024)],
  ['peak RSS (snapshots included)', mb(memAfterRun.maxRss), mb(rawMem.maxRss), ratio(memAfterRun.maxRss, rawMem.maxRss), '< 200 MB', met(memAfterRun.maxRss < 200 * 1024 * 1024)],
  ['heap used after GC', mb(memAfterRun.heapUsedAfterGc), mb(rawMem.heapUsedAfterGc), ratio(memAfterRun.heapUsedAfterGc, rawMem.heapUsedAfterGc), '', '']
]))
console.log(`
${scaleLines()}

Plain broadcasts of a slot.booked-sized frame by the bare ws server to the same sockets (until the last of ${LISTENERS} listeners):
  one at a time: median ${ms(median(single.latency))}, p99 ${ms(percentile(single.latency, 99))} (${perSecond(single.count / (single.elapsedMs / 1000))})
  ${REGULATORS} in flight: ${perSecond(floodRate)} broadcasts (median ${ms(median(flood.latency))}, p99 ${ms(percentile(flood.latency, 99))})
  Each booking broadcasts two events (slot.held, slot.booked): saturated Créneaux sent ${perSecond(eventsPerSocket / (sat.elapsedMs / 1000))} events to every socket, ${ratio(eventsPerSocket / (sat.elapsedMs / 1000), floodRate)} this ceiling; bookings/s ÷ ceiling = ${ratio(rate, floodRate)}.

${memoryLine('Créneaux, 0 sockets          ', memIdle)}
${memoryLine('Créneaux, after the snapshots', memAfterSnapshots)}
${memoryLine('Créneaux, after both phases  ', memAfterRun)}
${memoryLine('Créneaux, after 4 sign-ins   ', memAfterSignIns)}
${memoryLine('bare ws, after its run       ', rawMem)}
CPU in the saturated phase: Créneaux ${(sat.serverCpu / 1000).toFixed(1)} s (${(100 * sat.serverCpu / sat.elapsedMs).toFixed(0)}% of a core), load generator ${(sat.clientCpu / 1000).toFixed(1)} s; bare ws ${(rawSat.serverCpu / 1000).toFixed(1)} s (${(100 * rawSat.serverCpu / rawSat.elapsedMs).toFixed(0)}%), load generator ${(rawSat.clientCpu / 1000).toFixed(1)} s.
Load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other processes share the ${os.cpus().length} cores: figures vary from run to run).
Checks: Créneaux ${warm.errors + sat.errors + pace.errors} command errors, ${sat.undelivered + pace.undelivered} undelivered, ${real.gaps} seq gaps, ${real.oddFrames} odd frames; bare ws ${rawSat.errors + rawPace.errors} errors, ${bare.gaps} gaps.
Done in ${((performance.now() - started) / 1000).toFixed(0)} s.`)
process.exit(0)
