import { z } from 'zod'
import { Id, LocalDate } from './common.js'
import { SlotKind } from './slots.js'

/** Longest period a season report covers, in days (byDay lists every one of them). */
export const REPORT_MAX_DAYS = 731

function daysBetween (from: string, to: string): number {
  return Math.round((Date.parse(to + 'T00:00:00Z') - Date.parse(from + 'T00:00:00Z')) / 86_400_000)
}

export const SeasonReportQuery = z.object({
  /** First local date of the period, inclusive. */
  from: LocalDate,
  /** Last local date of the period, inclusive. */
  to: LocalDate,
  /** One CPTS only (a board account attached to a CPTS always gets its own). */
  cptsId: Id.optional(),
  kind: SlotKind.optional()
}).superRefine((q, ctx) => {
  const days = daysBetween(q.from, q.to)
  if (days < 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must not be before from' })
  else if (days + 1 > REPORT_MAX_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `a report covers at most ${REPORT_MAX_DAYS} days` })
})
export type SeasonReportQuery = z.infer<typeof SeasonReportQuery>

/** A ratio, unrounded; null when its denominator is 0. */
const Rate = z.number().nullable()
const Count = z.number().int().nonnegative()

export const SeasonTotals = z.object({
  offered: Count,
  booked: Count,
  honored: Count,
  noShow: Count,
  withdrawn: Count,
  fillRate: Rate,
  honoredRate: Rate,
  noShowRate: Rate,
  withoutTreatingGpShare: Rate,
  unmetDemand: Count,
  majorationEuros: z.number().nonnegative()
})

export const SeasonReport = z.object({
  period: z.object({ from: LocalDate, to: LocalDate }),
  totals: SeasonTotals,
  /** Every date of the period, zeros included. */
  byDay: z.array(z.object({ date: LocalDate, offered: Count, booked: Count, fillRate: Rate })),
  /** Every ISO week the period touches (edge weeks count only their days inside the period). */
  byWeek: z.array(z.object({ week: z.string(), offered: Count, booked: Count, fillRate: Rate })),
  /** Practitioners with at least one slot starting in the period (withdrawn ones included). */
  byPractitioner: z.array(z.object({
    practitionerId: Id,
    rpps: z.string(),
    name: z.string(),
    cptsId: Id,
    offered: Count,
    booked: Count,
    honored: Count,
    noShow: Count,
    fillRate: Rate,
    majorationEuros: z.number().nonnegative(),
    /** Slots of the period withdrawn while free (not in offered). */
    withdrawn: Count
  })),
  /** Every CPTS in scope (one when filtered), zeros included. */
  byCpts: z.array(z.object({ cptsId: Id, name: z.string(), offered: Count, booked: Count, fillRate: Rate })),
  /** Every kind in scope (one when filtered), zeros included. */
  byKind: z.array(z.object({ kind: SlotKind, offered: Count, booked: Count, fillRate: Rate })),
  /** Weekday (1 = Monday … 7 = Sunday) × local hour of the start, only cells with offered > 0. */
  heatmap: z.array(z.object({ weekday: z.number().int().min(1).max(7), hour: z.number().int().min(0).max(23), offered: Count, booked: Count })),
  /**
   * Hours from booking to the slot's start, over booked slots (booked, honored, no_show), to the
   * minute; nearest-rank percentiles; null when nothing was booked.
   */
  leadTime: z.object({ medianHours: z.number().nullable(), p90Hours: z.number().nullable(), count: Count }),
  /**
   * Holds that ended without a booking, on slots starting in the period: `slot.released` events
   * (the hold expired, its regulator released it, or the regulator held another slot).
   */
  expiredHolds: Count,
  /** No-slot calls of the period with no CPTS attached: in totals.unmetDemand only when no cptsId is asked. */
  unmetDemandWithoutCpts: Count,
  /** The settings the majoration was computed with. */
  majoration: z.object({ euros: z.number(), weeklyCap: z.number().int() })
})
export type SeasonReport = z.infer<typeof SeasonReport>

/** Columns of the season import, in the order of the contract's header line. */
export const IMPORT_COLUMNS = ['rpps', 'start', 'end', 'kind', 'mode', 'withdrawn_at', 'booked_at', 'outcome', 'has_treating_gp'] as const

/**
 * Columns a season file may add, anywhere in the header: `place`, one of the practitioner's
 * places by its label (empty: the home place), and `cpts`, the CPTS the slot was offered to,
 * `|`-separated names or FINESS numbers among the practitioner's (empty: the home CPTS).
 */
export const IMPORT_OPTIONAL_COLUMNS = ['place', 'cpts'] as const

export const IMPORT_OUTCOMES = ['booked', 'honored', 'no_show', 'cancelled'] as const

export const SeasonImportResult = z.object({
  slots: Count,
  bookings: Count,
  /** Present (true) on a dry run: the file was checked whole, nothing was written. */
  dryRun: z.literal(true).optional()
})

/** `POST /api/import/season?dryRun=true`: check the file as an import would, write nothing (200). */
export const SeasonImportQuery = z.object({ dryRun: z.enum(['true', 'false']).optional() })
export type SeasonImportResult = z.infer<typeof SeasonImportResult>

export const ImportLineError = z.object({ line: z.number().int().min(1), message: z.string() })

/**
 * A refused import (400): `IMPORT_INVALID` lists every bad line in `errors` (line 1 is the
 * header); a body that is not CSV text at all is a `VALIDATION` error with `details`.
 */
export const ImportRefused = z.object({
  statusCode: z.literal(400),
  error: z.string(),
  code: z.enum(['IMPORT_INVALID', 'VALIDATION']),
  message: z.string(),
  errors: z.array(ImportLineError).optional(),
  details: z.unknown().optional()
})
