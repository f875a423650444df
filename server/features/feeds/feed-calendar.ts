/**
 * A practitioner's iCalendar feed, built from plain rows (no database, no clock): one VEVENT
 * per slot, with no patient identity at all — the feed ends up in third-party calendars.
 */
import ical, { ICalEventStatus, ICalEventTransparency } from 'ical-generator'
import { DateTime, IANAZone } from 'luxon'
import type { BookingStatus, SlotKind, SlotMode, SlotStatus } from '../../../shared/schemas/slots.js'
import { vtimezone } from './vtimezone.js'
import { bookingReference } from '../../../shared/booking-reference.js'

export interface FeedSlot {
  id: string
  /** Instants as stored: ISO 8601 UTC. */
  startAt: string
  endAt: string
  kind: SlotKind
  mode: SlotMode
  status: SlotStatus
  bookingId: string | null
  /** Bumped on every change of the slot or its booking: the event's SEQUENCE. */
  version: number
  createdAt: string
  updatedAt: string
  /** Where the slot is held (its place): the LOCATION of an office slot. */
  place: { address: string, postalCode: string, commune: string }
}

/** A booking of one of the slots, without its patient (the repository never reads those columns). */
export interface FeedBooking {
  id: string
  slotId: string
  status: BookingStatus
  bookedAt: string
}

export interface FeedInput {
  practitioner: { name: string }
  /** The CPTS's IANA zone: events are written in it, with its VTIMEZONE. */
  zone: string
  /** Without a trailing slash; the feed links to `<publicUrl>/praticien`. */
  publicUrl: string
  /** The "créneaux libres" variant: free (and withdrawn) slots too. */
  includeFree: boolean
  slots: FeedSlot[]
  bookings: FeedBooking[]
}

/** How often calendar clients should fetch the feed again (REFRESH-INTERVAL, X-PUBLISHED-TTL). */
export const FEED_TTL_SECONDS = 15 * 60

const KIND_FR: Record<SlotKind, string> = { snp: 'SNP', psy: 'psy' }
const MODE_FR: Record<SlotMode, string> = { office: 'au cabinet', video: 'en téléconsultation', home: 'en visite à domicile' }
const OUTCOME_FR: Partial<Record<BookingStatus, string>> = { honored: 'Issue : patient venu.', no_show: 'Issue : patient non venu.' }

interface EventText {
  status: ICalEventStatus
  summary: string
  description: string[]
}

/** What one slot's event says, or null when this variant of the feed leaves it out. */
function eventText (slot: FeedSlot, bookings: FeedBooking[], includeFree: boolean, pageUrl: string): EventText | null {
  const kind = KIND_FR[slot.kind]
  const current = slot.bookingId === null ? undefined : bookings.find((b) => b.id === slot.bookingId)
  if (slot.status === 'booked' && current !== undefined && current.status !== 'cancelled') {
    const outcome = OUTCOME_FR[current.status]
    return {
      status: ICalEventStatus.CONFIRMED,
      summary: `Patient ${kind} — réservé par la régulation`,
      description: [
        `Référence de la réservation : ${bookingReference(current.id)}`,
        `Consultation ${MODE_FR[slot.mode]}.`,
        ...(outcome !== undefined ? [outcome] : []),
        `Identité et coordonnées du patient (connexion requise) : ${pageUrl}`
      ]
    }
  }
  if (includeFree && (slot.status === 'free' || slot.status === 'held')) {
    return {
      status: ICalEventStatus.TENTATIVE,
      summary: `Créneau libre (${kind})`,
      description: [`Créneau ouvert à la régulation, pas encore réservé (consultation ${MODE_FR[slot.mode]}).`, pageUrl]
    }
  }
  if (includeFree && slot.status === 'withdrawn') {
    return { status: ICalEventStatus.CANCELLED, summary: `Créneau retiré (${kind})`, description: ['Vous avez retiré ce créneau.', pageUrl] }
  }
  // The slot's last booking was cancelled (the slot is free again, or since withdrawn): the
  // event stays, cancelled, so that calendars which kept it remove it.
  const cancelled = bookings.filter((b) => b.slotId === slot.id && b.status === 'cancelled')
    .sort((a, b) => b.bookedAt.localeCompare(a.bookedAt))[0]
  if (cancelled === undefined) return null
  return {
    status: ICalEventStatus.CANCELLED,
    summary: `Réservation annulée (${kind})`,
    description: [`Réservation ${bookingReference(cancelled.id)} annulée : ce créneau n’est plus réservé.`, pageUrl]
  }
}

/** An office slot's place, as a calendar shows it (each slot at its own place). */
function location (slot: FeedSlot): string {
  if (slot.mode === 'video') return 'Téléconsultation'
  if (slot.mode === 'home') return 'Visite à domicile'
  return `${slot.place.address}, ${slot.place.postalCode} ${slot.place.commune}`
}

/**
 * True when the wall time of `ms` in the zone shows no other instant (not in the repeated hour
 * of a fall-back day). Only such times are written with TZID: RFC 5545 reads a repeated wall
 * time as its first occurrence, so the others are written in UTC.
 */
function wallTimeIsUnique (ms: number, zone: IANAZone): boolean {
  const wall = (t: number): number => t + zone.offset(t) * 60_000
  const w = wall(ms)
  const offsets = new Set([zone.offset(ms - 86_400_000), zone.offset(ms), zone.offset(ms + 86_400_000)])
  let count = 0
  for (const offset of offsets) {
    const candidate = w - offset * 60_000
    if (wall(candidate) === w) count++
  }
  return count === 1
}

/** Escapes a TEXT value that ical-generator writes as is (NAME, X-WR-CALNAME, X-WR-CALDESC). */
function escapeText (value: string): string {
  // A lone CR too (RFC 5545 §3.3.11 writes every line break as \\n), and no other control character at all.
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\\;,]/g, (c) => '\\' + c).replace(/\r\n|\r|\n/g, '\\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
}

/**
 * The feed as iCalendar text. UID `<slotId>@creneaux` never changes; SEQUENCE is the
 * slot's version, LAST-MODIFIED and DTSTAMP its last change (RFC 5545 §3.8.7.2: without
 * METHOD, DTSTAMP is when the information was last revised), so that the same data always
 * gives the same bytes and the route's ETag holds until something changes.
 */
export function buildFeedCalendar (input: FeedInput): string {
  const zone = IANAZone.create(input.zone)
  if (!zone.isValid) throw new RangeError(`unknown time zone: ${input.zone}`)
  const pageUrl = `${input.publicUrl}/praticien`
  const slots = [...input.slots].sort((a, b) => a.startAt.localeCompare(b.startAt) || a.id.localeCompare(b.id))
  const years = slots.flatMap((s) => [s.startAt, s.endAt]).map((t) => DateTime.fromISO(t, { zone }).year)
  const [fromYear, toYear] = [Math.min(...years), Math.max(...years)]

  const cal = ical({
    prodId: { company: 'Creneaux', product: 'Agenda praticien', language: 'FR' },
    // A calendar's name is one line, whatever an older account name holds.
    name: escapeText(`Créneaux — ${input.practitioner.name.replace(/[\r\n]+/g, ' ')}${input.includeFree ? ' (avec créneaux libres)' : ''}`),
    description: escapeText('Créneaux réservés par la régulation. Sans identité des patients.'),
    ttl: FEED_TTL_SECONDS,
    // No calendar-wide zone name (ical-generator would then write DTSTAMP in local time):
    // each event names the CPTS's zone, and this generator writes its VTIMEZONE.
    timezone: { name: null, generator: (tz) => vtimezone(tz, fromYear, toYear) }
  })

  for (const slot of slots) {
    const text = eventText(slot, input.bookings, input.includeFree, pageUrl)
    if (text === null) continue
    const start = Date.parse(slot.startAt)
    const end = Date.parse(slot.endAt)
    const local = wallTimeIsUnique(start, zone) && wallTimeIsUnique(end, zone)
    cal.createEvent({
      id: `${slot.id}@creneaux`,
      sequence: slot.version,
      start: DateTime.fromMillis(start, { zone: local ? zone : 'utc' }),
      end: DateTime.fromMillis(end, { zone: local ? zone : 'utc' }),
      timezone: local ? input.zone : null,
      stamp: new Date(slot.updatedAt),
      lastModified: new Date(slot.updatedAt),
      created: new Date(slot.createdAt),
      status: text.status,
      transparency: text.status === ICalEventStatus.CANCELLED ? ICalEventTransparency.TRANSPARENT : ICalEventTransparency.OPAQUE,
      summary: text.summary,
      description: text.description.join('\n'),
      location: location(slot),
      url: pageUrl
    })
  }
  return cal.toString()
}
