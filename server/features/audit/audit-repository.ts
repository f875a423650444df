import type { Kysely } from 'kysely'
import { isPostgres } from '../../../db/dialect.js'
import type { Database } from '../../../db/types.js'
import { chainHash } from './audit-chain.js'

export interface AuditInput {
  at: Date
  userId: string | null
  action: string
  subjectType: string
  subjectId?: string | null
  ip?: string | null
  /** Never patient identity itself: which fields were read or changed, not their values. */
  detail?: Record<string, unknown>
}

/**
 * Appends to the audit log (who, what, when, from where). Call it with the transaction of
 * the change it records so that the change and its trace commit together.
 *
 * Each entry joins the hash chain (audit-chain.ts, migration 0016). PostgreSQL chains it when its
 * transaction commits (a deferred trigger: commit order, and the chain's head is the last lock
 * taken). SQLite has one writer at a time: the entry is chained here, the head row taken first
 * (an UPDATE, so the write lock comes before any read of it).
 */
export async function appendAudit (db: Kysely<Database>, e: AuditInput): Promise<void> {
  const content = {
    at: e.at.toISOString(),
    user_id: e.userId,
    action: e.action,
    subject_type: e.subjectType,
    subject_id: e.subjectId ?? null,
    ip: e.ip ?? null,
    detail: e.detail === undefined ? null : JSON.stringify(e.detail)
  }
  if (isPostgres(db)) {
    await db.insertInto('audit_log').values(content).execute()
    return
  }
  const chain = async (trx: Kysely<Database>): Promise<void> => {
    const head = await trx.updateTable('audit_chain_head').set((eb) => ({ seq: eb('seq', '+', 1) })).where('id', '=', 1)
      .returning(['seq', 'hash']).executeTakeFirstOrThrow()
    const hash = chainHash(head.hash, head.seq, content)
    await trx.insertInto('audit_log').values({ ...content, chain_seq: head.seq, prev_hash: head.hash, hash }).execute()
    await trx.updateTable('audit_chain_head').set({ hash }).where('id', '=', 1).execute()
  }
  if (db.isTransaction) await chain(db)
  else await db.transaction().execute(chain)
}
