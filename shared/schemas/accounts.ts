import { z } from 'zod'
import { isValidRpps } from '../rpps.js'
import { Id, LineText, NameText, TimeZone } from './common.js'
import { MAX_MEMBERSHIPS, Phone, Place, PostalCode, StructureId } from './places.js'

export const ROLES = ['admin', 'practitioner', 'regulator', 'board'] as const
export const Role = z.enum(ROLES)
export type Role = z.infer<typeof Role>

export const PROFESSIONS = ['gp', 'psychiatrist'] as const
export const Profession = z.enum(PROFESSIONS)
export type Profession = z.infer<typeof Profession>

// Deliberately lenient: local hosts such as admin@localhost are valid on an intranet.
export const Email = z.string().trim().toLowerCase().max(254)
  .regex(/^[^\s@]+@[^\s@.][^\s@]*$/, 'invalid e-mail address')

export const Rpps = z.string().trim().refine(isValidRpps, {
  message: 'RPPS must be 11 digits with a valid check digit (Luhn)'
})

// Moved to places.ts (a place has them too); still exported from here for their readers.
export { Phone, StructureId }

export const PractitionerProfileInput = z.object({
  rpps: Rpps,
  profession: Profession,
  address: LineText(200, 3),
  postalCode: PostalCode,
  commune: LineText(100),
  phone: Phone,
  /** The practice's IdNat_Struct (FHIR PractitionerRole.organization.identifier); null = unknown. */
  structureId: StructureId.nullable().optional()
})
export type PractitionerProfileInput = z.infer<typeof PractitionerProfileInput>

/**
 * A practitioner as the API shows them. The address fields (address, postal code, commune,
 * structureId) are those of their home place, as before places existed; `places` lists every
 * active place, the home place first.
 */
export const PractitionerProfile = PractitionerProfileInput.extend({
  /** INSEE code of the commune, resolved by the server from the official list. */
  communeCode: z.string(),
  places: z.array(Place)
})
export type PractitionerProfile = z.infer<typeof PractitionerProfile>

export const Password = z.string().min(10, 'password must have at least 10 characters').max(200)

/** A regulator's identifier at the national SAS platform (INT_R02): the operator of the appointments sent there. */
export const SasId = LineText(64)

/**
 * The shape of an IDNPS, the national identifier by which Pro Santé Connect and the SAS name a
 * health professional: "8" + RPPS, "0" + ADELI, or a structure-scoped one ("3" + FINESS + "/" + a
 * number of the establishment, as the SAS kit's `3456780581/11242343`). Checked loosely, by its
 * alphabet; INT_R02 (server/features/fhir/practitioner-regul.ts) accepts the same.
 */
export const IDNPS_SHAPE = /^[0-9][0-9A-Za-z/._-]{1,63}$/

/** An IDNPS an admin gives a regulator or a board account (a practitioner's is `8` + their RPPS). */
export const Idnps = z.string().trim().regex(IDNPS_SHAPE, 'an IDNPS is a digit then 1 to 63 letters, digits or / . _ - ("8" + RPPS, "0" + ADELI)')

export const CreateUserBody = z.object({
  email: Email,
  name: NameText(120),
  password: Password,
  role: Role,
  /** A practitioner's home CPTS; a board account's scope (absent: every CPTS). */
  cptsId: Id.optional(),
  /** Practitioners only, optional: the other CPTS they are a member of besides `cptsId`. */
  cptsIds: z.array(Id).max(MAX_MEMBERSHIPS - 1).optional(),
  practitioner: PractitionerProfileInput.optional(),
  /** Regulators only, optional: without it their bookings are not sent to the SAS platform. */
  sasId: SasId.optional()
}).superRefine((body, ctx) => {
  if (body.role === 'practitioner' && body.practitioner === undefined) {
    ctx.addIssue({ code: 'custom', path: ['practitioner'], message: 'a practitioner needs a practitioner profile' })
  }
  if (body.role !== 'practitioner' && body.practitioner !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['practitioner'], message: 'only a practitioner has a practitioner profile' })
  }
  if (body.role === 'practitioner' && body.cptsId === undefined) {
    ctx.addIssue({ code: 'custom', path: ['cptsId'], message: 'a practitioner belongs to a CPTS' })
  }
  if (body.role !== 'practitioner' && body.cptsIds !== undefined && body.cptsIds.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['cptsIds'], message: 'only a practitioner is a member of several CPTS' })
  }
  body.cptsIds?.forEach((id, i) => {
    if (id === body.cptsId || body.cptsIds?.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: ['cptsIds', i], message: `CPTS ${id} is listed twice` })
  })
  if (body.role !== 'regulator' && body.sasId !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['sasId'], message: 'only a regulator has a SAS identifier (INT_R02)' })
  }
})
export type CreateUserBody = z.infer<typeof CreateUserBody>

export const User = z.object({
  id: Id,
  email: z.string(),
  name: z.string(),
  role: Role,
  cptsId: Id.nullable(),
  /** A practitioner's CPTS (memberships), the home one (`cptsId`) first; another account's `cptsId` if any. */
  cptsIds: z.array(Id),
  practitioner: PractitionerProfile.optional(),
  /** A regulator's identifier at the SAS platform (INT_R02), when the admin gave one. */
  sasId: z.string().optional(),
  /** The account's IDNPS when it has one (a practitioner's: `8` + their RPPS). */
  idnps: z.string().optional(),
  createdAt: z.string(),
  /** Set when an admin deactivated the account: it cannot sign in, its sessions and tokens ended. */
  disabledAt: z.string().optional()
})
export type User = z.infer<typeof User>

/**
 * An admin's edit of an account (`PATCH /api/users/:id`): only the fields sent change. The
 * role-specific ones follow the account's role (RPPS, phone and home place for a practitioner, SAS
 * id for a regulator, IDNPS for a regulator or a board account, CPTS for a board account); the server refuses the others. The role and a
 * practitioner's profession stay as created; a practitioner's CPTS change with
 * `PUT /api/users/:id/cpts`, their other places with `/api/users/:id/places`.
 */
export const UpdateUserBody = z.object({
  email: Email.optional(),
  name: NameText(120).optional(),
  /** Board accounts: null = every CPTS. */
  cptsId: Id.nullable().optional(),
  practitioner: PractitionerProfileInput.omit({ profession: true }).partial().optional(),
  /** Regulators: null removes it (their bookings are no longer sent to the SAS platform). */
  sasId: SasId.nullable().optional(),
  /**
   * Regulators and board accounts: the IDNPS by which Pro Santé Connect signs them in and the SAS
   * finds them (INT_R02); null removes it. Unique among active accounts. A practitioner's follows
   * their RPPS and is refused here.
   */
  idnps: Idnps.nullable().optional()
}).refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'nothing to change' })
export type UpdateUserBody = z.infer<typeof UpdateUserBody>

/** A one-time password-reset link for an account, shown once to the admin who asked for it. */
export const PasswordResetLink = z.object({ url: z.string(), expiresAt: z.string() })
export type PasswordResetLink = z.infer<typeof PasswordResetLink>

/** Spending a reset link (`POST /api/password-reset`): its secret and the new password. */
export const PasswordResetBody = z.object({ token: z.string().min(1).max(200), password: Password })
export type PasswordResetBody = z.infer<typeof PasswordResetBody>

/** Asking whether a reset link is still valid (`POST /api/password-reset/check`) and the answer. */
export const PasswordResetCheckBody = z.object({ token: z.string().min(1).max(200) })
export const PasswordResetCheck = z.object({ valid: z.boolean() })
export type PasswordResetCheck = z.infer<typeof PasswordResetCheck>

export const SessionBody = z.object({
  email: z.string().trim().toLowerCase().min(1).max(254),
  password: z.string().min(1).max(200)
})
export type SessionBody = z.infer<typeof SessionBody>

export const TokenBody = z.object({ label: LineText(100) })

/** The IANA spelling of a zone Intl accepts in any case (`europe/paris` → `Europe/Paris`). */
const canonicalTimeZone = (zone: string): string => new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone

/**
 * A FINESS number: 9 digits (the SAS guide's Organization identifier is "1" + 9 digits, so the
 * Corsican 2A/2B numbers cannot be sent there).
 */
export const Finess = z.string().trim().regex(/^\d{9}$/, 'FINESS must be 9 digits')

export const CreateCptsBody = z.object({
  name: NameText(150),
  timezone: TimeZone.default('Europe/Paris').transform(canonicalTimeZone),
  /** Optional: with it, the CPTS's slots are also offered to it through the SAS platform (FHIR INT_R04). */
  finess: Finess.optional(),
  /** The CPTS's phone, which the SAS platform shows with its Organization (INT_R04). */
  phone: Phone.optional()
})
export type CreateCptsBody = z.infer<typeof CreateCptsBody>

/** An admin's change to a CPTS's SAS details (`PATCH /api/cpts/:id`): null removes one. */
export const UpdateCptsBody = z.object({
  finess: Finess.nullable().optional(),
  phone: Phone.nullable().optional()
}).refine((b) => b.finess !== undefined || b.phone !== undefined, { message: 'nothing to change' })
export type UpdateCptsBody = z.infer<typeof UpdateCptsBody>

export const Cpts = z.object({ id: Id, name: z.string(), timezone: z.string(), finess: z.string().nullable(), phone: z.string().nullable() })
export type Cpts = z.infer<typeof Cpts>
