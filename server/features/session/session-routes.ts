import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { SessionBody, TokenBody } from '../../../shared/schemas/accounts.js'
import { AppError } from '../../errors.js'
import { publicUrlFor } from '../../lib/public-url.js'
import { currentUser, SESSION_COOKIE, setSessionCookie } from '../../plugins/auth.js'
import { getUserView } from '../users/users-service.js'
import { createToken, revokeToken, signIn, signOut } from './session-service.js'
import pscRoutes from './psc-routes.js'

function loginKey (body: unknown): string {
  const email = (body as { email?: unknown } | null | undefined)?.email
  return typeof email === 'string' ? email.trim().toLowerCase() : ''
}

const routes: FastifyPluginAsyncZod = async (app) => {
  // Per address whatever the e-mail (password spraying), counted before the body is even read.
  const perAddress = app.createRateLimit({ max: app.config.loginAddressRateLimit, timeWindow: '1 minute', keyGenerator: (req) => `sign-in|${req.ip}` })

  app.post('/api/session', {
    schema: { tags: ['session'], summary: 'Sign in (sets the sid cookie)', body: SessionBody },
    onRequest: async (request) => {
      const count = await perAddress(request)
      if (!count.isAllowed && count.isExceeded) throw new AppError('RATE_LIMITED', 'Too many sign-in attempts from this address; try again in a minute.')
    },
    // Counted per address and e-mail, so colleagues behind one address are not locked out. The
    // body is parsed at preValidation (onRequest, the default, runs before there is a body);
    // the e-mail is folded as the schema does, so changing its case does not reset the count.
    config: { rateLimit: { max: app.config.loginRateLimit, timeWindow: '1 minute', hook: 'preValidation', keyGenerator: (req) => `${req.ip}|${loginKey(req.body)}` } }
  }, async (request, reply) => {
    const { sid, user, expiresAt } = await signIn(app.db, {
      ...request.body, now: app.clock.now(), ip: request.ip, sessionHours: app.config.sessionHours, pscRequiredRoles: app.config.psc?.requiredRoles ?? []
    })
    setSessionCookie(reply, sid, expiresAt, app.config.secureCookies)
    return { user: await getUserView(app.db, user.id) }
  })

  app.delete('/api/session', {
    schema: { tags: ['session'], summary: 'Sign out: revokes the session, or the bearer token the call is made with; a session opened through Pro Santé Connect answers 200 with `endSessionUrl`, where the browser ends PSC\'s session too' },
    onRequest: app.requireRole('admin', 'practitioner', 'regulator', 'board')
  }, async (request, reply) => {
    const user = currentUser(request)
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
    if (user.via === 'token' && bearer !== undefined) await revokeToken(app.db, bearer, user.id, app.clock.now(), request.ip)
    const sid = request.cookies[SESSION_COOKIE]
    const ended = sid === undefined ? { viaPsc: false } : await signOut(app.db, sid)
    app.credentialEnded()
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    if (ended.viaPsc && app.psc !== null) {
      const endSessionUrl = await app.psc.endSessionUrl(app.psc.settings.postLogoutUrl ?? publicUrlFor(app.config, request) + '/connexion').catch(() => null)
      if (endSessionUrl !== null) return reply.status(200).send({ endSessionUrl })
    }
    return reply.status(204).send()
  })

  app.get('/api/me', {
    schema: { tags: ['session'], summary: 'The signed-in user' },
    onRequest: app.requireRole('admin', 'practitioner', 'regulator', 'board')
  }, async (request) => ({ user: await getUserView(app.db, currentUser(request).id) }))

  app.post('/api/tokens', {
    schema: { tags: ['session'], summary: 'Create a bearer token for regulation software (shown once)', body: TokenBody },
    onRequest: app.requireRole('admin', 'practitioner', 'regulator', 'board')
  }, async (request, reply) => {
    const created = await createToken(app.db, currentUser(request), request.body.label, app.clock.now(), request.ip)
    return reply.status(201).send(created)
  })

  await app.register(pscRoutes)
}

export default routes
