import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import { forbidden, notFound } from '../../errors.js'
import { appendAudit } from '../audit/audit-repository.js'
import type { Actor } from '../session/actor.js'
import { findBookingRecord, type BookingRecord } from './booking-repository.js'

/** Who sees a booking's patient: regulators, and the practitioner whose slot it is. */
export function canSeePatient (actor: Actor, r: BookingRecord): boolean {
  return actor.role === 'regulator' || (actor.role === 'practitioner' && r.practitioner_id === actor.id)
}

/**
 * The booking an actor asks to change, read before the change: regulators, its practitioner or
 * an admin cancel; its practitioner or an admin record the outcome.
 */
export async function bookingForChange (db: Kysely<Database>, actor: Actor, bookingId: string, who: 'cancel' | 'outcome'): Promise<BookingRecord> {
  const r = await findBookingRecord(db, bookingId)
  if (r === undefined) throw notFound('Booking')
  const own = actor.role === 'practitioner' && r.practitioner_id === actor.id
  const allowed = actor.role === 'admin' || own || (who === 'cancel' && actor.role === 'regulator')
  if (!allowed) throw forbidden(who === 'cancel' ? 'only regulators, its practitioner or an admin cancel a booking' : 'only its practitioner or an admin records the outcome')
  return r
}

/** A reply that shows a booking's patient is a read of identity. */
export async function auditRead (db: Kysely<Database>, actor: Actor, bookingId: string, now: Date): Promise<void> {
  await appendAudit(db, { at: now, userId: actor.id, action: 'booking.read', subjectType: 'booking', subjectId: bookingId, ip: actor.ip, detail: { bookingIds: [bookingId] } })
}
