import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { PatientBooking, PatientLookup, PatientRequest } from '../../../shared/schemas/patients.js'
import type { SlotMode } from '../../../shared/schemas/slots.js'
import { foldName } from '../../lib/fold-name.js'
import { toZonedIso } from '../../lib/zoned-time.js'
import { DEFAULT_ZONE } from '../cpts/cpts-repository.js'
import { bookingsWithSlots } from '../slots/booking-repository.js'
import { placeOf } from '../waiting-list/request-view.js'

type Db = Kysely<Database>

/** Bookings of one patient answered at most (far more than one person's unscheduled care). */
export const PATIENT_BOOKINGS_MAX = 500

/** Whether a row's patient is the one `key` names: names folded (case, accents, hyphens), the first name when given. */
function matcher (key: PatientLookup): (lastName: string | null, firstName: string | null) => boolean {
  const lastName = foldName(key.lastName)
  const firstName = key.firstName === undefined ? undefined : foldName(key.firstName)
  return (l, f) => foldName(l ?? '') === lastName && (firstName === undefined || foldName(f ?? '') === firstName)
}

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
  const theirs = matcher(key)
  return rows
    .filter((r) => theirs(r.patient_last_name, r.patient_first_name))
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

/**
 * The waiting-list requests still holding the identity of the patient `key` names, matched as
 * their bookings are (birth date in SQL, names folded in JS), by the time they were made. Their
 * instants in the zone of their CPTS (the default zone when they name none), as the list gives them.
 */
export async function findPatientRequests (db: Db, key: PatientLookup): Promise<PatientRequest[]> {
  const rows = await db.selectFrom('waiting_requests')
    .leftJoin('cpts', 'cpts.id', 'waiting_requests.cpts_id')
    .leftJoin('users as creator', 'creator.id', 'waiting_requests.created_by')
    .selectAll('waiting_requests')
    .select((eb) => [eb.fn.coalesce('cpts.timezone', eb.val(DEFAULT_ZONE)).as('timezone'), 'cpts.name as cpts_name', 'creator.name as creator_name'])
    .where('waiting_requests.patient_birth_date', '=', key.birthDate)
    .where('waiting_requests.patient_last_name', 'is not', null)
    .orderBy('waiting_requests.created_at').orderBy('waiting_requests.id')
    .execute()
  const theirs = matcher(key)
  return rows
    .filter((r) => theirs(r.patient_last_name, r.patient_first_name))
    .slice(0, PATIENT_BOOKINGS_MAX)
    .map((r) => {
      const zoned = (iso: string): string => toZonedIso(iso, r.timezone)
      return {
        id: r.id,
        status: r.status,
        createdAt: zoned(r.created_at),
        createdBy: r.created_by === null ? null : { id: r.created_by, name: r.creator_name ?? '' },
        cpts: r.cpts_id === null ? null : { id: r.cpts_id, name: r.cpts_name ?? '' },
        callId: r.call_id,
        place: placeOf(r.commune_code),
        kind: r.kind,
        modes: r.modes.split(',') as SlotMode[],
        notAfter: zoned(r.not_after),
        hasTreatingGp: r.has_treating_gp,
        patient: { lastName: r.patient_last_name ?? '', firstName: r.patient_first_name, birthDate: r.patient_birth_date, phone: r.patient_phone },
        reason: r.reason,
        endedAt: r.ended_at === null ? null : zoned(r.ended_at),
        endReason: r.end_reason,
        bookingId: r.booking_id
      }
    })
}
