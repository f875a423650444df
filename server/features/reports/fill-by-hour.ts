/**
 * Fill rate by the hour: the season report's slots by local start date and hour, and what
 * they add up to (days, ISO weeks, and the weekday × hour heatmap). What counts: a slot is
 * offered unless withdrawn, booked when its status is `booked` (a cancelled booking leaves it
 * free), and belongs to the local date and hour of its start in its CPTS's zone. The fill
 * rate is booked ÷ offered (`rate`). The rows come from the rollup report_day_hours
 * (migration 0012) instance-wide, from the slots themselves for one CPTS; the board page only
 * colours the heatmap's cells (web/components/bilan-heatmap.tsx).
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { SeasonReport } from '../../../shared/schemas/reports.js'
import { slotsInScope, type ReportScope } from './report-common.js'
import { isoWeekOf, periodDates, weekdayOf } from './report-dates.js'

type Db = Kysely<Database>

/** Slots of one local date and local start hour. */
export interface DayHourRow { date: string, hour: number, offered: number, booked: number }

/** With the holds that ran out on them. */
export type DayHourRowReleased = DayHourRow & { released: number }

/** n / d, unrounded; null when d is 0. The fill rate is rate(booked, offered). */
export function rate (n: number, d: number): number | null {
  return d === 0 ? null : n / d
}

const toDayHourRow = (r: { local_date: string, local_hour: number | string, offered: number | string, booked: number | string, released: number | string }): DayHourRowReleased =>
  ({ date: r.local_date, hour: Number(r.local_hour), offered: Number(r.offered), booked: Number(r.booked), released: Number(r.released) })

/** The (date, hour) rows of the slots themselves (one CPTS; and the reference the rollup is tested against). */
export async function dayHourRowsFromSlots (db: Db, s: ReportScope): Promise<DayHourRowReleased[]> {
  const rows = await slotsInScope(db, s)
    .select((eb) => [
      'slots.local_date', 'slots.local_hour',
      eb.fn.countAll<number>().filterWhere('slots.status', '!=', 'withdrawn').as('offered'),
      eb.fn.countAll<number>().filterWhere('slots.status', '=', 'booked').as('booked'),
      eb.fn.sum<number>('slots.released_holds').as('released')
    ])
    .groupBy(['slots.local_date', 'slots.local_hour'])
    .execute()
  return rows.map(toDayHourRow)
}

/** The (date, hour) rows of the period: from the rollup instance-wide, from the slots for one CPTS. */
export async function dayHourRows (db: Db, s: ReportScope): Promise<DayHourRowReleased[]> {
  if (s.cptsId !== undefined) return await dayHourRowsFromSlots(db, s)
  let q = db.selectFrom('report_day_hours').where('local_date', '>=', s.from).where('local_date', '<=', s.to)
  if (s.kind !== undefined) q = q.where('kind', '=', s.kind)
  const rows = await q
    .select((eb) => [
      'local_date', 'local_hour',
      eb.fn.sum<number>(eb('total', '-', eb.ref('withdrawn'))).as('offered'),
      eb.fn.sum<number>('booked').as('booked'),
      eb.fn.sum<number>('released').as('released')
    ])
    .groupBy(['local_date', 'local_hour'])
    .having((eb) => eb.fn.sum('total'), '>', 0)
    .execute()
  return rows.map(toDayHourRow)
}

interface Tally { offered: number, booked: number }

function add (map: Map<string, Tally>, key: string, offered: number, booked: number): void {
  const t = map.get(key)
  if (t === undefined) map.set(key, { offered, booked })
  else { t.offered += offered; t.booked += booked }
}

/** Days (every date of the period, empty ones too), ISO weeks and the heatmap, from the (date, hour) rows. */
export function fillByTime (dayHours: readonly DayHourRow[], period: { from: string, to: string }): Pick<SeasonReport, 'byDay' | 'byWeek' | 'heatmap'> {
  const { from, to } = period
  const dates = periodDates(from, to)
  const days = new Map<string, Tally>(dates.map((d) => [d, { offered: 0, booked: 0 }]))
  const calendar = new Map(dates.map((d) => [d, { week: isoWeekOf(d), weekday: weekdayOf(d) }]))
  const weeks = new Map<string, Tally>()
  for (const c of calendar.values()) if (!weeks.has(c.week)) weeks.set(c.week, { offered: 0, booked: 0 })
  const cells = new Map<string, Tally & { weekday: number, hour: number }>()
  for (const r of dayHours) {
    const cal = calendar.get(r.date) ?? { week: isoWeekOf(r.date), weekday: weekdayOf(r.date) }
    add(days, r.date, r.offered, r.booked)
    add(weeks, cal.week, r.offered, r.booked)
    const weekday = cal.weekday
    const key = `${weekday}:${r.hour}`
    const c = cells.get(key)
    if (c === undefined) cells.set(key, { weekday, hour: r.hour, offered: r.offered, booked: r.booked })
    else { c.offered += r.offered; c.booked += r.booked }
  }
  return {
    byDay: [...days.entries()].filter(([d]) => d >= from && d <= to).sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([date, t]) => ({ date, offered: t.offered, booked: t.booked, fillRate: rate(t.booked, t.offered) })),
    byWeek: [...weeks.entries()].sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([week, t]) => ({ week, offered: t.offered, booked: t.booked, fillRate: rate(t.booked, t.offered) })),
    heatmap: [...cells.values()].filter((c) => c.offered > 0)
      .sort((a, b) => a.weekday - b.weekday || a.hour - b.hour)
      .map((c) => ({ weekday: c.weekday, hour: c.hour, offered: c.offered, booked: c.booked }))
  }
}
