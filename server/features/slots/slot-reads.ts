import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { Booking, Slot, SlotQuery } from '../../../shared/schemas/slots.js'
import type { Clock } from '../../clock.js'
import { forbidden } from '../../errors.js'
import { appendAudit } from '../audit/audit-repository.js'
import type { Actor } from '../session/actor.js'
import { canSeePatient } from './booking-access.js'
import { listBookingRecords, toBookingView } from './booking-repository.js'
import { bookingMatches, hasCriteria, parseBookingQuery } from './booking-search.js'
import { forViewer, listSlotRecords, toNeutralSlot } from './slot-repository.js'
import { resolveRange } from './time-range.js'

/**
 * The slots and bookings as each viewer may see them, outside any transaction. Every answer
 * that shows a patient's identity is audited as a read.
 */
export class SlotReads {
  readonly #d: { db: Kysely<Database>, clock: Clock }
  constructor (deps: { db: Kysely<Database>, clock: Clock }) { this.#d = deps }

  async listSlots (actor: Actor, q: SlotQuery): Promise<Slot[]> {
    const now = this.#d.clock.now()
    const range = await resolveRange(this.#d.db, q, now, q.cptsId)
    const records = await listSlotRecords(this.#d.db, {
      endAfter: range.from, ...(range.to !== undefined ? { startBefore: range.to } : {}),
      ...(q.status !== undefined ? { statuses: q.status } : {}),
      ...(q.kind !== undefined ? { kind: q.kind } : {}),
      ...(q.mode !== undefined ? { mode: q.mode } : {}),
      ...(q.cptsId !== undefined ? { cptsId: q.cptsId } : {}),
      ...(q.practitionerId !== undefined ? { practitionerId: q.practitionerId } : {})
    })
    return records.map((r) => forViewer(toNeutralSlot(r, now), actor.id))
  }

  /** Bookings with patient identity for those allowed; every read with identity is audited. */
  async listBookings (actor: Actor, q: { from?: string | undefined, to?: string | undefined }): Promise<Booking[]> {
    const now = this.#d.clock.now()
    const range = await resolveRange(this.#d.db, q, now, undefined, true)
    const records = await listBookingRecords(this.#d.db, {
      ...(actor.role === 'practitioner' ? { practitionerId: actor.id } : {}),
      startFrom: range.from, ...(range.to !== undefined ? { startBefore: range.to } : {})
    })
    const views = records.map((r) => toBookingView(r, canSeePatient(actor, r)))
    const withIdentity = views.filter((v) => v.patient !== undefined).map((v) => v.id)
    if (withIdentity.length > 0) {
      await appendAudit(this.#d.db, { at: now, userId: actor.id, action: 'booking.read', subjectType: 'booking', ip: actor.ip, detail: { bookingIds: withIdentity } })
    }
    return views
  }

  /**
   * The live bookings (not ended) matching what a regulator typed when a patient calls back:
   * reference, names, birth date (booking-search.ts). Regulators only; the read is audited.
   */
  async findBookings (actor: Actor, text: string): Promise<Booking[]> {
    if (actor.role !== 'regulator') throw forbidden('only regulators search bookings by patient')
    const criteria = parseBookingQuery(text)
    if (!hasCriteria(criteria)) return []
    const now = this.#d.clock.now()
    const records = await listBookingRecords(this.#d.db, { live: true, endAfter: now.toISOString() })
    const found = records.filter((r) => bookingMatches(criteria, { id: r.id, lastName: r.patient_last_name, firstName: r.patient_first_name, birthDate: r.patient_birth_date })).slice(0, 20)
    if (found.length > 0) {
      await appendAudit(this.#d.db, { at: now, userId: actor.id, action: 'booking.read', subjectType: 'booking', ip: actor.ip, detail: { bookingIds: found.map((r) => r.id), search: true } })
    }
    return found.map((r) => toBookingView(r, true))
  }
}
