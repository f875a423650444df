import { DateTime } from 'luxon'

/** A slot's start read in its CPTS's zone, stored with the slot so that reports group in SQL. */
export interface SlotLocalColumns {
  /** Local date of the start, `YYYY-MM-DD`: the day the slot belongs to. */
  local_date: string
  /** Local hour of the start, 0–23. */
  local_hour: number
  /** ISO week of the local date, `2020-W29`. */
  iso_week: string
}

/**
 * The local columns of a slot starting at `start` in the IANA `zone`, set on every insert (a
 * published slot: slot-writes.ts; an imported one: season-import.ts). Migration 0003 backfilled
 * the slots of its day with a frozen copy of this computation, and migrations never change: a
 * change here needs a new migration that recomputes the stored columns (and the rollups of
 * migration 0012, keyed by them).
 */
export function slotLocalColumns (start: Date | string, zone: string): SlotLocalColumns {
  const dt = (typeof start === 'string' ? DateTime.fromISO(start, { zone: 'utc' }) : DateTime.fromJSDate(start)).setZone(zone)
  if (!dt.isValid) throw new RangeError(`invalid instant or zone: ${String(start)} in ${zone}`)
  return { local_date: dt.toFormat('yyyy-MM-dd'), local_hour: dt.hour, iso_week: dt.toFormat("kkkk-'W'WW") }
}
