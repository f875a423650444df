/**
 * The season report's arithmetic, with no HTTP and no database: the repository hands over
 * rows already grouped in SQL, this module turns them into the contract's answer (rates,
 * the weekly cap of the majoration, empty days and weeks, the heatmap, lead-time percentiles).
 */
import { DateTime } from 'luxon'
import type { SeasonReport } from '../../../shared/schemas/reports.js'
import type { SlotKind } from '../../../shared/schemas/slots.js'

/** Slots of one local date and local start hour. */
export interface DayHourRow { date: string, hour: number, offered: number, booked: number }

/** Slots of one practitioner, CPTS, ISO week and kind (the slot's CPTS, the local date's ISO week). */
export interface GroupRow {
  practitionerId: string
  cptsId: string
  /** Needed for the majoration unless the input brings `majorationCounted`. */
  week?: string
  kind: SlotKind
  offered: number
  booked: number
  withdrawn: number
  honored: number
  noShow: number
  /** Booked slots whose booking says hasTreatingGp "no". */
  withoutTreatingGp: number
}

/** How many booked slots had this lead time, in whole minutes from booking to start. */
export interface LeadRow { minutes: number, n: number }

export interface ReportInput {
  period: { from: string, to: string }
  dayHours: DayHourRow[]
  groups: GroupRow[]
  practitioners: ReadonlyMap<string, { rpps: string, name: string }>
  /** The CPTS in scope: every one, or the one asked for. */
  cpts: ReadonlyArray<{ id: string, name: string }>
  /** The kinds in scope: both, or the one asked for. */
  kinds: readonly SlotKind[]
  unmetDemand: number
  unmetDemandWithoutCpts: number
  lead: LeadRow[]
  /**
   * Honored snp consultations counted per practitioner, the weekly cap applied (the database
   * computed it); without it, from the groups' weeks.
   */
  majorationCounted?: ReadonlyMap<string, number>
  expiredHolds: number
  majoration: { euros: number, weeklyCap: number }
}

/** n / d, unrounded; null when d is 0. */
export function rate (n: number, d: number): number | null {
  return d === 0 ? null : n / d
}

function day (date: string): DateTime {
  // Calendar arithmetic in UTC: a local date is a label here, every day has 24 hours.
  return DateTime.fromISO(date, { zone: 'utc' })
}

/** Every date from `from` to `to`, inclusive (`YYYY-MM-DD`). */
export function periodDates (from: string, to: string): string[] {
  const out: string[] = []
  const end = day(to).toMillis()
  for (let d = day(from); d.toMillis() <= end; d = d.plus({ days: 1 })) out.push(d.toFormat('yyyy-MM-dd'))
  return out
}

/** ISO week of a date, `2020-W29` (the week-numbering year: 2021-01-03 is in 2020-W53). */
export function isoWeekOf (date: string): string {
  return day(date).toFormat("kkkk-'W'WW")
}

/** ISO weekday of a date: 1 = Monday … 7 = Sunday. */
export function weekdayOf (date: string): number {
  return day(date).weekday
}

/**
 * The majoration of one practitioner: `euros` per honored snp booking, at most `weeklyCap`
 * of them counted in each ISO week.
 */
export function majorationEuros (honoredSnpByWeek: Iterable<number>, euros: number, weeklyCap: number): number {
  let counted = 0
  for (const n of honoredSnpByWeek) counted += Math.min(n, weeklyCap)
  return counted * euros
}

/** The lead-time percentiles the report gives: median and 90th. */
export const LEAD_PERCENTILES = { median: 0.5, p90: 0.9 } as const

/** Nearest-rank percentile (0 < p ≤ 1) of a histogram sorted or not; null when empty. */
export function percentile (rows: readonly LeadRow[], p: number): number | null {
  const sorted = [...rows].filter((r) => r.n > 0).sort((a, b) => a.minutes - b.minutes)
  const total = sorted.reduce((s, r) => s + r.n, 0)
  if (total === 0) return null
  const rank = Math.max(1, Math.ceil(p * total))
  let seen = 0
  for (const r of sorted) {
    seen += r.n
    if (seen >= rank) return r.minutes
  }
  /* c8 ignore next */
  return sorted[sorted.length - 1]!.minutes
}

interface Tally { offered: number, booked: number }

function add (map: Map<string, Tally>, key: string, offered: number, booked: number): void {
  const t = map.get(key)
  if (t === undefined) map.set(key, { offered, booked })
  else { t.offered += offered; t.booked += booked }
}

const byName = (a: { name: string, id: string }, b: { name: string, id: string }): number =>
  a.name.localeCompare(b.name, 'fr') || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

export function buildSeasonReport (input: ReportInput): SeasonReport {
  const { from, to } = input.period
  const { euros, weeklyCap } = input.majoration

  // Days, weeks and the heatmap come from the (date, hour) rows.
  const dates = periodDates(from, to)
  const days = new Map<string, Tally>(dates.map((d) => [d, { offered: 0, booked: 0 }]))
  const calendar = new Map(dates.map((d) => [d, { week: isoWeekOf(d), weekday: weekdayOf(d) }]))
  const weeks = new Map<string, Tally>()
  for (const c of calendar.values()) if (!weeks.has(c.week)) weeks.set(c.week, { offered: 0, booked: 0 })
  const cells = new Map<string, Tally & { weekday: number, hour: number }>()
  for (const r of input.dayHours) {
    const cal = calendar.get(r.date) ?? { week: isoWeekOf(r.date), weekday: weekdayOf(r.date) }
    add(days, r.date, r.offered, r.booked)
    add(weeks, cal.week, r.offered, r.booked)
    const weekday = cal.weekday
    const key = `${weekday}:${r.hour}`
    const c = cells.get(key)
    if (c === undefined) cells.set(key, { weekday, hour: r.hour, offered: r.offered, booked: r.booked })
    else { c.offered += r.offered; c.booked += r.booked }
  }

  // Totals, practitioners, CPTS and kinds come from the (practitioner, CPTS, week, kind) rows.
  const totals = { offered: 0, booked: 0, honored: 0, noShow: 0, withdrawn: 0, withoutTreatingGp: 0 }
  interface Pract { offered: number, booked: number, honored: number, noShow: number, withdrawn: number, snpByWeek: Map<string, number>, slotsByCpts: Map<string, number> }
  const practs = new Map<string, Pract>()
  const cpts = new Map<string, Tally>(input.cpts.map((c) => [c.id, { offered: 0, booked: 0 }]))
  const kinds = new Map<string, Tally>(input.kinds.map((k) => [k, { offered: 0, booked: 0 }]))
  for (const g of input.groups) {
    totals.offered += g.offered
    totals.booked += g.booked
    totals.honored += g.honored
    totals.noShow += g.noShow
    totals.withdrawn += g.withdrawn
    totals.withoutTreatingGp += g.withoutTreatingGp
    let p = practs.get(g.practitionerId)
    if (p === undefined) {
      p = { offered: 0, booked: 0, honored: 0, noShow: 0, withdrawn: 0, snpByWeek: new Map(), slotsByCpts: new Map() }
      practs.set(g.practitionerId, p)
    }
    p.offered += g.offered
    p.booked += g.booked
    p.honored += g.honored
    p.noShow += g.noShow
    p.withdrawn += g.withdrawn
    if (g.kind === 'snp' && g.week !== undefined) p.snpByWeek.set(g.week, (p.snpByWeek.get(g.week) ?? 0) + g.honored)
    p.slotsByCpts.set(g.cptsId, (p.slotsByCpts.get(g.cptsId) ?? 0) + g.offered + g.withdrawn)
    add(cpts, g.cptsId, g.offered, g.booked)
    add(kinds, g.kind, g.offered, g.booked)
  }

  const byPractitioner = [...practs.entries()].map(([id, p]) => {
    const who = input.practitioners.get(id)
    // The CPTS where the practitioner's slots of the period were published (most of them, if
    // they moved; on a tie, the first id, whatever order the rows came in).
    let cptsId = ''
    let most = -1
    for (const [c, n] of p.slotsByCpts) if (n > most || (n === most && c < cptsId)) { cptsId = c; most = n }
    return {
      practitionerId: id,
      rpps: who?.rpps ?? '',
      name: who?.name ?? '',
      cptsId,
      offered: p.offered,
      booked: p.booked,
      honored: p.honored,
      noShow: p.noShow,
      fillRate: rate(p.booked, p.offered),
      majorationEuros: input.majorationCounted !== undefined
        ? (input.majorationCounted.get(id) ?? 0) * euros
        : majorationEuros(p.snpByWeek.values(), euros, weeklyCap),
      withdrawn: p.withdrawn
    }
  }).sort((a, b) => byName({ name: a.name, id: a.practitionerId }, { name: b.name, id: b.practitionerId }))

  const cptsNames = new Map(input.cpts.map((c) => [c.id, c.name]))
  const byCpts = [...cpts.entries()]
    .map(([id, t]) => ({ cptsId: id, name: cptsNames.get(id) ?? '', offered: t.offered, booked: t.booked, fillRate: rate(t.booked, t.offered) }))
    .sort((a, b) => byName({ name: a.name, id: a.cptsId }, { name: b.name, id: b.cptsId }))

  const kindOrder = (k: string): number => { const i = input.kinds.indexOf(k as SlotKind); return i === -1 ? input.kinds.length : i }
  const honoredOrNot = totals.honored + totals.noShow
  const median = percentile(input.lead, LEAD_PERCENTILES.median)
  const p90 = percentile(input.lead, LEAD_PERCENTILES.p90)
  return {
    period: { from, to },
    totals: {
      offered: totals.offered,
      booked: totals.booked,
      honored: totals.honored,
      noShow: totals.noShow,
      withdrawn: totals.withdrawn,
      fillRate: rate(totals.booked, totals.offered),
      honoredRate: rate(totals.honored, honoredOrNot),
      noShowRate: rate(totals.noShow, honoredOrNot),
      withoutTreatingGpShare: rate(totals.withoutTreatingGp, totals.booked),
      unmetDemand: input.unmetDemand,
      majorationEuros: byPractitioner.reduce((s, p) => s + p.majorationEuros, 0)
    },
    byDay: [...days.entries()].filter(([d]) => d >= from && d <= to).sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([date, t]) => ({ date, offered: t.offered, booked: t.booked, fillRate: rate(t.booked, t.offered) })),
    byWeek: [...weeks.entries()].sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([week, t]) => ({ week, offered: t.offered, booked: t.booked, fillRate: rate(t.booked, t.offered) })),
    byPractitioner,
    byCpts,
    byKind: [...kinds.entries()].sort(([a], [b]) => kindOrder(a) - kindOrder(b))
      .map(([kind, t]) => ({ kind: kind as SlotKind, offered: t.offered, booked: t.booked, fillRate: rate(t.booked, t.offered) })),
    heatmap: [...cells.values()].filter((c) => c.offered > 0)
      .sort((a, b) => a.weekday - b.weekday || a.hour - b.hour)
      .map((c) => ({ weekday: c.weekday, hour: c.hour, offered: c.offered, booked: c.booked })),
    leadTime: {
      medianHours: median === null ? null : median / 60,
      p90Hours: p90 === null ? null : p90 / 60,
      count: input.lead.reduce((s, r) => s + r.n, 0)
    },
    expiredHolds: input.expiredHolds,
    unmetDemandWithoutCpts: input.unmetDemandWithoutCpts,
    majoration: { euros, weeklyCap }
  }
}
