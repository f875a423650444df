import type { Db } from '../../../db/connection.js'
import type { Clock } from '../../clock.js'
import type { PurgeLink } from '../audit/audit-chain.js'
import { appendAudit } from '../audit/audit-repository.js'
import { retentionCutoff } from './patient-data-purge.js'
import { deleteAuditEntriesBefore } from './retention-repository.js'

/** Audit entries deleted per transaction: short ones, so that writers of new entries do not wait. */
export const AUDIT_PURGE_CHUNK = 2000

export interface AuditPurgeResult { cutoff: string, entries: number }

/**
 * The last entry this purge deletes and its hash: the chain's entries before the first one of
 * `cutoff` or later (a prefix, so that the chain keeps no hole); null when there is none.
 */
async function purgeLink (db: Db, cutoff: string): Promise<PurgeLink | null> {
  const kept = await db.selectFrom('audit_log').select((eb) => eb.fn.min<number>('chain_seq').as('seq')).where('at', '>=', cutoff).executeTakeFirst()
  const bound = kept?.seq === null || kept?.seq === undefined ? null : Number(kept.seq) - 1
  let q = db.selectFrom('audit_log').select(['chain_seq', 'hash']).where('at', '<', cutoff).where('chain_seq', 'is not', null)
  if (bound !== null) q = q.where('chain_seq', '<=', bound)
  const last = await q.orderBy('chain_seq', 'desc').limit(1).executeTakeFirst()
  return last === undefined || last.hash === null ? null : { lastSeq: Number(last.chain_seq), lastHash: last.hash }
}

/**
 * Deletes the audit entries older than `months` (AUDIT_MONTHS), in small transactions: the only
 * deletion the audit log allows (migration 0008). The run is itself one audit entry, with the
 * count and the bound, written with the last chunk.
 */
export async function purgeAuditLog (db: Db, clock: Clock, months: number): Promise<AuditPurgeResult> {
  const now = clock.now()
  const cutoff = retentionCutoff(now, months)
  const link = await purgeLink(db, cutoff)
  let entries = 0
  for (;;) {
    const last = await db.transaction().execute(async (trx) => {
      const n = await deleteAuditEntriesBefore(trx, cutoff, AUDIT_PURGE_CHUNK, link?.lastSeq ?? 0)
      entries += n
      if (n === AUDIT_PURGE_CHUNK) return false
      // The link keeps the chain verifiable from its new first entry (audit-chain.ts).
      await appendAudit(trx, { at: now, userId: null, action: 'audit_log.purge', subjectType: 'audit_log', detail: { entries, before: cutoff, months, ...link } })
      return true
    })
    if (last) break
    await new Promise((resolve) => setImmediate(resolve))
  }
  return { cutoff, entries }
}
