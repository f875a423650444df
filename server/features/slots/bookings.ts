import type { Kysely } from 'kysely'
import { DateTime } from 'luxon'
import type { Database } from '../../../db/types.js'
import { bookingReference } from '../../../shared/booking-reference.js'
import type { Booking, BookingBody, MoveBody } from '../../../shared/schemas/slots.js'
import type { Clock } from '../../clock.js'
import { AppError, forbidden, invalid, notFound } from '../../errors.js'
import { newId } from '../../lib/secrets.js'
import { appendAudit } from '../audit/audit-repository.js'
import type { Actor } from '../session/actor.js'
import { auditRead, bookingForChange, canSeePatient } from './booking-access.js'
import { notLiveRefusal } from './booking-refusals.js'
import { bookingRecordOf, cancelBooking, findBookingByKey, findBookingRecord, insertBooking, recordBookingOutcome, toBookingView } from './booking-repository.js'
import { claim, releaseOthers, startClaim, viewAfter } from './slot-claims.js'
import { lockSlots, toNeutralSlot } from './slot-repository.js'
import { freeSlotOfBooking, touchSlot } from './slot-writes.js'
import type { UnitOfWork, Work } from './unit-of-work.js'

export interface BookingsDeps {
  db: Kysely<Database>
  clock: Clock
  unitOfWork: UnitOfWork
}

/** The patient fields of a booking or a waiting-list request, named (never their values) in the audit log. */
export const PATIENT_FIELDS = ['lastName', 'firstName', 'birthDate', 'phone', 'reason']

/**
 * Bookings: a regulator books a slot (free, or the one they hold) for a patient, moves a
 * booking to another slot, cancels it (the slot is free again); the practitioner records the
 * outcome. Each change is one transaction with its event (which names the booking) and audit
 * entries; the answer is built from what the writes returned, without reading the rows again.
 */
export class Bookings {
  readonly #d: BookingsDeps
  constructor (deps: BookingsDeps) { this.#d = deps }

  /**
   * `within` runs inside the booking's transaction once the booking is written (the waiting list
   * ends the request it books, linked to it): a refusal there rolls the booking back.
   */
  async book (actor: Actor, slotId: string, body: BookingBody, within?: (w: Work, bookingId: string) => Promise<void>): Promise<{ booking: Booking, created: boolean }> {
    if (actor.role !== 'regulator') throw forbidden('only regulators book slots')
    // Not after today anywhere on Earth (the date line's last zone): no false refusal in any territory.
    if (body.patient.birthDate > DateTime.fromJSDate(this.#d.clock.now(), { zone: 'Pacific/Kiritimati' }).toISODate()!) {
      throw invalid([{ code: 'custom', path: ['patient', 'birthDate'], message: 'the birth date is after today' }])
    }
    const replay = async (): Promise<{ booking: Booking, created: boolean } | null> => {
      if (body.idempotencyKey === undefined) return null
      const prior = await findBookingByKey(this.#d.db, actor.id, body.idempotencyKey)
      if (prior === undefined) return null
      if (prior.slot_id !== slotId) {
        throw invalid([{ code: 'custom', path: ['idempotencyKey'], message: 'this key was already used for another slot' }])
      }
      // The answer carries the patient again: a read of identity, audited like any other.
      await auditRead(this.#d.db, actor, prior.id, this.#d.clock.now())
      return { booking: toBookingView(prior, true), created: false }
    }
    const earlier = await replay()
    if (earlier !== null) return earlier
    try {
      // The answer is built inside the transaction: once it commits the reply is ready, and it
      // does not queue behind the broadcast's read of the event log.
      const r = await this.#d.unitOfWork.run(async (w) => {
        const id = newId()
        const scope = await startClaim(w, actor.id, [slotId])
        // The instant after the locks: a cancellation that freed this slot committed before it.
        const { trx, now, nowIso } = w
        const slot = await claim(w, scope, slotId, actor.id, { status: 'booked', booking_id: id, hold_by: null, hold_expires_at: null })
        // Booking ends the call: a hold this regulator kept on another slot goes back to the pool.
        await releaseOthers(w, scope, actor.id)
        const row = await insertBooking(trx, { id, slotId, body, bookedBy: actor.id, nowIso })
        w.emit('slot.booked', toNeutralSlot(slot, now), { actorId: actor.id, bookingId: id })
        await appendAudit(trx, { at: now, userId: actor.id, action: 'booking.create', subjectType: 'booking', subjectId: id, ip: actor.ip, detail: { slotId, patientFields: PATIENT_FIELDS } })
        if (within !== undefined) await within(w, id)
        return bookingRecordOf(row, { slot, bookerName: scope.regulatorName })
      })
      return { booking: toBookingView(r, true), created: true }
    } catch (err) {
      // Two retries with the same key racing: the loser returns the winner's booking.
      const late = await replay()
      if (late !== null) return late
      throw err
    }
  }

  async cancel (actor: Actor, bookingId: string, reason: string): Promise<Booking> {
    const r = await bookingForChange(this.#d.db, actor, bookingId, 'cancel')
    const after = await this.#d.unitOfWork.run(async (w) => {
      // The slot before the booking (the lock order): a move of this booking waits here, not in a circle.
      const slots = await lockSlots(w.trx, [r.slot_id])
      const { trx, now, nowIso } = w
      const cancelled = await cancelBooking(trx, bookingId, actor.id, reason, nowIso)
      if (cancelled === undefined) throw await notLiveRefusal(trx, bookingId)
      // The slot goes back to the pool; one that has started can no longer be held or booked anyway.
      const freed = await freeSlotOfBooking(trx, r.slot_id, bookingId, nowIso)
      w.emit('booking.cancelled', await viewAfter(w, r.slot_id, slots.get(r.slot_id), freed), { actorId: actor.id, bookingId })
      await appendAudit(trx, { at: now, userId: actor.id, action: 'booking.cancel', subjectType: 'booking', subjectId: bookingId, ip: actor.ip })
      // The reply carries the patient: a read of identity, audited as one.
      if (canSeePatient(actor, r)) await auditRead(trx, actor, bookingId, now)
      return cancelled
    })
    return toBookingView(bookingRecordOf(after, { slot: r, bookerName: r.booker_name }), canSeePatient(actor, r))
  }

  /**
   * Moves a live booking to another slot in one transaction (a patient called back): the target
   * is claimed like a booking (free, held by this regulator, or held past its expiry), a new
   * booking of the same patient is written on it, and only then the old one is cancelled and its
   * slot freed. When the target was taken meanwhile nothing changes (SLOT_TAKEN / SLOT_HELD).
   * Both events (`slot.booked`, `booking.cancelled`) go out after the commit.
   */
  async move (actor: Actor, bookingId: string, body: MoveBody): Promise<{ booking: Booking, previous: Booking }> {
    if (actor.role !== 'regulator') throw forbidden('only regulators move bookings')
    const r = await findBookingRecord(this.#d.db, bookingId)
    if (r === undefined) throw notFound('Booking')
    if (body.slotId === r.slot_id) throw invalid([{ code: 'custom', path: ['slotId'], message: 'the booking is already on this slot' }])
    if (r.patient_last_name === null) throw new AppError('BOOKING_WITHOUT_PATIENT', 'This booking has no patient to move (imported history)')
    const out = await this.#d.unitOfWork.run(async (w) => {
      const id = newId()
      const scope = await startClaim(w, actor.id, [body.slotId, r.slot_id])
      const { trx, now, nowIso } = w
      if (r.start_at <= nowIso) throw new AppError('BOOKING_STARTED', 'This booking has started: it can no longer be moved')
      // First the target: a refusal here rolls everything back, the old booking untouched.
      const target = await claim(w, scope, body.slotId, actor.id, { status: 'booked', booking_id: id, hold_by: null, hold_expires_at: null })
      await releaseOthers(w, scope, actor.id)
      const reason = body.reason ?? `Rendez-vous déplacé (nouvelle référence ${bookingReference(id)})`
      const old = await cancelBooking(trx, bookingId, actor.id, reason, nowIso)
      if (old === undefined) throw await notLiveRefusal(trx, bookingId)
      const created = await insertBooking(trx, {
        id, slotId: body.slotId, bookedBy: actor.id, nowIso,
        body: {
          patient: { lastName: r.patient_last_name ?? '', firstName: r.patient_first_name ?? '', birthDate: r.patient_birth_date ?? '', phone: r.patient_phone ?? '' },
          ...(r.reason !== null ? { reason: r.reason } : {}),
          hasTreatingGp: r.has_treating_gp
        }
      })
      w.emit('slot.booked', toNeutralSlot(target, now), { actorId: actor.id, bookingId: id })
      const freed = await freeSlotOfBooking(trx, r.slot_id, bookingId, nowIso)
      w.emit('booking.cancelled', await viewAfter(w, r.slot_id, scope.slots.get(r.slot_id), freed), { actorId: actor.id, bookingId })
      await appendAudit(trx, {
        at: now, userId: actor.id, action: 'booking.move', subjectType: 'booking', subjectId: id, ip: actor.ip,
        detail: { fromBookingId: bookingId, fromSlotId: r.slot_id, toSlotId: body.slotId, patientFields: PATIENT_FIELDS }
      })
      // The reply carries the patient of both bookings: a read of identity.
      await appendAudit(trx, { at: now, userId: actor.id, action: 'booking.read', subjectType: 'booking', subjectId: id, ip: actor.ip, detail: { bookingIds: [id, bookingId] } })
      return {
        booking: bookingRecordOf(created, { slot: target, bookerName: scope.regulatorName }),
        previous: bookingRecordOf(old, { slot: r, bookerName: r.booker_name })
      }
    })
    return { booking: toBookingView(out.booking, true), previous: toBookingView(out.previous, true) }
  }

  async recordOutcome (actor: Actor, bookingId: string, outcome: 'honored' | 'no_show'): Promise<Booking> {
    const r = await bookingForChange(this.#d.db, actor, bookingId, 'outcome')
    if (this.#d.clock.now().toISOString() < r.start_at) throw new AppError('OUTCOME_TOO_EARLY', 'The outcome can be recorded once the slot has started')
    const after = await this.#d.unitOfWork.run(async (w) => {
      const slots = await lockSlots(w.trx, [r.slot_id])
      const { trx, now } = w
      const recorded = await recordBookingOutcome(trx, bookingId, outcome, actor.id, now.toISOString())
      if (recorded === undefined) throw await notLiveRefusal(trx, bookingId)
      const touched = await touchSlot(trx, r.slot_id, now.toISOString())
      w.emit('booking.outcome', await viewAfter(w, r.slot_id, slots.get(r.slot_id), touched), { actorId: actor.id, bookingId })
      await appendAudit(trx, { at: now, userId: actor.id, action: 'booking.outcome', subjectType: 'booking', subjectId: bookingId, ip: actor.ip, detail: { outcome } })
      if (canSeePatient(actor, r)) await auditRead(trx, actor, bookingId, now)
      return recorded
    })
    return toBookingView(bookingRecordOf(after, { slot: r, bookerName: r.booker_name }), canSeePatient(actor, r))
  }
}
