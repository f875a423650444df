import type { Db } from '../../../db/connection.js'
import type { PatientBooking, PatientEraseBody, PatientErasure, PatientLookup } from '../../../shared/schemas/patients.js'
import { AppError } from '../../errors.js'
import { appendAudit } from '../audit/audit-repository.js'
import { erasePatientData } from '../retention/retention-repository.js'
import { flushErasedPages } from '../retention/flush-erased.js'
import type { Actor } from '../session/actor.js'
import { findPatientBookings } from './patients-repository.js'

/**
 * The patient's rights, answered by the admin: every booking of one patient (right of access,
 * shown or exported) and their erasure (right to erasure). Each is audited as a read or a change
 * of identity, naming the bookings but never the patient (`patientSearch: true`, as the
 * journal's patient filter is recorded).
 */

type Access = 'patient.search' | 'patient.export'

/** The patient's bookings, audited as `patient.search` (shown) or `patient.export` (a file). */
export async function patientBookings (db: Db, actor: Actor, key: PatientLookup, now: Date, access: Access, format?: 'json' | 'csv'): Promise<PatientBooking[]> {
  const bookings = await findPatientBookings(db, key)
  await appendAudit(db, {
    at: now, userId: actor.id, action: access, subjectType: 'patient', ip: actor.ip,
    detail: { patientSearch: true, bookingIds: bookings.map((b) => b.id), ...(format !== undefined ? { format } : {}) }
  })
  return bookings
}

/**
 * Erases the patient identity, reason and cancel reason of the bookings listed, as the retention
 * purge does: the bookings, their slots and outcomes stay, so the season report does not change.
 * Every booking listed must still be one of this patient's, else nothing is erased (409): the
 * admin erases what they were shown, not what a later booking added.
 */
export async function erasePatient (db: Db, actor: Actor, body: PatientEraseBody, now: Date): Promise<PatientErasure> {
  const ids = [...new Set(body.bookingIds)]
  const erased = await db.transaction().execute(async (trx) => {
    const theirs = new Set((await findPatientBookings(trx, body)).map((b) => b.id))
    const strangers = ids.filter((id) => !theirs.has(id))
    if (strangers.length > 0) {
      throw new AppError('PATIENT_BOOKINGS_CHANGED', `${strangers.length} of these bookings are not (or no longer) this patient's: search again`)
    }
    const n = await erasePatientData(trx, ids)
    await appendAudit(trx, { at: now, userId: actor.id, action: 'patient.erase', subjectType: 'patient', ip: actor.ip, detail: { patientSearch: true, bookingIds: ids, erased: n } })
    return n
  })
  await flushErasedPages(db)
  return { erased, bookingIds: ids }
}
