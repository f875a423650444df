/**
 * The board's slot calendar: the dates that hold slots, and the runs they form (the seasons the
 * data holds), so that the page offers periods that have slots instead of fixed June–September
 * seasons. One GROUP BY on a rollup's local date; no patient column is read.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { SlotCalendar } from '../../../shared/schemas/board.js'
import type { SlotKind } from '../../../shared/schemas/slots.js'
import { practitionerDays } from './report-common.js'

/** Two dates with slots further apart than this start another span. */
export const SPAN_GAP_DAYS = 30

const dayNumber = (date: string): number => Math.round(Date.parse(date + 'T00:00:00Z') / 86_400_000)

/** Runs of dates (sorted) with no gap longer than `gapDays` days. */
export function spansOf (days: ReadonlyArray<{ date: string, offered: number }>, gapDays = SPAN_GAP_DAYS): SlotCalendar['spans'] {
  const spans: SlotCalendar['spans'] = []
  let last: number | null = null
  for (const d of days) {
    const n = dayNumber(d.date)
    const current = spans[spans.length - 1]
    if (current === undefined || last === null || n - last > gapDays) {
      spans.push({ from: d.date, to: d.date, offered: d.offered, days: 1 })
    } else {
      current.to = d.date
      current.offered += d.offered
      current.days++
    }
    last = n
  }
  return spans
}

/**
 * From the rollups: the day-hour one (0012) for the instance; for one CPTS the practitioner-day
 * one and the offer-day one (0020), by their (cpts_id, local_date) indexes, so that the slots
 * offered to it besides their own CPTS count (report-common.ts `practitionerDays`). A date
 * counts when it holds a slot that is not withdrawn.
 */
export async function slotCalendar (db: Kysely<Database>, scope: { cptsId?: string | undefined, kind?: SlotKind | undefined }): Promise<SlotCalendar> {
  const { cptsId, kind } = scope
  let rows: Array<{ local_date: string, n: number }>
  if (cptsId === undefined) {
    let q = db.selectFrom('report_day_hours')
    if (kind !== undefined) q = q.where('kind', '=', kind)
    rows = await q.select((eb) => ['local_date', eb.fn.sum<number>(eb('total', '-', eb.ref('withdrawn'))).as('n')])
      .groupBy('local_date').having((eb) => eb.fn.sum(eb('total', '-', eb.ref('withdrawn'))), '>', 0).orderBy('local_date').execute()
  } else {
    rows = await practitionerDays(db, { cptsId, kind })
      .select((eb) => ['d.local_date', eb.fn.sum<number>(eb('d.total', '-', eb.ref('d.withdrawn'))).as('n')])
      .groupBy('d.local_date').having((eb) => eb.fn.sum(eb('d.total', '-', eb.ref('d.withdrawn'))), '>', 0).orderBy('d.local_date').execute()
  }
  const days = rows.map((r) => ({ date: r.local_date, offered: Number(r.n) }))
  return { days, spans: spansOf(days), gapDays: SPAN_GAP_DAYS }
}
