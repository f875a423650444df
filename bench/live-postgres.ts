// `npm run bench:live` in its PostgreSQL mode (BENCH_POSTGRES=1, or DATABASE_URL /
// TEST_DATABASE_URL given): the same live board on three set-ups, one after the other, each
// with the same 550 sockets and the same commands:
//   1. SQLite, one server (as the default mode measures it);
//   2. PostgreSQL, one server;
//   3. PostgreSQL, two servers on the same database, the sockets spread across them (half the
//      listeners and half the regulators on each): events of one reach the other's sockets
//      through LISTEN/NOTIFY and a read of the event log.
// Prints bookings/s and book → last listener side by side, with the ratios of 2 servers to 1 and
// of cross-instance to same-instance latency. Asserts nothing (docs/performance.md).
// The PostgreSQL set-ups run in a schema of their own (bench_live_<random>), dropped at the end.
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { assignSlots, bookingBody, cpuOf, memoryOf, regulatorLoops, selfCpu, stopChild, type Phase } from './cycles.js'
import { Fleet } from './fleet.js'
import { bundleChildren, forkChild, mb, type Credential, median, ms, nextMessage, percentile, perSecond, ratio, table } from './lib.js'

const LISTENERS = Number(process.env.BENCH_LISTENERS ?? 500)
const REGULATORS = Number(process.env.BENCH_REGULATORS ?? 50)
/** Saturated phase: rounds of at most this many bookings per regulator or this long. */
const SATURATED_ROUNDS = 3
const SATURATED_ROUND_COUNT = 6
const SATURATED_ROUND_MS = 2_500
/** Paced phase: bookings per second for all regulators together; rounds of this long. */
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 10)
const PACED_ROUNDS = 2
const PACED_ROUND_MS = 7_500
const WARMUP_PER_REGULATOR = 1
const WATCHDOG_MS = 900_000
/** Where each set-up's schema lives: a database the user may create schemas in. */
const BASE_URL = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

const children = new Set<ChildProcess>()
const started = performance.now()
const dataDirs: string[] = []
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL')
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true })
})
const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${WATCHDOG_MS / 1000} s: stopped (schema ${schema} may be left in the database)`)
  process.exit(1)
}, WATCHDOG_MS)
watchdog.unref()

const log = (line: string): void => { console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`) }

// ---------------------------------------------------------------- the schema

const schema = `bench_live_${randomBytes(4).toString('hex')}`
async function admin (sqlText: string): Promise<void> {
  const client = new pg.Client({ connectionString: BASE_URL, application_name: 'creneaux-bench' })
  await client.connect()
  try { await client.query(sqlText) } finally { await client.end() }
}
/** The servers' connections carry this name, so that PostgreSQL's own CPU for them can be told apart. */
const APP_NAME = `creneaux-${schema}`
function schemaUrl (): string {
  const url = new URL(BASE_URL)
  url.searchParams.set('options', `-c search_path=${schema}`)
  url.searchParams.set('application_name', APP_NAME)
  return url.toString()
}

/**
 * CPU (ms) used so far by the PostgreSQL backends serving the benchmark's servers, by pid, read
 * from /proc (PostgreSQL runs on this machine; empty when it does not, or /proc is not there).
 */
async function postgresCpu (): Promise<Map<number, number>> {
  const out = new Map<number, number>()
  const client = new pg.Client({ connectionString: BASE_URL, application_name: 'creneaux-bench' })
  try {
    await client.connect()
    const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [APP_NAME])
    for (const { pid } of rows) {
      try {
        // Fields 14 and 15 (utime, stime), in clock ticks (100 a second on Linux), after the "(comm)".
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
        out.set(pid, (Number(fields[11]) + Number(fields[12])) * 10)
      } catch { /* gone, or not on this machine */ }
    }
  } catch { /* not measurable */ } finally {
    await client.end().catch(() => {})
  }
  return out
}


// ---------------------------------------------------------------- one phase

/** One server and the sockets connected to it. */
interface Instance { child: ChildProcess, fleet: Fleet }

interface CycleResult {
  bookings: number
  errors: number
  firstError: string | undefined
  elapsedMs: number
  holdReply: number[]
  /** `book` sent → the last listener, whichever instance it is on. */
  toLastListener: number[]
  /** `book` sent → the last listener on the regulator's own instance. */
  sameInstance: number[]
  /** `book` sent → the last listener on the other instance (two instances only). */
  otherInstance: number[]
  undelivered: number
  /** CPU used by the servers together (ms), their PostgreSQL backends, this load generator, and the whole machine (busy share of all cores). */
  serverCpu: number
  postgresCpu: number
  clientCpu: number
  machineBusy: number
}

const empty = (): CycleResult => ({ bookings: 0, errors: 0, firstError: undefined, elapsedMs: 0, holdReply: [], toLastListener: [], sameInstance: [], otherInstance: [], undelivered: 0, serverCpu: 0, postgresCpu: 0, clientCpu: 0, machineBusy: 0 })

function machineTimes (): { idle: number, total: number } {
  let idle = 0
  let total = 0
  for (const c of os.cpus()) {
    idle += c.times.idle
    total += c.times.user + c.times.nice + c.times.sys + c.times.idle + c.times.irq
  }
  return { idle, total }
}

/** Every regulator, on whichever instance, holds then books its own slots. */
async function cycles (instances: Instance[], slots: string[][], phase: Phase): Promise<CycleResult> {
  const out = empty()
  const pending: Array<Promise<void>> = []
  const regulators = instances.flatMap((inst, i) => inst.fleet.regulators.map((reg) => ({ reg, home: i })))
  const cpu0 = await Promise.all(instances.map(async (inst) => await cpuOf(inst.child)))
  const pg0 = await postgresCpu()
  const client0 = selfCpu()
  const machine0 = machineTimes()
  const start = performance.now()
  const fail = (what: string): void => { out.errors++; out.firstError ??= what }
  await regulatorLoops(regulators.length, slots, phase, start, fail, async (r, k, slotId) => {
    const { reg, home } = regulators[r]!
    const t0 = performance.now()
    const held = await reg.command({ type: 'hold', slotId })
    out.holdReply.push(performance.now() - t0)
    if (held.ok !== true) { fail(`hold: ${JSON.stringify(held.error)}`); return }
    const delivered = instances.map((inst) => inst.fleet.expect(slotId))
    const booked = await reg.command({ type: 'book', slotId, booking: bookingBody(r, k) })
    if (booked.ok !== true) { fail(`book: ${JSON.stringify(booked.error)}`); return }
    out.bookings++
    pending.push(Promise.all(delivered).then((latencies) => {
      if (latencies.some(Number.isNaN)) { out.undelivered++; return }
      out.toLastListener.push(Math.max(...latencies))
      out.sameInstance.push(latencies[home] as number)
      latencies.forEach((l, i) => { if (i !== home) out.otherInstance.push(l) })
    }))
  })
  out.elapsedMs = performance.now() - start
  await Promise.all(pending)
  const machine1 = machineTimes()
  out.clientCpu = selfCpu() - client0
  const cpu1 = await Promise.all(instances.map(async (inst) => await cpuOf(inst.child)))
  const pg1 = await postgresCpu()
  out.serverCpu = cpu1.reduce((sum, c, i) => sum + c - (cpu0[i] as number), 0)
  for (const [pid, ms] of pg1) out.postgresCpu += ms - (pg0.get(pid) ?? 0)
  out.machineBusy = 1 - (machine1.idle - machine0.idle) / Math.max(1, machine1.total - machine0.total)
  return out
}

function merge (rounds: CycleResult[]): CycleResult {
  const out = empty()
  let busyMs = 0
  for (const r of rounds) {
    out.bookings += r.bookings
    out.errors += r.errors
    out.firstError ??= r.firstError
    out.elapsedMs += r.elapsedMs
    out.holdReply.push(...r.holdReply)
    out.toLastListener.push(...r.toLastListener)
    out.sameInstance.push(...r.sameInstance)
    out.otherInstance.push(...r.otherInstance)
    out.undelivered += r.undelivered
    out.serverCpu += r.serverCpu
    out.postgresCpu += r.postgresCpu
    out.clientCpu += r.clientCpu
    busyMs += r.machineBusy * r.elapsedMs
  }
  out.machineBusy = busyMs / Math.max(1, out.elapsedMs)
  return out
}

// ---------------------------------------------------------------- one set-up

interface Made { regulators: Credential[], listeners: Credential[], slotIds: string[] }

interface SetupResult {
  name: string
  instances: number
  sat: CycleResult
  pace: CycleResult
  gaps: number
  oddFrames: number
  /** Largest RSS of its servers after the run. */
  rss: number
}

async function setup (env: Record<string, string>): Promise<Made> {
  const child = forkChild('server-child', { ...env, BENCH_STEP: 'setup' })
  children.add(child)
  const made = await nextMessage(child, 'setup', 300_000)
  if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve))
  children.delete(child)
  log(`setup: ${made.regulators.length} regulators, ${made.listeners.length / 2} GPs and ${made.slotIds.length} slots in ${(made.setupMs / 1000).toFixed(1)} s`)
  return made
}

async function serve (env: Record<string, string>): Promise<{ child: ChildProcess, port: number }> {
  const child = forkChild('server-child', { ...env, BENCH_STEP: 'serve' })
  children.add(child)
  const ready = await nextMessage(child, 'ready', 60_000)
  return { child, port: ready.port }
}

/**
 * Runs the phases on `servers` (one or two, on one database), the sockets spread evenly: the
 * listeners and regulators of socket index i go to server i % n. `from`: each regulator's first
 * slot for this set-up (set-ups sharing a database book different slots).
 */
async function measure (name: string, servers: Array<{ child: ChildProcess, port: number }>, made: Made, slots: string[][], from: number): Promise<SetupResult> {
  const n = servers.length
  const instances: Instance[] = servers.map((s) => ({ child: s.child, fleet: new Fleet(s.port) }))
  const t = performance.now()
  await Promise.all(instances.map(async (inst, i) => {
    const listeners = Math.floor(LISTENERS / n) + (i < LISTENERS % n ? 1 : 0)
    const regulators = made.regulators.slice(0, REGULATORS).filter((_, r) => r % n === i)
    await inst.fleet.open(listeners, made.listeners, regulators)
  }))
  // Slots follow the regulators' order in cycles(): instance by instance.
  const order = instances.flatMap((_, i) => Array.from({ length: REGULATORS }, (_, r) => r).filter((r) => r % n === i))
  const mine = order.map((r) => slots[r] as string[])
  log(`${name}: ${instances.reduce((s, i) => s + i.fleet.listeners.length + i.fleet.regulators.length, 0)} sockets open with their snapshot in ${((performance.now() - t) / 1000).toFixed(1)} s`)
  let next = from
  const warm = await cycles(instances, mine, { from: next, count: WARMUP_PER_REGULATOR, maxMs: SATURATED_ROUND_MS })
  next += WARMUP_PER_REGULATOR
  const satRounds: CycleResult[] = []
  for (let i = 0; i < SATURATED_ROUNDS; i++) {
    satRounds.push(await cycles(instances, mine, { from: next, count: SATURATED_ROUND_COUNT, maxMs: SATURATED_ROUND_MS }))
    next += SATURATED_ROUND_COUNT
  }
  const sat = merge(satRounds)
  const pacedPeriod = (1000 * REGULATORS) / PACED_RATE
  const pacedCount = Math.ceil(PACED_ROUND_MS / pacedPeriod)
  const paceRounds: CycleResult[] = []
  for (let i = 0; i < PACED_ROUNDS; i++) {
    paceRounds.push(await cycles(instances, mine, { from: next, count: pacedCount, maxMs: PACED_ROUND_MS, periodMs: pacedPeriod }))
    next += pacedCount
  }
  const pace = merge(paceRounds)
  const gaps = instances.reduce((s, i) => s + i.fleet.gaps, 0)
  const oddFrames = instances.reduce((s, i) => s + i.fleet.oddFrames, 0)
  log(`${name}: saturated ${sat.bookings} bookings in ${(sat.elapsedMs / 1000).toFixed(1)} s, paced ${pace.bookings}; ${warm.errors + sat.errors + pace.errors} errors${(sat.firstError ?? pace.firstError) !== undefined ? ` (${sat.firstError ?? pace.firstError ?? ''})` : ''}, ${sat.undelivered + pace.undelivered} undelivered, ${gaps} seq gaps`)
  const rss = Math.max(...await Promise.all(instances.map(async (inst) => (await memoryOf(inst.child)).rss)))
  await Promise.all(instances.map(async (inst) => { await inst.fleet.close() }))
  return { name, instances: n, sat, pace, gaps, oddFrames, rss }
}

/** Slots each set-up may use per regulator (a set-up books at most this many of each). */
const PER_SETUP = WARMUP_PER_REGULATOR + SATURATED_ROUNDS * SATURATED_ROUND_COUNT + PACED_ROUNDS * Math.ceil(PACED_ROUND_MS / ((1000 * REGULATORS) / PACED_RATE))

// ---------------------------------------------------------------- the run

log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
log(`plan: ${LISTENERS} listeners + ${REGULATORS} regulators; SQLite 1 server, then PostgreSQL (${BASE_URL.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')}, schema ${schema}) 1 server, then 2 servers; saturated ${SATURATED_ROUNDS} × ≤ ${SATURATED_ROUND_MS / 1000} s, paced (${PACED_RATE} bookings/s) ${PACED_ROUNDS} × ${PACED_ROUND_MS / 1000} s each`)
await bundleChildren()
const results: SetupResult[] = []

// 1. SQLite, one server.
{
  const dataDir = mkdtempSync(join(os.tmpdir(), 'creneaux-bench-live-'))
  dataDirs.push(dataDir)
  const env = { BENCH_DATA_DIR: dataDir }
  const made = await setup(env)
  const server = await serve(env)
  results.push(await measure('SQLite, 1 server', [server], made, assignSlots(made.slotIds, REGULATORS), 0))
  await stopChild(server.child, children)
}

// 2 and 3. PostgreSQL: one server, then two on the same database (other slots of the same setup).
await admin(`CREATE SCHEMA ${schema}`)
try {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'creneaux-bench-live-'))
  dataDirs.push(dataDir)
  const env = { BENCH_DATA_DIR: dataDir, BENCH_DATABASE_URL: schemaUrl() }
  const made = await setup(env)
  const slots = assignSlots(made.slotIds, REGULATORS)
  if ((slots[0]?.length ?? 0) < 2 * PER_SETUP) throw new Error(`${slots[0]?.length ?? 0} slots per regulator, ${2 * PER_SETUP} needed`)
  const a = await serve(env)
  results.push(await measure('PostgreSQL, 1 server', [a], made, slots, 0))
  const b = await serve(env)
  results.push(await measure('PostgreSQL, 2 servers', [a, b], made, slots, PER_SETUP))
  await Promise.all([stopChild(a.child, children), stopChild(b.child, children)])
} finally {
  await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
}

// ---------------------------------------------------------------- figures

const [lite, one, two] = results as [SetupResult, SetupResult, SetupResult]
const rate = (r: SetupResult): number => r.sat.bookings / (r.sat.elapsedMs / 1000)
const p = (values: number[], q: number): number => percentile(values, q)
const met = (ok: boolean): string => ok ? 'yes' : 'MISSED'
const cpu = (r: SetupResult): number => r.sat.serverCpu / r.sat.bookings
/** Bookings/s the servers could serve, each on a core of its own (nothing else on the machine). */
const ceiling = (r: SetupResult): number => r.instances * 1000 / cpu(r)
const pgCpu = (r: SetupResult): number => r.sat.postgresCpu / r.sat.bookings
const clientCpu = (r: SetupResult): number => r.sat.clientCpu / r.sat.bookings
const rows: string[][] = [
  ['bookings/s, saturated', perSecond(rate(lite)), perSecond(rate(one)), perSecond(rate(two)), ratio(rate(two), rate(one)), '≥ 1.50×', met(rate(two) >= 1.5 * rate(one))],
  ['servers\' CPU per booking, saturated', ms(cpu(lite)), ms(cpu(one)), ms(cpu(two)), ratio(cpu(two), cpu(one)), '', ''],
  ['  ceiling with a core per server (n × 1 s ÷ CPU per booking)', perSecond(ceiling(lite)), perSecond(ceiling(one)), perSecond(ceiling(two)), ratio(ceiling(two), ceiling(one)), '', ''],
  ['PostgreSQL CPU per booking (backends of the servers)', '—', ms(pgCpu(one)), ms(pgCpu(two)), ratio(pgCpu(two), pgCpu(one)), '', ''],
  ['load generator CPU per booking', ms(clientCpu(lite)), ms(clientCpu(one)), ms(clientCpu(two)), ratio(clientCpu(two), clientCpu(one)), '', ''],
  ['machine CPU busy, saturated', `${(100 * lite.sat.machineBusy).toFixed(0)}%`, `${(100 * one.sat.machineBusy).toFixed(0)}%`, `${(100 * two.sat.machineBusy).toFixed(0)}%`, '', '', ''],
  ['book → last listener, p99, saturated', ms(p(lite.sat.toLastListener, 99)), ms(p(one.sat.toLastListener, 99)), ms(p(two.sat.toLastListener, 99)), ratio(p(two.sat.toLastListener, 99), p(one.sat.toLastListener, 99)), '', ''],
  ['hold → reply, p99, paced', ms(p(lite.pace.holdReply, 99)), ms(p(one.pace.holdReply, 99)), ms(p(two.pace.holdReply, 99)), ratio(p(two.pace.holdReply, 99), p(one.pace.holdReply, 99)), '', ''],
  ['book → last listener, median, paced', ms(median(lite.pace.toLastListener)), ms(median(one.pace.toLastListener)), ms(median(two.pace.toLastListener)), ratio(median(two.pace.toLastListener), median(one.pace.toLastListener)), '', ''],
  ['book → last listener, p99, paced', ms(p(lite.pace.toLastListener, 99)), ms(p(one.pace.toLastListener, 99)), ms(p(two.pace.toLastListener, 99)), ratio(p(two.pace.toLastListener, 99), p(one.pace.toLastListener, 99)), '', ''],
  ['  … on the booking server\'s own sockets', '', '', ms(p(two.pace.sameInstance, 99)), '', '', ''],
  ['  … on the other server\'s sockets', '', '', ms(p(two.pace.otherInstance, 99)), ratio(p(two.pace.otherInstance, 99), p(two.pace.sameInstance, 99)) + ' of own', '≤ 1.30×', met(p(two.pace.otherInstance, 99) <= 1.3 * p(two.pace.sameInstance, 99))],
  ['  same, medians', '', '', `${ms(median(two.pace.sameInstance))} / ${ms(median(two.pace.otherInstance))}`, ratio(median(two.pace.otherInstance), median(two.pace.sameInstance)), '', ''],
  ['largest server RSS after the run', mb(lite.rss), mb(one.rss), mb(two.rss), '', '', '']
]
console.log(`
Live board, SQLite vs PostgreSQL, 1 and 2 servers: ${LISTENERS} listeners + ${REGULATORS} regulators = ${LISTENERS + REGULATORS} sockets; every socket receives every event.
With 2 servers on one database, socket i (listener or regulator) is on server i mod 2; each booking is timed to the last listener of each server.
Saturated: ${SATURATED_ROUNDS} rounds of ≤ ${SATURATED_ROUND_MS / 1000} s (${lite.sat.bookings} / ${one.sat.bookings} / ${two.sat.bookings} bookings); paced: ${PACED_RATE} bookings/s, ${PACED_ROUNDS} rounds of ${PACED_ROUND_MS / 1000} s (${lite.pace.bookings} / ${one.pace.bookings} / ${two.pace.bookings}).`)
console.log(table(['figure', 'SQLite, 1', 'PostgreSQL, 1', 'PostgreSQL, 2', '2 ÷ 1', 'target', 'met'], rows))
console.log(`
Load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other processes share the ${os.cpus().length} cores, PostgreSQL and this load generator among them: figures vary from run to run).
Checks: ${results.map((r) => `${r.name}: ${r.sat.errors + r.pace.errors} errors, ${r.sat.undelivered + r.pace.undelivered} undelivered, ${r.gaps} seq gaps, ${r.oddFrames} odd frames`).join('; ')}.
Done in ${((performance.now() - started) / 1000).toFixed(0)} s.`)
process.exit(0)
