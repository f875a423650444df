import type { Kysely } from 'kysely'
import type { Database, UserRow } from '../../../db/types.js'
import { newSecret, sha256 } from '../../lib/secrets.js'
import { appendAudit } from '../audit/audit-repository.js'
import { type PscClient, type PscIdentity, PscRefusal } from './psc-client.js'
import { openSession } from './session-service.js'

/** Time a browser has at PSC's sign-in page before the attempt is forgotten. */
const ATTEMPT_MINUTES = 10

/** Only a path of this site may follow sign-in (no open redirect through `?suite=`). */
export function safeReturnPath (path: unknown): string | null {
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return null
  if (path.length > 2000 || /[\r\n]/.test(path)) return null
  return path
}

/**
 * Starts a sign-in at PSC: a fresh state, nonce and PKCE verifier, kept server-side under the
 * sha256 of the state and tied to the browser by `browser` (a cookie of its own), then the
 * address of PSC's sign-in page. Attempts older than ATTEMPT_MINUTES are forgotten on the way.
 */
export async function startPscSignIn (db: Kysely<Database>, psc: PscClient, input: { now: Date, returnTo: string | null, redirectUri: string }):
Promise<{ url: string, browser: string }> {
  const oidc = psc.oidc
  const state = oidc.randomState()
  const nonce = oidc.randomNonce()
  const codeVerifier = oidc.randomPKCECodeVerifier()
  const url = await psc.authorizationUrl({ redirectUri: input.redirectUri, state, nonce, codeVerifier })
  const browser = newSecret()
  await db.deleteFrom('psc_logins').where('expires_at', '<=', input.now.toISOString()).execute()
  await db.insertInto('psc_logins').values({
    state_hash: sha256(state),
    browser_hash: sha256(browser),
    nonce,
    code_verifier: codeVerifier,
    redirect_uri: input.redirectUri,
    return_to: input.returnTo,
    created_at: input.now.toISOString(),
    expires_at: new Date(input.now.getTime() + ATTEMPT_MINUTES * 60_000).toISOString()
  }).execute()
  return { url: url.href, browser }
}

export interface PscSignedIn { sid: string, expiresAt: Date, user: UserRow, returnTo: string | null, linked: boolean }

/**
 * PSC's callback. The attempt is found by its state and the browser's cookie, and used up; PSC's
 * answer is checked (psc-client); the account is the active one whose IDNPS PSC returned. Only
 * then is anything written: the session, the account link on a first PSC sign-in, their audit.
 * Every refusal is audited (`session.psc_refused`, with its code and reason) and nothing else.
 */
export async function finishPscSignIn (db: Kysely<Database>, psc: PscClient, input: {
  query: URLSearchParams, browser: string | undefined, now: Date, ip: string, sessionHours: number
}): Promise<PscSignedIn> {
  let identity: PscIdentity | null = null
  try {
    const state = input.query.get('state')
    if (state === null || input.browser === undefined) throw new PscRefusal('PSC_CALLBACK_INVALID', state === null ? 'no state' : 'no attempt cookie')
    // Used up whatever follows: a callback is accepted once.
    const attempt = await db.deleteFrom('psc_logins')
      .where('state_hash', '=', sha256(state)).where('browser_hash', '=', sha256(input.browser))
      .returningAll().executeTakeFirst()
    if (attempt === undefined) throw new PscRefusal('PSC_CALLBACK_INVALID', 'unknown, used or foreign state')
    if (attempt.expires_at <= input.now.toISOString()) throw new PscRefusal('PSC_CALLBACK_INVALID', 'attempt expired')
    identity = await psc.finish(input.query.toString(), { redirectUri: attempt.redirect_uri, state, nonce: attempt.nonce, codeVerifier: attempt.code_verifier })
    const found = identity.idnps
    const accounts = await db.selectFrom('users').selectAll().where('idnps', '=', found).execute()
    const user = accounts.find((u) => u.disabled_at === null)
    if (user === undefined) {
      throw accounts.length > 0
        ? new PscRefusal('PSC_ACCOUNT_DISABLED', 'account deactivated')
        : new PscRefusal('PSC_ACCOUNT_UNKNOWN', 'no account with this IDNPS')
    }
    const id = identity
    return await db.transaction().execute(async (trx) => {
      const { sid, expiresAt } = await openSession(trx, { userId: user.id, now: input.now, ip: input.ip, sessionHours: input.sessionHours, viaPsc: true })
      // The first PSC sign-in of an account links it (once: the conditional update says who did it).
      const linked = await trx.updateTable('users').set({ psc_linked_at: input.now.toISOString() })
        .where('id', '=', user.id).where('psc_linked_at', 'is', null).executeTakeFirst()
      const isLink = Number(linked.numUpdatedRows) === 1
      if (isLink) {
        await appendAudit(trx, { at: input.now, userId: user.id, action: 'user.psc_link', subjectType: 'user', subjectId: user.id, ip: input.ip, detail: { idnps: id.idnps, sub: id.sub } })
      }
      await appendAudit(trx, { at: input.now, userId: user.id, action: 'session.sign_in', subjectType: 'user', subjectId: user.id, ip: input.ip, detail: { via: 'psc', acr: id.acr } })
      return { sid, expiresAt, user, returnTo: attempt.return_to, linked: isLink }
    })
  } catch (err) {
    if (!(err instanceof PscRefusal)) throw err
    await appendAudit(db, {
      at: input.now, userId: null, action: 'session.psc_refused', subjectType: 'user', subjectId: null, ip: input.ip,
      detail: { code: err.code, reason: err.reason, ...(identity === null ? {} : { idnps: identity.idnps }) }
    })
    throw err
  }
}
