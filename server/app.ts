import type { ServerOptions as HttpsOptions } from 'node:https'
import type { ServerOptions as HttpServerOptions } from 'node:http'
import type { Socket } from 'node:net'
import Fastify, { type FastifyInstance, type FastifyServerFactory, type FastifyServerOptions } from 'fastify'
import cookie from '@fastify/cookie'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import fastifyStatic from '@fastify/static'
import swagger from '@fastify/swagger'
import websocket from '@fastify/websocket'
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import type { Db } from '../db/connection.js'
import { isPostgres } from '../db/dialect.js'
import type { Clock } from './clock.js'
import type { Config } from './config.js'
import context from './plugins/context.js'
import errors from './plugins/errors.js'
import auth from './plugins/auth.js'
import requestGuards from './plugins/request-guards.js'
import livePlugin from './features/live/live-plugin.js'
import retentionPlugin from './features/retention/retention-plugin.js'
import auditRoutes from './features/audit/audit-routes.js'
import patientsRoutes from './features/patients/patients-routes.js'
import sessionRoutes from './features/session/session-routes.js'
import cptsRoutes from './features/cpts/cpts-routes.js'
import usersRoutes from './features/users/users-routes.js'
import placesRoutes from './features/places/places-routes.js'
import pagesRoutes from './features/pages/pages-routes.js'
import slotsPlugin from './features/slots/slots-plugin.js'
import deliveriesPlugin from './features/deliveries/deliveries-plugin.js'
import slotsRoutes from './features/slots/slots-routes.js'
import liveRoutes from './features/live/live-routes.js'
import callsRoutes from './features/calls/calls-routes.js'
import waitingListPlugin from './features/waiting-list/waiting-list-plugin.js'
import waitingListRoutes from './features/waiting-list/waiting-list-routes.js'
import communesRoutes from './features/communes/communes-routes.js'
import reportsRoutes from './features/reports/reports-routes.js'
import boardRoutes from './features/reports/board-routes.js'
import importRoutes from './features/season-import/import-routes.js'
import feedsRoutes from './features/feeds/feeds-routes.js'
import fhirPlugin from './features/fhir/fhir-plugin.js'
import opsPlugin from './features/ops/ops-plugin.js'
import { withFeedTokensRedacted } from './features/feeds/feed-log.js'
import { sharedRateLimitStore } from './features/rate-limits/rate-limit-store.js'
import { createHttpsListener } from './features/fhir/tls.js'

export interface AppOptions {
  config: Config
  db: Db
  clock: Clock
  logger?: FastifyServerOptions['logger']
  /** Serve https (asking for client certificates when `FHIR_TLS_PORT` is unset: mTLS for the SAS platform); see `httpsOptions`. */
  https?: HttpsOptions
}

/** Node checks its request timeouts every 30 s by default: a shorter timeout needs a shorter check. */
function requestTimeouts (requestTimeoutMs: number): HttpServerOptions {
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout: Math.min(60_000, requestTimeoutMs),
    connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(requestTimeoutMs / 4)))
  }
}

/** An https server in place of Fastify's http one (same request types, TLS socket underneath). */
function httpsFactory (options: HttpsOptions | undefined, requestTimeoutMs: number): FastifyServerFactory | undefined {
  // Fastify passes its http options only to the servers it creates itself.
  return options === undefined ? undefined : (handler) => createHttpsListener({ ...options, ...requestTimeouts(requestTimeoutMs) }, handler)
}

/** Closes a new connection at once when its address already has `max` open (0 = no cap, e.g. behind a proxy). */
function limitConnectionsPerAddress (app: FastifyInstance, max: number): void {
  if (max === 0) return
  const open = new Map<string, number>()
  app.server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? ''
    const n = (open.get(address) ?? 0) + 1
    if (n > max) { socket.destroy(); return }
    open.set(address, n)
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1
      if (left === 0) open.delete(address); else open.set(address, left)
    })
  })
}

/** Builds the whole server (API, websocket, pages) without listening: tests inject into it. */
export async function buildApp (opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // Request URLs are logged: a calendar-feed URL carries its secret, which is masked.
    logger: withFeedTokensRedacted(opts.logger ?? false),
    // Small for every JSON route; the season import (admin only, checked before its body is read) sets its own.
    bodyLimit: opts.config.bodyLimitBytes,
    // A request must arrive whole within this time: a body sent a byte at a time does not hold a connection for ever.
    requestTimeout: opts.config.requestTimeoutMs,
    http: requestTimeouts(opts.config.requestTimeoutMs),
    serverFactory: httpsFactory(opts.https, opts.config.requestTimeoutMs)
  })
  limitConnectionsPerAddress(app, opts.config.maxConnectionsPerAddress)
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)

  await app.register(context, { db: opts.db, clock: opts.clock, config: opts.config })
  await app.register(errors)
  await app.register(requestGuards)
  await app.register(cookie)
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        upgradeInsecureRequests: opts.config.secureCookies ? [] : null
      }
    },
    hsts: opts.config.secureCookies
  })
  // Several instances on PostgreSQL share their counts through the database; SQLite (one server) counts in memory.
  await app.register(rateLimit, { global: false, ...(isPostgres(opts.db) ? { store: sharedRateLimitStore(opts.db, opts.clock) } : {}) })
  await app.register(swagger, {
    openapi: {
      info: { title: 'Créneaux API', version: '1', description: 'Public contract v1 of Créneaux (see README).' },
      components: {
        securitySchemes: {
          cookie: { type: 'apiKey', in: 'cookie', name: 'sid' },
          bearer: { type: 'http', scheme: 'bearer' }
        }
      }
    },
    transform: jsonSchemaTransform
  })
  await app.register(auth)
  // No compression: frames are small and each is serialised once for every socket.
  await app.register(websocket, {
    options: { maxPayload: 64 * 1024, perMessageDeflate: false },
    // A client's protocol error (a bad or oversized frame) is its problem: one line, no stack.
    errorHandler: (err, socket, request) => {
      request.log.warn(`live socket closed: ${err.message}`)
      socket.terminate()
    }
  })
  await app.register(slotsPlugin)
  // The waiting list (issue 25): its matcher joins every slot change's transaction.
  await app.register(waitingListPlugin)
  await app.register(livePlugin)
  // E-mail notices and appointments to the SAS platform, from the event log, off the request path.
  await app.register(deliveriesPlugin)
  // Patient data erased PATIENT_DATA_MONTHS after their slot, at start and daily.
  await app.register(retentionPlugin)
  // Health probes, metrics and the drain on SIGTERM (README "Operating Créneaux").
  await app.register(opsPlugin)

  await app.register(sessionRoutes)
  await app.register(cptsRoutes)
  await app.register(usersRoutes)
  await app.register(placesRoutes)
  await app.register(slotsRoutes)
  await app.register(liveRoutes)
  await app.register(callsRoutes)
  await app.register(waitingListRoutes)
  await app.register(communesRoutes)
  await app.register(reportsRoutes)
  await app.register(boardRoutes)
  await app.register(importRoutes)
  await app.register(feedsRoutes)
  await app.register(fhirPlugin)
  await app.register(auditRoutes)
  await app.register(patientsRoutes)
  await app.register(pagesRoutes)

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  await app.register(fastifyStatic, { root: opts.config.webDir, prefix: '/assets/', maxAge: '1h' })
  return app
}
