import { DateTime } from 'luxon'
import type { Db } from '../../../db/connection.js'
import type { Clock } from '../../clock.js'
import { appendAudit } from '../audit/audit-repository.js'
import { eraseRequestPatientData } from '../waiting-list/request-repository.js'
import { bookingsWithPatientDataBefore, erasePatientData } from './retention-repository.js'

/** Bookings erased per transaction: each one short, so that the live board does not wait on the purge. */
export const PURGE_CHUNK = 200

export interface PurgeResult { cutoff: string, bookings: number, /** Waiting-list requests erased (issue 25). */ requests: number }

/** The instant before which a slot's patient data are kept no longer. */
export function retentionCutoff (now: Date, months: number): string {
  return DateTime.fromJSDate(now, { zone: 'utc' }).minus({ months }).toJSDate().toISOString()
}

/**
 * Erases the patient identity, reason and cancel reason of every booking (and of every
 * waiting-list request whose window ended before the same cutoff) whose slot ended more
 * than `months` ago, in small transactions; one audit entry for the run (with the count, and no
 * patient data). What the season report counts is left untouched.
 */
export async function purgePatientData (db: Db, clock: Clock, months: number): Promise<PurgeResult> {
  const now = clock.now()
  const cutoff = retentionCutoff(now, months)
  let bookings = 0
  for (;;) {
    const n = await db.transaction().execute(async (trx) => await erasePatientData(trx, await bookingsWithPatientDataBefore(trx, cutoff, PURGE_CHUNK)))
    bookings += n
    if (n < PURGE_CHUNK) break
    // Let the requests that waited behind this chunk go first.
    await new Promise((resolve) => setImmediate(resolve))
  }
  // Waiting-list requests: their patient, phone and reasons go once their window ended as long ago.
  const requests = await eraseRequestPatientData(db, cutoff)
  await appendAudit(db, { at: now, userId: null, action: 'patient_data.purge', subjectType: 'booking', detail: { bookings, requests, slotsEndedBefore: cutoff, months } })
  return { cutoff, bookings, requests }
}
