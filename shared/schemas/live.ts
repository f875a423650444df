import { z } from 'zod'
import type { ErrorCode } from '../errors.js'
import { FreeText, Id } from './common.js'
import { BookingBody, type EventType, type Slot } from './slots.js'
import type { RequestEventType, WaitingRequest } from './waiting-list.js'

/** Commands a client sends on `/api/live`. */
export const LiveCommand = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hold'), requestId: z.string().min(1).max(100), slotId: Id }),
  z.object({ type: z.literal('release'), requestId: z.string().min(1).max(100), slotId: Id }),
  z.object({ type: z.literal('book'), requestId: z.string().min(1).max(100), slotId: Id, booking: BookingBody }),
  z.object({ type: z.literal('cancel'), requestId: z.string().min(1).max(100), bookingId: Id, reason: FreeText(500, 1) })
])
export type LiveCommand = z.infer<typeof LiveCommand>

/** A refused command or frame: a code of shared/errors.ts with its status, as the HTTP routes answer it. */
export interface LiveError { statusCode: number, code: ErrorCode, message: string, details?: unknown }

/** Frames the server sends on `/api/live`. */
export type LiveMessage =
  /** `requests`: the open waiting-list requests, to regulators only (no patient data). */
  | { type: 'snapshot', seq: number, slots: Slot[], requests?: WaitingRequest[] }
  | { type: 'event', seq: number, event: EventType, slot: Slot }
  /** A waiting-list request's change, to regulators only: the request without patient data and the slot it names. */
  | { type: 'event', seq: number, event: RequestEventType, request: WaitingRequest, slotId: string | null }
  /** A seq whose event is not for this socket (a request's, to a practitioner): the seq goes on, gapless. */
  | { type: 'skip', seq: number }
  | { type: 'reply', requestId: string, ok: true, result: unknown }
  | { type: 'reply', requestId: string, ok: false, error: LiveError }
  | { type: 'error', error: LiveError }

/**
 * Close codes of `/api/live` (4000–4999 are the application's), with what the page shows.
 * 4000 is the client's own (a gap: it reconnects with `?since=`).
 */
export const LIVE_CLOSE = {
  /** The credential the socket was opened with has ended (sign-out, expiry, revocation, account disabled or its role changed). */
  credentialEnded: 4401,
  /** The account has too many sockets open already. */
  tooManySockets: 4429,
  /** The socket sent far more commands than allowed. */
  flood: 4408,
  /** The upgrade came from a page of another site. */
  foreignOrigin: 4403,
  /**
   * The server is shutting down (a drain, README "Operating Créneaux"): reconnect at once, with
   * `?since=` (the load balancer sends the page to another instance), and send again the commands
   * left unanswered: the server answered every command it ran before this close, and runs none after.
   */
  draining: 4503
} as const

/** The French sentence a page shows for a close code of LIVE_CLOSE (null: an ordinary disconnection). */
export function liveCloseMessage (code: number): string | null {
  switch (code) {
    case LIVE_CLOSE.credentialEnded: return 'Votre session a pris fin : reconnectez-vous pour continuer.'
    case LIVE_CLOSE.tooManySockets: return 'Trop de fenêtres ouvertes avec ce compte : fermez-en une, puis rechargez la page.'
    case LIVE_CLOSE.flood: return 'Trop de demandes envoyées en peu de temps : la connexion a été coupée. Rechargez la page.'
    case LIVE_CLOSE.foreignOrigin: return 'Connexion refusée : cette page ne provient pas de Créneaux.'
    default: return null
  }
}
