import { z } from 'zod'
import { BirthDate, FreeText, Id, IsoDateTime, LineText, LocalDate, NameText, LocalTime } from './common.js'
import { Phone, Profession } from './accounts.js'
import { Place } from './places.js'

export const SLOT_KINDS = ['snp', 'psy'] as const
export const SlotKind = z.enum(SLOT_KINDS)
export type SlotKind = z.infer<typeof SlotKind>

export const SLOT_MODES = ['office', 'video', 'home'] as const
export const SlotMode = z.enum(SLOT_MODES)
export type SlotMode = z.infer<typeof SlotMode>

export const SLOT_STATUSES = ['free', 'held', 'booked', 'withdrawn'] as const
export const SlotStatus = z.enum(SLOT_STATUSES)
export type SlotStatus = z.infer<typeof SlotStatus>

export const HAS_TREATING_GP = ['yes', 'no', 'unknown'] as const
export const HasTreatingGp = z.enum(HAS_TREATING_GP)
export type HasTreatingGp = z.infer<typeof HasTreatingGp>

export const BOOKING_STATUSES = ['booked', 'cancelled', 'honored', 'no_show'] as const
export const BookingStatus = z.enum(BOOKING_STATUSES)
export type BookingStatus = z.infer<typeof BookingStatus>

/**
 * Where a slot is and to whom it is offered, when published: one of the practitioner's active
 * places (default: the home place) and CPTS among their memberships, all in one time zone
 * (default: the home CPTS). The slot's own CPTS is the home CPTS when among them, else the first.
 */
const SlotOfferBody = {
  placeId: Id.optional(),
  cptsIds: z.array(Id).min(1).max(10).optional()
}

export const CreateSlotBody = z.object({
  start: IsoDateTime,
  end: IsoDateTime,
  kind: SlotKind,
  mode: SlotMode,
  /** Admin only: whose slot it is. */
  practitionerId: Id.optional(),
  ...SlotOfferBody
})
export type CreateSlotBody = z.infer<typeof CreateSlotBody>

/** The lengths a slot is published with on /praticien (the API takes any 5–240 minutes). */
export const SLOT_DURATIONS = [10, 15, 20, 30, 45, 60] as const

export const CreateSeriesBody = z.object({
  from: LocalDate,
  to: LocalDate,
  weekdays: z.array(z.number().int().min(1).max(7)).min(1).max(7),
  startTime: LocalTime,
  slotMinutes: z.number().int(),
  count: z.number().int(),
  kind: SlotKind,
  mode: SlotMode,
  practitionerId: Id.optional(),
  /** Compute and return what would be created, without writing anything (the form's preview). */
  dryRun: z.boolean().optional(),
  /** Leave out the public holidays of the place's département (skipped: `public_holiday`). */
  skipHolidays: z.boolean().optional(),
  ...SlotOfferBody
})
export type CreateSeriesBody = z.infer<typeof CreateSeriesBody>

const csv = <T extends z.ZodType<unknown, string>>(item: T) => z.string().transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x !== '')).pipe(z.array(item))

export const SlotQuery = z.object({
  from: z.union([IsoDateTime, LocalDate]).optional(),
  to: z.union([IsoDateTime, LocalDate]).optional(),
  status: csv(SlotStatus).optional(),
  kind: SlotKind.optional(),
  mode: SlotMode.optional(),
  cptsId: Id.optional(),
  practitionerId: Id.optional()
})
export type SlotQuery = z.infer<typeof SlotQuery>

/**
 * Who publishes a slot. The address fields are those of the slot's place (`Slot.place`), kept
 * here while the pages move to `Slot.place`.
 */
export const SlotPractitioner = z.object({
  id: Id,
  name: z.string(),
  profession: Profession,
  rpps: z.string(),
  address: z.string(),
  postalCode: z.string(),
  commune: z.string(),
  phone: z.string(),
  /** Where the practice is, for ranking slots near the patient: INSEE code, EPCI, département. */
  communeCode: z.string(),
  epci: z.string().nullable(),
  departement: z.string()
})
export type SlotPractitioner = z.infer<typeof SlotPractitioner>

/** Where a slot is: one of its practitioner's places (an office slot is seen there). */
export const SlotPlace = Place.pick({ id: true, label: true, address: true, postalCode: true, commune: true, communeCode: true }).extend({
  /** For ranking slots near the patient, with communeCode: EPCI, département. */
  epci: z.string().nullable(),
  departement: z.string()
})
export type SlotPlace = z.infer<typeof SlotPlace>

export const Slot = z.object({
  id: Id,
  /** The slot's own CPTS (its zone, the territory's figures). */
  cptsId: Id,
  /** Every CPTS the slot is offered to: its own first, then the others by id. */
  cptsIds: z.array(Id).min(1),
  practitioner: SlotPractitioner,
  place: SlotPlace,
  start: z.string(),
  end: z.string(),
  kind: SlotKind,
  mode: SlotMode,
  status: SlotStatus,
  hold: z.object({ by: z.enum(['me', 'other']), expiresAt: z.string() }).optional(),
  bookingId: Id.optional(),
  /** The series the slot was published in (POST /api/slots/series); absent for a slot published alone. */
  seriesId: Id.optional()
})
export type SeriesResult = z.infer<typeof SeriesResult>
export type Slot = z.infer<typeof Slot>

/**
 * Withdraw several slots of one practitioner in one action: a whole series, the slots of one
 * local date, or one date of a series. Only slots not yet started; booked ones are kept.
 */
export const WithdrawManyBody = z.object({
  seriesId: Id.optional(),
  /** Local date of the CPTS. */
  date: LocalDate.optional(),
  /** Admin only: whose slots. */
  practitionerId: Id.optional()
}).refine((b) => b.seriesId !== undefined || b.date !== undefined, { path: ['seriesId'], message: 'name a series, a date, or both' })
export type WithdrawManyBody = z.infer<typeof WithdrawManyBody>

export const Patient = z.object({
  lastName: NameText(100),
  firstName: NameText(100),
  birthDate: BirthDate,
  phone: Phone
})
export type Patient = z.infer<typeof Patient>

export const BookingBody = z.object({
  patient: Patient,
  reason: FreeText(500).optional(),
  hasTreatingGp: HasTreatingGp,
  idempotencyKey: z.string().min(1).max(100).optional()
})
export type BookingBody = z.infer<typeof BookingBody>

/**
 * A booking as the API answers it (the response schema of the booking routes: what it lists is
 * what leaves). Its texts are plain strings, not the request's checks: a patient erased in part,
 * or a booking of the imported history (no booker: `bookedBy` is `{id: '', name: 'Import'}`),
 * is still answered.
 */
export const Booking = z.object({
  id: Id,
  slotId: Id,
  status: BookingStatus,
  patient: z.object({ lastName: z.string(), firstName: z.string(), birthDate: z.string(), phone: z.string() }).optional(),
  reason: z.string().nullable(),
  hasTreatingGp: HasTreatingGp,
  bookedBy: z.object({ id: z.string(), name: z.string() }),
  bookedAt: z.string(),
  cancelledAt: z.string().optional(),
  cancelReason: z.string().optional(),
  outcomeAt: z.string().optional(),
  /** The slot booked, for lists (no patient data in it). */
  slot: z.object({ start: z.string(), end: z.string(), kind: SlotKind, mode: SlotMode, practitionerId: Id, practitionerName: z.string(), cptsId: Id }).optional(),
  /** Found by a call-back search: the patient's commune as the booking's call recorded it (a move ranks slots by it). */
  patientCommune: z.object({
    code: z.string(), name: z.string(), departement: z.string(), postalCodes: z.array(z.string()), epci: z.string().nullable(),
    territory: z.enum(['cpts', 'departement', 'outside'])
  }).optional()
})
export type Booking = z.infer<typeof Booking>

/** Why one slot of a series was not published (server/features/slots/slot-times.ts, and the overlap and holiday checks). */
export const SKIP_REASONS = ['nonexistent_local_time', 'in_the_past', 'too_far_ahead', 'overlaps_previous', 'overlap', 'public_holiday'] as const

/** The answer of POST /api/slots/series. */
export const SeriesResult = z.object({
  created: z.array(Slot),
  /** With dryRun: the slots that would be created. */
  preview: z.array(z.object({ start: z.string(), end: z.string() })).optional(),
  skipped: z.array(z.object({ start: z.string(), reason: z.enum(SKIP_REASONS) })),
  /** The public holidays of the practitioner's département from `from` to `to`. */
  holidays: z.array(z.object({ date: z.string(), name: z.string() })),
  /** The id the created slots carry as `seriesId` (absent with dryRun). */
  seriesId: Id.optional()
})

/** The answer of POST /api/slots/withdrawals: the slots withdrawn, and the booked ones kept. */
export const WithdrawManyResult = z.object({ withdrawn: z.array(Slot), kept: z.array(Slot) })
export type WithdrawManyResult = z.infer<typeof WithdrawManyResult>

/** The answer of POST /api/slots/:id/hold. */
export const HoldResult = z.object({ slot: Slot, expiresAt: z.string() })

/** The answer of POST /api/bookings/:id/move: the new booking and the old one, cancelled. */
export const MoveResult = z.object({ booking: Booking, previous: Booking })

export const CancelBody = z.object({ reason: FreeText(500, 1) })
export const OutcomeBody = z.object({ outcome: z.enum(['honored', 'no_show']) })

/**
 * Finding a live booking when a patient calls back: its reference (the first characters of its
 * id, as read out), the patient's names and/or birth date (JJ/MM/AAAA or YYYY-MM-DD), in one text.
 */
export const BookingSearchQuery = z.object({ q: LineText(100, 2) })

/** Moving a booking to another slot (held first by the regulator, or free). */
export const MoveBody = z.object({ slotId: Id, reason: FreeText(500).optional() })
export type MoveBody = z.infer<typeof MoveBody>

export const BookingQuery = z.object({
  from: z.union([IsoDateTime, LocalDate]).optional(),
  to: z.union([IsoDateTime, LocalDate]).optional()
})

export const CALL_OUTCOMES = ['booked', 'redirected_treating_gp', 'emergency', 'advice', 'no_slot', 'other'] as const
export const CallOutcome = z.enum(CALL_OUTCOMES)
export type CallOutcome = z.infer<typeof CallOutcome>

export const CallBody = z.object({
  outcome: CallOutcome,
  kind: SlotKind,
  hasTreatingGp: HasTreatingGp,
  bookingId: Id.optional(),
  /** INSEE code of the patient's commune, when known (unmet demand by place). */
  communeCode: z.string().regex(/^[0-9AB]{5}$/).optional(),
  cptsId: Id.optional()
}).refine((c) => c.outcome !== 'booked' || c.bookingId !== undefined, { path: ['bookingId'], message: 'a booked call names its booking' })
export type CallBody = z.infer<typeof CallBody>

export const Call = z.object({
  id: Id, at: z.string(), outcome: CallOutcome, kind: SlotKind, hasTreatingGp: HasTreatingGp,
  bookingId: Id.nullable(), communeCode: z.string().nullable(), cptsId: Id.nullable()
})
export type Call = z.infer<typeof Call>

export const EVENT_TYPES = ['slot.published', 'slot.withdrawn', 'slot.held', 'slot.released', 'slot.booked', 'booking.cancelled', 'booking.outcome'] as const
export type EventType = (typeof EVENT_TYPES)[number]
