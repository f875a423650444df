/**
 * French public holidays (jours fériés, Code du travail L3133-1) and those of a territory:
 * Good Friday and 26 December in Alsace-Moselle (départements 57, 67, 68), the abolition of
 * slavery in the overseas départements. Pure: a year and a département in, local dates out.
 * @example publicHolidays(2026, '67').map((h) => h.date) // [..., '2026-04-03', ..., '2026-12-26']
 */
import { DateTime } from 'luxon'

export interface PublicHoliday {
  /** Local date, 'YYYY-MM-DD'. */
  date: string
  /** French name, as the pages show it. */
  name: string
}

/** Départements of Alsace-Moselle (local law: Good Friday, Saint Stephen's Day). */
const ALSACE_MOSELLE = new Set(['57', '67', '68'])

/** Abolition of slavery (loi du 30 juin 1983, décret 83-1003), by overseas département. */
const ABOLITION: Readonly<Record<string, { month: number, day: number }>> = {
  971: { month: 5, day: 27 }, // Guadeloupe
  972: { month: 5, day: 22 }, // Martinique
  973: { month: 6, day: 10 }, // Guyane
  974: { month: 12, day: 20 }, // La Réunion
  976: { month: 4, day: 27 } // Mayotte
}

/** Easter Sunday of a Gregorian year (anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
export function easterSunday (year: number): DateTime {
  const a = year % 19
  const b = Math.floor(year / 100)
  const c = year % 100
  const d = Math.floor(b / 4)
  const e = b % 4
  const f = Math.floor((b + 8) / 25)
  const g = Math.floor((b - f + 1) / 3)
  const h = (19 * a + b - d - g + 15) % 30
  const i = Math.floor(c / 4)
  const k = c % 4
  const l = (32 + 2 * e + 2 * i - h - k) % 7
  const m = Math.floor((a + 11 * h + 22 * l) / 451)
  const month = Math.floor((h + l - 7 * m + 114) / 31)
  const day = ((h + l - 7 * m + 114) % 31) + 1
  return DateTime.fromObject({ year, month, day }, { zone: 'utc' })
}

const iso = (d: DateTime): string => d.toFormat('yyyy-MM-dd')
const fixed = (year: number, month: number, day: number, name: string): PublicHoliday =>
  ({ date: iso(DateTime.fromObject({ year, month, day }, { zone: 'utc' })), name })

/** The département of an INSEE commune code: 2 characters, 3 overseas (97x), 2A / 2B in Corsica. */
export function departementOfCommune (communeCode: string): string {
  return communeCode.startsWith('97') ? communeCode.slice(0, 3) : communeCode.slice(0, 2)
}

/** The public holidays of one year in one département, in date order. */
export function publicHolidays (year: number, departement: string): PublicHoliday[] {
  const easter = easterSunday(year)
  const list: PublicHoliday[] = [
    fixed(year, 1, 1, 'Jour de l’an'),
    { date: iso(easter.plus({ days: 1 })), name: 'Lundi de Pâques' },
    fixed(year, 5, 1, 'Fête du Travail'),
    fixed(year, 5, 8, 'Victoire 1945'),
    { date: iso(easter.plus({ days: 39 })), name: 'Ascension' },
    { date: iso(easter.plus({ days: 50 })), name: 'Lundi de Pentecôte' },
    fixed(year, 7, 14, 'Fête nationale'),
    fixed(year, 8, 15, 'Assomption'),
    fixed(year, 11, 1, 'Toussaint'),
    fixed(year, 11, 11, 'Armistice 1918'),
    fixed(year, 12, 25, 'Noël')
  ]
  if (ALSACE_MOSELLE.has(departement)) {
    list.push({ date: iso(easter.minus({ days: 2 })), name: 'Vendredi saint' })
    list.push(fixed(year, 12, 26, 'Saint-Étienne'))
  }
  const abolition = ABOLITION[departement]
  if (abolition !== undefined) list.push(fixed(year, abolition.month, abolition.day, 'Abolition de l’esclavage'))
  return list.sort((a, b) => a.date.localeCompare(b.date))
}

/** The public holidays from `from` to `to` (local dates, inclusive) in one département. */
export function publicHolidaysBetween (from: string, to: string, departement: string): PublicHoliday[] {
  const out: PublicHoliday[] = []
  for (let y = Number(from.slice(0, 4)); y <= Number(to.slice(0, 4)); y++) {
    for (const h of publicHolidays(y, departement)) if (h.date >= from && h.date <= to) out.push(h)
  }
  return out
}
