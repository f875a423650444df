import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { SlotStatus } from '../../../shared/schemas/slots.js'

/**
 * The overlap rule: a practitioner never has two slots at once. In one place, for publishing
 * (one slot, a series) and the season import (within the file, against the calendar):
 * - slots are half-open intervals [start, end): one ending at 10:00 and one starting at 10:00
 *   do not overlap;
 * - only the same practitioner's slots count (two practitioners may offer the same hour);
 * - every status counts but `withdrawn` (free, held, booked: a withdrawn slot gives its time back).
 * Times are compared as numbers (milliseconds) or as UTC ISO strings (`toISOString()`, which
 * sort as the instants they name).
 */

/** The one status whose slots take no time. */
export const FREES_ITS_TIME = 'withdrawn' as const

/** Whether a slot of this status takes its time. */
export const takesTime = (status: SlotStatus): boolean => status !== FREES_ITS_TIME

/** Whether [a.start, a.end) and [b.start, b.end) share an instant. */
export function overlaps<T extends number | string> (a: { start: T, end: T }, b: { start: T, end: T }): boolean {
  return a.start < b.end && b.start < a.end
}

/** The slots of these practitioners that take time and overlap [startIso, endIso), for callers to select from. */
export function overlappingSlots (db: Kysely<Database>, practitionerIds: readonly string[], startIso: string, endIso: string) {
  return db.selectFrom('slots')
    .where('practitioner_id', 'in', [...practitionerIds])
    .where('status', '!=', FREES_ITS_TIME)
    .where('start_at', '<', endIso)
    .where('end_at', '>', startIso)
}
