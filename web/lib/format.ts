/**
 * French date, time and label helpers shared by the pages. Every instant is shown in the time
 * zone of its territory (the CPTS's `timezone` from GET /api/cpts), never the browser's:
 * `Intl.DateTimeFormat('fr-FR', {timeZone})`, 24-hour clock, weeks from Monday.
 * Local dates are 'YYYY-MM-DD' strings, as in the API.
 */
import type { Profession } from '../../shared/schemas/accounts.js'
import type { CallOutcome, HasTreatingGp, SlotKind, SlotMode } from '../../shared/schemas/slots.js'

/** The zone used until the territories are loaded, and for a CPTS without one. */
export const DEFAULT_ZONE = 'Europe/Paris'

const cache = new Map<string, Intl.DateTimeFormat>()
function fmt (key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = cache.get(key)
  if (f === undefined) { f = make(); cache.set(key, f) }
  return f
}

const pad = (n: number): string => String(n).padStart(2, '0')
const toDate = (instant: string | Date | number): Date => instant instanceof Date ? instant : new Date(instant)

/** Calendar date ('YYYY-MM-DD') and wall time ('HH:mm') of an instant in the zone. */
export function localParts (instant: string | Date | number, zone: string): { date: string, time: string } {
  const f = fmt('parts|' + zone, () => new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23'
  }))
  const p: Record<string, string> = {}
  for (const part of f.formatToParts(toDate(instant))) p[part.type] = part.value
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` }
}

/** The local date of an instant in the zone, 'YYYY-MM-DD'. */
export const localDateOf = (instant: string | Date | number, zone: string): string => localParts(instant, zone).date

/** Today in the zone, 'YYYY-MM-DD'. */
export const todayIn = (zone: string, now: Date | number = Date.now()): string => localDateOf(now, zone)

/** '12:00' (24-hour clock) for an instant, in the zone. */
export function formatTime (instant: string | Date | number, zone: string): string {
  return fmt('time|' + zone, () => new Intl.DateTimeFormat('fr-FR', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }))
    .format(toDate(instant))
}

// A local date is read at noon UTC and formatted in UTC: the weekday and day are those of the
// calendar date itself, whatever the browser's zone.
function dateAtNoon (date: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d, 12))
}

/**
 * 'lundi 13 juillet' ('mercredi 1er juillet'); the year is added when asked, or when it is not
 * the current one; `short` gives 'lun. 13 juil.'.
 */
export function formatDay (date: string, opts: { short?: boolean, year?: boolean } = {}): string {
  const withYear = opts.year ?? date.slice(0, 4) !== String(new Date().getFullYear())
  const key = `day|${opts.short === true ? 's' : 'l'}|${withYear ? 'y' : ''}`
  const f = fmt(key, () => new Intl.DateTimeFormat('fr-FR', {
    timeZone: 'UTC', weekday: opts.short === true ? 'short' : 'long', day: 'numeric', month: opts.short === true ? 'short' : 'long', ...(withYear ? { year: 'numeric' } : {})
  }))
  return f.formatToParts(dateAtNoon(date)).map((p) => p.type === 'day' && p.value === '1' ? '1er' : p.value).join('')
}

/** The day of an instant in the zone, 'lundi 13 juillet'. */
export const formatDayOf = (instant: string | Date | number, zone: string, opts: { short?: boolean, year?: boolean } = {}): string =>
  formatDay(localDateOf(instant, zone), opts)

/** 'lundi 13 juillet 12:00' for an instant, in the zone. */
export const formatDayTime = (instant: string | Date | number, zone: string): string =>
  `${formatDayOf(instant, zone)} ${formatTime(instant, zone)}`

/** The local date `days` after (or before) `date`. */
export function addDays (date: string, days: number): string {
  const d = dateAtNoon(date)
  d.setUTCDate(d.getUTCDate() + days)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
}

/** 'aujourd’hui' / 'demain' for a local date relative to today, else null. */
export function relativeDay (date: string, today: string): string | null {
  if (date === today) return 'aujourd\u2019hui'
  if (date === addDays(today, 1)) return 'demain'
  return null
}

/** '15 min', '1 h', '1 h 30' between two instants. */
export function formatDuration (start: string | Date | number, end: string | Date | number): string {
  const minutes = Math.round((toDate(end).getTime() - toDate(start).getTime()) / 60_000)
  if (minutes < 60) return `${minutes} min`
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  return m === 0 ? `${h} h` : `${h} h ${pad(m)}`
}

/** 'mm:ss' left until an instant (00:00 once passed), whole seconds rounded down. */
export function formatCountdown (until: string | Date | number, now: number = Date.now()): string {
  const s = secondsLeft(until, now)
  return `${pad(Math.floor(s / 60))}:${pad(s % 60)}`
}

/** Whole seconds left until an instant, rounded down (0 in its last second and once passed). */
export function secondsLeft (until: string | Date | number, now: number = Date.now()): number {
  return Math.max(0, Math.floor((toDate(until).getTime() - now) / 1000))
}

/** '02 51 58 00 00' for a French number typed any way. */
export function formatPhone (phone: string): string {
  const digits = phone.replace(/[\s.-]/g, '')
  return /^0\d{9}$/.test(digits) ? digits.replace(/(\d{2})(?=\d)/g, '$1 ') : phone
}

/**
 * A birth date typed as 'JJ/MM/AAAA', 'JJMMAAAA', 'JJ-MM-AAAA', 'JJ.MM.AAAA' or 'AAAA-MM-JJ'
 * to 'YYYY-MM-DD'; anything else is returned trimmed, for the schema to refuse.
 */
export function parseFrenchDate (text: string): string {
  const t = text.trim()
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return t
  const m = /^(\d{1,2})[/.\s-](\d{1,2})[/.\s-](\d{4})$/.exec(t) ?? /^(\d{2})(\d{2})(\d{4})$/.exec(t)
  if (m === null) return t
  return `${m[3]}-${pad(Number(m[2]))}-${pad(Number(m[1]))}`
}

/** '13/07/1980' for a 'YYYY-MM-DD' date. */
export function formatDateShort (date: string): string {
  const [y, m, d] = date.split('-')
  return `${d}/${m}/${y}`
}

/** 'Dr Marie Durand' unless the name already carries the title. */
export function doctorName (name: string): string {
  return /^(dr\.?|docteure?|pr\.?|professeure?)\s/i.test(name.trim()) ? name.trim() : `Dr ${name.trim()}`
}

/** Folds case and accents, for matching what a user types against names. */
export const fold = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim()

/** Groups items by a key, keeping the order of first appearance. */
export function groupBy<T> (items: readonly T[], key: (item: T) => string): Array<[string, T[]]> {
  const out = new Map<string, T[]>()
  for (const it of items) {
    const k = key(it)
    const list = out.get(k)
    if (list === undefined) out.set(k, [it]); else list.push(it)
  }
  return [...out.entries()]
}

/** The regulation's phone number, with a no-break space: it never wraps. */
export const SAS_NUMBER = '116\u00a0117'

export const MODE_FR: Record<SlotMode, string> = { office: 'Cabinet', video: 'Téléconsultation', home: 'Visite à domicile' }
export const KIND_FR: Record<SlotKind, string> = { snp: 'SNP', psy: 'Psy' }
export const KIND_LONG_FR: Record<SlotKind, string> = { snp: 'Soins non programmés', psy: 'Consultation psychiatrique rapide' }
export const PROFESSION_FR: Record<Profession, string> = { gp: 'Médecin généraliste', psychiatrist: 'Psychiatre' }
export const TREATING_GP_FR: Record<HasTreatingGp, string> = { yes: 'oui', no: 'non', unknown: 'ne sait pas' }
export const CALL_OUTCOME_FR: Record<CallOutcome, string> = {
  booked: 'Créneau réservé',
  redirected_treating_gp: 'Réorienté vers le médecin traitant',
  emergency: 'Urgence — 15',
  advice: 'Conseil',
  no_slot: 'Aucun créneau disponible',
  other: 'Autre'
}
