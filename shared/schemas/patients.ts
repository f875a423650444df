import { z } from 'zod'
import { BirthDate, Id, LineText } from './common.js'
import { BookingStatus, HasTreatingGp, SlotKind, SlotMode } from './slots.js'
import { RequestPlace, RequestStatus } from './waiting-list.js'

/**
 * One patient, as the admin names them to answer their rights (access, erasure): last name and
 * birth date, and the first name to tell apart two patients sharing both. Names are compared
 * with case, accents, hyphens and spaces ignored. Sent in a POST body, never in a URL (URLs are
 * logged).
 */
export const PatientLookup = z.object({
  lastName: LineText(100),
  firstName: LineText(100).optional(),
  birthDate: BirthDate
})
export type PatientLookup = z.infer<typeof PatientLookup>

/** One booking of the patient with its slot, everything the instance holds about it. */
export const PatientBooking = z.object({
  id: Id,
  status: BookingStatus,
  patient: z.object({ lastName: z.string(), firstName: z.string().nullable(), birthDate: z.string().nullable(), phone: z.string().nullable() }),
  reason: z.string().nullable(),
  hasTreatingGp: HasTreatingGp,
  bookedAt: z.string(),
  /** Null for imported history. */
  bookedBy: z.object({ id: Id, name: z.string() }).nullable(),
  cancelledAt: z.string().nullable(),
  cancelReason: z.string().nullable(),
  outcomeAt: z.string().nullable(),
  slot: z.object({
    id: Id,
    start: z.string(),
    end: z.string(),
    kind: SlotKind,
    mode: SlotMode,
    practitioner: z.object({ id: Id, name: z.string() }),
    cpts: z.object({ id: Id, name: z.string() })
  })
})
export type PatientBooking = z.infer<typeof PatientBooking>

/**
 * One waiting-list request of the patient (issue 25), everything the instance holds about it:
 * when and where it was made, what it asked for, how it ended, and the patient's own data
 * (identity, callback phone, reason, the reason it was withdrawn).
 */
export const PatientRequest = z.object({
  id: Id,
  status: RequestStatus,
  createdAt: z.string(),
  /** The regulator who made it; null once their account is gone. */
  createdBy: z.object({ id: Id, name: z.string() }).nullable(),
  /** The CPTS it was made for, when named. */
  cpts: z.object({ id: Id, name: z.string() }).nullable(),
  callId: Id.nullable(),
  place: RequestPlace,
  kind: SlotKind,
  modes: z.array(SlotMode),
  /** The end of its window: a matching slot had to start before it. */
  notAfter: z.string(),
  hasTreatingGp: HasTreatingGp,
  patient: z.object({ lastName: z.string(), firstName: z.string().nullable(), birthDate: z.string().nullable(), phone: z.string().nullable() }),
  reason: z.string().nullable(),
  /** When it was booked, withdrawn or expired (null while open). */
  endedAt: z.string().nullable(),
  /** Why it was withdrawn. */
  endReason: z.string().nullable(),
  /** The booking made from it (status booked). */
  bookingId: Id.nullable()
})
export type PatientRequest = z.infer<typeof PatientRequest>

/**
 * `POST /api/admin/patients/search`: the patient's bookings, by slot start (oldest first), and
 * their waiting-list requests, by the time they were made.
 */
export const PatientBookings = z.object({ bookings: z.array(PatientBooking), requests: z.array(PatientRequest) })
export type PatientBookings = z.infer<typeof PatientBookings>

export const PATIENT_EXPORT_FORMATS = ['json', 'csv'] as const
/** `POST /api/admin/patients/export`: the right of access, as a file. */
export const PatientExportBody = PatientLookup.extend({ format: z.enum(PATIENT_EXPORT_FORMATS) })
export type PatientExportBody = z.infer<typeof PatientExportBody>

/** The JSON file of a right of access. */
export const PatientExport = z.object({
  exportedAt: z.string(),
  patient: z.object({ lastName: z.string(), firstName: z.string().nullable(), birthDate: z.string() }),
  bookings: z.array(PatientBooking),
  requests: z.array(PatientRequest)
})
export type PatientExport = z.infer<typeof PatientExport>

/**
 * `POST /api/admin/patients/erase`: the right to erasure, for the bookings and waiting-list
 * requests the admin was shown (every one must still be this patient's, else 409 and nothing is
 * erased). At least one of either.
 */
export const PatientEraseBody = PatientLookup.extend({
  bookingIds: z.array(Id).max(500).default([]),
  requestIds: z.array(Id).max(500).default([])
}).refine((b) => b.bookingIds.length + b.requestIds.length > 0, { path: ['bookingIds'], message: 'nothing to erase' })
export type PatientEraseBody = z.infer<typeof PatientEraseBody>

export const PatientErasure = z.object({
  /** Bookings erased. */
  erased: z.number().int(),
  bookingIds: z.array(Id),
  /** Waiting-list requests erased. */
  requestsErased: z.number().int(),
  requestIds: z.array(Id),
  /** Those of them that were still open, now ended as withdrawn. */
  requestsEnded: z.array(Id)
})
export type PatientErasure = z.infer<typeof PatientErasure>
