// `npm run bench:memory`: the memory of the Créneaux server of `bench:live` (same setup, same
// server child, run as `npm start` runs it: scripts/server-runtime.mjs), without the timing phases: RSS and heap at idle, after the
// sockets have their snapshot, and the peak (getrusage maxRSS), then after 4 sign-ins (scrypt).
// Prints figures; asserts nothing (docs/performance.md, "Memory (issue 23, item 4)").
//
// BENCH_LISTENERS (500) + BENCH_REGULATORS (50) sockets, opened in waves of BENCH_WAVE (50), each
// wave waiting for its snapshots; BENCH_WAVE_PAUSE_MS (0) between waves: past 1,000 ms every wave
// gets a snapshot built afresh (no reuse), as on a loaded machine where waves came seconds apart.
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { memoryOf, stopChild } from './cycles.js'
import { Fleet } from './fleet.js'
import { BENCH_PASSWORD, bundleChildren, forkChild, mb, nextMessage, sleep, type MemoryReport, type ParentMessage } from './lib.js'

const LISTENERS = Number(process.env.BENCH_LISTENERS ?? 500)
const REGULATORS = Number(process.env.BENCH_REGULATORS ?? 50)
const WAVE = Number(process.env.BENCH_WAVE ?? 50)
const WAVE_PAUSE_MS = Number(process.env.BENCH_WAVE_PAUSE_MS ?? 0)

const children = new Set<ChildProcess>()
const dataDir = mkdtempSync(join(os.tmpdir(), 'creneaux-bench-memory-'))
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL')
  rmSync(dataDir, { recursive: true, force: true })
})
const started = performance.now()
const log = (line: string): void => { console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`) }
const line = (label: string, m: MemoryReport): string =>
  `${label.padEnd(22)} RSS ${mb(m.rss).padStart(9)}  heap used ${mb(m.heapUsed).padStart(8)} (${mb(m.heapUsedAfterGc)} after GC, RSS then ${mb(m.rssAfterGc)}) of ${mb(m.heapTotal)}  external ${mb(m.external)}  peak RSS ${mb(m.maxRss)}  ${m.sockets} sockets`

await bundleChildren()
const setupChild = forkChild('server-child', { BENCH_STEP: 'setup', BENCH_DATA_DIR: dataDir })
children.add(setupChild)
const made = await nextMessage(setupChild, 'setup', 300_000)
if (setupChild.exitCode === null) await new Promise((resolve) => setupChild.once('exit', resolve))
log(`setup: ${made.regulators.length} regulators, ${made.listeners.length / 2} GPs, ${made.slotIds.length} slots`)

const server = forkChild('server-child', { BENCH_STEP: 'serve', BENCH_DATA_DIR: dataDir })
children.add(server)
const ready = await nextMessage(server, 'ready', 120_000)
await sleep(500)
const idle = await memoryOf(server)

// BENCH_HEAP_PROFILE=file: a sampling heap profile of the server while the sockets open.
server.send({ type: 'heapProfile', on: true } satisfies ParentMessage)
await sleep(200)
const fleet = new Fleet(ready.port)
const plan = [...Array.from({ length: LISTENERS }, () => 'listener' as const), ...Array.from({ length: REGULATORS }, () => 'regulator' as const)]
const t = performance.now()
for (let i = 0; i < plan.length; i += WAVE) {
  if (i > 0 && WAVE_PAUSE_MS > 0) await sleep(WAVE_PAUSE_MS)
  const wave = plan.slice(i, i + WAVE)
  const listeners = wave.filter((k) => k === 'listener').length
  await fleet.open(listeners, made.listeners, made.regulators.slice(Math.max(0, i - LISTENERS), Math.max(0, i - LISTENERS) + wave.length - listeners), WAVE)
}
const snapshotBytes = fleet.bytesReceived / Math.max(1, fleet.listeners.length)
log(`${fleet.listeners.length + fleet.regulators.length} sockets with their snapshot (≈ ${(snapshotBytes / 1024).toFixed(0)} KiB each) in ${((performance.now() - t) / 1000).toFixed(1)} s`)
await sleep(200)
server.send({ type: 'heapProfile', on: false } satisfies ParentMessage)
const open = await memoryOf(server)
await sleep(500)
const settled = await memoryOf(server)
// BENCH_HEAP_SNAPSHOT=file: a heap snapshot with the sockets open (written before the next answer).
server.send({ type: 'heapSnapshot' } satisfies ParentMessage)

await Promise.all([0, 1, 2, 3].map(async (i) => {
  const res = await fetch(`http://127.0.0.1:${ready.port}/api/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `gp${i}@bench.test`, password: BENCH_PASSWORD })
  })
  if (res.status !== 200) log(`sign-in of gp${i}: ${res.status}`)
}))
const signIns = await memoryOf(server)
await fleet.close()
await stopChild(server, children)

console.log(`
Memory of the Créneaux server (bench:live's server child, ${process.env.BENCH_PLAIN_NODE === '1' ? 'plain node' : 'with npm start\'s runtime settings'}), ${LISTENERS} listeners + ${REGULATORS} regulators in waves of ${WAVE}${WAVE_PAUSE_MS > 0 ? `, ${WAVE_PAUSE_MS} ms apart` : ''}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}
${line('idle (0 sockets)', idle)}
${line('sockets open', open)}
${line('0.5 s later', settled)}
${line('after 4 sign-ins', signIns)}
peak RSS with the sockets (before the sign-ins): ${mb(settled.maxRss)}; RSS with them after GC: ${mb(settled.rssAfterGc)}`)
process.exit(0)
