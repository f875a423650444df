import { z } from 'zod'
import { FreeText, Id, LocalDate } from './common.js'
import { HasTreatingGp, Patient, SlotKind, SlotMode } from './slots.js'

/**
 * The waiting list (issue 25): a call that found no slot leaves a request, recovered when a
 * matching slot opens. One source of truth for the routes' bodies and answers and the live
 * frames. The patient's identity, callback phone and reason appear in `WaitingRequestDetail`
 * only (regulators, audited); lists and events carry none of them.
 */

export const REQUEST_STATUSES = ['open', 'booked', 'withdrawn', 'expired'] as const
export const RequestStatus = z.enum(REQUEST_STATUSES)
export type RequestStatus = z.infer<typeof RequestStatus>

/** Longest window a request may ask for, in days after today. */
export const MAX_WAIT_DAYS = 14

const CommuneCode = z.string().regex(/^[0-9AB]{5}$/, 'an INSEE commune code, 5 characters')

export const CreateRequestBody = z.object({
  /** The call that found no slot (`POST /api/calls` with outcome `no_slot`), when logged first. */
  callId: Id.optional(),
  cptsId: Id.optional(),
  communeCode: CommuneCode,
  kind: SlotKind,
  /** Modes the patient accepts, at least one. */
  modes: z.array(SlotMode).min(1).max(3).refine((m) => new Set(m).size === m.length, { message: 'each mode once' }),
  /** The last local day (territory's zone) the patient can wait to: today, tomorrow, … */
  until: LocalDate,
  patient: Patient,
  reason: FreeText(500).optional(),
  hasTreatingGp: HasTreatingGp
})
export type CreateRequestBody = z.infer<typeof CreateRequestBody>

const csv = <T extends z.ZodType<unknown, string>>(item: T) => z.string().transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x !== '')).pipe(z.array(item))

export const RequestQuery = z.object({
  /** Default: open. */
  status: csv(RequestStatus).optional(),
  kind: SlotKind.optional(),
  communeCode: CommuneCode.optional()
})
export type RequestQuery = z.infer<typeof RequestQuery>

export const ClaimBody = z.object({
  /** The matching slot to hold for the claimer in the same transaction. */
  slotId: Id.optional()
})
export type ClaimBody = z.infer<typeof ClaimBody>

export const RequestBookingBody = z.object({
  slotId: Id,
  idempotencyKey: z.string().min(1).max(100).optional()
})
export type RequestBookingBody = z.infer<typeof RequestBookingBody>

export const WithdrawRequestBody = z.object({ reason: FreeText(500, 1) })
export type WithdrawRequestBody = z.infer<typeof WithdrawRequestBody>

/** Where the patient is (from the commune's code): what the geography ranking compares. */
export const RequestPlace = z.object({ communeCode: z.string(), commune: z.string(), epci: z.string().nullable(), departement: z.string() })
export type RequestPlace = z.infer<typeof RequestPlace>

/** A request without patient data, as lists and live events show it to regulators. */
export const WaitingRequest = z.object({
  id: Id,
  cptsId: Id.nullable(),
  callId: Id.nullable(),
  createdAt: z.string(),
  place: RequestPlace,
  kind: SlotKind,
  modes: z.array(SlotMode),
  /** The end of the window: a matching slot starts before it. */
  notAfter: z.string(),
  hasTreatingGp: HasTreatingGp,
  status: RequestStatus,
  /** A live claim: who handles it (me or another regulator), until when, with which slot held. */
  claim: z.object({ by: z.enum(['me', 'other']), expiresAt: z.string(), slotId: Id.nullable() }).optional(),
  endedAt: z.string().nullable(),
  bookingId: Id.nullable()
})
export type WaitingRequest = z.infer<typeof WaitingRequest>

/** One request with its patient (regulators only; every read is audited). */
export const WaitingRequestDetail = WaitingRequest.extend({
  patient: z.object({ lastName: z.string(), firstName: z.string(), birthDate: z.string(), phone: z.string() }).nullable(),
  reason: z.string().nullable(),
  endReason: z.string().nullable()
})
export type WaitingRequestDetail = z.infer<typeof WaitingRequestDetail>

/** An open request with the free slots that answer it now, best first (0 same commune … 3 elsewhere). */
export const ListedRequest = WaitingRequest.extend({ matches: z.array(z.object({ slotId: Id, rank: z.number().int() })) })
export type ListedRequest = z.infer<typeof ListedRequest>

/** The list as of `seq`: a page applies the live events after it. */
export const RequestList = z.object({ seq: z.number().int(), requests: z.array(ListedRequest) })
export type RequestList = z.infer<typeof RequestList>

export const ClaimResult = z.object({ request: WaitingRequestDetail, expiresAt: z.string() })
export type ClaimResult = z.infer<typeof ClaimResult>

/** What regulators are told of, live, in the slots' seq. */
export const REQUEST_EVENT_TYPES = ['request.created', 'request.matched', 'request.claimed', 'request.released', 'request.ended'] as const
export type RequestEventType = (typeof REQUEST_EVENT_TYPES)[number]

/**
 * The sentence the regulator reads to the patient once the request is made (as for a booking).
 * `until` is the last day, already said in French (« mardi 2 juin »).
 */
export function waitingListPromise (until: string, phone: string): string {
  return `Vous êtes inscrit sur la liste d’attente jusqu’au ${until}. Dès qu’un créneau correspondant se libère, un régulateur vous rappelle au ${phone} pour vous le proposer. Si vous n’avez plus besoin de ce rendez-vous, rappelez le 116 117. En cas d’aggravation, appelez le 15.`
}

const Count = z.number().int().nonnegative()
const Outcomes = { made: Count, recovered: Count, expired: Count, withdrawn: Count, open: Count }

/**
 * The board's figures of the waiting list (`GET /api/reports/waiting-list`): requests by the
 * local date of the call that made them. Aggregates only: no patient field.
 */
export const WaitingListReport = z.object({
  period: z.object({ from: LocalDate, to: LocalDate }),
  /** made = recovered (booked from the list) + expired + withdrawn + open (still waiting). */
  totals: z.object(Outcomes),
  /** Minutes from the call to the booking of the recovered requests (nearest rank); null when none. */
  wait: z.object({ median: z.number().nullable(), p90: z.number().nullable() }),
  /** Calls that found no slot (the season report's unmetDemand), and those left once the list's bookings are taken off. */
  unmetDemand: z.object({ before: Count, after: Count }),
  byCommune: z.array(z.object({ communeCode: z.string(), name: z.string().nullable(), departement: z.string().nullable(), ...Outcomes })),
  byKind: z.array(z.object({ kind: SlotKind, ...Outcomes })),
  byWeek: z.array(z.object({ week: z.string(), ...Outcomes })),
  /** Local hour of the call, 0–23, every hour. */
  byHour: z.array(z.object({ hour: z.number().int().min(0).max(23), ...Outcomes }))
})
export type WaitingListReport = z.infer<typeof WaitingListReport>
