/**
 * A practitioner's places of consultation and CPTS memberships (issue 21; docs/plans/places-and-cpts.md).
 * A place carries the address the SAS platform and the regulators read (its own FHIR
 * PractitionerRole, Schedule and Location); exactly one is the practitioner's home place. A
 * practitioner is a member of one or more CPTS, one of them their home CPTS (`User.cptsId`).
 */
import { z } from 'zod'
import { Id, LineText } from './common.js'

/** French numbers, with overseas prefixes: 10 digits from 0, or + and 11–13 digits. */
export const Phone = z.string().trim().refine((v) => {
  const digits = v.replace(/[\s.-]/g, '')
  return /^0[1-9]\d{8}$/.test(digits) || /^\+\d{11,13}$/.test(digits)
}, { message: 'phone must be a French number, e.g. 02 51 58 00 00 or +33 2 51 58 00 00' })

/**
 * IdNat_Struct of a practice, as the SAS platform reads it: "1" + FINESS (9 digits), "3" + SIRET
 * (14 digits) or "4" + RPPS rang (14 digits).
 */
export const StructureId = z.string().trim().regex(/^(1\d{9}|3\d{14}|4\d{14})$/,
  'structure identifier must be 1 + FINESS (9 digits), 3 + SIRET (14 digits) or 4 + RPPS rang (14 digits)')

export const PostalCode = z.string().trim().regex(/^\d{5}$/, 'postal code must be 5 digits')

/** The most CPTS one practitioner may be a member of. */
export const MAX_MEMBERSHIPS = 10

/**
 * A place as an admin enters it (`POST /api/users/:id/places`). The label names it to the
 * practitioner and the regulators ("Cabinet du port"); without one it is the commune's name.
 * Labels are unique per practitioner, case and accents aside. The phone, null or absent, is the
 * practitioner's; the commune is checked against the postal code (official list).
 */
export const PlaceInput = z.object({
  label: LineText(80).optional(),
  address: LineText(200, 3),
  postalCode: PostalCode,
  commune: LineText(100),
  phone: Phone.nullable().optional(),
  structureId: StructureId.nullable().optional()
})
export type PlaceInput = z.infer<typeof PlaceInput>

/** A new place; `home: true` makes it the home place at once. */
export const CreatePlaceBody = PlaceInput.extend({ home: z.boolean().optional() })
export type CreatePlaceBody = z.infer<typeof CreatePlaceBody>

/**
 * An edit of a place (`PATCH /api/users/:id/places/:placeId`): only the fields sent change;
 * `home: true` makes it the home place (the former one stays, as a second place).
 */
export const UpdatePlaceBody = PlaceInput.partial().extend({ label: LineText(80).optional(), home: z.literal(true).optional() })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'nothing to change' })
export type UpdatePlaceBody = z.infer<typeof UpdatePlaceBody>

export const Place = z.object({
  id: Id,
  label: z.string(),
  address: z.string(),
  postalCode: z.string(),
  commune: z.string(),
  /** INSEE code of the commune, resolved by the server from the official list. */
  communeCode: z.string(),
  /** Null: the practitioner's phone. */
  phone: z.string().nullable(),
  structureId: z.string().nullable(),
  home: z.boolean()
})
export type Place = z.infer<typeof Place>

/**
 * Every CPTS a practitioner is a member of (`PUT /api/users/:id/cpts`), and which is their home
 * CPTS (their session's, their calendar feed's, the season import's default).
 */
export const MembershipsBody = z.object({
  cptsIds: z.array(Id).min(1).max(MAX_MEMBERSHIPS),
  homeCptsId: Id
}).superRefine((b, ctx) => {
  if (!b.cptsIds.includes(b.homeCptsId)) ctx.addIssue({ code: 'custom', path: ['homeCptsId'], message: 'the home CPTS must be one of cptsIds' })
  b.cptsIds.forEach((id, i) => {
    if (b.cptsIds.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: ['cptsIds', i], message: `CPTS ${id} is listed twice` })
  })
})
export type MembershipsBody = z.infer<typeof MembershipsBody>
