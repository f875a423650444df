import type { Transaction } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { EventType, SlotKind, SlotMode } from '../../../shared/schemas/slots.js'
import { bookingsWithSlots } from '../slots/booking-repository.js'
import type { LoggedEvent } from '../slots/event-log.js'

/** The booking status a delivery announces. */
export type DeliveryKind = 'booked' | 'cancelled' | 'honored' | 'no_show'

/** The events the delivery channels read; every other event only moves their cursor. */
export const BOOKING_EVENTS: ReadonlySet<string> = new Set<EventType>(['slot.booked', 'booking.cancelled', 'booking.outcome'])

/**
 * A booking change as the channels see it: the slot and the place it is held at, the
 * practitioner, who booked, and no patient data at all (the query below never reads those
 * columns). Instants are ISO UTC.
 */
export interface BookingChange {
  eventSeq: number
  /** When the change was made (the event's instant). */
  at: string
  kind: DeliveryKind
  /** `bookedBy`: the regulator's account; `bookedBySasId`: their SAS identifier (INT_R02), if the admin gave one. */
  booking: { id: string, bookedAt: string, bookedBy: string | null, bookedBySasId: string | null }
  slot: { id: string, start: string, end: string, kind: SlotKind, mode: SlotMode }
  /** The slot's place (one of the practitioner's practices). */
  place: { label: string, address: string, postalCode: string, commune: string }
  practitioner: { id: string, name: string, email: string, rpps: string }
  cpts: { name: string, timezone: string }
}

/**
 * Reads what the channels need about a booking event (inside the enqueueing transaction), in
 * one query. Undefined when the event is not about a booking, or its booking cannot be found.
 */
export async function loadBookingChange (trx: Transaction<Database>, ev: LoggedEvent): Promise<BookingChange | undefined> {
  // The event names its booking (migration 0015; left null only for a cancellation logged
  // before it whose booking could not be told for certain).
  if (!BOOKING_EVENTS.has(ev.type) || ev.bookingId === null) return undefined
  const bookingId = ev.bookingId
  const r = await bookingsWithSlots(trx)
    .innerJoin('practitioners', 'practitioners.user_id', 'slots.practitioner_id')
    .innerJoin('practitioner_places as place', 'place.id', 'slots.place_id')
    // Never the patient columns (names, birth date, phone, reason).
    .select([
      'bookings.id', 'bookings.status', 'bookings.booked_at', 'bookings.booked_by',
      'slots.id as slot_id', 'slots.start_at', 'slots.end_at', 'slots.kind', 'slots.mode',
      'practitioner.id as practitioner_id', 'practitioner.name as practitioner_name', 'practitioner.email as practitioner_email',
      'practitioners.rpps', 'cpts.name as cpts_name', 'cpts.timezone', 'booker.sas_id as regulator_sas_id',
      'place.label as place_label', 'place.address as place_address', 'place.postal_code as place_postal_code', 'place.commune as place_commune'
    ])
    .where('bookings.id', '=', bookingId)
    .executeTakeFirst()
  if (r === undefined) return undefined
  let kind: DeliveryKind
  if (ev.type === 'slot.booked') kind = 'booked'
  else if (ev.type === 'booking.cancelled') kind = 'cancelled'
  // An outcome event announces the outcome recorded now (a later correction sends its own event).
  else if (r.status === 'honored' || r.status === 'no_show') kind = r.status
  else return undefined
  return {
    eventSeq: ev.seq,
    at: ev.at,
    kind,
    booking: { id: r.id, bookedAt: r.booked_at, bookedBy: r.booked_by, bookedBySasId: r.regulator_sas_id },
    slot: { id: r.slot_id, start: r.start_at, end: r.end_at, kind: r.kind, mode: r.mode },
    place: { label: r.place_label, address: r.place_address, postalCode: r.place_postal_code, commune: r.place_commune },
    practitioner: { id: r.practitioner_id, name: r.practitioner_name, email: r.practitioner_email, rpps: r.rpps },
    cpts: { name: r.cpts_name, timezone: r.timezone }
  }
}
