import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { RawData } from 'ws'
import { z } from 'zod'
import { errorStatus, type ErrorCode } from '../../../shared/errors.js'
import { LIVE_CLOSE, LiveCommand, type LiveError } from '../../../shared/schemas/live.js'
import { AppError } from '../../errors.js'
import { TokenBucket } from '../../lib/token-bucket.js'
import { currentUser } from '../../plugins/auth.js'
import { actorFor } from '../session/actor.js'
import { closeSocket } from './close-socket.js'
import type { LiveClient } from './live-hub.js'

// Refused frames in a row (over the rate) after which the socket is closed as a flood.
const FLOOD_REFUSALS = 200

// An empty or absent `since` means a fresh snapshot; `?since=` must not replay the whole log.
const LiveQuery = z.object({ since: z.union([z.literal('').transform(() => undefined), z.string().regex(/^\d{1,15}$/, 'since is a sequence number').transform(Number)]).optional() })

/** An error frame's error: a code of shared/errors.ts with its status, as the HTTP routes answer it. */
function liveError (code: ErrorCode, message: string, details?: unknown): LiveError {
  return { statusCode: errorStatus(code), code, message, ...(details !== undefined ? { details } : {}) }
}

function toLiveError (err: unknown): LiveError {
  if (err instanceof AppError) return liveError(err.code, err.message, err.details)
  return liveError('INTERNAL', 'Internal server error')
}

/**
 * `GET /api/live`: a snapshot (or the events after `?since=N`), then every event in seq order;
 * commands hold / release / book / cancel go to the same service as the HTTP routes.
 */
const routes: FastifyPluginAsyncZod = async (app) => {
  app.get('/api/live', {
    websocket: true,
    schema: { tags: ['live booking'], summary: 'Live slots over a websocket (see README)', querystring: LiveQuery },
    onRequest: app.requireRole('regulator', 'practitioner', 'admin')
  }, (socket, request) => {
    const user = currentUser(request)
    // What the socket's handlers keep of its upgrade request: not the request itself (with its
    // headers, raw message and reply), which would stay in memory for the life of the socket.
    const ip = request.ip
    const log = request.log
    const since = request.query.since
    const client: LiveClient = { socket, userId: user.id, role: user.role, credential: user.credential, lastSeq: 0, ready: false }
    const rate = app.config.liveCommandsPerSecond
    const bucket = new TokenBucket(rate, rate * 2)
    let refusedInRow = 0

    async function handle (data: RawData): Promise<void> {
      // Closing for a drain: not run, not answered; the page sends it again after LIVE_CLOSE.draining.
      if (client.draining === true) return
      client.inFlight = (client.inFlight ?? 0) + 1
      try {
        await run(data)
      } finally {
        client.inFlight = (client.inFlight ?? 1) - 1
      }
    }

    async function run (data: RawData): Promise<void> {
      if (!bucket.take()) {
        // Refused before parsing: a flood costs as little as possible to everyone else.
        if (++refusedInRow >= FLOOD_REFUSALS) closeSocket(socket, LIVE_CLOSE.flood, 'too many commands')
        else app.liveHub.reply(client, { type: 'error', error: liveError('RATE_LIMITED', `more than ${rate} commands per second: slow down`) })
        return
      }
      refusedInRow = 0
      let raw: unknown
      try {
        raw = JSON.parse(data.toString())
      } catch {
        app.liveHub.reply(client, { type: 'error', error: liveError('VALIDATION', 'frame is not JSON') })
        return
      }
      const parsed = LiveCommand.safeParse(raw)
      if (!parsed.success) {
        const requestId = (raw as { requestId?: unknown } | null)?.requestId
        const error = liveError('VALIDATION', 'malformed command', parsed.error.issues)
        app.liveHub.reply(client, typeof requestId === 'string' ? { type: 'reply', requestId, ok: false, error } : { type: 'error', error })
        return
      }
      const cmd = parsed.data
      // Authorised against the credential as it is now, not as it was at the upgrade.
      const now = await app.liveCredentials.current(client)
      if (now === null) {
        app.liveHub.reply(client, { type: 'reply', requestId: cmd.requestId, ok: false, error: liveError('UNAUTHENTICATED', 'the session or token of this socket has ended: sign in again') })
        app.liveCredentials.end(client)
        return
      }
      const actor = actorFor(now, ip)
      try {
        let result: unknown
        switch (cmd.type) {
          case 'hold': result = await app.slots.holds.hold(actor, cmd.slotId); break
          case 'release': result = await app.slots.holds.release(actor, cmd.slotId); break
          case 'book': result = (await app.slots.bookings.book(actor, cmd.slotId, cmd.booking)).booking; break
          case 'cancel': result = await app.slots.bookings.cancel(actor, cmd.bookingId, cmd.reason); break
        }
        app.liveHub.reply(client, { type: 'reply', requestId: cmd.requestId, ok: true, result })
      } catch (err) {
        if (!(err instanceof AppError)) log.error({ err }, 'live command failed')
        app.liveHub.reply(client, { type: 'reply', requestId: cmd.requestId, ok: false, error: toLiveError(err) })
      }
    }

    // Listeners first, before any await, so that no early frame is lost. A command sent at
    // once is handled after the snapshot (or replay) is out: the server's first frame is always it.
    let attached: Promise<void> = Promise.resolve()
    socket.on('message', (data) => { void attached.then(async () => { await handle(data) }) })
    socket.on('close', () => app.liveHub.detach(client))
    socket.on('error', () => app.liveHub.detach(client))
    if (app.liveHub.socketsOf(user.id) >= app.config.liveMaxSocketsPerAccount) {
      closeSocket(socket, LIVE_CLOSE.tooManySockets, 'too many sockets for this account')
      return
    }
    attached = app.liveHub.attach(client, since).catch((err: unknown) => {
      log.error({ err }, 'live attach failed')
      socket.close(1011, 'internal error')
    })
  })
}

export default routes
