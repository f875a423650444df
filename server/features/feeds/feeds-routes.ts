import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { FeedQuery, FeedUrls } from '../../../shared/schemas/feeds.js'
import { notFound } from '../../errors.js'
import { sha256 } from '../../lib/secrets.js'
import { currentUser } from '../../plugins/auth.js'
import { actorOf } from '../session/actor.js'
import { feedUrls, matchesEtag, renderFeed, rotateFeed, type FeedDeps } from './feed-service.js'
import { publicUrlFor } from '../../lib/public-url.js'

/** The rate-limit bucket of a feed request: its token's hash (the limiter's store never holds the secret). */
function feedRateKey (request: FastifyRequest): string {
  const { token } = request.params as { token?: unknown }
  return 'feed:' + sha256(typeof token === 'string' ? token : '')
}

/**
 * Calendar feed (iCal): a practitioner reads and rotates their secret address; calendar
 * clients fetch `/feeds/<token>.ics` with no other credential, so that address is the secret.
 */
const routes: FastifyPluginAsyncZod = async (app) => {
  const deps = (request: FastifyRequest): FeedDeps => ({ db: app.db, publicUrl: publicUrlFor(app.config, request) })
  const practitioner = (request: Parameters<typeof actorOf>[0]) => ({ ...actorOf(request), cptsId: currentUser(request).cptsId })

  app.get('/api/feed', {
    schema: { tags: ['calendar feed'], summary: 'Your calendar-feed addresses (created on first use)', response: { 200: FeedUrls } },
    onRequest: app.requireRole('practitioner')
  }, async (request) => await feedUrls(deps(request), practitioner(request), app.clock.now()))

  app.post('/api/feed/rotate', {
    schema: { tags: ['calendar feed'], summary: 'Replace your feed address: the old one answers 404 at once', response: { 200: FeedUrls } },
    onRequest: app.requireRole('practitioner')
  }, async (request) => await rotateFeed(deps(request), practitioner(request), app.clock.now()))

  app.get('/feeds/:token.ics', {
    schema: {
      tags: ['calendar feed'],
      summary: 'iCalendar feed of a practitioner (the token is the credential); ?free=1 adds free slots',
      params: z.object({ token: z.string() }),
      querystring: FeedQuery,
      produces: ['text/calendar']
    },
    // Counted per feed, not per client IP: Google Calendar fetches everyone's feeds from a few
    // shared addresses. Clients poll every 15 minutes; a token (32 random bytes) is not guessed.
    config: { rateLimit: { max: app.config.feedRateLimit, timeWindow: '1 minute', keyGenerator: feedRateKey } }
  }, async (request, reply) => {
    const free = request.query.free === '1' || request.query.free === 'true'
    const feed = await renderFeed(deps(request), request.params.token, free, app.clock.now())
    if (feed === null) throw notFound('Feed')
    reply.header('cache-control', 'private, max-age=300')
      .header('etag', feed.etag)
      .header('x-robots-tag', 'noindex')
    if (matchesEtag(request.headers['if-none-match'], feed.etag)) return await reply.status(304).send()
    return await reply.type('text/calendar; charset=utf-8').send(feed.body)
  })
}

export default routes
