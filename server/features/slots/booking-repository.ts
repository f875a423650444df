import type { Kysely, Selectable, Transaction } from 'kysely'
import type { BookingsTable, Database } from '../../../db/types.js'
import type { Booking, BookingBody } from '../../../shared/schemas/slots.js'
import { toZonedIso } from '../../lib/zoned-time.js'

/**
 * Bookings with their slot, the slot's CPTS, its practitioner's account (`practitioner`) and
 * the account that booked (`booker`: none for an imported booking), for callers to select from.
 * The one join every reader of a booking and its slot starts from (the API's views, a
 * patient's bookings, the deliveries).
 */
export function bookingsWithSlots (db: Kysely<Database>) {
  return db.selectFrom('bookings')
    .innerJoin('slots', 'slots.id', 'bookings.slot_id')
    .innerJoin('cpts', 'cpts.id', 'slots.cpts_id')
    .innerJoin('users as practitioner', 'practitioner.id', 'slots.practitioner_id')
    .leftJoin('users as booker', 'booker.id', 'bookings.booked_by')
}

function bookingQuery (db: Kysely<Database>) {
  return bookingsWithSlots(db)
    .selectAll('bookings')
    .select([
      'slots.start_at', 'slots.end_at', 'slots.kind', 'slots.mode', 'slots.practitioner_id', 'slots.cpts_id',
      'practitioner.name as practitioner_name', 'booker.name as booker_name', 'cpts.timezone'
    ])
}

export type BookingRecord = Awaited<ReturnType<ReturnType<typeof bookingQuery>['executeTakeFirstOrThrow']>>

/** What a booking's record adds to its row, from its slot (read with its owners) and its author. */
export interface BookingContext {
  slot: Pick<BookingRecord, 'start_at' | 'end_at' | 'kind' | 'mode' | 'practitioner_id' | 'cpts_id' | 'practitioner_name' | 'timezone'>
  bookerName: string | null
}

/** A booking's record from its row (as an INSERT or UPDATE returned it) and what surrounds it, with no read. */
export function bookingRecordOf (row: Selectable<BookingsTable>, c: BookingContext): BookingRecord {
  const { start_at, end_at, kind, mode, practitioner_id, cpts_id, practitioner_name, timezone } = c.slot
  return { ...row, start_at, end_at, kind, mode, practitioner_id, cpts_id, practitioner_name, timezone, booker_name: c.bookerName }
}

/**
 * A booking as the API answers it. `withPatient` is decided by the caller from the viewer's
 * role (regulators, and the practitioner whose slot it is); the caller audits that read.
 */
export function toBookingView (r: BookingRecord, withPatient: boolean): Booking {
  const z = r.timezone
  const view: Booking = {
    id: r.id,
    slotId: r.slot_id,
    status: r.status,
    reason: withPatient ? r.reason : null,
    hasTreatingGp: r.has_treating_gp,
    bookedBy: { id: r.booked_by ?? '', name: r.booker_name ?? 'Import' },
    bookedAt: toZonedIso(r.booked_at, z),
    slot: { start: toZonedIso(r.start_at, z), end: toZonedIso(r.end_at, z), kind: r.kind, mode: r.mode, practitionerId: r.practitioner_id, practitionerName: r.practitioner_name, cptsId: r.cpts_id }
  }
  if (withPatient && r.patient_last_name !== null) {
    view.patient = { lastName: r.patient_last_name, firstName: r.patient_first_name ?? '', birthDate: r.patient_birth_date ?? '', phone: r.patient_phone ?? '' }
  }
  if (r.cancelled_at !== null) view.cancelledAt = toZonedIso(r.cancelled_at, z)
  // Free text that may name the patient: only for those who see the patient (and whose read is audited).
  if (withPatient && r.cancel_reason !== null) view.cancelReason = r.cancel_reason
  if (r.outcome_at !== null) view.outcomeAt = toZonedIso(r.outcome_at, z)
  return view
}

export async function findBookingRecord (db: Kysely<Database>, id: string): Promise<BookingRecord | undefined> {
  return await bookingQuery(db).where('bookings.id', '=', id).executeTakeFirst()
}

export async function findBookingByKey (db: Kysely<Database>, bookedBy: string, key: string): Promise<BookingRecord | undefined> {
  return await bookingQuery(db).where('bookings.booked_by', '=', bookedBy).where('bookings.idempotency_key', '=', key).executeTakeFirst()
}

export async function listBookingRecords (db: Kysely<Database>, f: { practitionerId?: string, startFrom?: string, startBefore?: string, endAfter?: string, live?: boolean }): Promise<BookingRecord[]> {
  let q = bookingQuery(db)
  if (f.live === true) q = q.where('bookings.status', '=', 'booked')
  if (f.endAfter !== undefined) q = q.where('slots.end_at', '>', f.endAfter)
  if (f.practitionerId !== undefined) q = q.where('slots.practitioner_id', '=', f.practitionerId)
  if (f.startFrom !== undefined) q = q.where('slots.start_at', '>=', f.startFrom)
  if (f.startBefore !== undefined) q = q.where('slots.start_at', '<', f.startBefore)
  return await q.orderBy('slots.start_at').limit(10_000).execute()
}

/** A new live booking of the slot, with the patient's identity; returns its row. */
export async function insertBooking (db: Transaction<Database>, b: { id: string, slotId: string, body: BookingBody, bookedBy: string, nowIso: string }): Promise<Selectable<BookingsTable>> {
  const { patient } = b.body
  return await db.insertInto('bookings').values({
    id: b.id, slot_id: b.slotId, status: 'booked',
    patient_last_name: patient.lastName, patient_first_name: patient.firstName,
    patient_birth_date: patient.birthDate, patient_phone: patient.phone,
    reason: b.body.reason ?? null, has_treating_gp: b.body.hasTreatingGp, booked_by: b.bookedBy, booked_at: b.nowIso,
    idempotency_key: b.body.idempotencyKey ?? null, cancelled_at: null, cancel_reason: null, cancelled_by: null, outcome_at: null, outcome_by: null
  }).returningAll().executeTakeFirstOrThrow()
}

/** Cancels a booking that is still live; returns its row, undefined when it is cancelled or closed already. */
export async function cancelBooking (db: Transaction<Database>, id: string, by: string, reason: string, nowIso: string): Promise<Selectable<BookingsTable> | undefined> {
  return await db.updateTable('bookings')
    .set({ status: 'cancelled', cancelled_at: nowIso, cancel_reason: reason, cancelled_by: by })
    .where('id', '=', id).where('status', '=', 'booked')
    .returningAll().executeTakeFirst()
}

/** Records (or corrects) the outcome of a booking not cancelled; returns its row, undefined when it was cancelled. */
export async function recordBookingOutcome (db: Transaction<Database>, id: string, outcome: 'honored' | 'no_show', by: string, nowIso: string): Promise<Selectable<BookingsTable> | undefined> {
  return await db.updateTable('bookings')
    .set({ status: outcome, outcome_at: nowIso, outcome_by: by })
    .where('id', '=', id).where('status', 'in', ['booked', 'honored', 'no_show'])
    .returningAll().executeTakeFirst()
}
