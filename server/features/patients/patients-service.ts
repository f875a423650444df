import type { Db } from '../../../db/connection.js'
import type { PatientBookings, PatientEraseBody, PatientErasure, PatientLookup } from '../../../shared/schemas/patients.js'
import { AppError } from '../../errors.js'
import { appendAudit } from '../audit/audit-repository.js'
import { erasePatientData } from '../retention/retention-repository.js'
import { flushErasedPages } from '../retention/flush-erased.js'
import type { Actor } from '../session/actor.js'
import type { UnitOfWork } from '../slots/unit-of-work.js'
import { eraseRequestsPatientData } from '../waiting-list/request-repository.js'
import type { WaitingList } from '../waiting-list/waiting-list-service.js'
import { findPatientBookings, findPatientRequests } from './patients-repository.js'

/**
 * The patient's rights, answered by the admin: every booking and waiting-list request of one
 * patient (right of access, shown or exported) and their erasure (right to erasure). Each is
 * audited as a read or a change of identity, naming the bookings and requests but never the
 * patient (`patientSearch: true`, as the journal's patient filter is recorded).
 */

type Access = 'patient.search' | 'patient.export'

/**
 * Why a request still open ends when its patient is erased, written as its withdrawal reason
 * (shown to regulators; no patient data, so the retention purge may erase it or not).
 */
export const ERASURE_END_REASON = 'Données du patient effacées à sa demande (droit à l’effacement)'

/** The patient's bookings and requests, audited as `patient.search` (shown) or `patient.export` (a file). */
export async function patientRecords (db: Db, actor: Actor, key: PatientLookup, now: Date, access: Access, format?: 'json' | 'csv'): Promise<PatientBookings> {
  const bookings = await findPatientBookings(db, key)
  const requests = await findPatientRequests(db, key)
  await appendAudit(db, {
    at: now, userId: actor.id, action: access, subjectType: 'patient', ip: actor.ip,
    detail: { patientSearch: true, bookingIds: bookings.map((b) => b.id), requestIds: requests.map((r) => r.id), ...(format !== undefined ? { format } : {}) }
  })
  return { bookings, requests }
}

export interface ErasureDeps { db: Db, unitOfWork: UnitOfWork, waitingList: WaitingList }

/**
 * Erases the patient identity, reason and cancel reason of the bookings listed, as the retention
 * purge does: the bookings, their slots and outcomes stay, so the season report does not change.
 * The same for the waiting-list requests listed (identity, callback phone, reason, withdrawal
 * reason): their commune, kind, dates and status stay for the board; those still open end as
 * withdrawn (ERASURE_END_REASON), with a `request.ended` event, so that no regulator calls back
 * a patient who is no longer named. One unit of work: all of it, its events and its audit entry
 * commit together, or nothing. Every booking and request listed must still be one of this
 * patient's, else nothing is erased (409): the admin erases what they were shown, not what a
 * later booking or request added.
 */
export async function erasePatient (deps: ErasureDeps, actor: Actor, body: PatientEraseBody): Promise<PatientErasure> {
  const ids = [...new Set(body.bookingIds)]
  const requestIds = [...new Set(body.requestIds)]
  const result = await deps.unitOfWork.run(async (w) => {
    const theirs = new Set((await findPatientBookings(w.trx, body)).map((b) => b.id))
    const strangers = ids.filter((id) => !theirs.has(id))
    if (strangers.length > 0) {
      throw new AppError('PATIENT_BOOKINGS_CHANGED', `${strangers.length} of these bookings are not (or no longer) this patient's: search again`)
    }
    const theirRequests = new Set((await findPatientRequests(w.trx, body)).map((r) => r.id))
    const strangerRequests = requestIds.filter((id) => !theirRequests.has(id))
    if (strangerRequests.length > 0) {
      throw new AppError('PATIENT_REQUESTS_CHANGED', `${strangerRequests.length} of these waiting-list requests are not (or no longer) this patient's: search again`)
    }
    // The requests first (a held slot, then the request: the claim's lock order), then the bookings.
    const requestsEnded = await deps.waitingList.endErased(w, actor, requestIds, ERASURE_END_REASON)
    const requestsErased = await eraseRequestsPatientData(w.trx, requestIds, requestsEnded)
    const erased = await erasePatientData(w.trx, ids)
    await appendAudit(w.trx, {
      at: w.now, userId: actor.id, action: 'patient.erase', subjectType: 'patient', ip: actor.ip,
      detail: { patientSearch: true, bookingIds: ids, erased, requestIds, requestsErased, requestsEnded }
    })
    return { erased, bookingIds: ids, requestsErased, requestIds, requestsEnded }
  })
  await flushErasedPages(deps.db)
  return result
}
