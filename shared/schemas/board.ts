import { z } from 'zod'
import { Id, LocalDate } from './common.js'
import { CALL_OUTCOMES, SlotKind } from './slots.js'

/** The slot calendar of the board's scope: which dates hold slots, for presets that follow the data. */
export const SlotCalendarQuery = z.object({ cptsId: Id.optional(), kind: SlotKind.optional() })

const Count = z.number().int().nonnegative()

export const SlotCalendar = z.object({
  /** Every local date with at least one slot offered (withdrawn-while-free ones not counted), in order. */
  days: z.array(z.object({ date: LocalDate, offered: Count })),
  /**
   * Runs of those dates with no gap longer than `gapDays` between two of them: the seasons the
   * data actually holds, newest last.
   */
  spans: z.array(z.object({ from: LocalDate, to: LocalDate, offered: Count, days: Count })),
  gapDays: z.number().int().positive()
})
export type SlotCalendar = z.infer<typeof SlotCalendar>

/** Calls of a period, by how they ended: one count per outcome (zeros included). */
const ByOutcome = z.object(Object.fromEntries(CALL_OUTCOMES.map((o) => [o, Count])) as Record<(typeof CALL_OUTCOMES)[number], typeof Count>)
export type ByOutcome = z.infer<typeof ByOutcome>

export const CallsReport = z.object({
  period: z.object({ from: LocalDate, to: LocalDate }),
  /** Every call of the scope; `byOutcome.no_slot` equals the season report's `totals.unmetDemand`. */
  totals: z.object({ calls: Count, byOutcome: ByOutcome }),
  /** The patient's commune (INSEE code; null when the regulator did not note it), most no-slot calls first. */
  byCommune: z.array(z.object({
    communeCode: z.string().nullable(), name: z.string().nullable(), departement: z.string().nullable(),
    calls: Count, noSlot: Count, byOutcome: ByOutcome
  })),
  /** Every date of the period, zeros included (local date of the call). */
  byDay: z.array(z.object({ date: LocalDate, calls: Count, noSlot: Count, byOutcome: ByOutcome })),
  /** Local hour of the call, 0–23, every hour. */
  byHour: z.array(z.object({ hour: z.number().int().min(0).max(23), calls: Count, noSlot: Count, byOutcome: ByOutcome }))
})
export type CallsReport = z.infer<typeof CallsReport>
