import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'

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
 */
export async function appendAudit (db: Kysely<Database>, e: AuditInput): Promise<void> {
  await db.insertInto('audit_log').values({
    at: e.at.toISOString(),
    user_id: e.userId,
    action: e.action,
    subject_type: e.subjectType,
    subject_id: e.subjectId ?? null,
    ip: e.ip ?? null,
    detail: e.detail === undefined ? null : JSON.stringify(e.detail)
  }).execute()
}
