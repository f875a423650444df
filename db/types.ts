/**
 * The database as kysely sees it. Columns are snake_case; services map rows to the
 * camelCase domain objects of `shared/`. Instants are stored as ISO 8601 UTC text
 * (`2026-07-13T10:00:00.000Z`), which sorts in time order on SQLite and PostgreSQL alike.
 */
import type { Generated, Insertable, Selectable } from 'kysely'

export interface CptsTable {
  id: string
  name: string
  timezone: string
  created_at: string
  /** FINESS number, 9 digits (migration 0006): names the CPTS to the SAS platform (FHIR INT_R04). */
  finess: string | null
  /** The CPTS's phone (migration 0018), its FHIR Organization's `telecom`. */
  phone: string | null
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
  /** A regulator's identifier at the SAS platform (INT_R02), the operator of the appointments sent there. */
  sas_id: string | null
  /**
   * The national identifier IDNPS (`8` + RPPS for an RPPS holder), by which Pro Santé Connect and
   * the SAS name the account; unique among active accounts (migration 0014). A practitioner's
   * follows their RPPS.
   */
  idnps: string | null
  /** When the account first signed in through Pro Santé Connect (migration 0017); null = never. */
  psc_linked_at: string | null
}

export interface PractitionersTable {
  user_id: string
  rpps: string
  profession: 'gp' | 'psychiatrist'
  /**
   * address … structure_id: deprecated, a copy of the home place (practitioner_places, 0019)
   * written with it by server/features/places/home-place.ts; read the place instead.
   */
  address: string
  postal_code: string
  commune: string
  commune_code: string
  phone: string
  /**
   * IdNat_Struct of the practice (migration 0018): "1" + FINESS, "3" + SIRET or "4" + RPPS rang;
   * the FHIR PractitionerRole's `organization.identifier`.
   */
  structure_id: string | null
}

/**
 * Where a practitioner consults (migration 0019). One home place per practitioner; the place made
 * with the account takes the user id as its id (FHIR ids kept), later ones ids of their own.
 */
export interface PractitionerPlacesTable {
  id: string
  practitioner_id: string
  label: string
  address: string
  postal_code: string
  commune: string
  commune_code: string
  /** IdNat_Struct of this practice, the FHIR PractitionerRole's `organization.identifier`. */
  structure_id: string | null
  /** null = the practitioner's own phone. */
  phone: string | null
  /** 1 for the home place (exactly one per practitioner), else 0. */
  is_home: number
  created_at: string
  archived_at: string | null
  /** How many times the address was edited (migration 0024): added to the feed's SEQUENCE. */
  revision: Generated<number>
  /** When the address was last edited; null if never. */
  revised_at: Generated<string | null>
}

/** Every CPTS a practitioner belongs to (migration 0019); `users.cpts_id` is the home one. */
export interface CptsMembershipsTable {
  practitioner_id: string
  cpts_id: string
  created_at: string
}

/** The CPTS a slot is offered to besides its own `slots.cpts_id` (migration 0019). */
export interface SlotOffersTable {
  slot_id: string
  cpts_id: string
}

export interface SessionsTable {
  /** sha256 of the cookie value: a stolen database does not yield live sessions. */
  id_hash: string
  user_id: string
  created_at: string
  expires_at: string
  ip: string | null
  /** 1 when opened through Pro Santé Connect (sign-out then ends PSC's session too), else 0. */
  via_psc: Generated<number>
}

/** A Pro Santé Connect sign-in under way (migration 0017): used once by its callback. */
export interface PscLoginsTable {
  state_hash: string
  browser_hash: string
  nonce: string
  code_verifier: string
  /** The redirect_uri sent to PSC, which the token request repeats. */
  redirect_uri: string
  return_to: string | null
  created_at: string
  expires_at: string
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

/** One-time password-reset links (migration 0013): the sha256 of the secret, spent once. */
export interface PasswordResetsTable {
  token_hash: string
  user_id: string
  created_by: string | null
  created_at: string
  expires_at: string
  used_at: string | null
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
  /** The entry's place in the hash chain (migration 0016): 1, 2, 3… in commit order; null until chained (PostgreSQL: at commit). */
  chain_seq: number | null
  /** The hash of the entry before it in the chain (64 zeros for the first). */
  prev_hash: string | null
  /** SHA-256 of prev_hash and of this entry's canonical content (server/features/audit/audit-chain.ts). */
  hash: string | null
}

/** One row (id 1), migration 0016: the last entry of the audit chain, its seq and hash. */
export interface AuditChainHeadTable {
  id: number
  seq: number
  hash: string
}

/**
 * One row (id 1), migration 0008: the bound below which the audit log's DELETE trigger lets rows
 * go. NULL except inside the transaction of the AUDIT_MONTHS purge, which sets it and clears it.
 */
export interface AuditPurgeWindowTable {
  id: number
  before_at: string | null
}

export interface SlotsTable {
  id: string
  practitioner_id: string
  cpts_id: string
  /** The place (practitioner_places, migration 0019); every writer sets it. */
  place_id: string | null
  start_at: string
  end_at: string
  kind: 'snp' | 'psy'
  mode: 'office' | 'video' | 'home'
  status: 'free' | 'held' | 'booked' | 'withdrawn'
  hold_by: string | null
  hold_expires_at: string | null
  booking_id: string | null
  /** Bumped on every change (slot-writes.ts): the calendar feed's SEQUENCE. */
  version: Generated<number>
  created_at: string
  updated_at: string
  withdrawn_at: string | null
  /**
   * The start read in the CPTS's zone, for the season report and its rollups (migrations 0003,
   * 0012): every insert sets them (`slotLocalColumns`, server/features/slots/local-columns.ts).
   */
  local_date: string
  /** 0–23. */
  local_hour: number
  /** ISO week of local_date, `2020-W29`. */
  iso_week: string
  /**
   * Facts of the slot's current booking, kept by database triggers on `bookings` (never written
   * by the application): its status (null when the slot is not booked), has_treating_gp, and
   * the whole minutes from booked_at to the slot's start.
   */
  booking_status: Generated<'booked' | 'honored' | 'no_show' | null>
  booking_has_treating_gp: Generated<'yes' | 'no' | 'unknown' | null>
  lead_minutes: Generated<number | null>
  /** Holds of this slot that ended without a booking, kept by a trigger on `events` (each `slot.released`). */
  released_holds: Generated<number>
  /** The series the slot was published in (migration 0009); null when published alone or imported. */
  series_id: Generated<string | null>
}

/**
 * Rollups of the season report (migration 0012), kept by triggers on `slots` (never written by
 * the application): counters of the slots of one key, `total` includes withdrawn ones.
 */
export interface ReportDayHoursTable {
  local_date: string
  local_hour: number
  kind: 'snp' | 'psy'
  total: number
  withdrawn: number
  /** Slots whose status is booked. */
  booked: number
  /** Holds that ended without a booking. */
  released: number
}

export interface ReportPractitionerDaysTable {
  practitioner_id: string
  cpts_id: string
  kind: 'snp' | 'psy'
  iso_week: string
  local_date: string
  total: number
  withdrawn: number
  booked: number
  /** Current bookings by status, and those whose patient has no treating GP. */
  honored: number
  no_show: number
  without_gp: number
}

/**
 * Slots offered to an extra CPTS (slot_offers; migration 0020), with the keys and counters of
 * report_practitioner_days, `cpts_id` being the extra CPTS: a CPTS's own figures add them to
 * report_practitioner_days's, the territory's do not (a slot counts once there).
 */
export interface ReportOfferDaysTable {
  practitioner_id: string
  cpts_id: string
  kind: 'snp' | 'psy'
  iso_week: string
  local_date: string
  total: number
  withdrawn: number
  booked: number
  honored: number
  no_show: number
  without_gp: number
}

/** Booked slots by lead time in whole hours (floor of lead_minutes / 60). */
export interface ReportLeadHoursTable {
  lead_hour: number
  local_date: string
  kind: 'snp' | 'psy'
  n: number
}

export interface BookingsTable {
  id: string
  slot_id: string
  status: 'booked' | 'cancelled' | 'honored' | 'no_show'
  /**
   * Patient identity: null for imported history, and once erased (the retention purge, a patient's
   * erasure). Never logged, never shown to the board.
   */
  patient_last_name: string | null
  patient_first_name: string | null
  patient_birth_date: string | null
  patient_phone: string | null
  reason: string | null
  has_treating_gp: 'yes' | 'no' | 'unknown'
  booked_by: string | null
  booked_at: string
  idempotency_key: string | null
  cancelled_at: string | null
  cancel_reason: string | null
  cancelled_by: string | null
  outcome_at: string | null
  outcome_by: string | null
}

export interface EventsTable {
  seq: Generated<number>
  at: string
  type: string
  slot_id: string
  /** The slot as everyone may see it after the change (JSON, holder by id). */
  payload: string
  /** The booking the change is about (booked, cancelled, outcome; migration 0015); null for other events, and for older ones it could not be told of. */
  booking_id: Generated<string | null>
  /** Who made the change (migration 0015); null for the hold sweeper, and for older events it could not be told of. */
  actor_id: Generated<string | null>
  /** The waiting-list request of a `request.*` event (migration 0021; its `slot_id` is then the slot it names, or ''). */
  request_id: Generated<string | null>
}

/**
 * PostgreSQL only (migration 0002): the last seq handed out. A writer takes the next one with
 * `UPDATE events_counter SET last = last + 1 RETURNING last` in its transaction, so that seqs
 * are gapless and in commit order (SQLite's single writer gets that from autoincrement).
 */
export interface EventsCounterTable {
  id: Generated<number>
  last: number
}

export interface CallsTable {
  id: string
  at: string
  regulator_id: string | null
  outcome: string
  kind: string
  has_treating_gp: string
  booking_id: string | null
  commune_code: string | null
  cpts_id: string | null
}

/**
 * A waiting-list request (migration 0021): a call that found no slot, recovered when a matching
 * slot opens. The patient columns are health data (regulators only, audited), null once erased.
 */
export interface WaitingRequestsTable {
  id: string
  call_id: string | null
  created_at: string
  created_by: string | null
  cpts_id: string | null
  /** INSEE code of the patient's commune. */
  commune_code: string
  kind: 'snp' | 'psy'
  /** Comma-separated, e.g. `office,video`. */
  modes: string
  /** The end of the window (ISO UTC): a matching slot starts before it. */
  not_after: string
  has_treating_gp: 'yes' | 'no' | 'unknown'
  patient_last_name: string | null
  patient_first_name: string | null
  patient_birth_date: string | null
  patient_phone: string | null
  reason: string | null
  status: 'open' | 'booked' | 'withdrawn' | 'expired'
  /** The regulator handling it; live until claim_expires_at (a lapsed claim is free again). */
  claim_by: string | null
  claim_expires_at: string | null
  /** The slot held for the claimer when the claim was taken. */
  claim_slot_id: string | null
  ended_at: string | null
  /** Null for an expiry (the server) and for a booking's end (booked_by says who). */
  ended_by: string | null
  /** Why it was withdrawn (free text: the patient no longer needs it, …); null when erased. */
  end_reason: string | null
  booking_id: string | null
}

/**
 * A practitioner's calendar-feed secret (migration 0004). Kept in clear so that /praticien can
 * show the address again (the feed carries no patient identity); looked up by its sha256.
 */
export interface FeedTokensTable {
  practitioner_id: string
  token: string
  token_hash: string
  created_at: string
}

/** A channel's place in the event log (migration 0005): the last seq it has turned into deliveries. */
export interface DeliveryCursorsTable {
  channel: string
  last_seq: number
  updated_at: string
}

/** One message to send on one channel (mail, sas), retried until sent or given up. */
export interface DeliveriesTable {
  id: Generated<number>
  channel: string
  event_seq: number
  booking_id: string
  /** The booking's status this delivery announces. */
  kind: 'booked' | 'cancelled' | 'honored' | 'no_show'
  /** What goes out (JSON, built when the event is read): never patient data. */
  payload: string
  attempts: Generated<number>
  next_attempt_at: string
  sent_at: string | null
  /** Set when given up (a refusal that a retry cannot fix, or too old). */
  failed_at: string | null
  last_error: string | null
  created_at: string
  /** Until when a worker has claimed it to send it (migration 0011); null or past: free to claim. */
  claimed_until: string | null
}

/** A rate-limit counter shared by the instances (migration 0010; PostgreSQL only, SQLite counts in memory). */
export interface RateLimitsTable {
  /** sha256 of the limiter's key (an address, an e-mail, a feed): never kept in clear. */
  key: string
  window_start: string
  hits: number
  expires_at: string
}

/** A season import under way on SQLite, written in steps (migration 0023; season-import/import-journal.ts). */
export interface SeasonImportRunsTable {
  id: string
  started_at: string
  /** Wall time of its last step: a run left unrenewed belongs to a process that died. */
  heartbeat_at: string
}

/** The slots one step of a run wrote (a JSON array of ids), to undo it. */
export interface SeasonImportStepsTable {
  run_id: string
  seq: number
  slot_ids: string
}

export interface Database {
  slots: SlotsTable
  bookings: BookingsTable
  events: EventsTable
  /** PostgreSQL only. */
  events_counter: EventsCounterTable
  calls: CallsTable
  waiting_requests: WaitingRequestsTable
  cpts: CptsTable
  users: UsersTable
  practitioners: PractitionersTable
  practitioner_places: PractitionerPlacesTable
  cpts_memberships: CptsMembershipsTable
  slot_offers: SlotOffersTable
  sessions: SessionsTable
  psc_logins: PscLoginsTable
  api_tokens: ApiTokensTable
  password_resets: PasswordResetsTable
  audit_log: AuditLogTable
  audit_purge_window: AuditPurgeWindowTable
  audit_chain_head: AuditChainHeadTable
  feed_tokens: FeedTokensTable
  delivery_cursors: DeliveryCursorsTable
  deliveries: DeliveriesTable
  rate_limits: RateLimitsTable
  report_day_hours: ReportDayHoursTable
  report_practitioner_days: ReportPractitionerDaysTable
  report_lead_hours: ReportLeadHoursTable
  season_import_runs: SeasonImportRunsTable
  season_import_steps: SeasonImportStepsTable
  report_offer_days: ReportOfferDaysTable
}

export type CptsRow = Selectable<CptsTable>
export type UserRow = Selectable<UsersTable>
export type PractitionerRow = Selectable<PractitionersTable>
export type AuditEntry = Insertable<AuditLogTable>
export type SlotRow = Selectable<SlotsTable>
export type DeliveryRow = Selectable<DeliveriesTable>
export type WaitingRequestRow = Selectable<WaitingRequestsTable>
