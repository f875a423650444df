/**
 * Helpers of the /praticien page on top of web/lib/format.ts (the shared French date helpers:
 * CPTS time zone, `Intl.DateTimeFormat('fr-FR', {timeZone})`, 24-hour clock, Monday-first weeks),
 * re-exported here so that the page's components import from one place.
 */
import type { BookingStatus, Slot, SlotStatus } from '../../shared/schemas/slots.js'
import { addDays, formatDateShort, formatDay, formatTime, localParts, MODE_FR } from '../lib/format.js'
import { plural } from '../lib/french.js'

export { addDays, formatDay, formatPhone, formatTime, groupBy, localDateOf, localParts, MODE_FR, todayIn, TREATING_GP_FR } from '../lib/format.js'

/** Why the series endpoint leaves a slot out (server/features/slots/slot-times.ts, plus 'overlap'). */
export type SkipReason = 'nonexistent_local_time' | 'in_the_past' | 'too_far_ahead' | 'overlaps_previous' | 'overlap' | 'public_holiday'

/** A public holiday of the practitioner's département (the series answer lists those of its period). */
export interface Holiday { date: string, name: string }

/** POST /api/slots/series's answer; `preview` only with dryRun. */
export interface SeriesAnswer {
  created: Array<{ id: string, start: string, end: string }>
  preview?: Array<{ start: string, end: string }>
  skipped: Array<{ start: string, reason: SkipReason }>
  holidays?: Holiday[]
  /** The series the created slots belong to. */
  seriesId?: string
}

/** '12:00 – 12:15' for a slot, in the zone. */
export const formatRange = (start: string, end: string, zone: string): string => `${formatTime(start, zone)}\u202f–\u202f${formatTime(end, zone)}`

/** 'lun. 13 juil.': inside a week or a list, the year is not repeated. */
export const shortDay = (date: string): string => formatDay(date, { short: true, year: false })

function dateAtNoon (date: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d, 12))
}

/** ISO weekday of a local date: 1 = Monday … 7 = Sunday. */
export function isoWeekday (date: string): number {
  const d = dateAtNoon(date).getUTCDay()
  return d === 0 ? 7 : d
}

/** The Monday of the week of a local date. */
export const mondayOf = (date: string): string => addDays(date, 1 - isoWeekday(date))

/** Whole days from `a` to `b` (local dates). */
export const daysBetween = (a: string, b: string): number => Math.round((dateAtNoon(b).getTime() - dateAtNoon(a).getTime()) / 86_400_000)

/** 'Semaine du lundi 13 juillet'. */
export const weekLabel = (monday: string): string => `Semaine du ${formatDay(monday)}`

/** '02/01/1980 (46 ans)' for a birth date. */
export function formatBirthDate (date: string, today: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number]
  let age = ty - y
  if (tm < m || (tm === m && td < d)) age--
  return `${formatDateShort(date)} (${age} an${age > 1 ? 's' : ''})`
}

/** '88 créneaux' / '1 créneau' / 'aucun créneau'. */
export function slotsCount (n: number): string {
  return n === 0 ? 'aucun créneau' : plural(n, 'créneau', 'créneaux')
}

export const STATUS_FR: Record<SlotStatus, string> = { free: 'libre', held: 'en cours de réservation', booked: 'réservé', withdrawn: 'retiré' }
export const BOOKING_STATUS_FR: Record<BookingStatus, string> = { booked: 'réservé', cancelled: 'annulé', honored: 'honoré', no_show: 'non honoré' }
export const SKIP_FR: Record<SkipReason, string> = {
  nonexistent_local_time: 'heure inexistante (changement d\u2019heure)',
  in_the_past: 'dans le passé',
  too_far_ahead: 'trop loin (plus de 180 jours)',
  overlaps_previous: 'chevauche le créneau précédent de la série (changement d\u2019heure)',
  overlap: 'chevauche un de vos créneaux',
  public_holiday: 'jour férié'
}

/** Weekdays, Monday first, as the series form shows them. */
export const WEEKDAYS: ReadonlyArray<{ n: number, short: string, long: string }> = [
  { n: 1, short: 'lun', long: 'lundi' }, { n: 2, short: 'mar', long: 'mardi' }, { n: 3, short: 'mer', long: 'mercredi' },
  { n: 4, short: 'jeu', long: 'jeudi' }, { n: 5, short: 'ven', long: 'vendredi' }, { n: 6, short: 'sam', long: 'samedi' },
  { n: 7, short: 'dim', long: 'dimanche' }
]

/**
 * Date and time of a skipped slot: the server answers an instant with the zone's offset, or,
 * for a local time that does not exist, the bare wall time 'YYYY-MM-DDTHH:mm'.
 */
export function skippedAt (start: string, zone: string): { date: string, time: string } {
  const wall = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/.exec(start)
  return wall !== null ? { date: wall[1]!, time: wall[2]! } : localParts(start, zone)
}

/** 'Cabinet', or 'Cabinet · Maison de santé du port' for a practitioner with several places. */
export function whereText (slot: Slot, manyPlaces: boolean): string {
  return manyPlaces && slot.mode === 'office' ? `${MODE_FR[slot.mode]} · ${slot.place.label}` : MODE_FR[slot.mode]
}
