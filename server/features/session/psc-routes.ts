import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { HOME_PAGE } from '../../../shared/pages.js'
import { PSC_CALLBACK_PATH } from '../../config.js'
import { publicUrlFor } from '../../lib/public-url.js'
import { AppError } from '../../errors.js'
import { setSessionCookie } from '../../plugins/auth.js'
import { PscRefusal } from './psc-client.js'
import { finishPscSignIn, safeReturnPath, startPscSignIn } from './psc-service.js'

/** The path of the sign-in start: `?suite=` is the page to open once signed in. */
export const PSC_START_PATH = '/connexion/psc'
/** The cookie that ties a PSC attempt to the browser that started it. */
const ATTEMPT_COOKIE = 'psc_attempt'

/** Back to /connexion with the refusal's code: the page shows its French sentence. */
const refused = (reply: FastifyReply, code: string): FastifyReply =>
  reply.header('cache-control', 'no-store').redirect(`/connexion?psc=${encodeURIComponent(code)}`)

/**
 * Pro Santé Connect sign-in (README, "Sign in with Pro Santé Connect"): the start, which sends the
 * browser to PSC, and the callback PSC sends it back to. Both are browser navigations: they answer
 * redirects, a refusal to /connexion?psc=<code>. Absent when PSC is not configured.
 */
const routes: FastifyPluginAsync = async (app) => {
  const psc = app.psc
  if (psc === null) return
  const callbackPath = psc.settings.redirectUrl === null ? PSC_CALLBACK_PATH : new URL(psc.settings.redirectUrl).pathname
  const attemptCookie = { path: callbackPath, httpOnly: true, sameSite: 'lax', secure: app.config.secureCookies } as const

  app.get(PSC_START_PATH, {
    schema: { hide: true },
    // Each start writes an attempt: counted per address like password sign-ins.
    config: { rateLimit: { max: app.config.loginAddressRateLimit, timeWindow: '1 minute', keyGenerator: (req) => `psc-start|${req.ip}` } }
  }, async (request, reply) => {
    const returnTo = safeReturnPath((request.query as Record<string, unknown>).suite)
    try {
      const redirectUri = psc.settings.redirectUrl ?? publicUrlFor(app.config, request) + PSC_CALLBACK_PATH
      const { url, browser } = await startPscSignIn(app.db, psc, { now: app.clock.now(), returnTo, redirectUri })
      // Lax: PSC sends the browser back by a cross-site redirect, which a Strict cookie would not follow.
      reply.setCookie(ATTEMPT_COOKIE, browser, { ...attemptCookie, maxAge: 600 })
      return reply.header('cache-control', 'no-store').redirect(url)
    } catch (err) {
      if (err instanceof PscRefusal) {
        request.log.warn(`Pro Santé Connect: ${err.reason}`)
        return refused(reply, err.code)
      }
      throw err
    }
  })

  app.get(callbackPath, { schema: { hide: true } }, async (request, reply) => {
    const query = new URLSearchParams(request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '')
    reply.clearCookie(ATTEMPT_COOKIE, attemptCookie)
    try {
      const done = await finishPscSignIn(app.db, psc, {
        query, browser: request.cookies[ATTEMPT_COOKIE], now: app.clock.now(), ip: request.ip, sessionHours: app.config.sessionHours
      })
      setSessionCookie(reply, done.sid, done.expiresAt, app.config.secureCookies)
      return reply.header('cache-control', 'no-store').redirect(done.returnTo ?? HOME_PAGE[done.user.role])
    } catch (err) {
      if (err instanceof AppError && err.code.startsWith('PSC_')) {
        request.log.warn(`Pro Santé Connect sign-in refused: ${err.code} ${err instanceof PscRefusal ? err.reason : ''}`)
        return refused(reply, err.code)
      }
      throw err
    }
  })
}

export default routes
