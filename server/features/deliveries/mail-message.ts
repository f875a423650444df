import type { SlotKind, SlotMode } from '../../../shared/schemas/slots.js'
import { bookingReference } from '../../../shared/booking-reference.js'
import type { BookingChange } from './booking-change.js'

/** A notice to a practitioner, as queued (the From comes from the settings when it is sent). */
export interface MailMessage { to: string, subject: string, text: string }

const KIND_FR: Record<SlotKind, string> = { snp: 'soins non programmés (SNP)', psy: 'consultation psychiatrique rapide' }
const MODE_FR: Record<SlotMode, string> = { office: 'au cabinet', video: 'en téléconsultation', home: 'visite à domicile' }

const formats = new Map<string, Intl.DateTimeFormat>()
function format (kind: 'day' | 'time', zone: string): Intl.DateTimeFormat {
  const key = kind + '|' + zone
  let f = formats.get(key)
  if (f === undefined) {
    f = kind === 'day'
      ? new Intl.DateTimeFormat('fr-FR', { timeZone: zone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })
      : new Intl.DateTimeFormat('fr-FR', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    formats.set(key, f)
  }
  return f
}

/** 'lundi 13 juillet 2026' ('mercredi 1er juillet 2026') for an instant, in the zone. */
export function frenchDay (instant: string, zone: string): string {
  return format('day', zone).formatToParts(new Date(instant)).map((p) => p.type === 'day' && p.value === '1' ? '1er' : p.value).join('')
}

/** '12:00' (24-hour clock) for an instant, in the zone. */
export function frenchTime (instant: string, zone: string): string {
  return format('time', zone).format(new Date(instant))
}

function doctorName (name: string): string {
  return /^(dr\.?|docteure?|pr\.?|professeure?)\s/i.test(name.trim()) ? name.trim() : `Dr ${name.trim()}`
}

/** 'Cabinet du port — 14 quai du Port-Fidèle, 85800 Saint-Gilles-Croix-de-Vie' (the fields are one line each: LineText). */
function placeLine (p: BookingChange['place']): string {
  return `${p.label} — ${p.address}, ${p.postalCode} ${p.commune}`
}

/**
 * The e-mail telling a practitioner that one of their slots was booked, or a booking cancelled:
 * day and time in the CPTS's zone, kind, mode, the place of an office slot (a practitioner may
 * have several), the booking's reference and a link to their page.
 * Never the patient (name, birth date, phone, reason), nor the free-text cancel reason, which
 * may name them: the practitioner reads those on /praticien, signed in. Null for other changes
 * (an outcome is recorded by the practitioner themselves).
 */
export function buildMailMessage (change: BookingChange, publicUrl: string): MailMessage | null {
  if (change.kind !== 'booked' && change.kind !== 'cancelled') return null
  const zone = change.cpts.timezone
  const day = frenchDay(change.slot.start, zone)
  const start = frenchTime(change.slot.start, zone)
  const end = frenchTime(change.slot.end, zone)
  const details = [
    `  Créneau : ${day}, de ${start} à ${end}`,
    `  Type : ${KIND_FR[change.slot.kind]}, ${MODE_FR[change.slot.mode]}`,
    ...(change.slot.mode === 'office' ? [`  Lieu : ${placeLine(change.place)}`] : []),
    // The short reference the regulator read out and the practitioner's calendar feed shows.
    `  Référence de la réservation : ${bookingReference(change.booking.id)}`
  ]
  const footer = [
    '',
    `Votre espace : ${publicUrl}/praticien`,
    '',
    'Ce message ne contient aucune donnée du patient : vous les trouverez dans votre espace, une fois connecté.',
    `-- \nCréneaux · ${change.cpts.name}`
  ]
  const hello = `Bonjour ${doctorName(change.practitioner.name)},`
  if (change.kind === 'booked') {
    return {
      to: change.practitioner.email,
      subject: `Créneaux — patient réservé ${day} à ${start}`,
      text: [
        hello, '',
        'La régulation a réservé l\'un de vos créneaux pour un patient.', '',
        ...details, '',
        'Le nom et les coordonnées du patient, et le motif s\'il a été donné, sont sur votre espace.',
        ...footer
      ].join('\n') + '\n'
    }
  }
  const started = change.slot.start <= change.at
  return {
    to: change.practitioner.email,
    subject: `Créneaux — réservation annulée ${day} à ${start}`,
    text: [
      hello, '',
      'La réservation de l\'un de vos créneaux a été annulée.', '',
      ...details, '',
      started
        ? 'Le créneau avait déjà commencé : il n\'est pas proposé à nouveau.'
        : 'Le créneau est de nouveau libre : la régulation peut le proposer à un autre patient.',
      ...footer
    ].join('\n') + '\n'
  }
}
