/**
 * The coming days of the demo: what each practitioner publishes (as a one-day series, so the
 * server's own rules apply: nothing in the past, no overlap), and the patients the
 * regulators have already booked. A plan depends only on the practitioner and the date, so a
 * second run asks for the same slots and the server skips them as overlaps: nothing doubles,
 * and a run a week later tops up the days that have come into the window.
 */
import type { CreateSeriesBody, HasTreatingGp } from '../shared/schemas/slots.js'
import { between, pick, rng, weighted, type DemoPractitioner } from './demo-data.js'

/** Days published ahead, today included. */
export const LIVE_DAYS = 14

/** The psychiatrists' weekly slots in the coming days: [index, ISO weekday, 'HH:mm', mode]. */
const PSY_LIVE: Array<[number, number, string, 'office' | 'video']> = [
  [0, 2, '14:00', 'office'],
  [0, 5, '10:00', 'video'],
  [1, 3, '16:00', 'office'],
  [1, 4, '09:30', 'video']
]

export type SeriesPlan = Omit<CreateSeriesBody, 'practitionerId' | 'dryRun'>

/** One practitioner's series for one local date (ISO weekday given), or none. */
export function livePlan (p: DemoPractitioner, psyIndex: number, date: string, weekday: number): SeriesPlan[] {
  const day = { from: date, to: date, weekdays: [weekday] }
  if (p.profession === 'psychiatrist') {
    return PSY_LIVE.filter(([who, wd]) => who === psyIndex && wd === weekday)
      .map(([, , startTime, mode]) => ({ ...day, startTime, slotMinutes: 45, count: 1, kind: 'psy', mode }))
  }
  const r = rng(`live:${p.rpps}:${date}`)
  const h = p.habit
  const noon = r() < 0.2 ? h.period !== 'noon' : h.period === 'noon'
  const count = 1 + weighted(r, [35, 45, 20])
  const mode = h.slotMinutes === 30 && r() < 0.3 ? 'home' : r() < h.video ? 'video' : 'office'
  return [{ ...day, startTime: noon ? h.noon : h.evening, slotMinutes: h.slotMinutes, count, kind: 'snp', mode }]
}

/**
 * The series a GP with a second practice opens there each day: three 15-minute office slots
 * early in the afternoon (never at the time of their home slots, at noon or in the evening), so
 * that the SAS kit finds free slots at both places in any 72-hour window.
 */
export function secondPlacePlan (p: DemoPractitioner, date: string, weekday: number): SeriesPlan | null {
  if (p.secondPlace === undefined) return null
  return { from: date, to: date, weekdays: [weekday], startTime: '14:30', slotMinutes: 15, count: 3, kind: 'snp', mode: 'office' }
}

const FIRST_NAMES = ['Camille', 'Louis', 'Jeanne', 'Hugo', 'Manon', 'Gabriel', 'Léa', 'Jules', 'Chloé', 'Arthur', 'Inès', 'Paul']
const REASONS = [
  'Fièvre et toux depuis trois jours',
  'Entorse de la cheville (plage)',
  'Otite, enfant de 6 ans',
  'Piqûre de vive, douleur persistante',
  'Infection urinaire probable',
  'Coup de soleil étendu avec fièvre',
  'Plaie à surveiller, pansement à refaire',
  'Douleur dentaire, pas de dentiste disponible'
]

/** Whether the demo books this upcoming slot, and the fictional patient ("Démo") if so. */
export function liveBooking (slotKey: string, kind: 'snp' | 'psy'): { patient: { lastName: string, firstName: string, birthDate: string, phone: string }, reason: string, hasTreatingGp: HasTreatingGp } | null {
  const r = rng(`live-booking:${slotKey}`)
  if (r() >= (kind === 'psy' ? 0.5 : 0.16)) return null
  const n = between(r, 0, 99)
  return {
    patient: {
      lastName: 'Démo',
      firstName: pick(r, FIRST_NAMES),
      birthDate: `${between(r, 1940, 2016)}-${String(between(r, 1, 12)).padStart(2, '0')}-${String(between(r, 1, 28)).padStart(2, '0')}`,
      phone: `06 00 00 00 ${String(n).padStart(2, '0')}`
    },
    reason: kind === 'psy' ? 'Avis psychiatrique rapide (démo)' : pick(r, REASONS),
    hasTreatingGp: (['yes', 'no', 'unknown'] as const)[weighted(r, [58, 30, 12])]!
  }
}
