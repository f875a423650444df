/**
 * What both live benchmarks (bench/live.ts, one instance on SQLite; bench/live-postgres.ts,
 * instances on PostgreSQL) share: the children's CPU and memory, stopping a child, the slots
 * each regulator books, and the loop in which regulators hold then book them.
 */
import type { ChildProcess } from 'node:child_process'
import { nextMessage, sleep, type MemoryReport, type ParentMessage } from './lib.js'

export interface Phase {
  /** Index of each regulator's first slot for this phase. */
  from: number
  /** Most bookings per regulator. */
  count: number
  /** The phase stops starting cycles after this long. */
  maxMs: number
  /** Paced: each regulator starts a cycle every periodMs (staggered); otherwise back to back. */
  periodMs?: number
}

export function bookingBody (r: number, k: number): Record<string, unknown> {
  return {
    patient: { lastName: 'Banc', firstName: `Patient ${r}-${k}`, birthDate: '1980-01-02', phone: '06 12 34 56 78' },
    reason: 'fièvre depuis deux jours',
    hasTreatingGp: (['yes', 'no', 'unknown'] as const)[k % 3],
    idempotencyKey: `bench-${r}-${k}`
  }
}

/** CPU time (user + system, ms) a child has used so far. */
export async function cpuOf (child: ChildProcess): Promise<number> {
  const answer = nextMessage(child, 'cpu', 10_000)
  child.send({ type: 'cpu' } satisfies ParentMessage)
  const { usage } = await answer
  return (usage.user + usage.system) / 1000
}

/** CPU time (user + system, ms) this process has used so far. */
export const selfCpu = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }

export async function memoryOf (child: ChildProcess): Promise<MemoryReport> {
  const answer = nextMessage(child, 'memory', 10_000)
  child.send({ type: 'memory' } satisfies ParentMessage)
  return (await answer).report
}

/** Asks a child to stop, kills it after 5 s, and forgets it. */
export async function stopChild (child: ChildProcess, children: Set<ChildProcess>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.send({ type: 'stop' } satisfies ParentMessage)
    await Promise.race([exited, sleep(5_000)])
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  children.delete(child)
}

/** Regulator r books slots r, r + R, r + 2R…: distinct slots, spread over the GPs and days. */
export function assignSlots (ids: string[], regulators: number): string[][] {
  const out = Array.from({ length: regulators }, () => [] as string[])
  for (let i = 0; i < ids.length; i++) out[i % regulators]?.push(ids[i] as string)
  return out
}

/**
 * Every regulator r runs `cycle(r, k, slotId)` over its own slots (slots[r][k], k from
 * phase.from), back to back or paced, until phase.count cycles or phase.maxMs from `start`.
 * A cycle that throws ends that regulator's loop (`fail` says why).
 */
export async function regulatorLoops (regulators: number, slots: string[][], phase: Phase, start: number, fail: (what: string) => void, cycle: (r: number, k: number, slotId: string) => Promise<void>): Promise<void> {
  const deadline = start + phase.maxMs
  await Promise.all(Array.from({ length: regulators }, async (_, r) => {
    for (let j = 0; j < phase.count; j++) {
      if (phase.periodMs !== undefined) {
        const at = start + (r / regulators + j) * phase.periodMs
        if (at > deadline) return
        await sleep(at - performance.now())
      } else if (performance.now() > deadline) {
        return
      }
      const k = phase.from + j
      const slotId = slots[r]?.[k]
      if (slotId === undefined) { fail('not enough slots'); return }
      try {
        await cycle(r, k, slotId)
      } catch (err) {
        fail(String(err))
        return
      }
    }
  }))
}
