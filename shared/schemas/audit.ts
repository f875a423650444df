import { z } from 'zod'
import { Id, LineText, LocalDate } from './common.js'

/** Filters of the audit journal (`GET /api/audit`, `GET /api/audit.csv`); all optional. */
export const AuditQuery = z.object({
  /** Who did it (an account id). */
  userId: Id.optional(),
  /** Exact action, e.g. `booking.read`. */
  action: z.string().trim().min(1).max(64).regex(/^[a-z_]+(\.[a-z_]+)*$/, 'an action such as booking.read').optional(),
  /** Entries about this booking. */
  bookingId: Id.optional(),
  /** Entries about the bookings of a patient: last name (case and accents ignored), and birth date if given. */
  patientName: LineText(100).optional(),
  patientBirthDate: LocalDate.optional(),
  /** Period, as local dates of Europe/Paris, both included. */
  from: LocalDate.optional(),
  to: LocalDate.optional(),
  /** Paging: entries older than this id (the `next` of the previous page). */
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50)
}).refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { path: ['to'], message: 'the period ends before it starts' })
  .refine((q) => q.patientBirthDate === undefined || q.patientName !== undefined, { path: ['patientBirthDate'], message: 'a birth date goes with a patient name' })
export type AuditQuery = z.infer<typeof AuditQuery>

export const AuditEntry = z.object({
  id: z.number().int(),
  /** The instant, in Europe/Paris with its offset. */
  at: z.string(),
  user: z.object({ id: Id, name: z.string(), email: z.string(), role: z.string() }).nullable(),
  action: z.string(),
  subjectType: z.string(),
  subjectId: z.string().nullable(),
  ip: z.string().nullable(),
  detail: z.unknown().nullable()
})
export type AuditEntry = z.infer<typeof AuditEntry>

/** One page of the journal, newest first; `next` is the `before` of the following page, null at the end. */
export const AuditPage = z.object({ entries: z.array(AuditEntry), next: z.number().int().nullable() })
export type AuditPage = z.infer<typeof AuditPage>
