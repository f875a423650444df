import type { Db } from '../../../db/connection.js'
import type { Clock } from '../../clock.js'
import { appendAudit } from '../audit/audit-repository.js'
import { retentionCutoff } from './patient-data-purge.js'
import { deleteAuditEntriesBefore } from './retention-repository.js'

/** Audit entries deleted per transaction: short ones, so that writers of new entries do not wait. */
export const AUDIT_PURGE_CHUNK = 2000

export interface AuditPurgeResult { cutoff: string, entries: number }

/**
 * Deletes the audit entries older than `months` (AUDIT_MONTHS), in small transactions: the only
 * deletion the audit log allows (migration 0008). The run is itself one audit entry, with the
 * count and the bound, written with the last chunk.
 */
export async function purgeAuditLog (db: Db, clock: Clock, months: number): Promise<AuditPurgeResult> {
  const now = clock.now()
  const cutoff = retentionCutoff(now, months)
  let entries = 0
  for (;;) {
    const last = await db.transaction().execute(async (trx) => {
      const n = await deleteAuditEntriesBefore(trx, cutoff, AUDIT_PURGE_CHUNK)
      entries += n
      if (n === AUDIT_PURGE_CHUNK) return false
      await appendAudit(trx, { at: now, userId: null, action: 'audit_log.purge', subjectType: 'audit_log', detail: { entries, before: cutoff, months } })
      return true
    })
    if (last) break
    await new Promise((resolve) => setImmediate(resolve))
  }
  return { cutoff, entries }
}
