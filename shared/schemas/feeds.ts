import { z } from 'zod'
import { IsoDateTime } from './common.js'

/** A practitioner's calendar-feed addresses (`GET /api/feed`, `POST /api/feed/rotate`). */
export const FeedUrls = z.object({
  /** Booked slots (and cancelled bookings, so that calendars remove them). */
  url: z.string(),
  /** The same with free slots too (`?free=1`). */
  urlWithFree: z.string(),
  /** When this address was created: rotating gives a new one. */
  createdAt: IsoDateTime,
  /** How often calendar clients are asked to refresh, in minutes. */
  refreshMinutes: z.number().int()
})
export type FeedUrls = z.infer<typeof FeedUrls>

/** `GET /feeds/<token>.ics?free=1`: also the free slots. */
export const FeedQuery = z.object({
  free: z.enum(['0', '1', 'true', 'false']).optional()
})
export type FeedQuery = z.infer<typeof FeedQuery>
