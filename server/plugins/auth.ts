import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify'
import type { Role } from '../../shared/schemas/accounts.js'
import { AppError } from '../errors.js'
import { openidClient, PscClient } from '../features/session/psc-client.js'
import { type AuthUser, userFromSession, userFromToken } from '../features/session/session-service.js'

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | null
  }
  interface FastifyInstance {
    /** Route hook (onRequest, so before body validation): 401 when anonymous, 403 when the role is not one of `roles`. */
    requireRole: (...roles: Role[]) => onRequestAsyncHookHandler
    /** Say that a session or token has just ended (sign-out, revocation, account change): open sockets are checked again. */
    credentialEnded: () => void
    /** Be told when `credentialEnded()` is called. */
    onCredentialEnded: (listener: () => void) => void
    /** The Pro Santé Connect client, or null when PSC is not configured. */
    psc: PscClient | null
  }
}

export const SESSION_COOKIE = 'sid'

/**
 * Sets the session cookie of a sign-in, by password or through PSC alike. `SameSite=Lax`, not
 * Strict: a regulator arrives from the SAS platform (another site) by a link, and back from PSC by
 * a redirect; a Strict cookie would not come along on those top-level navigations, so an open
 * session would look absent. Lax still withholds it from other sites' POST, PUT, DELETE and
 * subresources, and request-guards refuses state changes from another Origin (docs/security.md).
 */
export function setSessionCookie (reply: FastifyReply, sid: string, expiresAt: Date, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, sid, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires: expiresAt })
}

/** Reads who is calling from the `sid` cookie or an `Authorization: Bearer` header. */
export async function authenticate (request: FastifyRequest): Promise<AuthUser | null> {
  const app = request.server
  const header = request.headers.authorization
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(header)
    return m?.[1] === undefined ? null : await userFromToken(app.db, m[1], app.clock.now())
  }
  const sid = request.cookies[SESSION_COOKIE]
  return sid === undefined || sid === '' ? null : await userFromSession(app.db, sid, app.clock.now())
}

/** The signed-in user of a route guarded by `requireRole`. */
export function currentUser (request: FastifyRequest): AuthUser {
  /* c8 ignore next */
  if (request.user === null) throw new AppError('UNAUTHENTICATED', 'Sign in first')
  return request.user
}

export default fp(async (app) => {
  const ended = new Set<() => void>()
  app.decorate('onCredentialEnded', (listener: () => void) => { ended.add(listener) })
  app.decorate('credentialEnded', () => { for (const l of ended) l() })
  // With PSC configured, openid-client is loaded here, at start, not in the first sign-in.
  app.decorate('psc', app.config.psc === null ? null : new PscClient(app.config.psc, await openidClient()))
  app.decorateRequest('user', null)
  app.addHook('onRequest', async (request) => {
    // Static assets are public and frequent: no database look-up for them.
    if (request.url.startsWith('/assets/')) return
    request.user = await authenticate(request)
  })
  app.decorate('requireRole', (...roles: Role[]) => async (request: FastifyRequest, _reply: FastifyReply) => {
    if (request.user === null) throw new AppError('UNAUTHENTICATED', 'Sign in first: session cookie or bearer token required')
    if (!roles.includes(request.user.role)) {
      throw new AppError('FORBIDDEN', `This requires the role ${roles.join(' or ')}; you are ${request.user.role}`)
    }
  })
}, { name: 'auth', dependencies: ['context'] })
