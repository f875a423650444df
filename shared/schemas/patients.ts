import { z } from 'zod'
import { BirthDate, Id, LineText } from './common.js'
import { BookingStatus, HasTreatingGp, SlotKind, SlotMode } from './slots.js'

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

/** `POST /api/admin/patients/search`: the patient's bookings, by slot start (oldest first). */
export const PatientBookings = z.object({ bookings: z.array(PatientBooking) })
export type PatientBookings = z.infer<typeof PatientBookings>

export const PATIENT_EXPORT_FORMATS = ['json', 'csv'] as const
/** `POST /api/admin/patients/export`: the right of access, as a file. */
export const PatientExportBody = PatientLookup.extend({ format: z.enum(PATIENT_EXPORT_FORMATS) })
export type PatientExportBody = z.infer<typeof PatientExportBody>

/** The JSON file of a right of access. */
export const PatientExport = z.object({
  exportedAt: z.string(),
  patient: z.object({ lastName: z.string(), firstName: z.string().nullable(), birthDate: z.string() }),
  bookings: z.array(PatientBooking)
})
export type PatientExport = z.infer<typeof PatientExport>

/**
 * `POST /api/admin/patients/erase`: the right to erasure, for the bookings the admin was shown
 * (every one must still be a booking of this patient, else 409 and nothing is erased).
 */
export const PatientEraseBody = PatientLookup.extend({ bookingIds: z.array(Id).min(1).max(500) })
export type PatientEraseBody = z.infer<typeof PatientEraseBody>

export const PatientErasure = z.object({ erased: z.number().int(), bookingIds: z.array(Id) })
export type PatientErasure = z.infer<typeof PatientErasure>
