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
 * The local columns of a slot starting at `start` in the IANA `zone`. Migration 0003 holds a
 * frozen copy of this computation for the backfill: change both or neither.
 */
export function slotLocalColumns (start: Date | string, zone: string): SlotLocalColumns {
  const dt = (typeof start === 'string' ? DateTime.fromISO(start, { zone: 'utc' }) : DateTime.fromJSDate(start)).setZone(zone)
  if (!dt.isValid) throw new RangeError(`invalid instant or zone: ${String(start)} in ${zone}`)
  return { local_date: dt.toFormat('yyyy-MM-dd'), local_hour: dt.hour, iso_week: dt.toFormat("kkkk-'W'WW") }
}
