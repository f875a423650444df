/**
 * The regulator accounts the SAS platform provisions (INT_R02): a `Practitioner` of profile
 * FrPractitionerRegul, read into what an account keeps, and written back. Pure: no database.
 *
 * What the profile (IG 1.1.0, the certification kit's) asks for, and so what we refuse without:
 * at least one identifier, IDNPS (`urn:oid:1.2.250.1.71.4.2.1`, type `fr-v2-0203#IDNPS`) or the
 * SAS's own UUID (`urn:oid:1.2.250.1.213.3.6`, type `#INTRN`), each type matching its system;
 * `active`; a name with its family name and exactly one given name; telecoms that are e-mails,
 * one at least (the account's sign-in address).
 */
import { Email, IDNPS_SHAPE } from '../../../shared/schemas/accounts.js'
import { SYSTEM } from './codes.js'
import type { FhirResource } from './fhir-types.js'

export const REGULATOR_PROFILE = 'https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/FrPractitionerRegul'
/** The SAS platform's OID: the system of its regulator UUIDs and the `meta.source` it writes. */
export const SAS_SYSTEM = 'urn:oid:1.2.250.1.213.3.6'

export type RegulatorIdentifierKind = 'idnps' | 'sasId'

/** Which identifier type each system must carry. */
const KIND_OF_SYSTEM: Record<string, { kind: RegulatorIdentifierKind, code: 'IDNPS' | 'INTRN' }> = {
  [SYSTEM.idNatPs]: { kind: 'idnps', code: 'IDNPS' },
  [SAS_SYSTEM]: { kind: 'sasId', code: 'INTRN' }
}

/** The SAS's identifier of a regulator: a UUID in practice; any word of up to 64 characters. */
const SAS_ID_SHAPE = /^[0-9A-Za-z][0-9A-Za-z/._-]{0,63}$/
const NAME_MAX = 120

export interface RegulatorInput {
  idnps: string | null
  sasId: string | null
  active: boolean
  family: string
  given: string
  email: string
}

export interface ResourceProblem {
  /** OperationOutcome issue code. */
  code: 'structure' | 'required' | 'value' | 'invalid'
  message: string
}

export type RegulatorParse = { ok: true, input: RegulatorInput } | { ok: false, problems: ResourceProblem[] }

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const text = (v: unknown): string | null => typeof v === 'string' && v.trim() !== '' ? v.trim() : null

/** Reads a FrPractitionerRegul; every problem is listed (nothing is written unless there is none). */
export function parseRegulator (body: unknown): RegulatorParse {
  const problems: ResourceProblem[] = []
  const problem = (code: ResourceProblem['code'], message: string): void => { problems.push({ code, message }) }
  if (!isObject(body) || body.resourceType !== 'Practitioner') {
    return { ok: false, problems: [{ code: 'structure', message: 'the body must be a FHIR Practitioner resource (FrPractitionerRegul)' }] }
  }

  const found: Partial<Record<RegulatorIdentifierKind, string>> = {}
  if (!Array.isArray(body.identifier) || body.identifier.length === 0) {
    problem('required', 'Practitioner.identifier: an IDNPS (urn:oid:1.2.250.1.71.4.2.1) or a SAS identifier (urn:oid:1.2.250.1.213.3.6) is required')
  } else {
    body.identifier.forEach((id: unknown, i) => {
      const at = `Practitioner.identifier[${i}]`
      if (!isObject(id)) { problem('structure', `${at}: not an Identifier`); return }
      const system = text(id.system)
      const known = system === null ? undefined : KIND_OF_SYSTEM[system]
      if (known === undefined) return // another identifier: the profile's slicing is open
      const codes = isObject(id.type) && Array.isArray(id.type.coding)
        ? id.type.coding.filter((c: unknown) => isObject(c) && c.system === SYSTEM.frV20203).map((c: Record<string, unknown>) => c.code)
        : []
      if (codes.length !== 1 || codes[0] !== known.code) {
        problem('value', `${at}.type: the system ${system ?? ''} goes with the type ${SYSTEM.frV20203}#${known.code}`)
      }
      const value = text(id.value)
      const shape = known.kind === 'idnps' ? IDNPS_SHAPE : SAS_ID_SHAPE
      if (value === null) problem('required', `${at}.value is required`)
      else if (!shape.test(value)) problem('value', `${at}.value: "${value}" is not ${known.kind === 'idnps' ? 'an IDNPS' : 'a SAS identifier'}`)
      if (found[known.kind] !== undefined) problem('value', `${at}: only one identifier of the system ${system ?? ''}`)
      if (value !== null) found[known.kind] = value
    })
    if (problems.length === 0 && found.idnps === undefined && found.sasId === undefined) {
      problem('required', 'Practitioner.identifier: an IDNPS (urn:oid:1.2.250.1.71.4.2.1) or a SAS identifier (urn:oid:1.2.250.1.213.3.6) is required')
    }
  }

  if (typeof body.active !== 'boolean') problem('required', 'Practitioner.active (true or false) is required')

  let family: string | null = null
  let given: string | null = null
  const name = Array.isArray(body.name) ? body.name[0] : undefined
  if (!isObject(name)) {
    problem('required', 'Practitioner.name is required')
  } else {
    family = text(name.family)
    if (family === null) problem('required', 'Practitioner.name.family is required')
    const givens = Array.isArray(name.given) ? name.given : []
    given = givens.length === 1 ? text(givens[0]) : null
    if (given === null) problem('required', 'Practitioner.name.given: exactly one given name is required')
    if (family !== null && given !== null && `${given} ${family}`.length > NAME_MAX) problem('value', `Practitioner.name: at most ${NAME_MAX} characters`)
  }

  let email: string | null = null
  const telecoms = Array.isArray(body.telecom) ? body.telecom : []
  if (telecoms.length === 0) problem('required', 'Practitioner.telecom: the e-mail address is required')
  telecoms.forEach((tc: unknown, i) => {
    const at = `Practitioner.telecom[${i}]`
    if (!isObject(tc) || tc.system !== 'email') { problem('value', `${at}.system must be email`); return }
    const parsed = Email.safeParse(tc.value)
    if (!parsed.success || parsed.data === '') problem('value', `${at}.value: not an e-mail address`)
    else email ??= parsed.data
  })

  if (problems.length > 0 || family === null || given === null || email === null || typeof body.active !== 'boolean') {
    return { ok: false, problems }
  }
  return { ok: true, input: { idnps: found.idnps ?? null, sasId: found.sasId ?? null, active: body.active, family, given, email } }
}

export interface ConditionalIdentifier { kind: RegulatorIdentifierKind, system: string, value: string }

/** The `identifier=system|value` of a conditional update; null when it is not one we can look up. */
export function parseConditionalIdentifier (values: string[]): ConditionalIdentifier | null {
  if (values.length !== 1) return null
  const raw = values[0] ?? ''
  const bar = raw.indexOf('|')
  if (bar < 0) return null
  const system = raw.slice(0, bar).trim()
  const value = raw.slice(bar + 1).trim()
  const known = KIND_OF_SYSTEM[system]
  if (known === undefined || value === '') return null
  return { kind: known.kind, system, value }
}

/** The account as the SAS sees it: the resource it sent, with our id (the stored state). */
export function regulatorResource (id: string, r: RegulatorInput & { idnps: string | null, sasId: string | null }): FhirResource {
  const identifier = []
  if (r.idnps !== null) identifier.push({ type: { coding: [{ system: SYSTEM.frV20203, code: 'IDNPS' }] }, system: SYSTEM.idNatPs, value: r.idnps })
  if (r.sasId !== null) identifier.push({ type: { coding: [{ system: SYSTEM.frV20203, code: 'INTRN' }] }, system: SAS_SYSTEM, value: r.sasId })
  return {
    resourceType: 'Practitioner',
    id,
    meta: { source: SAS_SYSTEM, profile: [REGULATOR_PROFILE] },
    identifier,
    active: r.active,
    name: [{ family: r.family, given: [r.given] }],
    telecom: [{ system: 'email', value: r.email }]
  }
}
