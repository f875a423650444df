/**
 * The board's figures of the waiting list (issue 25): requests made in a period (by the local
 * date of the call that made them), how they ended, the wait from the call to the booking of
 * those recovered, and the unmet demand before and after the list. Same scope as the calls
 * report: with a cptsId, the requests naming that CPTS. Reads no patient column.
 */
import { DateTime } from 'luxon'
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import { SLOT_KINDS, type SlotKind } from '../../../shared/schemas/slots.js'
import type { RequestStatus, WaitingListReport } from '../../../shared/schemas/waiting-list.js'
import { communeByCode } from '../../lib/communes.js'
import { toZonedIso } from '../../lib/zoned-time.js'
import { zoneFor } from '../cpts/cpts-repository.js'
import type { ReportScope } from './report-common.js'
import { noSlotCalls } from './report-common.js'
import { isoWeekOf } from './report-dates.js'
import { LEAD_PERCENTILES, percentile } from './season-report.js'

/** One request as the report reads it: when its call came (local), where, what, how it ended, how long to its booking. */
export interface RequestFact { date: string, hour: number, communeCode: string, kind: SlotKind, status: RequestStatus, waitMinutes: number | null }

interface Tally { made: number, recovered: number, expired: number, withdrawn: number, open: number }
const tally = (): Tally => ({ made: 0, recovered: 0, expired: 0, withdrawn: 0, open: 0 })
const STATUS_KEY: Record<RequestStatus, keyof Tally> = { booked: 'recovered', expired: 'expired', withdrawn: 'withdrawn', open: 'open' }
function count (t: Tally, status: RequestStatus): void {
  t.made++
  t[STATUS_KEY[status]]++
}
function into<K> (m: Map<K, Tally>, key: K): Tally {
  let t = m.get(key)
  if (t === undefined) { t = tally(); m.set(key, t) }
  return t
}

/** The report's arithmetic over requests already read in local time (the reference the tests check). */
export function buildWaitingListReport (period: { from: string, to: string }, facts: readonly RequestFact[], noSlot: number): WaitingListReport {
  const totals = tally()
  const communes = new Map<string, Tally>()
  const kinds = new Map<SlotKind, Tally>(SLOT_KINDS.map((k) => [k, tally()]))
  const weeks = new Map<string, Tally>()
  const hours = Array.from({ length: 24 }, tally)
  const waits: Array<{ minutes: number, n: number }> = []
  for (const f of facts) {
    if (f.date < period.from || f.date > period.to) continue
    for (const t of [totals, into(communes, f.communeCode), into(kinds, f.kind), into(weeks, isoWeekOf(f.date)), hours[f.hour]!]) count(t, f.status)
    if (f.status === 'booked' && f.waitMinutes !== null) waits.push({ minutes: f.waitMinutes, n: 1 })
  }
  const byCommune = [...communes.entries()].map(([code, t]) => {
    const place = communeByCode(code)
    return { communeCode: code, name: place?.name ?? null, departement: place?.departement ?? null, ...t }
  }).sort((a, b) => b.made - a.made || (a.name ?? '\uffff').localeCompare(b.name ?? '\uffff', 'fr'))
  return {
    period: { from: period.from, to: period.to },
    totals,
    wait: { median: percentile(waits, LEAD_PERCENTILES.median), p90: percentile(waits, LEAD_PERCENTILES.p90) },
    unmetDemand: { before: noSlot, after: Math.max(0, noSlot - totals.recovered) },
    byCommune,
    byKind: [...kinds.entries()].map(([kind, t]) => ({ kind, ...t })),
    byWeek: [...weeks.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([week, t]) => ({ week, ...t })),
    byHour: hours.map((t, hour) => ({ hour, ...t }))
  }
}

/** Reads the requests of the scope (a day of margin each side for the zones), with their call and booking instants. */
export async function waitingListReport (db: Kysely<Database>, s: ReportScope): Promise<WaitingListReport> {
  const zones = new Map((await db.selectFrom('cpts').select(['id', 'timezone']).execute()).map((c) => [c.id, c.timezone]))
  const defaultZone = await zoneFor(db, undefined)
  const from = DateTime.fromISO(s.from, { zone: 'utc' }).minus({ days: 1 }).toISO()!
  const to = DateTime.fromISO(s.to, { zone: 'utc' }).plus({ days: 2 }).toISO()!
  // The call's instant when the request names it (else the request's), the booking's when booked.
  let q = db.selectFrom('waiting_requests')
    .leftJoin('calls', 'calls.id', 'waiting_requests.call_id')
    .leftJoin('bookings', 'bookings.id', 'waiting_requests.booking_id')
    .select(['waiting_requests.created_at', 'waiting_requests.cpts_id', 'waiting_requests.commune_code', 'waiting_requests.kind', 'waiting_requests.status', 'calls.at as call_at', 'bookings.booked_at'])
    .where('waiting_requests.created_at', '>=', from).where('waiting_requests.created_at', '<', to)
  if (s.cptsId !== undefined) q = q.where('waiting_requests.cpts_id', '=', s.cptsId)
  if (s.kind !== undefined) q = q.where('waiting_requests.kind', '=', s.kind as SlotKind)
  const facts: RequestFact[] = []
  for (const r of await q.execute()) {
    const start = r.call_at ?? r.created_at
    const local = toZonedIso(start, (r.cpts_id !== null ? zones.get(r.cpts_id) : undefined) ?? defaultZone)
    const waitMinutes = r.booked_at === null ? null : Math.round((Date.parse(r.booked_at) - Date.parse(start)) / 60_000)
    facts.push({ date: local.slice(0, 10), hour: Number(local.slice(11, 13)), communeCode: r.commune_code, kind: r.kind, status: r.status, waitMinutes })
  }
  return buildWaitingListReport({ from: s.from, to: s.to }, facts, (await noSlotCalls(db, s)).count)
}
