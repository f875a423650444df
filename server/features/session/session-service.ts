import type { Kysely } from 'kysely'
import type { Database, UserRow } from '../../../db/types.js'
import { AppError } from '../../errors.js'
import { DUMMY_HASH_PROMISE, verifyPassword } from '../../lib/password.js'
import { newId, newSecret, sha256 } from '../../lib/secrets.js'
import { appendAudit } from '../audit/audit-repository.js'

/** Who is making a request, as every route sees it. */
export interface AuthUser {
  id: string
  email: string
  name: string
  role: UserRow['role']
  cptsId: string | null
  via: 'session' | 'token'
  /** The credential the request came with (its hash), so that an open socket can be checked against it later. */
  credential: Credential
}

/** A session cookie or a bearer token, by the sha256 stored for it: never the secret itself. */
export interface Credential { kind: 'session' | 'token', hash: string }

type UserPick = Pick<UserRow, 'id' | 'email' | 'name' | 'role' | 'cpts_id'>
const toAuthUser = (u: UserPick, credential: Credential): AuthUser =>
  ({ id: u.id, email: u.email, name: u.name, role: u.role, cptsId: u.cpts_id, via: credential.kind, credential })

const BAD_CREDENTIALS = 'Unknown e-mail or wrong password'

/**
 * Checks e-mail and password and opens a server-side session. An unknown e-mail and a wrong
 * password get the same answer after the same work, so neither reveals which accounts exist.
 */
export async function signIn (db: Kysely<Database>, input: { email: string, password: string, now: Date, ip: string, sessionHours: number, pscRequiredRoles?: readonly UserRow['role'][] }):
Promise<{ sid: string, user: UserRow, expiresAt: Date }> {
  const user = await db.selectFrom('users').selectAll()
    .where('email', '=', input.email).where('disabled_at', 'is', null).executeTakeFirst()
  const ok = await verifyPassword(input.password, user?.password_hash ?? await DUMMY_HASH_PROMISE)
  if (user === undefined || !ok) {
    await appendAudit(db, { at: input.now, userId: user?.id ?? null, action: 'session.sign_in_failed', subjectType: 'user', subjectId: user?.id ?? null, ip: input.ip })
    throw new AppError('UNAUTHENTICATED', BAD_CREDENTIALS)
  }
  // PSC_REQUIRED_ROLES: an account of such a role that has a national identifier signs in through
  // Pro Santé Connect only (told so after the right password, so nothing is revealed to others).
  if (user.idnps !== null && (input.pscRequiredRoles ?? []).includes(user.role)) {
    await appendAudit(db, { at: input.now, userId: user.id, action: 'session.sign_in_failed', subjectType: 'user', subjectId: user.id, ip: input.ip, detail: { code: 'PSC_REQUIRED' } })
    throw new AppError('PSC_REQUIRED', 'This account signs in with Pro Santé Connect')
  }
  return await db.transaction().execute(async (trx) => {
    const opened = await openSession(trx, { userId: user.id, now: input.now, ip: input.ip, sessionHours: input.sessionHours, viaPsc: false })
    await appendAudit(trx, { at: input.now, userId: user.id, action: 'session.sign_in', subjectType: 'user', subjectId: user.id, ip: input.ip })
    return { ...opened, user }
  })
}

/**
 * Opens a server-side session for an account (the caller audits it in the same transaction):
 * the one way every sign-in, by password or through Pro Santé Connect, gets its `sid`.
 */
export async function openSession (trx: Kysely<Database>, input: { userId: string, now: Date, ip: string, sessionHours: number, viaPsc: boolean }):
Promise<{ sid: string, expiresAt: Date }> {
  const sid = newSecret()
  const expiresAt = new Date(input.now.getTime() + input.sessionHours * 3600_000)
  await trx.insertInto('sessions').values({
    id_hash: sha256(sid), user_id: input.userId, created_at: input.now.toISOString(), expires_at: expiresAt.toISOString(), ip: input.ip, via_psc: input.viaPsc ? 1 : 0
  }).execute()
  return { sid, expiresAt }
}

/** Ends a session; says whether it had been opened through Pro Santé Connect (whose session then ends too). */
export async function signOut (db: Kysely<Database>, sid: string): Promise<{ viaPsc: boolean }> {
  const row = await db.deleteFrom('sessions').where('id_hash', '=', sha256(sid)).returning('via_psc').executeTakeFirst()
  return { viaPsc: row !== undefined && Number(row.via_psc) === 1 }
}

/** Revokes the bearer token a caller signs out with (it answers 401 from then on); audited. */
export async function revokeToken (db: Kysely<Database>, token: string, userId: string, now: Date, ip: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx.updateTable('api_tokens').set({ revoked_at: now.toISOString() })
      .where('token_hash', '=', sha256(token)).where('user_id', '=', userId).where('revoked_at', 'is', null)
      .returning('id').executeTakeFirst()
    if (row !== undefined) await appendAudit(trx, { at: now, userId, action: 'token.revoke', subjectType: 'api_token', subjectId: row.id, ip })
  })
}

/** Resolves a `sid` cookie to its user, or null when unknown, expired or disabled. */
export async function userFromSession (db: Kysely<Database>, sid: string, now: Date): Promise<AuthUser | null> {
  return await userFromCredential(db, { kind: 'session', hash: sha256(sid) }, now)
}

/** Resolves a bearer token to its user, or null when unknown or revoked. */
export async function userFromToken (db: Kysely<Database>, token: string, now: Date): Promise<AuthUser | null> {
  return await userFromCredential(db, { kind: 'token', hash: sha256(token) }, now)
}

/**
 * The user a credential stands for right now, or null once it has ended: signed out, expired,
 * revoked, or its account disabled. Open sockets are checked with this before every command.
 */
export async function userFromCredential (db: Kysely<Database>, credential: Credential, now: Date): Promise<AuthUser | null> {
  const found = await usersOfCredentials(db, [credential], now)
  const user = found.get(credential.hash)
  return user === undefined ? null : toAuthUser(user, credential)
}

// Hashes per IN list: far under SQLite's (and PostgreSQL's) limit on bound parameters.
const HASH_CHUNK = 500

/** The users of the credentials that are still valid, by credential hash (one query per kind and chunk). */
export async function usersOfCredentials (db: Kysely<Database>, credentials: readonly Credential[], now: Date): Promise<Map<string, UserPick>> {
  const found = new Map<string, UserPick>()
  const columns = ['users.id', 'users.email', 'users.name', 'users.role', 'users.cpts_id'] as const
  for (const kind of ['session', 'token'] as const) {
    const hashes = [...new Set(credentials.filter((c) => c.kind === kind).map((c) => c.hash))]
    for (let i = 0; i < hashes.length; i += HASH_CHUNK) {
      const chunk = hashes.slice(i, i + HASH_CHUNK)
      const rows = kind === 'session'
        ? await db.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id')
          .select([...columns, 'sessions.id_hash as hash'])
          .where('sessions.id_hash', 'in', chunk)
          .where('sessions.expires_at', '>', now.toISOString())
          .where('users.disabled_at', 'is', null)
          .execute()
        : await db.selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id')
          .select([...columns, 'api_tokens.token_hash as hash'])
          .where('api_tokens.token_hash', 'in', chunk)
          .where('api_tokens.revoked_at', 'is', null)
          .where('users.disabled_at', 'is', null)
          .execute()
      for (const { hash, ...user } of rows) found.set(hash, user)
    }
  }
  return found
}

/** Creates a bearer token for regulation software; the secret is returned once, only its hash kept. */
export async function createToken (db: Kysely<Database>, user: AuthUser, label: string, now: Date, ip: string):
Promise<{ id: string, label: string, token: string, createdAt: string }> {
  const token = newSecret('crx_')
  const id = newId()
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('api_tokens').values({
      id, user_id: user.id, label, token_hash: sha256(token), created_at: now.toISOString(), last_used_at: null, revoked_at: null
    }).execute()
    await appendAudit(trx, { at: now, userId: user.id, action: 'token.create', subjectType: 'api_token', subjectId: id, ip, detail: { label } })
  })
  return { id, label, token, createdAt: now.toISOString() }
}
