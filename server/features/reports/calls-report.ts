/**
 * The calls of a period for the board: how they ended, and the calls that found no slot, by
 * the patient's commune, by day and by hour (local to the call's CPTS, or to the instance's
 * zone for a call naming none). Same scope as the season report's unmetDemand: with a cptsId,
 * the calls naming that CPTS; without, every call. Calls carry no patient identity.
 */
import { DateTime } from 'luxon'
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { ByOutcome, CallsReport } from '../../../shared/schemas/board.js'
import { CALL_OUTCOMES, type CallOutcome, type SlotKind } from '../../../shared/schemas/slots.js'
import { communeByCode } from '../../lib/communes.js'
import { toZonedIso } from '../../lib/zoned-time.js'
import { zoneFor } from '../cpts/cpts-repository.js'
import { periodDates } from './report-dates.js'
import type { ReportScope } from './report-repository.js'

/** One call as the report reads it: when (local), how it ended, where the patient was. */
export interface CallFact { date: string, hour: number, outcome: CallOutcome, communeCode: string | null }

const zero = (): ByOutcome => Object.fromEntries(CALL_OUTCOMES.map((o) => [o, 0])) as ByOutcome

interface Tally { calls: number, noSlot: number, byOutcome: ByOutcome }
const tally = (): Tally => ({ calls: 0, noSlot: 0, byOutcome: zero() })
function count (t: Tally, outcome: CallOutcome): void {
  t.calls++
  if (outcome === 'no_slot') t.noSlot++
  t.byOutcome[outcome]++
}

/** The report's arithmetic over calls already read in local time. */
export function buildCallsReport (period: { from: string, to: string }, facts: readonly CallFact[]): CallsReport {
  const totals = tally()
  const days = new Map(periodDates(period.from, period.to).map((d) => [d, tally()]))
  const hours = Array.from({ length: 24 }, tally)
  const communes = new Map<string, Tally>()
  for (const f of facts) {
    const day = days.get(f.date)
    if (day === undefined) continue
    count(totals, f.outcome)
    count(day, f.outcome)
    count(hours[f.hour]!, f.outcome)
    const key = f.communeCode ?? ''
    let c = communes.get(key)
    if (c === undefined) { c = tally(); communes.set(key, c) }
    count(c, f.outcome)
  }
  const byCommune = [...communes.entries()].map(([code, t]) => {
    const place = code === '' ? undefined : communeByCode(code)
    return { communeCode: code === '' ? null : code, name: place?.name ?? null, departement: place?.departement ?? null, ...t }
  }).sort((a, b) => b.noSlot - a.noSlot || b.calls - a.calls || (a.name ?? '\uffff').localeCompare(b.name ?? '\uffff', 'fr'))
  return {
    period: { from: period.from, to: period.to },
    totals: { calls: totals.calls, byOutcome: totals.byOutcome },
    byCommune,
    byDay: [...days.entries()].map(([date, t]) => ({ date, ...t })),
    byHour: hours.map((t, hour) => ({ hour, ...t }))
  }
}

/** Reads the calls of the scope (a day of margin each side for the zones), in local time. */
export async function callsReport (db: Kysely<Database>, s: ReportScope): Promise<CallsReport> {
  const zones = new Map((await db.selectFrom('cpts').select(['id', 'timezone']).execute()).map((c) => [c.id, c.timezone]))
  const defaultZone = await zoneFor(db, undefined)
  const from = DateTime.fromISO(s.from, { zone: 'utc' }).minus({ days: 1 }).toISO()!
  const to = DateTime.fromISO(s.to, { zone: 'utc' }).plus({ days: 2 }).toISO()!
  let q = db.selectFrom('calls').select(['at', 'outcome', 'commune_code', 'cpts_id'])
    .where('at', '>=', from).where('at', '<', to)
  if (s.cptsId !== undefined) q = q.where('cpts_id', '=', s.cptsId)
  if (s.kind !== undefined) q = q.where('kind', '=', s.kind as SlotKind)
  const facts: CallFact[] = []
  for (const r of await q.execute()) {
    const local = toZonedIso(r.at, (r.cpts_id !== null ? zones.get(r.cpts_id) : undefined) ?? defaultZone)
    const date = local.slice(0, 10)
    if (date < s.from || date > s.to) continue
    facts.push({ date, hour: Number(local.slice(11, 13)), outcome: r.outcome as CallOutcome, communeCode: r.commune_code })
  }
  return buildCallsReport({ from: s.from, to: s.to }, facts)
}
