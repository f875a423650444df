/**
 * Password resets by one-time link. An admin asks for one (no mail needed: the link is shown
 * to them once, to pass on by a safe channel); the account's holder opens it and chooses a new
 * password. The link lives RESET_LINK_HOURS, a newer one replaces it, and it works once: the
 * conditional UPDATE that spends it is the only way to use it.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { PasswordResetLink } from '../../../shared/schemas/accounts.js'
import { AppError, notFound } from '../../errors.js'
import { hashPassword } from '../../lib/password.js'
import { newSecret, sha256 } from '../../lib/secrets.js'
import { appendAudit } from '../audit/audit-repository.js'
import type { Actor } from '../session/actor.js'

export const RESET_LINK_HOURS = 24

/**
 * The link's secret travels in the fragment (`#…`), which browsers never send to the server:
 * it cannot end up in an access log or a Referer header.
 */
export const resetUrl = (publicUrl: string, token: string): string => `${publicUrl}/connexion#reinitialisation=${token}`

/** A new one-time link for account `id` (previous unused ones stop working). Refused for a deactivated account. */
export async function createPasswordReset (db: Kysely<Database>, id: string, actor: Actor, now: Date, publicUrl: string): Promise<PasswordResetLink> {
  const token = newSecret()
  const expiresAt = new Date(now.getTime() + RESET_LINK_HOURS * 3600_000).toISOString()
  await db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom('users').select('disabled_at').where('id', '=', id).executeTakeFirst()
    if (user === undefined) throw notFound('User')
    if (user.disabled_at !== null) {
      throw new AppError('ACCOUNT_DEACTIVATED', 'This account is deactivated: reactivate it first', { details: [{ code: 'custom', path: ['id'], message: 'deactivated' }] })
    }
    await trx.deleteFrom('password_resets').where('user_id', '=', id).where('used_at', 'is', null).execute()
    await trx.insertInto('password_resets').values({
      token_hash: sha256(token), user_id: id, created_by: actor.id, created_at: now.toISOString(), expires_at: expiresAt, used_at: null
    }).execute()
    await appendAudit(trx, { at: now, userId: actor.id, action: 'user.password_reset', subjectType: 'user', subjectId: id, ip: actor.ip, detail: { expiresAt } })
  })
  return { url: resetUrl(publicUrl, token), expiresAt }
}

/**
 * Whether a link can still be spent (unknown, used, expired, replaced, or its account
 * deactivated: no), so that the page opened from it says so at once instead of offering a form
 * that can only fail. Read-only: it spends nothing.
 */
export async function passwordResetIsValid (db: Kysely<Database>, token: string, now: Date): Promise<boolean> {
  const row = await db.selectFrom('password_resets').innerJoin('users', 'users.id', 'password_resets.user_id')
    .select('password_resets.user_id')
    .where('password_resets.token_hash', '=', sha256(token)).where('password_resets.used_at', 'is', null)
    .where('password_resets.expires_at', '>', now.toISOString()).where('users.disabled_at', 'is', null)
    .executeTakeFirst()
  return row !== undefined
}

/**
 * Spends a link: sets the new password and ends the account's sessions, in one transaction.
 * An unknown, used or expired link, or one of a deactivated account, changes nothing (400).
 */
export async function usePasswordReset (db: Kysely<Database>, token: string, password: string, now: Date, ip: string): Promise<void> {
  const passwordHash = await hashPassword(password)
  const nowIso = now.toISOString()
  const userId = await db.transaction().execute(async (trx) => {
    const spent = await trx.updateTable('password_resets').set({ used_at: nowIso })
      .where('token_hash', '=', sha256(token)).where('used_at', 'is', null).where('expires_at', '>', nowIso)
      .where('user_id', 'in', (eb) => eb.selectFrom('users').select('id').where('disabled_at', 'is', null))
      .returning('user_id').executeTakeFirst()
    if (spent === undefined) return null
    await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', spent.user_id).execute()
    await trx.deleteFrom('sessions').where('user_id', '=', spent.user_id).execute()
    await appendAudit(trx, { at: now, userId: spent.user_id, action: 'user.password_reset_used', subjectType: 'user', subjectId: spent.user_id, ip })
    return spent.user_id
  })
  if (userId === null) {
    throw new AppError('RESET_LINK_INVALID', 'This reset link is unknown, already used or expired: ask the admin for a new one',
      { details: [{ code: 'custom', path: ['token'], message: 'unknown, used or expired reset link' }] })
  }
}
