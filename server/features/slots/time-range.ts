import type { Kysely } from 'kysely'
import { DateTime } from 'luxon'
import type { Database } from '../../../db/types.js'
import { DEFAULT_ZONE, zoneFor } from '../cpts/cpts-repository.js'

/**
 * Turns `from`/`to` (instants, or local dates with `to` inclusive) into UTC ISO bounds.
 * Without `from`: now (slots not yet ended), or 30 days back for bookings (outcomes to record).
 */
export async function resolveRange (db: Kysely<Database>, q: { from?: string | undefined, to?: string | undefined }, now: Date, cptsId: string | undefined, bookings = false):
Promise<{ from: string, to: string | undefined }> {
  const isDate = (v: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(v)
  const needZone = (q.from !== undefined && isDate(q.from)) || (q.to !== undefined && isDate(q.to))
  const zone = needZone ? await zoneFor(db, cptsId) : DEFAULT_ZONE
  const at = (v: string, nextDay: boolean): string => isDate(v)
    ? DateTime.fromISO(v, { zone }).plus({ days: nextDay ? 1 : 0 }).toUTC().toISO() ?? v
    : new Date(v).toISOString()
  const from = q.from !== undefined ? at(q.from, false) : new Date(now.getTime() - (bookings ? 30 * 86_400_000 : 0)).toISOString()
  return { from, to: q.to !== undefined ? at(q.to, true) : undefined }
}
