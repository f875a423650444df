import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { Cpts, CreateCptsBody } from '../../../shared/schemas/accounts.js'
import { newId } from '../../lib/secrets.js'
import { appendAudit } from '../audit/audit-repository.js'
import type { Actor } from '../session/actor.js'
import { insertCpts } from './cpts-repository.js'

/** Creates a CPTS (a territory and its time zone), audited in the same transaction. */
export async function createCpts (db: Kysely<Database>, actor: Actor, body: CreateCptsBody, now: Date): Promise<Cpts> {
  const cpts = { id: newId(), name: body.name, timezone: body.timezone, finess: body.finess ?? null, phone: body.phone ?? null }
  await db.transaction().execute(async (trx) => {
    await insertCpts(trx, cpts, now)
    await appendAudit(trx, { at: now, userId: actor.id, action: 'cpts.create', subjectType: 'cpts', subjectId: cpts.id, ip: actor.ip })
  })
  return cpts
}
