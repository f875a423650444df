/**
 * The season report's arithmetic, with no HTTP: the readers hand over rows already grouped in
 * SQL (from the rollups, report-repository.ts, or from the slots, report-from-slots.ts), this
 * module turns them into the contract's answer (totals, practitioners, CPTS, kinds, lead-time
 * percentiles; days, weeks and the heatmap in fill-by-hour.ts, the majoration in majoration.ts),
 * all read in one snapshot (`seasonReportOf`).
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { SeasonReport } from '../../../shared/schemas/reports.js'
import { SLOT_KINDS, type SlotKind } from '../../../shared/schemas/slots.js'
import { fillByTime, rate, type DayHourRow, type DayHourRowReleased } from './fill-by-hour.js'
import { majorationEuros } from './majoration.js'
import { cptsInScope, noSlotCalls, practitionerNames, type ReportScope } from './report-common.js'

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

/** A GroupRow from the columns both readers select (`total` counts withdrawn slots too). */
export function toGroupRow (r: { practitioner_id: string, cpts_id: string, kind: SlotKind, iso_week?: string, total: number | string, withdrawn: number | string, booked: number | string, honored: number | string, no_show: number | string, without_gp: number | string }): GroupRow {
  return {
    practitionerId: r.practitioner_id,
    cptsId: r.cpts_id,
    ...(r.iso_week === undefined ? {} : { week: r.iso_week }),
    kind: r.kind,
    offered: Number(r.total) - Number(r.withdrawn),
    booked: Number(r.booked),
    withdrawn: Number(r.withdrawn),
    honored: Number(r.honored),
    noShow: Number(r.no_show),
    withoutTreatingGp: Number(r.without_gp)
  }
}

/** Slots offered to a CPTS besides their own CPTS (slot_offers), withdrawn ones apart. */
export interface OfferRow { cptsId: string, offered: number, booked: number }

export function toOfferRow (r: { cpts_id: string, total: number | string, withdrawn: number | string, booked: number | string }): OfferRow {
  return { cptsId: r.cpts_id, offered: Number(r.total) - Number(r.withdrawn), booked: Number(r.booked) }
}

/** How many booked slots had this lead time, in whole minutes from booking to start. */
export interface LeadRow { minutes: number, n: number }

export interface ReportInput {
  period: { from: string, to: string }
  dayHours: DayHourRow[]
  groups: GroupRow[]
  /**
   * The territory's slots offered to a CPTS besides their own: they count in that CPTS's line
   * (byCpts) only, so that each CPTS sees every slot offered to it while the totals count each
   * slot once (the CPTS lines may then add up to more). None for one CPTS: its groups hold them.
   */
  extraOffers: readonly OfferRow[]
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
  const time = fillByTime(input.dayHours, input.period)

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

  for (const o of input.extraOffers) if (cpts.has(o.cptsId)) add(cpts, o.cptsId, o.offered, o.booked)
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
    ...time,
    byPractitioner,
    byCpts,
    byKind: [...kinds.entries()].sort(([a], [b]) => kindOrder(a) - kindOrder(b))
      .map(([kind, t]) => ({ kind: kind as SlotKind, offered: t.offered, booked: t.booked, fillRate: rate(t.booked, t.offered) })),
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

/** How the report reads its slot figures: from the rollups (the report) or from the slots (its reference). */
export interface SlotFigures {
  dayHours: (db: Kysely<Database>, s: ReportScope) => Promise<DayHourRowReleased[]>
  groups: (db: Kysely<Database>, s: ReportScope) => Promise<GroupRow[]>
  /** The territory's extra offers by CPTS (`ReportInput.extraOffers`); not asked for one CPTS. */
  offers: (db: Kysely<Database>, s: ReportScope) => Promise<OfferRow[]>
  lead: (db: Kysely<Database>, s: ReportScope) => Promise<LeadRow[]>
  /** Counted in SQL when given; else from the groups' weeks (majorationEuros). */
  majorationCounted?: (db: Kysely<Database>, s: ReportScope, weeklyCap: number) => Promise<ReadonlyMap<string, number>>
}

/**
 * The whole report, read in one snapshot: every part of the answer counts the same slots,
 * even when a booking lands while it is computed, and no writer waits for it.
 */
export async function seasonReportOf (db: Kysely<Database>, s: ReportScope, majoration: { euros: number, weeklyCap: number }, read: SlotFigures): Promise<SeasonReport> {
  return await db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(async (trx) => {
    const dayHours = await read.dayHours(trx, s)
    const calls = await noSlotCalls(trx, s)
    const groups = await read.groups(trx, s)
    const extraOffers = s.cptsId === undefined ? await read.offers(trx, s) : []
    const majorationCounted = read.majorationCounted === undefined ? undefined : await read.majorationCounted(trx, s, majoration.weeklyCap)
    return buildSeasonReport({
      period: { from: s.from, to: s.to },
      dayHours,
      groups,
      extraOffers,
      ...(majorationCounted === undefined ? {} : { majorationCounted }),
      practitioners: await practitionerNames(trx),
      cpts: await cptsInScope(trx, s.cptsId),
      kinds: s.kind !== undefined ? [s.kind] : [...SLOT_KINDS],
      unmetDemand: calls.count,
      unmetDemandWithoutCpts: calls.withoutCpts,
      lead: await read.lead(trx, s),
      expiredHolds: dayHours.reduce((n, r) => n + r.released, 0),
      majoration
    })
  })
}
