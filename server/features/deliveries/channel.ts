import type { BookingChange } from './booking-change.js'

/**
 * One way out of the delivery queue (e-mail, the SAS platform). `build` is pure and runs when
 * the event is read: its result is stored as the delivery's payload (JSON, never patient data)
 * and handed to `send`, once per attempt, until it resolves.
 */
export interface DeliveryChannel<P = unknown> {
  readonly name: string
  /**
   * What to send about this change, or null when this channel has nothing to say about it.
   * Throwing a DeliveryError with `retry: false` records the delivery as given up at once (it
   * can never be sent, and the `deliveries` table says why); any other throw skips the event.
   */
  build (change: BookingChange): P | null
  /** Sends one payload. Throw a DeliveryError with `retry: false` for a refusal a retry cannot fix; anything else is retried. */
  send (payload: P): Promise<void>
  /** Frees sockets and agents when the server closes. */
  close (): Promise<void> | void
}

/** A failed send: `retry` false when sending again cannot succeed (a 4xx, a rejected address). */
export class DeliveryError extends Error {
  readonly retry: boolean
  constructor (message: string, retry: boolean) {
    super(message)
    this.name = 'DeliveryError'
    this.retry = retry
  }
}
