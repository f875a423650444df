/**
 * An admin's changes to an existing account: edit, deactivate, reactivate. Each is one
 * transaction with its audit entry (who, what, when, from where); the caller then says that
 * credentials ended (`app.credentialEnded()`), so open sockets are swept at once.
 */
import { idnpsOfRpps } from '../../../shared/rpps.js'
import type { Kysely, Updateable } from 'kysely'
import { isPostgres } from '../../../db/dialect.js'
import type { Database, PractitionersTable, UsersTable } from '../../../db/types.js'
import type { UpdateUserBody, User } from '../../../shared/schemas/accounts.js'
import { AppError, invalid, notFound, type Issue } from '../../errors.js'
import { appendAudit } from '../audit/audit-repository.js'
import { findCpts } from '../cpts/cpts-repository.js'
import type { Actor } from '../session/actor.js'
import { findUser } from './users-repository.js'
import { editHomePlace } from '../places/places-service.js'
import { lockAccounts } from '../slots/slot-repository.js'
import { accountConflict, getUserView, idnpsTaken, resolveCommune } from './users-service.js'

const custom = (path: string[], message: string): Issue => ({ code: 'custom', path, message })

/** Edits the fields sent; the ones that do not fit the account's role are refused (400). */
export async function updateUser (db: Kysely<Database>, id: string, body: UpdateUserBody, actor: Actor, now: Date): Promise<User> {
  const u = await findUser(db, id)
  if (u === undefined) throw notFound('User')
  const issues: Issue[] = []
  if (body.practitioner !== undefined && u.practitioner === null) issues.push(custom(['practitioner'], 'only a practitioner has a practitioner profile'))
  if (body.sasId !== undefined && u.role !== 'regulator') issues.push(custom(['sasId'], 'only a regulator has a SAS identifier (INT_R02)'))
  if (body.idnps !== undefined && u.role !== 'regulator' && u.role !== 'board') {
    issues.push(custom(['idnps'], u.practitioner !== null
      ? 'a practitioner\'s IDNPS is 8 + their RPPS: change the RPPS instead'
      : 'only a regulator or a board account has an IDNPS set here'))
  }
  if (body.cptsId !== undefined && u.role !== 'board') issues.push(custom(['cptsId'], 'only a board account changes CPTS here (a practitioner\'s: PUT /api/users/:id/cpts)'))
  if (body.cptsId != null && await findCpts(db, body.cptsId) === undefined) issues.push(custom(['cptsId'], `unknown CPTS ${body.cptsId}`))

  const userSet: Updateable<UsersTable> = {}
  if (body.email !== undefined) userSet.email = body.email
  if (body.name !== undefined) userSet.name = body.name
  if (body.cptsId !== undefined) userSet.cpts_id = body.cptsId
  if (body.sasId !== undefined) userSet.sas_id = body.sasId
  if (body.idnps !== undefined) userSet.idnps = body.idnps
  const practitionerSet: Updateable<PractitionersTable> = {}
  const p = body.practitioner
  if (p !== undefined && u.practitioner !== null) {
    if (p.rpps !== undefined) {
      practitionerSet.rpps = p.rpps
      userSet.idnps = idnpsOfRpps(p.rpps)
    }
    if (p.phone !== undefined) practitionerSet.phone = p.phone
  }
  // The address fields are the home place's (places-service.ts): its commune is checked inside
  // the transaction, the account locked, and a bad one refuses the whole edit.
  const home: Parameters<typeof editHomePlace>[2] = {}
  if (p !== undefined && u.practitioner !== null) {
    if (p.address !== undefined) home.address = p.address
    if (p.postalCode !== undefined) home.postalCode = p.postalCode
    if (p.commune !== undefined) home.commune = p.commune
    if (p.structureId !== undefined) home.structureId = p.structureId
    // Checked here too, to answer every issue at once (the home place as read above).
    const place = u.places.find((x) => x.is_home === 1)
    if ((p.postalCode !== undefined || p.commune !== undefined) && place !== undefined) {
      const found = resolveCommune(p.postalCode ?? place.postal_code, p.commune ?? place.commune)
      if ('path' in found) issues.push(found)
    }
  }
  if (issues.length > 0) throw invalid(issues)
  // Unique among active accounts (a disabled one's may pass on): checked first to name the
  // field; the partial unique index catches two edits at once (accountConflict).
  if (typeof body.idnps === 'string' && u.disabled_at === null && await activeHolderOf(db, body.idnps, id)) throw idnpsTaken(body.idnps)

  try {
    await db.transaction().execute(async (trx) => {
      let homeColumns: string[] = []
      if (Object.keys(home).length > 0) {
        await lockAccounts(trx, [id])
        const edit = await editHomePlace(trx, id, home, now)
        if (edit.issues.length > 0) throw invalid(edit.issues)
        homeColumns = edit.columns
      }
      if (Object.keys(userSet).length > 0) await trx.updateTable('users').set(userSet).where('id', '=', id).execute()
      if (Object.keys(practitionerSet).length > 0) await trx.updateTable('practitioners').set(practitionerSet).where('user_id', '=', id).execute()
      // Which fields changed, not their values.
      const fields = [...Object.keys(userSet), ...[...Object.keys(practitionerSet), ...homeColumns].map((k) => `practitioner.${k}`)]
      await appendAudit(trx, { at: now, userId: actor.id, action: 'user.update', subjectType: 'user', subjectId: id, ip: actor.ip, detail: { fields } })
    })
  } catch (err) {
    throw accountConflict(err, body)
  }
  return await getUserView(db, id)
}

/** Whether an active account other than `self` has this IDNPS. */
async function activeHolderOf (db: Kysely<Database>, idnps: string, self: string): Promise<boolean> {
  const holder = await db.selectFrom('users').select('id')
    .where('idnps', '=', idnps).where('disabled_at', 'is', null).where('id', '!=', self).executeTakeFirst()
  return holder !== undefined
}

/**
 * Deactivates an account: it can no longer sign in, its sessions are deleted and its API tokens
 * revoked in the same transaction (a reactivation does not bring them back). An admin cannot
 * deactivate themselves, nor the last active admin: on PostgreSQL the active admins' rows are
 * locked first, so two admins deactivating each other at once cannot both succeed.
 */
export async function deactivateUser (db: Kysely<Database>, id: string, actor: Actor, now: Date): Promise<User> {
  if (id === actor.id) throw new AppError('CANNOT_DEACTIVATE_SELF', 'You cannot deactivate your own account', { details: [custom(['id'], 'self')] })
  const done = await db.transaction().execute(async (trx) => {
    const target = await trx.selectFrom('users').select(['role', 'disabled_at']).where('id', '=', id).executeTakeFirst()
    if (target === undefined) throw notFound('User')
    if (target.disabled_at !== null) return false
    if (target.role === 'admin') {
      let admins = trx.selectFrom('users').select('id').where('role', '=', 'admin').where('disabled_at', 'is', null).orderBy('id')
      if (isPostgres(trx)) admins = admins.forNoKeyUpdate()
      const active = await admins.execute()
      if (!active.some((a) => a.id === id)) return false
      if (active.length <= 1) throw new AppError('LAST_ADMIN', 'This is the last active admin account: it cannot be deactivated', { details: [custom(['id'], 'last admin')] })
    }
    const changed = await trx.updateTable('users').set({ disabled_at: now.toISOString() })
      .where('id', '=', id).where('disabled_at', 'is', null).executeTakeFirst()
    if (changed.numUpdatedRows === 0n) return false
    await appendAudit(trx, {
      at: now, userId: actor.id, action: 'user.deactivate', subjectType: 'user', subjectId: id, ip: actor.ip,
      detail: await endAccountAccess(trx, id, now)
    })
    return true
  })
  if (!done) throw new AppError('ACCOUNT_ALREADY_DEACTIVATED', 'This account is already deactivated', { details: [custom(['id'], 'already deactivated')] })
  return await getUserView(db, id)
}

/**
 * Reactivates an account: it may sign in again with its password (its old sessions and tokens
 * stay ended). Refused (IDNPS_TAKEN) while another active account holds its IDNPS, given on
 * since the deactivation.
 */
export async function reactivateUser (db: Kysely<Database>, id: string, actor: Actor, now: Date): Promise<User> {
  const target = await findUser(db, id)
  if (target?.idnps != null && target.disabled_at !== null && await activeHolderOf(db, target.idnps, id)) throw idnpsTaken(target.idnps)
  let done: boolean
  try {
    done = await db.transaction().execute(async (trx) => {
      const changed = await trx.updateTable('users').set({ disabled_at: null })
        .where('id', '=', id).where('disabled_at', 'is not', null).executeTakeFirst()
      if (changed.numUpdatedRows === 0n) return false
      await appendAudit(trx, { at: now, userId: actor.id, action: 'user.reactivate', subjectType: 'user', subjectId: id, ip: actor.ip })
      return true
    })
  } catch (err) {
    throw accountConflict(err, { idnps: target?.idnps ?? null })
  }
  if (!done) {
    if (await findUser(db, id) === undefined) throw notFound('User')
    throw new AppError('ACCOUNT_ALREADY_ACTIVE', 'This account is active already', { details: [custom(['id'], 'already active')] })
  }
  return await getUserView(db, id)
}

/**
 * What a deactivation ends, inside the caller's transaction: the account's sessions (deleted),
 * API tokens (revoked) and unused reset links. The caller then calls `app.credentialEnded()` so
 * that open sockets close at once. Shared by the admin's deactivation and the SAS's (INT_R02).
 */
export async function endAccountAccess (trx: Kysely<Database>, id: string, now: Date): Promise<{ sessions: number, tokens: number }> {
  const sessions = await trx.deleteFrom('sessions').where('user_id', '=', id).executeTakeFirst()
  const tokens = await trx.updateTable('api_tokens').set({ revoked_at: now.toISOString() })
    .where('user_id', '=', id).where('revoked_at', 'is', null).executeTakeFirst()
  await trx.deleteFrom('password_resets').where('user_id', '=', id).where('used_at', 'is', null).execute()
  return { sessions: Number(sessions.numDeletedRows), tokens: Number(tokens.numUpdatedRows) }
}
