import { z } from 'zod'
import { Id } from './common.js'
import { BookingBody, type EventType, type Slot } from './slots.js'

/** Commands a client sends on `/api/live`. */
export const LiveCommand = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hold'), requestId: z.string().min(1).max(100), slotId: Id }),
  z.object({ type: z.literal('release'), requestId: z.string().min(1).max(100), slotId: Id }),
  z.object({ type: z.literal('book'), requestId: z.string().min(1).max(100), slotId: Id, booking: BookingBody }),
  z.object({ type: z.literal('cancel'), requestId: z.string().min(1).max(100), bookingId: Id, reason: z.string().trim().min(1).max(500) })
])
export type LiveCommand = z.infer<typeof LiveCommand>

export interface LiveError { statusCode: number, code: string, message: string, details?: unknown }

/** Frames the server sends on `/api/live`. */
export type LiveMessage =
  | { type: 'snapshot', seq: number, slots: Slot[] }
  | { type: 'event', seq: number, event: EventType, slot: Slot }
  | { type: 'reply', requestId: string, ok: true, result: unknown }
  | { type: 'reply', requestId: string, ok: false, error: LiveError }
  | { type: 'error', error: LiveError }
