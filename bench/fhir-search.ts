// `npm run bench:fhir`: the SAS platform's slot search (INT_R01) on a national-size calendar:
// 25 IdNat_PS per request (the SAS's batch), a window of now → +72 h (the kit's performance
// request), every include. Prints figures; asserts nothing. The kit's bound is 1 s for the whole
// search, TLS included; ours is 50 ms at the 99th percentile.
//
// 1. A temporary SQLite file (or the PostgreSQL of DATABASE_URL, in a schema of its own),
//    migrated; in one transaction per CPTS, multi-row inserts of BENCH_CPTS CPTS (with FINESS and
//    phone), BENCH_PRACTITIONERS GPs each, and BENCH_SLOTS_PER_DAY slots per GP per day over
//    BENCH_DAYS days around now (a tenth of them withdrawn). Each GP consults at a home place
//    (id = the account's, as migration 0019 made them); one in ten at a second place too (every
//    other slot there); one in five is also a member of the previous CPTS, to which half of their
//    slots are offered (slot_offers). Defaults: 100 × 100 GPs (10,000), 8 slots a day, 21 days:
//    1.68 M slots.
// 2. In process (`app.inject`: the server's own time, no network): BENCH_SEARCHES searches of 25
//    random practitioners' RPPS, PS form and CPTS form, after 20 of warm-up.
// 3. Over real mTLS (a throwaway CA, the SAS's client certificate, a new TLS connection for each
//    request, as the kit's client makes one): BENCH_TLS_SEARCHES searches of the PS form.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import os from 'node:os'
import { join } from 'node:path'
import { sql, type Insertable } from 'kysely'
import { migrateToLatest } from '../db/migrate.js'
import { openDatabase } from '../db/open.js'
import type { Database, SlotsTable } from '../db/types.js'
import { buildApp } from '../server/app.js'
import { ManualClock } from '../server/clock.js'
import { loadConfig } from '../server/config.js'
import { listenForFhir } from '../server/features/fhir/fhir-listener.js'
import { fhirHttpsOptions } from '../server/features/fhir/tls.js'
import { slotLocalColumns } from '../server/features/slots/local-columns.js'
import { withRppsKey } from '../shared/rpps.js'
import { makePki } from '../test/helpers/pki.js'
import { ms, percentile, table } from './lib.js'

const CPTS = Number(process.env.BENCH_CPTS ?? 100)
const PER_CPTS = Number(process.env.BENCH_PRACTITIONERS ?? 100)
const SLOTS_PER_DAY = Number(process.env.BENCH_SLOTS_PER_DAY ?? 8)
const DAYS = Number(process.env.BENCH_DAYS ?? 21)
const SEARCHES = Number(process.env.BENCH_SEARCHES ?? 300)
const TLS_SEARCHES = Number(process.env.BENCH_TLS_SEARCHES ?? 100)
const BATCH = 25
const CHUNK = 400
const ZONE = 'Europe/Paris'
/** Now for the server: a Monday morning; the calendar starts a third of BENCH_DAYS before it (a week with the default). */
const NOW = new Date('2026-11-16T08:00:00.000Z')
const TOKEN = 'bench-sas-secret-0123456789'

const started = performance.now()
const dir = mkdtempSync(join(os.tmpdir(), 'creneaux-bench-fhir-'))
const pki = await makePki(dir)
const schema = `bench_fhir_${process.pid}`
const databaseUrl = process.env.DATABASE_URL
const storage = databaseUrl === undefined || databaseUrl === ''
  ? { DATA_DIR: dir }
  : { DATABASE_URL: `${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}` }
const config = loadConfig({
  ...storage, PUBLIC_URL: 'https://creneaux.example.fr', FHIR_TOKENS: TOKEN,
  TLS_CERT: pki.serverCert, TLS_KEY: pki.serverKey, TLS_CLIENT_CA: pki.caCert, FHIR_CLIENT_CERT_CN: 'plateforme-sas',
  FHIR_CLIENT_CERT_OU: 'SAS', FHIR_TLS_PORT: '0', LOG_LEVEL: 'silent'
})
if ('DATABASE_URL' in storage && databaseUrl !== undefined) {
  const admin = openDatabase(loadConfig({ DATABASE_URL: databaseUrl }))
  await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(admin)
  await admin.destroy()
}
const db = openDatabase(config)
await migrateToLatest(db)

// 1. The calendar.
const rppsOf: string[] = []
const firstDay = NOW.getTime() - Math.floor(DAYS / 3) * 86_400_000
let slotCount = 0
let offerCount = 0
const nowIso = NOW.toISOString()
for (let c = 0; c < CPTS; c++) {
  const cptsId = `cpts-${c}`
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('cpts').values({ id: cptsId, name: `CPTS ${c}`, timezone: ZONE, created_at: nowIso, finess: String(850000000 + c), phone: '02 51 49 00 00' }).execute()
    const users = []
    const practitioners = []
    for (let p = 0; p < PER_CPTS; p++) {
      const n = c * PER_CPTS + p
      const rpps = withRppsKey(String(1000000000 + n))
      rppsOf.push(rpps)
      users.push({ id: `u-${n}`, email: `gp${n}@bench.test`, name: `Prénom${n} NOM${n}`, role: 'practitioner' as const, password_hash: 'x', cpts_id: cptsId, created_at: nowIso, disabled_at: null, sas_id: null, idnps: `8${rpps}` })
      practitioners.push({ user_id: `u-${n}`, rpps, profession: 'gp' as const, address: `${n} rue de la Plage`, postal_code: '85160', commune: 'Saint-Jean-de-Monts', commune_code: '85234', phone: '02 51 58 00 00', structure_id: `1${String(850100000 + n % 99999999)}` })
    }
    await trx.insertInto('users').values(users).execute()
    await trx.insertInto('practitioners').values(practitioners).execute()
    const places: Array<Insertable<Database['practitioner_places']>> = []
    const memberships: Array<Insertable<Database['cpts_memberships']>> = []
    for (const [i, pr] of practitioners.entries()) {
      const n = c * PER_CPTS + i
      places.push({ id: pr.user_id, practitioner_id: pr.user_id, label: pr.commune, address: pr.address, postal_code: pr.postal_code, commune: pr.commune, commune_code: pr.commune_code, structure_id: pr.structure_id, phone: null, is_home: 1, created_at: nowIso, archived_at: null })
      if (n % 10 === 0) places.push({ id: `p-${n}`, practitioner_id: pr.user_id, label: 'Maison de santé', address: `${n} rue Carnot`, postal_code: '85300', commune: 'Challans', commune_code: '85047', structure_id: null, phone: '02 51 93 00 00', is_home: 0, created_at: nowIso, archived_at: null })
      memberships.push({ practitioner_id: pr.user_id, cpts_id: cptsId, created_at: nowIso })
      if (n % 5 === 0 && c > 0) memberships.push({ practitioner_id: pr.user_id, cpts_id: `cpts-${c - 1}`, created_at: nowIso })
    }
    await trx.insertInto('practitioner_places').values(places).execute()
    await trx.insertInto('cpts_memberships').values(memberships).execute()
    let rows: Array<Insertable<SlotsTable>> = []
    let offers: Array<Insertable<Database['slot_offers']>> = []
    const flush = async (): Promise<void> => {
      if (rows.length > 0) await trx.insertInto('slots').values(rows).execute()
      if (offers.length > 0) await trx.insertInto('slot_offers').values(offers).execute()
      rows = []
      offers = []
    }
    for (let p = 0; p < PER_CPTS; p++) {
      const n = c * PER_CPTS + p
      for (let d = 0; d < DAYS; d++) {
        for (let k = 0; k < SLOTS_PER_DAY; k++) {
          // From 08:00 Paris (07:00 UTC in winter), every 20 minutes, spread over the day.
          const start = new Date(firstDay + d * 86_400_000 - 3_600_000 + (k * 80 + (n % 4) * 20) * 60_000)
          const i = slotCount++
          rows.push({
            id: `s-${i}`, practitioner_id: `u-${n}`, cpts_id: cptsId, place_id: n % 10 === 0 && k % 2 === 1 ? `p-${n}` : `u-${n}`, start_at: start.toISOString(), end_at: new Date(start.getTime() + 20 * 60_000).toISOString(),
            kind: 'snp', mode: (['office', 'video', 'home'] as const)[i % 3]!, status: i % 10 === 0 ? 'withdrawn' : 'free',
            hold_by: null, hold_expires_at: null, booking_id: null, created_at: nowIso, updated_at: nowIso, withdrawn_at: i % 10 === 0 ? nowIso : null,
            ...slotLocalColumns(start, ZONE)
          })
          if (n % 5 === 0 && c > 0 && k % 2 === 0) {
            offers.push({ slot_id: `s-${i}`, cpts_id: `cpts-${c - 1}` })
            offerCount++
          }
          if (rows.length >= CHUNK) await flush()
        }
      }
    }
    await flush()
  })
}
const loaded = performance.now()
console.log(`Calendar: ${CPTS} CPTS, ${rppsOf.length.toLocaleString('en')} GPs, ${slotCount.toLocaleString('en')} slots (${DAYS} days; ${offerCount.toLocaleString('en')} offered to a second CPTS, a tenth of the GPs at two places) on ${'DATABASE_URL' in storage ? 'PostgreSQL' : 'SQLite'}, loaded in ${((loaded - started) / 1000).toFixed(1)} s`)

const app = await buildApp({ config, db, clock: new ManualClock(nowIso) })
await app.ready()

// The kit's performance request: now → +72 h, 25 identifiers.
const fmt = (d: Date): string => d.toISOString().replace('Z', '+00:00')
const windowQuery = `start=ge${encodeURIComponent(fmt(NOW))}&start=le${encodeURIComponent(fmt(new Date(NOW.getTime() + 72 * 3_600_000)))}&status=free`
let seed = 42
const random = (): number => { seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31; return seed / 2 ** 31 }
const batch = (): string => Array.from({ length: BATCH }, () => `urn:oid:1.2.250.1.71.4.2.1%7C8${rppsOf[Math.floor(random() * rppsOf.length)] ?? ''}`).join(',')
const R01 = '_include=Slot:schedule&_include:iterate=Schedule:actor'
const R04 = `${R01}&_include=Slot:service-type-reference&_include:iterate=HealthcareService:organization`

async function inProcess (includes: string, n: number): Promise<{ times: number[], slots: number, bytes: number }> {
  const times: number[] = []
  let slots = 0
  let bytes = 0
  for (let i = 0; i < n + 20; i++) {
    const t0 = performance.now()
    const res = await app.inject({ method: 'GET', url: `/fhir/Slot?${includes}&${windowQuery}&schedule.actor:Practitioner.identifier=${batch()}`, headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/fhir+json' } })
    const elapsed = performance.now() - t0
    if (res.statusCode !== 200) throw new Error(`search: ${res.statusCode} ${res.body.slice(0, 300)}`)
    if (i < 20) continue
    times.push(elapsed)
    slots += (res.json() as { total: number }).total
    bytes += res.body.length
  }
  return { times, slots: slots / n, bytes: bytes / n }
}

// 2. In process.
const r01 = await inProcess(R01, SEARCHES)
const r04 = await inProcess(R04, SEARCHES)

// 3. Over mTLS, a new connection each time.
const options = fhirHttpsOptions(config)
if (options === undefined) throw new Error('no FHIR listener')
const listener = await listenForFhir(app, options, 0, '127.0.0.1')
const tlsTimes: number[] = []
const client = { cert: readFileSync(pki.clients.sas.cert), key: readFileSync(pki.clients.sas.key), ca: readFileSync(pki.caCert) }
for (let i = 0; i < TLS_SEARCHES + 5; i++) {
  const t0 = performance.now()
  await new Promise<void>((resolve, reject) => {
    const req = httpsRequest({
      host: '127.0.0.1', port: listener.port, path: `/fhir/Slot?${R01}&${windowQuery}&schedule.actor:Practitioner.identifier=${batch()}`,
      headers: { accept: 'application/json+fhir' }, agent: false, ...client
    }, (res) => {
      res.resume()
      res.on('end', () => { if (res.statusCode === 200) resolve(); else reject(new Error(`mTLS search: ${String(res.statusCode)}`)) })
    })
    req.on('error', reject)
    req.end()
  })
  if (i >= 5) tlsTimes.push(performance.now() - t0)
}
await listener.close()
await app.close()
await db.destroy()
rmSync(dir, { recursive: true, force: true })

const row = (what: string, times: number[], extra: string): string[] =>
  [what, String(times.length), ms(percentile(times, 50)), ms(percentile(times, 95)), ms(percentile(times, 99)), ms(Math.max(...times)), extra]
console.log('\nSlot search, 25 RPPS, now → +72 h (the kit\'s bound: 1 s; ours: p99 under 50 ms)\n')
console.log(table(['request', 'n', 'p50', 'p95', 'p99', 'max', 'per answer'], [
  row('INT_R01, in process', r01.times, `${r01.slots.toFixed(0)} slots, ${(r01.bytes / 1024).toFixed(0)} KiB`),
  row('INT_R04, in process', r04.times, `${r04.slots.toFixed(0)} slots, ${(r04.bytes / 1024).toFixed(0)} KiB`),
  row('INT_R01, new mTLS connection each', tlsTimes, 'handshake + search')
]))
console.log(`\n${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (other processes share the machine)`)
