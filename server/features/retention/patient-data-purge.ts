import { DateTime } from 'luxon'
import type { Db } from '../../../db/connection.js'
import type { Clock } from '../../clock.js'
import { appendAudit } from '../audit/audit-repository.js'
import { bookingsWithPatientDataBefore, erasePatientData } from './retention-repository.js'

/** Bookings erased per transaction: each one short, so that the live board does not wait on the purge. */
export const PURGE_CHUNK = 200

export interface PurgeResult { cutoff: string, bookings: number }

/** The instant before which a slot's patient data are kept no longer. */
export function retentionCutoff (now: Date, months: number): string {
  return DateTime.fromJSDate(now, { zone: 'utc' }).minus({ months }).toJSDate().toISOString()
}

/**
 * Erases the patient identity, reason and cancel reason of every booking whose slot ended more
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
  await appendAudit(db, { at: now, userId: null, action: 'patient_data.purge', subjectType: 'booking', detail: { bookings, slotsEndedBefore: cutoff, months } })
  return { cutoff, bookings }
}
