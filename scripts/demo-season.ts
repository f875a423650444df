/**
 * The summer 2020 season of the demo, generated deterministically (seeded random numbers):
 * - the CSV of the season import (`POST /api/import/season`): about 20 SNP slots a day across
 *   the GPs (15-minute slots around noon and in the evening, some 30-minute ones, a few video
 *   consultations and home visits), a handful of psy slots booked a few days ahead, a few
 *   slots withdrawn, cancellations, no-shows; the fill rate rises through the season, from a
 *   third in July to every slot in the last week (2020-W37), about 59% overall;
 * - the calls the regulators logged that season without a booking (no slot left, patient sent
 *   back to their own GP, advice, emergency): calls are not part of the CSV.
 */
import { DateTime } from 'luxon'
import { IMPORT_COLUMNS } from '../shared/schemas/reports.js'
import type { CallOutcome, HasTreatingGp, SlotKind, SlotMode } from '../shared/schemas/slots.js'
import { between, pick, rng, shuffle, weighted, type CptsKey, type DemoPractitioner, type Period, type Rng, SEASON } from './demo-data.js'

export interface SeasonSlot {
  rpps: string
  start: DateTime
  end: DateTime
  kind: SlotKind
  mode: SlotMode
  period: Period | 'psy'
  withdrawnAt: DateTime | null
  booking: { bookedAt: DateTime, outcome: 'booked' | 'honored' | 'no_show' | 'cancelled', hasTreatingGp: HasTreatingGp } | null
}

export interface SeasonCall {
  at: Date
  cpts: CptsKey
  communeCode: string
  regulator: 'regulation1' | 'regulation2'
  outcome: CallOutcome
  kind: SlotKind
  hasTreatingGp: HasTreatingGp
}

/**
 * Target fill rate of each ISO week of the season (W29 … W37): it rises as the regulators and
 * patients learn that the slots exist; the last week is full. Weighted by days (7 × 8 + 4),
 * this averages 0.59.
 */
const WEEK_FILL = [0.36, 0.43, 0.48, 0.53, 0.58, 0.63, 0.69, 0.79, 1]
/** SNP slots a day, Monday … Sunday (about 20 on average, plus a few psy slots). */
const DAY_SLOTS = [21, 22, 20, 21, 21, 18, 16]
/** Calls that found no slot, per day, by week: few in July, many once the slots run out. */
const NO_SLOT_PER_DAY = [0.6, 0.8, 1.0, 1.3, 1.6, 2.0, 2.6, 3.5, 5.0]

/** The psychiatrists' weekly slots: [index among psychiatrists, ISO weekday, 'HH:mm', mode]. */
const PSY_WEEK: Array<[number, number, string, SlotMode]> = [
  [0, 2, '14:00', 'office'],
  [0, 5, '10:00', 'video'],
  [1, 3, '16:00', 'office'],
  [1, 4, '09:30', 'video']
]
const PSY_MINUTES = 45

export function seasonDates (): string[] {
  const out: string[] = []
  for (let d = DateTime.fromISO(SEASON.from, { zone: 'utc' }); d.toISODate()! <= SEASON.to; d = d.plus({ days: 1 })) out.push(d.toISODate()!)
  return out
}

function at (date: string, time: string, zone: string): DateTime {
  return DateTime.fromISO(`${date}T${time}`, { zone })
}

function iso (d: DateTime): string {
  return d.toISO({ suppressMilliseconds: true }) ?? ''
}

/** Minutes to a wall time in [fromHour, toHour) of the same day, rounded to 5 minutes. */
function localTimeBetween (r: Rng, day: DateTime, fromHour: number, toHour: number): DateTime {
  const minutes = Math.floor(r() * (toHour - fromHour) * 12) * 5
  return day.startOf('day').plus({ hours: fromHour, minutes })
}

function treatingGp (r: Rng): HasTreatingGp {
  return (['yes', 'no', 'unknown'] as const)[weighted(r, [58, 30, 12])]!
}

/** When a slot was booked: SNP the same morning (sometimes the evening before), psy days ahead. */
function bookedAt (r: Rng, s: SeasonSlot): DateTime {
  if (s.kind === 'psy') return localTimeBetween(r, s.start.minus({ days: between(r, 1, 6) }), 9, 17)
  if (r() < 0.15) return localTimeBetween(r, s.start.minus({ days: 1 }), 17, 20)
  const earliest = s.start.startOf('day').plus({ hours: 8 })
  const span = Math.max(1, Math.floor(s.start.diff(earliest, 'minutes').minutes / 5) - 3)
  return earliest.plus({ minutes: 5 * Math.floor(r() * span) })
}

/** Index of each slot chosen by weighted sampling without replacement (Efraimidis–Spirakis). */
function chooseWeighted (r: Rng, weights: readonly number[], k: number): Set<number> {
  const keyed = weights.map((w, i) => ({ i, key: Math.pow(r(), 1 / w) }))
  keyed.sort((a, b) => b.key - a.key)
  return new Set(keyed.slice(0, k).map((x) => x.i))
}

/** The season's slots, in their final state, deterministic. */
export function seasonSlots (practitioners: readonly DemoPractitioner[], zone: string): SeasonSlot[] {
  const gps = practitioners.filter((p) => p.profession === 'gp')
  const psys = practitioners.filter((p) => p.profession === 'psychiatrist')
  const all: SeasonSlot[] = []
  seasonDates().forEach((date, dayIndex) => {
    const r = rng(`season:${date}`)
    const day = at(date, '00:00', zone)
    const week = Math.floor(dayIndex / 7)
    const slots: SeasonSlot[] = []

    // GPs: blocks of 1 to 3 slots, one block per GP and day, until the day's target is reached.
    const target = DAY_SLOTS[day.weekday - 1]! + between(r, -1, 1)
    let n = 0
    for (const gp of shuffle(r, gps)) {
      if (n >= target) break
      const size = Math.min(target - n, 1 + weighted(r, [30, 50, 20]))
      const h = gp.habit
      const period: Period = r() < 0.15 ? (h.period === 'noon' ? 'evening' : 'noon') : h.period
      const minutes = h.slotMinutes
      const mode: SlotMode = minutes === 30 && r() < 0.3 ? 'home' : r() < h.video ? 'video' : 'office'
      let start = at(date, period === 'noon' ? h.noon : h.evening, zone)
      for (let i = 0; i < size; i++) {
        slots.push({ rpps: gp.rpps, start, end: start.plus({ minutes }), kind: 'snp', mode, period, withdrawnAt: null, booking: null })
        start = start.plus({ minutes })
      }
      n += size
      // Now and then one more slot, withdrawn by its GP a day or two before (an unforeseen absence).
      if (r() < 0.05) {
        const withdrawnAt = localTimeBetween(r, start.minus({ days: between(r, 1, 2) }), 8, 20)
        slots.push({ rpps: gp.rpps, start, end: start.plus({ minutes }), kind: 'snp', mode, period, withdrawnAt, booking: null })
      }
    }
    // Psychiatrists: their weekly slots, but the second one takes two weeks off in August.
    for (const [who, weekday, time, mode] of PSY_WEEK) {
      const p = psys[who]
      if (p === undefined || day.weekday !== weekday || (who === 1 && (week === 3 || week === 4))) continue
      const start = at(date, time, zone)
      slots.push({ rpps: p.rpps, start, end: start.plus({ minutes: PSY_MINUTES }), kind: 'psy', mode, period: 'psy', withdrawnAt: null, booking: null })
    }

    // Bookings: the day's share of offered slots, noon and psy slots first, the last week full.
    const offered = slots.filter((s) => s.withdrawnAt === null)
    const last = week === WEEK_FILL.length - 1
    const rate = last ? 1 : Math.min(0.97, Math.max(0.1, WEEK_FILL[week]! + ((day.weekday - 4) * 0.008) + (r() - 0.5) * 0.08))
    const weights = offered.map((s) => s.period === 'psy' ? 1.6 : s.period === 'noon' ? 1.3 : 1)
    const chosen = chooseWeighted(r, weights, Math.round(rate * offered.length))
    offered.forEach((s, i) => {
      if (chosen.has(i)) {
        const outcome = (['honored', 'no_show', 'booked'] as const)[weighted(r, [92, 5.5, 2.5])]!
        s.booking = { bookedAt: bookedAt(r, s), outcome, hasTreatingGp: treatingGp(r) }
      } else if (!last && r() < 0.06) {
        // Booked, then cancelled (the patient found another doctor, or got better): free again.
        s.booking = { bookedAt: bookedAt(r, s), outcome: 'cancelled', hasTreatingGp: treatingGp(r) }
      }
    })
    all.push(...slots)
  })
  return all
}

/** The import file (contract "Season import"), one line a slot, times with the zone's offset. */
export function seasonCsv (slots: readonly SeasonSlot[]): string {
  const lines = [IMPORT_COLUMNS.join(',')]
  for (const s of slots) {
    const b = s.booking
    const row: Record<(typeof IMPORT_COLUMNS)[number], string> = {
      rpps: s.rpps,
      start: iso(s.start),
      end: iso(s.end),
      kind: s.kind,
      mode: s.mode,
      withdrawn_at: s.withdrawnAt === null ? '' : iso(s.withdrawnAt),
      booked_at: b === null ? '' : iso(b.bookedAt),
      outcome: b?.outcome ?? '',
      has_treating_gp: b?.hasTreatingGp ?? ''
    }
    lines.push(IMPORT_COLUMNS.map((c) => row[c]).join(','))
  }
  return lines.join('\n') + '\n'
}

/**
 * The calls of the season that ended without a booking: no slot left (the unmet demand,
 * growing as the slots fill up), sent back to the treating GP, advice, emergency.
 * `communes` lists the INSEE codes of each CPTS's communes (where the patients call from).
 */
export function seasonCalls (zone: string, communes: Record<CptsKey, readonly string[]>): SeasonCall[] {
  const calls: SeasonCall[] = []
  seasonDates().forEach((date, dayIndex) => {
    const r = rng(`calls:${date}`)
    const week = Math.floor(dayIndex / 7)
    const day = at(date, '00:00', zone)
    const counts: Array<[CallOutcome, number]> = [
      ['no_slot', Math.floor(NO_SLOT_PER_DAY[week]! + r())],
      ['redirected_treating_gp', between(r, 2, 6)],
      ['advice', between(r, 0, 2)],
      ['emergency', r() < 0.3 ? 1 : 0]
    ]
    for (const [outcome, count] of counts) {
      for (let i = 0; i < count; i++) {
        const cpts: CptsKey = r() < 16 / 25 ? 'lumiere' : 'monts'
        const kind: SlotKind = outcome === 'no_slot' && r() < 0.1 ? 'psy' : 'snp'
        const hasTreatingGp: HasTreatingGp = outcome === 'redirected_treating_gp' ? 'yes' : outcome === 'no_slot' ? (['yes', 'no', 'unknown'] as const)[weighted(r, [45, 40, 15])]! : treatingGp(r)
        calls.push({
          at: localTimeBetween(r, day, 8, 20).plus({ minutes: between(r, 0, 4) }).toJSDate(),
          cpts,
          communeCode: pick(r, communes[cpts]),
          regulator: r() < 0.5 ? 'regulation1' : 'regulation2',
          outcome,
          kind,
          hasTreatingGp
        })
      }
    }
  })
  return calls.sort((a, b) => a.at.getTime() - b.at.getTime())
}
