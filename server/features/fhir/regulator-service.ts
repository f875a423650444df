/**
 * INT_R02: the SAS platform creates, changes, disables and re-enables regulator accounts. Each
 * request is one transaction with its audit entry; a refused one writes nothing. The caller says
 * that credentials ended (`app.credentialEnded()`) when an account was disabled, so that its
 * open sockets close at once.
 *
 * Accounts are found by `users.idnps` (unique among active accounts, migration 0014) or
 * `users.sas_id`, among regulators only: the SAS never touches a practitioner's, an admin's or a
 * board account. Among several accounts with the identifier (disabled ones keep theirs), the
 * active one, else the latest created.
 */
import type { Kysely, Transaction, Updateable } from 'kysely'
import { uniqueViolation } from '../../../db/errors.js'
import type { Database, UsersTable } from '../../../db/types.js'
import { newId } from '../../lib/secrets.js'
import { appendAudit } from '../audit/audit-repository.js'
import { endAccountAccess } from '../users/account-service.js'
import { FhirError } from './operation-outcome.js'
import type { ConditionalIdentifier, RegulatorIdentifierKind, RegulatorInput } from './practitioner-regul.js'

/**
 * What an account provisioned by the SAS has for a password: no scrypt hash, so no password
 * ever matches. Its regulator signs in through Pro Santé Connect, or after an admin's reset link.
 */
export const NO_PASSWORD = 'none:provisioned-by-the-sas'

/** Who made the change, for the audit log: the SAS platform (no account of ours), from where. */
export interface SasActor { ip: string | null, via: 'certificate' | 'token' }

export interface RegulatorWrite {
  id: string
  /** 201 (created) or 200 (updated, or unchanged). */
  status: 200 | 201
  /** The account was disabled by this request: sockets must be swept. */
  disabled: boolean
  /** The stored state, identifiers included. */
  state: RegulatorInput
}

const COLUMN: Record<RegulatorIdentifierKind, 'idnps' | 'sas_id'> = { idnps: 'idnps', sasId: 'sas_id' }

type Db = Kysely<Database> | Transaction<Database>
type AccountRow = Pick<UsersTable, 'id' | 'role' | 'email' | 'name' | 'idnps' | 'sas_id' | 'disabled_at'>

async function accountsWith (db: Db, kind: RegulatorIdentifierKind, value: string): Promise<AccountRow[]> {
  return await db.selectFrom('users').select(['id', 'role', 'email', 'name', 'idnps', 'sas_id', 'disabled_at'])
    .where(COLUMN[kind], '=', value)
    .orderBy('created_at', 'desc').orderBy('id')
    .execute()
}

const active = (a: AccountRow): boolean => a.disabled_at === null

/** The regulator account an identifier names (the active one first), or undefined. */
function pick (accounts: AccountRow[]): AccountRow | undefined {
  const regulators = accounts.filter((a) => a.role === 'regulator')
  return regulators.find(active) ?? regulators[0]
}

/**
 * Refuses identifiers another active account holds: an IDNPS (or SAS id) names one active
 * account at most; a disabled account's may be given to another (reattribution).
 */
async function assertIdentifiersFree (db: Db, input: RegulatorInput, self: string | null): Promise<void> {
  for (const kind of ['idnps', 'sasId'] as const) {
    const value = input[kind]
    if (value === null) continue
    const holder = (await accountsWith(db, kind, value)).find((a) => active(a) && a.id !== self)
    if (holder !== undefined) {
      const what = kind === 'idnps' ? `the IDNPS ${value}` : `the SAS identifier ${value}`
      throw new FhirError(409, 'duplicate', holder.role === 'regulator'
        ? `An active regulator account has ${what} already`
        : `${what} belongs to an account that is not a regulator's: it cannot be provisioned by the SAS`)
    }
  }
}

async function assertEmailFree (db: Db, email: string, self: string | null): Promise<void> {
  const holder = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()
  if (holder !== undefined && holder.id !== self) throw new FhirError(409, 'duplicate', `Another account has the e-mail ${email}`)
}

/** A unique violation that slipped between our checks and the write (two requests at once): a 409. */
function conflictOf (err: unknown): unknown {
  const column = uniqueViolation(err)
  if (column === null) return err
  return new FhirError(409, 'duplicate', `Another account holds this ${column === 'users.email' ? 'e-mail' : 'identifier'} (${column})`)
}

const fullName = (input: RegulatorInput): string => `${input.given} ${input.family}`

async function insertRegulator (trx: Transaction<Database>, input: RegulatorInput, actor: SasActor, now: Date): Promise<string> {
  await assertIdentifiersFree(trx, input, null)
  await assertEmailFree(trx, input.email, null)
  const id = newId()
  await trx.insertInto('users').values({
    id, email: input.email, name: fullName(input), role: 'regulator', password_hash: NO_PASSWORD, cpts_id: null,
    created_at: now.toISOString(), disabled_at: input.active ? null : now.toISOString(), sas_id: input.sasId, idnps: input.idnps
  }).execute()
  await appendAudit(trx, {
    at: now, userId: null, action: 'sas.regulator_create', subjectType: 'user', subjectId: id, ip: actor.ip,
    detail: { via: actor.via, active: input.active, identifiers: identifierKinds(input) }
  })
  return id
}

const identifierKinds = (input: Pick<RegulatorInput, 'idnps' | 'sasId'>): string[] =>
  [input.idnps === null ? null : 'IDNPS', input.sasId === null ? null : 'INTRN'].filter((k): k is string => k !== null)

/** `POST /fhir/Practitioner`: a new account; refused (409) when an active one has its identifier or another its e-mail. */
export async function createRegulator (db: Kysely<Database>, input: RegulatorInput, actor: SasActor, now: Date): Promise<RegulatorWrite> {
  try {
    const id = await db.transaction().execute(async (trx) => await insertRegulator(trx, input, actor, now))
    return { id, status: 201, disabled: false, state: input }
  } catch (err) {
    throw conflictOf(err)
  }
}

/**
 * `PUT /fhir/Practitioner?identifier=system|value`: updates the account the identifier names, or
 * creates it (FHIR conditional update). The resource replaces the account's e-mail, name and
 * state; each identifier it carries is set, one it leaves out is kept (the SAS names an account
 * by either, and an IDNPS given to a UUID account does not void the UUID). Sending the same
 * resource twice changes nothing the second time (200, no audit entry).
 *
 * The account is looked up in the system named; should none match, in the other one: the kit's
 * "UUID → IDNPS" step sends the UUID under the IDNPS system.
 */
export async function upsertRegulator (db: Kysely<Database>, target: ConditionalIdentifier, input: RegulatorInput, actor: SasActor, now: Date): Promise<RegulatorWrite> {
  try {
    return await db.transaction().execute(async (trx) => {
      const other: RegulatorIdentifierKind = target.kind === 'idnps' ? 'sasId' : 'idnps'
      const account = pick(await accountsWith(trx, target.kind, target.value)) ?? pick(await accountsWith(trx, other, target.value))
      if (account === undefined) {
        const id = await insertRegulator(trx, input, actor, now)
        return { id, status: 201 as const, disabled: false, state: input }
      }
      const state: RegulatorInput = { ...input, idnps: input.idnps ?? account.idnps, sasId: input.sasId ?? account.sas_id }
      // Re-enabling, or a new identifier, must not collide with another active account.
      if (input.active) await assertIdentifiersFree(trx, state, account.id)
      if (input.email !== account.email) await assertEmailFree(trx, input.email, account.id)

      // Disabled first and re-enabled last: the IDNPS is unique among active accounts only.
      const disabled = !input.active && active(account)
      if (disabled) {
        await trx.updateTable('users').set({ disabled_at: now.toISOString() }).where('id', '=', account.id).execute()
        const ended = await endAccountAccess(trx, account.id, now)
        await appendAudit(trx, {
          at: now, userId: null, action: 'sas.regulator_deactivate', subjectType: 'user', subjectId: account.id, ip: actor.ip,
          detail: { via: actor.via, ...ended }
        })
      }

      const set: Updateable<UsersTable> = {}
      if (state.email !== account.email) set.email = state.email
      if (fullName(state) !== account.name) set.name = fullName(state)
      if (state.idnps !== account.idnps) set.idnps = state.idnps
      if (state.sasId !== account.sas_id) set.sas_id = state.sasId
      const fields = Object.keys(set)
      if (fields.length > 0) {
        await trx.updateTable('users').set(set).where('id', '=', account.id).execute()
        await appendAudit(trx, {
          at: now, userId: null, action: 'sas.regulator_update', subjectType: 'user', subjectId: account.id, ip: actor.ip,
          detail: { via: actor.via, fields }
        })
      }

      if (input.active && !active(account)) {
        await trx.updateTable('users').set({ disabled_at: null }).where('id', '=', account.id).execute()
        await appendAudit(trx, {
          at: now, userId: null, action: 'sas.regulator_reactivate', subjectType: 'user', subjectId: account.id, ip: actor.ip,
          detail: { via: actor.via }
        })
      }
      return { id: account.id, status: 200 as const, disabled, state }
    })
  } catch (err) {
    throw conflictOf(err)
  }
}
