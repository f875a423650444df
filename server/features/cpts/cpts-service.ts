import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { Cpts, CreateCptsBody, UpdateCptsBody } from '../../../shared/schemas/accounts.js'
import { notFound } from '../../errors.js'
import { newId } from '../../lib/secrets.js'
import { appendAudit } from '../audit/audit-repository.js'
import type { Actor } from '../session/actor.js'
import { findCpts, insertCpts } from './cpts-repository.js'

/** Creates a CPTS (a territory and its time zone), audited in the same transaction. */
export async function createCpts (db: Kysely<Database>, actor: Actor, body: CreateCptsBody, now: Date): Promise<Cpts> {
  const cpts = { id: newId(), name: body.name, timezone: body.timezone, finess: body.finess ?? null, phone: body.phone ?? null }
  await db.transaction().execute(async (trx) => {
    await insertCpts(trx, cpts, now)
    await appendAudit(trx, { at: now, userId: actor.id, action: 'cpts.create', subjectType: 'cpts', subjectId: cpts.id, ip: actor.ip })
  })
  return cpts
}

/** Sets or removes a CPTS's FINESS and phone (what the SAS platform reads of it), audited. */
export async function updateCpts (db: Kysely<Database>, actor: Actor, id: string, body: UpdateCptsBody, now: Date): Promise<Cpts> {
  const set: { finess?: string | null, phone?: string | null } = {}
  if (body.finess !== undefined) set.finess = body.finess
  if (body.phone !== undefined) set.phone = body.phone
  const found = await db.transaction().execute(async (trx) => {
    const changed = await trx.updateTable('cpts').set(set).where('id', '=', id).executeTakeFirst()
    if (changed.numUpdatedRows === 0n) return false
    await appendAudit(trx, { at: now, userId: actor.id, action: 'cpts.update', subjectType: 'cpts', subjectId: id, ip: actor.ip, detail: { fields: Object.keys(set) } })
    return true
  })
  const cpts = found ? await findCpts(db, id) : undefined
  if (cpts === undefined) throw notFound('CPTS')
  return cpts
}
