// `npx tsx bench/imports.ts [entry…]`: what loading a module costs the server process. Each entry
// (a package, or a file of this repository, bundled with esbuild like bench:live's children so
// that it runs on plain node) is imported alone in a fresh `node --expose-gc`; its RSS and heap
// after a GC are printed with the difference from a process that imports nothing. Modules shared
// by several entries count in each. Prints figures; asserts nothing (docs/performance.md,
// "Memory (issue 23, item 4)").
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ROOT } from './lib.js'

const PACKAGES = ['fastify', '@fastify/swagger', '@fastify/helmet', '@fastify/static', '@fastify/websocket', '@fastify/rate-limit',
  '@fastify/cookie', 'fastify-type-provider-zod', 'zod', 'kysely', 'better-sqlite3', 'pg', 'openid-client', 'jose', 'ical-generator',
  'csv-parse/sync', 'prom-client', 'nodemailer', 'luxon']
const FILES = ['server/app.ts', 'server/features/fhir/fhir-plugin.ts', 'server/features/session/session-routes.ts', 'server/features/feeds/feeds-routes.ts',
  'server/features/season-import/import-routes.ts', 'server/features/reports/reports-routes.ts', 'server/features/ops/ops-plugin.ts',
  'server/features/communes/communes-routes.ts', 'shared/schemas/slots.ts', 'server/lib/communes.ts']

// IMPORTS_ROOT=<another checkout>: bundle its files instead (a before/after on the same machine).
const SRC = process.env.IMPORTS_ROOT ?? ROOT
const OUT = join(ROOT, 'node_modules', '.cache', `creneaux-bench-imports-${SRC === ROOT ? 'here' : 'other'}`)
const entries = process.argv.length > 2 ? process.argv.slice(2) : ['', ...PACKAGES, ...FILES]

async function specifierOf (entry: string): Promise<string> {
  if (!/\.tsx?$/.test(entry)) return entry
  const { build } = await import('esbuild')
  const outfile = join(OUT, entry.replace(/[/.]/g, '_') + '.mjs')
  await build({ entryPoints: [join(SRC, entry)], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'error' })
  return pathToFileURL(outfile).href
}

mkdirSync(OUT, { recursive: true })
const probe = join(OUT, 'probe.mjs')
writeFileSync(probe, `const spec = process.argv[2]
if (spec !== '') await import(spec)
for (let i = 0; i < 3; i++) globalThis.gc()
await new Promise((r) => setTimeout(r, 50))
globalThis.gc()
const m = process.memoryUsage()
console.log(JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, maxRss: process.resourceUsage().maxRSS * 1024 }))
`)
const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(1)}`
let base: { rss: number, heapUsed: number } | undefined
console.log('entry'.padEnd(48), 'RSS MB', ' (+)', ' heap MB', ' (+)', ' peak RSS MB')
for (const entry of entries) {
  const spec = await specifierOf(entry)
  // Run from the repository so that packages resolve from its node_modules.
  const m = JSON.parse(execFileSync(process.execPath, ['--expose-gc', ...(process.env.PROBE_FLAGS ?? '').split(' ').filter((f) => f !== ''), probe, spec], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').at(-1) ?? '{}')
  base ??= m
  console.log((entry === '' ? '(nothing)' : entry).padEnd(48), mb(m.rss).padStart(6), `+${mb(m.rss - base!.rss)}`.padStart(6), mb(m.heapUsed).padStart(7), `+${mb(m.heapUsed - base!.heapUsed)}`.padStart(6), mb(m.maxRss).padStart(8))
}
