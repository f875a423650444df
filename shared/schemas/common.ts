import { z } from 'zod'

/** Opaque identifier. */
export const Id = z.string().min(1).max(100)

/** An instant in ISO 8601 with an offset or `Z` (any offset is accepted). */
export const IsoDateTime = z.iso.datetime({ offset: true, local: false })

/** A calendar date local to the territory, `YYYY-MM-DD`. */
export const LocalDate = z.iso.date()

/** A wall-clock time `HH:mm`. */
export const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:mm')

function isTimeZone (value: string): boolean {
  try {
    // Throws a RangeError for an unknown IANA zone, in Node and in browsers alike.
    new Intl.DateTimeFormat('en', { timeZone: value }).format(0)
    return value.includes('/') || value === 'UTC'
  } catch {
    return false
  }
}

/** An IANA time-zone name such as `Europe/Paris` or `Indian/Reunion`. */
export const TimeZone = z.string().min(1).max(64).refine(isTimeZone, { message: 'unknown IANA time zone' })
