import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { PatientBooking, PatientLookup } from '../../../shared/schemas/patients.js'
import { foldName } from '../../lib/fold-name.js'
import { toZonedIso } from '../../lib/zoned-time.js'
import { bookingsWithSlots } from '../slots/booking-repository.js'

type Db = Kysely<Database>

/** Bookings of one patient answered at most (far more than one person's unscheduled care). */
export const PATIENT_BOOKINGS_MAX = 500

/**
 * The bookings still holding the identity of the patient `key` names, with their slots, by slot
 * start. The birth date is matched in SQL, the names in JS (folded: case, accents, hyphens).
 */
export async function findPatientBookings (db: Db, key: PatientLookup): Promise<PatientBooking[]> {
  const rows = await bookingsWithSlots(db)
    .selectAll('bookings')
    .select([
      'slots.start_at', 'slots.end_at', 'slots.kind', 'slots.mode', 'slots.practitioner_id',
      'practitioner.name as practitioner_name', 'cpts.id as cpts_id', 'cpts.name as cpts_name', 'cpts.timezone', 'booker.name as booker_name'
    ])
    .where('bookings.patient_birth_date', '=', key.birthDate)
    .where('bookings.patient_last_name', 'is not', null)
    .orderBy('slots.start_at').orderBy('bookings.id')
    .execute()
  const lastName = foldName(key.lastName)
  const firstName = key.firstName === undefined ? undefined : foldName(key.firstName)
  return rows
    .filter((r) => foldName(r.patient_last_name ?? '') === lastName && (firstName === undefined || foldName(r.patient_first_name ?? '') === firstName))
    .slice(0, PATIENT_BOOKINGS_MAX)
    .map((r) => {
      const z = r.timezone
      return {
        id: r.id,
        status: r.status,
        patient: { lastName: r.patient_last_name ?? '', firstName: r.patient_first_name, birthDate: r.patient_birth_date, phone: r.patient_phone },
        reason: r.reason,
        hasTreatingGp: r.has_treating_gp,
        bookedAt: toZonedIso(r.booked_at, z),
        bookedBy: r.booked_by === null ? null : { id: r.booked_by, name: r.booker_name ?? '' },
        cancelledAt: r.cancelled_at === null ? null : toZonedIso(r.cancelled_at, z),
        cancelReason: r.cancel_reason,
        outcomeAt: r.outcome_at === null ? null : toZonedIso(r.outcome_at, z),
        slot: {
          id: r.slot_id,
          start: toZonedIso(r.start_at, z),
          end: toZonedIso(r.end_at, z),
          kind: r.kind,
          mode: r.mode,
          practitioner: { id: r.practitioner_id, name: r.practitioner_name },
          cpts: { id: r.cpts_id, name: r.cpts_name }
        }
      }
    })
}
