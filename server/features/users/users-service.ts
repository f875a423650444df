import { idnpsOfRpps } from '../../../shared/rpps.js'
import { uniqueViolation } from '../../../db/errors.js'
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { CreateUserBody, User } from '../../../shared/schemas/accounts.js'
import { AppError, invalid, notFound, type Issue } from '../../errors.js'
import { matchCommune } from '../../lib/communes.js'
import { hashPassword } from '../../lib/password.js'
import { newId } from '../../lib/secrets.js'
import { appendAudit } from '../audit/audit-repository.js'
import { findCpts } from '../cpts/cpts-repository.js'
import { insertHomePlace } from '../places/home-place.js'
import { toPlace } from '../places/places-repository.js'
import { findUser, listUsers, type UserWithProfile } from './users-repository.js'

/**
 * An account as the API shows it. A practitioner's address fields are their home place's; their
 * `cptsIds` their memberships, the home CPTS first; another account's, its CPTS if it has one.
 */
export function toUserView (u: UserWithProfile): User {
  const cptsIds = u.practitioner === null
    ? (u.cpts_id === null ? [] : [u.cpts_id])
    : [...u.memberships].sort((a, b) => Number(b === u.cpts_id) - Number(a === u.cpts_id))
  const view: User = { id: u.id, email: u.email, name: u.name, role: u.role, cptsId: u.cpts_id, cptsIds, createdAt: u.created_at }
  if (u.practitioner !== null) {
    const p = u.practitioner
    const home = u.places.find((place) => place.is_home === 1)
    const address = home === undefined
      ? { address: p.address, postalCode: p.postal_code, commune: p.commune, communeCode: p.commune_code, structureId: p.structure_id }
      : { address: home.address, postalCode: home.postal_code, commune: home.commune, communeCode: home.commune_code, structureId: home.structure_id }
    const { structureId, ...rest } = address
    view.practitioner = { rpps: p.rpps, profession: p.profession, ...rest, phone: p.phone, places: u.places.map(toPlace) }
    if (structureId !== null) view.practitioner.structureId = structureId
  }
  if (u.sas_id !== null) view.sasId = u.sas_id
  if (u.idnps !== null) view.idnps = u.idnps
  if (u.disabled_at !== null) view.disabledAt = u.disabled_at
  return view
}

export async function getUserView (db: Kysely<Database>, id: string): Promise<User> {
  const u = await findUser(db, id)
  if (u === undefined) throw notFound('User')
  return toUserView(u)
}

export async function listUserViews (db: Kysely<Database>): Promise<User[]> {
  return (await listUsers(db)).map(toUserView)
}

/**
 * Creates an account. Checks that need the database or the commune list run before any
 * write, and the writes share one transaction: a refused request leaves nothing behind.
 */
export async function createUser (db: Kysely<Database>, body: CreateUserBody, actor: { id: string | null, ip: string | null }, now: Date): Promise<User> {
  const issues: Issue[] = []
  if (body.cptsId !== undefined && await findCpts(db, body.cptsId) === undefined) {
    issues.push({ code: 'custom', path: ['cptsId'], message: `unknown CPTS ${body.cptsId}` })
  }
  const otherCpts = body.cptsIds ?? []
  for (const [i, cptsId] of otherCpts.entries()) {
    if (await findCpts(db, cptsId) === undefined) issues.push({ code: 'custom', path: ['cptsIds', i], message: `unknown CPTS ${cptsId}` })
  }
  let communeCode = ''
  let communeName = ''
  if (body.practitioner !== undefined) {
    const found = resolveCommune(body.practitioner.postalCode, body.practitioner.commune)
    if ('path' in found) {
      issues.push(found)
    } else {
      communeCode = found.code
      communeName = found.name
    }
  }
  if (issues.length > 0) throw invalid(issues)

  const id = newId()
  const passwordHash = await hashPassword(body.password)
  try {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('users').values({
        id, email: body.email, name: body.name, role: body.role, password_hash: passwordHash,
        cpts_id: body.cptsId ?? null, created_at: now.toISOString(), disabled_at: null, sas_id: body.sasId ?? null,
        idnps: body.practitioner === undefined ? null : idnpsOfRpps(body.practitioner.rpps)
      }).execute()
      if (body.practitioner !== undefined) {
        const p = body.practitioner
        await trx.insertInto('practitioners').values({
          user_id: id, rpps: p.rpps, profession: p.profession, address: p.address, postal_code: p.postalCode,
          commune: communeName, commune_code: communeCode, phone: p.phone,
          structure_id: p.structureId ?? null
        }).execute()
        await insertHomePlace(trx, id, {
          address: p.address, postalCode: p.postalCode, commune: communeName, communeCode, structureId: p.structureId ?? null
        }, body.cptsId ?? null, now.toISOString())
        if (otherCpts.length > 0) {
          await trx.insertInto('cpts_memberships')
            .values(otherCpts.map((cptsId) => ({ practitioner_id: id, cpts_id: cptsId, created_at: now.toISOString() }))).execute()
        }
      }
      const detail = otherCpts.length > 0 ? { role: body.role, cptsIds: otherCpts } : { role: body.role }
      await appendAudit(trx, { at: now, userId: actor.id, action: 'user.create', subjectType: 'user', subjectId: id, ip: actor.ip, detail })
    })
  } catch (err) {
    throw accountConflict(err, body)
  }
  return await getUserView(db, id)
}

/** A duplicate e-mail, RPPS or IDNPS as a 409 naming its field (both engines); any other error as it is. */
export function accountConflict (err: unknown, body: { email?: string, practitioner?: { rpps?: string }, idnps?: string | null }): unknown {
  const column = uniqueViolation(err)
  if (column === 'users.idnps' && typeof body.idnps === 'string') return idnpsTaken(body.idnps)
  if (column === 'users.email') {
    return new AppError('EMAIL_TAKEN', `An account with the e-mail ${body.email ?? ''} exists already`, { details: [{ code: 'custom', path: ['email'], message: 'this e-mail is already used' }] })
  }
  if (column === 'practitioners.rpps' || column === 'users.idnps') {
    return new AppError('RPPS_TAKEN', `A practitioner with the RPPS ${body.practitioner?.rpps ?? ''} exists already`, { details: [{ code: 'custom', path: ['practitioner', 'rpps'], message: 'this RPPS is already registered' }] })
  }
  return err
}

/** An IDNPS another active account holds (`users_idnps_active`, migration 0014): a 409 on `idnps`. */
export const idnpsTaken = (idnps: string): AppError =>
  new AppError('IDNPS_TAKEN', `Another active account has the IDNPS ${idnps}`, { details: [{ code: 'custom', path: ['idnps'], message: 'this IDNPS is held by another active account' }] })

/**
 * The commune of a practice address checked against the official list, or the issue to report
 * (its path under `prefix`: `practitioner` in an account's body, nothing in a place's).
 */
export function resolveCommune (postalCode: string, commune: string, prefix: PropertyKey[] = ['practitioner']): { code: string, name: string } | Issue {
  const m = matchCommune(postalCode, commune)
  if (m.ok) return { code: m.commune.code, name: m.commune.name }
  if (m.reason === 'unknown_postal_code') return { code: 'custom', path: [...prefix, 'postalCode'], message: `no French commune has the postal code ${postalCode}` }
  return { code: 'custom', path: [...prefix, 'commune'], message: `${commune} is not served by ${postalCode}; expected one of: ${m.candidates.join(', ')}`, communes: m.candidates }
}
