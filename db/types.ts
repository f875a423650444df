/**
 * The database as kysely sees it. Columns are snake_case; services map rows to the
 * camelCase domain objects of `shared/`. Instants are stored as ISO 8601 UTC text
 * (`2026-07-13T10:00:00.000Z`), which sorts in time order on SQLite and PostgreSQL alike.
 */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

export interface CptsTable {
  id: string
  name: string
  timezone: string
  created_at: string
}

export interface UsersTable {
  id: string
  email: string
  name: string
  role: 'admin' | 'practitioner' | 'regulator' | 'board'
  password_hash: string
  cpts_id: string | null
  created_at: string
  disabled_at: string | null
}

export interface PractitionersTable {
  user_id: string
  rpps: string
  profession: 'gp' | 'psychiatrist'
  address: string
  postal_code: string
  commune: string
  commune_code: string
  phone: string
}

export interface SessionsTable {
  /** sha256 of the cookie value: a stolen database does not yield live sessions. */
  id_hash: string
  user_id: string
  created_at: string
  expires_at: string
  ip: string | null
}

export interface ApiTokensTable {
  id: string
  user_id: string
  label: string
  token_hash: string
  created_at: string
  last_used_at: string | null
  revoked_at: string | null
}

export interface AuditLogTable {
  id: Generated<number>
  at: string
  user_id: string | null
  action: string
  subject_type: string
  subject_id: string | null
  ip: string | null
  detail: string | null
}

export interface Database {
  cpts: CptsTable
  users: UsersTable
  practitioners: PractitionersTable
  sessions: SessionsTable
  api_tokens: ApiTokensTable
  audit_log: AuditLogTable
}

export type CptsRow = Selectable<CptsTable>
export type UserRow = Selectable<UsersTable>
export type NewUser = Insertable<UsersTable>
export type UserUpdate = Updateable<UsersTable>
export type PractitionerRow = Selectable<PractitionersTable>
export type AuditEntry = Insertable<AuditLogTable>
